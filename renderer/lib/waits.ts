// Who a wait is for, in words: the result card names the talliers it waits for and whether their
// runners are online, from the names their key blocks carry and the names peers announce (both
// self-chosen: for people to read, never to decide anything by).
import type { PeerView, ResultView } from '../../main/api/contract';
import { formatTime, shortHash } from './format';

type Tallier = ResultView['talliers'][number];

/**
 * A self-chosen name as shown: without invisible or direction-changing characters (a miner label
 * may hold U+202E, which would show "\u202Eevad" as "dave" and reverse the sentence after it).
 */
export function plainName(name: string): string {
  return name.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '');
}

/** The peers that go by the tallier's name (none for an unnamed tallier). */
function peersNamed(tallier: Tallier, peers: readonly PeerView[]): PeerView[] {
  return tallier.name ? peers.filter((p) => p.name === tallier.name) : [];
}

/** This runner, or the one peer by the tallier's name, reachable now. */
export function isOnline(tallier: Tallier, peers: readonly PeerView[]): boolean {
  const theirs = peersNamed(tallier, peers);
  return tallier.mine || (theirs.length === 1 && theirs[0]!.reachable === true);
}

/**
 * "dave (offline since 19:37)", "erin (online)", "your own runner", "an unnamed tallier (key
 * e306…)". Names are matched as given: a peer can call itself anything, so when two do, neither is
 * taken for the tallier.
 */
export function tallierInWords(tallier: Tallier, peers: readonly PeerView[]): string {
  if (tallier.mine) return 'your own runner';
  const name = tallier.name && plainName(tallier.name);
  if (!name) return `an unnamed tallier (key ${shortHash(tallier.key, 8)}…)`;
  const theirs = peersNamed(tallier, peers);
  if (theirs.length > 1) return `${name} (${theirs.length} peers go by that name)`;
  if (isOnline(tallier, peers)) return `${name} (online)`;
  const seen = Math.max(0, ...theirs.map((p) => p.lastSeen ?? 0));
  if (theirs.length === 0) return `${name} (not among your peers)`;
  return seen > 0 ? `${name} (offline since ${formatTime(seen)})` : `${name} (not reached yet)`;
}

/** "a", "a and b", "a, b and c" (or with "or"). */
export function listInWords(items: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;
}

/**
 * The sentence for a final chain's wait: before the seal, for the talliers that have not accepted
 * the final block; after it, for those whose decryption factor is missing. Undefined when no one
 * is awaited. "Waiting for dave (offline since 19:37): the result needs their tallier key back
 * online. 2 of 3 decryption factors are in." With threshold talliers (`quorum`), the count that
 * matters: "The result needs any 3 of 5 talliers: 2 in. Missing: dave (offline since 19:37) and
 * erin (online)."
 */
export function waitingSentence(result: ResultView, peers: readonly PeerView[]): string | undefined {
  const sealed = result.seal !== undefined;
  const n = result.talliers.length;
  const awaited = result.talliers.filter((t) => (sealed ? t.factor === 'awaiting' : !t.accepted));
  if (awaited.length === 0) return undefined;
  const who = listInWords(awaited.map((t) => tallierInWords(t, peers)));
  const offline = awaited.filter((t) => !isOnline(t, peers));
  const done = n - awaited.length;
  if (result.quorum !== undefined) {
    if (sealed) {
      const own = result.talliers.filter((t) => t.factor === 'verified').length;
      const more = Math.max(1, result.quorum - own);
      const anyOf = listInWords(
        awaited.map((t) => tallierInWords(t, peers)),
        'or',
      );
      return `The result needs any ${result.quorum} of ${n} talliers: ${own} in. ${more === 1 ? 'One more' : `${more} more`} of ${anyOf} ${more === 1 ? 'is' : 'are'} enough: the talliers present stand in for the others.`;
    }
    const accepted = result.talliers.filter((t) => t.accepted).length;
    const needed = result.sealQuorum ?? n;
    const more = Math.max(1, needed - accepted);
    const anyOf = listInWords(
      awaited.map((t) => tallierInWords(t, peers)),
      'or',
    );
    const wait =
      more >= awaited.length
        ? `Waiting for ${who}.`
        : `${more === 1 ? 'One more' : `${more} more`} of ${anyOf} ${more === 1 ? 'is' : 'are'} enough.`;
    return `Nothing is decrypted until ${needed} of ${n} talliers accept the same final block: ${accepted} ${accepted === 1 ? 'has' : 'have'}. ${wait}`;
  }
  if (sealed) {
    const need =
      offline.length === 0
        ? awaited.length === 1
          ? 'their decryption factor is on its way'
          : 'their decryption factors are on their way'
        : offline.length === 1 && awaited.length === 1
          ? 'the result needs their tallier key back online'
          : 'the result needs every tallier’s decryption factor, and a runner that is offline sends its factor once it is back';
    return `Waiting for ${who}: ${need}. ${done} of ${n} decryption factors are in.`;
  }
  return `Waiting for ${who} to accept the final block (${done} of ${n} have). Nothing is decrypted until every tallier has accepted the same one${offline.length > 0 ? '; a runner that is offline accepts once it is back' : ''}.`;
}
