/**
 * Removal of dead entry files: bytes that do not decode, expired or invalidated entries, files
 * under a name that is not their key's hash, and odd files that `add` replaces. A removal never
 * takes out a file that a writer put at the path after it was read:
 *
 * - It runs under the entry's add lock (`locks/<hash>.add.lock`), the lock `add` holds while it
 *   replaces a dead file. Outside `add` the lock is only tried, never waited for: someone
 *   holding it is already dealing with that entry.
 * - Under the lock the file is read again and must hold the same inode and bytes as the read
 *   that judged it dead; then it is removed by `FileStore.removeExact` (compare-and-delete).
 *
 * Why `add` then has exactly one winner whatever the name held: a win is a `link` into a free
 * name. The name becomes free only by a removal; a removal of a dead file runs under the lock
 * and takes only the file it read under the lock, and no adder can change an occupied name and no
 * other remover can act meanwhile, so it never takes a winner's file. (A `set` or `delete` racing
 * in the same instant can still be undone by a later write, as any two unordered writes can.)
 */
import { acquireFileLock } from './file-lock.js';
import type { FileIdentity, FileStore, ReadResult } from './file-store.js';
import { OddFileError } from './fs-layer.js';
import type { Layout } from './layout.js';

/** How long an add lock is held at most (its lease) and how long `add` waits for it. */
const ADD_LOCK_MS = 5_000;
/** Rounds of "link, else remove the dead file there" an `add` makes under its lock before giving up. */
const ADD_ROUNDS = 64;

/** A file's identity without its bytes: a removal that must take that file, whatever it holds now. */
export function identity(file: ReadResult): FileIdentity {
  return { dev: file.dev, ino: file.ino, size: file.size, mtimeMs: file.mtimeMs };
}

export class DeadFiles {
  readonly #store: FileStore;
  readonly #layout: Layout;
  readonly #poll: number;

  constructor(store: FileStore, layout: Layout, poll: number) {
    this.#store = store;
    this.#layout = layout;
    this.#poll = poll;
  }

  /** The add lock of an entry (by its file name, so that a file whose key is unknown has one too). */
  lock(hash: string, wait: number): Promise<(() => Promise<void>) | undefined> {
    return acquireFileLock(
      this.#store,
      this.#layout.lockPath(hash, 'add'),
      () => this.#layout.tempPath(this.#layout.locksDir, hash),
      ADD_LOCK_MS,
      wait,
      this.#poll,
    );
  }

  /**
   * Removes a dead file if it is still exactly the one read (see the file header). Reports
   * whether it removed it; never throws (the removal is housekeeping).
   */
  async remove(path: string, hash: string, file: ReadResult): Promise<boolean> {
    const release = await this.lock(hash, 0).catch(() => undefined);
    if (release === undefined) return false;
    try {
      const fresh = await this.#store.read(path);
      if (
        fresh === undefined ||
        fresh.ino !== file.ino ||
        fresh.dev !== file.dev ||
        !fresh.bytes.equals(file.bytes)
      )
        return false;
      return await this.#store.removeExact(
        path,
        fresh,
        this.#layout.tempPath(this.#layout.shardOf(hash), hash),
      );
    } catch {
      return false;
    } finally {
      await release().catch(() => undefined);
    }
  }

  /**
   * The slow path of `add`, when a file holds the name: under the entry's add lock, tries `link`
   * (`write`) and, while a file is there whose bytes `live` does not keep, removes it as the file it is
   * (see the file header for why exactly one adder wins). Returns whether `write` took the name.
   */
  async add(
    path: string,
    hash: string,
    write: () => Promise<boolean>,
    live: (bytes: Buffer) => Promise<boolean>,
  ): Promise<boolean> {
    const release = await this.lock(hash, ADD_LOCK_MS);
    if (release === undefined) return false;
    const folder = this.#layout.shardOf(hash);
    try {
      for (let round = 0; round < ADD_ROUNDS; round++) {
        if (await write()) return true;
        const file = await this.readForAdd(path);
        if (file === undefined) continue;
        // A link, FIFO or file above the cap is dead too, removed as the file it is (a set would replace it).
        if ('bytes' in file && file.bytes !== undefined && (await live(file.bytes))) return false;
        await this.#store.removeExact(path, file, this.#layout.tempPath(folder, hash));
      }
    } finally {
      await release().catch(() => undefined);
    }
    return false;
  }

  /**
   * The file at an entry path for `add` (which holds the lock): its bytes, or only its identity
   * when it is an odd file (a link, FIFO, or file above the cap: dead, and replaced as a `set`
   * would replace it); `undefined` when missing.
   * @throws OddFileError for a folder at the path, or a linked shard.
   */
  async readForAdd(path: string): Promise<ReadResult | FileIdentity | undefined> {
    try {
      return await this.#store.read(path);
    } catch (error) {
      if (!(error instanceof OddFileError) || error.path !== path) throw error;
      const stats = await this.#store.fs.lstat(path).catch(() => undefined);
      if (stats?.isDirectory()) throw error;
      return stats && { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
    }
  }
}
