// `onion-election status`: where a runner's election stands. Reads the data folder, or, when a
// runner holds it, asks that runner's peer API on 127.0.0.1.

import path from 'node:path';
import { receiptViews } from '../app/views';
import { type Genesis, parseGenesis } from '../chain/genesis';
import { describeResult } from '../chain/standings';
import { parseResult } from '../crypto/codec';
import { PeerClient } from '../net/client';
import type { ResultResponse, StatusResponse } from '../net/messages';
import { resultOf, statusOf } from '../net/summaries';
import { ElectionNode } from '../node/election-node';
import { readJsonFile } from '../store/atomic-file';
import { lockHolder } from '../store/data-dir';
import type { Command } from './command';
import { dataDirOf } from './options';
import { describeElection } from './run';

const short = (hex: string) => `${hex.slice(0, 12)}…`;

export const statusCommand: Command = {
  summary: "show a runner's election: phase, height, talliers, ballots, result",
  usage: 'onion-election [-n NAME | -d DIR] status',
  description: 'Shows where the election of a data folder stands. If its runner is running, asks it.',
  options: ['name', 'data-dir'],
  async run(values) {
    const dir = dataDirOf(values);
    let status: StatusResponse;
    let result: ResultResponse;
    let source: string;
    let node: ElectionNode | undefined;
    let genesis: Genesis;
    try {
      const running = await lockHolder(dir);
      const port = running
        ? ((await readJsonFile(path.join(dir, 'settings.json')))?.value as { port?: number } | undefined)
            ?.port
        : undefined;
      if (port) {
        // Its runner is running: ask it (its state is the live one).
        const address = `127.0.0.1:${port}`;
        const client = new PeerClient({ timeoutMs: 5000 });
        status = await client.status(address);
        result = await client.result(address);
        genesis = parseGenesis(await client.genesis(address));
        source = `running runner (peer API ${address})`;
        console.log(`onion-election status\n${describeElection(genesis)}`);
      } else {
        // Read the folder, for inspection only: nothing in it is written or repaired.
        node = await ElectionNode.open(dir, {}, { inspect: true });
        status = statusOf(node);
        result = resultOf(node);
        source = `data folder ${dir}`;
        genesis = node.genesis;
        console.log(`onion-election status\n${describeElection(node.genesis)}`);
        for (const warning of node.startupWarnings) console.log(`  warning   ${warning}`);
      }
    } finally {
      await node?.close();
    }
    console.log(
      `  chain     height ${status.height} · ${status.phase} · best ${short(status.best)}   (from the ${source})`,
    );
    console.log(
      `  talliers  ${result.talliers.length ? result.talliers.map(short).join(', ') : 'not elected yet'}`,
    );
    if (result.qualified && result.quorum !== undefined && result.quorum < result.qualified.length) {
      const left = result.talliers.filter((pk) => !result.qualified!.includes(pk));
      console.log(
        `  quorum    any ${result.quorum} of ${result.qualified.length} qualified talliers decrypt${left.length ? ` (left out by the key ceremony: ${left.map(short).join(', ')})` : ''}`,
      );
    }
    console.log(
      genesis.ballotRule === 'per-voter'
        ? `  turnout   ${result.ballots} of ${genesis.roster.length} registered voters cast a ballot (each one's last counts)`
        : `  ballots   ${result.ballots}`,
    );
    for (const receipt of node ? receiptViews(node) : []) {
      const where =
        receipt.state === 'counted'
          ? `counted in block ${receipt.height}`
          : receipt.state === 'replaced'
            ? 'replaced by your later ballot'
            : receipt.state === 'displaced'
              ? 'its block left the best chain (sent again)'
              : 'sent, in no block yet';
      console.log(`  your ballot ${receipt.tracker.slice(0, 16)}… ${receipt.vote ?? ''} · ${where}`);
    }
    if (result.sealed) {
      console.log(
        `  final     sealed by the talliers in round ${result.sealed.round} at block ${short(result.sealed.final)}: no later branch can change the result`,
      );
    } else if (result.final) {
      console.log(
        '  final     not sealed yet: the talliers are agreeing on the final block; nobody has decrypted',
      );
    }
    for (const late of result.late_branches) {
      console.log(
        `  late      a branch forked at height ${late.fork_height} (${late.blocks} block(s), up to height ${late.height}) arrived after the result: kept out`,
      );
    }
    // The key file says what this runner's tallier key decrypted (it decrypts one tally, ever).
    const key = (
      await readJsonFile(path.join(dir, 'tallier-key.json'), { secret: true }).catch(() => undefined)
    )?.value as { decrypted?: string | null } | undefined;
    if (key?.decrypted) {
      console.log(
        `  tallier   this runner's key decrypted the tally of block ${short(key.decrypted)} and never decrypts another`,
      );
    }
    if (result.result) {
      const parsed = parseResult(result.result, 'result');
      console.log(`  result    ${describeResult(genesis.questions, parsed)} · total ${parsed.total}`);
    } else if (result.final && result.sealed) {
      console.log(
        result.quorum !== undefined && result.qualified && result.quorum < result.qualified.length
          ? `  result    awaiting ${result.awaiting.length} tallier(s), neither their factor nor ${result.quorum} stand-ins in: ${result.awaiting.map(short).join(', ')}`
          : `  result    awaiting the factor of ${result.awaiting.length} tallier(s): ${result.awaiting.map(short).join(', ')}`,
      );
    } else if (result.final) {
      console.log('  result    not yet: talliers decrypt only once the final block is sealed');
    } else {
      console.log('  result    not yet: the chain has not reached its final height');
    }
    return 0;
  },
};
