/**
 * The decoding side of typed JSON (see typed-json.ts for the format): the text of stored bytes
 * ({@link utf8Text}: ASCII read as Latin-1, anything else through a fatal UTF-8 decoder) and the
 * reviver that turns the tagged objects of a parsed `~1` text back into values ({@link revive}),
 * in place where it can, with {@link forInIsOwn}, which the encoder asks too. Internal:
 * typed-json.ts's `parseTyped` and `jsonSerializer` use it; it is not exported from the package.
 * It is apart from typed-json.ts so that file holds only the format and the encoder; the
 * constants each side reads on its hot path stay local to it.
 */
import { isAscii } from 'node:buffer';
import { CacheSerializationError } from './errors.js';

/** Whether `for...in` over a plain object sees its own keys only. */
export function forInIsOwn(): boolean {
  for (const _ in EMPTY) return false;
  return true;
}
const EMPTY = {};

/**
 * Turns the tagged objects of a parsed `~1` text back into values, in place where it can.
 * `forIn`: `for...in` sees own keys only (see {@link forInIsOwn}).
 */
export function revive(node: unknown, forIn: boolean): unknown {
  if (typeof node !== 'object' || node === null) return node;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const item = node[i];
      if (typeof item === 'object' && item !== null) {
        const revived = revive(item, forIn);
        if (revived !== item) node[i] = revived;
      }
    }
    return node;
  }
  const record = node as Record<string, unknown>;
  if (record['~'] !== undefined && Object.hasOwn(record, '~')) return fromTag(record['~'], record.v, forIn);
  reviveProperties(record, forIn);
  return record;
}

function reviveProperties(record: Record<string, unknown>, forIn: boolean): void {
  if (forIn) {
    for (const key in record) reviveProperty(record, key, forIn);
  } else {
    for (const key of Object.keys(record)) reviveProperty(record, key, forIn);
  }
}

function reviveProperty(record: Record<string, unknown>, key: string, forIn: boolean): void {
  const item = record[key];
  if (typeof item === 'object' && item !== null) {
    const revived = revive(item, forIn);
    if (revived === item) return;
    // `__proto__` stays an own property, as JSON.parse made it.
    if (key === '__proto__') defineOwn(record, key, revived);
    else record[key] = revived;
  }
}

const NUMBERS: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '-0': -0,
};

function fromTag(type: unknown, v: unknown, forIn: boolean): unknown {
  switch (type) {
    case 'Date':
      if (v === null) return new Date(Number.NaN);
      if (typeof v === 'string') {
        const date = new Date(v);
        if (!Number.isNaN(date.getTime())) return date;
      }
      break;
    case 'Map':
      if (Array.isArray(v)) {
        const map = new Map<unknown, unknown>();
        for (const pair of v) {
          if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError('a Map entry is not a pair');
          map.set(revive(pair[0], forIn), revive(pair[1], forIn));
        }
        return map;
      }
      break;
    case 'Set':
      if (Array.isArray(v)) return new Set(v.map((member) => revive(member, forIn)));
      break;
    case 'BigInt':
      if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
      break;
    case 'Buffer':
    case 'Uint8Array':
      if (typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
        const bytes = Buffer.from(v, 'base64');
        return type === 'Buffer' ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
      break;
    case 'RegExp':
      if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string')
        return new RegExp(v[0], v[1]);
      break;
    case 'Number':
      if (typeof v === 'string' && Object.hasOwn(NUMBERS, v)) return NUMBERS[v];
      break;
    case 'undefined':
      return undefined;
    case 'Object':
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        reviveProperties(v as Record<string, unknown>, forIn);
        return v;
      }
      break;
  }
  throw new TypeError(`an unknown or malformed tag ${JSON.stringify(type)}`);
}

/** Sets an own property, as JSON.parse makes `__proto__` (the encoder uses it too). */
export function defineOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

const decoder = new TextDecoder('utf-8', { fatal: true });

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };
const latin1Slice = (Buffer.prototype as Latin1Buffer).latin1Slice;

/**
 * The text of UTF-8 bytes; invalid UTF-8 is refused rather than turned into U+FFFD. ASCII bytes
 * (what JSON of ASCII text is) are the same text read as Latin-1, which is the cheaper read.
 */
export function utf8Text(bytes: Uint8Array): string {
  if (isAscii(bytes)) return latin1Slice.call(bytes, 0, bytes.length);
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw new CacheSerializationError('stored bytes are not UTF-8', { cause });
  }
}
