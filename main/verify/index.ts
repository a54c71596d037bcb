// main/verify: the independent verifier of an exported election record.
export { formatOutcome } from './format';
export { buildRecord, type ElectionRecord, RECORD_FORMAT, type RecordParts, type ResultJson } from './record';
export {
  type Outcome,
  type RecordSummary,
  type TallierSummary,
  type VerifyOptions,
  verifyRecord,
} from './verify';
