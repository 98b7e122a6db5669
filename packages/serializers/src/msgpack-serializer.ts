/**
 * The msgpack serializer (msgpackr, record mode without shared structures).
 *
 * Stored format: one header byte, then MessagePack as msgpackr writes it.
 * - `0x00`: the value itself.
 * - `0x01`: `[escapedValue, fixups]` for the rare values msgpackr would change (see
 *   `internal/escape.ts`).
 * Each message carries the record structures it uses, so any process can decode it with no
 * shared state (docs/benchmarks/serializers.md has the figures behind that choice).
 *
 * Writing takes one of two paths that give the same bytes: plain data goes through
 * `internal/encode.ts`, which checks and writes in one pass; anything it declines goes through
 * the checked slow path (`internal/inspect.ts`, then msgpackr itself, or the escaped form).
 * Reading is alike: `internal/decode.ts` reads what the one-pass encoder writes (keeping each
 * record shape's compiled reader across messages), and hands anything else to msgpackr.
 */
import { CacheSerializationError, type Serializer } from '@cache/core';
import { Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr';
import { DECLINED, decodePlain } from './internal/decode.js';
import { PlainEncoder } from './internal/encode.js';
import { applyFixups, escapeValue, type Fixup } from './internal/escape.js';
import { Inspector } from './internal/inspect.js';
import { PACKR_OPTIONS } from './internal/packr-options.js';

const PLAIN = 0x00;
const ESCAPED = 0x01;

/** Options of {@link createMsgpackSerializer}. */
export interface MsgpackSerializerOptions {
  /**
   * Copy decoded `Buffer` values out of the stored bytes. With `false`, a decoded `Buffer` is a
   * view into the bytes given to `deserialize` (faster for large binary values, but it changes
   * if the caller reuses those bytes).
   * @default true
   */
  copyBuffers?: boolean | undefined;
}

function toBytes(packed: Uint8Array): Uint8Array {
  // msgpackr returns a view into its own (8 KiB or larger) write buffer; a small entry would keep
  // the whole of it alive, so copy those out.
  return packed.byteLength * 2 < packed.buffer.byteLength ? Uint8Array.prototype.slice.call(packed) : packed;
}

/**
 * Creates a MessagePack serializer (id `msgpack`). It round-trips everything JSON does plus
 * `undefined` (also inside objects and arrays), `-0`, `NaN`, `±Infinity`, `bigint` of any size,
 * `Date`, `RegExp`, `Map`, `Set`, `Buffer`, `Uint8Array` and the other typed arrays,
 * `ArrayBuffer`, `DataView`, null-prototype objects and own `__proto__` keys (decoded as own
 * properties, never as a prototype). It refuses with CacheSerializationError what it cannot give
 * back unchanged: functions, symbols, symbol keys, class instances (including subclasses of the
 * types above, `Error` and boxed primitives), cycles, sparse arrays and strings with lone
 * surrogates. Objects shared at several places are written (and decoded) once per place.
 * Extra properties on arrays, Maps and other built-ins are not stored.
 */
export function createMsgpackSerializer(options: MsgpackSerializerOptions = {}): Serializer {
  const packr = new Packr(PACKR_OPTIONS);
  const copyBuffers = options.copyBuffers ?? true;
  const unpackr = new Unpackr({ ...PACKR_OPTIONS, copyBuffers });
  const encoder = new PlainEncoder();
  const inspector = new Inspector();

  function pack(value: unknown, header: number): Uint8Array {
    let packed: Uint8Array;
    try {
      packed = packr.pack(value, RESERVE_START_SPACE | 1);
    } catch (cause) {
      if (cause instanceof CacheSerializationError) throw cause;
      throw new CacheSerializationError('msgpack cannot encode this value', { cause });
    }
    packed[0] = header;
    return toBytes(packed);
  }

  return {
    id: 'msgpack',
    serialize(value: unknown): Uint8Array {
      // Plain data: one pass that checks and writes msgpackr's bytes. Anything else: the checked
      // slow path below, which refuses, escapes or hands the value to msgpackr.
      const fast = encoder.encode(value, PLAIN);
      if (fast !== undefined) return fast;
      if (!inspector.inspect(value)) return pack(value, PLAIN);
      const fixups: Fixup[] = [];
      const escaped = escapeValue(value, [], fixups);
      return pack([escaped, fixups], ESCAPED);
    },
    deserialize(bytes: Uint8Array): unknown {
      const header = bytes[0];
      if (header !== PLAIN && header !== ESCAPED) {
        throw new CacheSerializationError('stored bytes are not a msgpack value of this serializer');
      }
      let decoded = decodePlain(bytes, 1, copyBuffers);
      if (decoded === DECLINED) {
        try {
          decoded = unpackr.unpack(bytes.subarray(1));
        } catch (cause) {
          throw new CacheSerializationError('stored msgpack bytes cannot be decoded', { cause });
        }
      }
      if (header === PLAIN) return decoded;
      if (!Array.isArray(decoded) || decoded.length !== 2) {
        throw new CacheSerializationError('stored msgpack value has an invalid escaped form');
      }
      return applyFixups(decoded[0], decoded[1]);
    },
  };
}

/** The ready MessagePack serializer (id `msgpack`); see {@link createMsgpackSerializer}. */
export const msgpack: Serializer = createMsgpackSerializer();
