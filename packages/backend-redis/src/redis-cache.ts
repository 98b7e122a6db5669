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
 * This file holds every primitive of the backend with its single-node fast path; the transport
 * (deadlines, cork batching), the Lua scripts, the tag clock, the SCAN of the keyspace, the lock,
 * the script runner, the Cluster variants of many-key commands and closing live in internal/.
 *
 * It is over 400 lines because the primitives are the hot path of every call: each one's
 * single-node command and its decoding stay together here, one method per primitive.
 */
import { randomBytes } from 'node:crypto';
import { CacheSerializationError, jsonSerializer, type Serializer } from '@cache/core';
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
import { type Cluster, Redis } from 'ioredis';
import { setManyOnNode, unlinkLiveOnNode } from './internal/batches.js';
import { openBusPort } from './internal/bus-send.js';
import { decodeEntry, encodeSetFrame, FrameCommand, getFrame, mgetFrame } from './internal/entry-codec.js';
import { mapRedisError } from './internal/errors.js';
import { clusterMget, clusterSetMany, unlinkOnNode } from './internal/cluster.js';
import { closeOwnedClient } from './internal/close.js';
import { Transport } from './internal/transport.js';
import { acquireRedisLock } from './internal/lock.js';
import { escapeMatch, globToMatch } from './internal/patterns.js';
import { scanKeyspace } from './internal/scan.js';
import { ScriptRunner } from './internal/script-runner.js';
import { ADD, IS_LIVE, UNLINK_IF_SAME, UNLINK_LIVE } from './internal/scripts.js';
import { ADD_TAGGED, patchCreatedAt, readTagTime, SET_TAGGED, TagClock } from './internal/tag-clock.js';
import {
  baseOptions,
  checkOptions,
  createClient,
  type RedisCacheOptions,
  resolvePrefix,
} from './redis-cache-options.js';

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
  /** Set when {@link writeEntry} handed its one command to the connection before returning (see internal/bus-send.ts). */
  #lastWriteSent = false;

  constructor(options: RedisCacheOptions = {}) {
    checkOptions(options);
    super(baseOptions(options), 'redis');
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
    // Lets a `RedisBus` on this server publish on this cache's connection (internal/bus-send.ts).
    if (this.#frames)
      openBusPort(this, this.#client as Redis, this.#framePrefix, this.#io, () => {
        const sent = this.#lastWriteSent;
        this.#lastWriteSent = false;
        return sent;
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
    const c = this.#client;
    const set = px === undefined ? () => c.set(redisKey, bytes) : () => c.set(redisKey, bytes, 'PX', px);
    await this.#mapped(this.#io.guard(set), key);
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
    if (this.#cluster) {
      if (tagged) {
        const stamp = await this.#stamp('w');
        for (const item of items) patchCreatedAt(item[1], stamp);
      }
      await this.#mapped(clusterSetMany(this.#client, this.#io.guard, items));
      return;
    }
    // One node: script calls set them all, in chunks (internal/batches.ts).
    await this.#mapped(setManyOnNode(this.#scripts, items, tagged ? this.#clock.key : undefined));
  }

  protected async addEntry(key: string, entry: StoredEntry<V>): Promise<boolean> {
    const bytes = encodeEnvelope(entry, this.#serializer);
    const px = this.#px(entry);
    const redisKey = this.#entryPrefix + key;
    const args = [this.now(), bytes, px ?? ''];
    // The script writes unless a live entry is there: undecodable bytes, an expired envelope and
    // nothing at all are absent alike, and one script run decides, so exactly one add wins.
    if (entry.tags.length > 0 && this.#cluster) patchCreatedAt(bytes, await this.#stamp('w', key));
    const added = await this.#mapped(
      entry.tags.length > 0 && !this.#cluster
        ? this.#scripts.evalKeys(ADD_TAGGED, [redisKey, this.#clock.key], args)
        : this.#scripts.eval(ADD, redisKey, args),
      key,
    );
    return added === 1;
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
    if (!this.#cluster) {
      // The keys only when someone listens for their `delete` events; else the count is enough.
      const name = this.emitter.listening;
      const args = [this.now(), name ? '1' : '0'];
      const replies = await this.#mapped(unlinkLiveOnNode(this.#scripts, redisKeys, args));
      if (!name) return replies.reduce((sum: number, n) => sum + Number(n), 0);
      // One '0'/'1' character per key of each batch, in order.
      const flags = replies.join('');
      for (let i = 0; i < keys.length; i++) if (flags.charCodeAt(i) === 49) removed.push(keys[i] as string);
      return removed;
    }
    const flags = await this.#mapped(this.#scripts.evalMany(undefined, UNLINK_LIVE, redisKeys, [this.now()]));
    for (let i = 0; i < keys.length; i++) if (flags[i] === 1) removed.push(keys[i] as string);
    return removed;
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
      await this.#mapped(unlinkOnNode(node, this.#io.guard, keys, this.#cluster));
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
    return values.map((bytes) => (bytes == null ? undefined : readTagTime(bytes)));
  }

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
    const token = randomBytes(16).toString('hex');
    return acquireRedisLock(context, this.#lockPrefix + key, key, token, lease, wait);
  }

  protected override async closeBackend(): Promise<void> {
    if (this.#owned) await closeOwnedClient(this.#client, this.#onClientError);
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
    if (this.#cluster) return clusterMget(this.#client, this.#io.guard, prefix, names);
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

  /** SCAN of the cache's keys matching `match`, on every master (internal/scan.ts). */
  #scan(match: string): AsyncGenerator<{ node: Redis; keys: string[]; cut: number }> {
    return scanKeyspace(this.#client, this.#io.guard, match);
  }
}
