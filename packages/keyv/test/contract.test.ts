import { describeCacheContract } from '@cache/conformance';
import { uniquePrefix } from '@cache/test-utils';
import { createKeyv } from '@keyv/redis';
import type Keyv from 'keyv';
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
