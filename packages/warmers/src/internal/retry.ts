/**
 * Retries with exponential backoff and full jitter: before attempt n + 1 (n from 0) the run
 * waits `random() * min(maxDelay, baseDelay * 2 ** n)` (AWS's "full jitter"), so that the
 * retries of many keys, or of many instances, spread out instead of arriving together.
 */
import { CacheErrorCode, isCacheError } from '@cache/core';
import type { Timers } from '../timers.js';
import { Stopped, type Stopper } from './stopper.js';

/** How failed operations are retried. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  /** The backoff of the first retry, before jitter, in ms. */
  readonly baseDelay: number;
  /** The longest backoff, before jitter, in ms. */
  readonly maxDelay: number;
  readonly random: () => number;
  readonly timers: Timers;
}

const PERMANENT = new Set<string>([
  CacheErrorCode.keyInvalid,
  CacheErrorCode.serialization,
  CacheErrorCode.config,
  CacheErrorCode.full,
]);

/** Whether an error says that trying again cannot help: a bad key, value, option or size. */
export function isPermanent(error: unknown): boolean {
  return isCacheError(error) && PERMANENT.has(error.code);
}

/** The backoff before retry `attempt` (0 for the first retry), full jitter included. */
function backoff(policy: RetryPolicy, attempt: number): number {
  const cap = Math.min(policy.maxDelay, policy.baseDelay * 2 ** attempt);
  return policy.random() * cap;
}

/**
 * Runs `operation` until it succeeds, fails with a permanent error, or has failed `retries + 1`
 * times; the last error is thrown. Throws {@link Stopped} when the run stops during a backoff.
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  stopper: Stopper,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (error instanceof Stopped || attempt >= policy.retries || isPermanent(error)) throw error;
    }
    if (stopper.stopped) throw new Stopped();
    await sleep(backoff(policy, attempt), policy.timers, stopper);
  }
}

/** Waits `ms`, or throws {@link Stopped} as soon as the run stops. */
async function sleep(ms: number, timers: Timers, stopper: Stopper): Promise<void> {
  let handle: unknown;
  try {
    await stopper.race(
      new Promise<void>((resolve) => {
        handle = timers.setTimeout(resolve, ms);
      }),
    );
  } finally {
    timers.clearTimeout(handle);
  }
}
