import { CacheConfigError, CacheSerializationError } from '@cache/core';
import { decodeEnvelope, encodeEnvelope, type StoredEntry } from '@cache/core/backend';
import { describe, expect, it } from 'vitest';
import { compressed, json, msgpack, serializerRegistry, v8 } from '../src/index.js';

function entry(value: unknown): StoredEntry {
  return {
    value,
    createdAt: 1_700_000_000_000,
    expiresAt: 1_700_000_060_000,
    staleUntil: undefined,
    tags: ['t1'],
  };
}

function decodeCode(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CacheSerializationError);
    return (error as CacheSerializationError).code;
  }
  return 'no error';
}

const gzipped = compressed(msgpack, { threshold: 0 });
const all = [json, msgpack, v8, gzipped];

describe('serializers inside the core envelope', () => {
  it('re-exports core json', () => {
    expect(json.id).toBe('json');
  });

  it.each(all.map((s) => [s.id, s] as const))(
    '%s: an entry round-trips through encodeEnvelope/decodeEnvelope',
    (_id, s) => {
      const value = { user: 'ada', visits: [1, 2, 3], nested: { ok: true } };
      const decoded = decodeEnvelope(encodeEnvelope(entry(value), s, 'the key'), s);
      expect(decoded).toMatchObject({ key: 'the key', value, createdAt: 1_700_000_000_000, tags: ['t1'] });
      expect(decoded.expiresAt).toBe(1_700_000_060_000);
    },
  );

  it('an entry written with another serializer is a CacheSerializationError for a reader that knows only its own', () => {
    for (const writer of all) {
      const stored = encodeEnvelope(entry({ a: 1 }), writer);
      for (const reader of all) {
        if (reader === writer) continue;
        expect(decodeCode(() => decodeEnvelope(stored, reader))).toBe('CACHE_SERIALIZATION');
      }
    }
  });

  it('a reader with a registry decodes entries written with any serializer it knows', () => {
    const registry = serializerRegistry(json, msgpack, v8, gzipped);
    expect([...registry.keys()]).toStrictEqual(['json', 'msgpack', 'v8', 'compressed+msgpack']);
    for (const writer of all) {
      const stored = encodeEnvelope(entry({ a: [1, 'x'] }), writer);
      expect(decodeEnvelope(stored, registry).value).toStrictEqual({ a: [1, 'x'] });
    }
    const partial = serializerRegistry(json, msgpack);
    expect(decodeCode(() => decodeEnvelope(encodeEnvelope(entry(1), v8), partial))).toBe(
      'CACHE_SERIALIZATION',
    );
  });

  it('keeps msgpack-only types through the envelope', () => {
    const value = { when: new Date(42), ids: new Set([1n, 2n ** 80n]), zero: -0 };
    const decoded = decodeEnvelope(encodeEnvelope(entry(value), msgpack), msgpack).value as typeof value;
    expect(decoded).toStrictEqual(value);
    expect(Object.is(decoded.zero, -0)).toBe(true);
  });

  it('refusals surface from encodeEnvelope as CacheSerializationError', () => {
    for (const s of [msgpack, v8, gzipped]) {
      expect(
        decodeCode(() =>
          encodeEnvelope(
            entry(() => 1),
            s,
          ),
        ),
      ).toBe('CACHE_SERIALIZATION');
    }
  });

  it('corrupt payloads behind a valid header are a CacheSerializationError', () => {
    for (const s of [msgpack, v8, gzipped]) {
      const stored = encodeEnvelope(entry({ a: 'some text', b: [1, 2, 3] }), s);
      expect(decodeCode(() => decodeEnvelope(stored.subarray(0, stored.length - 3), s))).toBe(
        'CACHE_SERIALIZATION',
      );
      const garbage = Buffer.concat([stored.subarray(0, stored.length - 20), Buffer.alloc(20, 0xc1)]);
      expect(decodeCode(() => decodeEnvelope(garbage, s))).toBe('CACHE_SERIALIZATION');
    }
  });

  it('serializerRegistry refuses two different serializers with one id', () => {
    expect(serializerRegistry(msgpack, msgpack).size).toBe(1);
    let error: unknown;
    try {
      serializerRegistry(gzipped, compressed(msgpack, { algorithm: 'brotli' }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CacheConfigError);
    expect((error as CacheConfigError).code).toBe('CACHE_CONFIG');
  });
});
