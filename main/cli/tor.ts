// Which tor a runner uses, from the options (main/app/tor-config.ts explains the modes):
//   --direct                    off
//   -a SELF.onion -c socks5h:…  external: a tor you run yourself, with your own onion service
//   --tor-control HOST:PORT     attached: an existing tor (system tor, Tor Browser)
//   otherwise                   managed: a tor of the runner's own, in DATA/tor; or what the data
//                               folder's connection settings say (bridges, a proxy, a running tor)
//
// --bridge, --bridges-file, --builtin-bridges, --upstream-proxy (and --no-…) change those settings:
// they are saved in the data folder (connection.json), so later starts (and the desktop app's
// Connection settings) keep them.
import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TorConfig } from '../app/tor-config';
import { ValidationError } from '../crypto/errors';
import {
  CONNECTION_FILE,
  type ConnectionSettings,
  checkConnectionSettings,
  DEFAULT_CONNECTION,
  describeConnection,
  parseBridgeLines,
  parseProxyUrl,
  readConnectionSettings,
  writeConnectionSettings,
} from '../tor/connection';
import { UsageError, type Values } from './options';

export async function torConfigOf(values: Values): Promise<TorConfig> {
  if (values.direct) return { mode: 'off' };
  if (values.address && values.proxy && !values['tor-control']) {
    return { mode: 'external', proxy: values.proxy, self: values.address };
  }
  if (values['tor-control']) {
    const match = /^([\w.-]+|\[[0-9a-f:]+\]):(\d{1,5})$/i.exec(values['tor-control']);
    if (!match) throw new UsageError(`--tor-control takes HOST:PORT, not ${values['tor-control']}`);
    return {
      mode: 'attached',
      controlHost: match[1]!,
      controlPort: Number(match[2]),
      ...(values['tor-cookie'] ? { cookieFile: values['tor-cookie'] } : {}),
      ...(values['tor-password'] ? { password: values['tor-password'] } : {}),
    };
  }
  const extra = values['torrc-extra']
    ? (await readFile(values['torrc-extra'], 'utf8')).split('\n').filter((l) => l.trim())
    : [];
  return {
    mode: 'managed',
    ...(values['tor-path'] ? { torPath: values['tor-path'] } : {}),
    extraTorrcLines: extra,
  };
}

/** The options that change the saved connection settings. */
export const CONNECTION_OPTIONS = [
  'bridge',
  'bridges-file',
  'builtin-bridges',
  'no-bridges',
  'upstream-proxy',
  'upstream-proxy-password-file',
  'no-upstream-proxy',
  'obfs4-path',
  'snowflake-path',
] as const;

/**
 * What the connection options change, checked (every option before anything is written): a bad
 * bridge line is a usage error naming the option and the line. Undefined when none is given.
 */
export function connectionChanges(
  values: Values,
): ((settings: ConnectionSettings) => ConnectionSettings) | undefined {
  if (!CONNECTION_OPTIONS.some((o) => values[o] !== undefined)) return undefined;
  if (values.direct || values['tor-control'] || (values.address && values.proxy))
    throw new UsageError(
      "bridges and an upstream proxy are for the runner's own tor: not with --direct, --tor-control or -a/-c",
    );
  const given = [
    values.bridge || values['bridges-file'] ? '--bridge/--bridges-file' : undefined,
    values['builtin-bridges'] ? '--builtin-bridges' : undefined,
    values['no-bridges'] ? '--no-bridges' : undefined,
  ].filter(Boolean);
  if (given.length > 1) throw new UsageError(`choose one of ${given.join(', ')}`);
  if (values['upstream-proxy'] && values['no-upstream-proxy'])
    throw new UsageError('choose --upstream-proxy or --no-upstream-proxy');
  const builtin = values['builtin-bridges'];
  if (builtin !== undefined && builtin !== 'obfs4' && builtin !== 'snowflake')
    throw new UsageError(`--builtin-bridges takes obfs4 or snowflake, not "${builtin}"`);
  const usage = <T>(option: string, f: () => T): T => {
    try {
      return f();
    } catch (error) {
      if (error instanceof ValidationError) throw new UsageError(`${option}: ${error.reason}`);
      throw new UsageError(`${option}: ${(error as Error).message}`);
    }
  };
  const custom = [
    ...(values.bridge ?? []).map((line) => usage('--bridge', () => parseBridgeLines([line])[0]!.line)),
    ...(values['bridges-file']
      ? usage('--bridges-file', () =>
          parseBridgeLines(readFileSync(values['bridges-file']!, 'utf8')).map((b) => b.line),
        )
      : []),
  ];
  if ((values.bridge || values['bridges-file']) && custom.length === 0)
    throw new UsageError('--bridges-file: the file holds no bridge line');
  const passwordFile = values['upstream-proxy-password-file'];
  if (passwordFile !== undefined && !values['upstream-proxy'])
    throw new UsageError(
      '--upstream-proxy-password-file goes with --upstream-proxy URL (its user name in the URL)',
    );
  // The password from a file, not the command line (where other users of the machine see it).
  const password =
    passwordFile === undefined
      ? undefined
      : usage('--upstream-proxy-password-file', () =>
          readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, ''),
        );
  const proxy = values['upstream-proxy']
    ? usage('--upstream-proxy', () => parseProxyUrl(values['upstream-proxy']!, 'url', password))
    : undefined;
  for (const option of ['obfs4-path', 'snowflake-path'] as const)
    if (values[option] !== undefined && !path.isAbsolute(values[option]!))
      throw new UsageError(`--${option} takes the full path of the program`);
  return (settings) => {
    const { proxy: oldProxy, ...rest } = settings;
    return usage('connection settings', () =>
      checkConnectionSettings({
        ...rest,
        tor: 'managed',
        ...(custom.length > 0 ? { bridges: 'custom', customBridges: custom } : {}),
        ...(builtin ? { bridges: builtin } : {}),
        ...(values['no-bridges'] ? { bridges: 'none' } : {}),
        ...(values['no-upstream-proxy'] ? {} : proxy ? { proxy } : oldProxy ? { proxy: oldProxy } : {}),
        ...(values['obfs4-path'] ? { obfs4Path: path.resolve(values['obfs4-path']) } : {}),
        ...(values['snowflake-path'] ? { snowflakePath: path.resolve(values['snowflake-path']) } : {}),
      }),
    );
  };
}

/**
 * Saves the connection options into the data folder's settings (the folder made 0700 if new);
 * returns the line to print, or undefined when no such option was given.
 */
export async function saveConnectionOptions(values: Values, dataDir: string): Promise<string | undefined> {
  const change = connectionChanges(values);
  if (!change) return undefined;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  let before: ConnectionSettings;
  try {
    before = await readConnectionSettings(dataDir);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // Damaged settings are replaced only by options that say everything (bridges and proxy): else
    // `--upstream-proxy` alone would silently drop the saved bridges.
    const bridges = ['bridge', 'bridges-file', 'builtin-bridges', 'no-bridges'] as const;
    const proxies = ['upstream-proxy', 'no-upstream-proxy'] as const;
    if (!bridges.some((o) => values[o] !== undefined) || !proxies.some((o) => values[o] !== undefined))
      throw new UsageError(
        `the connection settings in ${path.join(dataDir, CONNECTION_FILE)} are damaged (${error.field}: ${error.reason}), so these options cannot change them: give the whole choice to replace them (--bridge, --bridges-file, --builtin-bridges or --no-bridges, and --upstream-proxy or --no-upstream-proxy), or remove the file`,
      );
    before = DEFAULT_CONNECTION;
  }
  const after = change(before);
  await writeConnectionSettings(dataDir, after);
  return describeConnection(after);
}
