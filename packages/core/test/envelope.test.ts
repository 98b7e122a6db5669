import { describe, expect, it } from 'vitest';
import { CacheSerializationError, jsonSerializer, type Serializer } from '../src/index.js';
import { decodeEnvelope, decodeEnvelopeHeader, encodeEnvelope } from '../src/backend.js';

const entry = { value: { n: 1 }, createdAt: 1000, expiresAt: 5000, staleUntil: 6000, tags: ['t1', 'é'] };
const upper: Serializer = {
  id: 'upper',
  serialize: (v) => new TextEncoder().encode(String(v).toUpperCase()),
  deserialize: (b) => new TextDecoder().decode(b),
};

describe('envelope', () => {
  it('round-trips an entry with its metadata and key', () => {
    const bytes = encodeEnvelope(entry, jsonSerializer, 'the/key🔑');
    const back = decodeEnvelope(bytes, jsonSerializer);
    expect(back).toEqual({ ...entry, key: 'the/key🔑', size: bytes.length });
    const header = decodeEnvelopeHeader(bytes);
    expect(header.serializerId).toBe('json');
    expect(header.tags).toEqual(['t1', 'é']);
  });

  it('encodes never-expiring entries as undefined expiry', () => {
    const bytes = encodeEnvelope({ value: 1, createdAt: 1, expiresAt: undefined, tags: [] }, jsonSerializer);
    const back = decodeEnvelope(bytes, jsonSerializer);
    expect(back.expiresAt).toBeUndefined();
    expect(back.staleUntil).toBeUndefined();
    expect(back.key).toBe('');
  });

  it('refuses truncated, corrupt and foreign bytes', () => {
    const bytes = encodeEnvelope(entry, jsonSerializer, 'k');
    for (let cut = 0; cut < bytes.length - 8; cut += 3) {
      expect(() => decodeEnvelope(bytes.subarray(0, cut), jsonSerializer)).toThrow(CacheSerializationError);
    }
    expect(() => decodeEnvelope(Buffer.from('hello world, not an envelope'), jsonSerializer)).toThrow(
      CacheSerializationError,
    );
    const wrongVersion = Buffer.from(bytes);
    wrongVersion[1] = 9;
    expect(() => decodeEnvelope(wrongVersion, jsonSerializer)).toThrow(CacheSerializationError);
  });

  it('refuses an entry written with another serializer, or decodes it when the reader knows it', () => {
    const bytes = encodeEnvelope({ ...entry, value: 'abc' }, upper);
    expect(() => decodeEnvelope(bytes, jsonSerializer)).toThrow(CacheSerializationError);
    const known = new Map([
      ['json', jsonSerializer],
      ['upper', upper],
    ]);
    expect(decodeEnvelope(bytes, known).value).toBe('ABC');
  });

  it('wraps a serializer failure in CacheSerializationError', () => {
    const broken: Serializer = {
      id: 'broken',
      serialize: () => {
        throw new Error('nope');
      },
      deserialize: () => {
        throw new Error('nope');
      },
    };
    expect(() => encodeEnvelope(entry, broken)).toThrow(CacheSerializationError);
    const bytes = encodeEnvelope(entry, { ...broken, serialize: () => new Uint8Array([1]) });
    expect(() => decodeEnvelope(bytes, broken)).toThrow(CacheSerializationError);
  });
});
