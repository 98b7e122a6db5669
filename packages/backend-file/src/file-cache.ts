/**
 * `FileCache`: one directory shared by many processes and instances.
 *
 * Storage format and layout: each entry is one file holding core's binary envelope (serializer
 * id, createdAt, expiry, stale deadline, tags, the full key, then the serialized value). Keys
 * never become paths: the file is `<dir>/<first 2 hex>/<sha256(key) hex>`, and the key inside
 * tells hash collisions apart. Writes go to a temp file in the same folder and are renamed over
 * the entry. The file's mtime is the LRU stamp (refreshed by reads). Tag invalidation times live
 * in `<dir>/tags/`, lock files in `<dir>/locks/` (see `internal/layout.ts`).
 *
 * Limits are enforced by scans (a `readdir` per shard, an `lstat` per file) that evict the oldest
 * stamps; each process scans after its own writes add 10% of a limit (see the README for the
 * tolerance; the counters and the scan are `internal/capacity.ts`). Entry encoding is
 * `internal/entry-encoding.ts` and tag times `internal/tag-files.ts`; this file holds the
 * primitives core calls and the helpers they share.
 *
 * Dead files (undecodable, expired, invalidated) are removed by compare-and-delete under the
 * entry's add lock, and `add` takes a name only with a `link`: see `internal/dead-files.ts` for
 * why no resolved write is lost and `add` has one winner.
 *
 * It is over 400 lines because each primitive's read or write path (open, check, rename) stays
 * whole in one method, so that its order of file operations, which the crash and race guarantees
 * rest on, reads top to bottom.
 */
import { dirname } from 'node:path';
import { CacheError, CacheSerializationError, type Serializer, systemClock } from '@cache/core';
import {
  BaseCache,
  closedError,
  decodeEnvelope,
  decodeEnvelopeHeader,
  type EnvelopeHeader,
  isLive,
  type LockRelease,
  physicalExpiry,
  type StoredEntry,
  toCacheError,
} from '@cache/core/backend';
import { type FileCacheOptions, type ResolvedFileOptions, resolveFileOptions } from './file-cache-options.js';
import { Capacity } from './internal/capacity.js';
import { openDirectory } from './internal/directory-check.js';
import { clearShards, listEntries, listShards } from './internal/directory-scan.js';
import { acquireFileLock } from './internal/file-lock.js';
import { DeadFiles, identity } from './internal/dead-files.js';
import { encodeEntry } from './internal/entry-encoding.js';
import { FileStore, type ReadResult } from './internal/file-store.js';
import { FS_LAYER, type FsLayer, nodeFs, OddFileError } from './internal/fs-layer.js';
import { hashOf, Layout } from './internal/layout.js';
import { TagFiles } from './internal/tag-files.js';

/**
 * A cache in a directory on disk, safe to share between processes: atomic writes, entry and
 * byte limits with approximate LRU eviction, tags and `getOrSet({ lock })` across processes.
 *
 * @example
 * const cache = new FileCache({ dir: '/var/cache/app', maxBytes: '500MB', defaultTtl: '1h' });
 * await cache.set('user:1', { name: 'Ada' });
 */
export class FileCache<V = unknown> extends BaseCache<V> {
  /** The absolute cache directory. */
  readonly dir: string;
  readonly #options: ResolvedFileOptions;
  readonly #layout: Layout;
  readonly #store: FileStore;
  readonly #dead: DeadFiles;
  readonly #tags: TagFiles;
  readonly #capacity: Capacity;
  readonly #serializer: Serializer;
  /** Stamp written files with the injected clock (the system clock needs no stamp: mtime is now). */
  readonly #stamp: boolean;
  /** Whether there is a limit: reads then refresh the LRU stamp (eviction is its only reader). */
  readonly #limited: boolean;
  #sweepTimer: NodeJS.Timeout | undefined;
  #sweeping: Promise<unknown> | undefined;
  /** Whether the directory exists and passed the owner and mode check (checked on first use). */
  #opened = false;
  #opening: Promise<void> | undefined;

  constructor(options: FileCacheOptions) {
    super(options, 'file');
    this.#options = resolveFileOptions(options);
    this.dir = this.#options.dir;
    this.#layout = new Layout(this.dir);
    const fs = (options as { [FS_LAYER]?: FsLayer })[FS_LAYER] ?? nodeFs;
    this.#store = new FileStore({
      fs,
      fileMode: this.#options.fileMode,
      dirMode: this.#options.dirMode,
      fsync: this.#options.fsync,
      maxFileBytes: this.#options.maxEntryBytes,
    });
    this.#dead = new DeadFiles(this.#store, this.#layout, this.#options.lockPollInterval);
    this.#tags = new TagFiles(this.#store, this.#layout);
    this.#serializer = this.#options.serializer;
    this.#stamp = options.clock !== undefined && options.clock !== systemClock;
    const { maxEntries, maxBytes, sweepInterval } = this.#options;
    this.#limited = maxEntries !== undefined || maxBytes !== undefined;
    this.#capacity = new Capacity(
      this.#store,
      this.#layout,
      { maxEntries, maxBytes },
      {
        refused: (error) => this.#refuse(error),
        listening: () => this.emitter.listening,
        evicted: (key, reason) => this.reportEviction(key, reason),
      },
    );
    if (sweepInterval !== undefined) {
      this.#sweepTimer = setInterval(() => this.#sweep(), sweepInterval);
      this.#sweepTimer.unref();
    }
  }

  // ---- entries --------------------------------------------------------------------------------

  protected async readEntry(key: string): Promise<StoredEntry<V> | undefined> {
    if (!this.#opened) await this.#open();
    const hash = hashOf(key);
    const path = this.#layout.entryPath(hash);
    const file = await this.#readFile(path, key, this.#limited);
    if (file === undefined) return undefined;
    let entry: StoredEntry<V> & { key: string };
    try {
      entry = decodeEnvelope<V>(file.bytes, this.#serializer);
    } catch (error) {
      await this.#dropCorrupt(path, hash, file, error, key);
      return undefined;
    }
    // Another key with the same hash: a miss for this one.
    return entry.key === key ? entry : undefined;
  }

  /**
   * Reads an entry file (refreshing its LRU stamp when `stamp` and it is old); `undefined` when
   * missing, and also for anything that is not a regular file within `maxEntryBytes` or sits in a
   * linked folder, which is reported with an `error` event and never loaded.
   */
  async #readFile(path: string, key: string | undefined, stamp: boolean): Promise<ReadResult | undefined> {
    try {
      if (!stamp) return await this.#store.read(path);
      const now = this.now();
      return await this.#store.read(path, now - this.#options.touchInterval, now);
    } catch (error) {
      if (!(error instanceof OddFileError)) throw error;
      this.#refuse(error, key);
      return undefined;
    }
  }

  protected async writeEntry(key: string, entry: StoredEntry<V>): Promise<void> {
    if (!this.#opened) await this.#open();
    const hash = hashOf(key);
    const bytes = encodeEntry(key, entry, this.#serializer, this.#options);
    await this.#store.write(
      this.#layout.entryPath(hash),
      this.#layout.tempPath(this.#layout.shardOf(hash), hash),
      bytes,
      false,
      this.#stamp ? this.now() : undefined,
    );
    await this.#capacity.wrote(bytes[0].length + bytes[1].length);
  }

  protected async addEntry(key: string, entry: StoredEntry<V>): Promise<boolean> {
    if (!this.#opened) await this.#open();
    const hash = hashOf(key);
    const bytes = encodeEntry(key, entry, this.#serializer, this.#options);
    const path = this.#layout.entryPath(hash);
    const folder = this.#layout.shardOf(hash);
    const stamp = this.#stamp ? this.now() : undefined;
    if (await this.#store.write(path, this.#layout.tempPath(folder, hash), bytes, true, stamp)) {
      await this.#capacity.wrote(bytes[0].length + bytes[1].length);
      return true;
    }
    // A file is there: a live entry of this key wins; an expired one, a corrupt one or another
    // key's is removed under the key's add lock, then the name is taken with a link (never a
    // rename over it), so that of many adders exactly one succeeds (see the file header).
    if (await this.#holdsLive(key)) return false;
    const write = () => this.#store.write(path, this.#layout.tempPath(folder, hash), bytes, true, stamp);
    if (!(await this.#dead.add(path, hash, write, (held) => this.#liveFile(key, held)))) return false;
    await this.#capacity.wrote(bytes[0].length + bytes[1].length);
    return true;
  }

  /** Whether a file at the key's path holds a live, not invalidated entry of `key` (which `add` keeps). */
  async #liveFile(key: string, bytes: Buffer): Promise<boolean> {
    let header: EnvelopeHeader | undefined;
    try {
      header = decodeEnvelopeHeader(bytes);
    } catch (error) {
      this.#reportCorrupt(error, key);
    }
    return (
      header !== undefined &&
      header.key === key &&
      isLive(header, this.now()) &&
      !(await this.#tags.invalidated(header, new Map()))
    );
  }

  /**
   * Removes an entry that core found dead after a read, only while the file at its path is that
   * entry (same createdAt), and then as a dead file (compare-and-delete under the add lock).
   */
  protected override async removeDeadEntry(key: string, entry: StoredEntry<V>): Promise<boolean> {
    if (!this.#opened) await this.#open();
    const hash = hashOf(key);
    const path = this.#layout.entryPath(hash);
    const file = await this.#readFile(path, key, false);
    if (file === undefined) return false;
    const header = await this.#header(path, hash, file, key);
    // A write since core's read is not the dead entry: it stays.
    if (header === undefined || header.key !== key || header.createdAt !== entry.createdAt) return false;
    if (!(await this.#dead.remove(path, hash, file))) return false;
    this.#capacity.removed(file);
    return true;
  }

  protected async removeEntry(key: string): Promise<boolean> {
    if (!this.#opened) await this.#open();
    const hash = hashOf(key);
    const path = this.#layout.entryPath(hash);
    const file = await this.#readFile(path, key, false);
    if (file === undefined) return false;
    const header = await this.#header(path, hash, file, key);
    if (header === undefined || header.key !== key) return false;
    if (!isLive(header, this.now())) {
      // An expired entry (core removes it after a read): a dead file, removed as such.
      if (await this.#dead.remove(path, hash, file)) this.#capacity.removed(file);
      return false;
    }
    // Only the caller whose move took the file reports it (one of many concurrent deletes).
    if (!(await this.#store.removeExact(path, identity(file), this.#layout.tempPath(dirname(path), hash))))
      return false;
    this.#capacity.removed(file);
    return true;
  }

  protected async *scanKeys(prefix: string | undefined): AsyncIterable<string> {
    if (!this.#opened) await this.#open();
    const now = this.now();
    const tags = new Map<string, number | undefined>();
    for await (const { header } of this.#walk()) {
      if (prefix !== undefined && !header.key.startsWith(prefix)) continue;
      if (!isLive(header, now) || (await this.#tags.invalidated(header, tags))) continue;
      yield header.key;
    }
  }

  protected async clearEntries(prefix: string | undefined): Promise<void> {
    if (!this.#opened) await this.#open();
    if (prefix === undefined) {
      await clearShards(this.#store, this.#layout, (error) => this.#refuse(error));
      this.#capacity.cleared();
      return;
    }
    for await (const { path, hash, file, header } of this.#walk()) {
      if (!header.key.startsWith(prefix)) continue;
      if (await this.#store.removeExact(path, identity(file), this.#layout.tempPath(dirname(path), hash)))
        this.#capacity.removed(file);
    }
  }

  // ---- tags and locks --------------------------------------------------------------------------

  protected async readTagInvalidations(tags: readonly string[]): Promise<(number | undefined)[]> {
    if (!this.#opened) await this.#open();
    return Promise.all(tags.map((tag) => this.#tags.read(tag)));
  }

  protected async writeTagInvalidations(tags: readonly string[], at: number): Promise<void> {
    if (!this.#opened) await this.#open();
    await Promise.all(tags.map((tag) => this.#tags.write(tag, at)));
  }

  protected override async acquireLock(
    key: string,
    lease: number,
    wait: number,
  ): Promise<LockRelease | undefined> {
    const hash = hashOf(key);
    try {
      if (!this.#opened) await this.#open();
      const release = await acquireFileLock(
        this.#store,
        this.#layout.lockPath(hash),
        () => this.#layout.tempPath(this.#layout.locksDir, hash),
        lease,
        wait,
        this.#options.lockPollInterval,
      );
      if (release === undefined) return undefined;
      return () =>
        release().catch((error: unknown) => Promise.reject(toCacheError(error, 'lock release failed', key)));
    } catch (error) {
      throw toCacheError(error, 'taking the lock failed', key);
    }
  }

  // ---- maintenance -----------------------------------------------------------------------------

  /**
   * Removes expired entries (past their stale window), entries invalidated by a tag, corrupt
   * files and temp files left by writers that died; then rescans the directory (refreshing the
   * counters of `stats.snapshot()`) and evicts down to the limits. Returns how many entries it
   * removed (evictions not counted).
   */
  async cleanup(): Promise<number> {
    if (this.closed) throw closedError(this.name);
    const now = this.now();
    const tags = new Map<string, number | undefined>();
    let removed = 0;
    try {
      if (!this.#opened) await this.#open();
      for await (const { path, hash, file, header } of this.#walk()) {
        const until = physicalExpiry(header);
        const expired = until !== undefined && now >= until;
        if (!expired && !(await this.#tags.invalidated(header, tags))) continue;
        if (!(await this.#dead.remove(path, hash, file))) continue;
        this.#capacity.removed(file);
        removed++;
        if (expired) {
          this.stats.expirations++;
          this.emit('expire', { key: header.key });
        }
      }
      await this.#capacity.maintain(true);
    } catch (error) {
      const cacheError = toCacheError(error, 'cleanup failed');
      this.reportError(cacheError);
      throw cacheError;
    }
    return removed;
  }

  #sweep(): void {
    if (this.#sweeping || this.closed) return;
    this.#sweeping = this.cleanup()
      .catch(() => undefined) // reported by cleanup()
      .finally(() => {
        this.#sweeping = undefined;
      });
  }

  protected override statsExtra(): Record<string, unknown> {
    const { entries, bytes, scannedAt } = this.#capacity.stats();
    return { entries, bytes, dir: this.dir, scannedAt };
  }

  protected override async closeBackend(): Promise<void> {
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
    await this.#sweeping;
    await this.#capacity.idle();
  }

  // ---- helpers ---------------------------------------------------------------------------------

  async #holdsLive(key: string): Promise<boolean> {
    const existing = await this.readEntry(key);
    return existing !== undefined && isLive(existing, this.now());
  }

  /** Every readable entry file with its header; corrupt files are removed and odd ones left, both reported. */
  async *#walk(): AsyncIterable<{ path: string; hash: string; file: ReadResult; header: EnvelopeHeader }> {
    for (const shard of await listShards(this.#store, this.#layout, (error) => this.#refuse(error))) {
      for (const hash of await listEntries(this.#store, shard)) {
        const path = `${shard}/${hash}`;
        const file = await this.#readFile(path, undefined, false);
        if (file === undefined) continue;
        const header = await this.#header(path, hash, file, undefined);
        if (header === undefined) continue;
        // A valid envelope under a name that is not its key's hash can never be read: drop it.
        if (hashOf(header.key) !== hash) {
          await this.#dead.remove(path, hash, file);
          continue;
        }
        yield { path, hash, file, header };
      }
    }
  }

  async #header(
    path: string,
    hash: string,
    file: ReadResult,
    key: string | undefined,
  ): Promise<EnvelopeHeader | undefined> {
    try {
      return decodeEnvelopeHeader(file.bytes);
    } catch (error) {
      await this.#dropCorrupt(path, hash, file, error, key);
      return undefined;
    }
  }

  /** A file that cannot be decoded: removed (if it is still the one read) and reported. */
  async #dropCorrupt(
    path: string,
    hash: string,
    file: ReadResult,
    cause: unknown,
    key: string | undefined,
  ): Promise<void> {
    if (await this.#dead.remove(path, hash, file)) this.#capacity.removed(file);
    this.#reportCorrupt(cause, key);
  }

  #reportCorrupt(cause: unknown, key: string | undefined): void {
    const options = key === undefined ? { cause } : { cause, key };
    this.reportError(
      new CacheSerializationError('a stored entry could not be decoded; it was removed', options),
      key,
    );
  }

  /** Reports a link, a non-regular file or a file above the size cap, none of which is followed or read. */
  #refuse(error: OddFileError, key?: string): void {
    const options = key === undefined ? { cause: error } : { cause: error, key };
    this.reportError(new CacheError(`${error.message}; it was not followed or read`, options), key);
  }

  /**
   * Creates the directory when missing, and checks its owner and mode (see
   * `internal/directory-check.ts`) before the first operation. A failed check is not
   * remembered: the next operation checks again, so fixing the mode fixes the cache.
   * @throws CacheConfigError when the directory is not one the cache can trust.
   */
  #open(): Promise<void> {
    this.#opening ??= this.#checkDir().finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  async #checkDir(): Promise<void> {
    await openDirectory(this.#store, this.dir, this.#options);
    this.#opened = true;
  }
}
