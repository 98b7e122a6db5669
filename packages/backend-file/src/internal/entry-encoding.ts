/**
 * How an entry becomes the bytes of its file: core's envelope, split as [envelope header,
 * payload] so that the two parts go out with one `writev`, and the size checks against
 * `maxBytes` and `maxEntryBytes` that come with it.
 *
 * Why it is its own module: the on-disk form of an entry is one concept (the reading side is
 * core's `decodeEnvelope`); `FileCache.set` and `add` call it once per write.
 */
import { CacheFullError, type Serializer } from '@cache/core';
import { prepareEnvelope, type StoredEntry, writeEnvelope } from '@cache/core/backend';

const EMPTY = new Uint8Array(0);

/** The size limits an encoded entry is checked against. */
export interface EntryLimits {
  readonly maxBytes: number | undefined;
  readonly maxEntryBytes: number;
}

/**
 * Encodes an entry as [envelope header, payload]: core's envelope ends with the payload, so
 * the header is written alone, saving a copy of the value (tens of µs for a large one).
 * @throws CacheFullError when the entry is larger than `maxBytes` or `maxEntryBytes`.
 */
export function encodeEntry<V>(
  key: string,
  entry: StoredEntry<V>,
  serializer: Serializer,
  limits: EntryLimits,
): readonly [Buffer, Uint8Array] {
  const prepared = prepareEnvelope(entry, serializer, key);
  const { payload, size } = prepared;
  const { maxBytes, maxEntryBytes } = limits;
  if (maxBytes !== undefined && size > maxBytes) {
    throw new CacheFullError(`an entry of ${size} bytes is larger than maxBytes (${maxBytes})`, { key });
  }
  if (size > maxEntryBytes) {
    throw new CacheFullError(`an entry of ${size} bytes is larger than maxEntryBytes (${maxEntryBytes})`, {
      key,
    });
  }
  const header = Buffer.allocUnsafe(size - payload.length);
  writeEnvelope(header, 0, { entry, id: prepared.id, key, payload: EMPTY, size: header.length });
  return [header, payload];
}
