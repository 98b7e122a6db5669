import { MapCache } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import type { StoredEntry } from '../src/backend.js';

/** A store whose reads answer late with what the store held when they were sent (a slow network). */
class LateReads extends MapCache<string> {
  readonly pending: (() => void)[] = [];
  protected override async readEntry(key: string): Promise<StoredEntry<string> | undefined> {
    const held = this.entries.get(key);
    await new Promise<void>((resolve) => this.pending.push(resolve));
    return held;
  }
}

describe('getOrSet: a read overtaken by a computation', () => {
  it('reads again instead of computing a second time when a computation of the key ended during its read', async () => {
    const cache = new LateReads();
    let runs = 0;
    const factory = async () => `v${++runs}`;
    const first = cache.getOrSet('k', factory);
    const second = cache.getOrSet('k', factory);
    // The first read answers (a miss) and the first caller computes and stores v1 ...
    cache.pending.shift()?.();
    expect(await first).toBe('v1');
    // ... then the second caller's read, sent before that write, answers: a miss too.
    cache.pending.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
    // It reads again rather than computing.
    cache.pending.shift()?.();
    expect(await second).toBe('v1');
    expect(runs).toBe(1);
  });
});
