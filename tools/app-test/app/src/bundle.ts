// Bundled with esbuild and run where no node_modules exist: the backends it uses are registered,
// so nothing is imported by package name at run time.
import { createCache, registerBackend } from '@cache/core';

registerBackend('memory', () => import('@cache/backend-memory'));
registerBackend('file', () => import('@cache/backend-file'));

const url = process.argv[2];
if (url === undefined) throw new Error('usage: node bundle.mjs <cache url>');
const cache = await createCache(url);
await cache.set('when', { at: new Date(0) });
const back = await cache.get<{ at: Date }>('when');
const computed = await cache.getOrSet('n', () => 42);
await cache.clear();
await cache.close();
console.log(JSON.stringify({ at: back?.at.toISOString() ?? null, computed }));
