/**
 * The fast path of the msgpack serializer's reads: decodes the MessagePack that the one-pass
 * encoder (`encode.ts`) writes, to the same values msgpackr's `Unpackr` gives with the
 * serializer's options, and declines everything else (the caller then hands the bytes to
 * msgpackr, which decodes or refuses them).
 *
 * Why it exists: each message carries its own record definitions, and msgpackr compiles a
 * reader for a record shape (`new Function`) each time a message defines it, so every read of a
 * 10 KiB document pays a few compilations. Here a compiled reader is kept per key list across
 * messages (at most {@link MAX_READERS}), found by the bytes of the definition (a hash, then a
 * byte comparison), so a shape seen before costs no string work.
 *
 * It reads: positive and negative fixints, (u)int 8-64 (64-bit as `bigint`), float 64, nil,
 * booleans, str, bin (copied unless `copyBuffers` is off), arrays, maps (as `Map`), record
 * definitions with one-byte ids (`d4 72 id`) and their uses, `undefined` (`d4 00 xx`), `Set`
 * (`d4 73 xx`) and the timestamp extension (`Date`). Anything else (float 32, two-byte record
 * ids, other extensions, keys msgpackr rewrites such as `__proto__`, truncated or trailing
 * bytes) declines. Declining is never an error here: msgpackr stays the judge of foreign bytes.
 *
 * State is module-level, as in msgpackr: a read runs to completion without calling user code.
 */

import { createRequire } from 'node:module';

/** Thrown inside a read to decline; caught by {@link decodePlain}. */
const DECLINE: unique symbol = Symbol('decline');
/** What {@link decodePlain} returns for bytes it leaves to msgpackr. */
export const DECLINED: unique symbol = Symbol('declined');
/** Compiled record readers kept across messages; past this the cache starts over. */
const MAX_READERS = 1000;
/** Without the native extractor: strings shorter than this (bytes) are decoded in JS, longer by `utf8Slice`. */
const SHORT_STRING = 8;
/** Messages shorter than this decode their strings in JS: one native call costs more than it saves. */
const SMALL_MESSAGE = 160;

type Extract = (start: number, end: number, buffer: ArrayBufferLike) => string | string[];
/**
 * msgpackr's native string extractor (the optional `msgpackr-extract`, which msgpackr itself
 * uses), when it is installed. One call decodes the strings of a whole message: each non-ASCII
 * string on its own, and runs of nearby ASCII strings as one latin1 block that the reads then
 * slice (no call per string). `undefined`: strings are decoded in JS.
 */
let extract: Extract | undefined = (() => {
  try {
    return (createRequire(import.meta.url)('msgpackr-extract') as { extractStrings: Extract }).extractStrings;
  } catch {
    return undefined;
  }
})();

/** The native extractor in use (`undefined` when it is not installed). */
export const nativeExtractor: Extract | undefined = extract;

/** Uses `extractor` for the strings of the next messages, or JS with `undefined` (for tests). */
export function useExtractor(extractor: Extract | undefined): void {
  extract = extractor;
}

type RecordReader = (read: () => unknown) => Record<string, unknown>;

const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer);
const NONE: readonly string[] = [];
const utf8Slice = Buffer.prototype.utf8Slice;

let src: Uint8Array = EMPTY;
let view: DataView = EMPTY_VIEW;
let pos = 0;
let end = 0;
let copyBuffers = true;
/** The reader of each record id (0x40-0x7f) defined in the current message, by id - 0x40. */
const records: (RecordReader | undefined)[] = new Array(64).fill(undefined);
/** Whether the current message defined a record id (`records` is cleared at its end). */
let defined = false;
/** Compiled readers by the hash of their definition's bytes (the key list as MessagePack). */
const readers = new Map<number, { definition: Uint8Array; reader: RecordReader }>();
/** Whether this message's strings come from the extractor (decided per message). */
let extracting = false;
/** What the extractor returned and the next one to use. */
let extracted: readonly string[] = [];
let nextExtracted = 0;
/** The latin1 block of ASCII strings being read: its text and the byte positions it spans. */
let block = '';
let blockStart = 0;
let blockEnd = 0;

/**
 * Decodes `bytes[start..]` as one MessagePack value, or returns {@link DECLINED}.
 * @param copy whether decoded binary values are copies (`copyBuffers`) or views.
 */
export function decodePlain(bytes: Uint8Array, start: number, copy: boolean): unknown {
  src = bytes;
  view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  pos = start;
  end = bytes.length;
  copyBuffers = copy;
  extracting = extract !== undefined && end - start >= SMALL_MESSAGE;
  try {
    const value = read();
    return pos === end ? value : DECLINED;
  } catch (error) {
    // DECLINE, or a RangeError from a DataView read past the end or from deep nesting.
    if (error === DECLINE || error instanceof RangeError) return DECLINED;
    throw error;
  } finally {
    if (defined) {
      records.fill(undefined);
      defined = false;
    }
    if (extracting) {
      extracted = NONE;
      nextExtracted = 0;
      block = '';
      blockEnd = 0;
    }
    // Hold on to nothing of this message.
    src = EMPTY;
    view = EMPTY_VIEW;
  }
}

function read(): unknown {
  const token = src[pos++]!;
  if (token < 0x40) return token; // positive fixint; `undefined` past the end fails below
  if (token < 0x80) {
    const reader = records[token - 0x40];
    if (reader === undefined) throw DECLINE;
    return reader(read);
  }
  if (token < 0x90) return readMap(token - 0x80);
  if (token < 0xa0) return readArray(token - 0x90);
  if (token < 0xc0) return readString(token - 0xa0, 1);
  if (token >= 0xe0) return token - 0x100;
  switch (token) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
      return readBin(readUint8());
    case 0xc5:
      return readBin(readUint16());
    case 0xc6:
      return readBin(readUint32());
    case 0xc7: {
      // ext 8: only the 12-byte timestamp
      if (src[pos] !== 12 || src[pos + 1] !== 0xff) throw DECLINE;
      pos += 2;
      return readTimestamp(12);
    }
    // Fixed-size numbers: `pos` moves past them first, the read is at the old position.
    case 0xcb:
      return view.getFloat64((pos += 8) - 8);
    case 0xcc:
      return readUint8();
    case 0xcd:
      return readUint16();
    case 0xce:
      return readUint32();
    case 0xcf:
      return view.getBigUint64((pos += 8) - 8);
    case 0xd0:
      return view.getInt8(pos++);
    case 0xd1:
      return view.getInt16((pos += 2) - 2);
    case 0xd2:
      return view.getInt32((pos += 4) - 4);
    case 0xd3:
      return view.getBigInt64((pos += 8) - 8);
    case 0xd4:
      return readFixext1();
    case 0xd6:
      if (src[pos] !== 0xff) throw DECLINE;
      pos++;
      return readTimestamp(4);
    case 0xd7:
      if (src[pos] !== 0xff) throw DECLINE;
      pos++;
      return readTimestamp(8);
    case 0xd9:
      return readString(readUint8(), 2);
    case 0xda:
      return readString(readUint16(), 3);
    case 0xdb:
      return readString(readUint32(), 5);
    case 0xdc:
      return readArray(readUint16());
    case 0xdd:
      return readArray(readUint32());
    case 0xde:
      return readMap(readUint16());
    case 0xdf:
      return readMap(readUint32());
    default:
      throw DECLINE; // float 32, other extensions, reserved bytes, the end of the input
  }
}

function readUint8(): number {
  if (pos >= end) throw DECLINE;
  return src[pos++]!;
}

function readUint16(): number {
  return view.getUint16((pos += 2) - 2);
}

function readUint32(): number {
  return view.getUint32((pos += 4) - 4);
}

/** fixext 1: `undefined`, a `Set`, or a record definition followed by its first record. */
function readFixext1(): unknown {
  const type = src[pos]!;
  const data = src[pos + 1]!;
  if (pos + 2 > end) throw DECLINE;
  pos += 2;
  if (type === 0x00) return undefined;
  if (type === 0x73) {
    const members = read();
    if (!Array.isArray(members)) throw DECLINE;
    return new Set(members);
  }
  if (type !== 0x72 || data < 0x40 || data > 0x7f) throw DECLINE;
  const definitionStart = pos;
  // The keys are read even when the reader is known: the extracted strings are used in order.
  const keys = read();
  if (!Array.isArray(keys)) throw DECLINE;
  const reader = readerFor(keys, definitionStart, pos);
  records[data - 0x40] = reader;
  defined = true;
  return reader(read);
}

/** The compiled reader of the key list `keys`, written as `src[start..stop)` (kept across messages). */
function readerFor(keys: unknown[], start: number, stop: number): RecordReader {
  let hash = 0x811c9dc5;
  for (let i = start; i < stop; i++) hash = Math.imul(hash ^ src[i]!, 0x01000193);
  const cached = readers.get(hash);
  if (cached !== undefined && sameBytes(cached.definition, start, stop)) return cached.reader;
  for (const key of keys) {
    // msgpackr rewrites these (or stringifies non-string keys): it decides.
    if (typeof key !== 'string' || key === '__proto__' || key === 'constructor') throw DECLINE;
  }
  if (readers.size >= MAX_READERS) readers.clear();
  const reader = compileReader(keys as string[]);
  readers.set(hash, { definition: Uint8Array.prototype.slice.call(src, start, stop), reader });
  return reader;
}

function sameBytes(definition: Uint8Array, start: number, stop: number): boolean {
  if (definition.length !== stop - start) return false;
  for (let i = 0; i < definition.length; i++) if (definition[i] !== src[start + i]) return false;
  return true;
}

function compileReader(keys: readonly string[]): RecordReader {
  // An object literal (one allocation with the final shape), values read left to right. Keys are
  // JSON string literals, never `__proto__` (declined above), so each one is an own property.
  try {
    return new Function(
      'r',
      `return {${keys.map((key) => `${JSON.stringify(key)}:r()`).join(',')}}`,
    ) as RecordReader;
  } catch {
    // `new Function` forbidden (a content security policy): assign one by one.
    return (r) => {
      const record: Record<string, unknown> = {};
      for (const key of keys) record[key] = r();
      return record;
    };
  }
}

function readArray(length: number): unknown[] {
  if (length > end - pos) throw DECLINE; // every item takes a byte at least
  const array = new Array<unknown>(length);
  for (let i = 0; i < length; i++) array[i] = read();
  return array;
}

function readMap(size: number): Map<unknown, unknown> {
  if (size * 2 > end - pos) throw DECLINE;
  const map = new Map<unknown, unknown>();
  for (let i = 0; i < size; i++) map.set(read(), read());
  return map;
}

function readBin(length: number): Uint8Array {
  const start = pos;
  if (length > end - start) throw DECLINE;
  pos += length;
  // As msgpackr does: the copying typed-array slice, or a view.
  return copyBuffers ? Uint8Array.prototype.slice.call(src, start, pos) : src.subarray(start, pos);
}

/** A string of `length` bytes at `pos`, whose header took `header` bytes. */
function readString(length: number, header: number): string {
  const start = pos;
  const stop = start + length;
  if (stop > end) throw DECLINE;
  pos = stop;
  if (!extracting) return decodeUtf8(start, stop);
  // As msgpackr reads the extractor's output: inside the current block, a slice of it; else the
  // next string extracted, which starts a block when it is longer than this string.
  if (blockEnd >= start) return block.slice(start - blockStart, stop - blockStart);
  const text = extracted[nextExtracted++] ?? extractFrom(start - header);
  if (text.length <= length) return text;
  block = text;
  blockStart = start;
  blockEnd = start + text.length;
  return text.slice(0, length);
}

/** Runs the extractor from the string header at `at` to the end; returns the first string. */
function extractFrom(at: number): string {
  let result: string | string[];
  try {
    result = extract!(at + src.byteOffset, end + src.byteOffset, src.buffer);
  } catch {
    throw DECLINE; // a value cut short somewhere ahead: msgpackr decides
  }
  if (typeof result === 'string') {
    extracted = NONE;
    return result;
  }
  const first = result[0];
  if (first === undefined) throw DECLINE;
  extracted = result;
  nextExtracted = 1;
  return first;
}

/** UTF-8 bytes in JS while they are ASCII and few (no call into C++), else `utf8Slice`. */
function decodeUtf8(start: number, stop: number): string {
  if (stop - start >= SHORT_STRING) return utf8Slice.call(src, start, stop);
  let text = '';
  for (let i = start; i < stop; i++) {
    const byte = src[i]!;
    if (byte >= 0x80) return utf8Slice.call(src, start, stop);
    text += String.fromCharCode(byte);
  }
  return text;
}

/** msgpackr's timestamp extension (type -1) of 4, 8 or 12 bytes, decoded as msgpackr does. */
function readTimestamp(length: 4 | 8 | 12): Date {
  const at = pos;
  if (at + length > end) throw DECLINE;
  pos += length;
  const d = src;
  if (length === 4)
    return new Date((d[at]! * 0x1000000 + (d[at + 1]! << 16) + (d[at + 2]! << 8) + d[at + 3]!) * 1000);
  if (length === 8) {
    return new Date(
      ((d[at]! << 22) + (d[at + 1]! << 14) + (d[at + 2]! << 6) + (d[at + 3]! >> 2)) / 1000000 +
        ((d[at + 3]! & 0x3) * 0x100000000 +
          d[at + 4]! * 0x1000000 +
          (d[at + 5]! << 16) +
          (d[at + 6]! << 8) +
          d[at + 7]!) *
          1000,
    );
  }
  return new Date(
    ((d[at]! << 24) + (d[at + 1]! << 16) + (d[at + 2]! << 8) + d[at + 3]!) / 1000000 +
      ((d[at + 4]! & 0x80 ? -0x1000000000000 : 0) +
        d[at + 6]! * 0x10000000000 +
        d[at + 7]! * 0x100000000 +
        d[at + 8]! * 0x1000000 +
        (d[at + 9]! << 16) +
        (d[at + 10]! << 8) +
        d[at + 11]!) *
        1000,
  );
}
