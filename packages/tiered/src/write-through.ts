/**
 * A tiered cache's writes and removals: L2 first, then L1, then one bus message. A written value
 * goes into L1 only when nothing wrote or invalidated its key while its L2 write was in flight
 * (another instance's write may have landed after it in L2: that instance's message then dropped
 * the key, and this copy would be older than L2's). When L2 fails and the cache degrades, the
 * writes are queued for L2 instead (and their values copied into L1).
 */
import type { SetOptions } from '@cache/core';
import type { BusOperation } from '@cache/core/backend';
import { expiresAt } from './l1-copies.js';
import type { RecoveryOperation } from './recovery-queue.js';
import type { TieredParts } from './tiered-parts.js';

/**
 * {@link writeMany} for one key (the common `set`), without its arrays. When the bus publishes
 * on L2's connection, the message leaves right behind the L2 write (the server applies the write
 * first): one round trip for both. Should the write then fail, peers drop a copy that was still
 * good, which costs them a read.
 */
export async function writeOne<V>(
  parts: TieredParts<V>,
  key: string,
  value: V,
  write: SetOptions,
): Promise<void> {
  const { bus, copies } = parts;
  const expires = expiresAt(write, parts.options.clock);
  const token = copies.guard.begin(key);
  const message: BusOperation = { op: 'keys', keys: [key] };
  let announced: Promise<void> | undefined;
  const call = (): Promise<void> => {
    const { written, sent } = bus.publishBehind(() => parts.l2.set(key, value, write), message);
    announced = sent;
    return written;
  };
  let stored: boolean;
  try {
    stored = await parts.l2Guard.write(call, { op: 'set', key, value, expiresAt: expires, tags: write.tags });
  } catch (error) {
    copies.guard.end(key, token);
    throw error;
  }
  if (!stored) return;
  const installing = copies.written(key, value, expires, write.tags, copies.guard.end(key, token));
  if (installing !== undefined) await installing;
  if (announced === undefined) await bus.publish(message);
  else if (!parts.options.backgroundPublish) await announced;
}

/** Writes `pairs` (one per key) with `call`, L2's write of them, then copies them into L1 and announces them. */
export async function writeMany<V>(
  parts: TieredParts<V>,
  pairs: readonly (readonly [string, V])[],
  write: SetOptions,
  call: () => Promise<unknown>,
): Promise<void> {
  const { copies } = parts;
  const { clock } = parts.options;
  const tokens = pairs.map(([key]) => copies.guard.begin(key));
  const end = () => pairs.map(([key], i) => copies.guard.end(key, tokens[i] as number));
  let stored: boolean;
  try {
    stored = await parts.l2Guard.write(
      call,
      pairs.map(([key, value]) => ({
        op: 'set',
        key,
        value,
        expiresAt: expiresAt(write, clock),
        tags: write.tags,
      })),
    );
  } catch (error) {
    end();
    throw error;
  }
  const current = end();
  if (!stored) return;
  // Reads of these keys in flight may have read L2 before this write landed: none of them installs.
  for (const [key] of pairs) copies.touch(key);
  const expires = expiresAt(write, clock);
  await Promise.all(
    pairs.map(([key, value], i) =>
      current[i] ? copies.install(key, value, expires, write.tags, false) : copies.drop(key),
    ),
  );
  await parts.bus.publish({ op: 'keys', keys: pairs.map(([key]) => key) });
}

/**
 * `add`: only L2 can tell who wins, so an add is never degraded (in spill mode, one process owns
 * both tiers and spill mode decides). Returns whether the value was added.
 */
export async function addThrough<V>(
  parts: TieredParts<V>,
  key: string,
  value: V,
  write: SetOptions,
): Promise<boolean> {
  const { copies, spill } = parts;
  const token = spill ? undefined : copies.guard.begin(key);
  let added: boolean;
  try {
    added = spill
      ? await spill.add(key, value, write)
      : await parts.l2Guard.call(() => parts.l2.add(key, value, write));
  } catch (error) {
    if (token !== undefined) copies.guard.end(key, token);
    throw error;
  }
  const current = token === undefined || copies.guard.end(key, token);
  if (!added) return false;
  // Reads of the old value in flight must not install it.
  await copies.written(key, value, expiresAt(write, parts.options.clock), write.tags, current);
  await parts.bus.publish({ op: 'keys', keys: [key] });
  return true;
}

type RemovalOperation = Exclude<RecoveryOperation<never>, { op: 'set' }>;

/** One removal: what it queues while L2 fails, what it does to each tier, and its message. */
export interface Removal<R, L> {
  /** The keys it removes; absent, any key may be removed (clear, a pattern, tags). */
  keys: readonly string[] | undefined;
  /** What the recovery queue replays when L2 cannot take it now. */
  queued: RemovalOperation | RemovalOperation[];
  l2(): Promise<R>;
  l1(): Promise<L>;
  message: BusOperation;
}

/**
 * A removal: L2 first (queued when L2 fails and the cache degrades), then L1, then one message.
 * Reads of the keys in flight install nothing, and their spills in flight land first. Returns
 * what each tier answered (nothing from L2 when the removal was queued).
 */
export async function remove<V, R, L>(
  parts: TieredParts<V>,
  removal: Removal<R, L>,
): Promise<{ removed: R | undefined; local: L }> {
  const { keys } = removal;
  touch(parts, keys);
  await parts.spill?.settle(keys);
  let removed: R | undefined;
  await parts.l2Guard.write(async () => {
    removed = await removal.l2();
  }, removal.queued);
  // Reads in flight may have read L2 before the removal landed: none of them installs.
  touch(parts, keys);
  const local = await removal.l1();
  await parts.bus.publish(removal.message);
  return { removed, local };
}

function touch<V>(parts: TieredParts<V>, keys: readonly string[] | undefined): void {
  if (keys === undefined) parts.copies.touchAll();
  else for (const key of keys) parts.copies.touch(key);
}
