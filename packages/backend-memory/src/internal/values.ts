/** Small helpers of `MemoryCache` that need none of its state. */
import { CacheConfigError, CacheFullError, CacheSerializationError } from '@cache/core';

/** Whether a cache tracks sizes: with a byte limit, `sizeOf` or a serializer. */
export function tracksSizes(options: {
  maxBytes: number;
  maxEntryBytes: number;
  sizeOf: unknown;
  serializer: unknown;
}): boolean {
  return (
    options.maxBytes !== Number.POSITIVE_INFINITY ||
    options.maxEntryBytes !== Number.POSITIVE_INFINITY ||
    options.sizeOf !== undefined ||
    options.serializer !== undefined
  );
}

/** Copies a typed array into a larger one. */
export function resized<T extends Float64Array | Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * Copies the first `used` items of an array into a new one of `capacity` elements, allocated at
 * once (as lru-cache's lists): an array grown by writes keeps up to half its length spare.
 */
export function preallocated<T>(from: readonly T[], used: number, capacity: number): T[] {
  const to = new Array<T>(capacity);
  for (let i = 0; i < used; i++) to[i] = from[i]!;
  return to;
}

/** The error for stored bytes the serializer cannot decode. */
export function decodeError(error: unknown, key: string): CacheSerializationError {
  return error instanceof CacheSerializationError
    ? error
    : new CacheSerializationError('stored bytes cannot be decoded', { cause: error, key });
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

/**
 * The size of an entry: `sizeOf`'s, else the encoded bytes', else the value's JSON in UTF-8.
 * @throws CacheConfigError for a bad `sizeOf` result; CacheSerializationError for a value with
 *   no JSON size; CacheFullError for an entry over `maxEntryBytes`.
 */
export function entrySize<V>(
  sizeOf: ((value: V, key: string) => number) | undefined,
  maxEntryBytes: number,
  key: string,
  value: V,
  bytes: Uint8Array | undefined,
): number {
  let size: number;
  if (sizeOf !== undefined) {
    size = sizeOf(value, key);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new CacheConfigError(`sizeOf must return a non-negative integer, got ${String(size)}`, { key });
    }
  } else if (bytes !== undefined) size = bytes.byteLength;
  else {
    const json = jsonSize(value);
    if (json === undefined) {
      throw new CacheSerializationError('the value has no JSON size; give a sizeOf option', { key });
    }
    size = json;
  }
  if (size > maxEntryBytes) {
    throw new CacheFullError(`an entry of ${size} bytes is larger than the limit of ${maxEntryBytes}`, {
      key,
    });
  }
  return size;
}
