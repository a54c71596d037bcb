import { expect, type Page, test } from '@playwright/test';
import type { PeerView, TorView } from '../main/api/contract';
import type { DashboardServer } from '../main/app/dashboard-server';
import { artifacts, collectErrors, syntheticDashboards } from './support/dashboard-page';
import { createSyntheticEngine, STUCK_TOR, type SyntheticEngine } from './support/synthetic-engine';

const { serve } = syntheticDashboards();

/** Full-page screenshots at 1280 and 480 px wide (and dark); nothing wider than the narrow screen. */
async function shoot(page: Page, name: string, { dark = false } = {}): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${artifacts}tor-${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 480, height: 900 });
  await page.screenshot({ path: `${artifacts}tor-${name}-480.png`, fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(480);
  if (dark) {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${artifacts}tor-${name}-480-dark.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: `${artifacts}tor-${name}-1280-dark.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const FORM = async (page: Page) => {
  await page.getByRole('button', { name: /Start a new election/ }).click();
  await page.getByLabel('Title').fill('Lunch');
  await page.getByLabel('Question', { exact: true }).fill('Pizza on Friday?');
  await page.getByRole('button', { name: 'Test (instant)' }).click();
  await page.getByRole('radio', { name: 'Yes', exact: true }).check();
  await page.getByLabel('Your name').fill('alice');
  await page.getByRole('button', { name: 'Open the lobby' }).click();
};

test.describe('a tor that cannot reach the network', () => {
  let engine: SyntheticEngine;
  let server: DashboardServer;
  test.beforeEach(async () => {
    engine = createSyntheticEngine({ stage: 'setup', tor: 'unreachable' });
    server = await serve(engine);
  });

  test('plain words and what to try; tor’s words and the relay only behind Details; its log shown', async ({
    page,
  }) => {
    const errors = collectErrors(page);
    await page.goto(server.url);
    const card = page.locator('.card').filter({ has: page.getByRole('heading', { name: 'Tor' }) });
    await expect(card.getByText('Can’t reach the Tor network for 3 min')).toBeVisible();
    await expect(
      card.getByText(/Check that this computer is online.*bridge in Connection settings/),
    ).toBeVisible();
    await expect(card.locator('.pill')).toHaveText('Can’t reach Tor');
    // Said once on the screen; nothing that reads like success, no relay address in sight.
    await expect(page.getByText(/Can’t reach the Tor network/)).toHaveCount(1);
    await expect(page.getByText('193.23.244.244', { exact: false })).toBeHidden();
    await expect(page.getByText(/DONE/)).toBeHidden();
    await shoot(page, 'unreachable', { dark: true });

    await card.getByText('Details').click();
    await expect(card.getByText('Tor’s progress: 14% (Handshaking with a relay)')).toBeVisible();
    await expect(
      card.getByText(/Tor’s last warning: the relay closed the connection \(tor: DONE\)/),
    ).toBeVisible();
    // The log of the very tor that fails (it once said "Empty: this runner does not manage a tor").
    await card.getByText('Tor’s log').click();
    await expect(card.getByText(/Problem bootstrapping\. Stuck at 14%/)).toBeVisible();
    await shoot(page, 'unreachable-details');
    expect(errors).toEqual([]);
  });

  test('Cancel on the look-up: it says what it waits for, and Cancel ends it with no error', async ({
    page,
  }) => {
    const errors = collectErrors(page);
    await page.goto(server.url);
    await page.getByRole('button', { name: /Join an election/ }).click();
    await page.getByLabel('Invitation link or address').fill(`127.0.0.1:7123`);
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect(page.getByRole('button', { name: 'Looking up…' })).toBeDisabled();
    await expect(
      page.getByText('Waiting for Tor (see below), then asking the organizer’s runner…'),
    ).toBeVisible();
    await expect(page.getByText(/Can’t reach the Tor network/)).toHaveCount(1);
    await shoot(page, 'lookup-waiting');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('button', { name: 'Look up' })).toBeEnabled();
    await expect(page.getByRole('button', { name: 'Cancel' })).toBeHidden();
    await expect(page.getByText(/cancelled/i)).toBeHidden();
    expect(engine.calls.map((c) => c.name)).toEqual(['previewJoin', 'cancel']);
    // The cancelled look-up's HTTP 400, which Chromium logs, is the one error expected.
    expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
  });

  test('Cancel on the start: what is saved, said before and after; start again; forget it', async ({
    page,
  }) => {
    const errors = collectErrors(page);
    await page.goto(server.url);
    await FORM(page);
    await expect(page.getByRole('heading', { level: 1, name: 'Opening “Lunch”…' })).toBeVisible();
    await expect(page.getByText('Can’t reach the Tor network')).toHaveCount(1);
    await expect(page.getByText('Your election is saved: you can start it again later.')).toBeVisible();
    await shoot(page, 'starting-unreachable', { dark: true });

    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('heading', { level: 1, name: '“Lunch” is saved' })).toBeVisible();
    await expect(page.getByText('Nothing is lost')).toBeVisible();
    await shoot(page, 'stopped', { dark: true });

    await page.getByRole('button', { name: 'Start again' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Opening “Lunch”…' })).toBeVisible();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Forget this election' }).click();
    await page.getByRole('button', { name: 'Yes, forget this election' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Hold an election among peers' })).toBeVisible();
    expect(engine.calls.map((c) => c.name)).toEqual([
      'createElection',
      'cancel',
      'retry',
      'cancel',
      'leaveLobby',
    ]);
    expect(errors).toEqual([]);
  });
});

test('a failed start: why once, what was saved, Retry, and a way back', async ({ page }) => {
  const engine = createSyntheticEngine({ stage: 'setup' });
  const server = await serve(engine);
  await page.goto(server.url);
  engine.emit({
    type: 'stage',
    stage: 'error',
    error: 'no peer gave a valid genesis (127.0.0.1:7123: connection refused)',
    launch: { kind: 'join', saved: 'nothing' },
  });
  await expect(page.getByRole('heading', { level: 1, name: 'The runner could not start' })).toBeVisible();
  await expect(page.getByText('Nothing was saved yet.')).toBeVisible();
  await shoot(page, 'error');
  await page.getByRole('button', { name: 'Back to the first screen' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Hold an election among peers' })).toBeVisible();
  expect(engine.calls.map((c) => c.name)).toEqual(['cancel']);
});

test('reconnecting after a sleep: tor, then a peer, said as such, and back', async ({ page }) => {
  const engine = createSyntheticEngine({ blocks: 300, heightsLeft: 20 });
  const server = await serve(engine);
  const errors = collectErrors(page);
  await page.goto(server.url);
  const pill = page.locator('.brand-bar .pill');
  await expect(pill).toHaveText('Tor connected');

  const ready = engine.snapshot().state.tor;
  const asleep: TorView = {
    ...ready,
    condition: 'reconnecting',
    why: 'tor has not answered for over 10 s',
    since: Date.now(),
  };
  engine.emit({ type: 'tor', tor: asleep });
  await expect(pill).toHaveText('Tor reconnecting…');
  const card = page.locator('.card').filter({ has: page.getByRole('heading', { name: 'Tor' }) });
  await expect(card.getByText('Reconnecting to the Tor network…')).toBeVisible();
  await expect(card.getByText(/asleep, or its connection dropped/)).toBeVisible();
  // A peer seen a moment ago, failing now: being reconnected to, not "unreachable".
  const peers = engine.snapshot().state.peers;
  const lost: PeerView = { ...peers[0]!, reachable: false, failures: 2, lastSeen: Date.now() - 40_000 };
  engine.emit({ type: 'peers', peers: [lost, ...peers.slice(1)] });
  const peerCard = page.locator('.card').filter({ has: page.getByRole('heading', { name: /Peers/ }) });
  await expect(peerCard.getByText('reconnecting…')).toBeVisible();
  await shoot(page, 'reconnecting', { dark: true });

  engine.emit({ type: 'tor', tor: { ...ready, since: Date.now() } });
  engine.emit({ type: 'peers', peers });
  await expect(pill).toHaveText('Tor connected');
  await expect(card.getByText('Connected to the Tor network')).toBeVisible();
  await expect(peerCard.getByText('reconnecting…')).toBeHidden();
  expect(errors).toEqual([]);
});

test('STUCK_TOR is what the engine says of tor’s DONE warning', () => {
  // The synthetic view follows the engine's words (main/tor/bootstrap.ts), so the screens above
  // show what a real runner would.
  expect(STUCK_TOR.warning).toBe(
    'the relay closed the connection (tor: DONE), 12 times, at 193.23.244.244:443',
  );
});
