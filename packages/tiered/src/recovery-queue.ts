/**
 * The writes that L2 could not take while it was failing, to be replayed when it is back: the
 * newest operation per key wins, and broad operations (clear, tags, patterns) keep their place
 * in order, so a replay leaves L2 as the writes left L1. Bounded: past `limit` operations the
 * queue overflows and is dropped; the owner then announces a flush instead.
 */
import type { SetOptions } from '@cache/core';

/** One operation to replay on L2. */
export type RecoveryOperation<V> =
  | { op: 'set'; key: string; value: V; expiresAt: number | undefined; tags: readonly string[] | undefined }
  | { op: 'delete'; key: string }
  | { op: 'clear'; prefix: string | undefined }
  | { op: 'match'; pattern: string }
  | { op: 'tags'; tags: readonly string[] };

export class RecoveryQueue<V> {
  readonly #limit: number;
  /** In replay order; a key's operation is re-inserted at the end when it is replaced. */
  #operations = new Map<string, RecoveryOperation<V>>();
  #broad = 0;
  /** Whether operations were dropped since the last {@link take}. */
  overflowed = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#operations.size;
  }

  /** Queues an operation (replacing the key's earlier one); false when the queue overflowed. */
  push(operation: RecoveryOperation<V>): boolean {
    if (this.overflowed) return false;
    const id =
      operation.op === 'set' || operation.op === 'delete' ? `k:${operation.key}` : `b:${this.#broad++}`;
    this.#operations.delete(id);
    if (this.#operations.size >= this.#limit) {
      this.#operations.clear();
      this.overflowed = true;
      return false;
    }
    this.#operations.set(id, operation);
    return true;
  }

  /** Takes every queued operation in order, and the overflow flag; the queue is then empty. */
  take(): { operations: RecoveryOperation<V>[]; overflowed: boolean } {
    const taken = { operations: [...this.#operations.values()], overflowed: this.overflowed };
    this.#operations = new Map();
    this.overflowed = false;
    return taken;
  }

  /** Puts operations that could not be replayed back in front of those queued since. */
  restore(operations: readonly RecoveryOperation<V>[]): void {
    const newer = this.#operations;
    this.#operations = new Map();
    for (const operation of operations) this.push(operation);
    for (const operation of newer.values()) this.push(operation);
  }
}

/** The set options that recreate a queued write's remaining lifetime at `now`, or undefined when it expired. */
export function replayOptions(
  operation: { expiresAt: number | undefined; tags: readonly string[] | undefined },
  now: number,
): SetOptions | undefined {
  const options: SetOptions = {};
  if (operation.expiresAt !== undefined) {
    if (operation.expiresAt <= now) return undefined;
    options.ttl = operation.expiresAt - now;
  }
  if (operation.tags !== undefined && operation.tags.length > 0) options.tags = operation.tags;
  return options;
}
