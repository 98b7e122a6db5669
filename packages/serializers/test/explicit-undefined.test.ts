// Options given as `undefined` (allowed by the types under `exactOptionalPropertyTypes`) are
// accepted and mean the defaults.
import { jsonSerializer } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { compressed, createMsgpackSerializer } from '../src/index.js';

describe('options given as undefined', () => {
  it('compressed: gzip over 1024 bytes, raw below', () => {
    const serializer = compressed(jsonSerializer, {
      algorithm: undefined,
      threshold: undefined,
      level: undefined,
      maxDecodedBytes: undefined,
    });
    const small = serializer.serialize('x'.repeat(10));
    expect(small[0]).toBe(0x00);
    const large = serializer.serialize('x'.repeat(2000));
    expect(large[0]).toBe(0x01);
    expect(serializer.deserialize(large)).toBe('x'.repeat(2000));
  });

  it('msgpack: copyBuffers defaults to true (a decoded buffer does not share the stored bytes)', () => {
    const serializer = createMsgpackSerializer({ copyBuffers: undefined });
    const bytes = serializer.serialize({ b: new Uint8Array([1, 2, 3]) });
    const decoded = serializer.deserialize(bytes) as { b: Uint8Array };
    expect([...decoded.b]).toEqual([1, 2, 3]);
    expect(decoded.b.buffer).not.toBe(bytes.buffer);
  });
});
