/**
 * Reference hit ratios computed independently of the policies under test: exact LRU (a Map
 * in access order) and Belady's OPT (evict the resident key whose next use is farthest away,
 * never-again first), both over dense key ids. Hit ratio = hits / requests, cold misses
 * included.
 */

/** Exact LRU: a `Map` whose insertion order is the access order. */
export function lruHitRatio(ids: Int32Array, size: number): number {
  const resident = new Map<number, true>();
  let hits = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (resident.delete(id)) hits++;
    else if (resident.size >= size) resident.delete(resident.keys().next().value as number);
    resident.set(id, true);
  }
  return hits / ids.length;
}

/** For each request, the index of the next request of the same key (`length` when none). */
export function nextUses(ids: Int32Array, unique: number): Int32Array {
  const next = new Int32Array(ids.length);
  const last = new Int32Array(unique).fill(ids.length);
  for (let i = ids.length - 1; i >= 0; i--) {
    const id = ids[i]!;
    next[i] = last[id]!;
    last[id] = i;
  }
  return next;
}

/** Belady's OPT with an indexed max-heap of resident ids keyed by their next use. */
export function optHitRatio(ids: Int32Array, next: Int32Array, unique: number, size: number): number {
  const heap = new Int32Array(size + 1);
  const key = new Int32Array(unique); // next use of a resident id
  const pos = new Int32Array(unique).fill(-1);
  let count = 0;
  let hits = 0;
  const up = (start: number): void => {
    let i = start;
    const id = heap[i]!;
    const k = key[id]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (key[parent]! >= k) break;
      heap[i] = parent;
      pos[parent] = i;
      i = p;
    }
    heap[i] = id;
    pos[id] = i;
  };
  const down = (start: number): void => {
    let i = start;
    const id = heap[i]!;
    const k = key[id]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= count) break;
      if (c + 1 < count && key[heap[c + 1]!]! > key[heap[c]!]!) c++;
      const child = heap[c]!;
      if (key[child]! <= k) break;
      heap[i] = child;
      pos[child] = i;
      i = c;
    }
    heap[i] = id;
    pos[id] = i;
  };
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const p = pos[id]!;
    if (p !== -1) {
      hits++;
      key[id] = next[i]!; // later than before: moves towards the root
      up(p);
      continue;
    }
    if (count >= size) {
      // Bypass: a key used later than every resident is not worth caching.
      if (next[i]! >= key[heap[0]!]!) continue;
      const evicted = heap[0]!;
      pos[evicted] = -1;
      heap[0] = heap[--count]!;
      if (count > 0) down(0);
    }
    key[id] = next[i]!;
    heap[count] = id;
    pos[id] = count++;
    up(count - 1);
  }
  return hits / ids.length;
}
