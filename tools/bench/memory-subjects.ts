/**
 * The subjects of the memory benchmark: our `MemoryCache` (async API and sync fast path, default
 * policy and `policy: 'lru'`) beside the in-process caches users would otherwise pick, and, for a
 * before/after comparison, the same four MemoryCache subjects built from another checkout.
 *
 * Each subject makes an instance bounded to `capacity` entries and names the object and the
 * method names the benchmark loops call (`target[get](key)`, `target[set](key, value)`), so the
 * loops call each library the way its users do, with no adapter in between where possible.
 * Async subjects are called with `await` on every operation.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { createCache } from 'cache-manager';
import { Cacheable, createKeyv } from 'cacheable';
import { CacheableMemory } from '@cacheable/memory';
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';

/** How a subject is called: `sync` returns values, `async` returns promises that are awaited. */
type SubjectKind = 'sync' | 'async';

/**
 * Which reference a subject is: ours, ours from the baseline checkout, the lru-cache references, a
 * Map, or a peer library.
 */
type SubjectGroup = 'ours' | 'baseline' | 'lru-sync' | 'lru-async' | 'map' | 'sync-lib' | 'async-lib';

/** A live instance of a subject. */
export interface SubjectInstance {
  /** The object whose methods the loops call. */
  readonly target: object;
  /** The method name of a read. */
  readonly get: string;
  /** The method name of a write `(key, value)`. */
  readonly set: string;
  /** Releases timers and connections. */
  close(): Promise<void> | void;
}

/** One thing measured. */
export interface Subject {
  /** Short id (command-line filter, child process argument). */
  readonly id: string;
  /** Row label in the tables. */
  readonly label: string;
  readonly kind: SubjectKind;
  readonly group: SubjectGroup;
  /** How it is configured, for the doc. */
  readonly config: string;
  /** The subject whose bytes-per-entry figure this one shares (same object, other call style). */
  readonly heapOf?: string;
  /** For a baseline subject: the id of the same subject on the current build. */
  readonly baselineOf?: string;
  create(capacity: number): Promise<SubjectInstance>;
}

/** The part of `MemoryCache` the benchmark uses; its sync method names are found at run time. */
interface MemoryCacheLike {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  close(): Promise<void>;
}
type MemoryCacheCtor = new (options: Record<string, unknown>) => MemoryCacheLike;

/** Stands in for `MemoryCache` until `@cache/backend-memory` is built: a Map with FIFO eviction. */
class PlaceholderMemoryCache implements MemoryCacheLike {
  readonly #map = new Map<string, unknown>();
  readonly #max: number;
  constructor(options: Record<string, unknown>) {
    this.#max = typeof options.maxEntries === 'number' ? options.maxEntries : Number.POSITIVE_INFINITY;
  }
  getSync(key: string): unknown {
    return this.#map.get(key);
  }
  setSync(key: string, value: unknown): void {
    if (this.#map.size >= this.#max && !this.#map.has(key)) {
      this.#map.delete(this.#map.keys().next().value as string);
    }
    this.#map.set(key, value);
  }
  async get(key: string): Promise<unknown> {
    return this.getSync(key);
  }
  async set(key: string, value: unknown): Promise<void> {
    this.setSync(key, value);
  }
  async close(): Promise<void> {}
}

interface LoadedMemoryCache {
  ctor: MemoryCacheCtor;
  placeholder: boolean;
  syncGet: string;
  syncSet: string;
}

const loaded = new Map<string, Promise<LoadedMemoryCache>>();

/**
 * Loads `MemoryCache`: with no `packageDir`, from the built `@cache/backend-memory` of this checkout
 * (or the placeholder when it is not built); with one (another checkout's `packages/backend-memory`),
 * from that directory's `dist/index.js`, which resolves its own `@cache/core` from that checkout.
 */
export function loadMemoryCache(packageDir?: string): Promise<LoadedMemoryCache> {
  const key = packageDir ?? '';
  let promise = loaded.get(key);
  if (!promise) {
    promise = packageDir === undefined ? loadCurrent() : loadBaseline(packageDir);
    loaded.set(key, promise);
  }
  return promise;
}

async function loadCurrent(): Promise<LoadedMemoryCache> {
  if (process.env.BENCH_MEMORY_PLACEHOLDER !== '1') {
    try {
      const specifier = '@cache/backend-memory';
      const mod = (await import(specifier)) as { MemoryCache?: MemoryCacheCtor };
      if (typeof mod.MemoryCache === 'function') return withSyncPath(mod.MemoryCache, false);
    } catch {
      // not built yet: keep the placeholder
    }
  }
  return withSyncPath(PlaceholderMemoryCache, true);
}

async function loadBaseline(packageDir: string): Promise<LoadedMemoryCache> {
  const entry = path.resolve(packageDir, 'dist/index.js');
  if (!existsSync(entry)) {
    throw new Error(`--baseline: ${entry} not found (build that checkout's @cache/backend-memory first)`);
  }
  const mod = (await import(pathToFileURL(entry).href)) as { MemoryCache?: MemoryCacheCtor };
  if (typeof mod.MemoryCache !== 'function') throw new Error(`--baseline: ${entry} exports no MemoryCache`);
  return withSyncPath(mod.MemoryCache, false);
}

function withSyncPath(ctor: MemoryCacheCtor, placeholder: boolean): LoadedMemoryCache {
  const proto = ctor.prototype as Record<string, unknown>;
  const syncGet = ['getSync', 'peek'].find((m) => typeof proto[m] === 'function');
  const syncSet = ['setSync'].find((m) => typeof proto[m] === 'function');
  if (!syncGet || !syncSet) throw new Error('MemoryCache has no sync fast path (getSync/peek, setSync)');
  return { ctor, placeholder, syncGet, syncSet };
}

/** A MemoryCache subject; with `baselineDir`, the same subject built from that checkout. */
function memorySubject(
  id: string,
  label: string,
  kind: SubjectKind,
  policy: string | undefined,
  baselineDir?: string,
): Subject {
  const options = (capacity: number): Record<string, unknown> =>
    policy ? { maxEntries: capacity, policy } : { maxEntries: capacity };
  const suffix = baselineDir === undefined ? '' : '-baseline';
  return {
    id: `${id}${suffix}`,
    label: baselineDir === undefined ? label : `${label} (baseline)`,
    kind,
    group: baselineDir === undefined ? 'ours' : 'baseline',
    ...(kind === 'async' ? { heapOf: `${id.replace(/-async$/, '-sync')}${suffix}` } : {}),
    ...(baselineDir === undefined ? {} : { baselineOf: id }),
    config: `new MemoryCache({ maxEntries${policy ? `, policy: '${policy}'` : ''} })${baselineDir === undefined ? '' : ` from ${baselineDir}`}`,
    async create(capacity) {
      const m = await loadMemoryCache(baselineDir);
      const cache = new m.ctor(options(capacity));
      return kind === 'async'
        ? { target: cache, get: 'get', set: 'set', close: () => cache.close() }
        : { target: cache, get: m.syncGet, set: m.syncSet, close: () => cache.close() };
    },
  };
}

/** The four MemoryCache subjects (sync and async, default policy and `lru`), of this or another build. */
function memorySubjects(baselineDir?: string): Subject[] {
  return [
    memorySubject('memory-async', 'MemoryCache async (default policy)', 'async', undefined, baselineDir),
    memorySubject('memory-sync', 'MemoryCache sync (default policy)', 'sync', undefined, baselineDir),
    memorySubject('memory-lru-async', "MemoryCache async (policy 'lru')", 'async', 'lru', baselineDir),
    memorySubject('memory-lru-sync', "MemoryCache sync (policy 'lru')", 'sync', 'lru', baselineDir),
  ];
}

/** lru-cache behind an async function, as a cache with an async API would call it. */
class AsyncLru {
  readonly #lru: LRUCache<string, object>;
  constructor(max: number) {
    this.#lru = new LRUCache<string, object>({ max });
  }
  async get(key: string): Promise<unknown> {
    return this.#lru.get(key);
  }
  async set(key: string, value: unknown): Promise<void> {
    this.#lru.set(key, value as object);
  }
}

/** A plain Map; a write of a new key at capacity first deletes the oldest key (a ring of keys, FIFO). */
class FifoMap {
  readonly #map = new Map<string, unknown>();
  readonly #ring: string[];
  #head = 0;
  constructor(max: number) {
    this.#ring = new Array<string>(max);
  }
  get(key: string): unknown {
    return this.#map.get(key);
  }
  set(key: string, value: unknown): void {
    const map = this.#map;
    if (!map.has(key)) {
      const ring = this.#ring;
      if (map.size >= ring.length) map.delete(ring[this.#head]!);
      ring[this.#head] = key;
      this.#head = this.#head + 1 === ring.length ? 0 : this.#head + 1;
    }
    map.set(key, value);
  }
}

/** bentocache's documented call shape (`get({ key })`, `set({ key, value })`). */
class BentoAdapter {
  readonly bento: BentoCache<{ memory: ReturnType<typeof bentostore> }>;
  constructor(maxItems: number) {
    this.bento = new BentoCache({
      default: 'memory',
      stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems })) },
    });
  }
  get(key: string): Promise<unknown> {
    return this.bento.get({ key });
  }
  set(key: string, value: unknown): Promise<boolean> {
    return this.bento.set({ key, value });
  }
}

/**
 * Every subject, in table order; with `baselineDir` (another checkout's `packages/backend-memory`),
 * the MemoryCache subjects built there follow ours, with ids ending in `-baseline`.
 */
export function allSubjects(baselineDir?: string): Subject[] {
  return [...memorySubjects(), ...(baselineDir === undefined ? [] : memorySubjects(baselineDir)), ...peers];
}

/** The subjects that are not MemoryCache. */
const peers: readonly Subject[] = [
  {
    id: 'lru-cache-sync',
    label: 'lru-cache (sync)',
    kind: 'sync',
    group: 'lru-sync',
    config: 'new LRUCache({ max })',
    async create(capacity) {
      const lru = new LRUCache<string, object>({ max: capacity });
      return { target: lru, get: 'get', set: 'set', close: () => {} };
    },
  },
  {
    id: 'lru-cache-async',
    label: 'lru-cache (async-wrapped)',
    kind: 'async',
    group: 'lru-async',
    heapOf: 'lru-cache-sync',
    config: 'new LRUCache({ max }) behind `async get(k) { return lru.get(k) }` (and set)',
    async create(capacity) {
      return { target: new AsyncLru(capacity), get: 'get', set: 'set', close: () => {} };
    },
  },
  {
    id: 'map',
    label: 'Map (FIFO at capacity)',
    kind: 'sync',
    group: 'map',
    config:
      'a plain Map plus a ring of its keys; a write of a new key at capacity deletes the oldest key first (FIFO)',
    async create(capacity) {
      return { target: new FifoMap(capacity), get: 'get', set: 'set', close: () => {} };
    },
  },
  {
    id: 'cacheable-memory',
    label: '@cacheable/memory',
    kind: 'sync',
    group: 'sync-lib',
    config: 'new CacheableMemory({ lruSize }) (sync API, defaults otherwise: useClone true)',
    async create(capacity) {
      const c = new CacheableMemory({ lruSize: capacity });
      return { target: c, get: 'get', set: 'set', close: () => {} };
    },
  },
  {
    id: 'bentocache',
    label: 'bentocache (memory)',
    kind: 'async',
    group: 'async-lib',
    config:
      "new BentoCache({ default: 'memory', stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems })) } }); get({ key }), set({ key, value })",
    async create(capacity) {
      const a = new BentoAdapter(capacity);
      return { target: a, get: 'get', set: 'set', close: () => a.bento.disconnect() };
    },
  },
  {
    id: 'cacheable',
    label: 'cacheable',
    kind: 'async',
    group: 'async-lib',
    config: "new Cacheable({ primary: createKeyv({ lruSize }) }) (createKeyv from 'cacheable')",
    async create(capacity) {
      const c = new Cacheable({ primary: createKeyv({ lruSize: capacity }) });
      return { target: c, get: 'get', set: 'set', close: () => c.disconnect() };
    },
  },
  {
    id: 'keyv',
    label: 'keyv (in-memory)',
    kind: 'async',
    group: 'async-lib',
    config: 'new Keyv({ store: new LRUCache({ max }) }) (a Map-like store with a bound)',
    async create(capacity) {
      const k = new Keyv({ store: new LRUCache<string, object>({ max: capacity }) });
      return { target: k, get: 'get', set: 'set', close: () => k.disconnect() };
    },
  },
  {
    id: 'cache-manager',
    label: 'cache-manager',
    kind: 'async',
    group: 'async-lib',
    config: "createCache({ stores: [createKeyv({ lruSize })] }) (its README's in-memory setup)",
    async create(capacity) {
      const c = createCache({ stores: [createKeyv({ lruSize: capacity })] });
      return {
        target: c,
        get: 'get',
        set: 'set',
        close: async () => {
          await c.disconnect();
        },
      };
    },
  },
];
