/** Shared by the MemoryCache tests: caches made without the sweep timer, all closed after each test. */
import { MemoryCache } from '@cache/backend-memory';
import { afterEach } from 'vitest';

const open: MemoryCache<unknown>[] = [];

/** A MemoryCache without the periodic sweep, closed after the test. */
export function make<V = unknown>(
  options: ConstructorParameters<typeof MemoryCache<V>>[0] = {},
): MemoryCache<V> {
  const cache = new MemoryCache<V>({ sweepInterval: false, ...options });
  open.push(cache as MemoryCache<unknown>);
  return cache;
}

afterEach(async () => {
  for (const cache of open.splice(0)) await cache.close();
});
