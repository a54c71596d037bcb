// Every request's arguments, checked before the engine acts on them: they come from a renderer or
// a web page, which the engine does not trust any more than a peer. A refusal names the form field
// (`field`), so the UI can show it beside the input.
import {
  type BallotRuleChoice,
  type ConnectionForm,
  type JoinForm,
  type NewElectionForm,
  type QuestionForm,
  REQUEST_NAMES,
  type RequestName,
  type VoteChoice,
} from '../api/contract';
import { RequestError } from '../api/errors';
import { checkMinerLabel } from '../chain/block';
import { type Genesis, hasQuestions, hasThreshold, LIMITS, makeGenesis } from '../chain/genesis';
import { MAX_TARGET } from '../chain/pow/target';
import { encodeQuestions, parseQuestions } from '../chain/questions';
import { check, ValidationError } from '../crypto/errors';
import { Group } from '../crypto/group';
import { parsePeerAddress } from '../net/address';
import { parseInvitation } from '../net/invitation';
import type { LobbyParams } from '../node/lobby';
import {
  type ConnectionSettings,
  checkConnectionSettings,
  checkProxy,
  type UpstreamProxy,
} from '../tor/connection';

export interface ParsedRequest {
  readonly name: RequestName;
  readonly args: unknown[];
}

const NAMES: ReadonlySet<string> = new Set(REQUEST_NAMES);

export function parseRequest(name: string, args: unknown[], limits: { maxThreads: number }): ParsedRequest {
  if (!NAMES.has(name)) throw new RequestError(`no request named ${JSON.stringify(name)}`);
  const request = name as RequestName;
  const arity = ARITY[request];
  check(
    Array.isArray(args) && args.length === arity,
    'args',
    `${name} takes ${arity} argument${arity === 1 ? '' : 's'}`,
  );
  switch (request) {
    case 'createElection':
      return { name: request, args: [parseNewElection(args[0])] };
    case 'joinElection':
      return { name: request, args: [parseJoin(args[0])] };
    case 'previewJoin':
      // An invitation link, a bare address or http://…/: checked here, read again by the engine.
      parseInvitation(args[0], 'peer');
      return { name: request, args: [(args[0] as string).trim()] };
    case 'admitJoiner':
    case 'refuseJoiner':
      check(Number.isSafeInteger(args[0]) && (args[0] as number) >= 1, 'id', 'must be a request id');
      return { name: request, args };
    case 'addPeer':
    case 'removePeer':
      return { name: request, args: [parsePeerAddress(args[0], 'address').address] };
    case 'setMining':
      check(typeof args[0] === 'boolean', 'on', 'must be true or false');
      return { name: request, args };
    case 'setThreads':
      check(
        Number.isSafeInteger(args[0]) && (args[0] as number) >= 1 && (args[0] as number) <= limits.maxThreads,
        'threads',
        `must be a whole number from 1 to ${limits.maxThreads}`,
      );
      return { name: request, args };
    case 'setVote':
      return { name: request, args: [parseVote(args[0])] };
    case 'saveConnection':
      return { name: request, args: [parseConnectionForm(args[0])] };
    default:
      return { name: request, args: [] };
  }
}

const ARITY: Record<RequestName, number> = {
  snapshot: 0,
  createElection: 1,
  previewJoin: 1,
  joinElection: 1,
  admitJoiner: 1,
  refuseJoiner: 1,
  startElection: 0,
  leaveLobby: 0,
  retry: 0,
  cancel: 0,
  addPeer: 1,
  removePeer: 1,
  setMining: 1,
  setThreads: 1,
  setVote: 1,
  torLog: 0,
  exportRecord: 0,
  openDataFolder: 0,
  connectionSettings: 0,
  saveConnection: 1,
};

function exact(value: unknown, what: string, keys: readonly string[]): Record<string, unknown> {
  check(typeof value === 'object' && value !== null && !Array.isArray(value), what, 'must be an object');
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) check(keys.includes(key), key, 'is not a field of this form');
  for (const key of keys) check(key in o, key, 'is missing');
  return o;
}

/**
 * A vote in form: yes, no, none, or per question the option numbers chosen (at most 16 questions
 * of 64 options). Whether the election allows it is the runner's check (chain/votes.ts).
 */
function parseVote(value: unknown): VoteChoice | null {
  if (value === 'yes' || value === 'no' || value === null) return value;
  const option = (o: unknown) => typeof o === 'number' && Number.isInteger(o) && o >= 0 && o < 64;
  check(
    Array.isArray(value) &&
      value.length <= 16 &&
      value.every((q) => Array.isArray(q) && q.length <= 64 && q.every(option)),
    'vote',
    'must be "yes", "no", none, or the options chosen in each question',
  );
  return value as VoteChoice;
}

function parseName(value: unknown): string {
  checkMinerLabel(value, 'name');
  check(value.trim().length > 0, 'name', 'must not be empty');
  return value;
}

function wholeNumber(o: Record<string, unknown>, key: string): number {
  const value = o[key];
  check(typeof value === 'number' && Number.isSafeInteger(value), key, 'must be a whole number');
  return value;
}

function parseNewElection(value: unknown): NewElectionForm {
  const has = (key: string) => typeof value === 'object' && value !== null && Object.hasOwn(value, key);
  const withRule = has('ballotRule');
  const threshold = has('quorum') || has('ceremonyBlocks');
  const withQuestions = has('questions');
  const o = exact(value, 'form', [
    ...(withRule ? ['ballotRule'] : []),
    ...(withQuestions ? ['questions'] : []),
    ...(threshold ? ['quorum', 'ceremonyBlocks'] : []),
    'title',
    'question',
    'nTalliers',
    'nTalliersBlocks',
    'nVoteBlocks',
    'confirmations',
    'difficulty',
    'name',
    'vote',
  ]);
  check(typeof o.title === 'string', 'title', 'must be text');
  check(typeof o.question === 'string', 'question', 'must be text');
  return {
    title: o.title,
    question: o.question,
    nTalliers: wholeNumber(o, 'nTalliers'),
    nTalliersBlocks: wholeNumber(o, 'nTalliersBlocks'),
    nVoteBlocks: wholeNumber(o, 'nVoteBlocks'),
    confirmations: wholeNumber(o, 'confirmations'),
    difficulty: wholeNumber(o, 'difficulty'),
    name: parseName(o.name),
    vote: parseVote(o.vote),
    ...(withRule ? { ballotRule: parseRule(o.ballotRule) } : {}),
    ...(threshold
      ? { quorum: wholeNumber(o, 'quorum'), ceremonyBlocks: wholeNumber(o, 'ceremonyBlocks') }
      : {}),
    ...(withQuestions ? { questions: parseQuestionForms(o.questions) } : {}),
  };
}

/** The form's questions, in form (the genesis checks what they say, naming `questions[i]…`). */
function parseQuestionForms(value: unknown): QuestionForm[] {
  return encodeQuestions(parseQuestions(value, 'questions'));
}

function parseRule(value: unknown): BallotRuleChoice {
  check(value === 'per-voter' || value === 'per-block', 'ballotRule', 'must be "per-voter" or "per-block"');
  return value;
}

function parseJoin(value: unknown): JoinForm {
  const o = exact(value, 'form', ['peer', 'electionId', 'name', 'vote']);
  check(
    typeof o.electionId === 'string' && (o.electionId === '' || /^[0-9a-f]{64}$/.test(o.electionId)),
    'electionId',
    'must be 64 lowercase hex digits (or empty, joining a lobby)',
  );
  parseInvitation(o.peer, 'peer'); // read again by the engine, which keeps the link's election id
  return {
    peer: (o.peer as string).trim(),
    electionId: o.electionId,
    name: parseName(o.name),
    vote: parseVote(o.vote),
  };
}

/** Genesis fields as the form names them, for errors shown beside the right input. */
const FORM_FIELDS: Record<string, string> = {
  'genesis.title': 'title',
  'genesis.question': 'question',
  'genesis.n_talliers': 'nTalliers',
  'genesis.n_talliers_blocks': 'nTalliersBlocks',
  'genesis.n_vote_blocks': 'nVoteBlocks',
  'genesis.confirmations': 'confirmations',
  'genesis.target': 'difficulty',
  'genesis.quorum': 'quorum',
  'genesis.n_ceremony_blocks': 'ceremonyBlocks',
};

/**
 * The genesis of a new election from the form (the command line fills the same form from its
 * options). `difficulty` is the expected number of hashes per block: target = 2^256 / difficulty.
 */
export function genesisFromForm(form: Omit<NewElectionForm, 'name' | 'vote'>, now = Date.now()): Genesis {
  const maxDifficulty = 2 ** LIMITS.maxExpectedHashesLog2;
  check(
    Number.isSafeInteger(form.difficulty) && form.difficulty >= 1 && form.difficulty <= maxDifficulty,
    'difficulty',
    `must be a whole number of hashes from 1 to 2^${LIMITS.maxExpectedHashesLog2}`,
  );
  try {
    return makeGenesis({
      title: form.title,
      question: form.question,
      group: Group.default(),
      nTalliers: form.nTalliers,
      nTalliersBlocks: form.nTalliersBlocks,
      nVoteBlocks: form.nVoteBlocks,
      confirmations: form.confirmations,
      target: form.difficulty === 1 ? MAX_TARGET : MAX_TARGET / BigInt(form.difficulty),
      createdAt: Math.floor(now / 1000),
      ...(form.questions
        ? {
            // The form's questions are the genesis JSON's: read as the genesis reads them.
            questions: parseQuestions(form.questions, 'questions'),
          }
        : {}),
      ...(form.quorum !== undefined || form.ceremonyBlocks !== undefined
        ? {
            ...(form.quorum !== undefined ? { quorum: form.quorum } : {}),
            ...(form.ceremonyBlocks !== undefined ? { nCeremonyBlocks: form.ceremonyBlocks } : {}),
          }
        : {}),
    });
  } catch (error) {
    if (error instanceof ValidationError && FORM_FIELDS[error.field]) {
      throw new ValidationError(FORM_FIELDS[error.field]!, error.reason);
    }
    // A question's field keeps its place: genesis.questions[1].options[0] → questions[1].options[0].
    if (error instanceof ValidationError && error.field.startsWith('genesis.questions'))
      throw new ValidationError(error.field.slice('genesis.'.length), error.reason);
    throw error;
  }
}

/** A lobby's parameters from the new-election form, checked as a genesis would check them. */
export function lobbyParamsFromForm(form: NewElectionForm, now = Date.now()): LobbyParams {
  const genesis = genesisFromForm(form, now);
  return {
    title: genesis.title,
    question: genesis.question,
    ballotRule: form.ballotRule ?? 'per-block',
    nTalliers: genesis.nTalliers,
    nTalliersBlocks: genesis.nTalliersBlocks,
    nVoteBlocks: genesis.nVoteBlocks,
    confirmations: genesis.confirmations,
    target: genesis.target,
    ...(hasThreshold(genesis) ? { quorum: genesis.quorum, nCeremonyBlocks: genesis.nCeremonyBlocks } : {}),
    ...(hasQuestions(genesis) ? { questions: genesis.questions } : {}),
  };
}

const CONNECTION_TEXT = [
  'customBridges',
  'proxyHost',
  'proxyPort',
  'proxyUsername',
  'proxyPassword',
  'controlHost',
  'controlPort',
  'controlPassword',
  'socksUrl',
  'onionAddress',
] as const;

/** The connection form's shape: each input text (at most 64 KiB), each choice one of its values. */
function parseConnectionForm(value: unknown): ConnectionForm {
  const o = exact(value, 'form', [
    'tor',
    'bridges',
    'proxyType',
    'keepProxyPassword',
    'keepControlPassword',
    ...CONNECTION_TEXT,
  ]);
  check(
    o.tor === 'managed' || o.tor === 'attached' || o.tor === 'external',
    'tor',
    'must be managed, attached or external',
  );
  check(
    o.bridges === 'none' || o.bridges === 'obfs4' || o.bridges === 'snowflake' || o.bridges === 'custom',
    'bridges',
    'must be none, obfs4, snowflake or custom',
  );
  check(
    o.proxyType === 'none' || o.proxyType === 'socks4' || o.proxyType === 'socks5' || o.proxyType === 'https',
    'proxyType',
    'must be none, socks4, socks5 or https',
  );
  check(typeof o.keepProxyPassword === 'boolean', 'keepProxyPassword', 'must be true or false');
  check(typeof o.keepControlPassword === 'boolean', 'keepControlPassword', 'must be true or false');
  for (const key of CONNECTION_TEXT)
    check(typeof o[key] === 'string' && o[key].length <= 65_536, key, 'must be text (at most 64 KiB)');
  return o as unknown as ConnectionForm;
}

/**
 * The settings a connection form asks for, checked whole (a bad bridge line named by its number).
 * Only the chosen mode's fields count; a password left empty with `keep…Password` stays as saved
 * while the proxy's type, host and port (the control port's host and port) are the saved ones:
 * changed, the saved password is dropped, never sent to the new one.
 */
export function connectionFromForm(form: ConnectionForm, previous: ConnectionSettings): ConnectionSettings {
  const port = (text: string, field: string): number => {
    check(
      /^\d{1,5}$/.test(text.trim()) && Number(text) >= 1 && Number(text) <= 65535,
      field,
      'must be a port number from 1 to 65535',
    );
    return Number(text);
  };
  const managed = form.tor === 'managed';
  const proxyOf = (password: string | undefined) =>
    checkProxy({
      type: form.proxyType,
      host: form.proxyHost,
      port: form.proxyPort.trim(),
      username: form.proxyUsername,
      password,
    });
  // A saved password goes only to the proxy it was saved for (same type, host and port), never to
  // a proxy entered since: that one is asked for its own.
  const wanted = managed && form.proxyType !== 'none';
  const old = previous.proxy;
  let proxy: UpstreamProxy | undefined;
  if (wanted && form.proxyPassword === '' && form.keepProxyPassword && old?.password) {
    try {
      const kept = proxyOf(old.password);
      if (kept.type === old.type && kept.host === old.host && kept.port === old.port) proxy = kept;
    } catch {
      // Not that proxy's fields: checked (and said) below, without the saved password.
    }
  }
  if (wanted && !proxy) proxy = proxyOf(form.proxyPassword);
  const controlHost = form.controlHost.trim() || '127.0.0.1';
  const sameControl =
    previous.control !== undefined &&
    previous.control.host === controlHost.replace(/^\[(.*)\]$/, '$1') &&
    previous.control.port === Number(form.controlPort.trim());
  const controlPassword =
    form.controlPassword === '' && form.keepControlPassword && sameControl
      ? previous.control?.password
      : form.controlPassword;
  return checkConnectionSettings({
    tor: form.tor,
    // Bridges belong to a tor of the runner's own; pasted lines are kept (and checked) either way.
    bridges: managed ? form.bridges : 'none',
    customBridges: form.customBridges.split(/\r?\n/),
    ...(proxy ? { proxy } : {}),
    ...(form.tor === 'attached'
      ? {
          control: {
            host: controlHost,
            port: port(form.controlPort, 'controlPort'),
            ...(controlPassword ? { password: controlPassword } : {}),
          },
        }
      : previous.control
        ? { control: previous.control }
        : {}),
    ...(form.tor === 'external'
      ? { external: { socks: form.socksUrl, self: form.onionAddress } }
      : previous.external
        ? { external: previous.external }
        : {}),
    ...(previous.obfs4Path ? { obfs4Path: previous.obfs4Path } : {}),
    ...(previous.snowflakePath ? { snowflakePath: previous.snowflakePath } : {}),
  });
}
