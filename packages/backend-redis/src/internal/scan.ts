/**
 * One node's `SCAN ... MATCH ... COUNT` loop, checked so that it always ends: every reply must
 * have the shape of a SCAN reply, a cursor seen before in this loop means the server is going
 * round in circles, and the number of calls is bounded by the node's key count.
 *
 * A real server never hands out the same cursor twice in one iteration, and each call that does
 * not end the iteration either returns about COUNT keys or has looked at ten times COUNT buckets
 * of a table that holds at most a few times DBSIZE buckets; {@link callLimit} leaves a wide margin
 * over that (and DBSIZE is read again when the limit is reached, for a keyspace that grows while it
 * is scanned). A server that breaks any of these rules fails the loop with `CacheConnectionError`.
 *
 * {@link scanKeyspace} runs that loop on every master of a Cluster (or on the one server), with
 * the client's `keyPrefix` handled, for `RedisCache`'s `scanKeys`, `clear` and pattern deletes.
 */
import { CacheConnectionError } from '@cache/core';
import type { Cluster, Redis } from 'ioredis';
import { mapRedisError } from './errors.js';
import { escapeMatch } from './patterns.js';
import type { Guard } from './script-runner.js';

/** Keys asked per SCAN call. */
const SCAN_COUNT = 1000;

/** What the loop needs: a SCAN call and a DBSIZE call on one node, each already bounded in time. */
export interface ScanNode {
  scan(cursor: string): Promise<unknown>;
  dbsize(): Promise<unknown>;
}

/** Calls allowed before DBSIZE is asked, and the fixed part of the limit after. */
const BASE_CALLS = 4096;
/** Calls allowed per COUNT keys that the node holds. */
const CALLS_PER_BATCH = 32;

const CURSOR = /^\d{1,20}$/;

/** The most SCAN calls that a node holding `keys` keys needs, with a wide margin. */
export function callLimit(keys: number, count: number): number {
  return BASE_CALLS + CALLS_PER_BATCH * Math.ceil(keys / count);
}

function notScan(what: string): CacheConnectionError {
  return new CacheConnectionError(`redis did not answer like a Redis server: ${what}`);
}

/**
 * A SCAN reply as `[cursor, keys]`.
 * @throws CacheConnectionError when it is not `[decimal cursor, array of strings]`.
 */
export function readScanReply(reply: unknown): [string, string[]] {
  if (!Array.isArray(reply) || reply.length !== 2) throw notScan('a SCAN reply is not a two-element array');
  const [cursor, keys] = reply as [unknown, unknown];
  if (typeof cursor !== 'string' || !CURSOR.test(cursor)) throw notScan('a SCAN reply has no decimal cursor');
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string'))
    throw notScan('a SCAN reply has no array of keys');
  return [cursor, keys as string[]];
}

function readCount(reply: unknown): number {
  if (typeof reply !== 'number' || !Number.isSafeInteger(reply) || reply < 0)
    throw notScan('DBSIZE did not answer with a count');
  return reply;
}

/**
 * Runs one node's SCAN loop from cursor 0 until the server returns cursor 0; yields each
 * non-empty batch of keys.
 * @throws CacheConnectionError for a reply that is not a SCAN reply, a cursor repeated, or more
 *   calls than the node's key count explains; whatever `node.scan` and `node.dbsize` throw.
 */
export async function* scanLoop(node: ScanNode, count: number): AsyncGenerator<string[]> {
  const seen = new Set<string>();
  let limit = BASE_CALLS;
  let calls = 0;
  let cursor = '0';
  do {
    if (++calls > limit) {
      limit = callLimit(readCount(await node.dbsize()), count);
      if (calls > limit) throw notScan(`SCAN did not end after ${calls - 1} calls`);
    }
    const [next, keys] = readScanReply(await node.scan(cursor));
    if (next !== '0') {
      if (seen.has(next)) throw notScan(`SCAN returned cursor ${next} twice`);
      seen.add(next);
    }
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

/**
 * SCANs every master (or the one server) with a MATCH pattern (under the cache's keys, without
 * the client's `keyPrefix`, which is added here); yields each non-empty batch. Each node's loop
 * is checked to end ({@link scanLoop}); failures are mapped (internal/errors.ts).
 *
 * `keys` are as commands sent through `node` take them (without the `keyPrefix` that `node`
 * adds itself); `cut` is how many characters of each come before the cache's own key layout
 * (the part of the client's `keyPrefix` that `node` does not add: a Cluster's nodes add none).
 */
export async function* scanKeyspace(
  client: Redis | Cluster,
  guard: Guard,
  match: string,
): AsyncGenerator<{ node: Redis; keys: string[]; cut: number }> {
  const keyPrefix = client.options.keyPrefix ?? '';
  const nodes = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  const full = escapeMatch(keyPrefix) + match;
  for (const node of nodes) {
    const nodePrefix = node.options.keyPrefix ?? '';
    const strip = keyPrefix.startsWith(nodePrefix) ? nodePrefix.length : 0;
    const cut = keyPrefix.length - strip;
    const calls = {
      scan: (cursor: string) => guard(() => node.scan(cursor, 'MATCH', full, 'COUNT', SCAN_COUNT)),
      dbsize: () => guard(() => node.dbsize()),
    };
    try {
      for await (const keys of scanLoop(calls, SCAN_COUNT)) {
        if (strip > 0) for (let i = 0; i < keys.length; i++) keys[i] = (keys[i] as string).slice(strip);
        yield { node, keys, cut };
      }
    } catch (error) {
      throw mapRedisError(error, client);
    }
  }
}
