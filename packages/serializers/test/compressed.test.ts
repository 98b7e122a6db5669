import { CacheConfigError, CacheSerializationError, jsonSerializer, type Serializer } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { type CompressionAlgorithm, compressed, msgpack, v8 } from '../src/index.js';

const algorithms: readonly CompressionAlgorithm[] = ['gzip', 'deflate', 'brotli'];
const HEADER = { raw: 0x00, gzip: 0x01, deflate: 0x02, brotli: 0x03 } as const;

/** A serializer that passes strings through as UTF-8, so payload sizes are exact in tests. */
const text: Serializer = {
  id: 'text',
  serialize: (value) => new TextEncoder().encode(value as string),
  deserialize: (bytes) => new TextDecoder().decode(bytes),
};

function codeOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CacheSerializationError);
    return (error as CacheSerializationError).code;
  }
  return 'no error';
}

function configCode(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CacheConfigError);
    return (error as CacheConfigError).code;
  }
  return 'no error';
}

describe('compressed()', () => {
  it('derives its id from the inner serializer only', () => {
    expect(compressed(msgpack).id).toBe('compressed+msgpack');
    expect(compressed(msgpack, { algorithm: 'brotli', threshold: 10 }).id).toBe('compressed+msgpack');
    expect(compressed(compressed(jsonSerializer)).id).toBe('compressed+compressed+json');
  });

  it.each(algorithms)(
    '%s: stores payloads just below the threshold raw and compresses at the threshold',
    (algorithm) => {
      const serializer = compressed(text, { algorithm, threshold: 100 });
      const below = 'a'.repeat(99);
      const at = 'a'.repeat(100);
      const storedBelow = serializer.serialize(below);
      const storedAt = serializer.serialize(at);
      expect(storedBelow[0]).toBe(HEADER.raw);
      expect(storedBelow.length).toBe(100);
      expect(storedAt[0]).toBe(HEADER[algorithm]);
      expect(storedAt.length).toBeLessThan(100);
      expect(serializer.deserialize(storedBelow)).toBe(below);
      expect(serializer.deserialize(storedAt)).toBe(at);
    },
  );

  it('uses a default threshold of 1024 bytes', () => {
    const serializer = compressed(text);
    expect(serializer.serialize('b'.repeat(1023))[0]).toBe(HEADER.raw);
    expect(serializer.serialize('b'.repeat(1024))[0]).toBe(HEADER.gzip);
  });

  it('stores a payload raw when compression would not make it smaller', () => {
    const serializer = compressed(msgpack, { threshold: 0 });
    const random = new Uint8Array(2000);
    crypto.getRandomValues(random);
    const stored = serializer.serialize(random);
    expect(stored[0]).toBe(HEADER.raw);
    expect(serializer.deserialize(stored)).toStrictEqual(random);
  });

  it('reads entries whatever algorithm and threshold the writer used', () => {
    const value = { list: Array.from({ length: 500 }, (_, i) => ({ id: i, name: `item ${i % 10}` })) };
    const reader = compressed(msgpack, { algorithm: 'deflate', threshold: 1_000_000 });
    for (const algorithm of algorithms) {
      for (const threshold of [0, 64, 10_000_000]) {
        const writer = compressed(msgpack, { algorithm, threshold, level: 1 });
        expect(reader.deserialize(writer.serialize(value))).toStrictEqual(value);
      }
    }
  });

  it('keeps the inner serializer round trips (msgpack and v8)', () => {
    const value = { when: new Date(5), big: 2n ** 100n, neg: -0, map: new Map([['k', 'v'.repeat(2000)]]) };
    for (const inner of [msgpack, v8]) {
      const serializer = compressed(inner, { algorithm: 'brotli', threshold: 16 });
      const stored = serializer.serialize(value);
      expect(stored[0]).toBe(HEADER.brotli);
      const out = serializer.deserialize(stored) as typeof value;
      expect(out).toStrictEqual(value);
      expect(Object.is(out.neg, -0)).toBe(true);
    }
  });

  it('passes on the inner serializer refusals', () => {
    expect(codeOf(() => compressed(msgpack).serialize(() => 1))).toBe('CACHE_SERIALIZATION');
  });

  it('refuses unknown headers, empty, corrupt and truncated bytes', () => {
    const serializer = compressed(text, { threshold: 0 });
    const stored = serializer.serialize('c'.repeat(5000));
    expect(stored[0]).toBe(HEADER.gzip);
    expect(codeOf(() => serializer.deserialize(new Uint8Array(0)))).toBe('CACHE_SERIALIZATION');
    expect(codeOf(() => serializer.deserialize(new Uint8Array([0x09, 1, 2])))).toBe('CACHE_SERIALIZATION');
    expect(codeOf(() => serializer.deserialize(stored.subarray(0, stored.length - 4)))).toBe(
      'CACHE_SERIALIZATION',
    );
    const corrupt = Uint8Array.from(stored);
    corrupt[5] = (corrupt[5] as number) ^ 0xff;
    corrupt[12] = (corrupt[12] as number) ^ 0xff;
    expect(codeOf(() => serializer.deserialize(corrupt))).toBe('CACHE_SERIALIZATION');
    for (const kind of [HEADER.deflate, HEADER.brotli]) {
      expect(codeOf(() => serializer.deserialize(new Uint8Array([kind, 1, 2, 3])))).toBe(
        'CACHE_SERIALIZATION',
      );
    }
  });

  it('refuses entries that decompress to more than maxDecodedBytes', () => {
    const writer = compressed(text, { threshold: 0 });
    const reader = compressed(text, { maxDecodedBytes: 1000 });
    const stored = writer.serialize('d'.repeat(1001));
    expect(codeOf(() => reader.deserialize(stored))).toBe('CACHE_SERIALIZATION');
    expect(reader.deserialize(writer.serialize('d'.repeat(1000)))).toBe('d'.repeat(1000));
  });

  it('throws CacheConfigError for bad options', () => {
    const bad: unknown[] = [
      { algorithm: 'zstd' },
      { threshold: -1 },
      { threshold: 1.5 },
      { threshold: Number.NaN },
      { level: 10 },
      { algorithm: 'brotli', level: 12 },
      { level: -1 },
      { maxDecodedBytes: 0 },
    ];
    for (const options of bad) {
      expect(configCode(() => compressed(msgpack, options as never))).toBe('CACHE_CONFIG');
    }
    expect(configCode(() => compressed(undefined as never))).toBe('CACHE_CONFIG');
    expect(configCode(() => compressed({ id: 'x' } as never))).toBe('CACHE_CONFIG');
    expect(compressed(msgpack, { algorithm: 'brotli', level: 11 }).id).toBe('compressed+msgpack');
  });
});
