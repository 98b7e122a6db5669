import { MemoryCache } from '@cache/backend-memory';
import { CacheConfigError } from '@cache/core';
import { cacheMetrics } from '@cache/prometheus';
import { MapCache, uniqueKey } from '@cache/test-utils';
import { MemoryBus, tiered } from '@cache/tiered';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The sample lines of the named metric (its `# HELP`/`# TYPE` lines left out). */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('cacheMetrics', () => {
  it('labels evictions by cause: the byte limit as size, and a foreign count without causes as unknown', async () => {
    const registry = new Registry();
    const bytes = new MemoryCache<string>({ name: 'bytes', maxBytes: 40, sizeOf: (value) => value.length });
    const snapshot = {
      hits: 0,
      misses: 0,
      sets: 0,
      deletes: 0,
      evictions: 4,
      expirations: 0,
      errors: 0,
      hitRatio: 0,
    };
    const foreign = { name: 'foreign', stats: { snapshot: () => snapshot as never } };
    const metrics = cacheMetrics({ registry, caches: { bytes, foreign } });
    closers.push(() => metrics.close());
    for (const key of ['a', 'b', 'c']) await bytes.set(key, 'x'.repeat(15));
    expect(bytes.stats.snapshot().evictionsByCause).toEqual({ capacity: 0, size: 1, expired: 0 });
    expect(samples(await registry.metrics(), 'cache_evictions_total')).toEqual([
      'cache_evictions_total{cache="bytes",cause="capacity"} 0',
      'cache_evictions_total{cache="bytes",cause="size"} 1',
      'cache_evictions_total{cache="bytes",cause="expired"} 0',
      'cache_evictions_total{cache="foreign",cause="capacity"} 0',
      'cache_evictions_total{cache="foreign",cause="size"} 0',
      'cache_evictions_total{cache="foreign",cause="expired"} 0',
      'cache_evictions_total{cache="foreign",cause="unknown"} 4',
    ]);
  });

  it('renders the counters and gauges of a known sequence exactly', async () => {
    const registry = new Registry();
    const users = new MemoryCache<string>({ name: 'users', maxEntries: 2 });
    const pages = new MapCache<string>({ name: 'pages' });
    const metrics = cacheMetrics({ registry, caches: { users, pages } });
    closers.push(() => metrics.close());
    await users.set('a', 'A');
    await users.set('b', 'B');
    await users.get('a');
    await users.get('zz');
    await users.set('c', 'C'); // evicts one entry
    await users.delete('c');
    await pages.getOrSet('p', () => 'P');
    await pages.getOrSet('p', () => 'P');
    await expect(
      pages.getOrSet('q', () => {
        throw new Error('down');
      }),
    ).rejects.toThrow('down');
    const text = await registry.metrics();
    expect(samples(text, 'cache_gets_total')).toEqual([
      'cache_gets_total{cache="users",result="hit"} 1',
      'cache_gets_total{cache="users",result="miss"} 1',
      'cache_gets_total{cache="pages",result="hit"} 1',
      'cache_gets_total{cache="pages",result="miss"} 2',
    ]);
    expect(samples(text, 'cache_puts_total')).toEqual([
      'cache_puts_total{cache="users"} 3',
      'cache_puts_total{cache="pages"} 1',
    ]);
    expect(samples(text, 'cache_removals_total')).toEqual([
      'cache_removals_total{cache="users"} 1',
      'cache_removals_total{cache="pages"} 0',
    ]);
    expect(samples(text, 'cache_evictions_total')).toEqual([
      'cache_evictions_total{cache="users",cause="capacity"} 1',
      'cache_evictions_total{cache="users",cause="size"} 0',
      'cache_evictions_total{cache="users",cause="expired"} 0',
      'cache_evictions_total{cache="pages",cause="capacity"} 0',
      'cache_evictions_total{cache="pages",cause="size"} 0',
      'cache_evictions_total{cache="pages",cause="expired"} 0',
    ]);
    expect(samples(text, 'cache_expirations_total')).toEqual([
      'cache_expirations_total{cache="users"} 0',
      'cache_expirations_total{cache="pages"} 0',
    ]);
    expect(samples(text, 'cache_errors_total')).toEqual([
      'cache_errors_total{cache="users"} 0',
      'cache_errors_total{cache="pages"} 0',
    ]);
    // Neither tracks bytes without a byte limit.
    expect(samples(text, 'cache_size')).toEqual([
      'cache_size{cache="users"} 1',
      'cache_size{cache="pages"} 1',
    ]);
    expect(samples(text, 'cache_size_bytes')).toEqual([]);
    expect(samples(text, 'cache_loads_total')).toEqual([
      'cache_loads_total{cache="pages",result="success"} 1',
      'cache_loads_total{cache="pages",result="failure"} 1',
    ]);
    expect(samples(text, 'cache_load_duration_seconds_count')).toEqual([
      'cache_load_duration_seconds_count{cache="pages",result="success"} 1',
      'cache_load_duration_seconds_count{cache="pages",result="failure"} 1',
    ]);
    // No tiered cache: the tiered counters have no samples, and no histogram without `histograms`.
    expect(samples(text, 'cache_l1_hits_total')).toEqual([]);
    expect(text).toContain('# TYPE cache_gets_total counter\n');
    expect(text).toContain('# TYPE cache_size gauge\n');
    expect(text).not.toContain('cache_operation_duration_seconds');
    expect(text).not.toMatch(/"(a|b|c|p|q|zz)"/);
  });

  it('adds the tiered and bus counters of a tiered cache', async () => {
    const registry = new Registry();
    const channel = uniqueKey('bus');
    const make = (name: string) =>
      tiered({ name, l1: new MemoryCache(), l2: new MemoryCache(), bus: new MemoryBus({ channel }) });
    const sessions = make('sessions');
    const peer = make('peer');
    closers.push(
      () => sessions.close(),
      () => peer.close(),
    );
    const metrics = cacheMetrics({ registry, caches: { sessions } });
    closers.push(() => metrics.close());
    await sessions.set('s', 1);
    await sessions.get('s');
    await sessions.l1.delete('s');
    await sessions.get('s'); // from L2
    await peer.set('t', 2); // one message received
    const text = await registry.metrics();
    expect(samples(text, 'cache_gets_total')).toEqual([
      'cache_gets_total{cache="sessions",result="hit"} 2',
      'cache_gets_total{cache="sessions",result="miss"} 0',
    ]);
    expect(samples(text, 'cache_l1_hits_total')).toEqual(['cache_l1_hits_total{cache="sessions"} 1']);
    expect(samples(text, 'cache_l2_hits_total')).toEqual(['cache_l2_hits_total{cache="sessions"} 1']);
    expect(samples(text, 'cache_bus_published_total')).toEqual([
      'cache_bus_published_total{cache="sessions"} 1',
    ]);
    expect(samples(text, 'cache_bus_received_total')).toEqual([
      'cache_bus_received_total{cache="sessions"} 1',
    ]);
    expect(samples(text, 'cache_l1_flushes_total')).toEqual(['cache_l1_flushes_total{cache="sessions"} 0']);
    expect(samples(text, 'cache_breaker_open_total')).toEqual([
      'cache_breaker_open_total{cache="sessions"} 0',
    ]);
  });

  it('records operation latency histograms when asked, one series per cache and operation', async () => {
    const registry = new Registry();
    const users = new MemoryCache<string>({ name: 'users' });
    const other = new MemoryCache<string>({ name: 'not-watched' });
    const metrics = cacheMetrics({ registry, caches: { users }, histograms: true });
    closers.push(() => metrics.close());
    await users.set('a', 'A');
    await users.get('a');
    await users.get('b');
    await users.getOrSet('c', () => 'C');
    await other.get('x');
    const text = await registry.metrics();
    expect(samples(text, 'cache_operation_duration_seconds_count')).toEqual([
      'cache_operation_duration_seconds_count{cache="users",operation="set"} 1',
      'cache_operation_duration_seconds_count{cache="users",operation="get"} 2',
      'cache_operation_duration_seconds_count{cache="users",operation="getOrSet"} 1',
    ]);
    expect(
      samples(text, 'cache_operation_duration_seconds_bucket').filter((l) => l.includes('le="+Inf"')),
    ).toEqual([
      'cache_operation_duration_seconds_bucket{le="+Inf",cache="users",operation="set"} 1',
      'cache_operation_duration_seconds_bucket{le="+Inf",cache="users",operation="get"} 2',
      'cache_operation_duration_seconds_bucket{le="+Inf",cache="users",operation="getOrSet"} 1',
    ]);
  });

  it('close() removes the metrics and unsubscribes', async () => {
    const registry = new Registry();
    const users = new MemoryCache<string>({ name: 'users' });
    const metrics = cacheMetrics({ registry, caches: { users }, histograms: true });
    expect(metrics.names).toHaveLength(17);
    metrics.close();
    expect(await registry.metrics()).toBe('\n');
    const again = cacheMetrics({ registry, caches: { users } });
    closers.push(() => again.close());
    await users.get('a');
    expect(samples(await registry.metrics(), 'cache_gets_total')).toEqual([
      'cache_gets_total{cache="users",result="hit"} 0',
      'cache_gets_total{cache="users",result="miss"} 1',
    ]);
  });

  it('refuses bad options with CacheConfigError', () => {
    const registry = new Registry();
    const a = new MapCache({ name: 'same' });
    const b = new MapCache({ name: 'same' });
    expect(() => cacheMetrics({ registry, caches: { a, b } })).toThrow(CacheConfigError);
    expect(() => cacheMetrics({ registry, caches: {} })).toThrow(CacheConfigError);
    expect(() => cacheMetrics({ registry: {} as Registry, caches: { a } })).toThrow(CacheConfigError);
    expect(() => cacheMetrics({ registry, caches: { a: {} as never } })).toThrow(CacheConfigError);
  });
});
