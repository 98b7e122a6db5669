/**
 * `instrumentCaches`: OpenTelemetry metrics and spans for caches. Counts and sizes are
 * observable instruments read from each cache's `stats.snapshot()` at collection time (one
 * snapshot per cache per collection, nothing on the hot path); durations, loads and spans come
 * from core's diagnostics channels, subscribed only for what is asked.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { tracingChannel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import {
  CACHE_CHANNELS,
  CACHE_OPERATIONS,
  CacheConfigError,
  type CacheOperationMessage,
  type CacheStatsSnapshot,
  evictionCounts,
} from '@cache/core';
import {
  type Attributes,
  type BatchObservableResult,
  context,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

/** What `instrumentCaches` needs of a cache: its name (for the diagnostics channels) and its stats. */
export interface InstrumentedCache {
  readonly name: string;
  readonly stats: { snapshot(): CacheStatsSnapshot };
}

/** Options of {@link instrumentCaches}. */
export interface InstrumentCachesOptions {
  /**
   * The caches, by the `cache.name` their metrics and spans carry. Their names must differ: the
   * diagnostics channels tell caches apart by name.
   */
  caches: Readonly<Record<string, InstrumentedCache>>;
  /** Where the instruments come from. @default the global meter provider */
  meterProvider?: MeterProvider | undefined;
  /** Where the spans come from. @default the global tracer provider */
  tracerProvider?: TracerProvider | undefined;
  /** One span per operation (`cache.get`, `cache.getOrSet`, `cache.load`, ...). @default true */
  spans?: boolean | undefined;
  /**
   * Put the key on spans as `cache.key`: `true` as it is, or a function that returns what to
   * record (a sanitizer that hashes or truncates it). Never on metrics. @default false
   */
  recordKeys?: boolean | ((key: string) => string) | undefined;
}

/** The handle {@link instrumentCaches} returns. */
export interface CacheInstrumentation {
  /** Unsubscribes from the diagnostics channels and stops observing the caches. */
  close(): void;
}

const SCOPE = '@cache/opentelemetry';

/**
 * Instruments caches with OpenTelemetry:
 *
 * - `cache.requests` (counter, `{cache.name, cache.result: hit|miss, cache.tier: l1|l2}`; the tier
 *   only on a tiered cache's hits), `cache.evictions` (counter, `{cache.name, cache.eviction.cause:
 *   capacity|size|expired}`), `cache.entry.count` (gauge, where
 *   the backend knows it), `cache.bus.published` and `cache.bus.received` (counters, tiered caches),
 *   all observed from `stats.snapshot()`;
 * - `cache.operation.duration` (histogram, s, `{cache.name, cache.operation}`, plus `cache.result`
 *   on reads and `error.type` on failures) and `cache.loads` (counter, `{cache.name,
 *   cache.load.result: success|failure}`), from the diagnostics channels;
 * - spans `cache.<operation>` with `cache.name`, `cache.operation`, `cache.result`, `cache.tier`,
 *   and `cache.key` only with `recordKeys`; an operation started inside another instrumented one
 *   (a getOrSet's load, a tiered cache's tier calls) is a child of its span.
 *
 * @example
 * const instrumentation = instrumentCaches({ caches: { users, pages } });
 * @throws CacheConfigError for no caches, a value that is not a cache, two caches with one name, or a bad option.
 */
export function instrumentCaches(options: InstrumentCachesOptions): CacheInstrumentation {
  if (options === null || typeof options !== 'object')
    throw new CacheConfigError('instrumentCaches takes an options object');
  const { caches } = options;
  if (caches === null || typeof caches !== 'object')
    throw new CacheConfigError('caches must be an object of caches by name');
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
  const recordKeys = options.recordKeys ?? false;
  if (typeof recordKeys !== 'boolean' && typeof recordKeys !== 'function')
    throw new CacheConfigError('recordKeys must be a boolean or a function');
  const sanitize = recordKeys === true ? (key: string) => key : recordKeys === false ? undefined : recordKeys;

  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const requests = meter.createObservableCounter('cache.requests', {
    description: 'Reads of the cache, by result (hit or miss) and, for a tiered cache, by the tier that hit.',
    unit: '{request}',
  });
  const evictions = meter.createObservableCounter('cache.evictions', {
    description:
      'Entries evicted to make room, by cause: capacity (entry limit), size (byte limit), expired.',
    unit: '{entry}',
  });
  const entryCount = meter.createObservableGauge('cache.entry.count', {
    description: 'Entries the cache holds, where the backend knows it.',
    unit: '{entry}',
  });
  const published = meter.createObservableCounter('cache.bus.published', {
    description: 'Invalidation messages a tiered cache published on its bus.',
    unit: '{message}',
  });
  const received = meter.createObservableCounter('cache.bus.received', {
    description: "Invalidation messages a tiered cache received from its peers' bus.",
    unit: '{message}',
  });
  const observables = [requests, evictions, entryCount, published, received];
  const observe = (result: BatchObservableResult) => {
    for (const [name, cache] of entries) {
      const snapshot = cache.stats.snapshot();
      const base = { 'cache.name': name };
      if (typeof snapshot.l1Hits === 'number' && typeof snapshot.l2Hits === 'number') {
        result.observe(requests, snapshot.l1Hits, { ...base, 'cache.result': 'hit', 'cache.tier': 'l1' });
        result.observe(requests, snapshot.l2Hits, { ...base, 'cache.result': 'hit', 'cache.tier': 'l2' });
      } else result.observe(requests, snapshot.hits, { ...base, 'cache.result': 'hit' });
      result.observe(requests, snapshot.misses, { ...base, 'cache.result': 'miss' });
      for (const [cause, count] of evictionCounts(snapshot))
        result.observe(evictions, count, { ...base, 'cache.eviction.cause': cause });
      if (typeof snapshot.entries === 'number') result.observe(entryCount, snapshot.entries, base);
      if (typeof snapshot.busPublished === 'number') result.observe(published, snapshot.busPublished, base);
      if (typeof snapshot.busReceived === 'number') result.observe(received, snapshot.busReceived, base);
    }
  };
  meter.addBatchObservableCallback(observe, observables);

  const duration = meter.createHistogram('cache.operation.duration', {
    description: 'Time each cache operation took, from its call to its settling.',
    unit: 's',
  });
  const loads = meter.createCounter('cache.loads', {
    description: 'Runs of a getOrSet factory, by result: success or failure.',
    unit: '{load}',
  });
  const tracer =
    options.spans === false
      ? undefined
      : (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);

  const started = new WeakMap<CacheOperationMessage, { at: number; span: Span | undefined }>();
  // The span of the cache operation in progress, so that an operation started inside another (a
  // getOrSet's load, a tiered cache's L2 read) gets that operation's span as its parent. Bound to
  // each channel's start event, it holds the span for the whole traced call.
  const parent = new AsyncLocalStorage<Span | undefined>();
  /** Starts the record (and span) of an operation once: from the store binding or the start event. */
  const begin = (message: CacheOperationMessage) => {
    let start = started.get(message);
    if (start !== undefined) return start;
    const name = labels.get(message.cache);
    if (name === undefined) return undefined;
    let span: Span | undefined;
    if (tracer) {
      const attributes: Attributes = { 'cache.name': name, 'cache.operation': message.operation };
      if (sanitize && message.key !== undefined) attributes['cache.key'] = sanitize(message.key);
      if (message.keys !== undefined) attributes['cache.key.count'] = message.keys.length;
      const enclosing = parent.getStore();
      span = tracer.startSpan(
        `cache.${message.operation}`,
        { kind: SpanKind.INTERNAL, attributes },
        enclosing === undefined ? context.active() : trace.setSpan(context.active(), enclosing),
      );
    }
    start = { at: performance.now(), span };
    started.set(message, start);
    return start;
  };
  const handlers = {
    start(message: CacheOperationMessage) {
      begin(message);
    },
    asyncEnd(message: CacheOperationMessage) {
      const start = started.get(message);
      if (start === undefined) return;
      started.delete(message);
      const seconds = (performance.now() - start.at) / 1000;
      const attributes: Attributes = {
        'cache.name': labels.get(message.cache) as string,
        'cache.operation': message.operation,
      };
      if (message.hit !== undefined) attributes['cache.result'] = message.hit ? 'hit' : 'miss';
      const failed = 'error' in message;
      const errorType = failed ? errorTypeOf(message.error) : undefined;
      if (errorType !== undefined) attributes['error.type'] = errorType;
      duration.record(seconds, attributes);
      if (message.operation === 'load')
        loads.add(1, {
          'cache.name': attributes['cache.name'],
          'cache.load.result': failed ? 'failure' : 'success',
        });
      const span = start.span;
      if (span === undefined) return;
      if (message.hit !== undefined) span.setAttribute('cache.result', message.hit ? 'hit' : 'miss');
      if (message.tier !== undefined) span.setAttribute('cache.tier', message.tier);
      if (message.hits !== undefined) span.setAttribute('cache.hits', message.hits);
      if (failed) {
        span.setAttribute('error.type', errorType as string);
        if (message.error instanceof Error) span.recordException(message.error);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
  const channels = CACHE_OPERATIONS.map((op) =>
    tracingChannel<unknown, CacheOperationMessage>(CACHE_CHANNELS[op]),
  );
  type Subscribers = Parameters<(typeof channels)[number]['subscribe']>[0];
  for (const channel of channels) channel.subscribe(handlers as Subscribers);
  // The store's transform runs before the start event: it starts the span (parented by the
  // enclosing operation's) and makes it the parent of what the operation does; the operation of
  // another cache, not instrumented here, keeps the enclosing span.
  const bindParent = (message: CacheOperationMessage) => begin(message)?.span ?? parent.getStore();
  if (tracer) for (const channel of channels) channel.start.bindStore(parent, bindParent);
  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      for (const channel of channels) {
        channel.unsubscribe(handlers as Subscribers);
        if (tracer) channel.start.unbindStore(parent);
      }
      meter.removeBatchObservableCallback(observe, observables);
    },
  };
}

/** `error.type`: a cache error's `code`, else the error's class name. */
function errorTypeOf(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return '_OTHER';
}
