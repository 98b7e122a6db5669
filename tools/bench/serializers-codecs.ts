/**
 * The codecs of the serializer benchmark (serializers.ts): plain JSON with and without the UTF-8
 * step, core's typed JSON, @cache/serializers (msgpack and its slow path, v8, compressed) and raw
 * msgpackr (records, maps, shared structures), each with the note the report prints.
 */
import * as msgpackr from 'msgpackr';
import { jsonSerializer } from '@cache/core';
import { compressed, msgpack, v8 } from '@cache/serializers';
import { Inspector } from '@cache/serializers/internal/inspect';

export interface Codec {
  name: string;
  note: string;
  encode(value: unknown): Uint8Array | string;
  decode(stored: Uint8Array | string): unknown;
}

const fromSerializer = (name: string, note: string, s: typeof msgpack): Codec => ({
  name,
  note,
  encode: (value) => s.serialize(value),
  decode: (stored) => s.deserialize(stored as Uint8Array),
});

export const RAW_OPTIONS = {
  moreTypes: true,
  useBigIntExtension: true,
  int64AsType: 'bigint',
  useToJSON: false,
} as const;
const rawRecords = new msgpackr.Packr({ ...RAW_OPTIONS, useRecords: true, mapsAsObjects: false });
const slowInspector = new Inspector();
const rawMaps = new msgpackr.Packr({ ...RAW_OPTIONS, useRecords: false, mapsAsObjects: true });
const sharedStructures: object[] = [];
const rawShared = new msgpackr.Packr({
  ...RAW_OPTIONS,
  useRecords: true,
  mapsAsObjects: false,
  structures: sharedStructures,
});

export const codecs: Codec[] = [
  {
    name: 'JSON.stringify/parse',
    note:
      'plain JSON on JS strings: no UTF-8 step and no checks. A cache stores bytes, so it cannot store this ' +
      'as it is; it is the lowest bar, not like for like',
    encode: (value) => JSON.stringify(value),
    decode: (stored) => JSON.parse(stored as string),
  },
  {
    name: 'JSON + UTF-8',
    note:
      'plain JSON with the UTF-8 step a cache that stores bytes needs: `Buffer.from(JSON.stringify(v))` / ' +
      '`JSON.parse(bytes.toString())`, no checks: the like-for-like JSON baseline',
    encode: (value) => Buffer.from(JSON.stringify(value), 'utf8'),
    decode: (stored) => JSON.parse((stored as Buffer).toString('utf8')),
  },
  fromSerializer(
    'typed JSON',
    "core's jsonSerializer (id `json`), the default of every backend that stores bytes: typed JSON, i.e. for plain values " +
      'one pass that checks and writes the UTF-8 bytes of JSON (the general path, a walk + `JSON.stringify` + `Buffer.from`, ' +
      'past 64 KiB and for values that need tags), and an ASCII check + Latin-1 read (a fatal `TextDecoder` for other bytes) ' +
      '+ `JSON.parse` (+ a revive pass only for the tagged form)',
    jsonSerializer,
  ),
  fromSerializer(
    'msgpack',
    '@cache/serializers msgpack (records per message, every check): plain data such as these values is checked and written in ' +
      "one pass, and read back by msgpack's own reader (record readers kept across messages, msgpackr's native string extractor)",
    msgpack,
  ),
  {
    name: 'msgpack slow path',
    note:
      "msgpack's checked slow path, the Inspector pre-pass then msgpackr (same bytes, same decode): what values the one-pass " +
      'encoder declines cost (`-0`, `RegExp`, null-prototype objects, `__proto__` keys, huge `bigint`, >64 shapes), and ' +
      'what every value cost before the one-pass encoder',
    encode: (value) => {
      slowInspector.inspect(value);
      // as msgpack writes it: a header byte, and small results copied out of msgpackr's buffer
      const packed = rawRecords.pack(value, msgpackr.RESERVE_START_SPACE | 1);
      packed[0] = 0;
      return packed.byteLength * 2 < packed.buffer.byteLength
        ? Uint8Array.prototype.slice.call(packed)
        : packed;
    },
    decode: (stored) => msgpack.deserialize(stored as Uint8Array),
  },
  {
    name: 'msgpackr records (raw)',
    note: 'msgpackr Packr, useRecords: true, no checks: the bytes msgpack writes, as msgpackr writes them',
    encode: (value) => rawRecords.pack(value),
    decode: (stored) => rawRecords.unpack(stored as Uint8Array),
  },
  {
    name: 'msgpackr maps (raw)',
    note: 'msgpackr Packr, useRecords: false (standard MessagePack maps), no checks',
    encode: (value) => rawMaps.pack(value),
    decode: (stored) => rawMaps.unpack(stored as Uint8Array),
  },
  {
    name: 'msgpackr shared structures (raw)',
    note: 'records with structures shared in this process; other processes would need them too',
    encode: (value) => rawShared.pack(value),
    decode: (stored) => rawShared.unpack(stored as Uint8Array),
  },
  fromSerializer('v8', '@cache/serializers v8 (node:v8 structured clone)', v8),
  fromSerializer(
    'gzip+msgpack',
    'compressed(msgpack, { algorithm: gzip }), 1 KiB threshold',
    compressed(msgpack),
  ),
  fromSerializer(
    'deflate+msgpack',
    'compressed(msgpack, { algorithm: deflate }), 1 KiB threshold',
    compressed(msgpack, { algorithm: 'deflate' }),
  ),
  fromSerializer(
    'brotli+msgpack',
    'compressed(msgpack, { algorithm: brotli }) (quality 4), 1 KiB threshold',
    compressed(msgpack, { algorithm: 'brotli' }),
  ),
  fromSerializer(
    'gzip+json',
    'compressed(typed JSON, { algorithm: gzip }), 1 KiB threshold',
    compressed(jsonSerializer),
  ),
];
