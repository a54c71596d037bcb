// Which tor program to run: the one configured, else one bundled with the app, else one installed.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { TorError } from './errors';

export interface FindTorOptions {
  /** A tor program chosen by the user; when set, nothing else is tried. */
  readonly torPath?: string;
  /** The app's resources folder; a bundled tor is `<resourcesDir>/tor/tor` (`tor.exe` on Windows). */
  readonly resourcesDir?: string;
  /** For tests: the environment (PATH), platform and usual folders to search with. */
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  readonly usualDirs?: readonly string[];
}

export interface FoundTor {
  readonly path: string;
  readonly source: 'configured' | 'bundled' | 'installed';
}

/**
 * Folders searched after PATH: Debian and Ubuntu install tor in /usr/sbin, which is not on a desktop
 * user's PATH, and Homebrew's folders are often missing from an app's PATH on macOS.
 */
const WELL_KNOWN_DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/opt/homebrew/bin'];

export const TOR_INSTALL_HINT =
  'install it (Debian/Ubuntu: apt install tor; Fedora: dnf install tor; macOS: brew install tor) ' +
  "or set the tor program's path (torPath)";

export function findTor(options: FindTorOptions = {}): FoundTor {
  const platform = options.platform ?? process.platform;
  const exe = platform === 'win32' ? 'tor.exe' : 'tor';
  if (options.torPath !== undefined) {
    if (!isExecutable(options.torPath, platform))
      throw new TorError(
        'not-found',
        `tor not found at ${options.torPath} (torPath): not an executable file`,
      );
    return { path: options.torPath, source: 'configured' };
  }
  const tried: string[] = [];
  if (options.resourcesDir !== undefined) {
    const bundled = path.join(options.resourcesDir, 'tor', exe);
    if (isExecutable(bundled, platform)) return { path: bundled, source: 'bundled' };
    tried.push(path.dirname(bundled));
  }
  const installed = findInstalled('tor', options);
  if (installed !== undefined) return { path: installed, source: 'installed' };
  tried.push('PATH', ...(platform === 'win32' ? [] : (options.usualDirs ?? WELL_KNOWN_DIRS)));
  throw new TorError('not-found', `tor not found: ${TOR_INSTALL_HINT} (looked in ${tried.join(', ')})`);
}

/** An installed program (`tor`, `tor-gencert`) on PATH or in the usual folders, if any. */
export function findInstalled(
  name: string,
  options: Pick<FindTorOptions, 'env' | 'platform' | 'usualDirs'> = {},
): string | undefined {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const exe = platform === 'win32' ? `${name}.exe` : name;
  const searchPath = (platform === 'win32' ? (env.Path ?? env.PATH) : env.PATH) ?? '';
  const dirs = searchPath.split(platform === 'win32' ? ';' : ':').filter((d) => d !== '');
  if (platform !== 'win32')
    for (const d of options.usualDirs ?? WELL_KNOWN_DIRS) if (!dirs.includes(d)) dirs.push(d);
  for (const dir of dirs) {
    const candidate = path.join(dir, exe);
    if (isExecutable(candidate, platform)) return candidate;
  }
  return undefined;
}

/** A file that can be run: on Windows, which has no execute bit, any existing file. */
export function isExecutable(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    // Windows has no execute bit: an existing tor.exe is taken as runnable.
    if (platform !== 'win32') accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
