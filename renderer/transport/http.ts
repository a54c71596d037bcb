// The web dashboard's transport (`onion-election … --dashboard`): the same EngineApi over HTTP on
// 127.0.0.1, authorised by the token the command printed in the link. Requests are POSTs; state
// arrives as server-sent events read with fetch (EventSource cannot send the Authorization header).
import {
  type EngineApi,
  REQUEST_NAMES,
  type RequestName,
  type SequencedEvent,
  type Snapshot,
} from '../../main/api/contract';
import { RequestError } from '../../main/api/errors';
import type { EngineSource, SourceSink } from './source';

const TOKEN_KEY = 'onion-election.token';
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 10_000;
/** The server sends a keepalive well within this; silence this long means a dead connection. */
const SILENCE_MS = 60_000;

/**
 * The access token: taken from the link's `#token=…` (then kept for this tab, so a reload works,
 * and removed from the address bar, so it is not left in sight or in a bookmark), else the kept one.
 */
export function takeToken(): string | null {
  const match = /^#(?:.*&)?token=([^&]+)/.exec(location.hash);
  if (match) {
    const token = decodeURIComponent(match[1]!);
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch {
      // Storage disabled: the token still works until the page is reloaded.
    }
    history.replaceState(null, '', location.pathname + location.search);
    return token;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function forgetToken(): void {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Nothing was kept.
  }
}

export function httpSource(token: string): EngineSource {
  const authorization = `Bearer ${token}`;
  const listeners = new Set<(event: SequencedEvent) => void>();
  let sink: SourceSink | undefined;
  /** The current stream's; a stream whose controller was replaced is finished on purpose. */
  let controller: AbortController | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = FIRST_RETRY_MS;
  let refused = false;

  function refuse(): void {
    refused = true;
    forgetToken();
    controller?.abort();
    sink?.status('unauthorized');
  }

  async function call(name: RequestName, args: unknown[]): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`/api/call/${name}`, {
        method: 'POST',
        headers: { Authorization: authorization, 'Content-Type': 'application/json' },
        body: JSON.stringify({ args }),
      });
    } catch {
      throw new RequestError('The engine cannot be reached: is `onion-election` still running?');
    }
    if (response.status === 401) {
      refuse();
      throw new RequestError('The access token was refused.');
    }
    const body = (await response.json().catch(() => null)) as {
      ok?: unknown;
      error?: unknown;
      field?: unknown;
    } | null;
    if (response.ok && body && 'ok' in body) return body.ok;
    const message =
      typeof body?.error === 'string' ? body.error : `The engine answered HTTP ${response.status}.`;
    throw new RequestError(message, typeof body?.field === 'string' ? body.field : undefined);
  }

  function open(): void {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    stream(mine).then(
      () => closed(mine),
      () => closed(mine),
    );
  }

  function closed(mine: AbortController): void {
    if (mine !== controller || refused || !sink) return;
    sink.status('reconnecting');
    retryTimer = setTimeout(open, retryMs);
    retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
  }

  async function stream(mine: AbortController): Promise<void> {
    const { signal } = mine;
    const response = await fetch('/api/events', {
      headers: { Authorization: authorization, Accept: 'text/event-stream' },
      cache: 'no-store',
      signal,
    });
    if (response.status === 401) return refuse();
    if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let silence: ReturnType<typeof setTimeout> | undefined;
    const parser = sseParser((type, data) => {
      // A message parsed after a resync aborted this stream belongs to the old one: drop it.
      if (!signal.aborted) dispatch(type, data);
    });
    try {
      for (;;) {
        clearTimeout(silence);
        silence = setTimeout(() => mine.abort(), SILENCE_MS);
        const { value, done } = await reader.read();
        if (done) return;
        parser(value);
      }
    } finally {
      clearTimeout(silence);
    }
  }

  function dispatch(type: string, data: string): void {
    if (type === 'snapshot') {
      retryMs = FIRST_RETRY_MS;
      sink?.snapshot(JSON.parse(data) as Snapshot);
      sink?.status('live');
    } else if (type === 'engine') {
      const event = JSON.parse(data) as SequencedEvent;
      for (const listener of listeners) listener(event);
      sink?.event(event);
    }
  }

  // One function per request; the cast is where the names meet their types (REQUEST_NAMES is
  // checked against EngineRequests in the contract).
  const api = {
    ...Object.fromEntries(REQUEST_NAMES.map((name) => [name, (...args: unknown[]) => call(name, args)])),
    onEvent(listener: (event: SequencedEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as EngineApi;

  return {
    api,
    connect(next) {
      sink = next;
      sink.status(refused ? 'unauthorized' : 'connecting');
      if (!refused) open();
      return () => {
        sink = undefined;
        clearTimeout(retryTimer);
        controller?.abort();
      };
    },
    resync() {
      // The stream starts with a snapshot: a new stream is a resync, with no race.
      clearTimeout(retryTimer);
      if (!refused) open();
    },
  };
}

/**
 * A text/event-stream parser fed chunk by chunk: calls `onMessage(type, data)` at each blank
 * line. Comments (`: keepalive`) are skipped. Lines end in \n or \r\n (the server writes \n).
 */
function sseParser(onMessage: (type: string, data: string) => void): (chunk: string) => void {
  let buffer = '';
  let type = '';
  let data: string[] = [];
  /** The unfinished line kept in `buffer` has no newline: the search resumes after it. */
  let scanFrom = 0;
  return (chunk) => {
    buffer += chunk;
    let start = 0;
    // A snapshot is one long data line over many chunks: each chunk is scanned once.
    for (let end = buffer.indexOf('\n', scanFrom); end >= 0; end = buffer.indexOf('\n', start)) {
      const line = buffer.slice(start, buffer[end - 1] === '\r' ? end - 1 : end);
      start = end + 1;
      if (line === '') {
        if (data.length > 0) onMessage(type || 'message', data.join('\n'));
        type = '';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1);
        if (field === 'event') type = value;
        else if (field === 'data') data.push(value);
      }
    }
    buffer = buffer.slice(start);
    scanFrom = buffer.length;
  };
}
