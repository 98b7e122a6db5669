// The fleet tests' checker on small hand-made histories: what it accepts and what it rejects, so
// that a fleet test that passes has passed something.
import { describe, expect, it } from 'vitest';
import { checkHistory, describeViolation, type Op, type ReadOp, type WriteOp } from './support/checker.js';

const w = (
  instance: number,
  key: string,
  value: unknown,
  start: number,
  end: number,
  ok = true,
): WriteOp => ({
  kind: 'write',
  instance,
  key,
  value,
  start,
  end,
  ...(ok ? {} : { ok: false }),
});
const r = (instance: number, key: string, value: unknown, start: number, end: number): ReadOp => ({
  kind: 'read',
  instance,
  key,
  value,
  start,
  end,
});

describe('checkHistory accepts', () => {
  it('a miss before any write, a read of the last completed write, and a read of a write in flight', () => {
    const history: Op[] = [
      r(0, 'k', undefined, 0, 1),
      w(0, 'k', 'a', 2, 3),
      r(1, 'k', 'a', 4, 5),
      w(1, 'k', 'b', 6, 10),
      r(2, 'k', 'b', 7, 8), // b is being written: it may show
      r(2, 'k', 'a', 8, 9), // ...and so may a
      r(0, 'k', 'b', 11, 12),
    ];
    expect(checkHistory(history, 0)).toEqual({
      reads: 5,
      writes: 2,
      staleReads: 0,
      maxStaleness: 0,
      violations: [],
    });
  });

  it('either of two overlapping writes, after both completed', () => {
    const history = [
      w(0, 'k', 'a', 0, 10),
      w(1, 'k', 'b', 5, 8),
      r(2, 'k', 'a', 20, 21),
      r(2, 'k', 'b', 22, 23),
    ];
    expect(checkHistory(history, 0).violations).toEqual([]);
  });

  it('a value replaced by a write that completed up to the bound before the read started, counted as stale', () => {
    const history = [w(0, 'k', 'a', 0, 1), w(1, 'k', 'b', 2, 3), r(2, 'k', 'a', 8, 9), r(2, 'k', 'a', 4, 5)];
    expect(checkHistory(history, 5)).toEqual({
      reads: 2,
      writes: 2,
      staleReads: 2,
      maxStaleness: 5,
      violations: [],
    });
  });

  it('a read of a write that rejected, which supersedes nothing', () => {
    const history = [
      w(0, 'k', 'a', 0, 1),
      w(1, 'k', 'b', 2, 3, false),
      r(2, 'k', 'b', 4, 5),
      r(2, 'k', 'a', 100, 101),
    ];
    expect(checkHistory(history, 0).violations).toEqual([]);
  });

  it('a miss explained by any of several deletes', () => {
    const history = [
      w(0, 'k', undefined, 0, 1),
      w(0, 'k', 'a', 2, 3),
      w(1, 'k', undefined, 4, 5),
      r(2, 'k', undefined, 6, 7),
    ];
    expect(checkHistory(history, 0).violations).toEqual([]);
  });

  it('a bound per superseding write', () => {
    // b's message was lost (bound 50); c's was delivered (bound 0) but c wrote another key.
    const history = [
      w(0, 'k', 'a', 0, 1),
      w(1, 'k', 'b', 2, 3),
      w(1, 'j', 'c', 4, 5),
      r(2, 'k', 'a', 53, 54),
      r(2, 'j', 'c', 60, 61),
    ];
    const result = checkHistory(history, (write) => (write.value === 'b' ? 50 : 0));
    expect(result.violations).toEqual([]);
    expect(result.maxStaleness).toBe(50);
  });
});

describe('checkHistory rejects', () => {
  it('a value nobody wrote, and a value whose write started after the read ended', () => {
    const history = [r(0, 'k', 'x', 0, 1), r(0, 'j', 'a', 2, 3), w(1, 'j', 'a', 4, 5)];
    const { violations } = checkHistory(history, 1_000);
    expect(violations.map((v) => [v.read.key, v.reason])).toEqual([
      ['k', 'unwritten'],
      ['j', 'unwritten'],
    ]);
  });

  it('a value replaced by a write that completed more than the bound before the read started', () => {
    const history = [w(0, 'k', 'a', 0, 1), w(1, 'k', 'b', 2, 3), r(2, 'k', 'a', 9, 10)];
    const [violation, ...rest] = checkHistory(history, 5).violations;
    expect(rest).toEqual([]);
    expect(violation).toMatchObject({
      reason: 'superseded',
      read: { value: 'a', start: 9 },
      superseded: [{ write: { value: 'a' }, by: { value: 'b' }, staleFor: 6, bound: 5 }],
    });
    expect(describeViolation(history, violation as NonNullable<typeof violation>)).toBe(
      `read of k by #2 at [9, 10] returned "a": the write of "a" was superseded by #1's write of "b" 6 ms before the read (bound 5 ms)
  [0, 1] #0 write k "a"
  [2, 3] #1 write k "b"
  [9, 10] #2 read k "a"   <== unexplained`,
    );
  });

  it('a miss after a completed write (the initial state is superseded), and after a completed delete was replaced', () => {
    const history = [
      w(0, 'k', 'a', 0, 1),
      r(1, 'k', undefined, 2, 3),
      w(0, 'j', undefined, 0, 1),
      w(0, 'j', 'b', 2, 3),
      r(1, 'j', undefined, 4, 5),
    ];
    expect(checkHistory(history, 0).violations.map((v) => v.read.key)).toEqual(['k', 'j']);
    expect(checkHistory(history, 1).violations).toEqual([]);
  });

  it('a value older than the bound when only the last of two later writes is stale enough', () => {
    // a <- b <- c, each completed; reading a 3 ms after c is fine with bound 3 only if b (7 ms) is too.
    const history = [
      w(0, 'k', 'a', 0, 1),
      w(0, 'k', 'b', 2, 3),
      w(0, 'k', 'c', 6, 7),
      r(1, 'k', 'a', 10, 11),
    ];
    expect(checkHistory(history, 3).violations).toHaveLength(1);
    expect(checkHistory(history, 7).violations).toEqual([]);
  });
});
