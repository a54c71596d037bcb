// Dashboard benchmarks: the built renderer in Chromium, behind the real web dashboard server, in
// front of a synthetic engine holding 5,000 blocks with forks (e2e/support/synthetic-engine.ts).
// Times come from the page's own performance marks (renderer/store.ts, RenderMarks.tsx):
// oe:snapshot → oe:tree-rendered for a page load, oe:event → oe:event-rendered for a new block.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright';
import { createSyntheticEngine } from '../e2e/support/synthetic-engine';
import { serveDashboard } from '../main/app/dashboard-server';
import { percentile, type Suite } from './harness';

const BLOCKS = 5000;
const LOADS = 5;
const EVENTS = 200;

const root = fileURLToPath(new URL('..', import.meta.url));
const rendererDir = `${root}dist/renderer`;

export const dashboardSuite: Suite = {
  name: 'dashboard',
  async run(report) {
    const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    if (!existsSync(chromiumPath)) {
      report.line(
        `skipped: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
      );
      return;
    }
    if (!existsSync(`${rendererDir}/index.html`)) {
      execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'ignore' });
    }
    // Room for the new blocks: the synthetic election is still voting.
    const engine = createSyntheticEngine({ blocks: BLOCKS, heightsLeft: EVENTS + 50 });
    const server = await serveDashboard(engine, { rendererDir });
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    try {
      const { state } = engine.snapshot();
      const loads = await measureLoads(browser, server.url);
      report.metric({
        name: 'dashboard_5000_blocks_render_ms',
        value: percentile(
          loads.map((l) => l.render),
          50,
        ),
        unit: 'ms',
        note: `snapshot in the store → block tree committed, ${BLOCKS} blocks (median of ${LOADS} loads)`,
      });
      report.metric({
        name: 'dashboard_5000_blocks_load_ms',
        value: percentile(
          loads.map((l) => l.load),
          50,
        ),
        unit: 'ms',
        note: 'navigation start → block tree committed (fetch + parse of the snapshot included)',
      });

      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await openDashboard(page, server.url);
      const latencies = await measureEvents(page, () => engine.addBlock());
      report.metric({
        name: 'dashboard_event_apply_ms_p95',
        value: percentile(latencies, 95),
        unit: 'ms',
        note: `new block event → tree committed, ${EVENTS} blocks one at a time at ~${BLOCKS} blocks`,
      });
      const rows = await page.locator('.tree-row').count();
      const snapshotBytes = JSON.stringify(engine.snapshot()).length;
      report.line(
        `${BLOCKS} blocks (${state.blocks.length - state.chain!.height} on side branches), snapshot ${(snapshotBytes / 1e6).toFixed(1)} MB of JSON; ` +
          `${rows} tree rows in the DOM (virtualised)`,
      );
      report.line(
        `render: ${fmt(loads.map((l) => l.render))} ms; load: ${fmt(loads.map((l) => l.load))} ms; ` +
          `render is ${Math.round(
            (100 *
              percentile(
                loads.map((l) => l.render),
                50,
              )) /
              percentile(
                loads.map((l) => l.load),
                50,
              ),
          )}% of the load`,
      );
      report.line(
        `new block → committed: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, ` +
          `max ${Math.max(...latencies).toFixed(1)} ms (a 60 Hz frame is 16.7 ms)`,
      );
      await page.close();
    } finally {
      await browser.close();
      await server.close();
    }
  },
};

/** Page loads after one warm-up: snapshot → tree and navigation → tree, in ms. */
async function measureLoads(browser: Browser, url: string): Promise<{ render: number; load: number }[]> {
  const loads: { render: number; load: number }[] = [];
  for (let i = 0; i <= LOADS; i++) {
    // A new page each time: the same URL in the same page would only change its #fragment.
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const times = await openDashboard(page, url);
    if (i > 0) loads.push(times);
    await page.close();
  }
  return loads;
}

/** Opens the dashboard and waits for the tree to show every block; returns the marks' times. */
async function openDashboard(page: Page, url: string): Promise<{ render: number; load: number }> {
  // tsx compiles the functions passed to page.evaluate with esbuild's keepNames, which wraps named
  // inner functions in a `__name` helper the page does not have: give it an identity one.
  await page.addInitScript('globalThis.__name = (fn) => fn;');
  await page.goto(url);
  return page.evaluate(
    (blocks) =>
      new Promise<{ render: number; load: number }>((resolve) => {
        const check = () => {
          const tree = performance
            .getEntriesByName('oe:tree-rendered')
            .find((m) => (m as unknown as Detailed<'blocks'>).detail.blocks >= blocks);
          const snapshot = performance.getEntriesByName('oe:snapshot')[0];
          if (!tree || !snapshot) return false;
          resolve({ render: tree.startTime - snapshot.startTime, load: tree.startTime });
          return true;
        };
        if (check()) return;
        const observer = new PerformanceObserver(() => {
          if (check()) observer.disconnect();
        });
        observer.observe({ type: 'mark' });
      }),
    BLOCKS,
  );
}

/**
 * Adds blocks one at a time, each once the page has shown the one before; returns, per block, the
 * time from its first event arriving to the tree's commit of its last (a block is a 'blocks'
 * event, then a 'chain' event).
 */
async function measureEvents(page: Page, addBlock: () => void): Promise<number[]> {
  const rendered = (seq: number) =>
    page.evaluate(
      (target) =>
        new Promise<void>((resolve) => {
          const done = () =>
            performance
              .getEntriesByName('oe:event-rendered')
              .some((m) => (m as unknown as Detailed<'seq'>).detail.seq >= target);
          if (done()) return resolve();
          const observer = new PerformanceObserver(() => {
            if (done()) {
              observer.disconnect();
              resolve();
            }
          });
          observer.observe({ type: 'mark' });
        }),
      seq,
    );
  const last = await page.evaluate(() =>
    Math.max(
      0,
      ...performance
        .getEntriesByName('oe:event-rendered')
        .map((m) => (m as unknown as Detailed<'seq'>).detail.seq),
    ),
  );
  const blocks: { first: number; last: number }[] = [];
  for (let i = 0, seq = last; i < EVENTS; i++) {
    addBlock();
    blocks.push({ first: seq + 1, last: seq + 2 });
    seq += 2;
    await rendered(seq);
  }
  const marks = await page.evaluate(() => ({
    events: performance
      .getEntriesByName('oe:event')
      .map((m) => [(m as unknown as Detailed<'seq'>).detail.seq, m.startTime] as const),
    rendered: performance
      .getEntriesByName('oe:event-rendered')
      .map((m) => [(m as unknown as Detailed<'seq'>).detail.seq, m.startTime] as const),
  }));
  const arrived = new Map(marks.events);
  return blocks.map(({ first, last }) => {
    const start = arrived.get(first);
    const end = marks.rendered.find(([seq]) => seq >= last)?.[1];
    if (start === undefined || end === undefined) throw new Error(`no marks for events ${first}–${last}`);
    return end - start;
  });
}

/** A mark with its detail (types only: the functions run in the page, where marks are DOM's). */
type Detailed<K extends string> = { readonly detail: Record<K, number> };

function fmt(values: readonly number[]): string {
  return values.map((v) => v.toFixed(0)).join(', ');
}
