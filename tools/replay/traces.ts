/**
 * Loads the real traces (gzip text, one key per line; `TRACE_DIR`, else `../shared/traces` from the
 * repository's root) and the sizes
 * to replay them at: the sizes of the traces README plus 0.1%, 1% and 10% of the unique keys.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** One trace: its keys as strings and as dense integer ids (for the references). */
export interface Trace {
  name: string;
  keys: string[];
  ids: Int32Array;
  unique: number;
  /** Sizes to replay, ascending. */
  sizes: number[];
  /** LRU and OPT hit % from the traces README, by size. */
  published: Map<number, { lru: number; opt: number }>;
}

/** The README's table: trace, size, LRU %, OPT %. */
const PUBLISHED: ReadonlyArray<readonly [string, number, number, number]> = [
  ['oltp', 250, 16.47, 38.47],
  ['oltp', 1000, 32.83, 53.62],
  ['oltp', 2000, 42.47, 60.4],
  ['oltp', 10000, 60.7, 73.02],
  ['glimpse', 250, 0.91, 17.71],
  ['glimpse', 500, 0.95, 34.33],
  ['glimpse', 1000, 11.21, 53.15],
  ['loop', 256, 0.0, 25.27],
  ['loop', 512, 0.0, 50.54],
  ['sprite', 100, 21.58, 50.91],
  ['sprite', 400, 70.77, 84.56],
  ['multi2', 600, 37.13, 55.52],
  ['multi2', 1800, 48.49, 73.13],
  ['web12', 300, 49.01, 66.85],
  ['web12', 1200, 66.85, 79.12],
];

export const TRACE_NAMES = ['oltp', 'glimpse', 'loop', 'sprite', 'multi2', 'web12'] as const;

/** The repository's root (this file is tools/replay/traces.ts). */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the traces are: `TRACE_DIR` when set, else `../shared/traces` beside the repository. */
const DEFAULT_TRACE_DIR = resolve(process.env.TRACE_DIR ?? join(REPO_ROOT, '../shared/traces'));

/** Reads `<dir>/<name>.keys.gz`. */
export function loadTrace(name: string, dir = DEFAULT_TRACE_DIR): Trace {
  const keys = gunzipSync(readFileSync(join(dir, `${name}.keys.gz`)))
    .toString('latin1')
    .split('\n');
  keys.pop();
  const idOf = new Map<string, number>();
  const ids = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    let id = idOf.get(key);
    if (id === undefined) {
      id = idOf.size;
      idOf.set(key, id);
    }
    ids[i] = id;
  }
  const unique = idOf.size;
  const published = new Map<number, { lru: number; opt: number }>();
  for (const [trace, size, lru, opt] of PUBLISHED) if (trace === name) published.set(size, { lru, opt });
  const sizes = new Set<number>(published.keys());
  for (const share of [0.001, 0.01, 0.1]) sizes.add(Math.max(1, Math.round(unique * share)));
  return { name, keys, ids, unique, sizes: [...sizes].sort((a, b) => a - b), published };
}
