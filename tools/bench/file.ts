/**
 * The file backend benchmark: `FileCache` beside raw `fs` (temp file + rename, readFile),
 * cacache, keyv-file (its one-file-per-key mode) and bentocache's file driver, in one run.
 *
 * Scenarios: set and get of 1 KiB and 100 KiB JSON values, sequentially (one `await` after the
 * other) and with 8 operations in flight. Each subject writes into its own fresh folder under
 * /tmp, removed at the end. Rounds are interleaved (round 1 of every subject, then round 2, ...)
 * so that noise from other work on the machine spreads over every subject; the figure is the
 * median ops/s of the rounds, per CPU second of the process (user + system, every thread) and
 * per wall-clock second.
 *
 * Run: `pnpm --filter @cache/tools bench:file`
 * Env: BENCH_ROUNDS (default 5: file timings swing, and a median of 5 resists a bad round),
 * BENCH_ENTRIES (default 10000), BENCH_ENTRIES_LARGE (default 2000),
 * BENCH_OUT (default ../docs/benchmarks/file.md), BENCH_SUBJECTS (comma-separated parts of subject
 * names, for a quicker partial run: `BENCH_SUBJECTS=raw,backend-file,cacache`; default all).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileDriver } from 'bentocache/drivers/file';
import cacache from 'cacache';
import Keyv from 'keyv';
import { KeyvFile } from 'keyv-file';
import { FileCache } from '@cache/backend-file';

interface Store {
  set(key: string, value: unknown): Promise<unknown>;
  get(key: string): Promise<unknown>;
  close(): Promise<void>;
}
interface Subject {
  name: string;
  open(dir: string): Promise<Store>;
}

let tempSeq = 0;
const subjects: Subject[] = [
  {
    name: 'raw fs (temp + rename, readFile)',
    async open(dir) {
      const path = (key: string) => join(dir, createHash('sha256').update(key).digest('hex'));
      return {
        async set(key, value) {
          const target = path(key);
          const temp = `${target}.${process.pid}.${tempSeq++}.tmp`;
          await writeFile(temp, JSON.stringify(value), { mode: 0o600 });
          await rename(temp, target);
        },
        async get(key) {
          try {
            return JSON.parse(await readFile(path(key), 'utf8'));
          } catch {
            return undefined;
          }
        },
        async close() {},
      };
    },
  },
  {
    name: '@cache/backend-file',
    async open(dir) {
      const cache = new FileCache({ dir });
      return { set: (k, v) => cache.set(k, v), get: (k) => cache.get(k), close: () => cache.close() };
    },
  },
  {
    name: 'cacache',
    async open(dir) {
      return {
        set: (k, v) => cacache.put(dir, k, JSON.stringify(v)),
        async get(k) {
          try {
            return JSON.parse((await cacache.get(dir, k)).data.toString('utf8'));
          } catch {
            return undefined;
          }
        },
        async close() {},
      };
    },
  },
  {
    name: 'keyv-file (separatedFile)',
    async open(dir) {
      const keyv = new Keyv({
        store: new KeyvFile({ filename: join(dir, 'store'), separatedFile: true, writeDelay: 0 }),
      });
      return { set: (k, v) => keyv.set(k, v), get: (k) => keyv.get(k), close: () => keyv.disconnect() };
    },
  },
  {
    name: 'bentocache file driver',
    async open(dir) {
      const driver = fileDriver({ directory: dir, pruneInterval: false }).factory({
        directory: dir,
        pruneInterval: false,
      } as never) as unknown as {
        set(k: string, v: string, ttl?: number): Promise<boolean>;
        get(k: string): Promise<string | undefined>;
        disconnect(): Promise<void>;
      };
      return {
        set: (k, v) => driver.set(k, JSON.stringify(v)),
        async get(k) {
          const raw = await driver.get(k);
          return raw === undefined ? undefined : JSON.parse(raw);
        },
        close: () => driver.disconnect(),
      };
    },
  },
];

const only = process.env.BENCH_SUBJECTS?.split(',').map((s) => s.trim());
if (only) {
  const keep = subjects.filter((s) => only.some((o) => s.name.includes(o)));
  subjects.splice(0, subjects.length, ...keep);
}
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const sizes = [
  { label: '1 KiB', bytes: 1024, entries: Number(process.env.BENCH_ENTRIES ?? 10_000) },
  { label: '100 KiB', bytes: 100 * 1024, entries: Number(process.env.BENCH_ENTRIES_LARGE ?? 2_000) },
];
const phases = ['set, sequential', 'get, sequential', 'set, 8 in flight', 'get, 8 in flight'] as const;

interface Rate {
  /** Operations per wall-clock second. */
  wall: number;
  /** Operations per second of process CPU time (user + system, every thread, the fs thread pool included). */
  cpu: number;
}

async function run(n: number, inFlight: number, op: (i: number) => Promise<unknown>): Promise<Rate> {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await op(next++);
    }),
  );
  const wallNs = Number(process.hrtime.bigint() - start);
  const cpu = process.cpuUsage(cpu0);
  return { wall: (n / wallNs) * 1e9, cpu: (n / (cpu.user + cpu.system)) * 1e6 };
}

/** One round of one subject at one size: the four phases. */
async function round(subject: Subject, size: (typeof sizes)[number], root: string): Promise<Rate[]> {
  const dir = mkdtempSync(join(root, 'subject-'));
  const store = await subject.open(dir);
  const data = 'x'.repeat(size.bytes);
  const n = size.entries;
  const value = (i: number) => ({ id: i, data });
  let misses = 0;
  const check = (got: unknown) => {
    if ((got as { data?: string } | undefined)?.data?.length !== size.bytes) misses++;
  };
  const out = [
    await run(n, 1, (i) => store.set(`key:${i}`, value(i))),
    await run(n, 1, async (i) => check(await store.get(`key:${i}`))),
    await run(n, 8, (i) => store.set(`key:${n + i}`, value(i))),
    await run(n, 8, async (i) => check(await store.get(`key:${n + i}`))),
  ];
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  if (misses > 0) throw new Error(`${subject.name} missed ${misses} reads`);
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const metrics = ['cpu', 'wall'] as const;
type Results = Map<string, number[][]>; // `${metric}|${size}|${subject}` -> per phase, per round

const fmtLoad = (load: number[]) => load.map((x) => x.toFixed(1)).join(' ');
let loadAtStart = '';

async function main(): Promise<void> {
  loadAtStart = fmtLoad(loadavg());
  const root = mkdtempSync(join(tmpdir(), 'bench-file-'));
  const results: Results = new Map();
  try {
    // Warm-up: a short round of every subject (JIT, page cache, module loading), discarded.
    for (const size of sizes) {
      for (const subject of subjects)
        await round(subject, { ...size, entries: Math.ceil(size.entries / 10) }, root);
    }
    for (let r = 0; r < rounds; r++) {
      for (const size of sizes) {
        for (const subject of subjects) {
          const rates = await round(subject, size, root);
          for (const metric of metrics) {
            const key = `${metric}|${size.label}|${subject.name}`;
            const per = results.get(key) ?? phases.map(() => []);
            for (const [i, rate] of rates.entries()) per[i]?.push(rate[metric]);
            results.set(key, per);
          }
          const show = rates.map((x) => `${Math.round(x.wall)} (cpu ${Math.round(x.cpu)})`).join(' / ');
          console.log(`round ${r + 1} ${size.label} ${subject.name}: ${show}`);
        }
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  writeReport(results);
}

const ours = '@cache/backend-file';
const raw = 'raw fs (temp + rename, readFile)';

function section(results: Results, metric: (typeof metrics)[number], size: (typeof sizes)[number]): string[] {
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const get = (name: string, i: number) =>
    median(results.get(`${metric}|${size.label}|${name}`)?.[i] ?? [Number.NaN]);
  const unit = metric === 'cpu' ? 'ops per CPU second' : 'ops per wall-clock second';
  const lines = [`### ${size.label} values, ${unit}`, ''];
  lines.push(`| subject | ${phases.join(' | ')} |`, `|---|${phases.map(() => '---:').join('|')}|`);
  for (const subject of subjects)
    lines.push(`| ${subject.name} | ${phases.map((_, i) => fmt(get(subject.name, i))).join(' | ')} |`);
  lines.push('', `Ratios (\`${ours}\` ÷ the other):`, '');
  lines.push(`| vs | ${phases.join(' | ')} |`, `|---|${phases.map(() => '---:').join('|')}|`);
  for (const subject of subjects) {
    if (subject.name === ours) continue;
    lines.push(
      `| ${subject.name} | ${phases.map((_, i) => `${(get(ours, i) / get(subject.name, i)).toFixed(2)}x`).join(' | ')} |`,
    );
  }
  const verdict = (i: number, other: string, target: number) => {
    if (!subjects.some((s) => s.name === other)) return 'not run';
    const ratio = get(ours, i) / get(other, i);
    return `${ratio.toFixed(2)}x ${ratio >= target ? 'met' : '**missed**'}`;
  };
  lines.push(
    '',
    `Targets: set ≥ 0.8x raw fs: ${verdict(0, raw, 0.8)} sequential, ${verdict(2, raw, 0.8)} 8 in flight; ` +
      `set ≥ 3x cacache: ${verdict(0, 'cacache', 3)} sequential, ${verdict(2, 'cacache', 3)} 8 in flight; ` +
      `get ≥ 0.9x raw fs: ${verdict(1, raw, 0.9)} sequential, ${verdict(3, raw, 0.9)} 8 in flight.`,
    '',
  );
  return lines;
}

function writeReport(results: Results): void {
  const lines: string[] = [
    '# File backend benchmark',
    '',
    `Run: \`pnpm --filter @cache/tools bench:file\` on ${new Date().toISOString().slice(0, 10)},`,
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${process.platform}, temp folders under \`${tmpdir()}\` (ext4, no fsync).`,
    `Load average (1, 5, 15 min) at the start of the run: ${loadAtStart}; at the end: ${fmtLoad(loadavg())}; on ${cpus().length} cores`,
    '(the run itself adds about 1; more means other work shared the machine).',
    '',
    'File-system timings swing between rounds (page cache, inode allocation: the kernel time of creating a',
    'file grows with other recent file activity on the same file system), so two measures are given: ops per **CPU second** of',
    'this process (user + system time of every thread, the libuv thread pool that runs the file calls',
    'included), which measures the work each library does and is far less sensitive to other load; and',
    'ops per **wall-clock second**. Rounds are interleaved (warm-up, then round 1 of every subject, round 2, ...);',
    `each figure is the median of ${rounds} rounds. Values are JSON objects \`{ id, data: "x" × size }\`.`,
    `Entries per phase: ${sizes.map((s) => `${s.entries.toLocaleString('en-US')} at ${s.label}`).join(', ')}`,
    '(100 KiB uses fewer entries to keep the run short: 10,000 × 100 KiB would write 1 GB per subject per phase).',
    '',
    'Subjects: raw `fs` is `writeFile(temp) + rename` and `readFile` with `JSON`, one flat folder, no cache',
    'features; `@cache/backend-file` is `new FileCache({ dir })` (envelope with key and times, sha256 file',
    'names in 256 shard folders created on first use, default options, no `fsync`); cacache is `put`/`get`;',
    "keyv-file uses `separatedFile: true, writeDelay: 0` through `Keyv`; bentocache's file driver is used",
    'directly (`set`/`get`, no bentocache layers, pruning off). Phases: sets of new keys one at a time, gets of',
    'them, then sets of other new keys 8 in flight, gets of them 8 in flight.',
    '',
  ];
  for (const metric of metrics) {
    lines.push(metric === 'cpu' ? '## Per CPU second' : '## Per wall-clock second', '');
    for (const size of sizes) lines.push(...section(results, metric, size));
  }
  const out = process.env.BENCH_OUT ?? join(import.meta.dirname, '../../docs/benchmarks/file.md');
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${lines.join('\n')}\n`);
  console.log(`\nwrote ${out}\n`);
  console.log(lines.join('\n'));
}

await main();
