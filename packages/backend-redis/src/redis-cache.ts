/**
 * `RedisCache`: a {@link BaseCache} on ioredis, for one Redis server, a Sentinel-managed master or
 * a Redis Cluster.
 *
 * Key layout under the cache's `prefix` (default `cache:`); the one-letter sub-spaces keep user
 * keys from ever colliding with the cache's own records:
 * - `${prefix}e:${key}`: an entry, stored as the core's binary envelope (serializer id, createdAt,
 *   logical expiry, stale deadline, tags, then the serialized value), written with `PX` set to its
 *   physical expiry (the stale deadline when there is one, else the logical expiry).
 * - `${prefix}t:${tag}`: the last invalidation time of a tag, decimal epoch ms, no TTL.
 * - `${prefix}l:${key}`: the `getOrSet({ lock })` lock of a key: a random token with `PX` = lease.
 * - `${prefix}c:tags`: the last stamp of the server-time clock that orders tagged writes and tag
 *   invalidations (see internal/tag-clock.ts): the `createdAt` of tagged entries and the times in
 *   tag records come from the server's `TIME`, never from the callers' clocks.
 *
 * No key is forced into one cluster slot: many-key commands are grouped by slot (MGET) or sent as
 * single-key commands that ioredis pipelines per node. SCAN patterns escape the prefix.
 *
 * This file is over 400 lines because it holds every primitive of the backend with its single-node
 * fast path and its Cluster variant; the transport (deadlines, cork batching), the Lua scripts,
 * the tag clock, the SCAN loop, the lock and the script runner live in internal/.
 */
import { randomBytes } from 'node:crypto';
import { CacheConnectionError, CacheSerializationError, jsonSerializer, type Serializer } from '@cache/core';
import {
  assertSerializer,
  BaseCache,
  checkWellFormed,
  encodeEnvelope,
  globMatcher,
  type LockRelease,
  physicalExpiry,
  type StoredEntry,
} from '@cache/core/backend';
import { type Cluster, Command, Redis } from 'ioredis';
import { busPorts } from './internal/bus-send.js';
import { decodeEntry, encodeSetFrame, FrameCommand, getFrame, mgetFrame } from './internal/entry-codec.js';
import { mapRedisError } from './internal/errors.js';
import { groupBySlot } from './internal/key-slot.js';
import { withDeadline } from './internal/deadline.js';
import { Transport } from './internal/transport.js';
import { acquireRedisLock } from './internal/lock.js';
import { escapeMatch, globToMatch } from './internal/patterns.js';
import { scanLoop } from './internal/scan.js';
import { type Arg, checkResults, ScriptRunner } from './internal/script-runner.js';
import { ADD, IS_LIVE, SET_MANY, UNLINK_IF_SAME, UNLINK_LIVE, UNLINK_LIVE_MANY } from './internal/scripts.js';
import { ADD_TAGGED, patchCreatedAt, SET_MANY_TAGGED, SET_TAGGED, TagClock } from './internal/tag-clock.js';
import { TimedRedis } from './internal/timed-redis.js';
import { checkOptions, createClient, type RedisCacheOptions, resolvePrefix } from './redis-cache-options.js';

const SCAN_COUNT = 1000;
/** Keys per many-key script call. */
const BATCH = 500;
const QUIT_TIMEOUT = 1_000;

/**
 * A cache in Redis. Entries are shared by every process and instance that uses the same server
 * and `prefix`; so are tag invalidations and `getOrSet` locks.
 *
 * @example
 * const cache = new RedisCache({ url: 'redis://127.0.0.1:6379', prefix: 'app:' });
 * await cache.set('user:1', { name: 'Ada' }, { ttl: '5m' });
 */
export class RedisCache<V = unknown> extends BaseCache<V> {
  /** The prefix of every key this cache writes. */
  readonly prefix: string;
  /** The longest wait for a command's reply in ms, as this cache's client applies it (`undefined` = none). */
  readonly commandTimeout: number | undefined;
  readonly #client: Redis | Cluster;
  readonly #owned: boolean;
  readonly #cluster: boolean;
  readonly #serializer: Serializer;
  readonly #entryPrefix: string;
  readonly #tagPrefix: string;
  readonly #lockPrefix: string;
  /** The server-time clock that stamps tagged writes and invalidations. */
  readonly #clock: TagClock;
  readonly #scripts: ScriptRunner;
  /** Sends the commands: bounded in time, batched by corking. */
  readonly #io: Transport;
  readonly #onClientError: (error: Error) => void;
  /** The serializer's id in UTF-8, as envelopes hold it. */
  readonly #serializerId: Buffer;
  /** The bytes each tagged or expiring entry was decoded from, for {@link removeDeadEntry}. */
  readonly #readBytes = new WeakMap<StoredEntry<V>, Buffer>();
  /**
   * The client's `keyPrefix` ('' when none). ioredis puts it before the keys of commands; frames
   * the cache builds and the patterns it SCANs carry it themselves.
   */
  readonly #keyPrefix: string;
  /**
   * Whether reads and untagged writes go out as frames the cache builds ({@link FrameCommand}): a
   * single-node client of the ioredis this package loads. A Cluster, and a borrowed client of
   * another ioredis copy (say the application's ioredis 5 beside this package's ioredis 6), whose
   * `sendCommand` expects its own `Command` class, get the client's own `GET`/`MGET`/`SET`.
   */
  readonly #frames: boolean;
  /** What frames put before an entry's key: the client's `keyPrefix`, then the entry prefix. */
  readonly #framePrefix: string;
  /** Set when {@link writeEntry} handed its one command to the connection before returning (see #openBusPort). */
  #lastWriteSent = false;

  constructor(options: RedisCacheOptions = {}) {
    checkOptions(options);
    const base: RedisCacheOptions = {};
    if (options.name !== undefined) base.name = options.name;
    if (options.defaultTtl !== undefined) base.defaultTtl = options.defaultTtl;
    if (options.maxKeyBytes !== undefined) base.maxKeyBytes = options.maxKeyBytes;
    if (options.onBackendError !== undefined) base.onBackendError = options.onBackendError;
    super(base, 'redis');
    this.prefix = resolvePrefix(options.prefix);
    this.#entryPrefix = `${this.prefix}e:`;
    this.#tagPrefix = `${this.prefix}t:`;
    this.#lockPrefix = `${this.prefix}l:`;
    if (options.serializer !== undefined) assertSerializer(options.serializer);
    this.#serializer = options.serializer ?? jsonSerializer;
    const resolved = createClient(options);
    this.#client = resolved.client;
    this.#owned = resolved.owned;
    this.#cluster = resolved.client.isCluster;
    this.commandTimeout = resolved.commandTimeout;
    this.#io = new Transport(this.#client, {
      cork: resolved.cork,
      offlineDeadline: resolved.offlineDeadline,
      clusterDeadline: this.#cluster ? resolved.commandTimeout : undefined,
    });
    this.#scripts = new ScriptRunner(this.#client, this.#io.guard);
    this.#clock = new TagClock(this.#scripts, this.prefix, this.#cluster);
    this.#serializerId = Buffer.from(this.#serializer.id, 'utf8');
    this.#keyPrefix = this.#client.options.keyPrefix ?? '';
    this.#frames = !this.#cluster && this.#client instanceof Redis;
    this.#framePrefix = this.#keyPrefix + this.#entryPrefix;
    // Connection errors of a client the cache owns surface as `error` events (the commands that
    // they fail reject on their own); without a listener ioredis would print them.
    this.#onClientError = (error) => {
      if (this.emitter.listening) this.emitter.emit('error', { error: mapRedisError(error, this.#client) });
    };
    if (this.#owned) this.#client.on('error', this.#onClientError);
    if (this.#frames) this.#openBusPort();
  }

  /** Lets a `RedisBus` on this server publish on this cache's connection (internal/bus-send.ts). */
  #openBusPort(): void {
    const io = this.#io;
    busPorts.set(this, {
      client: this.#client as Redis,
      entryPrefix: this.#framePrefix,
      publish: (channel, message) => io.send(new Command('publish', [channel, message])),
      publishBehind: (write, channel, message) => {
        io.corkNow();
        this.#lastWriteSent = false;
        const written = write();
        if (!this.#lastWriteSent) return { written, sent: undefined };
        this.#lastWriteSent = false;
        return { written, sent: io.send(new Command('publish', [channel, message])) };
      },
    });
  }

  /** The ioredis client (borrowed or owned). Keys written through it bypass the cache's layout. */
  get client(): Redis | Cluster {
    return this.#client;
  }

  /**
   * The Redis key of an entry: `${prefix}e:${key}`.
   * @throws CacheKeyError for a key that is not well-formed UTF-16.
   */
  entryKey(key: string): string {
    checkWellFormed(key, 'a key');
    return this.#entryPrefix + key;
  }

  /**
   * The Redis key of a tag's invalidation record: `${prefix}t:${tag}`.
   * @throws CacheKeyError for a tag that is not well-formed UTF-16.
   */
  tagKey(tag: string): string {
    checkWellFormed(tag, 'a tag');
    return this.#tagPrefix + tag;
  }

  // ---- primitives ---------------------------------------------------------------------------

  protected async readEntry(key: string): Promise<StoredEntry<V> | undefined> {
    let bytes: Buffer | null;
    try {
      bytes = await (this.#frames
        ? this.#io.send<Buffer | null>(new FrameCommand('get', getFrame(this.#framePrefix, key)))
        : this.#io.guard(() => this.#client.getBuffer(this.#entryPrefix + key)));
    } catch (error) {
      throw mapRedisError(error, this.#client, key);
    }
    return bytes === null ? undefined : this.#decode(key, bytes);
  }

  protected override async readEntries(keys: readonly string[]): Promise<(StoredEntry<V> | undefined)[]> {
    const values = await this.#mapped(this.#mget(this.#entryPrefix, keys));
    // Decoded in place: the array of replies becomes the array of entries.
    const out = values as unknown as (StoredEntry<V> | undefined)[];
    let removals: Promise<undefined>[] | undefined;
    for (let i = 0; i < out.length; i++) {
      const bytes = values[i];
      if (bytes == null) {
        out[i] = undefined;
        continue;
      }
      const entry = this.#decode(keys[i] as string, bytes as Buffer);
      if (entry instanceof Promise) {
        out[i] = undefined;
        (removals ??= []).push(entry);
      } else out[i] = entry;
    }
    if (removals !== undefined) await Promise.all(removals);
    return out;
  }

  protected writeEntry(key: string, entry: StoredEntry<V>): Promise<void> {
    // Tagged entries take their createdAt from the server (internal/tag-clock.ts).
    if (entry.tags.length > 0) return this.#writeTaggedEntry(key, entry);
    if (!this.#frames) return this.#setEntry(key, entry);
    const frame = encodeSetFrame(this.#framePrefix + key, entry, this.#serializer, this.#px(entry));
    // The command's own rejection is mapped: no async layer here (the reply, `OK`, is not looked at).
    const client = this.#client;
    const sent = this.#io.send<void>(
      new FrameCommand('set', frame, (error) => mapRedisError(error, client, key)),
    );
    this.#lastWriteSent = true;
    return sent;
  }

  async #writeTaggedEntry(key: string, entry: StoredEntry<V>): Promise<void> {
    const bytes = encodeEnvelope(entry, this.#serializer);
    const px = this.#px(entry);
    const redisKey = this.#entryPrefix + key;
    if (this.#cluster) return this.#setEntry(key, entry, bytes, await this.#stamp('w', key));
    await this.#mapped(
      this.#scripts.evalKeys(SET_TAGGED, [redisKey, this.#clock.key], [bytes, px ?? '']),
      key,
    );
  }

  /** A stamp of the server-time clock (Cluster), errors mapped. */
  #stamp(kind: 'w' | 'i', key?: string): Promise<number> {
    return this.#mapped(this.#clock.stamp(kind), key);
  }

  /** A `SET` through the client's own command (a Cluster, or a client without frames). */
  async #setEntry(
    key: string,
    entry: StoredEntry<V>,
    bytes = encodeEnvelope(entry, this.#serializer),
    stamp?: number,
  ): Promise<void> {
    if (stamp !== undefined) patchCreatedAt(bytes, stamp);
    const px = this.#px(entry);
    const redisKey = this.#entryPrefix + key;
    try {
      await this.#io.guard(() =>
        px === undefined ? this.#client.set(redisKey, bytes) : this.#client.set(redisKey, bytes, 'PX', px),
      );
    } catch (error) {
      throw mapRedisError(error, this.#client, key);
    }
  }

  protected override async writeEntries(
    entries: readonly (readonly [string, StoredEntry<V>])[],
  ): Promise<void> {
    // Encode everything before anything is written.
    const items = entries.map(([key, entry]) => {
      const bytes = encodeEnvelope(entry, this.#serializer);
      return [this.#entryPrefix + key, bytes, this.#px(entry)] as const;
    });
    // One call's entries share their options: all tagged or none.
    const tagged = entries.some(([, entry]) => entry.tags.length > 0);
    try {
      if (this.#cluster) {
        if (tagged) {
          const stamp = await this.#stamp('w');
          for (const item of items) patchCreatedAt(item[1], stamp);
        }
        const client = this.#client;
        await this.#io.guard(() =>
          Promise.all(
            items.map(([k, b, px]) => (px === undefined ? client.set(k, b) : client.set(k, b, 'PX', px))),
          ),
        );
        return;
      }
      // One node: one script call sets them all (atomically, and with one reply and one timer
      // instead of one per key as a pipeline would have).
      // Chunks keep each call's arguments and the server's time in the script bounded.
      const calls: Promise<unknown>[] = [];
      for (let at = 0; at < items.length; at += BATCH) {
        const chunk = items.slice(at, at + BATCH);
        const args: Arg[] = chunk.map((item) => item[1]);
        for (const item of chunk) args.push(item[2] ?? '');
        const keys = chunk.map((item) => item[0]);
        calls.push(
          tagged
            ? this.#scripts.evalKeys(SET_MANY_TAGGED, [this.#clock.key, ...keys], args)
            : this.#scripts.evalKeys(SET_MANY, keys, args),
        );
      }
      await Promise.all(calls);
    } catch (error) {
      throw mapRedisError(error, this.#client);
    }
  }

  protected async addEntry(key: string, entry: StoredEntry<V>): Promise<boolean> {
    const bytes = encodeEnvelope(entry, this.#serializer);
    const px = this.#px(entry);
    const redisKey = this.#entryPrefix + key;
    const args = [this.now(), bytes, px ?? ''];
    // The script writes unless a live entry is there: undecodable bytes, an expired envelope and
    // nothing at all are absent alike, and one script run decides, so exactly one add wins.
    if (entry.tags.length > 0 && this.#cluster) patchCreatedAt(bytes, await this.#stamp('w', key));
    try {
      const added =
        entry.tags.length > 0 && !this.#cluster
          ? await this.#scripts.evalKeys(ADD_TAGGED, [redisKey, this.#clock.key], args)
          : await this.#scripts.eval(ADD, redisKey, args);
      return added === 1;
    } catch (error) {
      throw mapRedisError(error, this.#client, key);
    }
  }

  /** Compare-and-delete: removes the key only while it holds the bytes that the read decoded. */
  protected override async removeDeadEntry(key: string, entry: StoredEntry<V>): Promise<unknown> {
    const bytes = this.#readBytes.get(entry);
    if (bytes === undefined) return false;
    return this.#mapped(this.#scripts.eval(UNLINK_IF_SAME, this.#entryPrefix + key, [bytes]), key);
  }

  protected async removeEntry(key: string): Promise<boolean> {
    return (
      (await this.#mapped(this.#scripts.eval(UNLINK_LIVE, this.#entryPrefix + key, [this.now()]), key)) === 1
    );
  }

  protected override async removeEntries(keys: readonly string[]): Promise<string[] | number> {
    const redisKeys = keys.map((key) => this.#entryPrefix + key);
    const removed: string[] = [];
    try {
      if (!this.#cluster) {
        // The keys only when someone listens for their `delete` events; else the count is enough.
        const name = this.emitter.listening;
        const args = [this.now(), name ? '1' : '0'];
        const calls: Promise<unknown>[] = [];
        for (let at = 0; at < redisKeys.length; at += BATCH) {
          calls.push(this.#scripts.evalKeys(UNLINK_LIVE_MANY, redisKeys.slice(at, at + BATCH), args));
        }
        const replies = await Promise.all(calls);
        if (!name) return replies.reduce((sum: number, n) => sum + Number(n), 0);
        // One '0'/'1' character per key of each batch, in order.
        const flags = replies.join('');
        for (let i = 0; i < keys.length; i++) if (flags.charCodeAt(i) === 49) removed.push(keys[i] as string);
        return removed;
      }
      const flags = await this.#scripts.evalMany(undefined, UNLINK_LIVE, redisKeys, [this.now()]);
      for (let i = 0; i < keys.length; i++) if (flags[i] === 1) removed.push(keys[i] as string);
      return removed;
    } catch (error) {
      throw mapRedisError(error, this.#client);
    }
  }

  protected async *scanKeys(prefix: string | undefined): AsyncIterable<string> {
    const match = escapeMatch(this.#entryPrefix + (prefix ?? '')) + '*';
    const seen = new Set<string>();
    for await (const { node, keys, cut: before } of this.#scan(match)) {
      const cut = before + this.#entryPrefix.length;
      const live = await this.#mapped(this.#scripts.evalMany(node, IS_LIVE, keys, [this.now()]));
      for (let i = 0; i < keys.length; i++) {
        const redisKey = keys[i] as string;
        if (live[i] !== 1 || seen.has(redisKey)) continue;
        seen.add(redisKey);
        yield redisKey.slice(cut);
      }
    }
  }

  protected async clearEntries(prefix: string | undefined): Promise<void> {
    // Without a prefix: the entries and the tag records; locks held by other processes stay.
    const match =
      prefix === undefined
        ? `${escapeMatch(this.prefix)}[et]:*`
        : escapeMatch(this.#entryPrefix + prefix) + '*';
    for await (const { node, keys } of this.#scan(match)) {
      try {
        if (this.#cluster) {
          const pipeline = node.pipeline();
          for (const key of keys) pipeline.unlink(key);
          checkResults(
            await this.#io.guard(() => pipeline.exec()),
            () => new CacheConnectionError('redis pipeline was discarded'),
          );
        } else await this.#io.guard(() => node.unlink(...keys));
      } catch (error) {
        throw mapRedisError(error, this.#client);
      }
    }
  }

  protected override async removeMatching(pattern: string): Promise<string[]> {
    const matches = globMatcher(pattern);
    // A key that SCAN returns twice is removed by the first script run: the second reports 0.
    const removed: string[] = [];
    for await (const { node, keys, cut: before } of this.#scan(
      escapeMatch(this.#entryPrefix) + globToMatch(pattern),
    )) {
      const cut = before + this.#entryPrefix.length;
      const matched = keys.filter((key) => matches(key.slice(cut)));
      if (matched.length === 0) continue;
      const flags = await this.#mapped(this.#scripts.evalMany(node, UNLINK_LIVE, matched, [this.now()]));
      for (let i = 0; i < matched.length; i++)
        if (flags[i] === 1) removed.push((matched[i] as string).slice(cut));
    }
    return removed;
  }

  protected async readTagInvalidations(tags: readonly string[]): Promise<(number | undefined)[]> {
    const values = await this.#mapped(this.#mget(this.#tagPrefix, tags));
    return values.map((bytes) => {
      if (bytes == null) return undefined;
      const at = Number(bytes.toString('latin1'));
      return Number.isFinite(at) ? at : undefined;
    });
  }

  /**
   * Records the invalidation at a stamp of the server-time clock; the core's local time `_at` is
   * not used (internal/tag-clock.ts).
   */
  /**
   * Records the invalidation at a stamp of the server-time clock; the core's local time `_at` is
   * not used (internal/tag-clock.ts).
   */
  protected async writeTagInvalidations(tags: readonly string[], _at: number): Promise<void> {
    await this.#mapped(this.#clock.invalidate(tags.map((tag) => this.#tagPrefix + tag)));
  }

  /** @throws CacheConfigError for an infinite lease (a lock must expire when its holder dies). */
  protected override acquireLock(key: string, lease: number, wait: number): Promise<LockRelease | undefined> {
    const context = { client: this.#client, guard: this.#io.guard, scripts: this.#scripts };
    return acquireRedisLock(
      context,
      this.#lockPrefix + key,
      key,
      randomBytes(16).toString('hex'),
      lease,
      wait,
    );
  }

  protected override async closeBackend(): Promise<void> {
    if (!this.#owned) return;
    const client = this.#client;
    if (client instanceof TimedRedis) client.deadlines.stop();
    if (client.status === 'ready') {
      await withDeadline(client.quit(), QUIT_TIMEOUT, () => new CacheConnectionError('QUIT timed out')).catch(
        () => undefined,
      );
    }
    if (client.status !== 'end') {
      const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
      client.disconnect();
      await withDeadline(ended, QUIT_TIMEOUT, () => new CacheConnectionError('disconnect timed out')).catch(
        () => undefined,
      );
    }
    client.off('error', this.#onClientError);
    // ioredis may still report the closing socket; keep those quiet.
    client.on('error', noop);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The PX of an entry: ms until its physical expiry, at least 1; `undefined` = no expiry. */
  #px(entry: StoredEntry<V>): number | undefined {
    const until = physicalExpiry(entry);
    return until === undefined ? undefined : Math.max(1, Math.ceil(until - this.now()));
  }

  /**
   * Decodes stored bytes; bytes that cannot be decoded are a miss, reported and removed only while
   * the key still holds them (compare-and-delete), so that a value another client wrote since the
   * read survives.
   */
  #decode(key: string, bytes: Buffer): StoredEntry<V> | Promise<undefined> {
    try {
      const entry = decodeEntry<V>(bytes, this.#serializer, this.#serializerId);
      // Core may find a tagged or expired entry dead: keep what was read for the compare-and-delete.
      if (entry.tags.length > 0 || (entry.expiresAt !== undefined && entry.expiresAt <= this.now()))
        this.#readBytes.set(entry, bytes);
      return entry;
    } catch (error) {
      if (!(error instanceof CacheSerializationError)) throw error;
      this.reportError(new CacheSerializationError(error.message, { cause: error, key }), key);
      return this.#scripts.eval(UNLINK_IF_SAME, this.#entryPrefix + key, [bytes]).then(
        () => undefined,
        () => undefined,
      );
    }
  }

  /** Settles like `promise`, a failure mapped to a `CacheError` (see internal/errors.ts). */
  #mapped<T>(promise: Promise<T>, key?: string): Promise<T> {
    return promise.catch((error: unknown) => {
      throw mapRedisError(error, this.#client, key);
    });
  }

  /**
   * MGET of `prefix` + each key, grouped by cluster slot on a Cluster; the values come back in the
   * order of `keys`.
   */
  #mget(prefix: string, names: readonly string[]): Promise<(Buffer | null)[]> {
    if (this.#cluster) return this.#clusterMget(names.map((name) => prefix + name));
    if (!this.#frames) {
      const client = this.#client;
      const keys = names.map((name) => prefix + name);
      return this.#io.guard(() => client.mgetBuffer(...keys));
    }
    const full = this.#keyPrefix + prefix;
    return names.length === 1
      ? this.#io
          .send<Buffer | null>(new FrameCommand('get', getFrame(full, names[0] as string)))
          .then((value) => [value])
      : this.#io.send<(Buffer | null)[]>(new FrameCommand('mget', mgetFrame(full, names)));
  }

  /** {@link RedisCache.#mget} on a Cluster: one MGET per slot, in parallel. */
  async #clusterMget(keys: readonly string[]): Promise<(Buffer | null)[]> {
    const client = this.#client;
    if (keys.length === 1) return [await this.#io.guard(() => client.getBuffer(keys[0] as string))];
    const out: (Buffer | null)[] = new Array(keys.length);
    const groups = [...groupBySlot(keys).values()];
    await this.#io.guard(() =>
      Promise.all(
        groups.map(async (indexes) => {
          const values = await client.mgetBuffer(...indexes.map((i) => keys[i] as string));
          for (let j = 0; j < indexes.length; j++) out[indexes[j] as number] = values[j] ?? null;
        }),
      ),
    );
    return out;
  }

  /**
   * SCANs every master (or the one server) with a MATCH pattern (under the cache's keys, without
   * the client's `keyPrefix`, which is added here); yields each non-empty batch. Each node's loop
   * is checked to end (internal/scan.ts).
   *
   * `keys` are as commands sent through `node` take them (without the `keyPrefix` that `node`
   * adds itself); `cut` is how many characters of each come before the cache's own key layout
   * (the part of the client's `keyPrefix` that `node` does not add: a Cluster's nodes add none).
   */
  async *#scan(match: string): AsyncGenerator<{ node: Redis; keys: string[]; cut: number }> {
    const nodes = this.#cluster ? (this.#client as Cluster).nodes('master') : [this.#client as Redis];
    const full = escapeMatch(this.#keyPrefix) + match;
    for (const node of nodes) {
      const nodePrefix = node.options.keyPrefix ?? '';
      const strip = this.#keyPrefix.startsWith(nodePrefix) ? nodePrefix.length : 0;
      const cut = this.#keyPrefix.length - strip;
      const calls = {
        scan: (cursor: string) => this.#io.guard(() => node.scan(cursor, 'MATCH', full, 'COUNT', SCAN_COUNT)),
        dbsize: () => this.#io.guard(() => node.dbsize()),
      };
      try {
        for await (const keys of scanLoop(calls, SCAN_COUNT)) {
          if (strip > 0) for (let i = 0; i < keys.length; i++) keys[i] = (keys[i] as string).slice(strip);
          yield { node, keys, cut };
        }
      } catch (error) {
        throw mapRedisError(error, this.#client);
      }
    }
  }
}

function noop(): void {}
