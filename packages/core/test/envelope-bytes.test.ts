// writeEnvelope takes any Uint8Array (its public type), not only a Buffer: it writes through a
// Buffer view of the same memory.
import { describe, expect, it } from 'vitest';
import { jsonSerializer } from '../src/index.js';
import { decodeEnvelope, encodeEnvelope, prepareEnvelope, writeEnvelope } from '../src/backend.js';

const entry = { value: { n: 1 }, createdAt: 1000, expiresAt: 5000, tags: ['t1', 'é'] };

describe('writeEnvelope into a plain Uint8Array', () => {
  it('writes the bytes encodeEnvelope gives, at the offset, inside a view of a larger buffer', () => {
    const expected = encodeEnvelope(entry, jsonSerializer, 'key');
    const prepared = prepareEnvelope(entry, jsonSerializer, 'key');
    expect(prepared.size).toBe(expected.length);
    const backing = new ArrayBuffer(prepared.size + 16);
    const view = new Uint8Array(backing, 4, prepared.size + 8);
    const end = writeEnvelope(view, 3, prepared);
    expect(end).toBe(3 + prepared.size);
    expect([...view.subarray(3, end)]).toEqual([...expected]);
    // Nothing outside the written range changed.
    expect([...new Uint8Array(backing, 0, 7)]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(decodeEnvelope(view.subarray(3, end), jsonSerializer).value).toEqual({ n: 1 });
  });
});
