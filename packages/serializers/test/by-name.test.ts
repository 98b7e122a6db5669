import { createCache, registerBackend, type Serializer } from '@cache/core';
import type { BackendOptions } from '@cache/core/backend';
import { MapCache } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import { msgpack, v8 } from '../src/index.js';

/** A backend that keeps the serializer `createCache` resolved for it. */
class Keeps extends MapCache {
  readonly serializer: Serializer | undefined;
  constructor({ serializer, ...options }: BackendOptions) {
    super(options);
    this.serializer = serializer as Serializer | undefined;
  }
}

registerBackend('keeps', () => Keeps);

async function serializerOf(url: string): Promise<Serializer> {
  const serializer = ((await createCache(url)) as Keeps).serializer;
  if (!serializer) throw new Error(`no serializer for ${url}`);
  return serializer;
}

describe('serializers by name (createCache)', () => {
  it('loads msgpack and v8 from this package', async () => {
    expect(await serializerOf('keeps://?serializer=msgpack')).toBe(msgpack);
    expect(await serializerOf('keeps://?serializer=v8')).toBe(v8);
  });

  it('wraps with compression, over typed JSON when no serializer is named', async () => {
    const big = { text: 'x'.repeat(5000), when: new Date(0) };
    for (const [url, id] of [
      ['keeps://?serializer=msgpack&compress=gzip', 'compressed+msgpack'],
      ['keeps://?compress=brotli', 'compressed+json'],
    ] as const) {
      const serializer = await serializerOf(url);
      expect(serializer.id).toBe(id);
      const bytes = serializer.serialize(big);
      expect(bytes.length).toBeLessThan(200);
      expect(serializer.deserialize(bytes)).toEqual(big);
    }
  });
});
