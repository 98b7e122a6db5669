import { CacheSerializationError } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { createMsgpackSerializer, msgpack } from '../src/index.js';

const PROTO = '__proto__';
const sparse = [1, 2, 3];
delete sparse[1];

const roundTrip = (value: unknown) => msgpack.deserialize(msgpack.serialize(value));

function expectRefused(value: unknown): void {
  let error: unknown;
  try {
    msgpack.serialize(value);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(CacheSerializationError);
  expect((error as CacheSerializationError).code).toBe('CACHE_SERIALIZATION');
}

function expectUndecodable(bytes: Uint8Array): void {
  let error: unknown;
  try {
    msgpack.deserialize(bytes);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(CacheSerializationError);
  expect((error as CacheSerializationError).code).toBe('CACHE_SERIALIZATION');
}

describe('msgpack serializer: round trips', () => {
  it('has the id msgpack', () => {
    expect(msgpack.id).toBe('msgpack');
    expect(createMsgpackSerializer().id).toBe('msgpack');
  });

  it('round-trips JSON values exactly', () => {
    const value = {
      s: 'héllo ✓ 😀',
      n: 1.5,
      i: -42,
      big: 2 ** 53 - 1,
      t: true,
      f: false,
      z: null,
      a: [1, 'two', [3], { four: 4 }],
      o: { nested: { deeper: { k: 'v' } } },
      e: {},
      ea: [],
    };
    expect(roundTrip(value)).toStrictEqual(value);
    for (const scalar of ['', 'x', 0, 1, -1, 0.1, 1e300, true, false, null]) {
      expect(roundTrip(scalar)).toBe(scalar);
    }
  });

  it('round-trips Date, including invalid dates and sub-second times', () => {
    const dates = [new Date(0), new Date(1_700_000_000_123), new Date(-86_400_001), new Date(Number.NaN)];
    const out = roundTrip({ dates }) as { dates: Date[] };
    expect(out.dates).toHaveLength(4);
    out.dates.forEach((date, i) => {
      expect(date).toBeInstanceOf(Date);
      expect(Object.is(date.getTime(), (dates[i] as Date).getTime())).toBe(true);
    });
  });

  it('round-trips Map (any keys, insertion order) and Set', () => {
    const objectKey = { id: 1 };
    const map = new Map<unknown, unknown>([
      ['a', 1],
      [2, 'two'],
      [objectKey, [1, 2]],
      ['__proto__', { x: 1 }],
      [null, undefined],
    ]);
    const set = new Set<unknown>([1, 'a', { b: 2 }, [3]]);
    const out = roundTrip({ map, set, empty: new Map(), emptySet: new Set() }) as Record<string, unknown>;
    expect(out.map).toBeInstanceOf(Map);
    expect(out.set).toBeInstanceOf(Set);
    expect([...(out.map as Map<unknown, unknown>)]).toStrictEqual([...map]);
    expect([...(out.set as Set<unknown>)]).toStrictEqual([...set]);
    expect((out.empty as Map<unknown, unknown>).size).toBe(0);
    expect((out.emptySet as Set<unknown>).size).toBe(0);
  });

  it('round-trips bigint of any size, positive and negative', () => {
    const values = [
      0n,
      1n,
      -1n,
      2n ** 63n - 1n,
      -(2n ** 63n),
      2n ** 64n - 1n,
      2n ** 64n,
      -(2n ** 64n) - 1n,
      2n ** 1000n + 7n,
      -(3n ** 5000n),
      2n ** 70_000n - 1n,
    ];
    const out = roundTrip(values) as bigint[];
    expect(out).toHaveLength(values.length);
    out.forEach((value, i) => {
      expect(typeof value).toBe('bigint');
      expect(value === values[i]).toBe(true);
    });
  });

  it('round-trips Uint8Array as Uint8Array and Buffer as Buffer, owning their memory', () => {
    const bytes = new Uint8Array([0, 1, 254, 255]);
    const view = new Uint8Array(new Uint8Array([9, 8, 7, 6, 5]).buffer, 1, 3);
    const buffer = Buffer.from('binary\u0000data');
    const stored = msgpack.serialize({ bytes, view, buffer });
    const out = msgpack.deserialize(stored) as Record<string, Uint8Array>;
    expect(Object.getPrototypeOf(out.bytes)).toBe(Uint8Array.prototype);
    expect(Buffer.isBuffer(out.buffer)).toBe(true);
    expect([...(out.bytes as Uint8Array)]).toStrictEqual([0, 1, 254, 255]);
    expect([...(out.view as Uint8Array)]).toStrictEqual([8, 7, 6]);
    expect((out.buffer as Buffer).toString()).toBe('binary\u0000data');
    stored.fill(0);
    expect((out.buffer as Buffer).toString()).toBe('binary\u0000data');
    expect([...(out.bytes as Uint8Array)]).toStrictEqual([0, 1, 254, 255]);
  });

  it('round-trips other typed arrays, ArrayBuffer, DataView and RegExp', () => {
    const value = {
      f64: new Float64Array([-0, 1.5, Number.NaN]),
      i16: new Int16Array([-2, 3]),
      u64: new BigUint64Array([2n ** 64n - 1n]),
      ab: new Uint8Array([1, 2, 3]).buffer,
      dv: new DataView(new Uint8Array([4, 5]).buffer),
      re: /a.b/giu,
    };
    const out = roundTrip(value) as typeof value;
    expect(out).toStrictEqual(value);
    expect(Object.is(out.f64[0], -0)).toBe(true);
    expect(out.re.flags).toBe('giu');
  });

  it('round-trips undefined inside objects and arrays, and at the top', () => {
    const out = roundTrip({ a: undefined, b: [undefined, 1], c: 1 }) as Record<string, unknown>;
    expect(Object.keys(out)).toStrictEqual(['a', 'b', 'c']);
    expect(Object.hasOwn(out, 'a')).toBe(true);
    expect(out.a).toBeUndefined();
    expect(out.b).toStrictEqual([undefined, 1]);
    expect(roundTrip(undefined)).toBeUndefined();
  });

  it('round-trips -0, NaN and infinities wherever they occur', () => {
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(Object.is(roundTrip(0), 0)).toBe(true);
    const value = {
      top: -0,
      plus: 0,
      list: [0, -0, [-0]],
      map: new Map<unknown, unknown>([
        ['k', -0],
        [{ inKey: -0 }, 'v'],
      ]),
      set: new Set([{ inSet: -0 }]),
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      ninf: Number.NEGATIVE_INFINITY,
    };
    const out = roundTrip(value) as typeof value;
    expect(out).toStrictEqual(value);
    expect(Object.is(out.top, -0)).toBe(true);
    expect(Object.is(out.plus, 0)).toBe(true);
    expect(Object.is(out.list[0], 0)).toBe(true);
    expect(Object.is(out.list[1], -0)).toBe(true);
    expect(Object.is((out.list[2] as number[])[0], -0)).toBe(true);
    expect(Object.is(out.map.get('k'), -0)).toBe(true);
    const [keyObject] = [...out.map.keys()].slice(1) as [{ inKey: number }];
    expect(Object.is(keyObject.inKey, -0)).toBe(true);
    const [setMember] = [...out.set] as [{ inSet: number }];
    expect(Object.is(setMember.inSet, -0)).toBe(true);
  });

  it('round-trips null-prototype objects and own constructor keys', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.a = 1;
    bare[PROTO] = 'own';
    const value = { bare, ctorString: { constructor: 'x' }, ctorMap: { constructor: Map, size: 2 } };
    const out = roundTrip({ bare, ctorString: value.ctorString }) as Record<string, Record<string, unknown>>;
    expect(Object.getPrototypeOf(out.bare)).toBeNull();
    expect(Object.keys(out.bare as object)).toStrictEqual(['a', '__proto__']);
    expect((out.bare as Record<string, unknown>)[PROTO]).toBe('own');
    expect(out.ctorString).toStrictEqual({ constructor: 'x' });
    expect(Object.getPrototypeOf(out.ctorString)).toBe(Object.prototype);
    expect(() => msgpack.serialize(value.ctorMap)).toThrow(CacheSerializationError); // a function value
  });

  it('keeps object key order, integer-like keys included', () => {
    const value = { b: 1, a: 2, 10: 'x', 2: 'y', 'long key with spaces': 3 };
    expect(Object.keys(roundTrip(value) as object)).toStrictEqual(Object.keys(value));
  });

  it('writes each shared (not cyclic) object once per place', () => {
    const shared = { s: 1 };
    const out = roundTrip({ a: shared, b: shared, c: [shared] }) as Record<string, unknown>;
    expect(out).toStrictEqual({ a: { s: 1 }, b: { s: 1 }, c: [{ s: 1 }] });
    expect(out.a).not.toBe(out.b);
  });

  it('round-trips deeply nested data past the cycle-check depth', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 1000; i++) deep = i % 2 === 0 ? { d: deep } : [deep];
    expect(roundTrip(deep)).toStrictEqual(deep);
  });

  it('round-trips many object shapes in one value (more than msgpackr keeps as records)', () => {
    const value = Array.from({ length: 300 }, (_, i) => ({
      [`k${i}`]: i,
      common: i % 7,
      [`o${i % 13}`]: [i],
    }));
    expect(roundTrip(value)).toStrictEqual(value);
    const wide = Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`key${i}`, i]));
    expect(roundTrip(wide)).toStrictEqual(wide);
  });
});

describe('msgpack serializer: __proto__ keys', () => {
  it('decodes an own __proto__ key as an own property and never pollutes a prototype', () => {
    const value = JSON.parse(
      '{"__proto__": {"polluted": true}, "x": 1, "inner": {"__proto__": {"polluted": 2}}}',
    );
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    const out = roundTrip(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(Object.keys(out)).toStrictEqual(['__proto__', 'x', 'inner']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toStrictEqual({ polluted: true });
    expect(out.polluted).toBeUndefined();
    const inner = out.inner as Record<string, unknown>;
    expect(Object.getPrototypeOf(inner)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(inner, '__proto__')?.value).toStrictEqual({ polluted: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('keeps -0 and nested __proto__ objects under an escaped object', () => {
    const value = JSON.parse('{"__proto__": {"__proto__": {"n": 0}, "list": [1, {"__proto__": 3}]}}');
    const innermost = Object.getOwnPropertyDescriptor(
      Object.getOwnPropertyDescriptor(value, PROTO)?.value,
      PROTO,
    )?.value as { n: number };
    innermost.n = -0;
    const out = roundTrip(value) as Record<string, Record<string, unknown>>;
    const level1 = Object.getOwnPropertyDescriptor(out, '__proto__')?.value as Record<string, unknown>;
    const level2 = Object.getOwnPropertyDescriptor(level1, '__proto__')?.value as Record<string, number>;
    expect(Object.is(level2.n, -0)).toBe(true);
    const listed = (level1.list as unknown[])[1] as object;
    expect(Object.getOwnPropertyDescriptor(listed, '__proto__')?.value).toBe(3);
    expect(Object.getPrototypeOf(listed)).toBe(Object.prototype);
  });

  it('decodes foreign MessagePack maps with a __proto__ key without touching any prototype', () => {
    // fixmap {"__proto__": {"polluted": true}} written by hand
    const map = Buffer.concat([
      Buffer.from([0x00, 0x81, 0xa9]),
      Buffer.from('__proto__'),
      Buffer.from([0x81, 0xa8]),
      Buffer.from('polluted'),
      Buffer.from([0xc3]),
    ]);
    const out = msgpack.deserialize(map);
    expect(out).toBeInstanceOf(Map);
    expect((out as Map<string, unknown>).get('__proto__')).toStrictEqual(new Map([['polluted', true]]));
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('msgpack serializer: refusals', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  class MyMap extends Map {}

  it.each([
    ['a function', () => 1],
    ['a function inside an object', { f() {} }],
    ['a symbol', Symbol('s')],
    ['a symbol inside an array', [Symbol.iterator]],
    ['a symbol key', { [Symbol('k')]: 1 }],
    ['a class instance', new Point(1, 2)],
    ['a class instance in a Map', new Map([['p', new Point(1, 2)]])],
    ['a Map subclass', new MyMap()],
    ['an Error', new Error('e')],
    ['a boxed string', new String('s')],
    ['a WeakMap', new WeakMap()],
    ['a Promise', Promise.resolve(1)],
    ['a sparse array', sparse],
    ['a lone surrogate', 'a\uD800b'],
    ['a lone surrogate in a key', { 'k\uDC00': 1 }],
    ['a lone surrogate in a RegExp', new RegExp(String.fromCharCode(0x61, 0xd800))],
  ])('refuses %s', (_name, value) => {
    expectRefused(value);
  });

  it('refuses cycles, direct and deep, in objects, arrays, Maps and Sets', () => {
    const self: Record<string, unknown> = {};
    self.self = self;
    expectRefused(self);
    const list: unknown[] = [];
    list.push({ list });
    expectRefused(list);
    const map = new Map<string, unknown>();
    map.set('m', map);
    expectRefused(map);
    const set = new Set<unknown>();
    set.add([set]);
    expectRefused(set);
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 500; i++) deep = deep.d = {};
    deep.back = top;
    expectRefused(top);
  });

  it('refuses data nested deeper than the stack allows', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expectRefused(deep);
  });

  it('is re-entrant: a getter that serializes another value does not disturb the outer one', () => {
    const value = {
      get inner() {
        return msgpack.serialize({ plain: 1 }).length;
      },
      zero: -0,
    };
    const out = roundTrip(value) as { inner: number; zero: number };
    expect(out.inner).toBe(msgpack.serialize({ plain: 1 }).length);
    expect(Object.is(out.zero, -0)).toBe(true);
  });

  it('still works after a refusal', () => {
    expectRefused({ f: () => 1 });
    expect(roundTrip({ ok: [1, 2] })).toStrictEqual({ ok: [1, 2] });
  });
});

describe('msgpack serializer: bytes from elsewhere', () => {
  it('is readable by a fresh instance, in any order, with no shared state (other processes)', () => {
    const writerA = createMsgpackSerializer();
    const writerB = createMsgpackSerializer();
    const values = Array.from({ length: 200 }, (_, i) =>
      i % 3 === 0
        ? { id: i, name: `n${i}`, tags: ['a', 'b'], nested: { x: i, y: [i] } }
        : i % 3 === 1
          ? [
              { shape: i, other: 'x' },
              { id: i, name: 'again' },
            ]
          : { [`dyn${i % 50}`]: i, id: i },
    );
    const stored = values.map((value, i) => (i % 2 === 0 ? writerA : writerB).serialize(value));
    const order = values.map((_, i) => (i * 37) % values.length);
    expect(new Set(order).size).toBe(values.length);
    const reader = createMsgpackSerializer();
    for (const i of order) expect(reader.deserialize(stored[i] as Uint8Array)).toStrictEqual(values[i]);
    expect(msgpack.deserialize(stored[0] as Uint8Array)).toStrictEqual(values[0]);
  });

  it('returns bytes that own their memory (not a view into a shared write buffer)', () => {
    const small = msgpack.serialize({ a: 1 });
    expect(small.buffer.byteLength).toBe(small.byteLength);
  });

  it('shares decoded Buffers with the input when copyBuffers is false', () => {
    const viewing = createMsgpackSerializer({ copyBuffers: false });
    const stored = viewing.serialize(Buffer.from([1, 2, 3]));
    const out = viewing.deserialize(stored) as Buffer;
    expect([...out]).toStrictEqual([1, 2, 3]);
    stored[stored.length - 1] = 9;
    expect([...out]).toStrictEqual([1, 2, 9]);
  });

  it('refuses empty, truncated, unknown-header and trailing-garbage bytes', () => {
    const good = msgpack.serialize({ a: 'text', b: [1, 2, 3] });
    expectUndecodable(new Uint8Array(0));
    expectUndecodable(new Uint8Array([0x00]));
    expectUndecodable(good.subarray(0, good.length - 2));
    expectUndecodable(Buffer.concat([Buffer.from([0x07]), good.subarray(1)]));
    expectUndecodable(Buffer.concat([good, Buffer.from([0x01])]));
    expectUndecodable(new TextEncoder().encode('{"json": true}'));
  });

  it('refuses escaped values whose fix-ups do not fit the value', () => {
    const escaped = msgpack.serialize({ n: -0 });
    expect(escaped[0]).toBe(0x01);
    const packer = createMsgpackSerializer();
    const forge = (value: unknown) => {
      const bytes = packer.serialize(value);
      bytes[0] = 0x01;
      return bytes;
    };
    expectUndecodable(forge([{ n: 1 }, [[0, 'n']]])); // -0 fix-up on a non-zero
    expectUndecodable(forge([{ n: 0 }, [[0, 'missing']]]));
    expectUndecodable(forge([{ n: 0 }, [[9, 'n']]])); // unknown kind
    expectUndecodable(forge([{ n: 0 }, 'not a list']));
    expectUndecodable(forge([[0], [[0, 5]]])); // index out of range
    expectUndecodable(forge([{ n: 0 }, [[1]]])); // object fix-up on a non-Map
    expectUndecodable(forge([new Map([[1, 2]]), [[1]]])); // non-string key
    expectUndecodable(forge({ not: 'a pair' }));
  });
});
