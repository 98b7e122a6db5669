/**
 * The parts a tiered cache is made of, built and wired together in one place: what it tells
 * (stats, events), its copies in L1, the guard in front of L2 (breaker, recovery queue), what it
 * does with its bus and, in spill mode, its spill paths. The read and write paths
 * (read-through.ts, write-through.ts) take them from here.
 */
import type { Cache } from '@cache/core';
import { BusSync } from './bus-sync.js';
import { L1Copies } from './l1-copies.js';
import { L2Guard } from './l2-guard.js';
import type { ResolvedTieredOptions } from './options.js';
import { SpillMode } from './spill.js';
import { TieredEvents } from './tiered-events.js';

export interface TieredParts<V> {
  readonly l1: Cache<V>;
  readonly l2: Cache<V>;
  readonly options: ResolvedTieredOptions<V>;
  readonly events: TieredEvents;
  /** The copies in L1, and the marks that keep stale values out of it. */
  readonly copies: L1Copies<V>;
  /** The breaker and the recovery queue in front of L2. */
  readonly l2Guard: L2Guard<V>;
  readonly bus: BusSync<V>;
  /** Spill mode's paths and the entries on their way down to L2. */
  readonly spill: SpillMode<V> | undefined;
}

/** Builds the parts of a tiered cache from its checked options, each wired to the others. */
export function buildParts<V>(options: ResolvedTieredOptions<V>): TieredParts<V> {
  const { l1, l2, clock } = options;
  const events: TieredEvents = new TieredEvents(
    l1,
    l2,
    (): Record<string, unknown> => ({
      busPublished: bus.published,
      busReceived: bus.received,
      breakerOpen: l2Guard.breaker.opened,
      breakerState: l2Guard.breaker.state,
      recoveryQueued: l2Guard.queued,
      recoveryReplayed: l2Guard.replayed,
      recoveryPending: l2Guard.pending,
      spilled: spill?.spilled ?? 0,
    }),
  );
  const report = events.report.bind(events);
  const copies: L1Copies<V> = new L1Copies(l1, {
    clock,
    l1MaxTtl: options.l1MaxTtl,
    busDownL1Ttl: options.busDownL1Ttl,
    keepStale: options.keepStale ? options.recoveryQueueSize : undefined,
    counters: events.counters,
    report,
    busDown: () => bus.down,
  });
  const l2Guard = new L2Guard(
    l2,
    {
      name: options.name,
      breaker: options.breaker,
      queueSize: options.recoveryQueueSize,
      clock,
      throwOnError: options.throwOnL2Error,
    },
    {
      report,
      // The L1 copy stands for the queued value meanwhile.
      queued: (op) => void copies.install(op.key, op.value, op.expiresAt, op.tags, false),
      publish: (operation) => bus.publish(operation),
      flushL1: () => copies.flush(),
    },
  );
  const spill = options.spill ? new SpillMode(options, clock, copies, events) : undefined;
  const bus: BusSync<V> = new BusSync(options.bus, options, copies, {
    busDownL1Ttl: options.busDownL1Ttl,
    backgroundPublish: options.backgroundPublish,
    report,
  });
  return { l1, l2, options, events, copies, l2Guard, bus, spill };
}
