import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { testGenesis } from '../chain/testing';
import { ElectionNode } from '../node/election-node';

const bin = fileURLToPath(new URL('../../bin/onion-election.mjs', import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'oe-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe('onion-election command line', () => {
  test('export then verify: a finished election verifies; tampering and truncation are caught', async () => {
    const dir = path.join(tmp, 'runner');
    const genesis = testGenesis({ nTalliers: 1, nTalliersBlocks: 2, nVoteBlocks: 3, confirmations: 1 });
    const node = await ElectionNode.create(dir, genesis, {
      name: 'cli-test',
      vote: 1,
      mining: true,
      threads: 1,
    });
    const result = once(node, 'result');
    node.startMining();
    await result;
    await node.close();

    const file = path.join(tmp, 'record.json');
    const exported = cli('export', '-d', dir, '-o', file);
    assert.equal(exported.code, 0, exported.err);
    assert.match(exported.err, /wrote .*record\.json: 6 blocks, 3 ballots/);

    const verified = cli('verify', file);
    assert.equal(verified.code, 0, verified.err);
    assert.match(verified.out, /^VERIFIED/);
    assert.match(verified.out, /yes 3/);

    // A raw 0xff byte in the title: the record checked must be the one in the file, so it is refused
    // (decoded lossily, it would verify as a title with U+FFFD in it).
    const text = readFileSync(file, 'utf8');
    const titleAt = text.indexOf('"title": "') + '"title": "'.length;
    const rawFile = path.join(tmp, 'raw.json');
    writeFileSync(
      rawFile,
      Buffer.concat([
        Buffer.from(text.slice(0, titleAt)),
        Buffer.from([0xff]),
        Buffer.from(text.slice(titleAt)),
      ]),
    );
    const raw = cli('verify', rawFile);
    assert.equal(raw.code, 1);
    assert.match(raw.out, /^INVALID — the file is not valid UTF-8/);
    // JSON that JSON.parse reads as the valid record, but not in protocol JSON: a height written
    // 1.0, a created_at 1.7e9, a key given twice. Each is refused, naming the place (exit 1).
    const createdAt = /"created_at": (\d+)/.exec(text)![1]!;
    for (const [variant, expected] of [
      [
        text.replace('"height": 1,', '"height": 1.0,'),
        /^INVALID — record\.blocks\[0\]\.height: 1\.0 is not an integer in plain decimal/,
      ],
      [
        text.replace(`"created_at": ${createdAt}`, `"created_at": ${Number(createdAt) / 1e9}e9`),
        /^INVALID — record\.genesis\.created_at: .*e9 is not an integer/,
      ],
      [
        text.replace('"format": ', '"format": "onion-election/record/v2", "format": '),
        /^INVALID — record\.format: is a duplicate key/,
      ],
    ] as const) {
      assert.notEqual(variant, text);
      assert.deepEqual(JSON.parse(variant), JSON.parse(text), 'JSON.parse reads the valid record');
      const strict = path.join(tmp, 'strict.json');
      writeFileSync(strict, variant);
      const refused = cli('verify', strict);
      assert.equal(refused.code, 1);
      assert.match(refused.out, expected);
    }

    const record = JSON.parse(readFileSync(file, 'utf8'));
    const lie = path.join(tmp, 'lie.json');
    writeFileSync(lie, JSON.stringify({ ...record, result: { yes: 2, no: 1, total: 3 } }));
    const lied = cli('verify', lie);
    assert.equal(lied.code, 1);
    assert.match(lied.out, /^INVALID.*record\.result/);

    const partial = path.join(tmp, 'partial.json');
    writeFileSync(
      partial,
      JSON.stringify({
        ...record,
        blocks: record.blocks.slice(0, 4),
        seal: [],
        dec_factors: [],
        result: null,
      }),
    );
    const incomplete = cli('verify', partial);
    assert.equal(incomplete.code, 2);
    assert.match(incomplete.out, /^INCOMPLETE/);
  });

  test('usage errors are one clear line, with exit status 2', () => {
    const unknown = cli('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command "frobnicate"/);
    const badFlag = cli('export', '--bogus');
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.err, /^onion-election: Unknown option '--bogus'/);
    assert.doesNotMatch(badFlag.err, /\n\s+at /, 'no stack trace');
    const noFile = cli('verify');
    assert.equal(noFile.code, 2);
    const missing = cli('verify', path.join(tmp, 'nope.json'));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no such file/);
    const help = cli('verify', '--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /Exit status: 0 verified/);
    const noDir = cli('export', '-d', path.join(tmp, 'empty'));
    assert.equal(noDir.code, 1);
    assert.match(noDir.err, /holds no election/);
    assert.equal(existsSync(path.join(tmp, 'empty')), false, 'looking at a folder does not create it');
  });

  test('a runner started from the command line reports status, and Ctrl-C stops it cleanly', async () => {
    const dir = path.join(tmp, 'live');
    const { spawn } = await import('node:child_process');
    const { freePort } = await import('./cluster');
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        bin,
        '-d',
        dir,
        '-n',
        'live',
        '--direct',
        '--port',
        String(port),
        '--no-mining',
        '--key-blocks',
        '2',
        'new',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const deadline = Date.now() + 30_000;
    while (!out.includes('Ctrl-C stops the runner')) {
      assert.ok(Date.now() < deadline, `runner did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const live = cli('-d', dir, 'status');
    assert.equal(live.code, 0, live.err);
    assert.match(live.out, /height 0 · key .*running runner \(peer API 127\.0\.0\.1:\d+\)/);
    // Export reads the folder without its lock: it works beside the running runner.
    const beside = cli('-d', dir, 'export', '-o', path.join(tmp, 'beside.json'));
    assert.equal(beside.code, 0, beside.err);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.match(out, /stopped\.\n$/);
    const offline = cli('-d', dir, 'status');
    assert.equal(offline.code, 0, offline.err);
    assert.match(offline.out, /height 0 · key .*data folder/);

    // `start -d DIR` without -n keeps the runner's name.
    const again = spawn(
      process.execPath,
      [bin, '-d', dir, '--direct', '--port', String(port), '--no-mining', 'start'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let againOut = '';
    again.stdout.on('data', (chunk: Buffer) => {
      againOut += chunk.toString();
    });
    while (!againOut.includes('Ctrl-C stops the runner')) {
      assert.ok(Date.now() < deadline + 30_000, `runner did not restart: ${againOut}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(againOut, /runner {4}live · data/);
    again.kill('SIGINT');
    await once(again, 'exit');
    assert.equal(JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')).name, 'live');
  });

  test('bad options are refused before anything is written', () => {
    const dir = path.join(tmp, 'never');
    for (const args of [
      ['-p', 'bogus.example.com', '--direct', 'new'],
      ['--direct', '-p', '2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion', 'new'],
      ['--vote', 'maybe', 'new'],
      ['--difficulty', '2^40', 'new'],
      ['-c', 'socks5://127.0.0.1:9050', 'new'],
      ['--key-blocks', '0', 'new'],
      ['join'],
    ]) {
      const run = cli('-d', dir, ...args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.err}`);
      assert.match(run.err, /^onion-election: /);
    }
    assert.throws(() => readFileSync(path.join(dir, 'genesis.json')), /ENOENT/);
  });

  test('status and export only read: a torn tail, the settings and the lock are left exactly as they were', async () => {
    const dir = path.join(tmp, 'inspect');
    const genesis = testGenesis({ nTalliers: 1, nTalliersBlocks: 2, nVoteBlocks: 3, confirmations: 1 });
    const node = await ElectionNode.create(dir, genesis, {
      name: 'quiet',
      vote: 1,
      mining: true,
      threads: 1,
    });
    const done = once(node, 'result');
    node.startMining();
    await done;
    await node.close();
    appendFileSync(path.join(dir, 'blocks.log'), Buffer.from([0, 0, 0x12, 0x34, 1, 2, 3])); // a torn record
    const files = ['blocks.log', 'settings.json', 'tallier-key.json', 'genesis.json'];
    const before = files.map((f) => readFileSync(path.join(dir, f)));
    const status = cli('-d', dir, 'status');
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /warning .*torn .*left the last 7 bytes as they are/);
    assert.match(status.out, /result {4}yes 3 · no 0 · total 3/);
    const exported = cli('-d', dir, 'export', '-o', path.join(tmp, 'inspected.json'));
    assert.equal(exported.code, 0, exported.err);
    for (const [i, f] of files.entries()) {
      assert.deepEqual(readFileSync(path.join(dir, f)), before[i], `${f} was changed`);
    }
    assert.equal(existsSync(path.join(dir, 'LOCK')), false, 'no lock was taken');
  });
});
