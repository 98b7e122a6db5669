import { MemoryCache } from '@cache/backend-memory';
import { type CacheError, CacheConfigError, CacheConnectionError, ManualClock } from '@cache/core';
import { MapCache, mulberry32 } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import { schedule, type Timers } from '../src/index.js';
import { deferred, ManualTimers } from './helpers.js';

const EVERY = 1000;

describe('schedule', () => {
  it('runs every period, and at start when asked', async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    let runs = 0;
    const job = schedule(
      () => {
        runs++;
      },
      { every: EVERY, runAtStart: true, clock, timers },
    );
    await timers.advance(0);
    expect(runs).toBe(1);
    await timers.advance(5 * EVERY);
    expect(runs).toBe(6);
    expect(job.runs).toBe(6);
    expect(timers.delays.every((d) => d === EVERY)).toBe(true);
    await job.stop();
    await timers.advance(5 * EVERY);
    expect(runs).toBe(6);
    expect(timers.pending).toBe(0);
  });

  it('with jitter, every wait is within [every * (1 - jitter), every]', async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const job = schedule(() => {}, { every: EVERY, jitter: 0.3, clock, timers, random: mulberry32(3) });
    await timers.advance(50 * EVERY);
    await job.stop();
    expect(timers.delays.length).toBeGreaterThan(50);
    for (const d of timers.delays) {
      expect(d).toBeGreaterThanOrEqual(700);
      expect(d).toBeLessThanOrEqual(1000);
    }
    expect(new Set(timers.delays).size).toBeGreaterThan(10);
    expect(job.runs).toBe(timers.delays.length - 1);
  });

  it('never overlaps: a tick while the last run goes on is skipped', async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const gate = deferred();
    let started = 0;
    const job = schedule(
      async () => {
        started++;
        await gate.promise;
      },
      { every: EVERY, clock, timers },
    );
    await timers.advance(EVERY);
    expect(job.running).toBe(true);
    await timers.advance(3 * EVERY);
    expect(started).toBe(1);
    expect(job.skipped).toBe(3);
    gate.resolve();
    await timers.advance(0);
    expect(job.running).toBe(false);
    await timers.advance(EVERY);
    expect(started).toBe(2);
    await job.stop();
  });

  it('two instances with a lock run once per period', async () => {
    const clock = new ManualClock(); // starts on a period boundary
    const timers = new ManualTimers(clock);
    const shared = new MemoryCache({ clock });
    const periods: [string, number][] = [];
    const start = (id: string, seed: number) =>
      schedule(
        ({ period }) => {
          periods.push([id, period]);
        },
        {
          every: EVERY,
          jitter: 0.2,
          runAtStart: true,
          lock: { cache: shared, key: 'warm:users' },
          instanceId: id,
          clock,
          timers,
          random: mulberry32(seed),
        },
      );
    const a = start('a', 1);
    const b = start('b', 2);
    const first = Math.floor(clock.now() / EVERY);
    await timers.advance(20 * EVERY - 1);
    await a.stop();
    await b.stop();
    const ran = periods.map(([, p]) => p - first);
    // Each of the 20 periods ran exactly once, by one of the two instances.
    expect([...ran].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(a.runs + b.runs).toBe(20);
    expect(a.runs).toBeGreaterThan(0);
    expect(b.runs).toBeGreaterThan(0);
    // Every tick (2 at start, plus every timer but the two that stop() cleared) ran or lost the lease.
    expect(a.runs + a.skipped + b.runs + b.skipped).toBe(2 + timers.delays.length - 2);
    expect(a.skipped + b.skipped).toBeGreaterThan(0);
  });

  it('with a lock as a bare cache, the default key, and a lease of one period', async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const cache = new MapCache({ clock });
    const job = schedule(() => {}, {
      every: EVERY,
      runAtStart: true,
      lock: cache,
      instanceId: 'me',
      clock,
      timers,
    });
    await timers.advance(0);
    const period = Math.floor(clock.now() / EVERY);
    const lease = await cache.getEntry(`warmers:schedule:${period}`);
    expect(lease?.value).toBe('me');
    expect(lease?.expiresAt).toBe(clock.now() + EVERY);
    await job.stop();
  });

  it('a failing task or lock is reported and the schedule goes on', async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const cache = new MapCache({ clock });
    const errors: CacheError[] = [];
    let calls = 0;
    const job = schedule(
      () => {
        calls++;
        throw new Error('task broke');
      },
      { every: EVERY, lock: cache, clock, timers, onError: (e) => errors.push(e) },
    );
    await timers.advance(EVERY);
    cache.failWith(() => new CacheConnectionError('down'), ['addEntry']);
    await timers.advance(EVERY);
    cache.failWith(undefined);
    await timers.advance(EVERY);
    await job.stop();
    expect(calls).toBe(2);
    expect(job.failures).toBe(3);
    expect(errors.map((e) => e.code)).toEqual(['CACHE_ERROR', 'CACHE_CONNECTION', 'CACHE_ERROR']);
    expect(errors[0]?.cause).toMatchObject({ message: 'task broke' });
  });

  it('stop() aborts the signal of the run in progress and waits for it', async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    let seen: AbortSignal | undefined;
    let finished = false;
    const job = schedule(
      async ({ signal }) => {
        seen = signal;
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        finished = true;
      },
      { every: EVERY, runAtStart: true, clock, timers },
    );
    await timers.advance(0);
    expect(seen?.aborted).toBe(false);
    await job.stop();
    expect(seen?.aborted).toBe(true);
    expect(finished).toBe(true);
  });

  it('unrefs its timers', async () => {
    const handles: NodeJS.Timeout[] = [];
    const timers: Timers = {
      setTimeout: (callback, ms) => {
        const handle = setTimeout(callback, ms);
        handles.push(handle);
        return handle;
      },
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    };
    const job = schedule(() => {}, { every: '1h', timers });
    expect(handles).toHaveLength(1);
    expect(handles[0]?.hasRef()).toBe(false);
    await job.stop();
  });

  it.each([
    [{}],
    [{ every: 0 }],
    [{ every: '1h', jitter: 2 }],
    [{ every: '1h', lock: {} }],
    [{ every: '1h', lock: { cache: new MapCache(), ttl: -1 } }],
    [{ every: '1h', evry: 1 }],
    [{ every: '1h', instanceId: '' }],
  ])('refuses %j with CacheConfigError', (options) => {
    expect(() => schedule(() => {}, options as never)).toThrow(CacheConfigError);
  });
});
