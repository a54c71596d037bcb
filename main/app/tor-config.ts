// Which tor a runner uses, and starting it:
//   off        the direct transport: loopback peers only (demos, tests), no tor at all;
//   external   a tor the user runs, with their own onion service: only its SOCKS port is used;
//   attached   an existing tor (system tor, Tor Browser) driven through its control port;
//   managed    a tor of the runner's own, started in DATA/tor; the onion service is published at
//              run time with its key kept there, so the address stays across restarts.
import { open } from 'node:fs/promises';
import { type ConnectionSettings, describeConnection } from '../tor/connection';
import { TorError } from '../tor/errors';
import { TorManager } from '../tor/manager';
import { connectionTorrc } from '../tor/torrc';

export type TorConfig =
  | { readonly mode: 'off' }
  | { readonly mode: 'external'; readonly proxy: string; readonly self: string }
  | {
      readonly mode: 'attached';
      readonly controlHost: string;
      readonly controlPort: number;
      readonly cookieFile?: string;
      readonly password?: string;
    }
  | {
      readonly mode: 'managed';
      readonly torPath?: string;
      /** The app's resources folder, holding a bundled tor (the desktop app). */
      readonly resourcesDir?: string;
      readonly templatePath?: string;
      readonly extraTorrcLines?: readonly string[];
      /** Bridges and an upstream proxy (the data folder's connection.json): more torrc lines. */
      readonly connection?: ConnectionSettings;
      /** The connection settings could not be read: tor is not started, this says why. */
      readonly connectionProblem?: string;
    };

/**
 * The tor to use, from the one the app or the command line chose (`base`) and the data folder's
 * connection settings: they apply when the base is the runner's own tor (a tor chosen on the
 * command line, or the direct transport, wins for that run).
 */
export function resolveTorConfig(base: TorConfig, settings: ConnectionSettings): TorConfig {
  if (base.mode !== 'managed') return base;
  if (settings.tor === 'attached' && settings.control)
    return {
      mode: 'attached',
      controlHost: settings.control.host,
      controlPort: settings.control.port,
      ...(settings.control.password ? { password: settings.control.password } : {}),
    };
  if (settings.tor === 'external' && settings.external)
    return { mode: 'external', proxy: settings.external.socks, self: settings.external.self };
  return { ...base, connection: settings };
}

/** Starts or attaches to tor (not waiting for its bootstrap). */
export async function openTor(
  config: Extract<TorConfig, { mode: 'attached' | 'managed' }>,
  dataDir: string,
  log: (line: string) => void,
): Promise<TorManager> {
  const torLog = (line: string) => log(`tor: ${line}`);
  if (config.mode === 'attached') {
    const tor = await TorManager.attach({
      dataDir,
      controlHost: config.controlHost,
      controlPort: config.controlPort,
      ...(config.cookieFile ? { cookieFile: config.cookieFile } : {}),
      ...(config.password ? { password: config.password } : {}),
      log: torLog,
    });
    log(`tor       attached to ${config.controlHost}:${config.controlPort}`);
    return tor;
  }
  if (config.connectionProblem) throw new TorError('start', config.connectionProblem);
  // Found and checked before tor starts: a missing obfs4proxy is said as such, not as a torrc error.
  const connection = config.connection
    ? connectionTorrc(config.connection, config.resourcesDir ? { resourcesDir: config.resourcesDir } : {})
    : { lines: [] };
  if (config.connection) log(`tor       connection: ${describeConnection(config.connection)}`);
  const tor = await TorManager.start({
    dataDir,
    ...(config.torPath ? { torPath: config.torPath } : {}),
    ...(config.resourcesDir ? { resourcesDir: config.resourcesDir } : {}),
    ...(config.templatePath ? { templatePath: config.templatePath } : {}),
    extraTorrcLines: [...(config.extraTorrcLines ?? []), ...connection.lines],
    ...(connection.workingDir === undefined ? {} : { workingDir: connection.workingDir }),
    log: torLog,
  });
  log(`tor       started (pid ${tor.pid}); its log: ${tor.logFile}`);
  return tor;
}

/** A few words for the UI. */
export function torLabel(config: TorConfig): string {
  switch (config.mode) {
    case 'off':
      return 'no Tor (direct transport)';
    case 'external':
      return `your tor at ${config.proxy}`;
    case 'attached':
      return `attached to tor at ${config.controlHost}:${config.controlPort}`;
    case 'managed':
      return config.connection && (config.connection.bridges !== 'none' || config.connection.proxy)
        ? describeConnection(config.connection).replace(/^a tor of its own/, "the runner's own tor")
        : "the runner's own tor";
  }
}

/** The last `lines` lines of tor's log file (at most its last 64 KiB are read); none if it is missing. */
export async function readTorLog(file: string, lines: number): Promise<string[]> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return [];
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8').split('\n').filter(Boolean).slice(-lines);
  } finally {
    await handle.close();
  }
}
