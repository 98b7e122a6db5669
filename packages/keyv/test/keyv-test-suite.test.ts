// keyv's own adapter test suite (@keyv/test-suite), run against toKeyvStore over a MemoryCache
// and over a cache made by fromKeyv (a Map behind it): every Keyv gets its own adapter over the
// one shared cache, as the README asks.
import { MemoryCache } from '@cache/backend-memory';
import keyvTestSuite, { keyvIteratorTests } from '@keyv/test-suite';
import Keyv from 'keyv';
import * as test from 'vitest';
import { fromKeyv, toKeyvStore } from '../src/index.js';

test.describe('toKeyvStore(MemoryCache)', () => {
  const cache = new MemoryCache();
  const store = () => toKeyvStore(cache) as never;
  keyvTestSuite(test, Keyv, store);
  keyvIteratorTests(test, Keyv, store);
});

test.describe('toKeyvStore(fromKeyv(new Map()))', () => {
  const cache = fromKeyv(new Map());
  const store = () => toKeyvStore(cache) as never;
  keyvTestSuite(test, Keyv, store);
  keyvIteratorTests(test, Keyv, store);
});
