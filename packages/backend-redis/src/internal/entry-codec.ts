/**
 * The hot paths' encoding of entries. A write becomes one Buffer: the RESP frame of
 * `SET key <envelope> [PX ms]`, with the core's envelope header written in place and the
 * serialized value copied in once (ioredis would otherwise copy every argument again into a
 * frame of its own). A read of an untagged entry written with the cache's serializer skips the
 * general decoder's intermediate header object; anything else goes to the core's
 * `decodeEnvelope`. The layout is the core's (`ENVELOPE_LAYOUT`, whose offsets the fast read
 * uses), with the envelope's key always empty: the Redis key holds it.
 */
import { CacheSerializationError, jsonSerializer, type Serializer } from '@cache/core';
import {
  decodeEnvelope,
  ENVELOPE_LAYOUT,
  prepareEnvelope,
  type StoredEntry,
  writeEnvelope,
} from '@cache/core/backend';
import { Command } from 'ioredis';

const NO_ARGS: string[] = [];
/** The layout's fields that the fast read uses, as module constants. */
const {
  magic: MAGIC,
  version: VERSION,
  magicOffset: MAGIC_AT,
  versionOffset: VERSION_AT,
  idLengthOffset: ID_LENGTH_AT,
  idOffset: ID_AT,
  createdAtOffset: CREATED_AT,
  expiresAtOffset: EXPIRES_AT,
  staleUntilOffset: STALE_UNTIL_AT,
  tagCountOffset: TAG_COUNT_AT,
  fixedSize: FIXED_SIZE,
  lengthSize: LENGTH_SIZE,
} = ENVELOPE_LAYOUT;
const RAW_REPLY = { replyEncoding: null } as const;
/** The tags of every untagged entry read back (read-only, as `StoredEntry.tags` is). */
const NO_TAGS: readonly string[] = Object.freeze([]);
/** The first byte of typed JSON's tagged form (`~1...`), which only the serializer reads. */
const TILDE = 0x7e;
/** What a JSON text that did not parse on the fast path leaves in its place. */
const NOT_PARSED = Symbol('not parsed');

/**
 * A command whose RESP bytes were built by the cache; ioredis writes them as they are. It has
 * no arguments for ioredis to look at, so it is only for a single node (no slot to compute).
 * With `mapError`, whatever rejects the command (an error reply, a dropped connection, the
 * shared timeout) rejects it with `mapError(error)` instead, so callers need no layer of their own.
 */
export class FrameCommand extends Command {
  readonly #frame: Buffer | string;

  constructor(name: string, frame: Buffer | string, mapError?: (error: unknown) => Error) {
    super(name, NO_ARGS, RAW_REPLY);
    this.#frame = frame;
    if (mapError !== undefined) {
      const reject = this.reject;
      this.reject = (error) => reject(mapError(error));
    }
  }

  override toWritable(): Buffer | string {
    return this.#frame;
  }
}

/** The RESP frame of `GET prefix+key`, as a string (keys are text). */
export function getFrame(prefix: string, key: string): string {
  const redisKey = prefix + key;
  return `*2\r\n$3\r\nGET\r\n$${Buffer.byteLength(redisKey, 'utf8')}\r\n${redisKey}\r\n`;
}

/** The RESP frame of `MGET prefix+key...`, as a string. */
export function mgetFrame(prefix: string, keys: readonly string[]): string {
  let frame = `*${keys.length + 1}\r\n$4\r\nMGET\r\n`;
  for (let i = 0; i < keys.length; i++) {
    const redisKey = prefix + (keys[i] as string);
    frame += `$${Buffer.byteLength(redisKey, 'utf8')}\r\n${redisKey}\r\n`;
  }
  return frame;
}

/**
 * The RESP frame of `SET redisKey <envelope of entry> [PX px]`, the envelope written in place by
 * the core's `writeEnvelope`.
 * @throws CacheSerializationError when the serializer refuses the value.
 */
export function encodeSetFrame(
  redisKey: string,
  entry: StoredEntry,
  serializer: Serializer,
  px: number | undefined,
): Buffer {
  const envelope = prepareEnvelope(entry, serializer);
  const keyLength = Buffer.byteLength(redisKey, 'utf8');
  const head = `${px === undefined ? '*3' : '*5'}\r\n$3\r\nSET\r\n$${keyLength}\r\n${redisKey}\r\n$${envelope.size}\r\n`;
  const tail = px === undefined ? '\r\n' : `\r\n$2\r\nPX\r\n$${String(px).length}\r\n${px}\r\n`;
  const headLength = head.length - redisKey.length + keyLength;
  const frame = Buffer.allocUnsafe(headLength + envelope.size + tail.length);
  const at = writeEnvelope(frame, frame.write(head, 0, 'utf8'), envelope);
  frame.write(tail, at, 'latin1');
  return frame;
}

/**
 * Decodes stored bytes: inline for an untagged envelope of the cache's serializer, through the
 * core's `decodeEnvelope` otherwise.
 * @param id the serializer's id in UTF-8.
 * @throws CacheSerializationError for bytes that do not decode.
 */
export function decodeEntry<V>(bytes: Buffer, serializer: Serializer, id: Buffer): StoredEntry<V> {
  const idLength = id.length;
  const at = ID_AT + idLength;
  // Where the value starts when there are no tags and no key: after the tag count and the key length.
  const payloadAt = at + FIXED_SIZE + LENGTH_SIZE;
  if (
    bytes.length < payloadAt ||
    bytes[MAGIC_AT] !== MAGIC ||
    bytes[VERSION_AT] !== VERSION ||
    bytes[ID_LENGTH_AT] !== idLength ||
    // No tags, no key: both uint16 counts are zero.
    bytes[at + TAG_COUNT_AT] !== 0 ||
    bytes[at + TAG_COUNT_AT + 1] !== 0 ||
    bytes[at + FIXED_SIZE] !== 0 ||
    bytes[at + FIXED_SIZE + 1] !== 0
  ) {
    return decodeEnvelope<V>(bytes, serializer);
  }
  for (let i = 0; i < idLength; i++) {
    if (bytes[ID_AT + i] !== id[i]) return decodeEnvelope<V>(bytes, serializer);
  }
  const createdAt = bytes.readDoubleLE(at + CREATED_AT);
  if (!Number.isFinite(createdAt)) return decodeEnvelope<V>(bytes, serializer);
  const expiresAt = bytes.readDoubleLE(at + EXPIRES_AT);
  const staleUntil = bytes.readDoubleLE(at + STALE_UNTIL_AT);
  let value: unknown = NOT_PARSED;
  if (serializer === jsonSerializer) value = parseJson(bytes, payloadAt);
  if (value === NOT_PARSED) value = deserialize(serializer, bytes.subarray(payloadAt));
  return {
    value: value as V,
    createdAt,
    expiresAt: Number.isNaN(expiresAt) ? undefined : expiresAt,
    staleUntil: Number.isNaN(staleUntil) ? undefined : staleUntil,
    tags: NO_TAGS,
    size: bytes.length,
  };
}

/**
 * What `jsonSerializer.deserialize` (core's typed JSON) gives for the plain form from `start`, read
 * without a view of the bytes; {@link NOT_PARSED} when that is not certain (the tagged form, which
 * starts with `~`; a U+FFFD, which invalid UTF-8 decodes to; text that does not parse): the
 * serializer then decides, and refuses what it must.
 */
function parseJson(bytes: Buffer, start: number): unknown {
  if (bytes[start] === TILDE) return NOT_PARSED;
  // No encoding: straight to the UTF-8 slice, without the encoding lookup.
  const text = bytes.toString(undefined, start);
  if (text.indexOf('\uFFFD') !== -1) return NOT_PARSED;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_PARSED;
  }
}

function deserialize(serializer: Serializer, bytes: Uint8Array): unknown {
  try {
    return serializer.deserialize(bytes);
  } catch (cause) {
    if (cause instanceof CacheSerializationError) throw cause;
    throw new CacheSerializationError(`the ${serializer.id} serializer cannot decode the stored value`, {
      cause,
    });
  }
}
