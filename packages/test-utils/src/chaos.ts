import type { Cache } from '@cache/core';

/** What {@link chaos} does to each call. */
export interface ChaosOptions {
  /** Throw this error from every call (a function is called to make a fresh one). */
  fail?: Error | (() => Error);
  /** Delay every call by this many ms (real time). */
  delay?: number;
  /** Only these methods; all async methods when absent. */
  methods?: readonly (keyof Cache)[];
}

const ASYNC_METHODS = [
  'get',
  'getOrThrow',
  'getEntry',
  'set',
  'add',
  'has',
  'delete',
  'getMany',
  'setMany',
  'deleteMany',
  'clear',
  'deleteMatching',
  'invalidateTags',
  'getOrSet',
] as const;

/**
 * Wraps a cache so that its calls fail or are delayed: for fault tests of compositions.
 * `setFail` and `setDelay` change the behaviour while the test runs.
 */
export function chaos<V>(
  cache: Cache<V>,
  options: ChaosOptions = {},
): Cache<V> & {
  setFail(fail: ChaosOptions['fail']): void;
  setDelay(ms: number | undefined): void;
} {
  let { fail, delay } = options;
  const methods = new Set<PropertyKey>(options.methods ?? ASYNC_METHODS);
  const wrapped = new Proxy(cache, {
    get(target, prop, receiver) {
      if (prop === 'setFail') return (f: ChaosOptions['fail']) => (fail = f);
      if (prop === 'setDelay') return (ms: number | undefined) => (delay = ms);
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || !methods.has(prop))
        return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        if (delay !== undefined) await new Promise((r) => setTimeout(r, delay));
        if (fail !== undefined) throw typeof fail === 'function' ? fail() : fail;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return wrapped as Cache<V> & {
    setFail(fail: ChaosOptions['fail']): void;
    setDelay(ms: number | undefined): void;
  };
}
