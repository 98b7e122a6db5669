import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';

interface Service {
  url: string;
  close(): Promise<void>;
}
const servicePath = new URL('../../../docs/examples/metrics-service/server.mjs', import.meta.url).href;
const { startService } = (await import(servicePath)) as {
  startService(options: { port: number }): Promise<Service>;
};

let service: Service | undefined;
afterEach(async () => {
  await service?.close();
});

describe('docs/examples/metrics-service', () => {
  it('serves users through its tiered cache and exposes the cache metrics on /metrics', async () => {
    service = await startService({ port: 0 });
    expect(await (await fetch(`${service.url}/users/1`)).json()).toEqual({ id: '1', name: 'user 1' });
    expect((await fetch(`${service.url}/users/1`)).status).toBe(200);
    expect((await fetch(`${service.url}/users/1`, { method: 'DELETE' })).status).toBe(204);
    const response = await fetch(`${service.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const names = [...new Set(text.split('\n').flatMap((line) => /^# TYPE (\S+) /.exec(line)?.[1] ?? []))];
    expect(names).toEqual([
      'cache_gets_total',
      'cache_evictions_total',
      'cache_puts_total',
      'cache_removals_total',
      'cache_expirations_total',
      'cache_errors_total',
      'cache_l1_hits_total',
      'cache_l2_hits_total',
      'cache_bus_published_total',
      'cache_bus_received_total',
      'cache_l1_flushes_total',
      'cache_breaker_open_total',
      'cache_size',
      'cache_size_bytes',
      'cache_loads_total',
      'cache_load_duration_seconds',
      'cache_operation_duration_seconds',
    ]);
    // One miss then one L1 hit on the tiered cache; the load ran in L2 (the tier that computes).
    expect(text).toContain('cache_gets_total{cache="users",result="hit"} 1\n');
    expect(text).toContain('cache_gets_total{cache="users",result="miss"} 1\n');
    expect(text).toContain('cache_l1_hits_total{cache="users"} 1\n');
    expect(text).toContain('cache_removals_total{cache="users"} 1\n');
    expect(text).toContain('cache_loads_total{cache="users_l2",result="success"} 1\n');
    expect(text).toContain('cache_size{cache="users_l1"} 0\n');
    expect(text).toMatch(/cache_size_bytes\{cache="pages"\} 0\n/);
    expect(text).not.toContain('user:1');

    // The Grafana dashboard reads every metric the service exposes, and no other.
    const dashboard = await readFile(
      new URL('../../../docs/grafana/cache-dashboard.json', import.meta.url),
      'utf8',
    );
    const read = new Set(
      [...dashboard.matchAll(/\b(cache_[a-z0-9_]+?)(?:_bucket)?\{/g)].map((m) => m[1] as string),
    );
    expect([...read].filter((name) => !names.includes(name))).toEqual([]);
    expect(read.size).toBe(names.length);
  });
});
