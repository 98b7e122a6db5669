/**
 * Awkward keys: every one must be stored under its own name. They include glob characters,
 * path tricks, separators, whitespace, control characters, non-BMP characters, normalisation
 * and case twins, and names of `Object.prototype` members.
 */
export const AWKWARD_KEYS: readonly string[] = [
  'plain',
  'PLAIN',
  'a/b',
  '/leading',
  'trailing/',
  '..',
  '../..',
  './x',
  'a*',
  '*',
  '?',
  'a?c',
  '[abc]',
  '[',
  ']',
  'users:1',
  ':',
  '::',
  'with space',
  ' ',
  '\t',
  '\n',
  'emoji-😀',
  '😀',
  'nul\0byte',
  '\0',
  '\\',
  'a\\b',
  '%2F',
  'a.b',
  '^$',
  '{}()',
  '|',
  '+',
  '-',
  'a-b',
  'é',
  'e\u0301',
  'ключ',
  '中文',
  '__proto__',
  'constructor',
  'hasOwnProperty',
];

/** Values that every serializer can round-trip (JSON-safe). */
export const SAMPLE_VALUES: readonly (readonly [string, unknown])[] = [
  ['null', null],
  ['zero', 0],
  ['negative', -7],
  ['float', 1.5],
  ['large integer', Number.MAX_SAFE_INTEGER],
  ['empty string', ''],
  ['string', 'text'],
  ['unicode string', 'ü😀\0\n"\\'],
  ['true', true],
  ['false', false],
  ['empty array', []],
  ['array', [1, 'a', null, true, [2]]],
  ['empty object', {}],
  ['nested object', { a: { b: [1, { c: null, d: 'é' }] }, 'key with space': 2 }],
  ['long string', 'x'.repeat(100_000)],
];

/**
 * Values that core's typed JSON round-trips and plain JSON does not, each alone and combined.
 * Makers, so that each comparison is with a fresh copy (a cache by reference gives back the
 * stored object itself).
 */
export const TYPED_VALUES: readonly (readonly [string, () => unknown])[] = [
  ['a Date', () => new Date(1_700_000_000_123)],
  [
    'a Map with keys of any type',
    () =>
      new Map<unknown, unknown>([
        ['a', 1],
        [2, 'two'],
        [{ k: [1] }, null],
      ]),
  ],
  ['a Set', () => new Set<unknown>(['a', 1, null, ['x']])],
  ['a BigInt', () => -(2n ** 80n) + 1n],
  ['a Buffer', () => Buffer.from('héllo\0🔑', 'utf8')],
  ['a Uint8Array', () => new Uint8Array([0, 1, 127, 128, 254, 255])],
  ['a RegExp with flags', () => /a+[b-c]\/\d*$/giu],
  ['NaN', () => Number.NaN],
  ['Infinity', () => Number.POSITIVE_INFINITY],
  ['-Infinity', () => Number.NEGATIVE_INFINITY],
  ['-0', () => -0],
  ['undefined inside an object', () => ({ a: undefined, b: 1 })],
  ['undefined inside an array', () => [undefined, 1, undefined]],
  ['an object with a key named ~', () => ({ '~': 'Date', v: 'not a tag' })],
  [
    'nested combinations',
    () => ({
      when: [new Date(0), new Date(-1)],
      index: new Map<unknown, unknown>([
        [new Date(5), new Set([1n, -0, Number.NaN])],
        ['bytes', { buffer: Buffer.from([1]), view: new Uint8Array([2]), re: /x/y }],
        [1n, [undefined, { deep: new Map([['inf', Number.NEGATIVE_INFINITY]]) }]],
      ]),
      tags: new Set([new Map([[Number.POSITIVE_INFINITY, undefined]])]),
      plain: { n: 1, s: '~1 not tagged', list: [null, true, 'x'] },
      missing: undefined,
    }),
  ],
];

/** Values typed JSON cannot round-trip: refused with `CacheSerializationError` (or kept by reference). */
export const REFUSED_VALUES: readonly (readonly [string, () => unknown])[] = [
  ['a function', () => () => 1],
  ['a function inside an object', () => ({ ok: 1, run() {} })],
  ['a symbol', () => Symbol('s')],
  ['a symbol inside an array', () => [1, Symbol.iterator]],
  ['a symbol key', () => ({ [Symbol('k')]: 1 })],
  [
    'a cycle',
    () => {
      const node: Record<string, unknown> = { name: 'loop' };
      node.self = node;
      return node;
    },
  ],
  [
    'a cycle through a Map',
    () => {
      const map = new Map<string, unknown>();
      map.set('me', [map]);
      return map;
    },
  ],
  [
    'a class instance',
    () =>
      new (class Point {
        x = 1;
      })(),
  ],
  ['a class instance inside a Set', () => new Set([new (class Account {})()])],
  ['a subclass of Date', () => new (class Day extends Date {})(0)],
];
