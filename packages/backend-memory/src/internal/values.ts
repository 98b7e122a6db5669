/** Small helpers of `MemoryCache` that need none of its state. */
import { CacheSerializationError } from '@cache/core';

/** Copies a typed array into a larger one. */
export function resized<T extends Float64Array | Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Byte length of a value's JSON, or `undefined` when it has none. */
export function jsonSize(value: unknown): number | undefined {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? undefined : Buffer.byteLength(json);
  } catch {
    return undefined;
  }
}

/** The error for `undefined` as a value. */
export function undefinedValue(): CacheSerializationError {
  return new CacheSerializationError('undefined cannot be cached: it cannot be told from a miss');
}
