/**
 * The plain model the property tests compare a cache with: a `Map` of values with expiry
 * times, and a glob matcher written independently of core's.
 */

/** One operation of a generated sequence. */
export type ModelOp =
  | { op: 'get' | 'has' | 'delete'; key: string }
  | { op: 'set' | 'add' | 'getOrSet'; key: string; value: unknown; ttl: number | string | undefined }
  | { op: 'getMany' | 'deleteMany'; keys: string[] }
  | { op: 'setMany'; pairs: [string, unknown][]; ttl: number | string | undefined }
  | { op: 'keys' | 'clear'; prefix: string | undefined }
  | { op: 'deleteMatching'; pattern: string }
  | { op: 'advance'; ms: number };

interface ModelEntry {
  value: unknown;
  expiresAt: number | undefined;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** The model's own TTL parsing (numbers, and the few strings the generators use). */
export function modelTtl(ttl: number | string | undefined): number | undefined {
  if (ttl === undefined || typeof ttl === 'number') return ttl;
  const match = /^(\d+)(ms|s|m)$/.exec(ttl);
  if (!match) throw new Error(`the model does not know the ttl ${ttl}`);
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

/** Whether `key` matches a glob where `*` is any run and `?` one code point; nothing else is special. */
export function globMatches(pattern: string, key: string): boolean {
  const p = [...pattern];
  const k = [...key];
  // reach[j]: the first i pattern characters can match the first j key characters.
  let reach = new Array<boolean>(k.length + 1).fill(false);
  reach[0] = true;
  for (const char of p) {
    const next = new Array<boolean>(k.length + 1).fill(false);
    if (char === '*') {
      let any = false;
      for (let j = 0; j <= k.length; j++) {
        any = any || (reach[j] as boolean);
        next[j] = any;
      }
    } else {
      for (let j = 1; j <= k.length; j++)
        next[j] = (reach[j - 1] as boolean) && (char === '?' || k[j - 1] === char);
    }
    reach = next;
  }
  return reach[k.length] as boolean;
}

/** A map of entries with expiry; reads take the current time. */
export class CacheModel {
  readonly #entries = new Map<string, ModelEntry>();

  #live(key: string, now: number): ModelEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && now >= entry.expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  get(key: string, now: number): unknown {
    return this.#live(key, now)?.value;
  }

  has(key: string, now: number): boolean {
    return this.#live(key, now) !== undefined;
  }

  set(key: string, value: unknown, ttl: number | string | undefined, now: number): void {
    const ms = modelTtl(ttl);
    this.#entries.set(key, { value, expiresAt: ms === undefined ? undefined : now + ms });
  }

  add(key: string, value: unknown, ttl: number | string | undefined, now: number): boolean {
    if (this.has(key, now)) return false;
    this.set(key, value, ttl, now);
    return true;
  }

  delete(key: string, now: number): boolean {
    const existed = this.has(key, now);
    this.#entries.delete(key);
    return existed;
  }

  keys(prefix: string | undefined, now: number): string[] {
    return [...this.#entries.keys()]
      .filter((key) => this.has(key, now) && (prefix === undefined || key.startsWith(prefix)))
      .sort();
  }

  clear(prefix: string | undefined): void {
    for (const key of [...this.#entries.keys()])
      if (prefix === undefined || key.startsWith(prefix)) this.#entries.delete(key);
  }

  deleteMatching(pattern: string, now: number): number {
    const matched = this.keys(undefined, now).filter((key) => globMatches(pattern, key));
    for (const key of matched) this.#entries.delete(key);
    return matched.length;
  }
}
