// Desktop notifications as a participant meets them: a real runner (`onion-election new --direct
// --dashboard`, mining off at first), its dashboard in Chromium with notifications allowed, the
// "Notify me" box ticked, then mining switched on: voting begins, the ballot is counted, the result
// is verified — each told once, through the browser's real Notification API (recorded on the way).
import { expect, test } from '@playwright/test';
import { type DashboardRunner, startDashboardRunner } from './support/runner-process';

test.describe.configure({ timeout: 180_000 });

let runner: DashboardRunner;

test.beforeAll(async () => {
  runner = await startDashboardRunner('nora', [
    ...['-n', 'nora', '--vote', 'yes', '--no-mining'],
    ...['--title', 'Notified', '--question', 'Adopt?', '--talliers', '1', '--key-blocks', '2'],
    ...['--vote-blocks', '2', '--confirmations', '1', '--difficulty', '2^14', 'new'],
  ]);
});

test.afterAll(async () => {
  await runner?.stop();
});

test('ticking "Notify me" tells voting, the counted ballot and the verified result, each once', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['notifications']);
  await context.addInitScript(() => {
    const Real = window.Notification;
    const seen: string[] = [];
    (window as unknown as { notices: string[] }).notices = seen;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        seen.push(`${title}: ${options?.body ?? ''}`);
      }
    }
    window.Notification = Recorded as typeof Notification;
  });
  const page = await context.newPage();
  await page.goto(runner.url);
  const notices = () => page.evaluate(() => (window as unknown as { notices: string[] }).notices);
  const box = page.getByLabel(/Notify me when voting begins/);
  await box.check();
  await expect(box).toBeChecked();
  await page.getByRole('switch', { name: 'Mining' }).click();
  await expect
    .poll(async () => (await notices()).join('\n'), { timeout: 120_000 })
    .toMatch(/The result is verified: yes \d+, no 0\./);
  const told = await notices();
  expect(told.filter((n) => n.includes('Voting has begun'))).toHaveLength(1);
  expect(told.some((n) => /Your ballot is in block \d+ of the chain, and counted\./.test(n))).toBe(true);
  expect(told.filter((n) => n.includes('The result is verified'))).toHaveLength(1);
  expect(told.every((n) => n.startsWith('Notified: '))).toBe(true);
  // The choice outlives a reload.
  await page.reload();
  await expect(page.getByLabel(/Notify me when voting begins/)).toBeChecked();
  await context.close();
});
