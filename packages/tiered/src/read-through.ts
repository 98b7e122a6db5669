/**
 * A tiered cache's reads past L1: a value read from L2 is copied into L1 (with its own expiry,
 * capped, and tags) unless its key was invalidated after the read began, and a `getOrSet` that
 * misses both tiers computes through L2's own `getOrSet` (single-flight, locks, stale windows),
 * or into L1 while L2 fails and the cache degrades.
 */
import {
  type CacheEntryInfo,
  CacheTimeoutError,
  type FactoryContext,
  type GetOrSetOptions,
  type SetOptions,
} from '@cache/core';
import { expiresAt } from './l1-copies.js';
import { isCallerError } from './l2-guard.js';
import type { TieredParts } from './tiered-parts.js';

/** Marks an error thrown by a `getOrSet` factory, so that it is not taken for an L2 failure. */
const factoryErrors = new WeakSet<object>();

/**
 * Reads `key` from L2 and copies a hit into L1 (unless it was invalidated meanwhile). An L2
 * failure is a miss when degrading (L2's own `error` event reports it), else it rejects; with
 * `strict`, a failure always rejects.
 */
export async function readL2<V>(
  parts: TieredParts<V>,
  key: string,
  strict = false,
): Promise<CacheEntryInfo<V> | undefined> {
  const { copies, spill } = parts;
  await spill?.settle([key]);
  const token = copies.guard.begin(key);
  let entry: CacheEntryInfo<V> | undefined;
  try {
    entry = await parts.l2Guard.call(() => parts.l2.getEntry(key));
  } catch (error) {
    copies.guard.end(key, token);
    if (strict || parts.options.throwOnL2Error || isCallerError(error)) throw error;
    // onRemoteSet: 'stale': the copy a peer's write replaced stands in while L2 is out.
    return copies.staleEntry(key);
  }
  if (copies.guard.end(key, token) && entry !== undefined) {
    const installing = copies.install(key, entry.value, entry.expiresAt, entry.tags, true);
    if (installing !== undefined) await installing;
    if (spill) await spill.promoted(key);
  }
  return entry;
}

/**
 * `getOrSet` after a miss in both tiers: L2's `getOrSet` computes, and the value this call
 * computed is copied into L1 and announced. `write` is the call's write options (TTL explicit).
 */
export async function computeThrough<V, T extends V>(
  parts: TieredParts<V>,
  key: string,
  factory: (ctx: FactoryContext<V>) => T | Promise<T>,
  options: GetOrSetOptions | undefined,
  write: SetOptions,
): Promise<T> {
  const { copies, events, l2Guard } = parts;
  const merged: GetOrSetOptions = { ...options, ...write };
  let computed: { value: T } | undefined;
  const run = async (ctx: FactoryContext<V>): Promise<T> => {
    try {
      const value = await factory(ctx);
      computed = { value };
      return value;
    } catch (error) {
      if (error !== null && typeof error === 'object') factoryErrors.add(error);
      throw error;
    }
  };
  const token = copies.guard.begin(key);
  const counted = events.missWithL2(key);
  let value: T;
  // A timeout is the caller's own limit when it set one (L2's command timeouts look the same).
  const own = (error: unknown) =>
    factoryErrors.has(error as object) ||
    (options?.timeout !== undefined && error instanceof CacheTimeoutError);
  try {
    value = await l2Guard.call(() => parts.l2.getOrSet(key, run, merged), own);
  } catch (error) {
    counted();
    copies.guard.end(key, token);
    if (own(error) || parts.options.throwOnL2Error || isCallerError(error)) throw error;
    // L2 failed: the value computed before the failure, or one computed into L1.
    const result = computed ?? { value: await parts.l1.getOrSet(key, run, copies.options(merged)) };
    if (computed) {
      // Queued for L2; the queue copies it into L1 too (L1's getOrSet already holds it).
      const expires = expiresAt(write, parts.options.clock);
      l2Guard.enqueue([{ op: 'set', key, value: computed.value, expiresAt: expires, tags: write.tags }]);
    }
    return result.value;
  }
  counted();
  // Only what this call computed is copied (not a stale value L2 served while it refreshes).
  const installable = copies.guard.end(key, token);
  if (computed !== undefined && Object.is(computed.value, value)) {
    // Reads in flight may have read L2 before this value landed: none of them installs.
    await copies.written(key, value, expiresAt(write, parts.options.clock), write.tags, installable);
    await parts.bus.publish({ op: 'keys', keys: [key] });
    events.set(key);
  }
  return value;
}
