import { join } from 'node:path';
import { expect, test } from 'vitest';
import { FileCache } from '../src/index.js';
import { freshDir } from './helpers/setup.js';
import { listTree } from './helpers/temp-dir.js';

const EVIL_KEYS = [
  '../../etc/passwd',
  '../../../../../../../../tmp/escaped',
  '/etc/passwd',
  '/tmp/absolute',
  'C:\\Windows\\system32',
  'a\0b',
  '\0',
  '.',
  '..',
  'tags',
  'locks',
  'tags/../../x',
  'ab',
  `${'x'.repeat(1021)}/..`,
  '💥'.repeat(256),
  ' ',
  '~',
  '%2e%2e%2f',
];

test('keys that look like paths never create anything outside dir', async () => {
  const root = await freshDir();
  const dir = join(root, 'cache');
  const before = await listTree(root);
  const cache = new FileCache({ dir });
  for (const [i, key] of EVIL_KEYS.entries()) {
    await cache.set(key, i, { tags: [key] });
    expect(await cache.add(key, -1)).toBe(false);
    expect(await cache.getOrSet(key, () => -2, { lock: true })).toBe(i);
    expect(await cache.get(key)).toBe(i);
  }
  await cache.invalidateTags(EVIL_KEYS);
  const after = await listTree(root);
  await cache.close();
  expect(before).toEqual([]);
  const outside = after.filter((p) => p !== 'cache' && !p.startsWith('cache/'));
  expect(outside).toEqual([]);
  // Inside: only shard folders with hashed names, tags/ and locks/.
  for (const path of after.filter((p) => p.startsWith('cache/'))) {
    expect(path).toMatch(/^cache\/(([0-9a-f]{2}(\/[0-9a-f]{64})?)|tags(\/[0-9a-f]{64})?|locks)$/);
  }
  expect(after.filter((p) => /^cache\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(p))).toHaveLength(EVIL_KEYS.length);
  expect(after.filter((p) => /^cache\/tags\/[0-9a-f]{64}$/.test(p))).toHaveLength(EVIL_KEYS.length);
});
