// A client of Tor's control port (control-spec): connect, authenticate, send commands one line at a
// time, read replies in order, and hand asynchronous events (status 650) to listeners.
//
// Tor answers commands strictly in order, so replies are matched to a FIFO of pending commands. A
// command that times out fails for its caller but keeps its place in that FIFO: its answer, when it
// comes, is matched to it and dropped, so the order stays exact and the connection stays up. A tor
// that stopped answering for a while (a laptop's sleep, SIGSTOP) is slow, not gone: closing the
// connection would make a managed tor exit (TAKEOWNERSHIP), turning a pause into a failure.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { checkArgument, parseArguments, quoteString, type Reply, ReplyParser } from './control-protocol';
import { messageOf, TorError } from './errors';

export const DEFAULT_CONTROL_TIMEOUT_MS = 10_000;

export interface ControlConnectOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly port: number;
  /** The cookie file; default: the one tor names in PROTOCOLINFO. */
  readonly cookieFile?: string;
  /** For a tor configured with HashedControlPassword. */
  readonly password?: string;
  /** Connecting, and each command (default 10 s). */
  readonly timeoutMs?: number;
}

/** An asynchronous event: `650 TYPE rest…`, with any further lines of a multi-line event. */
export interface TorEvent {
  /** STATUS_CLIENT, HS_DESC, WARN, … */
  readonly type: string;
  /** The first line after the type. */
  readonly text: string;
  readonly reply: Reply;
}

export interface AddOnionOptions {
  /** `ED25519-V3:<base64>` to reuse a key, or `NEW:ED25519-V3` (the default) for a new one. */
  readonly keyBlob?: string;
  readonly ports: readonly { readonly virtual: number; readonly target: string }[];
  /** ADD_ONION flags, e.g. `DiscardPK`, `Detach` (else the service ends with this connection). */
  readonly flags?: readonly string[];
  readonly maxStreams?: number;
}

export interface AddOnionResult {
  /** The 56 base32 characters before `.onion`. */
  readonly serviceId: string;
  /** `ED25519-V3:<base64>`, only for a new key without DiscardPK. A secret. */
  readonly privateKey?: string;
}

export interface ProtocolInfo {
  readonly methods: readonly string[];
  readonly cookieFile?: string;
  readonly torVersion?: string;
}

interface Pending {
  readonly verb: string;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  /** When it was sent (ms since the epoch). */
  readonly sentAt: number;
  /** Timed out: its caller was told; its answer will be dropped. */
  abandoned: boolean;
  /** Given the answer of a command that had timed out (undoing what it did in tor). */
  readonly late?: (reply: Reply) => void;
}

/** Commands that timed out and are still unanswered, at most: past this, tor is taken as gone. */
const MAX_ABANDONED = 64;

interface ControlEvents {
  event: [TorEvent];
  /** The connection ended; the error says why unless close() was called. */
  close: [TorError | undefined];
}

const SAFECOOKIE_SERVER = 'Tor safe cookie authentication server-to-controller hash';
const SAFECOOKIE_CLIENT = 'Tor safe cookie authentication controller-to-server hash';
const COOKIE_BYTES = 32;

export class TorControl extends EventEmitter<ControlEvents> {
  private readonly parser = new ReplyParser();
  private readonly pending: Pending[] = [];
  private ended: TorError | undefined;
  private closing = false;
  private emittedClose = false;
  /** Tor's version, from PROTOCOLINFO. */
  torVersion: string | undefined;

  private constructor(
    private readonly socket: net.Socket,
    readonly timeoutMs: number,
  ) {
    super();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.ended ??= new TorError('closed', `control connection failed: ${error.code ?? error.message}`);
    });
    socket.on('close', () => this.finish());
  }

  /** Connects to a control port and authenticates (cookie, password, or none, as tor offers). */
  static async connect(options: ControlConnectOptions): Promise<TorControl> {
    const host = options.host ?? '127.0.0.1';
    const timeoutMs = options.timeoutMs ?? DEFAULT_CONTROL_TIMEOUT_MS;
    const where = `${host.includes(':') ? `[${host}]` : host}:${options.port}`;
    const socket = await openSocket(host, options.port, timeoutMs, where);
    const control = new TorControl(socket, timeoutMs);
    try {
      await control.authenticate(options);
      return control;
    } catch (error) {
      control.close();
      throw error;
    }
  }

  /** Sends one command; resolves with a 250 reply, rejects with TorError('reply') otherwise. */
  async request(line: string, timeoutMs = this.timeoutMs): Promise<Reply> {
    const verb = line.split(' ', 1)[0]!;
    const reply = await this.send(line, timeoutMs);
    if (reply.status !== 250) throw replyError(verb, reply);
    return reply;
  }

  /** GETINFO: each key's value (multi-line values joined with "\n"). */
  async getInfo(keys: readonly string[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    for (const key of keys) checkArgument(key, 'a GETINFO key');
    const reply = await this.request(`GETINFO ${keys.join(' ')}`);
    const values = new Map<string, string>();
    for (const line of reply.lines) {
      const eq = line.text.indexOf('=');
      if (eq < 0) continue; // the final "OK"
      values.set(line.text.slice(0, eq), line.data ?? line.text.slice(eq + 1));
    }
    for (const key of keys)
      if (!values.has(key)) throw new TorError('protocol', `GETINFO answered without "${key}"`);
    return values;
  }

  /** SETEVENTS: the events this connection receives from now on (replaces the previous set). */
  async setEvents(names: readonly string[]): Promise<void> {
    for (const name of names) checkArgument(name, 'an event name');
    await this.request(['SETEVENTS', ...names].join(' '));
  }

  /** ADD_ONION: publishes an onion service forwarding each virtual port to its target. */
  async addOnion(options: AddOnionOptions): Promise<AddOnionResult> {
    const keyBlob = options.keyBlob ?? 'NEW:ED25519-V3';
    if (!/^(NEW:(ED25519-V3|BEST)|ED25519-V3:[A-Za-z0-9+/]+={0,2})$/.test(keyBlob))
      throw new TorError('protocol', 'the onion key must be NEW:ED25519-V3 or ED25519-V3:<base64>');
    if (options.ports.length === 0) throw new TorError('protocol', 'ADD_ONION needs at least one port');
    const parts = ['ADD_ONION', keyBlob];
    const flags = options.flags ?? [];
    for (const flag of flags) checkArgument(flag, 'an ADD_ONION flag');
    if (flags.length > 0) parts.push(`Flags=${flags.join(',')}`);
    if (options.maxStreams !== undefined)
      parts.push(`MaxStreams=${checkedInt(options.maxStreams, 0, 65535)}`);
    for (const { virtual, target } of options.ports)
      parts.push(`Port=${checkedInt(virtual, 1, 65535)},${checkArgument(target, 'a port target')}`);
    // Timed out and then done after all: the caller never learns of that service, so it is taken
    // down again (else it stays in tor: a retry with its key is refused as a collision, and a new
    // key's service would answer for the peer API at an address nobody knows of).
    const reply = await this.send(parts.join(' '), this.timeoutMs, (late) => {
      const id = late.status === 250 ? serviceIdOf(late) : undefined;
      if (id !== undefined && /^[a-z2-7]{56}$/.test(id)) void this.delOnion(id).catch(() => {});
    });
    if (reply.status !== 250) throw replyError('ADD_ONION', reply);
    let serviceId: string | undefined;
    let privateKey: string | undefined;
    for (const line of reply.lines) {
      if (line.text.startsWith('ServiceID=')) serviceId = line.text.slice('ServiceID='.length);
      else if (line.text.startsWith('PrivateKey=')) privateKey = line.text.slice('PrivateKey='.length);
    }
    if (serviceId === undefined || !/^[a-z2-7]{56}$/.test(serviceId))
      throw new TorError('protocol', 'ADD_ONION answered without a v3 ServiceID');
    return privateKey === undefined ? { serviceId } : { serviceId, privateKey };
  }

  async delOnion(serviceId: string): Promise<void> {
    await this.request(`DEL_ONION ${checkArgument(serviceId, 'a service id')}`);
  }

  /** SIGNAL: RELOAD/HUP, SHUTDOWN, NEWNYM, … */
  async signal(name: string): Promise<void> {
    await this.request(`SIGNAL ${checkArgument(name, 'a signal name')}`);
  }

  /** TAKEOWNERSHIP: tor exits when this connection closes (including when our process dies). */
  async takeOwnership(): Promise<void> {
    await this.request('TAKEOWNERSHIP');
  }

  /**
   * SETCONF, all pairs in one command (tor applies them together or not at all; options that go
   * in groups, such as an onion service's HiddenServiceDir and its ports, must be set together).
   * Values are sent quoted, so a path with spaces or quotes is safe.
   */
  async setConf(pairs: readonly (readonly [key: string, value: string])[]): Promise<void> {
    const parts = pairs.map(
      ([key, value]) => `${checkArgument(key, 'a configuration key')}=${quoteString(value)}`,
    );
    await this.request(['SETCONF', ...parts].join(' '));
  }

  async resetConf(keys: readonly string[]): Promise<void> {
    for (const key of keys) checkArgument(key, 'a configuration key');
    await this.request(['RESETCONF', ...keys].join(' '));
  }

  /** Ends the connection; pending commands fail with TorError('closed'). */
  close(): void {
    this.closing = true;
    this.socket.destroy();
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }

  /** Since when the oldest command still unanswered was sent (timed-out ones included), if any. */
  get unansweredSince(): number | undefined {
    return this.pending[0]?.sentAt;
  }

  private send(line: string, timeoutMs: number, late?: (reply: Reply) => void): Promise<Reply> {
    const verb = line.split(' ', 1)[0]!;
    if (/[\r\n]/.test(line))
      return Promise.reject(new TorError('protocol', `${verb}: a line break in a command`));
    if (this.ended || this.socket.destroyed)
      return Promise.reject(this.ended ?? new TorError('closed', 'the control connection is closed'));
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The caller is told; the command keeps its place, so its late answer cannot be taken for
        // the next command's.
        entry.abandoned = true;
        reject(new TorError('timeout', `tor did not answer ${verb} within ${timeoutMs} ms`));
        if (this.pending.filter((p) => p.abandoned).length > MAX_ABANDONED)
          this.fail(new TorError('timeout', `tor has not answered ${MAX_ABANDONED} commands`));
      }, timeoutMs);
      const entry: Pending = {
        verb,
        resolve,
        reject,
        timer,
        sentAt: Date.now(),
        abandoned: false,
        ...(late ? { late } : {}),
      };
      this.pending.push(entry);
      this.socket.write(`${line}\r\n`);
    });
  }

  private receive(chunk: Buffer): void {
    let replies: Reply[];
    try {
      replies = this.parser.push(chunk);
    } catch (error) {
      this.fail(error instanceof TorError ? error : new TorError('protocol', messageOf(error)));
      return;
    }
    for (const reply of replies) {
      if (reply.status === 650) {
        this.emitEvent(reply);
        continue;
      }
      const pending = this.pending.shift();
      if (!pending) {
        // Tor says this before closing a connection it will not serve (e.g. "514 Authentication
        // required"); anything else unasked for means we are out of step.
        const first = reply.lines[0]?.text ?? '';
        this.fail(
          new TorError('protocol', `tor sent an unexpected reply: ${reply.status} ${first.slice(0, 200)}`),
        );
        return;
      }
      clearTimeout(pending.timer);
      if (!pending.abandoned) pending.resolve(reply);
      else pending.late?.(reply);
    }
  }

  private emitEvent(reply: Reply): void {
    const first = reply.lines[0]?.text ?? '';
    const space = first.indexOf(' ');
    const type = space < 0 ? first : first.slice(0, space);
    const text = space < 0 ? '' : first.slice(space + 1);
    try {
      this.emit('event', { type, text, reply });
    } catch {
      // A listener's bug must not break the connection for everyone else.
    }
  }

  /** Ends the connection with `error`: every pending command fails with it. */
  private fail(error: TorError): void {
    this.ended ??= error;
    this.socket.destroy();
    this.finish();
  }

  private finish(): void {
    const error = this.ended ?? new TorError('closed', 'tor closed the control connection');
    this.ended = error;
    for (const pending of this.pending.splice(0)) {
      clearTimeout(pending.timer);
      if (!pending.abandoned) pending.reject(error);
    }
    if (!this.emittedClose) {
      this.emittedClose = true;
      this.emit('close', this.closing ? undefined : error);
    }
  }

  private async authenticate(options: ControlConnectOptions): Promise<void> {
    const info = parseProtocolInfo(await this.send('PROTOCOLINFO 1', this.timeoutMs));
    this.torVersion = info.torVersion;
    const methods = info.methods;
    if (options.password !== undefined) {
      if (!methods.includes('HASHEDPASSWORD'))
        throw new TorError(
          'auth',
          `a password was given but tor does not accept one (it accepts ${methods.join(', ') || 'nothing'})`,
        );
      return this.sendAuth(`AUTHENTICATE ${quoteString(options.password)}`, 'the password');
    }
    if (methods.includes('NULL')) return this.sendAuth('AUTHENTICATE', 'no credentials');
    if (methods.includes('SAFECOOKIE') || methods.includes('COOKIE')) {
      const path = options.cookieFile ?? info.cookieFile;
      if (path === undefined)
        throw new TorError('auth', 'tor asks for its cookie but did not say where it is');
      const cookie = await readCookie(path);
      // SAFECOOKIE proves both sides know the cookie without sending it: a program listening on the
      // port in tor's place learns nothing it could replay.
      if (methods.includes('SAFECOOKIE')) return this.safeCookie(cookie, path);
      return this.sendAuth(`AUTHENTICATE ${cookie.toString('hex')}`, `the cookie ${path}`);
    }
    if (methods.includes('HASHEDPASSWORD'))
      throw new TorError(
        'auth',
        'tor asks for a control password (HashedControlPassword): give the password',
      );
    throw new TorError('auth', `tor offers no authentication method we support (${methods.join(', ')})`);
  }

  private async safeCookie(cookie: Buffer, path: string): Promise<void> {
    const clientNonce = randomBytes(32);
    const reply = await this.send(`AUTHCHALLENGE SAFECOOKIE ${clientNonce.toString('hex')}`, this.timeoutMs);
    if (reply.status !== 250) throw replyError('AUTHCHALLENGE', reply, 'auth');
    const args = parseArguments(reply.lines[0]?.text ?? '').named;
    const serverHash = Buffer.from(args.get('SERVERHASH') ?? '', 'hex');
    const serverNonce = Buffer.from(args.get('SERVERNONCE') ?? '', 'hex');
    if (serverHash.length !== 32 || serverNonce.length !== 32)
      throw new TorError('protocol', 'AUTHCHALLENGE answered without SERVERHASH and SERVERNONCE');
    const message = Buffer.concat([cookie, clientNonce, serverNonce]);
    const expected = createHmac('sha256', SAFECOOKIE_SERVER).update(message).digest();
    if (!timingSafeEqual(expected, serverHash))
      throw new TorError(
        'auth',
        `the control port does not know the cookie in ${path}: it is another tor, or not tor at all`,
      );
    const clientHash = createHmac('sha256', SAFECOOKIE_CLIENT).update(message).digest('hex');
    return this.sendAuth(`AUTHENTICATE ${clientHash}`, `the cookie ${path}`);
  }

  private async sendAuth(line: string, what: string): Promise<void> {
    const reply = await this.send(line, this.timeoutMs);
    if (reply.status !== 250) {
      const text = reply.lines[0]?.text ?? '';
      throw new TorError('auth', `tor refused ${what}: ${reply.status} ${text.slice(0, 200)}`, reply.status);
    }
  }
}

/** PROTOCOLINFO's answer: `250-AUTH METHODS=… COOKIEFILE="…"`, `250-VERSION Tor="…"`. */
export function parseProtocolInfo(reply: Reply): ProtocolInfo {
  if (reply.status !== 250) throw replyError('PROTOCOLINFO', reply);
  let methods: string[] | undefined;
  let cookieFile: string | undefined;
  let torVersion: string | undefined;
  for (const { text } of reply.lines) {
    if (text.startsWith('AUTH ')) {
      const args = parseArguments(text.slice(5)).named;
      methods = (args.get('METHODS') ?? '').split(',').filter((m) => m !== '');
      cookieFile = args.get('COOKIEFILE');
    } else if (text.startsWith('VERSION ')) {
      torVersion = parseArguments(text.slice(8)).named.get('Tor');
    }
  }
  if (!methods) throw new TorError('protocol', 'PROTOCOLINFO answered without AUTH METHODS');
  return {
    methods,
    ...(cookieFile === undefined ? {} : { cookieFile }),
    ...(torVersion === undefined ? {} : { torVersion }),
  };
}

function replyError(verb: string, reply: Reply, kind: 'reply' | 'auth' = 'reply'): TorError {
  const text = reply.lines.map((l) => l.text).join(' / ');
  return new TorError(kind, `${verb} failed: ${reply.status} ${text.slice(0, 300)}`, reply.status);
}

/** ADD_ONION's `ServiceID=…` line, if any. */
function serviceIdOf(reply: Reply): string | undefined {
  const line = reply.lines.find((l) => l.text.startsWith('ServiceID='));
  return line?.text.slice('ServiceID='.length);
}

function checkedInt(value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new TorError('protocol', `${value} is not a whole number from ${min} to ${max}`);
  return value;
}

async function readCookie(path: string): Promise<Buffer> {
  let cookie: Buffer;
  try {
    cookie = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? messageOf(error);
    const hint = code === 'EACCES' ? ' (run as a user allowed to read it, e.g. in the debian-tor group)' : '';
    throw new TorError('auth', `cannot read tor's control cookie ${path}: ${code}${hint}`);
  }
  if (cookie.length !== COOKIE_BYTES)
    throw new TorError('auth', `tor's control cookie ${path} is ${cookie.length} bytes, not ${COOKIE_BYTES}`);
  return cookie;
}

function openSocket(host: string, port: number, timeoutMs: number, where: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TorError('connect', `no answer from tor's control port at ${where} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const reason =
        error.code === 'ECONNREFUSED'
          ? 'connection refused (is tor running, with this ControlPort?)'
          : (error.code ?? error.message);
      reject(new TorError('connect', `cannot connect to tor's control port at ${where}: ${reason}`));
    });
  });
}
