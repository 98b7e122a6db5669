/**
 * Soonest expiry first: a binary min-heap of slots ordered by (expiresAt, insertion sequence).
 * Entries without TTL (`expiresAt === Infinity`) sort last and, among themselves, oldest first,
 * so a cache of TTL-less entries behaves as FIFO. `pos[slot]` is the slot's index in the heap.
 */
import type { EvictionPolicy } from './policy.js';
import { growArray } from './slot-list.js';

export class TtlPolicy implements EvictionPolicy {
  readonly name = 'ttl' as const;
  readonly evictsFirst = true;
  #heap = new Int32Array(0);
  #pos = new Int32Array(0);
  #expires = new Float64Array(0);
  #order = new Float64Array(0);
  #size = 0;
  #sequence = 0;

  grow(capacity: number): void {
    this.#heap = growArray(this.#heap, capacity, (n) => new Int32Array(n));
    this.#pos = growArray(this.#pos, capacity, (n) => new Int32Array(n));
    this.#expires = growArray(this.#expires, capacity, (n) => new Float64Array(n));
    this.#order = growArray(this.#order, capacity, (n) => new Float64Array(n));
  }

  access(_slot: number): void {}

  insert(slot: number, _key: string, expiresAt: number): void {
    this.#expires[slot] = expiresAt;
    this.#order[slot] = this.#sequence++;
    const index = this.#size++;
    this.#heap[index] = slot;
    this.#pos[slot] = index;
    this.#siftUp(index);
  }

  update(slot: number, expiresAt: number): void {
    this.#expires[slot] = expiresAt;
    this.#order[slot] = this.#sequence++;
    const index = this.#pos[slot]!;
    this.#siftUp(index);
    this.#siftDown(this.#pos[slot]!);
  }

  remove(slot: number): void {
    const index = this.#pos[slot]!;
    const last = --this.#size;
    if (index === last) return;
    const moved = this.#heap[last]!;
    this.#heap[index] = moved;
    this.#pos[moved] = index;
    this.#siftUp(index);
    this.#siftDown(this.#pos[moved]!);
  }

  victim(): number {
    return this.#size === 0 ? -1 : this.#heap[0]!;
  }

  clear(): void {
    this.#size = 0;
  }

  #less(a: number, b: number): boolean {
    const ea = this.#expires[a]!;
    const eb = this.#expires[b]!;
    return ea < eb || (ea === eb && this.#order[a]! < this.#order[b]!);
  }

  #siftUp(start: number): void {
    const heap = this.#heap;
    const pos = this.#pos;
    let index = start;
    const slot = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >>> 1;
      const parent = heap[parentIndex]!;
      if (!this.#less(slot, parent)) break;
      heap[index] = parent;
      pos[parent] = index;
      index = parentIndex;
    }
    heap[index] = slot;
    pos[slot] = index;
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    const pos = this.#pos;
    const size = this.#size;
    let index = start;
    const slot = heap[index]!;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && this.#less(heap[right]!, heap[child]!)) child = right;
      const childSlot = heap[child]!;
      if (!this.#less(childSlot, slot)) break;
      heap[index] = childSlot;
      pos[childSlot] = index;
      index = child;
    }
    heap[index] = slot;
    pos[slot] = index;
  }
}
