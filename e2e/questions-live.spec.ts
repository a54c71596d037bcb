// Questions with choices (issue 16), a whole election through the web dashboard, as four people
// would hold it on one machine: four real `onion-election --direct --dashboard` processes (real
// peer APIs on 127.0.0.1, real miners, chain and cryptography), each driven in Chromium through
// its own dashboard only. Alice opens a lobby with the form (one vote per person) asking two
// questions of five options each, with her own answers; Bob, Carol and Dave paste her invitation,
// see the questions, choose their answers and ask to join; Carol changes her answers on the voting
// card before voting opens; Alice admits everyone, starts, adds them as peers; everyone mines;
// every dashboard shows the same per-question result, verified, and each receipt names its options.
// Screenshots go to /tmp/ui-shots/ (and e2e/artifacts/questions-live-*.png).
import { mkdirSync } from 'node:fs';
import { type Browser, expect, type Locator, type Page, test } from '@playwright/test';
import { artifacts } from './support/dashboard-page';
import { type DashboardRunner, startDashboardRunner } from './support/runner-process';

const SHOTS = '/tmp/ui-shots/';
mkdirSync(SHOTS, { recursive: true });

const BOARD = {
  question: 'Who should sit on the board?',
  options: ['Ada', 'Brian', 'Chen', 'Dana', 'Emeka'],
};
const DATE = {
  question: 'Which date suits the general meeting?',
  options: ['3 May', '10 May', '17 May', '24 May', '31 May'],
};
/** Each one's answers: the board's options (up to 2), the date (exactly 1, or none). */
const ANSWERS = {
  alice: { board: ['Ada', 'Chen'], date: '10 May' },
  bob: { board: ['Ada', 'Brian'], date: '10 May' },
  // Asks with these, then changes them on the voting card to Chen and 17 May.
  carol: { board: ['Emeka'], date: '3 May' },
  dave: { board: ['Ada', 'Chen'], date: null },
} as const;
type Name = keyof typeof ANSWERS;
const NAMES = Object.keys(ANSWERS) as Name[];

test.describe.configure({ timeout: 300_000 });

let runners: Record<Name, DashboardRunner>;

test.beforeAll(async () => {
  // Mining off at first, so that the election waits for everyone to join before blocks are found.
  const started = await Promise.all(NAMES.map((name) => startDashboardRunner(name, ['--no-mining'])));
  runners = Object.fromEntries(NAMES.map((name, i) => [name, started[i]!])) as Record<Name, DashboardRunner>;
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

/** Ticks `board` and chooses `date` (null: None) in a ballot's question groups. */
async function answer(
  ballot: Locator,
  board: readonly string[],
  date: string | null,
  clear: readonly string[] = [],
): Promise<void> {
  const boardGroup = ballot.getByRole('group', { name: BOARD.question });
  for (const label of clear) await boardGroup.getByRole('checkbox', { name: label, exact: true }).uncheck();
  for (const label of board) await boardGroup.getByRole('checkbox', { name: label, exact: true }).check();
  await ballot
    .getByRole('group', { name: DATE.question })
    .getByRole('radio', { name: date ?? 'None (a blank answer)', exact: true })
    .check();
}

/** Fills question `n` of the new-election form: its text, five options, its rule. */
async function fillQuestion(page: Page, n: number, q: { question: string; options: readonly string[] }) {
  const editor = page.getByRole('group', { name: new RegExp(`^Question ${n} of \\d+$`) });
  await page.getByLabel(`Question ${n}`, { exact: true }).fill(q.question);
  for (const [i, label] of q.options.entries()) {
    if (i >= 2) await editor.getByRole('button', { name: `Add an option to question ${n}` }).click();
    await page.getByLabel(`Option ${i + 1} of question ${n}`, { exact: true }).fill(label);
  }
  return editor;
}

/** Full-page screenshots at 1280 and 480 px, and of `card` at each width. */
async function shoot(page: Page, name: string, card?: Locator): Promise<void> {
  for (const width of [1280, 480]) {
    await page.setViewportSize({ width, height: 1000 });
    await page.screenshot({ path: `${SHOTS}questions-live-${name}-${width}.png`, fullPage: true });
    await page.screenshot({ path: `${artifacts}questions-live-${name}-${width}.png`, fullPage: true });
    if (card) await card.screenshot({ path: `${SHOTS}questions-live-${name}-${width}-card.png` });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  }
  await page.setViewportSize({ width: 1400, height: 1000 });
}

test('four runners hold an election of two questions with choices through their dashboards', async ({
  browser,
}) => {
  const pages = Object.fromEntries(
    await Promise.all(NAMES.map(async (name) => [name, await open(browser, name)] as const)),
  ) as Record<Name, Page>;
  const { alice } = pages;

  let invitation = '';
  await test.step('alice opens a lobby with two questions of five options, and her answers', async () => {
    await alice.getByRole('button', { name: /Start a new election/ }).click();
    await alice.getByRole('radio', { name: 'Questions with choices' }).check();
    await alice.getByLabel('Title').fill('Club meeting');
    await alice.getByLabel('Introduction (optional)').fill('The board and the date of the general meeting');
    const board = await fillQuestion(alice, 1, BOARD);
    await board.getByLabel('What a voter may choose').selectOption('Choose up to N');
    await board.getByLabel('N (at most)').fill('2');
    await expect(board.locator('.rule-sentence')).toHaveText('Voters choose up to 2 of 5.');
    await alice.getByRole('button', { name: 'Add a question' }).click();
    const date = await fillQuestion(alice, 2, DATE);
    await date.getByLabel('What a voter may choose').selectOption('Choose exactly 1');
    await date.getByLabel('A blank answer (none) is allowed').check();
    await expect(date.locator('.rule-sentence')).toHaveText('Voters choose exactly 1 of 5, or none.');
    await alice.getByLabel('Key holders', { exact: true }).fill('2');
    await alice.getByLabel('Blocks to choose key holders', { exact: true }).fill('4');
    await alice.getByLabel('Blocks for voting', { exact: true }).fill('16');
    await alice.getByLabel('Blocks after voting', { exact: true }).fill('1');
    // About 2^21 hashes a block: a second or so for four miners, time for every ballot to travel.
    await alice.getByLabel('Work per block', { exact: true }).fill('2^21');
    await expect(alice.getByRole('radio', { name: 'One vote per person' })).toBeChecked();
    const ballot = alice.locator('form[aria-labelledby="new-election-heading"] .ballot-choice');
    await answer(ballot, ANSWERS.alice.board, ANSWERS.alice.date);
    await alice.getByLabel('Your name').fill('alice');
    await alice.getByRole('button', { name: 'Open the lobby' }).click();
    await expect(alice.getByRole('heading', { level: 1, name: 'Club meeting' })).toBeVisible({
      timeout: 30_000,
    });
    await expect(alice.locator('.lobby-questions li')).toHaveCount(2);
    invitation = (await alice.locator('.invitation-link').textContent()) ?? '';
    expect(invitation).toMatch(/^onion-election:\/\/join\/127\.0\.0\.1:\d+$/);
  });

  await test.step('bob, carol and dave see the questions, answer them and ask to join', async () => {
    for (const name of ['bob', 'carol', 'dave'] as const) {
      const page = pages[name];
      await page.getByRole('button', { name: /Join an election/ }).click();
      await page.getByLabel('Invitation link or address').fill(invitation);
      await page.getByRole('button', { name: 'Look up' }).click();
      const summary = page.locator('.lobby-summary');
      await expect(summary).toContainText(`${BOARD.question} (choose up to 2 of 5)`, { timeout: 20_000 });
      await expect(summary).toContainText(`${DATE.question} (choose exactly 1 of 5, or none)`);
      await page.getByLabel('Your name').fill(name);
      const ballot = page.locator('form.join .ballot-choice');
      await answer(ballot, ANSWERS[name].board, ANSWERS[name].date);
      if (name === 'bob') await shoot(page, 'join', page.locator('section[aria-labelledby="join-heading"]'));
      await page.getByRole('button', { name: 'Ask to join' }).click();
      await expect(page.locator('.lobby-status')).toHaveText(/Waiting for alice to let you in/, {
        timeout: 30_000,
      });
    }
  });

  await test.step('alice admits them and starts; everyone runs the election', async () => {
    for (const name of ['bob', 'carol', 'dave'] as const)
      await alice.getByRole('button', { name: `Admit ${name}` }).click({ timeout: 20_000 });
    await expect(pages.dave.locator('.lobby-status')).toHaveText(/You’re in: waiting for alice to start/, {
      timeout: 20_000,
    });
    await alice.getByRole('button', { name: 'Start the election' }).click();
    // The election's own header (the lobby's heading has the same title): every runner running it.
    for (const name of NAMES)
      await expect(pages[name].locator('.election-header h1'), `${name}'s dashboard`).toHaveText(
        'Club meeting',
        { timeout: 60_000 },
      );
  });

  await test.step('each voting card shows its answers; carol changes hers and saves them', async () => {
    for (const name of NAMES) {
      const card = pages[name].locator('.vote-card');
      const { board, date } = ANSWERS[name];
      await expect(card.locator('.vote-status')).toHaveText(
        `Saved: ${board.join(', ')} · ${date ?? 'none'}.`,
        { timeout: 30_000 },
      );
    }
    const carol = pages.carol.locator('.vote-card');
    await answer(carol, ['Chen'], '17 May', ['Emeka']);
    await expect(carol.locator('.vote-status')).toHaveText('Not saved yet: press Save my vote to use it.');
    await shoot(pages.carol, 'voting', carol);
    await carol.getByRole('button', { name: 'Save my vote' }).click();
    await expect(carol.locator('.vote-status')).toHaveText('Saved: Chen · 17 May.');
  });

  await test.step('alice adds everyone as a peer; everyone mines', async () => {
    const peers = await Promise.all(
      (['bob', 'carol', 'dave'] as const).map((name) => addressOf(pages[name])),
    );
    await alice.getByLabel('Add peers').fill(peers.join('\n'));
    await alice.getByRole('button', { name: 'Add', exact: true }).click();
    for (const peer of peers) await expect(alice.locator('.peer-address', { hasText: peer })).toBeVisible();
    for (const name of NAMES) {
      const mining = pages[name].getByRole('switch', { name: 'Mining' });
      await expect(mining).toHaveAttribute('aria-checked', 'false', { timeout: 30_000 });
      await mining.click();
      await expect(mining).toHaveAttribute('aria-checked', 'true');
    }
  });

  await test.step('every dashboard shows the same verified result, question by question', async () => {
    const results: string[] = [];
    for (const name of NAMES) {
      const page = pages[name];
      const result = page.locator('.result-card');
      await expect(result.getByText('Verified ✓', { exact: true })).toBeVisible({ timeout: 200_000 });
      const board = result.getByRole('region', { name: BOARD.question });
      const date = result.getByRole('region', { name: DATE.question });
      // Ada 3 (alice, bob, dave), Brian 1, Chen 3 (alice, carol, dave): two seats, Ada and Chen.
      await expect(board.locator('.question-outcome')).toHaveText('Elects 2: Ada and Chen');
      const counts = await board.locator('.option-result .tally-value strong').allInnerTexts();
      expect(counts).toEqual(['3', '1', '3', '0', '0']);
      await expect(board.locator('.option-result.winner .option-name')).toHaveText(['Ada', 'Chen']);
      await expect(board.locator('.option-result').first()).toContainText('✓ elected');
      await expect(board.locator('.option-result').first()).toContainText('75.0%');
      // 10 May twice (alice, bob), 17 May once (carol), dave blank.
      await expect(date.locator('.question-outcome')).toHaveText('Outcome: 10 May');
      expect(await date.locator('.option-result .tally-value strong').allInnerTexts()).toEqual([
        '0',
        '2',
        '1',
        '0',
        '0',
      ]);
      await expect(result.locator('.tally-total')).toContainText('4 ballots counted');
      await expect(result).toContainText('4 of 4 registered voters cast a ballot.');
      results.push(((await result.locator('.choices-tally').textContent()) ?? '').replace(/\s+/g, ' '));
      // The receipt names the options this voter chose.
      const receipt = page.locator('.receipts-card .receipt-counted');
      const expected = name === 'carol' ? { board: ['Chen'], date: '17 May' } : ANSWERS[name];
      await expect(receipt).toContainText(`${BOARD.question} ${expected.board.join(', ')}`);
      await expect(receipt).toContainText(`${DATE.question} ${expected.date ?? 'none'}`);
    }
    for (const tally of results.slice(1)) expect(tally).toBe(results[0]);
    await shoot(alice, 'result', alice.locator('.result-card'));
    await pages.dave
      .locator('.receipts-card')
      .screenshot({ path: `${SHOTS}questions-live-receipts-dave.png` });
  });
});
