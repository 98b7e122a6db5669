/**
 * No eviction: `victim()` is always `-1`, so a full cache refuses new keys with `CacheFullError`.
 */
import type { EvictionPolicy } from './policy.js';

export class NonePolicy implements EvictionPolicy {
  readonly name = 'none' as const;

  grow(_capacity: number): void {}

  access(_slot: number): void {}

  insert(_slot: number, _key: string, _expiresAt: number): void {}

  update(_slot: number, _expiresAt: number): void {}

  remove(_slot: number): void {}

  victim(): number {
    return -1;
  }

  clear(): void {}
}
