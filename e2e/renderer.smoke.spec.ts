// Smoke test of the built renderer (dist/renderer) in Chromium: over http, and over file:// as
// Electron loads it. Screenshots land in e2e/artifacts/ for a human look.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, type Page, test } from '@playwright/test';
import { type StaticServer, serveStatic } from './static-server';

const rendererDir = fileURLToPath(new URL('../dist/renderer', import.meta.url));
const indexHtml = `${rendererDir}/index.html`;
const artifacts = fileURLToPath(new URL('artifacts/', import.meta.url));

let server: StaticServer;

test.beforeAll(async () => {
  if (!existsSync(indexHtml)) throw new Error('dist/renderer is missing: run `npm run build` first');
  server = await serveStatic(rendererDir);
});
test.afterAll(() => server.close());

/** Console errors and uncaught exceptions, CSP violations included. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

async function expectDashboard(page: Page): Promise<void> {
  await expect(page).toHaveTitle('Onion Election');
  await expect(page.getByRole('heading', { level: 1, name: 'Onion Election' })).toBeVisible();
  for (const phase of ['Key election', 'Voting', 'Result']) {
    await expect(page.getByRole('heading', { level: 3, name: phase })).toBeVisible();
  }
  await expect(page.getByText('no single tallier can decrypt a ballot')).toBeVisible();
  await expect(page.getByRole('status')).toContainText('Running in a web browser');
}

test('shows the dashboard, in light and dark theme', async ({ page }) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 1100, height: 760 });
  await page.goto(server.url);
  await expectDashboard(page);
  await page.screenshot({ path: `${artifacts}dashboard-light.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${artifacts}dashboard-dark.png`, fullPage: true });
  await page.setViewportSize({ width: 480, height: 800 });
  await page.screenshot({ path: `${artifacts}dashboard-narrow.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test('is keyboard accessible: the first Tab reaches the skip link', async ({ page }) => {
  await page.goto(server.url);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible(); // React has rendered
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
});

test('loads from file:// as in Electron, within its CSP', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(pathToFileURL(indexHtml).href);
  await expectDashboard(page);
  expect(errors).toEqual([]);
});

test('its Content-Security-Policy blocks inline scripts', async ({ page }) => {
  await page.goto(server.url);
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
