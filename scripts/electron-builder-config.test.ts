// electron-builder cannot run here (no Electron binary), so this pins the packaging essentials.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';

const root = new URL('../', import.meta.url);
const config = parse(readFileSync(new URL('electron-builder.yml', root), 'utf8'));
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

test('identifies the app', () => {
  assert.equal(config.appId, 'org.onionelection.app');
  assert.equal(config.productName, 'Onion Election');
  assert.equal(config.directories.output, 'release');
});

test('packs the built app and its entry point', () => {
  assert.deepEqual(config.files, ['dist/**', 'package.json']);
  assert.equal(pkg.main, 'dist/electron/main.cjs');
});

test('targets every desktop platform', () => {
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.ok(config.linux.maintainer, 'deb packages need a maintainer');
  assert.ok(config.linux.category);
  assert.equal(config.win.target, 'nsis');
  assert.equal(config.mac.target, 'dmg');
});

test('uses an icon that exists', () => {
  for (const platform of ['linux', 'win', 'mac']) {
    assert.ok(existsSync(new URL(config[platform].icon, root)), `${platform} icon ${config[platform].icon}`);
  }
});
