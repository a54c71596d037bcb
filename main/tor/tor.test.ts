// Onion services end to end on a private Tor network on 127.0.0.1 (main/tor/testnet.ts): two
// TorManagers, each with its own tor, publish a service for a tiny HTTP server; each fetches the
// other's page through its own SOCKS port (socks5h, the name resolved by tor); one restarts and
// keeps its .onion address and is reachable again. Prints how long each stage took and the warm
// fetch latency. Skipped, saying so, when tor is not installed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { findInstalled } from './find-tor';
import { type OnionService, TorManager } from './manager';
import { startTestnet, type Testnet } from './testnet';

const missing = ['tor', 'tor-gencert'].filter((p) => findInstalled(p) === undefined);
const skip =
  missing.length > 0
    ? `${missing.join(' and ')} not installed (Debian/Ubuntu: apt-get install -y tor)`
    : false;
if (skip) console.log(`tor.test.ts: skipped: ${skip}`);

/** The whole run: network, two tors, first fetch, warm fetches, a restart. */
const TEST_TIMEOUT_MS = 300_000;
/** From the network's start to the first page fetched through an onion service. */
const FIRST_FETCH_DEADLINE_MS = 180_000;
/** One try; failures are normal until the descriptor is on the HSDirs. */
const TRY_TIMEOUT_MS = 30_000;

async function pageServer(text: string): Promise<http.Server> {
  const server = http.createServer((_request, response) => {
    response.setHeader('Content-Type', 'text/plain');
    response.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** GET http://<onion>/ through a tor's SOCKS port: the body, or an error. */
function fetchOnion(agent: http.Agent, service: OnionService): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get(`http://${service.address}/`, { agent, timeout: TRY_TIMEOUT_MS }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        response.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${response.statusCode}`)),
      );
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${TRY_TIMEOUT_MS} ms`)));
    request.on('error', reject);
  });
}

/**
 * Retries a fetch every second until it succeeds or `deadline` passes; `onFailure` runs after each
 * failed try.
 */
async function fetchUntil(
  socksUrl: string,
  service: OnionService,
  deadline: number,
  onFailure?: () => Promise<void>,
): Promise<string> {
  let last = '';
  let tries = 0;
  while (Date.now() < deadline) {
    tries += 1;
    const agent = new SocksProxyAgent(socksUrl);
    try {
      return await fetchOnion(agent, service);
    } catch (error) {
      last = (error as Error).message;
      await onFailure?.();
      await sleep(1000);
    } finally {
      agent.destroy();
    }
  }
  throw new Error(`${service.address} not reachable through ${socksUrl} after ${tries} tries: ${last}`);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** `count` fetches in a row: each on a new SOCKS connection, or all on one kept alive. */
async function measure(socksUrl: string, service: OnionService, count: number, keepAlive: boolean) {
  const shared = keepAlive ? new SocksProxyAgent(socksUrl, { keepAlive: true, maxSockets: 1 }) : undefined;
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const agent = shared ?? new SocksProxyAgent(socksUrl);
      const started = performance.now();
      try {
        await fetchOnion(agent, service);
      } finally {
        if (!shared) agent.destroy();
      }
      times.push(performance.now() - started);
    }
  } finally {
    shared?.destroy();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const ms = (p: number) => percentile(sorted, p).toFixed(0);
  return `p50 ${ms(50)} ms, p95 ${ms(95)} ms (${count} fetches)`;
}

describe('onion services on a private Tor network on 127.0.0.1', { skip, timeout: TEST_TIMEOUT_MS }, () => {
  test('two tors publish services, reach each other, and a restart keeps the address', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tor-e2e-'));
    const managers = new Set<TorManager>();
    const servers: http.Server[] = [];
    let testnet: Testnet | undefined;
    const t0 = Date.now();
    const seconds = (from: number) => ((Date.now() - from) / 1000).toFixed(1);
    const report: string[] = [];
    const mark = (what: string) => report.push(`${what.padEnd(44)} ${seconds(t0).padStart(6)} s`);
    const start = async (name: string) => {
      const manager = await TorManager.start({
        dataDir: path.join(root, name),
        extraTorrcLines: testnet!.clientTorrcLines,
      });
      managers.add(manager);
      return manager;
    };
    try {
      testnet = await startTestnet({ relays: 1 });
      mark('testnet processes up');
      // The guard that keeps this test off the public network: only our loopback authorities.
      const authorities = testnet.clientTorrcLines.filter((l) => l.startsWith('DirAuthority '));
      assert.equal(authorities.length, 3);
      for (const line of authorities) assert.match(line, / 127\.0\.0\.1:\d+ [0-9A-F]{40}$/);
      assert.ok(testnet.clientTorrcLines.includes('TestingTorNetwork 1'));

      await testnet.waitForConsensus(120_000);
      mark('consensus lists every node');
      for (const text of ['page of A', 'page of B']) servers.push(await pageServer(text));
      const port = (s: http.Server) => (s.address() as net.AddressInfo).port;
      const [a, b] = await Promise.all([start('runner-a'), start('runner-b')]);
      await Promise.all([a.waitForBootstrap({ stallMs: 60_000 }), b.waitForBootstrap({ stallMs: 60_000 })]);
      mark('both tors bootstrapped');
      const [serviceA, serviceB] = await Promise.all([
        a.publishService(port(servers[0]!), { timeoutMs: 90_000 }),
        b.publishService(port(servers[1]!), { timeoutMs: 90_000 }),
      ]);
      mark('both services published (HS_DESC UPLOADED)');
      assert.notEqual(serviceA.address, serviceB.address);

      const deadline = t0 + FIRST_FETCH_DEADLINE_MS;
      assert.equal(await fetchUntil(b.socksUrl, serviceA, deadline), 'page of A');
      mark('first fetch B → A.onion');
      assert.equal(await fetchUntil(a.socksUrl, serviceB, deadline), 'page of B');
      mark('first fetch A → B.onion');

      report.push(
        `warm fetch B → A.onion, new SOCKS connection each: ${await measure(b.socksUrl, serviceA, 20, false)}`,
      );
      report.push(
        `warm fetch B → A.onion, one kept-alive connection: ${await measure(b.socksUrl, serviceA, 20, true)}`,
      );

      // Restart A in the same data folder: same key file, so the same address, reachable again.
      const restarted = Date.now();
      await a.stop();
      managers.delete(a);
      const a2 = await start('runner-a');
      await a2.waitForBootstrap({ stallMs: 60_000 });
      const again = await a2.publishService(port(servers[0]!), { timeoutMs: 90_000 });
      assert.equal(again.address, serviceA.address);
      const republished = seconds(restarted);
      // A try that fails here may have joined a rendezvous with A's dead tor, which tor would keep
      // waiting on: NEWNYM makes B forget it (what a runner should do when a peer stops answering).
      const newCircuits = () => b.newCircuits();
      assert.equal(await fetchUntil(b.socksUrl, again, Date.now() + 90_000, newCircuits), 'page of A');
      report.push(
        `restart of A: same address published after ${republished} s, fetched by B after ${seconds(restarted)} s`,
      );
    } finally {
      // Printed on failure too: how far it got, and when.
      console.log(
        [
          'tor.test.ts (3 authorities + 1 relay, voting every 20 s; times from the start of the network):',
          ...report.map((line) => `  ${line}`),
        ].join('\n'),
      );
      for (const manager of managers) await manager.stop();
      for (const server of servers) server.close();
      await testnet?.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
