import { describe, expect, it } from 'vitest';
import { Histogram } from '../src/internal/histogram.ts';

describe('Histogram', () => {
  it('keeps values under 64 exactly and percentiles by rank', () => {
    const h = new Histogram();
    for (let v = 1; v <= 50; v++) h.record(v);
    expect([h.count, h.min, h.max, h.mean]).toEqual([50, 1, 50, 25.5]);
    expect([h.percentile(50), h.percentile(90), h.percentile(99), h.percentile(100)]).toEqual([
      25, 45, 50, 50,
    ]);
  });

  it('places every value in a bucket whose top is within 1/64 of it', () => {
    for (const v of [64, 65, 127, 128, 1000, 123_456, 2 ** 31 - 1, 2 ** 32 + 5, 9_007_199_254_740_000]) {
      const top = Histogram.highestIn(Histogram.indexOf(v));
      expect(top).toBeGreaterThanOrEqual(v);
      expect((top - v) / v).toBeLessThan(1 / 64);
    }
    for (let v = 64; v < 5000; v++)
      expect(Histogram.indexOf(v + 1)).toBeGreaterThanOrEqual(Histogram.indexOf(v));
  });

  it('reports the exact maximum, never a bucket top above it; 0 when empty', () => {
    const h = new Histogram();
    expect([h.percentile(50), h.max, h.min, h.mean]).toEqual([0, 0, 0, 0]);
    for (let i = 0; i < 99; i++) h.record(1_000_000);
    h.record(5_000_123);
    expect(h.max).toBe(5_000_123);
    expect(h.percentile(100)).toBe(5_000_123);
    const p50 = h.percentile(50);
    expect(p50).toBeGreaterThanOrEqual(1_000_000);
    expect(p50).toBeLessThan(1_000_000 * (1 + 1 / 64));
  });
});
