/**
 * The direct driver: replays a trace into one eviction policy through a minimal slot store
 * (a key -> slot Map, a free list, doubling slot arrays), exactly as `MemoryCache` drives its
 * policy: a read hit calls `access`, a miss calls `miss` then `insert`; a policy that
 * `evictsFirst` is asked for `victim()` before the insert while the store is full, the others
 * after it while the store is over its entry limit, and the victim's slot is removed. Used to tune the policies and
 * to check that the replay through `MemoryCache` gives the same numbers.
 */
import type { EvictionPolicy } from '@cache/backend-memory';

/** Hits / requests of `policy` replaying `keys` with at most `size` entries. */
export function directHitRatio(keys: readonly string[], size: number, policy: EvictionPolicy): number {
  const slotOf = new Map<string, number>();
  let keyOf: (string | undefined)[] = [];
  let capacity = 16;
  policy.grow(capacity);
  keyOf.length = capacity;
  const free: number[] = [];
  let top = 0;
  let hits = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const found = slotOf.get(key);
    if (found !== undefined) {
      hits++;
      policy.access(found);
      continue;
    }
    if (policy.evictsFirst) {
      // As MemoryCache does: the victim is chosen among the resident keys before the insert.
      while (slotOf.size >= size) {
        const victim = policy.victim();
        policy.remove(victim);
        slotOf.delete(keyOf[victim]!);
        keyOf[victim] = undefined;
        free.push(victim);
      }
    }
    let slot = free.pop();
    if (slot === undefined) {
      slot = top++;
      if (slot >= capacity) {
        capacity *= 2;
        policy.grow(capacity);
        keyOf = keyOf.concat(new Array<string | undefined>(capacity - keyOf.length));
      }
    }
    slotOf.set(key, slot);
    keyOf[slot] = key;
    policy.insert(slot, key, Number.POSITIVE_INFINITY);
    while (slotOf.size > size) {
      const victim = policy.victim();
      if (victim === -1) {
        // The policy refuses to evict: the new key is refused instead.
        policy.remove(slot);
        slotOf.delete(key);
        free.push(slot);
        break;
      }
      policy.remove(victim);
      slotOf.delete(keyOf[victim]!);
      keyOf[victim] = undefined;
      free.push(victim);
    }
  }
  return hits / keys.length;
}
