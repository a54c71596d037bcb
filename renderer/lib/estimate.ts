// The work per block as people type it, and how long a whole election takes. Pure functions.
import { LIMITS } from '../../main/api/contract';

export const MAX_DIFFICULTY_LOG2 = LIMITS.maxExpectedHashesLog2;
export const MAX_DIFFICULTY = 2 ** MAX_DIFFICULTY_LOG2;

/** What the work-per-block field accepts, said whenever it refuses something. */
export const DIFFICULTY_ACCEPTED = `a whole number from 1 to 2^${MAX_DIFFICULTY_LOG2} (${MAX_DIFFICULTY.toLocaleString('en')}), like 65536 or 2^16`;

/**
 * The work per block typed into the form: a whole number (spaces, commas and underscores between
 * digits allowed: "65 536", "65,536") or a power of two ("2^16", "2**16"). Returns the number, or
 * the problem in words, always saying what is accepted.
 */
export function parseDifficulty(text: string): { value: number } | { problem: string } {
  const typed = text.trim();
  if (typed === '') return { problem: `Required: ${DIFFICULTY_ACCEPTED}.` };
  const power = /^2\s*(?:\^|\*\*)\s*(\d{1,4})$/.exec(typed);
  if (power) {
    const exponent = Number(power[1]);
    if (exponent > MAX_DIFFICULTY_LOG2)
      return {
        problem: `2^${exponent} is more work than allowed: at most 2^${MAX_DIFFICULTY_LOG2} (${MAX_DIFFICULTY.toLocaleString('en')}).`,
      };
    return { value: 2 ** exponent };
  }
  if (!/^\d+(?:[\s,_]\d+)*$/.test(typed)) return { problem: `Not a number: type ${DIFFICULTY_ACCEPTED}.` };
  const value = Number(typed.replace(/[\s,_]/g, ''));
  if (value < 1) return { problem: `At least 1: type ${DIFFICULTY_ACCEPTED}.` };
  if (value > MAX_DIFFICULTY)
    return {
      problem: `More work than allowed: at most 2^${MAX_DIFFICULTY_LOG2} (${MAX_DIFFICULTY.toLocaleString('en')}).`,
    };
  return { value };
}

/** How the form shows a work-per-block value: "2^26" for a power of two, else the number. */
export function difficultyText(value: number): string {
  const log2 = Math.log2(value);
  return Number.isInteger(log2) && log2 >= 1 ? `2^${log2}` : String(value);
}

/**
 * Seconds for a block to reach the other runners over Tor and be checked by them, on top of the
 * time to find it: onion-service round trips take a second or more.
 */
export const BLOCK_TRAVEL_SECONDS = 2;

/**
 * How long an election's blocks take, in seconds: each block needs `hashesPerBlock` hashes on
 * average from everyone mining together (`hashrate` per second), then travels to the others.
 */
export function electionSeconds(blocks: number, hashesPerBlock: number, hashrate: number): number {
  if (!(blocks > 0) || !(hashesPerBlock > 0) || !(hashrate > 0)) return Number.NaN;
  return blocks * (hashesPerBlock / hashrate + BLOCK_TRAVEL_SECONDS);
}

/**
 * How many hashes a second every runner mining together does, judged from the pace of the best
 * chain's recent blocks (one block every `interval` seconds, each `hashesPerBlock` hashes on
 * average). Undefined without a pace to judge from.
 */
export function networkHashrate(hashesPerBlock: number, interval: number | undefined): number | undefined {
  if (interval === undefined || !(interval > 0) || !(hashesPerBlock > 0)) return undefined;
  return hashesPerBlock / interval;
}
