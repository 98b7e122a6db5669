/**
 * Tag invalidation times on disk: one file per tag under `<dir>/tags/` (see `layout.ts`),
 * holding the time as a little-endian double followed by the tag itself, so that two tags
 * whose names hash alike never read each other's time.
 *
 * Why it is its own module: the file format of a tag and the check "is this entry invalidated
 * by one of its tags" are one concept, used by reads, `add`, key scans and `cleanup()`.
 */
import type { EnvelopeHeader } from '@cache/core/backend';
import type { FileStore } from './file-store.js';
import { hashOf, type Layout } from './layout.js';

export class TagFiles {
  readonly #store: FileStore;
  readonly #layout: Layout;

  constructor(store: FileStore, layout: Layout) {
    this.#store = store;
    this.#layout = layout;
  }

  /** The invalidation time of `tag`, `undefined` when it was never invalidated. */
  async read(tag: string): Promise<number | undefined> {
    const file = await this.#store.read(this.#layout.tagPath(tag));
    if (file === undefined || file.bytes.length < 8) return undefined;
    if (file.bytes.subarray(8).toString('utf8') !== tag) return undefined;
    return file.bytes.readDoubleLE(0);
  }

  /** Records that `tag` was invalidated at `at`, unless a later (or equal) time is there. */
  async write(tag: string, at: number): Promise<void> {
    const before = await this.read(tag);
    if (before !== undefined && before >= at) return;
    const text = Buffer.from(tag, 'utf8');
    const bytes = Buffer.allocUnsafe(8 + text.length);
    bytes.writeDoubleLE(at, 0);
    text.copy(bytes, 8);
    const path = this.#layout.tagPath(tag);
    await this.#store.write(path, this.#layout.tempPath(this.#layout.tagsDir, hashOf(tag)), bytes, false);
  }

  /** Whether one of the entry's tags was invalidated at or after it was written; `cache` holds the times read. */
  async invalidated(header: EnvelopeHeader, cache: Map<string, number | undefined>): Promise<boolean> {
    for (const tag of header.tags) {
      if (!cache.has(tag)) cache.set(tag, await this.read(tag));
      const at = cache.get(tag);
      if (at !== undefined && at >= header.createdAt) return true;
    }
    return false;
  }
}
