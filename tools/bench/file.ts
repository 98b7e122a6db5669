/**
 * The file backend benchmark: `FileCache` beside raw `fs` (temp file + rename, readFile),
 * cacache, keyv-file (its one-file-per-key mode) and bentocache's file driver, in one run.
 *
 * Scenarios: set and get of 1 KiB and 100 KiB JSON values, sequentially (one `await` after the
 * other) and with 8 operations in flight. Each subject writes into its own fresh folder under
 * /tmp, removed at the end. Rounds are interleaved (round 1 of every subject, then round 2, ...)
 * so that noise from other work on the machine spreads over every subject; the figure is the
 * median ops/s of the rounds, measured by wall clock (the work is I/O).
 *
 * Run: `pnpm --filter @cache/backend-file build && pnpm --filter @cache/tools bench:file`
 * Env: BENCH_ROUNDS (default 3), BENCH_ENTRIES (default 10000), BENCH_ENTRIES_LARGE (default 2000),
 * BENCH_OUT (default ../docs/benchmarks/file.md).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileDriver } from 'bentocache/drivers/file';
import cacache from 'cacache';
import Keyv from 'keyv';
import { KeyvFile } from 'keyv-file';
import { FileCache } from '../../packages/backend-file/dist/index.js';

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

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const sizes = [
  { label: '1 KiB', bytes: 1024, entries: Number(process.env.BENCH_ENTRIES ?? 10_000) },
  { label: '100 KiB', bytes: 100 * 1024, entries: Number(process.env.BENCH_ENTRIES_LARGE ?? 2_000) },
];
const phases = ['set, sequential', 'get, sequential', 'set, 8 in flight', 'get, 8 in flight'] as const;

async function run(n: number, inFlight: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await op(next++);
    }),
  );
  return (n / Number(process.hrtime.bigint() - start)) * 1e9;
}

/** One round of one subject at one size: the four phases, ops/s each. */
async function round(subject: Subject, size: (typeof sizes)[number], root: string): Promise<number[]> {
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

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'bench-file-'));
  const results = new Map<string, number[][]>(); // `${size}|${subject}` -> per phase, per round
  try {
    for (let r = 0; r < rounds; r++) {
      for (const size of sizes) {
        for (const subject of subjects) {
          const ops = await round(subject, size, root);
          const key = `${size.label}|${subject.name}`;
          const per = results.get(key) ?? phases.map(() => []);
          ops.forEach((x, i) => per[i]?.push(x));
          results.set(key, per);
          console.log(
            `round ${r + 1} ${size.label} ${subject.name}: ${ops.map((x) => Math.round(x)).join(' / ')}`,
          );
        }
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  writeReport(results);
}

function writeReport(results: Map<string, number[][]>): void {
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const lines: string[] = [
    '# File backend benchmark',
    '',
    `Run: \`pnpm --filter @cache/backend-file build && pnpm --filter @cache/tools bench:file\` on ${new Date().toISOString().slice(0, 10)},`,
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${process.platform}, temp folders under \`${tmpdir()}\`.`,
    'The machine was shared with other work during the run, so absolute figures are noisy; ratios come from',
    `interleaved rounds (${rounds} rounds, median ops/s of each). Values are JSON objects \`{ id, data: "x" × size }\`.`,
    `Entries per phase: ${sizes.map((s) => `${s.entries.toLocaleString('en-US')} for ${s.label}`).join(', ')}`,
    '(100 KiB uses fewer entries to keep the run short: 10,000 × 100 KiB would write about 1 GB per subject per phase).',
    '',
    'Subjects: raw `fs` is `writeFile(temp) + rename` and `readFile` with `JSON` and no cache features;',
    '`@cache/backend-file` is `new FileCache({ dir })` (envelope, sha256 file names, shards, default options, no `fsync`);',
    'cacache is `put`/`get`; keyv-file uses `separatedFile: true, writeDelay: 0` through `Keyv`;',
    "bentocache's file driver is used directly (`set`/`get`, no bentocache layers, pruning off).",
    '',
  ];
  const ours = '@cache/backend-file';
  const raw = 'raw fs (temp + rename, readFile)';
  for (const size of sizes) {
    lines.push(`## ${size.label} values`, '');
    lines.push(`| subject | ${phases.join(' | ')} |`, `|---|${phases.map(() => '---:').join('|')}|`);
    for (const subject of subjects) {
      const per = results.get(`${size.label}|${subject.name}`) ?? [];
      lines.push(`| ${subject.name} | ${per.map((xs) => fmt(median(xs))).join(' | ')} |`);
    }
    lines.push('', 'Ratios (ops/s of `@cache/backend-file` ÷ ops/s of the other):', '');
    lines.push(`| vs | ${phases.join(' | ')} |`, `|---|${phases.map(() => '---:').join('|')}|`);
    const mine = results.get(`${size.label}|${ours}`) ?? [];
    for (const subject of subjects) {
      if (subject.name === ours) continue;
      const per = results.get(`${size.label}|${subject.name}`) ?? [];
      lines.push(
        `| ${subject.name} | ${per.map((xs, i) => `${(median(mine[i] ?? [0]) / median(xs)).toFixed(2)}x`).join(' | ')} |`,
      );
    }
    lines.push('');
    const m = (i: number) => median(mine[i] ?? [0]);
    const of = (name: string, i: number) => median(results.get(`${size.label}|${name}`)?.[i] ?? [1]);
    const verdict = (ratio: number, target: number) =>
      `${ratio.toFixed(2)}x (target ≥ ${target}x: ${ratio >= target ? 'met' : 'missed'})`;
    lines.push(
      `Targets at ${size.label}: set vs raw fs ${verdict(m(0) / of(raw, 0), 0.8)} sequential, ${verdict(m(2) / of(raw, 2), 0.8)} 8 in flight;`,
      `set vs cacache ${verdict(m(0) / of('cacache', 0), 3)} sequential, ${verdict(m(2) / of('cacache', 2), 3)} 8 in flight;`,
      `get vs raw fs ${verdict(m(1) / of(raw, 1), 0.9)} sequential, ${verdict(m(3) / of(raw, 3), 0.9)} 8 in flight.`,
      '',
    );
  }
  const out = process.env.BENCH_OUT ?? join(import.meta.dirname, '../../docs/benchmarks/file.md');
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${lines.join('\n')}\n`);
  console.log(`\nwrote ${out}\n`);
  console.log(lines.join('\n'));
}

await main();
