import { describe, expect, it } from 'vitest';
import { CacheSerializationError, jsonSerializer } from '../src/index.js';

const roundTrip = (value: unknown) => jsonSerializer.deserialize(jsonSerializer.serialize(value));

describe('jsonSerializer', () => {
  it('round-trips JSON values exactly', () => {
    const value = { a: 1, b: 'two', c: [true, null, 3.5], d: { e: {} }, 'é🔑': '\u0000' };
    expect(roundTrip(value)).toEqual(value);
    expect(roundTrip(null)).toBeNull();
    expect(roundTrip('s')).toBe('s');
    expect(roundTrip(Object.create(null))).toEqual({});
  });

  it('keeps a __proto__ own key as data, without pollution', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true}}');
    const back = roundTrip(value) as Record<string, unknown>;
    expect(Object.keys(back)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['undefined', undefined],
    ['undefined inside an object', { a: undefined }],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a bigint', 1n],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-0', -0],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a Set', new Set()],
    ['a Uint8Array', new Uint8Array(2)],
    ['a class instance', new (class Point {})()],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point of this case
    ['an array hole', [1, , 3]],
    ['symbol keys', { [Symbol('k')]: 1 }],
  ])('refuses %s with CACHE_SERIALIZATION', (_, value) => {
    expect(() => jsonSerializer.serialize(value)).toThrow(CacheSerializationError);
  });

  it('refuses cycles but accepts shared references', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => jsonSerializer.serialize(cyclic)).toThrow(CacheSerializationError);
    const shared = { x: 1 };
    expect(roundTrip({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it('accepts values nested deeper than the fast check goes, and refuses a problem deep inside', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = i % 2 === 0 ? { next: deep } : [deep];
    expect(roundTrip(deep)).toEqual(deep);
    let bad: unknown = { n: Number.NaN };
    for (let i = 0; i < 100; i++) bad = { d: bad };
    expect(() => jsonSerializer.serialize(bad)).toThrow(CacheSerializationError);
  });

  it('refuses bytes that are not JSON', () => {
    expect(() => jsonSerializer.deserialize(new Uint8Array([0xff, 0xfe]))).toThrow(CacheSerializationError);
    expect(() => jsonSerializer.deserialize(new TextEncoder().encode('{"a":'))).toThrow(
      CacheSerializationError,
    );
  });
});
