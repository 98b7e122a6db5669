/**
 * A seeded generator of floats in [0, 1) (mulberry32: a tiny 32-bit PRNG, fully reproducible),
 * for tests and benchmarks whose random inputs must repeat from one run to the next.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
