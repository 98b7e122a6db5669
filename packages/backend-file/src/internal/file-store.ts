/**
 * Atomic file writes and whole-file reads over an {@link FsLayer}. A write goes to a unique temp
 * file in the target's own folder and is renamed over the target (or linked, to create only if
 * absent), so a reader sees the old file, the new file or none, never a torn one. With `fsync`
 * the temp file is synced before the rename and the folder after it.
 */
import type { Stats } from 'node:fs';
import { dirname } from 'node:path';
import { errno, type FsLayer, O_CREAT, O_EXCL, O_RDONLY, O_WRONLY, type ReadResult } from './fs-layer.js';

export type { ReadResult };

export interface FileStoreOptions {
  fs: FsLayer;
  fileMode: number;
  dirMode: number;
  fsync: boolean;
}

const WRITE_FLAGS = O_WRONLY | O_CREAT | O_EXCL;
/** The smallest read guess: below 4 KiB, `Buffer.allocUnsafe` slices a shared pool. */
const MIN_GUESS = 2048;
/** Files above this are read at their `fstat` size (a guess would allocate too much). */
const MAX_GUESS = 1 << 20;
/** Reads of files under half the guess before it halves. */
const SHRINK_AFTER = 64;

export class FileStore {
  readonly fs: FsLayer;
  readonly #fileMode: number;
  readonly #dirMode: number;
  readonly #fsync: boolean;
  /** Whether the umask changes the file mode, so each temp file needs an `fchmod` (found on the first write). */
  #fixMode: boolean | undefined;
  /** The same for folders (found on the first folder made); when it does not, no `chmod` per new folder. */
  #fixDirMode: boolean | undefined;
  /** The buffer size of the next {@link FileStore.readBytes}: a power of two above recent file sizes. */
  #guess = 16_384;
  /** Reads in a row of files under half the guess. */
  #small = 0;

  constructor(options: FileStoreOptions) {
    this.fs = options.fs;
    this.#fileMode = options.fileMode;
    this.#dirMode = options.dirMode;
    this.#fsync = options.fsync;
  }

  /**
   * Reads a whole file; `undefined` when it does not exist. When `touchBefore` is given and the
   * file's mtime is older, the mtime is set to `touchTo` (the LRU stamp), ignoring failures.
   */
  read(path: string, touchBefore?: number, touchTo?: number): Promise<ReadResult | undefined> {
    return this.fs.readWhole(path, touchBefore, touchTo);
  }

  /**
   * Reads a whole file, without the inode and mtime that {@link FileStore.read} gives (one `fstat`
   * fewer for a file smaller than recent ones); `undefined` when it does not exist.
   */
  async readBytes(path: string): Promise<Buffer | undefined> {
    const guess = this.#guess;
    const bytes =
      guess > MAX_GUESS ? (await this.fs.readWhole(path))?.bytes : await this.fs.readGuess(path, guess);
    if (bytes === undefined) return undefined;
    const size = bytes.length;
    if (size >= guess) {
      // Read with an fstat: the next guess fits this file.
      this.#guess = 2 ** Math.ceil(Math.log2(size + 1));
      this.#small = 0;
    } else if (size < guess / 2 && guess > MIN_GUESS) {
      if (++this.#small >= SHRINK_AFTER) {
        this.#guess = guess / 2;
        this.#small = 0;
      }
    } else this.#small = 0;
    return bytes;
  }

  /**
   * Writes `bytes` to `path` atomically. `exclusive` creates the file only if absent and reports
   * whether it did. `mtime` (epoch ms) stamps the file, for an injected clock. On failure the old
   * file is untouched and the temp file is removed.
   */
  async write(
    path: string,
    temp: string,
    bytes: Uint8Array | readonly [Uint8Array, Uint8Array],
    exclusive: boolean,
    mtime?: number,
  ): Promise<boolean> {
    let fd: number;
    try {
      fd = await this.fs.open(temp, WRITE_FLAGS, this.#fileMode);
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw error;
      await this.ensureDir(dirname(temp));
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
      this.#fixDirMode = ((await this.fs.stat(path)).mode & 0o777) !== this.#dirMode;
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

  /** Removes a file if it is still the one read (same inode): a narrow guard against removing a newer write. */
  async unlinkIfSame(path: string, ino: number, mtimeMs?: number): Promise<boolean> {
    let stats: Stats;
    try {
      stats = await this.fs.stat(path);
    } catch (error) {
      if (errno(error) === 'ENOENT') return false;
      throw error;
    }
    if (stats.ino !== ino || (mtimeMs !== undefined && stats.mtimeMs !== mtimeMs)) return false;
    return this.unlink(path);
  }

  /** Removes a file; `false` when it was already gone. */
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
