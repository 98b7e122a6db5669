import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CacheSerializationError } from '../src/errors.js';
import { parseTyped, stringifyTyped, jsonSerializer } from '../src/typed-json.js';

const roundTrip = (value: unknown) => jsonSerializer.deserialize(jsonSerializer.serialize(value));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CacheSerializationError);
    return (error as CacheSerializationError).code;
  }
  return undefined;
}

/** Values of every kind typed JSON carries, nested. */
// biome-ignore lint/complexity/useRegexLiterals: a `v` literal needs ES2024; the compile target is ES2023.
const V_FLAG_REGEXP = new RegExp('[\\u{1F511}]', 'v');

const leaf = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ maxLength: 8 }),
  fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(/a+b/giu, V_FLAG_REGEXP, /x/),
);
const typedValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('map'), tie('set')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(
    fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('~', '__proto__', 'v')),
    tie('value'),
    {
      maxKeys: 4,
      noNullPrototype: true,
    },
  ),
  map: fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((pairs) => new Map(pairs)),
  set: fc.array(tie('value'), { maxLength: 3 }).map((members) => new Set(members)),
})).value;

describe('typed JSON', () => {
  it('round-trips every type it carries, nested anywhere (property)', () => {
    fc.assert(
      fc.property(typedValue, (value) => {
        fc.pre(value !== undefined);
        const back = roundTrip(value);
        expect(isDeepStrictEqual(back, value)).toBe(true);
      }),
      { numRuns: 3000, seed: 11 },
    );
  });

  it('keeps the exact types of the design', () => {
    const value = {
      at: new Date(1_700_000_000_123),
      map: new Map<unknown, unknown>([
        [1, 'one'],
        [{ k: 1 }, [2]],
      ]),
      set: new Set(['a', 1n]),
      big: 2n ** 70n,
      bytes: new Uint8Array([0, 1, 255]),
      buffer: Buffer.from('héllo'),
      re: /a.b/gi,
      numbers: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0],
      holes: [undefined, 1],
      missing: undefined,
    };
    const back = roundTrip(value) as typeof value;
    expect(isDeepStrictEqual(back, value)).toBe(true);
    expect(Object.hasOwn(back, 'missing')).toBe(true);
    expect(Buffer.isBuffer(back.buffer)).toBe(true);
    expect(Buffer.isBuffer(back.bytes)).toBe(false);
    expect(Object.is((back.numbers as number[])[3], -0)).toBe(true);
    // isDeepStrictEqual tells no two invalid dates equal (NaN times): checked apart.
    const invalid = roundTrip(new Date(Number.NaN));
    expect(invalid).toBeInstanceOf(Date);
    expect(Number.isNaN((invalid as Date).getTime())).toBe(true);
  });

  it('stores plain values as the JSON they are, and reads what the earlier JSON serializer stored', () => {
    const value = { a: [1, 'x', null, true], b: { c: 2.5 } };
    expect(stringifyTyped(value)).toBe(JSON.stringify(value));
    expect(jsonSerializer.deserialize(Buffer.from(JSON.stringify(value)))).toEqual(value);
    expect(stringifyTyped({ when: new Date(0) })).toBe(
      '~1{"when":{"~":"Date","v":"1970-01-01T00:00:00.000Z"}}',
    );
  });

  it('keeps an object with a key named ~ apart from a tag', () => {
    const value = { '~': 'Date', v: 'not a date' };
    expect(roundTrip(value)).toEqual(value);
    expect(roundTrip([value, new Date(5)])).toEqual([value, new Date(5)]);
  });

  it('keeps __proto__ as an own key and never sets a prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "d": 1}');
    value.when = new Date(1);
    const back = roundTrip(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    expect((back as { polluted?: unknown }).polluted).toBe(undefined);
    const nested = roundTrip(JSON.parse('{"__proto__": {"x": {"~":"BigInt","v":"1"}}}')) as object;
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
  });

  it('refuses functions, symbols, cycles, holes and class instances with CACHE_SERIALIZATION', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    class Point {
      x = 1;
    }
    class MyDate extends Date {}
    class MyArray extends Array<number> {}
    const refused: unknown[] = [
      () => 1,
      Symbol('s'),
      { f() {} },
      { [Symbol('k')]: 1 },
      cycle,
      [cycle],
      new Map([['k', cycle]]),
      // biome-ignore lint/suspicious/noSparseArray: a hole is what is tested
      [1, , 3],
      new Point(),
      new MyDate(0),
      MyArray.from([1, 2]),
      new Int16Array(2),
      new WeakMap(),
      Promise.resolve(1),
    ];
    for (const value of refused) expect(codeOf(() => stringifyTyped(value))).toBe('CACHE_SERIALIZATION');
  });

  it('names where the refused value is', () => {
    try {
      stringifyTyped({ a: [1, { b: new Map([['k', () => 1]]) }] });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('$.a[1].b<value 0>');
    }
  });

  it('names the shortest path of a cycle, also one found deep inside', () => {
    const a: Record<string, unknown> = { b: { list: [1] } };
    (a.b as Record<string, unknown>).back = a;
    expect(() => stringifyTyped({ top: [new Date(0), a] })).toThrow(
      'typed JSON cannot encode a cycle at $.top[1].b.back',
    );
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 100; i++) deep = deep.next = {};
    deep.next = root;
    expect(() => stringifyTyped(root)).toThrow(`a cycle at $${'.next'.repeat(101)}`);
  });

  it('walks own keys only, also when Object.prototype has an enumerable property', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = () => 1;
    try {
      expect(stringifyTyped({ a: 1, b: [{ c: 2 }] })).toBe('{"a":1,"b":[{"c":2}]}');
      const text = stringifyTyped({ a: 1, when: new Date(0) });
      expect(text).toBe('~1{"a":1,"when":{"~":"Date","v":"1970-01-01T00:00:00.000Z"}}');
      const back = parseTyped(text) as Record<string, unknown>;
      expect(Object.keys(back)).toEqual(['a', 'when']);
      expect(back.when).toEqual(new Date(0));
    } finally {
      delete proto.polluted;
    }
  });

  it('copies only what needs a tag: the value given is never changed', () => {
    const shared = { plain: [1, 2], deeper: { x: 'y' } };
    const value = { shared, when: new Date(3), again: shared, list: [shared, -0] };
    const before = JSON.stringify(value);
    expect(stringifyTyped(value)).toBe(
      '~1{"shared":{"plain":[1,2],"deeper":{"x":"y"}},"when":{"~":"Date","v":"1970-01-01T00:00:00.003Z"},' +
        '"again":{"plain":[1,2],"deeper":{"x":"y"}},"list":[{"plain":[1,2],"deeper":{"x":"y"}},{"~":"Number","v":"-0"}]}',
    );
    expect(JSON.stringify(value)).toBe(before);
    expect(value.when).toBeInstanceOf(Date);
  });

  it('handles deep nesting: plain stays plain, too deep for the stack is a typed error', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(stringifyTyped(deep)).toBe(JSON.stringify(deep));
    let tooDeep: unknown = 'x';
    for (let i = 0; i < 200_000; i++) tooDeep = { a: tooDeep };
    expect(codeOf(() => stringifyTyped(tooDeep))).toBe('CACHE_SERIALIZATION');
  });

  it('decodes only what it wrote: anything else is CACHE_SERIALIZATION, never another error (fuzz)', () => {
    const tags = fc.constantFrom(
      'Date',
      'Map',
      'Set',
      'BigInt',
      'Buffer',
      'Uint8Array',
      'RegExp',
      'Number',
      'undefined',
      'Object',
      'Nope',
    );
    const malformed = fc.record({ '~': tags, v: fc.jsonValue() }).map((t) => `~1${JSON.stringify([t])}`);
    fc.assert(
      fc.property(
        fc.oneof(malformed, fc.string(), fc.constantFrom('~2[]', '~', '~1', '~1{', ' ~1[]')),
        (text) => {
          try {
            parseTyped(text);
          } catch (error) {
            expect(error).toBeInstanceOf(CacheSerializationError);
          }
        },
      ),
      { numRuns: 3000, seed: 12 },
    );
    expect(codeOf(() => jsonSerializer.deserialize(Buffer.from([0xff, 0xfe])))).toBe('CACHE_SERIALIZATION');
    expect(codeOf(() => parseTyped('~2[]'))).toBe('CACHE_SERIALIZATION');
  });
});
