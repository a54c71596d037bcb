// What the dashboard specs share: the built renderer (dist/renderer), where screenshots go, web
// dashboard servers in front of synthetic engines (closed after each test), and a page's errors.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Page, test } from '@playwright/test';
import { type DashboardServer, serveDashboard } from '../../main/app/dashboard-server';
import type { SyntheticEngine } from './synthetic-engine';

export const rendererDir = fileURLToPath(new URL('../../dist/renderer', import.meta.url));
export const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));

/**
 * For a spec file: fails its tests at once if the renderer is not built, and closes the servers
 * `serve` started after each test. `serve(engine, previous)` serves again on the previous server's
 * port and token, as after the runner restarts.
 */
export function syntheticDashboards(): {
  serve(engine: SyntheticEngine, previous?: DashboardServer): Promise<DashboardServer>;
} {
  const servers: DashboardServer[] = [];
  test.beforeAll(() => {
    if (!existsSync(`${rendererDir}/index.html`))
      throw new Error('dist/renderer is missing: run `npm run build` first');
  });
  test.afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    async serve(engine, previous) {
      const server = await serveDashboard(engine, {
        rendererDir,
        ...(previous ? { port: previous.port, token: previous.token } : {}),
      });
      servers.push(server);
      return server;
    },
  };
}

/**
 * Console errors (CSP violations included) and uncaught exceptions. `allow400`: a refused request's
 * HTTP 400, expected where a test asks for one, is not an error.
 */
export function collectErrors(page: Page, { allow400 = false } = {}): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (allow400 && message.text().includes('status of 400')) return;
    errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
