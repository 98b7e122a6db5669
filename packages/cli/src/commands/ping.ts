/** `cache ping`: connectivity and latency, by a set/get/delete round trip on a reserved key. */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CacheError } from '@cache/core';
import { ExitCode } from '../exit-codes.js';
import { integerOption } from '../internal/args.js';
import type { Command } from '../internal/command.js';
import { roundMs } from '../internal/format.js';

/** The reserved key prefix of `ping` (under the cache's own prefix and namespace). */
const PING_KEY_PREFIX = '__cache-cli:ping:';

export const pingCommand: Command = {
  name: 'ping',
  summary: 'check connectivity and latency: a set/get/delete round trip on a reserved key',
  usage: 'ping [--count <n>]',
  details: [
    `The key is ${PING_KEY_PREFIX}<pid>-<random> under the cache's own prefix, written with a 1 minute`,
    'TTL and removed. The default --timeout of ping is 10s. Times are milliseconds: open (creating the',
    'cache), then set, get and delete, and their sum (rtt): the mean over --count rounds, and min/max.',
  ],
  options: {
    count: { type: 'string', short: 'c', value: '<n>', description: 'round trips (default 1)' },
  },
  examples: [
    'cache ping',
    'cache ping --count 20 --url rediss://user:pass@cache.example.com:6380',
    'cache ping --timeout 2s || echo "cache down"',
  ],
  arity: [0, 0],
  async run(ctx) {
    const count = integerOption(ctx, 'count', 1);
    const started = performance.now();
    const cache = await ctx.cache();
    const openMs = performance.now() - started;
    const sums = { set: 0, get: 0, delete: 0 };
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (let i = 0; i < count; i++) {
      ctx.signal.throwIfAborted();
      const key = `${PING_KEY_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`;
      const token = randomBytes(8).toString('hex');
      const t0 = performance.now();
      await cache.set(key, token, { ttl: '1m' });
      const t1 = performance.now();
      const read = await cache.get(key);
      const t2 = performance.now();
      await cache.delete(key);
      const t3 = performance.now();
      if (read !== token)
        throw new CacheError(`ping read back ${JSON.stringify(read)} instead of what it wrote`, { key });
      sums.set += t1 - t0;
      sums.get += t2 - t1;
      sums.delete += t3 - t2;
      min = Math.min(min, t3 - t0);
      max = Math.max(max, t3 - t0);
    }
    const report = {
      ok: true,
      cache: cache.name,
      count,
      openMs: roundMs(openMs),
      setMs: roundMs(sums.set / count),
      getMs: roundMs(sums.get / count),
      deleteMs: roundMs(sums.delete / count),
      rttMs: roundMs((sums.set + sums.get + sums.delete) / count),
      minRttMs: roundMs(min),
      maxRttMs: roundMs(max),
    };
    if (ctx.out.json) await ctx.out.line(report);
    else {
      const ms = (n: number) => `${n.toFixed(2)} ms`;
      await ctx.out.write(
        `${ctx.out.paint('green', 'PONG')} ${cache.name}: set ${ms(report.setMs)}, get ${ms(report.getMs)}, delete ${ms(report.deleteMs)}; round trip ${ms(report.rttMs)}${count > 1 ? ` (min ${ms(report.minRttMs)}, max ${ms(report.maxRttMs)}, ${count} rounds)` : ''}\n`,
      );
    }
    return ExitCode.ok;
  },
};
