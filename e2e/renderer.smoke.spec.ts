import { pathToFileURL } from 'node:url';
import { expect, type Page, test } from '@playwright/test';
import { type BlockView, type DashboardState, REQUEST_NAMES } from '../main/api/contract';
import type { DashboardServer } from '../main/app/dashboard-server';
import { artifacts, collectErrors, rendererDir, syntheticDashboards } from './support/dashboard-page';
import { createSyntheticEngine, type SyntheticEngine } from './support/synthetic-engine';

const indexHtml = `${rendererDir}/index.html`;
const { serve } = syntheticDashboards();

/** The oldest block off the best chain. */
function firstSideBlock(state: DashboardState): BlockView {
  const byHash = new Map(state.blocks.map((b) => [b.hash, b]));
  const best = new Set<string>();
  for (let b = byHash.get(state.chain!.tip); b; b = byHash.get(b.prev)) best.add(b.hash);
  return state.blocks.find((b) => !best.has(b.hash))!;
}

const treeRow = (page: Page, height: string) =>
  page
    .locator('.tree-row')
    .filter({ has: page.locator('.tree-height', { hasText: new RegExp(`^${height}$`) }) });

test.describe('the running election', () => {
  let engine: SyntheticEngine;
  let server: DashboardServer;
  test.beforeEach(async () => {
    engine = createSyntheticEngine();
    server = await serve(engine);
  });

  test('shows every part of the dashboard, in light, dark and narrow layouts', async ({ page }) => {
    const errors = collectErrors(page);
    // React's style props go through the CSSOM, which style-src 'self' allows: check none is refused.
    await page.addInitScript(() => {
      const violations: string[] = [];
      Object.assign(window, { violations });
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
    });
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(server.url);
    // The token moved from the address bar to the tab's storage.
    await expect(page.getByRole('heading', { level: 1, name: 'Adopt the four-day week?' })).toBeVisible();
    expect(new URL(page.url()).hash).toBe('');

    const { state } = engine.snapshot();
    await expect(page.getByText(state.self!)).toBeVisible();
    await expect(page.locator('.brand-bar')).toContainText('Tor connected');

    const progress = page.locator('.phase-card');
    for (const phase of ['Key election', 'Voting', 'Confirmations'])
      await expect(progress).toContainText(phase);
    await expect(progress).toContainText(`Final at height ${state.chain!.height.toLocaleString('en')}`);

    // The key election's tie, decided by the tie rule: badged on both sides of it.
    const candidates = page.locator('table.candidates');
    await expect(candidates.locator('tbody tr.elected')).toHaveCount(3);
    await expect(candidates.getByText('tie rule', { exact: true })).toHaveCount(2);
    await expect(candidates.getByText('you', { exact: true })).toHaveCount(1);

    // The tree: newest first, with forks (side blocks greyed in further lanes).
    const tree = page.locator('.tree-card');
    await expect(tree).toContainText('5,000 blocks');
    await expect(tree.locator('.tree-row').first()).toContainText(state.chain!.height.toLocaleString('en'));
    // Virtualised: a few dozen rows in the DOM, not thousands.
    expect(await tree.locator('.tree-row').count()).toBeLessThan(80);
    const side = firstSideBlock(state);
    await tree.locator('.tree-scroll').evaluate(
      (element, top) => {
        element.scrollTop = top;
      },
      (state.chain!.height - side.height - 3) * 40,
    );
    const forkRow = treeRow(page, side.height.toLocaleString('en'));
    await expect(forkRow).toHaveClass(/fork/);
    await forkRow.locator('.block-chip.side').first().click();
    await expect(page.locator('.block-details')).toContainText('side branch');
    await expect(page.locator('.block-details')).toContainText(side.hash);
    await expect(tree.locator('.block-chip.side').first()).toBeVisible();

    const result = page.locator('.result-card');
    await expect(result.getByText('Verified ✓', { exact: true })).toBeVisible();
    await expect(result).toContainText('Yes');
    await expect(result).toContainText(`${state.result!.result!.total.toLocaleString('en')} ballots counted`);
    await expect(result.getByText('verified ✓', { exact: true })).toHaveCount(3);
    // Finality: the seal, a branch that arrived after the result, and this runner's one decryption.
    await expect(result).toContainText(
      'was accepted by every tallier. No branch released later can change this result.',
    );
    await expect(result.locator('.late-branch')).toContainText(
      `A branch that arrived after the result (3 blocks, forked at height ${(state.chain!.height - 3).toLocaleString('en')}`,
    );
    await expect(result.locator('.my-tallier')).toContainText('and will never decrypt another');

    const ballots = page.locator('.ballots-card');
    await expect(ballots).toContainText(`${state.chain!.ballots.toLocaleString('en')} on the best chain`);
    await expect(ballots.getByText('✓ re-verified').first()).toBeVisible();

    // The chain is complete: nothing left to mine, no switch to turn.
    await expect(page.getByRole('switch', { name: 'Mining' })).toHaveCount(0);
    await expect(page.locator('.mining-card')).toContainText(
      'The chain is complete: nothing is left to mine.',
    );
    await expect(page.locator('.peer')).toHaveCount(4);

    await page.screenshot({ path: `${artifacts}dashboard-light.png`, fullPage: true });
    await result.screenshot({ path: `${artifacts}result-card.png` });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${artifacts}dashboard-dark.png`, fullPage: true });
    await page.setViewportSize({ width: 480, height: 900 });
    await page.screenshot({ path: `${artifacts}dashboard-narrow.png`, fullPage: true });
    await result.screenshot({ path: `${artifacts}result-card-narrow.png` });
    // Nothing wider than the narrow screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(480);
    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
    expect(errors).toEqual([]);
  });

  test('is keyboard accessible: the skip link, then a block opened with Enter', async ({ page }) => {
    await page.goto(server.url);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible(); // React has rendered
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press('Enter');
    await expect(page.locator('main')).toBeFocused();

    // The tree is one tab stop: the newest block. Arrow keys move, Enter opens.
    const tip = engine.snapshot().state.chain!.height;
    const tabbable = page.locator('.tree-scroll .block-chip[tabindex="0"]');
    await expect(tabbable).toHaveCount(1);
    await tabbable.focus();
    await page.keyboard.press('ArrowDown');
    const below = (tip - 1).toLocaleString('en');
    await expect(treeRow(page, below).locator('.block-chip').first()).toBeFocused();
    await page.keyboard.press('Enter');
    const details = page.locator('.block-details');
    await expect(details.getByRole('heading', { name: new RegExp(`^Block ${below}`) })).toBeVisible();
    await expect(details).toContainText('best chain');
    await expect(treeRow(page, below).locator('.block-chip.selected')).toHaveCount(1);
  });

  test('sends requests: mining, threads, vote, peers', async ({ page }) => {
    // Still voting: the miner and the vote can change.
    const voting = createSyntheticEngine({ blocks: 100, heightsLeft: 30 });
    const votingServer = await serve(voting);
    await page.goto(votingServer.url);
    await page.getByRole('switch', { name: 'Mining' }).click();
    await expect(page.getByRole('switch', { name: 'Mining' })).toHaveAttribute('aria-checked', 'false');
    await page.getByRole('switch', { name: 'Mining' }).click();
    await expect(page.getByRole('switch', { name: 'Mining' })).toHaveAttribute('aria-checked', 'true');
    await page.getByLabel('threads').selectOption('4');
    await expect(page.getByLabel('threads')).toHaveValue('4');
    await page.getByRole('radio', { name: 'No', exact: true }).check();
    await expect.poll(() => voting.snapshot().state.settings.vote).toBe('no');

    const addPeers = page.getByLabel('Add peers');
    await addPeers.fill('example.com:80');
    await expect(page.locator('.add-peers')).toContainText('That is not an address');
    await expect(page.getByRole('button', { name: 'Add', exact: true })).toBeDisabled();
    await addPeers.fill('127.0.0.1:7005 localhost:7006');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(page.locator('.peer')).toHaveCount(6);
    await page.getByRole('button', { name: 'Remove peer 127.0.0.1:7005' }).click();
    await expect(page.locator('.peer')).toHaveCount(5);

    // The finished election: its record, and the data folder.
    await page.goto(server.url);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export election record' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^election-[0-9a-f]{8}\.json$/);

    await page.getByRole('button', { name: 'Open data folder' }).click();
    await expect(page.locator('.data-folder')).toContainText('No file manager here');
  });
});

test('follows live events, and resyncs after a lost one', async ({ page }) => {
  // An election still voting, so blocks can be added.
  const engine = createSyntheticEngine({ blocks: 1000, heightsLeft: 50 });
  const server = await serve(engine);
  const errors = collectErrors(page);
  await page.goto(server.url);
  const tree = page.locator('.tree-card');
  await expect(tree).toContainText('1,000 blocks');
  const height = engine.snapshot().state.chain!.height;
  engine.addBlock();
  await expect(treeRow(page, (height + 1).toLocaleString('en'))).toBeVisible();
  await expect(tree).toContainText('1,001 blocks');

  // An event lost on the way: the next one shows a gap, and the page loads a new snapshot.
  engine.emit({ type: 'mining', mining: { ...engine.snapshot().state.mining, threads: 5 } }, { lost: true });
  engine.addBlock();
  await expect(tree).toContainText('1,002 blocks');
  await expect(page.getByLabel('threads')).toHaveValue('5');
  expect(errors).toEqual([]);
});

test('says when the connection is lost, and reconnects', async ({ page }) => {
  const engine = createSyntheticEngine({ blocks: 200, heightsLeft: 50 });
  const first = await serve(engine);
  await page.goto(first.url);
  await expect(page.locator('.tree-card')).toContainText('200 blocks');
  await first.close();
  const banner = page.getByText('Connection to the runner lost — reconnecting…');
  await expect(banner).toBeVisible();
  // The runner is back on the same port and token; a block was mined meanwhile.
  engine.addBlock();
  await serve(engine, first);
  await expect(banner).toBeHidden({ timeout: 15_000 });
  await expect(page.locator('.tree-card')).toContainText('201 blocks');
});

test('a failed start: the error, a retry, and tor’s log', async ({ page }) => {
  const engine = createSyntheticEngine({ stage: 'setup' });
  const server = await serve(engine);
  await page.goto(server.url);
  engine.emit({
    type: 'stage',
    stage: 'error',
    error: 'tor did not bootstrap within 5 minutes (Connection refused)',
  });
  await expect(page.getByRole('heading', { level: 1, name: 'The runner could not start' })).toBeVisible();
  await expect(page.getByText('tor did not bootstrap within 5 minutes')).toBeVisible();
  await page.getByText('Show tor log').click();
  await expect(page.getByText('Bootstrapped 100% (done)')).toBeVisible();
  await page.screenshot({ path: `${artifacts}start-error.png`, fullPage: true });
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Starting the runner…' })).toBeVisible();
  expect(engine.calls.map((c) => c.name)).toContain('retry');
});

test.describe('the first run', () => {
  let engine: SyntheticEngine;
  let server: DashboardServer;
  test.beforeEach(async () => {
    engine = createSyntheticEngine({ stage: 'setup' });
    server = await serve(engine);
  });

  test('a new election: inline validation, the server’s refusal at its field, then its lobby', async ({
    page,
  }) => {
    const errors = collectErrors(page);
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.goto(server.url);
    await page.getByRole('button', { name: /Start a new election/ }).click();
    const submit = page.getByRole('button', { name: 'Open the lobby' });
    await expect(submit).toBeDisabled();

    await page.getByLabel('Title').fill('x'.repeat(201));
    await page.getByLabel('Key holders', { exact: true }).fill('0');
    await page.getByLabel('Blocks for voting', { exact: true }).fill('twenty');
    await page.getByLabel('Work per block', { exact: true }).fill(String(2 ** 35));
    await page.getByLabel('Question', { exact: true }).fill('Pizza on Friday?');
    await expect(page.getByText('Too long: 201 bytes of at most 200.')).toBeVisible();
    await expect(page.getByText('Between 1 and 64.')).toBeVisible();
    await expect(page.getByText('A whole number, please.')).toBeVisible();
    await expect(page.getByText('More work than allowed: at most 2^34 (17,179,869,184).')).toBeVisible();
    await expect(page.getByLabel('Key holders', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(submit).toBeDisabled();
    await page.screenshot({ path: `${artifacts}setup-invalid.png`, fullPage: true });

    await page.getByLabel('Title').fill('Lunch');
    await page.getByLabel('Blocks for voting', { exact: true }).fill('20');
    await page.getByRole('button', { name: 'Test (instant)' }).click();
    await expect(page.getByLabel('Work per block', { exact: true })).toHaveValue('1');
    await page.getByRole('radio', { name: 'Yes', exact: true }).check();
    await page.getByLabel('Your name').fill('alice');
    // More talliers than key blocks: fine here, refused by the (synthetic) engine, shown at its field.
    await page.getByLabel('Key holders', { exact: true }).fill('9');
    await expect(submit).toBeEnabled();
    await submit.click();
    await expect(page.getByText('Must be at least the number of talliers')).toBeVisible();
    const keyBlocks = page.getByLabel('Blocks to choose key holders', { exact: true });
    await expect(keyBlocks).toHaveAttribute('aria-invalid', 'true');

    await keyBlocks.fill('12');
    await submit.click();
    // Starting: tor bootstraps (the synthetic engine takes under a second), then the lobby.
    await expect(page.getByRole('heading', { level: 1, name: 'Starting the runner…' })).toBeVisible();
    await expect(page.getByRole('progressbar', { name: 'Connecting to the Tor network' })).toHaveAttribute(
      'aria-valuenow',
      '45',
    );
    await page.screenshot({ path: `${artifacts}starting.png` });
    await expect(page.getByRole('heading', { level: 1, name: 'Lunch' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Invite' })).toBeVisible();
    // The refusal's HTTP 400, which Chromium logs, is the one error expected.
    expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
    expect(engine.calls.at(-1)).toEqual({
      name: 'createElection',
      args: [
        {
          title: 'Lunch',
          question: 'Pizza on Friday?',
          nTalliers: 9,
          // A majority of the 9 key holders, proposed until changed, and the key ceremony's blocks.
          quorum: 5,
          ceremonyBlocks: 6,
          nTalliersBlocks: 12,
          nVoteBlocks: 20,
          confirmations: 2,
          difficulty: 1,
          name: 'alice',
          vote: 'yes',
          ballotRule: 'per-voter',
        },
      ],
    });
  });

  test('joining: look the election up, check it, join it', async ({ page }) => {
    await page.goto(server.url);
    await page.getByRole('button', { name: /Join an election/ }).click();
    const address = page.getByLabel('Invitation link or address');
    await address.fill('abc.onion');
    await expect(page.getByText('An onion address has 56 characters before ".onion", not 3.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Look up' })).toBeDisabled();
    await address.fill('127.0.0.1:7001');
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect(page.getByRole('heading', { name: 'Choose the new meeting room' })).toBeVisible();
    await expect(page.locator('.id-grouped')).toHaveText(/^([0-9a-f]{8} ){7}[0-9a-f]{8}$/);
    await page.screenshot({ path: `${artifacts}setup-join.png`, fullPage: true });
    await page.getByRole('radio', { name: 'No', exact: true }).check();
    await page.getByLabel('Your name').fill('alice');
    await page.getByRole('button', { name: 'Join this election' }).click();
    await expect(page.locator('main')).toContainText(/Opening|Choose the new meeting room/);
    expect(engine.calls.at(-1)?.name).toBe('joinElection');
  });
});

test('without the link’s token, says to open the printed link', async ({ page }) => {
  const server = await serve(createSyntheticEngine({ stage: 'setup' }));
  const errors = collectErrors(page);
  await page.goto(server.url.replace(/#.*/, ''));
  await expect(page.getByRole('heading', { level: 1, name: 'Open the dashboard link' })).toBeVisible();
  await expect(page.getByText('--dashboard')).toBeVisible();
  expect(errors).toEqual([]);
});

test('with a wrong token, says the link is no longer valid', async ({ page }) => {
  const server = await serve(createSyntheticEngine({ stage: 'setup' }));
  await page.goto(server.url.replace(/#token=.*/, '#token=0000'));
  await expect(page.getByRole('heading', { level: 1, name: 'This link is no longer valid' })).toBeVisible();
});

test('loads from file:// as in Electron, within its CSP, and says there is no engine', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(pathToFileURL(indexHtml).href);
  await expect(page.getByRole('heading', { level: 1, name: 'No election engine here' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('in the desktop app’s shape: the preload’s API on a file:// page', async ({ page }) => {
  // window.onionElection as electron/preload.ts exposes it, here bridged to a synthetic engine in
  // this process (the Electron binary is not needed): requests go out, events come in.
  const engine = createSyntheticEngine({ blocks: 300, heightsLeft: 50 });
  const errors = collectErrors(page);
  await page.exposeFunction('engineCall', (name: string, args: unknown[]) => engine.call(name, args));
  await page.addInitScript((names) => {
    const listeners = new Set<(event: unknown) => void>();
    const bridge = window as unknown as { engineCall(name: string, args: unknown[]): Promise<unknown> };
    Object.assign(window, {
      onionElection: {
        ...Object.fromEntries(
          names.map((name) => [name, (...args: unknown[]) => bridge.engineCall(name, args)]),
        ),
        version: async () => '0.1.0',
        onEvent(listener: (event: unknown) => void) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
      engineEvent(event: unknown) {
        for (const listener of listeners) listener(event);
      },
    });
  }, REQUEST_NAMES);
  engine.onEvent((event) => {
    void page.evaluate((e) => (window as unknown as { engineEvent(e: unknown): void }).engineEvent(e), event);
  });
  await page.goto(pathToFileURL(indexHtml).href);
  const tree = page.locator('.tree-card');
  await expect(tree).toContainText('300 blocks');
  engine.addBlock();
  await expect(tree).toContainText('301 blocks');
  // A lost event: the store asks the preload's API for a new snapshot.
  engine.emit({ type: 'mining', mining: { ...engine.snapshot().state.mining, threads: 6 } }, { lost: true });
  engine.addBlock();
  await expect(tree).toContainText('302 blocks');
  await expect(page.getByLabel('threads')).toHaveValue('6');
  await page.getByRole('switch', { name: 'Mining' }).click();
  await expect(page.getByRole('switch', { name: 'Mining' })).toHaveAttribute('aria-checked', 'false');
  expect(errors).toEqual([]);
});

test('its Content-Security-Policy blocks inline scripts', async ({ page }) => {
  await page.goto(pathToFileURL(indexHtml).href);
  const violated = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        document.addEventListener('securitypolicyviolation', (event) => resolve(event.effectiveDirective));
        const script = document.createElement('script');
        script.textContent = 'document.title = "pwned"';
        document.head.append(script);
      }),
  );
  expect(violated).toBe('script-src-elem');
  await expect(page).toHaveTitle('Onion Election');
});
