/**
 * The v8 serializer: Node's structured clone format (`node:v8` serialize / deserialize).
 * Stored format: exactly the bytes `v8.serialize` writes (they start with the format version).
 */
import { deserialize, serialize } from 'node:v8';
import { CacheSerializationError, type Serializer } from '@cache/core';

/**
 * The structured clone serializer (id `v8`). It keeps what `structuredClone` keeps: cycles and
 * shared references, `-0`, `undefined`, `bigint`, sparse arrays, `Date`, `RegExp`, `Map`, `Set`,
 * `Error`, typed arrays and `Buffer`, own `__proto__` keys. Like `structuredClone`, class
 * instances come back as plain objects and symbol keys are dropped. Functions, symbols,
 * `WeakMap`, `Promise` and other values it cannot clone are refused with CacheSerializationError.
 * Bytes written by a newer Node.js may not be readable by an older one.
 */
export const v8: Serializer = {
  id: 'v8',
  serialize(value: unknown): Uint8Array {
    try {
      return serialize(value);
    } catch (cause) {
      throw new CacheSerializationError('v8 cannot clone this value', { cause });
    }
  },
  deserialize(bytes: Uint8Array): unknown {
    try {
      return deserialize(bytes);
    } catch (cause) {
      throw new CacheSerializationError('stored bytes are not a v8 structured clone', { cause });
    }
  },
};
