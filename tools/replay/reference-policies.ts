/**
 * Reference simulators of every eviction policy of `MemoryCache`, written from the algorithms'
 * descriptions and sharing no code with the package: plain Maps, Sets and objects, no typed
 * arrays, no hashing, no slot bookkeeping. The replay compares the package's hit ratio with
 * these on every trace and size (see run.ts).
 *
 * Protocol (the traces README's): every request is a read; a hit counts, a miss inserts the key.
 * As in `MemoryCache`, every policy but W-TinyLFU picks its victim among the resident keys
 * *before* inserting the newcomer (SIEVE and S3-FIFO as published); W-TinyLFU inserts into its
 * window, then evicts.
 *
 * What is expected to match:
 * - `lru`, `fifo`, `ttl` (FIFO when nothing has a TTL), `sieve`, `lfu`, `none`: exactly, the
 *   same decisions with the same tie-breaking (LFU: least frequent, then the one that reached
 *   its count first; counts halved, rounding up, every `10 x max(entries, 16)` hits, merged
 *   counts keep the lower original count first).
 * - `s3fifo`: the package's ghost is a lossy hash table (two cells per 32-bit hash, the older
 *   overwritten), this one an exact FIFO of keys; otherwise the same queues and counters. Close,
 *   not equal.
 * - `tinylfu`: this is textbook W-TinyLFU (Einziger, Friedman & Manes) with a fixed 1% LRU
 *   window, an exact segmented LRU (80% protected) and exact counts capped at 15, halved every
 *   `10 x entries` counted requests. The package sizes its window by miniature simulations,
 *   keeps recency CLOCK-style, counts in a 4-bit count-min sketch and admits warm losers with
 *   probability 1/128; it should be at least as good, not equal.
 */

/** Hits / requests of the named policy replaying `ids` with at most `size` entries. */
export function referenceHitRatio(policy: string, ids: Int32Array, size: number): number {
  switch (policy) {
    case 'lru':
      return lru(ids, size);
    case 'fifo':
    case 'ttl':
      return fifo(ids, size);
    case 'none':
      return none(ids, size);
    case 'sieve':
      return sieve(ids, size);
    case 'lfu':
      return lfu(ids, size);
    case 's3fifo':
      return s3fifo(ids, size);
    case 'tinylfu':
      return tinylfu(ids, size);
    default:
      throw new Error(`no reference for policy ${policy}`);
  }
}

/** A Map in access order: the first key is the least recent. */
function lru(ids: Int32Array, size: number): number {
  const resident = new Map<number, true>();
  let hits = 0;
  for (const id of ids) {
    if (resident.delete(id)) hits++;
    else if (resident.size >= size) resident.delete(firstKey(resident));
    resident.set(id, true);
  }
  return hits / ids.length;
}

/** A Map in insertion order; hits change nothing. */
function fifo(ids: Int32Array, size: number): number {
  const resident = new Map<number, true>();
  let hits = 0;
  for (const id of ids) {
    if (resident.has(id)) hits++;
    else {
      if (resident.size >= size) resident.delete(firstKey(resident));
      resident.set(id, true);
    }
  }
  return hits / ids.length;
}

/** Fills once, then refuses new keys. */
function none(ids: Int32Array, size: number): number {
  const resident = new Set<number>();
  let hits = 0;
  for (const id of ids) {
    if (resident.has(id)) hits++;
    else if (resident.size < size) resident.add(id);
  }
  return hits / ids.length;
}

interface SieveNode {
  id: number;
  visited: boolean;
  /** Towards the head (newer). */
  prev: SieveNode | null;
  /** Towards the tail (older). */
  next: SieveNode | null;
}

/**
 * SIEVE as published (Zhang et al., NSDI'24, Figure 2): a FIFO queue, new objects at the head;
 * a hit sets the object's visited bit; to evict, the hand (starting at the tail) moves towards
 * the head, clearing visited bits, wrapping to the tail, and evicts the first unvisited object;
 * the hand stays at that object's newer neighbour. Eviction happens before insertion.
 */
function sieve(ids: Int32Array, size: number): number {
  const nodes = new Map<number, SieveNode>();
  let head: SieveNode | null = null;
  let tail: SieveNode | null = null;
  let hand: SieveNode | null = null;
  let hits = 0;
  const unlink = (node: SieveNode): void => {
    if (node.prev) node.prev.next = node.next;
    else head = node.next;
    if (node.next) node.next.prev = node.prev;
    else tail = node.prev;
  };
  for (const id of ids) {
    const found = nodes.get(id);
    if (found) {
      hits++;
      found.visited = true;
      continue;
    }
    if (nodes.size >= size) {
      let o = (hand ?? tail) as SieveNode;
      while (o.visited) {
        o.visited = false;
        o = o.prev ?? (tail as SieveNode);
      }
      hand = o.prev;
      unlink(o);
      nodes.delete(o.id);
    }
    const node: SieveNode = { id, visited: false, prev: null, next: head };
    if (head) head.prev = node;
    head = node;
    if (!tail) tail = node;
    nodes.set(id, node);
  }
  return hits / ids.length;
}

/**
 * LFU with aging: buckets of keys by use count (a Set per count, in the order keys reached it);
 * the victim is the first key of the lowest count. Every `10 x max(entries, 16)` hits, each count
 * is halved rounding up, and buckets that meet are merged lower original count first.
 */
function lfu(ids: Int32Array, size: number): number {
  const count = new Map<number, number>();
  let buckets = new Map<number, Set<number>>();
  let uses = 0;
  let hits = 0;
  const put = (id: number, c: number): void => {
    count.set(id, c);
    let bucket = buckets.get(c);
    if (!bucket) buckets.set(c, (bucket = new Set()));
    bucket.add(id);
  };
  const take = (id: number): void => {
    const c = count.get(id) as number;
    const bucket = buckets.get(c) as Set<number>;
    bucket.delete(id);
    if (bucket.size === 0) buckets.delete(c);
    count.delete(id);
  };
  for (const id of ids) {
    const c = count.get(id);
    if (c !== undefined) {
      hits++;
      take(id);
      put(id, c + 1);
      if (++uses >= 10 * Math.max(count.size, 16)) {
        uses = 0;
        const old = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
        buckets = new Map();
        count.clear();
        for (const [oldCount, members] of old)
          for (const member of members) put(member, Math.ceil(oldCount / 2));
      }
      continue;
    }
    if (count.size >= size) {
      let lowest = Number.POSITIVE_INFINITY;
      for (const k of buckets.keys()) if (k < lowest) lowest = k;
      take(firstKey(buckets.get(lowest) as Set<number>));
    }
    put(id, 1);
  }
  return hits / ids.length;
}

/**
 * S3-FIFO (Yang et al., SOSP'23) in the variant the package implements: a small FIFO (10% of the
 * entries, at least 1) and a main FIFO, a 2-bit use counter per key, and a ghost FIFO of the keys
 * evicted from small (as many as main holds). A miss found in the ghost goes to main, others to
 * small. To evict (before the insert): while small holds at least its share (or main is empty),
 * small's oldest key moves to main if it was used (its counter reset) or is evicted into the
 * ghost; otherwise main's oldest key is reinserted with one use less while it has uses, or evicted.
 */
function s3fifo(ids: Int32Array, size: number): number {
  const smallTarget = Math.max(1, Math.round(size * 0.1));
  const ghostSize = Math.max(1, size - smallTarget);
  const small = new Map<number, true>();
  const main = new Map<number, true>();
  const ghost = new Map<number, true>();
  const freq = new Map<number, number>();
  let hits = 0;
  for (const id of ids) {
    const f = freq.get(id);
    if (f !== undefined) {
      hits++;
      freq.set(id, Math.min(3, f + 1));
      continue;
    }
    if (small.size + main.size >= size) {
      for (;;) {
        if (small.size > 0 && (small.size >= smallTarget || main.size === 0)) {
          const oldest = firstKey(small);
          small.delete(oldest);
          if ((freq.get(oldest) as number) > 0) {
            freq.set(oldest, 0);
            main.set(oldest, true);
            continue;
          }
          freq.delete(oldest);
          ghost.delete(oldest);
          ghost.set(oldest, true);
          if (ghost.size > ghostSize) ghost.delete(firstKey(ghost));
          break;
        }
        const oldest = firstKey(main);
        main.delete(oldest);
        const uses = freq.get(oldest) as number;
        if (uses > 0) {
          freq.set(oldest, uses - 1);
          main.set(oldest, true);
          continue;
        }
        freq.delete(oldest);
        break;
      }
    }
    freq.set(id, 0);
    if (ghost.delete(id)) main.set(id, true);
    else small.set(id, true);
  }
  return hits / ids.length;
}

/**
 * Textbook W-TinyLFU: an LRU window of 1% of the entries (at least 1), a main space split into
 * probation and protected (80%) LRUs. A new key enters the window; the window's least recent
 * key overflows to probation as a candidate and duels probation's least recent key: the less
 * frequent one leaves (the candidate on a tie). A hit in probation moves the key to protected,
 * whose overflow goes back to probation. Frequencies: exact counts of inserts and hits per key,
 * capped at 15, all halved every `10 x entries` counted requests.
 */
function tinylfu(ids: Int32Array, size: number): number {
  const windowMax = Math.max(1, size - Math.floor(0.99 * size));
  const protectedMax = Math.floor(0.8 * (size - windowMax));
  const window = new Map<number, true>();
  const probation = new Map<number, true>();
  const protect = new Map<number, true>();
  let frequency = new Map<number, number>();
  let counted = 0;
  let hits = 0;
  const count = (id: number): void => {
    frequency.set(id, Math.min(15, (frequency.get(id) ?? 0) + 1));
    if (++counted >= 10 * size) {
      counted = 0;
      const halved = new Map<number, number>();
      for (const [key, f] of frequency) if (f >>> 1 > 0) halved.set(key, f >>> 1);
      frequency = halved;
    }
  };
  for (const id of ids) {
    if (window.delete(id)) {
      hits++;
      window.set(id, true);
      count(id);
      continue;
    }
    if (protect.delete(id)) {
      hits++;
      protect.set(id, true);
      count(id);
      continue;
    }
    if (probation.delete(id)) {
      hits++;
      protect.set(id, true);
      if (protect.size > protectedMax) {
        const demoted = firstKey(protect);
        protect.delete(demoted);
        probation.set(demoted, true);
      }
      count(id);
      continue;
    }
    count(id);
    window.set(id, true);
    if (window.size > windowMax) {
      const candidate = firstKey(window);
      window.delete(candidate);
      if (window.size + probation.size + protect.size < size) probation.set(candidate, true);
      else {
        const victim = probation.size > 0 ? firstKey(probation) : firstKey(protect);
        const admit = (frequency.get(candidate) ?? 0) > (frequency.get(victim) ?? 0);
        if (admit) {
          if (!probation.delete(victim)) protect.delete(victim);
          probation.set(candidate, true);
        }
      }
    }
  }
  return hits / ids.length;
}

function firstKey<K>(collection: Map<K, unknown> | Set<K>): K {
  return collection.keys().next().value as K;
}
