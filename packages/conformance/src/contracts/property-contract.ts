import type { Cache, ManualClock } from '@cache/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collect, type Harness } from '../internal/harness.js';
import { CacheModel, type ModelOp } from '../internal/model.js';

/** A small alphabet of awkward keys, so that operations collide. */
const KEYS = [
  'a',
  'b',
  'ab',
  'a-b',
  'a*',
  '*',
  '?',
  '[x]',
  'ns:k',
  'a/b',
  '..',
  ' s p',
  '😀',
  'n\0l',
] as const;
const PREFIXES = ['a', '*', '[', 'ns:', '😀', 'n\0', '.', ' '] as const;
const PATTERN_CHARS = [
  'a',
  'b',
  '*',
  '?',
  '[',
  ']',
  '-',
  'x',
  ':',
  '/',
  '.',
  '😀',
  'n',
  '\0',
  ' ',
  'k',
] as const;
const VALUES = [
  0,
  1,
  -1,
  2.5,
  '',
  'x',
  'é😀',
  null,
  true,
  false,
  [],
  [1, 'two'],
  {},
  { n: 1 },
  { n: { m: [null] } },
];
/** Sequences stay short so slow backends finish; the small alphabet makes them collide. */
const MAX_OPS = 30;

function arbitraries(withClock: boolean): fc.Arbitrary<ModelOp[]> {
  const key = fc.constantFrom(...KEYS);
  const value = fc.constantFrom(...VALUES);
  const ttl: fc.Arbitrary<number | string | undefined> = withClock
    ? fc.option(fc.constantFrom<number | string>(1, 10, 100, 1000, '1s', '250ms'), { nil: undefined })
    : fc.constant(undefined);
  const keyList = fc.array(key, { maxLength: 5 });
  const prefix = fc.option(fc.constantFrom(...PREFIXES), { nil: undefined });
  const ops: fc.Arbitrary<ModelOp>[] = [
    fc.record({ op: fc.constantFrom('get' as const, 'has' as const, 'delete' as const), key }),
    fc.record({ op: fc.constantFrom('set' as const, 'add' as const, 'getOrSet' as const), key, value, ttl }),
    fc.record({ op: fc.constantFrom('getMany' as const, 'deleteMany' as const), keys: keyList }),
    fc.record({
      op: fc.constant('setMany' as const),
      pairs: fc.array(fc.tuple(key, value), { maxLength: 5 }),
      ttl,
    }),
    fc.record({ op: fc.constantFrom('keys' as const, 'clear' as const), prefix }),
    fc.record({
      op: fc.constant('deleteMatching' as const),
      pattern: fc
        .array(fc.constantFrom(...PATTERN_CHARS), { minLength: 1, maxLength: 4 })
        .map((c) => c.join('')),
    }),
  ];
  if (withClock) {
    ops.push(
      fc.record({
        op: fc.constant('advance' as const),
        ms: fc.constantFrom(0, 1, 9, 10, 99, 100, 250, 999, 1000),
      }),
    );
  }
  return fc.array(fc.oneof(...ops), { maxLength: MAX_OPS });
}

async function step(
  cache: Cache<unknown>,
  model: CacheModel,
  clock: ManualClock | undefined,
  op: ModelOp,
): Promise<void> {
  const now = clock ? clock.now() : 0;
  const options = (ttl: number | string | undefined) => (ttl === undefined ? undefined : { ttl });
  switch (op.op) {
    case 'get':
      expect(await cache.get(op.key)).toEqual(model.get(op.key, now));
      return;
    case 'has':
      expect(await cache.has(op.key)).toBe(model.has(op.key, now));
      return;
    case 'delete':
      expect(await cache.delete(op.key)).toBe(model.delete(op.key, now));
      return;
    case 'set':
      await cache.set(op.key, op.value, options(op.ttl));
      model.set(op.key, op.value, op.ttl, now);
      return;
    case 'add':
      expect(await cache.add(op.key, op.value, options(op.ttl))).toBe(
        model.add(op.key, op.value, op.ttl, now),
      );
      return;
    case 'getOrSet': {
      const expected = model.has(op.key, now) ? model.get(op.key, now) : op.value;
      if (!model.has(op.key, now)) model.set(op.key, op.value, op.ttl, now);
      expect(await cache.getOrSet(op.key, () => op.value, options(op.ttl))).toEqual(expected);
      return;
    }
    case 'getMany':
      expect(await cache.getMany(op.keys)).toEqual(op.keys.map((key) => model.get(key, now)));
      return;
    case 'setMany':
      await cache.setMany(op.pairs, options(op.ttl));
      for (const [key, value] of op.pairs) model.set(key, value, op.ttl, now);
      return;
    case 'deleteMany': {
      const expected = [...new Set(op.keys)].filter((key) => model.delete(key, now)).length;
      expect(await cache.deleteMany(op.keys)).toBe(expected);
      return;
    }
    case 'keys':
      expect(await collect(cache.keys(op.prefix === undefined ? undefined : { prefix: op.prefix }))).toEqual(
        model.keys(op.prefix, now),
      );
      return;
    case 'clear':
      await cache.clear(op.prefix === undefined ? undefined : { prefix: op.prefix });
      model.clear(op.prefix);
      return;
    case 'deleteMatching':
      expect(await cache.deleteMatching(op.pattern)).toBe(model.deleteMatching(op.pattern, now));
      return;
    case 'advance':
      clock?.advance(op.ms);
      return;
  }
}

/** Model-based property test: random operation sequences against a plain model. */
export function propertyContract(h: Harness): void {
  describe('model-based property', () => {
    const runs = h.propertyRuns;
    const what = h.hasClock ? 'with TTLs and clock advances' : 'without TTLs (no injectable clock)';
    it(
      `agrees with a Map model over ${runs} random sequences ${what}`,
      async () => {
        const { cache, clock } = await h.make();
        await fc.assert(
          fc.asyncProperty(arbitraries(h.hasClock), async (ops) => {
            await cache.clear();
            const model = new CacheModel();
            for (const op of ops) await step(cache, model, clock, op);
            expect(await collect(cache.keys())).toEqual(model.keys(undefined, clock ? clock.now() : 0));
          }),
          { numRuns: runs },
        );
      },
      Math.max(60_000, runs * 200),
    );
  });
}
