import { describe, expect, it } from 'vitest';
import { FrequencySketch } from '../../src/policies/frequency-sketch.js';
import { MiniWindowCache } from '../../src/policies/mini-window-cache.js';
import { TinyLfuPolicy } from '../../src/policies/tinylfu.js';
import { WINDOW_SHARES, WindowTuner } from '../../src/policies/window-tuner.js';
import { Harness } from './harness.js';

/** A deterministic pseudo-random sequence in [0, 1) (LCG). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

/**
 * A recency-biased stream: 30% of requests (and the first `recent`) are new keys, the rest
 * pick uniformly among the `recent` newest keys. Frequency says little here; recency all.
 */
function recencyStream(requests: number, recent: number, seed: number): string[] {
  const random = lcg(seed);
  const keys: string[] = [];
  let next = 0;
  for (let i = 0; i < requests; i++) {
    if (next < recent || random() < 0.3) keys.push(`k${next++}`);
    else keys.push(`k${next - 1 - Math.floor(random() * recent)}`);
  }
  return keys;
}

/** Hits of an exact LRU of `capacity` entries. */
function lruHits(hashes: readonly number[], capacity: number): number {
  const resident = new Map<number, true>();
  let hits = 0;
  for (const hash of hashes) {
    if (resident.delete(hash)) hits++;
    else if (resident.size >= capacity) resident.delete(resident.keys().next().value as number);
    resident.set(hash, true);
  }
  return hits;
}

describe('MiniWindowCache', () => {
  it('with no window admits by frequency: a loop of 5 keys over 3 entries keeps the first 3', () => {
    const sketch = new FrequencySketch(3);
    const mini = new MiniWindowCache(3, 0, sketch);
    const hitKeys: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (let hash = 1; hash <= 5; hash++) {
        sketch.increment(hash);
        const before = mini.hits;
        mini.record(hash);
        if (mini.hits > before) hitKeys.push(hash);
      }
    }
    expect(hitKeys).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
    expect(mini.hits).toBe(9);
  });

  it('with the whole cache as window is exactly LRU', () => {
    const random = lcg(11);
    const hashes = Array.from({ length: 5000 }, () => 1 + Math.floor(random() * 300));
    const sketch = new FrequencySketch(50);
    const mini = new MiniWindowCache(50, 1, sketch);
    for (const hash of hashes) {
      sketch.increment(hash);
      mini.record(hash);
    }
    expect(mini.hits).toBe(lruHits(hashes, 50));
  });

  it('forgets every key on clear', () => {
    const sketch = new FrequencySketch(4);
    const mini = new MiniWindowCache(4, 0.25, sketch);
    mini.record(7);
    mini.clear();
    mini.record(7);
    expect(mini.hits).toBe(0);
  });
});

describe('WindowTuner', () => {
  const feed = (tuner: WindowTuner, sketch: FrequencySketch, hashes: Iterable<number>): void => {
    for (const hash of hashes) {
      sketch.increment(hash);
      tuner.record(hash);
    }
  };

  it('keeps the 1% window on a pure scan (no miniature hits, so nothing to prefer)', () => {
    const sketch = new FrequencySketch(100);
    const tuner = new WindowTuner(100, sketch);
    feed(
      tuner,
      sketch,
      Array.from({ length: 20_000 }, (_, i) => i + 1),
    );
    expect(tuner.epochs).toBe(200);
    expect(tuner.target).toBe(0.01);
  });

  it('keeps the 1% window on a loop larger than the cache, where frequency wins', () => {
    const sketch = new FrequencySketch(100);
    const tuner = new WindowTuner(100, sketch);
    const loop: number[] = [];
    for (let round = 0; round < 100; round++) for (let key = 1; key <= 150; key++) loop.push(key);
    feed(tuner, sketch, loop);
    expect(tuner.epochs).toBe(150);
    expect(tuner.target).toBe(0.01);
  });

  it('moves to the largest window on a recency-biased stream', () => {
    const sketch = new FrequencySketch(100);
    const tuner = new WindowTuner(100, sketch);
    const hashes = recencyStream(6000, 90, 1).map((key) => Number(key.slice(1)) + 1);
    feed(tuner, sketch, hashes);
    expect(tuner.target).toBe(WINDOW_SHARES[WINDOW_SHARES.length - 1]);
    expect(tuner.target).toBe(0.8);
  });
});

describe('TinyLfuPolicy window tuning', () => {
  it('grows the window to 80% of the entries on a recency-biased stream', () => {
    const h = new Harness(new TinyLfuPolicy(100, { seed: 1 }), 100);
    const policy = h.policy as TinyLfuPolicy;
    expect(policy.windowMaximum).toBe(1);
    for (const key of recencyStream(6000, 90, 1)) h.read(key);
    expect(policy.windowMaximum).toBe(80);
    expect(h.size).toBe(100);
  });

  it('does the same through sampled miniatures when the cache is larger than they are', () => {
    // 4,096 entries: one key in 8 feeds six miniatures of 512 entries
    const h = new Harness(new TinyLfuPolicy(4096, { seed: 1 }), 4096);
    const policy = h.policy as TinyLfuPolicy;
    expect(policy.windowMaximum).toBe(41);
    for (const key of recencyStream(4096 * 40, 3686, 1)) h.read(key);
    expect(policy.windowMaximum).toBe(3277);
    expect(h.size).toBe(4096);
  });

  it('never leaves the 1% window on a loop larger than the cache', () => {
    const h = new Harness(new TinyLfuPolicy(100, { seed: 2 }), 100);
    const policy = h.policy as TinyLfuPolicy;
    let largest = 0;
    let hits = 0;
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 150; i++) {
        if (h.read(`k${i}`)) hits++;
        largest = Math.max(largest, policy.windowMaximum);
      }
    }
    expect(largest).toBe(1);
    // LRU gets 0 here; W-TinyLFU keeps a stable part of the loop (9,349 hits of 15,000)
    expect(hits).toBe(9349);
  });
});
