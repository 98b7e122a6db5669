/**
 * Symbolic links inside the cache directory are never followed: a shard, `tags` or `locks`
 * folder replaced by a link to a folder outside, or a link at an entry path, makes nothing
 * outside the directory read, written or removed (the outside tree is compared byte for byte,
 * with mtimes). Also the owner and mode check of the directory itself.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { chmod, chown, lstat, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CacheConfigError, CacheError, jsonSerializer } from '@cache/core';
import { encodeEnvelope } from '@cache/core/backend';
import { describe, expect, test } from 'vitest';
import { checkDirectory } from '../src/internal/directory-check.js';
import { hashOf } from '../src/internal/layout.js';
import { freshDir, sibling } from './helpers/setup.js';
import { listTree } from './helpers/temp-dir.js';
import { expectCacheError } from '@cache/test-utils';

/** Every path under `root` with its size, mtime and content hash. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const path of await listTree(root)) {
    const stats = await lstat(join(root, path));
    const content = stats.isFile()
      ? createHash('sha256')
          .update(await readFile(join(root, path)))
          .digest('hex')
      : '';
    out[path] = `${stats.mode}:${stats.size}:${stats.mtimeMs}:${content}`;
  }
  return out;
}

/** A cache in `<root>/cache` and a folder `<root>/outside` full of files named like entries and tags. */
async function setup(keys: string[]) {
  const root = await freshDir();
  const dir = join(root, 'cache');
  const outside = join(root, 'outside');
  await mkdir(outside);
  for (const key of [...keys, 'other']) {
    const bytes = encodeEnvelope(
      { value: 'outside', createdAt: 1, expiresAt: 2, tags: ['t'] },
      jsonSerializer,
      key,
    );
    await writeFile(join(outside, hashOf(key)), bytes);
    await writeFile(join(outside, `${hashOf(key)}.compute.lock`), 'not a lock');
  }
  await writeFile(join(outside, 'victim.txt'), 'keep me');
  const cache = sibling(dir);
  const errors: unknown[] = [];
  cache.on('error', ({ error }) => errors.push(error));
  return { root, dir, outside, cache, errors, before: await snapshot(outside) };
}

/** Replaces a folder of the cache with a link to `target`. */
async function linkFolder(path: string, target: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
  await symlink(target, path);
}

/** The `code` of the system-level cause of a cache error. */
const causeCode = (error: unknown) =>
  ((error as CacheError).cause as NodeJS.ErrnoException | undefined)?.code;

describe('a shard folder replaced by a link', () => {
  test('set, add fail with a typed error; get, has, delete miss; clear, cleanup, keys, deleteMatching and eviction skip it', async () => {
    const { dir, outside, cache, errors, before } = await setup(['k']);
    await cache.set('k', 1);
    await cache.set('elsewhere', 2);
    const shard = join(dir, hashOf('k').slice(0, 2));
    await linkFolder(shard, outside);

    const setError = await expectCacheError(cache.set('k', 3), CacheError, 'CACHE_ERROR');
    expect(causeCode(setError)).toBe('ELOOP');
    await expectCacheError(cache.add('k', 3), CacheError, 'CACHE_ERROR');
    errors.length = 0;
    expect(await cache.get('k')).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(CacheError);
    expect((errors[0] as CacheError).code).toBe('CACHE_ERROR');
    expect(causeCode(errors[0])).toBe('ELOOP');
    expect(await cache.has('k')).toBe(false);
    expect(await cache.getEntry('k')).toBeUndefined();
    expect(await cache.delete('k')).toBe(false);

    const keys: string[] = [];
    for await (const key of cache.keys()) keys.push(key);
    expect(keys).toEqual(['elsewhere']);
    expect(await cache.deleteMatching('*')).toBe(1);
    await cache.set('elsewhere', 2);
    expect(await cache.cleanup()).toBe(0);
    errors.length = 0;
    await cache.clear({ prefix: 'k' });
    await cache.clear();
    expect(errors.length).toBeGreaterThanOrEqual(2); // each walk reports the link
    expect(await cache.get('elsewhere')).toBeUndefined();

    const limited = sibling(dir, { maxEntries: 1 });
    await limited.set('a', 1);
    await limited.set('b', 2);

    expect((await lstat(shard)).isSymbolicLink()).toBe(true);
    expect(await snapshot(outside)).toEqual(before);
  });
});

describe('tags and locks folders replaced by links', () => {
  test('tags: invalidateTags and reads of tagged entries fail with typed errors; nothing outside changes', async () => {
    const { dir, outside, cache, before } = await setup(['k']);
    await cache.set('k', 1, { tags: ['t', 'other'] });
    await cache.invalidateTags(['t']);
    await cache.set('k', 1, { tags: ['t'] });
    await linkFolder(join(dir, 'tags'), outside);
    const invalidation = await expectCacheError(
      cache.invalidateTags(['t', 'k', 'other']),
      CacheError,
      'CACHE_INVALIDATION',
    );
    expect(causeCode(invalidation)).toBe('ELOOP');
    expect(causeCode(await expectCacheError(cache.get('k'), CacheError))).toBe('ELOOP');
    await expectCacheError(cache.cleanup(), CacheError);
    expect(await snapshot(outside)).toEqual(before);
  });

  test('locks: getOrSet({ lock }) and add under the lock fail with a typed error, the factory does not run; nothing outside changes', async () => {
    const { dir, outside, cache, before } = await setup(['k']);
    await cache.getOrSet('warm', () => 1, { lock: true });
    await linkFolder(join(dir, 'locks'), outside);
    let runs = 0;
    const error = await expectCacheError(
      cache.getOrSet('k', () => ++runs, { lock: true }),
      CacheError,
    );
    expect(causeCode(error)).toBe('ELOOP');
    expect(runs).toBe(0);
    // An add that finds an expired entry takes the add lock.
    await cache.set('k', 1, { ttl: 1 });
    await new Promise((r) => setTimeout(r, 5));
    expect(causeCode(await expectCacheError(cache.add('k', 2), CacheError))).toBe('ELOOP');
    expect(await snapshot(outside)).toEqual(before);
  });
});

describe('a link at an entry path', () => {
  test('a miss with an error event; set replaces the link itself; delete and clear remove only the link', async () => {
    const { dir, outside, cache, errors, before } = await setup(['k']);
    await cache.set('k', 1);
    const path = join(dir, hashOf('k').slice(0, 2), hashOf('k'));
    await rm(path);
    await symlink(join(outside, hashOf('k')), path);
    expect(await cache.get('k')).toBeUndefined();
    expect(causeCode(errors[0])).toBe('ELOOP');
    expect(await cache.delete('k')).toBe(false);
    await cache.clear();
    expect(await lstat(path).catch(() => undefined)).toBeUndefined();
    await symlink(join(outside, hashOf('k')), path);
    await cache.set('k', 2);
    expect((await lstat(path)).isFile()).toBe(true);
    expect(await cache.get('k')).toBe(2);
    expect(await snapshot(outside)).toEqual(before);
  });
});

describe('the owner and mode of the directory', () => {
  test.each([
    [0o777, false, 'CACHE_CONFIG'],
    [0o770, false, 'CACHE_CONFIG'],
    [0o1777, false, undefined],
    [0o755, false, undefined],
    [0o777, true, undefined],
  ])('mode 0o%o with sharedDir %s: %s', async (mode, sharedDir, code) => {
    const dir = join(await freshDir(), 'cache');
    await mkdir(dir);
    await chmod(dir, mode);
    const cache = sibling(dir, { sharedDir });
    const errors: unknown[] = [];
    cache.on('error', ({ error }) => errors.push(error));
    const error = await cache.set('k', 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (code === undefined) {
      expect(error).toBeUndefined();
      expect(await cache.get('k')).toBe(1);
      return;
    }
    expect(error).toBeInstanceOf(CacheConfigError);
    expect((error as CacheConfigError).code).toBe(code);
    expect(errors).toEqual([error]);
    expect(await cache.get('k').catch((e: unknown) => (e as CacheError).code)).toBe(code);
    expect(await listTree(dir)).toEqual([]);
    // Not remembered: once the mode is fixed, the cache works.
    await chmod(dir, 0o700);
    await cache.set('k', 1);
    expect(await cache.get('k')).toBe(1);
  });

  test('a dirMode that grants group write is the user asking for it', async () => {
    const dir = join(await freshDir(), 'cache');
    await mkdir(dir);
    await chmod(dir, 0o775);
    const cache = sibling(dir, { dirMode: 0o775 });
    await cache.set('k', 1);
    expect(await cache.get('k')).toBe(1);
  });

  test('dir that is a file: CacheConfigError', async () => {
    const root = await freshDir();
    await writeFile(join(root, 'file'), 'x');
    const error = await sibling(join(root, 'file'))
      .get('k')
      .catch((e: unknown) => e);
    expect((error as CacheError).code).toBe('CACHE_CONFIG');
  });

  test('dir given as a link to a folder of this user is followed', async () => {
    const root = await freshDir();
    await mkdir(join(root, 'real'), { mode: 0o700 });
    await symlink(join(root, 'real'), join(root, 'cache'));
    const cache = sibling(join(root, 'cache'));
    await cache.set('k', 1);
    expect(await listTree(join(root, 'real'))).toHaveLength(2);
  });

  test.runIf(process.getuid?.() === 0)(
    'owned by another user: refused unless sharedDir (chown needs root)',
    async () => {
      const dir = join(await freshDir(), 'cache');
      await mkdir(dir, { mode: 0o700 });
      await chown(dir, 4242, 4242);
      expect(
        (
          await sibling(dir)
            .set('k', 1)
            .catch((e: unknown) => e as CacheError)
        )?.code,
      ).toBe('CACHE_CONFIG');
      await sibling(dir, { sharedDir: true }).set('k', 1);
    },
  );

  test('the owner rule, by stats (any user)', () => {
    const uid = process.geteuid?.() ?? 0;
    const stats = (owner: number, mode: number) =>
      ({ isDirectory: () => true, uid: owner, mode: 0o40000 | mode }) as unknown as Stats;
    const policy = { dirMode: 0o700, sharedDir: false };
    expect(() => checkDirectory('/d', stats(uid, 0o700), policy)).not.toThrow();
    expect(() => checkDirectory('/d', stats(0, 0o755), policy)).not.toThrow();
    const other = uid === 4242 ? 4243 : 4242;
    if (process.geteuid)
      expect(() => checkDirectory('/d', stats(other, 0o700), policy)).toThrow(CacheConfigError);
    expect(() => checkDirectory('/d', stats(other, 0o777), { ...policy, sharedDir: true })).not.toThrow();
    if (process.geteuid)
      expect(() => checkDirectory('/d', stats(uid, 0o702), policy)).toThrow(CacheConfigError);
    expect(() => checkDirectory('/d', stats(uid, 0o1777), policy)).not.toThrow();
  });
});
