/**
 * The export format: JSON Lines (UTF-8, one JSON object per line, `\n` between lines).
 *
 * - Line 1, the header: `{"format":"@cache/export","version":1}`.
 * - Then one entry per line: `{"key":string,"value":string,"expiresAt":number|null,"tags":string[]}`.
 *   `value` is the entry's value encoded by core's `jsonSerializer` (typed JSON), as a JSON string:
 *   the text `{"a":1}` is written `"{\"a\":1}"`, and a `Date`, `Map`, `Set`, `BigInt`, `Buffer`...
 *   keeps its type through the typed JSON text. `expiresAt` is epoch ms, `null` for never.
 *
 * Keeping the serializer's text whole (rather than splicing it into the line) makes decoding the
 * exact inverse of encoding for every value the serializer takes, whatever form its text has.
 */
import { CacheSerializationError, jsonSerializer } from '@cache/core';

/** The value of the header's `format`. */
export const EXPORT_FORMAT = '@cache/export';
/** The version of the export format this package writes and reads. */
export const EXPORT_VERSION = 1;
/** The first line of an export, without its newline. */
export const EXPORT_HEADER = JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION });

/** One entry as an export holds it, decoded. */
export interface ExportedEntry<V = unknown> {
  key: string;
  value: V;
  /** Epoch ms; `undefined` for never. */
  expiresAt: number | undefined;
  tags: readonly string[];
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * One line of an export (without its newline).
 * @throws CacheSerializationError for a value that typed JSON cannot encode.
 */
export function encodeExportLine(entry: ExportedEntry): string {
  const bytes = jsonSerializer.serialize(entry.value);
  return JSON.stringify({
    key: entry.key,
    value: decoder.decode(bytes),
    expiresAt: entry.expiresAt ?? null,
    tags: entry.tags,
  });
}

/**
 * Checks the header line of an export.
 * @throws CacheSerializationError when it is not the header of a version this package reads.
 */
export function checkExportHeader(line: string | undefined): void {
  let header: unknown;
  try {
    header = line === undefined ? undefined : JSON.parse(line);
  } catch {
    header = undefined;
  }
  const h = header as { format?: unknown; version?: unknown } | undefined;
  if (h === null || typeof h !== 'object' || h.format !== EXPORT_FORMAT)
    throw new CacheSerializationError(`not an export: the first line is not a ${EXPORT_FORMAT} header`);
  if (h.version !== EXPORT_VERSION)
    throw new CacheSerializationError(
      `an export of version ${String(h.version)}; this package reads version ${EXPORT_VERSION}`,
    );
}

/**
 * Decodes one entry line: the exact inverse of {@link encodeExportLine}.
 * @throws CacheSerializationError for a line that is not an entry (the error names `lineNumber`).
 */
export function decodeExportLine(line: string, lineNumber: number): ExportedEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (cause) {
    throw new CacheSerializationError(`line ${lineNumber} of the export is not JSON`, { cause });
  }
  const r = raw as { key?: unknown; value?: unknown; expiresAt?: unknown; tags?: unknown } | null;
  if (
    r === null ||
    typeof r !== 'object' ||
    typeof r.key !== 'string' ||
    typeof r.value !== 'string' ||
    !(r.expiresAt === null || (typeof r.expiresAt === 'number' && Number.isFinite(r.expiresAt))) ||
    !Array.isArray(r.tags) ||
    !r.tags.every((t) => typeof t === 'string')
  )
    throw new CacheSerializationError(`line ${lineNumber} of the export is not an entry`);
  const key = r.key;
  let value: unknown;
  try {
    value = jsonSerializer.deserialize(Buffer.from(r.value, 'utf8'));
  } catch (cause) {
    throw new CacheSerializationError(
      `line ${lineNumber} of the export holds a value that cannot be decoded`,
      {
        cause,
        key,
      },
    );
  }
  return { key, value, expiresAt: r.expiresAt ?? undefined, tags: r.tags as string[] };
}
