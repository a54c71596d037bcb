// The dashboard's "Verified" badge: the record the runner would export for its best chain,
// re-checked from scratch by the independent verifier (main/verify, what `onion-election verify`
// runs), on a worker thread. The badge means exactly that this check passed for the current tip.
import type { ResultView } from '../api/contract';
import { describeResult } from '../chain/standings';
import type { ElectionNode } from '../node/election-node';
import { verifyRecord } from '../verify/verify';

type Verification = ResultView['verification'];

export class RecordVerification {
  private current: Verification = { status: 'idle' };
  private running: Promise<void> | undefined;

  /** `onSettled` runs after each check, so the owner can show it (and check a newer tip). */
  constructor(private readonly onSettled: () => void) {}

  get view(): Verification {
    return this.current;
  }

  /**
   * The best chain may have changed: without a result there is nothing to verify; with one not
   * yet verified at this tip, a check starts (one at a time; a tip that moved meanwhile is
   * checked when the running one settles).
   */
  update(node: ElectionNode): void {
    const tip = node.chain.tip.hash;
    if (!node.resultState()?.result) {
      this.current = { status: 'idle' };
      return;
    }
    if (this.current.tip === tip || this.running) return;
    this.current = { status: 'running', tip };
    this.running = check(node, tip)
      .then((verification) => {
        this.current = verification;
      })
      .finally(() => {
        this.running = undefined;
        this.onSettled();
      });
  }

  /** Resolves once no check is running. */
  async settled(): Promise<void> {
    await this.running;
  }
}

async function check(node: ElectionNode, tip: string): Promise<Verification> {
  try {
    const outcome = await verifyRecord(node.exportRecord(), { workers: 1 });
    const at = Date.now();
    if (outcome.status === 'verified') {
      const message = describeResult(node.genesis.questions, outcome.result);
      return { status: 'verified', tip, at, message };
    }
    const message = outcome.status === 'invalid' ? outcome.error : outcome.reason;
    return { status: outcome.status, tip, at, message };
  } catch (error) {
    return {
      status: 'invalid',
      tip,
      at: Date.now(),
      message: `the verifier failed: ${(error as Error).message}`,
    };
  }
}
