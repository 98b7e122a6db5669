/**
 * A miniature W-TinyLFU cache with a fixed window share (internal, used by {@link WindowTuner}).
 * It holds 32-bit key hashes only, no values: slots 0..capacity (one spare for the insert that
 * precedes an eviction) with the window / probation / protected lists of `TinyLfuPolicy` over
 * shared `prev`/`next` arrays, and an open-addressing hash index (linear probing, backward-shift
 * deletion) from key hash to slot. Admission duels read the owner's {@link FrequencySketch},
 * which already counts every request, so a miniature costs no sketch of its own. Nothing here
 * allocates after construction.
 */
import type { FrequencySketch } from './frequency-sketch.js';
import { SlotLinks, SlotList } from './slot-list.js';

const WINDOW = 1;
const PROBATION = 2;
const PROTECTED = 3;

/** Protected's share of the main space (as in `TinyLfuPolicy`). */
const PERCENT_MAIN_PROTECTED = 0.8;

/** Index position of a hash: a multiplicative mix unrelated to the sampling and sketch mixes. */
function home(hash: number, shift: number): number {
  return Math.imul(hash ^ (hash >>> 13), 0x5bd1e995) >>> shift;
}

export class MiniWindowCache {
  /** Requests that found their key here since the counter was last reset by the owner. */
  hits = 0;
  readonly capacity: number;
  readonly windowMaximum: number;
  readonly #protectedMaximum: number;
  readonly #sketch: FrequencySketch;
  readonly #links = new SlotLinks();
  readonly #window = new SlotList(this.#links);
  readonly #probation = new SlotList(this.#links);
  readonly #protected = new SlotList(this.#links);
  readonly #where: Uint8Array;
  readonly #keyOf: Int32Array;
  /** slot + 1 per index cell, 0 when empty. */
  readonly #index: Int32Array;
  readonly #mask: number;
  readonly #shift: number;
  #size = 0;
  #spare = -1;

  /**
   * @param capacity entries of the miniature (at least 1)
   * @param windowShare the window's fixed share of `capacity`, 0 to 1
   */
  constructor(capacity: number, windowShare: number, sketch: FrequencySketch) {
    this.capacity = capacity;
    this.windowMaximum = Math.min(capacity, Math.round(windowShare * capacity));
    this.#protectedMaximum = Math.floor(PERCENT_MAIN_PROTECTED * (capacity - this.windowMaximum));
    this.#sketch = sketch;
    this.#links.grow(capacity + 1);
    this.#where = new Uint8Array(capacity + 1);
    this.#keyOf = new Int32Array(capacity + 1);
    let bits = 2;
    while (1 << bits < 2 * (capacity + 1)) bits++;
    this.#index = new Int32Array(1 << bits);
    this.#mask = (1 << bits) - 1;
    this.#shift = 32 - bits;
  }

  /** One read of the key with this hash (a signed 32-bit integer): a hit moves it, a miss inserts it (and may evict). */
  record(hash: number): void {
    const slot = this.#find(hash);
    if (slot !== -1) {
      this.hits++;
      this.#touch(slot);
      return;
    }
    const fresh = this.#spare !== -1 ? this.#spare : this.#size;
    this.#spare = -1;
    this.#keyOf[fresh] = hash;
    this.#add(hash, fresh);
    this.#where[fresh] = WINDOW;
    this.#window.pushTail(fresh);
    this.#size++;
    // The window's overflow (one entry: the window never shrinks) becomes the candidate.
    let candidate = -1;
    if (this.#window.size > this.windowMaximum) {
      candidate = this.#window.head;
      this.#window.unlink(candidate);
      this.#where[candidate] = PROBATION;
      this.#probation.pushTail(candidate);
    }
    if (this.#size > this.capacity) this.#evict(candidate);
  }

  /** Forgets every key (the hit counter is the owner's). */
  clear(): void {
    this.#window.clear();
    this.#probation.clear();
    this.#protected.clear();
    this.#index.fill(0);
    this.#size = 0;
    this.#spare = -1;
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
        if (this.#protected.size > this.#protectedMaximum) {
          const demoted = this.#protected.head;
          this.#protected.unlink(demoted);
          this.#where[demoted] = PROBATION;
          this.#probation.pushTail(demoted);
        }
        break;
      default:
        this.#protected.moveToTail(slot);
    }
  }

  /** Evicts one entry: the candidate (or none) duels probation's head, as in `TinyLfuPolicy`. */
  #evict(candidate: number): void {
    let victim = this.#probation.head;
    if (victim === candidate) victim = this.#protected.head;
    let evicted: number;
    if (victim === -1) evicted = candidate;
    else if (candidate === -1) evicted = victim;
    else {
      const sketch = this.#sketch;
      evicted =
        sketch.frequency(this.#keyOf[candidate]!) > sketch.frequency(this.#keyOf[victim]!)
          ? victim
          : candidate;
    }
    switch (this.#where[evicted]) {
      case WINDOW:
        this.#window.unlink(evicted);
        break;
      case PROBATION:
        this.#probation.unlink(evicted);
        break;
      default:
        this.#protected.unlink(evicted);
    }
    this.#delete(this.#keyOf[evicted]!);
    this.#size--;
    this.#spare = evicted;
  }

  #find(hash: number): number {
    const index = this.#index;
    const mask = this.#mask;
    for (let i = home(hash, this.#shift); ; i = (i + 1) & mask) {
      const cell = index[i]!;
      if (cell === 0) return -1;
      if (this.#keyOf[cell - 1] === hash) return cell - 1;
    }
  }

  #add(hash: number, slot: number): void {
    const index = this.#index;
    const mask = this.#mask;
    let i = home(hash, this.#shift);
    while (index[i] !== 0) i = (i + 1) & mask;
    index[i] = slot + 1;
  }

  /** Removes `hash` from the index, shifting later cells of its probe run back. */
  #delete(hash: number): void {
    const index = this.#index;
    const mask = this.#mask;
    let i = home(hash, this.#shift);
    while (this.#keyOf[index[i]! - 1] !== hash) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; index[j] !== 0; j = (j + 1) & mask) {
      const at = home(this.#keyOf[index[j]! - 1]!, this.#shift);
      // move j's entry into the hole at i when its home is not in (i, j] (cyclically)
      if (((j - at) & mask) >= ((j - i) & mask)) {
        index[i] = index[j]!;
        i = j;
      }
    }
    index[i] = 0;
  }
}
