// A whole election through the web dashboard, as three people would hold it on one machine: three
// real `onion-election --direct --dashboard` processes (real peer APIs on 127.0.0.1, real miners,
// real chain and cryptography), each driven in Chromium through its own dashboard only. Alice
// opens a lobby with the form (one vote per block found); Bob and Carol paste her invitation link,
// look her lobby up and ask to join; Alice admits both and starts; Alice adds them as peers with the
// form; everyone switches mining on; the phases advance to a result that every dashboard shows as
// verified. Screenshots of each stage go to e2e/artifacts/live-*.png.
import { fileURLToPath } from 'node:url';
import { type Browser, expect, type Page, test } from '@playwright/test';
import { type DashboardRunner, startDashboardRunner } from './support/runner-process';

const artifacts = fileURLToPath(new URL('artifacts/', import.meta.url));
const VOTES = { alice: 'Yes', bob: 'No', carol: 'Yes' } as const;
type Name = keyof typeof VOTES;

test.describe.configure({ timeout: 240_000 });

let runners: Record<Name, DashboardRunner>;

test.beforeAll(async () => {
  // Mining off at first, so that the election waits for everyone to join before blocks are found.
  const [alice, bob, carol] = await Promise.all(
    (['alice', 'bob', 'carol'] as const).map((name) => startDashboardRunner(name, ['--no-mining'])),
  );
  runners = { alice: alice!, bob: bob!, carol: carol! };
});

test.afterAll(async () => {
  await Promise.all(Object.values(runners ?? {}).map((r) => r.stop()));
});

async function open(browser: Browser, name: Name): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw new Error(`${name}'s dashboard: ${error.message}`);
  });
  await page.goto(runners[name].url);
  return page;
}

async function addressOf(page: Page): Promise<string> {
  const address = (await page.locator('.identity-self code.address').textContent())?.trim();
  expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
  return address!;
}

/** Asks to join alice's lobby with her invitation link, and waits in it. */
async function askToJoin(page: Page, name: Name, invitation: string): Promise<void> {
  await page.getByRole('button', { name: /Join an election/ }).click();
  await page.getByLabel('Invitation link or address').fill(invitation);
  await page.getByRole('button', { name: 'Look up' }).click();
  // The preview: the lobby as Alice's runner describes it, to check before asking.
  await expect(page.locator('.lobby-summary').getByText('Pizza on Friday?')).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('.lobby-summary')).toContainText('One vote per block found');
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('radio', { name: VOTES[name], exact: true }).check();
  await page.getByRole('button', { name: 'Ask to join' }).click();
  await expect(page.locator('.lobby-status')).toHaveText(
    'Waiting for alice to let you in (1 admitted so far).',
    {
      timeout: 30_000,
    },
  );
}

test('three runners hold an election through their dashboards, to a verified result', async ({ browser }) => {
  const alice = await open(browser, 'alice');
  const bob = await open(browser, 'bob');
  const carol = await open(browser, 'carol');

  let invitation = '';
  await test.step('alice opens a lobby with the form', async () => {
    await alice.getByRole('button', { name: /Start a new election/ }).click();
    await alice.getByLabel('Title').fill('Team lunch');
    await alice.getByLabel('Question', { exact: true }).fill('Pizza on Friday?');
    await alice.getByLabel('Key holders', { exact: true }).fill('2');
    await alice.getByLabel('Blocks to choose key holders', { exact: true }).fill('6');
    await alice.getByLabel('Blocks for voting', { exact: true }).fill('12');
    await alice.getByLabel('Blocks after voting', { exact: true }).fill('1');
    // About 2^20 hashes a block: a fraction of a second for three miners, so the phases can be seen.
    await alice.getByLabel('Work per block', { exact: true }).fill('2^20');
    await alice.getByLabel('Your name').fill('alice');
    await alice.getByRole('radio', { name: 'Yes', exact: true }).check();
    await alice.getByRole('radio', { name: 'One vote per block found' }).check();
    await alice.screenshot({ path: `${artifacts}live-1-create.png`, fullPage: true });
    await alice.getByRole('button', { name: 'Open the lobby' }).click();
    await expect(alice.getByRole('heading', { level: 1, name: 'Team lunch' })).toBeVisible({
      timeout: 30_000,
    });
    invitation = (await alice.locator('.invitation-link').textContent()) ?? '';
    expect(invitation).toMatch(/^onion-election:\/\/join\/127\.0\.0\.1:\d+$/);
  });

  await test.step('bob and carol ask to join with alice’s invitation', async () => {
    await askToJoin(bob, 'bob', invitation);
    await askToJoin(carol, 'carol', invitation);
  });

  await test.step('alice admits them and starts; everyone runs the election', async () => {
    for (const name of ['bob', 'carol'] as const)
      await alice.getByRole('button', { name: `Admit ${name}` }).click({ timeout: 20_000 });
    await expect(bob.locator('.lobby-status')).toHaveText(/You’re in: waiting for alice to start/, {
      timeout: 20_000,
    });
    await alice.screenshot({ path: `${artifacts}live-2-lobby.png`, fullPage: true });
    await alice.getByRole('button', { name: 'Start the election' }).click();
    // The election's own header (the lobby's heading has the same title): every runner running it.
    for (const page of [alice, bob, carol])
      await expect(page.locator('.election-header h1')).toHaveText('Team lunch', { timeout: 60_000 });
    for (const page of [alice, bob, carol])
      await expect(page.getByRole('switch', { name: 'Mining' })).toHaveAttribute('aria-checked', 'false', {
        timeout: 30_000,
      });
    await bob.screenshot({ path: `${artifacts}live-2-joined.png`, fullPage: true });
  });

  await test.step('alice adds both as peers with the form', async () => {
    const peers = [await addressOf(bob), await addressOf(carol)];
    await alice.getByLabel('Add peers').fill(peers.join('\n'));
    await alice.getByRole('button', { name: 'Add', exact: true }).click();
    for (const peer of peers) await expect(alice.locator('.peer-address', { hasText: peer })).toBeVisible();
    // Reached by the next sync round.
    await expect(alice.locator('.peer-list .peer-state').getByText('reachable', { exact: true })).toHaveCount(
      2,
      {
        timeout: 20_000,
      },
    );
  });

  await test.step('everyone mines; the phases advance', async () => {
    for (const page of [alice, bob, carol]) {
      await page.getByRole('switch', { name: 'Mining' }).click();
      await expect(page.getByRole('switch', { name: 'Mining' })).toHaveAttribute('aria-checked', 'true');
    }
    const current = alice.locator('.phases .phase.current');
    await expect(current).toContainText('Voting', { timeout: 90_000 });
    await alice.screenshot({ path: `${artifacts}live-3-voting.png`, fullPage: true });
  });

  await test.step('every dashboard shows the same verified result', async () => {
    const results: string[] = [];
    for (const [name, page] of [
      ['alice', alice],
      ['bob', bob],
      ['carol', carol],
    ] as const) {
      await expect(page.getByText('Verified ✓', { exact: true })).toBeVisible({ timeout: 150_000 });
      await expect(page.getByText('Final at height 19: the tally is fixed.')).toBeVisible();
      const tally = ((await page.locator('.tally').textContent()) ?? '').replace(/\s+/g, ' ');
      results.push(tally);
      await page.screenshot({ path: `${artifacts}live-4-result-${name}.png`, fullPage: true });
    }
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
    // Every ballot was mined by one of the three, each with a verified proof.
    await expect(alice.locator('.ballots-card')).toContainText('12 on the best chain');
    await expect(alice.getByText('12 ballots counted')).toBeVisible();
    // Blocks by more than one miner: this was the three runners' election, not alice's alone.
    const miners = new Set(await alice.locator('.ballots-card tr.vrow td:nth-child(3)').allInnerTexts());
    expect(miners.size).toBeGreaterThan(1);
  });
});
