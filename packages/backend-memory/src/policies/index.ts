/**
 * The eviction policies of `MemoryCache` and {@link createPolicy}, which makes one by name.
 */
import { CacheConfigError } from '@cache/core';
import { FifoPolicy } from './fifo.js';
import { LfuPolicy } from './lfu.js';
import { LruPolicy } from './lru.js';
import { NonePolicy } from './none.js';
import { type EvictionPolicy, PolicyName } from './policy.js';
import { S3FifoPolicy } from './s3fifo.js';
import { SievePolicy } from './sieve.js';
import { TinyLfuPolicy } from './tinylfu.js';
import { TtlPolicy } from './ttl.js';

export { FifoPolicy } from './fifo.js';
export { LfuPolicy } from './lfu.js';
export { LruPolicy } from './lru.js';
export { NonePolicy } from './none.js';
export { type EvictionPolicy, PolicyName } from './policy.js';
export { S3FifoPolicy } from './s3fifo.js';
export { SievePolicy } from './sieve.js';
export { TinyLfuPolicy } from './tinylfu.js';
export { TtlPolicy } from './ttl.js';

/**
 * The policy `MemoryCache` uses when none is given: W-TinyLFU, close to LRU where recency
 * rules and far above it where LRU collapses (loops and scans); see docs/memory-policies.md.
 */
export const DEFAULT_POLICY: PolicyName = PolicyName.tinylfu;

/**
 * Makes the policy called `name`. `capacityHint` is the cache's `maxEntries` (`Infinity` or 0
 * when only a byte limit bounds the cache); W-TinyLFU and S3-FIFO size their segments from it.
 * @throws CacheConfigError (`CACHE_CONFIG`) for an unknown name or a negative/NaN hint.
 */
export function createPolicy(name: PolicyName, capacityHint: number): EvictionPolicy {
  if (typeof capacityHint !== 'number' || Number.isNaN(capacityHint) || capacityHint < 0) {
    throw new CacheConfigError(
      `policy capacity hint must be a non-negative number, got ${String(capacityHint)}`,
    );
  }
  switch (name) {
    case PolicyName.tinylfu:
      return new TinyLfuPolicy(capacityHint);
    case PolicyName.lru:
      return new LruPolicy();
    case PolicyName.lfu:
      return new LfuPolicy();
    case PolicyName.fifo:
      return new FifoPolicy();
    case PolicyName.ttl:
      return new TtlPolicy();
    case PolicyName.sieve:
      return new SievePolicy();
    case PolicyName.s3fifo:
      return new S3FifoPolicy(capacityHint);
    case PolicyName.none:
      return new NonePolicy();
    default:
      throw new CacheConfigError(`unknown eviction policy: ${String(name)}`);
  }
}
