// Tor's control protocol on the wire (control-spec §2): replies split into lines, strings quoted and
// unquoted, keyword arguments read. No I/O here, so every rule can be tested on recorded text.
//
// A reply is lines "CODE-text" (more follows), "CODE+text" followed by data lines ending with a
// lone "." (a data line starting with "." has it doubled), and a final "CODE text". Status 650 is
// an asynchronous event; everything else answers the oldest command not yet answered.
import { StringDecoder } from 'node:string_decoder';
import { TorError } from './errors';

export interface ReplyLine {
  readonly status: number;
  /** '-' mid line, '+' line with data, ' ' the last line. */
  readonly separator: '-' | '+' | ' ';
  readonly text: string;
  /** For '+' lines: the data lines, unescaped, joined with "\n". */
  readonly data?: string;
}

export interface Reply {
  /** The status of the last line: the reply's outcome. */
  readonly status: number;
  readonly lines: readonly ReplyLine[];
}

/** A line longer than this is not Tor talking (GETINFO data lines are far shorter). */
const MAX_LINE_CHARS = 1024 * 1024;
/** A whole reply (GETINFO ns/all on the real network is ~5 MB). */
const MAX_REPLY_CHARS = 32 * 1024 * 1024;

/**
 * Turns the bytes tor sends into replies. `push` returns the replies completed by a chunk and
 * throws a TorError('protocol') on text that breaks the grammar; the connection is then unusable.
 */
export class ReplyParser {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private lines: ReplyLine[] = [];
  private size = 0;
  /** Set while inside the data of a '+' line. */
  private data: { status: number; text: string; lines: string[] } | undefined;

  push(chunk: Buffer | string): Reply[] {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    if (this.partial.length > MAX_LINE_CHARS)
      throw new TorError('protocol', `a control line longer than ${MAX_LINE_CHARS} characters`);
    const replies: Reply[] = [];
    for (const raw of parts) {
      const reply = this.line(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
      if (reply) replies.push(reply);
    }
    return replies;
  }

  /** True between replies: nothing buffered. */
  get idle(): boolean {
    return this.partial === '' && this.lines.length === 0 && this.data === undefined;
  }

  private line(line: string): Reply | undefined {
    this.size += line.length + 2;
    if (this.size > MAX_REPLY_CHARS)
      throw new TorError('protocol', `a control reply larger than ${MAX_REPLY_CHARS} characters`);
    if (this.data) {
      if (line === '.') {
        const { status, text, lines } = this.data;
        this.lines.push({ status, separator: '+', text, data: lines.join('\n') });
        this.data = undefined;
      } else {
        this.data.lines.push(line.startsWith('.') ? line.slice(1) : line);
      }
      return undefined;
    }
    const m = /^([0-9]{3})([ +-])(.*)$/s.exec(line);
    if (!m) throw new TorError('protocol', `not a control reply line: ${JSON.stringify(line.slice(0, 80))}`);
    const status = Number(m[1]);
    const separator = m[2] as ReplyLine['separator'];
    const text = m[3]!;
    if (separator === '+') {
      this.data = { status, text, lines: [] };
      return undefined;
    }
    this.lines.push({ status, separator, text });
    if (separator === '-') return undefined;
    const reply = { status, lines: this.lines };
    this.lines = [];
    this.size = 0;
    return reply;
  }
}

/** A control-protocol QuotedString: only printable ASCII on the wire, everything else escaped. */
export function quoteString(value: string): string {
  let out = '"';
  for (const byte of Buffer.from(value, 'utf8')) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x22) out += '\\"';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte < 0x20 || byte > 0x7e) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

/**
 * Reads the quoted string starting at `text[start]` (a '"'), with tor's C-style escapes (\n \r \t
 * \\ \" \' octal \ooo, hex \xHH; any other escaped character stands for itself). Escaped bytes are
 * UTF-8 (tor escapes each byte of a non-ASCII path). Returns the value and the index after it.
 */
export function unquoteAt(text: string, start: number): { value: string; end: number } {
  if (text[start] !== '"') throw new TorError('protocol', 'expected a quoted string');
  const bytes: number[] = [];
  let i = start + 1;
  const plain = (s: string) => {
    for (const b of Buffer.from(s, 'utf8')) bytes.push(b);
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') return { value: Buffer.from(bytes).toString('utf8'), end: i + 1 };
    if (c !== '\\') {
      plain(c);
      i += 1;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined) break;
    const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4));
    const hex = /^x([0-9a-fA-F]{2})/.exec(text.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(Number.parseInt(octal[0], 8) & 0xff);
      i += 1 + octal[0].length;
    } else if (hex) {
      bytes.push(Number.parseInt(hex[1]!, 16));
      i += 4;
    } else {
      plain(next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next);
      i += 2;
    }
  }
  throw new TorError('protocol', 'a quoted string is not closed');
}

/** The arguments of a reply or event line: bare words in order, and KEY=VALUE pairs by key. */
export interface Arguments {
  readonly positional: readonly string[];
  readonly named: ReadonlyMap<string, string>;
}

/**
 * Splits `text` at spaces into words, `KEY=VALUE` and `KEY="quoted value"`; quoted words are
 * unquoted. A repeated key keeps its first value.
 */
export function parseArguments(text: string): Arguments {
  const positional: string[] = [];
  const named = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ') {
      i += 1;
      continue;
    }
    const key = /^([A-Za-z0-9_-]+)=/.exec(text.slice(i, i + 256));
    const valueStart = key ? i + key[0].length : i;
    let value: string;
    if (text[valueStart] === '"') {
      const q = unquoteAt(text, valueStart);
      value = q.value;
      i = q.end;
    } else {
      const space = text.indexOf(' ', valueStart);
      const end = space < 0 ? text.length : space;
      value = text.slice(valueStart, end);
      i = end;
    }
    if (!key) positional.push(value);
    else if (!named.has(key[1]!)) named.set(key[1]!, value);
  }
  return { positional, named };
}

/** Refuses a command argument that could end the line and smuggle in another command. */
export function checkArgument(value: string, what: string): string {
  if (value === '' || /[\s"\\]/.test(value) || /[^\x21-\x7e]/.test(value))
    throw new TorError('protocol', `${what} must be printable ASCII without spaces or quotes`);
  return value;
}
