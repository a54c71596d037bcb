// Writing torrc files: values quoted so that any path survives, templates with {{name}} fields, and
// extra lines checked so that none can hide a second line.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bridgesOf, type ConnectionSettings, findTransport } from './connection';
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

/**
 * The torrc lines of a managed tor's connection settings (./connection.ts): `UseBridges 1`, one
 * `ClientTransportPlugin <transport> exec <program>` per transport the bridges use (the program
 * found as tor is: configured, bundled, installed), one `Bridge` line each, and the upstream proxy
 * (`Socks4Proxy`, `Socks5Proxy` with its user name and password, `HTTPSProxy` with
 * `HTTPSProxyAuthenticator`). The proxy's password is in these lines: they go to the torrc (0600)
 * only, never to a log.
 */
export function connectionTorrcLines(
  settings: ConnectionSettings,
  options: Omit<FindTorOptions, 'torPath'> = {},
): string[] {
  const lines: string[] = [];
  const bridges = bridgesOf(settings, options.resourcesDir);
  if (bridges.length > 0) {
    lines.push('UseBridges 1');
    const transports = [...new Set(bridges.map((b) => b.transport))].filter(
      (t): t is 'obfs4' | 'snowflake' => t !== 'vanilla',
    );
    for (const transport of transports) {
      const found = findTransport(transport, {
        ...options,
        configured: transport === 'obfs4' ? settings.obfs4Path : settings.snowflakePath,
      });
      lines.push(`ClientTransportPlugin ${transport} exec ${torrcValue(found.path)}`);
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
  return checkTorrcLines(lines);
}
