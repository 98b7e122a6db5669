/** Turns values into bytes and back. Persistent backends store the `id` beside the bytes. */
export interface Serializer {
  /** A short stable name stored with each entry (`'json'`, `'msgpack'`, ...), at most 255 bytes. */
  readonly id: string;
  /** @throws CacheSerializationError for a value it cannot round-trip. */
  serialize(value: unknown): Uint8Array;
  /** @throws CacheSerializationError for bytes it cannot decode. */
  deserialize(bytes: Uint8Array): unknown;
}

// The default serializer is core's typed JSON (id `json`), defined in typed-json.ts.
export { jsonSerializer, parseTyped, stringifyTyped, typedJson } from './typed-json.js';
