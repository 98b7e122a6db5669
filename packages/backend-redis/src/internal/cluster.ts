/**
 * The Redis Cluster variants of `RedisCache`'s many-key commands, where no key is forced into one
 * slot: MGET grouped by slot (one MGET per slot, in parallel), SETs sent as single-key commands
 * that ioredis pipelines per node, and UNLINKs of one node's SCAN batch in a pipeline. They live
 * here so that redis-cache.ts keeps its single-node fast paths and only names these.
 */
import { CacheConnectionError } from '@cache/core';
import type { Cluster, Redis } from 'ioredis';
import { groupBySlot } from './key-slot.js';
import { checkResults, type Guard } from './script-runner.js';

/** MGET of `prefix` + each name on a Cluster: one MGET per slot, in parallel; values in the order of `names`. */
export async function clusterMget(
  client: Redis | Cluster,
  guard: Guard,
  prefix: string,
  names: readonly string[],
): Promise<(Buffer | null)[]> {
  const keys = names.map((name) => prefix + name);
  if (keys.length === 1) return [await guard(() => client.getBuffer(keys[0] as string))];
  const out: (Buffer | null)[] = new Array(keys.length);
  const groups = [...groupBySlot(keys).values()];
  await guard(() =>
    Promise.all(
      groups.map(async (indexes) => {
        const values = await client.mgetBuffer(...indexes.map((i) => keys[i] as string));
        for (let j = 0; j < indexes.length; j++) out[indexes[j] as number] = values[j] ?? null;
      }),
    ),
  );
  return out;
}

/** SETs `[key, bytes, px]` as single-key commands (`px` `undefined` = no expiry), in parallel. */
export function clusterSetMany(
  client: Redis | Cluster,
  guard: Guard,
  items: readonly (readonly [string, Buffer, number | undefined])[],
): Promise<unknown> {
  return guard(() =>
    Promise.all(
      items.map(([k, b, px]) => (px === undefined ? client.set(k, b) : client.set(k, b, 'PX', px))),
    ),
  );
}

/**
 * UNLINKs `keys` of one node (a SCAN batch): in one command on a single node, in a pipeline on a
 * Cluster (whose keys of one batch may span slots).
 */
export async function unlinkOnNode(
  node: Redis,
  guard: Guard,
  keys: string[],
  cluster: boolean,
): Promise<void> {
  if (!cluster) {
    await guard(() => node.unlink(...keys));
    return;
  }
  const pipeline = node.pipeline();
  for (const key of keys) pipeline.unlink(key);
  checkResults(
    await guard(() => pipeline.exec()),
    () => new CacheConnectionError('redis pipeline was discarded'),
  );
}
