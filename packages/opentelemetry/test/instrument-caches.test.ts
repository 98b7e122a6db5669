import { MemoryCache } from '@cache/backend-memory';
import { CacheConfigError } from '@cache/core';
import { instrumentCaches } from '@cache/opentelemetry';
import { MapCache, uniqueKey } from '@cache/test-utils';
import { MemoryBus, tiered } from '@cache/tiered';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function setup() {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  closers.push(
    () => meterProvider.shutdown(),
    () => tracerProvider.shutdown(),
  );
  /** Every data point of a metric, as [attributes, value] (the histogram's value is its count). */
  const points = async (name: string) => {
    metricExporter.reset();
    await reader.forceFlush();
    const all = metricExporter.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
    const metric = all.find((m) => m.descriptor.name === name);
    return (metric?.dataPoints ?? []).map((p) => [
      p.attributes,
      typeof p.value === 'number' ? p.value : (p.value as { count: number }).count,
    ]);
  };
  return { meterProvider, tracerProvider, spanExporter, points };
}

describe('instrumentCaches', () => {
  it('observes requests, evictions and entry counts from snapshots', async () => {
    const { meterProvider, tracerProvider, points } = setup();
    const users = new MemoryCache<string>({ name: 'users', maxEntries: 1 });
    const pages = new MapCache<string>({ name: 'pages' });
    const instrumentation = instrumentCaches({ caches: { users, pages }, meterProvider, tracerProvider });
    closers.push(() => instrumentation.close());
    await users.set('a', 'A');
    await users.get('a');
    await users.set('b', 'B'); // evicts a
    await users.get('a');
    await pages.get('x');
    expect(await points('cache.requests')).toEqual([
      [{ 'cache.name': 'users', 'cache.result': 'hit' }, 1],
      [{ 'cache.name': 'users', 'cache.result': 'miss' }, 1],
      [{ 'cache.name': 'pages', 'cache.result': 'hit' }, 0],
      [{ 'cache.name': 'pages', 'cache.result': 'miss' }, 1],
    ]);
    expect(await points('cache.evictions')).toEqual([
      [{ 'cache.name': 'users', 'cache.eviction.cause': 'capacity' }, 1],
      [{ 'cache.name': 'users', 'cache.eviction.cause': 'size' }, 0],
      [{ 'cache.name': 'users', 'cache.eviction.cause': 'expired' }, 0],
      [{ 'cache.name': 'pages', 'cache.eviction.cause': 'capacity' }, 0],
      [{ 'cache.name': 'pages', 'cache.eviction.cause': 'size' }, 0],
      [{ 'cache.name': 'pages', 'cache.eviction.cause': 'expired' }, 0],
    ]);
    expect(await points('cache.entry.count')).toEqual([
      [{ 'cache.name': 'users' }, 1],
      [{ 'cache.name': 'pages' }, 0],
    ]);
    expect(await points('cache.operation.duration')).toEqual([
      [{ 'cache.name': 'users', 'cache.operation': 'set' }, 2],
      [{ 'cache.name': 'users', 'cache.operation': 'get', 'cache.result': 'hit' }, 1],
      [{ 'cache.name': 'users', 'cache.operation': 'get', 'cache.result': 'miss' }, 1],
      [{ 'cache.name': 'pages', 'cache.operation': 'get', 'cache.result': 'miss' }, 1],
    ]);
  });

  it('splits a tiered cache’s hits by tier and reports its bus traffic', async () => {
    const { meterProvider, points } = setup();
    const channel = uniqueKey('bus');
    const make = (name: string) =>
      tiered({ name, l1: new MemoryCache(), l2: new MemoryCache(), bus: new MemoryBus({ channel }) });
    const sessions = make('sessions');
    const peer = make('peer');
    closers.push(
      () => sessions.close(),
      () => peer.close(),
    );
    const instrumentation = instrumentCaches({ caches: { sessions }, meterProvider, spans: false });
    closers.push(() => instrumentation.close());
    await sessions.set('s', 1);
    await sessions.get('s');
    await sessions.l1.delete('s');
    await sessions.get('s');
    await sessions.get('none');
    await peer.set('t', 2);
    expect(await points('cache.requests')).toEqual([
      [{ 'cache.name': 'sessions', 'cache.result': 'hit', 'cache.tier': 'l1' }, 1],
      [{ 'cache.name': 'sessions', 'cache.result': 'hit', 'cache.tier': 'l2' }, 1],
      [{ 'cache.name': 'sessions', 'cache.result': 'miss' }, 1],
    ]);
    expect(await points('cache.bus.published')).toEqual([[{ 'cache.name': 'sessions' }, 1]]);
    expect(await points('cache.bus.received')).toEqual([[{ 'cache.name': 'sessions' }, 1]]);
  });

  it('makes one span per operation, loads included, with keys only when asked', async () => {
    const { meterProvider, tracerProvider, spanExporter, points } = setup();
    const users = new MemoryCache<string>({ name: 'users' });
    const instrumentation = instrumentCaches({
      caches: { users },
      meterProvider,
      tracerProvider,
      recordKeys: (key) => key.replace(/\d+/g, '#'),
    });
    closers.push(() => instrumentation.close());
    await users.getOrSet('user:42', () => 'Ada');
    await users.get('user:42');
    const failure = new Error('db down');
    await expect(
      users.getOrSet('user:7', () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    const spans = spanExporter.getFinishedSpans().map((s) => [s.name, s.attributes, s.status.code]);
    expect(spans).toEqual([
      [
        'cache.load',
        { 'cache.name': 'users', 'cache.operation': 'load', 'cache.key': 'user:#' },
        SpanStatusCode.UNSET,
      ],
      [
        'cache.getOrSet',
        {
          'cache.name': 'users',
          'cache.operation': 'getOrSet',
          'cache.key': 'user:#',
          'cache.result': 'miss',
        },
        SpanStatusCode.UNSET,
      ],
      [
        'cache.get',
        { 'cache.name': 'users', 'cache.operation': 'get', 'cache.key': 'user:#', 'cache.result': 'hit' },
        SpanStatusCode.UNSET,
      ],
      [
        'cache.load',
        { 'cache.name': 'users', 'cache.operation': 'load', 'cache.key': 'user:#', 'error.type': 'Error' },
        SpanStatusCode.ERROR,
      ],
      [
        'cache.getOrSet',
        {
          'cache.name': 'users',
          'cache.operation': 'getOrSet',
          'cache.key': 'user:#',
          'cache.result': 'miss',
          'error.type': 'Error',
        },
        SpanStatusCode.ERROR,
      ],
    ]);
    expect(spanExporter.getFinishedSpans()[3]?.events.map((e) => e.name)).toEqual(['exception']);
    expect(await points('cache.loads')).toEqual([
      [{ 'cache.name': 'users', 'cache.load.result': 'success' }, 1],
      [{ 'cache.name': 'users', 'cache.load.result': 'failure' }, 1],
    ]);
  });

  it("nests a load under its getOrSet, and a tier's operations under the tiered call", async () => {
    const { tracerProvider, spanExporter } = setup();
    const l2 = new MemoryCache<string>({ name: 'sessions-l2' });
    const sessions = tiered<string>({
      name: 'sessions',
      l1: new MemoryCache<string>({ name: 'sessions-l1' }),
      l2,
    });
    closers.push(() => sessions.close());
    const users = new MemoryCache<string>({ name: 'users' });
    const instrumentation = instrumentCaches({ caches: { users, sessions, l2 }, tracerProvider });
    closers.push(() => instrumentation.close());
    // Two getOrSets at once, each with its own load, and a tiered read that reaches L2.
    await Promise.all([
      users.getOrSet('a', async () => 'A'),
      users.getOrSet('b', async () => 'B'),
      sessions.getOrSet('s', async () => 'S'),
    ]);
    await users.get('a');
    // Each span as "operation cache", under its parent's.
    const spans = spanExporter.getFinishedSpans();
    const label = new Map(
      spans.map((x) => [x.spanContext().spanId, `${x.name} ${x.attributes['cache.name']}`]),
    );
    const tree = spans
      .map(
        (x) =>
          `${label.get(x.parentSpanContext?.spanId ?? '') ?? '-'} > ${label.get(x.spanContext().spanId)}`,
      )
      .sort();
    expect(tree).toEqual([
      '- > cache.get users',
      '- > cache.getOrSet sessions',
      '- > cache.getOrSet users',
      '- > cache.getOrSet users',
      'cache.getOrSet l2 > cache.load l2',
      'cache.getOrSet sessions > cache.getEntry l2',
      'cache.getOrSet sessions > cache.getOrSet l2',
      'cache.getOrSet users > cache.load users',
      'cache.getOrSet users > cache.load users',
    ]);
    // Each of the two concurrent loads is under its own call.
    const parents = spans
      .filter((x) => x.name === 'cache.load' && x.attributes['cache.name'] === 'users')
      .map((x) => x.parentSpanContext?.spanId);
    expect(new Set(parents).size).toBe(2);
  });

  it('records no key by default, and nothing after close()', async () => {
    const { meterProvider, tracerProvider, spanExporter } = setup();
    const users = new MemoryCache<string>({ name: 'users' });
    const instrumentation = instrumentCaches({ caches: { users }, meterProvider, tracerProvider });
    await users.get('secret');
    instrumentation.close();
    await users.get('secret');
    expect(spanExporter.getFinishedSpans().map((s) => [s.name, s.attributes])).toEqual([
      ['cache.get', { 'cache.name': 'users', 'cache.operation': 'get', 'cache.result': 'miss' }],
    ]);
  });

  it('refuses bad options with CacheConfigError', () => {
    const a = new MapCache({ name: 'same' });
    const b = new MapCache({ name: 'same' });
    expect(() => instrumentCaches({ caches: { a, b } })).toThrow(CacheConfigError);
    expect(() => instrumentCaches({ caches: {} })).toThrow(CacheConfigError);
    expect(() => instrumentCaches({ caches: { a }, recordKeys: 'yes' as never })).toThrow(CacheConfigError);
  });
});
