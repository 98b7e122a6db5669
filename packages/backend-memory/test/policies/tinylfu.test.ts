import { describe, expect, it } from 'vitest';
import { LruPolicy, TinyLfuPolicy } from '../../src/policies/index.js';
import { hashString } from '../../src/policies/hash.js';
import { Harness } from './harness.js';

/** The first of `name`, `name1`, `name2`, ... that seed 1's 1-in-4 tuner sample leaves out. */
function unsampled(name: string): string {
  for (let i = 0; ; i++) {
    const key = i === 0 ? name : `${name}${i}`;
    if ((hashString(key, 1) & 3) !== 0) return key;
  }
}

describe('TinyLfuPolicy', () => {
  it('rejects a window candidate no more frequent than the probation victim', () => {
    const h = new Harness(new TinyLfuPolicy(3, { seed: 1 }), 3);
    for (const key of ['a', 'b', 'c', 'd']) h.read(key);
    // window limit is 1: a, b, c move to probation; candidate c ties with victim a and loses
    expect(h.evicted).toEqual(['c']);
    expect(['a', 'b', 'd'].every((key) => h.has(key))).toBe(true);
  });

  it('admits a candidate more frequent than the victim, evicting the victim', () => {
    const h = new Harness(new TinyLfuPolicy(3, { seed: 1 }), 3);
    for (const key of ['a', 'b', 'c', 'd']) h.read(key); // c loses its duel with a (1 vs 1)
    // three hits while 'd' is in the window: its frequency is 4, and it was read
    for (let i = 0; i < 3; i++) expect(h.read('d')).toBe(true);
    // d was read (a second chance), but e is the newest entry, which exact LRU keeps: d leaves
    // the window as the candidate, and d (4) beats a (1). The entry just written stays.
    h.read('e');
    expect(h.evicted).toEqual(['c', 'a']);
    expect(h.has('e')).toBe(true);
    h.read('f'); // e leaves the window and ties with b (1 vs 1): it loses
    expect(h.evicted).toEqual(['c', 'a', 'e']);
    expect(h.has('d')).toBe(true);
    expect(h.has('f')).toBe(true);
  });

  it('counts a missed key once, through its insert (as Caffeine does: the miss itself is not seen)', () => {
    const h = new Harness(new TinyLfuPolicy(3, { seed: 1 }), 3);
    for (const key of ['a', 'b', 'c']) h.read(key);
    h.read('d'); // counted once: c loses to a
    h.read('e'); // d (1) ties with a (1) and loses
    expect(h.evicted).toEqual(['c', 'd']);
  });

  it('hands the hits counted in an entry to the sketch when the entry leaves', () => {
    // With 1-entry miniatures, 1 key in 4 is sampled (counted in the sketch at once); the keys
    // here are not, so their hits are counted in their entries until they leave.
    const h = new Harness(new TinyLfuPolicy(3, { seed: 1, miniEntries: 1 }), 3);
    const [v, a, b, y, z, d, e] = ['v', 'a', 'b', 'y', 'z', 'd', 'e'].map(unsampled);
    // v: 3, read; y is the newest: v leaves the window and beats a (3 vs 1)
    for (const key of [v, v, v, a, b, y]) h.read(key!);
    expect(h.evicted).toEqual([a]);
    h.read(z!); // y leaves the window and ties with b (1 vs 1): it loses
    h.read(b!); // b is read in probation: promoted to protected by the next eviction
    h.read(d!); // z loses to v, now probation's only entry
    expect(h.evicted).toEqual([a, y, z]);
    for (let i = 0; i < 4; i++) expect(h.read(d!)).toBe(true); // d: 5, counted in its entry
    h.delete(d!); // the sketch now holds d's 5
    h.read(d!); // 6
    h.read(e!); // d leaves the window: 6 beats v's 3 (without the hand-over: 1, and d would lose)
    expect(h.evicted).toEqual([a, y, z, v]);
    expect(h.has(d!)).toBe(true);
  });

  it('halves the hits counted in entries when the sketch halves its counters', () => {
    // 3 entries: the sketch halves every 30 counted requests
    const h = new Harness(new TinyLfuPolicy(3, { seed: 1, miniEntries: 1 }), 3);
    const [v, a, b, y, z, c, x, w] = ['v', 'a', 'b', 'y', 'z', 'c', 'x', 'w'].map(unsampled);
    for (let i = 0; i < 15; i++) h.read(v!); // v: 15 (counted in its entry)
    for (const key of [a, b, y, z, b, c]) h.read(key!); // as above: v ends alone in probation
    expect(h.evicted).toEqual([a, y, z]);
    for (let i = 0; i < 9; i++) expect(h.read(b!)).toBe(true); // the 30th request: v 15 -> 7, c 1 -> 0
    for (let i = 0; i < 8; i++) expect(h.read(c!)).toBe(true); // c: 8, read
    h.read(x!); // x is the newest: c leaves the window, and 8 beats v's 7 (unaged, v would have 15)
    expect(h.evicted).toEqual([a, y, z, v]);
    h.read(w!); // x leaves the window and loses to c
    expect(h.evicted).toEqual([a, y, z, v, x]);
    expect(h.has(c!)).toBe(true);
  });

  it('names the victim directly from the protected segment and the window when probation is empty', () => {
    const p = new TinyLfuPolicy(2, { seed: 1 });
    p.grow(4);
    p.insert(0, 'a', Infinity);
    p.insert(1, 'b', Infinity);
    p.insert(2, 'c', Infinity);
    const victim = p.victim();
    expect([0, 1]).toContain(victim);
    p.remove(victim);
    expect(p.victim()).not.toBe(-1);
  });

  it('keeps a frequent key through a scan of one-time keys (where LRU loses it)', () => {
    const scan = (h: Harness): number => {
      let hotHits = 0;
      for (let i = 0; i < 20; i++) h.read('hot');
      for (let i = 0; i < 2000; i++) {
        h.read(`scan-${i}`);
        if (i % 20 === 19 && h.read('hot')) hotHits++;
      }
      return hotHits;
    };
    const tinylfu = new Harness(new TinyLfuPolicy(10, { seed: 7 }), 10);
    expect(scan(tinylfu)).toBe(100);
    expect(tinylfu.size).toBe(10);
    expect(scan(new Harness(new LruPolicy(), 10))).toBe(0);
  });

  it('beats LRU on a loop larger than the cache', () => {
    const h = new Harness(new TinyLfuPolicy(50, { seed: 3 }), 50);
    let hits = 0;
    for (let round = 0; round < 100; round++) for (let i = 0; i < 100; i++) if (h.read(`k${i}`)) hits++;
    // LRU gets 0 here; the frequency filter keeps a stable part of the loop
    expect(hits).toBeGreaterThan(2000);
  });

  it('sizes itself from the entries it holds when no capacity hint is given', () => {
    const h = new Harness(new TinyLfuPolicy(0, { seed: 5 }), 20);
    let hotHits = 0;
    for (let i = 0; i < 20; i++) h.read('hot');
    for (let i = 0; i < 2000; i++) {
      h.read(`scan-${i}`);
      if (i % 40 === 39 && h.read('hot')) hotHits++;
    }
    expect(hotHits).toBeGreaterThanOrEqual(45);
    expect(hotHits).toBeLessThanOrEqual(50);
    expect(h.size).toBe(20);
  });

  it('forgets everything on clear', () => {
    const p = new TinyLfuPolicy(4, { seed: 1 });
    p.grow(4);
    p.insert(0, 'a', Infinity);
    p.clear();
    expect(p.victim()).toBe(-1);
  });
});
