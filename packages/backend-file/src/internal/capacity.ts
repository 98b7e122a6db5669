/**
 * The entry and byte limits of one `FileCache` instance: the counters it keeps between scans,
 * when it scans, and the scan itself that evicts the oldest LRU stamps (file mtimes).
 *
 * Why it is its own module: the counters, the scan trigger and the eviction order are one
 * concept (the README's "limits" tolerance) that only the entry primitives feed, through
 * {@link Capacity.wrote} and {@link Capacity.removed}. Each process scans after its own writes
 * add 10% of a limit (or exceed one by its own count), then evicts down to 90% of each limit.
 */
import { dirname } from 'node:path';
import { decodeEnvelopeHeader } from '@cache/core/backend';
import { scanDirectory, type Refused } from './directory-scan.js';
import type { FileStore } from './file-store.js';
import type { Layout } from './layout.js';

/** What a scan reports back to the cache that owns it. */
export interface CapacityHooks {
  readonly refused: Refused;
  /** Whether anyone listens for evictions (the key of an evicted file is read only then). */
  readonly listening: () => boolean;
  readonly evicted: (key: string, reason: 'capacity' | 'size') => void;
}

export class Capacity {
  readonly #store: FileStore;
  readonly #layout: Layout;
  readonly #maxEntries: number | undefined;
  readonly #maxBytes: number | undefined;
  readonly #hooks: CapacityHooks;
  readonly #slackEntries: number;
  readonly #slackBytes: number;
  #baseEntries = 0;
  #baseBytes = 0;
  #pendingEntries = 0;
  #pendingBytes = 0;
  #scannedAt: number | undefined;
  #maintaining: Promise<void> | undefined;

  constructor(
    store: FileStore,
    layout: Layout,
    limits: { readonly maxEntries: number | undefined; readonly maxBytes: number | undefined },
    hooks: CapacityHooks,
  ) {
    this.#store = store;
    this.#layout = layout;
    const { maxEntries, maxBytes } = limits;
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
    this.#hooks = hooks;
    this.#slackEntries =
      maxEntries === undefined ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(maxEntries / 10));
    this.#slackBytes =
      maxBytes === undefined ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(maxBytes / 10));
  }

  /** Counts a write and runs a scan when this process has written enough since the last one. */
  async wrote(size: number): Promise<void> {
    this.#pendingEntries++;
    this.#pendingBytes += size;
    const maxEntries = this.#maxEntries;
    const maxBytes = this.#maxBytes;
    if (maxEntries === undefined && maxBytes === undefined) return;
    if (
      this.#scannedAt === undefined ||
      this.#pendingEntries >= this.#slackEntries ||
      this.#pendingBytes >= this.#slackBytes ||
      (maxEntries !== undefined && this.#baseEntries + this.#pendingEntries > maxEntries) ||
      (maxBytes !== undefined && this.#baseBytes + this.#pendingBytes > maxBytes)
    ) {
      await this.maintain(false);
    }
  }

  /** Counts a file this instance removed. */
  removed(file: { readonly size: number }): void {
    this.#pendingEntries--;
    this.#pendingBytes -= file.size;
  }

  /** Forgets every counted entry (after a full `clear()`). */
  cleared(): void {
    this.#baseEntries = this.#baseBytes = this.#pendingEntries = this.#pendingBytes = 0;
  }

  /** One scan at a time per instance; callers share a running one (unless `fresh` asks for a new one). */
  async maintain(fresh: boolean): Promise<void> {
    if (this.#maintaining && !fresh) return this.#maintaining;
    if (this.#maintaining) await this.#maintaining.catch(() => undefined);
    const run = this.#scanAndEvict().finally(() => {
      if (this.#maintaining === run) this.#maintaining = undefined;
    });
    this.#maintaining = run;
    return run;
  }

  /** Waits for a running scan, if any (its failure is the caller's who started it). */
  async idle(): Promise<void> {
    await this.#maintaining?.catch(() => undefined);
  }

  /** The counters for `stats.snapshot()`. */
  stats(): { entries: number; bytes: number; scannedAt: number | undefined } {
    return {
      entries: Math.max(0, this.#baseEntries + this.#pendingEntries),
      bytes: Math.max(0, this.#baseBytes + this.#pendingBytes),
      scannedAt: this.#scannedAt,
    };
  }

  async #scanAndEvict(): Promise<void> {
    const startEntries = this.#pendingEntries;
    const startBytes = this.#pendingBytes;
    const hooks = this.#hooks;
    const files = await scanDirectory(this.#store, this.#layout, hooks.refused);
    let entries = files.length;
    let bytes = 0;
    for (const file of files) bytes += file.size;
    const maxEntries = this.#maxEntries ?? Number.POSITIVE_INFINITY;
    const maxBytes = this.#maxBytes ?? Number.POSITIVE_INFINITY;
    if (entries > maxEntries || bytes > maxBytes) {
      const lowEntries = maxEntries - (maxEntries >= 10 ? Math.floor(maxEntries / 10) : 0);
      const lowBytes = Number.isFinite(maxBytes) ? maxBytes - Math.floor(maxBytes / 10) : maxBytes;
      // Oldest stamp first; on a tie the later name goes first (any fixed order will do).
      files.sort((a, b) => a.mtimeMs - b.mtimeMs);
      const listening = hooks.listening();
      for (const victim of files) {
        if (entries <= lowEntries && bytes <= lowBytes) break;
        const reason = entries > lowEntries ? 'capacity' : 'size';
        const key = listening ? await this.#keyOf(victim.path) : '';
        // Skip a file that was read (touched) or rewritten since the scan.
        const aside = this.#layout.tempPath(dirname(victim.path), victim.hash);
        if (!(await this.#store.removeExact(victim.path, victim, aside))) continue;
        entries--;
        bytes -= victim.size;
        hooks.evicted(key, reason);
      }
    }
    this.#baseEntries = entries;
    this.#baseBytes = bytes;
    this.#pendingEntries -= startEntries;
    this.#pendingBytes -= startBytes;
    this.#scannedAt = Date.now();
  }

  /** The key stored in an entry file (for an eviction event), `''` when it cannot be read. */
  async #keyOf(path: string): Promise<string> {
    const file = await this.#store.read(path).catch(() => undefined);
    if (file === undefined) return '';
    try {
      return decodeEnvelopeHeader(file.bytes).key;
    } catch {
      return '';
    }
  }
}
