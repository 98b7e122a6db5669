// The stored format, pinned: entries written by earlier versions must stay readable, so these
// bytes never change without a new format version. ENVELOPE_LAYOUT must describe them.
import { describe, expect, it } from 'vitest';
import { jsonSerializer } from '../src/index.js';
import { decodeEnvelope, ENVELOPE_LAYOUT, encodeEnvelope } from '../src/backend.js';

const entry = {
  value: { a: [1, 'é'] },
  createdAt: 1_700_000_000_123,
  expiresAt: 1_700_000_060_000,
  staleUntil: 1_700_000_090_000,
  tags: ['users', 'grüße'],
};

/** The envelope of `entry` with the key 'k/🔑', field by field. */
const PINNED = [
  'ca', // magic
  '01', // version
  '04', // serializer id length
  '6a736f6e', // 'json'
  '00b08756febc7842', // createdAt
  '00002665febc7842', // expiresAt
  '0000796cfebc7842', // staleUntil
  '0200', // tag count
  '0500', // tag length
  '7573657273', // 'users'
  '0700', // tag length
  '6772c3bcc39f65', // 'grüße'
  '0600', // key length
  '6b2ff09f9491', // 'k/🔑'
  '7b2261223a5b312c22c3a9225d7d', // '{"a":[1,"é"]}'
].join('');

describe('the envelope layout', () => {
  it('encodes a known entry to exactly the pinned bytes, and decodes them back', () => {
    const bytes = encodeEnvelope(entry, jsonSerializer, 'k/🔑');
    expect(bytes.toString('hex')).toBe(PINNED);
    expect(decodeEnvelope(Buffer.from(PINNED, 'hex'), jsonSerializer)).toEqual({
      ...entry,
      key: 'k/🔑',
      size: PINNED.length / 2,
    });
  });

  it('encodes an untagged, never-expiring entry without a key to the pinned bytes', () => {
    const bytes = encodeEnvelope(
      { value: null, createdAt: 1.5, expiresAt: undefined, tags: [] },
      jsonSerializer,
    );
    expect(bytes.toString('hex')).toBe(
      'ca01046a736f6e' +
        '000000000000f83f' +
        '000000000000f87f' +
        '000000000000f87f' +
        '0000' +
        '0000' +
        '6e756c6c',
    );
  });

  it('names the offsets and sizes of the pinned bytes', () => {
    expect(ENVELOPE_LAYOUT).toEqual({
      magic: 0xca,
      version: 1,
      magicOffset: 0,
      versionOffset: 1,
      idLengthOffset: 2,
      idOffset: 3,
      maxIdBytes: 255,
      createdAtOffset: 0,
      expiresAtOffset: 8,
      staleUntilOffset: 16,
      tagCountOffset: 24,
      timeSize: 8,
      lengthSize: 2,
      fixedSize: 26,
    });
    const bytes = Buffer.from(PINNED, 'hex');
    const L = ENVELOPE_LAYOUT;
    expect(bytes[L.magicOffset]).toBe(L.magic);
    expect(bytes[L.versionOffset]).toBe(L.version);
    expect(bytes[L.idLengthOffset]).toBe(4);
    expect(bytes.toString('utf8', L.idOffset, L.idOffset + 4)).toBe('json');
    const fields = L.idOffset + 4;
    expect(bytes.readDoubleLE(fields + L.createdAtOffset)).toBe(entry.createdAt);
    expect(bytes.readDoubleLE(fields + L.expiresAtOffset)).toBe(entry.expiresAt);
    expect(bytes.readDoubleLE(fields + L.staleUntilOffset)).toBe(entry.staleUntil);
    expect(bytes.readUInt16LE(fields + L.tagCountOffset)).toBe(2);
    expect(L.tagCountOffset + L.lengthSize).toBe(L.fixedSize);
    expect(bytes.readUInt16LE(fields + L.fixedSize)).toBe('users'.length);
  });
});
