/**
 * S3-FIFO (Yang et al., SOSP'23): three FIFO queues. New keys enter a small queue (10% of the
 * entries); one that was read while there moves to the main queue when it reaches the head,
 * the others are evicted and remembered in a ghost queue (hashes only). A key found in the
 * ghost on insert goes straight to main. Main is a FIFO with a 2-bit use counter per entry:
 * at its head an entry with uses left is reinserted at the tail with one use less.
 *
 * Layout: the small and main queues share one pair of `prev`/`next` arrays over slots; the
 * ghost is a fixed table of (hash, sequence) pairs, two candidate cells per hash, where an
 * entry counts as present while fewer than `ghost capacity` keys were added after it (a lossy
 * FIFO without links). The cache size used to split the queues is `capacityHint` or, when the
 * cache is bounded by bytes only, the largest entry count seen when an eviction was needed.
 */
import { hashString, randomSeed } from './hash.js';
import type { EvictionPolicy } from './policy.js';
import { growArray, SlotLinks, SlotList } from './slot-list.js';

const NOWHERE = 0;
const SMALL = 1;
const MAIN = 2;
/** Share of the entries given to the small queue. */
const SMALL_RATIO = 0.1;
/** Uses counted per entry (2 bits). */
const MAX_FREQUENCY = 3;

export class S3FifoPolicy implements EvictionPolicy {
  readonly name = 's3fifo' as const;
  readonly evictsFirst = true;
  readonly #links = new SlotLinks();
  readonly #small = new SlotList(this.#links);
  readonly #main = new SlotList(this.#links);
  readonly #seed: number;
  readonly #hint: number;
  #where = new Uint8Array(0);
  #frequency = new Uint8Array(0);
  #hash = new Uint32Array(0);
  #maximum = 0;
  #smallTarget = 1;
  #ghostHash = new Uint32Array(0);
  #ghostSequence = new Float64Array(0);
  #ghostMask = 0;
  #ghostCapacity = 0;
  #ghostNext = 1;
  #toGhost = -1;

  /** @param capacityHint the cache's `maxEntries` (`Infinity` or 0 when unknown). */
  constructor(capacityHint: number, options: { seed?: number } = {}) {
    this.#seed = options.seed ?? randomSeed();
    this.#hint = Number.isFinite(capacityHint) && capacityHint > 0 ? Math.floor(capacityHint) : 0;
    if (this.#hint > 0) this.#setMaximum(this.#hint);
  }

  grow(capacity: number): void {
    this.#links.grow(capacity);
    this.#where = growArray(this.#where, capacity, (n) => new Uint8Array(n));
    this.#frequency = growArray(this.#frequency, capacity, (n) => new Uint8Array(n));
    this.#hash = growArray(this.#hash, capacity, (n) => new Uint32Array(n));
  }

  access(slot: number): void {
    const frequency = this.#frequency[slot]!;
    if (frequency < MAX_FREQUENCY) this.#frequency[slot] = frequency + 1;
  }

  insert(slot: number, key: string, _expiresAt: number): void {
    const hash = hashString(key, this.#seed);
    this.#hash[slot] = hash;
    this.#frequency[slot] = 0;
    if (this.#ghostTake(hash)) {
      this.#where[slot] = MAIN;
      this.#main.pushTail(slot);
    } else {
      this.#where[slot] = SMALL;
      this.#small.pushTail(slot);
    }
  }

  update(slot: number, _expiresAt: number): void {
    this.access(slot);
  }

  remove(slot: number): void {
    if (this.#where[slot] === SMALL) this.#small.unlink(slot);
    else this.#main.unlink(slot);
    this.#where[slot] = NOWHERE;
    if (slot === this.#toGhost) {
      this.#toGhost = -1;
      this.#ghostAdd(this.#hash[slot]!);
    }
  }

  victim(): number {
    const small = this.#small;
    const main = this.#main;
    const entries = small.size + main.size;
    if (entries === 0) return -1;
    // Asked before the newcomer is inserted (evictsFirst): `entries` is what the cache holds when full.
    if (entries > this.#maximum && (this.#hint === 0 || this.#maximum < this.#hint)) {
      this.#setMaximum(this.#hint === 0 ? entries : Math.min(entries, this.#hint));
    }
    const frequency = this.#frequency;
    for (;;) {
      if (small.size > 0 && (small.size >= this.#smallTarget || main.size === 0)) {
        const slot = small.head;
        if (frequency[slot]! > 0) {
          small.unlink(slot);
          frequency[slot] = 0;
          this.#where[slot] = MAIN;
          main.pushTail(slot);
          continue;
        }
        this.#toGhost = slot;
        return slot;
      }
      const slot = main.head;
      const uses = frequency[slot]!;
      if (uses > 0) {
        frequency[slot] = uses - 1;
        main.moveToTail(slot);
        continue;
      }
      this.#toGhost = -1;
      return slot;
    }
  }

  clear(): void {
    this.#small.clear();
    this.#main.clear();
    this.#ghostSequence.fill(0);
    this.#toGhost = -1;
  }

  #setMaximum(maximum: number): void {
    this.#maximum = maximum;
    this.#smallTarget = Math.max(1, Math.round(maximum * SMALL_RATIO));
    this.#ghostCapacity = Math.max(1, maximum - this.#smallTarget);
    let cells = 16;
    while (cells < this.#ghostCapacity * 2) cells *= 2;
    if (cells > this.#ghostHash.length) {
      this.#ghostHash = new Uint32Array(cells);
      this.#ghostSequence = new Float64Array(cells);
      this.#ghostMask = cells - 1;
    }
  }

  #ghostCell(hash: number): number {
    const mask = this.#ghostMask;
    const first = hash & mask;
    if (this.#ghostHash[first] === hash && this.#live(first)) return first;
    const second = (Math.imul(hash, 0x9e3779b1) >>> 16) & mask;
    if (this.#ghostHash[second] === hash && this.#live(second)) return second;
    return -1;
  }

  #live(cell: number): boolean {
    const sequence = this.#ghostSequence[cell]!;
    return sequence > 0 && this.#ghostNext - sequence <= this.#ghostCapacity;
  }

  #ghostTake(hash: number): boolean {
    if (this.#ghostMask === 0) return false;
    const cell = this.#ghostCell(hash);
    if (cell === -1) return false;
    this.#ghostSequence[cell] = 0;
    return true;
  }

  #ghostAdd(hash: number): void {
    if (this.#ghostMask === 0) return;
    const mask = this.#ghostMask;
    const first = hash & mask;
    const second = (Math.imul(hash, 0x9e3779b1) >>> 16) & mask;
    // replace the older (or dead) of the two cells
    const cell = this.#ghostSequence[first]! <= this.#ghostSequence[second]! ? first : second;
    this.#ghostHash[cell] = hash;
    this.#ghostSequence[cell] = this.#ghostNext++;
  }
}
