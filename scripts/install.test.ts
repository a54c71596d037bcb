// The README's first command, `npm ci`, on a machine that cannot reach Electron's binary download
// (air-gapped, or CI without GitHub): it must succeed, dropping only the optional `electron`
// package (issue 14, "First run"). Run for real in a scratch folder holding package.json and
// package-lock.json, with Electron's download pointed at a closed port on 127.0.0.1 and an empty
// download cache; packages come from npm's cache or registry like any install.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'oe-install-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('installing without access to Electron’s download', () => {
  test('a plain `npm ci` succeeds; only the optional electron package is left out', () => {
    for (const file of ['package.json', 'package-lock.json'])
      copyFileSync(path.join(root, file), path.join(scratch, file));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ELECTRON_MIRROR: 'http://127.0.0.1:9/', // the discard port: nothing listens, the download fails at once
      electron_config_cache: path.join(scratch, 'electron-cache'),
    };
    delete env.ELECTRON_SKIP_BINARY_DOWNLOAD; // CI sets it; the point is to go without it
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const run = spawnSync(npm, ['ci', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: scratch,
      env,
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(run.status, 0, `npm ci failed:\n${run.stderr.slice(-3000)}`);
    for (const needed of ['typescript', 'tsx', 'esbuild', 'playwright', 'express', 'react'])
      assert.ok(
        existsSync(path.join(scratch, 'node_modules', needed, 'package.json')),
        `${needed} installed`,
      );
    assert.equal(existsSync(path.join(scratch, 'node_modules', 'electron')), false, 'electron left out');
  });
});
