// A fleet of 4 tiered instances in one process (each its own MemoryCache L1 and MemoryBus, one
// shared L2 whose calls take 0-3 ms each way), all on one ManualClock that the test moves 1 ms per
// step. 5,000 random reads, writes and deletes run with faults: lost messages (dropIncoming),
// delayed and reordered messages (hold / release('reverse')), and bus outages (disconnect /
// reconnect). Every read must be explained by the history within the bound the design states for
// the fate of the superseding write's message:
//
// - delivered: 0 ms (MemoryBus delivers within the step);
// - held by a receiver: the hold (at most HOLD ms);
// - missed by a receiver whose bus was down: busDownL1Ttl (+ the L2 reply lag, see below);
// - lost (dropped, or sent while the sender's bus was down): l1MaxTtl (+ the L2 reply lag).
//
// "+ the L2 reply lag": a copy read from L2 just before the write landed there is installed when
// the reply arrives, up to LAG ms after, and lives l1MaxTtl (busDownL1Ttl) from then.
// Fault-free phases start once the staleness allowed by earlier faults has run out, and end with
// every instance reading every key, compared with what L2 holds: the divergent copies are counted
// (a known race makes some, see the last test and docs/tiered-fleet.md).
import { MemoryCache } from '@cache/backend-memory';
import { ManualClock } from '@cache/core';
import { decodeBusMessage, type StoredEntry } from '@cache/core/backend';
import { MapCache } from '@cache/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus, type TieredCache, tiered } from '../src/index.js';
import { checkHistory, describeViolation, type Op, type WriteOp } from './support/checker.js';
import { seeded } from './support/random.js';

const INSTANCES = 4;
const OPS = 5_000;
const KEYS = 8;
const LAG = 3;
const L1_MAX_TTL = 120;
const BUS_DOWN_L1_TTL = 40;
const HOLD = 20;
const PHASE = 200;
const SEED = Number(process.env.FLEET_SEED ?? 20_261_203);

/** Timers on the manual clock: what the L2's latency waits for. */
class Ticker {
  readonly clock = new ManualClock(1_000_000);
  readonly #timers: { at: number; resolve: () => void }[] = [];

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => this.#timers.push({ at: this.clock.now() + ms, resolve }));
  }

  /** One step: 1 ms passes, due timers fire, and everything they start runs to its next wait. */
  async step(): Promise<void> {
    this.clock.advance(1);
    const now = this.clock.now();
    for (let i = this.#timers.length - 1; i >= 0; i--) {
      const timer = this.#timers[i] as { at: number; resolve: () => void };
      if (timer.at <= now) {
        this.#timers.splice(i, 1);
        timer.resolve();
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A MapCache whose calls wait 0-LAG ms before and after touching the map, as a network would. */
class LaggyL2 extends MapCache<string> {
  constructor(
    readonly ticker: Ticker,
    readonly lag: () => number,
  ) {
    super({ clock: ticker.clock });
  }
  async #around<R>(call: () => Promise<R>): Promise<R> {
    await this.ticker.sleep(this.lag());
    const result = await call();
    await this.ticker.sleep(this.lag());
    return result;
  }
  protected override readEntry(key: string): Promise<StoredEntry<string> | undefined> {
    return this.#around(() => super.readEntry(key));
  }
  protected override writeEntry(key: string, entry: StoredEntry<string>): Promise<void> {
    return this.#around(() => super.writeEntry(key, entry));
  }
  protected override removeEntry(key: string): Promise<boolean> {
    return this.#around(() => super.removeEntry(key));
  }
}

/** What happened to one published message. */
interface Sent {
  owner: number;
  keys: readonly string[];
  at: number;
  /** The sender's bus was down: nobody got it. */
  unsent: boolean;
  /** Some receiver's dropIncoming lost it. */
  dropped: boolean;
  /** Some receiver's bus was down. */
  missed: boolean;
  /** Some receiver held it. */
  held: boolean;
}

let publishing: Sent | undefined;

/** A MemoryBus that records the fate of what it sends. */
class FleetBus extends MemoryBus {
  holding = false;
  constructor(
    readonly owner: number,
    channel: string,
    readonly log: Sent[],
    readonly now: () => number,
    readonly peers: () => readonly FleetBus[],
  ) {
    super({ channel });
  }
  override async publish(message: Uint8Array): Promise<void> {
    const decoded = decodeBusMessage(message);
    const sent: Sent = {
      owner: this.owner,
      keys: decoded.op === 'keys' ? decoded.keys : [],
      at: this.now(),
      unsent: !this.connected,
      dropped: false,
      missed: this.peers().some((bus) => bus !== this && !bus.connected),
      held: this.peers().some((bus) => bus !== this && bus.holding),
    };
    this.log.push(sent);
    // MemoryBus hands the message to every member synchronously inside publish.
    publishing = sent;
    const done = super.publish(message);
    publishing = undefined;
    return done;
  }
  override hold(): void {
    this.holding = true;
    super.hold();
  }
  override release(order?: 'arrival' | 'reverse'): void {
    this.holding = false;
    super.release(order);
  }
}

const open: TieredCache[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((cache) => cache.close()));
});

describe('a fleet of 4 tiered instances on a MemoryBus', () => {
  it(`${OPS} random operations with lost, delayed, reordered messages and bus outages: every read explained within the bound`, {
    timeout: 60_000,
  }, async () => {
    const random = seeded(SEED);
    const ticker = new Ticker();
    const { clock } = ticker;
    const t0 = clock.now();
    const now = () => clock.now() - t0;
    const l2 = new LaggyL2(ticker, () => random.int(LAG + 1));
    const log: Sent[] = [];
    const channel = `fleet-memory-${SEED}`;
    const faults = { dropped: 0, held: 0, reversed: 0, outages: 0, unsent: 0, missed: 0 };
    let dropRate = 0;
    const buses: FleetBus[] = [];
    const members = Array.from({ length: INSTANCES }, (_, i) => {
      const bus = new FleetBus(i, channel, log, now, () => buses);
      buses.push(bus);
      bus.dropIncoming = () => {
        if (!(dropRate > 0 && random.chance(dropRate))) return false;
        faults.dropped++;
        if (publishing) publishing.dropped = true;
        return true;
      };
      const l1 = new MemoryCache<string>({ clock });
      const cache = tiered<string>({
        l1,
        l2,
        bus,
        clock,
        l1MaxTtl: L1_MAX_TTL,
        busDownL1Ttl: BUS_DOWN_L1_TTL,
        closeTiers: false,
      });
      open.push(cache as TieredCache);
      return { cache, bus, inFlight: 0, downUntil: 0, releaseAt: 0 };
    });

    const history: Op[] = [];
    /** The bound of a write: by the fate of the message it sent (the one from its instance naming its key, sent while it ran). */
    const bounds = new Map<WriteOp, number>();
    const boundOf = (write: WriteOp, from: number): number => {
      let bound = 0;
      for (let i = from; i < log.length; i++) {
        const sent = log[i] as Sent;
        if (sent.owner !== write.instance || !sent.keys.includes(write.key)) continue;
        if (sent.at < write.start || sent.at > write.end) continue;
        if (sent.unsent || sent.dropped) bound = Math.max(bound, L1_MAX_TTL + LAG);
        if (sent.missed) bound = Math.max(bound, BUS_DOWN_L1_TTL + LAG);
        if (sent.held) bound = Math.max(bound, HOLD);
      }
      return bound;
    };

    let issued = 0;
    let sequence = 0;
    let pending = 0;
    let convergenceReads = 0;
    const divergent: string[] = [];
    const run = async (m: number): Promise<void> => {
      const member = members[m] as (typeof members)[number];
      const key = `k${random.int(KEYS)}`;
      const roll = random.next();
      member.inFlight++;
      pending++;
      const start = now();
      const logFrom = log.length;
      try {
        if (roll < 0.6) {
          const value = await member.cache.get(key);
          history.push({ kind: 'read', instance: m, key, value, start, end: now() });
        } else {
          const value = roll < 0.9 ? `${m}.${++sequence}` : undefined;
          if (value === undefined) await member.cache.delete(key);
          else await member.cache.set(key, value);
          const write: WriteOp = { kind: 'write', instance: m, key, value, start, end: now() };
          history.push(write);
          bounds.set(write, boundOf(write, logFrom));
        }
      } finally {
        member.inFlight--;
        pending--;
      }
    };

    /** Waits for the operations in flight, and for the held messages and outages to end. */
    const drain = async () => {
      while (pending > 0 || members.some((m) => m.bus.holding || !m.bus.connected)) {
        await ticker.step();
        heal(true);
      }
    };

    /** Ends the holds and outages that are due (all of them with `all`). */
    const heal = (all = false) => {
      for (const member of members) {
        if (member.bus.holding && (all || now() >= member.releaseAt)) {
          const reverse = random.chance(0.5);
          if (reverse) faults.reversed++;
          member.bus.release(reverse ? 'reverse' : 'arrival');
        }
        if (!member.bus.connected && (all || now() >= member.downUntil)) member.bus.reconnect();
      }
    };

    const running: Promise<void>[] = [];
    let phase = 0;
    while (issued < OPS) {
      // Even phases are fault-free; odd ones draw their faults.
      const faulty = phase % 2 === 1;
      const kinds = faulty
        ? { drop: random.chance(0.6), hold: random.chance(0.6), outage: random.chance(0.6) }
        : { drop: false, hold: false, outage: false };
      // A fault-free phase starts once the staleness that earlier faults allow has run out, and
      // ends with every instance reading what L2 holds: a fleet without faults agrees at once.
      if (!faulty) for (let i = 0; i <= L1_MAX_TTL + LAG; i++) await ticker.step();
      dropRate = kinds.drop ? 0.1 : 0;
      const phaseEnd = now() + PHASE;
      while (now() < phaseEnd && issued < OPS) {
        if (kinds.hold && random.chance(0.02)) {
          const member = members[random.int(INSTANCES)] as (typeof members)[number];
          if (!member.bus.holding) {
            member.bus.hold();
            member.releaseAt = now() + 1 + random.int(HOLD);
          }
        }
        if (kinds.outage && random.chance(0.01)) {
          const member = members[random.int(INSTANCES)] as (typeof members)[number];
          if (member.bus.connected) {
            faults.outages++;
            member.bus.disconnect();
            member.downUntil = now() + 1 + random.int(BUS_DOWN_L1_TTL);
          }
        }
        for (let m = 0; m < INSTANCES && issued < OPS; m++) {
          if ((members[m] as (typeof members)[number]).inFlight < 2 && random.chance(0.5)) {
            issued++;
            running.push(run(m));
          }
        }
        await ticker.step();
        heal();
      }
      dropRate = 0;
      await drain();
      if (!faulty) {
        for (let m = 0; m < INSTANCES; m++) {
          const member = members[m] as (typeof members)[number];
          for (let k = 0; k < KEYS; k++) {
            const key = `k${k}`;
            const truth = l2.entries.get(key)?.value;
            const start = now();
            let done = false;
            const reading = member.cache.get(key).finally(() => {
              done = true;
            });
            while (!done) await ticker.step();
            const value = await reading;
            history.push({ kind: 'read', instance: m, key, value, start, end: now() });
            convergenceReads++;
            if (value !== truth) {
              divergent.push(`#${m} ${key}: ${JSON.stringify(value)}, L2 ${JSON.stringify(truth)}`);
            }
          }
        }
      }
      phase++;
    }
    await Promise.all(running);

    for (const sent of log) {
      if (sent.unsent) faults.unsent++;
      if (sent.missed) faults.missed++;
      if (sent.held) faults.held++;
    }
    const result = checkHistory(history, (write) => bounds.get(write) ?? 0);
    const report = {
      seed: SEED,
      operations: history.length,
      reads: result.reads,
      writes: result.writes,
      phases: phase,
      clockMs: now(),
      ...faults,
      staleReads: result.staleReads,
      maxStaleness: result.maxStaleness,
      l1Flushes: members.reduce((n, m) => n + (m.cache.stats.snapshot().l1Flushes as number), 0),
      violations: result.violations.length,
      convergenceReads,
      divergent: divergent.length,
    };
    console.log(`fleet-memory ${JSON.stringify(report)}`);
    for (const violation of result.violations.slice(0, 3)) console.log(describeViolation(history, violation));
    expect(result.violations).toEqual([]);
    // Divergent copies after a fault-free phase come from the race of the last test; when it is
    expect(divergent).toEqual([]);
    // The run did what it says: faults of every kind, and stale reads that the bound allowed.
    expect(result.writes).toBeGreaterThan(1_000);
    expect(result.staleReads).toBeGreaterThan(0);
    expect(faults.dropped).toBeGreaterThan(0);
    expect(faults.held).toBeGreaterThan(0);
    expect(faults.reversed).toBeGreaterThan(0);
    expect(faults.outages).toBeGreaterThan(0);
  });
});

/** An L2 whose write replies wait for a gate (the write itself lands at once). */
class GatedL2 extends MapCache<string> {
  gate: Promise<void> | undefined;
  protected override async writeEntry(key: string, entry: StoredEntry<string>): Promise<void> {
    const gate = this.gate;
    await super.writeEntry(key, entry);
    await gate;
  }
}

describe('the race the fleet finds', () => {
  // set() copies its value into L1 only when nothing wrote or invalidated the key while its L2 write
  // was in flight: a peer's write that landed in L2 after it (and whose message dropped this
  // instance's copy) is the one L1 must not shadow.
  it("a write whose L2 reply comes after a peer's later write does not leave its value in L1", async () => {
    const clock = new ManualClock();
    const l2 = new GatedL2({ clock });
    const channel = 'fleet-memory-race';
    const a = tiered<string>({ l1: new MemoryCache({ clock }), l2, bus: new MemoryBus({ channel }), clock });
    const b = tiered<string>({ l1: new MemoryCache({ clock }), l2, bus: new MemoryBus({ channel }), clock });
    open.push(a as TieredCache, b as TieredCache);
    let release: () => void = () => undefined;
    l2.gate = new Promise((resolve) => (release = resolve));
    const writingA = a.set('k', 'a'); // lands in L2; the reply waits
    await new Promise((resolve) => setImmediate(resolve));
    l2.gate = undefined;
    await b.set('k', 'b'); // lands after it; its message reaches a
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await writingA;
    expect(l2.entries.get('k')?.value).toBe('b');
    expect(await b.get('k')).toBe('b');
    clock.advance(3_600_000);
    expect(await a.get('k')).toBe('b');
  });
});
