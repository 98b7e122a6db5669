/**
 * Timing of cache operations from core's diagnostics channels: a subscriber on the tracing
 * channels of the operations asked for, that notes the start of each call of a watched cache and
 * reports it when it settles. Nothing is subscribed (so the caches publish nothing) unless some
 * metric needs it.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { CACHE_CHANNELS, type CacheOperation, type CacheOperationMessage } from '@cache/core';

/** Called once per settled call of a watched cache: its label, message, duration and outcome. */
export type OperationObserver = (
  label: string,
  message: CacheOperationMessage,
  seconds: number,
  failed: boolean,
) => void;

/**
 * Subscribes to the operations' tracing channels; `labels` maps a cache name to its label (calls
 * of other caches are ignored). @returns the unsubscribe function.
 */
export function observeOperations(
  operations: readonly CacheOperation[],
  labels: ReadonlyMap<string, string>,
  observe: OperationObserver,
): () => void {
  const started = new WeakMap<CacheOperationMessage, number>();
  const handlers = {
    start(message: CacheOperationMessage) {
      if (labels.has(message.cache)) started.set(message, performance.now());
    },
    asyncEnd(message: CacheOperationMessage) {
      const at = started.get(message);
      if (at === undefined) return;
      started.delete(message);
      observe(
        labels.get(message.cache) as string,
        message,
        (performance.now() - at) / 1000,
        'error' in message,
      );
    },
  };
  const channels = operations.map((op) => tracingChannel<unknown, CacheOperationMessage>(CACHE_CHANNELS[op]));
  type Subscribers = Parameters<(typeof channels)[number]['subscribe']>[0];
  for (const channel of channels) channel.subscribe(handlers as Subscribers);
  return () => {
    for (const channel of channels) channel.unsubscribe(handlers as Subscribers);
  };
}
