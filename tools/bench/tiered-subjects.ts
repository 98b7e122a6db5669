/**
 * The subjects of the tiered benchmark (tiered.ts): `tiered(MemoryCache, RedisCache, RedisBus)`
 * with and without its bus, bentocache (memory L1 + redis L2 + its redis bus) and cacheable
 * (memory primary + @keyv/redis secondary, with its CacheableSync over Redis and without), each
 * made the way its documentation shows, with every Redis key under the run
 * prefix. Also the generated timing loops: one per subject and case (`new Function` with a unique
 * source), so that each loop has its own type feedback and calls its library directly.
 */
import { MemoryCache } from '@cache/backend-memory';
import { RedisBus, RedisCache } from '@cache/backend-redis';
import { type TieredCache, tiered } from '@cache/tiered';
import KeyvRedis from '@keyv/redis';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { RedisMessageProvider } from '@qified/redis';
import { Cacheable, createKeyv } from 'cacheable';
import { Keyv } from 'keyv';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** TTL of every write, in ms. */
const TTL_MS = 10 * 60_000;

/** The value every write stores: a small JSON object (~90 bytes as JSON), as in redis.ts. */
export interface Value {
  id: number;
  name: string;
  email: string;
  roles: string[];
  active: boolean;
}
export const makeValue = (i: number): Value => ({
  id: i,
  name: `user-${i}`,
  email: `user-${i}@example.com`,
  roles: ['reader', 'writer'],
  active: i % 2 === 0,
});

/** One instance of a subject: the library object, how the loops call it, and its shutdown. */
export interface Instance {
  /** The object the loops call (`c` in the loop source). */
  target: object;
  close(): Promise<void>;
  /** Ours: the tiered counters (L1 and L2 hits, flushes of L1). */
  counters?(): { l1Hits: number; l2Hits: number; l1Flushes: number };
}

/** How the loops call a subject: expressions over `c` (the target), `k` (the key) and `v` (the value). */
export interface Subject {
  id:
    | 'ours'
    | 'ours-background'
    | 'ours-tracking'
    | 'ours-no-bus'
    | 'bentocache'
    | 'cacheable-sync'
    | 'cacheable';
  /** A library other than ours (the ratios are taken against these). */
  peer: boolean;
  /** Whether its instances tell each other of their writes (a bus); like is compared with like. */
  bus: boolean;
  label: string;
  /** How it is made, for the report. */
  config: string;
  /** A read that yields the value or undefined/null. */
  get: string;
  /** A write with the TTL. */
  set: string;
  /** A new instance with an L1 bounded to `l1Entries`; instances of one `group` share keys and bus. */
  create(l1Entries: number, group: string): Promise<Instance>;
}

/** Resolves when `condition` holds, polled every 5 ms for at most `limitMs`. */
async function waitUntil(condition: () => boolean, limitMs = 5_000): Promise<void> {
  const until = performance.now() + limitMs;
  while (!condition()) {
    if (performance.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Ours with a pub/sub RedisBus (or a tracking one, on the cache's own client). */
export async function createOurs(
  l1Entries: number,
  prefix: string,
  mode: 'pubsub' | 'tracking' | 'tracking-only' | 'none' = 'pubsub',
  busPublish: 'await' | 'background' = 'await',
): Promise<{ cache: TieredCache<Value>; l1: MemoryCache<Value>; close(): Promise<void> }> {
  const l1 = new MemoryCache<Value>({ maxEntries: l1Entries });
  const l2 = new RedisCache<Value>({ url: REDIS_URL, prefix });
  const client = l2.client;
  const bus =
    mode === 'none'
      ? undefined
      : new RedisBus(
          mode === 'pubsub'
            ? { url: REDIS_URL, channel: prefix }
            : { client, mode: 'tracking', prefix, channel: prefix, publishWrites: mode === 'tracking' },
        );
  const cache = tiered<Value>({ l1, l2, bus, busPublish });
  if (bus) await waitUntil(() => bus.connected);
  return {
    cache,
    l1,
    close: async () => {
      await cache.close();
    },
  };
}

/** A bentocache instance: memory L1, redis L2 and the redis bus, as its multi-tier guide shows. */
export function createBento(
  l1Entries: number,
  prefix: string,
  store: string,
): { bento: BentoCache<Record<string, ReturnType<typeof bentostore>>>; close(): Promise<void> } {
  const url = new URL(REDIS_URL);
  const connection = { host: url.hostname, port: Number(url.port || 6379) };
  const bento = new BentoCache({
    default: store,
    prefix,
    stores: {
      [store]: bentostore()
        .useL1Layer(memoryDriver({ maxItems: l1Entries }))
        .useL2Layer(redisDriver({ connection }))
        .useBus(redisBusDriver({ connection })),
    },
  });
  return { bento, close: () => bento.disconnectAll() };
}

export function subjects(run: string): Subject[] {
  return [
    {
      id: 'ours',
      label: '@cache/tiered',
      peer: false,
      bus: true,
      config:
        'tiered({ l1: new MemoryCache({ maxEntries }), l2: new RedisCache({ url, prefix }), bus: new RedisBus({ url, channel }) }); get(k), set(k, v, { ttl })',
      get: 'c.get(k)',
      set: 'c.set(k, v, SET_OPTIONS)',
      async create(l1Entries, group) {
        const made = await createOurs(l1Entries, `${run}ours-${group}:`);
        return { target: made.cache, close: made.close, counters: () => made.cache.counters };
      },
    },
    {
      id: 'ours-background',
      label: "@cache/tiered, busPublish: 'background'",
      peer: false,
      bus: true,
      config:
        "the same with busPublish: 'background' (a set resolves once L2 and L1 hold the value; its bus message is sent at once but not awaited)",
      get: 'c.get(k)',
      set: 'c.set(k, v, SET_OPTIONS)',
      async create(l1Entries, group) {
        const made = await createOurs(l1Entries, `${run}ours-background-${group}:`, 'pubsub', 'background');
        return { target: made.cache, close: made.close, counters: () => made.cache.counters };
      },
    },
    {
      id: 'ours-tracking',
      label: '@cache/tiered, tracking, publishWrites: false',
      peer: false,
      bus: true,
      config:
        "the same with new RedisBus({ client: l2.client, prefix, channel, mode: 'tracking', publishWrites: false }) (Redis's own invalidations tell the other instances of each write; no message per set)",
      get: 'c.get(k)',
      set: 'c.set(k, v, SET_OPTIONS)',
      async create(l1Entries, group) {
        const made = await createOurs(l1Entries, `${run}ours-tracking-${group}:`, 'tracking-only');
        return { target: made.cache, close: made.close, counters: () => made.cache.counters };
      },
    },
    {
      id: 'ours-no-bus',
      label: '@cache/tiered, no bus',
      peer: false,
      bus: false,
      config:
        'the same without a bus (one instance alone; in the mix, instances keep serving L1 copies that another one overwrote)',
      get: 'c.get(k)',
      set: 'c.set(k, v, SET_OPTIONS)',
      async create(l1Entries, group) {
        const made = await createOurs(l1Entries, `${run}ours-no-bus-${group}:`, 'none');
        return { target: made.cache, close: made.close, counters: () => made.cache.counters };
      },
    },
    {
      id: 'bentocache',
      label: 'bentocache',
      peer: true,
      bus: true,
      config:
        'new BentoCache({ default, prefix, stores: { [name]: bentostore().useL1Layer(memoryDriver({ maxItems })).useL2Layer(redisDriver({ connection })).useBus(redisBusDriver({ connection })) } }) (memory driver defaults: serialize true); get({ key }), set({ key, value, ttl })',
      get: 'c.get({ key: k })',
      set: 'c.set({ key: k, value: v, ttl: TTL })',
      async create(l1Entries, group) {
        const made = createBento(
          l1Entries,
          `${run}bento-${group}`,
          `bench-${run.replace(/\W+/g, '-')}${group}`,
        );
        return { target: made.bento, close: made.close };
      },
    },
    {
      id: 'cacheable-sync',
      label: 'cacheable + CacheableSync',
      peer: true,
      bus: true,
      config:
        'new Cacheable({ primary: createKeyv({ lruSize }), secondary: new Keyv({ store: new KeyvRedis(url, { namespace }), namespace, useKeyPrefix: false }), sync: { qified: new RedisMessageProvider({ uri: url }), namespace } }) (its bus: each set is published, with its value, after both tiers are written); get(k), set(k, v, ttl)',
      get: 'c.get(k)',
      set: 'c.set(k, v, TTL)',
      async create(l1Entries, group) {
        const namespace = `${run}cacheable-sync-${group}`;
        const store = new KeyvRedis(REDIS_URL, { namespace });
        const secondary = new Keyv<Value>({ store, namespace, useKeyPrefix: false });
        const qified = new RedisMessageProvider({ uri: REDIS_URL });
        await qified.connect();
        const cache = new Cacheable({
          primary: createKeyv({ lruSize: l1Entries }),
          secondary,
          sync: { qified, namespace },
        });
        return { target: cache, close: async () => void (await cache.disconnect()) };
      },
    },
    {
      id: 'cacheable',
      label: 'cacheable, no bus',
      peer: true,
      bus: false,
      config:
        'new Cacheable({ primary: createKeyv({ lruSize }), secondary: new Keyv({ store: new KeyvRedis(url, { namespace }), namespace, useKeyPrefix: false }) }) (without its sync option: no bus); get(k), set(k, v, ttl)',
      get: 'c.get(k)',
      set: 'c.set(k, v, TTL)',
      async create(l1Entries, group) {
        const namespace = `${run}cacheable-${group}`;
        const store = new KeyvRedis(REDIS_URL, { namespace });
        const secondary = new Keyv<Value>({ store, namespace, useKeyPrefix: false });
        const cache = new Cacheable({ primary: createKeyv({ lruSize: l1Entries }), secondary });
        return { target: cache, close: async () => void (await cache.disconnect()) };
      },
    },
  ];
}

/**
 * A generated loop: runs `n` operations of `keys` from `start` (wrapping; `ops[j] === 1` is a
 * write, when `ops` is given) and resolves to the reads that found a value.
 */
export type Loop = (
  c: object,
  keys: readonly string[],
  ops: Uint8Array | null,
  n: number,
  start: number,
  values: readonly Value[],
) => Promise<number>;

let loopSerial = 0;

export function makeLoop(subject: Subject, body: 'get' | 'set' | 'mix'): Loop {
  const read = `if ((await ${subject.get}) != null) hits++;`;
  const write = `await ${subject.set};`;
  const step =
    body === 'get' ? read : body === 'set' ? write : `if (ops[j] === 1) { ${write} } else { ${read} }`;
  const source = `// ${subject.id} ${body} #${++loopSerial}
const TTL = ${TTL_MS};
const SET_OPTIONS = { ttl: TTL };
return async function loop(c, keys, ops, n, start, values) {
  const len = keys.length;
  let j = start;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const k = keys[j];
    const v = values[j % values.length];
    ${step}
    if (++j === len) j = 0;
  }
  return hits;
};`;
  return new Function(source)() as Loop;
}
