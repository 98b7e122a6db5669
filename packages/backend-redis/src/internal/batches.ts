/**
 * `RedisCache`'s many-key writes and deletes on one node: one script call per chunk of at most
 * {@link BATCH} keys, the chunks in parallel. One call sets (or unlinks) its chunk atomically with
 * one reply and one timer, instead of one per key as a pipeline would have; chunking keeps each
 * call's arguments, and the time the server spends in one script, bounded.
 */
import type { Arg, ScriptRunner } from './script-runner.js';
import { SET_MANY, UNLINK_LIVE_MANY } from './scripts.js';
import { SET_MANY_TAGGED } from './tag-clock.js';

/** Keys per many-key script call. */
const BATCH = 500;

/**
 * Sets `[redisKey, bytes, px]` items (`px` `undefined` = no expiry) with SET_MANY, or with
 * SET_MANY_TAGGED stamped by the tag clock at `clockKey` when the entries are tagged.
 */
export function setManyOnNode(
  scripts: ScriptRunner,
  items: readonly (readonly [string, Buffer, number | undefined])[],
  clockKey: string | undefined,
): Promise<unknown[]> {
  const calls: Promise<unknown>[] = [];
  for (let at = 0; at < items.length; at += BATCH) {
    const chunk = items.slice(at, at + BATCH);
    const args: Arg[] = chunk.map((item) => item[1]);
    for (const item of chunk) args.push(item[2] ?? '');
    const keys = chunk.map((item) => item[0]);
    calls.push(
      clockKey !== undefined
        ? scripts.evalKeys(SET_MANY_TAGGED, [clockKey, ...keys], args)
        : scripts.evalKeys(SET_MANY, keys, args),
    );
  }
  return Promise.all(calls);
}

/** Runs UNLINK_LIVE_MANY with `args` on each chunk of `redisKeys`; the replies in chunk order. */
export function unlinkLiveOnNode(
  scripts: ScriptRunner,
  redisKeys: readonly string[],
  args: readonly Arg[],
): Promise<unknown[]> {
  const calls: Promise<unknown>[] = [];
  for (let at = 0; at < redisKeys.length; at += BATCH) {
    calls.push(scripts.evalKeys(UNLINK_LIVE_MANY, redisKeys.slice(at, at + BATCH), args));
  }
  return Promise.all(calls);
}
