/**
 * Typed JSON: the default serializer of every backend that stores bytes (`jsonSerializer`, id
 * `json`).
 *
 * The stored text is readable JSON in one of two forms:
 * - plain: a value made only of strings, finite numbers (not `-0`), booleans, `null`, arrays
 *   and plain objects is stored as `JSON.stringify` writes it, so it is read back with one
 *   `JSON.parse` and is exactly what the earlier (checked, plain) JSON serializer stored under
 *   the same id: entries written before typed JSON read back unchanged;
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
 * classes (including subclasses of the types above, and typed arrays other than `Uint8Array`)
 * are refused with `CacheSerializationError` naming where they are; an object without a
 * prototype is read back as a plain object. Shared references are written once per place (they
 * come back as copies). A JSON text never starts with `~`, so the two forms cannot be confused.
 *
 * Cost: a plain value pays one walk that builds nothing (the checks, dominated by one
 * `Object.getOwnPropertySymbols` call per object) on top of `JSON.stringify`, and nothing on
 * top of `JSON.parse`; a tagged value is copied once into its JSON form and revived in place.
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
  if (typeof value !== 'object') return scanLeaf(value);
  if (value === null) return PLAIN;
  if (depth > SCAN_DEPTH) return CHECK;
  let result = PLAIN;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      let kind: number;
      if (typeof item === 'object') kind = scan(item, depth + 1);
      // A hole reads as undefined: only then is `in` asked.
      else if (item === undefined) kind = i in value ? TAGGED : CHECK;
      else kind = scanLeaf(item);
      if (kind > result) {
        if (kind === CHECK) return CHECK;
        result = kind;
      }
    }
    return result;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return TYPES.has(proto) ? TAGGED : CHECK;
  // for-in (V8's enum cache) is the fastest walk of string keys; symbol keys are asked apart.
  for (const key in value) {
    if (key === '~') result = TAGGED;
    const item = (value as Record<string, unknown>)[key];
    const kind = typeof item === 'object' ? scan(item, depth + 1) : scanLeaf(item);
    if (kind > result) {
      if (kind === CHECK) return CHECK;
      result = kind;
    }
  }
  if (Object.getOwnPropertySymbols(value).length > 0) return CHECK;
  return result;
}

/** {@link scan} of a value that is not an object (nor `null`). */
function scanLeaf(value: unknown): number {
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

/**
 * A refusal on its way up: each frame adds its step to the path (innermost first), so paths cost
 * nothing until then.
 */
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
      try {
        out[i] = toTagged(value[i], ancestors);
      } catch (error) {
        throw withStep(error, `[${i}]`);
      }
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    if (Object.getOwnPropertySymbols(value).length > 0) throw new Refusal('a symbol key');
    const out: Record<string, unknown> = {};
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      let item: unknown;
      try {
        item = toTagged((value as Record<string, unknown>)[key], ancestors);
      } catch (error) {
        throw withStep(error, `.${key}`);
      }
      // `__proto__` must become an own property, as JSON.parse makes it, not the prototype.
      if (key === '__proto__') defineOwn(out, key, item);
      else out[key] = item;
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
      let pair: unknown[];
      try {
        pair = [toTagged(k, ancestors)];
      } catch (error) {
        throw withStep(error, `<key ${i}>`);
      }
      try {
        pair.push(toTagged(v, ancestors));
      } catch (error) {
        throw withStep(error, `<value ${i}>`);
      }
      pairs.push(pair);
      i++;
    }
    return tag('Map', pairs);
  }
  if (proto === Set.prototype) {
    const members: unknown[] = [];
    let i = 0;
    for (const member of value as Set<unknown>) {
      try {
        members.push(toTagged(member, ancestors));
      } catch (error) {
        throw withStep(error, `<member ${i}>`);
      }
      i++;
    }
    return tag('Set', members);
  }
  if (proto === RegExp.prototype) return tag('RegExp', [(value as RegExp).source, (value as RegExp).flags]);
  if (proto === Buffer.prototype || proto === Uint8Array.prototype) {
    const view = value as Uint8Array;
    const bytes = Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    return tag(proto === Buffer.prototype ? 'Buffer' : 'Uint8Array', bytes.toString('base64'));
  }
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  throw new Refusal(`a ${typeof name === 'string' && name !== '' ? name : 'class instance'}`);
}

function defineOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Adds a step to the path of a {@link Refusal} on its way up; anything else passes unchanged. */
function withStep(error: unknown, where: string): unknown {
  if (error instanceof Refusal) error.steps.push(where);
  return error;
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
      if (key === '__proto__') defineOwn(record, key, revived);
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
        `typed JSON cannot encode ${error.message} at $${error.steps.reverse().join('')}`,
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
 * The default serializer of every backend that stores bytes: typed JSON (see
 * {@link stringifyTyped}) in UTF-8, under the id `json`. Plain values are stored exactly as the
 * earlier (plain, checked) JSON serializer stored them under that id, so its entries read back
 * unchanged; anything else is the tagged form, `~1` + JSON.
 *
 * @example
 * ```ts
 * const bytes = jsonSerializer.serialize({ at: new Date(0), ids: new Set([1n]) });
 * // bytes hold '~1{"at":{"~":"Date","v":"1970-01-01T00:00:00.000Z"},"ids":{"~":"Set","v":[{"~":"BigInt","v":"1"}]}}'
 * jsonSerializer.deserialize(bytes); // { at: Date(0), ids: Set { 1n } }
 * ```
 * serialize throws `CacheSerializationError` for a function, a symbol, a cycle, a hole or a class
 * instance (naming where it is); deserialize throws it for bytes that are not UTF-8 typed JSON.
 */
export const jsonSerializer: Serializer = {
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

/** The same serializer as {@link jsonSerializer}, by the name of its format. */
export const typedJson: Serializer = jsonSerializer;
