/**
 * W-TinyLFU with hill climbing, after Caffeine's `BoundedLocalCache` (Einziger, Friedman &
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
 * Hill climbing: every `2 * entries` requests, the hit ratio of the sample is compared with the
 * previous one; the window grows or shrinks by a step (6.25% of the entries, decaying by 2%
 * per sample, reset when the hit ratio moves by 10 points) in the direction that helped. Recency-
 * biased workloads get a big window (LRU-like), frequency-biased ones a tiny one.
 *
 * The entry count used for the split is `capacityHint` (the cache's `maxEntries`) or, when the
 * cache is bounded by bytes only, the largest entry count seen when an eviction was needed.
 */
import { FrequencySketch } from './frequency-sketch.js';
import { hashString, randomSeed, xorshift32 } from './hash.js';
import type { EvictionPolicy } from './policy.js';
import { growArray, SlotLinks, SlotList } from './slot-list.js';

const NOWHERE = 0;
const WINDOW = 1;
const PROBATION = 2;
const PROTECTED = 3;

const PERCENT_MAIN = 0.99;
const PERCENT_MAIN_PROTECTED = 0.8;
/**
 * Deviations from Caffeine's constants, tuned on the traces of docs/benchmarks/hit-ratio.md:
 * Caffeine samples `10 * entries` requests per step, restarts the step at a 5-point change and
 * first shrinks the window. Here a sample is `2 * entries` requests (five times more steps: the
 * window reaches an LRU-like size within a trace of a few dozen cache sizes, which the 10x
 * sample never did on sprite or oltp at 10% of the keys), the restart threshold is 10 points
 * (recency-heavy traces swing by more than 5 points between samples, and each swing reset the
 * step to full size), and the first step grows the window (it starts at its 1% minimum).
 */
const HILL_CLIMBER_SAMPLE_FACTOR = 2;
const HILL_CLIMBER_RESTART_THRESHOLD = 0.1;
const HILL_CLIMBER_STEP_PERCENT = 0.0625;
const HILL_CLIMBER_STEP_DECAY_RATE = 0.98;
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

  #hits = 0;
  #misses = 0;
  #previousHitRate = 0;
  #stepSize = 0;
  /** Fractional window adjustment carried over (small caches move less than one entry a step). */
  #carry = 0;
  /** Requests per hill-climbing sample. */
  #sample = Number.POSITIVE_INFINITY;

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
    this.#sketch.increment(this.#hash[slot]!);
    this.#touch(slot);
    this.#hits++;
    if (this.#maximum > 0 && this.#hits + this.#misses >= this.#sample) this.#climb();
  }

  miss(key: string): void {
    const hash = hashString(key, this.#seed);
    this.#sketch.increment(hash);
    this.#lastMissHash = hash;
    this.#lastMissValid = true;
  }

  insert(slot: number, key: string, _expiresAt: number): void {
    const hash = hashString(key, this.#seed);
    this.#hash[slot] = hash;
    // A read miss followed by the insert of the same key counts once.
    if (!this.#lastMissValid || this.#lastMissHash !== hash) this.#sketch.increment(hash);
    this.#lastMissValid = false;
    this.#where[slot] = WINDOW;
    this.#window.pushTail(slot);
    this.#size++;
    this.#pending = 0;
    this.#candidate = -1;
    this.#misses++;
    if (this.#maximum > 0 && this.#hits + this.#misses >= this.#sample) this.#climb();
  }

  update(slot: number, _expiresAt: number): void {
    this.#sketch.increment(this.#hash[slot]!);
    this.#touch(slot);
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
    if (previous === 0) {
      const window = maximum - Math.floor(PERCENT_MAIN * maximum);
      this.#windowMaximum = window;
      this.#protectedMaximum = Math.floor(PERCENT_MAIN_PROTECTED * (maximum - window));
      this.#stepSize = HILL_CLIMBER_STEP_PERCENT * maximum;
    } else {
      // keep the learned window share
      const window = Math.max(1, Math.min(maximum, Math.round((this.#windowMaximum * maximum) / previous)));
      this.#windowMaximum = window;
      this.#protectedMaximum = Math.floor(PERCENT_MAIN_PROTECTED * (maximum - window));
      this.#stepSize = (this.#stepSize * maximum) / previous;
    }
    this.#sample = HILL_CLIMBER_SAMPLE_FACTOR * maximum;
    this.#sketch.ensureCapacity(maximum);
    this.#demote();
  }

  /** One hill-climbing step (Caffeine's `climb`), run once per sample of requests. */
  #climb(): void {
    const requests = this.#hits + this.#misses;
    const hitRate = this.#hits / requests;
    const change = hitRate - this.#previousHitRate;
    const amount = change >= 0 ? this.#stepSize : -this.#stepSize;
    const nextStep =
      Math.abs(change) >= HILL_CLIMBER_RESTART_THRESHOLD
        ? HILL_CLIMBER_STEP_PERCENT * this.#maximum * (amount >= 0 ? 1 : -1)
        : HILL_CLIMBER_STEP_DECAY_RATE * amount;
    this.#previousHitRate = hitRate;
    this.#stepSize = nextStep;
    this.#hits = 0;
    this.#misses = 0;
    const total = amount + this.#carry;
    const adjustment = Math.trunc(total);
    this.#carry = total - adjustment;
    if (adjustment > 0) this.#increaseWindow(adjustment);
    else if (adjustment < 0) this.#decreaseWindow(-adjustment);
  }

  #increaseWindow(amount: number): void {
    const quota = Math.min(amount, this.#protectedMaximum);
    if (quota <= 0) return;
    this.#protectedMaximum -= quota;
    this.#windowMaximum += quota;
    this.#demote();
    // Refill the window from main, oldest first, so it is full at once.
    for (let moved = 0; moved < quota; moved++) {
      let slot = this.#probation.head;
      if (slot !== -1) this.#probation.unlink(slot);
      else {
        slot = this.#protected.head;
        if (slot === -1) {
          this.#protectedMaximum += quota - moved;
          this.#windowMaximum -= quota - moved;
          break;
        }
        this.#protected.unlink(slot);
      }
      this.#where[slot] = WINDOW;
      this.#window.pushTail(slot);
    }
  }

  #decreaseWindow(amount: number): void {
    if (this.#windowMaximum <= 1) return;
    const quota = Math.min(amount, this.#windowMaximum - 1, this.#window.size);
    this.#protectedMaximum += quota;
    this.#windowMaximum -= quota;
    for (let moved = 0; moved < quota; moved++) {
      const slot = this.#window.head;
      this.#window.unlink(slot);
      this.#where[slot] = PROBATION;
      this.#probation.pushTail(slot);
    }
  }
}
