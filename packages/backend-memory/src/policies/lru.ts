/**
 * Least recently used: one index-linked list over slots, oldest access at the head. A hit moves
 * the slot to the tail; the victim is the head.
 *
 * The list keeps `prev` and `next` of a slot side by side (`links[2 * slot]`,
 * `links[2 * slot + 1]`) rather than in two arrays as `SlotList` does: a hit reads both links of
 * its slot, and side by side they share one cache line.
 */
import type { EvictionPolicy } from './policy.js';

const NONE = -1;

export class LruPolicy implements EvictionPolicy {
  readonly name = 'lru' as const;
  readonly evictsFirst = true;
  /** `[prev, next]` per slot; `-1` is "none". */
  #links = new Int32Array(0);
  #head = NONE;
  #tail = NONE;

  grow(capacity: number): void {
    if (capacity * 2 <= this.#links.length) return;
    const links = new Int32Array(capacity * 2);
    links.set(this.#links);
    this.#links = links;
  }

  access(slot: number): void {
    if (slot !== this.#tail) {
      this.#unlink(slot);
      this.#pushTail(slot);
    }
  }

  insert(slot: number, _key: string, _expiresAt: number): void {
    this.#pushTail(slot);
  }

  update(slot: number, _expiresAt: number): void {
    this.access(slot);
  }

  remove(slot: number): void {
    this.#unlink(slot);
  }

  victim(): number {
    return this.#head;
  }

  clear(): void {
    this.#head = NONE;
    this.#tail = NONE;
  }

  #pushTail(slot: number): void {
    const links = this.#links;
    const tail = this.#tail;
    links[slot * 2] = tail;
    links[slot * 2 + 1] = NONE;
    if (tail === NONE) this.#head = slot;
    else links[tail * 2 + 1] = slot;
    this.#tail = slot;
  }

  #unlink(slot: number): void {
    const links = this.#links;
    const prev = links[slot * 2]!;
    const next = links[slot * 2 + 1]!;
    if (prev === NONE) this.#head = next;
    else links[prev * 2 + 1] = next;
    if (next === NONE) this.#tail = prev;
    else links[next * 2] = prev;
  }
}
