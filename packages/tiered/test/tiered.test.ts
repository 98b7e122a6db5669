import { MemoryCache } from '@cache/backend-memory';
import {
  type BusPublisher,
  type CacheError,
  CacheConnectionError,
  CacheKeyError,
  ManualClock,
} from '@cache/core';
import { decodeBusMessage, type StoredEntry } from '@cache/core/backend';
import { MapCache } from '@cache/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryBus, type TieredCache, tiered } from '../src/index.js';

const open: TieredCache[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((cache) => cache.close()));
});

let channels = 0;

/** A fleet of `n` tiered instances over one shared L2, each with its own L1 and bus. */
function fleet(n: number, options: { clock?: ManualClock; l1MaxTtl?: number; busDownL1Ttl?: number } = {}) {
  const clock = options.clock ?? new ManualClock();
  const l2 = new MapCache({ clock });
  const channel = `fleet-${channels++}`;
  const members = Array.from({ length: n }, () => {
    const l1 = new MemoryCache({ clock });
    const bus = new MemoryBus({ channel });
    const cache = tiered({ l1, l2, bus, closeTiers: false, ...options, clock });
    open.push(cache as TieredCache);
    return { cache, l1, bus };
  });
  return { clock, l2, members };
}

/** Waits until every bus message in flight has been delivered (MemoryBus delivers on a microtask). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A promise, and whether it has settled yet. */
function watch(promise: Promise<unknown>): { done: Promise<unknown>; readonly settled: boolean } {
  let settled = false;
  const done = promise.finally(() => {
    settled = true;
  });
  return {
    done,
    get settled() {
      return settled;
    },
  };
}

function errorsOf(cache: TieredCache): CacheError[] {
  const errors: CacheError[] = [];
  cache.on('error', ({ error }) => errors.push(error));
  return errors;
}

describe('reads and promotion', () => {
  it('copies an L2 hit into L1 with its remaining TTL and tags, capped by l1MaxTtl', async () => {
    const { clock, l2, members } = fleet(1, { l1MaxTtl: 60_000 });
    const [{ cache, l1 }] = members as [(typeof members)[0]];
    await l2.set('a', 'A', { ttl: 10_000, tags: ['t'] });
    await l2.set('b', 'B', { ttl: 3_600_000 });
    clock.advance(4_000);
    const hits: unknown[] = [];
    cache.on('hit', (payload) => hits.push(payload));
    expect(await cache.get('a')).toBe('A');
    expect(await cache.get('b')).toBe('B');
    expect(await l1.getEntry('a')).toMatchObject({ value: 'A', expiresAt: clock.now() + 6_000, tags: ['t'] });
    expect(await l1.getEntry('b')).toMatchObject({ value: 'B', expiresAt: clock.now() + 60_000 });
    expect(await cache.get('a')).toBe('A');
    expect(hits).toEqual([
      { key: 'a', tier: 'l2' },
      { key: 'b', tier: 'l2' },
      { key: 'a', tier: 'l1' },
    ]);
    expect(cache.stats.snapshot()).toMatchObject({ hits: 3, l1Hits: 1, l2Hits: 2, promotions: 2 });
    await l2.invalidateTags(['t']);
    await cache.invalidateTags(['t']);
    expect(await cache.get('a')).toBeUndefined();
  });

  it('does not install a value read from L2 when the key is invalidated while the read is in flight', async () => {
    let release: () => void = () => undefined;
    class SlowL2 extends MapCache {
      gate: Promise<void> | undefined;
      protected override async readEntry(key: string): Promise<StoredEntry | undefined> {
        const entry = this.entries.get(key);
        await this.gate;
        return entry;
      }
    }
    const l2 = new SlowL2();
    const l1 = new MemoryCache();
    const bus = new MemoryBus({ channel: `race-${channels++}` });
    const peerBus = new MemoryBus({ channel: bus.channel });
    const cache = tiered({ l1, l2, bus });
    const peer = tiered({ l1: new MemoryCache(), l2, bus: peerBus });
    open.push(cache, peer);
    await l2.set('k', 'old');
    l2.gate = new Promise((resolve) => (release = resolve));
    const reading = cache.get('k');
    await settle();
    // Another instance writes a new value and announces it while the read of 'old' is in flight.
    l2.gate = undefined;
    await peer.set('k', 'new');
    await settle();
    release();
    expect(await reading).toBe('old');
    expect(await l1.get('k')).toBeUndefined();
    expect(await cache.get('k')).toBe('new');
  });

  it("does not install a value read from L2 before this instance's own write landed, once the write is done", async () => {
    class GatedL2 extends MapCache {
      readGate: Promise<void> | undefined;
      writeGate: Promise<void> | undefined;
      protected override async readEntry(key: string): Promise<StoredEntry | undefined> {
        const entry = this.entries.get(key);
        await this.readGate;
        return entry;
      }
      protected override async writeEntry(key: string, entry: StoredEntry): Promise<void> {
        await this.writeGate;
        return super.writeEntry(key, entry);
      }
    }
    const l2 = new GatedL2();
    const l1 = new MemoryCache();
    const cache = tiered({ l1, l2 });
    open.push(cache);
    await l2.set('k', 'old');
    let releaseWrite: () => void = () => undefined;
    let releaseRead: () => void = () => undefined;
    l2.writeGate = new Promise((resolve) => (releaseWrite = resolve));
    l2.readGate = new Promise((resolve) => (releaseRead = resolve));
    // The write begins; a read begins after it and reads L2 before the write lands there.
    const writing = cache.set('k', 'new');
    await settle();
    const reading = cache.get('k');
    await settle();
    releaseWrite();
    await writing;
    expect(await l1.get('k')).toBe('new');
    // The read's reply comes after the write is done: it returns what it read, and installs nothing.
    releaseRead();
    expect(await reading).toBe('old');
    expect(await l1.get('k')).toBe('new');
    expect(await cache.get('k')).toBe('new');
  });
});

/** A MemoryBus whose publishes wait at a gate, to see what a write waits for. */
class GatedBus extends MemoryBus {
  #open = () => {};
  #gate = new Promise<void>((resolve) => {
    this.#open = resolve;
  });
  open(): void {
    this.#open();
  }
  override async publish(message: Uint8Array): Promise<void> {
    await this.#gate;
    return super.publish(message);
  }
}

describe('busPublish', () => {
  it("'await' (the default): a write resolves once the bus took its message", async () => {
    const channel = `gated-${channels++}`;
    const bus = new GatedBus({ channel });
    const a = tiered({ l1: new MemoryCache(), l2: new MapCache(), bus });
    open.push(a as TieredCache);
    const setting = watch(a.set('k', 1));
    await settle();
    expect(setting.settled).toBe(false);
    bus.open();
    await setting.done;
    expect(a.stats.snapshot().busPublished).toBe(1);
  });

  it("'background': a write resolves before its message is taken, which still drops the peers' copies; close() waits for it", async () => {
    const channel = `gated-${channels++}`;
    const l2 = new MapCache();
    const bus = new GatedBus({ channel });
    const a = tiered({ l1: new MemoryCache(), l2, bus, busPublish: 'background', closeTiers: false });
    const peer = new MemoryBus({ channel });
    const b = tiered({ l1: new MemoryCache(), l2, bus: peer, closeTiers: false });
    open.push(b as TieredCache);
    await l2.set('k', 0);
    await b.get('k'); // B holds a copy of 0
    await a.set('k', 1);
    expect(a.stats.snapshot().busPublished).toBe(0);
    expect(await b.l1.get('k')).toBe(0);
    const closing = watch(a.close());
    await settle();
    expect(closing.settled).toBe(false);
    bus.open();
    await closing.done;
    await settle();
    expect(a.stats.snapshot().busPublished).toBe(1);
    expect(await b.l1.get('k')).toBeUndefined();
    expect(await b.get('k')).toBe(1);
  });

  it('refuses another value', () => {
    expect(() => tiered({ l1: new MemoryCache(), l2: new MapCache(), busPublish: 'later' as never })).toThrow(
      "busPublish must be 'await' or 'background', got \"later\"",
    );
  });
});

/**
 * A MemoryBus that, like RedisBus over a RedisCache on its server, publishes on L2's connection:
 * its publisher logs what it is asked, and `behind` tells whether the write went out at once.
 */
class ConnectionBus extends MemoryBus {
  readonly log: string[] = [];
  behind = true;
  announcesWrites = false;
  #gate: Promise<void> = Promise.resolve();
  #open = () => {};
  /** Holds the messages sent behind writes until `open()`. */
  shut(): void {
    this.#gate = new Promise<void>((resolve) => {
      this.#open = resolve;
    });
  }
  open(): void {
    this.#open();
  }
  publisherFor(cache: unknown): BusPublisher | undefined {
    if (!(cache instanceof MapCache)) return undefined;
    const describe = (message: Uint8Array): string => {
      const decoded = decodeBusMessage(message);
      return decoded.op === 'keys' ? `keys ${decoded.keys.join(',')}` : decoded.op;
    };
    return {
      announcesWrites: this.announcesWrites,
      publish: (message) => {
        this.log.push(`publish ${describe(message)}`);
        return this.publish(message);
      },
      publishBehind: (write, message) => {
        const written = write();
        if (!this.behind) return { written, sent: undefined };
        this.log.push(`behind ${describe(message)}`);
        return { written, sent: this.#gate.then(() => this.publish(message)) };
      },
    };
  }
}

describe("a bus that publishes on L2's connection (publisherFor)", () => {
  function pair(
    options: { behind?: boolean; announcesWrites?: boolean; busPublish?: 'await' | 'background' } = {},
  ) {
    const channel = `connection-${channels++}`;
    const l2 = new MapCache();
    const log: string[] = [];
    const set = l2.set.bind(l2);
    l2.set = (key, value, setOptions) => {
      log.push(`l2.set ${key}`);
      return set(key, value, setOptions);
    };
    const bus = new ConnectionBus({ channel });
    bus.behind = options.behind ?? true;
    bus.announcesWrites = options.announcesWrites ?? false;
    bus.log.push = (...items: string[]) => log.push(...items);
    const a = tiered({ l1: new MemoryCache(), l2, bus, busPublish: options.busPublish, closeTiers: false });
    const b = tiered({ l1: new MemoryCache(), l2, bus: new MemoryBus({ channel }), closeTiers: false });
    open.push(a as TieredCache, b as TieredCache);
    return { l2, bus, a, b, log };
  }

  it('a set sends its message right behind the L2 write, once, and waits for it by default', async () => {
    const { l2, bus, a, b, log } = pair();
    await l2.set('k', 0);
    await b.get('k');
    log.length = 0;
    bus.shut();
    const setting = watch(a.set('k', 1));
    await settle();
    expect(log).toEqual(['l2.set k', 'behind keys k']);
    expect(setting.settled).toBe(false);
    bus.open();
    await setting.done;
    await settle();
    expect(log).toEqual(['l2.set k', 'behind keys k']);
    expect(a.stats.snapshot().busPublished).toBe(1);
    expect(await b.l1.get('k')).toBeUndefined();
    expect(await b.get('k')).toBe(1);
  });

  it("'background': the set resolves before the message is taken; close() waits for it", async () => {
    const { bus, a, log } = pair({ busPublish: 'background' });
    bus.shut();
    await a.set('k', 1);
    expect(log).toEqual(['l2.set k', 'behind keys k']);
    expect(a.stats.snapshot().busPublished).toBe(0);
    const closing = watch(a.close());
    await settle();
    expect(closing.settled).toBe(false);
    bus.open();
    await closing.done;
    expect(a.stats.snapshot().busPublished).toBe(1);
  });

  it('a write that did not go out at once is announced once it completed, on the same publisher', async () => {
    const { a, log } = pair({ behind: false });
    await a.set('k', 1);
    await a.delete('k');
    await a.invalidateTags(['t']);
    expect(log).toEqual(['l2.set k', 'publish keys k', 'publish keys k', 'publish tags']);
    expect(a.stats.snapshot().busPublished).toBe(3);
  });

  it('a bus whose server announces writes: sets and deletes send nothing; tags and clears still do', async () => {
    const { a, log } = pair({ announcesWrites: true });
    await a.set('k', 1);
    await a.setMany([
      ['x', 1],
      ['y', 2],
    ]);
    await a.delete('k');
    await a.invalidateTags(['t']);
    await a.clear();
    expect(log).toEqual(['l2.set k', 'publish tags', 'publish clear']);
    expect(a.stats.snapshot().busPublished).toBe(2);
  });

  it('another kind of L2 gets the plain publish after the write', async () => {
    const channel = `connection-${channels++}`;
    const bus = new ConnectionBus({ channel });
    const a = tiered({ l1: new MemoryCache(), l2: new MemoryCache(), bus });
    open.push(a as TieredCache);
    await a.set('k', 1);
    expect(bus.log).toEqual([]);
    expect(a.stats.snapshot().busPublished).toBe(1);
  });
});

describe('stats', () => {
  it("counts L2's evictions by cause, and not L1's (an L1 eviction loses nothing)", async () => {
    const l1 = new MemoryCache({ maxEntries: 1, policy: 'lru' });
    const l2 = new MemoryCache({ maxEntries: 2, policy: 'lru' });
    const cache = tiered({ l1, l2 });
    open.push(cache as TieredCache);
    for (const key of ['a', 'b', 'c']) await cache.set(key, key);
    expect(cache.stats.snapshot()).toMatchObject({
      evictions: 1,
      evictionsByCause: { capacity: 1, size: 0, expired: 0 },
    });
    expect(l1.stats.snapshot().evictionsByCause).toEqual({ capacity: 2, size: 0, expired: 0 });
  });
});

describe('the bus', () => {
  it("drops other instances' L1 copies on writes, removals, clear, patterns and tags, never the sender's", async () => {
    const { members } = fleet(3);
    const [a, b, c] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
    await a.cache.set('k', 1, { tags: ['t'] });
    await a.cache.set('p:1', 1);
    await a.cache.set('q', 1);
    for (const m of [b, c]) {
      expect(await m.cache.get('k')).toBe(1);
      expect(await m.cache.get('p:1')).toBe(1);
      expect(await m.cache.get('q')).toBe(1);
    }
    await b.cache.set('k', 2, { tags: ['t'] });
    await settle();
    expect(await a.l1.get('k')).toBeUndefined();
    expect(await c.l1.get('k')).toBeUndefined();
    expect(await b.l1.get('k')).toBe(2);
    expect(await a.cache.get('k')).toBe(2);
    await c.cache.deleteMatching('p:*');
    await settle();
    expect(await a.l1.get('p:1')).toBeUndefined();
    await c.cache.invalidateTags(['t']);
    await settle();
    expect(await a.l1.get('k')).toBeUndefined();
    expect(await b.l1.get('k')).toBeUndefined();
    await a.cache.clear();
    await settle();
    expect(await b.l1.get('q')).toBeUndefined();
    expect(a.cache.stats.snapshot()).toMatchObject({ busPublished: 4 });
    expect(b.cache.stats.snapshot().busReceived).toBe(6);
  });

  it('empties L1 when a message is lost (a gap in the sequence) and when the bus reconnects', async () => {
    const { members } = fleet(2);
    const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
    await a.cache.set('x', 1);
    await a.cache.set('y', 1);
    await settle();
    expect(await b.cache.get('x')).toBe(1);
    expect(await b.cache.get('y')).toBe(1);
    // The next message from a is lost; the one after shows the gap.
    let drop = true;
    b.bus.dropIncoming = () => {
      const dropped = drop;
      drop = false;
      return dropped;
    };
    await a.cache.set('x', 2);
    await settle();
    expect(await b.l1.get('x')).toBe(1);
    await a.cache.set('z', 1);
    await settle();
    expect(await b.l1.get('x')).toBeUndefined();
    expect(await b.l1.get('y')).toBeUndefined();
    expect(b.cache.stats.snapshot().l1Flushes).toBe(1);
    expect(await b.cache.get('y')).toBe(1);
    b.bus.disconnect();
    b.bus.reconnect();
    expect(await b.l1.get('y')).toBeUndefined();
    expect(b.cache.stats.snapshot().l1Flushes).toBe(2);
  });

  it('keeps L1 copies at most busDownL1Ttl while the bus is down', async () => {
    const { clock, members } = fleet(1, { busDownL1Ttl: 2_000 });
    const [{ cache, l1, bus }] = members as [(typeof members)[0]];
    await cache.set('k', 'v', { ttl: '1h' });
    bus.disconnect();
    await cache.set('new', 'v', { ttl: '1h' });
    expect((await l1.getEntry('new'))?.expiresAt).toBe(clock.now() + 2_000);
    // The copy made before the outage is dropped when busDownL1Ttl has passed (a real timer).
    await vi.waitFor(async () => expect(await l1.get('k')).toBeUndefined(), { timeout: 5_000 });
    expect(await cache.get('k')).toBe('v');
  });
});

describe("onRemoteSet: 'stale'", () => {
  it("keeps the copy a peer's write replaced, and serves it only while L2 cannot be read", async () => {
    const l2 = new MapCache();
    const channel = `stale-${channels++}`;
    const a = tiered({ l1: new MemoryCache(), l2, bus: new MemoryBus({ channel }), onRemoteSet: 'stale' });
    const b = tiered({ l1: new MemoryCache(), l2, bus: new MemoryBus({ channel }), closeTiers: false });
    open.push(a, b);
    await b.set('k', 1);
    await settle();
    expect(await a.get('k')).toBe(1);
    await b.set('k', 2);
    await settle();
    expect(await a.l1.get('k')).toBeUndefined();
    l2.failWith(() => new CacheConnectionError('down'));
    expect(await a.get('k')).toBe(1);
    expect(await a.get('other')).toBeUndefined();
    l2.failWith(undefined);
    expect(await a.get('k')).toBe(2);
    // A write here forgets the stale copy.
    await a.set('k', 3);
    await b.set('k', 4);
    await settle();
    await a.delete('k');
    l2.failWith(() => new CacheConnectionError('down'));
    expect(await a.get('k')).toBeUndefined();
    l2.failWith(undefined);
    expect(() => tiered({ l1: new MemoryCache(), l2, onRemoteSet: 'keep' as never })).toThrow(
      "onRemoteSet must be 'drop' or 'stale', got \"keep\"",
    );
  });
});

describe('L2 outages', () => {
  function outage(options: { onL2Error?: 'throw'; recoveryQueueSize?: number } = {}) {
    const clock = new ManualClock();
    const l2 = new MapCache({ clock });
    const l1 = new MemoryCache({ clock });
    const bus = new MemoryBus({ channel: `outage-${channels++}` });
    const peerBus = new MemoryBus({ channel: bus.channel });
    const cache = tiered({
      l1,
      l2,
      bus,
      clock,
      breaker: { threshold: 2, window: 10_000, openFor: 5_000 },
      ...options,
    });
    const peer = tiered({ l1: new MemoryCache({ clock }), l2, bus: peerBus, clock, closeTiers: false });
    open.push(cache, peer);
    return { clock, l1, l2, cache, peer };
  }

  it('opens the breaker after the threshold, stops calling L2, and probes once when half-open', async () => {
    const { clock, l2, cache } = outage();
    const errors = errorsOf(cache);
    let calls = 0;
    l2.failWith(() => {
      calls++;
      return new CacheConnectionError('down');
    });
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBeUndefined();
    expect(calls).toBe(2);
    expect(cache.stats.snapshot()).toMatchObject({ breakerOpen: 1, breakerState: 'open' });
    expect(errors.map((e) => e.message)).toContain('L2 of tiered failed repeatedly: circuit open');
    expect(await cache.get('c')).toBeUndefined();
    expect(calls).toBe(2);
    clock.advance(5_000);
    expect(cache.stats.snapshot().breakerState).toBe('half-open');
    // The probe fails: open again for another period.
    expect(await cache.get('d')).toBeUndefined();
    expect(calls).toBe(3);
    expect(cache.stats.snapshot().breakerState).toBe('open');
    clock.advance(5_000);
    l2.failWith(undefined);
    await l2.set('e', 'E');
    expect(await cache.get('e')).toBe('E');
    expect(cache.stats.snapshot().breakerState).toBe('closed');
  });

  it('serves L1, computes into L1, queues writes, and replays and announces them when L2 is back', async () => {
    const { clock, l1, l2, cache, peer } = outage();
    await cache.set('kept', 'old');
    expect(await peer.get('kept')).toBe('old');
    l2.failWith(() => new CacheConnectionError('down'));
    await cache.set('kept', 'new');
    await cache.set('fresh', 'F', { ttl: '1h', tags: ['t'] });
    await cache.delete('gone');
    expect(await cache.get('kept')).toBe('new');
    let runs = 0;
    expect(await cache.getOrSet('computed', () => ++runs)).toBe(1);
    expect(await cache.getOrSet('computed', () => ++runs)).toBe(1);
    expect(await l1.get('computed')).toBe(1);
    expect(cache.stats.snapshot()).toMatchObject({ recoveryPending: 4 });
    l2.failWith(undefined);
    clock.advance(5_000);
    // The next L2 call closes the breaker and starts the replay.
    expect(await cache.has('anything')).toBe(false);
    await vi.waitFor(() => expect(cache.stats.snapshot().recoveryPending).toBe(0));
    await vi.waitFor(async () => expect(await peer.l1.get('kept')).toBeUndefined());
    expect(await l2.get('kept')).toBe('new');
    // The replayed entry keeps its own expiry, written 5 s before the replay.
    expect(await l2.getEntry('fresh')).toMatchObject({
      value: 'F',
      tags: ['t'],
      expiresAt: clock.now() - 5_000 + 3_600_000,
    });
    expect(await l2.get('computed')).toBe(1);
    expect(await peer.get('kept')).toBe('new');
    expect(cache.stats.snapshot()).toMatchObject({ recoveryReplayed: 4 });
  });

  it('announces a flush instead when the recovery queue overflowed', async () => {
    const { clock, l2, cache, peer } = outage({ recoveryQueueSize: 2 });
    await cache.set('a', 0);
    expect(await peer.get('a')).toBe(0);
    l2.failWith(() => new CacheConnectionError('down'));
    for (const key of ['a', 'b', 'c']) await cache.set(key, 1);
    l2.failWith(undefined);
    clock.advance(5_000);
    await cache.has('x');
    await vi.waitFor(() => expect(peer.stats.snapshot().l1Flushes).toBe(1));
    expect(cache.stats.snapshot().l1Flushes).toBe(1);
    expect(await peer.get('a')).toBe(0);
  });

  it("rejects with L2's error and leaves L1 unchanged with onL2Error: 'throw'", async () => {
    const { l1, l2, cache } = outage({ onL2Error: 'throw' });
    await cache.set('k', 'v1');
    l2.failWith(() => new CacheConnectionError('down'));
    await expect(cache.set('k', 'v2')).rejects.toMatchObject({ code: 'CACHE_CONNECTION' });
    expect(await l1.get('k')).toBe('v1');
    await l1.delete('k');
    await expect(cache.get('k')).rejects.toMatchObject({ code: 'CACHE_CONNECTION' });
    await expect(cache.getOrSet('n', () => 1)).rejects.toMatchObject({ code: 'CACHE_CONNECTION' });
    expect(cache.stats.snapshot().recoveryPending).toBe(0);
  });

  it('passes errors of the call itself through without opening the breaker', async () => {
    const { cache } = outage();
    for (let i = 0; i < 3; i++) await expect(cache.set('', 1)).rejects.toBeInstanceOf(CacheKeyError);
    const failure = new Error('factory failed');
    for (let i = 0; i < 3; i++)
      await expect(
        cache.getOrSet('k', () => {
          throw failure;
        }),
      ).rejects.toBe(failure);
    expect(cache.stats.snapshot()).toMatchObject({
      breakerOpen: 0,
      breakerState: 'closed',
      recoveryPending: 0,
    });
  });
});
