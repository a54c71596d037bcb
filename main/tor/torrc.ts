// Writing torrc files: values quoted so that any path survives, templates with {{name}} fields, and
// extra lines checked so that none can hide a second line.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bridgesOf, type ConnectionSettings, findTransport, isPlainTransportWord } from './connection';
import { TorError } from './errors';
import type { FindTorOptions } from './find-tor';

/**
 * `tor/torrc.template` in the checkout: two folders up from this module, as it is from the bundles
 * in dist/electron and dist/cli (a packaged app must ship it there, or pass its own path).
 */
export function defaultTemplatePath(name = 'torrc.template'): string {
  // esbuild's CommonJS output leaves import.meta empty, but has __dirname.
  const here = import.meta.url ? new URL('.', import.meta.url) : pathToFileURL(`${__dirname}/`);
  return fileURLToPath(new URL(`../../tor/${name}`, here));
}

/**
 * A torrc value: as is when plain, else a quoted string with C escapes (how tor reads a path with
 * spaces, quotes or backslashes, e.g. on Windows). Control characters are refused: no value needs
 * one and a line break would start a new option.
 */
export function torrcValue(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`a torrc value contains a control character`);
  if (/^[A-Za-z0-9_./:@+,=-]+$/.test(value)) return value;
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * Fills `{{name}}` fields; a field without a value is an error, not an empty string. Lines starting
 * with `##` are notes about the template itself and are left out.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  const kept = template
    .split('\n')
    .filter((line) => !line.startsWith('##'))
    .join('\n')
    .replace(/^\n+/, '');
  return kept.replace(/\{\{([A-Za-z0-9_]+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`torrc template: no value for {{${name}}}`);
    return value;
  });
}

/** Checks extra torrc lines given by the caller: one option per line, no line breaks inside. */
export function checkTorrcLines(lines: readonly string[]): string[] {
  return lines.map((line, i) => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(line.replace(/\t/g, ' ')))
      throw new Error(`extra torrc line ${i + 1} contains a line break or a control character`);
    return line.trim();
  });
}

/** A managed tor's connection settings as torrc lines, and the folder tor must run in for them. */
export interface ConnectionTorrc {
  readonly lines: string[];
  /**
   * The folder tor is started in (its working directory) when the lines name a transport program
   * relative to it (`ClientTransportPlugin obfs4 exec ./lyrebird`): undefined without bridges of
   * a transport.
   */
  readonly workingDir?: string;
}

/**
 * The torrc lines of a managed tor's connection settings (./connection.ts): `UseBridges 1`, one
 * `ClientTransportPlugin <transport> exec <program>` per transport the bridges use (the program
 * found as tor is: configured, bundled, installed), one `Bridge` line each, and the upstream proxy
 * (`Socks4Proxy`, `Socks5Proxy` with its user name and password, `HTTPSProxy` with
 * `HTTPSProxyAuthenticator`). The proxy's password is in these lines: they go to the torrc (0600)
 * only, never to a log.
 *
 * The transport program cannot be given by its full path when that path has a space (`C:\Program
 * Files\…`, `/Applications/Onion Election.app/…`): tor splits ClientTransportPlugin's value on
 * spaces and unquotes nothing there (a quoted path keeps its quotes). As the Tor Browser does, tor
 * is started in the program's folder (`workingDir`) and the line names it `./lyrebird`; a second
 * program elsewhere is named by its full path, or relative to that folder. A program that cannot
 * be named that way (a space, `"` or `#` in its file name) is refused, naming it.
 */
export function connectionTorrc(
  settings: ConnectionSettings,
  options: Omit<FindTorOptions, 'torPath'> = {},
): ConnectionTorrc {
  const lines: string[] = [];
  let workingDir: string | undefined;
  const bridges = bridgesOf(settings, options.resourcesDir);
  if (bridges.length > 0) {
    lines.push('UseBridges 1');
    const transports = [...new Set(bridges.map((b) => b.transport))].filter(
      (t): t is 'obfs4' | 'snowflake' => t !== 'vanilla',
    );
    const platform = options.platform ?? process.platform;
    const paths = platform === 'win32' ? path.win32 : path.posix;
    const plain = (word: string) => isPlainTransportWord(word, platform);
    for (const transport of transports) {
      const found = findTransport(transport, {
        ...options,
        configured: transport === 'obfs4' ? settings.obfs4Path : settings.snowflakePath,
      });
      workingDir ??= paths.dirname(found.path);
      const relative = paths.relative(workingDir, found.path);
      const candidates = [
        ...(paths.dirname(found.path) === workingDir ? [] : [found.path]),
        ...(paths.isAbsolute(relative) ? [] : [`.${paths.sep}${relative}`]),
      ];
      const word = candidates.find(plain);
      if (word === undefined)
        throw new TorError(
          'start',
          `the ${transport} program ${found.path} cannot be named in tor's configuration (a space, a quote ("), # or a backslash where tor would cut it): rename it, or choose another (--${transport}-path)`,
        );
      lines.push(`ClientTransportPlugin ${transport} exec ${word}`);
    }
    for (const bridge of bridges) lines.push(`Bridge ${bridge.line}`);
  }
  const proxy = settings.proxy;
  if (proxy) {
    const hostPort = `${proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host}:${proxy.port}`;
    if (proxy.type === 'socks4') lines.push(`Socks4Proxy ${hostPort}`);
    if (proxy.type === 'socks5') {
      lines.push(`Socks5Proxy ${hostPort}`);
      if (proxy.username && proxy.password)
        lines.push(
          `Socks5ProxyUsername ${torrcValue(proxy.username)}`,
          `Socks5ProxyPassword ${torrcValue(proxy.password)}`,
        );
    }
    if (proxy.type === 'https') {
      lines.push(`HTTPSProxy ${hostPort}`);
      if (proxy.username)
        lines.push(`HTTPSProxyAuthenticator ${torrcValue(`${proxy.username}:${proxy.password ?? ''}`)}`);
    }
  }
  return { lines: checkTorrcLines(lines), ...(workingDir === undefined ? {} : { workingDir }) };
}

/** connectionTorrc's lines only (tor must run in its workingDir for a transport's line to work). */
export function connectionTorrcLines(
  settings: ConnectionSettings,
  options: Omit<FindTorOptions, 'torPath'> = {},
): string[] {
  return connectionTorrc(settings, options).lines;
}
