/** Formatting of values, times and sizes for people (tables) and for scripts (JSON lines). */

/**
 * A value as JSON text, for output: what `JSON.stringify` writes for plain values; a `Map` becomes
 * an object (or an array of pairs when a key is not a string), a `Set` an array, a `bigint` its
 * decimal text, bytes their base64 text, `undefined` `null`, a `RegExp` its source text.
 */
export function toJsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value === undefined ? null : value, replacer, indent);
}

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (typeof raw === 'bigint') return raw.toString();
  if (raw instanceof Uint8Array)
    return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  if (raw instanceof Map) {
    const entries = [...raw.entries()];
    return entries.every(([k]) => typeof k === 'string') ? Object.fromEntries(entries) : entries;
  }
  if (raw instanceof Set) return [...raw];
  if (raw instanceof RegExp) return String(raw);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

/** The bytes of a value for `--raw` and `--hex`: bytes as they are, a string as UTF-8, else JSON text. */
export function toBytes(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.from(toJsonText(value), 'utf8');
}

/** `1.5 s`, `3m 20s`, `2h 5m`, `4d 3h`; `-` for undefined. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.floor(s);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${sec}s`;
}

/** `512 B`, `1.5 KiB`, `3.2 MiB`; `-` for undefined. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} ${units[0]}` : `${n.toFixed(1)} ${units[unit]}`;
}

/** An epoch-ms time as ISO 8601; `-` for undefined. */
export function formatTime(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString();
}

/** Milliseconds with three significant decimals at most (latencies). */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
