/** Key choice of `bench`: uniform, or Zipf (a few keys hot, a long tail cold), from a seedable generator. */

/** A 32-bit generator (mulberry32): numbers in `[0, 1)`. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Picks key indexes in `[0, n)`: uniformly, or by Zipf's law with exponent `s` (index `i` with
 * weight `1 / (i + 1)^s`), by binary search in the cumulative weights.
 */
export function keyPicker(
  n: number,
  dist: 'uniform' | 'zipf',
  s: number,
  random: () => number,
): () => number {
  if (dist === 'uniform') return () => Math.floor(random() * n);
  const cdf = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cdf[i] = total += 1 / (i + 1) ** s;
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
