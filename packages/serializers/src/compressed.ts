/**
 * `compressed(serializer, options)`: wraps a serializer and compresses large payloads.
 *
 * Stored format: one header byte, then the payload.
 * - `0x00`: the inner serializer's bytes, stored as they are (below the threshold, or when
 *   compressing would not make them smaller).
 * - `0x01` gzip, `0x02` deflate (zlib format), `0x03` brotli: the inner bytes, compressed.
 *
 * The header names the algorithm, so a reader decodes entries whatever algorithm, level or
 * threshold the writer used; the id (`compressed+<inner id>`) therefore names only the inner
 * serializer, and changing the algorithm does not turn existing entries into misses.
 */
import { constants as bufferConstants } from 'node:buffer';
import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  deflateSync,
  gunzipSync,
  gzipSync,
  inflateSync,
} from 'node:zlib';
import { CacheConfigError, CacheSerializationError, type Serializer } from '@cache/core';
import { assertSerializer } from '@cache/core/backend';

/** The compression algorithms {@link compressed} can write. */
export type CompressionAlgorithm = 'gzip' | 'deflate' | 'brotli';

/** Options of {@link compressed}. */
export interface CompressedOptions {
  /**
   * The algorithm used to write. Reading accepts all of them.
   * @default 'gzip'
   */
  algorithm?: CompressionAlgorithm | undefined;
  /**
   * Payloads (the inner serializer's output) of at least this many bytes are compressed;
   * smaller ones are stored as they are.
   * @default 1024
   */
  threshold?: number | undefined;
  /**
   * Compression level: 0-9 for gzip and deflate, 0-11 for brotli.
   * @default 6 for gzip and deflate, 4 for brotli
   */
  level?: number | undefined;
  /**
   * The most bytes one entry may decompress to; more is a CacheSerializationError (this bounds
   * the memory a corrupt or hostile entry can take).
   * @default 268435456 (256 MiB)
   */
  maxDecodedBytes?: number | undefined;
}

const RAW = 0x00;
const HEADERS = { gzip: 0x01, deflate: 0x02, brotli: 0x03 } as const;
const MAX_LEVEL = { gzip: 9, deflate: 9, brotli: 11 } as const;
const DEFAULT_LEVEL = { gzip: 6, deflate: 6, brotli: 4 } as const;

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function withHeader(header: number, payload: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(payload.byteLength + 1);
  out[0] = header;
  out.set(payload, 1);
  return out;
}

/**
 * Wraps `serializer` so that payloads of at least `threshold` bytes are compressed with gzip,
 * deflate or brotli (synchronous `node:zlib`). The id is `compressed+<inner id>`.
 * @throws CacheConfigError for a missing serializer or bad options.
 */
export function compressed(serializer: Serializer, options: CompressedOptions = {}): Serializer {
  assertSerializer(serializer, 'the serializer of compressed()');
  const algorithm = options.algorithm ?? 'gzip';
  if (!Object.hasOwn(HEADERS, algorithm)) {
    throw new CacheConfigError(
      `compression algorithm must be gzip, deflate or brotli, not ${String(algorithm)}`,
    );
  }
  const threshold = options.threshold ?? 1024;
  if (!isNonNegativeInteger(threshold)) {
    throw new CacheConfigError('compression threshold must be a non-negative integer number of bytes');
  }
  const level = options.level ?? DEFAULT_LEVEL[algorithm];
  if (!isNonNegativeInteger(level) || level > MAX_LEVEL[algorithm]) {
    throw new CacheConfigError(`${algorithm} level must be an integer from 0 to ${MAX_LEVEL[algorithm]}`);
  }
  const maxOutputLength = options.maxDecodedBytes ?? 256 * 1024 * 1024;
  if (
    !isNonNegativeInteger(maxOutputLength) ||
    maxOutputLength === 0 ||
    maxOutputLength > bufferConstants.MAX_LENGTH
  ) {
    throw new CacheConfigError('maxDecodedBytes must be a positive integer no larger than the Buffer limit');
  }
  const header = HEADERS[algorithm];

  function compress(payload: Uint8Array): Uint8Array {
    switch (algorithm) {
      case 'gzip':
        return gzipSync(payload, { level });
      case 'deflate':
        return deflateSync(payload, { level });
      default:
        return brotliCompressSync(payload, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: level,
            [constants.BROTLI_PARAM_SIZE_HINT]: payload.byteLength,
          },
        });
    }
  }

  function decompress(kind: number, body: Uint8Array): Uint8Array {
    try {
      if (kind === HEADERS.gzip) return gunzipSync(body, { maxOutputLength });
      if (kind === HEADERS.deflate) return inflateSync(body, { maxOutputLength });
      return brotliDecompressSync(body, { maxOutputLength });
    } catch (cause) {
      throw new CacheSerializationError('stored bytes cannot be decompressed', { cause });
    }
  }

  return {
    id: `compressed+${serializer.id}`,
    serialize(value: unknown): Uint8Array {
      const payload = serializer.serialize(value);
      if (payload.byteLength < threshold) return withHeader(RAW, payload);
      let packed: Uint8Array;
      try {
        packed = compress(payload);
      } catch (cause) {
        throw new CacheSerializationError(`${algorithm} compression failed`, { cause });
      }
      return packed.byteLength < payload.byteLength ? withHeader(header, packed) : withHeader(RAW, payload);
    },
    deserialize(bytes: Uint8Array): unknown {
      const kind = bytes[0];
      if (kind === RAW) return serializer.deserialize(bytes.subarray(1));
      if (kind !== HEADERS.gzip && kind !== HEADERS.deflate && kind !== HEADERS.brotli) {
        throw new CacheSerializationError('stored bytes do not start with a known compression header');
      }
      return serializer.deserialize(decompress(kind, bytes.subarray(1)));
    },
  };
}
