/**
 * Odd files at an entry path: a file above the size cap (a sparse 2 GiB + 1 file, which costs no
 * disk), a FIFO and a folder. Each is a miss with an `error` event, is never loaded, and every
 * operation settles.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, open, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CacheError, CacheFullError } from '@cache/core';
import { describe, expect, test } from 'vitest';
import { hashOf } from '../src/internal/layout.js';
import { makeCache } from './helpers/setup.js';

type Maker = (path: string) => Promise<void>;

const makers: [string, string, Maker][] = [
  [
    'a sparse file of 2 GiB + 1',
    'EFBIG',
    async (path) => {
      await writeFile(path, '');
      await truncate(path, 2 ** 31 + 1);
    },
  ],
  ['a FIFO', 'ENOTREG', async (path) => void execFileSync('mkfifo', [path])],
  ['a folder', 'ENOTREG', async (path) => mkdir(path)],
];

async function entryPath(dir: string, key: string): Promise<string> {
  const hash = hashOf(key);
  await mkdir(join(dir, hash.slice(0, 2)), { recursive: true, mode: 0o700 });
  return join(dir, hash.slice(0, 2), hash);
}

describe.each(makers)('%s at an entry path', (_label, code, make) => {
  test('get, has, getEntry, getOrThrow, getMany miss with an error event each; delete, keys, cleanup, clear settle', async () => {
    const { cache, dir } = await makeCache();
    await cache.set('good', 1);
    await make(await entryPath(dir, 'k'));
    const errors: { error: unknown; key?: string }[] = [];
    cache.on('error', (event) => errors.push(event));
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.has('k')).toBe(false);
    expect(await cache.getEntry('k')).toBeUndefined();
    expect(((await cache.getOrThrow('k').catch((e: unknown) => e)) as CacheError).code).toBe(
      'CACHE_KEY_MISSING',
    );
    expect(await cache.getMany(['k', 'good'])).toEqual([undefined, 1]);
    expect(errors).toHaveLength(5);
    for (const { error, key } of errors) {
      expect(error).toBeInstanceOf(CacheError);
      expect((error as CacheError).code).toBe('CACHE_ERROR');
      expect(((error as CacheError).cause as NodeJS.ErrnoException).code).toBe(code);
      expect(key).toBe('k');
    }
    expect(await cache.delete('k')).toBe(false);
    const keys: string[] = [];
    for await (const key of cache.keys()) keys.push(key);
    expect(keys).toEqual(['good']);
    expect(await cache.cleanup()).toBe(0);
    await cache.clear();
    expect(await cache.get('good')).toBeUndefined();
  });

  test('a limited cache (reads that stamp, scans) treats it the same', async () => {
    const { cache, dir, clock } = await makeCache({ maxEntries: 2 });
    await make(await entryPath(dir, 'k'));
    let errors = 0;
    cache.on('error', () => errors++);
    expect(await cache.get('k')).toBeUndefined();
    for (const key of ['a', 'b', 'c']) {
      clock.advance(10);
      await cache.set(key, key);
    }
    expect(await cache.get('c')).toBe('c');
    expect(errors).toBe(1);
  });
});

describe('writes over odd files', () => {
  test.each(makers.slice(0, 2))('set replaces %s; add treats it as absent', async (_label, _code, make) => {
    const { cache, dir } = await makeCache();
    await make(await entryPath(dir, 'k'));
    await cache.set('k', 1);
    expect(await cache.get('k')).toBe(1);
    await make(await entryPath(dir, 'k2'));
    expect(await cache.add('k2', 2)).toBe(true);
    expect(await cache.add('k2', 3)).toBe(false);
    expect(await cache.get('k2')).toBe(2);
  });

  test('a folder at the entry path: set fails with a typed error', async () => {
    const { cache, dir } = await makeCache();
    await mkdir(await entryPath(dir, 'k'));
    const error = await cache.set('k', 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheError);
    expect((error as CacheError).code).toBe('CACHE_ERROR');
    const addError = await cache.add('k', 1).catch((e: unknown) => e);
    expect(((addError as CacheError).cause as NodeJS.ErrnoException).code).toBe('ENOTREG');
  });
});

describe('maxEntryBytes', () => {
  test('a larger value is refused with CacheFullError, the old one stays; a larger file is a miss', async () => {
    const { cache, dir } = await makeCache({ maxEntryBytes: 1024 });
    await cache.set('k', 'small');
    const error = await cache.set('k', 'x'.repeat(2000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheFullError);
    expect((error as CacheFullError).code).toBe('CACHE_FULL');
    expect(await cache.get('k')).toBe('small');
    const { cache: big } = await makeCache({ dir });
    await big.set('k', 'x'.repeat(2000));
    const errors: unknown[] = [];
    cache.on('error', ({ error }) => errors.push(error));
    expect(await cache.get('k')).toBeUndefined();
    expect(((errors[0] as CacheError).cause as NodeJS.ErrnoException).code).toBe('EFBIG');
    expect(await big.get('k')).toBe('x'.repeat(2000));
  });

  test('a file that grows past the cap between fstat and read is read only up to its fstat size', async () => {
    const { cache, dir } = await makeCache();
    await cache.set('k', 'v');
    const handle = await open(await entryPath(dir, 'k'), 'a');
    await handle.close();
    expect(await cache.get('k')).toBe('v');
  });
});
