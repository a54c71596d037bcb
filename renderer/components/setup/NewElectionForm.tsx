import { type FormEvent, useMemo, useState } from 'react';
import {
  type BallotRuleChoice,
  type NewElectionForm as Form,
  LIMITS,
  type VoteChoice as Vote,
} from '../../../main/api/contract';
import { MAX_BALLOTS_PER_BLOCK } from '../../../main/chain/limits';
import { errorMessage, fieldMessage } from '../../lib/errors';
import { formatCount, formatDuration } from '../../lib/format';
import { useAction } from '../../lib/hooks';
import { voteHint } from '../../lib/rules';
import { checkName, checkText, checkWhole, MAX_DIFFICULTY } from '../../lib/validate';
import { useApi, useDashboard } from '../../store';
import { Field } from '../ui/Field';
import { VoteChoice } from '../ui/VoteChoice';
import { DifficultyField } from './DifficultyField';
import { formField } from './form-field';
import { RuleChoice } from './RuleChoice';

/** What the fields hold: numbers as typed, so a half-typed number can be shown and corrected. */
export type Draft = { [K in keyof Form]-?: Form[K] extends number ? string : Exclude<Form[K], undefined> };
type Errors = { [K in keyof Draft]?: string | undefined };

/** A laptop core mines about this many hashes per second (the figure LIMITS is explained with). */
const CORE_HASHRATE = 3e6;

function validate(draft: Draft): Errors {
  const errors: Errors = {
    title: checkText(draft.title, LIMITS.titleBytes),
    question: checkText(draft.question, LIMITS.questionBytes),
    nTalliers: checkWhole(draft.nTalliers, LIMITS.nTalliers),
    nTalliersBlocks: checkWhole(draft.nTalliersBlocks, LIMITS.nTalliersBlocks),
    nVoteBlocks: checkWhole(draft.nVoteBlocks, LIMITS.nVoteBlocks),
    confirmations: checkWhole(draft.confirmations, LIMITS.confirmations),
    difficulty: checkWhole(draft.difficulty, [1, MAX_DIFFICULTY]),
    name: checkName(draft.name),
  };
  for (const key of Object.keys(errors) as (keyof Draft)[]) if (errors[key] === undefined) delete errors[key];
  return errors;
}

export function NewElectionForm() {
  const api = useApi();
  const settings = useDashboard((state) => state.settings);
  const [draft, setDraft] = useState<Draft>(() => ({
    title: '',
    question: '',
    nTalliers: '3',
    nTalliersBlocks: '6',
    nVoteBlocks: '20',
    confirmations: '2',
    difficulty: String(2 ** 26),
    name: settings.name,
    vote: settings.vote,
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
    setDraft((old) => ({ ...old, [key]: value }));
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
  const whole = (key: 'nTalliers' | 'nTalliersBlocks' | 'nVoteBlocks' | 'confirmations') => ({
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
      difficulty: Number(draft.difficulty),
      name: draft.name,
      vote: draft.vote,
      ballotRule: draft.ballotRule,
    });
  };

  const totalBlocks = Number(draft.nTalliersBlocks) + Number(draft.nVoteBlocks) + Number(draft.confirmations);
  const visibleErrors = (Object.keys(errors) as (keyof Draft)[]).filter((key) => touched.has(key)).length;

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
          <Field label="Talliers" hint="Keys that decrypt the tally together." error={errorOf('nTalliers')}>
            {(control) => <input {...control} {...whole('nTalliers')} />}
          </Field>
          <Field label="Key blocks" hint="Blocks of the key election." error={errorOf('nTalliersBlocks')}>
            {(control) => <input {...control} {...whole('nTalliersBlocks')} />}
          </Field>
          <Field
            label="Vote blocks"
            hint={
              draft.ballotRule === 'per-voter'
                ? `Carry the ballots, up to ${MAX_BALLOTS_PER_BLOCK} each.`
                : 'At most this many ballots.'
            }
            error={errorOf('nVoteBlocks')}
          >
            {(control) => <input {...control} {...whole('nVoteBlocks')} />}
          </Field>
          <Field
            label="Confirmations"
            hint="Blocks on top of the last ballot."
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
          coreHashrate={CORE_HASHRATE}
        />
        {valid && (
          <p className="form-note">
            {formatCount(totalBlocks)} blocks in all: about{' '}
            {formatDuration((totalBlocks * Number(draft.difficulty)) / CORE_HASHRATE)} of mining on one laptop
            core, less with more runners.
          </p>
        )}
      </fieldset>
      <fieldset>
        <legend>You</legend>
        <Field
          label="Your name"
          hint="Shown to the people you invite, and the label on the blocks you mine: a nickname will do."
          error={errorOf('name')}
        >
          {(control) => <input {...control} {...text('name')} autoComplete="nickname" />}
        </Field>
        <VoteChoice
          legend="Your vote"
          value={draft.vote}
          onChange={(vote: Vote | null) => set('vote', vote)}
          hint={voteHint(draft.ballotRule)}
        />
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
                ? 'Give the election a title and a question.'
                : 'Nothing is mined yet: people ask to join with your invitation, you admit them, then start.'}
        </p>
      </div>
    </form>
  );
}
