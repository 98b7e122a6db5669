// fromKeyv over a bare store where the application's keyv is keyv 6: `keyv` resolves to keyv 6
// here (installed as `keyv6`), so the Keyv that fromKeyv makes over the store is a keyv 6 one.
import { describeCacheContract } from '@cache/conformance';
import { uniquePrefix } from '@cache/test-utils';
import KeyvRedis from '@keyv/redis';
import Keyv6 from 'keyv6';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { fromKeyv, type KeyvCache } from '../src/index.js';

vi.mock('keyv', async () => await import('keyv6'));

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('fromKeyv over a store, with keyv 6', () => {
  it('makes a keyv 6 Keyv in its namespace and declares what the store can do', async () => {
    const map = new Map();
    const cache = fromKeyv(map);
    expect(cache.keyv).toBeInstanceOf(Keyv6);
    expect(cache.capabilities).toEqual({ scan: true, atomicAdd: false, sharedLocks: false });
    await cache.set('k', 0, { tags: ['t'] });
    expect(await cache.get('k')).toBe(0);
    expect([...map.keys()]).toEqual(['cache::e:k']);
    await cache.invalidateTags(['t']);
    expect(await cache.get('k')).toBeUndefined();
    await cache.close();
  });

  it("rejects with the store's error", async () => {
    const failing = {
      get: async () => {
        throw new Error('store down');
      },
      set: async () => {
        throw new Error('store down');
      },
      delete: async () => false,
      clear: async () => undefined,
    };
    const cache = fromKeyv(failing as never);
    await expect(cache.set('k', 1)).rejects.toThrow('store down');
    await expect(cache.get('k')).rejects.toThrow('store down');
    await cache.close();
  });
});

describeCacheContract({
  name: 'fromKeyv(new Map()) with keyv 6',
  create: (options) => fromKeyv(new Map(), options),
  capabilities: { propertyRuns: 100 },
});

const made: KeyvCache[] = [];
const namespace = uniquePrefix('keyv6-store').replace(/:$/, '');
let count = 0;
afterAll(async () => {
  for (const cache of made) {
    await cache.keyv.clear();
    await cache.keyv.disconnect();
  }
});

describeCacheContract({
  name: 'fromKeyv(@keyv/redis) with keyv 6',
  create: (options) => {
    const cache = fromKeyv(new KeyvRedis(REDIS_URL), { ...options, namespace: `${namespace}-${count++}` });
    made.push(cache);
    return cache;
  },
  capabilities: { propertyRuns: 50 },
});
