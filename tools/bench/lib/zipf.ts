/**
 * Seeded random numbers and a Zipf sampler for benchmarks.
 *
 * `mulberry32` (shared with the tests, from `@cache/test-utils/random`) is a tiny 32-bit PRNG.
 * `zipfRanks` draws ranks 0..n-1 with probability proportional to 1 / (rank + 1)^s by inverse
 * CDF over a precomputed cumulative table (binary search per draw).
 */

export { mulberry32 } from '@cache/test-utils/random';

/** `count` ranks in 0..n-1 drawn from a Zipf distribution with exponent `s`. */
export function zipfRanks(n: number, s: number, count: number, random: () => number): Uint32Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s;
    cdf[i] = sum;
  }
  const out = new Uint32Array(count);
  for (let j = 0; j < count; j++) {
    const u = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[j] = lo;
  }
  return out;
}

/** Shuffles an array in place (Fisher-Yates) with the given generator; returns it. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}
