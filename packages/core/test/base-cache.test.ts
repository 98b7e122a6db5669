import { ManualClock, MapCache } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import { CacheConfigError, CacheExpiredError, CacheKeyError, CacheSerializationError } from '../src/index.js';

function setup(options: { defaultTtl?: string } = {}) {
  const clock = new ManualClock();
  const cache = new MapCache<unknown>({ clock, ...options });
  return { clock, cache };
}

describe('BaseCache', () => {
  it('applies defaultTtl, and Infinity overrides it', async () => {
    const { clock, cache } = setup({ defaultTtl: '1m' });
    await cache.set('a', 1);
    await cache.set('b', 2, { ttl: Number.POSITIVE_INFINITY });
    const info = await cache.getEntry('a');
    expect(info?.expiresAt).toBe(clock.now() + 60_000);
    clock.advance(60_000);
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBe(2);
  });

  it('never returns an entry at its expiresAt', async () => {
    const { clock, cache } = setup();
    await cache.set('a', 1, { ttl: 1000 });
    clock.advance(999);
    expect(await cache.get('a')).toBe(1);
    clock.advance(1);
    expect(await cache.get('a')).toBeUndefined();
  });

  it('getOrThrow: CACHE_KEY_MISSING on a miss, CACHE_KEY_EXPIRED on a known expired entry', async () => {
    const { clock, cache } = setup();
    await expect(cache.getOrThrow('nope')).rejects.toMatchObject({ code: 'CACHE_KEY_MISSING' });
    await cache.set('a', 1, { ttl: 10 });
    expect(await cache.getOrThrow('a')).toBe(1);
    clock.advance(10);
    const error = await cache.getOrThrow('a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheExpiredError);
    expect(error).toBeInstanceOf(CacheKeyError);
    expect((error as CacheExpiredError).code).toBe('CACHE_KEY_EXPIRED');
  });

  it('a failed set leaves the previous value', async () => {
    const { cache } = setup();
    await cache.set('a', 'old');
    await expect(cache.set('a', undefined)).rejects.toBeInstanceOf(CacheSerializationError);
    await expect(cache.set('a', 'new', { ttl: 0 })).rejects.toBeInstanceOf(CacheConfigError);
    await expect(cache.set('a', 'new', { ttl: 'soon' })).rejects.toMatchObject({ code: 'CACHE_CONFIG' });
    await expect(cache.set('a', 'new', { tags: [42 as unknown as string] })).rejects.toMatchObject({
      code: 'CACHE_CONFIG',
    });
    await expect(
      cache.setMany([
        ['b', 1],
        ['a', undefined],
      ]),
    ).rejects.toBeInstanceOf(CacheSerializationError);
    expect(await cache.get('a')).toBe('old');
    expect(await cache.has('b')).toBe(false);
  });

  it('setMany: the last value of a repeated key wins', async () => {
    const { cache } = setup();
    await cache.setMany([
      ['a', 1],
      ['a', 2],
    ]);
    expect(await cache.get('a')).toBe(2);
    expect(cache.stats.sets).toBe(1);
  });

  it('invalidateTags: entries written earlier with a tag become misses, later ones stay', async () => {
    const { clock, cache } = setup();
    await cache.set('a', 1, { tags: ['users'] });
    await cache.set('b', 2, { tags: ['posts', 'users'] });
    await cache.set('c', 3, { tags: ['posts'] });
    clock.advance(1);
    await cache.invalidateTags(['users']);
    clock.advance(1);
    await cache.set('d', 4, { tags: ['users'] });
    expect(await cache.getMany(['a', 'b', 'c', 'd'])).toEqual([undefined, undefined, 3, 4]);
    expect(await cache.add('a', 10)).toBe(true);
    expect(await cache.get('a')).toBe(10);
  });

  it('events: payloads, unsubscribe, and a throwing listener does not break the cache', async () => {
    const { clock, cache } = setup();
    const seen: string[] = [];
    const off = cache.on('set', (e) => seen.push(`set ${e.key}`));
    cache.on('hit', (e) => seen.push(`hit ${e.key}`));
    cache.on('miss', (e) => seen.push(`miss ${e.key}`));
    cache.on('delete', (e) => seen.push(`delete ${e.key}`));
    cache.on('expire', (e) => seen.push(`expire ${e.key}`));
    cache.on('clear', (e) => seen.push(`clear ${e.prefix}`));
    cache.on('hit', () => {
      throw new Error('listener bug');
    });
    await cache.set('a', 1, { ttl: 5 });
    await cache.get('a');
    off();
    await cache.set('b', 1);
    await cache.delete('b');
    clock.advance(5);
    await cache.get('a');
    await cache.clear({ prefix: 'x' });
    expect(seen).toEqual(['set a', 'hit a', 'delete b', 'expire a', 'miss a', 'clear x']);
    expect(() => cache.on('nope' as 'hit', () => {})).toThrow(CacheConfigError);
  });

  it('stats: counters, hit ratio, snapshot and reset', async () => {
    const { cache } = setup();
    await cache.set('a', 1);
    await cache.get('a');
    await cache.get('a');
    await cache.get('b');
    await cache.delete('a');
    expect(cache.stats.snapshot()).toEqual({
      hits: 2,
      misses: 1,
      sets: 1,
      deletes: 1,
      evictions: 0,
      evictionsByCause: { capacity: 0, size: 0, expired: 0 },
      expirations: 0,
      errors: 0,
      hitRatio: 2 / 3,
      entries: 0,
    });
    cache.stats.reset();
    expect(cache.stats.snapshot()).toMatchObject({ hits: 0, misses: 0, sets: 0, deletes: 0, hitRatio: 0 });
  });

  it('deleteMany and deleteMatching count and report the keys the primitives say they removed', async () => {
    const removals: string[][] = [];
    let fail = false;
    // A backend that names the removed keys only while someone listens, and counts them otherwise.
    class NativeCache extends MapCache<unknown> {
      protected override async removeEntries(keys: readonly string[]): Promise<string[] | number> {
        removals.push([...keys]);
        if (fail) throw new Error('backend down');
        const removed = (await super.removeEntries(keys)) as string[];
        return this.emitter.listening ? removed : removed.length;
      }
      protected override async removeMatching(pattern: string): Promise<string[] | number> {
        if (fail) throw new Error('backend down');
        const removed = await super.removeMatching(pattern);
        return typeof removed === 'number' ? removed : removed.reverse();
      }
    }
    const cache = new NativeCache();
    await cache.setMany([
      ['a', 1],
      ['b', 1],
      ['c', 1],
      ['p:1', 1],
      ['p:2', 1],
      ['q:1', 1],
    ]);
    expect(await cache.deleteMany(['a', 'a', 'zz'])).toBe(1);
    expect(await cache.deleteMatching('q:*')).toBe(1);
    const seen: string[] = [];
    const off = cache.on('delete', (e) => seen.push(e.key));
    expect(await cache.deleteMany(['zz', 'b', 'a', 'b'])).toBe(1);
    expect(await cache.deleteMatching('p:*')).toBe(2);
    off();
    expect(await cache.deleteMany(['c'])).toBe(1);
    expect(removals).toEqual([['a', 'zz'], ['q:1'], ['zz', 'b', 'a'], ['p:1', 'p:2'], ['c']]);
    expect(seen).toEqual(['b', 'p:2', 'p:1']);
    expect(cache.stats.deletes).toBe(6);
    await cache.set('d', 1);
    cache.on('delete', (e) => seen.push(e.key));
    fail = true;
    await expect(cache.deleteMany(['d'])).rejects.toMatchObject({ code: 'CACHE_ERROR' });
    await expect(cache.deleteMatching('*')).rejects.toMatchObject({ code: 'CACHE_INVALIDATION' });
    expect(seen).toEqual(['b', 'p:2', 'p:1']);
    expect(cache.stats.snapshot()).toMatchObject({ deletes: 6, errors: 2 });
  });

  it('deleteMatching uses * and ? and treats other characters literally', async () => {
    const { cache } = setup();
    await cache.setMany([
      ['user:1', 1],
      ['user:22', 1],
      ['user:[1]', 1],
      ['users', 1],
      ['post:1', 1],
    ]);
    expect(await cache.deleteMatching('user:?')).toBe(1);
    expect(await cache.deleteMatching('user:[1]')).toBe(1);
    expect(await cache.deleteMatching('user*')).toBe(2);
    const left: string[] = [];
    for await (const key of cache.keys()) left.push(key);
    expect(left).toEqual(['post:1']);
    await expect(cache.deleteMatching('')).rejects.toBeInstanceOf(CacheConfigError);
  });

  it('refuses calls after close with CACHE_CONFIG, and close is idempotent', async () => {
    const { cache } = setup();
    await cache.close();
    await cache.close();
    await expect(cache.get('a')).rejects.toBeInstanceOf(CacheConfigError);
  });

  it('works with await using', async () => {
    let closed: MapCache | undefined;
    {
      await using cache = new MapCache();
      closed = cache;
      await cache.set('a', 1);
    }
    await expect(closed.get('a')).rejects.toMatchObject({ code: 'CACHE_CONFIG' });
  });

  it('refuses bad constructor options', () => {
    expect(() => new MapCache({ defaultTtl: -1 })).toThrow(CacheConfigError);
    expect(() => new MapCache({ maxKeyBytes: 0 })).toThrow(CacheConfigError);
    expect(() => new MapCache({ clock: {} as never })).toThrow(CacheConfigError);
  });

  it('honours maxKeyBytes', async () => {
    const cache = new MapCache({ maxKeyBytes: 4 });
    await cache.set('abcd', 1);
    await expect(cache.set('abcde', 1)).rejects.toMatchObject({ code: 'CACHE_KEY_INVALID' });
    await expect(cache.getMany(['a', ''])).rejects.toMatchObject({ code: 'CACHE_KEY_INVALID' });
  });
});
