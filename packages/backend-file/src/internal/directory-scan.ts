/**
 * Walks a cache directory: every entry file with its size and mtime (the LRU stamp), from one
 * `readdir` per shard and one `stat` per file. Temp files left by writers that died are removed
 * on the way.
 */
import type { Stats } from 'node:fs';
import { errno } from './fs-layer.js';
import type { FileStore } from './file-store.js';
import { ENTRY_NAME, type Layout, SHARD_NAME, STALE_TEMP_MS, TEMP_NAME } from './layout.js';

/** One entry file seen by a scan. */
export interface ScannedFile {
  path: string;
  /** The file name: the hash of its key. */
  hash: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

/** The shard folders of a cache directory. */
export async function listShards(store: FileStore, layout: Layout): Promise<string[]> {
  const names = await store.list(layout.dir);
  return names.filter((name) => SHARD_NAME.test(name)).map((name) => `${layout.dir}/${name}`);
}

/** The entry file names of a shard (temp files and anything foreign left out). */
export async function listEntries(store: FileStore, shard: string): Promise<string[]> {
  return (await store.list(shard)).filter((name) => ENTRY_NAME.test(name));
}

/** Stats every entry file; removes temp files older than {@link STALE_TEMP_MS}. */
export async function scanDirectory(store: FileStore, layout: Layout): Promise<ScannedFile[]> {
  const files: ScannedFile[] = [];
  const now = Date.now();
  for (const shard of await listShards(store, layout)) {
    const names = await store.list(shard);
    await Promise.all(
      names.map(async (name) => {
        const isEntry = ENTRY_NAME.test(name);
        if (!isEntry && !TEMP_NAME.test(name)) return;
        const path = `${shard}/${name}`;
        let stats: Stats;
        try {
          stats = await store.fs.stat(path);
        } catch (error) {
          if (errno(error) === 'ENOENT') return;
          throw error;
        }
        if (isEntry)
          files.push({ path, hash: name, size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino });
        else if (now - stats.ctimeMs > STALE_TEMP_MS) await store.unlink(path);
      }),
    );
  }
  return files;
}
