/**
 * Least recently used: one index-linked list over slots, oldest access at the head. A hit moves
 * the slot to the tail; the victim is the head.
 */
import type { EvictionPolicy } from './policy.js';
import { SlotLinks, SlotList } from './slot-list.js';

export class LruPolicy implements EvictionPolicy {
  readonly name = 'lru' as const;
  readonly #list = new SlotList(new SlotLinks());

  grow(capacity: number): void {
    this.#list.links.grow(capacity);
  }

  access(slot: number): void {
    this.#list.moveToTail(slot);
  }

  miss(_key: string): void {}

  insert(slot: number, _key: string, _expiresAt: number): void {
    this.#list.pushTail(slot);
  }

  update(slot: number, _expiresAt: number): void {
    this.#list.moveToTail(slot);
  }

  remove(slot: number): void {
    this.#list.unlink(slot);
  }

  victim(): number {
    return this.#list.head;
  }

  clear(): void {
    this.#list.clear();
  }
}
