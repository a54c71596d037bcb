// Questions with choices (issue 16): a ballot of one question with 5 options, "choose up to 2",
// made and checked, against the yes/no ballot in the same run. Each option costs a yes/no ballot
// (the same proof, bound to its place), and the question one disjunctive proof over the allowed
// sums 0, 1, 2; the ratio says whether it costs more than that.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Question } from '../main/chain/questions';
import { encryptBallot, verifyBallot, verifyOneOf } from '../main/crypto/ballot';
import { verifyAnswersBatch, verifyBallotBatch } from '../main/crypto/ballot-batch';
import {
  encryptAnswers,
  type QuestionRule,
  sumBinding,
  sumStatement,
  verifyAnswers,
} from '../main/crypto/choices';
import { encodeAnswers, encodeBallot, parseAnswers, parseBallot } from '../main/crypto/codec';
import { electionKey, Group, TallierSecretKey } from '../main/crypto/index';
import { percentile, type Suite } from './harness';
import { buildBenchRecord, timeVerify } from './verify.bench';

const FIVE_UP_TO_TWO: QuestionRule[] = [{ options: 5, min: 0, max: 2, blank: false }];

export const choicesSuite: Suite = {
  name: 'choices',
  async run(report) {
    const group = Group.default();
    const context = new Uint8Array(randomBytes(32));
    const keys = [0, 1, 2].map(() => TallierSecretKey.generate(group).provePossession(context));
    const h = electionKey(group, context, keys);
    group.keepTable(h); // as the chain does for its best branch's key
    encryptBallot(group, context, h, 0);

    // Each figure is the median of runs taken in turn with the yes/no figure it is compared to:
    // this VM's speed drifts by a quarter between minutes, which would otherwise land in a ratio.
    const picks = [[], [0], [1, 3], [4, 2]];
    const paired = (runs: number, ours: (i: number) => unknown, theirs: (i: number) => unknown) => {
      const a: number[] = [];
      const b: number[] = [];
      for (let i = -2; i < runs; i++) {
        let start = performance.now();
        ours(i + 2);
        if (i >= 0) a.push(performance.now() - start);
        start = performance.now();
        theirs(i + 2);
        if (i >= 0) b.push(performance.now() - start);
      }
      return [percentile(a, 50), percentile(b, 50)] as const;
    };
    const [encrypt5, yesNoEncrypt] = paired(
      30,
      (i) => encryptAnswers(group, context, h, FIVE_UP_TO_TWO, [picks[i % picks.length]!]),
      (i) => encryptBallot(group, context, h, (i % 2) as 0 | 1),
    );
    const yesNo = Array.from({ length: 40 }, (_, i) => encryptBallot(group, context, h, (i % 2) as 0 | 1));
    const fives = Array.from({ length: 40 }, (_, i) =>
      encryptAnswers(group, context, h, FIVE_UP_TO_TWO, [picks[i % picks.length]!]),
    );
    const [verify5, yesNoVerify] = paired(
      30,
      (i) => verifyAnswers(group, context, h, FIVE_UP_TO_TWO, fives[i]!),
      (i) => verifyBallot(group, context, h, yesNo[i]!),
    );
    const [sumOnly] = paired(
      30,
      (i) => {
        const answer = fives[i]![0]!;
        const statement = sumStatement(group, FIVE_UP_TO_TWO[0]!, answer.choices);
        verifyOneOf(
          group,
          context,
          h,
          statement,
          answer.sumProof,
          'sum_proof',
          sumBinding(0, FIVE_UP_TO_TWO[0]!),
        );
      },
      () => {},
    );

    report.metric({
      name: 'ballot5_encrypt_ms',
      value: encrypt5,
      unit: 'ms',
      note: `5 options, choose up to 2; yes/no ballot_encrypt ${yesNoEncrypt.toFixed(2)} ms in this run`,
    });
    report.metric({
      name: 'ballot5_verify_ms',
      value: verify5,
      unit: 'ms',
      note: `proofs (elements already members); yes/no ${yesNoVerify.toFixed(2)} ms, the sum proof alone ${sumOnly.toFixed(2)} ms`,
    });
    report.metric({
      name: 'ballot5_verify_per_option_ratio',
      value: (verify5 - sumOnly) / 5 / yesNoVerify,
      unit: '×',
      note: 'per option, less the sum proof, over a yes/no ballot (floor ≤ 1)',
    });
    // The record verifier's path, proofs only (its parse and membership tests included), for 1,000
    // ballots of each kind, in a group that builds no table for h, as the verifier's.
    const verifier = group.withTablesAfter(Number.POSITIVE_INFINITY);
    const thousand5 = Array.from({ length: 1000 }, (_, i) =>
      JSON.stringify(encodeAnswers(group, fives[i % fives.length]!)),
    );
    const thousandYesNo = Array.from({ length: 1000 }, (_, i) =>
      JSON.stringify(encodeBallot(group, yesNo[i % yesNo.length]!)),
    );
    let start = performance.now();
    const parsed5 = thousand5.map((json) => parseAnswers(verifier, JSON.parse(json)));
    if (verifyAnswersBatch(verifier, context, h, FIVE_UP_TO_TWO, parsed5) !== null)
      throw new Error('batch failed');
    const batch5 = (performance.now() - start) / 1000;
    start = performance.now();
    const parsedYesNo = thousandYesNo.map((json) => parseBallot(verifier, JSON.parse(json)));
    if (verifyBallotBatch(verifier, context, h, parsedYesNo) !== null) throw new Error('batch failed');
    const batchYesNo = (performance.now() - start) / 1000;
    report.metric({
      name: 'verify_1000_ballots5_proofs_s',
      value: batch5,
      unit: 's',
      note: `1,000 ballots of 5 options (up to 2): parse + one batch, one thread; 1,000 yes/no ballots ${batchYesNo.toFixed(2)} s (${(batch5 / batchYesNo).toFixed(2)}×)`,
    });
    // A whole record, as `verify` checks it (every block, the tallies, the factors, the result),
    // with the default workers: 1,000 ballot blocks of 5 options against 1,000 yes/no ones.
    const board: Question = {
      text: 'Board?',
      options: ['A', 'B', 'C', 'D', 'E'],
      min: 0,
      max: 2,
      blank: false,
    };
    const record5 = buildBenchRecord(
      [board],
      picks.map((p) => [p]),
    );
    const recordYesNo = buildBenchRecord();
    const whole5 = await timeVerify(record5, {});
    const wholeYesNo = await timeVerify(recordYesNo, {});
    report.metric({
      name: 'verify_1000_ballots5_s',
      value: whole5,
      unit: 's',
      note: `a record of 1,000 ballots of 5 options (up to 2), default workers (${os.availableParallelism()} cores); 1,000 yes/no ballots ${wholeYesNo.toFixed(2)} s (${(whole5 / wholeYesNo).toFixed(2)}×)`,
    });
    report.line(
      `5 options, up to 2: encrypt ${encrypt5.toFixed(2)} ms = ${(encrypt5 / yesNoEncrypt).toFixed(2)} yes/no ballots; ` +
        `verify ${verify5.toFixed(2)} ms = 5 × ${yesNoVerify.toFixed(2)} + sum ${sumOnly.toFixed(2)} → ${(5 * yesNoVerify + sumOnly).toFixed(2)} ms expected`,
    );
  },
};
