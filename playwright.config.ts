// End-to-end tests. Browsers cannot be downloaded here (`npx playwright install`), so the tests
// drive the system Chromium (Debian package `chromium`), or whatever CHROMIUM_PATH points to.
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  throw new Error(
    `Chromium not found at ${chromium}. Install it (Debian/Ubuntu: \`sudo apt-get install -y chromium\`) ` +
      'or point CHROMIUM_PATH at a Chromium/Chrome executable.',
  );
}

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  forbidOnly: !!process.env.CI,
  // Two files at a time, also on a 2-core machine (Playwright's default there is one): most of a
  // test is waiting on a browser or an engine. On the CI machine the suite took 2.3 min with one
  // worker and 1.5 min with two.
  workers: 2,
  reporter: 'list',
  use: {
    launchOptions: {
      executablePath: chromium,
      // --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
      // The rest keeps the browser from phoning home during tests.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
