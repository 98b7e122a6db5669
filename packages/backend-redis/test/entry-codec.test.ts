import { CacheSerializationError, CacheErrorCode, jsonSerializer, type Serializer } from '@cache/core';
import { decodeEnvelope, encodeEnvelope, type StoredEntry } from '@cache/core/backend';
import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeSetFrame } from '../src/internal/entry-codec.js';

const JSON_ID = Buffer.from('json');

/** The RESP frame ioredis would send for these SET arguments. */
function resp(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

const entries: [string, StoredEntry][] = [
  ['plain', { value: { a: 1, b: ['x'] }, createdAt: 1_700_000_000_123, expiresAt: undefined, tags: [] }],
  ['ttl', { value: 'v', createdAt: 1_700_000_000_000, expiresAt: 1_700_000_060_000, tags: [] }],
  ['stale', { value: 42, createdAt: 1, expiresAt: 1_000, staleUntil: 5_000, tags: [] }],
  ['tags', { value: null, createdAt: 2.5, expiresAt: 10, tags: ['users', 'grüße', '🙂'] }],
  ['unicode value', { value: 'héllo ✓ 🙂', createdAt: 3, expiresAt: undefined, tags: [] }],
];

describe('encodeSetFrame', () => {
  for (const [name, entry] of entries) {
    it(`writes exactly SET key <encodeEnvelope> [PX n] (${name})`, () => {
      const key = 'p:e:clé 🙂';
      const envelope = encodeEnvelope(entry, jsonSerializer);
      expect(encodeSetFrame(key, entry, jsonSerializer, undefined)).toEqual(resp(['SET', key, envelope]));
      expect(encodeSetFrame(key, entry, jsonSerializer, 123_456)).toEqual(
        resp(['SET', key, envelope, 'PX', '123456']),
      );
    });
  }

  it('refuses a value the serializer refuses with CacheSerializationError', () => {
    const entry: StoredEntry = { value: { f: () => 1 }, createdAt: 1, expiresAt: undefined, tags: [] };
    expect(() => encodeSetFrame('k', entry, jsonSerializer, undefined)).toThrow(CacheSerializationError);
    const failing: Serializer = {
      id: 'bad',
      serialize: () => {
        throw new TypeError('nope');
      },
      deserialize: () => null,
    };
    try {
      encodeSetFrame('k', { ...entry, value: 1 }, failing, undefined);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CacheSerializationError);
      expect((error as CacheSerializationError).code).toBe(CacheErrorCode.serialization);
      expect((error as CacheSerializationError).cause).toBeInstanceOf(TypeError);
    }
  });
});

describe('decodeEntry', () => {
  for (const [name, entry] of entries) {
    it(`reads what decodeEnvelope reads (${name})`, () => {
      const bytes = encodeEnvelope(entry, jsonSerializer);
      const { key: _key, ...expected } = decodeEnvelope(bytes, jsonSerializer);
      const decoded = decodeEntry(bytes, jsonSerializer, JSON_ID);
      expect({ ...decoded, key: undefined }).toEqual({ ...expected, key: undefined });
      expect(decoded.size).toBe(bytes.length);
      expect(decoded.tags).toEqual([...entry.tags]);
    });
  }

  it('refuses bytes of another serializer, corrupt and truncated bytes with CacheSerializationError', () => {
    const entry: StoredEntry = { value: { a: 1 }, createdAt: 1, expiresAt: undefined, tags: [] };
    const other: Serializer = { ...jsonSerializer, id: 'jsoo' };
    const foreign = encodeEnvelope(entry, other);
    const good = encodeEnvelope(entry, jsonSerializer);
    const badJson = Buffer.concat([good.subarray(0, good.length - 1), Buffer.from('!')]);
    const badUtf8 = Buffer.concat([good.subarray(0, good.length - 1), Buffer.from([0xff])]);
    const nanCreated = Buffer.from(good);
    nanCreated.writeDoubleLE(Number.NaN, 3 + 4);
    for (const bytes of [
      foreign,
      badJson,
      badUtf8,
      nanCreated,
      good.subarray(0, 20),
      Buffer.from('plain text'),
      Buffer.alloc(0),
    ]) {
      expect(() => decodeEntry(bytes, jsonSerializer, JSON_ID)).toThrow(CacheSerializationError);
    }
  });
});
