// Connection settings in the built dashboard (dist/renderer), served by the real web dashboard
// server in front of the real engine, whose own tor is a real tor kept off every network (its only
// authority is a closed port on 127.0.0.1): opened from the first screen, a bad bridge line refused
// beside the field naming its line, bridges and a SOCKS5 proxy with a password saved (tor starts
// again with them: its torrc says so), the password never shown back, and opened from the Tor card.
// Screenshots at 1280 and 480 px, light and dark, in e2e/artifacts/connection-settings-*.png.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page, test } from '@playwright/test';
import { type DashboardServer, serveDashboard } from '../main/app/dashboard-server';
import { Engine } from '../main/app/engine';
import { findInstalled } from '../main/tor/find-tor';
import { ISOLATED_TORRC_LINES } from '../main/tor/testnet';

const rendererDir = fileURLToPath(new URL('../dist/renderer', import.meta.url));
const artifacts = fileURLToPath(new URL('artifacts/', import.meta.url));
const obfs4 = findInstalled('obfs4proxy') ?? findInstalled('lyrebird');

const FP = 'CDF2E852BF539B82BD10E27E9115A31734E378C2';
const CERT = 'qUVQ0srL1JI/vO6V6m/24anYXiJD3QP2HgzUKQtQ7GRqqUvs7P+tG43RtAqdhLOALP7DJQ';
const BRIDGE = `obfs4 127.0.0.1:1 ${FP} cert=${CERT} iat-mode=0`;
const PASSWORD = 'Tr0ub4dor & 3';

let root: string;
let engine: Engine;
let server: DashboardServer;

test.beforeAll(async () => {
  if (!existsSync(`${rendererDir}/index.html`))
    throw new Error('dist/renderer is missing: run `npm run build` first');
  root = mkdtempSync(path.join(os.tmpdir(), 'oe-e2e-connection-'));
  engine = await Engine.open({
    dataDir: path.join(root, 'runner'),
    version: '0.0.0-e2e',
    tor: { mode: 'managed', extraTorrcLines: ISOLATED_TORRC_LINES },
    defaults: { threads: 1, mining: false },
  });
  server = await serveDashboard(engine, { rendererDir });
});

test.afterAll(async () => {
  await server?.close();
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

async function shoot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of [1280, 480]) {
      await page.setViewportSize({ width, height: 1000 });
      await page.screenshot({
        path: `${artifacts}connection-settings-${name}-${width}${scheme === 'dark' ? '-dark' : ''}.png`,
        fullPage: true,
      });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 1000 });
}

test('bridges and a proxy, from the first screen: checked, saved, applied, the password kept back', async ({
  page,
}) => {
  test.skip(!obfs4, 'obfs4proxy is not installed (apt-get install obfs4proxy)');
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Hold an election among peers' })).toBeVisible();
  await shoot(page, 'setup');

  await page.getByRole('button', { name: 'Connection settings' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Connection settings' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('radio', { name: /Start a tor for this app/ })).toBeChecked();
  await expect(dialog.getByRole('radio', { name: /No bridge/ })).toBeChecked();
  await shoot(page, 'open');

  // A bad second line: refused beside the field, naming the line.
  await dialog.getByRole('radio', { name: /Bridges I was given/ }).check();
  const lines = dialog.getByLabel('Bridge lines, one per line');
  await lines.fill(`${BRIDGE}\nobfs4 1.2.3.4:443 ${FP}`);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(lines).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.getByRole('alert').filter({ hasText: /Line 2/ })).toContainText('needs its cert=');
  await shoot(page, 'bad-line');

  // Fixed, with a SOCKS5 proxy and its password.
  await lines.fill(`# from a friend\n${BRIDGE}`);
  await dialog.getByLabel('Proxy type').selectOption('socks5');
  await dialog.getByLabel('Address').fill('127.0.0.1');
  await dialog.getByLabel('Port').fill('9');
  await dialog.getByLabel('User name (if it asks)').fill('me');
  await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'Saved' })).toContainText(
    'Tor is connecting again with these settings',
  );
  await expect(lines).toHaveAttribute('aria-invalid', 'false');
  // The password is not sent back: the field is empty, and says one is saved.
  await expect(dialog.getByLabel('Password', { exact: true })).toHaveValue('');
  await expect(dialog.getByText('A password is saved: leave empty to keep it.')).toBeVisible();
  expect(await page.content()).not.toContain('Tr0ub4dor');

  // Applied: the runner's tor was started again with the bridge, its transport and the proxy.
  const dataDir = path.join(root, 'runner');
  const torrc = path.join(dataDir, 'tor', 'torrc');
  await expect.poll(() => readFileSync(torrc, 'utf8'), { timeout: 20_000 }).toContain(`Bridge ${BRIDGE}`);
  const text = readFileSync(torrc, 'utf8');
  // tor runs in the program's folder, which may have a space in its name (main/tor/torrc.ts).
  expect(text).toContain(`ClientTransportPlugin obfs4 exec ./${path.basename(obfs4!)}`);
  expect(text).toContain('Socks5Proxy 127.0.0.1:9');
  expect(statSync(path.join(dataDir, 'connection.json')).mode & 0o777).toBe(0o600);
  await dialog.getByRole('button', { name: 'Save' }).scrollIntoViewIfNeeded();
  await shoot(page, 'saved');

  // Closed, then reopened from the Tor card: the saved settings are shown.
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  const card = page.locator('.card').filter({ has: page.getByRole('heading', { name: 'Tor' }) });
  await card.getByRole('button', { name: 'Connection settings' }).click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('radio', { name: /Bridges I was given/ })).toBeChecked();
  await expect(dialog.getByLabel('Bridge lines, one per line')).toHaveValue(BRIDGE);
  await expect(dialog.getByLabel('Proxy type')).toHaveValue('socks5');
  // Escape closes it, as any dialog.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  expect(errors).toEqual([]);
});
