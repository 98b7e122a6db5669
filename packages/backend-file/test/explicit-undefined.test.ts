// Options given as `undefined` (`new FileCache({ dir, maxBytes: undefined })`, allowed by the types
// under `exactOptionalPropertyTypes`) are accepted and mean the defaults.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { hashOf } from '../src/internal/layout.js';
import { freshDir, sibling } from './helpers/setup.js';
import { modeOf } from './helpers/temp-dir.js';

describe('options given as undefined', () => {
  test('are accepted and mean the defaults', async () => {
    const dir = join(await freshDir(), 'c');
    const cache = sibling(dir, {
      name: undefined,
      defaultTtl: undefined,
      maxKeyBytes: undefined,
      clock: undefined,
      onBackendError: undefined,
      maxEntries: undefined,
      maxBytes: undefined,
      maxEntryBytes: undefined,
      serializer: undefined,
      fsync: undefined,
      fileMode: undefined,
      dirMode: undefined,
      sweepInterval: undefined,
      touchInterval: undefined,
      lockPollInterval: undefined,
      sharedDir: undefined,
    });
    expect(cache.name).toBe('file');
    await cache.set('a', { n: 1 }, { ttl: undefined, tags: undefined });
    expect(await cache.get('a')).toEqual({ n: 1 });
    expect((await cache.getEntry('a'))?.expiresAt).toBeUndefined();
    // The default modes, 0o700 and 0o600.
    const hash = hashOf('a');
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(join(dir, hash.slice(0, 2), hash))).toBe(0o600);
    // No entry limit: 50 entries stay.
    await cache.setMany(Array.from({ length: 50 }, (_, i) => [`k${i}`, i] as const));
    expect(
      (await cache.getMany(Array.from({ length: 50 }, (_, i) => `k${i}`))).filter((v) => v !== undefined),
    ).toHaveLength(50);
    expect(await cache.getOrSet('g', () => 'computed', { timeout: undefined, lock: undefined })).toBe(
      'computed',
    );
  });
});
