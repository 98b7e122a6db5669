/**
 * The memory backend benchmark: `pnpm --filter @cache/tools bench:memory` (builds
 * `@cache/backend-memory` and its dependencies, then runs
 * `node --expose-gc --import tsx bench/memory.ts`).
 *
 * Speed: each subject in a child process of its own (`--speed-child=<id>`, see memory-speed.ts), so
 * that no subject runs with the type feedback another one left behind (an application uses one cache
 * class with one policy). Memory: each subject in a child process of its own (see memory-heap.ts). Writes
 * `docs/benchmarks/memory-speed.md` and prints the same Markdown.
 *
 * Speed runs in `--rounds=N` interleaved rounds (default 3; 1 with `--quick`): every subject once
 * per round, and each scenario keeps its best round. Other load on the machine only slows a
 * round down, so the best round is the least disturbed one, and interleaving spreads a busy
 * spell over all subjects instead of one. Within a round, subjects run in pairs at once, one per
 * core (`PAIRS`), and the report also divides the two of a pair round by round.
 *
 * Flags: `--only=id,id` runs some subjects and prints without writing the doc; `--quick` uses
 * shorter timings; `--no-heap` skips the bytes-per-entry processes.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HeapResult, type MemoryBenchResults, formatOps, renderMarkdown } from './memory-report.ts';
import {
  type ScenarioId,
  type SpeedResult,
  buildWorkload,
  defaultSpeedConfig,
  runSpeed,
} from './memory-speed.ts';
import { loadMemoryCache, type Subject, subjects as allSubjects } from './memory-subjects.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const toolsDir = path.resolve(here, '..');
const docPath = path.resolve(toolsDir, '../docs/benchmarks/memory-speed.md');
const heapEntries = 1_000_000;

const args = process.argv.slice(2);
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const quick = args.includes('--quick');
const withHeap = !args.includes('--no-heap');
const subjects = only ? allSubjects.filter((s) => only.includes(s.id)) : allSubjects;
const config = quick ? { ...defaultSpeedConfig, timeMs: 200, warmupMs: 50 } : defaultSpeedConfig;
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? (quick ? 1 : 3));
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a positive integer');

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: toolsDir, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const wallStart = performance.now();
const speedChild = args.find((a) => a.startsWith('--speed-child='))?.slice('--speed-child='.length);

if (speedChild !== undefined) {
  // Child mode: one subject's speed scenarios, printed as one JSON line.
  const subject = allSubjects.find((s) => s.id === speedChild);
  if (!subject) throw new Error(`unknown subject ${speedChild}`);
  await loadMemoryCache();
  const workload = buildWorkload(config);
  const perScenario: Record<string, SpeedResult> = {};
  await runSpeed(subject, workload, config, (scenario, result) => {
    perScenario[scenario] = result;
  });
  process.stdout.write(`${JSON.stringify(perScenario)}\n`);
  process.exit(0);
}

const memory = await loadMemoryCache();
log(
  memory.placeholder
    ? 'MemoryCache: @cache/backend-memory not built, using the placeholder'
    : `MemoryCache: @cache/backend-memory (sync fast path: ${memory.syncGet}/${memory.syncSet})`,
);

/** The speed child of one subject: its exit status and output. */
function speedRun(subject: Subject): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        `--speed-child=${subject.id}`,
        ...(quick ? ['--quick'] : []),
      ],
      { cwd: toolsDir, env: process.env },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * Subjects run two at a time, one per core, each pair at once: a MemoryCache subject beside the
 * subject its target names, so that a slow spell of a shared machine slows both alike.
 */
const PAIRS: readonly (readonly [string, string])[] = [
  ['memory-sync', 'lru-cache-sync'],
  ['memory-async', 'lru-cache-async'],
  ['memory-lru-sync', 'map'],
  ['memory-lru-async', 'keyv'],
  ['cacheable-memory', 'bentocache'],
  ['cacheable', 'cache-manager'],
];
const batches: Subject[][] = PAIRS.map((pair) => subjects.filter((s) => pair.includes(s.id))).filter(
  (batch) => batch.length > 0,
);
for (const subject of subjects) if (!PAIRS.some((pair) => pair.includes(subject.id))) batches.push([subject]);

const speed = new Map<string, Map<ScenarioId, SpeedResult>>();
const perRound = new Map<string, Map<ScenarioId, number[]>>();
for (let round = 1; round <= rounds; round++) {
  for (const batch of batches) {
    const t0 = performance.now();
    const runs = await Promise.all(batch.map(speedRun));
    for (const [i, subject] of batch.entries()) record(round, subject, runs[i]!);
    log(`${batch.map((s) => s.id).join(' + ')}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

function record(
  round: number,
  subject: Subject,
  child: { status: number | null; stdout: string; stderr: string },
): void {
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) {
    log(`${subject.id}: speed run failed (${child.status}): ${child.stderr.slice(0, 2000)}`);
    return;
  }
  const best = speed.get(subject.id) ?? new Map<ScenarioId, SpeedResult>();
  speed.set(subject.id, best);
  const byScenario = perRound.get(subject.id) ?? new Map<ScenarioId, number[]>();
  perRound.set(subject.id, byScenario);
  for (const [scenario, result] of Object.entries(JSON.parse(line)) as [ScenarioId, SpeedResult][]) {
    const series = byScenario.get(scenario) ?? [];
    byScenario.set(scenario, series);
    series[round - 1] = result.opsPerSec;
    const kept = best.get(scenario);
    if (kept === undefined || result.opsPerSec > kept.opsPerSec) best.set(scenario, result);
    log(
      `round ${round} ${subject.id.padEnd(18)} ${scenario.padEnd(10)} ${formatOps(result.opsPerSec).padStart(9)} ops/s ` +
        `±${result.rme.toFixed(1)}% (${result.samples} x ${result.batch} ops)`,
    );
  }
}

const heap = new Map<string, HeapResult>();
if (withHeap) {
  for (const subject of subjects) {
    if (subject.heapOf !== undefined && subjects.some((s) => s.id === subject.heapOf)) continue;
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(here, 'memory-heap.ts'), subject.id, String(heapEntries)],
      { cwd: toolsDir, encoding: 'utf8', env: process.env },
    );
    const line = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !line.startsWith('{')) {
      log(`${subject.id}: bytes/entry failed (${child.status}): ${child.stderr.slice(0, 2000)}`);
      continue;
    }
    const r = JSON.parse(line) as HeapResult;
    heap.set(subject.id, r);
    log(
      `${subject.id.padEnd(18)} ${r.bytesPerEntry.toFixed(1)} bytes/entry (kept ${(r.retained * 100).toFixed(1)}%, fill ${(r.fillMs / 1000).toFixed(1)} s)`,
    );
  }
  for (const subject of subjects) {
    const shared = subject.heapOf === undefined ? undefined : heap.get(subject.heapOf);
    if (shared) heap.set(subject.id, shared);
  }
}

const minutes = ((performance.now() - wallStart) / 60_000).toFixed(1);
const cpus = os.cpus();
const roundsFlag = rounds === 3 ? '' : ` -- --rounds=${rounds}`;
const header = [
  `Run on ${new Date().toISOString().slice(0, 10)}, commit ${gitCommit()}: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ` +
    `Node ${process.version}, ${os.platform()} ${os.release()}; wall time ${minutes} min.`,
  '',
  `Command: \`pnpm --filter @cache/tools bench:memory${roundsFlag}\` (builds \`@cache/backend-memory\` and its dependencies,`,
  `then runs \`node --expose-gc --import tsx bench/memory.ts\` in \`tools/\`).`,
  '',
  `> ${rounds} interleaved round${rounds === 1 ? '' : 's'} (every subject once per round); each figure is the subject's best round.`,
  `> Load average ${(os.loadavg()[0] ?? 0).toFixed(2)} at the end of the run on ${cpus.length} cores: other load only slows a round down,`,
  '> and figures still move by about ±10% between runs (see the ± column): compare ratios, not single numbers.',
  '',
  'How it is measured:',
  `- Time is **process CPU time** (user + system, all threads, so GC helper threads count), used as`,
  "  tinybench's clock. One tinybench iteration is a batch of operations calibrated to about",
  `  ${config.batchMs} ms; after ${config.warmupMs} ms of warm-up, batches run for ${config.timeMs} ms of CPU;`,
  "  ops/s = batch size / median batch time. ± is tinybench's relative margin of error.",
  '- Each subject runs in a child process of its own (as an application uses one cache class with one',
  '  configuration); each scenario gets its own generated loop, calling the library directly: `target.get(key)`.',
  '- Subjects run two at a time, one per core: each MemoryCache subject beside the subject its target',
  '  names (default sync + lru-cache sync, default async + lru-cache async, `lru` sync + Map, `lru` async',
  '  + keyv; then the other peers in pairs), so that a slow spell of the shared machine slows both.',
  '- **Async subjects are awaited one call at a time**: `for (...) { if ((await c.get(k)) != null) hits++ }`.',
  '  "lru-cache (async-wrapped)" is lru-cache behind `async get(k) { return lru.get(k) }`.',
  `- get-hit: a cache of ${config.capacity.toLocaleString('en-US')} entries (key \`key:<i>\`, string value),`,
  '  read in a shuffled order; get-miss: the same cache, keys never written;',
  `  set with eviction: the same cache at capacity, writing ${(config.capacity * 4).toLocaleString('en-US')} new keys in a cycle`,
  '  (every write adds a key to a full cache, so each one evicts, or is refused by an admission policy);',
  `  Zipf mix: a fresh ${config.capacity.toLocaleString('en-US')}-entry cache prefilled with the hottest keys, then a precomputed`,
  `  sequence of ${config.mixOps.toLocaleString('en-US')} operations over ${config.zipfKeys.toLocaleString('en-US')} keys (Zipf s = ${config.zipfS}),`,
  `  ${Math.round(config.mixSetShare * 100)}% writes. "reads hit" is the share of timed reads that found a value.`,
  `- Bytes per entry: each subject in its own \`node --expose-gc\` process, capacity ${heapEntries.toLocaleString('en-US')}, filled with`,
  `  ${heapEntries.toLocaleString('en-US')} entries (key \`key:<i>\`, value \`value:<i>\`: two short strings, about 64 bytes together);`,
  '  (heapUsed + arrayBuffers) after full GCs with the full cache, minus the same before the cache',
  '  was made, / entries. It includes keys, values and what a cache preallocates for its bound.',
  '  "over a plain Map" subtracts the Map\'s figure (keys, values and the Map itself). An async row',
  '  shares the figure of its sync twin (the same object called another way).',
  '- Every subject is bounded to the capacity: see the configuration table at the end.',
];

const results: MemoryBenchResults = {
  subjects,
  speed,
  rounds: perRound,
  heap,
  heapEntries,
  config,
  placeholder: memory.placeholder,
  header,
};
let markdown = renderMarkdown(results);
markdown += [
  '',
  '## Configuration of each subject',
  '',
  '| subject | kind | configuration |',
  '|---|---|---|',
  ...subjects.map((s) => `| ${s.label} | ${s.kind} | ${s.config.replaceAll('|', '\\|')} |`),
  '',
].join('\n');
process.stdout.write(`${markdown}\n`);
if (!only) {
  writeFileSync(docPath, markdown);
  log(`wrote ${path.relative(process.cwd(), docPath)}`);
}
log(`total ${minutes} min`);
