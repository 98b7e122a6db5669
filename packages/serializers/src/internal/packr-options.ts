/** The msgpackr options of the msgpack serializer (shared with the tests that compare bytes). */
import { CacheSerializationError } from '@cache/core';

export const PACKR_OPTIONS = {
  useRecords: true,
  mapsAsObjects: false,
  moreTypes: true,
  useBigIntExtension: true,
  int64AsType: 'bigint',
  useToJSON: false,
  writeFunction: () => {
    throw new CacheSerializationError('msgpack cannot round-trip a function');
  },
} as const;
