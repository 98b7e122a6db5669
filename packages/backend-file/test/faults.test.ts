import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CacheError, CacheInvalidationError, CacheSerializationError } from '@cache/core';
import { describe, expect, test } from 'vitest';
import { FS_LAYER, type FsLayer, nodeFs } from '../src/internal/fs-layer.js';
import { hashOf } from '../src/internal/layout.js';
import { makeCache, sibling } from './helpers/setup.js';
import { listTree } from './helpers/temp-dir.js';

function sysError(code: string): NodeJS.ErrnoException {
  const error = new Error(`${code}: injected`) as NodeJS.ErrnoException;
  error.code = code;
  return error;
}

/** A file system whose calls can be made to fail while a test runs. */
function faultyFs() {
  const faults = new Map<keyof FsLayer, string>();
  const calls = new Map<keyof FsLayer, number>();
  const layer = {} as Record<keyof FsLayer, unknown>;
  for (const name of Object.keys(nodeFs) as (keyof FsLayer)[]) {
    const real = nodeFs[name] as (...args: unknown[]) => Promise<unknown>;
    layer[name] = (...args: unknown[]) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      const code = faults.get(name);
      return code === undefined ? real(...args) : Promise.reject(sysError(code));
    };
  }
  return { fs: layer as unknown as FsLayer, faults, calls };
}

function entryPath(dir: string, key: string): string {
  const hash = hashOf(key);
  return join(dir, hash.slice(0, 2), hash);
}

describe('corrupt, truncated and foreign files', () => {
  test.each([
    ['garbage', Buffer.from('not an envelope at all')],
    ['empty', Buffer.alloc(0)],
    ['foreign magic', Buffer.from([0x7b, 0x22, 0x61])],
  ])('%s: a miss, removed, one error event', async (_label, bytes) => {
    const { cache, dir } = await makeCache();
    await cache.set('k', 'value');
    await writeFile(entryPath(dir, 'k'), bytes);
    const errors: { error: unknown; key?: string }[] = [];
    cache.on('error', (event) => errors.push(event));
    expect(await cache.get('k')).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error).toBeInstanceOf(CacheSerializationError);
    expect((errors[0]?.error as CacheSerializationError | undefined)?.code).toBe('CACHE_SERIALIZATION');
    expect(errors[0]?.key).toBe('k');
    // The removal ran under the entry's add lock, whose (empty) folder stays.
    expect(await listTree(dir)).toEqual([hashOf('k').slice(0, 2), 'locks']);
    expect(cache.stats.errors).toBe(1);
  });

  test('truncated at every length: a miss, never a throw', async () => {
    const { cache, dir } = await makeCache();
    await cache.set('k', { text: 'hello', n: [1, 2, 3] }, { tags: ['a'] });
    const whole = await readFile(entryPath(dir, 'k'));
    let errors = 0;
    cache.on('error', () => errors++);
    for (let length = 0; length < whole.length; length++) {
      await writeFile(entryPath(dir, 'k'), whole.subarray(0, length));
      expect(await cache.get('k')).toBeUndefined();
    }
    expect(errors).toBe(whole.length);
  });

  test('keys() and cleanup() drop corrupt files too', async () => {
    const { cache, dir } = await makeCache();
    await cache.set('good', 1);
    await cache.set('bad', 2);
    await writeFile(entryPath(dir, 'bad'), 'junk');
    let errors = 0;
    cache.on('error', () => errors++);
    const keys: string[] = [];
    for await (const key of cache.keys()) keys.push(key);
    expect(keys).toEqual(['good']);
    expect(errors).toBe(1);
    expect(await readdir(join(dir, hashOf('bad').slice(0, 2)))).not.toContain(hashOf('bad'));
  });
});

describe('write failures (through the fs seam)', () => {
  test.each(['ENOSPC', 'EDQUOT', 'EIO'])(
    '%s while writing: CacheError with the cause, old value stays, no temp file',
    async (code) => {
      const { fs, faults } = faultyFs();
      const { cache, dir } = await makeCache({ [FS_LAYER]: fs } as never);
      await cache.set('k', 'old');
      faults.set('write', code);
      faults.set('writev', code);
      const error = await cache.set('k', 'new').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CacheError);
      expect((error as CacheError).code).toBe('CACHE_ERROR');
      expect(((error as CacheError).cause as NodeJS.ErrnoException).code).toBe(code);
      faults.clear();
      expect(await cache.get('k')).toBe('old');
      expect(await listTree(dir)).toEqual([
        hashOf('k').slice(0, 2),
        entryPath(dir, 'k').slice(dir.length + 1),
      ]);
      expect(cache.stats.errors).toBe(1);
    },
  );

  test('ENOSPC on the rename: old value stays, temp file removed', async () => {
    const { fs, faults } = faultyFs();
    const { cache, dir } = await makeCache({ [FS_LAYER]: fs } as never);
    await cache.set('k', 'old');
    faults.set('rename', 'ENOSPC');
    const error = await cache.set('k', 'new').catch((e: unknown) => e);
    expect(((error as CacheError).cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
    faults.clear();
    expect(await cache.get('k')).toBe('old');
    expect(await listTree(dir)).toHaveLength(2);
  });

  test('EACCES creating the temp file (a read-only folder): CacheError with the cause, old value stays', async () => {
    const { fs, faults } = faultyFs();
    const { cache } = await makeCache({ [FS_LAYER]: fs } as never);
    await cache.set('k', 'old');
    faults.set('open', 'EACCES');
    faults.set('readWhole', 'EACCES');
    const error = await cache.set('k', 'new').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheError);
    expect(((error as CacheError).cause as NodeJS.ErrnoException).code).toBe('EACCES');
    const readError = await cache.get('k').catch((e: unknown) => e);
    expect(((readError as CacheError).cause as NodeJS.ErrnoException).code).toBe('EACCES');
    faults.clear();
    expect(await cache.get('k')).toBe('old');
  });

  test('EACCES creating the folder', async () => {
    const { fs, faults } = faultyFs();
    const { cache } = await makeCache({ [FS_LAYER]: fs } as never);
    faults.set('mkdir', 'EACCES');
    const error = await cache.set('k', 'v').catch((e: unknown) => e);
    expect(((error as CacheError).cause as NodeJS.ErrnoException).code).toBe('EACCES');
  });

  test('EACCES taking a getOrSet lock: CacheError with the cause, the factory does not run', async () => {
    const { fs, faults } = faultyFs();
    const { cache } = await makeCache({ [FS_LAYER]: fs } as never);
    faults.set('link', 'EACCES');
    let runs = 0;
    const error = await cache.getOrSet('k', () => ++runs, { lock: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheError);
    expect(((error as CacheError).cause as NodeJS.ErrnoException).code).toBe('EACCES');
    expect(runs).toBe(0);
  });

  test('fsync: true syncs the temp file and the folder on each set', async () => {
    const { fs, calls } = faultyFs();
    const { cache } = await makeCache({ [FS_LAYER]: fs, fsync: true } as never);
    await cache.set('a', 1);
    calls.clear();
    await cache.set('a', 2);
    expect(calls.get('fsync')).toBe(2);
    expect(calls.get('rename')).toBe(1);
  });

  test('a get is one whole read (open, fstat, read, close) beside an lstat of its folder', async () => {
    const { fs, calls } = faultyFs();
    const { cache } = await makeCache({ [FS_LAYER]: fs } as never);
    await cache.set('a', 1);
    calls.clear();
    expect(await cache.get('a')).toBe(1);
    expect(Object.fromEntries(calls)).toEqual({ readWhole: 1, lstat: 1 });
    const limited = await makeCache({ [FS_LAYER]: fs, maxEntries: 100 } as never);
    await limited.cache.set('a', 1);
    calls.clear();
    expect(await limited.cache.get('a')).toBe(1);
    expect(Object.fromEntries(calls)).toEqual({ readWhole: 1, lstat: 1 });
  });

  test('without fsync there is no sync, and a set is lstat of the folder, open, writev, close, rename (plus the clock stamp)', async () => {
    const { fs, calls } = faultyFs();
    const { cache } = await makeCache({ [FS_LAYER]: fs } as never);
    await cache.set('a', 1);
    calls.clear();
    await cache.set('a', 2);
    expect(Object.fromEntries(calls)).toEqual({
      lstat: 1,
      open: 1,
      writev: 1,
      futimes: 1,
      close: 1,
      rename: 1,
    });
  });
});

describe('compare-and-delete: a write that lands between a read and the removal stays', () => {
  /** A file system that runs `landing()` once, right before the removal's move of an entry aside. */
  function raceOnMove(entry: string, landing: () => Promise<void>) {
    let armed = true;
    const layer: FsLayer = {
      ...nodeFs,
      rename: async (from, to) => {
        if (armed && from === entry && to.endsWith('.tmp')) {
          armed = false;
          await landing();
        }
        return nodeFs.rename(from, to);
      },
    };
    return { layer, fired: () => !armed };
  }

  test.each([
    ['a get that found corrupt bytes', 'corrupt'],
    ['a cleanup that found an expired entry', 'expired'],
    ['a delete of the value it read', 'delete'],
  ])('%s', async (_label, kind) => {
    const setupCache = await makeCache();
    const { dir, clock } = setupCache;
    const path = entryPath(dir, 'k');
    const writer = sibling(dir, { clock });
    const race = raceOnMove(path, () => writer.set('k', 'new'));
    const { cache } = await makeCache({ dir, clock, [FS_LAYER]: race.layer } as never);
    if (kind === 'corrupt') {
      await cache.set('k', 'old');
      await writeFile(path, 'corrupt');
      expect(await cache.get('k')).toBeUndefined();
    } else if (kind === 'expired') {
      await cache.set('k', 'old', { ttl: 10 });
      clock.advance(10);
      expect(await cache.cleanup()).toBe(0);
    } else {
      await cache.set('k', 'old');
      expect(await cache.delete('k')).toBe(false);
    }
    expect(race.fired()).toBe(true);
    expect(await writer.get('k')).toBe('new');
    expect((await listTree(dir)).filter((p) => p.endsWith('.tmp'))).toEqual([]);
  });
});

describe('failed invalidations reject with CacheInvalidationError', () => {
  test.each([
    ['invalidateTags', 'open', 'EACCES'],
    ['invalidateTags', 'rename', 'ENOSPC'],
    ['invalidateTags', 'readWhole', 'EIO'],
    ['deleteMatching', 'rename', 'EACCES'],
    ['deleteMatching', 'readdir', 'EIO'],
  ])('%s with %s failing (%s)', async (method, call, code) => {
    const { fs, faults } = faultyFs();
    const { cache } = await makeCache({ [FS_LAYER]: fs } as never);
    await cache.set('user:1', 1, { tags: ['t'] });
    const errors: unknown[] = [];
    cache.on('error', ({ error }) => errors.push(error));
    faults.set(call as keyof FsLayer, code);
    const error = await (method === 'invalidateTags'
      ? cache.invalidateTags(['t'])
      : cache.deleteMatching('user:*')
    ).catch((e: unknown) => e);
    faults.clear();
    expect(error).toBeInstanceOf(CacheInvalidationError);
    expect((error as CacheInvalidationError).code).toBe('CACHE_INVALIDATION');
    expect(((error as CacheInvalidationError).cause as NodeJS.ErrnoException).code).toBe(code);
    expect(errors).toEqual([error]);
    // Nothing was invalidated or removed: the entry is still there.
    expect(await cache.get('user:1')).toBe(1);
  });
});
