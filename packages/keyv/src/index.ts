export { fromKeyv, KeyvCache, type KeyvCacheCapabilities, type KeyvCacheOptions } from './from-keyv.js';
export { type CacheKeyvStore, type KeyvStoreOptions, toKeyvStore } from './to-keyv-store.js';
