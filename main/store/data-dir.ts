// A runner's data directory: its chain (blocks.log), the genesis it joined, its tallier secret
// key and its settings. This module only keeps the bytes safe; what they mean, and whether they
// are valid, is the chain layer's business, so values are opaque JSON here.
//
// One runner per directory: a LOCK file holding the owner's pid is created exclusively (O_EXCL)
// on open and removed on close. A lock left by a process that no longer exists (a crash) is taken
// over with a warning; one held by a live process is refused.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  type FileHandle,
  link,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
} from 'node:fs/promises';
import path from 'node:path';
import {
  fsyncDirectory,
  isErrno,
  type JsonFile,
  octal,
  readJsonFile,
  TEMP_MARKER,
  writeJsonFile,
} from './atomic-file';
import { type OpenedLog, RecordLog } from './record-log';

/** The JSON files of a data directory; `secret` ones are created 0600 and checked when read. */
export const DATA_FILES = {
  genesis: { name: 'genesis.json', secret: false },
  tallierKey: { name: 'tallier-key.json', secret: true },
  /** Per-voter rule: this voter's credential and the ballots it cast (voter-journal.ts). */
  voterKey: { name: 'voter-key.json', secret: true },
  settings: { name: 'settings.json', secret: false },
  /** The organizer's waiting room before the start (node/lobby.ts): it holds joiners' tickets. */
  lobby: { name: 'lobby.json', secret: true },
  /** A joiner's request to a lobby: the organizer's address and the ticket (a bearer secret). */
  joining: { name: 'joining.json', secret: true },
} as const;
export type DataFile = keyof typeof DATA_FILES;

/** Whether the folder holds a file of the given kind, without opening or locking it. */
export function holdsFile(dir: string, name: DataFile): boolean {
  return existsSync(path.join(dir, DATA_FILES[name].name));
}

/** Whether the folder holds an election (its genesis), without opening or locking it. */
export function holdsElection(dir: string): boolean {
  return existsSync(path.join(dir, DATA_FILES.genesis.name));
}

export const BLOCK_LOG = 'blocks.log';
export const LOCK_FILE = 'LOCK';

const POSIX = process.platform !== 'win32';

export interface OpenedDataDir {
  readonly dataDir: DataDir;
  /** Problems that did not stop the open (a stale lock taken over, loose permissions). */
  readonly warnings: string[];
}

export class DataDir {
  /** The block log once openBlockLog was called; undefined inside if opening it failed. */
  private blockLog: Promise<RecordLog | undefined> | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    /** Absolute path of the directory. */
    readonly path: string,
    /** Opened by `inspect`: nothing is written, and no lock is held. */
    readonly readOnly = false,
  ) {}

  /**
   * Opens (creating it 0700 if missing) and locks the directory `dir`. Rejects if another live
   * process holds it, including this one through another DataDir.
   */
  static async open(dir: string): Promise<OpenedDataDir> {
    const root = path.resolve(dir);
    const warnings: string[] = [];
    const created = await mkdir(root, { recursive: true, mode: 0o700 });
    if (created !== undefined) {
      // Make each new directory's entry in its parent durable, innermost first.
      for (let d = root; ; d = path.dirname(d)) {
        await fsyncDirectory(path.dirname(d));
        if (d === created) break;
      }
    } else {
      const info = await stat(root);
      if (!info.isDirectory()) throw new Error(`data directory ${root} is not a directory`);
      const mode = info.mode & 0o777;
      if (POSIX && (mode & 0o077) !== 0) {
        warnings.push(
          `data directory ${root} is accessible by other users (mode ${octal(mode)}); ` +
            `restrict it with: chmod 700 ${root}`,
        );
      }
    }
    warnings.push(...(await acquireLock(root)));
    try {
      await removeTempFiles(root);
    } catch (error) {
      await releaseLock(path.join(root, LOCK_FILE));
      throw error;
    }
    return { dataDir: new DataDir(root), warnings };
  }

  /**
   * Opens an existing directory to look at it (`status`, `export`), beside a runner or not: no
   * lock, nothing created, repaired or written. `save` and appends refuse; the block log is read
   * as it is (a torn tail, say a record being written by a running runner, is left alone and
   * reported).
   */
  static async inspect(dir: string): Promise<OpenedDataDir> {
    const root = path.resolve(dir);
    const info = await stat(root).catch((error: unknown) => {
      if (isErrno(error, 'ENOENT'))
        throw new Error(`data directory ${root} does not exist: it holds no election`);
      throw error;
    });
    if (!info.isDirectory()) throw new Error(`data directory ${root} is not a directory`);
    return { dataDir: new DataDir(root, true), warnings: [] };
  }

  /** Absolute path of one of the directory's files. */
  file(name: DataFile | 'blocks' | 'lock'): string {
    if (name === 'blocks') return path.join(this.path, BLOCK_LOG);
    if (name === 'lock') return path.join(this.path, LOCK_FILE);
    return path.join(this.path, DATA_FILES[name].name);
  }

  /** Reads a JSON file; `undefined` if it does not exist. Rejects if it is not JSON. */
  async load(name: DataFile): Promise<JsonFile | undefined> {
    this.assertOpen();
    return readJsonFile(this.file(name), { secret: DATA_FILES[name].secret });
  }

  /** Deletes a data file (a lobby left, a request withdrawn); nothing if there is none. */
  async remove(name: DataFile): Promise<void> {
    this.assertOpen();
    if (this.readOnly) throw new Error(`data directory ${this.path} is open for inspection only`);
    await unlink(this.file(name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  /** Replaces a JSON file atomically and durably. */
  async save(name: DataFile, value: unknown): Promise<void> {
    this.assertOpen();
    if (this.readOnly)
      throw new Error(`data directory ${this.path} is open for inspection only: ${name} was not written`);
    await writeJsonFile(this.file(name), value, { mode: DATA_FILES[name].secret ? 0o600 : 0o644 });
  }

  /** Opens blocks.log (once per DataDir); close() closes it before releasing the lock. */
  async openBlockLog(): Promise<OpenedLog> {
    this.assertOpen();
    if (this.blockLog) throw new Error(`${this.file('blocks')} is already open`);
    // Recorded before the first await, so that a concurrent second call is refused too.
    const opening = RecordLog.open(this.file('blocks'), { mode: 0o644, readOnly: this.readOnly });
    this.blockLog = opening.then(
      ({ log }) => log,
      () => {
        this.blockLog = undefined; // may be retried
        return undefined;
      },
    );
    return opening;
  }

  /** Closes the block log (after its queued appends) and releases the lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await (await this.blockLog)?.close();
      } finally {
        if (!this.readOnly) await releaseLock(this.file('lock'));
      }
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error(`data directory ${this.path} is closed`);
  }
}

// ── Lock ─────────────────────────────────────────────────────────────────────────────────────

/** The pid of the live process holding `dir`'s lock (a running runner), if any. */
export async function lockHolder(dir: string): Promise<number | undefined> {
  const content = await readLock(path.join(path.resolve(dir), LOCK_FILE));
  const pid = content === undefined ? undefined : parsePid(content);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

/** Takes the directory's lock or throws; returns warnings about stale locks taken over. */
async function acquireLock(root: string): Promise<string[]> {
  const lock = path.join(root, LOCK_FILE);
  const warnings: string[] = [];
  // Each retry follows a change made by another process in between; a few are plenty.
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createLock(lock)) return warnings;
    const content = await readLock(lock);
    if (content === undefined) continue; // released meanwhile
    const pid = parsePid(content);
    if (pid !== undefined && isAlive(pid)) {
      throw new Error(
        `data directory ${root} is in use by process ${pid}` +
          (pid === process.pid ? ' (this one)' : '') +
          `; if no runner is using it, delete ${lock}`,
      );
    }
    // Stale. Move it aside rather than delete it: if another process took it over between our
    // read and now, the file we moved is theirs, we see so, and put it back.
    const aside = `${lock}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await rename(lock, aside);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) continue;
      throw error;
    }
    const moved = await readFile(aside, 'utf8');
    if (moved !== content) await link(aside, lock).catch(() => {});
    await unlink(aside);
    if (moved === content) {
      const who =
        pid === undefined ? `an unreadable lock (${JSON.stringify(content.slice(0, 40))})` : `process ${pid}`;
      warnings.push(`data directory ${root}: took over the lock left by ${who}, which is no longer running`);
    }
  }
  throw new Error(`could not lock data directory ${root}: its lock file keeps changing`);
}

/** Creates the lock file exclusively with our pid in it; false if it already exists. */
async function createLock(lock: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(lock, 'wx', 0o600);
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false;
    throw error;
  }
  try {
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(lock).catch(() => {});
    throw error;
  }
  return true;
}

/**
 * The lock file's content, or `undefined` if there is none. A lock is created empty and its pid
 * written a moment later, so content without a pid is read again for a while before it is
 * believed (an empty lock can also be left by a power cut between the two).
 */
async function readLock(lock: string): Promise<string | undefined> {
  for (let tries = 0; ; tries++) {
    let content: string;
    try {
      content = await readFile(lock, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw error;
    }
    if (parsePid(content) !== undefined || tries === 10) return content;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function parsePid(content: string): number | undefined {
  const text = content.trim();
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const pid = Number(text);
  return pid > 0 ? pid : undefined; // pid 0 would mean our own process group to kill()
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only checks that the process exists
    return true;
  } catch (error) {
    return isErrno(error, 'EPERM'); // exists, but belongs to another user
  }
}

async function releaseLock(lock: string): Promise<void> {
  const content = await readFile(lock, 'utf8').catch(() => undefined);
  // Only our own: if it was taken from us (deleted by hand and re-created), it is not ours to remove.
  if (content !== undefined && parsePid(content) === process.pid) await unlink(lock);
}

/** Removes temporary files that a crash during writeFileAtomic left behind. */
async function removeTempFiles(root: string): Promise<void> {
  const prefixes = Object.values(DATA_FILES).map((f) => f.name + TEMP_MARKER);
  for (const name of await readdir(root)) {
    if (prefixes.some((prefix) => name.startsWith(prefix))) await unlink(path.join(root, name));
  }
}
