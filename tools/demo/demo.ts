/**
 * The toolkit in one minute, on the embedded memory backend (no server needed):
 * memoized slow calls, getOrSet single-flight, stats, and a namespace clear.
 * Run with `npm run demo` from the repository root.
 */
import { createCache, memoize } from '@cache/core';
import { namespaced } from '@cache/namespaced';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const time = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
  const start = performance.now();
  const result = await run();
  console.log(
    `  ${label.padEnd(34)} ${(performance.now() - start).toFixed(1).padStart(7)} ms  -> ${JSON.stringify(result)}`,
  );
  return result;
};

const cache = await createCache('memory://?maxEntries=10000&defaultTtl=5m');
console.log(
  `cache: ${cache.name} (${cache.constructor.name}, from 'memory://?maxEntries=10000&defaultTtl=5m')\n`,
);

console.log('1. memoize: a slow call (200 ms) is computed once, then served from memory');
let priceCalls = 0;
const priceOf = memoize(
  async (sku: string) => {
    priceCalls++;
    await sleep(200);
    return { sku, price: 9.99 };
  },
  { cache, ttl: '1m', key: (sku) => `price:${sku}` },
);
await time("priceOf('apple')  first call", () => priceOf('apple'));
await time("priceOf('apple')  second call", () => priceOf('apple'));
await time("priceOf('pear')   another key", () => priceOf('pear'));
console.log(`  the slow function ran ${priceCalls} times\n`);

console.log('2. getOrSet single-flight: 100 concurrent requests for one key run the factory once');
let factoryRuns = 0;
const values = await time('100 x getOrSet("report")', async () => {
  const all = await Promise.all(
    Array.from({ length: 100 }, () =>
      cache.getOrSet('report', async () => {
        factoryRuns++;
        await sleep(100);
        return 'quarterly report';
      }),
    ),
  );
  return `${all.length} answers, ${new Set(all).size} distinct`;
});
void values;
console.log(`  the factory ran ${factoryRuns} time(s)\n`);

console.log('3. namespaces: clear() of one namespace leaves its neighbours alone');
const users = namespaced(cache, 'users');
const users2 = namespaced(cache, 'users2');
await users.set('1', { name: 'Ada' });
await users.set('2', { name: 'Grace' });
await users2.set('1', { name: 'neighbour with a similar name' });
const before: string[] = [];
for await (const key of cache.keys()) before.push(key);
console.log(`  keys in the cache before: ${JSON.stringify(before.sort())}`);
await users.clear();
const after: string[] = [];
for await (const key of cache.keys()) after.push(key);
console.log(`  after users.clear():      ${JSON.stringify(after.sort())}`);
console.log(`  users2.get('1') still -> ${JSON.stringify(await users2.get('1'))}\n`);

console.log(`  users.get('1') now   -> ${JSON.stringify(await users.get('1'))}\n`);

console.log('4. stats: the whole cache, and each namespace counting only its own traffic');
const show = (label: string, { hits, misses, sets, hitRatio, entries }: Record<string, unknown>) =>
  console.log(
    `  ${label.padEnd(16)} hits=${hits} misses=${misses} sets=${sets} hitRatio=${Number(hitRatio).toFixed(2)}` +
      (entries === undefined ? '' : ` entries=${entries}`),
  );
show('cache', cache.stats.snapshot());
show('users', users.stats.snapshot());
show('users2', users2.stats.snapshot());

await cache.close();
