import { expectCacheError } from '@cache/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CacheConfigError, CacheErrorCode, ManualClock } from '../src/index.js';
import { waitForLock } from '../src/backend.js';

/** A manual clock whose sleeps move it at once, recording each pause and the time of each try. */
function fakeTime(start = 1_000) {
  const clock = new ManualClock(start);
  const pauses: number[] = [];
  const tries: number[] = [];
  const sleep = (ms: number) => {
    pauses.push(ms);
    clock.advance(ms);
    return Promise.resolve();
  };
  /** Fails every try, or succeeds (with 'held') on try number `succeedOn`. */
  const attempt =
    (succeedOn = Number.POSITIVE_INFINITY, cost = 0) =>
    async () => {
      tries.push(clock.now() - start);
      clock.advance(cost);
      return tries.length === succeedOn ? 'held' : undefined;
    };
  return { clock, sleep, pauses, tries, attempt };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('waitForLock', () => {
  it('doubles its pauses up to maxDelay, cuts the last one to the deadline and tries once more there', async () => {
    const time = fakeTime();
    const result = await waitForLock(time.attempt(), {
      wait: 100,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0,
    });
    expect(result).toBeUndefined();
    // Steps 5, 10, 20, 40, 50, 50, 50; with random 0 each pause is half its step.
    expect(time.pauses).toEqual([2.5, 5, 10, 20, 25, 25, 12.5]);
    expect(time.tries).toEqual([0, 2.5, 7.5, 17.5, 37.5, 62.5, 87.5, 100]);
    expect(time.clock.now()).toBe(1_100);
  });

  it('takes initialDelay and maxDelay; a random part of 0.5 pauses for three quarters of each step', async () => {
    const time = fakeTime();
    await waitForLock(time.attempt(), {
      wait: 60,
      initialDelay: 4,
      maxDelay: 16,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0.5,
    });
    expect(time.pauses).toEqual([3, 6, 12, 12, 12, 12, 3]);
    expect(time.tries).toEqual([0, 3, 9, 21, 33, 45, 57, 60]);
  });

  it('returns what the try gave as soon as it gives something', async () => {
    const time = fakeTime();
    const result = await waitForLock(time.attempt(3), {
      wait: 1_000,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0.5,
    });
    expect(result).toBe('held');
    expect(time.pauses).toEqual([3.75, 7.5]);
    expect(time.tries).toEqual([0, 3.75, 11.25]);
  });

  it('tries exactly once with a wait of 0', async () => {
    const time = fakeTime();
    expect(
      await waitForLock(time.attempt(), { wait: 0, clock: time.clock, sleep: time.sleep }),
    ).toBeUndefined();
    expect(time.tries).toEqual([0]);
    expect(time.pauses).toEqual([]);
  });

  it('never pauses past the deadline when the tries themselves take time', async () => {
    const time = fakeTime();
    const result = await waitForLock(time.attempt(Number.POSITIVE_INFINITY, 7), {
      wait: 30,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0,
    });
    expect(result).toBeUndefined();
    // Tries at 0, 9.5, 21.5; the pause after the third is cut to the 1.5 ms left.
    expect(time.tries).toEqual([0, 9.5, 21.5, 30]);
    expect(time.pauses).toEqual([2.5, 5, 1.5]);
  });

  it('caps the first pause at maxDelay', async () => {
    const time = fakeTime();
    await waitForLock(time.attempt(), {
      wait: 9,
      initialDelay: 50,
      maxDelay: 4,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0,
    });
    expect(time.pauses).toEqual([2, 2, 2, 2, 1]);
  });

  it('waits on timers by default, settling at the deadline', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    let tries = 0;
    let settled = false;
    const waiting = waitForLock(
      async () => {
        tries++;
        return undefined;
      },
      { wait: 30, initialDelay: 4, clock: { now: () => Date.now() }, random: () => 0 },
    ).then((result) => {
      settled = true;
      return result;
    });
    await vi.advanceTimersByTimeAsync(29);
    expect([tries, settled]).toEqual([4, false]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await waiting).toBeUndefined();
    // Tries at 0, 2, 6, 14 and 30 (the last pause is half its step of 32).
    expect(tries).toBe(5);
  });

  it('passes on what a try throws', async () => {
    const failure = new Error('backend down');
    await expect(waitForLock(() => Promise.reject(failure), { wait: 100 })).rejects.toBe(failure);
  });

  it('refuses a wait or a delay that a timer does not take with CacheConfigError', async () => {
    const never = async () => undefined;
    for (const wait of [-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      await expectCacheError(waitForLock(never, { wait }), CacheConfigError, CacheErrorCode.config);
    }
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expectCacheError(
        waitForLock(never, { wait: 1, initialDelay: bad }),
        CacheConfigError,
        CacheErrorCode.config,
      );
      await expectCacheError(
        waitForLock(never, { wait: 1, maxDelay: bad }),
        CacheConfigError,
        CacheErrorCode.config,
      );
    }
  });
});
