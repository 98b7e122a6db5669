import { mulberry32 } from '@cache/test-utils';
import { Packr, RESERVE_START_SPACE } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { msgpack } from '../src/index.js';
import { PlainEncoder } from '../src/internal/encode.js';
import { PACKR_OPTIONS } from '../src/internal/packr-options.js';

const reference = new Packr(PACKR_OPTIONS);

/** What msgpackr writes for `value` with the serializer's options, after the header byte 0. */
function msgpackrBytes(value: unknown): Buffer {
  const packed = reference.pack(value, RESERVE_START_SPACE | 1);
  packed[0] = 0;
  return Buffer.from(packed);
}

function expectSameBytes(encoder: PlainEncoder, value: unknown): void {
  const mine = encoder.encode(value, 0);
  expect(mine).toBeInstanceOf(Buffer);
  expect((mine as Buffer).equals(msgpackrBytes(value))).toBe(true);
}

const NUMBERS = [
  0,
  1,
  31,
  32,
  63,
  64,
  127,
  128,
  255,
  256,
  65_535,
  65_536,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53 - 1,
  -1,
  -31,
  -32,
  -33,
  -127,
  -128,
  -129,
  -32_768,
  -32_769,
  -(2 ** 31),
  -(2 ** 31) - 1,
  -(2 ** 53) + 1,
  0.5,
  -0.5,
  1.1,
  1e300,
  -1e-300,
  Number.MIN_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];
const BIGINTS = [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n - 1n];
const DATES = [
  0,
  1_700_000_000_000,
  1_700_000_000_123,
  -1,
  -86_400_001,
  2 ** 32 * 1000,
  2 ** 32 * 1000 - 1,
  8.64e15,
];
const CHARS = [
  'a',
  'Z',
  '0',
  ' ',
  '\u0000',
  '\u007f',
  'é',
  'ß',
  '\u07ff',
  '\u0800',
  '€',
  '✓',
  '\uffff',
  '😀',
  '𝄞',
];
const KEYS = ['id', 'name', 'a', 'b', 'value', 'created', 'k', 'long key with spaces', '10', '2', 'é'];

function stringOf(random: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += CHARS[Math.floor(random() * CHARS.length)];
  return out;
}

const BINARY = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
];

function binaryValue(random: () => number): unknown {
  const length = [0, 1, 7, 254, 255, 256, 65_534, 65_535, 65_536][Math.floor(random() * 9)] as number;
  const bytes = Buffer.alloc(length, Math.floor(random() * 256));
  for (let i = 0; i < length; i += 97) bytes[i] = Math.floor(random() * 256);
  switch (Math.floor(random() * 6)) {
    case 0:
      return bytes;
    case 1:
      return new Uint8Array(bytes);
    case 2:
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + length);
    case 3:
      return new DataView(new Uint8Array(bytes).buffer, length > 1 ? 1 : 0);
    case 4:
      return new BigInt64Array(new Uint8Array(bytes.subarray(0, length - (length % 8))).buffer);
    default: {
      const Type = BINARY[Math.floor(random() * BINARY.length)] as typeof Float64Array;
      return new Type(new Uint8Array(bytes.subarray(0, length - (length % 8))).buffer);
    }
  }
}

function plainValue(random: () => number, depth: number): unknown {
  const kind = Math.floor(random() * (depth > 3 ? 8 : 11));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  switch (kind) {
    case 0:
      return pick(NUMBERS);
    case 1:
      return pick([0, 1, 20, 31, 32, 33, 63, 64, 70, 255, 256, 300]) + Math.floor(random() * 3);
    case 2:
      return stringOf(random, pick([0, 1, 5, 10, 11, 20, 31, 32, 40, 63, 64, 65, 90, 255, 256, 300]));
    case 3:
      return pick([true, false, null, undefined]);
    case 4:
      return new Date(pick(DATES) + pick([0, 1, 999]));
    case 5:
      return pick(BIGINTS);
    case 6:
      return random() * 1e6 - 5e5;
    case 7:
      return binaryValue(random);
    case 8:
      return random() < 0.5
        ? new Map(
            Array.from({ length: pick([0, 2, 16]) }, () => [
              plainValue(random, depth + 1),
              plainValue(random, depth + 1),
            ]),
          )
        : new Set(Array.from({ length: pick([0, 2, 16]) }, () => plainValue(random, depth + 1)));
    case 9:
      return Array.from({ length: pick([0, 1, 3, 15, 16, 20]) }, () => plainValue(random, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      const count = pick([0, 1, 2, 3, 5, 15, 16]);
      for (let i = 0; i < count; i++) object[pick(KEYS)] = plainValue(random, depth + 1);
      return object;
    }
  }
}

describe('PlainEncoder: the bytes msgpackr writes', () => {
  it('matches msgpackr for every number, bigint, date and string boundary', () => {
    const encoder = new PlainEncoder();
    for (const value of [...NUMBERS, ...BIGINTS, ...DATES.map((t) => new Date(t)), new Date(Number.NaN)]) {
      expectSameBytes(encoder, value);
    }
    for (const length of [
      0, 1, 10, 11, 21, 31, 32, 63, 64, 85, 86, 255, 256, 21_845, 21_846, 65_535, 65_536,
    ]) {
      for (const char of CHARS) expectSameBytes(encoder, char.repeat(Math.ceil(length / char.length)));
    }
    expectSameBytes(encoder, 'ascii then € then 😀 and more text past sixty-four characters ✓✓✓ the end');
  });

  it('matches msgpackr for arrays and objects of every header size and repeated shapes', () => {
    const encoder = new PlainEncoder();
    for (const length of [0, 1, 15, 16, 65_535, 65_536]) {
      expectSameBytes(
        encoder,
        Array.from({ length }, (_, i) => i % 70),
      );
      expectSameBytes(
        encoder,
        Object.fromEntries(Array.from({ length: Math.min(length, 300) }, (_, i) => [`k${i}`, i])),
      );
    }
    expectSameBytes(encoder, [
      {},
      {},
      { a: 1 },
      { a: 2 },
      { a: 1, b: 2 },
      { b: 1, a: 2 },
      [{ a: { a: {} } }],
    ]);
    expectSameBytes(encoder, { 10: 'x', 2: 'y', b: 1, a: 2, 'long key with spaces': 3, é: undefined });
    const shapes = Array.from({ length: 64 }, (_, i) => ({ [`shape${i}`]: i, common: [i] })); // 64 records
    expectSameBytes(encoder, shapes);
  });

  it('matches msgpackr on 500 seeded random plain values, one encoder across all of them', () => {
    const encoder = new PlainEncoder();
    const random = mulberry32(20_240_601);
    for (let i = 0; i < 500; i++) expectSameBytes(encoder, plainValue(random, 0));
  });

  it('writes bytes that own their memory', () => {
    const bytes = new PlainEncoder().encode({ a: 1 }, 0) as Buffer;
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    expect([...bytes]).toStrictEqual([0, 0xd4, 0x72, 0x40, 0x91, 0xa1, 0x61, 0x01]);
  });
});

describe('PlainEncoder: declines what the slow path decides', () => {
  class Point {
    x = 1;
  }
  class MyDate extends Date {}
  const sparse = [1, 2, 3];
  delete sparse[1];
  const bare = Object.create(null) as Record<string, unknown>;
  bare.a = 1;
  let deep: unknown = 1;
  for (let i = 0; i < 129; i++) deep = [deep];
  let deepest: unknown = 1;
  for (let i = 0; i < 128; i++) deepest = [deepest];

  it.each([
    ['-0', -0],
    ['-0 in an object', { n: -0 }],
    ['a lone high surrogate', 'a\uD800'],
    ['a lone low surrogate', '\uDC00b'],
    ['a reversed pair', '\uDC00\uD800'],
    ['a lone surrogate in a long string', `${'x'.repeat(100)}\uD800`],
    ['a lone surrogate in a key', { 'k\uDC00': 1 }],
    ['a symbol key', { [Symbol('k')]: 1 }],
    ['a __proto__ key', JSON.parse('{"__proto__": 1}')],
    ['a constructor key', { constructor: 'x' }],
    ['a null-prototype object', bare],
    ['a class instance', new Point()],
    ['a Date subclass', new MyDate(0)],
    ['a Map subclass', new (class extends Map {})()],
    ['a -0 Map value', new Map([['k', -0]])],
    ['a lone surrogate in a Set', new Set(['\uD800'])],
    ['a SharedArrayBuffer', new SharedArrayBuffer(1)],
    ['an Error', new Error('e')],
    ['a RegExp', /x/],
    ['a sparse array', sparse],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a bigint above uint64', 2n ** 64n],
    ['a bigint below int64', -(2n ** 63n) - 1n],
    ['nesting past 128', deep],
    ['65 shapes in one value', Array.from({ length: 65 }, (_, i) => ({ [`shape${i}`]: i }))],
  ])('declines %s', (_name, value) => {
    expect(new PlainEncoder().encode(value, 0)).toBeUndefined();
  });

  it('encodes nesting of exactly 128 and 64 shapes, and keeps working after declining', () => {
    const encoder = new PlainEncoder();
    expectSameBytes(encoder, deepest);
    expect(encoder.encode({ a: [1, { b: -0 }] }, 0)).toBeUndefined();
    expect(encoder.encode({ 'k\uD800': 1 }, 0)).toBeUndefined();
    expect(encoder.encode({ 'k\uD800': 1 }, 0)).toBeUndefined(); // the shape exists now, unchecked
    expectSameBytes(encoder, { a: [1, { b: 0 }] });
  });

  it('declines a nested call from a getter, and declines when the shape tree is full', () => {
    const encoder = new PlainEncoder();
    let inner: unknown = 'not called';
    const value = {
      get x() {
        inner = encoder.encode({ y: 1 }, 0);
        return 1;
      },
    };
    expect(encoder.encode(value, 0)).toBeDefined();
    expect(inner).toBeUndefined();
    const dictionary = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`user${i}`, i]));
    expect(encoder.encode(dictionary, 0)).toBeUndefined();
    expectSameBytes(encoder, { after: 'reset' });
  });

  it('declines when a getter deletes a key not yet written, and writes what msgpackr writes for the rest', () => {
    const make = () => ({
      get a() {
        delete (this as { b?: number }).b;
        return 1;
      },
      b: 2,
    });
    expect(new PlainEncoder().encode(make(), 0)).toBeUndefined();
    expect(msgpack.deserialize(msgpack.serialize(make()))).toStrictEqual({ a: 1 });
  });

  it('ignores enumerable properties inherited from a polluted Object.prototype, as msgpackr does', () => {
    const values = [{ a: 1, b: [{ c: 2 }] }, {}];
    const encoder = new PlainEncoder();
    let mine: (Buffer | undefined)[];
    let theirs: Buffer[];
    Object.defineProperty(Object.prototype, 'polluted', {
      value: 'x',
      enumerable: true,
      configurable: true,
      writable: true,
    });
    try {
      mine = values.map((value) => encoder.encode(value, 0));
      theirs = values.map(msgpackrBytes);
    } finally {
      delete (Object.prototype as { polluted?: unknown }).polluted;
    }
    expect(mine.map((bytes) => bytes?.toString('hex'))).toStrictEqual(
      theirs.map((bytes) => bytes.toString('hex')),
    );
    expect(mine.map((bytes) => msgpack.deserialize(bytes as Buffer))).toStrictEqual(values);
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('declines when a getter throws (the slow path reports it)', () => {
    const value = {
      get x(): number {
        throw new Error('boom');
      },
    };
    expect(new PlainEncoder().encode(value, 0)).toBeUndefined();
  });
});

describe('msgpack serializer with the one-pass encoder', () => {
  it('reads each property once for plain data', () => {
    let reads = 0;
    const value = {
      get counted() {
        reads++;
        return 'v';
      },
    };
    expect(msgpack.deserialize(msgpack.serialize(value))).toStrictEqual({ counted: 'v' });
    expect(reads).toBe(1);
  });

  it('writes the same bytes for values on either side of the fast path', () => {
    const plain = { a: [1, 'x', new Date(0)], b: { c: null } };
    const stored = msgpack.serialize(plain);
    expect(Buffer.from(stored).equals(msgpackrBytes(plain))).toBe(true);
    const withMap = { a: [1, 'x', new Date(0)], b: { c: new Map([[1, 2]]) } };
    expect(Buffer.from(msgpack.serialize(withMap)).equals(msgpackrBytes(withMap))).toBe(true);
  });
});
