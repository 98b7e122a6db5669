import { ManualClock } from '@cache/test-utils';
import { afterEach } from 'vitest';
import { FileCache, type FileCacheOptions } from '../../src/index.js';
import { tempDir } from './temp-dir.js';

const open: FileCache<unknown>[] = [];
const dirs: { remove(): Promise<void> }[] = [];

afterEach(async () => {
  for (const cache of open.splice(0)) await cache.close();
  for (const dir of dirs.splice(0)) await dir.remove();
});

/** A fresh temp folder, removed after the test. */
export async function freshDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir.path;
}

/** A cache over a fresh temp folder with a manual clock; closed and removed after the test. */
export async function makeCache<V = unknown>(
  options: Partial<FileCacheOptions> = {},
): Promise<{ cache: FileCache<V>; dir: string; clock: ManualClock }> {
  const clock = options.clock instanceof ManualClock ? options.clock : new ManualClock();
  const dir = options.dir ?? (await freshDir());
  const cache = new FileCache<V>({ clock, ...options, dir });
  open.push(cache as FileCache<unknown>);
  return { cache, dir, clock };
}

/** Another cache over the same folder (as another process would open it). */
export function sibling<V = unknown>(dir: string, options: Partial<FileCacheOptions> = {}): FileCache<V> {
  const cache = new FileCache<V>({ ...options, dir });
  open.push(cache as FileCache<unknown>);
  return cache;
}
