// `onion-election demo`: four runners as separate processes on this machine (direct transport, no
// Tor) run a whole election, and the demo narrates it: phases, blocks, the result, and a check of
// the exported record by the independent verifier. A newcomer's first experience.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PeerClient } from '../net/client';
import type { ResultResponse } from '../net/messages';
import { ElectionNode } from '../node/election-node';
import { verifyRecord } from '../verify/verify';
import { LocalCluster, type RunnerSpec } from './cluster';
import type { Command } from './command';
import { intOption, UsageError } from './options';
import { builtDashboard } from './run';

export const DEMO_RUNNERS: RunnerSpec[] = [
  { name: 'alice', vote: 'yes', peers: ['bob', 'carol', 'dave'] },
  { name: 'bob', vote: 'no', peers: ['alice', 'carol', 'dave'] },
  { name: 'carol', vote: 'yes', peers: ['alice', 'bob', 'dave'] },
  { name: 'dave', vote: 'yes', peers: ['alice', 'bob', 'carol'] },
];

const TIMEOUT_MS = 5 * 60_000;

/** The demo's election: 4 key blocks electing 2 talliers, then `voteBlocks` ballots, 1 confirmation. */
export function demoElectionArgs(voteBlocks = 12, difficulty = '2^23'): string[] {
  return [
    ...['--title', 'Demo election', '--question', 'Adopt the proposal?', '--talliers', '2'],
    ...[
      '--key-blocks',
      '4',
      '--vote-blocks',
      String(voteBlocks),
      '--confirmations',
      '1',
      '--difficulty',
      difficulty,
    ],
  ];
}

export const demoCommand: Command = {
  summary: 'watch four local runners hold a whole election (no Tor, about a minute)',
  usage: 'onion-election demo [--vote-blocks N] [--difficulty N] [--dashboard]',
  description: [
    'Starts four runners (alice, bob, carol, dave) as separate processes on 127.0.0.1, without Tor.',
    'alice creates the election, the others join it; each mines, votes (alice, carol and dave yes,',
    'bob no: each block found carries its miner’s ballot), and the two elected talliers decrypt the',
    'tally. Then the record is exported and checked by the independent verifier.',
    'With --dashboard, alice also serves the web dashboard: the demo prints its address to open in a',
    'browser (the app as a participant sees it), and keeps the runners going after the result until',
    'Ctrl-C, so that there is time to look around. It needs the built dashboard (`npm run build`).',
  ].join('\n'),
  options: ['vote-blocks', 'difficulty', 'dashboard'],
  async run(values) {
    const started = Date.now();
    const seconds = () => ((Date.now() - started) / 1000).toFixed(1).padStart(5);
    const root = path.join(
      os.tmpdir(),
      `onion-election-demo-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    );
    const voteBlocks = intOption(values, 'vote-blocks', 12, [1, 1000]);
    const dashboard = values.dashboard === true;
    if (dashboard && !builtDashboard())
      throw new UsageError('--dashboard: the dashboard is not built yet: run `npm run build` first');
    const cluster = await LocalCluster.create(root, DEMO_RUNNERS);
    const names = DEMO_RUNNERS.map((r) => r.name);

    console.log('Onion Election demo: four runners, one election, no server.\n');
    let stopping = false;
    const interrupt = () => {
      stopping = true;
    };
    process.once('SIGINT', interrupt);
    try {
      cluster.start('alice', 'new', [
        ...demoElectionArgs(voteBlocks, values.difficulty),
        ...(dashboard ? ['--dashboard'] : []),
      ]);
      const first = await cluster.waitUp('alice');
      console.log(
        `${seconds()}s  alice created the election ${first.election_id.slice(0, 16)}… and serves it on ${cluster.address('alice')}`,
      );
      if (dashboard) {
        const url = await dashboardUrl(cluster.member('alice').log);
        console.log(
          `\n        Watch it as alice sees it: open ${url}\n        in a browser on this machine.\n`,
        );
      }
      for (const name of names.slice(1)) cluster.start(name, 'join');
      await Promise.all(names.slice(1).map((n) => cluster.waitUp(n)));
      console.log(`${seconds()}s  bob, carol and dave fetched its genesis from alice and joined`);
      console.log(
        `${seconds()}s  everyone mines: 4 key blocks elect 2 talliers, then ${voteBlocks} blocks carry one ballot each\n`,
      );

      const narrator = new Narrator(cluster, seconds);
      const deadline = Date.now() + TIMEOUT_MS;
      let results: Map<string, ResultResponse> | undefined;
      while (!results) {
        if (stopping) throw new Error('interrupted');
        if (Date.now() > deadline) throw new Error(`no result after ${TIMEOUT_MS / 60_000} minutes`);
        await narrator.tell();
        const all = await Promise.all(names.map((n) => cluster.result(n)));
        if (all.every((r) => r?.result)) results = new Map(names.map((n, i) => [n, all[i]!]));
        else await new Promise((r) => setTimeout(r, 250));
      }

      const alice = results.get('alice')!;
      const agree = [...results.values()].every(
        (r) =>
          JSON.stringify(r.result) === JSON.stringify(alice.result) &&
          r.best === alice.best &&
          r.sealed?.final === alice.sealed?.final,
      );
      const { yes, no, total } = alice.result as { yes: number; no: number; total: number };
      const sealed = alice.sealed;
      console.log(
        `\n${seconds()}s  the talliers sealed block #${alice.height}${sealed && sealed.round > 1 ? ` (in round ${sealed.round})` : ''}: ` +
          'every tallier accepted it before anyone decrypted, so no later branch can change the result',
      );
      console.log(
        `${seconds()}s  all four runners decrypted the same tally: ${agree ? 'they agree' : 'THEY DISAGREE'}`,
      );
      console.log('');
      console.log(`        yes ${String(yes).padStart(3)}  ${'█'.repeat(Math.round((30 * yes) / total))}`);
      console.log(`        no  ${String(no).padStart(3)}  ${'█'.repeat(Math.round((30 * no) / total))}`);
      console.log(
        `        ${total} ballots (one per voting block found), decrypted by ${alice.talliers.length} talliers`,
      );
      console.log('');

      if (dashboard) {
        console.log(
          "The runners keep going so that you can look around alice's dashboard; Ctrl-C stops them.",
        );
        while (!stopping) await new Promise((r) => setTimeout(r, 200));
        console.log('');
      }
      await cluster.stopAll();
      const node = await ElectionNode.open(cluster.member('alice').dir, {}, { inspect: true });
      const record = node.exportRecord();
      await node.close();
      const outcome = await verifyRecord(record);
      console.log(
        `${seconds()}s  alice's election record (${record.blocks.length} blocks) re-checked by the independent verifier: ${outcome.status.toUpperCase()}`,
      );
      console.log(`\nEach runner's data folder and log are in ${root}`);
      console.log(
        '  (export one with: onion-election -d DIR export -o record.json; check it with: onion-election verify record.json)',
      );
      return agree && outcome.status === 'verified' ? 0 : 1;
    } catch (error) {
      console.error(`\ndemo stopped: ${(error as Error).message}\nlogs: ${root}/*.log`);
      return 1;
    } finally {
      process.off('SIGINT', interrupt);
      await cluster.stopAll();
    }
  },
};

/** The dashboard address alice's runner prints when it is up (`  dashboard http://…`). */
async function dashboardUrl(log: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = /^ {2}dashboard (http:\/\/\S+)/m.exec(await readFile(log, 'utf8').catch(() => ''));
    if (found) return found[1]!;
    if (Date.now() > deadline) throw new Error(`alice's dashboard did not come up (see ${log})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Tells the election as it happens, from alice's best chain: who found each block and what it carries. */
class Narrator {
  private shown = 0;
  private readonly keyOwners = new Map<string, string>();
  private talliersTold = false;
  private readonly client = new PeerClient({ timeoutMs: 2000 });

  constructor(
    private readonly cluster: LocalCluster,
    private readonly seconds: () => string,
  ) {}

  async tell(): Promise<void> {
    const address = this.cluster.address('alice');
    let page: Awaited<ReturnType<PeerClient['chain']>>;
    try {
      page = await this.client.chain(address, this.shown + 1, 100);
    } catch {
      return; // alice is busy or restarting: tell it next time
    }
    for (const json of page.blocks) {
      const block = json as {
        height: number;
        miner: string;
        payload: { kind: string; tallier_key?: { pk: string } };
      };
      const what =
        block.payload.kind === 'tallier_key'
          ? `key block: ${block.miner} stands as tallier`
          : block.payload.kind === 'ballot'
            ? `ballot block: ${block.miner}'s vote, encrypted`
            : `confirmation block by ${block.miner}`;
      if (block.payload.tallier_key) this.keyOwners.set(block.payload.tallier_key.pk, block.miner);
      console.log(`${this.seconds()}s  #${String(block.height).padEnd(3)} ${what}`);
      this.shown = block.height;
    }
    if (!this.talliersTold && this.shown >= 4) {
      const result = await this.cluster.result('alice');
      if (result && result.height >= 4) {
        const who = result.talliers.map((pk) => this.keyOwners.get(pk) ?? `${pk.slice(0, 8)}…`);
        console.log(
          `${this.seconds()}s        → talliers elected: ${who.join(' and ')} (the most key blocks); their keys multiply into the election key`,
        );
        this.talliersTold = true;
      }
    }
  }
}
