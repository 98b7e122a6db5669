/**
 * `cacheMetrics`: collectors on a prom-client registry with Micrometer's cache metric names.
 * The counters and gauges read each cache's `stats.snapshot()` when the registry is scraped (one
 * snapshot per cache per scrape); loads and the opt-in operation histograms come from core's
 * diagnostics channels. The only labels are the cache's label, the result and the operation:
 * never a key.
 */
import {
  CACHE_OPERATIONS,
  CacheConfigError,
  type CacheOperation,
  type CacheStatsSnapshot,
  evictionCounts,
} from '@cache/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { observeOperations } from './operations.js';

/** What `cacheMetrics` needs of a cache: its name (for the diagnostics channels) and its stats. */
export interface MeteredCache {
  readonly name: string;
  readonly stats: { snapshot(): CacheStatsSnapshot };
}

/** Options of {@link cacheMetrics}. */
export interface CacheMetricsOptions {
  /** The prom-client registry to register the collectors on. */
  registry: Registry;
  /**
   * The caches, by the label their metrics carry (`cache="users"`). Their names must differ:
   * the diagnostics channels tell caches apart by name.
   */
  caches: Readonly<Record<string, MeteredCache>>;
  /** Also record `cache_operation_duration_seconds{cache,operation}` for every operation. @default false */
  histograms?: boolean | undefined;
  /**
   * Buckets of `cache_operation_duration_seconds`, in seconds.
   * @default [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1]
   */
  operationBuckets?: readonly number[] | undefined;
  /** Buckets of `cache_load_duration_seconds`, in seconds. @default [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] */
  loadBuckets?: readonly number[] | undefined;
}

/** The handle {@link cacheMetrics} returns. */
export interface CacheMetrics {
  /** The names of the metrics registered. */
  readonly names: readonly string[];
  /** Unsubscribes from the diagnostics channels and removes the metrics from the registry. */
  close(): void;
}

const OPERATION_BUCKETS = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];
const LOAD_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** Counters read from a snapshot field: name, help, field. The tiered ones appear when a snapshot has them. */
const SNAPSHOT_COUNTERS = [
  ['cache_puts_total', 'Entries written to the cache.', 'sets'],
  ['cache_removals_total', 'Live entries removed by delete, deleteMany and deleteMatching.', 'deletes'],
  ['cache_expirations_total', 'Entries removed because they expired.', 'expirations'],
  [
    'cache_errors_total',
    'Errors the cache reported, failed operations and absorbed background errors alike.',
    'errors',
  ],
  ['cache_l1_hits_total', 'Reads a tiered cache served from L1.', 'l1Hits'],
  ['cache_l2_hits_total', 'Reads a tiered cache served from L2.', 'l2Hits'],
  ['cache_bus_published_total', 'Invalidation messages a tiered cache published on its bus.', 'busPublished'],
  [
    'cache_bus_received_total',
    "Invalidation messages a tiered cache received from its peers' bus.",
    'busReceived',
  ],
  [
    'cache_l1_flushes_total',
    'Times a tiered cache emptied its L1 (a lost bus, an L2 recovery).',
    'l1Flushes',
  ],
  ['cache_breaker_open_total', "Times a tiered cache's L2 circuit breaker opened.", 'breakerOpen'],
] as const;

const SNAPSHOT_GAUGES = [
  ['cache_size', 'Entries the cache holds, where the backend knows it.', 'entries'],
  ['cache_size_bytes', 'Bytes the cache holds, where the backend knows it.', 'bytes'],
] as const;

/**
 * Registers the cache metrics of `caches` on `registry`, with Micrometer's names rendered for
 * Prometheus: `cache_gets_total{cache,result="hit|miss"}`, `cache_puts_total`,
 * `cache_removals_total`, `cache_evictions_total{cause}`, `cache_expirations_total`,
 * `cache_errors_total`, `cache_size`, `cache_size_bytes`, `cache_loads_total{result="success|failure"}`,
 * `cache_load_duration_seconds`, the tiered counters (`cache_l1_hits_total`, `cache_l2_hits_total`,
 * `cache_bus_published_total`, `cache_bus_received_total`, `cache_l1_flushes_total`,
 * `cache_breaker_open_total`) and, with `histograms`, `cache_operation_duration_seconds{cache,operation}`.
 *
 * @example
 * const registry = new Registry();
 * const metrics = cacheMetrics({ registry, caches: { users, pages } });
 * // GET /metrics: res.end(await registry.metrics());
 * @throws CacheConfigError for a missing registry, no caches, a cache without stats, or two caches with one name.
 */
export function cacheMetrics(options: CacheMetricsOptions): CacheMetrics {
  if (options === null || typeof options !== 'object')
    throw new CacheConfigError('cacheMetrics takes an options object');
  const { registry, caches } = options;
  if (registry === null || typeof registry !== 'object' || typeof registry.registerMetric !== 'function')
    throw new CacheConfigError('registry must be a prom-client Registry');
  if (caches === null || typeof caches !== 'object')
    throw new CacheConfigError('caches must be an object of caches by label');
  const entries = Object.entries(caches);
  if (entries.length === 0) throw new CacheConfigError('caches must name at least one cache');
  const labels = new Map<string, string>();
  for (const [label, cache] of entries) {
    if (cache === null || typeof cache !== 'object' || typeof cache.stats?.snapshot !== 'function')
      throw new CacheConfigError(`caches.${label} is not a cache`);
    const other = labels.get(cache.name);
    if (other !== undefined)
      throw new CacheConfigError(
        `caches.${other} and caches.${label} are both named ${JSON.stringify(cache.name)}: give each its own name`,
      );
    labels.set(cache.name, label);
  }

  // One snapshot per cache per scrape: every collect of a scrape runs in the same tick.
  let snapshots: [string, CacheStatsSnapshot][] | undefined;
  const read = (): [string, CacheStatsSnapshot][] => {
    if (snapshots === undefined) {
      snapshots = entries.map(([label, cache]) => [label, cache.stats.snapshot()]);
      queueMicrotask(() => {
        snapshots = undefined;
      });
    }
    return snapshots;
  };
  const registers = [registry];
  const names: string[] = [];

  const labelled = (
    name: string,
    help: string,
    label: string,
    values: (snapshot: CacheStatsSnapshot) => [string, number][],
  ): void => {
    names.push(name);
    new Counter({
      name,
      help,
      labelNames: ['cache', label],
      registers,
      collect() {
        this.reset();
        for (const [cache, snapshot] of read())
          for (const [value, count] of values(snapshot)) this.inc({ cache, [label]: value }, count);
      },
    });
  };
  labelled('cache_gets_total', 'Reads of the cache, by result: hit or miss.', 'result', (snapshot) => [
    ['hit', snapshot.hits],
    ['miss', snapshot.misses],
  ]);
  labelled(
    'cache_evictions_total',
    'Entries evicted to make room, by cause: capacity (entry limit), size (byte limit), expired.',
    'cause',
    evictionCounts,
  );
  for (const [name, help, field] of SNAPSHOT_COUNTERS) {
    names.push(name);
    new Counter({
      name,
      help,
      labelNames: ['cache'],
      registers,
      collect() {
        this.reset();
        for (const [cache, snapshot] of read()) {
          const value = snapshot[field];
          if (typeof value === 'number') this.inc({ cache }, value);
        }
      },
    });
  }
  for (const [name, help, field] of SNAPSHOT_GAUGES) {
    names.push(name);
    new Gauge({
      name,
      help,
      labelNames: ['cache'],
      registers,
      collect() {
        this.reset();
        for (const [cache, snapshot] of read()) {
          const value = snapshot[field];
          if (typeof value === 'number') this.set({ cache }, value);
        }
      },
    });
  }

  const loads = new Counter({
    name: 'cache_loads_total',
    help: 'Runs of a getOrSet factory, by result: success or failure.',
    labelNames: ['cache', 'result'],
    registers,
  });
  const loadDuration = new Histogram({
    name: 'cache_load_duration_seconds',
    help: 'Time a getOrSet factory took, by result: success or failure.',
    labelNames: ['cache', 'result'],
    buckets: [...(options.loadBuckets ?? LOAD_BUCKETS)],
    registers,
  });
  names.push('cache_loads_total', 'cache_load_duration_seconds');
  const unsubscribe = [
    observeOperations(['load'], labels, (cache, _message, seconds, failed) => {
      const result = failed ? 'failure' : 'success';
      loads.inc({ cache, result });
      loadDuration.observe({ cache, result }, seconds);
    }),
  ];
  if (options.histograms === true) {
    const duration = new Histogram({
      name: 'cache_operation_duration_seconds',
      help: 'Time each cache operation took, from its call to its settling.',
      labelNames: ['cache', 'operation'],
      buckets: [...(options.operationBuckets ?? OPERATION_BUCKETS)],
      registers,
    });
    names.push('cache_operation_duration_seconds');
    const operations = CACHE_OPERATIONS.filter((op): op is Exclude<CacheOperation, 'load'> => op !== 'load');
    unsubscribe.push(
      observeOperations(operations, labels, (cache, message, seconds) =>
        duration.observe({ cache, operation: message.operation }, seconds),
      ),
    );
  }
  let closed = false;
  return {
    names,
    close() {
      if (closed) return;
      closed = true;
      for (const stop of unsubscribe) stop();
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
