/**
 * The snapshot file on disk: what `MemoryCache` reads at start, and the temporary files that
 * its atomic writes leave when a writer dies.
 *
 * Reads load regular files only, up to a size cap: the path is opened without following a
 * symbolic link (`O_NOFOLLOW`, and an `lstat` where the platform has no such flag) and without
 * blocking (`O_NONBLOCK`, so a FIFO does not hang the constructor), and the open file must be a
 * regular file (`fstat`) of at most the cap. A link to `/dev/zero`, a FIFO, a directory or a
 * device is refused before a byte is read.
 *
 * Temporary files are named `<path>.<pid>.<12 hex digits>.tmp`, beside the snapshot. At start,
 * those of this exact path whose writer is gone (no process has that pid, or the file has not
 * changed for a day, in case the pid was reused) are removed; nothing else is touched.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  unlinkSync,
} from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { basename, dirname, join } from 'node:path';
import { CacheError, CacheFullError } from '@cache/core';
import { toCacheError } from '@cache/core/backend';

/** The largest snapshot file loaded by default: 256 MiB. */
export const DEFAULT_SNAPSHOT_MAX_BYTES = 256 * 1024 * 1024;

/** The largest cap accepted: a snapshot is decoded as one string, and no string is longer. */
export const SNAPSHOT_MAX_BYTES_LIMIT = bufferConstants.MAX_STRING_LENGTH;

/** A temporary file left this long without a change is stale even when its writer's pid is alive (reused). */
const STALE_TEMP_AGE_MS = 24 * 60 * 60 * 1000;

const TEMP_SUFFIX = /^\.([1-9]\d{0,9})\.[0-9a-f]{12}\.tmp$/;

/** A new temporary file name for a snapshot at `path`: `<path>.<pid>.<12 hex digits>.tmp`. */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * Reads the snapshot at `path` as UTF-8 text, or `undefined` when there is no file.
 * @throws CacheError (`CACHE_ERROR`) for a path that is a symbolic link or not a regular file
 *   (FIFO, directory, device), or that cannot be read; CacheFullError (`CACHE_FULL`) for a
 *   file larger than `maxBytes`.
 */
export function readSnapshotFile(path: string, maxBytes: number): string | undefined {
  const noFollow = constants.O_NOFOLLOW ?? 0;
  let fd: number;
  try {
    if (noFollow === 0 && lstatSync(path).isSymbolicLink()) throw notRegular(path, 'a symbolic link');
    fd = openSync(path, constants.O_RDONLY | noFollow | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw notRegular(path, 'a symbolic link');
    throw toCacheError(error, `cannot read the snapshot ${path}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw notRegular(path, 'not a regular file');
    if (stat.size > maxBytes) throw tooLarge(path, maxBytes);
    // One byte more than the file held when opened: a file that grew while read is noticed.
    const buffer = Buffer.allocUnsafe(stat.size + 1);
    let total = 0;
    for (;;) {
      const read = readSync(fd, buffer, total, buffer.length - total, null);
      if (read === 0) break;
      total += read;
      if (total === buffer.length) {
        throw new CacheError(`the snapshot ${path} grew while it was read`);
      }
    }
    return buffer.toString('utf8', 0, total);
  } catch (error) {
    throw toCacheError(error, `cannot read the snapshot ${path}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses a snapshot text larger than `maxBytes` in UTF-8: it would not be loaded.
 * @throws CacheFullError (`CACHE_FULL`)
 */
export function checkSnapshotSize(path: string, text: string, maxBytes: number): void {
  if (text.length > maxBytes / 3 && Buffer.byteLength(text) > maxBytes) throw tooLarge(path, maxBytes);
}

/**
 * Removes the temporary files of the snapshot at `path` whose writer is gone (see the header).
 * @returns the names removed, and the errors met removing others (a missing directory is none).
 */
export function removeStaleTemps(
  path: string,
  now = Date.now(),
): { removed: string[]; errors: CacheError[] } {
  const removed: string[] = [];
  const errors: CacheError[] = [];
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      errors.push(toCacheError(error, `cannot list ${dir} for stale snapshot files`));
    return { removed, errors };
  }
  for (const name of names) {
    if (name.length <= base.length || !name.startsWith(base)) continue;
    const match = TEMP_SUFFIX.exec(name.slice(base.length));
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid === process.pid) continue;
    const file = join(dir, name);
    try {
      const stat = lstatSync(file);
      if (!stat.isFile()) continue;
      if (isAlive(pid) && now - stat.mtimeMs < STALE_TEMP_AGE_MS) continue;
      unlinkSync(file);
      removed.push(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        errors.push(toCacheError(error, `cannot remove the stale snapshot file ${file}`));
    }
  }
  return { removed, errors };
}

/** Whether a process with this pid exists (one of another user counts: `EPERM`). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function notRegular(path: string, what: string): CacheError {
  return new CacheError(`the snapshot ${path} is ${what}: only regular files are loaded`);
}

function tooLarge(path: string, maxBytes: number): CacheFullError {
  return new CacheFullError(`the snapshot ${path} is larger than persist.maxBytes (${maxBytes} bytes)`);
}
