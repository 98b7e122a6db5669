/**
 * Least frequently used, O(1) per operation (Shah, Mitra & Matani, "An O(1) algorithm for
 * implementing the LFU cache eviction scheme", 2010), with aging.
 *
 * Layout: slots with the same use count form one index-linked list (a "bucket", oldest use at
 * its head); buckets form a list sorted by count, lowest first. A hit moves the slot to the
 * tail of the bucket for count + 1 (created next to its bucket when missing). The victim is
 * the head of the lowest bucket: least frequent, then least recent. Buckets come from a pool
 * of capacity + 1, so nothing is allocated per operation.
 *
 * Aging: after ten uses per entry (an "epoch" of `10 * max(entries, 16)` counted uses) every
 * count is halved, rounding up, and buckets that now share a count are merged, lower original
 * count first. This costs O(buckets) once per epoch and keeps entries that were popular long
 * ago from squatting in the cache forever.
 */
import type { EvictionPolicy } from './policy.js';
import { growArray, SlotLinks } from './slot-list.js';

export class LfuPolicy implements EvictionPolicy {
  readonly name = 'lfu' as const;
  readonly evictsFirst = true;
  readonly #links = new SlotLinks();
  #bucketOf = new Int32Array(0);
  // bucket pool
  #count = new Float64Array(0);
  #bucketPrev = new Int32Array(0);
  #bucketNext = new Int32Array(0);
  #itemHead = new Int32Array(0);
  #itemTail = new Int32Array(0);
  #free = new Int32Array(0);
  #freeTop = 0;
  #first = -1;
  #size = 0;
  #uses = 0;

  grow(capacity: number): void {
    const old = this.#count.length;
    this.#links.grow(capacity);
    this.#bucketOf = growArray(this.#bucketOf, capacity, (n) => new Int32Array(n));
    const buckets = capacity + 1;
    if (buckets <= old) return;
    this.#count = growArray(this.#count, buckets, (n) => new Float64Array(n));
    this.#bucketPrev = growArray(this.#bucketPrev, buckets, (n) => new Int32Array(n));
    this.#bucketNext = growArray(this.#bucketNext, buckets, (n) => new Int32Array(n));
    this.#itemHead = growArray(this.#itemHead, buckets, (n) => new Int32Array(n));
    this.#itemTail = growArray(this.#itemTail, buckets, (n) => new Int32Array(n));
    this.#free = growArray(this.#free, buckets, (n) => new Int32Array(n));
    for (let b = buckets - 1; b >= old; b--) this.#free[this.#freeTop++] = b;
  }

  access(slot: number): void {
    const bucket = this.#bucketOf[slot]!;
    const count = this.#count[bucket]! + 1;
    let next = this.#bucketNext[bucket]!;
    if (next === -1 || this.#count[next] !== count) next = this.#newBucket(count, bucket);
    this.#unlinkItem(slot, bucket);
    this.#pushItem(slot, next);
    if (++this.#uses >= 10 * Math.max(this.#size, 16)) this.#age();
  }

  insert(slot: number, _key: string, _expiresAt: number): void {
    let first = this.#first;
    if (first === -1 || this.#count[first] !== 1) first = this.#newBucket(1, -1);
    this.#pushItem(slot, first);
    this.#size++;
  }

  update(slot: number, _expiresAt: number): void {
    this.access(slot);
  }

  remove(slot: number): void {
    this.#unlinkItem(slot, this.#bucketOf[slot]!);
    this.#size--;
  }

  victim(): number {
    return this.#first === -1 ? -1 : this.#itemHead[this.#first]!;
  }

  clear(): void {
    let bucket = this.#first;
    while (bucket !== -1) {
      const next = this.#bucketNext[bucket]!;
      this.#free[this.#freeTop++] = bucket;
      bucket = next;
    }
    this.#first = -1;
    this.#size = 0;
    this.#uses = 0;
  }

  /** Takes a bucket from the pool with `count`, linked after `after` (or first when -1). */
  #newBucket(count: number, after: number): number {
    const bucket = this.#free[--this.#freeTop]!;
    this.#count[bucket] = count;
    this.#itemHead[bucket] = -1;
    this.#itemTail[bucket] = -1;
    const next = after === -1 ? this.#first : this.#bucketNext[after]!;
    this.#bucketPrev[bucket] = after;
    this.#bucketNext[bucket] = next;
    if (after === -1) this.#first = bucket;
    else this.#bucketNext[after] = bucket;
    if (next !== -1) this.#bucketPrev[next] = bucket;
    return bucket;
  }

  #freeBucket(bucket: number): void {
    const prev = this.#bucketPrev[bucket]!;
    const next = this.#bucketNext[bucket]!;
    if (prev === -1) this.#first = next;
    else this.#bucketNext[prev] = next;
    if (next !== -1) this.#bucketPrev[next] = prev;
    this.#free[this.#freeTop++] = bucket;
  }

  #pushItem(slot: number, bucket: number): void {
    const { prev, next } = this.#links;
    const tail = this.#itemTail[bucket]!;
    prev[slot] = tail;
    next[slot] = -1;
    if (tail === -1) this.#itemHead[bucket] = slot;
    else next[tail] = slot;
    this.#itemTail[bucket] = slot;
    this.#bucketOf[slot] = bucket;
  }

  /** Unlinks `slot` from `bucket` and frees the bucket when it becomes empty. */
  #unlinkItem(slot: number, bucket: number): void {
    const { prev, next } = this.#links;
    const p = prev[slot]!;
    const n = next[slot]!;
    if (p === -1) this.#itemHead[bucket] = n;
    else next[p] = n;
    if (n === -1) this.#itemTail[bucket] = p;
    else prev[n] = p;
    if (this.#itemHead[bucket] === -1) this.#freeBucket(bucket);
  }

  /** Halves every count (rounding up) and merges buckets that end up equal. */
  #age(): void {
    this.#uses = 0;
    const { prev, next } = this.#links;
    let bucket = this.#first;
    let kept = -1;
    while (bucket !== -1) {
      const following = this.#bucketNext[bucket]!;
      const count = Math.ceil(this.#count[bucket]! / 2);
      if (kept !== -1 && this.#count[kept] === count) {
        // append bucket's items to kept's
        const head = this.#itemHead[bucket]!;
        const tail = this.#itemTail[bucket]!;
        for (let s = head; s !== -1; s = next[s]!) this.#bucketOf[s] = kept;
        const keptTail = this.#itemTail[kept]!;
        next[keptTail] = head;
        prev[head] = keptTail;
        this.#itemTail[kept] = tail;
        this.#itemHead[bucket] = -1;
        this.#freeBucket(bucket);
      } else {
        this.#count[bucket] = count;
        kept = bucket;
      }
      bucket = following;
    }
  }
}
