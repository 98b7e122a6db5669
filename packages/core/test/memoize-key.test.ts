import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CacheConfigError, encodeArguments, MAX_ARGUMENT_DEPTH } from '../src/index.js';

/**
 * Whether no function could tell two argument lists apart: deep strict equality (types,
 * prototypes, -0, holes, Map and Set contents) plus the order of object keys, Map entries and
 * Set members, which a function can observe.
 */
function indistinguishable(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b) && orderOf(a) === orderOf(b);
}

/** The order of every object key, Map key and Set member, as a string (values by identity of shape). */
function orderOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  if (value instanceof Map)
    return `M(${[...value].map(([k, v]) => `${encodeArguments([k])}>${orderOf(v)}`).join('|')})`;
  if (value instanceof Set) return `S(${[...value].map((v) => encodeArguments([v])).join('|')})`;
  if (Array.isArray(value)) return `A(${value.map(orderOf).join('|')})`;
  return `O(${Object.keys(value)
    .map((k) => `${k}>${orderOf((value as Record<string, unknown>)[k])}`)
    .join('|')})`;
}

/** A deep copy that keeps prototypes, holes and key order (structuredClone drops some prototypes). */
function copy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    out.length = value.length;
    for (let i = 0; i < value.length; i++) if (i in value) out[i] = copy(value[i]);
    return out;
  }
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [copy(k), copy(v)]));
  if (value instanceof Set) return new Set([...value].map(copy));
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof RegExp) return new RegExp(value.source, value.flags);
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return structuredClone(value);
  const out = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  for (const key of Object.keys(value))
    Object.defineProperty(out, key, {
      value: copy((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/** Leaves that JSON.stringify (and naive keys) confuse with one another. */
const LEAVES: (() => unknown)[] = [
  () => undefined,
  () => null,
  () => 0,
  () => -0,
  () => 1,
  () => Number.NaN,
  () => Number.POSITIVE_INFINITY,
  () => Number.NEGATIVE_INFINITY,
  () => 1n,
  () => -1n,
  () => '1',
  () => '',
  () => 'null',
  () => 'undefined',
  () => ':',
  () => '\\u003a',
  () => '"',
  () => ',',
  () => '[]',
  () => '\uD800',
  () => '\uFFFD',
  () => '1970-01-01T00:00:00.000Z',
  () => true,
  () => 'true',
  () => new Date(0),
  () => new Date(1),
  () => new Date(Number.NaN),
  () => ({}),
  () => [],
  () => new Map(),
  () => new Set(),
  () => Object.create(null),
  () => /a:b/g,
  () => /a:b/,
  () => new Uint8Array([1, 2]),
  () => Buffer.from([1, 2]),
  () => new Uint16Array([0x0201]),
  () => new ArrayBuffer(2),
];

/** Arguments built from the leaves, small enough that pairs collide often. */
const argument: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: 0, max: LEAVES.length - 1 }).map((i) => (LEAVES[i] as () => unknown)()),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', ':', '__proto__', '1'), tie('value'), { maxKeys: 2 }),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 2 }).map((pairs) => new Map(pairs)),
    fc.array(tie('value'), { maxLength: 2 }).map((items) => new Set(items)),
    fc.array(tie('value'), { maxLength: 2 }).map((items) => {
      const sparse: unknown[] = [];
      sparse.length = items.length + 1;
      items.forEach((item, i) => {
        if (i % 2 === 0) sparse[i] = item;
      });
      return sparse;
    }),
  ),
})).value;

const argumentList = fc.array(argument, { maxLength: 3 });

describe('encodeArguments', () => {
  // With this seed about 1 pair in 15 is indistinguishable, so both directions are exercised.
  it('gives distinct keys to argument lists that a function could tell apart, and one key otherwise', () => {
    fc.assert(
      fc.property(argumentList, argumentList, (a, b) => {
        expect(encodeArguments(a) === encodeArguments(b)).toBe(indistinguishable(a, b));
      }),
      { numRuns: 20_000, seed: 6 },
    );
  });

  it('gives the same key to a structural copy, and keys with no ":"', () => {
    fc.assert(
      fc.property(argumentList, (a) => {
        const key = encodeArguments(a);
        expect(encodeArguments(copy(a) as unknown[])).toBe(key);
        expect(key.includes(':')).toBe(false);
        expect(key.isWellFormed()).toBe(true);
      }),
      { numRuns: 5000, seed: 7 },
    );
  });

  it('keeps apart every pair that JSON.stringify confuses', () => {
    const pairs: [unknown[], unknown[]][] = [
      [[undefined], [null]],
      [[new Date(0)], ['1970-01-01T00:00:00.000Z']],
      [[new Map([['a', 1]])], [{}]],
      [[new Set([1])], [{}]],
      [[-0], [0]],
      [[Number.NaN], [null]],
      [[Number.POSITIVE_INFINITY], [null]],
      [[1], ['1']],
      [[1], [1n]],
      [[1], [1, undefined]],
      [[{ a: undefined }], [{}]],
      [[[undefined]], [[null]]],
      // A hole and undefined.
      [[new Array(1)], [[undefined]]],
      [[{ a: 1, b: 2 }], [{ b: 2, a: 1 }]],
      [[Object.create(null)], [{}]],
      [[new Uint8Array([1])], [Buffer.from([1])]],
      [[new Uint8Array([1])], [{ 0: 1 }]],
      [['a', 'b'], ['a,b']],
      [['a:b'], ['a\\u003ab']],
      [['\uD800'], ['\uDC00']],
      [['\uD800'], ['\uFFFD']],
      [[/a/g], [/a/]],
      [[/a/], ['/a/']],
    ];
    for (const [a, b] of pairs) expect(encodeArguments(a), JSON.stringify(a)).not.toBe(encodeArguments(b));
  });

  it('refuses with CacheConfigError what it cannot encode without ambiguity', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cyclicArray: unknown[] = [];
    cyclicArray.push(cyclicArray);
    const tagged = Object.assign([1], { extra: 2 });
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_ARGUMENT_DEPTH; i++) deep = [deep];
    for (const bad of [
      () => 1,
      Symbol('s'),
      new Point(1),
      new (class extends Map {})(),
      new String('boxed'),
      Promise.resolve(1),
      new WeakMap(),
      new Error('x'),
      cyclic,
      cyclicArray,
      new Map([['self', cyclicArray]]),
      { [Symbol('k')]: 1 },
      tagged,
      deep,
      'x'.repeat(2 ** 20),
    ]) {
      let error: unknown;
      try {
        encodeArguments([bad]);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CacheConfigError);
      expect((error as CacheConfigError).code).toBe('CACHE_CONFIG');
    }
  });

  it('encodes a shared (acyclic) value each time it appears', () => {
    const shared = { a: 1 };
    expect(encodeArguments([shared, [shared]])).toBe(encodeArguments([{ a: 1 }, [{ a: 1 }]]));
  });
});
