/**
 * The fast path of typed JSON's encoder: one walk over a plain value (plain objects, dense
 * arrays, strings, finite numbers other than `-0`, booleans, `null`) that makes the checks and
 * writes the UTF-8 bytes `JSON.stringify` would give, in one pass, with no string in between.
 * Tests hold its output byte for byte against `Buffer.from(JSON.stringify(value))`.
 *
 * It refuses nothing itself: on anything else (a value that needs a tag, a `~` key, a symbol key,
 * a null-prototype object, a hole, a class instance, nesting past {@link MAX_DEPTH}, output past
 * {@link MAX_BYTES}, a `toJSON` on `Object.prototype` or `Array.prototype`) it declines, and typed JSON takes its
 * general path (the walk that tags or refuses, then `JSON.stringify`), which decides.
 */

/** Thrown when the output grows past {@link MAX_BYTES}. */
const TOO_LARGE = new Error('too large for the plain writer');
/** Returned by the walk when the value needs the general path. */
const DECLINE = 1;
/** Nesting depth past which the general path takes over (it looks for cycles there). */
const MAX_DEPTH = 64;
/**
 * Output past which the writer declines: `JSON.stringify` writes long text faster than JavaScript
 * does, so large values take the general path (this much of a large value is written twice).
 */
const MAX_BYTES = 64 * 1024;
/** Strings at least this long are escaped by `JSON.stringify` and written by `Buffer#utf8Write`. */
const LONG_STRING = 48;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const HEX = '0123456789abcdef';
/** The two-character escapes of JSON.stringify, by character code (0 where there is none). */
const SHORT_ESCAPES = new Uint8Array(0x60);
SHORT_ESCAPES[0x08] = 0x62; // \b
SHORT_ESCAPES[0x09] = 0x74; // \t
SHORT_ESCAPES[0x0a] = 0x6e; // \n
SHORT_ESCAPES[0x0c] = 0x66; // \f
SHORT_ESCAPES[0x0d] = 0x72; // \r
SHORT_ESCAPES[QUOTE] = QUOTE;
SHORT_ESCAPES[BACKSLASH] = BACKSLASH;

type Utf8Buffer = Buffer & { utf8Write(text: string, offset: number): number };

/** One-pass writer of plain values as JSON bytes; see the module comment. Not re-entrant: a nested call declines. */
export class PlainJsonWriter {
  #buf = Buffer.allocUnsafeSlow(8192) as Utf8Buffer;
  #pos = 0;
  #busy = false;

  /**
   * The UTF-8 bytes of `JSON.stringify(value)`, in memory of their own, or `undefined` when the
   * value is not plain (see the module comment). `forIn`: `for...in` sees own keys only.
   */
  encode(value: unknown, forIn: boolean): Buffer | undefined {
    // A toJSON where JSON.stringify would find it on every object or array changes what it writes.
    if (this.#busy || !forIn || 'toJSON' in Object.prototype || 'toJSON' in Array.prototype) return undefined;
    this.#busy = true;
    try {
      this.#pos = 0;
      if (this.#write(value, 0) === DECLINE || this.#pos > MAX_BYTES) return undefined;
      const out = Buffer.allocUnsafe(this.#pos);
      this.#buf.copy(out, 0, 0, this.#pos);
      return out;
    } catch {
      return undefined; // too large, or a getter threw: the general path reports it
    } finally {
      if (this.#buf.length > 2 * MAX_BYTES) this.#buf = Buffer.allocUnsafeSlow(8192) as Utf8Buffer;
      this.#busy = false;
    }
  }

  /** Makes room for `bytes` more bytes (small, so that it is inlined; growing is apart). */
  #room(bytes: number): void {
    if (this.#pos + bytes > this.#buf.length) this.#grow(this.#pos + bytes);
  }

  /** Grows the buffer, or throws {@link TOO_LARGE} past {@link MAX_BYTES} (the caller declines). */
  #grow(end: number): void {
    if (this.#pos > MAX_BYTES) throw TOO_LARGE;
    let size = this.#buf.length * 2;
    while (size < end) size *= 2;
    const next = Buffer.allocUnsafeSlow(size) as Utf8Buffer;
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }

  /** Writes `value`; returns {@link DECLINE} when it needs the general path, else 0. */
  #write(value: unknown, depth: number): number {
    switch (typeof value) {
      case 'string':
        this.#string(value);
        return 0;
      case 'number':
        return this.#number(value);
      case 'boolean':
        if (value) this.#ascii('true');
        else this.#ascii('false');
        return 0;
      case 'object':
        if (value === null) {
          this.#ascii('null');
          return 0;
        }
        return depth === MAX_DEPTH ? DECLINE : this.#object(value, depth + 1);
      default:
        return DECLINE; // undefined, bigint (tagged); function, symbol (refused)
    }
  }

  /** Writes a string of ASCII characters that need no escape. */
  #ascii(text: string): void {
    const length = text.length;
    this.#room(length);
    const buf = this.#buf;
    let at = this.#pos;
    for (let i = 0; i < length; i++) buf[at++] = text.charCodeAt(i);
    this.#pos = at;
  }

  #number(value: number): number {
    // Finite and not -0 (those need a tag): x - x is 0 only for finite numbers.
    if (value - value !== 0 || (value === 0 && 1 / value < 0)) return DECLINE;
    if (value >>> 0 === value && value < 1e9) {
      // Decimal digits of a small non-negative integer, without a string.
      let digits = 1;
      for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
      this.#room(digits);
      const buf = this.#buf;
      let at = this.#pos + digits;
      this.#pos = at;
      let rest = value;
      do {
        const next = (rest / 10) | 0;
        buf[--at] = 0x30 + rest - next * 10;
        rest = next;
      } while (rest > 0);
      return 0;
    }
    this.#ascii(String(value));
    return 0;
  }

  /** A JSON string: quoted, escaped as JSON.stringify escapes (lone surrogates as `\udxxx`), in UTF-8. */
  #string(value: string): void {
    const length = value.length;
    if (length >= LONG_STRING) {
      const quoted = JSON.stringify(value);
      if (quoted.length > MAX_BYTES) throw TOO_LARGE;
      this.#room(quoted.length * 3);
      this.#pos += this.#buf.utf8Write(quoted, this.#pos);
      return;
    }
    this.#room(2 + length * 6);
    const buf = this.#buf;
    let at = this.#pos;
    buf[at++] = QUOTE;
    for (let i = 0; i < length; i++) {
      let c = value.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c !== QUOTE && c !== BACKSLASH) buf[at++] = c;
        else at = this.#escape(c, at);
      } else if (c < 0x800) {
        buf[at++] = (c >> 6) | 0xc0;
        buf[at++] = (c & 0x3f) | 0x80;
      } else if (c < 0xd800 || c > 0xdfff) {
        buf[at++] = (c >> 12) | 0xe0;
        buf[at++] = ((c >> 6) & 0x3f) | 0x80;
        buf[at++] = (c & 0x3f) | 0x80;
      } else {
        const low = value.charCodeAt(i + 1); // NaN past the end
        if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) {
          at = this.#escape(c, at); // a lone surrogate
          continue;
        }
        c = 0x10000 + ((c & 0x3ff) << 10) + (low & 0x3ff);
        i++;
        buf[at++] = (c >> 18) | 0xf0;
        buf[at++] = ((c >> 12) & 0x3f) | 0x80;
        buf[at++] = ((c >> 6) & 0x3f) | 0x80;
        buf[at++] = (c & 0x3f) | 0x80;
      }
    }
    buf[at++] = QUOTE;
    this.#pos = at;
  }

  /** Writes the escape of character `c` at `at` (room is made by the caller); returns the new end. */
  #escape(c: number, at: number): number {
    const buf = this.#buf;
    buf[at++] = BACKSLASH;
    const short = c < 0x60 ? (SHORT_ESCAPES[c] as number) : 0;
    if (short !== 0) {
      buf[at++] = short;
      return at;
    }
    buf[at++] = 0x75; // u
    buf[at++] = HEX.charCodeAt(c >> 12);
    buf[at++] = HEX.charCodeAt((c >> 8) & 0xf);
    buf[at++] = HEX.charCodeAt((c >> 4) & 0xf);
    buf[at++] = HEX.charCodeAt(c & 0xf);
    return at;
  }

  #object(value: object, depth: number): number {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype) return this.#record(value as Record<string, unknown>, depth);
    if (proto !== Array.prototype) return DECLINE;
    const array = value as unknown[];
    const length = array.length;
    this.#room(1);
    this.#buf[this.#pos++] = 0x5b; // [
    for (let i = 0; i < length; i++) {
      if (i > 0) {
        this.#room(1);
        this.#buf[this.#pos++] = COMMA;
      }
      const item = array[i];
      if (typeof item === 'string') this.#string(item);
      else if (item === undefined || this.#write(item, depth) === DECLINE) return DECLINE; // undefined or a hole
    }
    this.#room(1);
    this.#buf[this.#pos++] = 0x5d; // ]
    return 0;
  }

  #record(record: Record<string, unknown>, depth: number): number {
    // JSON.stringify drops symbol keys without a word: the general path refuses them.
    if (Object.getOwnPropertySymbols(record).length !== 0) return DECLINE;
    let separator = 0x7b; // { before the first key, then commas
    // for...in (V8's enum cache) is the fastest walk of string keys; the caller made sure it sees own keys only.
    for (const key in record) {
      if (key === '~') return DECLINE; // tagged, to keep it apart from a tag
      const item = record[key];
      this.#key(separator, key);
      separator = COMMA;
      if (typeof item === 'string') this.#string(item);
      else if (this.#write(item, depth) === DECLINE) return DECLINE;
    }
    this.#room(2);
    if (separator === 0x7b) this.#buf[this.#pos++] = 0x7b;
    this.#buf[this.#pos++] = 0x7d; // }
    return 0;
  }

  /** Writes `separator`, then `key` as a JSON string, then a colon. */
  #key(separator: number, key: string): void {
    const length = key.length;
    this.#room(4 + length * 6);
    const buf = this.#buf;
    let at = this.#pos;
    buf[at++] = separator;
    buf[at++] = QUOTE;
    let i = 0;
    for (; i < length; i++) {
      const c = key.charCodeAt(i);
      if (c < 0x20 || c >= 0x80 || c === QUOTE || c === BACKSLASH) break;
      buf[at++] = c;
    }
    if (i < length) {
      // Anything but plain ASCII: written by #string, over the quote already written.
      this.#pos = at - i - 1;
      this.#string(key);
      this.#room(1);
      this.#buf[this.#pos++] = COLON;
      return;
    }
    buf[at++] = QUOTE;
    buf[at++] = COLON;
    this.#pos = at;
  }
}
