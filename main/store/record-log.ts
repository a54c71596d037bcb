// An append-only file of JSON records that survives kill -9 and power loss.
//
// Framing, per record: u32be body length ‖ u32be CRC-32 (IEEE) of the body ‖ body, the body being
// the UTF-8 JSON of the record. A crash can only damage the end of the file (a torn last write);
// a bad disk sector can damage anything. `open` keeps every record that checks out: damage in the
// middle is skipped (the reader resynchronises on the next good frame) and the log rewritten
// without it; damage at the end is cut off, so appends continue after the last good record rather
// than after garbage that would hide them from the next open. Each is said in a warning.
//
// A resolved append is acknowledged: its bytes and the file's new size have been fsynced. An
// append that finds the disk full is cut back off the file and rejected; later appends work again
// once there is room. Any other write failure stops the log until it is reopened. Appends
// are queued and written by one writer; those that queue up while an fsync is running go to disk
// together in one write and one fsync (group commit), so concurrent callers cost one fsync per
// batch, not one each, and never interleave bytes.
import { constants } from 'node:fs';
import { type FileHandle, link, open, rename, rm } from 'node:fs/promises';
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

/** A damaged stretch between good records, skipped by resynchronising on the next good frame. */
export interface Skipped {
  /** First damaged byte. */
  readonly from: number;
  /** Start of the next record that checks out. */
  readonly to: number;
  /** What was wrong at `from`. */
  readonly problem: string;
  /** Index (among the good records) of the first record after the gap. */
  readonly before: number;
}

export interface Decoded {
  readonly records: unknown[];
  /** Offset just past the last good record. */
  readonly end: number;
  /** Damage in the middle, each stretch followed by good records (kept). */
  readonly skipped: readonly Skipped[];
  /** Why the tail from `end` on holds no good record, if the file does not end at `end`. */
  readonly problem?: string;
}

/** Decodes a whole log held in memory (tests, benchmarks); `RecordLog.open` reads in chunks. */
export function decodeRecords(bytes: Uint8Array): Decoded {
  const scanner = new Scanner();
  scanner.feed(toBuffer(bytes), 0, true);
  return scanner.result();
}

type Frame =
  | { readonly kind: 'record'; readonly end: number; readonly value: unknown }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'bad'; readonly problem: string };

/** The frame starting at `at`, or why there is none; 'incomplete' only when more bytes may come. */
function frameAt(buf: Buffer, at: number, atEof: boolean): Frame {
  const left = buf.length - at;
  if (left < HEADER_BYTES) {
    return atEof
      ? { kind: 'bad', problem: `torn header (${left} of ${HEADER_BYTES} bytes)` }
      : { kind: 'incomplete' };
  }
  const length = buf.readUInt32BE(at);
  if (length > MAX_RECORD_BYTES) return { kind: 'bad', problem: `implausible length ${length}` };
  if (left - HEADER_BYTES < length) {
    return atEof
      ? { kind: 'bad', problem: `torn body (${left - HEADER_BYTES} of ${length} bytes)` }
      : { kind: 'incomplete' };
  }
  // An empty body is not JSON (and would match: the CRC of nothing is 0, as in an all-zero stretch).
  if (length === 0) return { kind: 'bad', problem: 'body is not JSON' };
  const start = at + HEADER_BYTES;
  const end = start + length;
  if (crc32(buf, start, end) !== buf.readUInt32BE(at + 4))
    return { kind: 'bad', problem: 'checksum mismatch' };
  try {
    return { kind: 'record', end, value: JSON.parse(strictUtf8(buf.subarray(start, end), 'record')) };
  } catch {
    // Only reachable with a matching checksum: a writer bug, or a chance match while resynchronising.
    return { kind: 'bad', problem: 'body is not JSON' }; // nor UTF-8
  }
}

/**
 * Reads records from consecutive chunks of a log. Each record carries its own length and
 * checksum, so damage (a bad sector, a flipped bit) costs only the records it touches: past a
 * bad frame the scanner tries every following byte until a frame checks out again, and keeps
 * going from there. A false resynchronisation needs a plausible length and a matching CRC-32
 * and a JSON body: a record's body is JSON text (every byte ≥ 0x20), whose bytes read as a length
 * exceed MAX_RECORD_BYTES, so it cannot even start inside one. Damage with no good record after
 * it is the tail: torn by a crash, or damaged; either way it is what gets cut.
 */
class Scanner {
  private readonly records: unknown[] = [];
  private readonly skipped: Skipped[] = [];
  private end = 0;
  /** The damaged stretch being crossed: where it began and why. */
  private gap: { readonly from: number; readonly problem: string } | undefined;

  /**
   * Decodes what it can of `buf` (which starts at file offset `base`); returns how many bytes it
   * used: the rest starts a frame that the next chunk completes.
   */
  feed(buf: Buffer, base: number, atEof: boolean): number {
    let at = 0;
    while (at < buf.length) {
      const frame = frameAt(buf, at, atEof);
      if (frame.kind === 'incomplete') break;
      if (frame.kind === 'bad') {
        this.gap ??= { from: base + at, problem: frame.problem };
        at++;
        continue;
      }
      if (this.gap) {
        this.skipped.push({ ...this.gap, to: base + at, before: this.records.length });
        this.gap = undefined;
      }
      this.records.push(frame.value);
      at = frame.end;
      this.end = base + at;
    }
    return at;
  }

  result(): Decoded {
    const { records, end, skipped, gap } = this;
    return gap ? { records, end, skipped, problem: gap.problem } : { records, end, skipped };
  }
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
   * Opens the log at `file`, creating it if missing, and reads every record that checks out.
   * Damage between good records is skipped; if there was any, the log is rewritten without it
   * and the damaged file kept beside it as `<file>.damaged`. Damage at the end (a torn last
   * write) is cut off. Both are reported in `warnings`; only I/O errors reject. The caller must
   * own the file exclusively (DataDir's lock sees to that).
   */
  static async open(file: string, options: RecordLogOptions = {}): Promise<OpenedLog> {
    if (options.readOnly) return RecordLog.read(file);
    const opened = await openOrCreate(file, options.mode ?? 0o666);
    let handle = opened.handle;
    try {
      // Without this a power cut could lose the new file's directory entry, and every record in it.
      if (opened.created) await fsyncDirectory(dirname(file));
      const decoded = await readAll(handle);
      const { records, skipped, problem, size } = decoded;
      let end = decoded.end;
      const warnings = skipped.map((gap) => describeGap(file, gap));
      if (problem !== undefined)
        warnings.push(describeTail(file, decoded, `discarded the last ${size - end} bytes`));
      if (skipped.length > 0) {
        let rewritten = false;
        try {
          await rewriteWithout(file, handle, decoded, options.mode ?? 0o666);
          rewritten = true;
        } catch (error) {
          warnings.push(
            `${file}: could not rewrite the log without its damaged bytes (${(error as Error).message}); ` +
              'they stay in the file and are skipped again at the next start',
          );
        }
        if (rewritten) {
          // The old handle now reaches the damaged copy: appends must go to the new file.
          const fresh = await open(file, constants.O_RDWR);
          await handle.close();
          handle = fresh;
          end = (await handle.stat()).size;
          warnings.push(
            `${file}: kept ${records.length} records in all; the log was rewritten without the damaged bytes, ` +
              `and the damaged file is kept as ${file}${DAMAGED_SUFFIX}`,
          );
        }
      }
      if (end < (await handle.stat()).size) {
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
      const decoded = await readAll(handle);
      const warnings = decoded.skipped.map((gap) => describeGap(file, gap));
      if (decoded.problem !== undefined) {
        warnings.push(
          describeTail(
            file,
            decoded,
            `left the last ${decoded.size - decoded.end} bytes as they are (a runner may be writing them)`,
          ),
        );
      }
      return { log: RecordLog.readOnlyLog(file), records: decoded.records, warnings };
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

  /** Whether the log refuses every append for good (a write failure it could not undo). */
  get failed(): boolean {
    return this.failure !== undefined;
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
   * log is closed. If the disk is full, the records are cut back off the file and this append
   * rejects (test with `isDiskFull`); later ones may succeed. If the write or fsync fails
   * otherwise, this and every later append reject, and whether the records reached the file is
   * unknown: reopen the log to find out.
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
        // Out of space: nothing of the batch is acknowledged, so cut the file back to the
        // acknowledged records and take appends again once there is room. Any other failure
        // leaves the file in a state nobody knows (a failed fsync may have lost pages): no more.
        if (!(isDiskFull(error) && (await this.cutBack()))) this.failure ??= error;
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = false;
  }

  /** Truncates the file to the acknowledged records; false if even that fails. */
  private async cutBack(): Promise<boolean> {
    try {
      await this.file.truncate(this.end);
      await this.file.datasync();
      return true;
    } catch {
      return false;
    }
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

/** Whether `error` says the disk (or the user's quota) is full: the one failure a log outlives. */
export function isDiskFull(error: unknown): boolean {
  return isErrno(error, 'ENOSPC') || isErrno(error, 'EDQUOT');
}

/** Refused because the disk holding a runner's data folder is full (peers get a 503). */
export class DiskFullError extends Error {
  constructor(readonly dir: string) {
    super(`the disk holding ${dir} is full: nothing is stored until space is freed there`);
    this.name = 'DiskFullError';
  }
}

/** Where a log rewritten without its damaged bytes keeps the damaged original. */
export const DAMAGED_SUFFIX = '.damaged';

function describeGap(file: string, gap: Skipped): string {
  return (
    `${file}: ${gap.problem} at byte ${gap.from}: skipped ${gap.to - gap.from} damaged bytes, ` +
    `up to the next record that checks out (record ${gap.before}, at byte ${gap.to})`
  );
}

function describeTail(file: string, { records, end, problem }: Decoded, what: string): string {
  return `${file}: ${problem} in record ${records.length} at byte ${end}; kept ${records.length} records, ${what}`;
}

/**
 * Writes the good stretches of `file` (everything but the skipped gaps and the tail) to a new
 * file and puts it in the log's place; the original stays reachable as `<file>.damaged` (a hard
 * link made before the switch, so a crash at any point leaves either the old or the new log in
 * place, never neither). `old` stays open, on what is now the damaged copy.
 */
async function rewriteWithout(file: string, old: FileHandle, decoded: Decoded, mode: number): Promise<void> {
  const keep: [number, number][] = [];
  let from = 0;
  for (const gap of decoded.skipped) {
    keep.push([from, gap.from]);
    from = gap.to;
  }
  keep.push([from, decoded.end]);
  const temp = `${file}.rewrite`;
  await rm(temp, { force: true });
  const out = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    let written = 0;
    for (const [start, stop] of keep) {
      for (let at = start; at < stop; ) {
        const want = Math.min(READ_CHUNK_BYTES, stop - at);
        const chunk = Buffer.allocUnsafe(want);
        const { bytesRead } = await old.read(chunk, 0, want, at);
        if (bytesRead === 0) throw new Error(`${file} shrank while being rewritten`);
        for (let done = 0; done < bytesRead; ) {
          const { bytesWritten } = await out.write(chunk, done, bytesRead - done, written + done);
          if (bytesWritten === 0) throw new Error(`${temp}: write made no progress`);
          done += bytesWritten;
        }
        written += bytesRead;
        at += bytesRead;
      }
    }
    await out.sync();
  } catch (error) {
    await out.close();
    await rm(temp, { force: true });
    throw error;
  }
  await out.close();
  const damaged = file + DAMAGED_SUFFIX;
  await rm(damaged, { force: true });
  await link(file, damaged);
  await rename(temp, file);
  await fsyncDirectory(dirname(file));
}

/** Reads and decodes the whole file in large chunks. */
async function readAll(handle: FileHandle): Promise<Decoded & { size: number }> {
  const { size } = await handle.stat();
  const scanner = new Scanner();
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
    const used = scanner.feed(buf, base, atEof);
    base += used;
    carry = buf.subarray(used);
    if (atEof) return { ...scanner.result(), size };
  }
}
