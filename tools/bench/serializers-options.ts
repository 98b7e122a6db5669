/**
 * msgpackr options on top of msgpack's records options, for the serializer benchmark
 * (serializers.ts): what each does, timed as raw codecs, and whether a message each writes decodes
 * alone (what a cache entry read by another process needs).
 */
import { isDeepStrictEqual } from 'node:util';
import * as msgpackr from 'msgpackr';
import { type Codec, RAW_OPTIONS } from './serializers-codecs.ts';
import { session } from './serializers-data.ts';

const RECORDS = { ...RAW_OPTIONS, useRecords: true, mapsAsObjects: false } as const;
export interface OptionVariant {
  name: string;
  options: object;
  note: string;
  timed: boolean;
}
export const OPTION_VARIANTS: OptionVariant[] = [
  {
    name: 'none (records: what msgpack writes)',
    options: {},
    note: 'one record definition per shape per message',
    timed: true,
  },
  {
    name: '`bundleStrings: true`',
    options: { bundleStrings: true },
    note: 'strings gathered in blocks per message, meant to speed up decoding',
    timed: true,
  },
  {
    name: '`progressiveRecords: true`',
    options: { progressiveRecords: true },
    note: 'one pass over the keys instead of two; a new record definition is inserted before values already written',
    timed: true,
  },
  {
    name: '`sequential: true`',
    options: { sequential: true },
    note: 'the writer keeps its structures across messages (shared structures without the store); timed as the shared-structures row above',
    timed: false,
  },
];
/** 64 shapes, then an object whose shape a previous message has already walked. */
const progressiveTrap = [
  Array.from({ length: 64 }, (_, i) => ({ [`k${i}`]: i })),
  { outer: { k0: 'again' } },
];
/**
 * Whether a fresh reader decodes each message of a fresh writer to an equal value, alone: a small
 * object, 64 shapes then a shape seen before, `mid` (the 10 KiB order), the session.
 */
export function decodesAlone(options: object, mid: unknown): boolean {
  const writer = new msgpackr.Packr({ ...RECORDS, ...options });
  const values = [{ outer: { k0: 1 } }, progressiveTrap, mid, session()];
  const stored = values.map((value) => Uint8Array.prototype.slice.call(writer.pack(value)));
  return values.every((value, i) => {
    try {
      return isDeepStrictEqual(
        new msgpackr.Unpackr({ ...RECORDS, ...options }).unpack(stored[i] as Uint8Array),
        value,
      );
    } catch {
      return false;
    }
  });
}
export const optionCodecs: Codec[] = OPTION_VARIANTS.filter((v) => v.timed).map((variant) => {
  const packr = new msgpackr.Packr({ ...RECORDS, ...variant.options });
  return {
    name: variant.name,
    note: variant.note,
    encode: (value) => packr.pack(value),
    decode: (stored) => packr.unpack(stored as Uint8Array),
  };
});
