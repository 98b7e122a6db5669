import { CacheError, type CacheErrorCode } from '@cache/core';
import { expect } from 'vitest';

/** A `CacheError` class, for assertions. */
export type CacheErrorClass = abstract new (...args: never[]) => CacheError;

/**
 * Runs `run` (sync or async) and asserts that it fails with an error of `type` and this `code`
 * (and that the error is a `CacheError`). Returns the error.
 */
export async function expectCacheError(
  run: () => unknown,
  type: CacheErrorClass,
  code: CacheErrorCode,
): Promise<CacheError> {
  let failure: unknown;
  let failed = false;
  try {
    await run();
  } catch (error) {
    failure = error;
    failed = true;
  }
  expect(failed, `expected a ${type.name} (${code})`).toBe(true);
  expect(failure).toBeInstanceOf(CacheError);
  expect(failure).toBeInstanceOf(type);
  expect((failure as CacheError).code).toBe(code);
  return failure as CacheError;
}
