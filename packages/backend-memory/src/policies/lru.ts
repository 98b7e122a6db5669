/**
 * LRU: an index-linked list over slots (two `Int32Array`s, no allocation per operation).
 * The head is the most recently used slot, the tail the victim.
 */
import type { EvictionPolicy } from './policy.js';

const NONE = -1;

/** Least recently used: evicts the slot that was read or written longest ago. */
export class LruPolicy implements EvictionPolicy {
  readonly name = 'lru' as const;
  #next: Int32Array = new Int32Array(0);
  #prev: Int32Array = new Int32Array(0);
  #head = NONE;
  #tail = NONE;

  /** @param capacityHint - Slots to allocate up front. */
  constructor(capacityHint = 0) {
    if (capacityHint > 0) this.grow(capacityHint);
  }

  grow(capacity: number): void {
    if (capacity <= this.#next.length) return;
    const next = new Int32Array(capacity);
    const prev = new Int32Array(capacity);
    next.set(this.#next);
    prev.set(this.#prev);
    this.#next = next;
    this.#prev = prev;
  }

  access(slot: number): void {
    if (slot !== this.#head) {
      this.#unlink(slot);
      this.#pushHead(slot);
    }
  }

  miss(_key: string): void {}

  insert(slot: number, _key: string, _expiresAt: number): void {
    this.#pushHead(slot);
  }

  update(slot: number, _expiresAt: number): void {
    this.access(slot);
  }

  remove(slot: number): void {
    this.#unlink(slot);
  }

  victim(): number {
    return this.#tail;
  }

  clear(): void {
    this.#head = this.#tail = NONE;
  }

  #pushHead(slot: number): void {
    const head = this.#head;
    this.#prev[slot] = NONE;
    this.#next[slot] = head;
    if (head === NONE) this.#tail = slot;
    else this.#prev[head] = slot;
    this.#head = slot;
  }

  #unlink(slot: number): void {
    const prev = this.#prev[slot] as number;
    const next = this.#next[slot] as number;
    if (prev === NONE) this.#head = next;
    else this.#next[prev] = next;
    if (next === NONE) this.#tail = prev;
    else this.#prev[next] = prev;
  }
}
