/**
 * The check a cache makes when it opens its directory. Whoever can write to the directory can
 * replace a shard, `tags` or `locks` folder with a link between the cache's `lstat` check and
 * its next call (Node has no `openat`), so the directory must be writable only by people the
 * cache trusts: its owner is the current user or root, and group and others cannot write to it,
 * unless the sticky bit keeps them from renaming or removing what they do not own, `dirMode`
 * grants them that access (the user asked for it), or `sharedDir` says the user vouches for
 * every writer.
 */
import type { Stats } from 'node:fs';
import { CacheConfigError } from '@cache/core';
import type { FileStore } from './file-store.js';
import { errno } from './fs-layer.js';

const STICKY = 0o1000;
const GROUP_OTHER_WRITE = 0o022;

/** Options the check reads. */
export interface DirectoryPolicy {
  dirMode: number;
  sharedDir: boolean;
}

/**
 * Checks the cache directory's `stat` (following a link the user gave as `dir`).
 * @throws CacheConfigError when it is not a folder, is owned by another user, or is writable by
 * group or others without the sticky bit, a `dirMode` that grants it, or `sharedDir`.
 */
export function checkDirectory(dir: string, stats: Stats, policy: DirectoryPolicy): void {
  if (!stats.isDirectory()) throw new CacheConfigError(`dir ${dir} is not a directory`);
  const uid = process.geteuid?.();
  // Windows has no owner ids or POSIX modes to check.
  if (policy.sharedDir || uid === undefined) return;
  if (stats.uid !== uid && stats.uid !== 0) {
    throw new CacheConfigError(
      `dir ${dir} is owned by uid ${stats.uid}, not by this user (${uid}) or root; pass sharedDir: true to trust it`,
    );
  }
  const writable = stats.mode & GROUP_OTHER_WRITE & ~policy.dirMode;
  if (writable !== 0 && (stats.mode & STICKY) === 0) {
    throw new CacheConfigError(
      `dir ${dir} has mode 0o${(stats.mode & 0o7777).toString(8)}: group or others may write to it; ` +
        'remove that access, set the sticky bit, or pass sharedDir: true to trust every writer',
    );
  }
}

/**
 * Opens the cache directory: creates it (and its parents, with `dirMode`) when missing, then
 * checks it with {@link checkDirectory}.
 * @throws CacheConfigError when the directory is not one the cache can trust.
 */
export async function openDirectory(store: FileStore, dir: string, policy: DirectoryPolicy): Promise<void> {
  let stats: Stats;
  try {
    stats = await store.fs.stat(dir);
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw error;
    await store.ensureDir(dir);
    stats = await store.fs.stat(dir);
  }
  checkDirectory(dir, stats, policy);
}
