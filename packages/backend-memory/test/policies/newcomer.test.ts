/**
 * No write evicts the entry it writes: with every policy, after filling a cache and reading
 * every entry, a newly set key is present right after (by count, by bytes, and for an
 * overwrite that grows). W-TinyLFU, the one admission policy, is held to it too: a newcomer
 * enters its window.
 */
import { type MemoryCache, PolicyName } from '@cache/backend-memory';
import { describe, expect, it } from 'vitest';
import { make } from '../helpers.js';

const policies = Object.values(PolicyName).filter((name) => name !== 'none');

function filled(cache: MemoryCache<string>, n: number): void {
  for (let i = 0; i < n; i++) cache.setSync(`k${i}`, 'v');
  for (let round = 0; round < 3; round++)
    for (let i = 0; i < n; i++) expect(cache.getSync(`k${i}`)).toBe('v');
}

describe.each(policies)('%s', (policy) => {
  it.each([1, 2, 3, 4, 8, 100])('keeps a new key set into a full cache of %i entries (by count)', (n) => {
    const cache = make<string>({ policy, maxEntries: n });
    filled(cache, n);
    const evicted: string[] = [];
    cache.on('evict', ({ key }) => evicted.push(key));
    for (let i = 0; i < 3 * n; i++) {
      const key = `new${i}`;
      cache.setSync(key, 'fresh');
      expect(cache.getSync(key)).toBe('fresh');
      expect(cache.size).toBe(n);
    }
    expect(evicted).toHaveLength(3 * n);
    expect(
      evicted.some((key) => key.startsWith('new') && evicted.indexOf(key) === Number(key.slice(3))),
    ).toBe(false);
  });

  it.each([1, 3, 8])('keeps a new key set into a cache full by bytes (%i entries)', (n) => {
    const cache = make<string>({ policy, maxBytes: n * 10, sizeOf: () => 10 });
    filled(cache, n);
    for (let i = 0; i < 2 * n; i++) {
      cache.setSync(`new${i}`, 'fresh');
      expect(cache.getSync(`new${i}`)).toBe('fresh');
      expect(cache.bytes).toBeLessThanOrEqual(n * 10);
    }
  });

  it('keeps an overwrite that grows past the byte limit, evicting others', () => {
    const cache = make<string>({ policy, maxBytes: 40, sizeOf: (value) => value.length });
    for (const key of ['a', 'b', 'c', 'd']) cache.setSync(key, '0123456789');
    for (const key of ['a', 'b', 'c', 'd']) cache.getSync(key);
    // 'a' is the oldest, least recent and least frequent: every policy's first choice.
    cache.setSync('a', '0123456789012345678901234');
    expect(cache.getSync('a')).toHaveLength(25);
    expect(cache.bytes).toBeLessThanOrEqual(40);
    expect(cache.size).toBe(2);
  });
});

describe('the issue example', () => {
  it.each(policies)('%s: after a, b, c are read, set(d) then get(d) hits', (policy) => {
    const cache = make<string>({ policy, maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) cache.setSync(key, key);
    for (const key of ['a', 'b', 'c']) cache.getSync(key);
    cache.setSync('d', 'd');
    expect(cache.getSync('d')).toBe('d');
  });
});
