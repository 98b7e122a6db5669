/**
 * The bus contract: how instances of a tiered cache tell each other which L1 copies to drop.
 * A bus carries opaque bytes (`@cache/tiered` encodes the messages, with
 * {@link encodeBusMessage}); a transport implements {@link CacheBus}: `RedisBus` in
 * `@cache/backend-redis` (pub/sub), `MemoryBus` in `@cache/tiered` (one process).
 */
import type { Cache } from './types.js';
import { CacheSerializationError } from './errors.js';

/** What a bus tells its listeners about its connection. */
export interface CacheBusEvents {
  /** Subscribed (again): messages flow. After a `disconnect`, messages sent meanwhile are lost. */
  connect: Record<string, never>;
  /** The subscription is down: messages sent from now on may never arrive. */
  disconnect: { error?: unknown };
  /** A failure that changes nothing for the caller (a publish that failed is also rejected). */
  error: { error: unknown };
}

/** A transport of messages between the instances of a fleet. */
export interface CacheBus {
  /** Whether the subscription is up (messages published by others arrive). */
  readonly connected: boolean;
  /**
   * Sends one message to every subscriber of the bus (its sender included; receivers skip their
   * own). Rejects with a `CacheError` (`CacheConnectionError`, `CacheTimeoutError`) when it cannot
   * be sent within the bus's timeout: it never waits for a reconnect.
   */
  publish(message: Uint8Array): Promise<void>;
  /** Calls `listener` with each message received; returns the unsubscribe. */
  subscribe(listener: (message: Uint8Array) => void): () => void;
  /** Connection events; returns the unsubscribe. */
  on<E extends keyof CacheBusEvents>(event: E, listener: (payload: CacheBusEvents[E]) => void): () => void;
  /** Closes the bus's connections; later publishes reject. */
  close(): Promise<void>;
  /**
   * Optional: a publisher that sends this bus's messages on the connection that carries `cache`'s
   * writes, when the bus and the cache share one server and the bus knows the cache's kind;
   * `undefined` otherwise. `@cache/tiered` asks once for its L2, and then sends all its messages
   * through it (so that they stay in order), a write's message right behind the write (one round
   * trip for both).
   */
  publisherFor?(cache: Cache<unknown>): BusPublisher | undefined;
}

/** Sends a bus's messages on the connection of one cache's writes (see {@link CacheBus.publisherFor}). */
export interface BusPublisher {
  /**
   * Whether the server itself tells every other instance of each write of the cache's entries
   * (Redis client-side caching): a message that only names keys the cache wrote is then not sent.
   */
  readonly announcesWrites?: boolean;
  /** Sends the message now, on the cache's connection; settles and fails as {@link CacheBus.publish}. */
  publish(message: Uint8Array): Promise<void>;
  /**
   * Runs `write`, which starts one write of the cache, and sends the message right behind that
   * write on the same connection (in one batch where the cache batches), so that subscribers
   * receive it only once the write is applied. `sent` is `undefined`, nothing sent, when the write
   * did not leave at once (a write the cache makes in several steps): the caller then publishes
   * once its write completed.
   */
  publishBehind<T>(
    write: () => Promise<T>,
    message: Uint8Array,
  ): { written: Promise<T>; sent: Promise<void> | undefined };
}

/** The version of the message format, also part of the channel names transports use. */
export const BUS_FORMAT_VERSION = 1;

/** What a message asks receivers to drop from their L1. */
export type BusOperation =
  | { op: 'keys'; keys: readonly string[] }
  | { op: 'clear'; prefix?: string }
  | { op: 'match'; pattern: string }
  | { op: 'tags'; tags: readonly string[] }
  | { op: 'flush' };

/** A decoded bus message: who sent it, its place in the sender's sequence, and what to drop. */
export type BusMessage = BusOperation & {
  /** The sender's instance id (random per instance). */
  from: string;
  /** The sender's sequence number: 1, 2, 3... A gap means lost messages. */
  seq: number;
  /** The sender's clock when it sent the message (epoch ms), for diagnostics only. */
  at: number;
};

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes a message: one version byte, then JSON text. Values are never part of a message. */
export function encodeBusMessage(message: BusMessage): Uint8Array {
  const body = encoder.encode(JSON.stringify(message));
  const bytes = new Uint8Array(body.length + 1);
  bytes[0] = BUS_FORMAT_VERSION;
  bytes.set(body, 1);
  return bytes;
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * Decodes a message of this format version.
 * @throws CacheSerializationError for another version or malformed bytes.
 */
export function decodeBusMessage(bytes: Uint8Array): BusMessage {
  if (bytes[0] !== BUS_FORMAT_VERSION)
    throw new CacheSerializationError(`bus message of unknown format version ${String(bytes[0])}`);
  let message: Record<string, unknown>;
  try {
    message = JSON.parse(decoder.decode(bytes.subarray(1)));
  } catch (cause) {
    throw new CacheSerializationError('malformed bus message', { cause });
  }
  const ok =
    message !== null &&
    typeof message === 'object' &&
    typeof message.from === 'string' &&
    Number.isSafeInteger(message.seq) &&
    typeof message.at === 'number' &&
    ((message.op === 'keys' && isStrings(message.keys)) ||
      (message.op === 'clear' && (message.prefix === undefined || typeof message.prefix === 'string')) ||
      (message.op === 'match' && typeof message.pattern === 'string') ||
      (message.op === 'tags' && isStrings(message.tags)) ||
      message.op === 'flush');
  if (!ok) throw new CacheSerializationError('malformed bus message');
  return message as unknown as BusMessage;
}
