import { describe, expect, it } from 'vitest';
import { S3FifoPolicy } from '../../src/policies/index.js';
import { Harness } from './harness.js';

describe('S3FifoPolicy', () => {
  it('evicts one-hit keys from the small queue and promotes the ones read there', () => {
    // 10 entries: the small queue targets 1
    const h = new Harness(new S3FifoPolicy(10, { seed: 1 }), 10);
    for (let i = 0; i < 10; i++) h.read(`k${i}`);
    h.read('k0'); // k0 is read while in the small queue
    h.read('k10'); // small over target: k0 (read) moves to main, k1 (not read) is evicted
    expect(h.evicted).toEqual(['k1']);
    h.read('k11');
    expect(h.evicted).toEqual(['k1', 'k2']);
  });

  it('sends a key found in the ghost straight to main', () => {
    const h = new Harness(new S3FifoPolicy(4, { seed: 1 }), 4);
    for (const key of ['a', 'b', 'c', 'd', 'e']) h.read(key); // a -> ghost
    expect(h.evicted).toEqual(['a']);
    h.read('a'); // ghost hit: a enters main; small (b..e) is over target, b goes
    expect(h.evicted).toEqual(['a', 'b']);
    h.read('f');
    h.read('g');
    // c, d then go from small; a stays in main
    expect(h.evicted).toEqual(['a', 'b', 'c', 'd']);
    expect(h.has('a')).toBe(true);
  });

  it('gives main entries with uses left another round', () => {
    const h = new Harness(new S3FifoPolicy(3, { seed: 1 }), 3);
    for (const key of ['a', 'b', 'c', 'd']) h.read(key); // a -> ghost
    h.read('a'); // a -> main; b evicted
    h.read('a'); // a: one use in main
    for (const key of ['x', 'y', 'z']) h.read(key);
    expect(h.has('a')).toBe(true);
    expect(h.evicted.slice(0, 2)).toEqual(['a', 'b']);
  });
});
