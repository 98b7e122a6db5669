import { describe, expect, it } from 'vitest';
import { CacheConfigError, ManualClock } from '../src/index.js';

describe('ManualClock', () => {
  it('starts where told and moves only forward', () => {
    const clock = new ManualClock(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(250);
    expect(clock.now()).toBe(1250);
    clock.set(2000);
    expect(clock.now()).toBe(2000);
    expect(() => clock.advance(-1)).toThrow(CacheConfigError);
    expect(() => clock.set(1999)).toThrow(CacheConfigError);
    expect(() => clock.advance(Number.NaN)).toThrow(CacheConfigError);
    expect(clock.now()).toBe(2000);
    expect(new ManualClock().now()).toBe(1_700_000_000_000);
  });
});
