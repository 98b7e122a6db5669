/**
 * Atomic file writes, whole-file reads and exact removals over an {@link FsLayer}. A write goes
 * to a unique temp file in the target's own folder and is renamed over the target (or linked, to
 * create only if absent), so a reader sees the old file, the new file or none, never a torn one.
 * With `fsync` the temp file is synced before the rename and the folder after it.
 *
 * Every folder a file is read from, written to or removed from (a shard, `tags`, `locks`) is
 * checked with `lstat` first: a symbolic link or anything but a directory there is refused with
 * an {@link OddFileError}, so that nothing outside the cache directory is read, written or
 * removed through it. (Node has no `openat`: a folder swapped for a link between the check and
 * the call is not caught. Only someone who can write to the cache directory can do that, which
 * the owner and mode check of the directory rules out; see the README.)
 */
import type { Stats } from 'node:fs';
import { dirname } from 'node:path';
import {
  errno,
  type FsLayer,
  O_CREAT,
  O_EXCL,
  O_NOFOLLOW,
  O_RDONLY,
  O_WRONLY,
  OddFileError,
  type ReadResult,
} from './fs-layer.js';

export type { ReadResult };

export interface FileStoreOptions {
  fs: FsLayer;
  fileMode: number;
  dirMode: number;
  fsync: boolean;
  /** The largest file read (see `maxEntryBytes`). */
  maxFileBytes: number;
}

/** What {@link FileStore.removeExact} compares: the identity of the file read, and its bytes when given. */
export interface FileIdentity {
  dev?: number;
  ino: number;
  size: number;
  mtimeMs: number;
  bytes?: Buffer;
}

const WRITE_FLAGS = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;

export class FileStore {
  readonly fs: FsLayer;
  readonly #fileMode: number;
  readonly #dirMode: number;
  readonly #fsync: boolean;
  readonly #maxFileBytes: number;
  /** Whether the umask changes the file mode, so each temp file needs an `fchmod` (found on the first write). */
  #fixMode: boolean | undefined;
  /** The same for folders (found on the first folder made); when it does not, no `chmod` per new folder. */
  #fixDirMode: boolean | undefined;

  constructor(options: FileStoreOptions) {
    this.fs = options.fs;
    this.#fileMode = options.fileMode;
    this.#dirMode = options.dirMode;
    this.#fsync = options.fsync;
    this.#maxFileBytes = options.maxFileBytes;
  }

  /**
   * Whether a folder inside the cache directory exists (`false` when missing).
   * @throws OddFileError when it is a symbolic link or not a directory.
   */
  async checkFolder(path: string): Promise<boolean> {
    let stats: Stats;
    try {
      stats = await this.fs.lstat(path);
    } catch (error) {
      const code = errno(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw error;
    }
    if (stats.isSymbolicLink())
      throw new OddFileError(path, 'link', 'a symbolic link where a folder belongs');
    if (!stats.isDirectory()) throw new OddFileError(path, 'not-regular', 'not a folder');
    return true;
  }

  /**
   * Reads a whole regular file; `undefined` when it does not exist. When `touchBefore` is given
   * and the file's mtime is older, the mtime is set to `touchTo` (the LRU stamp), ignoring
   * failures. A read that only reads checks its folder alongside (the bytes are used only when
   * the folder is a real one); a read that stamps checks the folder first.
   * @throws OddFileError for a linked folder, or anything but a regular file within the size cap.
   */
  async read(path: string, touchBefore?: number, touchTo?: number): Promise<ReadResult | undefined> {
    const folder = dirname(path);
    if (touchBefore !== undefined) {
      await this.checkFolder(folder);
      return this.fs.readWhole(path, this.#maxFileBytes, touchBefore, touchTo);
    }
    const reading = this.fs.readWhole(path, this.#maxFileBytes);
    // Handled here so that a read failing while the folder check runs is not an unhandled rejection.
    reading.catch(() => undefined);
    await this.checkFolder(folder);
    return reading;
  }

  /**
   * Writes `bytes` to `path` atomically. `exclusive` creates the file only if absent and reports
   * whether it did. `mtime` (epoch ms) stamps the file, for an injected clock. On failure the old
   * file is untouched and the temp file is removed.
   * @throws OddFileError when the folder is a link or not a folder.
   */
  async write(
    path: string,
    temp: string,
    bytes: Uint8Array | readonly [Uint8Array, Uint8Array],
    exclusive: boolean,
    mtime?: number,
  ): Promise<boolean> {
    const folder = dirname(temp);
    if (!(await this.checkFolder(folder))) {
      await this.ensureDir(folder);
      await this.checkFolder(folder);
    }
    let fd: number;
    try {
      fd = await this.fs.open(temp, WRITE_FLAGS, this.#fileMode);
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw error;
      // The folder went away since the check (a clear from outside): make it again.
      await this.ensureDir(folder);
      await this.checkFolder(folder);
      fd = await this.fs.open(temp, WRITE_FLAGS, this.#fileMode);
    }
    try {
      if (this.#fixMode === undefined)
        this.#fixMode = ((await this.fs.fstat(fd)).mode & 0o777) !== this.#fileMode;
      if (this.#fixMode) await this.fs.fchmod(fd, this.#fileMode);
      await this.#writeAll(fd, bytes);
      if (mtime !== undefined) await this.fs.futimes(fd, mtime / 1000, mtime / 1000);
      if (this.#fsync) await this.fs.fsync(fd);
    } catch (error) {
      await this.fs.close(fd).catch(() => undefined);
      await this.fs.unlink(temp).catch(() => undefined);
      throw error;
    }
    try {
      await this.fs.close(fd);
      if (exclusive) {
        try {
          await this.fs.link(temp, path);
        } catch (error) {
          if (errno(error) === 'EEXIST') return false;
          throw error;
        } finally {
          await this.fs.unlink(temp).catch(() => undefined);
        }
      } else await this.fs.rename(temp, path);
    } catch (error) {
      await this.fs.unlink(temp).catch(() => undefined);
      throw error;
    }
    if (this.#fsync) await this.syncDir(dirname(path));
    return true;
  }

  /** Writes bytes, or two parts (envelope header and payload: no copy into one buffer) with one `writev`. */
  async #writeAll(fd: number, bytes: Uint8Array | readonly [Uint8Array, Uint8Array]): Promise<void> {
    let buffer: Buffer;
    if (bytes instanceof Uint8Array) buffer = asBuffer(bytes);
    else {
      const [head, tail] = bytes;
      const done = await this.fs.writev(fd, bytes);
      if (done === head.length + tail.length) return;
      // A short write (rare for regular files): finish from where it stopped.
      buffer = Buffer.concat([head, tail]).subarray(done);
    }
    let done = 0;
    while (done < buffer.length) done += await this.fs.write(fd, buffer, done, buffer.length - done);
  }

  /** Syncs a folder, so that a rename or unlink in it survives power loss. */
  async syncDir(path: string): Promise<void> {
    const fd = await this.fs.open(path, O_RDONLY);
    try {
      await this.fs.fsync(fd);
    } finally {
      await this.fs.close(fd);
    }
  }

  /** Creates a folder and its parents with the folder mode (set exactly, whatever the umask). */
  async ensureDir(path: string): Promise<void> {
    const first = await this.fs.mkdir(path, this.#dirMode);
    if (first === undefined) return;
    if (this.#fixDirMode === undefined) {
      // The first folder made tells whether the umask (or a default ACL) changes the mode.
      this.#fixDirMode = ((await this.fs.lstat(path)).mode & 0o777) !== this.#dirMode;
    } else if (!this.#fixDirMode) return this.#syncNew(first);
    // Every folder from `first` down to `path` is new: set its mode whatever the umask.
    let at = path;
    const created: string[] = [];
    while (at.length >= first.length) {
      created.push(at);
      if (at === first) break;
      at = dirname(at);
    }
    for (const folder of created) await this.fs.chmod(folder, this.#dirMode);
    return this.#syncNew(first);
  }

  /** With `fsync`, syncs the folder that holds a new folder. */
  async #syncNew(first: string): Promise<void> {
    if (this.#fsync) await this.syncDir(dirname(first)).catch(() => undefined);
  }

  /**
   * Compare-and-delete: removes the file at `path` only if it is the very file that was read
   * (`expected`), and reports whether it did. Never removes another file, even one that a writer
   * renames over `path` at any moment:
   *
   * 1. `rename(path, aside)` moves whatever `path` names at that instant to a unique name in the
   *    same folder (atomic: no writer's rename can be split by it).
   * 2. The moved file is compared with the one read: same device, inode, size and mtime, and,
   *    when `expected.bytes` is given, the same bytes. Only then is it unlinked.
   * 3. Otherwise a writer replaced the file after it was read, and the move took the writer's
   *    file: it is put back with `link(aside, path)`, which fails if `path` exists, that is, if
   *    a still newer write has landed since (that one supersedes the moved file, as it would have
   *    by renaming over it), and the aside name is removed.
   *
   * So a removal takes out exactly the bytes that were read, or nothing. For the span of step 2
   * a file moved by mistake is missing from `path`: a concurrent read misses, and a concurrent
   * `add` could take the empty name (FileCache removes dead entries under the key's add lock, so
   * adds do not race it; see `file-cache.ts`).
   * @throws OddFileError when the folder is a link.
   */
  async removeExact(path: string, expected: FileIdentity, aside: string): Promise<boolean> {
    if (!(await this.checkFolder(dirname(path)))) return false;
    try {
      await this.fs.rename(path, aside);
    } catch (error) {
      if (errno(error) === 'ENOENT') return false;
      throw error;
    }
    let same = false;
    let moved: Stats | undefined;
    try {
      moved = await this.fs.lstat(aside);
      // Without bytes to compare, any file but a folder (an odd file that add replaces) can match.
      same =
        (expected.bytes === undefined ? !moved.isDirectory() : moved.isFile()) &&
        moved.ino === expected.ino &&
        (expected.dev === undefined || moved.dev === expected.dev) &&
        moved.size === expected.size &&
        moved.mtimeMs === expected.mtimeMs;
      if (same && expected.bytes !== undefined) {
        const again = await this.fs.readWhole(aside, this.#maxFileBytes);
        same = again !== undefined && again.ino === expected.ino && again.bytes.equals(expected.bytes);
      }
    } catch {
      same = false;
    }
    if (same) {
      await this.unlink(aside);
      return true;
    }
    await this.#putBack(aside, path, moved);
    return false;
  }

  /** Step 3 of {@link FileStore.removeExact}: the moved file goes back unless `path` was taken meanwhile. */
  async #putBack(aside: string, path: string, moved: Stats | undefined): Promise<void> {
    if (moved?.isDirectory()) {
      // Not ours to judge (a folder where an entry belongs): back where it was, if still free.
      await this.fs.rename(aside, path).catch(() => undefined);
      return;
    }
    // EEXIST: a newer write took the name; it supersedes the moved file. (Hard links are a
    // requirement of the backend, see the README: no fallback that could overwrite a newer write.)
    await this.fs.link(aside, path).catch(() => undefined);
    await this.unlink(aside).catch(() => undefined);
  }

  /** Removes a file (never follows a link: a link is removed itself); `false` when it was already gone. */
  async unlink(path: string): Promise<boolean> {
    try {
      await this.fs.unlink(path);
      return true;
    } catch (error) {
      if (errno(error) === 'ENOENT') return false;
      throw error;
    }
  }

  /** The names in a folder; none when it does not exist. */
  async list(path: string): Promise<string[]> {
    try {
      return await this.fs.readdir(path);
    } catch (error) {
      if (errno(error) === 'ENOENT') return [];
      throw error;
    }
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
