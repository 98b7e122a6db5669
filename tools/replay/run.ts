/**
 * Trace replay: hit ratio of every eviction policy on the real traces of ../shared/traces from
 * the repository's root (override with TRACE_DIR), through the real `MemoryCache`, beside exact
 * LRU and Belady's OPT computed here, and checked against an independent reference simulator of
 * each policy (reference-policies.ts): deterministic policies must match it exactly, S3-FIFO and
 * W-TinyLFU within the documented tolerances; the run exits with status 1 otherwise. Writes
 * docs/benchmarks/hit-ratio.md (tables) and one SVG plot per trace
 * (docs/benchmarks/hit-ratio-<trace>.svg).
 *
 *   pnpm --filter @cache/tools replay [--direct] [--check] [--traces oltp,loop]
 *
 * It runs from the packages' sources (`tsx --conditions=@cache/source`): no build first.
 *
 * --direct  drive the policies through the minimal slot driver instead of MemoryCache (fast, for tuning)
 * --check   run both drivers and report the largest difference (they must agree exactly)
 * --render  rewrite the Markdown and SVGs from the last run's docs/benchmarks/hit-ratio.json
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_POLICY, PolicyName } from '@cache/backend-memory';
import { createPolicy } from '@cache/backend-memory/internal/policies';
import { directHitRatio } from './direct.ts';
import { memoryHitRatio } from './memory-driver.ts';
import { lruHitRatio, nextUses, optHitRatio } from './reference.ts';
import { referenceHitRatio } from './reference-policies.ts';
import { lineChart, type Series } from './svg.ts';
import { loadTrace, TRACE_NAMES, type Trace } from './traces.ts';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '../../docs/benchmarks');
const args = process.argv.slice(2);
let direct = args.includes('--direct');
let check = args.includes('--check');
const render = args.includes('--render');
const tracesArg = args.indexOf('--traces');
const traceNames = tracesArg === -1 ? [...TRACE_NAMES] : (args[tracesArg + 1] ?? '').split(',');
const policies = Object.values(PolicyName);

interface Row {
  size: number;
  lru: number;
  opt: number;
  byPolicy: Map<string, number>;
  /** The reference simulator's hit % of each policy. */
  reference: Map<string, number>;
  /** Whether the package's hit count equals the reference's exactly. */
  exact: Map<string, boolean>;
}

/** Deterministic policies: the package must make the reference's decisions, hit for hit. */
const EXACT = new Set(['lru', 'fifo', 'ttl', 'sieve', 'lfu', 'none']);
/** S3-FIFO: the package's ghost is a lossy hash table, the reference's exact (points, either way). */
const S3FIFO_TOLERANCE = 1.5;
/** W-TinyLFU: the package adapts its window; it may trail the textbook 1% window by at most this (points). */
const TINYLFU_TOLERANCE = 2.5;

interface TraceResult {
  trace: Trace;
  rows: Row[];
  seconds: number;
}

const pct = (ratio: number): number => Math.round(ratio * 10000) / 100;
const fmt = (value: number): string => value.toFixed(2);

let maxDriverDiff = 0;
let checkedCells = 0;

async function replayTrace(name: string): Promise<TraceResult> {
  const start = performance.now();
  const trace = loadTrace(name);
  const next = nextUses(trace.ids, trace.unique);
  const rows: Row[] = [];
  for (const size of trace.sizes) {
    const row: Row = {
      size,
      lru: pct(lruHitRatio(trace.ids, size)),
      opt: pct(optHitRatio(trace.ids, next, trace.unique, size)),
      byPolicy: new Map(),
      reference: new Map(),
      exact: new Map(),
    };
    for (const policy of policies) {
      const value = direct
        ? directHitRatio(trace.keys, size, createPolicy(policy, size))
        : await memoryHitRatio(trace.keys, size, policy);
      if (check) {
        const other = direct
          ? await memoryHitRatio(trace.keys, size, policy)
          : directHitRatio(trace.keys, size, createPolicy(policy, size));
        // tinylfu and s3fifo seed their hash per instance: compare deterministic policies exactly
        if (policy !== 'tinylfu' && policy !== 's3fifo') {
          maxDriverDiff = Math.max(maxDriverDiff, Math.abs(pct(other) - pct(value)));
          checkedCells++;
        }
      }
      row.byPolicy.set(policy, pct(value));
      const reference = referenceHitRatio(policy, trace.ids, size);
      row.reference.set(policy, pct(reference));
      row.exact.set(
        policy,
        Math.round(value * trace.keys.length) === Math.round(reference * trace.keys.length),
      );
    }
    rows.push(row);
    process.stdout.write(
      `${name} ${size}: LRU ${fmt(row.lru)} OPT ${fmt(row.opt)} ${policies.map((p) => `${p} ${fmt(row.byPolicy.get(p)!)} (ref ${fmt(row.reference.get(p)!)}${row.exact.get(p) ? ' =' : ''})`).join(' ')}\n`,
    );
  }
  return { trace, rows, seconds: (performance.now() - start) / 1000 };
}

function table(result: TraceResult): string {
  const { trace, rows } = result;
  const head = [
    'size',
    'LRU (ref)',
    'OPT (ref)',
    'README LRU / OPT',
    ...policies.map((p) => (p === DEFAULT_POLICY ? `**${p}**` : p)),
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---:').join('|')}|`];
  for (const row of rows) {
    const published = trace.published.get(row.size);
    const best = Math.max(...policies.map((p) => row.byPolicy.get(p)!));
    const cells = policies.map((p) => {
      const v = row.byPolicy.get(p)!;
      const text = fmt(v);
      return v === best ? `**${text}**` : text;
    });
    lines.push(
      `| ${row.size.toLocaleString('en-US')} | ${fmt(row.lru)} | ${fmt(row.opt)} | ${published ? `${fmt(published.lru)} / ${fmt(published.opt)}` : ''} | ${cells.join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** Per policy: cells compared, cells equal to the reference, the largest difference either way, and the verdict. */
function referenceCheck(results: TraceResult[]): { text: string; failed: string[] } {
  const failed: string[] = [];
  const lines = [
    '| policy | expected | cells | equal | package minus reference: min / max (points) | result |',
    '|---|---|---:|---:|---:|---|',
  ];
  for (const policy of policies) {
    let cells = 0;
    let equal = 0;
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    let worst = '';
    for (const { trace, rows } of results) {
      for (const row of rows) {
        const delta = row.byPolicy.get(policy)! - row.reference.get(policy)!;
        cells++;
        if (row.exact.get(policy)) equal++;
        if (delta < low) {
          low = delta;
          worst = `${trace.name} at ${row.size.toLocaleString('en-US')}`;
        }
        high = Math.max(high, delta);
      }
    }
    let expected: string;
    let ok: boolean;
    if (EXACT.has(policy)) {
      expected = 'equal, hit for hit';
      ok = equal === cells;
    } else if (policy === 's3fifo') {
      expected = `within ±${fmt(S3FIFO_TOLERANCE)}`;
      ok = low >= -S3FIFO_TOLERANCE && high <= S3FIFO_TOLERANCE;
    } else {
      expected = `at least reference − ${fmt(TINYLFU_TOLERANCE)}`;
      ok = low >= -TINYLFU_TOLERANCE;
    }
    if (!ok) failed.push(policy);
    lines.push(
      `| ${policy} | ${expected} | ${cells} | ${equal} | ${fmt(low)} / ${fmt(high)}${low < 0 ? ` (lowest: ${worst})` : ''} | ${ok ? 'pass' : '**FAIL**'} |`,
    );
  }
  return { text: lines.join('\n'), failed };
}

function plot(result: TraceResult): void {
  const { trace, rows } = result;
  const sizes = rows.map((r) => r.size);
  const series: Series[] = [
    { name: 'OPT (Belady)', values: rows.map((r) => r.opt), dashed: true },
    ...policies
      .filter((p) => p !== 'none' && p !== 'ttl')
      .map((p) => ({
        name: p === DEFAULT_POLICY ? `${p} (default)` : p,
        values: rows.map((r) => r.byPolicy.get(p)!),
      })),
  ];
  const title = `${trace.name}: hit ratio vs cache size (${trace.keys.length.toLocaleString('en-US')} requests, ${trace.unique.toLocaleString('en-US')} keys)`;
  writeFileSync(join(outDir, `hit-ratio-${trace.name}.svg`), lineChart(title, sizes, series));
}

function targets(results: TraceResult[]): string {
  const lines: string[] = [];
  let worst = { delta: Number.POSITIVE_INFINITY, where: '' };
  for (const { trace, rows } of results) {
    for (const row of rows) {
      const delta = row.byPolicy.get(DEFAULT_POLICY)! - row.lru;
      if (delta < worst.delta)
        worst = { delta, where: `${trace.name} at ${row.size.toLocaleString('en-US')}` };
    }
  }
  const cell = (name: string, size: number): string => {
    const row = results.find((r) => r.trace.name === name)?.rows.find((r) => r.size === size);
    return row ? fmt(row.byPolicy.get(DEFAULT_POLICY)!) : 'not run';
  };
  lines.push('| target | wanted | measured |', '|---|---:|---:|');
  lines.push(
    `| default minus LRU, worst cell | >= -1.00 | ${Number.isFinite(worst.delta) ? `${fmt(worst.delta)} (${worst.where})` : 'not run'} |`,
  );
  lines.push(`| loop at 512 | >= 45 | ${cell('loop', 512)} |`);
  lines.push(`| glimpse at 1,000 | >= 45 | ${cell('glimpse', 1000)} |`);
  lines.push(`| oltp at 1,000 | about 40 | ${cell('oltp', 1000)} |`);
  lines.push(`| oltp at 2,000 | about 46 | ${cell('oltp', 2000)} |`);
  return lines.join('\n');
}

interface SavedRun {
  seconds: number;
  direct: boolean;
  check: boolean;
  checkedCells: number;
  maxDriverDiff: number;
  traces: {
    name: string;
    seconds: number;
    rows: {
      size: number;
      lru: number;
      opt: number;
      policies: Record<string, number>;
      reference: Record<string, number>;
      exact: Record<string, boolean>;
    }[];
  }[];
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const jsonPath = join(outDir, 'hit-ratio.json');
  let results: TraceResult[] = [];
  let seconds: number;
  if (render) {
    const saved = JSON.parse(readFileSync(jsonPath, 'utf8')) as SavedRun;
    seconds = saved.seconds;
    direct = saved.direct;
    check = saved.check;
    checkedCells = saved.checkedCells;
    maxDriverDiff = saved.maxDriverDiff;
    results = saved.traces.map((t) => ({
      trace: loadTrace(t.name),
      seconds: t.seconds,
      rows: t.rows.map((r) => ({
        size: r.size,
        lru: r.lru,
        opt: r.opt,
        byPolicy: new Map(Object.entries(r.policies)),
        reference: new Map(Object.entries(r.reference ?? {})),
        exact: new Map(Object.entries(r.exact ?? {})),
      })),
    }));
  } else {
    const start = performance.now();
    for (const name of traceNames) results.push(await replayTrace(name));
    seconds = (performance.now() - start) / 1000;
    const saved: SavedRun = {
      seconds,
      direct,
      check,
      checkedCells,
      maxDriverDiff,
      traces: results.map((r) => ({
        name: r.trace.name,
        seconds: r.seconds,
        rows: r.rows.map((row) => ({
          size: row.size,
          lru: row.lru,
          opt: row.opt,
          policies: Object.fromEntries(row.byPolicy),
          reference: Object.fromEntries(row.reference),
          exact: Object.fromEntries(row.exact),
        })),
      })),
    };
    writeFileSync(jsonPath, `${JSON.stringify(saved, null, 1)}\n`);
  }
  for (const result of results) plot(result);
  const notes = readFileSync(join(here, 'notes.md'), 'utf8');
  const checked = referenceCheck(results);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const doc = [
    '# Hit ratio on real traces',
    '',
    '<!-- Generated by tools/replay/run.ts from tools/replay/notes.md; edit those, not this file. -->',
    '',
    `Every policy of \`MemoryCache\` replayed on six real traces (see the traces' README, \`../shared/traces/README.md\` from the repository's root), ${direct ? 'through the direct slot driver (`--direct`)' : 'through the real `MemoryCache` (`getSync`, then `setSync` on a miss)'}, at the sizes of the traces README plus 0.1%, 1% and 10% of each trace's unique keys. Hit ratio = hits / requests in %, cold misses included. LRU (ref) and OPT (ref) are computed by the replay tool itself (a Map-based exact LRU and Belady's clairvoyant OPT); the README's figures are shown beside them to cross-check. Bold: the best policy of the row (OPT excluded); the default policy's column header is bold.`,
    '',
    `Run: \`pnpm --filter @cache/tools replay${direct ? ' --direct' : ''}${check ? ' --check' : ''}\` on ${cpu} (${cpus().length} cores), Node ${process.version}; the whole replay took ${seconds.toFixed(0)} s.${check ? ` Both drivers (MemoryCache and the direct slot driver) were run; on the ${checkedCells} cells of the deterministic policies they differ by at most ${fmt(maxDriverDiff)} points.` : ''}`,
    '',
    '## Targets (issue 3)',
    '',
    targets(results),
    '',
    '## Check against the reference simulators',
    '',
    'Each policy is also replayed, on every trace and size above, by an independent reference simulator in `tools/replay/reference-policies.ts` (plain Maps and objects, written from the published algorithms, no code shared with the package). The deterministic policies must make the same decisions with the same tie-breaking: equal hit counts in every cell. S3-FIFO and W-TinyLFU differ by design, within the tolerances below (see the file header and the notes); the run fails otherwise.',
    '',
    checked.text,
    '',
    notes.trim(),
    '',
    ...results.flatMap((result) => [
      `## ${result.trace.name}`,
      '',
      `${result.trace.keys.length.toLocaleString('en-US')} requests, ${result.trace.unique.toLocaleString('en-US')} unique keys; replayed in ${result.seconds.toFixed(1)} s.`,
      '',
      table(result),
      '',
      `![${result.trace.name}](hit-ratio-${result.trace.name}.svg)`,
      '',
    ]),
  ].join('\n');
  writeFileSync(join(outDir, 'hit-ratio.md'), doc);
  process.stdout.write(`${checked.text}\nwrote ${join(outDir, 'hit-ratio.md')} in ${seconds.toFixed(1)} s\n`);
  if (checked.failed.length > 0) {
    process.stderr.write(
      `the package differs from the reference beyond tolerance: ${checked.failed.join(', ')}\n`,
    );
    process.exitCode = 1;
  }
}

await main();
