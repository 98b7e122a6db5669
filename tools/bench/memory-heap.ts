/**
 * Bytes per entry of one subject, in a process of its own: `node --expose-gc --import tsx
 * bench/memory-heap.ts <subject-id> [entries]`. Prints one JSON line.
 *
 * The subject is made with capacity `entries` (default 1M) and filled with that many small
 * entries: key `key:<i>` and value `value:<i>` (short strings built in the loop, so they count as
 * part of the entry). The figure is the growth of heapUsed + arrayBuffers from before the instance
 * was made to the full instance, each after forced full GCs, divided by `entries`: it includes
 * what a cache preallocates for its bound (lru-cache's arrays, a policy's typed arrays). Async subjects are filled with awaited
 * sets, one after another.
 */
import { subjects } from './memory-subjects.ts';

const gc = (globalThis as { gc?: () => void }).gc;

/** JS heap in use plus ArrayBuffer backing stores (typed arrays of a cache live there), after full GCs. */
async function settle(): Promise<number> {
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 4; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    gc();
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const [id, countArg] = process.argv.slice(2);
const subject = subjects.find((s) => s.id === id);
if (!subject) throw new Error(`unknown subject ${id}`);
const count = countArg ? Number(countArg) : 1_000_000;

const before = await settle();
const inst = await subject.create(count);
const target = inst.target as Record<string, (key: string, value?: unknown) => unknown>;
const set = target[inst.set]!;
const get = target[inst.get]!;
const empty = await settle();
const t0 = performance.now();
for (let i = 0; i < count; i++) {
  const r = set.call(target, `key:${i}`, `value:${i}`);
  if (subject.kind === 'async') await r;
}
const fillMs = performance.now() - t0;
const after = await settle();
// Check that the entries are still there (nothing evicted or dropped): 1,000 keys across the range.
let found = 0;
for (let i = 0; i < 1000; i++) {
  const k = Math.floor((i * count) / 1000);
  if ((await get.call(target, `key:${k}`)) === `value:${k}`) found++;
}
await inst.close();
process.stdout.write(
  `${JSON.stringify({ id, count, before, empty, after, bytesPerEntry: (after - before) / count, retained: found / 1000, fillMs })}\n`,
);
