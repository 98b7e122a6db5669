/**
 * Typed JSON: the default serializer of every backend that stores bytes.
 *
 * The stored text is readable JSON in one of two forms:
 * - plain: a value made only of strings, finite numbers (not `-0`), booleans, `null`, arrays
 *   and plain objects is stored as `JSON.stringify` writes it, so it is read back with one
 *   `JSON.parse` and is exactly what the earlier JSON serializer stored;
 * - tagged: any other value is stored as `~1` (the format version) followed by JSON in which each
 *   value JSON cannot carry is an object `{"~": type, "v": payload}`:
 *
 * | type | payload | for |
 * |---|---|---|
 * | `Date` | ISO string, or `null` for an invalid date | `Date` |
 * | `Map` | array of `[key, value]` pairs | `Map` |
 * | `Set` | array of members | `Set` |
 * | `BigInt` | decimal string | `bigint` |
 * | `Buffer`, `Uint8Array` | base64 string | `Buffer` and other `Uint8Array`s |
 * | `RegExp` | `[source, flags]` | `RegExp` (its `lastIndex` is not kept) |
 * | `Number` | `'NaN'`, `'Infinity'`, `'-Infinity'` or `'-0'` | numbers JSON turns into `null` or `0` |
 * | `undefined` | none | `undefined` inside an array or object |
 * | `Object` | the object | a plain object that has a `~` key of its own |
 *
 * Functions, symbols (as values or keys), cycles, holes in arrays and instances of other
 * classes are refused with `CacheSerializationError` naming where they are; an object without
 * a prototype is read back as a plain object. A JSON text never
 * starts with `~`, so the two forms cannot be confused.
 */
import { CacheSerializationError } from './errors.js';
import type { Serializer } from './serializer.js';

const PLAIN = 0;
const TAGGED = 1;
/** The value needs {@link toTagged} to decide: it is refused, or nested too deep to tell (a cycle is). */
const CHECK = 2;
/** Deeper than this, {@link scan} leaves the value to {@link toTagged}, which tracks cycles. */
const SCAN_DEPTH = 64;
const TAGGED_PREFIX = '~1';
const TILDE = 0x7e;

/**
 * How a value can be stored: {@link PLAIN}, {@link TAGGED} or {@link CHECK}. A quick walk that
 * builds nothing, so that plain values (the common case) pay one walk on top of `JSON.stringify`.
 */
function scan(value: unknown, depth: number): number {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return PLAIN;
    case 'number':
      // Finite and not -0: x - x is 0 only for finite numbers, and 1 / -0 is -Infinity.
      return value - value === 0 && (value !== 0 || 1 / value > 0) ? PLAIN : TAGGED;
    case 'bigint':
    case 'undefined':
      return TAGGED;
    case 'object': {
      if (value === null) return PLAIN;
      if (depth > SCAN_DEPTH) return CHECK;
      let result = PLAIN;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) return CHECK;
          const item = value[i];
          const kind =
            typeof item === 'object' || typeof item === 'number' ? scan(item, depth + 1) : scanLeaf(item);
          if (kind > result) {
            if (kind === CHECK) return CHECK;
            result = kind;
          }
        }
        return result;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return TYPES.has(proto) ? TAGGED : CHECK;
      for (const key in value) {
        if (key === '~') result = TAGGED;
        const kind = scan((value as Record<string, unknown>)[key], depth + 1);
        if (kind > result) {
          if (kind === CHECK) return CHECK;
          result = kind;
        }
      }
      if (Object.getOwnPropertySymbols(value).length > 0) return CHECK;
      return result;
    }
    default:
      return CHECK;
  }
}

/** {@link scan} of a value that is neither an object nor a number. */
function scanLeaf(value: unknown): number {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return PLAIN;
    case 'bigint':
    case 'undefined':
      return TAGGED;
    default:
      return CHECK;
  }
}

/** The prototypes of the classes typed JSON carries. */
const TYPES = new Set<object>([
  Date.prototype,
  Map.prototype,
  Set.prototype,
  RegExp.prototype,
  Uint8Array.prototype,
  Buffer.prototype,
]);

/** A refusal on its way up: each frame adds its step to the path, so paths cost nothing until then. */
class Refusal extends Error {
  readonly steps: string[] = [];
}

const tag = (type: string, v?: unknown) => (v === undefined ? { '~': type } : { '~': type, v });

/**
 * Builds the JSON-ready form of a value: tagged objects for what JSON cannot carry. `ancestors`
 * holds the objects on the current path, for cycles. Throws a {@link Refusal}.
 */
function toTagged(value: unknown, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (value - value === 0 && (value !== 0 || 1 / value > 0)) return value;
      return tag('Number', Object.is(value, -0) ? '-0' : String(value));
    case 'bigint':
      return tag('BigInt', value.toString());
    case 'undefined':
      return tag('undefined');
    case 'object':
      if (value === null) return null;
      if (ancestors.has(value)) throw new Refusal('a cycle');
      ancestors.add(value);
      try {
        return objectToTagged(value, ancestors);
      } finally {
        ancestors.delete(value);
      }
    default:
      throw new Refusal(`a ${typeof value}`);
  }
}

function objectToTagged(value: object, ancestors: Set<object>): unknown {
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw withStep(new Refusal('a hole in an array'), `[${i}]`);
      out[i] = step(() => toTagged(value[i], ancestors), `[${i}]`);
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    if (Object.getOwnPropertySymbols(value).length > 0) throw new Refusal('a symbol key');
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const item = step(() => toTagged((value as Record<string, unknown>)[key], ancestors), `.${key}`);
      // `__proto__` must become an own property, as JSON.parse makes it, not the prototype.
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    }
    return '~' in out ? tag('Object', out) : out;
  }
  if (proto === Date.prototype) {
    const date = value as Date;
    return tag('Date', Number.isNaN(date.getTime()) ? null : date.toISOString());
  }
  if (proto === Map.prototype) {
    const pairs: unknown[] = [];
    let i = 0;
    for (const [k, v] of value as Map<unknown, unknown>) {
      pairs.push([
        step(() => toTagged(k, ancestors), `<key ${i}>`),
        step(() => toTagged(v, ancestors), `<value ${i}>`),
      ]);
      i++;
    }
    return tag('Map', pairs);
  }
  if (proto === Set.prototype) {
    const members: unknown[] = [];
    let i = 0;
    for (const member of value as Set<unknown>)
      members.push(step(() => toTagged(member, ancestors), `<member ${i++}>`));
    return tag('Set', members);
  }
  if (proto === RegExp.prototype) return tag('RegExp', [(value as RegExp).source, (value as RegExp).flags]);
  if (proto === Buffer.prototype || proto === Uint8Array.prototype) {
    const view = value as Uint8Array;
    const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    return tag(proto === Buffer.prototype ? 'Buffer' : 'Uint8Array', bytes.toString('base64'));
  }
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  throw new Refusal(`a ${typeof name === 'string' && name !== '' ? name : 'class instance'}`);
}

function step<T>(run: () => T, where: string): T {
  try {
    return run();
  } catch (error) {
    throw error instanceof Refusal ? withStep(error, where) : error;
  }
}

function withStep(refusal: Refusal, where: string): Refusal {
  refusal.steps.unshift(where);
  return refusal;
}

/** Turns the tagged objects of a parsed `~1` text back into values, in place where it can. */
function revive(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return node;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const item = node[i];
      if (typeof item === 'object' && item !== null) {
        const revived = revive(item);
        if (revived !== item) node[i] = revived;
      }
    }
    return node;
  }
  const record = node as Record<string, unknown>;
  if ('~' in record) return fromTag(record['~'], record.v);
  reviveProperties(record);
  return record;
}

function reviveProperties(record: Record<string, unknown>): void {
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (typeof item === 'object' && item !== null) {
      const revived = revive(item);
      if (revived === item) continue;
      if (key === '__proto__')
        Object.defineProperty(record, key, {
          value: revived,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else record[key] = revived;
    }
  }
}

const NUMBERS: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '-0': -0,
};

function fromTag(type: unknown, v: unknown): unknown {
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
          map.set(revive(pair[0]), revive(pair[1]));
        }
        return map;
      }
      break;
    case 'Set':
      if (Array.isArray(v)) return new Set(v.map(revive));
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
        reviveProperties(v as Record<string, unknown>);
        return v;
      }
      break;
  }
  throw new TypeError(`an unknown or malformed tag ${JSON.stringify(type)}`);
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Encodes a value as typed JSON text (see the file header).
 * @throws CacheSerializationError for what typed JSON cannot round-trip, naming where it is.
 */
export function stringifyTyped(value: unknown): string {
  const kind = scan(value, 0);
  if (kind === PLAIN) return JSON.stringify(value);
  try {
    const tagged = toTagged(value, new Set());
    // A value that was only too deep for the quick scan may still be plain (its form has no tag).
    const plain = kind === CHECK && scan(tagged, Number.NEGATIVE_INFINITY) === PLAIN;
    return plain ? JSON.stringify(tagged) : TAGGED_PREFIX + JSON.stringify(tagged);
  } catch (error) {
    if (error instanceof Refusal)
      throw new CacheSerializationError(
        `typed JSON cannot encode ${error.message} at $${error.steps.join('')}`,
      );
    // A RangeError from a value nested deeper than the stack allows.
    throw new CacheSerializationError('typed JSON cannot encode this value', { cause: error });
  }
}

/**
 * Decodes typed JSON text.
 * @throws CacheSerializationError for text that is not typed JSON of a known version.
 */
export function parseTyped(text: string): unknown {
  try {
    if (text.charCodeAt(0) !== TILDE) return JSON.parse(text);
    if (!text.startsWith(TAGGED_PREFIX))
      throw new TypeError(`an unknown typed JSON version ${JSON.stringify(text.slice(0, 4))}`);
    return revive(JSON.parse(text.slice(TAGGED_PREFIX.length)));
  } catch (cause) {
    throw new CacheSerializationError('stored bytes are not typed JSON', { cause });
  }
}

/**
 * The default serializer: typed JSON (see {@link stringifyTyped}) in UTF-8. Its id is `json`:
 * plain values are stored exactly as the earlier JSON serializer stored them, and what it
 * stored reads back unchanged.
 */
export const typedJsonSerializer: Serializer = {
  id: 'json',
  serialize(value: unknown): Uint8Array {
    return Buffer.from(stringifyTyped(value), 'utf8');
  },
  deserialize(bytes: Uint8Array): unknown {
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch (cause) {
      throw new CacheSerializationError('stored bytes are not UTF-8', { cause });
    }
    return parseTyped(text);
  },
};
