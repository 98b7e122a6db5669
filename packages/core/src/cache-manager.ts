import { type CacheBackends, type CacheConfig, type CacheConfigFor, createCache } from './create-cache.js';
import { CacheConfigError } from './errors.js';
import type { Cache } from './types.js';

/** Refuses keys of `S` that `T` does not have, so a misspelt option is a compile error. */
type Exact<T, S> = T & { [K in Exclude<keyof S, keyof T>]: never };

/** What {@link CacheManager} accepts for one name: a URL, or a configuration typed by its backend. */
export type CacheManagerEntry<C> = C extends { backend: infer B extends string }
  ? B extends keyof CacheBackends
    ? Exact<CacheConfigFor<B>, C>
    : CacheConfigFor<B>
  : string;

/**
 * Named caches from configuration, created on first use; `close()` closes every cache it created.
 *
 * @example
 * const caches = new CacheManager({ sessions: 'redis://127.0.0.1:6379', pages: { backend: 'memory' } });
 * const sessions = await caches.get('sessions');
 */
export class CacheManager<
  const C extends { [N in keyof C]: CacheManagerEntry<C[N]> } = Record<string, CacheConfig | string>,
> {
  readonly #configs: Map<string, CacheConfig | string>;
  readonly #caches = new Map<string, Promise<Cache>>();
  #closed = false;

  constructor(configs: C) {
    if (configs === null || typeof configs !== 'object')
      throw new CacheConfigError('CacheManager takes an object of configurations');
    this.#configs = new Map(Object.entries(configs as Record<string, CacheConfig | string>));
  }

  /** The names this manager knows. */
  get names(): (keyof C & string)[] {
    return [...this.#configs.keys()] as (keyof C & string)[];
  }

  /**
   * The cache with this name, created on first call.
   * @throws CacheConfigError for an unknown name or after `close()`.
   */
  get<V = unknown>(name: keyof C & string): Promise<Cache<V>> {
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
