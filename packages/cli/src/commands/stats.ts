/** `cache stats [--watch <interval>]`: the counters of `stats.snapshot()`, once or every interval. */
import type { CacheStatsSnapshot } from '@cache/core';
import { parseTimerDuration } from '@cache/core/backend';
import { ExitCode } from '../exit-codes.js';
import { integerOption } from '../internal/args.js';
import type { Command, CommandContext } from '../internal/command.js';
import { formatBytes } from '../internal/format.js';

const COLUMNS = [
  'hits',
  'misses',
  'sets',
  'deletes',
  'evictions',
  'expirations',
  'errors',
  'hitRatio',
  'entries',
  'bytes',
];

function cell(name: string, value: unknown): string {
  if (value === undefined) return '-';
  if (name === 'hitRatio' && typeof value === 'number') return `${(value * 100).toFixed(1)}%`;
  if (name === 'bytes' && typeof value === 'number') return formatBytes(value);
  if (value !== null && typeof value === 'object' && Object.values(value).every((n) => typeof n === 'number'))
    return Object.entries(value)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Resolves after `ms`, or at once when the run is aborted. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function print(
  ctx: CommandContext,
  snapshot: CacheStatsSnapshot,
  row: number,
  watch: boolean,
): Promise<void> {
  const { out } = ctx;
  if (out.json) return out.line(watch ? { time: Date.now(), ...snapshot } : snapshot);
  if (!watch) {
    return out.fields(Object.entries(snapshot).map(([k, v]) => [k, cell(k, v)] as const));
  }
  const cells = COLUMNS.map((c) => cell(c, snapshot[c]));
  if (row === 0)
    await out.write(`${out.paint('bold', ['time', ...COLUMNS].map((c) => c.padStart(11)).join(''))}\n`);
  const time = new Date().toISOString().slice(11, 19);
  await out.write(`${[time, ...cells].map((c) => c.padStart(11)).join('')}\n`);
}

export const statsCommand: Command = {
  name: 'stats',
  summary: "the cache's counters and figures (stats.snapshot()), once or every --watch interval",
  usage: 'stats [--watch <interval>] [--count <n>]',
  details: [
    "The counters are this process's own traffic; the backend's figures (entries, bytes, ...) are",
    "the store's. --watch prints a line every interval until interrupted (Ctrl-C) or --count lines.",
  ],
  options: {
    watch: {
      type: 'string',
      short: 'w',
      value: '<interval>',
      description: 'print again every interval (1s, 500ms)',
    },
    count: { type: 'string', value: '<n>', description: 'with --watch: stop after n snapshots' },
  },
  examples: ['cache stats', 'cache stats --watch 2s', 'cache stats --json | jq .entries'],
  arity: [0, 0],
  async run(ctx) {
    const watch = ctx.string('watch');
    const interval = watch === undefined ? undefined : parseTimerDuration(watch, '--watch');
    const count = integerOption(ctx, 'count', interval === undefined ? 1 : Number.POSITIVE_INFINITY);
    const cache = await ctx.cache();
    for (let i = 0; i < count; i++) {
      if (i > 0) {
        await pause(interval ?? 0, ctx.signal);
        if (ctx.signal.aborted) break;
      }
      await print(ctx, cache.stats.snapshot(), i, interval !== undefined);
    }
    return ExitCode.ok;
  },
};
