import { type FormEvent, useMemo, useState } from 'react';
import {
  type BallotRuleChoice,
  type NewElectionForm as Form,
  LIMITS,
  type VoteChoice as Vote,
} from '../../../main/api/contract';
import { MAX_BALLOTS_PER_BLOCK } from '../../../main/chain/limits';
import { errorMessage, fieldMessage } from '../../lib/errors';
import { BLOCK_TRAVEL_SECONDS, difficultyText, electionSeconds, parseDifficulty } from '../../lib/estimate';
import { aboutDuration, formatCount, formatHashrate, formatWork } from '../../lib/format';
import { useAction } from '../../lib/hooks';
import { voteHint } from '../../lib/rules';
import { checkName, checkText, checkWhole } from '../../lib/validate';
import { listInWords } from '../../lib/waits';
import { useApi, useDashboard } from '../../store';
import { Field } from '../ui/Field';
import { VoteChoice } from '../ui/VoteChoice';
import { DifficultyField } from './DifficultyField';
import { formField } from './form-field';
import { RuleChoice } from './RuleChoice';

/**
 * What the fields hold: numbers as typed, so a half-typed number can be shown and corrected; the
 * vote undefined until the person chooses (Abstain is null).
 */
export type Draft = {
  [K in Exclude<keyof Form, 'vote'>]-?: Exclude<Form[K], undefined> extends number
    ? string
    : Exclude<Form[K], undefined>;
} & { vote: Vote | null | undefined };
type Errors = { [K in keyof Draft]?: string | undefined };

/** The quorum the form proposes for `talliers` key holders: a majority of them. */
export function majorityOf(talliers: number): number {
  return Math.floor(talliers / 2) + 1;
}

/** Whether the draft asks for backups: fewer key holders needed than there are. */
function hasBackups(draft: Draft): boolean {
  return Number(draft.quorum) < Number(draft.nTalliers);
}

function validate(draft: Draft): Errors {
  const difficulty = parseDifficulty(draft.difficulty);
  const talliers = Number(draft.nTalliers);
  const backups = hasBackups(draft);
  const errors: Errors = {
    title: checkText(draft.title, LIMITS.titleBytes),
    question: checkText(draft.question, LIMITS.questionBytes),
    nTalliers:
      checkWhole(draft.nTalliers, LIMITS.nTalliers) ??
      (backups && talliers > LIMITS.thresholdTalliers[1]
        ? `With backups, at most ${LIMITS.thresholdTalliers[1]} key holders (or need all of them).`
        : undefined),
    quorum: checkWhole(draft.quorum, [1, Number.isSafeInteger(talliers) && talliers >= 1 ? talliers : 1]),
    ceremonyBlocks: backups ? checkWhole(draft.ceremonyBlocks, LIMITS.nCeremonyBlocks) : undefined,
    nTalliersBlocks: checkWhole(draft.nTalliersBlocks, LIMITS.nTalliersBlocks),
    nVoteBlocks: checkWhole(draft.nVoteBlocks, LIMITS.nVoteBlocks),
    confirmations: checkWhole(draft.confirmations, LIMITS.confirmations),
    difficulty: 'problem' in difficulty ? difficulty.problem : undefined,
    name: checkName(draft.name),
    vote: draft.vote === undefined ? 'Choose Yes, No or Abstain.' : undefined,
  };
  for (const key of Object.keys(errors) as (keyof Draft)[]) if (errors[key] === undefined) delete errors[key];
  return errors;
}

export function NewElectionForm() {
  const api = useApi();
  const mining = useDashboard((state) => state.mining);
  const [draft, setDraft] = useState<Draft>(() => ({
    title: '',
    question: '',
    nTalliers: '3',
    nTalliersBlocks: '6',
    nVoteBlocks: '20',
    confirmations: '2',
    difficulty: difficultyText(2 ** 26),
    // Any 2 of the 3 key holders decrypt: one absent cannot hold the result up.
    quorum: String(majorityOf(3)),
    ceremonyBlocks: '6',
    // The person's own: no name and no vote chosen for them.
    name: '',
    vote: undefined,
    // The app proposes one vote per person; the engine's default (for old clients) is per block.
    ballotRule: 'per-voter',
  }));
  /** Fields the user has changed or left: only their errors show, not those of untouched fields. */
  const [touched, setTouched] = useState<ReadonlySet<keyof Draft>>(new Set());
  /** The engine's refusal, shown at its field until that field changes. */
  const [refused, setRefused] = useState<{ field: keyof Draft | undefined; error: string }>();
  const errors = useMemo(() => validate(draft), [draft]);
  const valid = Object.keys(errors).length === 0;
  const create = useAction(async (form: Form) => {
    try {
      await api.createElection(form);
    } catch (error) {
      const field = formField(error, draft);
      setRefused({ field, error: field ? fieldMessage(error) : errorMessage(error) });
    }
  });

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((old) => {
      const next = { ...old, [key]: value };
      // Until the person sets it, the quorum follows the key holders: a majority of them.
      if (key === 'nTalliers' && !touched.has('quorum') && Number.isSafeInteger(Number(value)))
        next.quorum = String(majorityOf(Number(value)));
      return next;
    });
    setTouched((old) => new Set(old).add(key));
    if (refused?.field === key) setRefused(undefined);
  };
  const touch = (key: keyof Draft) => setTouched((old) => (old.has(key) ? old : new Set(old).add(key)));
  const errorOf = (key: keyof Draft) =>
    refused?.field === key ? refused.error : touched.has(key) ? errors[key] : undefined;
  const text = (key: 'title' | 'question' | 'name') => ({
    value: draft[key],
    onChange: (event: { target: { value: string } }) => set(key, event.target.value),
    onBlur: () => touch(key),
  });
  // Text, not type=number: the browser would hide what was typed when it is not a number, and
  // the check here says what is wrong in words.
  const whole = (
    key: 'nTalliers' | 'nTalliersBlocks' | 'nVoteBlocks' | 'confirmations' | 'quorum' | 'ceremonyBlocks',
  ) => ({
    inputMode: 'numeric' as const,
    autoComplete: 'off',
    value: draft[key],
    onChange: (event: { target: { value: string } }) => set(key, event.target.value),
    onBlur: () => touch(key),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!valid || create.pending) return;
    setRefused(undefined);
    void create.run({
      title: draft.title.trim(),
      question: draft.question.trim(),
      nTalliers: Number(draft.nTalliers),
      nTalliersBlocks: Number(draft.nTalliersBlocks),
      nVoteBlocks: Number(draft.nVoteBlocks),
      confirmations: Number(draft.confirmations),
      difficulty: (parseDifficulty(draft.difficulty) as { value: number }).value,
      name: draft.name,
      vote: draft.vote ?? null,
      ballotRule: draft.ballotRule,
      ...(hasBackups(draft)
        ? { quorum: Number(draft.quorum), ceremonyBlocks: Number(draft.ceremonyBlocks) }
        : {}),
    });
  };
  const quorum = Number(draft.quorum);
  const talliers = Number(draft.nTalliers);
  // From the numbers as typed, whatever else is wrong: the hint describes what was asked for.
  const backups = !errors.quorum && hasBackups(draft);

  /** This computer's hashes per second with its mining threads, once the engine measured it. */
  const hashrate = mining.threadHashrate ? mining.threadHashrate * mining.threads : undefined;
  const visibleErrors = (Object.keys(errors) as (keyof Draft)[]).filter((key) => touched.has(key)).length;
  /** What the form still waits for when no field shows an error yet, in words. */
  const waiting = [
    errors.title || errors.question ? 'a title and a question' : '',
    errors.vote ? 'your vote' : '',
    errors.name ? 'your name' : '',
  ].filter(Boolean);

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="new-election-heading">
      <h2 id="new-election-heading">New election</h2>
      <fieldset>
        <legend>The question</legend>
        <Field
          label="Title"
          hint={`A short name for the election (at most ${LIMITS.titleBytes} bytes).`}
          error={errorOf('title')}
        >
          {(control) => <input {...control} {...text('title')} autoComplete="off" />}
        </Field>
        <Field label="Question" hint="What the participants answer yes or no to." error={errorOf('question')}>
          {(control) => <textarea {...control} {...text('question')} rows={3} />}
        </Field>
      </fieldset>
      <RuleChoice value={draft.ballotRule} onChange={(rule: BallotRuleChoice) => set('ballotRule', rule)} />
      <fieldset>
        <legend>The rules</legend>
        <div className="field-grid">
          <Field
            label="Key holders"
            hint="How many runners hold a piece of the key that unlocks the total."
            error={errorOf('nTalliers')}
          >
            {(control) => <input {...control} {...whole('nTalliers')} />}
          </Field>
          <Field
            label="Key holders needed"
            hint={
              errors.quorum
                ? 'How many of the key holders together unlock the total.'
                : !backups
                  ? 'Every key holder is needed to unlock the total: one absent holds the result up.'
                  : quorum === 1
                    ? 'Any one of them alone unlocks the total, and could read every single vote: choose more unless you trust each key holder completely.'
                    : `Any ${formatCount(quorum)} of them together unlock the total, so up to ${formatCount(talliers - quorum)} absent cannot hold it up. Any ${formatCount(quorum)} together could also read single votes.`
            }
            error={errorOf('quorum')}
          >
            {(control) => <input {...control} {...whole('quorum')} />}
          </Field>
          <Field
            label="Blocks to choose key holders"
            hint="The first blocks: the runners that find the most become the key holders."
            error={errorOf('nTalliersBlocks')}
          >
            {(control) => <input {...control} {...whole('nTalliersBlocks')} />}
          </Field>
          {backups ? (
            <Field
              label="Blocks for key backups"
              hint="After the key holders are chosen, each gives the others backup pieces of its key in these blocks. Voting starts after them."
              error={errorOf('ceremonyBlocks')}
            >
              {(control) => <input {...control} {...whole('ceremonyBlocks')} />}
            </Field>
          ) : null}
          <Field
            label="Blocks for voting"
            hint={
              draft.ballotRule === 'per-voter'
                ? `Voting stays open while these are found; each carries up to ${MAX_BALLOTS_PER_BLOCK} ballots.`
                : 'Each carries one ballot: at most this many ballots in all.'
            }
            error={errorOf('nVoteBlocks')}
          >
            {(control) => <input {...control} {...whole('nVoteBlocks')} />}
          </Field>
          <Field
            label="Blocks after voting"
            hint="Found on top of the last ballots, so that they can no longer be swapped out."
            error={errorOf('confirmations')}
          >
            {(control) => <input {...control} {...whole('confirmations')} />}
          </Field>
        </div>
        <DifficultyField
          value={draft.difficulty}
          onChange={(value) => set('difficulty', value)}
          onBlur={() => touch('difficulty')}
          error={errorOf('difficulty')}
          hashrate={hashrate}
        />
        <ElectionLength draft={draft} errors={errors} hashrate={hashrate} threads={mining.threads} />
      </fieldset>
      <fieldset>
        <legend>You</legend>
        <VoteChoice
          legend="Your vote"
          className="prominent"
          required
          value={draft.vote}
          onChange={(vote: Vote | null) => set('vote', vote)}
          hint={voteHint(draft.ballotRule)}
        />
        <Field
          label="Your name"
          hint="Shown to the people you invite, and beside the blocks your runner finds. A nickname will do."
          error={errorOf('name')}
        >
          {(control) => <input {...control} {...text('name')} autoComplete="nickname" />}
        </Field>
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={!valid || create.pending}>
          {create.pending ? 'Opening…' : 'Open the lobby'}
        </button>
        <p className="form-status" role="status">
          {refused && refused.field === undefined
            ? refused.error
            : visibleErrors > 0
              ? `Fix the ${visibleErrors === 1 ? 'field' : `${visibleErrors} fields`} marked above.`
              : !valid
                ? `Still needed: ${listInWords(waiting.length > 0 ? waiting : ['the fields marked above'])}.`
                : 'Nothing is mined yet: people ask to join with your invitation, you admit them, then start.'}
        </p>
      </div>
    </form>
  );
}

/**
 * How long the whole election takes, from the work per block and this computer's measured speed:
 * with as many computers like it as there are key holders (the fewest that can start it), and the
 * figures behind that behind "details".
 */
function ElectionLength({
  draft,
  errors,
  hashrate,
  threads,
}: {
  draft: Draft;
  errors: Errors;
  hashrate: number | undefined;
  threads: number;
}) {
  const numbers = [
    'nTalliers',
    'nTalliersBlocks',
    'nVoteBlocks',
    'confirmations',
    'difficulty',
    'quorum',
    'ceremonyBlocks',
  ] as const;
  if (numbers.some((key) => errors[key] !== undefined)) return null;
  const ceremony = hasBackups(draft) ? Number(draft.ceremonyBlocks) : 0;
  const blocks =
    Number(draft.nTalliersBlocks) + ceremony + Number(draft.nVoteBlocks) + Number(draft.confirmations);
  const work = (parseDifficulty(draft.difficulty) as { value: number }).value;
  const runners = Number(draft.nTalliers);
  if (hashrate === undefined)
    return (
      <p className="form-note election-length" role="status">
        {formatCount(blocks)} blocks in all. Measuring how fast this computer mines, to say how long that
        takes…
      </p>
    );
  const together = electionSeconds(blocks, work, hashrate * runners);
  return (
    <div className="form-note election-length" role="status">
      <p>
        <strong>How long it takes:</strong> {aboutDuration(together)}
        {runners === 1
          ? ' with your computer alone'
          : ` with ${formatCount(runners)} computers like yours (the fewest that can run it: one per key holder)`}
        , then a few seconds for the result. More computers, less time.
      </p>
      <details className="estimate-details">
        <summary>How this is worked out</summary>
        <p>
          {formatCount(blocks)} blocks, each taking {work === 1 ? 'one try' : `${formatWork(work)} tries`} on
          average. This computer makes about {formatHashrate(hashrate)} (tries a second) with its{' '}
          {formatCount(threads)} mining thread{threads === 1 ? '' : 's'}, measured when it started; each block
          then takes about {BLOCK_TRAVEL_SECONDS} s to reach the others over Tor. Alone it would take{' '}
          {aboutDuration(electionSeconds(blocks, work, hashrate))}.
        </p>
      </details>
    </div>
  );
}
