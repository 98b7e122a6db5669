/**
 * Walks a cache directory: every entry file with its size and mtime (the LRU stamp), from one
 * `readdir` per shard and one `lstat` per file. Temp files left by writers that died are removed
 * on the way. Shard folders that are symbolic links (or not folders) are never entered: they are
 * handed to `refused`, and their contents are neither counted nor removed. Entry names that are
 * not regular files (links, FIFOs, folders) are left out. A full `clear()` empties the shards
 * with the same walk ({@link clearShards}).
 */
import type { Stats } from 'node:fs';
import type { FileStore } from './file-store.js';
import { errno, OddFileError } from './fs-layer.js';
import { ENTRY_NAME, type Layout, SHARD_NAME, STALE_TEMP_MS, TEMP_NAME } from './layout.js';

/** One entry file seen by a scan. */
export interface ScannedFile {
  path: string;
  /** The file name: the hash of its key. */
  hash: string;
  size: number;
  mtimeMs: number;
  dev: number;
  ino: number;
}

/** Receives a folder or file that a walk refused to enter or read. */
export type Refused = (error: OddFileError) => void;

/** The shard folders of a cache directory that are real folders (links and others go to `refused`). */
export async function listShards(store: FileStore, layout: Layout, refused: Refused): Promise<string[]> {
  const names = (await store.list(layout.dir)).filter((name) => SHARD_NAME.test(name));
  const shards: string[] = [];
  for (const name of names) {
    const path = `${layout.dir}/${name}`;
    try {
      if (await store.checkFolder(path)) shards.push(path);
    } catch (error) {
      if (!(error instanceof OddFileError)) throw error;
      refused(error);
    }
  }
  return shards;
}

/** The entry file names of a shard (temp files and anything foreign left out). */
export async function listEntries(store: FileStore, shard: string): Promise<string[]> {
  return (await store.list(shard)).filter((name) => ENTRY_NAME.test(name));
}

/** Stats every entry file; removes temp files older than {@link STALE_TEMP_MS}. */
export async function scanDirectory(
  store: FileStore,
  layout: Layout,
  refused: Refused,
): Promise<ScannedFile[]> {
  const files: ScannedFile[] = [];
  const now = Date.now();
  for (const shard of await listShards(store, layout, refused)) {
    const names = await store.list(shard);
    await Promise.all(
      names.map(async (name) => {
        const isEntry = ENTRY_NAME.test(name);
        if (!isEntry && !TEMP_NAME.test(name)) return;
        const path = `${shard}/${name}`;
        let stats: Stats;
        try {
          stats = await store.fs.lstat(path);
        } catch (error) {
          if (errno(error) === 'ENOENT') return;
          throw error;
        }
        if (isEntry) {
          if (stats.isFile())
            files.push({
              path,
              hash: name,
              size: stats.size,
              mtimeMs: stats.mtimeMs,
              dev: stats.dev,
              ino: stats.ino,
            });
        } else if (now - stats.ctimeMs > STALE_TEMP_MS && !stats.isDirectory()) await store.unlink(path);
      }),
    );
  }
  return files;
}

/**
 * Removes every entry name in the real shard folders, for a `clear()` without a prefix. A shard
 * swapped for a link since the listing, or a folder where an entry belongs, goes to `refused`.
 */
export async function clearShards(store: FileStore, layout: Layout, refused: Refused): Promise<void> {
  for (const shard of await listShards(store, layout, refused)) {
    const names = await listEntries(store, shard);
    try {
      // Checked again right before the removals: a shard swapped for a link since the listing is skipped.
      await store.checkFolder(shard);
    } catch (error) {
      if (!(error instanceof OddFileError)) throw error;
      refused(error);
      continue;
    }
    await Promise.all(names.map((name) => unlinkEntry(store, `${shard}/${name}`, refused)));
  }
}

/** Removes one entry name; a folder there is not an entry: refused and left. */
async function unlinkEntry(store: FileStore, path: string, refused: Refused): Promise<void> {
  try {
    await store.unlink(path);
  } catch (error) {
    const code = errno(error);
    if (code !== 'EISDIR' && code !== 'EPERM') throw error;
    refused(new OddFileError(path, 'not-regular', 'a folder where an entry belongs'));
  }
}
