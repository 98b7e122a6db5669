// Options given as `undefined` (allowed by the types under `exactOptionalPropertyTypes`) are
// accepted and mean the defaults.
import { MemoryCache } from '@cache/backend-memory';
import { describe, expect, it } from 'vitest';
import { namespaced } from '../src/index.js';

describe('options given as undefined', () => {
  it('mean the default separator, name and closeInner', async () => {
    const inner = new MemoryCache({ name: 'inner' });
    const ns = namespaced(inner, 'users', { separator: undefined, name: undefined, closeInner: undefined });
    expect(ns.name).toBe('inner/users');
    expect(ns.prefix).toBe('users:');
    await ns.set('1', 'Ada', { ttl: undefined, tags: undefined });
    expect(await inner.get('users:1')).toBe('Ada');
    expect(await ns.getOrSet('2', () => 'Grace', { timeout: undefined, staleIfError: undefined })).toBe(
      'Grace',
    );
    const keys: string[] = [];
    for await (const key of ns.keys({ prefix: undefined })) keys.push(key);
    expect(keys.sort()).toEqual(['1', '2']);
    await ns.close();
    // closeInner undefined: the inner cache stays open.
    expect(await inner.get('users:1')).toBe('Ada');
    await inner.close();
  });
});
