import { describe, expect, it } from 'vitest';
import { makeCache, rawRedis, sleep } from './helpers/redis.js';

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('getOrSet({ lock: true }) across instances', () => {
  it('one instance computes while the other waits for its value', async () => {
    const a = makeCache();
    const b = makeCache({ prefix: a.prefix });
    const calls: string[] = [];
    const started = signal();
    const first = a.getOrSet(
      'k',
      async () => {
        calls.push('a');
        started.resolve();
        await sleep(200);
        return 'from-a';
      },
      { lock: true },
    );
    // a holds the lock once its factory runs
    await started.promise;
    const second = b.getOrSet(
      'k',
      () => {
        calls.push('b');
        return 'from-b';
      },
      { lock: true },
    );
    expect(await Promise.all([first, second])).toEqual(['from-a', 'from-a']);
    expect(calls).toEqual(['a']);
    expect(await rawRedis().exists(`${a.prefix}l:k`)).toBe(0);
  });

  it('computes anyway when the wait runs out', async () => {
    const a = makeCache();
    const b = makeCache({ prefix: a.prefix });
    const calls: string[] = [];
    const started = signal();
    const release = signal();
    const first = a.getOrSet(
      'k',
      async () => {
        calls.push('a');
        started.resolve();
        await release.promise;
        return 'from-a';
      },
      { lock: true },
    );
    await started.promise;
    const second = await b.getOrSet(
      'k',
      () => {
        calls.push('b');
        return 'from-b';
      },
      { lock: { wait: 60 } },
    );
    release.resolve();
    expect(second).toBe('from-b');
    expect(await first).toBe('from-a');
    expect(calls).toEqual(['a', 'b']);
  });

  it('takes a lock whose lease ran out, and never releases a lock it no longer holds', async () => {
    const a = makeCache();
    const raw = rawRedis();
    await raw.set(`${a.prefix}l:k`, 'foreign', 'PX', 150);
    let computed = 0;
    const value = await a.getOrSet(
      'k',
      async () => {
        computed++;
        // The lease (50 ms) runs out while computing; another process takes the lock.
        await sleep(120);
        await raw.set(`${a.prefix}l:k`, 'other-holder', 'PX', 10_000);
        return 'v';
      },
      { lock: { lease: 50, wait: 5_000 } },
    );
    expect(value).toBe('v');
    expect(computed).toBe(1);
    expect(await raw.get(`${a.prefix}l:k`)).toBe('other-holder');
    await raw.unlink(`${a.prefix}l:k`);
  });
});
