// Which tor a runner uses, and starting it:
//   off        the direct transport: loopback peers only (demos, tests), no tor at all;
//   external   a tor the user runs, with their own onion service: only its SOCKS port is used;
//   attached   an existing tor (system tor, Tor Browser) driven through its control port;
//   managed    a tor of the runner's own, started in DATA/tor; the onion service is published at
//              run time with its key kept there, so the address stays across restarts.
import { open } from 'node:fs/promises';
import { TorManager } from '../tor/manager';

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
    };

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
  const tor = await TorManager.start({
    dataDir,
    ...(config.torPath ? { torPath: config.torPath } : {}),
    ...(config.resourcesDir ? { resourcesDir: config.resourcesDir } : {}),
    ...(config.templatePath ? { templatePath: config.templatePath } : {}),
    extraTorrcLines: config.extraTorrcLines ?? [],
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
      return "the runner's own tor";
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
