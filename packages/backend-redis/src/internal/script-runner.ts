/**
 * Running the cache's Lua scripts: EVALSHA first, EVAL when the server does not know the script
 * (`NOSCRIPT`, after a restart or a `SCRIPT FLUSH`), one key, many keys on one server, or one
 * script per key in one round trip. Every command goes through the cache's guard, which bounds it
 * in time and fails fast while the client is not connected.
 */
import type { Cluster, Redis } from 'ioredis';
import type { LuaScript } from './scripts.js';

/** A script argument. */
export type Arg = string | Buffer | number;

/** Sends a command under the cache's deadlines (see `RedisCache`). */
export type Guard = <T>(command: () => Promise<T>) => Promise<T>;

/** Whether an error is the server's `NOSCRIPT` reply. */
function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** Throws the first error of a pipeline's results. */
export function checkResults(results: [Error | null, unknown][] | null, discarded: () => Error): void {
  if (results === null) throw discarded();
  for (const [error] of results) if (error) throw error;
}

/** The scripts of one cache's client. */
export class ScriptRunner {
  readonly #client: Redis | Cluster;
  readonly #cluster: boolean;
  readonly #guard: Guard;

  constructor(client: Redis | Cluster, guard: Guard) {
    this.#client = client;
    this.#cluster = client.isCluster;
    this.#guard = guard;
  }

  /** Runs a one-key script on `node` (default: the client, which routes it on a Cluster). */
  async eval(
    script: LuaScript,
    key: string,
    args: readonly Arg[],
    node: Redis | Cluster = this.#client,
  ): Promise<unknown> {
    try {
      return await this.#guard(() => node.evalsha(script.sha, 1, key, ...args));
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return this.#guard(() => node.eval(script.source, 1, key, ...args));
    }
  }

  /** Runs a many-key script on the single server (never on a Cluster: the keys span slots). */
  async evalKeys(script: LuaScript, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    const client = this.#client as Redis;
    try {
      return await this.#guard(() => client.evalsha(script.sha, keys.length, ...keys, ...args));
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return this.#guard(() => client.eval(script.source, keys.length, ...keys, ...args));
    }
  }

  /**
   * Runs a one-key script on many keys in one round trip: a pipeline on one node (`node`, or the
   * single server), or single commands that ioredis pipelines per node on a Cluster.
   */
  async evalMany(
    node: Redis | undefined,
    script: LuaScript,
    keys: readonly string[],
    args: readonly Arg[],
  ): Promise<number[]> {
    const target = node ?? (this.#cluster ? undefined : (this.#client as Redis));
    if (target === undefined) {
      return Promise.all(keys.map(async (key) => Number(await this.eval(script, key, args))));
    }
    const pipeline = target.pipeline();
    for (const key of keys) pipeline.evalsha(script.sha, 1, key, ...args);
    const results = (await this.#guard(() => pipeline.exec())) ?? [];
    const out: number[] = new Array(keys.length);
    const unknownScript: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const [error, value] = results[i] ?? [new Error('missing pipeline reply'), null];
      if (error) {
        if (!isNoScript(error)) throw error;
        unknownScript.push(i);
      } else out[i] = Number(value);
    }
    await Promise.all(
      unknownScript.map(
        async (i) => (out[i] = Number(await this.eval(script, keys[i] as string, args, target))),
      ),
    );
    return out;
  }
}
