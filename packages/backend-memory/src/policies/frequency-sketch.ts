/**
 * A count-min sketch of 4-bit counters that estimates how often a hash was seen recently
 * (internal, used by W-TinyLFU). Layout follows Caffeine's `FrequencySketch`: the table is cut
 * into 64-byte blocks (16 Uint32 words of 8 nibbles); a hash picks one block and four counters
 * in it, one in each quarter of the block. About 16 counters (8 bytes) per cache entry. When the
 * number of increments reaches ten times the capacity, every counter is halved (the "reset"
 * that ages old popularity away). An owner may count some requests itself and hand them over
 * later (`sample` counts such a request toward the reset at once, `add` adds its counts when
 * they are handed over); `resets` tells it when to halve its own counts.
 */

const RESET_MASK = 0x77777777;
const ONE_MASK = 0x11111111;

function popcount(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Caffeine's `spread`: mixes a hash so that nearby inputs land in unrelated blocks. */
function spread(hash: number): number {
  let x = Math.imul((hash >>> 16) ^ hash, 0x45d9f3b);
  x = Math.imul((x >>> 16) ^ x, 0x45d9f3b);
  return ((x >>> 16) ^ x) >>> 0;
}

/** Caffeine's `rehash`: a second independent-looking hash that picks the counters in a block. */
function rehash(hash: number): number {
  const x = Math.imul(hash, 0x31848bab);
  return (x ^ (x >>> 14)) >>> 0;
}

export class FrequencySketch {
  #table = new Uint32Array(0);
  #blockMask = 0;
  #sampleSize = 10;
  #size = 0;
  #resets = 0;

  constructor(capacity: number) {
    this.ensureCapacity(capacity);
  }

  /** The number of increments between two resets (ten times the capacity). */
  get sampleSize(): number {
    return this.#sampleSize;
  }

  /** Sizes the table for `capacity` entries; a bigger table starts empty (as Caffeine does). */
  ensureCapacity(capacity: number): void {
    const max = Math.min(Math.max(Math.floor(capacity), 1), 1 << 28);
    let pow = 1;
    while (pow < max) pow *= 2;
    const words = Math.max(pow * 2, 16);
    if (words <= this.#table.length) return;
    this.#table = new Uint32Array(words);
    this.#blockMask = (words >>> 4) - 1;
    this.#sampleSize = 10 * max;
    this.#size = 0;
  }

  /** The estimated recent frequency of `hash`, 0 to 15. */
  frequency(hash: number): number {
    const table = this.#table;
    const blockHash = spread(hash);
    const counterHash = rehash(blockHash);
    const block = (blockHash & this.#blockMask) << 4;
    let frequency = 15;
    for (let i = 0; i < 4; i++) {
      const h = counterHash >>> (i << 3);
      const shift = ((h >>> 2) & 7) << 2;
      const count = (table[block + (i << 2) + (h & 3)]! >>> shift) & 15;
      if (count < frequency) frequency = count;
    }
    return frequency;
  }

  /**
   * Counts one occurrence of `hash`; halves every counter when the sample is full. Returns the
   * estimate after the increment (as `frequency` would).
   */
  increment(hash: number): number {
    const table = this.#table;
    const blockHash = spread(hash);
    const counterHash = rehash(blockHash);
    const block = (blockHash & this.#blockMask) << 4;
    // One counter in each quarter of the block (unrolled: the four are independent).
    const i0 = block + (counterHash & 3);
    const s0 = ((counterHash >>> 2) & 7) << 2;
    const i1 = block + 4 + ((counterHash >>> 8) & 3);
    const s1 = ((counterHash >>> 10) & 7) << 2;
    const i2 = block + 8 + ((counterHash >>> 16) & 3);
    const s2 = ((counterHash >>> 18) & 7) << 2;
    const i3 = block + 12 + ((counterHash >>> 24) & 3);
    const s3 = ((counterHash >>> 26) & 7) << 2;
    const w0 = table[i0]!;
    const w1 = table[i1]!;
    const w2 = table[i2]!;
    const w3 = table[i3]!;
    let c0 = (w0 >>> s0) & 15;
    let c1 = (w1 >>> s1) & 15;
    let c2 = (w2 >>> s2) & 15;
    let c3 = (w3 >>> s3) & 15;
    let added = false;
    if (c0 !== 15) {
      table[i0] = w0 + (1 << s0);
      c0++;
      added = true;
    }
    if (c1 !== 15) {
      table[i1] = w1 + (1 << s1);
      c1++;
      added = true;
    }
    if (c2 !== 15) {
      table[i2] = w2 + (1 << s2);
      c2++;
      added = true;
    }
    if (c3 !== 15) {
      table[i3] = w3 + (1 << s3);
      c3++;
      added = true;
    }
    if (added && ++this.#size >= this.#sampleSize) {
      this.#reset();
      return this.frequency(hash);
    }
    return Math.min(c0, c1, c2, c3);
  }

  /**
   * Adds `count` (1 to 15) to the counters of `hash`, saturating at 15: the same counters as
   * `count` increments, but counted as no sample toward the next reset (the owner counted those
   * requests with {@link sample} when they happened).
   */
  add(hash: number, count: number): void {
    const table = this.#table;
    const blockHash = spread(hash);
    const counterHash = rehash(blockHash);
    const block = (blockHash & this.#blockMask) << 4;
    for (let i = 0; i < 4; i++) {
      const h = counterHash >>> (i << 3);
      const shift = ((h >>> 2) & 7) << 2;
      const index = block + (i << 2) + (h & 3);
      const word = table[index]!;
      const counter = (word >>> shift) & 15;
      const to = Math.min(counter + count, 15);
      table[index] = word + ((to - counter) << shift);
    }
  }

  /** Counts `count` requests toward the next reset without touching the counters (see `add`). */
  sample(count: number): void {
    this.#size += count;
    if (this.#size >= this.#sampleSize) this.#reset();
  }

  /** How many times the counters were halved (owners holding counts of their own age them too). */
  get resets(): number {
    return this.#resets;
  }

  /** Forgets everything. */
  clear(): void {
    this.#table.fill(0);
    this.#size = 0;
  }

  #reset(): void {
    const table = this.#table;
    let odd = 0;
    for (let i = 0; i < table.length; i++) {
      const word = table[i]!;
      odd += popcount(word & ONE_MASK);
      table[i] = (word >>> 1) & RESET_MASK;
    }
    this.#size = (this.#size - (odd >>> 2)) >>> 1;
    this.#resets++;
  }
}
