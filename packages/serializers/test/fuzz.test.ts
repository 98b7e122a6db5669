import { CacheSerializationError, type Serializer } from '@cache/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressed, createMsgpackSerializer, msgpack, v8 } from '../src/index.js';

/**
 * Values that take the escaped form and its fix-ups: -0, NaN, undefined, bigint, objects with a
 * null prototype or an own `__proto__` / `constructor` key, nested in Maps, Sets, arrays and
 * objects (as keys too).
 */
const tricky = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constantFrom(-0, 0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, undefined, null),
    fc.bigInt(),
    fc.integer(),
    fc.double(),
    fc.string({ maxLength: 6 }),
    fc.boolean(),
  ),
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('container')),
  container: fc.oneof(
    fc.array(tie('value'), { maxLength: 5 }),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 5 }).map((entries) => new Map(entries)),
    fc.array(tie('value'), { maxLength: 5 }).map((members) => new Set(members)),
    fc
      .array(fc.tuple(fc.constantFrom('a', 'b', '__proto__', 'constructor', '0', ''), tie('value')), {
        maxLength: 4,
      })
      .chain((entries) =>
        fc.constantFrom('plain', 'null prototype').map((kind) => {
          const out: Record<string, unknown> =
            kind === 'plain' ? {} : (Object.create(null) as Record<string, unknown>);
          for (const [key, v] of entries)
            Object.defineProperty(out, key, {
              value: v,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          return out;
        }),
      ),
  ),
})).value;

/**
 * Deep equality that tells -0 from 0, checks prototypes, key and entry order, and treats an own
 * `constructor` key as data (vitest's strict equality compares `constructor` properties).
 */
function same(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Map || a instanceof Set) {
    const left = [...(a as Map<unknown, unknown>).entries()];
    const right = [...(b as Map<unknown, unknown>).entries()];
    return (
      left.length === right.length &&
      left.every(([k, v], i) => same(k, right[i]?.[0]) && same(v, right[i]?.[1]))
    );
  }
  const keys = Reflect.ownKeys(a);
  const other = Reflect.ownKeys(b);
  return (
    keys.length === other.length &&
    keys.every(
      (key, i) =>
        key === other[i] &&
        same((a as Record<PropertyKey, unknown>)[key], (b as Record<PropertyKey, unknown>)[key]),
    )
  );
}

/** A change to stored bytes: cut, flip, overwrite, insert or delete a byte. */
const corruption = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
);
type Corruption = typeof corruption extends fc.Arbitrary<infer C> ? C : never;

function corrupt(bytes: Uint8Array, changes: readonly Corruption[]): Uint8Array {
  let out = Buffer.from(bytes);
  for (const change of changes) {
    if (out.length === 0) break;
    const at = change.at % out.length;
    if (change.kind === 'truncate') out = out.subarray(0, at);
    else if (change.kind === 'flip') out[at] = (out[at] as number) ^ (1 << change.bit);
    else if (change.kind === 'set') out[at] = change.byte;
    else if (change.kind === 'insert')
      out = Buffer.concat([out.subarray(0, at), Buffer.from([change.byte]), out.subarray(at)]);
    else out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
  }
  return out;
}

/** Decodes `bytes`: a value, or a CacheSerializationError; any other error fails the test. */
function decodeOrRefuse(serializer: Serializer, bytes: Uint8Array): void {
  try {
    serializer.deserialize(bytes);
  } catch (error) {
    if (!(error instanceof CacheSerializationError)) throw error;
    expect(error.code).toBe('CACHE_SERIALIZATION');
  }
  // Nothing decoded may reach a prototype.
  expect(({} as Record<string, unknown>).a).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
}

const SERIALIZERS: [string, Serializer][] = [
  ['msgpack', msgpack],
  ['msgpack without copyBuffers', createMsgpackSerializer({ copyBuffers: false })],
  ['compressed(msgpack) gzip', compressed(msgpack, { threshold: 16 })],
  ['compressed(msgpack) brotli', compressed(msgpack, { threshold: 16, algorithm: 'brotli' })],
  ['v8', v8],
];

describe('decoders under bad bytes (fuzz)', () => {
  it('msgpack round-trips values that need fix-ups, nested in Maps, Sets, arrays and objects', () => {
    fc.assert(
      fc.property(tricky, (value) => {
        expect(same(msgpack.deserialize(msgpack.serialize(value)), value)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  for (const [label, serializer] of SERIALIZERS) {
    it(`${label} decodes corrupted or truncated bytes to a value or a CacheSerializationError`, () => {
      fc.assert(
        fc.property(tricky, fc.array(corruption, { minLength: 1, maxLength: 4 }), (value, changes) => {
          decodeOrRefuse(serializer, corrupt(serializer.serialize(value), changes));
        }),
        { numRuns: 3_000 },
      );
    });

    it(`${label} decodes random bytes to a value or a CacheSerializationError`, () => {
      const header = serializer === v8 ? fc.constantFrom(0xff) : fc.integer({ min: 0, max: 3 });
      fc.assert(
        fc.property(header, fc.uint8Array({ maxLength: 64 }), (first, rest) => {
          decodeOrRefuse(serializer, Uint8Array.of(first, ...rest));
        }),
        { numRuns: 3_000 },
      );
    });
  }

  it('msgpack refuses forged fix-ups (any kind, any path, against any value) with CacheSerializationError', () => {
    const step = fc.oneof(
      fc.integer({ min: -2, max: 12 }),
      fc.constantFrom('a', 'b', '__proto__', 'constructor', '0', 0.5, Number.NaN, 2 ** 40),
    );
    const fixup = fc
      .tuple(
        fc.oneof(fc.integer({ min: -1, max: 4 }), fc.constantFrom('0', null)),
        fc.array(step, { maxLength: 4 }),
      )
      .map(([kind, path]) => [kind, ...path]);
    const forger = createMsgpackSerializer();
    fc.assert(
      fc.property(
        tricky,
        fc.array(fc.oneof(fixup, fc.constantFrom([], 'x', null, [[0]])), { maxLength: 6 }),
        (value, fixups) => {
          // A plain pair written by msgpack, relabelled as the escaped form.
          const bytes = forger.serialize([value, fixups]);
          bytes[0] = 0x01;
          decodeOrRefuse(msgpack, bytes);
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
