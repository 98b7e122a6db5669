import { CacheSerializationError } from './errors.js';

/** Turns values into bytes and back. Persistent backends store the `id` beside the bytes. */
export interface Serializer {
  /** A short stable name stored with each entry (`'json'`, `'msgpack'`, ...), at most 255 bytes. */
  readonly id: string;
  /** @throws CacheSerializationError for a value it cannot round-trip. */
  serialize(value: unknown): Uint8Array;
  /** @throws CacheSerializationError for bytes it cannot decode. */
  deserialize(bytes: Uint8Array): unknown;
}

/**
 * Walks a value and refuses anything that JSON would not give back unchanged: `undefined`
 * (also inside objects), functions, symbols, `bigint`, `NaN`, `Infinity`, `-0`, holes in arrays,
 * `Date`, `Map`, `Set`, class instances, typed arrays and cycles.
 */
function assertJsonSafe(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value) || Object.is(value, -0)) {
        throw new CacheSerializationError(`json cannot round-trip the number ${String(value)} at ${path}`);
      }
      return;
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) throw new CacheSerializationError(`json cannot encode the cycle at ${path}`);
      seen.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value))
            throw new CacheSerializationError(`json cannot round-trip the hole at ${path}[${i}]`);
          assertJsonSafe(value[i], `${path}[${i}]`, seen);
        }
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          const name = (value as object).constructor?.name ?? 'object';
          throw new CacheSerializationError(
            `json cannot round-trip a ${name} at ${path}; use the msgpack or v8 serializer`,
          );
        }
        if (Object.getOwnPropertySymbols(value).length > 0) {
          throw new CacheSerializationError(`json cannot encode symbol keys at ${path}`);
        }
        for (const [k, v] of Object.entries(value)) assertJsonSafe(v, `${path}.${k}`, seen);
      }
      seen.delete(value);
      return;
    }
    default:
      throw new CacheSerializationError(`json cannot encode a ${typeof value} at ${path}`);
  }
}

/** Nesting deeper than this (or a cycle) is left to {@link assertJsonSafe}. */
const FAST_DEPTH = 64;

/**
 * The checks of {@link assertJsonSafe} without building paths or tracking cycles: `true` when the
 * value is safe; `false` when it is not, or is nested too deep to tell (a cycle is), in which case
 * `assertJsonSafe` decides and names the problem.
 */
function isJsonSafe(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth > FAST_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++)
          if (!(i in value) || !isJsonSafe(value[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      if (Object.getOwnPropertySymbols(value).length > 0) return false;
      const keys = Object.keys(value);
      for (let i = 0; i < keys.length; i++) {
        if (!isJsonSafe((value as Record<string, unknown>)[keys[i] as string], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The default serializer: JSON, refusing values it cannot round-trip with `CacheSerializationError`. */
export const jsonSerializer: Serializer = {
  id: 'json',
  serialize(value: unknown): Uint8Array {
    if (!isJsonSafe(value, 0)) assertJsonSafe(value, '$', new Set());
    return Buffer.from(JSON.stringify(value), 'utf8');
  },
  deserialize(bytes: Uint8Array): unknown {
    try {
      return JSON.parse(decoder.decode(bytes));
    } catch (cause) {
      throw new CacheSerializationError('stored bytes are not valid json', { cause });
    }
  },
};
