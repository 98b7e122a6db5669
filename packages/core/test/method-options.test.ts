import { collectSorted, expectCacheError, ManualClock, MapCache } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import { type Cache, CacheConfigError, CacheKeyError } from '../src/index.js';

/** Options that are not an options object. */
const NOT_OBJECTS: unknown[] = [
  null,
  0,
  5,
  'ttl',
  '',
  true,
  [],
  [['ttl', 1]],
  () => ({ ttl: 1 }),
  Symbol('o'),
];

/** Options objects with a bad field (all must be refused by every method that takes that field). */
const BAD_WRITE_OPTIONS: unknown[] = [
  { ttl: 0 },
  { ttl: -1 },
  { ttl: Number.NaN },
  { ttl: 'soon' },
  { ttl: null },
  { ttl: 1e300 },
  { ttl: '400000d' },
  { tags: 't' },
  { tags: [''] },
  { tags: [5] },
  { tags: null },
];

async function expectConfigError(run: () => unknown): Promise<void> {
  await expectCacheError(run, CacheConfigError, 'CACHE_CONFIG');
}

/** Every method that takes options, called with `options` (`as never`: the point is a bad type). */
function callsWith(cache: Cache<string>, options: unknown): (() => Promise<unknown>)[] {
  const o = options as never;
  return [
    () => cache.set('k', 'after', o),
    () => cache.add('new', 'after', o),
    () => cache.setMany([['k', 'after']], o),
    () => cache.setMany([], o),
    () => cache.getOrSet('new', () => 'after', o),
    () => cache.getOrSet('k', () => 'after', o),
  ];
}

describe('method options', () => {
  async function setup() {
    const cache = new MapCache<string>({ clock: new ManualClock() });
    await cache.set('k', 'before', { tags: ['t'] });
    await cache.set('p:1', 'kept');
    return cache;
  }

  async function expectUntouched(cache: MapCache<string>): Promise<void> {
    expect(await cache.getMany(['k', 'p:1', 'new'])).toEqual(['before', 'kept', undefined]);
    expect((await cache.getEntry('k'))?.tags).toEqual(['t']);
    expect(await collectSorted(cache.keys())).toEqual(['k', 'p:1']);
    expect(cache.stats.sets).toBe(2);
  }

  it('refuses options that are not an object in set, add, setMany, getOrSet, keys and clear, with no effect', async () => {
    const cache = await setup();
    for (const options of NOT_OBJECTS) {
      for (const call of callsWith(cache, options)) await expectConfigError(call);
      await expectConfigError(() => collectSorted(cache.keys(options as never)));
      await expectConfigError(() => cache.clear(options as never));
    }
    await expectUntouched(cache);
  });

  it('refuses a bad ttl or bad tags inside the options of every write, with no effect', async () => {
    const cache = await setup();
    for (const options of BAD_WRITE_OPTIONS)
      for (const call of callsWith(cache, options)) await expectConfigError(call);
    await expectUntouched(cache);
  });

  it('refuses a bad prefix in keys and clear, with no effect', async () => {
    const cache = await setup();
    for (const prefix of [null, 5, ['p:'], {}]) {
      await expectConfigError(() => collectSorted(cache.keys({ prefix } as never)));
      await expectConfigError(() => cache.clear({ prefix } as never));
    }
    for (const prefix of ['p:\uD800', '\uDC00']) {
      for (const run of [() => collectSorted(cache.keys({ prefix })), () => cache.clear({ prefix })]) {
        const error = await run().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(CacheKeyError);
        expect((error as CacheKeyError).code).toBe('CACHE_KEY_INVALID');
      }
    }
    await expectUntouched(cache);
  });

  it('refuses bad getOrSet-only options, running no factory', async () => {
    const cache = await setup();
    let runs = 0;
    const factory = () => {
      runs++;
      return 'after';
    };
    for (const options of [
      { timeout: 0 },
      { timeout: null },
      { timeout: '30d' },
      { staleWhileRevalidate: 'x' },
      { staleIfError: -5 },
      { lock: null },
      { lock: 'yes' },
      { lock: { lease: 0 } },
      { lock: { wait: Number.POSITIVE_INFINITY } },
    ])
      await expectConfigError(() => cache.getOrSet('new', factory, options as never));
    expect(runs).toBe(0);
    await expectUntouched(cache);
  });

  it('accepts undefined and empty options everywhere', async () => {
    const cache = await setup();
    await cache.set('a', '1', undefined);
    await cache.set('b', '2', {});
    expect(await cache.add('c', '3', {})).toBe(true);
    await cache.setMany([['d', '4']], {});
    expect(await cache.getOrSet('e', () => '5', {})).toBe('5');
    expect(await collectSorted(cache.keys({}))).toEqual(['a', 'b', 'c', 'd', 'e', 'k', 'p:1']);
    await cache.clear({ prefix: 'p:' });
    await cache.clear({});
    expect(await collectSorted(cache.keys(undefined))).toEqual([]);
  });
});
