/**
 * The binary envelope that persistent backends (file, Redis) store for each entry:
 *
 * | bytes | field |
 * |---|---|
 * | 1 | magic `0xCA` |
 * | 1 | format version (`1`) |
 * | 1 + n | serializer id length, then the id in UTF-8 |
 * | 8 | createdAt, float64 LE |
 * | 8 | expiresAt, float64 LE (`NaN` = never) |
 * | 8 | staleUntil, float64 LE (`NaN` = same as expiresAt) |
 * | 2 + ... | tag count (uint16 LE), then each tag as uint16 LE length + UTF-8 |
 * | 2 + n | key length (uint16 LE), then the key in UTF-8 (empty when the backend keeps it elsewhere) |
 * | rest | the serialized value |
 */
import type { StoredEntry } from './entry.js';
import { CacheSerializationError } from './errors.js';
import type { PlatformBuffer } from './platform.js';
import type { Serializer } from './serializer.js';

const MAGIC = 0xca;
const VERSION = 1;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** The metadata of an envelope, read without decoding the value. */
export interface EnvelopeHeader {
  serializerId: string;
  createdAt: number;
  expiresAt: number | undefined;
  staleUntil: number | undefined;
  tags: string[];
  /** The key stored in the envelope, or `''` when none was. */
  key: string;
  /** Where the serialized value starts. */
  payloadOffset: number;
}

/** An entry whose value is serialized and whose envelope size is known: see {@link writeEnvelope}. */
export interface PreparedEnvelope {
  readonly entry: StoredEntry;
  /** The serializer's id in UTF-8. */
  readonly id: Uint8Array;
  readonly key: string;
  readonly payload: Uint8Array;
  /** The envelope's length in bytes. */
  readonly size: number;
}

const idCache = new WeakMap<Serializer, Buffer>();

/**
 * Serializes an entry's value and measures its envelope, for a backend that writes the
 * envelope into a buffer of its own (a protocol frame). `key` is stored inside when given (the
 * file backend uses it to tell hash collisions apart).
 * @throws CacheSerializationError when the serializer refuses the value.
 */
export function prepareEnvelope(entry: StoredEntry, serializer: Serializer, key = ''): PreparedEnvelope {
  let payload: Uint8Array;
  try {
    payload = serializer.serialize(entry.value);
  } catch (cause) {
    if (cause instanceof CacheSerializationError) throw cause;
    throw new CacheSerializationError(`the ${serializer.id} serializer cannot encode this value`, {
      cause,
      key,
    });
  }
  let id = idCache.get(serializer);
  if (id === undefined) {
    // Buffer.from(string) is several times faster than TextEncoder.encode on Node 20.
    id = Buffer.from(serializer.id, 'utf8');
    if (id.length > 255) throw new CacheSerializationError('a serializer id must be at most 255 bytes');
    idCache.set(serializer, id);
  }
  let size = 3 + id.length + 24 + 2 + 2 + (key === '' ? 0 : Buffer.byteLength(key, 'utf8')) + payload.length;
  for (const tag of entry.tags) size += 2 + Buffer.byteLength(tag, 'utf8');
  return { entry, id, key, payload, size };
}

/** Writes a prepared envelope into `bytes` at `at`; returns the offset after it. */
export function writeEnvelope(bytes: Uint8Array, at: number, prepared: PreparedEnvelope): number {
  const target = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { entry, id, key, payload } = prepared;
  target[at++] = MAGIC;
  target[at++] = VERSION;
  target[at++] = id.length;
  target.set(id, at);
  at += id.length;
  at = target.writeDoubleLE(entry.createdAt, at);
  at = target.writeDoubleLE(entry.expiresAt ?? Number.NaN, at);
  at = target.writeDoubleLE(entry.staleUntil ?? Number.NaN, at);
  at = target.writeUInt16LE(entry.tags.length, at);
  for (const tag of entry.tags) {
    const length = target.write(tag, at + 2, 'utf8');
    target.writeUInt16LE(length, at);
    at += 2 + length;
  }
  const keyLength = key === '' ? 0 : target.write(key, at + 2, 'utf8');
  target.writeUInt16LE(keyLength, at);
  at += 2 + keyLength;
  target.set(payload, at);
  return at + payload.length;
}

/**
 * Encodes an entry with a serializer. `key` is stored inside when given (the file backend
 * uses it to tell hash collisions apart).
 * @throws CacheSerializationError when the serializer refuses the value.
 */
export function encodeEnvelope(entry: StoredEntry, serializer: Serializer, key = ''): PlatformBuffer {
  const prepared = prepareEnvelope(entry, serializer, key);
  const out = Buffer.allocUnsafe(prepared.size);
  writeEnvelope(out, 0, prepared);
  return out;
}

function truncated(): CacheSerializationError {
  return new CacheSerializationError('stored entry is truncated or not a cache envelope');
}

/**
 * Reads the metadata of an envelope.
 * @throws CacheSerializationError for bytes that are not a complete envelope.
 */
export function decodeEnvelopeHeader(bytes: Uint8Array): EnvelopeHeader {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 3 || buf[0] !== MAGIC)
    throw new CacheSerializationError('stored bytes are not a cache envelope');
  if (buf[1] !== VERSION) throw new CacheSerializationError(`unknown envelope version ${String(buf[1])}`);
  const idLength = buf[2] as number;
  let at = 3;
  const need = (n: number) => {
    if (at + n > buf.length) throw truncated();
  };
  try {
    need(idLength + 26);
    // Not fatal: an id with invalid UTF-8 matches no serializer and is refused by decodeEnvelope.
    const serializerId = buf.toString('utf8', at, at + idLength);
    at += idLength;
    const createdAt = buf.readDoubleLE(at);
    const expiresAt = buf.readDoubleLE(at + 8);
    const staleUntil = buf.readDoubleLE(at + 16);
    const tagCount = buf.readUInt16LE(at + 24);
    at += 26;
    const tags: string[] = [];
    for (let i = 0; i < tagCount; i++) {
      need(2);
      const length = buf.readUInt16LE(at);
      at += 2;
      need(length);
      tags.push(utf8Decoder.decode(buf.subarray(at, at + length)));
      at += length;
    }
    need(2);
    const keyLength = buf.readUInt16LE(at);
    at += 2;
    need(keyLength);
    const key = keyLength === 0 ? '' : utf8Decoder.decode(buf.subarray(at, at + keyLength));
    at += keyLength;
    if (!Number.isFinite(createdAt)) throw truncated();
    return {
      serializerId,
      createdAt,
      expiresAt: Number.isNaN(expiresAt) ? undefined : expiresAt,
      staleUntil: Number.isNaN(staleUntil) ? undefined : staleUntil,
      tags,
      key,
      payloadOffset: at,
    };
  } catch (cause) {
    if (cause instanceof CacheSerializationError) throw cause;
    throw new CacheSerializationError('stored entry is not a valid cache envelope', { cause });
  }
}

/**
 * Decodes an envelope. `serializers` is the reader's serializer, or several by id so that
 * entries written with another known serializer still decode.
 * @throws CacheSerializationError for corrupt, truncated or foreign bytes, or an unknown serializer id.
 */
export function decodeEnvelope<V = unknown>(
  bytes: Uint8Array,
  serializers: Serializer | ReadonlyMap<string, Serializer>,
): StoredEntry<V> & { key: string } {
  const header = decodeEnvelopeHeader(bytes);
  const serializer =
    'id' in serializers && typeof serializers.id === 'string'
      ? serializers.id === header.serializerId
        ? (serializers as Serializer)
        : undefined
      : (serializers as ReadonlyMap<string, Serializer>).get(header.serializerId);
  if (!serializer) {
    throw new CacheSerializationError(
      `entry was written with the ${JSON.stringify(header.serializerId)} serializer, which this cache does not use`,
    );
  }
  let value: unknown;
  try {
    value = serializer.deserialize(bytes.subarray(header.payloadOffset));
  } catch (cause) {
    if (cause instanceof CacheSerializationError) throw cause;
    throw new CacheSerializationError(`the ${serializer.id} serializer cannot decode the stored value`, {
      cause,
    });
  }
  return {
    key: header.key,
    value: value as V,
    createdAt: header.createdAt,
    expiresAt: header.expiresAt,
    staleUntil: header.staleUntil,
    tags: header.tags,
    size: bytes.length,
  };
}
