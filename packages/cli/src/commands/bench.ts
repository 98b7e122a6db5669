/**
 * `cache bench`: load on the cache from this process: get, set or getOrSet on uniform or Zipf
 * keys with a given concurrency and value size, for a duration or a number of operations;
 * throughput and latency percentiles from a log-bucketed histogram.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CacheConfigError, parseByteSize } from '@cache/core';
import { parseTimerDuration } from '@cache/core/backend';
import { ExitCode } from '../exit-codes.js';
import { choiceOption, exclusive, integerOption } from '../internal/args.js';
import type { Command } from '../internal/command.js';
import { formatDuration, roundMs } from '../internal/format.js';
import { Histogram } from '../internal/histogram.js';
import { keyPicker, seededRandom } from '../internal/key-picker.js';

/** The reserved key prefix of `bench` (under the cache's own prefix and namespace). */
const BENCH_KEY_PREFIX = '__cache-cli:bench:';

const OPS = ['get', 'set', 'getOrSet'] as const;
const PREFILL_BATCH = 500;

export const benchCommand: Command = {
  name: 'bench',
  summary: 'load the cache: get, set or getOrSet on uniform or Zipf keys; ops/s and latency percentiles',
  usage:
    'bench [--op get|set|getOrSet] [--keys <n>] [--dist uniform|zipf] [--concurrency <n>] [--value-size <bytes>] [--duration <d> | --ops <n>]',
  details: [
    `Keys are ${BENCH_KEY_PREFIX}<run>:<i> under the cache's own prefix; get first fills them all;`,
    'every key of the run is removed at the end. Latencies come from a log-bucketed histogram',
    '(1.6% resolution); JSON fields: op, dist, skew, keys, concurrency, valueSize, ops, errors,',
    'hits, misses, durationMs, opsPerSec, latencyMs {mean, p50, p90, p99, max}.',
  ],
  options: {
    op: { type: 'string', value: '<op>', description: 'get (default), set or getOrSet' },
    keys: { type: 'string', value: '<n>', description: 'distinct keys (default 1000)' },
    dist: { type: 'string', value: '<dist>', description: 'uniform (default) or zipf' },
    skew: { type: 'string', value: '<s>', description: "Zipf's exponent (default 0.99)" },
    concurrency: {
      type: 'string',
      short: 'c',
      value: '<n>',
      description: 'operations in flight at once (default 16)',
    },
    'value-size': {
      type: 'string',
      value: '<bytes>',
      description: 'bytes per value: 100, 4KB, 1MB (default 100)',
    },
    duration: { type: 'string', short: 'd', value: '<d>', description: 'run this long (default 5s)' },
    ops: { type: 'string', value: '<n>', description: 'run this many operations instead' },
    seed: { type: 'string', value: '<n>', description: 'seed of the key choice (default: random)' },
  },
  examples: [
    'cache bench --duration 10s',
    'cache bench --op getOrSet --dist zipf --keys 100000 --concurrency 64',
    'cache bench --op set --value-size 4KB --ops 20000 --json',
  ],
  arity: [0, 0],
  async run(ctx) {
    exclusive(ctx, 'duration', 'ops');
    const op = choiceOption(ctx, 'op', OPS, 'get');
    const dist = choiceOption(ctx, 'dist', ['uniform', 'zipf'] as const, 'uniform');
    const keyCount = integerOption(ctx, 'keys', 1000);
    const concurrency = integerOption(ctx, 'concurrency', 16);
    const totalOps = integerOption(ctx, 'ops');
    const durationMs =
      totalOps === undefined ? parseTimerDuration(ctx.string('duration') ?? '5s', '--duration') : undefined;
    const valueSize = parseByteSize(ctx.string('value-size') ?? 100, '--value-size');
    const skewText = ctx.string('skew');
    const skew = skewText === undefined ? 0.99 : Number(skewText);
    if (!(skew > 0) || !Number.isFinite(skew))
      throw new CacheConfigError(`--skew must be a positive number, got ${skewText}`);
    const seedText = ctx.string('seed');
    const seed = seedText === undefined ? randomInt(2 ** 31) : Number(seedText);
    if (!Number.isSafeInteger(seed)) throw new CacheConfigError(`--seed must be an integer, got ${seedText}`);

    const pick = keyPicker(keyCount, dist, skew, seededRandom(seed));
    const prefix = `${BENCH_KEY_PREFIX}${randomBytes(4).toString('hex')}:`;
    const keys = Array.from({ length: keyCount }, (_, i) => `${prefix}${i}`);
    const value = randomBytes(Math.ceil(valueSize * 0.75) + 3)
      .toString('base64')
      .slice(0, valueSize);

    const cache = await ctx.cache();
    const histogram = new Histogram();
    let issued = 0;
    let done = 0;
    let errors = 0;
    let hits = 0;
    let misses = 0;
    let firstError: unknown;
    let stop = false;
    const progress = setInterval(() => ctx.out.progress(done, totalOps, `ops (${op})`), 250);
    progress.unref();
    let started = 0;
    try {
      if (op === 'get') {
        for (let i = 0; i < keyCount; i += PREFILL_BATCH) {
          ctx.signal.throwIfAborted();
          await cache.setMany(
            keys.slice(i, i + PREFILL_BATCH).map((k) => [k, value] as const),
            { ttl: '1h' },
          );
        }
      }
      const once = async (key: string): Promise<void> => {
        if (op === 'get') {
          if ((await cache.get(key)) === undefined) misses++;
          else hits++;
        } else if (op === 'set') {
          await cache.set(key, value, { ttl: '1h' });
        } else {
          let computed = false;
          await cache.getOrSet(
            key,
            () => {
              computed = true;
              return value;
            },
            { ttl: '1h' },
          );
          if (computed) misses++;
          else hits++;
        }
      };
      const worker = async () => {
        while (!stop && !ctx.signal.aborted) {
          if (totalOps !== undefined && issued >= totalOps) return;
          issued++;
          const key = keys[pick()] as string;
          const t0 = performance.now();
          try {
            await once(key);
          } catch (error) {
            errors++;
            firstError ??= error;
          }
          histogram.record((performance.now() - t0) * 1e6);
          done++;
        }
      };
      started = performance.now();
      const timer = durationMs === undefined ? undefined : setTimeout(() => (stop = true), durationMs);
      await Promise.all(Array.from({ length: concurrency }, worker));
      clearTimeout(timer);
    } finally {
      clearInterval(progress);
      ctx.out.clearProgress();
      await cache.clear({ prefix }).catch(() => undefined);
    }
    ctx.signal.throwIfAborted();
    const elapsed = performance.now() - started;
    const ms = (ns: number) => roundMs(ns / 1e6);
    const report = {
      op,
      dist,
      skew: dist === 'zipf' ? skew : null,
      keys: keyCount,
      concurrency,
      valueSize,
      seed,
      ops: done,
      errors,
      hits,
      misses,
      durationMs: Math.round(elapsed),
      opsPerSec: Math.round((done / elapsed) * 1000),
      latencyMs: {
        mean: ms(histogram.mean),
        p50: ms(histogram.percentile(50)),
        p90: ms(histogram.percentile(90)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
      },
    };
    if (ctx.out.json) await ctx.out.line(report);
    else {
      const l = report.latencyMs;
      await ctx.out.fields([
        [
          'workload',
          `${op}, ${keyCount} keys ${dist === 'zipf' ? `zipf(${skew})` : 'uniform'}, ${valueSize} B values, concurrency ${concurrency}`,
        ],
        [
          'ops',
          `${done} in ${formatDuration(elapsed)}${errors > 0 ? ctx.out.paint('red', `, ${errors} errors`) : ''}`,
        ],
        ['throughput', `${report.opsPerSec.toLocaleString('en-US')} ops/s`],
        ...(op === 'set'
          ? []
          : [['hit ratio', `${((hits / Math.max(1, hits + misses)) * 100).toFixed(1)}%`] as const]),
        ['latency', `p50 ${l.p50} ms, p90 ${l.p90} ms, p99 ${l.p99} ms, max ${l.max} ms (mean ${l.mean} ms)`],
      ]);
    }
    if (errors > 0) {
      ctx.out.error({
        code: 'CACHE_ERROR',
        message: `${errors} operations failed; the first: ${(firstError as Error)?.message}`,
      });
      return ExitCode.backend;
    }
    return ExitCode.ok;
  },
};
