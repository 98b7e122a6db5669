// RedisBus against real servers: the shared one on REDIS_URL for message exchange (a unique
// channel per test), a server this file starts for faults (CLIENT KILL, kill and restart,
// FLUSHDB) and for tracking mode, and a 3-master Cluster started by this file. No sleeps: every
// wait is for an event or a message, bounded by withTimeout so that a missing event fails the test.
import { CacheConfigError, CacheErrorCode } from '@cache/core';
import { BUS_FORMAT_VERSION, type BusMessage, decodeBusMessage, encodeBusMessage } from '@cache/core/backend';
import { MapCache, rejection, uniquePrefix } from '@cache/test-utils';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type RedisClusterHandle,
  type RedisServerHandle,
  startRedisCluster,
  startRedisServer,
} from '@cache/redis-launcher';
import { RedisBus, type RedisBusOptions, RedisCache, TRACKING_SENDER } from '../src/index.js';
import { makeCache, REDIS_URL, rawRedis, track } from './helpers/redis.js';
import { withTimeout } from './support/servers.js';

const WAIT = 15_000;
const buses: RedisBus[] = [];

afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
});

/** What a bus received and emitted, with a wait for a condition on it. */
interface Recorded {
  bus: RedisBus;
  events: string[];
  messages: Uint8Array[];
  errors: unknown[];
  /** Resolves once `check()` holds (checked now and after each event or message). */
  until(check: () => boolean): Promise<void>;
}

function open(options: RedisBusOptions): Recorded {
  const bus = new RedisBus(options);
  buses.push(bus);
  const events: string[] = [];
  const messages: Uint8Array[] = [];
  const errors: unknown[] = [];
  const waiters: (() => void)[] = [];
  const poke = (): void => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  bus.on('connect', () => {
    events.push('connect');
    poke();
  });
  bus.on('disconnect', () => {
    events.push('disconnect');
    poke();
  });
  bus.on('error', ({ error }) => errors.push(error));
  bus.subscribe((message) => {
    messages.push(message);
    poke();
  });
  const until = (check: () => boolean): Promise<void> =>
    withTimeout(
      new Promise<void>((resolve) => {
        const test = (): void => {
          if (check()) resolve();
          else waiters.push(test);
        };
        test();
      }),
      WAIT,
    );
  return { bus, events, messages, errors, until };
}

function connected(...recorded: Recorded[]): Promise<unknown> {
  return Promise.all(recorded.map((r) => r.until(() => r.bus.connected)));
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

function decoded(r: Recorded): BusMessage[] {
  return r.messages.map((message) => decodeBusMessage(message));
}

/** A message id for tests on one channel: the bytes a test expects back. */
function keysMessage(keys: string[], seq = 1): Uint8Array {
  return encodeBusMessage({ op: 'keys', keys, from: 'test', seq, at: 0 });
}

describe('RedisBus options', () => {
  it('refuses invalid options with CacheConfigError', () => {
    const bad: unknown[] = [
      { url: 'http://x' },
      { url: REDIS_URL, cluster: { nodes: [{ host: '127.0.0.1', port: 1 }] } },
      { channel: '' },
      { publishTimeout: -1 },
      { publishTimeout: 'soon' },
      { mode: 'other' },
      { mode: 'tracking' },
      { mode: 'tracking', url: REDIS_URL },
      { prefix: 'app:' },
      { publishWrites: false },
      { mode: 'tracking', client: new Redis(REDIS_URL, { lazyConnect: true }), publishWrites: 'no' },
      { sharded: 'yes' },
      { client: {} },
      { unknownOption: 1 },
    ];
    for (const options of bad) {
      let error: unknown;
      try {
        buses.push(new RedisBus(options as RedisBusOptions));
      } catch (caught) {
        error = caught;
      }
      expect(error, JSON.stringify(options)).toBeInstanceOf(CacheConfigError);
      expect((error as CacheConfigError).code).toBe(CacheErrorCode.config);
    }
    expect(buses).toHaveLength(0);
  });

  it('names its channel after the format version and applies the defaults', async () => {
    const r = open({ url: REDIS_URL });
    expect(r.bus.channel).toBe(`cache:v${BUS_FORMAT_VERSION}`);
    expect(r.bus.publishTimeout).toBe(1000);
    expect(r.bus.mode).toBe('pubsub');
    const named = open({ url: REDIS_URL, channel: 'app', publishTimeout: '250ms' });
    expect(named.bus.channel).toBe(`app:v${BUS_FORMAT_VERSION}`);
    expect(named.bus.publishTimeout).toBe(250);
    await connected(r, named);
  });
});

describe('RedisBus pub/sub on one server', () => {
  it('delivers the exact bytes to every bus on the channel, the sender included', async () => {
    const channel = uniquePrefix('bus');
    const a = open({ url: REDIS_URL, channel });
    const b = open({ url: REDIS_URL, channel });
    await connected(a, b);
    expect(a.events).toEqual(['connect']);
    const first = bytes(1, 0, 255, 0xc3, 0x28, 0xf0, 0x9f, 0x98);
    const second = keysMessage(['user:1', 'ü'], 7);
    await a.bus.publish(first);
    await b.bus.publish(second);
    await a.until(() => a.messages.length === 2);
    await b.until(() => b.messages.length === 2);
    for (const r of [a, b]) {
      expect(r.messages.map((m) => [...m])).toEqual([[...first], [...second]]);
      expect(r.messages[0]).toBeInstanceOf(Uint8Array);
    }
    expect(decodeBusMessage(a.messages[1] as Uint8Array)).toEqual({
      op: 'keys',
      keys: ['user:1', 'ü'],
      from: 'test',
      seq: 7,
      at: 0,
    });
  });

  it('publishes on the versioned channel, where other channels and versions do not listen', async () => {
    const channel = uniquePrefix('bus');
    const other = uniquePrefix('bus');
    const a = open({ url: REDIS_URL, channel });
    const b = open({ url: REDIS_URL, channel: other });
    const raw = rawRedis();
    const rawSub = rawRedis();
    const rawReceived: [string, string][] = [];
    let rawGotTwo: () => void = () => {};
    const rawDone = new Promise<void>((resolve) => {
      rawGotTwo = resolve;
    });
    rawSub.on('message', (name: string, text: string) => {
      if (rawReceived.push([name, text]) === 2) rawGotTwo();
    });
    // Same name, other versions and no version: nothing published by the bus arrives there.
    await rawSub.subscribe(channel, `${channel}:v${BUS_FORMAT_VERSION + 1}`, `${channel}:v0`, `${other}:v1`);
    await connected(a, b);
    expect(await raw.pubsub('NUMSUB', `${channel}:v${BUS_FORMAT_VERSION}`)).toEqual([
      `${channel}:v${BUS_FORMAT_VERSION}`,
      1,
    ]);
    // A message of the next version on the same name, published raw, does not reach `a` either.
    await raw.publish(`${channel}:v${BUS_FORMAT_VERSION + 1}`, 'from v2');
    await a.bus.publish(bytes(1, 2, 3));
    // PUBLISH reaches every subscriber before it answers: a later marker on `other` arrives after
    // anything the first publish delivered.
    await b.bus.publish(bytes(9));
    await b.until(() => b.messages.length === 1);
    await a.until(() => a.messages.length === 1);
    expect(b.messages.map((m) => [...m])).toEqual([[9]]);
    expect(a.messages.map((m) => [...m])).toEqual([[1, 2, 3]]);
    await withTimeout(rawDone, WAIT);
    expect(rawReceived).toEqual([
      [`${channel}:v${BUS_FORMAT_VERSION + 1}`, 'from v2'],
      [`${other}:v1`, '\u0009'],
    ]);
  });

  it('a publish made before the first connection waits for it', async () => {
    const channel = uniquePrefix('bus');
    const b = open({ url: REDIS_URL, channel });
    await connected(b);
    const a = open({ url: REDIS_URL, channel });
    const published = a.bus.publish(bytes(4));
    expect(a.bus.connected).toBe(false);
    await published;
    await b.until(() => b.messages.length === 1);
    expect([...(b.messages[0] as Uint8Array)]).toEqual([4]);
  });

  it('a raw PUBLISH on the versioned channel reaches the bus', async () => {
    const channel = uniquePrefix('bus');
    const a = open({ url: REDIS_URL, channel });
    await connected(a);
    await rawRedis().publish(`${channel}:v${BUS_FORMAT_VERSION}`, Buffer.from([0, 1, 2]));
    await a.until(() => a.messages.length === 1);
    expect([...(a.messages[0] as Uint8Array)]).toEqual([0, 1, 2]);
  });

  it('works from a given client, which it leaves open, and rejects publishes once closed', async () => {
    const client = new Redis(REDIS_URL, { lazyConnect: true, keyPrefix: 'ignored:' });
    const channel = uniquePrefix('bus');
    const a = open({ client, channel });
    await connected(a);
    // The bus connects on duplicates: the given client is never used (nor connected) by it.
    expect(client.status).toBe('wait');
    await a.bus.publish(bytes(5));
    await a.until(() => a.messages.length === 1);
    await a.bus.close();
    expect(a.bus.connected).toBe(false);
    const error = await rejection(a.bus.publish(bytes(6)));
    expect((error as { code: unknown }).code).toBe(CacheErrorCode.connection);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    // Closing drops the listeners: no event after close.
    expect(a.events).toEqual(['connect']);
  });

  it('an unsubscribed listener receives nothing more; a throwing listener does not stop the others', async () => {
    const channel = uniquePrefix('bus');
    const a = open({ url: REDIS_URL, channel });
    const seen: number[] = [];
    const stop = a.bus.subscribe((m) => seen.push(m[0] as number));
    a.bus.subscribe(() => {
      throw new Error('listener failure');
    });
    await connected(a);
    await a.bus.publish(bytes(1));
    await a.until(() => a.messages.length === 1);
    stop();
    await a.bus.publish(bytes(2));
    await a.until(() => a.messages.length === 2);
    expect(seen).toEqual([1]);
    expect(a.messages.map((m) => m[0])).toEqual([1, 2]);
    expect(a.errors.map((e) => (e as Error).message)).toEqual(['listener failure', 'listener failure']);
  });
});

describe("RedisBus.publisherFor: messages on a RedisCache's connection", () => {
  it("is given for a RedisCache on the bus's server only", async () => {
    const channel = uniquePrefix('bus');
    const a = open({ url: REDIS_URL, channel });
    const cache = makeCache();
    expect(a.bus.publisherFor(cache)).toMatchObject({ announcesWrites: false });
    const elsewhere = new Redis('redis://127.0.0.1:1', { lazyConnect: true });
    const other = track(new RedisCache({ client: elsewhere, prefix: uniquePrefix('other') }));
    expect(a.bus.publisherFor(other)).toBeUndefined();
    // Another user may not have the right to publish: its cache's connection is not used.
    const asUser = new Redis(REDIS_URL, { lazyConnect: true, username: 'reader' });
    const userCache = track(new RedisCache({ client: asUser, prefix: uniquePrefix('user') }));
    expect(a.bus.publisherFor(userCache)).toBeUndefined();
    await userCache.close();
    asUser.disconnect();
    expect(a.bus.publisherFor(new MapCache())).toBeUndefined();
    await other.close();
    elsewhere.disconnect();
  });

  it('sends a message behind a write: the server applies the write, then publishes', async () => {
    const channel = uniquePrefix('bus');
    const a = open({ url: REDIS_URL, channel });
    await connected(a);
    const cache = makeCache<number>();
    const publisher = a.bus.publisherFor(cache as RedisCache<unknown>);
    if (publisher === undefined) throw new Error('no publisher');
    const monitor = await new Redis(REDIS_URL, { lazyConnect: true }).monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      const command = args[0]?.toLowerCase();
      if (command === 'set' && args[1]?.startsWith(cache.prefix))
        seen.push(`set ${args[1].slice(cache.prefix.length)}`);
      if (command === 'publish' && args[1] === a.bus.channel) seen.push('publish');
    });
    const n = 20;
    for (let i = 0; i < n; i++) {
      const { written, sent } = publisher.publishBehind(
        () => cache.set(`k${i}`, i),
        keysMessage([`k${i}`], i + 1),
      );
      expect(sent).toBeDefined();
      await Promise.all([written, sent]);
    }
    await a.until(() => a.messages.length === n);
    await withTimeout(
      (async () => {
        while (seen.length < 2 * n) await new Promise((resolve) => monitor.once('monitor', resolve));
      })(),
      WAIT,
    );
    monitor.disconnect();
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => [`set e:k${i}`, 'publish']).flat());
    expect(decoded(a).map((m) => m.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(await cache.get('k19')).toBe(19);
  });

  it('sends nothing behind a write made in several steps (a tagged set); publish still goes', async () => {
    const channel = uniquePrefix('bus');
    const a = open({ url: REDIS_URL, channel });
    await connected(a);
    const cache = makeCache();
    const publisher = a.bus.publisherFor(cache);
    if (publisher === undefined) throw new Error('no publisher');
    const { written, sent } = publisher.publishBehind(() => cache.set('t', 1, { tags: ['x'] }), bytes(1));
    expect(sent).toBeUndefined();
    await written;
    await publisher.publish(bytes(2));
    await a.until(() => a.messages.length === 1);
    expect([...(a.messages[0] as Uint8Array)]).toEqual([2]);
    expect(await cache.get('t')).toBe(1);
  });

  it('once the bus is closed: the write still runs, nothing is sent behind it, and publish rejects', async () => {
    const a = open({ url: REDIS_URL, channel: uniquePrefix('bus') });
    const cache = makeCache();
    const publisher = a.bus.publisherFor(cache);
    if (publisher === undefined) throw new Error('no publisher');
    await a.bus.close();
    const { written, sent } = publisher.publishBehind(() => cache.set('k', 1), bytes(1));
    expect(sent).toBeUndefined();
    await written;
    expect(await cache.get('k')).toBe(1);
    const error = await rejection(publisher.publish(bytes(2)));
    expect((error as { code: unknown }).code).toBe(CacheErrorCode.connection);
  });

  it("while the cache's connection is down, a publish rejects at once with CACHE_CONNECTION", async () => {
    const a = open({ url: REDIS_URL, channel: uniquePrefix('bus') });
    const cache = makeCache();
    await cache.set('warm', 1);
    const publisher = a.bus.publisherFor(cache);
    if (publisher === undefined) throw new Error('no publisher');
    const closed = new Promise((resolve) => cache.client.once('close', resolve));
    cache.client.disconnect(true);
    await closed;
    const error = await rejection(publisher.publish(bytes(1)));
    expect((error as { code: unknown }).code).toBe(CacheErrorCode.connection);
  });
});

describe('RedisBus faults on a server this file starts', () => {
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  function raw(): Redis {
    return rawRedis(server.url);
  }

  it('CLIENT KILL TYPE pubsub: disconnect, then connect, and messages flow again', async () => {
    const a = open({ url: server.url, channel: 'kill' });
    const b = open({ url: server.url, channel: 'kill' });
    await connected(a, b);
    const killed = await raw().call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    expect(killed).toBe(2);
    await a.until(() => a.events.length === 3);
    await b.until(() => b.events.length === 3);
    expect(a.events).toEqual(['connect', 'disconnect', 'connect']);
    expect(b.events).toEqual(['connect', 'disconnect', 'connect']);
    await a.bus.publish(bytes(42));
    await b.until(() => b.messages.length === 1);
    expect([...(b.messages[0] as Uint8Array)]).toEqual([42]);
  });

  it('server killed: publish rejects with CACHE_CONNECTION; restarted: connect, and messages flow', async () => {
    const a = open({ url: server.url, channel: 'restart' });
    const b = open({ url: server.url, channel: 'restart' });
    await connected(a, b);
    await server.kill();
    await a.until(() => a.events.includes('disconnect'));
    await b.until(() => b.events.includes('disconnect'));
    expect(a.bus.connected).toBe(false);
    const error = await rejection(a.bus.publish(bytes(1)));
    expect((error as { code: unknown }).code).toBe(CacheErrorCode.connection);
    await server.restart();
    await connected(a, b);
    expect(a.events).toEqual(['connect', 'disconnect', 'connect']);
    expect(b.events).toEqual(['connect', 'disconnect', 'connect']);
    // The publisher reconnects on its own schedule: publish once it is back.
    for (;;) {
      try {
        await a.bus.publish(bytes(2));
        break;
      } catch (caught) {
        expect((caught as { code: unknown }).code).toBe(CacheErrorCode.connection);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await b.until(() => b.messages.length === 1);
    expect([...(b.messages[0] as Uint8Array)]).toEqual([2]);
  });

  it('a publish to a server that does not answer rejects with CACHE_TIMEOUT', async () => {
    const a = open({ url: server.url, channel: 'paused', publishTimeout: 200 });
    await connected(a);
    await raw().client('PAUSE', 1_500, 'ALL');
    const error = await rejection(a.bus.publish(bytes(1)));
    expect((error as { code: unknown }).code).toBe(CacheErrorCode.timeout);
  });

  describe("mode: 'tracking'", () => {
    function tracked(): { cache: RedisCache; r: Recorded; prefix: string } {
      const prefix = uniquePrefix('tracked');
      const cache = track(new RedisCache({ url: server.url, prefix }));
      const r = open({ client: cache.client, prefix, mode: 'tracking', channel: 'tracking' });
      return { cache, r, prefix };
    }

    it('reports a write made outside the toolkit as a keys message without the prefix', async () => {
      const { r, prefix } = tracked();
      await connected(r);
      await raw().set(`${prefix}e:k1`, 'x');
      await r.until(() => r.messages.length === 1);
      const message = decodeBusMessage(r.messages[0] as Uint8Array);
      expect(message).toMatchObject({ op: 'keys', keys: ['k1'], from: TRACKING_SENDER, seq: 0 });
      // Other sub-spaces of the prefix and other prefixes are not tracked.
      await raw().set(`${prefix}t:tag`, '1');
      await raw().set(`other:${prefix}e:k`, '1');
      await raw().set(`${prefix}e:k2`, 'x');
      await r.until(() => r.messages.length === 2);
      expect(decoded(r).map((m) => (m.op === 'keys' ? m.keys : m.op))).toEqual([['k1'], ['k2']]);
    });

    // Commands only: Redis 7.0 reports the keys that a script of the tracked client writes (the
    // cache's delete, add, setMany and tagged writes), see redis/redis#11052 and the README.
    it('does not report the writes of the tracked client itself (NOLOOP)', async () => {
      const { cache, r, prefix } = tracked();
      await connected(r);
      await cache.set('own', 1);
      await cache.set('own-ttl', 1, { ttl: '1m' });
      await cache.client.set(`${prefix}e:own-raw`, 'x');
      await cache.client.del(`${prefix}e:own-raw`);
      await raw().set(`${prefix}e:outside`, 'x');
      await r.until(() => r.messages.length >= 1);
      expect(decoded(r).map((m) => (m.op === 'keys' ? m.keys : m.op))).toEqual([['outside']]);
    });

    it('publishes on the pub/sub channel as in pubsub mode', async () => {
      const { r } = tracked();
      const peer = open({ url: server.url, channel: 'tracking' });
      await connected(r, peer);
      await r.bus.publish(bytes(7, 7));
      await peer.until(() => peer.messages.length === 1);
      await r.until(() => r.messages.length === 1);
      expect([...(peer.messages[0] as Uint8Array)]).toEqual([7, 7]);
      expect([...(r.messages[0] as Uint8Array)]).toEqual([7, 7]);
    });

    it("publishWrites: false: the tracked cache's publisher announces its writes, another cache's does not", async () => {
      const prefix = uniquePrefix('tracked');
      const cache = track(new RedisCache({ url: server.url, prefix }));
      const silent = (client: Redis) =>
        open({ client, prefix, mode: 'tracking', channel: 'tracking', publishWrites: false });
      const r = silent(cache.client as Redis);
      const sameServer = track(new RedisCache({ url: server.url, prefix }));
      const otherPrefix = track(new RedisCache({ client: cache.client, prefix: `${prefix}other:` }));
      expect(r.bus.publisherFor(cache)?.announcesWrites).toBe(true);
      expect(r.bus.publisherFor(sameServer)?.announcesWrites).toBe(false);
      expect(r.bus.publisherFor(otherPrefix)?.announcesWrites).toBe(false);
      const { cache: published, r: publishing } = tracked();
      expect(publishing.bus.publisherFor(published)?.announcesWrites).toBe(false);
      // What the other instances hear instead: Redis's report of the write.
      const peerCache = track(new RedisCache({ url: server.url, prefix }));
      const peer = silent(peerCache.client as Redis);
      await connected(r, peer, publishing);
      await cache.set('k', 1);
      await peer.until(() => peer.messages.length === 1);
      expect(decoded(peer)[0]).toMatchObject({ op: 'keys', keys: ['k'], from: TRACKING_SENDER });
    });

    it('arms tracking again after CLIENT KILL of the subscriber', async () => {
      const { r, prefix } = tracked();
      await connected(r);
      expect(await raw().call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(1);
      await r.until(() => r.events.length === 3);
      expect(r.events).toEqual(['connect', 'disconnect', 'connect']);
      await raw().set(`${prefix}e:after-kill`, 'x');
      await r.until(() => r.messages.length === 1);
      expect(decoded(r)[0]).toMatchObject({ op: 'keys', keys: ['after-kill'] });
    });

    it('arms tracking again after the tracked client reconnects', async () => {
      const { cache, r, prefix } = tracked();
      await connected(r);
      const id = await cache.client.client('ID');
      expect(await raw().call('CLIENT', 'KILL', 'ID', String(id))).toBe(1);
      await r.until(() => r.events.length === 3);
      expect(r.events).toEqual(['connect', 'disconnect', 'connect']);
      await raw().set(`${prefix}e:after-reconnect`, 'x');
      await r.until(() => r.messages.length === 1);
      expect(decoded(r)[0]).toMatchObject({ op: 'keys', keys: ['after-reconnect'] });
    });

    it('reports FLUSHDB as a flush message', async () => {
      const { r } = tracked();
      await connected(r);
      await raw().flushdb();
      await r.until(() => r.messages.length === 1);
      expect(decoded(r)[0]).toMatchObject({ op: 'flush', from: TRACKING_SENDER, seq: 0 });
    });

    it('refuses a second tracking bus on the same client until the first is closed', async () => {
      const { cache, r, prefix } = tracked();
      const second = (): RedisBus =>
        new RedisBus({ client: cache.client, prefix, mode: 'tracking', channel: 'tracking' });
      expect(second).toThrow(CacheConfigError);
      await r.bus.close();
      const again = second();
      buses.push(again);
      expect(again.mode).toBe('tracking');
    });

    it('turns tracking off on the cache client when closed', async () => {
      const { cache, r } = tracked();
      await connected(r);
      expect(String(await cache.client.call('CLIENT', 'TRACKINGINFO'))).toContain('bcast');
      await r.bus.close();
      const info = (await cache.client.call('CLIENT', 'TRACKINGINFO')) as unknown[];
      expect(info[1]).toEqual(['off']);
    });
  });
});

describe('RedisBus on a 3-master Cluster', () => {
  let cluster: RedisClusterHandle | undefined;
  let startError: unknown;
  beforeAll(async () => {
    try {
      cluster = await startRedisCluster({ masters: 3 });
    } catch (error) {
      startError = error;
    }
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  function nodes(): { host: string; port: number }[] {
    if (!cluster) throw new Error('the Redis Cluster did not start', { cause: startError });
    return cluster.nodes;
  }

  for (const sharded of [true, false]) {
    it(`two buses exchange messages (sharded: ${sharded})`, async () => {
      const channel = uniquePrefix('cluster-bus');
      const a = open({ cluster: { nodes: nodes() }, channel, sharded });
      const b = open({ cluster: { nodes: [...nodes()].reverse() }, channel, sharded });
      await connected(a, b);
      await a.bus.publish(bytes(1, 2));
      await b.bus.publish(bytes(3));
      await a.until(() => a.messages.length === 2);
      await b.until(() => b.messages.length === 2);
      // Order holds per sender only: with plain PUBLISH, a's message may still be on its way
      // across the cluster bus from the node that took it when b's reaches the subscriber's node.
      const received = (r: Recorded) => r.messages.map((m) => [...m]).sort((x, y) => x.length - y.length);
      expect(received(a)).toEqual([[3], [1, 2]]);
      expect(received(b)).toEqual([[3], [1, 2]]);
    });

    it(`works from a given lazy Cluster client (sharded: ${sharded})`, async () => {
      const client = new Cluster(nodes(), { lazyConnect: true });
      try {
        const channel = uniquePrefix('cluster-bus');
        const a = open({ client, channel, sharded });
        await connected(a);
        await a.bus.publish(bytes(6));
        await a.until(() => a.messages.length === 1);
        expect([...(a.messages[0] as Uint8Array)]).toEqual([6]);
        expect(client.status).toBe('wait');
      } finally {
        client.disconnect();
      }
    });

    it(`a killed subscriber connection: disconnect, connect, and messages flow (sharded: ${sharded})`, async () => {
      const channel = uniquePrefix('cluster-bus');
      const a = open({ cluster: { nodes: nodes() }, channel, sharded });
      const b = open({ cluster: { nodes: nodes() }, channel, sharded });
      await connected(a, b);
      let killed = 0;
      for (const node of nodes()) {
        const raw = rawRedis(`redis://${node.host}:${node.port}`);
        killed += Number(await raw.call('CLIENT', 'KILL', 'TYPE', 'pubsub'));
      }
      expect(killed).toBe(2);
      await a.until(() => a.events.length === 3);
      await b.until(() => b.events.length === 3);
      expect(a.events).toEqual(['connect', 'disconnect', 'connect']);
      expect(b.events).toEqual(['connect', 'disconnect', 'connect']);
      await a.bus.publish(bytes(8));
      await b.until(() => b.messages.length === 1);
      expect([...(b.messages[0] as Uint8Array)]).toEqual([8]);
    });
  }
});
