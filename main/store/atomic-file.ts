// Small JSON files replaced whole: after a crash or power loss a reader finds either the old
// content or the new, never a mixture or an empty file. The recipe is the usual one: write a
// temporary file beside the target, fsync it, rename it over the target (atomic within one
// directory), then fsync the directory so the rename itself is durable.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { readJson } from '../crypto/json';
import { strictUtf8 } from './utf8';

/** Suffix of temporary files; a crash between write and rename can leave one behind. */
export const TEMP_MARKER = '.tmp-';

// Windows has no file mode bits to speak of and cannot open a directory to fsync it.
const POSIX = process.platform !== 'win32';

export interface WriteOptions {
  /**
   * Mode the file is created with (before the umask), 0o666 by default. Secrets pass 0o600: the
   * file never exists with looser permissions, not even for an instant before a chmod.
   */
  readonly mode?: number;
}

/** Writes `data` to `file` atomically and durably (see above); resolves once both are on disk. */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  const temp = `${file}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'wx', options.mode ?? 0o666);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await fsyncDirectory(path.dirname(file));
}

/** Serialises `value` as JSON (two-space indented, trailing newline) and writes it atomically. */
export async function writeJsonFile(file: string, value: unknown, options: WriteOptions = {}): Promise<void> {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) throw new TypeError(`${file}: value has no JSON form`);
  await writeFileAtomic(file, `${text}\n`, options);
}

export interface JsonFile {
  readonly value: unknown;
  /** Problems worth telling the user that did not stop the read (a secret readable by others). */
  readonly warnings: string[];
}

export interface ReadOptions {
  /**
   * The file holds a secret. If group or others have any permission on it the read still succeeds
   * (refusing would lock the user out of their own election) but a warning is returned; the
   * caller shows it.
   */
  readonly secret?: boolean;
}

/**
 * Reads and parses a JSON file. Resolves to `undefined` if the file does not exist; rejects if it
 * cannot be read or is not JSON. The content is not validated: that is the caller's business.
 */
export async function readJsonFile(file: string, options: ReadOptions = {}): Promise<JsonFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
  const warnings: string[] = [];
  let text: string;
  try {
    // fstat on the open handle: the mode checked is that of the file actually read.
    const mode = (await handle.stat()).mode & 0o777;
    if (options.secret && POSIX && (mode & 0o077) !== 0) {
      warnings.push(
        `${file} holds a secret but is accessible by other users (mode ${octal(mode)}); ` +
          `restrict it with: chmod 600 ${file}`,
      );
    }
    text = strictUtf8(await handle.readFile(), file);
  } finally {
    await handle.close();
  }
  try {
    // The data folder's files are read as strictly as a peer's text: a hand-edited genesis.json
    // with `"n_talliers": 3.0` or a key given twice is refused, not read one way of several.
    return { value: readJson(text, path.basename(file)), warnings };
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Makes the directory entries of `dir` (files created, renamed or removed in it) durable. A no-op
 * on Windows, where directories cannot be opened and NTFS journals its metadata.
 */
export async function fsyncDirectory(dir: string): Promise<void> {
  if (!POSIX) return;
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

export const octal = (mode: number): string => `0${mode.toString(8).padStart(3, '0')}`;
