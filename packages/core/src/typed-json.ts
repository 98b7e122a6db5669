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
 * classes (including subclasses of `Array` and of the types above, and typed arrays other than
 * `Uint8Array`) are refused with `CacheSerializationError` naming where they are; an object
 * without a prototype is read back as a plain object. Shared references are written once per place (they
 * come back as copies). A JSON text never starts with `~`, so the two forms cannot be confused.
 *
 * Cost: a plain value is checked and written to UTF-8 bytes in one pass by
 * {@link PlainJsonWriter} (the bytes `JSON.stringify` would give, with no string in between); its
 * largest check is one `Object.getOwnPropertySymbols` call per object, the only way to see symbol
 * keys. Any other value (or a plain one the writer declines) takes the general path: one walk
 * (every check, and the tagged form where needed; it copies only the objects on the way to a tag)
 * then one `JSON.stringify`. Decoding reads ASCII bytes as Latin-1 (the same text, the cheaper
 * read) and other bytes with a fatal UTF-8 decoder; the plain form is then one `JSON.parse`, and
 * the tagged form is revived in place after it. Figures: docs/benchmarks/serializers.md.
 *
 * This file holds the format and the encoder (the walk that checks, tags or refuses);
 * typed-json-reviver.ts holds the decoder's side (bytes to text, and the reviver of tagged
 * objects), and typed-json-writer.ts the encoder's fast path for plain values.
 */
import { CacheSerializationError } from './errors.js';
import type { Serializer } from './serializer.js';
import { defineOwn, forInIsOwn, revive, utf8Text } from './typed-json-reviver.js';
import { PlainJsonWriter } from './typed-json-writer.js';

const TAGGED_PREFIX = '~1';
const TILDE = 0x7e;
/** From this depth on, the encoder tracks the objects on the current path (a cycle always gets there). */
const TRACK_DEPTH = 64;

/**
 * A refusal on its way up: each frame adds its step to the path (innermost first), so paths cost
 * nothing until then.
 */
class Refusal extends Error {
  readonly steps: string[] = [];
}

/** What one encoding carries down the walk. */
interface Walk {
  /** The depth from which objects on the path are tracked, for cycles. */
  readonly trackFrom: number;
  /** The tracked objects on the current path (made on first use: most values are never that deep). */
  ancestors: Set<object> | undefined;
  /** `for...in` sees only own keys (no enumerable property on `Object.prototype`). */
  readonly forIn: boolean;
}

const tag = (type: string, v: unknown) => ({ '~': type, v });
const UNDEFINED_TAG = Object.freeze({ '~': 'undefined' });

/**
 * The JSON-ready form of a value, in one walk: the value itself when JSON carries it as it is
 * (nothing is copied), otherwise a copy with tagged objects where JSON cannot carry a value; the
 * parts of that copy that need no tag are the original objects. Makes every check on the way.
 * Throws a {@link Refusal}.
 */
function walk(value: unknown, depth: number, w: Walk): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // Finite and not -0: x - x is 0 only for finite numbers, and 1 / -0 is -Infinity.
      if (value - value === 0 && (value !== 0 || 1 / value > 0)) return value;
      return tag('Number', value === 0 ? '-0' : String(value));
    case 'object':
      if (value === null) return null;
      if (depth < w.trackFrom) return walkObject(value, depth, w);
      return walkTracked(value, depth, w, (w.ancestors ??= new Set()));
    case 'bigint':
      return tag('BigInt', value.toString());
    case 'undefined':
      return UNDEFINED_TAG;
    default:
      throw new Refusal(`a ${typeof value}`);
  }
}

/** A string, a boolean or a number JSON carries as it is: the walk's fast path, without a call. */
function isPlainLeaf(value: unknown): boolean {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && value - value === 0 && (value !== 0 || 1 / value > 0))
  );
}

function walkTracked(value: object, depth: number, w: Walk, ancestors: Set<object>): unknown {
  if (ancestors.has(value)) throw new Refusal('a cycle');
  ancestors.add(value);
  try {
    return walkObject(value, depth, w);
  } finally {
    ancestors.delete(value);
  }
}

function walkObject(value: object, depth: number, w: Walk): unknown {
  const proto = Object.getPrototypeOf(value);
  // An instance of a subclass of Array is a class instance: refused below, as JSON would lose its class.
  if (Array.isArray(value) && proto === Array.prototype) return walkArray(value, depth, w);
  if (proto === Object.prototype || proto === null)
    return walkRecord(value as Record<string, unknown>, depth, w);
  return walkClass(value, proto, depth, w);
}

function walkArray(value: unknown[], depth: number, w: Walk): unknown {
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    // A hole reads as undefined: only then is `in` asked.
    if (item === undefined && !(i in value)) throw withStep(new Refusal('a hole in an array'), `[${i}]`);
    let form: unknown = item;
    if (!isPlainLeaf(item)) {
      try {
        form = walk(item, depth + 1, w);
      } catch (error) {
        throw withStep(error, `[${i}]`);
      }
    }
    if (out !== undefined) out[i] = form;
    else if (form !== item) {
      out = value.slice(0, i);
      out[i] = form;
    }
  }
  return out ?? value;
}

function walkRecord(value: Record<string, unknown>, depth: number, w: Walk): unknown {
  // JSON.stringify drops symbol keys without a word: refused, as they would not come back.
  if (Object.getOwnPropertySymbols(value).length > 0) throw new Refusal('a symbol key');
  let out: Record<string, unknown> | undefined;
  let tilde = false;
  if (w.forIn) {
    // for...in (V8's enum cache) is the fastest walk of string keys.
    for (const key in value) {
      const item = value[key];
      let form: unknown = item;
      if (!isPlainLeaf(item)) {
        try {
          form = walk(item, depth + 1, w);
        } catch (error) {
          throw withStep(error, `.${key}`);
        }
      }
      if (key === '~') tilde = true;
      if (out !== undefined) setOwn(out, key, form);
      else if (form !== item) out = copyUntil(value, key, form);
    }
  } else {
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const item = value[key];
      let form: unknown = item;
      if (!isPlainLeaf(item)) {
        try {
          form = walk(item, depth + 1, w);
        } catch (error) {
          throw withStep(error, `.${key}`);
        }
      }
      if (key === '~') tilde = true;
      if (out !== undefined) setOwn(out, key, form);
      else if (form !== item) out = copyUntil(value, key, form);
    }
  }
  return tilde ? tag('Object', out ?? value) : (out ?? value);
}

/** A copy of `value`'s own properties before `key`, then `key` set to `form`. */
function copyUntil(value: Record<string, unknown>, key: string, form: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    if (k === key) break;
    setOwn(out, k, value[k]);
  }
  setOwn(out, key, form);
  return out;
}

/** Sets an own property; `__proto__` too becomes an own property, as JSON.parse makes it. */
function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') defineOwn(record, key, value);
  else record[key] = value;
}

function walkClass(value: object, proto: object, depth: number, w: Walk): unknown {
  if (proto === Date.prototype) {
    const time = (value as Date).getTime();
    return tag('Date', Number.isNaN(time) ? null : (value as Date).toISOString());
  }
  if (proto === Map.prototype) {
    const pairs: unknown[] = [];
    let i = 0;
    for (const [k, v] of value as Map<unknown, unknown>) {
      let key: unknown;
      try {
        key = walk(k, depth + 1, w);
      } catch (error) {
        throw withStep(error, `<key ${i}>`);
      }
      try {
        pairs.push([key, walk(v, depth + 1, w)]);
      } catch (error) {
        throw withStep(error, `<value ${i}>`);
      }
      i++;
    }
    return tag('Map', pairs);
  }
  if (proto === Set.prototype) {
    const members: unknown[] = [];
    let i = 0;
    for (const member of value as Set<unknown>) {
      try {
        members.push(walk(member, depth + 1, w));
      } catch (error) {
        throw withStep(error, `<member ${i}>`);
      }
      i++;
    }
    return tag('Set', members);
  }
  if (proto === RegExp.prototype) return tag('RegExp', [(value as RegExp).source, (value as RegExp).flags]);
  if (proto === Buffer.prototype) return tag('Buffer', (value as Buffer).toString('base64'));
  if (proto === Uint8Array.prototype) {
    const view = value as Uint8Array;
    return tag('Uint8Array', Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64'));
  }
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  throw new Refusal(`a ${typeof name === 'string' && name !== '' ? name : 'class instance'}`);
}

/** Adds a step to the path of a {@link Refusal} on its way up; anything else passes unchanged. */
function withStep(error: unknown, where: string): unknown {
  if (error instanceof Refusal) error.steps.push(where);
  return error;
}

const writer = new PlainJsonWriter();

/**
 * Encodes a value as typed JSON text (see the file header): plain JSON when the value needs no tag,
 * otherwise `~1` + JSON with tagged objects.
 * @throws CacheSerializationError for what typed JSON cannot round-trip, naming where it is.
 */
export function stringifyTyped(value: unknown): string {
  const forIn = forInIsOwn();
  let form: unknown;
  try {
    form = walk(value, 0, { trackFrom: TRACK_DEPTH, ancestors: undefined, forIn });
  } catch (error) {
    throw refused(value, error, forIn);
  }
  return form === value ? JSON.stringify(value) : TAGGED_PREFIX + JSON.stringify(form);
}

/** The error for a value the walk refused; a cycle is walked again, tracked from the top, for its shortest path. */
function refused(value: unknown, error: unknown, forIn: boolean): CacheSerializationError {
  if (error instanceof Refusal && error.message === 'a cycle') {
    try {
      walk(value, 0, { trackFrom: 0, ancestors: undefined, forIn });
    } catch (again) {
      error = again;
    }
  }
  if (error instanceof Refusal)
    return new CacheSerializationError(
      `typed JSON cannot encode ${error.message} at $${error.steps.reverse().join('')}`,
    );
  // A RangeError from a value nested deeper than the stack allows.
  return new CacheSerializationError('typed JSON cannot encode this value', { cause: error });
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
    return revive(JSON.parse(text.slice(TAGGED_PREFIX.length)), forInIsOwn());
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
    // Plain values: checked and written to bytes in one pass; anything else takes the walk.
    return writer.encode(value, forInIsOwn()) ?? Buffer.from(stringifyTyped(value), 'utf8');
  },
  deserialize(bytes: Uint8Array): unknown {
    return parseTyped(utf8Text(bytes));
  },
};

/** The same serializer as {@link jsonSerializer}, by the name of its format. */
export const typedJson: Serializer = jsonSerializer;
