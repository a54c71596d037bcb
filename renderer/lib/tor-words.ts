// Tor in plain words, the same on every screen that shows it (the pill, the Tor card, the starting
// screen): what the engine decided from tor's status (TorView.condition, docs/TOR.md §3a) said to
// a voter. Tor's own words (its progress summary, its warning, a relay's address) go behind
// "details", never here.
import type { LaunchView, TorView } from '../../main/api/contract';

export type Tone = 'ok' | 'warn' | 'bad' | 'muted';

export interface TorWords {
  readonly tone: Tone;
  /** Two or three words, for the pill. */
  readonly short: string;
  /** One sentence, the main text. */
  readonly title: string;
  /** What to do, or what happens next. */
  readonly hint?: string;
  /** Point at the connection settings (bridges, a proxy). */
  readonly settings?: boolean;
}

export function torWords(tor: TorView): TorWords {
  const progress = Math.round(tor.progress);
  switch (tor.condition) {
    case 'off':
      return {
        tone: 'muted',
        short: 'direct (no Tor)',
        title: 'Not using Tor',
        hint: 'Direct connections between runners on this computer, for tests: no anonymity.',
      };
    case 'connecting':
      return {
        tone: 'warn',
        short: `Tor ${progress}%`,
        title: `Connecting to the Tor network… ${progress}%`,
        hint: 'This usually takes less than a minute.',
      };
    case 'connected':
      return tor.stage === 'publishing'
        ? {
            tone: 'ok',
            short: 'Tor connected',
            title: 'Connected to the Tor network',
            hint: 'Making this runner reachable through Tor; this can take a minute.',
          }
        : { tone: 'ok', short: 'Tor connected', title: 'Connected to the Tor network' };
    case 'unreachable':
      return {
        tone: 'bad',
        short: 'Can’t reach Tor',
        title: 'Can’t reach the Tor network',
        hint:
          'Tor keeps trying. Check that this computer is online and that its date and time are right. ' +
          'If your network blocks Tor, try a bridge in Connection settings.',
        settings: true,
      };
    case 'reconnecting':
      return {
        tone: 'warn',
        short: 'Tor reconnecting…',
        title: 'Reconnecting to the Tor network…',
        hint: 'The computer was asleep, or its connection dropped. Tor is finding its way back on its own.',
      };
    case 'failed':
      return {
        tone: 'bad',
        short: 'Tor stopped',
        title: 'Tor stopped working',
        hint: 'Retry starts it again.',
      };
  }
}

/** Tor's own words, for the "details" disclosure: one line each, nothing said twice. */
export function torDetails(tor: TorView): string[] {
  if (tor.condition === 'off') return [];
  const lines: string[] = [];
  if (tor.mode !== 'external') lines.push(`Tor’s progress: ${Math.round(tor.progress)}% (${tor.summary})`);
  else lines.push(`Using ${tor.summary}`);
  if (tor.error) lines.push(`What went wrong: ${tor.error}`);
  else {
    // Unreachable with a warning: the warning says it all (the why repeats it with the progress).
    if (tor.why && !(tor.condition === 'unreachable' && tor.warning)) lines.push(`Why: ${tor.why}`);
    if (tor.warning && (tor.condition === 'unreachable' || tor.condition === 'reconnecting'))
      lines.push(`Tor’s last warning: ${tor.warning}`);
  }
  return lines;
}

/** "for 3 min", from a condition's `since`; nothing under a minute. */
export function forHowLong(since: number | undefined, now: number): string {
  if (since === undefined) return '';
  const minutes = Math.floor((now - since) / 60_000);
  if (minutes < 1) return '';
  if (minutes < 60) return ` for ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return ` for ${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

/** What the data folder keeps, said before the user cancels (and after). */
export function savedSentence(launch: LaunchView | undefined): string {
  switch (launch?.saved) {
    case 'election':
      return 'Your election is saved on this computer: you can start it again later.';
    case 'lobby':
      return 'Your election is saved: you can start it again later.';
    case 'request':
      return 'Your request to join is saved: you can go back to waiting later.';
    default:
      return 'Nothing is saved yet: Cancel takes you back to the first screen.';
  }
}

/** What the start is doing now, once tor is connected (before, tor's state says it). */
export function startingStep(launch: LaunchView | undefined, tor: TorView): string {
  if (tor.stage === 'publishing') return 'Making your runner reachable through Tor; this can take a minute.';
  switch (launch?.kind) {
    case 'ask':
      return 'Asking the organizer’s runner to let you in…';
    case 'join':
      return 'Fetching the election from the runner you named…';
    case 'lobby':
      return 'Opening your election’s lobby…';
    default:
      return 'Opening the election on this computer…';
  }
}

/** The starting screen's heading. */
export function startingTitle(launch: LaunchView | undefined, electionTitle: string | undefined): string {
  const title = launch?.title ?? electionTitle;
  switch (launch?.kind) {
    case 'ask':
      return 'Asking to join…';
    case 'join':
      return title ? `Joining “${title}”…` : 'Joining the election…';
    case 'start':
      return title ? `Starting “${title}”…` : 'Starting the election…';
    case 'lobby':
    case 'open':
      return title ? `Opening “${title}”…` : 'Opening your election…';
    default:
      return title ? `Opening “${title}”…` : 'Starting the runner…';
  }
}

/** What a look-up waits for: tor first (said plainly), then the organizer's runner. */
export function lookupWait(tor: TorView): string {
  switch (tor.condition) {
    case 'connecting':
      return `Waiting for Tor to connect (${Math.round(tor.progress)}%), then asking the organizer’s runner…`;
    // Tor's trouble is told once, in the Tor card below: here only that the look-up waits for it.
    case 'unreachable':
    case 'failed':
      return 'Waiting for Tor (see below), then asking the organizer’s runner…';
    case 'reconnecting':
      return 'Waiting for Tor to reconnect, then asking the organizer’s runner…';
    default:
      return 'Asking the organizer’s runner; over Tor this can take a minute.';
  }
}
