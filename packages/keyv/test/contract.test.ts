import { describeCacheContract } from '@cache/conformance';
import { uniquePrefix } from '@cache/test-utils';
import KeyvRedis, { createKeyv } from '@keyv/redis';
import type Keyv from 'keyv';
import Keyv6 from 'keyv6';
import { afterAll, expect } from 'vitest';
import { fromKeyv } from '../src/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeCacheContract({
  name: 'fromKeyv(new Map())',
  create: (options) => {
    const cache = fromKeyv(new Map(), options);
    expect(cache.capabilities).toEqual({ scan: true, atomicAdd: false, sharedLocks: false });
    return cache;
  },
  capabilities: { propertyRuns: 200 },
});

// One namespace per cache, each Keyv with its own connection; every namespace is cleared and
// every connection closed after the suite.
const made: Keyv[] = [];
const namespace = uniquePrefix('keyv-contract').replace(/:$/, '');
let count = 0;
afterAll(async () => {
  for (const keyv of made) {
    await keyv.clear();
    await keyv.disconnect();
  }
});

describeCacheContract({
  name: 'fromKeyv(@keyv/redis)',
  create: (options) => {
    const keyv = createKeyv(REDIS_URL, { namespace: `${namespace}-${count++}` });
    keyv.throwOnErrors = true;
    made.push(keyv);
    return fromKeyv(keyv, options);
  },
  capabilities: { propertyRuns: 50 },
});

// keyv 6 (installed as `keyv6`): a keyv 6 Keyv given as is, over a Map (keyv 6's Map adapter) and
// over @keyv/redis (which keyv 6 takes through its bridge).
describeCacheContract({
  name: 'fromKeyv(keyv 6 over a Map)',
  create: (options) => {
    const cache = fromKeyv(new Keyv6({ store: new Map(), namespace: 'app' }) as never, options);
    expect(cache.capabilities).toEqual({ scan: true, atomicAdd: false, sharedLocks: false });
    return cache;
  },
  capabilities: { propertyRuns: 100 },
});

const made6: Keyv6[] = [];
afterAll(async () => {
  for (const keyv of made6) {
    await keyv.clear();
    await keyv.disconnect();
  }
});

describeCacheContract({
  name: 'fromKeyv(keyv 6 over @keyv/redis)',
  create: (options) => {
    const keyv = new Keyv6({ store: new KeyvRedis(REDIS_URL), namespace: `${namespace}-6-${count++}` });
    made6.push(keyv);
    return fromKeyv(keyv as never, options);
  },
  capabilities: { propertyRuns: 50 },
});
