import { describe, expect, it } from 'vitest';
import {
  FifoPolicy,
  LfuPolicy,
  LruPolicy,
  NonePolicy,
  SievePolicy,
  TtlPolicy,
} from '../../src/policies/index.js';
import { Harness } from './harness.js';

describe('LruPolicy', () => {
  it('evicts the least recently read or written slot', () => {
    const p = new LruPolicy();
    p.grow(4);
    p.insert(0, 'a', Infinity);
    p.insert(1, 'b', Infinity);
    p.insert(2, 'c', Infinity);
    p.access(0);
    expect(p.victim()).toBe(1);
    p.remove(1);
    expect(p.victim()).toBe(2);
    p.update(2, Infinity);
    expect(p.victim()).toBe(0);
    p.clear();
    expect(p.victim()).toBe(-1);
  });

  it('keeps the recently read keys in a small cache', () => {
    const h = new Harness(new LruPolicy(), 2);
    for (const key of ['a', 'b', 'a', 'c', 'b', 'a']) h.read(key);
    expect(h.evicted).toEqual(['b', 'a', 'c']);
  });
});

describe('FifoPolicy', () => {
  it('evicts in insertion order whatever is read', () => {
    const p = new FifoPolicy();
    p.grow(4);
    p.insert(0, 'a', Infinity);
    p.insert(1, 'b', Infinity);
    p.insert(2, 'c', Infinity);
    p.access(0);
    p.update(0, Infinity);
    expect(p.victim()).toBe(0);
    p.remove(0);
    expect(p.victim()).toBe(1);
  });
});

describe('LfuPolicy', () => {
  it('evicts the least frequently used slot, the least recent among equals', () => {
    const p = new LfuPolicy();
    p.grow(8);
    p.insert(0, 'a', Infinity);
    p.insert(1, 'b', Infinity);
    p.insert(2, 'c', Infinity);
    p.access(0);
    p.access(0);
    p.access(2);
    expect(p.victim()).toBe(1);
    p.remove(1);
    expect(p.victim()).toBe(2);
    p.insert(3, 'd', Infinity);
    expect(p.victim()).toBe(3); // a new entry has the lowest count
    p.access(3);
    expect(p.victim()).toBe(2); // c and d have 2 uses; c's last use is older
    p.remove(2);
    p.remove(3);
    expect(p.victim()).toBe(0);
  });

  it('ages counts so that old popularity fades', () => {
    const h = new Harness(new LfuPolicy(), 2);
    h.read('old');
    for (let i = 0; i < 100; i++) h.read('old'); // count 101
    // 16 entries' worth of epochs: each epoch (160 uses) halves the counts
    for (let i = 0; i < 2000; i++) h.read('new');
    h.read('x'); // evicts the lower of old/new: old was halved far below new
    expect(h.evicted).toEqual(['old']);
  });
});

describe('TtlPolicy', () => {
  it('evicts the entry that expires soonest, entries without TTL last and oldest first', () => {
    const p = new TtlPolicy();
    p.grow(8);
    p.insert(0, 'a', 300);
    p.insert(1, 'b', 100);
    p.insert(2, 'c', Infinity);
    p.insert(3, 'd', 200);
    p.insert(4, 'e', Infinity);
    expect(p.victim()).toBe(1);
    p.remove(1);
    expect(p.victim()).toBe(3);
    p.update(4, 50);
    expect(p.victim()).toBe(4);
    p.remove(4);
    p.remove(3);
    expect(p.victim()).toBe(0);
    p.remove(0);
    expect(p.victim()).toBe(2);
    p.remove(2);
    expect(p.victim()).toBe(-1);
  });
});

describe('SievePolicy', () => {
  it('walks the hand from the oldest entry, sparing visited ones once', () => {
    const p = new SievePolicy();
    p.grow(8);
    for (let slot = 0; slot < 4; slot++) p.insert(slot, `k${slot}`, Infinity);
    p.access(0);
    p.access(2);
    expect(p.victim()).toBe(1); // 0 visited: spared and cleared
    p.remove(1);
    p.insert(4, 'k4', Infinity);
    expect(p.victim()).toBe(3); // hand resumes at 2 (visited), then 3
    p.remove(3);
    expect(p.victim()).toBe(4); // hand at 4, unvisited
    p.remove(4);
    expect(p.victim()).toBe(0); // wraps to the oldest; 0's bit was cleared
  });
});

describe('NonePolicy', () => {
  it('never names a victim', () => {
    const h = new Harness(new NonePolicy(), 2);
    for (const key of ['a', 'b', 'c']) h.read(key);
    expect(h.evicted).toEqual([]);
    expect(h.has('c')).toBe(false);
    expect(h.size).toBe(2);
  });
});
