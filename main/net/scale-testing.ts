// A network of N runners in one process over real HTTP on 127.0.0.1, each joining through one
// seed peer, fed pre-mined blocks at a fixed pace (so the figures measure the network, not the
// race between miners): what the `scale` benchmark and the overlay tests share. Every request each
// runner's peer API receives is counted, with its bytes both ways and the block bodies it carries.
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Block } from '../chain/block';
import { Chain } from '../chain/chain';
import type { Genesis } from '../chain/genesis';
import { ballotPayload, extend, keyPayload, Talliers, testGenesis } from '../chain/testing';
import { ElectionNode } from '../node/election-node';
import { Runner } from './runner';

export interface ScaleOptions {
  readonly runners: number;
  /** Blocks released (key blocks, then ballots). */
  readonly blocks: number;
  /** Time between two released blocks. */
  readonly paceMs: number;
  /** Time between sync rounds (the background check). */
  readonly syncIntervalMs?: number;
}

/** What one runner's peer API received. */
export interface Traffic {
  requests: number;
  bytes: number;
  /** Requests answered with a status ≥ 400 (429s included). */
  failed: number;
  /** Block bodies (POST /v1/blocks) received, by block hash. */
  bodies: Map<string, number>;
}

export interface ScaleNetwork {
  readonly genesis: Genesis;
  readonly runners: Runner[];
  readonly traffic: Traffic[];
  /** The pre-mined blocks, in order. */
  readonly blocks: Block[];
  close(): Promise<void>;
}

/** The election and its pre-mined chain: 2 talliers, `blocks` − 3 ballots. */
function premine(blocks: number): { genesis: Genesis; chain: Block[] } {
  const genesis = testGenesis({
    title: 'Scale',
    nTalliers: 2,
    nTalliersBlocks: 3,
    nVoteBlocks: Math.max(1, blocks - 3),
    confirmations: 1,
    createdAt: Math.floor(Date.now() / 1000) - 3600,
  });
  const chain = new Chain(genesis);
  const { keys } = new Talliers(genesis, 2);
  let tip = chain.genesisMeta;
  for (const key of [keys[0]!, keys[1]!, keys[0]!]) tip = extend(chain, tip, keyPayload(key));
  while (tip.height < blocks) tip = extend(chain, tip, ballotPayload(chain, tip, (tip.height % 2) as 0 | 1));
  return { genesis, chain: chain.branch().map((m) => m.block!) };
}

/** Starts N runners; runner i > 0 is given runner 0's address only. */
export async function startScaleNetwork(root: string, options: ScaleOptions): Promise<ScaleNetwork> {
  mkdirSync(root, { recursive: true });
  const { genesis, chain } = premine(options.blocks);
  const runners: Runner[] = [];
  const traffic: Traffic[] = [];
  const close = async () => {
    await Promise.all(runners.map((r) => r.close()));
  };
  try {
    for (let i = 0; i < options.runners; i++) {
      const node = await ElectionNode.create(path.join(root, `r${i}`), genesis, {
        name: `r${i}`,
        mining: false,
        threads: 1,
      });
      const runner = await Runner.start(node, {
        direct: true,
        peers: i === 0 ? [] : [runners[0]!.self!],
        syncIntervalMs: options.syncIntervalMs ?? 1000,
      });
      runners.push(runner);
      traffic.push(count(runner));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { genesis, runners, traffic, blocks: chain, close };
}

function count(runner: Runner): Traffic {
  const t: Traffic = { requests: 0, bytes: 0, failed: 0, bodies: new Map() };
  runner.api.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    t.requests++;
    let inBytes = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      inBytes += chunk.length;
      if (req.url === '/v1/blocks') chunks.push(chunk);
    });
    res.on('finish', () => {
      t.bytes += inBytes + Number(res.getHeader('content-length') ?? 0);
      if (res.statusCode >= 400) t.failed++;
      if (req.url === '/v1/blocks' && req.method === 'POST') {
        const hash = bodyHash(Buffer.concat(chunks));
        if (hash) t.bodies.set(hash, (t.bodies.get(hash) ?? 0) + 1);
      }
    });
  });
  return t;
}

/** The hash a pushed body's block has, as its prev-and-nonce fingerprint (no parse needed). */
function bodyHash(body: Buffer): string | undefined {
  const text = body.toString('utf8');
  const prev = /"prev":"([0-9a-f]{64})"/.exec(text)?.[1];
  const nonce = /"nonce":"([0-9a-f]{16})"/.exec(text)?.[1];
  return prev && nonce ? `${prev}:${nonce}` : undefined;
}

/** Waits until every runner knows at least `peers` others (peer exchange), or `timeoutMs`. */
export async function waitForOverlay(net: ScaleNetwork, peers: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (net.runners.every((r) => r.peers.size >= peers)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

export interface ReleaseFigures {
  /** Per block: ms from its release to the last runner holding it. */
  readonly delays: number[];
  /**
   * Per block: the longest relay path to a runner, in hops from the releaser (a runner's hop count
   * is its sender's plus one; a block a runner fetched by sync, with no sender, counts one more
   * than the deepest sender seen so far). The network's share of the delay, without the CPU all
   * N runners share in one process.
   */
  readonly hops: number[];
  /** Blocks some runner never got within the wait. */
  readonly missing: number;
  /** CPU time this process spent (every runner, every thread) per released block, in ms. */
  readonly cpuMsPerBlock: number;
}

/**
 * Releases the pre-mined blocks, one every `paceMs`, each into a runner picked in turn among
 * those holding its parent (as if it had mined it), and measures when every runner holds it.
 */
export async function releaseBlocks(
  net: ScaleNetwork,
  paceMs: number,
  waitMs = 20_000,
  alive: (i: number) => boolean = () => true,
): Promise<ReleaseFigures> {
  const live = net.runners.filter((_, i) => alive(i));
  const arrived = new Map<string, number[]>();
  // Per block: each runner's hop count, by the runner's own address.
  const depth = new Map<string, Map<string, number>>();
  const listeners = live.map((runner) => {
    const listener = (meta: { hash: string }, _source: string, origin: string | undefined) => {
      const times = arrived.get(meta.hash) ?? [];
      times.push(performance.now());
      arrived.set(meta.hash, times);
      const hops = depth.get(meta.hash) ?? new Map<string, number>();
      const sender = origin === undefined ? undefined : hops.get(origin);
      hops.set(runner.self!, hops.size === 0 ? 0 : (sender ?? Math.max(...hops.values())) + 1);
      depth.set(meta.hash, hops);
    };
    runner.node.on('block', listener);
    return () => runner.node.off('block', listener);
  });
  const released: { hash: string; at: number }[] = [];
  const cpuBefore = process.cpuUsage();
  try {
    let previous = live[0]!;
    for (const [i, block] of net.blocks.entries()) {
      // A runner in turn among those holding the parent (a miner mines on what it holds); the
      // releaser of the parent holds it for sure.
      const holders = live.filter((r) => r.node.chain.has(block.prev));
      const releaser = holders.length > 0 ? holders[i % holders.length]! : previous;
      previous = releaser;
      const at = performance.now();
      const result = await releaser.node.submitBlock(block, 'self');
      if (result.status !== 'added') throw new Error(`released block ${i + 1} was ${result.status}`);
      released.push({ hash: result.added[0]!.hash, at });
      await new Promise((r) => setTimeout(r, paceMs));
    }
    const deadline = Date.now() + waitMs;
    const complete = () => released.every((r) => (arrived.get(r.hash)?.length ?? 0) >= live.length);
    while (!complete() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  } finally {
    for (const off of listeners) off();
  }
  const cpu = process.cpuUsage(cpuBefore);
  const delays: number[] = [];
  const hops: number[] = [];
  let missing = 0;
  for (const { hash, at } of released) {
    const times = arrived.get(hash) ?? [];
    if (times.length < live.length) missing++;
    else delays.push(Math.max(...times) - at);
    hops.push(Math.max(0, ...(depth.get(hash)?.values() ?? [])));
  }
  return { delays, hops, missing, cpuMsPerBlock: (cpu.user + cpu.system) / 1000 / released.length };
}
