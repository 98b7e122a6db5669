/**
 * A minimal slot store for policy tests: keys get the lowest free slot, reads call `access` or
 * `miss` + `insert`, and the store evicts by `victim()` (before the insert for policies that
 * `evictsFirst`, else while over `max` after it), recording what it evicted (by key). The same
 * protocol as `MemoryCache`.
 */
import type { EvictionPolicy } from '../../src/policies/index.js';

export class Harness {
  readonly policy: EvictionPolicy;
  readonly max: number;
  readonly evicted: string[] = [];
  readonly #slotOf = new Map<string, number>();
  readonly #keyOf: (string | undefined)[] = [];
  #capacity = 0;

  constructor(policy: EvictionPolicy, max: number) {
    this.policy = policy;
    this.max = max;
  }

  has(key: string): boolean {
    return this.#slotOf.has(key);
  }

  slot(key: string): number | undefined {
    return this.#slotOf.get(key);
  }

  keyAt(slot: number): string | undefined {
    return this.#keyOf[slot];
  }

  get size(): number {
    return this.#slotOf.size;
  }

  /** A read: true on a hit; a miss inserts the key (and may evict). */
  read(key: string): boolean {
    const slot = this.#slotOf.get(key);
    if (slot !== undefined) {
      this.policy.access(slot);
      return true;
    }
    this.insert(key);
    return false;
  }

  /**
   * Inserts `key` (not present) in the lowest free slot. A policy that `evictsFirst` names its
   * victims before the insert (so never the new key); the others after it, while over `max`.
   */
  insert(key: string, expiresAt = Number.POSITIVE_INFINITY): number {
    if (this.policy.evictsFirst) {
      while (this.#slotOf.size >= this.max) {
        const victim = this.policy.victim();
        this.evicted.push(this.#keyOf[victim]!);
        this.delete(this.#keyOf[victim]!);
      }
    }
    let slot = this.#keyOf.indexOf(undefined);
    if (slot === -1) slot = this.#keyOf.length;
    if (slot >= this.#capacity) {
      this.#capacity = Math.max(4, this.#capacity * 2);
      this.policy.grow(this.#capacity);
    }
    this.#keyOf[slot] = key;
    this.#slotOf.set(key, slot);
    this.policy.insert(slot, key, expiresAt);
    while (this.#slotOf.size > this.max) {
      const victim = this.policy.victim();
      if (victim === -1) {
        this.delete(key);
        break;
      }
      this.evicted.push(this.#keyOf[victim]!);
      this.delete(this.#keyOf[victim]!);
    }
    return slot;
  }

  delete(key: string): void {
    const slot = this.#slotOf.get(key);
    if (slot === undefined) return;
    this.policy.remove(slot);
    this.#slotOf.delete(key);
    this.#keyOf[slot] = undefined;
  }
}
