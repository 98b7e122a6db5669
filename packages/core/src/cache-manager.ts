import { type CacheConfig, createCache } from './create-cache.js';
import { CacheConfigError } from './errors.js';
import type { Cache } from './types.js';

/**
 * Named caches from configuration, created on first use; `close()` closes every cache it created.
 *
 * @example
 * const caches = new CacheManager({ sessions: 'redis://127.0.0.1:6379', pages: { backend: 'memory' } });
 * const sessions = await caches.get('sessions');
 */
export class CacheManager {
  readonly #configs: Map<string, CacheConfig | string>;
  readonly #caches = new Map<string, Promise<Cache>>();
  #closed = false;

  constructor(configs: Record<string, CacheConfig | string>) {
    if (configs === null || typeof configs !== 'object')
      throw new CacheConfigError('CacheManager takes an object of configurations');
    this.#configs = new Map(Object.entries(configs));
  }

  /** The names this manager knows. */
  get names(): string[] {
    return [...this.#configs.keys()];
  }

  /**
   * The cache with this name, created on first call.
   * @throws CacheConfigError for an unknown name or after `close()`.
   */
  get<V = unknown>(name: string): Promise<Cache<V>> {
    if (this.#closed) return Promise.reject(new CacheConfigError('this CacheManager is closed'));
    let cache = this.#caches.get(name);
    if (!cache) {
      const config = this.#configs.get(name);
      if (config === undefined)
        return Promise.reject(new CacheConfigError(`no cache named ${JSON.stringify(name)}`));
      cache = createCache(typeof config === 'string' ? config : { name, ...config });
      // A failed creation is not kept: the next call tries again.
      cache.catch(() => this.#caches.delete(name));
      this.#caches.set(name, cache);
    }
    return cache as Promise<Cache<V>>;
  }

  /** Closes every cache created so far. */
  async close(): Promise<void> {
    this.#closed = true;
    const caches = [...this.#caches.values()];
    this.#caches.clear();
    const results = await Promise.allSettled(caches.map(async (cache) => (await cache).close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
