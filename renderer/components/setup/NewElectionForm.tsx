import { type FormEvent, useMemo, useRef, useState } from 'react';
import {
  type BallotRuleChoice,
  type NewElectionForm as Form,
  LIMITS,
  type QuestionForm,
  type Selections,
  type VoteChoice as Vote,
} from '../../../main/api/contract';
import { MAX_BALLOTS_PER_BLOCK } from '../../../main/chain/limits';
import { errorField, errorMessage, fieldMessage } from '../../lib/errors';
import { BLOCK_TRAVEL_SECONDS, difficultyText, electionSeconds, parseDifficulty } from '../../lib/estimate';
import { aboutDuration, formatCount, formatHashrate, formatWork } from '../../lib/format';
import { useAction } from '../../lib/hooks';
import {
  defaultIntroduction,
  type QuestionDraft,
  questionErrors,
  questionForm,
  selectionsProblem,
} from '../../lib/questions';
import { voteHint } from '../../lib/rules';
import { checkName, checkText, checkWhole } from '../../lib/validate';
import { listInWords } from '../../lib/waits';
import { useApi, useDashboard } from '../../store';
import { BallotChoice } from '../ui/BallotChoice';
import { Field } from '../ui/Field';
import { VoteChoice } from '../ui/VoteChoice';
import { DifficultyField } from './DifficultyField';
import { formField } from './form-field';
import { type ElectionKind, KindChoice, newQuestion, QuestionsEditor } from './QuestionsEditor';
import { RuleChoice } from './RuleChoice';

/**
 * What the fields hold: numbers as typed, so a half-typed number can be shown and corrected; the
 * vote undefined until the person chooses (Abstain is null).
 */
export type Draft = {
  [K in Exclude<keyof Form, 'vote' | 'questions'>]-?: Exclude<Form[K], undefined> extends number
    ? string
    : Exclude<Form[K], undefined>;
} & {
  vote: Vote | null | undefined;
  /** A yes/no question (`question`), or questions with choices (`question` introduces them). */
  kind: ElectionKind;
  questions: readonly QuestionDraft[];
  /**
   * The organizer's answers to the questions with choices: per question id, the ids of the options
   * chosen (so reordering and removing keep them right), or abstain; undefined until chosen.
   */
  answers: Answers | undefined;
};
type Errors = { [K in keyof Draft]?: string | undefined };

interface Answers {
  readonly abstain: boolean;
  readonly chosen: ReadonlyMap<number, readonly number[]>;
}

/** The questions as the engine takes them, or undefined while one of them is incomplete. */
function questionForms(draft: Draft): QuestionForm[] | undefined {
  const forms = draft.questions.map(questionForm);
  return forms.every((f) => f !== undefined) ? forms : undefined;
}

/** The organizer's answers as option numbers, in the questions' current order. */
function selectionsOf(draft: Draft): Selections {
  return draft.questions.map((q) => {
    const chosen = draft.answers?.chosen.get(q.id) ?? [];
    return q.options.flatMap((o, i) => (chosen.includes(o.id) ? [i] : []));
  });
}

/** Whether every question's rule can be offered to a voter (numbers within its options). */
function votable(forms: readonly QuestionForm[] | undefined): forms is QuestionForm[] {
  return (
    forms?.every((f) => f.options.length > 0 && f.max >= 1 && f.max <= f.options.length && f.min <= f.max) ??
    false
  );
}

/** The quorum the form proposes for `talliers` key holders: a majority of them. */
export function majorityOf(talliers: number): number {
  return Math.floor(talliers / 2) + 1;
}

/** Whether the draft asks for backups: fewer key holders needed than there are. */
function hasBackups(draft: Draft): boolean {
  return Number(draft.quorum) < Number(draft.nTalliers);
}

function validate(draft: Draft): Errors {
  const withQuestions = draft.kind === 'questions';
  const difficulty = parseDifficulty(draft.difficulty);
  const talliers = Number(draft.nTalliers);
  const backups = hasBackups(draft);
  const errors: Errors = {
    title: checkText(draft.title, LIMITS.titleBytes),
    // With questions, the introduction may be left empty: the questions then introduce themselves.
    question:
      withQuestions && draft.question.trim() === ''
        ? undefined
        : checkText(draft.question, LIMITS.questionBytes),
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
    vote: withQuestions
      ? answersProblem(draft)
      : draft.vote === undefined
        ? 'Choose Yes, No or Abstain.'
        : undefined,
    questions:
      withQuestions && Object.keys(questionErrors(draft.questions)).length > 0
        ? 'Fix the questions marked above.'
        : undefined,
  };
  for (const key of Object.keys(errors) as (keyof Draft)[]) if (errors[key] === undefined) delete errors[key];
  return errors;
}

/** What is wrong with the organizer's answers, if anything. */
function answersProblem(draft: Draft): string | undefined {
  if (draft.answers === undefined) return 'Choose your answers, or Abstain.';
  if (draft.answers.abstain) return undefined;
  const forms = questionForms(draft);
  if (!votable(forms)) return 'Finish the questions, then choose your answers.';
  const problem = selectionsProblem(forms, selectionsOf(draft));
  return problem && `Question ${problem.question + 1}: ${problem.problem}`;
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
    kind: 'yes-no',
    questions: [],
    answers: undefined,
  }));
  /** Ids of questions and options: React's keys, and what the organizer's answers hold. */
  const lastId = useRef(0);
  const newId = () => ++lastId.current;
  /** Fields the user has changed or left: only their errors show, not those of untouched fields. */
  const [touched, setTouched] = useState<ReadonlySet<keyof Draft>>(new Set());
  /** The engine's refusal, shown at its field until that field changes. */
  const [refused, setRefused] = useState<{ field: keyof Draft | undefined; error: string }>();
  /** The question fields the user has left (by question and option id, so reordering keeps them). */
  const [touchedQuestions, setTouchedQuestions] = useState<ReadonlySet<string>>(new Set());
  /** The engine's refusal of a question field (`questions[1].options[0]`), until the questions change. */
  const [refusedQuestion, setRefusedQuestion] = useState<{ field: string; error: string }>();
  const errors = useMemo(() => validate(draft), [draft]);
  const questionProblems = useMemo(() => questionErrors(draft.questions), [draft.questions]);
  const valid = Object.keys(errors).length === 0;
  const create = useAction(async (form: Form) => {
    try {
      await api.createElection(form);
    } catch (error) {
      // A question's field: shown beside its input (the engine names it as the form does).
      if (errorField(error)?.startsWith('questions'))
        return setRefusedQuestion({ field: errorField(error)!, error: fieldMessage(error) });
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
    if (key === 'questions') setRefusedQuestion(undefined);
  };
  const setQuestions = (questions: QuestionDraft[]) => {
    set('questions', questions);
    // Answers the new rules no longer allow: the first ones chosen stay, up to the maximum.
    if (draft.answers && !draft.answers.abstain) {
      const chosen = new Map(draft.answers.chosen);
      for (const q of questions) {
        const form = questionForm(q);
        const ids = chosen.get(q.id);
        if (form && ids && ids.length > form.max) chosen.set(q.id, ids.slice(0, Math.max(form.max, 0)));
      }
      set('answers', { ...draft.answers, chosen });
    }
  };
  const chooseKind = (kind: ElectionKind) => {
    set('kind', kind);
    // Questions with choices start with one question to fill in.
    if (kind === 'questions' && draft.questions.length === 0) set('questions', [newQuestion(newId)]);
  };
  const questionFields = {
    errorOf: (field: string, touchKey: string) =>
      refusedQuestion?.field === field
        ? refusedQuestion.error
        : touchKey === '' || touchedQuestions.has(touchKey)
          ? questionProblems[field]
          : undefined,
    touch: (key: string) => setTouchedQuestions((old) => (old.has(key) ? old : new Set(old).add(key))),
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
    setRefusedQuestion(undefined);
    const questions = draft.kind === 'questions' ? questionForms(draft) : undefined;
    void create.run({
      title: draft.title.trim(),
      question:
        questions && draft.question.trim() === ''
          ? defaultIntroduction(questions.map((q) => q.question))
          : draft.question.trim(),
      nTalliers: Number(draft.nTalliers),
      nTalliersBlocks: Number(draft.nTalliersBlocks),
      nVoteBlocks: Number(draft.nVoteBlocks),
      confirmations: Number(draft.confirmations),
      difficulty: (parseDifficulty(draft.difficulty) as { value: number }).value,
      name: draft.name,
      vote: questions ? (draft.answers?.abstain ? null : selectionsOf(draft)) : (draft.vote ?? null),
      ballotRule: draft.ballotRule,
      ...(questions ? { questions } : {}),
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
  const withQuestions = draft.kind === 'questions';
  const waiting = [
    errors.title || errors.question ? (withQuestions ? 'a title' : 'a title and a question') : '',
    errors.questions ? questionNeed(Object.keys(questionProblems)[0]) : '',
    errors.vote ? (withQuestions ? 'your answers' : 'your vote') : '',
    errors.name ? 'your name' : '',
  ].filter(Boolean);
  const forms = withQuestions ? questionForms(draft) : undefined;
  /** Question fields showing an error now (touched, or refused by the engine). */
  const visibleQuestionErrors = withQuestions
    ? Object.keys(questionProblems).filter((field) => questionFields.errorOf(field, touchKeyOf(field, draft)))
        .length + (refusedQuestion && !questionProblems[refusedQuestion.field] ? 1 : 0)
    : 0;
  const shownErrors =
    visibleErrors - (touched.has('questions') && errors.questions ? 1 : 0) + visibleQuestionErrors;

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="new-election-heading">
      <h2 id="new-election-heading">New election</h2>
      <KindChoice value={draft.kind} onChange={chooseKind} />
      <fieldset>
        <legend>{withQuestions ? 'The questions' : 'The question'}</legend>
        <Field
          label="Title"
          hint={`A short name for the election (at most ${LIMITS.titleBytes} bytes).`}
          error={errorOf('title')}
        >
          {(control) => <input {...control} {...text('title')} autoComplete="off" />}
        </Field>
        {withQuestions ? (
          <>
            <Field
              label="Introduction (optional)"
              hint="Shown above the questions: what the election is about. Left empty, the questions introduce themselves."
              error={errorOf('question')}
            >
              {(control) => <textarea {...control} {...text('question')} rows={2} />}
            </Field>
            <QuestionsEditor
              questions={draft.questions}
              onChange={setQuestions}
              newId={newId}
              fields={questionFields}
            />
          </>
        ) : (
          <Field
            label="Question"
            hint="What the participants answer yes or no to."
            error={errorOf('question')}
          >
            {(control) => <textarea {...control} {...text('question')} rows={3} />}
          </Field>
        )}
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
        {!withQuestions ? (
          <VoteChoice
            legend="Your vote"
            className="prominent"
            required
            value={draft.vote}
            onChange={(vote: Vote | null) => set('vote', vote)}
            hint={voteHint(draft.ballotRule)}
          />
        ) : votable(forms) ? (
          <>
            <BallotChoice
              legend="Your vote"
              className="prominent"
              questions={forms}
              draft={{ abstain: draft.answers?.abstain ?? false, selections: selectionsOf(draft) }}
              pristine={draft.answers === undefined}
              onChange={(ballot) =>
                set('answers', {
                  abstain: ballot.abstain,
                  chosen: new Map(
                    draft.questions.map((q, i) => [
                      q.id,
                      (ballot.selections[i] ?? []).map((o) => q.options[o]!.id),
                    ]),
                  ),
                })
              }
              hint={voteHint(draft.ballotRule)}
            />
            {refused?.field === 'vote' && (
              <p className="field-error" role="alert">
                {refused.error}
              </p>
            )}
          </>
        ) : (
          <div className="segmented-field vote-choice prominent">
            <p className="vote-pending-legend">Your vote</p>
            <p className="field-hint">
              Your answers are asked here once every question has its text, its options and its rule.
            </p>
          </div>
        )}
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
            : shownErrors > 0
              ? `Fix the ${shownErrors === 1 ? 'field' : `${shownErrors} fields`} marked above.`
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

/** The key under which a question field counts as touched (see QuestionsEditor's touch keys). */
function touchKeyOf(field: string, draft: Draft): string {
  const match = /^questions\[(\d+)\]\.(question|min|max|blank|options)(?:\[(\d+)\])?$/.exec(field);
  if (!match) return '';
  const question = draft.questions[Number(match[1])];
  if (!question) return '';
  const part = match[2]!;
  if (part === 'options')
    return match[3] === undefined
      ? `${question.id}:options`
      : `${question.id}:o${question.options[Number(match[3])]?.id ?? ''}`;
  if (part === 'max' && question.kind === 'up-to') return `${question.id}:upTo`;
  if ((part === 'min' || part === 'max') && question.kind !== 'between') return `${question.id}:kind`;
  return `${question.id}:${part}`;
}

/** What a question field still needs, in words, for the form's status ("option 3 of question 2"). */
function questionNeed(field: string | undefined): string {
  const match = /^questions\[(\d+)\]\.(question|options|min|max)(?:\[(\d+)\])?$/.exec(field ?? '');
  if (!match) return 'the questions';
  const question = `question ${Number(match[1]) + 1}`;
  if (match[2] === 'question') return `the text of ${question}`;
  if (match[2] === 'options')
    return match[3] === undefined
      ? `the options of ${question}`
      : `option ${Number(match[3]) + 1} of ${question}`;
  return `the rule of ${question}`;
}
