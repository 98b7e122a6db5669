export { chaos, type ChaosOptions } from './chaos.js';
export { ManualClock } from '@cache/core';
export { uniqueKey, uniquePrefix } from './unique.js';
export { MapCache, type MapCachePrimitive } from './map-cache.js';
export { SyncMapCache } from './sync-map-cache.js';
export { mulberry32 } from './random.js';
export { collect, collectSorted, expectCacheError, rejection } from './async.js';
