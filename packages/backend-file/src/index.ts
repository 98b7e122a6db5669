export { createBackend, optionsFromUrl } from './create-backend.js';
export { FileCache } from './file-cache.js';
export type { FileCacheOptions } from './file-cache-options.js';

declare module '@cache/core' {
  /** `createCache({ backend: 'file', ... })` takes the options of the file backend. */
  interface CacheBackends {
    file: import('./file-cache-options.js').FileCacheOptions;
  }
}
