/**
 * A small `node:http` service with a tiered cache (a memory L1 over a memory L2, kept coherent
 * by a `MemoryBus`; swap in `RedisCache` and `RedisBus` for a fleet) and Prometheus metrics on
 * `/metrics` from `@cache/prometheus`.
 *
 *   GET /users/:id   a user, through `getOrSet` (the "database" takes 20 ms)
 *   DELETE /users/:id   removes the cached copy
 *   GET /metrics     the Prometheus text format
 *
 * Run: `node server.mjs` (PORT, default 3000) in a project with @cache/core, @cache/backend-memory,
 * @cache/tiered, @cache/prometheus and prom-client installed.
 */
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { MemoryCache } from '@cache/backend-memory';
import { attachLogger } from '@cache/core';
import { cacheMetrics } from '@cache/prometheus';
import { MemoryBus, tiered } from '@cache/tiered';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** A stand-in for a database: 20 ms per read. */
async function loadUser(id) {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { id, name: `user ${id}` };
}

/**
 * Starts the service. @returns its URL and a `close()` that stops the server and the cache.
 * @param {{ port?: number, defaultMetrics?: boolean }} [options]
 */
export async function startService({ port = 3000, defaultMetrics = false } = {}) {
  const users = tiered({
    name: 'users',
    l1: new MemoryCache({ name: 'users-l1', maxEntries: 1_000 }),
    l2: new MemoryCache({ name: 'users-l2', maxEntries: 100_000 }),
    bus: new MemoryBus({ channel: 'users' }),
    l1MaxTtl: '1m',
  });
  const pages = new MemoryCache({ name: 'pages', maxBytes: '10MB' });
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  // The tiers are instrumented too: their loads and latencies are theirs.
  const metrics = cacheMetrics({
    registry,
    caches: { users, users_l1: users.l1, users_l2: users.l2, pages },
    histograms: true,
  });
  const detach = attachLogger(users, console);

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/metrics') {
        res.setHeader('content-type', registry.contentType);
        res.end(await registry.metrics());
        return;
      }
      const match = /^\/users\/(\d+)$/.exec(url.pathname);
      if (match && req.method === 'GET') {
        const user = await users.getOrSet(`user:${match[1]}`, () => loadUser(match[1]), { ttl: '5m' });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(user));
        return;
      }
      if (match && req.method === 'DELETE') {
        res.statusCode = (await users.delete(`user:${match[1]}`)) ? 204 : 404;
        res.end();
        return;
      }
      res.statusCode = 404;
      res.end();
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      detach();
      metrics.close();
      await users.close();
      await pages.close();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const service = await startService({ port: Number(process.env.PORT ?? 3000), defaultMetrics: true });
  console.log(`listening on ${service.url} (try ${service.url}/users/1 and ${service.url}/metrics)`);
}
