// One program, run unchanged on memory://, file:// and redis:// (the URL is its only argument):
// the output must be the same on every backend.
import { isDeepStrictEqual } from 'node:util';
import { createCache, memoize } from '@cache/core';
import { namespaced } from '@cache/namespaced';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: node dist/app.js <cache url>');
const cache = await createCache(url);

const value = {
  when: new Date(0),
  roles: new Set(['admin']),
  counts: new Map<string, bigint>([['x', 2n ** 70n]]),
  body: Buffer.from('hello'),
  bytes: new Uint8Array([1, 2, 3]),
  pattern: /a+b/gi,
  odd: [Number.NaN, Number.NEGATIVE_INFINITY, -0, undefined],
  missing: undefined,
};
await cache.set('value', value, { ttl: '5m' });
const back = await cache.get<typeof value>('value');

const user = await cache.getOrSet('user:1', async () => ({ name: 'Ada', since: new Date(0) }), {
  ttl: '5m',
  tags: ['users'],
});
const cachedUser = await cache.getOrSet('user:1', async () => ({ name: 'not called', since: new Date(1) }));
await cache.invalidateTags(['users']);

const users = namespaced(cache, 'users');
await users.set('42', { name: 'Grace' });
const fromNamespace = await users.get<{ name: string }>('42');
await users.clear();

let computed = 0;
const price = memoize(
  async (sku: string) => {
    computed++;
    return sku.length * 100;
  },
  { cache, name: 'prices', ttl: '30s' },
);
const prices = [await price('abc'), await price('abc'), await price('abcd')];

const report = {
  roundTrip: isDeepStrictEqual(back, value),
  bodyIsBuffer: Buffer.isBuffer(back?.body),
  userName: user.name,
  userSince: cachedUser.since.toISOString(),
  afterInvalidate: (await cache.get('user:1')) ?? null,
  fromNamespace: fromNamespace?.name ?? null,
  namespaceCleared: !(await cache.has('users:42')) && (await cache.has('value')),
  prices,
  computed,
};
await cache.clear();
report.namespaceCleared &&= !(await cache.has('value'));
await cache.close();
console.log(JSON.stringify(report));
