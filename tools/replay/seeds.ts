/**
 * Seed sensitivity of the randomized policies (W-TinyLFU, S3-FIFO hash their keys with a random
 * per-instance seed): replays the target cells with seeds 1..N through the direct driver and
 * prints min / median / max per cell.
 *
 *   pnpm --filter @cache/tools exec tsx replay/seeds.ts [N=8] [policy=tinylfu]
 */
import { S3FifoPolicy, TinyLfuPolicy } from '../../packages/backend-memory/src/policies/index.ts';
import { directHitRatio } from './direct.ts';
import { lruHitRatio } from './reference.ts';
import { loadTrace } from './traces.ts';

const runs = Number(process.argv[2] ?? 8);
const policy = process.argv[3] ?? 'tinylfu';
const cells: [string, number[]][] = [
  ['loop', [512]],
  ['glimpse', [1000]],
  ['oltp', [1000, 2000, 10000, 18688]],
  ['sprite', [400, 708]],
  ['web12', [14]],
];
for (const [name, sizes] of cells) {
  const trace = loadTrace(name);
  for (const size of sizes) {
    const values: number[] = [];
    for (let seed = 1; seed <= runs; seed++) {
      const p = policy === 's3fifo' ? new S3FifoPolicy(size, { seed }) : new TinyLfuPolicy(size, { seed });
      values.push(directHitRatio(trace.keys, size, p) * 100);
    }
    values.sort((a, b) => a - b);
    const lru = lruHitRatio(trace.ids, size) * 100;
    const median = values[Math.floor(values.length / 2)]!;
    process.stdout.write(
      `${name}@${size}: min ${values[0]!.toFixed(2)} median ${median.toFixed(2)} max ${values[values.length - 1]!.toFixed(2)} (LRU ${lru.toFixed(2)})\n`,
    );
  }
}
