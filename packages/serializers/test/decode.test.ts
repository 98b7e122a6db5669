import { createRequire } from 'node:module';
import { mulberry32 } from '@cache/test-utils';
import { Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECLINED, decodePlain, nativeExtractor, useExtractor } from '../src/internal/decode.js';
import { PlainEncoder } from '../src/internal/encode.js';
import { PACKR_OPTIONS } from '../src/internal/packr-options.js';

const encoder = new PlainEncoder();
const packr = new Packr(PACKR_OPTIONS);
const unpackr = new Unpackr({ ...PACKR_OPTIONS, copyBuffers: true });
const viewUnpackr = new Unpackr({ ...PACKR_OPTIONS, copyBuffers: false });

/** The one-pass encoder's bytes for `value` (header byte 0 at index 0). */
function encode(value: unknown): Buffer {
  const bytes = encoder.encode(value, 0);
  if (bytes === undefined) throw new Error('the one-pass encoder declined the test value');
  return bytes;
}

/** Decodes with the fast decoder and checks it against msgpackr on the same bytes. */
function expectSameAsMsgpackr(bytes: Uint8Array, copy = true): unknown {
  const mine = decodePlain(bytes, 1, copy);
  expect(mine).not.toBe(DECLINED);
  const theirs = (copy ? unpackr : viewUnpackr).unpack(bytes.subarray(1));
  expect(mine).toStrictEqual(theirs);
  return mine;
}

function text(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const r = random();
    out += String.fromCodePoint(
      r < 0.9
        ? 32 + Math.floor(random() * 95)
        : r < 0.97
          ? 0xa0 + Math.floor(random() * 0x2000)
          : 0x1f600 + Math.floor(random() * 64),
    );
  }
  return out;
}

function randomValue(random: () => number, depth: number): unknown {
  const pick = Math.floor(random() * (depth > 3 ? 8 : 13));
  switch (pick) {
    case 0:
      return Math.floor(random() * 2 ** 40) - 2 ** 39;
    case 1:
      return Math.floor(random() * 300) - 150;
    case 2:
      return random() * 1e6;
    case 3:
      return random() < 0.5
        ? text(random, Math.floor(random() * 12))
        : text(random, Math.floor(random() * 300));
    case 4:
      return random() < 0.5;
    case 5:
      return random() < 0.5 ? null : undefined;
    case 6:
      return new Date(Math.floor(random() * 4e12) - 1e12);
    case 7:
      return BigInt(Math.floor(random() * 2 ** 50)) * (random() < 0.5 ? -1n : 1n);
    case 8:
      return Array.from({ length: Math.floor(random() * 8) }, () => randomValue(random, depth + 1));
    case 9:
      return new Map(
        Array.from({ length: Math.floor(random() * 4) }, () => [
          randomValue(random, depth + 1),
          randomValue(random, depth + 1),
        ]),
      );
    case 10:
      return new Set(Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1)));
    case 11:
      return Buffer.from(text(random, Math.floor(random() * 40)));
    default: {
      // records: a few shapes, reused
      const shape = ['id', 'name', 'tags', 'créé', 'nested'].slice(0, 1 + Math.floor(random() * 5));
      return Object.fromEntries(shape.map((key) => [key, randomValue(random, depth + 1)]));
    }
  }
}

const SIZES: unknown[] = [
  [0, 63, 64, 255, 256, 65_535, 65_536, 2 ** 32 - 1, -1, -32, -33, -128, -129, -32_768, -32_769, -(2 ** 31)],
  [2 ** 32, 2 ** 53 - 1, -(2 ** 53) + 1, 0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_VALUE],
  [2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n - 1n],
  [
    '',
    'a'.repeat(31),
    'b'.repeat(32),
    'c'.repeat(255),
    'd'.repeat(256),
    'e'.repeat(70_000),
    'é'.repeat(40),
    '😀'.repeat(30),
  ],
  ['', '', 'x', '', 'é', '', 'yz'],
  [
    Array.from({ length: 15 }, (_, i) => i),
    Array.from({ length: 16 }, (_, i) => i),
    Array.from({ length: 70_000 }, () => 1),
  ],
  [
    new Map(Array.from({ length: 15 }, (_, i) => [i, i])),
    new Map(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])),
  ],
  [Buffer.alloc(0), Buffer.alloc(255, 1), Buffer.alloc(256, 2), Buffer.alloc(70_000, 3)],
  [
    new Date(0),
    new Date(1_700_000_000_000),
    new Date(1_700_000_000_123),
    new Date(-1),
    new Date(2 ** 34 * 1000),
  ],
  // more strings than one extraction returns (255), ASCII runs broken by non-ASCII ones and gaps
  Array.from({ length: 700 }, (_, i) =>
    i % 37 === 0 ? `ü${i}` : i % 11 === 0 ? { n: i, pad: 'x'.repeat(50) } : `s${i}`,
  ),
];

// The native runs need the optional msgpackr-extract: without it they would only repeat the JS runs
// under another name, so they are left out, and the title of the native extractor test says so.
const MODES: readonly ('native string extractor' | 'strings in JS')[] = nativeExtractor
  ? ['native string extractor', 'strings in JS']
  : ['strings in JS'];

for (const mode of MODES) {
  describe(`msgpack fast decoder (${mode})`, () => {
    beforeAll(() => useExtractor(mode === 'strings in JS' ? undefined : nativeExtractor));
    afterAll(() => useExtractor(nativeExtractor));

    it('decodes what the one-pass encoder writes exactly as msgpackr does (seeded values)', () => {
      const random = mulberry32(20261202);
      let checked = 0;
      for (let i = 0; i < 600; i++) {
        const value = randomValue(random, 0);
        const bytes = encoder.encode(value, 0);
        if (bytes === undefined) continue; // -0 and the like take the slow path
        expectSameAsMsgpackr(bytes);
        expectSameAsMsgpackr(bytes, false);
        checked++;
      }
      expect(checked).toBeGreaterThan(550);
    });

    it('decodes every size class of integers, strings, arrays, maps and binaries', () => {
      for (const value of SIZES) expectSameAsMsgpackr(encode(value));
    });

    it('keeps record readers across messages and tells shapes apart', () => {
      const a = expectSameAsMsgpackr(
        encode([
          { x: 1, y: 2 },
          { x: 3, y: 4 },
        ]),
      );
      expect(a).toStrictEqual([
        { x: 1, y: 2 },
        { x: 3, y: 4 },
      ]);
      // The same ids name other shapes in another message.
      const b = expectSameAsMsgpackr(encode([{ y: 'p' }, { x: 'q', y: 'r' }, { y: 's' }]));
      expect(b).toStrictEqual([{ y: 'p' }, { x: 'q', y: 'r' }, { y: 's' }]);
      // Keys that are not identifiers, integer-like keys (in msgpackr's order) and the empty record.
      expectSameAsMsgpackr(encode({ 'a b': 1, '"quote"': 2, '\u2028': 3, '': 4, 10: 5, 2: 6 }));
      expectSameAsMsgpackr(encode([{}, {}, { z: {} }]));
    });

    it('declines what it does not read, so that msgpackr decides', () => {
      const declined = (bytes: Uint8Array) => expect(decodePlain(bytes, 1, true)).toBe(DECLINED);
      const packed = (value: unknown) => {
        const bytes = packr.pack(value, RESERVE_START_SPACE | 1);
        bytes[0] = 0;
        return Buffer.from(bytes);
      };
      declined(packed(new Float32Array([1, 2]))); // binary extension
      declined(packed(/re/g)); // RegExp extension
      declined(packed(2n ** 70n)); // big bigint extension
      declined(Buffer.from([0, 0xca, 0, 0, 0, 0])); // float 32
      declined(Buffer.from([0, 0x40])); // a record id no definition names
      declined(Buffer.from([0, 0xd4, 0x72, 0x40, 0x91, 0xa9, ...Buffer.from('__proto__'), 1])); // a key msgpackr rewrites
      declined(Buffer.from([0, 0xd4, 0x72, 0x40, 0x91, 0x01, 1])); // a key that is not a string
      for (const value of [{ name: 'Ada', list: [1, 2, 3] }, SIZES[9]]) {
        const whole = encode(value);
        for (let end = 1; end < whole.length; end += end < 200 ? 1 : 97) declined(whole.subarray(0, end)); // truncated
        declined(Buffer.concat([whole, Buffer.from([0xc0])])); // trailing bytes
      }
      declined(Buffer.from([0, 0xdd, 0xff, 0xff, 0xff, 0xff])); // an array longer than the input
      declined(Buffer.from([0, 0xc1])); // never used
    });

    it('reads a plain Uint8Array, and a Buffer that is a view into a larger one', () => {
      const bytes = encode({ text: 'héllo', bin: Buffer.from([1, 2]), rows: SIZES[9] });
      expectSameAsMsgpackr(new Uint8Array(bytes));
      const pooled = Buffer.concat([Buffer.alloc(13, 0xc1), bytes, Buffer.alloc(5, 0xc1)]).subarray(
        13,
        13 + bytes.length,
      );
      expectSameAsMsgpackr(pooled);
    });

    it('builds records with own properties only, whatever the keys', () => {
      const value = expectSameAsMsgpackr(
        encode([{ toString: 1, hasOwnProperty: 2, valueOf: 3 }]),
      ) as object[];
      expect(Object.getPrototypeOf(value[0])).toBe(Object.prototype);
      expect(Object.keys(value[0]!)).toStrictEqual(['toString', 'hasOwnProperty', 'valueOf']);
    });
  });
}

describe('msgpack fast decoder: the native extractor', () => {
  const title = nativeExtractor
    ? "is msgpackr-extract's extractStrings (the optional package loads here; the native runs above ran)"
    : 'is undefined: the optional msgpackr-extract does not load here, so only the strings-in-JS runs above ran';
  it(title, () => {
    // The package is optional (no prebuilt binary on some platforms): either way the decoder
    // takes exactly what loading it gives, and the 'strings in JS' runs above cover the fallback.
    let loaded: unknown;
    try {
      loaded = (createRequire(import.meta.url)('msgpackr-extract') as { extractStrings: unknown })
        .extractStrings;
    } catch {
      loaded = undefined;
    }
    expect(nativeExtractor).toBe(loaded);
  });
});
