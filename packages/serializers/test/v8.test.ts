import { CacheSerializationError } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { v8 } from '../src/index.js';

const roundTrip = (value: unknown) => v8.deserialize(v8.serialize(value));

function codeOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CacheSerializationError);
    return (error as CacheSerializationError).code;
  }
  return 'no error';
}

describe('v8 serializer', () => {
  it('has the id v8', () => {
    expect(v8.id).toBe('v8');
  });

  it('round-trips structured-clone values exactly', () => {
    const value = {
      date: new Date(1_700_000_000_123),
      map: new Map<unknown, unknown>([
        [{ k: 1 }, 'object key'],
        ['a', -0],
      ]),
      set: new Set([1, 'a']),
      big: -(2n ** 3000n),
      bytes: new Uint8Array([1, 2, 3]),
      floats: new Float64Array([1.5, -0]),
      re: /x+/gi,
      undef: undefined,
      nan: Number.NaN,
      text: 'lone \uD800 surrogate',
    };
    const out = roundTrip(value) as typeof value;
    expect(out).toStrictEqual(value);
    expect(Object.is(out.map.get('a'), -0)).toBe(true);
    expect(out.big === value.big).toBe(true);
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
  });

  it('round-trips Buffer as Buffer', () => {
    const out = roundTrip(Buffer.from('abc')) as Buffer;
    expect(Buffer.isBuffer(out)).toBe(true);
    expect(out.toString()).toBe('abc');
  });

  it('keeps cycles and shared references', () => {
    const shared = { s: 1 };
    const value: Record<string, unknown> = { a: shared, b: shared };
    value.self = value;
    const out = roundTrip(value) as Record<string, unknown>;
    expect(out.self).toBe(out);
    expect(out.a).toBe(out.b);
  });

  it('decodes an own __proto__ key as an own property, without pollution', () => {
    const out = roundTrip(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out.polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('turns class instances into plain objects, like structuredClone', () => {
    class Point {
      x = 1;
    }
    const out = roundTrip(new Point());
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out).toStrictEqual({ x: 1 });
  });

  it.each([
    ['a function', () => 1],
    ['a function inside an object', { f() {} }],
    ['a symbol', Symbol('s')],
    ['a WeakMap', new WeakMap()],
    ['a Promise', Promise.resolve(1)],
  ])('refuses %s', (_name, value) => {
    expect(codeOf(() => v8.serialize(value))).toBe('CACHE_SERIALIZATION');
  });

  it('refuses empty, foreign and truncated bytes', () => {
    const good = v8.serialize({ a: 'text', list: [1, 2, 3] });
    expect(codeOf(() => v8.deserialize(new Uint8Array(0)))).toBe('CACHE_SERIALIZATION');
    expect(codeOf(() => v8.deserialize(new TextEncoder().encode('{"json":1}')))).toBe('CACHE_SERIALIZATION');
    expect(codeOf(() => v8.deserialize(good.subarray(0, good.length - 3)))).toBe('CACHE_SERIALIZATION');
  });
});
