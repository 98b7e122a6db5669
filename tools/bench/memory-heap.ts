/**
 * Bytes per entry of one subject, in a process of its own: `node --expose-gc --import tsx
 * bench/memory-heap.ts <subject-id> <entries> <string|object> [baseline packages/backend-memory]`.
 * Prints one JSON line.
 *
 * The subject is made with capacity `entries` and filled with that many small entries: key
 * `key:<i>` and a value of the kind, `value:<i>` or `{ id: i, name: 'user:<i>', active: true }`
 * (built in the loop, so they count as part of the entry). The figure is the growth of heapUsed + arrayBuffers from before the instance
 * was made to the full instance, each after forced full GCs, divided by `entries`: it includes
 * what a cache preallocates for its bound (lru-cache's arrays, a policy's typed arrays). Async subjects are filled with awaited
 * sets, one after another.
 */
import { exitWithParent } from './lib/children.ts';
import { makeValue, valueKinds } from './memory-speed.ts';
import { allSubjects } from './memory-subjects.ts';

exitWithParent();

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

const [id, countArg, kindArg, baselineDir] = process.argv.slice(2);
const subject = allSubjects(baselineDir).find((s) => s.id === id);
if (!subject) throw new Error(`unknown subject ${id}`);
const count = Number(countArg);
if (!Number.isInteger(count) || count < 1000) throw new Error('entries: an integer >= 1000');
const valueKind = valueKinds.find((k) => k === kindArg);
if (!valueKind) throw new Error(`value kind: one of ${valueKinds.join(', ')}`);

const before = await settle();
const inst = await subject.create(count);
const target = inst.target as Record<string, (key: string, value?: unknown) => unknown>;
const set = target[inst.set]!;
const get = target[inst.get]!;
const empty = await settle();
const t0 = performance.now();
for (let i = 0; i < count; i++) {
  const r = set.call(target, `key:${i}`, makeValue(valueKind, i));
  if (subject.kind === 'async') await r;
}
const fillMs = performance.now() - t0;
const after = await settle();
// Check that the entries are still there (nothing evicted or dropped): 1,000 keys across the range.
let found = 0;
for (let i = 0; i < 1000; i++) {
  const k = Math.floor((i * count) / 1000);
  const value = await get.call(target, `key:${k}`);
  if (JSON.stringify(value) === JSON.stringify(makeValue(valueKind, k))) found++;
}
await inst.close();
process.stdout.write(
  `${JSON.stringify({ id, count, before, empty, after, bytesPerEntry: (after - before) / count, retained: found / 1000, fillMs })}\n`,
);
