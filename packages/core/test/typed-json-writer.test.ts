import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CacheSerializationError } from '../src/errors.js';
import { jsonSerializer, stringifyTyped } from '../src/typed-json.js';
import { PlainJsonWriter } from '../src/typed-json-writer.js';

/** The bytes of the general path (the walk, JSON.stringify, then UTF-8): what the writer must equal. */
const general = (value: unknown) => Buffer.from(stringifyTyped(value), 'utf8');
const serialized = (value: unknown) => Buffer.from(jsonSerializer.serialize(value));

/** Strings JSON escapes or writes in several bytes: quotes, backslashes, controls, lone surrogates, astral. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({
    unit: fc.constantFrom(
      '"',
      '\\',
      '\n',
      '\u0001',
      '\u001f',
      '\u007f',
      'é',
      '€',
      '\ud800',
      '\udfff',
      '😀',
      'a',
    ),
    maxLength: 80,
  }),
  fc.string({ minLength: 40, maxLength: 200 }),
);
const plainValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.double(),
    fc.integer(),
    fc.nat(),
    fc.boolean(),
    fc.constant(null),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(fc.oneof(text, fc.constantFrom('__proto__', '0', '10', '~')), tie('value'), {
    maxKeys: 5,
    noNullPrototype: true,
  }),
})).value;

describe('typed JSON writer (the plain fast path)', () => {
  afterEach(() => {
    delete (Object.prototype as { toJSON?: unknown }).toJSON;
    delete (Array.prototype as { toJSON?: unknown }).toJSON;
  });

  it('writes exactly the bytes of the general path, for any value (property)', () => {
    fc.assert(
      fc.property(plainValue, (value) => {
        expect(serialized(value).equals(general(value))).toBe(true);
        expect(isDeepStrictEqual(jsonSerializer.deserialize(jsonSerializer.serialize(value)), value)).toBe(
          true,
        );
      }),
      { numRuns: 3000, seed: 13 },
    );
  });

  it('writes the UTF-8 of JSON.stringify for plain values, and declines everything else', () => {
    const writer = new PlainJsonWriter();
    const plain = {
      a: [1, -2, 3.5, 1e21, 2 ** 53, 999_999_999, 1_000_000_000],
      'b"\\': 'x\ny\u2028\ud83d',
      c: {},
      d: [],
    };
    expect(writer.encode(plain, true)?.toString('utf8')).toBe(JSON.stringify(plain));
    expect(writer.encode({ a: -0 }, true)).toBe(undefined);
    expect(writer.encode([Number.NaN], true)).toBe(undefined);
    expect(writer.encode({ a: undefined }, true)).toBe(undefined);
    // biome-ignore lint/suspicious/noSparseArray: a hole is what is tested
    expect(writer.encode([1, , 3], true)).toBe(undefined);
    expect(writer.encode({ '~': 1 }, true)).toBe(undefined);
    expect(writer.encode({ [Symbol('s')]: 1 }, true)).toBe(undefined);
    expect(writer.encode(Object.create(null), true)).toBe(undefined);
    expect(writer.encode({ when: new Date(0) }, true)).toBe(undefined);
    expect(writer.encode(1n, true)).toBe(undefined);
    expect(writer.encode({ f: () => 1 }, true)).toBe(undefined);
    // for...in would see inherited keys: the caller says so, and the writer declines.
    expect(writer.encode({ a: 1 }, false)).toBe(undefined);
  });

  it('leaves what it declines to the general path: tags, refusals with their path', () => {
    expect(serialized({ a: [1, new Date(0)] }).toString()).toBe(
      '~1{"a":[1,{"~":"Date","v":"1970-01-01T00:00:00.000Z"}]}',
    );
    expect(() => jsonSerializer.serialize({ a: { [Symbol('s')]: 1 } })).toThrow(
      'typed JSON cannot encode a symbol key at $.a',
    );
    expect(() => jsonSerializer.serialize({ a: [() => 1] })).toThrow(
      'typed JSON cannot encode a function at $.a[0]',
    );
  });

  it('writes values up to 64 KiB, growing its buffer; larger ones and deeper ones take the general path', () => {
    const writer = new PlainJsonWriter();
    const rows = (n: number) => ({
      rows: Array.from({ length: n }, (_, i) => ({ id: i, name: `row ${i} é`, score: i / 7 })),
    });
    const fits = rows(1000);
    expect(JSON.stringify(fits).length).toBeGreaterThan(32 * 1024);
    expect(writer.encode(fits, true)?.equals(Buffer.from(JSON.stringify(fits)))).toBe(true);
    const big = rows(5000);
    expect(writer.encode(big, true)).toBe(undefined);
    expect(writer.encode({ text: 'x'.repeat(70_000) }, true)).toBe(undefined);
    expect(serialized(big).equals(Buffer.from(JSON.stringify(big)))).toBe(true);
    expect(writer.encode(fits, true)?.equals(Buffer.from(JSON.stringify(fits)))).toBe(true);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = i % 2 ? [deep] : { d: deep };
    expect(serialized(deep).equals(Buffer.from(JSON.stringify(deep)))).toBe(true);
    // Each result is memory of its own: a later call does not change an earlier result.
    const first = jsonSerializer.serialize({ a: 'first' });
    jsonSerializer.serialize({ a: 'second' });
    expect(Buffer.from(first).toString()).toBe('{"a":"first"}');
  });

  it('follows JSON.stringify when Object.prototype or Array.prototype has a toJSON', () => {
    Object.defineProperty(Array.prototype, 'toJSON', {
      value: () => 'array',
      configurable: true,
      writable: true,
    });
    expect(serialized({ a: [1] }).toString()).toBe('{"a":"array"}');
  });

  it('reads each property once, and a getter that throws is a CacheSerializationError', () => {
    let reads = 0;
    const counted = {
      get a() {
        reads++;
        return 1;
      },
    };
    expect(serialized(counted).toString()).toBe('{"a":1}');
    expect(reads).toBe(1);
    const throwing = {
      get a(): number {
        throw new Error('boom');
      },
    };
    expect(() => jsonSerializer.serialize(throwing)).toThrow(CacheSerializationError);
  });

  it('serializes from inside a getter of the value it is writing (a nested call takes the general path)', () => {
    const inner = { b: 'é' };
    const outer = {
      get a() {
        return Buffer.from(jsonSerializer.serialize(inner)).toString();
      },
      c: 2,
    };
    expect(serialized(outer).toString()).toBe('{"a":"{\\"b\\":\\"é\\"}","c":2}');
  });

  it('reads ASCII and other UTF-8 bytes, from a Buffer or a plain Uint8Array, and refuses invalid UTF-8', () => {
    const value = { name: 'Zürich 😀', n: 1 };
    const bytes = jsonSerializer.serialize(value);
    expect(jsonSerializer.deserialize(new Uint8Array(bytes))).toEqual(value);
    expect(jsonSerializer.deserialize(new Uint8Array(Buffer.from('{"a":"ascii"}')))).toEqual({ a: 'ascii' });
    expect(jsonSerializer.deserialize(Buffer.from('xx{"a":1}').subarray(2))).toEqual({ a: 1 });
    expect(() => jsonSerializer.deserialize(Uint8Array.of(0x22, 0xff, 0x22))).toThrow(
      'stored bytes are not UTF-8',
    );
  });
});
