/**
 * W-TinyLFU with an adaptive window, after Caffeine's `BoundedLocalCache` (Einziger, Friedman &
 * Manes, "TinyLFU: A Highly Efficient Cache Admission Policy", and Caffeine's adaptive window).
 *
 * Layout: three index-linked lists over slots sharing one pair of `prev`/`next` arrays: the
 * admission window (LRU, starts at 1% of the entries), and the main space as a segmented LRU,
 * probation and protected (protected holds at most 80% of main). A {@link FrequencySketch}
 * counts every read (hit or miss) by key hash. New entries enter the window. When the cache is
 * over its limit, the window's overflow moves to probation's tail as candidates, and the
 * candidate duels probation's head (the victim): the one with the lower sketch frequency is
 * evicted, the victim on a strict win of the candidate. A warm candidate (frequency >= 6) that
 * loses still gets in with probability 1/128, so that an attacker cannot pin hot victims by
 * flooding colliding hashes (keys are also hashed with a per-instance random seed). A hit in
 * probation promotes to protected; protected's overflow is demoted to probation's tail.
 *
 * Window tuning by miniature simulation ({@link WindowTuner}): a fixed 1/R of the key space
 * (R = 1 up to 256 entries) also runs through six miniature W-TinyLFU caches of `entries / R`
 * entries with fixed window shares from 1% to 80%, which read this policy's sketch. Every
 * epoch (about `entries` requests) the share whose miniature has the most recent hits becomes
 * the window's size, when it beats the current share by a clear margin. The window is resized
 * at once: growing it moves main's oldest entries into it, shrinking it moves its oldest to
 * probation. Recency-biased workloads get a big window (LRU-like), frequency-biased ones 1%.
 * This replaces Caffeine's hill climber, which compares the hit ratio of consecutive periods
 * and so mistakes a workload's phase changes for the effect of its own steps.
 *
 * The entry count used for the split is `capacityHint` (the cache's `maxEntries`) or, when the
 * cache is bounded by bytes only, the largest entry count seen when an eviction was needed.
 */
import { FrequencySketch } from './frequency-sketch.js';
import { hashString, randomSeed, xorshift32 } from './hash.js';
import type { EvictionPolicy } from './policy.js';
import { growArray, SlotLinks, SlotList } from './slot-list.js';
import { WindowTuner } from './window-tuner.js';

const NOWHERE = 0;
const WINDOW = 1;
const PROBATION = 2;
const PROTECTED = 3;

const PERCENT_MAIN = 0.99;
const PERCENT_MAIN_PROTECTED = 0.8;
/** A losing candidate at least this frequent is admitted with probability 1/128. */
const ADMIT_HASHDOS_THRESHOLD = 6;

/** Options of {@link TinyLfuPolicy} beyond the capacity (for tests and simulations). */
export interface TinyLfuOptions {
  /** Seed of the key hash and of the random admission; random per instance when absent. */
  seed?: number;
}

export class TinyLfuPolicy implements EvictionPolicy {
  readonly name = 'tinylfu' as const;
  readonly #links = new SlotLinks();
  readonly #window = new SlotList(this.#links);
  readonly #probation = new SlotList(this.#links);
  readonly #protected = new SlotList(this.#links);
  readonly #sketch: FrequencySketch;
  readonly #seed: number;
  readonly #hint: number;
  #random: number;
  #where = new Uint8Array(0);
  #hash = new Uint32Array(0);
  #size = 0;

  #maximum = 0;
  #windowMaximum = Number.POSITIVE_INFINITY;
  #protectedMaximum = 0;

  /** Picks the window share by miniature simulation; made when the entry count is known. */
  #tuner: WindowTuner | null = null;
  /** The entry count the tuner was sized for. */
  #tunerEntries = 0;

  #evicting = false;
  #lastMissHash = 0;
  #lastMissValid = false;
  /** Window entries moved to probation and not yet judged, newest first from `#candidate`. */
  #pending = 0;
  #candidate = -1;

  /** @param capacityHint the cache's `maxEntries` (`Infinity` or 0 when unknown). */
  constructor(capacityHint: number, options: TinyLfuOptions = {}) {
    this.#seed = options.seed ?? randomSeed();
    this.#random = (this.#seed ^ 0x5bd1e995) >>> 0 || 1;
    this.#hint = Number.isFinite(capacityHint) && capacityHint > 0 ? Math.floor(capacityHint) : 0;
    this.#sketch = new FrequencySketch(this.#hint > 0 ? this.#hint : 16);
    if (this.#hint > 0) this.#setMaximum(this.#hint);
  }

  grow(capacity: number): void {
    this.#links.grow(capacity);
    this.#where = growArray(this.#where, capacity, (n) => new Uint8Array(n));
    this.#hash = growArray(this.#hash, capacity, (n) => new Uint32Array(n));
    this.#sketch.ensureCapacity(this.#hint > 0 ? Math.min(capacity, this.#hint) : capacity);
  }

  access(slot: number): void {
    const hash = this.#hash[slot]!;
    this.#sketch.increment(hash);
    this.#touch(slot);
    if (this.#tuner?.record(hash)) this.#retune();
  }

  miss(key: string): void {
    const hash = hashString(key, this.#seed);
    this.#sketch.increment(hash);
    this.#lastMissHash = hash;
    this.#lastMissValid = true;
    if (this.#tuner?.record(hash)) this.#retune();
  }

  insert(slot: number, key: string, _expiresAt: number): void {
    const hash = hashString(key, this.#seed);
    this.#hash[slot] = hash;
    // A read miss followed by the insert of the same key counts once.
    const counted = this.#lastMissValid && this.#lastMissHash === hash;
    this.#lastMissValid = false;
    this.#where[slot] = WINDOW;
    this.#window.pushTail(slot);
    this.#size++;
    this.#pending = 0;
    this.#candidate = -1;
    if (!counted) {
      this.#sketch.increment(hash);
      if (this.#tuner?.record(hash)) this.#retune();
    }
  }

  update(slot: number, _expiresAt: number): void {
    const hash = this.#hash[slot]!;
    this.#sketch.increment(hash);
    this.#touch(slot);
    if (this.#tuner?.record(hash)) this.#retune();
  }

  remove(slot: number): void {
    switch (this.#where[slot]) {
      case WINDOW:
        this.#window.unlink(slot);
        break;
      case PROBATION:
        this.#probation.unlink(slot);
        break;
      case PROTECTED:
        this.#protected.unlink(slot);
        break;
      default:
        return;
    }
    this.#where[slot] = NOWHERE;
    this.#size--;
    if (slot === this.#candidate) {
      this.#pending = 0;
      this.#candidate = -1;
    }
  }

  victim(): number {
    if (this.#size === 0) return -1;
    // The entry count the cache really holds: a byte bound may bind before `capacityHint`.
    const observed = this.#size - 1;
    if (!this.#evicting) {
      this.#evicting = true;
      if (observed > 0 && observed !== this.#maximum) this.#setMaximum(observed);
    } else if (observed > this.#maximum && (this.#hint === 0 || this.#maximum < this.#hint)) {
      this.#setMaximum(this.#hint === 0 ? observed : Math.min(observed, this.#hint));
    }
    const window = this.#window;
    const probation = this.#probation;
    // The window's overflow becomes the candidates, at probation's tail.
    while (window.size > this.#windowMaximum) {
      const slot = window.head;
      window.unlink(slot);
      probation.pushTail(slot);
      this.#where[slot] = PROBATION;
      this.#pending++;
      this.#candidate = slot;
    }
    const candidate = this.#pending > 0 ? this.#candidate : window.head;
    let victim = probation.head;
    if (victim === -1) victim = this.#protected.head;
    if (victim === -1) return window.head;
    if (candidate === -1 || candidate === victim) {
      this.#judged();
      return victim;
    }
    const evictVictim = this.#admit(this.#hash[candidate]!, this.#hash[victim]!);
    this.#judged();
    return evictVictim ? victim : candidate;
  }

  clear(): void {
    this.#window.clear();
    this.#probation.clear();
    this.#protected.clear();
    this.#sketch.clear();
    this.#tuner?.clear();
    this.#size = 0;
    this.#pending = 0;
    this.#candidate = -1;
    this.#lastMissValid = false;
  }

  /** The current window limit, in entries (for tests and the replay tool). */
  get windowMaximum(): number {
    return this.#windowMaximum;
  }

  /** Moves the candidate pointer past the candidate just judged. */
  #judged(): void {
    if (this.#pending === 0) return;
    this.#pending--;
    this.#candidate = this.#pending > 0 ? this.#links.prev[this.#candidate]! : -1;
  }

  /** True when the candidate should be admitted (the victim evicted). */
  #admit(candidateHash: number, victimHash: number): boolean {
    const victimFrequency = this.#sketch.frequency(victimHash);
    const candidateFrequency = this.#sketch.frequency(candidateHash);
    if (candidateFrequency > victimFrequency) return true;
    if (candidateFrequency >= ADMIT_HASHDOS_THRESHOLD) {
      this.#random = xorshift32(this.#random);
      return (this.#random & 127) === 0;
    }
    return false;
  }

  #touch(slot: number): void {
    switch (this.#where[slot]) {
      case WINDOW:
        this.#window.moveToTail(slot);
        break;
      case PROBATION:
        this.#probation.unlink(slot);
        this.#where[slot] = PROTECTED;
        this.#protected.pushTail(slot);
        this.#demote();
        break;
      case PROTECTED:
        this.#protected.moveToTail(slot);
        break;
    }
    this.#pending = 0;
    this.#candidate = -1;
  }

  /** Moves protected's overflow to probation's tail. */
  #demote(): void {
    const protectedList = this.#protected;
    while (protectedList.size > this.#protectedMaximum) {
      const slot = protectedList.head;
      protectedList.unlink(slot);
      this.#where[slot] = PROBATION;
      this.#probation.pushTail(slot);
    }
  }

  #setMaximum(maximum: number): void {
    const previous = this.#maximum;
    this.#maximum = maximum;
    const window =
      previous === 0
        ? maximum - Math.floor(PERCENT_MAIN * maximum)
        : // keep the learned window share
          Math.max(1, Math.min(maximum, Math.round((this.#windowMaximum * maximum) / previous)));
    this.#windowMaximum = window;
    this.#protectedMaximum = Math.floor(PERCENT_MAIN_PROTECTED * (maximum - window));
    this.#sketch.ensureCapacity(maximum);
    // The miniatures are sized once, and again only when the entry count doubles or halves.
    if (this.#tuner === null || maximum >= 2 * this.#tunerEntries || 2 * maximum <= this.#tunerEntries) {
      this.#tuner = new WindowTuner(maximum, this.#sketch, this.#tuner?.targetIndex ?? 0);
      this.#tunerEntries = maximum;
    }
    this.#demote();
  }

  /** Moves the window toward the share the tuner now favours (protected keeps 80% of main). */
  #retune(): void {
    const maximum = this.#maximum;
    const next = Math.max(1, Math.min(maximum, Math.round(this.#tuner!.target * maximum)));
    const current = this.#windowMaximum;
    if (next === current) return;
    this.#windowMaximum = next;
    this.#protectedMaximum = Math.floor(PERCENT_MAIN_PROTECTED * (maximum - next));
    if (next > current) {
      this.#demote();
      // Refill the window from main, oldest first, so it is full at once.
      for (let moved = current; moved < next; moved++) {
        let slot = this.#probation.head;
        if (slot !== -1) this.#probation.unlink(slot);
        else {
          slot = this.#protected.head;
          if (slot === -1) break;
          this.#protected.unlink(slot);
        }
        this.#where[slot] = WINDOW;
        this.#window.pushTail(slot);
      }
    } else {
      // The window's oldest entries go to probation (the next evictions judge them).
      while (this.#window.size > next) {
        const slot = this.#window.head;
        this.#window.unlink(slot);
        this.#where[slot] = PROBATION;
        this.#probation.pushTail(slot);
      }
    }
    this.#pending = 0;
    this.#candidate = -1;
  }
}
