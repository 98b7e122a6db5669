import { describe, expect, it } from 'vitest';
import { msgpack } from '../src/index.js';

/** Fix-ups a value of each shape needs: one per element. */
const SHAPES: Record<string, (n: number) => unknown> = {
  // The reported case: every Map value is -0.
  'Map values of -0': (n) => new Map(Array.from({ length: n }, (_, i) => [i, -0])),
  // Each member is rewritten (an escaped object), so the Set is rebuilt.
  'Set of null-prototype objects': (n) =>
    new Set(Array.from({ length: n }, (_, i) => Object.assign(Object.create(null) as object, { i }))),
  // Each key is rewritten, so the Map is rebuilt.
  'Map keys that are objects with a __proto__ key': (n) =>
    new Map(Array.from({ length: n }, (_, i) => [JSON.parse(`{"__proto__": ${i}}`) as object, i])),
  'Map values that are Maps of -0': (n) =>
    new Map(Array.from({ length: n / 2 }, (_, i) => [i, new Map([[`k${i}`, -0]])])),
  'an array of -0 inside a Set inside a Map': (n) => new Map([['set', new Set([Array(n).fill(-0)])]]),
};

/** CPU time (user + system, µs) of `run`, the least of `rounds` runs (the least is the least disturbed). */
function cpuTime(run: () => void, rounds = 3): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    best = Math.min(best, used.user + used.system);
  }
  return best;
}

describe('msgpack fix-ups decode in linear time', () => {
  // A value with 100k fix-ups against the same work split into 1,000 values of 100 fix-ups each:
  // a quadratic decoder takes about 1,000 times longer for the large value. A linear one takes a
  // few times longer (up to about 15x here), since V8 allocates and collects a large value that
  // lives through several collections at a higher cost per element than many short-lived small
  // ones; the bound sits between the two.
  const LARGE = 100_000;
  const SMALL = 100;
  const BOUND = 50;

  for (const [name, make] of Object.entries(SHAPES)) {
    it(`${name}: 100k fix-ups cost less than ${BOUND}x 1,000 values of 100`, () => {
      const large = msgpack.serialize(make(LARGE));
      const small = msgpack.serialize(make(SMALL));
      expect(large[0]).toBe(0x01); // the escaped form, with its fix-ups
      // Correct first (and warm): the decoded value is the original (the large one only by size,
      // since deep equality of Sets and Maps of objects is itself quadratic).
      expect(msgpack.deserialize(small)).toStrictEqual(make(SMALL));
      const decoded = msgpack.deserialize(large) as Map<unknown, unknown> | Set<unknown>;
      expect(decoded.size).toBe((make(LARGE) as Map<unknown, unknown> | Set<unknown>).size);
      const baseline = cpuTime(() => {
        for (let i = 0; i < LARGE / SMALL; i++) msgpack.deserialize(small);
      });
      const measured = cpuTime(() => msgpack.deserialize(large));
      expect(measured / baseline).toBeLessThan(BOUND);
    }, 60_000);
  }

  it('applies fix-ups in place: Map order, Set order and -0 everywhere', () => {
    const key = Object.assign(Object.create(null) as object, { k: -0 });
    const value = new Map<unknown, unknown>([
      ['a', -0],
      [key, new Set([1, JSON.parse('{"__proto__": -0}'), 3])],
      ['c', [0, -0, { n: -0 }]],
      [-0, 'zero key'], // a Map key -0 is +0 (Map keys are compared with SameValueZero)
    ]);
    const decoded = msgpack.deserialize(msgpack.serialize(value)) as Map<unknown, unknown>;
    expect(decoded).toStrictEqual(value);
    const [decodedKey, decodedSet] = [...decoded][1] as [Record<string, unknown>, Set<unknown>];
    expect(Object.getPrototypeOf(decodedKey)).toBeNull();
    expect(Object.is(decodedKey.k, -0)).toBe(true);
    const member = [...decodedSet][1] as Record<string, unknown>;
    expect(Object.getPrototypeOf(member)).toBe(Object.prototype);
    expect(Object.hasOwn(member, '__proto__')).toBe(true);
    expect(Object.is(Object.getOwnPropertyDescriptor(member, '__proto__')?.value, -0)).toBe(true);
    expect([...decoded.keys()].map((k) => (typeof k === 'object' ? 'object' : k))).toEqual([
      'a',
      'object',
      'c',
      0,
    ]);
  });
});
