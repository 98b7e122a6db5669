import type { CacheError } from '@cache/core';
import { expect } from 'vitest';

/** Every item of an async iterable, in order. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Every string of an async iterable (keys, usually), sorted: for listings whose order is not defined. */
export async function collectSorted(iterable: AsyncIterable<string>): Promise<string[]> {
  return (await collect(iterable)).sort();
}

/**
 * What a call throws or a promise rejects with. A call or promise that succeeds fails the test
 * with `expected a rejection`: the caller's `expect(...).toBeInstanceOf(...)` then never sees a
 * stray `undefined`.
 */
export async function rejection(run: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof run === 'function' ? run() : run);
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/**
 * Expects `run` to throw or reject with a `type` carrying `code` (any code when `code` is left
 * out), and returns that error.
 */
export async function expectCacheError<E extends CacheError>(
  run: Promise<unknown> | (() => unknown),
  type: abstract new (...args: never[]) => E,
  code?: string,
): Promise<E> {
  const error = await rejection(run);
  expect(error).toBeInstanceOf(type);
  if (code !== undefined) expect((error as E).code).toBe(code);
  return error as E;
}
