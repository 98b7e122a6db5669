/**
 * Warming throughput:
 * - `warm()` of 1,000,000 small entries into Redis (`RedisCache`, `mode: 'overwrite'`, batches of
 *   1,000 through `setMany`, 8 batches in flight) against raw ioredis: pipelines of 1,000 `SET`s
 *   (with `PX`), 8 in flight, of the same JSON payloads. Both against one `redis-server` that the
 *   benchmark starts on a free loopback port (and stops), each run on an empty database, in
 *   alternating rounds; the best round of each is compared.
 * - `exportEntries` of 1,000,000 entries from a `MemoryCache` to a JSON Lines file, and
 *   `importEntries` of that file into an empty `MemoryCache`, with the heap and RSS growth of the
 *   import (the streaming import holds one batch at a time; the cache holds the entries).
 *
 * Run: `pnpm --filter @cache/tools bench:warmers`. Writes docs/benchmarks/warmers.md.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { MemoryCache } from '@cache/backend-memory';
import { RedisCache } from '@cache/backend-redis';
import { startRedisServer } from '@cache/redis-launcher';
import { exportEntries, importEntries, warm } from '@cache/warmers';

const COUNT = Number(process.env.WARM_COUNT ?? 1_000_000);
const BATCH = 1_000;
const IN_FLIGHT = 8;
const ROUNDS = 2;
const TTL = 3_600_000;

const value = (i: number) => ({ id: i, name: `user ${i}`, active: i % 3 === 0 });

function* entries(): Generator<[string, unknown]> {
  for (let i = 0; i < COUNT; i++) yield [`user:${i}`, value(i)];
}

async function rawPipelined(client: Redis): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < COUNT) {
      const from = next;
      next += BATCH;
      const pipeline = client.pipeline();
      for (let i = from; i < Math.min(from + BATCH, COUNT); i++)
        pipeline.set(`raw:user:${i}`, JSON.stringify(value(i)), 'PX', TTL);
      await pipeline.exec();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return performance.now() - started;
}

async function warmed(url: string): Promise<number> {
  const cache = new RedisCache({ url, prefix: 'warm:' });
  const started = performance.now();
  const report = await warm(cache, entries(), {
    mode: 'overwrite',
    batchSize: BATCH,
    concurrency: IN_FLIGHT,
    ttl: TTL,
  });
  const ms = performance.now() - started;
  if (report.loaded !== COUNT) throw new Error(`warm loaded ${report.loaded} of ${COUNT}`);
  await cache.close();
  return ms;
}

const server = await startRedisServer();
const admin = new Redis(server.url);
const raw: number[] = [];
const ours: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    await admin.flushdb();
    raw.push(await rawPipelined(admin));
    await admin.flushdb();
    ours.push(await warmed(server.url));
    console.log(`round ${round + 1}: raw ${raw.at(-1)?.toFixed(0)} ms, warm ${ours.at(-1)?.toFixed(0)} ms`);
  }
} finally {
  admin.disconnect();
  await server.stop();
}
const bestRaw = Math.min(...raw);
const bestOurs = Math.min(...ours);

// Export and import through a file.
const dir = mkdtempSync(join(tmpdir(), 'warmers-bench-'));
const file = join(dir, 'export.jsonl');
let exportMs = 0;
let importMs = 0;
let heapGrowth = 0;
let rssGrowth = 0;
let fileBytes = 0;
try {
  const source = new MemoryCache({ sweepInterval: false });
  for (const [key, v] of entries()) source.setSync(key, v, { ttl: TTL });
  let started = performance.now();
  await exportEntries(source, file);
  exportMs = performance.now() - started;
  fileBytes = statSync(file).size;
  await source.close();
  globalThis.gc?.();
  const before = process.memoryUsage();
  const target = new MemoryCache({ sweepInterval: false });
  started = performance.now();
  const report = await importEntries(target, file, { mode: 'overwrite', batchSize: BATCH });
  importMs = performance.now() - started;
  if (report.loaded !== COUNT) throw new Error(`import loaded ${report.loaded} of ${COUNT}`);
  globalThis.gc?.();
  const after = process.memoryUsage();
  heapGrowth = after.heapUsed - before.heapUsed;
  rssGrowth = after.rss - before.rss;
  await target.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const perSecond = (ms: number) => `${Math.round((COUNT / ms) * 1000).toLocaleString('en')}/s`;
const markdown = `# Warming throughput

\`pnpm --filter @cache/tools bench:warmers\` (tools/bench/warmers.ts) on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}),
${COUNT.toLocaleString('en')} entries of ~50 bytes of JSON, ${ROUNDS} alternating rounds, best round of each. The refresh-ahead simulation (miss rates over time,
with a plot) is in [warmers-refresh.md](warmers-refresh.md).

## warm() into Redis against raw pipelined SETs

| subject | best time | throughput | ratio |
|---|---|---|---|
| raw ioredis pipelines (${BATCH} SETs, ${IN_FLIGHT} in flight) | ${bestRaw.toFixed(0)} ms | ${perSecond(bestRaw)} | 1.00x |
| \`warm(redisCache, entries, { mode: 'overwrite', batchSize: ${BATCH}, concurrency: ${IN_FLIGHT} })\` | ${bestOurs.toFixed(0)} ms | ${perSecond(bestOurs)} | ${(bestRaw / bestOurs).toFixed(2)}x |

Goal of the issue: at least 0.8x of raw pipelined SETs. Every round: ${raw
  .map((r, i) => `raw ${r.toFixed(0)} ms / warm ${ours[i]?.toFixed(0)} ms`)
  .join('; ')}.

## Export and import through a file (MemoryCache)

| step | time | throughput |
|---|---|---|
| \`exportEntries\` to JSON Lines (${mb(fileBytes)}) | ${exportMs.toFixed(0)} ms | ${perSecond(exportMs)} |
| \`importEntries\` into an empty MemoryCache | ${importMs.toFixed(0)} ms | ${perSecond(importMs)} |

Memory growth of the import (after a GC, the cache holding the ${COUNT.toLocaleString('en')} entries): heap ${mb(heapGrowth)},
RSS ${mb(rssGrowth)}.
`;
writeFileSync(fileURLToPath(new URL('../../docs/benchmarks/warmers.md', import.meta.url)), markdown);
console.log(markdown);
