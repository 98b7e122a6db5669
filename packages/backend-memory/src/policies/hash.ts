/**
 * String hashing for the frequency-based policies (internal): 32-bit FNV-1a over UTF-16 code
 * units, started from a per-instance seed so that an attacker cannot precompute colliding keys.
 */

/** Hashes `key` to an unsigned 32-bit integer; the same `seed` gives the same hash. */
export function hashString(key: string, seed: number): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** A random 32-bit seed (per policy instance). */
export function randomSeed(): number {
  return (Math.random() * 0x1_0000_0000) >>> 0;
}

/** One step of xorshift32; `state` must be non-zero. Returns the next state. */
export function xorshift32(state: number): number {
  let x = state;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}
