/** Reads an export line by line from a path or a stream, holding one line at a time. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ReadableLike } from '../streams.js';
import { CacheSerializationError } from '@cache/core';
import { checkExportHeader, decodeExportLine, type ExportedEntry } from '../export-format.js';

/**
 * The entries of an export, or for a line that is not an entry the `CacheSerializationError`
 * that says so (the reader goes on). A stream is read to its end (or until the caller stops).
 * @throws CacheSerializationError when the first line is not a header this package reads.
 */
export async function* readExport(
  input: string | ReadableLike,
): AsyncGenerator<ExportedEntry | CacheSerializationError> {
  const stream = typeof input === 'string' ? createReadStream(input) : (input as unknown as Readable);
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (lineNumber === 1) {
        checkExportHeader(line);
        continue;
      }
      if (line.length === 0) continue;
      try {
        yield decodeExportLine(line, lineNumber);
      } catch (error) {
        if (!(error instanceof CacheSerializationError)) throw error;
        yield error;
      }
    }
    if (lineNumber === 0) checkExportHeader(undefined);
  } finally {
    lines.close();
    if (typeof input === 'string') stream.destroy();
  }
}
