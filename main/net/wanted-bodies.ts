// Which announcer each wanted block body was asked of (POST /v1/inventory, docs/PROTOCOL.md §10).
// A block announced by several peers at once should cross one link only, so the first announcer
// that gave its address is told "wanted" and the others "not wanted" — for a few seconds. An
// announcer that never sends the body (a hostile one racing to announce every block first) must
// not keep the block away: when the promise runs out and the block is still missing, it is
// fetched from one of the announcers told "not wanted" (as Bitcoin does on a getdata timeout),
// and that one is promised the next few seconds. A promise is never renewed by asking again.

/** How long a wanted body is promised to one announcer (ms). */
export const PROMISE_MS = 5000;
/** Promises held at once (the oldest are dropped first). */
const MAX_PROMISES = 4096;
/** Announcers remembered per block as fallbacks. */
const MAX_FALLBACKS = 4;

interface Promised {
  to: string;
  until: number;
  readonly fallbacks: string[];
  timer: NodeJS.Timeout;
}

export class WantedBodies {
  private readonly promises = new Map<string, Promised>();

  constructor(
    /** Whether the body of `hash` is still wanted (not held, not known invalid, not sealed). */
    private readonly wants: (hash: string) => boolean,
    /** A promise ran out and the block is still missing: fetch it from `from`. */
    private readonly fetch: (hash: string, from: string) => void,
    private readonly promiseMs = PROMISE_MS,
  ) {}

  /** Of the announced `hashes`, those to ask the announcer `from` for. */
  answer(hashes: readonly string[], from: string | undefined): string[] {
    const now = Date.now();
    return hashes.filter((hash) => {
      if (!this.wants(hash)) return false;
      // An anonymous announcer is told the truth but promised nothing: it could not be asked
      // again, and it must not hold the others off.
      if (from === undefined) return true;
      const promise = this.promises.get(hash);
      if (!promise || promise.until <= now) {
        this.promise(hash, from, promise?.fallbacks ?? []);
        return true;
      }
      if (promise.to === from) return true; // asked again: told again, not renewed
      if (promise.fallbacks.length < MAX_FALLBACKS && !promise.fallbacks.includes(from))
        promise.fallbacks.push(from);
      return false;
    });
  }

  private promise(hash: string, to: string, fallbacks: string[]): void {
    const old = this.promises.get(hash);
    if (old) clearTimeout(old.timer);
    this.promises.delete(hash);
    const timer = setTimeout(() => this.expire(hash), this.promiseMs);
    timer.unref?.();
    this.promises.set(hash, { to, until: Date.now() + this.promiseMs, fallbacks, timer });
    if (this.promises.size > MAX_PROMISES) {
      const [oldest, entry] = this.promises.entries().next().value!;
      clearTimeout(entry.timer);
      this.promises.delete(oldest);
    }
  }

  /** A promise ran out: if the body never came, ask the next announcer for it. */
  private expire(hash: string): void {
    const promise = this.promises.get(hash);
    if (!promise) return;
    this.promises.delete(hash);
    if (!this.wants(hash)) return;
    const next = promise.fallbacks.shift();
    if (next === undefined) return;
    this.promise(hash, next, promise.fallbacks);
    this.fetch(hash, next);
  }

  /** Stops the timers (the API is closing). */
  clear(): void {
    for (const promise of this.promises.values()) clearTimeout(promise.timer);
    this.promises.clear();
  }
}
