import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CacheSerializationError,
  jsonSerializer,
  parseTyped,
  type Serializer,
  stringifyTyped,
  typedJson,
} from '../src/index.js';
import { decodeEnvelope, encodeEnvelope } from '../src/backend.js';

const roundTrip = (value: unknown) => jsonSerializer.deserialize(jsonSerializer.serialize(value));

/**
 * The JSON serializer that was the default before typed JSON (id `json`), as it was: plain
 * `JSON.stringify` in UTF-8 after a check that refused anything JSON would not give back.
 */
function legacyAccepts(value: unknown, seen = new Set<object>()): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (seen.has(value)) return false;
      seen.add(value);
      let ok: boolean;
      if (Array.isArray(value)) {
        ok = true;
        for (let i = 0; i < value.length && ok; i++) ok = i in value && legacyAccepts(value[i], seen);
      } else {
        const proto = Object.getPrototypeOf(value);
        ok =
          (proto === Object.prototype || proto === null) &&
          Object.getOwnPropertySymbols(value).length === 0 &&
          Object.values(value).every((v) => legacyAccepts(v, seen));
      }
      seen.delete(value);
      return ok;
    }
    default:
      return false;
  }
}
const hasTildeKey = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  ((!Array.isArray(value) && Object.hasOwn(value, '~')) || Object.values(value).some(hasTildeKey));

const legacy: Serializer = {
  id: 'json',
  serialize(value) {
    if (!legacyAccepts(value)) throw new CacheSerializationError('legacy json refuses this value');
    return Buffer.from(JSON.stringify(value), 'utf8');
  },
  deserialize: (bytes) => JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)),
};

describe('jsonSerializer (typed JSON, the default)', () => {
  it('is typed JSON under the id json', () => {
    expect(jsonSerializer.id).toBe('json');
    expect(typedJson).toBe(jsonSerializer);
    const value = { at: new Date(0), ids: new Set([1n]) };
    const text = Buffer.from(jsonSerializer.serialize(value)).toString('utf8');
    expect(text).toBe(stringifyTyped(value));
    expect(text).toBe(
      '~1{"at":{"~":"Date","v":"1970-01-01T00:00:00.000Z"},"ids":{"~":"Set","v":[{"~":"BigInt","v":"1"}]}}',
    );
    expect(parseTyped(text)).toEqual(value);
  });

  it('round-trips JSON values exactly', () => {
    const value = { a: 1, b: 'two', c: [true, null, 3.5], d: { e: {} }, 'é🔑': '\u0000' };
    expect(roundTrip(value)).toEqual(value);
    expect(roundTrip(null)).toBeNull();
    expect(roundTrip('s')).toBe('s');
    expect(roundTrip('~1 looks tagged')).toBe('~1 looks tagged');
    expect(roundTrip(Object.create(null))).toEqual({});
  });

  it('keeps a __proto__ own key as data, without pollution', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true}}');
    const back = roundTrip(value) as Record<string, unknown>;
    expect(Object.keys(back)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a class instance', new (class Point {})()],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point of this case
    ['an array hole', [1, , 3]],
    ['symbol keys', { [Symbol('k')]: 1 }],
    ['a typed array other than Uint8Array', new Float64Array(2)],
  ])('refuses %s with CACHE_SERIALIZATION', (_, value) => {
    expect(() => jsonSerializer.serialize(value)).toThrow(CacheSerializationError);
  });

  it('refuses cycles but accepts shared references (as copies)', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => jsonSerializer.serialize(cyclic)).toThrow(/a cycle at \$\.self/);
    const shared = { x: 1 };
    expect(roundTrip({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it('accepts values nested deeper than the quick scan goes, and refuses a problem deep inside', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = i % 2 === 0 ? { next: deep } : [deep];
    expect(roundTrip(deep)).toEqual(deep);
    expect(Buffer.from(jsonSerializer.serialize(deep)).toString()).toBe(JSON.stringify(deep));
    let bad: unknown = { f: () => 1 };
    for (let i = 0; i < 100; i++) bad = { d: bad };
    expect(() => jsonSerializer.serialize(bad)).toThrow(CacheSerializationError);
  });

  it('refuses bytes that are not typed JSON', () => {
    expect(() => jsonSerializer.deserialize(new Uint8Array([0xff, 0xfe]))).toThrow(CacheSerializationError);
    expect(() => jsonSerializer.deserialize(new TextEncoder().encode('{"a":'))).toThrow(
      CacheSerializationError,
    );
    expect(() => jsonSerializer.deserialize(new TextEncoder().encode('~9{}'))).toThrow(
      CacheSerializationError,
    );
  });
});

describe('entries written by the earlier plain JSON serializer', () => {
  it('write the same bytes and read back identically, for every value it accepted (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        fc.pre(legacyAccepts(value));
        const old = legacy.serialize(value);
        // Old bytes always read back as the old serializer read them.
        expect(jsonSerializer.deserialize(old)).toStrictEqual(legacy.deserialize(old));
        // New bytes are the same, except for objects with a key named ~ (tagged, to stay apart from tags).
        const bytes = jsonSerializer.serialize(value);
        expect(Buffer.from(bytes).equals(Buffer.from(old))).toBe(!hasTildeKey(value));
        expect(jsonSerializer.deserialize(bytes)).toStrictEqual(value);
      }),
      { numRuns: 2000, seed: 31 },
    );
  });

  it('decode envelopes stored before typed JSON (bytes written by the earlier release)', () => {
    // encodeEnvelope(entry, <the earlier jsonSerializer>, 'user:7'), in base64, as stored.
    const stored = Buffer.from(
      'ygEEanNvbgAAgFb+vHhCAAAmZf68eEIAAAAAAAD4fwEABQB1c2VycwYAdXNlcjo3eyJpZCI6NywibmFtZSI6IkFkYSDDqfCflJEiLCJ0' +
        'YWdzIjpbImEiLG51bGwsdHJ1ZSwxLjVdLCJuZXN0ZWQiOnsiZGVlcCI6W1tdLHt9XX0sIl9fcHJvdG9fX3giOiJ+bm90IGEgdGFnIn0=',
      'base64',
    );
    const value = {
      id: 7,
      name: 'Ada é🔑',
      tags: ['a', null, true, 1.5],
      nested: { deep: [[], {}] },
      __proto__x: '~not a tag',
    };
    const entry = { value, createdAt: 1_700_000_000_000, expiresAt: 1_700_000_060_000, tags: ['users'] };
    expect(decodeEnvelope(stored, jsonSerializer)).toStrictEqual({
      ...entry,
      staleUntil: undefined,
      key: 'user:7',
      size: stored.length,
    });
    expect(encodeEnvelope(entry, jsonSerializer, 'user:7').equals(stored)).toBe(true);
    // A string that starts with ~ is stored quoted, so it is never taken for the tagged form.
    const quoted = Buffer.from(
      'ygEEanNvbgAAAAAAAPA/AAAAAAAA+H8AAAAAAAD4fwAAAAAifjEgbG9va3MgdGFnZ2VkIg==',
      'base64',
    );
    expect(decodeEnvelope(quoted, jsonSerializer).value).toBe('~1 looks tagged');
  });
});
