import { MapCache } from '@cache/test-utils';
import { describeCacheContract } from '../src/index.js';

describeCacheContract({
  name: 'MapCache with the injected clock',
  create: (options) => new MapCache(options),
  capabilities: { clock: true },
});

describeCacheContract({
  name: 'MapCache on real time',
  create: ({ defaultTtl, maxKeyBytes }) =>
    new MapCache({
      ...(defaultTtl === undefined ? {} : { defaultTtl }),
      ...(maxKeyBytes === undefined ? {} : { maxKeyBytes }),
    }),
});
