export { createBackend } from './create-backend.js';
export { FileCache } from './file-cache.js';
export type { FileCacheOptions } from './file-cache-options.js';
