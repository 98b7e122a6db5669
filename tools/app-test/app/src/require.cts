// A CommonJS module of the application: it loads the packages with require().
import core = require('@cache/core');
import memory = require('@cache/backend-memory');

async function main(): Promise<void> {
  const cache = await core.createCache('memory://?maxEntries=10');
  await cache.set('k', { n: 1 });
  const direct = new memory.MemoryCache();
  await direct.set('k', 2);
  const error = await cache.set('', 1).catch((e: unknown) => e);
  console.log(
    JSON.stringify({
      value: await cache.get('k'),
      direct: await direct.get('k'),
      code: error instanceof core.CacheKeyError ? error.code : null,
    }),
  );
  await cache.close();
  await direct.close();
}
void main();
