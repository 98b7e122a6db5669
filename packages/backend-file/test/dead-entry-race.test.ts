// An entry that a read finds dead (invalidated by a tag, or past its physical expiry) is removed
// only while the file at its path is still that entry: a write that lands between the read and
// the removal survives, and add() does not win over it.
import { describe, expect, test } from 'vitest';
import { FileCache } from '../src/index.js';
import { makeCache } from './helpers/setup.js';

/** A cache whose tag check runs `between` first: a write lands between its read and its removal. */
class PausingCache extends FileCache<number> {
  between: (() => Promise<unknown>) | undefined;
  protected override async readTagInvalidations(tags: readonly string[]): Promise<(number | undefined)[]> {
    const times = await super.readTagInvalidations(tags);
    const run = this.between;
    this.between = undefined;
    if (run) await run();
    return times;
  }
}

const TRIALS = 200;

describe('removing entries found dead by a read while another instance writes', () => {
  test(`keeps a write made between the read of an invalidated entry and its removal: ${TRIALS} trials`, async () => {
    const { cache: b, dir, clock } = await makeCache<number>();
    const a = new PausingCache({ dir, clock });
    let lost = 0;
    try {
      for (let i = 0; i < TRIALS; i++) {
        clock.advance(1);
        await b.set('k', -1, { tags: ['t'] });
        clock.advance(1);
        await b.invalidateTags(['t']);
        clock.advance(1);
        a.between = () => b.set('k', i);
        expect(await a.get('k')).toBeUndefined();
        if ((await b.get('k')) !== i) lost++;
      }
    } finally {
      await a.close();
    }
    expect(lost).toBe(0);
  });

  test('add() over an invalidated entry that another instance rewrote in between does not win', async () => {
    const { cache: b, dir, clock } = await makeCache<number>();
    const a = new PausingCache({ dir, clock });
    try {
      await b.set('k', -1, { tags: ['t'] });
      clock.advance(1);
      await b.invalidateTags(['t']);
      clock.advance(1);
      a.between = () => b.set('k', 7);
      expect(await a.add('k', 8)).toBe(false);
      expect(await b.get('k')).toBe(7);
    } finally {
      await a.close();
    }
  });

  test('still removes an invalidated entry nobody rewrote, so add() wins', async () => {
    const { cache, clock } = await makeCache<number>();
    await cache.set('k', 1, { tags: ['t'] });
    clock.advance(1);
    await cache.invalidateTags(['t']);
    clock.advance(1);
    expect(await cache.add('k', 2)).toBe(true);
    expect(await cache.get('k')).toBe(2);
  });
});
