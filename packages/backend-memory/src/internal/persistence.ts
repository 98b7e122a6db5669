/**
 * The `persist` option of `MemoryCache`: the snapshot loaded at start, saved on an interval when
 * something changed, on `saveSnapshot()` and at `close()`. The file format is `../snapshot.ts`;
 * reading the file safely is `snapshot-file.ts`. The cache is seen through a {@link SnapshotHost}.
 */
import { type CacheError, jsonSerializer, type Serializer } from '@cache/core';
import { toCacheError } from '@cache/core/backend';
import type { ResolvedOptions } from '../options.js';
import { decodeSnapshot, encodeSnapshotHeader, encodeSnapshotLine, writeFileAtomic } from '../snapshot.js';
import { checkSnapshotSize, readSnapshotFile, removeStaleTemps } from './snapshot-file.js';

/** One entry as the cache holds it. */
export interface HeldEntry {
  key: string;
  createdAt: number;
  expiresAt: number | undefined;
  staleUntil: number | undefined;
  tags: readonly string[];
  /** The value, or the serializer's bytes when the cache has a serializer. */
  stored: unknown;
}

/** What snapshots need of the cache. */
export interface SnapshotHost<V> {
  /** The serializer whose bytes the cache holds, if any. */
  readonly serializer: Serializer | undefined;
  /** The cache needs values even when it holds bytes (to size them with `sizeOf`). */
  readonly needsValues: boolean;
  /** Whether an entry changed since the last snapshot was taken. */
  changed(): boolean;
  setChanged(changed: boolean): void;
  now(): number;
  /** The entries held and not past their physical expiry at `now`. */
  held(now: number): Iterable<HeldEntry>;
  /** Stores an entry read from a snapshot, with the serializer's bytes when the cache keeps them. @throws when it does not fit. */
  restore(
    key: string,
    value: V,
    bytes: Uint8Array | undefined,
    entry: Omit<HeldEntry, 'key' | 'stored'>,
  ): void;
  reportError(error: CacheError, key?: string): void;
  /** The cache's `saveSnapshot()`, which the interval calls. */
  saveSnapshot(): Promise<void>;
}

/** The snapshot file of one cache. */
export class Persistence<V> {
  readonly #host: SnapshotHost<V>;
  readonly #options: NonNullable<ResolvedOptions<V>['persist']>;
  readonly #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;

  /**
   * Removes temporary files that dead writers left, loads the snapshot and starts the interval.
   * Never throws for the file: a missing one is an empty cache; one that cannot be read, is too
   * large, corrupt or foreign is an empty cache and an `error` event on the next microtask.
   */
  constructor(host: SnapshotHost<V>, options: NonNullable<ResolvedOptions<V>['persist']>) {
    this.#host = host;
    this.#options = options;
    for (const error of removeStaleTemps(options.path).errors) this.#deferError(error);
    this.#load();
    if (options.interval !== undefined) {
      this.#timer = setInterval(() => {
        if (host.changed())
          host.saveSnapshot().catch((error) => host.reportError(toCacheError(error, 'snapshot failed')));
      }, options.interval);
      this.#timer.unref();
    }
  }

  /**
   * Takes the snapshot at once and writes it atomically; snapshots reach the file in the order
   * they were taken. Entries whose value cannot be encoded are left out, each with an `error` event.
   * @throws the file system's error wrapped in a CacheError.
   */
  async save(): Promise<void> {
    const { path, maxBytes } = this.#options;
    const text = this.#encode();
    checkSnapshotSize(path, text, maxBytes);
    this.#host.setChanged(false);
    const previous = this.#writing;
    const writing = (async () => {
      await previous?.catch(() => undefined);
      await writeFileAtomic(path, text);
    })();
    this.#writing = writing;
    try {
      await writing;
    } catch (error) {
      this.#host.setChanged(true);
      throw toCacheError(error, `cannot write the snapshot ${path}`);
    } finally {
      if (this.#writing === writing) this.#writing = undefined;
    }
  }

  /** Stops the interval; takes the last snapshot at once (with `onClose`) and settles when it is written. */
  close(): Promise<void> {
    clearInterval(this.#timer);
    return this.#options.onClose ? this.save() : (this.#writing?.catch(() => undefined) ?? Promise.resolve());
  }

  #encode(): string {
    const serializer = this.#host.serializer ?? jsonSerializer;
    const json = serializer.id === 'json';
    const now = this.#host.now();
    const lines: string[] = [];
    for (const entry of this.#host.held(now)) {
      let payload: Uint8Array;
      try {
        payload = this.#host.serializer
          ? (entry.stored as Uint8Array)
          : jsonSerializer.serialize(entry.stored);
      } catch (error) {
        this.#host.reportError(toCacheError(error, 'value left out of the snapshot', entry.key), entry.key);
        continue;
      }
      lines.push(
        encodeSnapshotLine(
          entry.key,
          entry.createdAt,
          entry.expiresAt,
          entry.staleUntil,
          entry.tags,
          payload,
          json,
        ),
      );
    }
    lines.unshift(encodeSnapshotHeader(serializer.id, now, lines.length));
    return `${lines.join('\n')}\n`;
  }

  #load(): void {
    const host = this.#host;
    let entries: ReturnType<typeof decodeSnapshot>;
    const serializer = host.serializer ?? jsonSerializer;
    try {
      const text = readSnapshotFile(this.#options.path, this.#options.maxBytes);
      if (text === undefined) return;
      entries = decodeSnapshot(text, serializer.id);
    } catch (error) {
      this.#deferError(toCacheError(error));
      return;
    }
    const now = host.now();
    for (const entry of entries) {
      const until = entry.staleUntil ?? entry.expiresAt;
      if (until !== undefined && now >= until) continue;
      try {
        let value = entry.value as V;
        let bytes = entry.payload;
        if (bytes !== undefined && (host.serializer === undefined || host.needsValues)) {
          value = serializer.deserialize(bytes) as V;
          if (host.serializer === undefined) bytes = undefined;
        }
        host.restore(entry.key, value, bytes, entry);
      } catch (error) {
        // One entry that no longer fits (too large, a full 'none' cache) does not spoil the rest.
        this.#deferError(toCacheError(error, 'snapshot entry skipped', entry.key), entry.key);
      }
    }
    host.setChanged(false);
  }

  #deferError(error: CacheError, key?: string): void {
    // The cache's constructor has not returned yet: report once the caller could have subscribed.
    queueMicrotask(() => this.#host.reportError(error, key));
  }
}
