/**
 * The snapshot file of `MemoryCache`: UTF-8 JSON Lines.
 *
 * Line 1 is the header: `{"format":"@cache/backend-memory:snapshot","version":1,
 * "serializer":"json","writtenAt":<epoch ms>,"entries":<n>}`. Each following line is one entry:
 * `{"k":key,"c":createdAt,"e":expiresAt?,"s":staleUntil?,"t":[tags]?,"v":value}` where `v` is the
 * value as JSON when the serializer is `json` and the value is plain JSON; with any other
 * serializer, and for a value in typed JSON's tagged form (`~1...`, not JSON), it is
 * `"b":"<base64 of the serializer's bytes>"` instead. Absent `e`/`s`/`t` mean never / none. A file whose header,
 * line count or any line does not fit this is rejected whole (the cache then starts empty).
 * Files are written atomically: to a temporary file in the same directory (`<path>.<pid>.<random>.tmp`,
 * created exclusively), flushed, then renamed. Reading the file is `internal/snapshot-file.ts`.
 */
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CacheSerializationError } from '@cache/core';
import { validateTags } from '@cache/core/backend';
import { tempPathFor } from './internal/snapshot-file.js';

/** The `format` of the header line. */
export const SNAPSHOT_FORMAT = '@cache/backend-memory:snapshot';
/** The format version this package writes and reads. */
export const SNAPSHOT_VERSION = 1;

/** One entry as a snapshot holds it. Exactly one of `value` (plain json) or `payload` (other serializers, typed JSON's tagged form) is set. */
export interface SnapshotEntry {
  key: string;
  createdAt: number;
  expiresAt: number | undefined;
  staleUntil: number | undefined;
  tags: readonly string[];
  /** The value, when the serializer is json. */
  value?: unknown;
  /** The serializer's bytes, for any other serializer. */
  payload?: Uint8Array;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const TILDE = 0x7e;

/** One entry line; `payload` is the serializer's output (JSON text for the json serializer). */
export function encodeSnapshotLine(
  key: string,
  createdAt: number,
  expiresAt: number | undefined,
  staleUntil: number | undefined,
  tags: readonly string[],
  payload: Uint8Array,
  json: boolean,
): string {
  let line = `{"k":${JSON.stringify(key)},"c":${createdAt}`;
  if (expiresAt !== undefined) line += `,"e":${expiresAt}`;
  if (staleUntil !== undefined) line += `,"s":${staleUntil}`;
  if (tags.length > 0) line += `,"t":${JSON.stringify(tags)}`;
  // Typed JSON's tagged form starts with ~ and is not JSON: stored as bytes, as other serializers'.
  line +=
    json && payload[0] !== TILDE
      ? `,"v":${decoder.decode(payload)}}`
      : `,"b":"${Buffer.from(payload).toString('base64')}"}`;
  return line;
}

/** The header line. */
export function encodeSnapshotHeader(serializerId: string, writtenAt: number, entries: number): string {
  return JSON.stringify({
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    serializer: serializerId,
    writtenAt,
    entries,
  });
}

function bad(message: string, cause?: unknown): CacheSerializationError {
  return new CacheSerializationError(`snapshot rejected: ${message}`, cause === undefined ? {} : { cause });
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Reads a snapshot written by {@link encodeSnapshotHeader} and {@link encodeSnapshotLine}.
 * @throws CacheSerializationError for a corrupt, truncated or foreign file, or another serializer's.
 */
export function decodeSnapshot(text: string, serializerId: string): SnapshotEntry[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let header: unknown;
  try {
    header = JSON.parse(lines[0] ?? '');
  } catch (cause) {
    throw bad('the header is not JSON', cause);
  }
  const h = header as Record<string, unknown> | null;
  if (h === null || typeof h !== 'object' || h.format !== SNAPSHOT_FORMAT)
    throw bad('not a memory cache snapshot');
  if (h.version !== SNAPSHOT_VERSION) throw bad(`unsupported version ${String(h.version)}`);
  if (h.serializer !== serializerId)
    throw bad(`written with the ${String(h.serializer)} serializer, not ${serializerId}`);
  if (h.entries !== lines.length - 1)
    throw bad(`the header announces ${String(h.entries)} entries, found ${lines.length - 1}`);
  const json = serializerId === 'json';
  const entries: SnapshotEntry[] = new Array(lines.length - 1);
  for (let i = 1; i < lines.length; i++) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(lines[i] as string);
    } catch (cause) {
      throw bad(`line ${i + 1} is not JSON`, cause);
    }
    const { k, c, e, s, t } = parsed;
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      typeof k !== 'string' ||
      k === '' ||
      !isTime(c) ||
      (e !== undefined && !isTime(e)) ||
      (s !== undefined && !isTime(s)) ||
      (t !== undefined && !validTags(t)) ||
      (json ? !('v' in parsed) && typeof parsed.b !== 'string' : typeof parsed.b !== 'string')
    ) {
      throw bad(`line ${i + 1} is not an entry`);
    }
    const entry: SnapshotEntry = {
      key: k,
      createdAt: c,
      expiresAt: e,
      staleUntil: s,
      tags: (t as string[]) ?? [],
    };
    if (json && 'v' in parsed) entry.value = parsed.v;
    else entry.payload = Buffer.from(parsed.b as string, 'base64');
    entries[i - 1] = entry;
  }
  return entries;
}

/** Whether a line's tags pass core's tag check (an ill-formed tag makes the line not an entry). */
function validTags(tags: unknown): boolean {
  try {
    validateTags(tags);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes a file atomically: a temporary file beside it (created exclusively, never through a
 * link), flushed to disk, then renamed over it.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
