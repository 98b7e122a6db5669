/**
 * String hashing for the frequency-based policies (internal).
 *
 * {@link hashString} reads every UTF-16 code unit, two per step (one 32-bit word), into a
 * multiply-xorshift state started from a per-instance seed and the length, then finishes with
 * MurmurHash3's avalanche (`fmix32`), so every output bit depends on every input bit and the
 * low bits can index tables directly. Reading every character matters: keys that differ in
 * one position (`user:1234:a` / `user:1235:a`) must not collide by construction. The seed
 * makes collisions differ from one instance to the next for ordinary keys; it is not a keyed
 * PRF, so the defence against deliberate flooding is W-TinyLFU's random admission (as in
 * Caffeine, whose `String.hashCode` has no seed at all).
 */

/** Hashes `key` to an unsigned 32-bit integer; the same `seed` gives the same hash. */
export function hashString(key: string, seed: number): number {
  const length = key.length;
  let h = seed ^ Math.imul(length, 0x9e3779b1);
  let i = 0;
  for (; i + 1 < length; i += 2) {
    h = Math.imul(h ^ (key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16)), 0x2c1b3c6d);
    h ^= h >>> 15;
  }
  if (i < length) {
    h = Math.imul(h ^ key.charCodeAt(i), 0x2c1b3c6d);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
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
