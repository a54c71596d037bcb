// How a runner's own tor reaches the Tor network: directly, through bridges (obfs4 through
// obfs4proxy or lyrebird, snowflake through snowflake-client), through an upstream proxy (SOCKS4,
// SOCKS5, HTTPS), or not at all because the user's own tor is used instead. The user's choice is
// kept in the data folder (`connection.json`, 0600: it may hold a proxy or control-port password)
// and becomes torrc lines at each start (`connectionTorrcLines` in ./torrc.ts).
//
// Everything here is checked as untrusted input: a pasted bridge line or a proxy URL comes from the
// user (the app's form, a command-line option, a file), and a bad one is refused with the line's
// number and what is wrong, before tor ever sees it. No message here ever carries a password.
import { readFileSync } from 'node:fs';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../crypto/errors';
import { readJson } from '../crypto/json';
import { TorError } from './errors';
import { type FindTorOptions, findInstalled, isExecutable } from './find-tor';

export type BridgeTransport = 'obfs4' | 'snowflake' | 'vanilla';
export type BridgeChoice = 'none' | 'obfs4' | 'snowflake' | 'custom';
export type ProxyType = 'socks4' | 'socks5' | 'https';
export type TorChoice = 'managed' | 'attached' | 'external';

/** One bridge, as tor's `Bridge` option takes it (without the word `Bridge`). */
export interface BridgeLine {
  readonly transport: BridgeTransport;
  /** `IPv4:port` or `[IPv6]:port`. */
  readonly address: string;
  readonly fingerprint?: string;
  /** The line, normalised: single spaces, no leading `Bridge`. */
  readonly line: string;
}

export interface UpstreamProxy {
  readonly type: ProxyType;
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  /** A secret: never logged, never sent to a UI (its views say only whether one is saved). */
  readonly password?: string;
}

/** What `connection.json` holds. */
export interface ConnectionSettings {
  /** managed: a tor of the runner's own; attached: one running, by its control port; external: SOCKS + own onion. */
  readonly tor: TorChoice;
  readonly bridges: BridgeChoice;
  /** The pasted bridge lines (checked), used when `bridges` is `custom`. */
  readonly customBridges: readonly string[];
  readonly proxy?: UpstreamProxy;
  /** `attached`: the tor's control port, and its password if it takes one (else its cookie). */
  readonly control?: { readonly host: string; readonly port: number; readonly password?: string };
  /** `external`: the tor's SOCKS proxy (socks5h://host:port) and this runner's own .onion address. */
  readonly external?: { readonly socks: string; readonly self: string };
  /** Pluggable-transport programs chosen by the user (default: bundled, else installed). */
  readonly obfs4Path?: string;
  readonly snowflakePath?: string;
}

export const DEFAULT_CONNECTION: ConnectionSettings = { tor: 'managed', bridges: 'none', customBridges: [] };

/** The file in the runner's data folder. */
export const CONNECTION_FILE = 'connection.json';
export const MAX_BRIDGE_LINES = 100;
const MAX_LINE_LENGTH = 2000;

/**
 * The Tor Browser's built-in bridges, public data: `bridges` of tor-browser-build's
 * projects/tor-expert-bundle/pt_config.json (the file the Tor Expert Bundle ships). A bundled
 * pt_config.json, newer with each installer, is preferred when present (`builtinBridges`).
 */
export const BUILTIN_BRIDGES: Readonly<Record<'obfs4' | 'snowflake', readonly string[]>> = {
  obfs4: [
    'obfs4 192.95.36.142:443 CDF2E852BF539B82BD10E27E9115A31734E378C2 cert=qUVQ0srL1JI/vO6V6m/24anYXiJD3QP2HgzUKQtQ7GRqqUvs7P+tG43RtAqdhLOALP7DJQ iat-mode=1',
    'obfs4 37.218.245.14:38224 D9A82D2F9C2F65A18407B1D2B764F130847F8B5D cert=bjRaMrr1BRiAW8IE9U5z27fQaYgOhX1UCmOpg2pFpoMvo6ZgQMzLsaTzzQNTlm7hNcb+Sg iat-mode=0',
    'obfs4 85.31.186.98:443 011F2599C0E9B27EE74B353155E244813763C3E5 cert=ayq0XzCwhpdysn5o0EyDUbmSOx3X/oTEbzDMvczHOdBJKlvIdHHLJGkZARtT4dcBFArPPg iat-mode=0',
    'obfs4 85.31.186.26:443 91A6354697E6B02A386312F68D82CF86824D3606 cert=PBwr+S8JTVZo6MPdHnkTwXJPILWADLqfMGoVvhZClMq/Urndyd42BwX9YFJHZnBB3H0XCw iat-mode=0',
    'obfs4 193.11.166.194:27015 2D82C2E354D531A68469ADF7F878FA6060C6BACA cert=4TLQPJrTSaDffMK7Nbao6LC7G9OW/NHkUwIdjLSS3KYf0Nv4/nQiiI8dY2TcsQx01NniOg iat-mode=0',
    'obfs4 193.11.166.194:27020 86AC7B8D430DAC4117E9F42C9EAED18133863AAF cert=0LDeJH4JzMDtkJJrFphJCiPqKx7loozKN7VNfuukMGfHO0Z8OGdzHVkhVAOfo1mUdv9cMg iat-mode=0',
    'obfs4 193.11.166.194:27025 1AE2C08904527FEA90C4C4F8C1083EA59FBC6FAF cert=ItvYZzW5tn6v3G4UnQa6Qz04Npro6e81AP70YujmK/KXwDFPTs3aHXcHp4n8Vt6w/bv8cA iat-mode=0',
    'obfs4 209.148.46.65:443 74FAD13168806246602538555B5521A0383A1875 cert=ssH+9rP8dG2NLDN2XuFw63hIO/9MNNinLmxQDpVa+7kTOa9/m+tGWT1SmSYpQ9uTBGa6Hw iat-mode=0',
    'obfs4 146.57.248.225:22 10A6CD36A537FCE513A322361547444B393989F0 cert=K1gDtDAIcUfeLqbstggjIw2rtgIKqdIhUlHp82XRqNSq/mtAjp1BIC9vHKJ2FAEpGssTPw iat-mode=0',
    'obfs4 45.145.95.6:27015 C5B7CD6946FF10C5B3E89691A7D3F2C122D2117C cert=TD7PbUO0/0k6xYHMPW3vJxICfkMZNdkRrb63Zhl5j9dW3iRGiCx0A7mPhe5T2EDzQ35+Zw iat-mode=0',
    'obfs4 51.222.13.177:80 5EDAC3B810E12B01F6FD8050D2FD3E277B289A08 cert=2uplIpLQ0q9+0qMFrK5pkaYRDOe460LL9WHBvatgkuRr/SL31wBOEupaMMJ6koRE6Ld0ew iat-mode=0',
  ],
  snowflake: [
    'snowflake 192.0.2.3:80 2B280B23E1107BB62ABFC40DDCC8824814F80A72 fingerprint=2B280B23E1107BB62ABFC40DDCC8824814F80A72 url=https://voluble-torrone-fc39bf.netlify.app/ fronts=vuejs.org ice=stun:stun.epygi.com:3478,stun:stun.uls.co.za:3478,stun:stun.voipgate.com:3478,stun:stun.mixvoip.com:3478,stun:stun.nextcloud.com:3478,stun:stun.bethesda.net:3478,stun:stun.nextcloud.com:443 utls-imitate=hellorandomizedalpn',
    'snowflake 192.0.2.4:80 8838024498816A039FCBBAB14E6F40A0843051FA fingerprint=8838024498816A039FCBBAB14E6F40A0843051FA url=https://voluble-torrone-fc39bf.netlify.app/ fronts=vuejs.org ice=stun:stun.epygi.com:3478,stun:stun.uls.co.za:3478,stun:stun.voipgate.com:3478,stun:stun.mixvoip.com:3478,stun:stun.nextcloud.com:3478,stun:stun.bethesda.net:3478,stun:stun.nextcloud.com:443 utls-imitate=hellorandomizedalpn',
  ],
};

// ── Bridge lines ────────────────────────────────────────────────────────────────────────────────

/** The start of a line, for an error message (a bridge line is public, not a secret). */
function shown(line: string): string {
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}

/** `IPv4:port` or `[IPv6]:port`; undefined if it is not one. */
function parseAddressPort(text: string): string | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d{1,5})$/.exec(text);
  if (v4) {
    if (v4.slice(1, 5).some((o) => Number(o) > 255)) return undefined;
    return validPort(v4[5]!) ? text : undefined;
  }
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(text);
  if (v6 && v6[1]!.includes(':') && validPort(v6[2]!)) return text;
  return undefined;
}

function validPort(text: string): boolean {
  const n = Number(text);
  return /^\d{1,5}$/.test(text) && n >= 1 && n <= 65535;
}

/** A key=value argument's value: RFC 3986's unreserved and reserved characters and %, nothing else. */
const BRIDGE_ARGUMENT_VALUE = /^[A-Za-z0-9\-._~:/?[\]@!$&'()*+,;=%]+$/;

/**
 * One bridge line, as bridges.torproject.org or a friend gives it (`obfs4 1.2.3.4:443 FINGERPRINT
 * cert=… iat-mode=0`), with or without torrc's leading `Bridge`. Throws an Error saying what is wrong.
 */
export function parseBridgeLine(text: string): BridgeLine {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(text)) throw new Error('it contains a control character');
  if (text.length > MAX_LINE_LENGTH) throw new Error(`it is longer than ${MAX_LINE_LENGTH} characters`);
  const words = text.trim().split(/\s+/);
  if (words[0]?.toLowerCase() === 'bridge') words.shift();
  if (words.length === 0 || words[0] === '') throw new Error('it is empty');
  const vanilla = parseAddressPort(words[0]!) !== undefined;
  const transport = vanilla ? 'vanilla' : words.shift()!;
  if (!vanilla && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(transport))
    throw new Error(`"${shown(transport)}" is neither a transport name nor an address`);
  if (transport !== 'vanilla' && transport !== 'obfs4' && transport !== 'snowflake')
    throw new Error(`the ${transport} transport is not supported here: use obfs4 or snowflake bridges`);
  const address = words.shift();
  if (address === undefined || parseAddressPort(address) === undefined)
    throw new Error(
      `"${shown(address ?? '')}" is not an address and port such as 1.2.3.4:443 or [2001:db8::1]:443`,
    );
  let fingerprint: string | undefined;
  if (words[0] !== undefined && !words[0].includes('=')) {
    const fp = words.shift()!.replace(/^\$/, '');
    if (!/^[0-9A-Fa-f]{40}$/.test(fp)) throw new Error(`"${shown(fp)}" is not a fingerprint (40 hex digits)`);
    fingerprint = fp.toUpperCase();
  }
  const args = new Map<string, string>();
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0 || eq === word.length - 1) throw new Error(`"${shown(word)}" is not a key=value argument`);
    const key = word.slice(0, eq);
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(key)) throw new Error(`"${shown(key)}" is not an argument name`);
    if (args.has(key)) throw new Error(`${key}= is given twice`);
    const value = word.slice(eq + 1);
    // URL characters only: in a torrc a trailing \ joins the next line to this one, # cuts the rest.
    if (!BRIDGE_ARGUMENT_VALUE.test(value))
      throw new Error(
        `its ${key}= value has a character a bridge line cannot carry (such as \\, # or "): letters, digits and the characters of a URL only`,
      );
    args.set(key, value);
  }
  if (transport === 'vanilla' && args.size > 0)
    throw new Error('a bridge without a transport takes no key=value arguments');
  if (transport === 'obfs4') {
    if (!fingerprint)
      throw new Error('an obfs4 bridge needs its fingerprint (40 hex digits) after the address');
    const cert = args.get('cert');
    if (cert === undefined) throw new Error('an obfs4 bridge needs its cert=');
    if (!/^[A-Za-z0-9+/]{70}={0,2}$/.test(cert)) throw new Error('its cert= is not an obfs4 certificate');
    const iat = args.get('iat-mode');
    if (iat === undefined) throw new Error('an obfs4 bridge needs its iat-mode= (0, 1 or 2)');
    if (!/^[012]$/.test(iat)) throw new Error('its iat-mode= must be 0, 1 or 2');
    for (const key of args.keys())
      if (key !== 'cert' && key !== 'iat-mode') throw new Error(`obfs4 takes no ${key}= argument`);
  }
  const line = [
    ...(transport === 'vanilla' ? [] : [transport]),
    address,
    ...(fingerprint ? [fingerprint] : []),
    ...[...args].map(([k, v]) => `${k}=${v}`),
  ].join(' ');
  return { transport, address, ...(fingerprint ? { fingerprint } : {}), line };
}

/**
 * Pasted bridge lines: blank lines and `#` comments are skipped; each other line must be a bridge.
 * A bad one is refused with its line number and what is wrong (`field` names the form's input).
 */
export function parseBridgeLines(input: string | readonly string[], field = 'customBridges'): BridgeLine[] {
  const lines = typeof input === 'string' ? input.split(/\r?\n/) : input;
  const bridges: BridgeLine[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of lines.entries()) {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) continue;
    let bridge: BridgeLine;
    try {
      bridge = parseBridgeLine(text);
    } catch (error) {
      throw new ValidationError(field, `line ${i + 1} ("${shown(text)}"): ${(error as Error).message}`);
    }
    if (seen.has(bridge.line)) continue;
    seen.add(bridge.line);
    bridges.push(bridge);
    if (bridges.length > MAX_BRIDGE_LINES)
      throw new ValidationError(field, `at most ${MAX_BRIDGE_LINES} bridge lines`);
  }
  return bridges;
}

// ── Upstream proxy ──────────────────────────────────────────────────────────────────────────────

const PROXY_SCHEMES: Record<string, ProxyType> = {
  'socks4:': 'socks4',
  'socks4a:': 'socks4',
  'socks5:': 'socks5',
  'socks5h:': 'socks5',
  'http:': 'https',
  'https:': 'https',
};

const DEFAULT_PROXY_PORTS: Record<ProxyType, number> = { socks4: 1080, socks5: 1080, https: 443 };

/** A host name or address (no port): what tor's *Proxy options take before the colon. */
export function checkProxyHost(host: string, field = 'proxyHost'): string {
  const h = host.trim();
  const ok = /^\d{1,3}(\.\d{1,3}){3}$/.test(h)
    ? h.split('.').every((o) => Number(o) <= 255)
    : /^\[?[0-9a-fA-F:.]+\]?$/.test(h) && h.includes(':')
      ? true
      : /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(
          h,
        );
  if (!ok) throw new ValidationError(field, 'must be a host name or an IP address, such as 192.168.1.10');
  return h.replace(/^\[(.*)\]$/, '$1');
}

/** A proxy's fields, checked together (the form's inputs, or a URL's parts). */
export function checkProxy(p: {
  type: string;
  host: string;
  port: number | string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}): UpstreamProxy {
  const type = p.type as ProxyType;
  if (type !== 'socks4' && type !== 'socks5' && type !== 'https')
    throw new ValidationError('proxyType', 'must be SOCKS4, SOCKS5 or HTTPS');
  const host = checkProxyHost(p.host);
  const portText = p.port === undefined || p.port === '' ? String(DEFAULT_PROXY_PORTS[type]) : String(p.port);
  if (!validPort(portText.trim()))
    throw new ValidationError('proxyPort', 'must be a port number from 1 to 65535');
  const username = p.username ?? '';
  const password = p.password ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  const control = /[\u0000-\u001f\u007f]/;
  if (control.test(username))
    throw new ValidationError('proxyUsername', 'must not contain control characters');
  if (control.test(password))
    throw new ValidationError('proxyPassword', 'must not contain control characters');
  if (type === 'socks4' && (username || password))
    throw new ValidationError(
      'proxyUsername',
      'a SOCKS4 proxy takes no user name or password: choose SOCKS5',
    );
  if (password && !username) throw new ValidationError('proxyUsername', 'is needed with a password');
  if (type === 'socks5' && username && !password)
    throw new ValidationError('proxyPassword', 'is needed with a user name (SOCKS5)');
  if (type === 'socks5' && Buffer.byteLength(username) > 255)
    throw new ValidationError('proxyUsername', 'must be at most 255 bytes (SOCKS5)');
  if (type === 'socks5' && Buffer.byteLength(password) > 255)
    throw new ValidationError('proxyPassword', 'must be at most 255 bytes (SOCKS5)');
  if (type === 'https' && username.includes(':'))
    throw new ValidationError('proxyUsername', 'must not contain a colon (HTTPS proxy)');
  return {
    type,
    host,
    port: Number(portText.trim()),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
}

/**
 * A proxy URL: `socks4://host:port`, `socks5://[user:password@]host:port`,
 * `https://[user:password@]host:port` (an HTTP CONNECT proxy; `http://` is taken as the same).
 * User name and password are %-decoded. `password`, when given, is the password (read elsewhere than
 * the command line): the URL must not have one then.
 */
export function parseProxyUrl(text: string, field = 'proxy', password?: string): UpstreamProxy {
  const scheme = /^([a-z0-9]+:)\/\//i.exec(text.trim())?.[1]?.toLowerCase();
  const type = scheme ? PROXY_SCHEMES[scheme] : undefined;
  if (!type)
    throw new ValidationError(
      field,
      'must start with socks4://, socks5:// or https:// (e.g. socks5://127.0.0.1:1080)',
    );
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ValidationError(field, 'is not a proxy URL such as socks5://127.0.0.1:1080');
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash)
    throw new ValidationError(field, 'must be only scheme://host:port (no path or query)');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new ValidationError(field, 'has a malformed %-escape in its user name or password');
    }
  };
  if (password !== undefined && url.password !== '')
    throw new ValidationError(
      field,
      'has a password, and another is given apart (a file): give it only once',
    );
  try {
    return checkProxy({
      type,
      host: url.hostname,
      port: url.port,
      username: decode(url.username),
      password: password ?? decode(url.password),
    });
  } catch (error) {
    if (error instanceof ValidationError && error.field !== field)
      throw new ValidationError(field, `${error.field.replace(/^proxy/, '').toLowerCase()} ${error.reason}`);
    throw error;
  }
}

/** A proxy as a URL without its password (for logs and the UI). */
export function proxyLabel(proxy: UpstreamProxy): string {
  const host = proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host;
  const user = proxy.username ? `${encodeURIComponent(proxy.username)}${proxy.password ? ':…' : ''}@` : '';
  return `${proxy.type}://${user}${host}:${proxy.port}`;
}

// ── Pluggable transports ────────────────────────────────────────────────────────────────────────

export interface FoundTransport {
  readonly path: string;
  readonly source: 'configured' | 'bundled' | 'installed';
}

/** Installed programs for each transport: lyrebird (obfs4proxy's successor), Debian's obfs4proxy. */
const INSTALLED_TRANSPORTS: Record<'obfs4' | 'snowflake', readonly string[]> = {
  obfs4: ['lyrebird', 'obfs4proxy'],
  snowflake: ['snowflake-client'],
};

export const TRANSPORT_INSTALL_HINT: Record<'obfs4' | 'snowflake', string> = {
  obfs4:
    'install it (Debian/Ubuntu: apt install obfs4proxy; Fedora: dnf install obfs4; macOS: brew install obfs4proxy)',
  snowflake: 'install it (Debian/Ubuntu: apt install snowflake-client)',
};

/**
 * The program of a pluggable transport, found as tor is (find-tor.ts): the configured path (then
 * nothing else), the one bundled with the app (`<resourcesDir>/tor/pluggable_transports/`, as the
 * Tor Expert Bundle lays it out: the program its pt_config.json names for the transport, else
 * lyrebird for obfs4 and snowflake-client for snowflake), then installed (PATH and the usual folders).
 */
export function findTransport(
  transport: 'obfs4' | 'snowflake',
  options: FindTorOptions & { readonly configured?: string | undefined } = {},
): FoundTransport {
  const platform = options.platform ?? process.platform;
  const exe = platform === 'win32' ? '.exe' : '';
  if (options.configured !== undefined) {
    if (!isExecutable(options.configured, platform))
      throw new TorError(
        'not-found',
        `the ${transport} program was not found at ${options.configured}: not an executable file`,
      );
    return { path: options.configured, source: 'configured' };
  }
  if (options.resourcesDir !== undefined) {
    const dir = path.join(options.resourcesDir, 'tor', 'pluggable_transports');
    const names = [
      ...bundledProgramNames(dir, transport),
      ...(transport === 'obfs4' ? ['lyrebird'] : ['snowflake-client']),
    ];
    for (const name of names) {
      const candidate = path.join(dir, `${name}${exe}`);
      if (isExecutable(candidate, platform)) return { path: candidate, source: 'bundled' };
    }
  }
  for (const name of INSTALLED_TRANSPORTS[transport]) {
    const installed = findInstalled(name, options);
    if (installed !== undefined) return { path: installed, source: 'installed' };
  }
  throw new TorError(
    'not-found',
    `${transport === 'obfs4' ? 'obfs4proxy (or lyrebird)' : 'snowflake-client'}, the program for ${transport} bridges, was not found: ${TRANSPORT_INSTALL_HINT[transport]}`,
  );
}

/**
 * The program a bundled pt_config.json names for a transport (`ClientTransportPlugin snowflake
 * exec ${pt_path}lyrebird${pt_extension}` in recent bundles), if the file is there.
 */
function bundledProgramNames(dir: string, transport: 'obfs4' | 'snowflake'): string[] {
  const config = readPtConfig(dir);
  if (!config) return [];
  const names: string[] = [];
  for (const line of Object.values(config.pluggableTransports ?? {})) {
    const m = /^ClientTransportPlugin (\S+) exec \$\{pt_path\}([A-Za-z0-9_.-]+)\$\{pt_extension\}/.exec(
      String(line),
    );
    if (m && m[1]!.split(',').includes(transport)) names.push(m[2]!);
  }
  return names;
}

interface PtConfig {
  readonly pluggableTransports?: Record<string, unknown>;
  readonly bridges?: Record<string, unknown>;
}

function readPtConfig(dir: string): PtConfig | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path.join(dir, 'pt_config.json'), 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as PtConfig) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The built-in bridges of a kind: the bundled pt_config.json's when the app carries one and its
 * lines all check out (it is newer with each installer), else the ones compiled in.
 */
export function builtinBridges(kind: 'obfs4' | 'snowflake', resourcesDir?: string): string[] {
  if (resourcesDir !== undefined) {
    const config = readPtConfig(path.join(resourcesDir, 'tor', 'pluggable_transports'));
    const lines = config?.bridges?.[kind];
    if (Array.isArray(lines) && lines.length > 0 && lines.every((l) => typeof l === 'string')) {
      try {
        const parsed = parseBridgeLines(lines as string[]);
        if (parsed.every((b) => b.transport === kind)) return parsed.map((b) => b.line);
      } catch {
        // A damaged file: the compiled-in lines.
      }
    }
  }
  return [...BUILTIN_BRIDGES[kind]];
}

/**
 * Whether tor reads `word` back as is as ClientTransportPlugin's program: it splits that value on
 * spaces and unquotes nothing there (a quoted path keeps its quotes), `#` starts a comment and a
 * trailing `\` joins the next line. A backslash is a folder separator on Windows only.
 */
export function isPlainTransportWord(word: string, platform: NodeJS.Platform = process.platform): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  const plain = platform === 'win32' ? /^[^\s"#\u0000-\u001f\u007f]+$/ : /^[^\s"#\\\u0000-\u001f\u007f]+$/;
  return plain.test(word) && !word.endsWith('\\');
}

// ── The settings file ───────────────────────────────────────────────────────────────────────────

/** The bridge lines the settings use (none, built-in, or the pasted ones). */
export function bridgesOf(settings: ConnectionSettings, resourcesDir?: string): BridgeLine[] {
  switch (settings.bridges) {
    case 'none':
      return [];
    case 'obfs4':
    case 'snowflake':
      return parseBridgeLines(builtinBridges(settings.bridges, resourcesDir));
    case 'custom':
      return parseBridgeLines(settings.customBridges);
  }
}

/**
 * Checks settings as a whole (from the file, the form or the command line): every field it has is
 * valid, and the choice it makes is complete (custom bridges have lines, attached has a port…).
 */
export function checkConnectionSettings(value: unknown, where = 'connection settings'): ConnectionSettings {
  const fail = (field: string, reason: string): never => {
    throw new ValidationError(field, reason);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'must be an object');
  const o = value as Record<string, unknown>;
  const known = [
    'version',
    'tor',
    'bridges',
    'customBridges',
    'proxy',
    'control',
    'external',
    'obfs4Path',
    'snowflakePath',
  ];
  for (const key of Object.keys(o)) if (!known.includes(key)) fail(key, `is not a connection setting`);
  const tor = o.tor ?? 'managed';
  if (tor !== 'managed' && tor !== 'attached' && tor !== 'external')
    fail('tor', 'must be managed, attached or external');
  const bridges = o.bridges ?? 'none';
  if (bridges !== 'none' && bridges !== 'obfs4' && bridges !== 'snowflake' && bridges !== 'custom')
    fail('bridges', 'must be none, obfs4, snowflake or custom');
  const custom = o.customBridges ?? [];
  if (!Array.isArray(custom) || !custom.every((l) => typeof l === 'string'))
    fail('customBridges', 'must be a list of bridge lines');
  const customBridges = parseBridgeLines(custom as string[]).map((b) => b.line);
  if (bridges === 'custom' && customBridges.length === 0)
    fail('customBridges', 'paste at least one bridge line (or choose built-in bridges)');
  let proxy: UpstreamProxy | undefined;
  if (o.proxy !== undefined && o.proxy !== null) {
    if (typeof o.proxy !== 'object') fail('proxy', 'must be an object');
    const p = o.proxy as Record<string, unknown>;
    for (const key of Object.keys(p))
      if (!['type', 'host', 'port', 'username', 'password'].includes(key))
        fail(`proxy.${key}`, 'is not a proxy field');
    if (typeof p.host !== 'string') fail('proxyHost', 'must be text');
    if (typeof p.port !== 'number') fail('proxyPort', 'must be a number');
    for (const key of ['type', 'username', 'password'] as const)
      if (p[key] !== undefined && typeof p[key] !== 'string') fail(`proxy.${key}`, 'must be text');
    proxy = checkProxy({
      type: p.type as string,
      host: p.host as string,
      port: p.port as number,
      username: p.username as string | undefined,
      password: p.password as string | undefined,
    });
  }
  let control: ConnectionSettings['control'];
  if (o.control !== undefined && o.control !== null) {
    const c = o.control as Record<string, unknown>;
    if (typeof c !== 'object') fail('control', 'must be an object');
    for (const key of Object.keys(c))
      if (!['host', 'port', 'password'].includes(key)) fail(`control.${key}`, 'is not a control-port field');
    const host = typeof c.host === 'string' ? c.host : fail('controlHost', 'must be text');
    const port =
      typeof c.port === 'number' && Number.isInteger(c.port) && c.port >= 1 && c.port <= 65535
        ? c.port
        : fail('controlPort', 'must be a port number from 1 to 65535');
    if (c.password !== undefined && typeof c.password !== 'string') fail('controlPassword', 'must be text');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (typeof c.password === 'string' && /[\u0000-\u001f\u007f]/.test(c.password))
      fail('controlPassword', 'must not contain control characters');
    control = {
      host: checkProxyHost(host, 'controlHost'),
      port,
      ...(c.password ? { password: c.password as string } : {}),
    };
  }
  if (tor === 'attached' && !control)
    fail('controlPort', "is needed to use a running tor: its control port (Tor Browser's is 9151)");
  let external: ConnectionSettings['external'];
  if (o.external !== undefined && o.external !== null) {
    const e = o.external as Record<string, unknown>;
    if (typeof e !== 'object') fail('external', 'must be an object');
    for (const key of Object.keys(e))
      if (!['socks', 'self'].includes(key)) fail(`external.${key}`, 'is not a field of your own tor');
    const socks = typeof e.socks === 'string' ? e.socks.trim() : fail('socksUrl', 'must be text');
    // A host name or an address only: what is shown back in logs and the UI must be plain text.
    const m = /^socks5h:\/\/([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})\/?$/.exec(socks);
    if (!m || !validPort(m[2]!))
      fail(
        'socksUrl',
        "must be your tor's SOCKS proxy as socks5h://host:port, e.g. socks5h://127.0.0.1:9050",
      );
    const self =
      typeof e.self === 'string' ? e.self.trim().toLowerCase() : fail('onionAddress', 'must be text');
    if (!/^[a-z2-7]{56}\.onion$/.test(self))
      fail('onionAddress', "must be your onion service's address: 56 letters and digits, then .onion");
    external = { socks, self };
  }
  if (tor === 'external' && !external)
    fail('socksUrl', "is needed to use your own tor: its SOCKS proxy and your onion service's address");
  const paths: { obfs4Path?: string; snowflakePath?: string } = {};
  for (const key of ['obfs4Path', 'snowflakePath'] as const) {
    const v = o[key];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string' || !path.isAbsolute(v)) fail(key, 'must be the full path of the program');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(v as string)) fail(key, 'must not contain control characters');
    // tor is started in the program's folder and given its file name (./torrc.ts: connectionTorrc).
    if (!isPlainTransportWord(path.basename(v as string)))
      fail(
        key,
        `${v as string}: tor cannot run a program whose file name has a space, a quote ("), # or a backslash: rename it`,
      );
    paths[key] = v as string;
  }
  return {
    tor: tor as TorChoice,
    bridges: bridges as BridgeChoice,
    customBridges,
    ...(proxy ? { proxy } : {}),
    ...(control ? { control } : {}),
    ...(external ? { external } : {}),
    ...paths,
  };
}

/** The data folder's settings; the defaults (a runner's own tor, no bridge, no proxy) without a file. */
export async function readConnectionSettings(dataDir: string): Promise<ConnectionSettings> {
  const file = path.join(dataDir, CONNECTION_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_CONNECTION;
    throw error;
  }
  // It may hold a password: others must not read it (set back to 0600, as the key files are).
  if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  let parsed: unknown;
  try {
    // The project's strict reader: a duplicate key (which JSON.parse would settle silently) is refused.
    parsed = readJson(text, CONNECTION_FILE);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      CONNECTION_FILE,
      `${`${error.field.slice(CONNECTION_FILE.length).replace(/^\./, '')} `.trimStart()}${error.reason}: save the connection settings again, or delete the file`,
    );
  }
  try {
    return checkConnectionSettings(parsed);
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ValidationError(CONNECTION_FILE, `${error.field}: ${error.reason}`);
    throw error;
  }
}

/** Writes the settings (checked first) atomically, mode 0600. */
export async function writeConnectionSettings(dataDir: string, settings: ConnectionSettings): Promise<void> {
  const checked = checkConnectionSettings(settings);
  const file = path.join(dataDir, CONNECTION_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify({ version: 1, ...checked }, null, 2)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** A short description for logs and the command line (never a password). */
export function describeConnection(settings: ConnectionSettings): string {
  if (settings.tor === 'attached' && settings.control)
    return `a running tor, by its control port ${settings.control.host}:${settings.control.port}`;
  if (settings.tor === 'external' && settings.external)
    return `your own tor at ${settings.external.socks}, as ${settings.external.self}`;
  const parts: string[] = [];
  if (settings.bridges === 'obfs4' || settings.bridges === 'snowflake')
    parts.push(`built-in ${settings.bridges} bridges`);
  else if (settings.bridges === 'custom')
    parts.push(
      `${settings.customBridges.length} bridge line${settings.customBridges.length === 1 ? '' : 's'} of yours`,
    );
  if (settings.proxy) parts.push(`through the proxy ${proxyLabel(settings.proxy)}`);
  return parts.length === 0
    ? 'a tor of its own, connecting directly'
    : `a tor of its own, with ${parts.join(', ')}`;
}
