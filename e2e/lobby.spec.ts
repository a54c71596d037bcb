import { expect, type Locator, type Page, test } from '@playwright/test';
import qrcode from 'qrcode-generator';
import type { LobbyView, ReceiptView } from '../main/api/contract';
import type { DashboardServer } from '../main/app/dashboard-server';
import { artifacts, collectErrors as pageErrors, syntheticDashboards } from './support/dashboard-page';
import {
  createSyntheticEngine,
  SYNTHETIC_LOBBY,
  SYNTHETIC_LOBBY_PREVIEW,
  type SyntheticEngine,
} from './support/synthetic-engine';

const { serve } = syntheticDashboards();
/** Console errors and uncaught exceptions; a refused request's HTTP 400 is expected where a test asks for one. */
const collectErrors = (page: Page) => pageErrors(page, { allow400: true });

/** Full-page screenshots at 1280 and 480 px wide; nothing may be wider than the narrow screen. */
async function shoot(page: Page, name: string, { dark = false } = {}): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${artifacts}lobby-${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 480, height: 900 });
  await page.screenshot({ path: `${artifacts}lobby-${name}-480.png`, fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(480);
  if (dark) {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${artifacts}lobby-${name}-480-dark.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: `${artifacts}lobby-${name}-1280-dark.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** The modules an SVG path of 1×1 squares draws, as "x,y" (the QrCode component's drawing). */
function drawnModules(d: string): Set<string> {
  return new Set([...d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`));
}

/** The dark modules of `text`'s QR code (byte mode, level M), offset by the 4-module quiet zone. */
function expectedModules(text: string): Set<string> {
  const code = qrcode(0, 'M');
  code.addData(text, 'Byte');
  code.make();
  const dark = new Set<string>();
  for (let row = 0; row < code.getModuleCount(); row++)
    for (let col = 0; col < code.getModuleCount(); col++)
      if (code.isDark(row, col)) dark.add(`${col + 4},${row + 4}`);
  return dark;
}

function lobbyOf(engine: SyntheticEngine): LobbyView {
  const lobby = engine.snapshot().state.lobby;
  if (!lobby) throw new Error('no lobby');
  return lobby;
}

const participant = (page: Page, name: string): Locator =>
  page
    .locator('.participant')
    .filter({ has: page.locator('.participant-name', { hasText: new RegExp(`^${name}`) }) });

/** Opens the new-election form and fills it in (3 talliers, instant difficulty). */
async function fillNewElection(page: Page, title = 'Bike shed colour'): Promise<void> {
  await page.getByRole('button', { name: /Start a new election/ }).click();
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Question', { exact: true }).fill('Should the bike shed be painted green?');
  await page.getByLabel('Key holders', { exact: true }).fill('3');
  await page.getByRole('button', { name: 'Test (instant)' }).click();
  await page.getByRole('radio', { name: 'Yes', exact: true }).check();
  await page.getByLabel('Your name').fill('alice');
}

test.describe('the organizer', () => {
  let engine: SyntheticEngine;
  let server: DashboardServer;
  test.beforeEach(async () => {
    engine = createSyntheticEngine({ stage: 'setup' });
    server = await serve(engine);
  });

  test('chooses the ballot rule, opens a lobby, admits and refuses, and starts', async ({ page }) => {
    const errors = collectErrors(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(server.url);
    await fillNewElection(page);

    // The rule: a required choice, one vote per person proposed, each option with its sentence.
    const perVoter = page.getByRole('radio', { name: 'One vote per person' });
    const perBlock = page.getByRole('radio', { name: 'One vote per block found' });
    await expect(perVoter).toBeChecked();
    await expect(perVoter).toHaveAttribute('required', '');
    await expect(perVoter).toHaveAccessibleDescription(
      'One vote per person: everyone you admit votes once; their last choice counts.',
    );
    await expect(perBlock).toHaveAccessibleDescription(
      'One vote per block found: each block mined while voting carries its finder’s ballot, so more computing power casts more ballots.',
    );
    await expect(
      page.getByText('Voting stays open while these are found; each carries up to 8 ballots.'),
    ).toBeVisible();
    await perBlock.check();
    await expect(page.getByText('Each carries one ballot: at most this many ballots in all.')).toBeVisible();
    await perVoter.check();
    await shoot(page, 'new-election', { dark: true });

    await page.getByRole('button', { name: 'Open the lobby' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Bike shed colour' })).toBeVisible();
    expect(engine.calls.find((c) => c.name === 'createElection')?.args[0]).toMatchObject({
      title: 'Bike shed colour',
      nTalliers: 3,
      ballotRule: 'per-voter',
    });
    await expect(page.locator('.lobby-rule')).toHaveText(
      'One vote per person: everyone you admit votes once; their last choice counts.',
    );

    // The invitation: the link to send, copied whole, and a QR code of exactly that link.
    const invitation = lobbyOf(engine).invitation!;
    expect(invitation).toMatch(/^onion-election:\/\/join\/[a-z2-7]{56}\.onion$/);
    await expect(page.getByText('Send this link to the people who will vote.')).toBeVisible();
    await expect(page.locator('.invitation-link')).toHaveText(invitation);
    const qr = page.getByRole('img', { name: 'QR code of the invitation link' });
    await expect(qr).toBeVisible();
    const drawn = drawnModules((await qr.locator('path').getAttribute('d')) ?? '');
    expect(drawn).toEqual(expectedModules(invitation));
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('button', { name: 'Copy the invitation link' }).click();
    await expect(page.locator('.invite-card').getByText('Copied ✓')).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(invitation);

    // Alone, with three tallier seats: Start is disabled, the reason beside it.
    const start = page.getByRole('button', { name: 'Start the election' });
    await expect(start).toBeDisabled();
    await expect(start).toHaveAccessibleDescription(
      'Can’t start yet: 3 tallier seats but only 1 admitted runner: admit more, or lower the seats.',
    );

    // Bob and Carol ask (the synthetic engine's invitees), then a runner nobody invited.
    await expect(participant(page, 'bob').getByRole('button', { name: 'Admit bob' })).toBeVisible();
    await expect(participant(page, 'bob')).toContainText('online');
    await expect(participant(page, 'carol')).toContainText('offline');
    const strangerId = engine.askToJoin('unknown-laptop');
    const stranger = participant(page, 'unknown-laptop');
    await expect(stranger.getByRole('button', { name: 'Admit unknown-laptop' })).toBeVisible();
    await expect(page.locator('.participants-card .card-head')).toContainText(
      '1 admitted, 1 online · 3 waiting for your answer',
    );
    await shoot(page, 'organizer', { dark: true });

    await stranger.getByRole('button', { name: 'Refuse unknown-laptop' }).click();
    await expect(stranger.locator('.badge')).toHaveText('refused');
    await expect(stranger).toBeFocused(); // the keyboard keeps its place on the row
    expect(engine.calls.filter((c) => c.name === 'refuseJoiner').map((c) => c.args)).toEqual([[strangerId]]);

    await participant(page, 'bob').getByRole('button', { name: 'Admit bob' }).click();
    await expect(participant(page, 'bob').locator('.badge')).toHaveText('admitted');
    await expect(page.locator('.participants-card .card-head')).toContainText('2 admitted, 2 online');
    await expect(start).toHaveAccessibleDescription(
      'Can’t start yet: 3 tallier seats but only 2 admitted runners: admit more, or lower the seats.',
    );

    // A view that says nothing against starting while the engine still refuses (a stale view): the
    // engine's refusal shows beside the button.
    const { startProblem: _, ...noProblem } = lobbyOf(engine);
    engine.emit({ type: 'lobby', lobby: noProblem });
    await expect(start).toBeEnabled();
    await start.click();
    await expect(page.locator('.start-problem')).toHaveText(
      'Cannot start yet: 3 tallier seats but only 2 admitted runners: admit more, or lower the seats',
    );

    await participant(page, 'carol').getByRole('button', { name: 'Admit carol' }).click();
    await expect(page.locator('.participants-card .card-head')).toContainText('3 admitted, 2 online');
    await expect(page.locator('.start-problem')).toHaveText('Ready: 3 people take part.');
    await start.click();
    await expect(page.getByRole('heading', { level: 1, name: 'Bike shed colour' })).toBeVisible();
    await expect(page.locator('.election-header')).toContainText('One vote per person 3 registered voters');
    await expect(page.getByRole('switch', { name: 'Mining' })).toBeVisible();
    expect(errors).toEqual([]);
  });

  test('closes the lobby only after a confirm', async ({ page }) => {
    await page.goto(server.url);
    await fillNewElection(page);
    await page.getByRole('button', { name: 'Open the lobby' }).click();
    const close = page.getByRole('button', { name: 'Close the lobby…' });
    await close.click();
    const confirm = page.getByRole('button', { name: 'Close the lobby', exact: true });
    await expect(confirm).toBeFocused();
    await expect(
      page.getByRole('group', { name: /Close the lobby\? The requests are forgotten/ }),
    ).toBeVisible();
    await page.getByRole('button', { name: 'Keep it open' }).click();
    await expect(close).toBeFocused();
    expect(engine.calls.map((c) => c.name)).not.toContain('leaveLobby');
    await close.click();
    await confirm.click();
    await expect(page.getByRole('heading', { level: 1, name: 'Hold an election among peers' })).toBeVisible();
    expect(engine.calls.map((c) => c.name)).toContain('leaveLobby');
  });
});

test.describe('a joiner', () => {
  let engine: SyntheticEngine;
  let server: DashboardServer;
  test.beforeEach(async () => {
    engine = createSyntheticEngine({ stage: 'setup' });
    server = await serve(engine);
  });

  /** Pastes `text` into the focused field, as Ctrl+V would (a paste event with the clipboard's text). */
  async function paste(field: Locator, text: string): Promise<void> {
    await field.focus();
    await field.evaluate((element, pasted) => {
      const data = new DataTransfer();
      data.setData('text/plain', pasted);
      element.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    }, text);
  }

  test('pastes an invitation, asks to join, waits, is admitted, and the election starts', async ({
    page,
  }) => {
    const errors = collectErrors(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(server.url);
    await page.getByRole('button', { name: /Join an election/ }).click();
    const field = page.getByLabel('Invitation link or address');
    const link = `  onion-election://join/${SYNTHETIC_LOBBY}\n`;
    await paste(field, link);
    // Filled in (trimmed) and looked up at once: the lobby, to check before asking.
    await expect(field).toHaveValue(link.trim());
    const summary = page.locator('.lobby-summary');
    await expect(summary.getByRole('heading', { name: SYNTHETIC_LOBBY_PREVIEW.title })).toBeVisible();
    await expect(summary).toContainText(SYNTHETIC_LOBBY_PREVIEW.question);
    await expect(summary).toContainText('One vote per person: everyone the organizer admits votes once');
    await expect(summary).toContainText('dana');
    await expect(summary).toContainText('3 admitted so far');
    expect(engine.calls.filter((c) => c.name === 'previewJoin').map((c) => c.args)).toEqual([[link.trim()]]);
    await shoot(page, 'join-preview');

    await page.getByRole('radio', { name: 'No', exact: true }).check();
    await page.getByLabel('Your name').fill('alice');
    await page.getByRole('button', { name: 'Ask to join' }).click();
    // The click returns before its request reaches the engine: wait for the call.
    await expect
      .poll(() => engine.calls.at(-1))
      .toEqual({
        name: 'joinElection',
        args: [{ peer: SYNTHETIC_LOBBY, electionId: '', name: 'alice', vote: 'no' }],
      });
    const status = page.locator('.lobby-status');
    await expect(page.getByRole('heading', { level: 1, name: SYNTHETIC_LOBBY_PREVIEW.title })).toBeVisible();
    await expect(status).toHaveText(/Asking dana…|Waiting for dana/);
    await expect(status).toHaveText('Waiting for dana to let you in (3 admitted so far).');
    await expect(status).toHaveAttribute('role', 'status');

    // The organizer cannot be reached for a while: said calmly, and the wait goes on.
    engine.joinerUpdate({ unreachable: 'connect ECONNREFUSED 127.0.0.1:7100' });
    await expect(page.getByRole('note')).toContainText('Can’t reach the organizer right now; still trying.');
    await shoot(page, 'joiner-waiting', { dark: true });
    engine.joinerUpdate({ unreachable: null });
    await expect(page.getByRole('note')).toBeHidden();

    engine.joinerUpdate({
      status: 'admitted',
      admitted: 4,
      participants: ['dana', 'erin', 'frank', 'alice'],
    });
    await expect(status).toHaveText('You’re in: waiting for dana to start (4 admitted).');
    const inList = page.locator('.participants-card');
    await expect(inList.locator('.participant-name')).toHaveText(['danaorganizer', 'erin', 'frank', 'alice']);
    await shoot(page, 'joiner-admitted');

    // Started with this joiner in: its runner fetches the election (the organizer's runner may not
    // serve it for a moment), said as a wait, the people still listed.
    engine.joinerUpdate({ status: 'starting' });
    await expect(status).toHaveText('dana started the election: joining it…');
    await expect(inList.locator('.participant-name')).toHaveCount(4);
    engine.organizerStarts();
    await expect(page.locator('.election-header')).toContainText('One vote per person 4 registered voters');
    await expect(page.getByRole('switch', { name: 'Mining' })).toBeVisible();
    expect(errors).toEqual([]);
  });

  test('refused: says so, and goes back to the start', async ({ page }) => {
    await page.goto(server.url);
    await page.getByRole('button', { name: /Join an election/ }).click();
    await page.getByLabel('Invitation link or address').fill(SYNTHETIC_LOBBY);
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('radio', { name: 'Abstain', exact: true }).check();
    await page.getByLabel('Your name').fill('alice');
    await page.getByRole('button', { name: 'Ask to join' }).click();
    await expect(page.locator('.lobby-status')).toHaveText(/Waiting for dana/);
    engine.joinerUpdate({ status: 'refused' });
    await expect(page.locator('.lobby-status')).toHaveText('dana did not admit you.');
    await page.getByRole('button', { name: 'Back to the start' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Hold an election among peers' })).toBeVisible();
  });

  test('invitation links: checked as typed; one naming another election is refused by the engine', async ({
    page,
  }) => {
    await page.goto(server.url);
    await page.getByRole('button', { name: /Join an election/ }).click();
    const field = page.getByLabel('Invitation link or address');
    const lookUp = page.getByRole('button', { name: 'Look up' });
    const error = page.locator('.lookup .field-error');

    await field.fill('onion-election://join/abc.onion');
    await expect(error).toHaveText(
      'The link’s address: an onion address has 56 characters before ".onion", not 3.',
    );
    await expect(lookUp).toBeDisabled();
    await field.fill(`onion-election://join/${SYNTHETIC_LOBBY}?election=XYZ`);
    await expect(error).toHaveText(
      'The link names an election id that is not 64 lowercase hex digits: copy it again.',
    );
    await field.fill('ftp://127.0.0.1:7001/');
    await expect(error).toHaveText(
      'An onion-election:// link, an http:// address or a bare address, please.',
    );
    await field.fill('http://127.0.0.1:7001/some/page');
    await expect(error).toHaveText('');
    await expect(lookUp).toBeEnabled();

    // The link names an election the peer does not serve: the engine's refusal, under the field.
    const wrong = 'ab'.repeat(32);
    await field.fill(`onion-election://join/127.0.0.1:7001?election=${wrong}`);
    await lookUp.click();
    const served = engine.remoteElection.id;
    await expect(error).toHaveText(
      `127.0.0.1:7001 now serves another election (${served.slice(0, 16)}…): not joined`,
    );
    await expect(page.getByRole('button', { name: /Join this election|Ask to join/ })).toHaveCount(0);

    // The right id: the running election, said to be the one the invitation names, joined by its id.
    await field.fill(`onion-election://join/127.0.0.1:7001?election=${served}`);
    await lookUp.click();
    await expect(page.getByRole('heading', { name: engine.remoteElection.title })).toBeVisible();
    await expect(page.locator('form.join')).toContainText(
      'runs this election, the one your invitation names.',
    );
    await page.getByRole('radio', { name: 'Yes', exact: true }).check();
    await page.getByLabel('Your name').fill('alice');
    await page.getByRole('button', { name: 'Join this election' }).click();
    await expect
      .poll(() => engine.calls.at(-1))
      .toEqual({
        name: 'joinElection',
        args: [{ peer: '127.0.0.1:7001', electionId: served, name: 'alice', vote: 'yes' }],
      });
    await expect(page.getByRole('heading', { level: 1, name: engine.remoteElection.title })).toBeVisible();
  });
});

test.describe('receipts', () => {
  test('per voter: each ballot by its tracker, its state in words, and the turnout', async ({ page }) => {
    const engine = createSyntheticEngine({ ballotRule: 'per-voter', blocks: 80 });
    const server = await serve(engine);
    const errors = collectErrors(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(server.url);
    const card = page.locator('.receipts-card');
    await expect(card.getByRole('heading', { name: 'Your ballot' })).toBeVisible();
    const [replaced, counted] = engine.snapshot().state.receipts!;
    const rows = card.locator('.receipt');
    // Newest first: the revote counted, the first ballot replaced by it.
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(0).locator('.receipt-tracker code')).toHaveText(
      counted!.tracker.slice(0, 16).replace(/(.{4})(?!$)/g, '$1 '),
    );
    await expect(rows.nth(0).locator('.receipt-tracker code')).toHaveText(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/);
    await expect(rows.nth(0)).toContainText('Yes');
    await expect(rows.nth(0)).toContainText(`counted in block ${counted!.height} ✓`);
    await expect(rows.nth(1)).toContainText('No');
    await expect(rows.nth(1)).toContainText('replaced by your later ballot');
    await expect(card).toContainText(
      `Check it in the published record: onion-election verify record.json --tracker ${counted!.tracker.slice(0, 16)}`,
    );
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await rows.nth(0).getByRole('button', { name: 'Copy the full tracker' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(counted!.tracker);

    // Per voter, the result says the turnout.
    await expect(page.locator('.result-card .turnout')).toHaveText('4 of 5 registered voters cast a ballot.');
    await expect(page.locator('.election-header')).toContainText('5 registered voters');
    await shoot(page, 'dashboard-receipts', { dark: true });
    await card.screenshot({ path: `${artifacts}lobby-receipts-card-1280.png` });
    await page.setViewportSize({ width: 480, height: 900 });
    await card.screenshot({ path: `${artifacts}lobby-receipts-card-480.png` });
    await page.emulateMedia({ colorScheme: 'dark' });
    await card.screenshot({ path: `${artifacts}lobby-receipts-card-480-dark.png` });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Every state, in words; the newest ballot's is announced.
    const states: [ReceiptView['state'], string][] = [
      ['sent', 'sent — waiting for a block'],
      ['displaced', 'its block left the best chain — sent again'],
      ['counted', 'counted in block 70 ✓'],
    ];
    for (const [state, words] of states) {
      const latest: ReceiptView = { tracker: 'c0ffee'.padEnd(64, '0'), vote: 'no', state, height: 70 };
      engine.emit({ type: 'receipts', receipts: [replaced!, counted!, latest] });
      await expect(rows.nth(0).locator('.receipt-state')).toHaveText(words);
      await expect(card.getByRole('status')).toHaveText(`Your latest ballot: ${words}`);
    }
    expect(errors).toEqual([]);
  });

  test('per block: the ballots of this runner’s blocks, the latest first, all on request', async ({
    page,
  }) => {
    const engine = createSyntheticEngine({ blocks: 600 });
    const server = await serve(engine);
    await page.goto(server.url);
    const receipts = engine.snapshot().state.receipts!;
    expect(receipts.length).toBeGreaterThan(10);
    const card = page.locator('.receipts-card');
    await expect(card.getByRole('heading', { name: 'Your ballots' })).toBeVisible();
    await expect(card.locator('.receipt')).toHaveCount(4);
    await card.getByRole('button', { name: `Show all ${receipts.length}` }).click();
    await expect(card.locator('.receipt')).toHaveCount(receipts.length);
    // The oldest were mined before this runner last started: their vote is not known.
    await expect(card.locator('.receipt').last()).toContainText('vote not known');
    const displaced = receipts.filter((r) => r.state === 'displaced').length;
    await expect(card.getByText('its block left the best chain — not counted')).toHaveCount(displaced);
  });
});
