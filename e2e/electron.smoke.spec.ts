// Smoke test of the packaged shell: launches Electron on the built app (package.json "main").
// Skipped where the Electron binary was not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD=1).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { _electron, expect, test } from '@playwright/test';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The Electron executable, or undefined: `require('electron')` throws when the binary is missing. */
function electronBinary(): string | undefined {
  try {
    const binary: unknown = createRequire(import.meta.url)('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

const executablePath = electronBinary();
const SKIPPED = 'skipped: Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD)';

test('the desktop app opens the dashboard and answers over IPC', async () => {
  // The list reporter shows a skip as a bare dash: say why where everyone reads it.
  if (!executablePath) console.log(`Electron smoke test ${SKIPPED}`);
  test.skip(!executablePath, SKIPPED);
  const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
  // As root (CI containers) Chromium's sandbox cannot start; the renderer stays context-isolated.
  const args = process.getuid?.() === 0 ? ['--no-sandbox', '.'] : ['.'];
  const app = await _electron.launch({ executablePath: executablePath!, args, cwd: root });
  try {
    const window = await app.firstWindow();
    await expect(window.getByRole('heading', { level: 1, name: 'Onion Election' })).toBeVisible();
    await expect(window.getByRole('status')).toContainText(`desktop app (Electron), version ${version}`);
    // The sandboxed renderer must not see Node.
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
      'undefined',
    );
  } finally {
    await app.close();
  }
});
