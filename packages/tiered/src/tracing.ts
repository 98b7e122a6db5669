/**
 * Tiered caches publish their operations on core's `node:diagnostics_channel` tracing channels,
 * like every `BaseCache`, with the tier that served each hit ({@link traceMethods}); the message
 * of the call in progress is found through an AsyncLocalStorage.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type CacheOperation, type CacheOperationMessage, cacheTracing } from '@cache/core';
import { traceCacheOperation } from '@cache/core/backend';

const current = new AsyncLocalStorage<CacheOperationMessage>();
/** Traced calls in flight: the hit path looks for a message only while there are some. */
let active = 0;

/** Whether a traced call is in flight (one integer check on the hit path). */
export function tracingReads(): boolean {
  return active > 0;
}

/** Marks the traced read in progress, if any, as a hit of `tier` or a miss. */
export function traceOutcome(tier: 'l1' | 'l2' | undefined): void {
  const message = current.getStore();
  if (message === undefined) return;
  if (tier === undefined) message.hit ??= false;
  else {
    message.hit = true;
    message.tier = tier;
  }
}

/** What a traced method puts in its message, from its arguments (`undefined`: nothing). */
export type TracedFields = ((...args: never[]) => Partial<CacheOperationMessage>) | undefined;

/**
 * Replaces each named method of `prototype` (named as its operation) by one that publishes its
 * calls on the operation's tracing channel. With no subscriber a call costs one
 * `hasSubscribers` check; with one, the method's hits and misses fill in the message.
 */
export function traceMethods(
  prototype: object,
  methods: Partial<Record<CacheOperation, TracedFields>>,
): void {
  type Method = (a?: unknown, b?: unknown, c?: unknown) => Promise<unknown>;
  const target = prototype as Record<string, Method>;
  for (const [operation, fields] of Object.entries(methods) as [CacheOperation, TracedFields][]) {
    const method = target[operation] as Method;
    if (method.length > 3) throw new TypeError(`traceMethods: ${operation} takes more than 3 arguments`);
    const channel = cacheTracing[operation];
    const extra = fields as
      | ((a?: unknown, b?: unknown, c?: unknown) => Partial<CacheOperationMessage>)
      | undefined;
    Object.defineProperty(prototype, operation, {
      configurable: true,
      writable: true,
      // Three fixed parameters (every traced method takes at most three): no rest array per call;
      // the traced call is made apart, so that this function makes no closure (nor its context).
      value: function (
        this: { readonly name: string },
        a?: unknown,
        b?: unknown,
        c?: unknown,
      ): Promise<unknown> {
        if (!channel.hasSubscribers) return method.call(this, a, b, c);
        return tracedCall(this, operation, extra?.(a, b, c), method, a, b, c);
      },
    });
  }
}

function tracedCall(
  self: { readonly name: string },
  operation: CacheOperation,
  fields: Partial<CacheOperationMessage> | undefined,
  method: (a?: unknown, b?: unknown, c?: unknown) => Promise<unknown>,
  a: unknown,
  b: unknown,
  c: unknown,
): Promise<unknown> {
  return traceCall(self.name, operation, fields, () => method.call(self, a, b, c));
}

/** Publishes one call of `operation` (call it only when its channel has subscribers). */
export function traceCall<R>(
  cache: string,
  operation: CacheOperation,
  fields: Partial<CacheOperationMessage> | undefined,
  run: () => Promise<R>,
): Promise<R> {
  const message = { cache, operation, ...fields } as CacheOperationMessage;
  active++;
  return traceCacheOperation(message, () => current.run(message, run)).finally(() => {
    active--;
  });
}

/** The key of a single-key operation. */
export const byKey = (key: string): Partial<CacheOperationMessage> => ({ key });
