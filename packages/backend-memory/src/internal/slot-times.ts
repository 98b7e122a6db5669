/**
 * The times of `MemoryCache`'s slots: createdAt, and with `trackReads` hits and lastAccessAt,
 * in typed arrays grown with the slots. Times are 32-bit ms offsets from a base (`0` = never),
 * moved for good to a float64 array of absolute times once a time does not fit one. With the
 * system clock, the time read last is reused for metadata until a 1 ms timer clears it, so that
 * a write without TTL or a counted read does not read the clock. Kept apart from the slot store
 * so that one class owns the encoding; its small methods are inlined into the cache's hot paths.
 */
import type { Clock } from '@cache/core';
import { resized } from './values.js';

/** Which time a slot's `stamp` / `time` is about (also its index in a `wide` pair). */
export const CREATED = 0;
export const ACCESS = 1;
type Word = typeof CREATED | typeof ACCESS;

/** The times of the slots of one cache. */
export class SlotTimes {
  /**
   * With `trackReads`, per slot `[hits, lastAccessAt]` at `slot * 2`; times are ms offsets from
   * `base`, `0` = never.
   */
  reads: Uint32Array | undefined;
  /** Per slot: createdAt as an offset from `base`. */
  created = new Uint32Array(0);
  /**
   * Set once a time did not fit an offset: from then on `[createdAt, lastAccessAt]` per slot
   * (absolute ms, `0` = never) live here and `base` is NaN, so no time fits an offset again.
   */
  wide: Float64Array | undefined;
  base: number;
  /** With the system clock: the time read last, reused until a 1 ms timer clears it (0 = none). */
  cachedNow = -0; // -0 (=== 0) so that the field holds doubles from the start: no deopt at the first time
  /** `cachedNow` as an offset from `base` when it fits one, else 0. */
  cachedAt = -0;
  readonly #clock: Clock;
  readonly #coarse: boolean;
  #capacity = 0;
  readonly #forgetNow = (): void => {
    this.cachedNow = 0;
    this.cachedAt = 0;
  };

  /** `coarse`: the clock is the system's, so metadata may reuse the time read last. */
  constructor(clock: Clock, coarse: boolean, trackReads: boolean) {
    this.#clock = clock;
    this.#coarse = coarse;
    // Offsets of 1 .. 2^32-1 ms around the start: about 24 days either way. 0 means "never".
    this.base = Math.floor(clock.now()) - 2 ** 31;
    if (trackReads) this.reads = new Uint32Array(0);
  }

  /** Records a read: hits and lastAccessAt, with `trackReads`. */
  read(slot: number): void {
    const reads = this.reads;
    if (reads === undefined) return;
    const r = slot * 2;
    reads[r]!++;
    const at = this.cachedAt;
    if (at !== 0) reads[r + 1] = at;
    else this.#stamp(slot, ACCESS, this.cachedNow !== 0 ? this.cachedNow : this.readNow());
  }

  /** A slot written at `createdAt`: no reads yet. */
  written(slot: number, createdAt: number): void {
    const reads = this.reads;
    if (reads !== undefined) {
      reads[slot * 2] = 0;
      reads[slot * 2 + 1] = 0;
    }
    const at = createdAt - this.base;
    if (at >>> 0 === at && at !== 0) this.created[slot] = at;
    else this.#stampSlow(slot, CREATED, createdAt);
    if (this.wide !== undefined) this.wide[slot * 2 + ACCESS] = 0;
  }

  /** Stores a time (epoch ms) in a slot's `CREATED` or `ACCESS` word. */
  #stamp(slot: number, word: Word, time: number): void {
    const at = time - this.base;
    if (at >>> 0 === at && at !== 0) {
      if (word === CREATED) this.created[slot] = at;
      else this.reads![slot * 2 + 1] = at;
    } else this.#stampSlow(slot, word, time);
  }

  /** A slot's `CREATED` or `ACCESS` time in epoch ms (`0` = never). */
  time(slot: number, word: Word): number {
    if (this.wide !== undefined) return this.wide[slot * 2 + word]!;
    const at = word === CREATED ? this.created[slot]! : (this.reads?.[slot * 2 + 1] ?? 0);
    return at === 0 ? 0 : at + this.base;
  }

  /** The reads of a slot since it was written (with `trackReads`, else 0). */
  hits(slot: number): number {
    return this.reads?.[slot * 2] ?? 0;
  }

  /** The time for metadata (createdAt without TTL, lastAccessAt): see `cachedNow`. */
  readNow(): number {
    const now = this.#clock.now();
    if (this.#coarse) {
      this.cachedNow = now;
      const at = now - this.base;
      this.cachedAt = at >>> 0 === at ? at : 0;
      setTimeout(this.#forgetNow, 1).unref();
    }
    return now;
  }

  /** Grows the arrays with the slots (`SlotStore` calls it). */
  growTimes(capacity: number): void {
    if (this.reads) this.reads = resized(this.reads, new Uint32Array(capacity * 2));
    this.created = resized(this.created, new Uint32Array(capacity));
    if (this.wide) this.wide = resized(this.wide, new Float64Array(capacity * 2));
    this.#capacity = capacity;
  }

  /**
   * Stores a time that does not fit an offset: the first one moves every time to `wide` as
   * absolute float64 times; it is stored there.
   */
  #stampSlow(slot: number, word: Word, time: number): void {
    let wide = this.wide;
    if (wide === undefined) {
      const base = this.base;
      wide = new Float64Array(this.#capacity * 2);
      for (let s = 0; s < this.#capacity; s++) {
        const created = this.created[s]!;
        const access = this.reads?.[s * 2 + 1] ?? 0;
        wide[s * 2] = created === 0 ? 0 : created + base;
        wide[s * 2 + 1] = access === 0 ? 0 : access + base;
      }
      this.wide = wide;
      this.base = Number.NaN;
      this.cachedAt = 0;
    }
    wide[slot * 2 + word] = time;
  }
}
