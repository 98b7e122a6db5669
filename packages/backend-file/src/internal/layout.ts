/**
 * Where things live in a cache directory. Keys never become paths: an entry's file name is the
 * SHA-256 of its key in hex, in a shard folder named by the first two hex digits.
 *
 * ```
 * <dir>/<2 hex>/<64 hex>                       entry files (core's envelope, the key inside)
 * <dir>/<2 hex>/.<64 hex>.<writer>.<n>.tmp      a write in progress (renamed over the entry)
 * <dir>/tags/<64 hex of the tag>                tag invalidation time (float64 LE + the tag)
 * <dir>/locks/<64 hex of the key>.<kind>.lock   lock files (JSON: pid, host, token, expiresAt)
 * ```
 */
import { createHash, randomBytes } from 'node:crypto';

/** An entry file name: the SHA-256 of the key. */
export const ENTRY_NAME = /^[0-9a-f]{64}$/;
/** A shard folder name. */
export const SHARD_NAME = /^[0-9a-f]{2}$/;
/** A temp file name. */
export const TEMP_NAME = /^\.[0-9a-f]{64}\..+\.tmp$/;
/** Temp files older than this (by ctime) belong to a writer that died: scans remove them. */
export const STALE_TEMP_MS = 60_000;

/** Names temp files uniquely across processes (pid + random, pids repeat across containers). */
const WRITER_ID = `${process.pid.toString(36)}${randomBytes(4).toString('hex')}`;
/** Temp file sequence, shared by every instance in this process. */
let tempSeq = 0;

/** The hex SHA-256 of a string. */
export function hashOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Paths inside one cache directory. */
export class Layout {
  readonly dir: string;
  readonly tagsDir: string;
  readonly locksDir: string;
  constructor(dir: string) {
    this.dir = dir;
    this.tagsDir = `${dir}/tags`;
    this.locksDir = `${dir}/locks`;
  }

  shardOf(hash: string): string {
    return `${this.dir}/${hash.slice(0, 2)}`;
  }

  entryPath(hash: string): string {
    return `${this.dir}/${hash.slice(0, 2)}/${hash}`;
  }

  tempPath(folder: string, hash: string): string {
    return `${folder}/.${hash}.${WRITER_ID}.${(tempSeq++).toString(36)}.tmp`;
  }

  tagPath(tag: string): string {
    return `${this.tagsDir}/${hashOf(tag)}`;
  }

  /** A lock file: `kind` keeps the getOrSet lock and the add lock of one key apart. */
  lockPath(hash: string, kind: 'compute' | 'add' = 'compute'): string {
    return `${this.locksDir}/${hash}.${kind}.lock`;
  }
}
