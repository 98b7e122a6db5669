/**
 * SIEVE (Zhang et al., NSDI'24): a FIFO list with one "visited" bit per entry and a moving hand.
 * A hit only sets the bit. To evict, the hand walks from the oldest entry towards the newest,
 * clearing set bits, and stops at the first entry whose bit is clear; it stays there (wrapping
 * around to the oldest at the end). New entries never move old ones, so hits cost one store.
 */
import type { EvictionPolicy } from './policy.js';
import { growArray, SlotLinks, SlotList } from './slot-list.js';

export class SievePolicy implements EvictionPolicy {
  readonly name = 'sieve' as const;
  readonly evictsFirst = true;
  readonly #list = new SlotList(new SlotLinks());
  #visited = new Uint8Array(0);
  #hand = -1;

  grow(capacity: number): void {
    this.#list.links.grow(capacity);
    this.#visited = growArray(this.#visited, capacity, (n) => new Uint8Array(n));
  }

  access(slot: number): void {
    this.#visited[slot] = 1;
  }

  insert(slot: number, _key: string, _expiresAt: number): void {
    this.#visited[slot] = 0;
    this.#list.pushTail(slot);
  }

  update(slot: number, _expiresAt: number): void {
    this.#visited[slot] = 1;
  }

  remove(slot: number): void {
    if (slot === this.#hand) this.#hand = this.#list.links.next[slot]!;
    this.#list.unlink(slot);
  }

  victim(): number {
    const list = this.#list;
    if (list.head === -1) return -1;
    const next = list.links.next;
    const visited = this.#visited;
    let hand = this.#hand === -1 ? list.head : this.#hand;
    while (visited[hand] === 1) {
      visited[hand] = 0;
      hand = next[hand]!;
      if (hand === -1) hand = list.head;
    }
    this.#hand = hand;
    return hand;
  }

  clear(): void {
    this.#list.clear();
    this.#hand = -1;
  }
}
