// The one reader of protocol JSON: every JSON text a runner or a verifier takes from outside (a
// peer's request body or answer, an election record given to `verify`, a genesis file, the data
// folder's files) goes through readJson. It reads RFC 8259 JSON and refuses what a canonical
// format cannot have, where JSON.parse would silently pick one meaning (docs/PROTOCOL.md,
// "Protocol JSON"; docs/CRYPTO.md §6):
//
//   - an object with two members of the same name, at any depth (JSON.parse keeps the last one,
//     so two readers of one text could check different values);
//   - a number that is not an integer in plain decimal: `5.0`, `5e0`, `-0`, `05`, `+5` (all read
//     as 5 or 0 by JSON.parse: one value would have many texts); and an integer beyond 2^53 − 1
//     in magnitude, which a double cannot hold exactly (JSON.parse would round it);
//   - a byte-order mark, and nesting deeper than MAX_JSON_DEPTH (no protocol object nests deeper
//     than 7, so this only bounds the reader's recursion).
//
// Every protocol number is an integer, so the number rule holds everywhere, not per field; the
// fields' own ranges are the parsers' checks. A refusal is a ValidationError naming where:
// `record.blocks[3].height: 5.0 is not an integer in plain decimal … (at character 1234)`.
//
// Linear in the text: strings without escapes are sliced whole (indexOf and one native regex
// test), so the long hex strings that make up most of a block cost almost nothing in JavaScript.
//
// The one exception: the records of blocks.log, which this runner wrote itself with
// JSON.stringify behind a CRC-32 each (main/store/record-log.ts), are read with JSON.parse. They
// are its own output, never a peer's text, and reloading 10,000 blocks is the start-up path.
import { ValidationError } from './errors';

/** Deeper nesting is refused; the deepest protocol object (a record's ballot branch) is 7 deep. */
export const MAX_JSON_DEPTH = 64;

// Character codes.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const BOM = 0xfeff;

/** A string needs the slow path if it holds an escape or a (forbidden) raw control character. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const SLOW_STRING = /[\u0000-\u001f\\]/;
const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * Reads the protocol JSON `text`; `root` names it in errors (`body`, `record`, `response`…).
 * Throws a ValidationError for anything RFC 8259 refuses and for the forms listed above.
 */
export function readJson(text: string, root: string): unknown {
  return new Reader(text, root).document();
}

class Reader {
  private i = 0;
  /** Keys and indexes from the root to the value being read, for error messages. */
  private readonly path: (string | number)[] = [];

  constructor(
    private readonly text: string,
    private readonly root: string,
  ) {}

  document(): unknown {
    if (this.text.charCodeAt(0) === BOM) this.fail('is not JSON: it starts with a byte-order mark');
    const value = this.value(0);
    this.skipSpace();
    if (this.i < this.text.length) this.fail('is not JSON: unexpected text after the value');
    return value;
  }

  /** `depth`: the objects and arrays around this value. */
  private value(depth: number): unknown {
    this.skipSpace();
    const c = this.text.charCodeAt(this.i);
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === QUOTE) return this.string();
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return value;
      }
    }
    return this.fail(
      Number.isNaN(c) ? 'is not JSON: the text ends early' : `is not JSON: unexpected ${this.shown()}`,
    );
  }

  private object(depth: number): Record<string, unknown> {
    this.enter(depth);
    const o: Record<string, unknown> = {};
    this.skipSpace();
    if (this.text.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return o;
    }
    for (;;) {
      this.skipSpace();
      if (this.text.charCodeAt(this.i) !== QUOTE)
        this.fail(`is not JSON: expected a key, found ${this.shown()}`);
      const at = this.i;
      const key = this.string();
      this.path.push(key);
      if (Object.hasOwn(o, key)) this.fail('is a duplicate key: an object names each member once', at);
      this.skipSpace();
      if (this.text.charCodeAt(this.i) !== 0x3a)
        this.fail(`is not JSON: expected ':', found ${this.shown()}`);
      this.i++;
      const value = this.value(depth + 1);
      // As JSON.parse does: "__proto__" is an ordinary own member, never the prototype.
      if (key === '__proto__')
        Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
      else o[key] = value;
      this.path.pop();
      this.skipSpace();
      const next = this.text.charCodeAt(this.i++);
      if (next === 0x7d) return o;
      if (next !== 0x2c)
        this.fail(`is not JSON: expected ',' or '}', found ${this.shown(this.i - 1)}`, this.i - 1);
    }
  }

  private array(depth: number): unknown[] {
    this.enter(depth);
    const a: unknown[] = [];
    this.skipSpace();
    if (this.text.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return a;
    }
    for (;;) {
      this.path.push(a.length);
      a.push(this.value(depth + 1));
      this.path.pop();
      this.skipSpace();
      const next = this.text.charCodeAt(this.i++);
      if (next === 0x5d) return a;
      if (next !== 0x2c)
        this.fail(`is not JSON: expected ',' or ']', found ${this.shown(this.i - 1)}`, this.i - 1);
    }
  }

  private string(): string {
    const start = this.i + 1;
    const end = this.text.indexOf('"', start);
    if (end < 0) this.fail('is not JSON: a string is not closed');
    const raw = this.text.slice(start, end);
    if (!SLOW_STRING.test(raw)) {
      this.i = end + 1;
      return raw;
    }
    // Escapes (the first quote found may be an escaped one) or a raw control character.
    let out = '';
    let i = start;
    for (;;) {
      const c = this.text.charCodeAt(i);
      if (Number.isNaN(c)) this.fail('is not JSON: a string is not closed', i);
      if (c === QUOTE) break;
      if (c < 0x20) this.fail('is not JSON: a control character must be escaped in a string', i);
      if (c !== BACKSLASH) {
        const run = i;
        while (isPlain(this.text.charCodeAt(i))) i++;
        out += this.text.slice(run, i);
        continue;
      }
      const e = this.text[i + 1] ?? '';
      if (e === 'u') {
        const hex = this.text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('is not JSON: \\u takes four hex digits', i);
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 6;
      } else if (Object.hasOwn(ESCAPES, e)) {
        out += ESCAPES[e];
        i += 2;
      } else {
        this.fail(`is not JSON: unknown escape \\${e}`, i);
      }
    }
    this.i = i + 1;
    return out;
  }

  private number(): number {
    const { text } = this;
    const start = this.i;
    let i = start;
    if (text.charCodeAt(i) === MINUS) i++;
    const first = text.charCodeAt(i);
    if (first === ZERO) i++;
    else if (first > ZERO && first <= NINE) while (isDigit(text.charCodeAt(i))) i++;
    else this.fail('is not JSON: a minus sign must be followed by digits', start);
    // The whole lexeme a lenient reader would take, to show what was refused.
    let end = i;
    while (end < text.length && /[0-9.eE+-]/.test(text[end]!)) end++;
    const lexeme = text.slice(start, end);
    if (end !== i || lexeme === '-0')
      this.fail(
        `${lexeme} is not an integer in plain decimal (no fraction, exponent, leading zero or -0)`,
        start,
      );
    const n = Number(lexeme);
    if (!Number.isSafeInteger(n))
      this.fail(`${lexeme} is beyond 2^53 − 1 in magnitude: not read exactly`, start);
    this.i = i;
    return n;
  }

  /** Steps over `{` or `[`, unless it opens one level too many. */
  private enter(depth: number): void {
    if (depth >= MAX_JSON_DEPTH)
      this.fail(`nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays`);
    this.i++;
  }

  private skipSpace(): void {
    const { text } = this;
    for (;;) {
      const c = text.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.i++;
    }
  }

  /** The character at `at`, quoted, for messages. */
  private shown(at = this.i): string {
    return at >= this.text.length ? 'the end of the text' : JSON.stringify(this.text[at]);
  }

  private fail(reason: string, at = this.i): never {
    const where = this.path
      .map((p) =>
        typeof p === 'number' ? `[${p}]` : SIMPLE_KEY.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`,
      )
      .join('');
    throw new ValidationError(`${this.root}${where}`, `${reason} (at character ${at})`);
  }
}

const LITERALS: readonly (readonly [string, unknown])[] = [
  ['true', true],
  ['false', false],
  ['null', null],
];

const isDigit = (c: number) => c >= ZERO && c <= NINE;
/** Copied as it is inside a string: not the end, not an escape, not a control character. */
const isPlain = (c: number) => c >= 0x20 && c !== QUOTE && c !== BACKSLASH;
