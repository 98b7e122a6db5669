/**
 * What a read miss of `MemoryCache` pays for the key check, against lru-cache. The memory
 * benchmark's get-miss row (bench/memory.ts) is below lru-cache; this one process tells apart the
 * work a miss does beyond a `Map.get`: the same misses through lru-cache, through `MemoryCache`,
 * and through two subclasses whose `checkKey` leaves out one part of the check (the
 * well-formedness test of `String.prototype.isWellFormed`, or everything but it).
 *
 * The subjects share one heap and the same key strings and run interleaved, round after round,
 * so a slow spell of the machine slows all of them; the figures are medians of the rounds.
 *
 * Run: `pnpm --filter @cache/tools exec tsx --conditions=@cache/source bench/memory-key-check.ts`
 * (`--write` writes docs/benchmarks/memory-key-check.md).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { MemoryCache } from '@cache/backend-memory';
import { LRUCache } from 'lru-cache';
import { cpuTimeMs } from './lib/cpu-time.ts';

const ENTRIES = 100_000;
const ROUNDS = 15;
const PASSES = 10;

/** The key check without `isWellFormed`: type, length and the closed state only. */
class WithoutWellFormed<V> extends MemoryCache<V> {
  protected override checkKey(key: unknown): asserts key is string {
    if (typeof key !== 'string' || key.length === 0 || key.length * 3 > this.maxKeyBytes) super.checkKey(key);
  }
}

/** Only `isWellFormed`. */
class OnlyWellFormed<V> extends MemoryCache<V> {
  protected override checkKey(key: unknown): asserts key is string {
    if (!(key as string).isWellFormed()) super.checkKey(key);
  }
}

const keys = Array.from({ length: ENTRIES }, (_, i) => `key:${i}`);
const misses = Array.from({ length: ENTRIES }, (_, i) => `miss:${i}`);
const lru = new LRUCache<string, object>({ max: ENTRIES });
const memory = new MemoryCache<object>({ maxEntries: ENTRIES });
const without = new WithoutWellFormed<object>({ maxEntries: ENTRIES });
const only = new OnlyWellFormed<object>({ maxEntries: ENTRIES });
for (let i = 0; i < ENTRIES; i++) {
  const value = { id: i };
  lru.set(keys[i]!, value);
  memory.setSync(keys[i]!, value);
  without.setSync(keys[i]!, value);
  only.setSync(keys[i]!, value);
}

// One loop per subject, so that each call site sees one class.
const subjects: [string, (keys: readonly string[]) => number][] = [
  [
    'lru-cache `get`',
    (ks) => {
      let hits = 0;
      for (let i = 0; i < ks.length; i++) if (lru.get(ks[i]!) !== undefined) hits++;
      return hits;
    },
  ],
  [
    'MemoryCache `getSync` (the full key check)',
    (ks) => {
      let hits = 0;
      for (let i = 0; i < ks.length; i++) if (memory.getSync(ks[i]!) !== undefined) hits++;
      return hits;
    },
  ],
  [
    'the same, the check without `isWellFormed`',
    (ks) => {
      let hits = 0;
      for (let i = 0; i < ks.length; i++) if (without.getSync(ks[i]!) !== undefined) hits++;
      return hits;
    },
  ],
  [
    'the same, the check only `isWellFormed`',
    (ks) => {
      let hits = 0;
      for (let i = 0; i < ks.length; i++) if (only.getSync(ks[i]!) !== undefined) hits++;
      return hits;
    },
  ],
];

const samples = subjects.map((): number[] => []);
for (let round = 0; round < ROUNDS; round++) {
  subjects.forEach(([, run], s) => {
    run(misses);
    const t0 = cpuTimeMs();
    for (let pass = 0; pass < PASSES; pass++) run(misses);
    samples[s]!.push(((cpuTimeMs() - t0) * 1e6) / (PASSES * ENTRIES));
  });
}
const median = (values: number[]) => values.slice().sort((a, b) => a - b)[values.length >> 1]!;
const lruNs = median(samples[0]!);
const lines = [
  '# Memory backend: what a read miss pays for the key check',
  '',
  `Run on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(2)} at the end.`,
  '',
  'Command: `pnpm --filter @cache/tools exec tsx --conditions=@cache/source bench/memory-key-check.ts --write`',
  '(tools/bench/memory-key-check.ts).',
  '',
  `${ENTRIES.toLocaleString('en-US')} entries (\`key:<i>\`), read with ${ENTRIES.toLocaleString('en-US')} keys never written (\`miss:<i>\`), in one`,
  `process: the subjects run interleaved, ${ROUNDS} rounds of ${PASSES} passes; process CPU time per read, median of the rounds.`,
  '',
  '| subject | ns per miss | vs lru-cache |',
  '| --- | ---: | ---: |',
  ...subjects.map(([label], s) => {
    const ns = median(samples[s]!);
    return `| ${label} | ${ns.toFixed(1)} | ${(lruNs / ns).toFixed(2)}x |`;
  }),
  '',
];
const markdown = lines.join('\n');
process.stdout.write(markdown);
if (process.argv.includes('--write')) {
  writeFileSync(new URL('../../docs/benchmarks/memory-key-check.md', import.meta.url), markdown);
}
