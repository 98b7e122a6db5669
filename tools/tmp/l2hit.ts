import { MemoryCache } from '@cache/backend-memory';
import { RedisBus, RedisCache } from '@cache/backend-redis';
import { tiered } from '@cache/tiered';
const url = 'redis://127.0.0.1:6379';
const v = { id: 1, name: 'user-1', email: 'user-1@example.com', roles: ['reader', 'writer'], active: true };
const l2 = new RedisCache({ url, prefix: 'l2hit:' });
const c = tiered({
  l1: new MemoryCache({ maxEntries: 100 }),
  l2,
  bus: new RedisBus({ url, channel: 'l2hit' }),
});
await new Promise((r) => setTimeout(r, 300));
for (let i = 0; i < 10000; i++) await l2.set(`k${i}`, v, { ttl: 600000 });
async function m(label: string, fn: (i: number) => Promise<unknown>, n = 30000) {
  let best = Infinity;
  for (let r = 0; r < 4; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn(i);
    const u = process.cpuUsage(c0);
    best = Math.min(best, (u.user + u.system) / n);
  }
  console.log(label, best.toFixed(2), 'µs cpu/op');
}
await m('l2.get', (i) => l2.get(`k${i % 10000}`));
await m('tiered get L2 hit', (i) => c.get(`k${i % 10000}`));
if (process.argv[2] === 'prof') {
  const n = 60000;
  for (let i = 0; i < n; i++) await c.get(`k${i % 10000}`);
}
await c.close();
