// The web dashboard against a hostile web page in the same browser: a page of another origin (here
// another port on 127.0.0.1, as any site the user visits could be) tries to drive the runner's
// engine. Even handed the access token, it gets nowhere: a request carrying the token needs a CORS
// preflight the server never grants, and what it may send without one is refused. The engine sees
// no request at all.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { type DashboardServer, serveDashboard } from '../main/app/dashboard-server';
import { type StaticServer, serveStatic } from './support/static-server';
import { createSyntheticEngine } from './support/synthetic-engine';

const rendererDir = fileURLToPath(new URL('../dist/renderer', import.meta.url));
const hostileDir = mkdtempSync(path.join(os.tmpdir(), 'oe-hostile-'));
writeFileSync(path.join(hostileDir, 'index.html'), '<!doctype html><title>A page on the web</title>');

const engine = createSyntheticEngine({ stage: 'setup' });
let dashboard: DashboardServer;
let hostile: StaticServer;

test.beforeAll(async () => {
  dashboard = await serveDashboard(engine, { rendererDir });
  hostile = await serveStatic(hostileDir);
});
test.afterAll(async () => {
  await dashboard.close();
  await hostile.close();
  rmSync(hostileDir, { recursive: true, force: true });
});

const FORM = {
  title: 'Hijacked',
  question: 'Yes?',
  nTalliers: 1,
  nTalliersBlocks: 1,
  nVoteBlocks: 1,
  confirmations: 0,
  difficulty: 1,
  name: 'mallory',
  vote: 'yes',
};

test('a page of another origin cannot call the engine, even knowing the token', async ({ page }) => {
  await page.goto(hostile.url);
  const api = `http://127.0.0.1:${dashboard.port}/api`;
  const outcomes = await page.evaluate(
    async ({ api, token, form }) => {
      const attempt = async (what: string, run: () => Promise<Response>) => {
        try {
          const response = await run();
          // no-cors answers are opaque: status 0, body unreadable.
          return `${what}: ${response.type} ${response.status}`;
        } catch (error) {
          return `${what}: blocked (${(error as Error).name})`;
        }
      };
      const body = JSON.stringify({ args: [form] });
      return [
        await attempt('json with token', () =>
          fetch(`${api}/call/createElection`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body,
          }),
        ),
        await attempt('simple post', () =>
          fetch(`${api}/call/createElection`, { method: 'POST', mode: 'no-cors', body }),
        ),
        await attempt('events', () => fetch(`${api}/events`, { mode: 'no-cors' })),
        await attempt('snapshot with token', () =>
          fetch(`${api}/call/snapshot`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: '{"args":[]}',
          }),
        ),
      ];
    },
    { api, token: dashboard.token, form: FORM },
  );
  expect(outcomes).toEqual([
    'json with token: blocked (TypeError)',
    'simple post: opaque 0',
    'events: opaque 0',
    'snapshot with token: blocked (TypeError)',
  ]);
  expect(engine.calls).toEqual([]);
  expect(engine.snapshot().state.stage).toBe('setup');
});
