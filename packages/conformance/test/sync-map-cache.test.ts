import { SyncMapCache } from '@cache/test-utils';
import { describeCacheContract } from '../src/index.js';

// SyncCache's derived contract, apart from MemoryCache's storage.
describeCacheContract({
  name: 'SyncMapCache with the injected clock',
  create: (options) => new SyncMapCache(options),
  capabilities: { clock: true, entryInfo: { hits: true, lastAccessAt: true } },
});
