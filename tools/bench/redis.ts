/**
 * Redis benchmark: @cache/backend-redis beside raw ioredis (GET/SET/MGET/pipeline), @keyv/redis,
 * cacheable with @keyv/redis as its primary store, and bentocache with its redis driver (L2 only),
 * in one run against the server on REDIS_URL (default redis://127.0.0.1:6379).
 *
 * Cases: get, set, getMany(100), setMany(100), and get with 50 callers in flight. Each case runs
 * every library for a fixed time slice, in rounds that rotate the order (the machine is shared);
 * the figure is the median ops/s over the rounds. Every key lives under a unique run prefix,
 * removed at the end with SCAN + UNLINK. Writes results to docs/benchmarks/redis.md.
 *
 * Run: pnpm --filter @cache/backend-redis build && pnpm --filter @cache/tools bench:redis
 * Env: REDIS_URL, BENCH_MS (slice per library and round, default 400), BENCH_ROUNDS (default 5),
 * BENCH_BASELINE (path to another build's dist/index.js: adds it as "@cache/backend-redis (baseline)"
 * for an interleaved A/B run), BENCH_ONLY (comma-separated library names to run, e.g.
 * `@cache/backend-redis,ioredis (raw)`), BENCH_CASES (comma-separated case names, e.g. `set,getMany(100)`);
 * with any of these three the results are printed, not written to the docs.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import KeyvRedis from '@keyv/redis';
import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { Cacheable } from 'cacheable';
import { Redis } from 'ioredis';
import { cpuTimeMs } from './lib/cpu-time.js';
import { Keyv } from 'keyv';
import { RedisCache } from '@cache/backend-redis';
import { escapeMatch } from '@cache/backend-redis/internal/patterns';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SLICE_MS = Number(process.env.BENCH_MS ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const KEYS = 1000;
const BATCH = 100;
const IN_FLIGHT = 50;
const TTL_MS = 10 * 60_000;
const run = `bench-redis:${process.pid}:${randomBytes(3).toString('hex')}:`;

interface Value {
  id: number;
  name: string;
  email: string;
  roles: string[];
  active: boolean;
}
const value = (i: number): Value => ({
  id: i,
  name: `user-${i}`,
  email: `user-${i}@example.com`,
  roles: ['reader', 'writer'],
  active: i % 2 === 0,
});
const keyOf = (i: number) => `user:${i % KEYS}`;

/** What each library is asked to do; `undefined` = the library has no such operation. */
interface Subject {
  name: string;
  peer: boolean;
  get(key: string): Promise<unknown>;
  set(key: string, v: Value): Promise<unknown>;
  getMany?(keys: string[]): Promise<unknown>;
  setMany?(entries: [string, Value][]): Promise<unknown>;
  close(): Promise<void>;
}

function rawIoredis(name: string, autoPipelining: boolean): Subject {
  const client = new Redis(REDIS_URL, { enableAutoPipelining: autoPipelining });
  const p = `${run}${name.replace(/\W+/g, '-')}:`;
  return {
    name,
    peer: false,
    get: async (key) => {
      const text = await client.get(p + key);
      return text === null ? undefined : JSON.parse(text);
    },
    set: (key, v) => client.set(p + key, JSON.stringify(v), 'PX', TTL_MS),
    getMany: async (keys) =>
      (await client.mget(keys.map((k) => p + k))).map((text) =>
        text === null ? undefined : JSON.parse(text),
      ),
    setMany: (entries) => {
      const pipeline = client.pipeline();
      for (const [k, v] of entries) pipeline.set(p + k, JSON.stringify(v), 'PX', TTL_MS);
      return pipeline.exec();
    },
    close: async () => void (await client.quit()),
  };
}

interface CacheLike {
  get(key: string): Promise<unknown>;
  set(key: string, value: Value, options: { ttl: number }): Promise<void>;
  getMany(keys: string[]): Promise<unknown>;
  setMany(entries: [string, Value][], options: { ttl: number }): Promise<void>;
  close(): Promise<void>;
}
type CacheClass = new (options: { url: string; prefix: string; autoPipelining: boolean }) => CacheLike;

function ours(name: string, autoPipelining: boolean, Cache: CacheClass = RedisCache): Subject {
  const cache = new Cache({
    url: REDIS_URL,
    prefix: `${run}${name.replace(/\W+/g, '-')}:`,
    autoPipelining,
  });
  return {
    name,
    peer: false,
    get: (key) => cache.get(key),
    set: (key, v) => cache.set(key, v, { ttl: TTL_MS }),
    getMany: (keys) => cache.getMany(keys),
    setMany: (entries) => cache.setMany(entries, { ttl: TTL_MS }),
    close: () => cache.close(),
  };
}

function keyv(): Subject {
  const store = new KeyvRedis(REDIS_URL, { namespace: `${run}keyv` });
  const kv = new Keyv<Value>({ store, namespace: `${run}keyv`, useKeyPrefix: false });
  return {
    name: '@keyv/redis (Keyv)',
    peer: true,
    get: (key) => kv.get(key),
    set: (key, v) => kv.set(key, v, TTL_MS),
    getMany: (keys) => kv.getMany(keys),
    setMany: (entries) => kv.setMany(entries.map(([key, v]) => ({ key, value: v, ttl: TTL_MS }))),
    close: () => kv.disconnect(),
  };
}

function cacheable(): Subject {
  const store = new KeyvRedis(REDIS_URL, { namespace: `${run}cacheable` });
  const primary = new Keyv<Value>({ store, namespace: `${run}cacheable`, useKeyPrefix: false });
  const cache = new Cacheable({ primary });
  return {
    name: 'cacheable + @keyv/redis',
    peer: true,
    get: (key) => cache.get(key),
    set: (key, v) => cache.set(key, v, TTL_MS),
    getMany: (keys) => cache.getMany(keys),
    setMany: (entries) => cache.setMany(entries.map(([key, v]) => ({ key, value: v, ttl: TTL_MS }))),
    close: async () => {
      await cache.disconnect();
    },
  };
}

function bento(): Subject {
  const connection = new Redis(REDIS_URL);
  const bc = new BentoCache({
    default: 'redis',
    prefix: `${run}bento`,
    stores: { redis: bentostore().useL2Layer(redisDriver({ connection, prefix: `${run}bento` })) },
  });
  return {
    name: 'bentocache (redis driver)',
    peer: true,
    get: (key) => bc.get({ key }),
    set: (key, v) => bc.set({ key, value: v, ttl: TTL_MS }),
    close: async () => {
      await bc.disconnectAll();
      connection.disconnect();
    },
  };
}

type CaseName = 'get' | 'set' | 'getMany(100)' | 'setMany(100)' | 'get x50 in flight';
const CASES: {
  name: CaseName;
  opsPerCall: number;
  call(s: Subject, i: number): Promise<unknown> | undefined;
}[] = [
  { name: 'get', opsPerCall: 1, call: (s, i) => s.get(keyOf(i)) },
  { name: 'set', opsPerCall: 1, call: (s, i) => s.set(keyOf(i), value(i)) },
  {
    name: 'getMany(100)',
    opsPerCall: 1,
    call: (s, i) => s.getMany?.(Array.from({ length: BATCH }, (_, j) => keyOf(i * BATCH + j))),
  },
  {
    name: 'setMany(100)',
    opsPerCall: 1,
    call: (s, i) =>
      s.setMany?.(
        Array.from(
          { length: BATCH },
          (_, j) => [keyOf(i * BATCH + j), value(i * BATCH + j)] as [string, Value],
        ),
      ),
  },
  {
    name: 'get x50 in flight',
    opsPerCall: IN_FLIGHT,
    call: (s, i) => Promise.all(Array.from({ length: IN_FLIGHT }, (_, j) => s.get(keyOf(i * IN_FLIGHT + j)))),
  },
];

/** Operations per second and client CPU µs per operation of one case on one library over one time slice. */
async function slice(
  subject: Subject,
  bench: (typeof CASES)[number],
): Promise<{ ops: number; cpu: number } | undefined> {
  if (bench.call(subject, 0) === undefined) return undefined;
  for (let i = 0; i < 20; i++) await bench.call(subject, i); // warm up
  let calls = 0;
  const cpu0 = cpuTimeMs();
  const start = performance.now();
  const end = start + SLICE_MS;
  while (performance.now() < end) {
    for (let k = 0; k < 10; k++) await bench.call(subject, calls++);
  }
  const ops = calls * bench.opsPerCall;
  return { ops: (ops / (performance.now() - start)) * 1000, cpu: ((cpuTimeMs() - cpu0) * 1000) / ops };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function cleanup(): Promise<number> {
  const client = new Redis(REDIS_URL);
  const match = `${escapeMatch(run)}*`;
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) removed += await client.unlink(...keys);
  } while (cursor !== '0');
  await client.quit();
  return removed;
}

async function main(): Promise<void> {
  const baseline = process.env.BENCH_BASELINE;
  const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
  const all = [
    ...(baseline === undefined
      ? []
      : [
          ours(
            '@cache/backend-redis (baseline)',
            true,
            ((await import(baseline)) as { RedisCache: CacheClass }).RedisCache,
          ),
        ]),
    ours('@cache/backend-redis', true),
    ours('@cache/backend-redis (autoPipelining off)', false),
    rawIoredis('ioredis (raw)', false),
    rawIoredis('ioredis (raw, autoPipelining)', true),
    keyv(),
    cacheable(),
    bento(),
  ];
  const subjects = only === undefined ? all : all.filter((s) => only.includes(s.name));
  for (const s of all) if (!subjects.includes(s)) await s.close();
  for (const s of subjects) {
    await s.get(keyOf(0));
    for (let i = 0; i < KEYS; i++) await s.set(keyOf(i), value(i));
  }
  const results = new Map<string, Map<CaseName, number[]>>();
  const cpuResults = new Map<string, Map<CaseName, number[]>>();
  for (const s of subjects) results.set(s.name, new Map(CASES.map((c) => [c.name, []])));
  for (const s of subjects) cpuResults.set(s.name, new Map(CASES.map((c) => [c.name, []])));
  const caseNames = process.env.BENCH_CASES?.split(',').filter(Boolean);
  const cases = caseNames === undefined ? CASES : CASES.filter((c) => caseNames.includes(c.name));
  for (let round = 0; round < ROUNDS; round++) {
    for (const bench of cases) {
      const order = subjects.map((_, i) => subjects[(i + round) % subjects.length] as Subject);
      for (const s of order) {
        const measured = await slice(s, bench);
        if (measured === undefined) continue;
        results.get(s.name)?.get(bench.name)?.push(measured.ops);
        cpuResults.get(s.name)?.get(bench.name)?.push(measured.cpu);
      }
    }
    process.stdout.write(`round ${round + 1}/${ROUNDS} done\n`);
  }
  for (const s of subjects) await s.close();
  const removed = await cleanup();

  const fig = (name: string, c: CaseName) => {
    const v = results.get(name)?.get(c) ?? [];
    return v.length === 0 ? undefined : median(v);
  };
  const fmt = (n: number | undefined) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}x`;
  const lines: string[] = [];
  lines.push('# Redis backend benchmark', '');
  lines.push(
    `Run on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ` +
      `Redis on ${REDIS_URL.replace(/\/\/[^@]*@/, '//')} (loopback), nothing else running on the machine ` +
      `(load average ${(loadavg()[0] ?? 0).toFixed(1)} at the end); single figures still move between runs, the ratios are the useful part.`,
    '',
  );
  lines.push(
    'Command: `pnpm --filter @cache/backend-redis build && pnpm --filter @cache/tools bench:redis` ' +
      `(tools/bench/redis.ts; BENCH_MS=${SLICE_MS}, BENCH_ROUNDS=${ROUNDS}). Each library runs each case for ${SLICE_MS} ms per round, ` +
      `${ROUNDS} rounds in rotating order; figures are the median operations per second (a getMany/setMany call is one operation; ` +
      `"x50 in flight" counts each of the 50 concurrent gets). Values are small JSON objects (~90 bytes), ${KEYS} keys, TTL 10 min, ` +
      'one connection per library. Raw ioredis does what application code would: JSON.stringify on SET, JSON.parse on GET/MGET.',
    '',
  );
  lines.push(`| library | ${CASES.map((c) => c.name).join(' | ')} |`);
  lines.push(`|---|${CASES.map(() => '---:').join('|')}|`);
  for (const s of subjects)
    lines.push(`| ${s.name} | ${CASES.map((c) => fmt(fig(s.name, c.name))).join(' | ')} |`);
  lines.push('');
  lines.push(
    'Client CPU per operation (µs, median; user + system time of the benchmark process, which is steadier than ops/s ' +
      'on a busy machine; lower is better):',
    '',
  );
  lines.push(`| library | ${CASES.map((c) => c.name).join(' | ')} |`);
  lines.push(`|---|${CASES.map(() => '---:').join('|')}|`);
  for (const s of subjects) {
    lines.push(
      `| ${s.name} | ${CASES.map((c) => {
        const v = cpuResults.get(s.name)?.get(c.name) ?? [];
        return v.length === 0 ? 'n/a' : median(v).toFixed(1);
      }).join(' | ')} |`,
    );
  }
  lines.push('');
  const me = '@cache/backend-redis';
  const raw = 'ioredis (raw)';
  const peers = subjects.filter((s) => s.peer);
  const bestPeer = (c: CaseName) => {
    let best: Subject | undefined;
    for (const p of peers) if ((fig(p.name, c) ?? 0) > (best ? (fig(best.name, c) ?? 0) : 0)) best = p;
    return best;
  };
  lines.push('## Targets', '');
  lines.push('| target | ours | baseline | ratio | met |', '|---|---:|---:|---:|:---:|');
  const target = (label: string, c: CaseName, base: string | undefined, min: number) => {
    const a = fig(me, c);
    const b = base === undefined ? undefined : fig(base, c);
    const met = a !== undefined && b !== undefined && a / b >= min;
    lines.push(
      `| ${label} (>= ${min}x ${base ?? 'n/a'}) | ${fmt(a)} | ${fmt(b)} | ${ratio(a, b)} | ${met ? 'yes' : 'no'} |`,
    );
  };
  target('get', 'get', raw, 0.9);
  target('set', 'set', raw, 0.9);
  target('getMany(100) vs raw MGET', 'getMany(100)', raw, 0.9);
  target('setMany(100) vs raw pipeline', 'setMany(100)', raw, 0.9);
  target('get x50 in flight vs best peer', 'get x50 in flight', bestPeer('get x50 in flight')?.name, 1.0);
  lines.push('');
  lines.push('## Ratios to the peers', '');
  lines.push(`| case | ${peers.map((p) => `vs ${p.name}`).join(' | ')} | vs ioredis (raw, autoPipelining) |`);
  lines.push(`|---|${peers.map(() => '---:').join('|')}|---:|`);
  for (const c of CASES) {
    lines.push(
      `| ${c.name} | ${peers.map((p) => ratio(fig(me, c.name), fig(p.name, c.name))).join(' | ')} | ${ratio(fig(me, c.name), fig('ioredis (raw, autoPipelining)', c.name))} |`,
    );
  }
  lines.push('', `Cleanup: ${removed} keys under the run prefix removed with SCAN + UNLINK.`, '');
  lines.push(
    '## Notes',
    '',
    '- `@cache/backend-redis` does more per call than raw ioredis: key checks, the JSON round-trip check, the binary ' +
      'envelope (created/expiry/tags header, 35 bytes more per value on the wire) and stats. It sends GET/SET/MGET as RESP ' +
      'frames it builds itself (the envelope written straight into the SET frame) and enforces `commandTimeout` with one ' +
      'shared timer rather than one per command; raw ioredis here has no `commandTimeout` at all. Client and server share 2 cores, so ' +
      'the client CPU per operation decides much of the throughput; the CPU table is the steadier guide.',
    '- "autoPipelining" in `@cache/backend-redis` writes the first command of a tick at once and corks the socket for the ' +
      "rest of the tick, instead of ioredis' `setImmediate`-deferred auto-pipelining: the lone-call cases do not pay for it " +
      'while 50 callers in flight share two writes.',
    '- bentocache has no getMany/setMany; its cases are n/a.',
    '',
  );
  if (only !== undefined || baseline !== undefined || caseNames !== undefined) {
    process.stdout.write(
      `${lines.join('\n')}\n(not written: BENCH_ONLY, BENCH_CASES or BENCH_BASELINE set)\n`,
    );
    return;
  }
  const out = fileURLToPath(new URL('../../docs/benchmarks/redis.md', import.meta.url));
  writeFileSync(out, `${lines.join('\n')}`);
  process.stdout.write(`${lines.join('\n')}\nwritten to ${out}\n`);
}

await main();
