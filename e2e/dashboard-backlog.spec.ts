// The web dashboard's event stream when a page stops reading (a frozen tab): the server must not
// buffer events for it without end. It drops that stream once 16 MB are waiting (the page, when it
// wakes, reconnects and starts over from a snapshot), while a page that reads keeps its stream.
// In Node, over real TCP on 127.0.0.1: a reader that never reads, and one that does.
import net from 'node:net';
import { expect, test } from '@playwright/test';
import type { BlockView } from '../main/api/contract';
import { serveDashboard } from '../main/app/dashboard-server';
import { createSyntheticEngine } from './support/synthetic-engine';

test('a stream nobody reads is dropped once its backlog passes 16 MB; a read one is kept', async () => {
  const engine = createSyntheticEngine({ blocks: 200 });
  const server = await serveDashboard(engine, { rendererDir: '.' });
  const request = `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\n\r\n`;
  const open = async (reading: boolean) => {
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = 0;
    if (reading) socket.on('data', (chunk) => (received += chunk.length));
    else socket.pause(); // read nothing: the kernel's buffers fill, then the server's
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(request);
    return { socket, closed, received: () => received };
  };
  const frozen = await open(false);
  const live = await open(true);
  try {
    await expect.poll(() => live.received()).toBeGreaterThan(0); // the snapshot: both streams are open
    // Big events: a copy of the tree's blocks, 4 MB of JSON each.
    const blocks = engine.snapshot().state.blocks;
    const copies: BlockView[] = [];
    while (JSON.stringify(copies).length < 4_000_000) copies.push(...blocks);
    const EVENTS = 8; // 32 MB in all
    for (let i = 0; i < EVENTS; i++) {
      engine.emit({ type: 'blocks', blocks: copies });
      await new Promise((r) => setTimeout(r, 100));
    }
    // The reading page gets every event; the frozen one, read at last, was cut off on the way.
    await expect.poll(() => live.received(), { timeout: 20_000 }).toBeGreaterThan(EVENTS * 4_000_000);
    expect(live.socket.destroyed).toBe(false);
    let frozenReceived = 0;
    frozen.socket.on('data', (chunk) => (frozenReceived += chunk.length));
    frozen.socket.resume();
    await frozen.closed;
    expect(frozenReceived).toBeLessThan(live.received() / 2);
  } finally {
    frozen.socket.destroy();
    live.socket.destroy();
    await server.close();
  }
});
