import { CacheConfigError } from '@cache/core';
import { describe, expect, it } from 'vitest';
import {
  createPolicy,
  DEFAULT_POLICY,
  type PolicyName,
  PolicyName as Names,
} from '../../src/policies/index.js';
import { Harness } from './harness.js';

const names = Object.values(Names) as PolicyName[];

describe('createPolicy', () => {
  it.each(names)('makes %s', (name) => {
    expect(createPolicy(name, 100).name).toBe(name);
    expect(createPolicy(name, 0).name).toBe(name);
    expect(createPolicy(name, Number.POSITIVE_INFINITY).name).toBe(name);
  });

  it('throws CacheConfigError for an unknown name or a bad hint', () => {
    expect(() => createPolicy('arc' as PolicyName, 10)).toThrow(CacheConfigError);
    try {
      createPolicy('arc' as PolicyName, 10);
    } catch (error) {
      expect((error as CacheConfigError).code).toBe('CACHE_CONFIG');
    }
    expect(() => createPolicy('lru', -1)).toThrow(CacheConfigError);
    expect(() => createPolicy('lru', Number.NaN)).toThrow(CacheConfigError);
  });

  it('defaults to W-TinyLFU', () => {
    expect(DEFAULT_POLICY).toBe('tinylfu');
  });
});

/** A deterministic pseudo-random sequence (LCG). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

describe.each(names.filter((name) => name !== 'none'))('%s under random operations', (name) => {
  it.each([0, 8])('always names a live slot (hint %i)', (hint) => {
    const random = lcg(42);
    const h = new Harness(createPolicy(name, hint), 8);
    for (let i = 0; i < 5000; i++) {
      const key = `k${Math.floor(random() * 40)}`;
      const op = random();
      if (op < 0.1) h.delete(key);
      else if (op < 0.15 && h.has(key))
        h.policy.update(h.slot(key)!, random() < 0.5 ? 1000 * random() : Infinity);
      else h.read(key);
      expect(h.size).toBeLessThanOrEqual(8);
    }
    // every eviction named a key that was present (the harness would have thrown otherwise)
    expect(h.evicted.length).toBeGreaterThan(100);
    // drain: the policy names each remaining slot exactly once
    const seen = new Set<number>();
    while (h.size > 0) {
      const victim = h.policy.victim();
      expect(victim).toBeGreaterThanOrEqual(0);
      expect(seen.has(victim)).toBe(false);
      seen.add(victim);
      const key = h.keyAt(victim);
      expect(key).toBeDefined();
      h.delete(key!);
    }
    expect(h.policy.victim()).toBe(-1);
  });
});
