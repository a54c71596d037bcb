// `npm run demo -- --dashboard`, as a newcomer would try it: the demo prints the address of alice's
// web dashboard, the page in Chromium shows the election happening and then its verified result,
// the runners keep going until Ctrl-C, and the demo then checks the record and exits cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const BIN = fileURLToPath(new URL('../bin/onion-election.mjs', import.meta.url));
const artifacts = fileURLToPath(new URL('artifacts/', import.meta.url));

test.describe.configure({ timeout: 240_000 });

test('the demo serves alice’s dashboard, which shows the election and its verified result', async ({
  page,
}) => {
  const demo: ChildProcess = spawn(
    process.execPath,
    [BIN, 'demo', '--dashboard', '--vote-blocks', '4', '--difficulty', '2^18'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
  );
  let out = '';
  for (const stream of [demo.stdout!, demo.stderr!]) stream.on('data', (chunk: Buffer) => (out += chunk));
  try {
    await expect
      .poll(() => /open (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64})/.test(out), { timeout: 60_000 })
      .toBe(true);
    const url = /open (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64})/.exec(out)![1]!;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(url);
    await expect(page.getByRole('heading', { name: 'Demo election' })).toBeVisible({ timeout: 30_000 });
    // The result card's badge (the "What Verified means" text quotes it too).
    await expect(page.locator('.result-card').getByText('Verified ✓').first()).toBeVisible({
      timeout: 180_000,
    });
    await page.screenshot({ path: `${artifacts}demo-dashboard-1280.png`, fullPage: true });
    await page.setViewportSize({ width: 480, height: 900 });
    await page.screenshot({ path: `${artifacts}demo-dashboard-480.png`, fullPage: true });
    await expect.poll(() => out.includes('Ctrl-C stops them'), { timeout: 60_000 }).toBe(true);
    expect(demo.exitCode, 'the runners keep going until Ctrl-C').toBeNull();
    const exited = once(demo, 'exit');
    demo.kill('SIGINT');
    const [code] = await exited;
    expect(out).toMatch(/re-checked by the independent verifier: VERIFIED/);
    expect(code).toBe(0);
  } finally {
    if (demo.exitCode === null) demo.kill('SIGKILL');
  }
});
