import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { hashOf } from '../src/internal/layout.js';
import { makeCache, sibling } from './helpers/setup.js';

function lockFile(dir: string, key: string): string {
  return join(dir, 'locks', `${hashOf(key)}.compute.lock`);
}

async function writeLock(dir: string, key: string, body: object): Promise<void> {
  await mkdir(join(dir, 'locks'), { recursive: true });
  await writeFile(lockFile(dir, key), JSON.stringify(body));
}

/** A pid that is certainly dead: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid as number;
}

describe('getOrSet({ lock: true }) across instances', () => {
  test('one instance computes while the other waits, then reads its value', async () => {
    const { cache, dir } = await makeCache({ lockPollInterval: 5 });
    const other = sibling(dir, { lockPollInterval: 5 });
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = cache.getOrSet(
      'k',
      async () => {
        calls++;
        await gate;
        return 'from first';
      },
      { lock: true },
    );
    // Wait until the first holds the lock file.
    while (
      !(await readdir(join(dir, 'locks')).catch((): string[] => [])).includes(`${hashOf('k')}.compute.lock`)
    ) {
      await new Promise((r) => setTimeout(r, 2));
    }
    const second = other.getOrSet(
      'k',
      () => {
        calls++;
        return 'from second';
      },
      { lock: true },
    );
    await new Promise((r) => setTimeout(r, 30));
    release();
    expect(await first).toBe('from first');
    expect(await second).toBe('from first');
    expect(calls).toBe(1);
    expect(await readdir(join(dir, 'locks'))).toEqual([]);
  });

  test('a lock whose lease has run out is broken', async () => {
    const { cache, dir } = await makeCache();
    await writeLock(dir, 'k', {
      pid: process.pid,
      host: hostname(),
      token: 'old',
      expiresAt: Date.now() - 1,
    });
    expect(await cache.getOrSet('k', () => 'computed', { lock: { wait: 5_000 } })).toBe('computed');
    expect(await readdir(join(dir, 'locks'))).toEqual([]);
  });

  test('a lock held by a dead process on this host is broken', async () => {
    const { cache, dir } = await makeCache();
    await writeLock(dir, 'k', {
      pid: deadPid(),
      host: hostname(),
      token: 'dead',
      expiresAt: Date.now() + 60_000,
    });
    expect(await cache.getOrSet('k', () => 'computed', { lock: { wait: 5_000 } })).toBe('computed');
  });

  test('a live lock that outlasts the wait: the caller computes anyway after the wait', async () => {
    const { cache, dir } = await makeCache({ lockPollInterval: 5 });
    await writeLock(dir, 'k', {
      pid: process.pid,
      host: 'elsewhere',
      token: 'live',
      expiresAt: Date.now() + 60_000,
    });
    expect(await cache.getOrSet('k', () => 'computed', { lock: { wait: 30 } })).toBe('computed');
    // The other owner's lock is left alone.
    expect(await readdir(join(dir, 'locks'))).toEqual([`${hashOf('k')}.compute.lock`]);
  });
});

describe('add across instances', () => {
  test('of many concurrent adds of one key over an expired entry, exactly one succeeds', async () => {
    const { cache, dir, clock } = await makeCache({ lockPollInterval: 2 });
    await cache.set('k', 'old', { ttl: 10 });
    clock.advance(10);
    const others = Array.from({ length: 5 }, () => sibling(dir, { clock, lockPollInterval: 2 }));
    const results = await Promise.all([cache, ...others].map((c, i) => c.add('k', `v${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await cache.get('k')).toBe(`v${results.indexOf(true)}`);
  });

  test('of many concurrent adds of an absent key, exactly one succeeds', async () => {
    const { cache, dir, clock } = await makeCache();
    const others = Array.from({ length: 5 }, () => sibling(dir, { clock }));
    const results = await Promise.all([cache, ...others].map((c, i) => c.add('fresh', `v${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
