/**
 * `schedule`: runs a task every period, with jitter, never two runs of one job at once, and with
 * a lock on a shared cache, one run per period across a fleet.
 *
 * The lock divides time into periods of `every` (period n is [n * every, (n + 1) * every) by the
 * clock) and takes the lease `<key>:<n>` with `cache.add` (atomic on every backend) before a run:
 * only the instance whose `add` succeeds runs in period n. Each delay between ticks is at most
 * `every`, so every period holds a tick of every live instance and some instance runs in it.
 * Instances whose clocks differ see period boundaries at slightly different times; near a
 * boundary two runs may then come closer together than `every`.
 */
import type { PlatformAbortSignal } from '@cache/core';
import { randomUUID } from 'node:crypto';
import {
  type Cache,
  CacheConfigError,
  type CacheError,
  type Clock,
  type Duration,
  systemClock,
} from '@cache/core';
import { checkOptionNames, parseTimerDuration, toCacheError, validateKey } from '@cache/core/backend';
import { unref } from './internal/unref.js';
import { systemTimers, type Timers } from './timers.js';

/** The lock of a schedule: a cache that the fleet shares, and where the leases go. */
export interface ScheduleLock {
  /** The cache the instances share (Redis, a file directory...). */
  cache: Cache;
  /** The prefix of the lease keys; give each job its own. @default 'warmers:schedule' */
  key?: string | undefined;
  /** How long a lease lives. @default `every` */
  ttl?: Duration | undefined;
}

/** What a run of the task receives. */
export interface ScheduleContext {
  /** Aborted by `stop()`. */
  readonly signal: PlatformAbortSignal;
  /** The period of this run: `floor(now / every)`. */
  readonly period: number;
}

/** Options of {@link schedule}. */
export interface ScheduleOptions {
  /** The period between runs. */
  every: Duration;
  /** A fraction (0 to 1): each wait is `every * (1 - jitter * random())`. @default 0 */
  jitter?: number | undefined;
  /** Run once at once (under the lock, if any), then every period. @default false */
  runAtStart?: boolean | undefined;
  /** With a lock, one instance of the fleet runs each period: a cache, or a {@link ScheduleLock}. */
  lock?: Cache | ScheduleLock | undefined;
  /** This instance's id, stored as the value of the leases it takes. @default a random UUID */
  instanceId?: string | undefined;
  /** Called with what a run throws (as a `CacheError`, the original as `cause`), or a lock failure. */
  onError?: ((error: CacheError) => void) | undefined;
  /** The time source of the periods. @default the system clock */
  clock?: Clock | undefined;
  /** The timers of the ticks (each is `unref()`ed where it can be). @default the platform's */
  timers?: Timers | undefined;
  /** Random numbers in [0, 1) for the jitter. @default Math.random */
  random?: (() => number) | undefined;
}

/** A running schedule. */
export interface ScheduledJob {
  /** Stops the ticks and aborts the signal of a run in progress; resolves once that run has settled. */
  stop(): Promise<void>;
  /** Whether a run (or its lock attempt) is in progress. */
  readonly running: boolean;
  /** Runs this instance has started. */
  readonly runs: number;
  /** Ticks that did not run: the last run was still going, or another instance held the period. */
  readonly skipped: number;
  /** Runs that threw, and lock attempts that failed. */
  readonly failures: number;
}

const NAMES = new Set([
  'every',
  'jitter',
  'runAtStart',
  'lock',
  'instanceId',
  'onError',
  'clock',
  'timers',
  'random',
]);
const LOCK_NAMES = new Set(['cache', 'key', 'ttl']);

function isCache(value: unknown): value is Cache {
  return value !== null && typeof value === 'object' && typeof (value as Cache).add === 'function';
}

/**
 * Runs `task` every `every` (with `jitter`), never overlapping: a tick that comes while the last
 * run is still going is skipped. With `lock`, one instance of the fleet runs each period. Timers
 * are `unref()`ed, so a schedule alone does not keep the process alive. A run that throws is
 * reported to `onError` and the schedule goes on.
 *
 * @example
 * const job = schedule(() => warm(cache, source), { every: '10m', jitter: 0.1, lock: { cache: redis, key: 'warm:users' } });
 * // on shutdown
 * await job.stop();
 * @throws CacheConfigError for bad options.
 */
export function schedule(task: (ctx: ScheduleContext) => unknown, options: ScheduleOptions): ScheduledJob {
  if (typeof task !== 'function') throw new CacheConfigError('schedule takes a task function');
  if (options === null || typeof options !== 'object') throw new CacheConfigError('schedule takes options');
  checkOptionNames(options, NAMES, 'schedule', false);
  if (options.every === undefined) throw new CacheConfigError('schedule needs every');
  const every = parseTimerDuration(options.every, 'every');
  const jitter = options.jitter ?? 0;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1))
    throw new CacheConfigError(`jitter must be a number from 0 to 1, got ${String(jitter)}`);
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const random = options.random ?? Math.random;
  const onError = options.onError;
  const instanceId = options.instanceId ?? randomUUID();
  if (typeof instanceId !== 'string' || instanceId.length === 0)
    throw new CacheConfigError('instanceId must be a non-empty string');
  let lock: { cache: Cache; key: string; ttl: number } | undefined;
  if (options.lock !== undefined) {
    const l = isCache(options.lock) ? { cache: options.lock } : options.lock;
    if (l === null || typeof l !== 'object' || !isCache(l.cache))
      throw new CacheConfigError('lock must be a cache or { cache, key?, ttl? }');
    checkOptionNames(l, LOCK_NAMES, 'schedule lock', false);
    const key = l.key ?? 'warmers:schedule';
    validateKey(`${key}:0`);
    lock = { cache: l.cache, key, ttl: l.ttl === undefined ? every : parseTimerDuration(l.ttl, 'lock ttl') };
  }

  const controller = new AbortController();
  let stopped = false;
  let timer: unknown;
  let current: Promise<void> | undefined;
  const state = { runs: 0, skipped: 0, failures: 0 };

  const report = (error: unknown, message: string) => {
    state.failures++;
    try {
      onError?.(toCacheError(error, message));
    } catch {
      // An error handler cannot stop the schedule.
    }
  };

  const runOnce = async (): Promise<void> => {
    const period = Math.floor(clock.now() / every);
    if (lock) {
      let won: boolean;
      try {
        won = await lock.cache.add(`${lock.key}:${period}`, instanceId, { ttl: lock.ttl });
      } catch (error) {
        report(error, 'schedule: the lock failed');
        return;
      }
      if (!won) {
        state.skipped++;
        return;
      }
    }
    if (stopped) return;
    state.runs++;
    try {
      await task({ signal: controller.signal, period });
    } catch (error) {
      report(error, 'schedule: the task failed');
    }
  };

  const tick = () => {
    timer = undefined;
    if (stopped) return;
    arm();
    if (current) {
      state.skipped++;
      return;
    }
    current = runOnce().finally(() => {
      current = undefined;
    });
  };

  const arm = () => {
    const delay = jitter === 0 ? every : every * (1 - jitter * random());
    timer = timers.setTimeout(tick, Math.max(1, Math.round(delay)));
    unref(timer);
  };

  if (options.runAtStart) tick();
  else arm();

  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      controller.abort();
      await current;
    },
    get running() {
      return current !== undefined;
    },
    get runs() {
      return state.runs;
    },
    get skipped() {
      return state.skipped;
    },
    get failures() {
      return state.failures;
    },
  };
}
