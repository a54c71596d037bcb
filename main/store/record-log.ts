// An append-only file of JSON records that survives kill -9 and power loss.
//
// Framing, per record: u32be body length ‖ u32be CRC-32 (IEEE) of the body ‖ body, the body being
// the UTF-8 JSON of the record. A crash can only damage the end of the file (a torn last write);
// a bad disk sector can damage anything. Either way `open` keeps every record up to the first one
// that fails a check, truncates the file there and says so in a warning, so appends continue
// after the last good record rather than after garbage that would hide them from the next open.
//
// A resolved append is acknowledged: its bytes and the file's new size have been fsynced. Appends
// are queued and written by one writer; those that queue up while an fsync is running go to disk
// together in one write and one fsync (group commit), so concurrent callers cost one fsync per
// batch, not one each, and never interleave bytes.
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDirectory, isErrno } from './atomic-file';
import { crc32 } from './crc32';
import { strictUtf8 } from './utf8';

const HEADER_BYTES = 8;
/** Larger bodies are refused by append and taken for corruption by open. */
export const MAX_RECORD_BYTES = 1 << 20;
// Big reads keep open fast (one syscall per 8 MiB, not two per record) while never holding more
// than a chunk plus one partial record beyond the parsed records themselves.
const READ_CHUNK_BYTES = 8 << 20;

/** Frames one record. Throws if it has no JSON form or its body exceeds MAX_RECORD_BYTES. */
export function encodeRecord(record: unknown): Buffer {
  const json = JSON.stringify(record);
  if (json === undefined) throw new TypeError('record has no JSON form');
  const length = Buffer.byteLength(json);
  if (length > MAX_RECORD_BYTES) {
    throw new RangeError(`record of ${length} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`);
  }
  const frame = Buffer.allocUnsafe(HEADER_BYTES + length);
  frame.write(json, HEADER_BYTES, 'utf8');
  frame.writeUInt32BE(length, 0);
  frame.writeUInt32BE(crc32(frame, HEADER_BYTES), 4);
  return frame;
}

export interface Decoded {
  readonly records: unknown[];
  /** Offset just past the last good record. */
  readonly end: number;
  /** Why decoding stopped before the end of `bytes`, if it did. */
  readonly problem?: string;
}

/** Decodes a whole log held in memory (tests, benchmarks); `RecordLog.open` reads in chunks. */
export function decodeRecords(bytes: Uint8Array): Decoded {
  const records: unknown[] = [];
  const { used, problem } = scan(toBuffer(bytes), true, records);
  return problem === undefined ? { records, end: used } : { records, end: used, problem };
}

/**
 * Decodes whole records from the start of `buf` into `out`. Stops at the first bad record with
 * a problem, or, unless `atEof`, at a record cut off by the end of `buf` (the next chunk has the
 * rest). `used` is the offset just past the last record decoded.
 */
function scan(buf: Buffer, atEof: boolean, out: unknown[]): { used: number; problem?: string } {
  let at = 0;
  while (at < buf.length) {
    const left = buf.length - at;
    if (left < HEADER_BYTES) {
      return atEof ? { used: at, problem: `torn header (${left} of ${HEADER_BYTES} bytes)` } : { used: at };
    }
    const length = buf.readUInt32BE(at);
    if (length > MAX_RECORD_BYTES) return { used: at, problem: `implausible length ${length}` };
    if (left - HEADER_BYTES < length) {
      if (!atEof) return { used: at };
      return { used: at, problem: `torn body (${left - HEADER_BYTES} of ${length} bytes)` };
    }
    const start = at + HEADER_BYTES;
    const end = start + length;
    if (crc32(buf, start, end) !== buf.readUInt32BE(at + 4))
      return { used: at, problem: 'checksum mismatch' };
    try {
      out.push(JSON.parse(strictUtf8(buf.subarray(start, end), 'record')));
    } catch {
      // Only reachable with a matching checksum, i.e. a writer bug or an all-zero tail (CRC of
      // nothing is 0), which some file systems leave after a crash.
      return { used: at, problem: 'body is not JSON' }; // nor UTF-8
    }
    at = end;
  }
  return { used: at };
}

const toBuffer = (bytes: Uint8Array) =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export interface OpenedLog {
  readonly log: RecordLog;
  /** Every good record, in order. */
  readonly records: unknown[];
  /** What was discarded and why; empty for a healthy log. */
  readonly warnings: string[];
}

export interface RecordLogOptions {
  /** Mode a new file is created with (before the umask); 0o666 by default. */
  readonly mode?: number;
  /**
   * Read the records, change nothing: a missing file reads as empty, damage is reported but not
   * cut off (a runner may be writing the tail right now), and appends refuse.
   */
  readonly readOnly?: boolean;
}

interface Pending {
  readonly bytes: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const NOTHING = Buffer.alloc(0);

export class RecordLog {
  private readonly queue: Pending[] = [];
  private flushing = false;
  /** The first write or fsync failure; the file's state after it is unknown, so no more writes. */
  private failure: unknown;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    /** undefined: a read-only log, which never writes. */
    private readonly handle: FileHandle | undefined,
    /** Length of the file's good part, where the next append goes. */
    private end: number,
  ) {}

  /**
   * Opens the log at `file`, creating it if missing, and reads every record. Damage (a torn or
   * corrupt record and everything after it) is cut off and reported in `warnings`; only I/O
   * errors reject. The caller must own the file exclusively (DataDir's lock sees to that).
   */
  static async open(file: string, options: RecordLogOptions = {}): Promise<OpenedLog> {
    if (options.readOnly) return RecordLog.read(file);
    const { handle, created } = await openOrCreate(file, options.mode ?? 0o666);
    try {
      // Without this a power cut could lose the new file's directory entry, and every record in it.
      if (created) await fsyncDirectory(dirname(file));
      const { records, end, size, problem } = await readAll(handle);
      const warnings: string[] = [];
      if (problem !== undefined) {
        warnings.push(
          `${file}: ${problem} in record ${records.length} at byte ${end}; ` +
            `kept ${records.length} records, discarded the last ${size - end} bytes`,
        );
        await handle.truncate(end);
        await handle.sync();
      }
      return { log: new RecordLog(file, handle, end), records, warnings };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The records of `file` as they are, for inspection: see `RecordLogOptions.readOnly`. */
  private static async read(file: string): Promise<OpenedLog> {
    let handle: FileHandle;
    try {
      handle = await open(file, constants.O_RDONLY);
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
      return { log: RecordLog.readOnlyLog(file), records: [], warnings: [] };
    }
    try {
      const { records, end, size, problem } = await readAll(handle);
      const warnings =
        problem === undefined
          ? []
          : [
              `${file}: ${problem} in record ${records.length} at byte ${end}; read ${records.length} records, ` +
                `left the last ${size - end} bytes as they are (a runner may be writing them)`,
            ];
      return { log: RecordLog.readOnlyLog(file), records, warnings };
    } finally {
      await handle.close();
    }
  }

  /** A log that refuses appends: what an inspection holds. */
  private static readOnlyLog(file: string): RecordLog {
    const log = new RecordLog(file, undefined, 0);
    log.failure = new Error(`record log ${file} is open for inspection only`);
    return log;
  }

  /** Length in bytes of the acknowledged records, i.e. of the file unless an append is in flight. */
  get byteLength(): number {
    return this.end;
  }

  /** Appends one record; resolves once it is durable. */
  append(record: unknown): Promise<void> {
    return this.appendMany([record]);
  }

  /**
   * Appends records in order; resolves once all are durable. A crash during the write can keep
   * a prefix of them. Rejects at once if a record cannot be encoded (nothing is written) or the
   * log is closed. If the write or fsync fails, this and every later append reject, and whether
   * the records reached the file is unknown: reopen the log to find out.
   */
  async appendMany(records: readonly unknown[]): Promise<void> {
    if (this.closing) throw new Error(`record log ${this.path} is closed`);
    // Encoded now, synchronously: the caller's objects may change after the call returns.
    const bytes = records.length === 1 ? encodeRecord(records[0]) : Buffer.concat(records.map(encodeRecord));
    await this.enqueue(bytes);
  }

  /** Waits for queued appends, then closes the file. Later appends reject. */
  close(): Promise<void> {
    this.closing ??= this.enqueue(NOTHING)
      .catch(() => {}) // failures were reported to the appends they concern
      .then(() => this.handle?.close());
    return this.closing;
  }

  /** The file to write; a read-only log has none (its `failure` refuses every append first). */
  private get file(): FileHandle {
    if (!this.handle) throw new Error(`record log ${this.path} is open for inspection only`);
    return this.handle;
  }

  private enqueue(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        void this.flush();
      }
    });
  }

  /** The single writer: drains the queue a batch at a time. Never rejects. */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        if (this.failure !== undefined) {
          throw new Error(`record log ${this.path} failed earlier; reopen it`, { cause: this.failure });
        }
        const bytes = batch.length === 1 ? batch[0]!.bytes : Buffer.concat(batch.map((p) => p.bytes));
        if (bytes.length > 0) {
          await this.writeAt(bytes, this.end);
          await this.file.datasync(); // data and the new size: enough to read the records back
          this.end += bytes.length;
        }
        for (const p of batch) p.resolve();
      } catch (error) {
        this.failure ??= error;
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = false;
  }

  private async writeAt(bytes: Buffer, position: number): Promise<void> {
    for (let done = 0; done < bytes.length; ) {
      const { bytesWritten } = await this.file.write(bytes, done, bytes.length - done, position + done);
      if (bytesWritten === 0) throw new Error(`record log ${this.path}: write made no progress`);
      done += bytesWritten;
    }
  }
}

async function openOrCreate(file: string, mode: number): Promise<{ handle: FileHandle; created: boolean }> {
  try {
    return { handle: await open(file, constants.O_RDWR), created: false };
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
  const flags = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL;
  return { handle: await open(file, flags, mode), created: true };
}

/** Reads and decodes the whole file in large chunks. */
async function readAll(handle: FileHandle): Promise<Decoded & { size: number }> {
  const { size } = await handle.stat();
  const records: unknown[] = [];
  let carry: Buffer = NOTHING; // the start of a record cut off by the previous chunk
  let base = 0; // file offset of carry[0]
  let position = 0;
  for (;;) {
    const want = Math.min(READ_CHUNK_BYTES, size - position);
    const chunk = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await handle.read(chunk, got, want - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    position += got;
    const atEof = got < want || position >= size;
    const buf = carry.length === 0 ? chunk.subarray(0, got) : Buffer.concat([carry, chunk.subarray(0, got)]);
    const { used, problem } = scan(buf, atEof, records);
    if (problem !== undefined) return { records, end: base + used, size, problem };
    base += used;
    carry = buf.subarray(used);
    if (atEof) return { records, end: base, size };
  }
}
