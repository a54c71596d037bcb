import { expect, type Page, test } from '@playwright/test';
import type { DashboardServer } from '../main/app/dashboard-server';
import { onionAddressFromPublicKey } from '../main/net/address';
import { artifacts, collectErrors as pageErrors, syntheticDashboards } from './support/dashboard-page';
import {
  createSyntheticEngine,
  SYNTHETIC_LOBBY,
  SYNTHETIC_UNREACHABLE,
  type SyntheticEngine,
} from './support/synthetic-engine';

const { serve } = syntheticDashboards();
/** Console errors and uncaught exceptions; a refused request's HTTP 400 is expected where a test asks for one. */
const collectErrors = (page: Page) => pageErrors(page, { allow400: true });

/** Full-page screenshots at 1280 and 480 px, light and dark; nothing wider than the narrow screen. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: `${artifacts}voter-${name}-1280-${scheme}.png`, fullPage: true });
    await page.setViewportSize({ width: 480, height: 900 });
    await page.screenshot({ path: `${artifacts}voter-${name}-480-${scheme}.png`, fullPage: true });
    await page.screenshot({ path: `${artifacts}voter-${name}-480-${scheme}-top.png` });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(480);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });
}

test.describe('the first run', () => {
  let engine: SyntheticEngine;
  let server: DashboardServer;
  test.beforeEach(async () => {
    engine = createSyntheticEngine({ stage: 'setup' });
    server = await serve(engine);
  });

  test('joining: no vote or name chosen for the person; Join waits for both and says why', async ({
    page,
  }) => {
    const errors = collectErrors(page);
    await page.goto(server.url);
    await page.getByRole('button', { name: /Join an election/ }).click();
    await page.getByLabel('Invitation link or address').fill('127.0.0.1:7001');
    await page.getByRole('button', { name: 'Look up' }).click();
    const join = page.getByRole('button', { name: 'Join this election' });
    await expect(join).toBeVisible();

    // Nothing preselected: neither a vote (Abstain included) nor a name.
    const vote = page.getByRole('group', { name: /Your vote/ });
    for (const option of ['Yes', 'No', 'Abstain']) {
      await expect(vote.getByRole('radio', { name: option, exact: true })).not.toBeChecked();
      await expect(vote.getByRole('radio', { name: option, exact: true })).toHaveAttribute('required', '');
    }
    await expect(vote).toContainText(engine.remoteElection.question);
    await expect(page.getByLabel('Your name')).toHaveValue('');
    await expect(join).toBeDisabled();
    const status = page.locator('form.join .form-status');
    await expect(status).toHaveText('To join, choose your vote and give your name.');
    await shoot(page, 'join-required');

    await vote.getByRole('radio', { name: 'Abstain', exact: true }).check();
    await expect(status).toHaveText('To join, give your name.');
    await expect(join).toBeDisabled();
    // A name left empty says so at the field, once the person has been there.
    await page.getByLabel('Your name').focus();
    await page.getByLabel('Your name').blur();
    await expect(page.getByText('Required: the name the others see (a nickname will do).')).toBeVisible();
    await page.getByLabel('Your name').fill('zoe');
    await expect(status).toHaveText('');
    await expect(join).toBeEnabled();
    await join.click();
    // Abstain is sent as no vote.
    expect(engine.calls.at(-1)).toEqual({
      name: 'joinElection',
      args: [{ peer: '127.0.0.1:7001', electionId: engine.remoteElection.id, name: 'zoe', vote: null }],
    });
    expect(errors).toEqual([]);
  });

  test('asking to join a lobby: the vote first, then the name', async ({ page }) => {
    await page.goto(server.url);
    await page.getByRole('button', { name: /Join an election/ }).click();
    await page.getByLabel('Invitation link or address').fill(SYNTHETIC_LOBBY);
    await page.getByRole('button', { name: 'Look up' }).click();
    const ask = page.getByRole('button', { name: 'Ask to join' });
    await page.getByLabel('Your name').fill('zoe');
    await expect(ask).toBeDisabled();
    await expect(page.locator('form.join .form-status')).toHaveText(
      'To join, choose your vote: Yes, No or Abstain.',
    );
    await page.getByRole('radio', { name: 'Yes', exact: true }).check();
    await ask.click();
    expect(engine.calls.at(-1)).toEqual({
      name: 'joinElection',
      args: [{ peer: SYNTHETIC_LOBBY, electionId: '', name: 'zoe', vote: 'yes' }],
    });
  });

  test('a pasted address is cleaned up; an unreachable one is said in one sentence, details behind', async ({
    page,
  }) => {
    await page.goto(server.url);
    await page.getByRole('button', { name: /Join an election/ }).click();
    const field = page.getByLabel('Invitation link or address');
    const error = page.locator('.lookup .field-error');
    const lookUp = page.getByRole('button', { name: 'Look up' });

    await field.fill('not an address');
    await expect(error).toHaveText(/^That is not an address: paste the invitation link, or an address/);
    await expect(lookUp).toBeDisabled();

    // http://….onion/ with spaces around, and an onion with :80: both taken, as the engine takes them.
    const onion = onionAddressFromPublicKey(new Uint8Array(32).fill(9));
    for (const text of [`  http://${onion}/  `, `${onion}:80`, `HTTP://${onion.toUpperCase()}/join`]) {
      await field.fill(text);
      await expect(error).toHaveText('');
      await expect(lookUp).toBeEnabled();
    }

    await field.fill(SYNTHETIC_UNREACHABLE);
    await lookUp.click();
    await expect(error).toHaveText(
      'Nothing answered at that address. Check the address, and that the runner there is running.',
    );
    const details = page.locator('.lookup .error-details');
    await expect(details.locator('p')).toBeHidden();
    await details.getByText('Details').click();
    await expect(details).toContainText(
      `No peer gave a valid genesis (${SYNTHETIC_UNREACHABLE}: genesis ${SYNTHETIC_UNREACHABLE}: connection refused`,
    );
    await shoot(page, 'join-unreachable');
  });

  test('a new election: plain labels, work per block as 2^N, the vote and name required, its length estimated', async ({
    page,
  }) => {
    const errors = collectErrors(page);
    await page.goto(server.url);
    await page.getByRole('button', { name: /Start a new election/ }).click();
    const submit = page.getByRole('button', { name: 'Open the lobby' });
    await page.getByLabel('Title').fill('Lunch');
    await page.getByLabel('Question', { exact: true }).fill('Pizza on Friday?');

    for (const label of [
      'Key holders',
      'Key holders needed',
      'Blocks to choose key holders',
      'Blocks for key backups',
      'Blocks for voting',
      'Blocks after voting',
    ])
      await expect(page.getByLabel(label, { exact: true })).toBeVisible();
    const work = page.getByLabel('Work per block', { exact: true });
    await expect(work).toHaveValue('2^26');

    // What the field takes, said when it refuses.
    await work.fill('2^99');
    await work.blur();
    await expect(
      page.getByText('2^99 is more work than allowed: at most 2^34 (17,179,869,184).'),
    ).toBeVisible();
    await work.fill('lots');
    await expect(
      page.getByText(
        'Not a number: type a whole number from 1 to 2^34 (17,179,869,184), like 65536 or 2^16.',
      ),
    ).toBeVisible();
    await page.getByRole('button', { name: 'Test (instant)' }).click();
    await expect(work).toHaveValue('1');
    await expect(page.locator('.difficulty .field-hint')).toContainText('One try per block');
    await page.getByRole('button', { name: 'Quick ≈ 2^16' }).click();
    await expect(work).toHaveValue('2^16');
    await expect(page.getByRole('button', { name: 'Quick ≈ 2^16' })).toHaveAttribute('aria-pressed', 'true');

    // The estimate: 3 key holders, so 3 computers like this one (1.5 MH/s a thread, 2 threads):
    // 34 blocks (with the key ceremony's 6, any 2 of 3 decrypting) × (2^26 / 9 MH/s + 2 s) ≈ 321 s.
    await work.fill('2^26');
    const estimate = page.locator('.election-length');
    await expect(estimate).toContainText(
      'How long it takes: about 5 minutes with 3 computers like yours (the fewest that can run it: one per key holder)',
    );
    await estimate.getByText('How this is worked out').click();
    await expect(estimate).toContainText(
      'This computer makes about 3.00 MH/s (tries a second) with its 2 mining threads',
    );
    await expect(estimate).toContainText('Alone it would take about 14 minutes');
    // One key holder: no backups to exchange, 28 blocks.
    await page.getByLabel('Key holders', { exact: true }).fill('1');
    await expect(estimate).toContainText('about 11 minutes with your computer alone');

    // No vote and no name chosen for the organizer: the button waits, and says for what.
    await expect(page.getByLabel('Your name')).toHaveValue('');
    for (const option of ['Yes', 'No', 'Abstain'])
      await expect(page.getByRole('radio', { name: option, exact: true })).not.toBeChecked();
    await expect(submit).toBeDisabled();
    await expect(page.locator('form[aria-labelledby="new-election-heading"] .form-status')).toHaveText(
      'Still needed: your vote and your name.',
    );
    await shoot(page, 'new-election');
    await page.getByRole('radio', { name: 'No', exact: true }).check();
    await expect(page.locator('form[aria-labelledby="new-election-heading"] .form-status')).toHaveText(
      'Still needed: your name.',
    );
    await page.getByLabel('Your name').fill('olga');
    await expect(submit).toBeEnabled();
    await submit.click();
    await expect(page.getByRole('heading', { level: 1, name: 'Lunch' })).toBeVisible();
    expect(engine.calls.find((c) => c.name === 'createElection')?.args[0]).toMatchObject({
      nTalliers: 1,
      difficulty: 2 ** 26,
      name: 'olga',
      vote: 'no',
    });
    expect(errors).toEqual([]);
  });
});

test.describe('the running election', () => {
  test('key election under way: "leading", not "elected"; the vote on top of a narrow screen', async ({
    page,
  }) => {
    // Height 6 of 12 key blocks.
    const engine = createSyntheticEngine({ blocks: 6, heightsLeft: 40 });
    const server = await serve(engine);
    const errors = collectErrors(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(server.url);
    const candidates = page.locator('table.candidates');
    await expect(candidates.locator('tbody tr.leading')).toHaveCount(3);
    await expect(candidates.locator('tbody tr.elected')).toHaveCount(0);
    await expect(candidates.locator('.badge', { hasText: /^leading$/ })).toHaveCount(3);
    await expect(candidates.getByText('elected', { exact: true })).toHaveCount(0);
    await expect(candidates.locator('.reason-row').first()).toHaveText(/^leading: \d+ appearances?/);
    await expect(page.locator('.candidates-note')).toContainText('block 6 of 12');

    // The vote: at the top of the right column on a wide screen, first of all on a narrow one.
    const vote = page.locator('.vote-card');
    await expect(vote.getByRole('radio', { name: 'Yes', exact: true })).toBeChecked();
    await expect(vote.getByRole('radio', { name: 'Yes', exact: true })).toBeEnabled();
    const wide = await vote.boundingBox();
    const mining = await page.locator('.mining-card').boundingBox();
    expect(wide!.y).toBeLessThan(mining!.y);
    expect(wide!.x).toBeGreaterThan(640);
    await page.setViewportSize({ width: 480, height: 900 });
    const narrow = await vote.boundingBox();
    const progress = await page.locator('.phase-card').boundingBox();
    expect(narrow!.y).toBeLessThan(progress!.y);
    expect(narrow!.y).toBeLessThan(900);
    await vote.getByRole('radio', { name: 'Abstain', exact: true }).check();
    await expect.poll(() => engine.snapshot().state.settings.vote).toBe(null);
    await expect(page.locator('.receipts-card')).toContainText('You abstain: no ballot is cast.');

    // Every runner's speed together, from the pace of the blocks (2^16 per ~30 s).
    await expect(page.locator('.mining-card')).toContainText('all runners');

    // The explanation of privacy, opened from the vote.
    await vote.getByText('How your vote stays private').click();
    await expect(vote).toContainText('only the total is unlocked');
    await expect(vote).toContainText('which runner found each voting block');
    await shoot(page, 'key-election');

    // The key election completes: "elected".
    for (let i = 0; i < 6; i++) engine.addBlock();
    await expect(candidates.locator('tbody tr.elected')).toHaveCount(3);
    await expect(candidates.locator('.badge', { hasText: /^elected$/ })).toHaveCount(3);
    await expect(page.locator('.candidates-note')).toHaveCount(0);
    expect(errors).toEqual([]);
  });

  test('once final: the vote locked, mining done, neutral bars, what Verified means', async ({ page }) => {
    const engine = createSyntheticEngine({ blocks: 300, ballotRule: 'per-voter' });
    const server = await serve(engine);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(server.url);
    const vote = page.locator('.vote-card');
    await expect(vote.getByRole('radio', { name: 'Yes', exact: true })).toBeDisabled();
    await expect(vote).toContainText('Voting has ended: your vote can no longer change.');
    await expect(vote.getByText('How your vote stays private')).toBeVisible();
    await vote.getByText('How your vote stays private').click();
    await expect(vote).toContainText('whether you voted, never how');

    const mining = page.locator('.mining-card');
    await expect(mining.getByRole('switch')).toHaveCount(0);
    await expect(mining).toContainText('Done');
    await expect(mining).toContainText('The chain is complete: nothing is left to mine.');
    await expect(mining).not.toContainText('H/s');

    // The election id in full, grouped as on the join screen.
    await expect(page.locator('.election-header .id-grouped')).toHaveText(/^([0-9a-f]{8} ){7}[0-9a-f]{8}$/);

    const result = page.locator('.result-card');
    await expect(result.getByText('Verified ✓', { exact: true })).toBeVisible();
    // One colour for both answers, and the tally said once.
    const fills = await result
      .locator('.tally .bar-fill')
      .evaluateAll((bars) => bars.map((bar) => getComputedStyle(bar).backgroundColor));
    expect(fills).toHaveLength(2);
    expect(fills[0]).toBe(fills[1]);
    await expect(result.locator('.verification-message')).toHaveCount(0);
    await expect(result.getByRole('button', { name: 'Export election record' })).toBeVisible();
    await result.getByText('What “Verified” means').click();
    await expect(result.locator('.verified-explainer pre')).toHaveText('onion-election verify record.json');
    await shoot(page, 'final');

    // Not verified: the export says the record may be incomplete.
    const state = engine.snapshot().state;
    engine.emit({
      type: 'result',
      result: {
        ...state.result!,
        verification: { status: 'incomplete', message: 'factors missing: 1 of 3' },
      },
    });
    await expect(result.getByRole('button', { name: 'Export the record so far' })).toBeVisible();
    await expect(result.locator('.export-note')).toContainText('may be incomplete');
    await expect(result.locator('.verification-message')).toHaveText('factors missing: 1 of 3');
  });

  test('the block details: a one-line hint until a block is chosen', async ({ page }) => {
    const engine = createSyntheticEngine({ blocks: 100 });
    const server = await serve(engine);
    await page.goto(server.url);
    const hint = page.locator('.block-details-hint');
    await expect(hint).toHaveText(/^Select a block/);
    expect((await hint.boundingBox())!.height).toBeLessThan(60);
  });

  test('adding peers: pasted links and URLs are cleaned up to their address', async ({ page }) => {
    const engine = createSyntheticEngine({ blocks: 100, heightsLeft: 20 });
    const server = await serve(engine);
    await page.goto(server.url);
    const onion = onionAddressFromPublicKey(new Uint8Array(32).fill(5));
    const before = engine.snapshot().state.peers.length;
    await page
      .getByLabel('Add peers')
      .fill(` http://${onion}/ \nonion-election://join/127.0.0.1:7005\n${onion}:80`);
    await expect(page.locator('.add-peers .field-error')).toHaveText('');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(page.locator('.peer')).toHaveCount(before + 2);
    expect(engine.calls.filter((c) => c.name === 'addPeer').map((c) => c.args[0])).toEqual([
      onion,
      '127.0.0.1:7005',
    ]);
  });
});
