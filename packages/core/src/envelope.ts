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
 *
 * {@link ENVELOPE_LAYOUT} holds these offsets and sizes: the encoder and decoders here, the Redis
 * backend's fast decoder and its Lua scripts all read them from there, so the layout is written once.
 */
import type { StoredEntry } from './entry.js';
import { CacheSerializationError } from './errors.js';
import type { PlatformBuffer } from './platform.js';
import type { Serializer } from './serializer.js';

/**
 * The envelope's layout: its leading byte values and the offset and size of every fixed field.
 * Offsets up to the serializer id count from the envelope's start; the fields after the id
 * (`createdAtOffset` to `tagCountOffset`) count from the end of the id, at `idOffset` + the id's
 * length. Changing a value here changes the stored format: existing entries stop decoding.
 */
export const ENVELOPE_LAYOUT = {
  /** The first byte of every envelope. */
  magic: 0xca,
  /** The format version, which a reader must know. */
  version: 1,
  /** Where the magic byte is. */
  magicOffset: 0,
  /** Where the format version byte is. */
  versionOffset: 1,
  /** Where the serializer id's length (one byte) is. */
  idLengthOffset: 2,
  /** Where the serializer id (UTF-8) starts. */
  idOffset: 3,
  /** The longest serializer id in UTF-8 bytes (its length is one byte). */
  maxIdBytes: 255,
  /** createdAt (float64 LE), from the end of the id. */
  createdAtOffset: 0,
  /** expiresAt (float64 LE, `NaN` = never), from the end of the id. */
  expiresAtOffset: 8,
  /** staleUntil (float64 LE, `NaN` = same as expiresAt), from the end of the id. */
  staleUntilOffset: 16,
  /** The tag count (uint16 LE), from the end of the id. */
  tagCountOffset: 24,
  /** The size of a time field (float64 LE). */
  timeSize: 8,
  /** The size of the tag count and of each length prefix (tags, key): uint16 LE. */
  lengthSize: 2,
  /** The bytes from the end of the id to the first tag: the three times and the tag count. */
  fixedSize: 26,
} as const;

const L = ENVELOPE_LAYOUT;
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
 * A value encoded by `serializer`; what it throws becomes a `CacheSerializationError` naming
 * the serializer and the key (one it throws itself is kept).
 */
export function serializeValue(serializer: Serializer, value: unknown, key: string): Uint8Array {
  try {
    return serializer.serialize(value);
  } catch (cause) {
    if (cause instanceof CacheSerializationError) throw cause;
    throw new CacheSerializationError(`the ${serializer.id} serializer cannot encode this value`, {
      cause,
      key,
    });
  }
}

/**
 * Serializes an entry's value and measures its envelope, for a backend that writes the
 * envelope into a buffer of its own (a protocol frame). `key` is stored inside when given (the
 * file backend uses it to tell hash collisions apart).
 * @throws CacheSerializationError when the serializer refuses the value.
 */
export function prepareEnvelope(entry: StoredEntry, serializer: Serializer, key = ''): PreparedEnvelope {
  const payload = serializeValue(serializer, entry.value, key);
  let id = idCache.get(serializer);
  if (id === undefined) {
    id = Buffer.from(serializer.id, 'utf8');
    if (id.length > L.maxIdBytes) {
      throw new CacheSerializationError(`a serializer id must be at most ${L.maxIdBytes} bytes`);
    }
    idCache.set(serializer, id);
  }
  const keyBytes = key === '' ? 0 : Buffer.byteLength(key, 'utf8');
  let size = L.idOffset + id.length + L.fixedSize + L.lengthSize + keyBytes + payload.length;
  for (const tag of entry.tags) size += L.lengthSize + Buffer.byteLength(tag, 'utf8');
  return { entry, id, key, payload, size };
}

/** Writes a prepared envelope into `bytes` at `at`; returns the offset after it. */
export function writeEnvelope(bytes: Uint8Array, at: number, prepared: PreparedEnvelope): number {
  const target = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { entry, id, key, payload } = prepared;
  target[at + L.magicOffset] = L.magic;
  target[at + L.versionOffset] = L.version;
  target[at + L.idLengthOffset] = id.length;
  target.set(id, at + L.idOffset);
  at += L.idOffset + id.length;
  target.writeDoubleLE(entry.createdAt, at + L.createdAtOffset);
  target.writeDoubleLE(entry.expiresAt ?? Number.NaN, at + L.expiresAtOffset);
  target.writeDoubleLE(entry.staleUntil ?? Number.NaN, at + L.staleUntilOffset);
  target.writeUInt16LE(entry.tags.length, at + L.tagCountOffset);
  at += L.fixedSize;
  for (const tag of entry.tags) {
    const length = target.write(tag, at + L.lengthSize, 'utf8');
    target.writeUInt16LE(length, at);
    at += L.lengthSize + length;
  }
  const keyLength = key === '' ? 0 : target.write(key, at + L.lengthSize, 'utf8');
  target.writeUInt16LE(keyLength, at);
  at += L.lengthSize + keyLength;
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
  if (buf.length < L.idOffset || buf[L.magicOffset] !== L.magic)
    throw new CacheSerializationError('stored bytes are not a cache envelope');
  const version = buf[L.versionOffset];
  if (version !== L.version) throw new CacheSerializationError(`unknown envelope version ${String(version)}`);
  const idLength = buf[L.idLengthOffset] as number;
  let at = L.idOffset;
  const need = (n: number) => {
    if (at + n > buf.length) throw truncated();
  };
  try {
    need(idLength + L.fixedSize);
    // Not fatal: an id with invalid UTF-8 matches no serializer and is refused by decodeEnvelope.
    const serializerId = buf.toString('utf8', at, at + idLength);
    at += idLength;
    const createdAt = buf.readDoubleLE(at + L.createdAtOffset);
    const expiresAt = buf.readDoubleLE(at + L.expiresAtOffset);
    const staleUntil = buf.readDoubleLE(at + L.staleUntilOffset);
    const tagCount = buf.readUInt16LE(at + L.tagCountOffset);
    at += L.fixedSize;
    const tags: string[] = [];
    for (let i = 0; i < tagCount; i++) {
      need(L.lengthSize);
      const length = buf.readUInt16LE(at);
      at += L.lengthSize;
      need(length);
      tags.push(utf8Decoder.decode(buf.subarray(at, at + length)));
      at += length;
    }
    need(L.lengthSize);
    const keyLength = buf.readUInt16LE(at);
    at += L.lengthSize;
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
