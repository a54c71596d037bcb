// Questions with choices (issue 16) in the dashboard, against the synthetic engine (the real
// engine's checks of forms and requests, no chain behind them): the new-election form's questions
// editor with its limits, its rule in words and the engine's refusals beside their input; the
// voter's choice (radios or checkboxes, the counter, the maximum enforced, what is still missing)
// on the join form and the voting card; the per-question result; receipts naming the options.
// Screenshots at 1280 and 480 px go to /tmp/ui-shots/ (and e2e/artifacts/).
import { mkdirSync } from 'node:fs';
import { expect, type Locator, type Page, test } from '@playwright/test';
import type { QuestionForm, Selections } from '../main/api/contract';
import { artifacts, collectErrors as pageErrors, syntheticDashboards } from './support/dashboard-page';
import { createSyntheticEngine } from './support/synthetic-engine';

const { serve } = syntheticDashboards();
const collectErrors = (page: Page) => pageErrors(page, { allow400: true });
const SHOTS = '/tmp/ui-shots/';
mkdirSync(SHOTS, { recursive: true });

/** Full-page screenshots at 1280 and 480 px; nothing may be wider than the narrow screen. */
async function shoot(page: Page, name: string, element?: Locator): Promise<void> {
  for (const width of [1280, 480]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${SHOTS}questions-${name}-${width}.png`, fullPage: true });
    await page.screenshot({ path: `${artifacts}questions-${name}-${width}.png`, fullPage: true });
    if (element) await element.screenshot({ path: `${SHOTS}questions-${name}-${width}-card.png` });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  }
  if (element) {
    await page.emulateMedia({ colorScheme: 'dark' });
    await element.screenshot({ path: `${SHOTS}questions-${name}-480-dark-card.png` });
    await page.emulateMedia({ colorScheme: 'light' });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const BOARD: QuestionForm = {
  question: 'Who should sit on the board?',
  options: ['Ada', 'Brian', 'Chen', 'Dana', 'Emeka'],
  min: 0,
  max: 2,
  blank: false,
};
const DATE: QuestionForm = {
  question: 'Which date suits the general meeting?',
  options: ['3 May', '10 May', '17 May', '24 May', '31 May'],
  min: 1,
  max: 1,
  blank: true,
};
const QUESTIONS = [BOARD, DATE];

const form = (page: Page) => page.locator('form[aria-labelledby="new-election-heading"]');
const formStatus = (page: Page) => form(page).locator('.form-actions .form-status');
const question = (page: Page, n: number) =>
  form(page)
    .locator('.question-editor')
    .nth(n - 1);
const option = (page: Page, q: number, o: number) =>
  page.getByLabel(`Option ${o} of question ${q}`, { exact: true });

/** Fills question `n` (which has two empty options) with `q`: its text, its options, its rule. */
async function fillQuestion(page: Page, n: number, q: QuestionForm): Promise<void> {
  await page.getByLabel(`Question ${n}`, { exact: true }).fill(q.question);
  for (const [i, label] of q.options.entries()) {
    if (i >= 2) await page.getByRole('button', { name: `Add an option to question ${n}` }).click();
    await option(page, n, i + 1).fill(label);
  }
  const rule = question(page, n).getByLabel('What a voter may choose');
  if (q.min === 1 && q.max === 1) await rule.selectOption('Choose exactly 1');
  else if (q.min === 0 && q.max === q.options.length) await rule.selectOption('Choose any number (approval)');
  else if (q.min === 0) {
    await rule.selectOption('Choose up to N');
    await question(page, n).getByLabel('N (at most)').fill(String(q.max));
  } else {
    await rule.selectOption('Choose between A and B');
    await question(page, n).getByLabel('A (at least)').fill(String(q.min));
    await question(page, n).getByLabel('B (at most)').fill(String(q.max));
  }
  if (q.blank) await question(page, n).getByLabel('A blank answer (none) is allowed').check();
}

test.describe('the new-election form', () => {
  test('questions with choices: add, reorder, remove; the rule in words; limits; refusals beside their input', async ({
    page,
  }) => {
    const engine = createSyntheticEngine({ stage: 'setup' });
    const server = await serve(engine);
    const errors = collectErrors(page);
    await page.goto(server.url);
    await page.getByRole('button', { name: /Start a new election/ }).click();
    await page.getByRole('radio', { name: 'Questions with choices' }).check();
    await page.getByLabel('Title').fill('Club meeting');
    await page.getByRole('button', { name: 'Test (instant)' }).click();
    await page.getByLabel('Key holders', { exact: true }).fill('1');

    // One question to start with, two empty options; the rule in words as it is set.
    await expect(form(page).locator('.question-editor')).toHaveCount(1);
    await fillQuestion(page, 1, BOARD);
    await expect(question(page, 1).locator('.rule-sentence')).toHaveText('Voters choose up to 2 of 5.');
    // A minimum above 0: the blank answer may be allowed.
    await expect(question(page, 1).getByLabel('A blank answer (none) is allowed')).toHaveCount(0);
    const rule = question(page, 1).getByLabel('What a voter may choose');
    await rule.selectOption('Choose between A and B');
    await question(page, 1).getByLabel('A (at least)').fill('1');
    await question(page, 1).getByLabel('B (at most)').fill('3');
    await expect(question(page, 1).locator('.rule-sentence')).toHaveText('Voters choose 1 to 3 of 5.');
    await question(page, 1).getByLabel('A blank answer (none) is allowed').check();
    await expect(question(page, 1).locator('.rule-sentence')).toHaveText(
      'Voters choose 1 to 3 of 5, or none.',
    );
    await question(page, 1).getByLabel('A (at least)').fill('4');
    await question(page, 1).getByLabel('A (at least)').blur();
    await expect(question(page, 1).getByText('At most 3, the maximum.')).toBeVisible();
    await rule.selectOption('Choose any number (approval)');
    await expect(question(page, 1).locator('.rule-sentence')).toHaveText('Voters choose any number of 5.');
    await rule.selectOption('Choose up to N');
    await question(page, 1).getByLabel('N (at most)').fill('9');
    await question(page, 1).getByLabel('N (at most)').blur();
    await expect(question(page, 1).getByText('From 1 to 5: there are 5 options.')).toBeVisible();
    await question(page, 1).getByLabel('N (at most)').fill('2');

    // Options: reordered, a duplicate said at its place, one removed and added back with Enter.
    await page.getByRole('button', { name: 'Move option 5 of question 1 up' }).click();
    await expect(option(page, 1, 4)).toHaveValue('Emeka');
    await expect(option(page, 1, 5)).toHaveValue('Dana');
    await page.getByRole('button', { name: 'Move option 4 of question 1 down' }).click();
    await expect(option(page, 1, 5)).toHaveValue('Emeka');
    await option(page, 1, 2).fill('Ada');
    await expect(question(page, 1).getByText('Listed twice: option 1 says the same.')).toBeVisible();
    await option(page, 1, 2).fill('Brian');
    await page.getByRole('button', { name: 'Remove option 5 of question 1' }).click();
    await expect(question(page, 1).locator('.option-row')).toHaveCount(4);
    await option(page, 1, 4).press('Enter');
    await expect(option(page, 1, 5)).toBeFocused();
    await page.keyboard.type('Emeka');

    // A second question, moved up and back down; a third added and removed.
    await page.getByRole('button', { name: 'Add a question' }).click();
    await expect(page.getByLabel('Question 2', { exact: true })).toBeFocused();
    await fillQuestion(page, 2, DATE);
    await expect(question(page, 2).locator('.rule-sentence')).toHaveText(
      'Voters choose exactly 1 of 5, or none.',
    );
    await page.getByRole('button', { name: 'Move question 2 up' }).click();
    await expect(page.getByLabel('Question 1', { exact: true })).toHaveValue(DATE.question);
    await page.getByRole('button', { name: 'Move question 1 down' }).click();
    await expect(page.getByLabel('Question 1', { exact: true })).toHaveValue(BOARD.question);
    await page.getByRole('button', { name: 'Add a question' }).click();
    await expect(form(page).locator('.questions-limits')).toHaveText(
      '3 of 16 questions · 12 of 64 options in all.',
    );
    await page.getByRole('button', { name: 'Remove question 3' }).click();
    await expect(form(page).locator('.questions-limits')).toHaveText(
      '2 of 16 questions · 10 of 64 options in all.',
    );
    await expect(page.getByRole('button', { name: 'Remove option 1 of question 1' })).toBeEnabled();

    // The organizer's own vote: radios for the date, checkboxes for the board, nothing chosen yet.
    const vote = form(page).locator('.ballot-choice');
    await expect(formStatus(page)).toHaveText('Still needed: your answers and your name.');
    const board = vote.getByRole('group', { name: BOARD.question });
    const date = vote.getByRole('group', { name: DATE.question });
    await expect(board.getByRole('checkbox')).toHaveCount(5);
    await expect(date.getByRole('radio')).toHaveCount(6); // five dates and "None"
    for (const radio of await date.getByRole('radio').all()) await expect(radio).not.toBeChecked();
    await expect(board.locator('.choice-count')).toHaveText('choose up to 2');
    await board.getByRole('checkbox', { name: 'Ada' }).check();
    await board.getByRole('checkbox', { name: 'Chen' }).check();
    await expect(board.locator('.choice-count')).toContainText('2 of up to 2 chosen');
    await expect(board.getByRole('checkbox', { name: 'Brian' })).toBeDisabled();
    await date.getByRole('radio', { name: '10 May' }).check();
    await page.getByLabel('Your name').fill('olga');
    await shoot(page, 'form', form(page));

    // The limits: 16 questions at most, and 64 options in all: the buttons say so before the engine.
    await page.getByRole('button', { name: 'Add a question' }).click();
    const third = question(page, 3);
    for (let i = 0; i < 62; i++) {
      const add = third.getByRole('button', { name: 'Add an option to question 3' });
      if (await add.isDisabled()) break;
      await add.click();
    }
    await expect(form(page).locator('.questions-limits')).toContainText(
      '64 of 64 options in all: no more options',
    );
    await expect(third.getByRole('button', { name: 'Add an option to question 3' })).toBeDisabled();
    await expect(third).toContainText('No more: 64 options in all at most.');
    await expect(page.getByRole('button', { name: 'Add a question' })).toBeDisabled();
    await page.getByRole('button', { name: 'Remove question 3' }).click();
    for (let n = 3; n <= 16; n++) await page.getByRole('button', { name: 'Add a question' }).click();
    await expect(form(page).locator('.questions-limits')).toHaveText(
      '16 of 16 questions · 38 of 64 options in all: no more questions (16 at most).',
    );
    await expect(page.getByRole('button', { name: 'Add a question' })).toBeDisabled();
    for (let n = 16; n >= 3; n--) await page.getByRole('button', { name: `Remove question ${n}` }).click();
    await expect(form(page).locator('.question-editor')).toHaveCount(2);

    // The engine's refusal of one option shows beside that option (a rule the form cannot foresee).
    await option(page, 2, 3).fill('#17 May');
    const submit = page.getByRole('button', { name: 'Open the lobby' });
    await expect(submit).toBeEnabled();
    await submit.click();
    await expect(question(page, 2).locator('.option-row').nth(2).locator('.field-error')).toHaveText(
      'Must not start with "#" (a synthetic rule)',
    );
    await expect(option(page, 2, 3)).toHaveAttribute('aria-invalid', 'true');
    await expect(formStatus(page)).toHaveText('Fix the field marked above.');
    await option(page, 2, 3).fill('17 May');
    await submit.click();
    await expect(page.getByRole('heading', { level: 1, name: 'Club meeting' })).toBeVisible();
    // The lobby names the questions, each with its rule and its options.
    const listed = page.locator('.lobby-questions li');
    await expect(listed).toHaveCount(2);
    await expect(listed.nth(0)).toContainText(`${BOARD.question} (choose up to 2 of 5) Ada · Brian · Chen`);
    await expect(listed.nth(1)).toContainText('(choose exactly 1 of 5, or none)');
    await shoot(page, 'lobby');
    const sent = engine.calls.filter((c) => c.name === 'createElection');
    expect(sent).toHaveLength(2); // the refused one, then this one
    expect(sent[1]!.args[0]).toMatchObject({
      title: 'Club meeting',
      question: `2 questions: ${BOARD.question} · ${DATE.question}`,
      questions: QUESTIONS,
      name: 'olga',
      vote: [[0, 2], [1]],
    });
    expect(errors).toEqual([]);
  });
});

test.describe('the voter', () => {
  test('joining an election with questions: no answer chosen for the person; what is missing is said', async ({
    page,
  }) => {
    const engine = createSyntheticEngine({ stage: 'setup', questions: QUESTIONS });
    const server = await serve(engine);
    const errors = collectErrors(page);
    await page.goto(server.url);
    await page.getByRole('button', { name: /Join an election/ }).click();
    await page.getByLabel('Invitation link or address').fill('127.0.0.1:7001');
    await page.getByRole('button', { name: 'Look up' }).click();
    const summary = page.locator('.election-summary');
    await expect(summary).toContainText(`${BOARD.question} (choose up to 2 of 5)`);
    await expect(summary).toContainText(`${DATE.question} (choose exactly 1 of 5, or none)`);
    const join = page.getByRole('button', { name: 'Join this election' });
    const status = page.locator('form.join .form-status');
    await page.getByLabel('Your name').fill('bob');
    await expect(status).toHaveText('To join, choose your answers (or Abstain).');
    await expect(join).toBeDisabled();
    const vote = page.locator('form.join .ballot-choice');
    // Keyboard: Space ticks a checkbox.
    await vote.getByRole('checkbox', { name: 'Brian' }).focus();
    await page.keyboard.press('Space');
    await expect(vote.getByRole('checkbox', { name: 'Brian' })).toBeChecked();
    // The date allows none: once the person answers, an unanswered date shows as that, and Join may go.
    await expect(vote.getByRole('radio', { name: 'None (a blank answer)' })).toBeChecked();
    await expect(status).toHaveText('');
    await expect(join).toBeEnabled();
    await vote.getByRole('radio', { name: '24 May' }).check();
    await shoot(page, 'join', page.locator('form.join'));
    await join.click();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(engine.calls.find((c) => c.name === 'joinElection')?.args[0]).toMatchObject({
      name: 'bob',
      vote: [[1], [3]],
    });
    expect(errors).toEqual([]);
  });

  test('the voting card: radios or checkboxes, the counter, the maximum, Save; then locked', async ({
    page,
  }) => {
    // Height 30 of a longer chain: voting is open. An exactly-2 question too, to see its counter.
    const pair: QuestionForm = {
      question: 'Which two dishes for the dinner?',
      options: ['Soup', 'Curry', 'Pasta', 'Salad'],
      min: 2,
      max: 2,
      blank: false,
    };
    const asked = [...QUESTIONS, pair];
    const engine = createSyntheticEngine({
      blocks: 30,
      heightsLeft: 20,
      ballotRule: 'per-voter',
      questions: asked,
      vote: [[0], [1], [0, 1]],
    });
    const server = await serve(engine);
    const errors = collectErrors(page);
    await page.goto(server.url);
    const card = page.locator('.vote-card');
    const board = card.getByRole('group', { name: BOARD.question });
    const date = card.getByRole('group', { name: DATE.question });
    const dinner = card.getByRole('group', { name: pair.question });
    await expect(card.locator('.vote-status')).toHaveText('Saved: Ada · 10 May · Soup, Curry.');
    await expect(board.getByRole('checkbox', { name: 'Ada' })).toBeChecked();
    await expect(date.getByRole('radio', { name: '10 May' })).toBeChecked();
    await expect(dinner.locator('.choice-count')).toHaveText(/^2 of 2 chosen/);
    await expect(dinner.getByRole('checkbox', { name: 'Pasta' })).toBeDisabled();
    const save = card.getByRole('button', { name: 'Save my vote' });
    await expect(save).toBeDisabled();

    // Fewer than the minimum: said, and Save waits.
    await dinner.getByRole('checkbox', { name: 'Curry' }).uncheck();
    await expect(dinner.locator('.choice-count')).toHaveText('1 of 2 chosen');
    await expect(dinner.locator('.field-error')).toHaveText('Choose 1 more: at least 2.');
    await expect(card.locator('.vote-status')).toHaveText(
      'Not saved yet: question 3: choose 1 more: at least 2.',
    );
    await expect(save).toBeDisabled();
    await dinner.getByRole('checkbox', { name: 'Pasta' }).check();
    await board.getByRole('checkbox', { name: 'Emeka' }).check();
    await expect(board.getByRole('checkbox', { name: 'Brian' })).toBeDisabled();
    await expect(board.locator('.choice-count')).toContainText(
      'the most allowed: untick one to choose another',
    );
    await expect(card.locator('.vote-status')).toHaveText('Not saved yet: press Save my vote to use it.');
    // Keyboard: the arrow keys move between a question's radios; Enter on Save saves, and the
    // focus stays there.
    await date.getByRole('radio', { name: '10 May' }).focus();
    await page.keyboard.press('ArrowDown');
    await expect(date.getByRole('radio', { name: '17 May' })).toBeChecked();
    await page.keyboard.press('ArrowUp');
    await expect(date.getByRole('radio', { name: '10 May' })).toBeChecked();
    await shoot(page, 'voting', card);
    await save.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => engine.snapshot().state.settings.vote).toEqual([[0, 4], [1], [0, 2]]);
    await expect(card.locator('.vote-status')).toHaveText('Saved: Ada, Emeka · 10 May · Soup, Pasta.');
    await expect(save).toBeDisabled();
    await expect(save).toBeFocused();

    // Abstain: no ballot; the answers stay for a change of mind.
    await card.getByRole('checkbox', { name: /Abstain/ }).check();
    await expect(board.getByRole('checkbox', { name: 'Ada' })).toBeDisabled();
    await save.click();
    await expect.poll(() => engine.snapshot().state.settings.vote).toBe(null);
    await expect(card.locator('.vote-status')).toHaveText(
      'You abstain: no ballot is cast. Choose your answers and save them to vote.',
    );

    // Voting ends: the choice is locked.
    for (let i = 0; i < 20; i++) engine.addBlock();
    await expect(card.locator('.vote-status')).toHaveText(
      'Voting has ended: your vote can no longer change.',
    );
    await expect(board.getByRole('checkbox', { name: 'Ada' })).toBeDisabled();
    await expect(card.getByRole('button', { name: 'Save my vote' })).toHaveCount(0);
    expect(errors).toEqual([]);
  });

  test('the result per question: bars, counts and shares, winners marked in words, ties stated', async ({
    page,
  }) => {
    const counts = [
      [3, 1, 3, 1, 0], // Ada and Chen elected (2 seats)
      [1, 2, 2, 0, 0], // 10 and 17 May tie for the one place
    ];
    const vote: Selections = [[0, 2], [1]];
    const engine = createSyntheticEngine({
      blocks: 300,
      ballotRule: 'per-voter',
      questions: QUESTIONS,
      counts,
      vote,
    });
    const server = await serve(engine);
    const errors = collectErrors(page);
    await page.goto(server.url);
    const result = page.locator('.result-card');
    await expect(result.getByText('Verified ✓', { exact: true })).toBeVisible();
    const board = result.getByRole('region', { name: BOARD.question });
    const date = result.getByRole('region', { name: DATE.question });
    await expect(board.locator('.question-outcome')).toHaveText('Elects 2: Ada and Chen');
    await expect(date.locator('.question-outcome')).toHaveText(
      'Outcome: 10 May and 17 May tie for the first place',
    );
    const rows = board.locator('.option-result');
    await expect(rows).toHaveCount(5);
    const total = engine.snapshot().state.result!.ballots;
    await expect(rows.nth(0)).toContainText('Ada✓ elected');
    await expect(rows.nth(0)).toContainText(`3 ${((3 / total) * 100).toFixed(1)}%`);
    // Brian and Dana tie, but for no seat: nothing to say.
    await expect(rows.nth(1).locator('.option-verdict')).toHaveCount(0);
    await expect(rows.nth(4)).not.toContainText('✓');
    await expect(date.locator('.option-verdict', { hasText: '✓' })).toHaveCount(0);
    await expect(date.locator('.option-verdict', { hasText: 'tied' })).toHaveCount(2);
    await expect(board.getByRole('progressbar', { name: `Ada: 3 of ${total} ballots` })).toHaveAttribute(
      'aria-valuenow',
      '3',
    );
    await expect(result.locator('.tally-total')).toContainText(`${total} ballots counted`);

    // The receipts name the options chosen, question by question.
    const receipts = page.locator('.receipts-card');
    await expect(receipts.locator('.receipt').first()).toContainText(`${BOARD.question} Ada, Chen`);
    await expect(receipts.locator('.receipt').first()).toContainText(`${DATE.question} 10 May`);
    // The earlier ballot, replaced: the last options.
    await expect(receipts.locator('.receipt').nth(1)).toContainText(`${BOARD.question} Emeka`);
    await expect(receipts.locator('.receipt').nth(1)).toContainText(`${DATE.question} 31 May`);
    await shoot(page, 'result', result);
    await receipts.screenshot({ path: `${SHOTS}questions-receipts-1280-card.png` });
    expect(errors).toEqual([]);
  });
});
