/**
 * First in, first out: one index-linked list over slots in insertion order. Hits and overwrites
 * do not move an entry; the victim is the oldest insertion.
 */
import type { EvictionPolicy } from './policy.js';
import { SlotLinks, SlotList } from './slot-list.js';

export class FifoPolicy implements EvictionPolicy {
  readonly name = 'fifo' as const;
  readonly evictsFirst = true;
  readonly #list = new SlotList(new SlotLinks());

  grow(capacity: number): void {
    this.#list.links.grow(capacity);
  }

  access(_slot: number): void {}

  insert(slot: number, _key: string, _expiresAt: number): void {
    this.#list.pushTail(slot);
  }

  update(_slot: number, _expiresAt: number): void {}

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
