/**
 * What a warmed entry is written with: its TTL (its own remaining one for a copied entry, else
 * the run's `ttl` with `ttlJitter`), its tags (its own and the run's), and how a batch is
 * grouped into few `setMany` calls that share those options.
 *
 * Why it is its own module: the TTL and tag rules of a run are one concept that `set` batches
 * and `add` (fill-missing) writes must apply alike; `warm.ts` only runs the writes.
 */
import type { SetOptions } from '@cache/core';
import type { ResolvedWarmOptions } from '../warm-options.js';
import type { Item } from './plan.js';

/** How many jitter draws a batch written through `setMany` gets at most (each group one `setMany`). */
const JITTER_GROUPS = 8;

/** Entries written with the same options (one `set` or `setMany`). */
export interface WriteGroup {
  readonly options: SetOptions;
  readonly items: Item[];
}

/** The tags of an entry with the run's own. */
function tagsOf(item: Item, o: ResolvedWarmOptions): readonly string[] | undefined {
  const extra = o.tags;
  const own = item.tags ?? [];
  if (extra.length === 0) return own.length === 0 ? undefined : own;
  if (own.length === 0) return extra;
  return [...new Set([...own, ...extra])];
}

/** An entry's TTL: its remaining one, `'expired'`, or `'run'` for the run's `ttl` (with jitter). */
function ttlOf(item: Item, o: ResolvedWarmOptions): number | 'expired' | 'run' {
  if (!item.own || item.expiresAt === undefined)
    return item.own && o.ttl === undefined ? Number.POSITIVE_INFINITY : 'run';
  const left = item.expiresAt - o.clock.now();
  return left <= 0 ? 'expired' : Math.ceil(left);
}

/** The run's TTL with one jitter draw. */
function runTtl(o: ResolvedWarmOptions): number | undefined {
  const { ttl, ttlJitter } = o;
  if (ttl === undefined || ttlJitter === 0 || ttl === Number.POSITIVE_INFINITY) return ttl;
  return Math.max(1, Math.round(ttl * (1 - ttlJitter * o.retry.random())));
}

/** The options of one `add` of an entry (one jitter draw), or `'expired'` for a copied entry past its expiry. */
export function addOptions(item: Item, o: ResolvedWarmOptions): SetOptions | 'expired' {
  const ttl = ttlOf(item, o);
  if (ttl === 'expired') return 'expired';
  const options: SetOptions = {};
  const t = ttl === 'run' ? runTtl(o) : ttl;
  if (t !== undefined) options.ttl = t;
  const tags = tagsOf(item, o);
  if (tags !== undefined) options.tags = tags;
  return options;
}

/**
 * Groups a batch by (ttl, tags): one group per distinct pair; the entries under the run's ttl
 * share up to JITTER_GROUPS jitter draws, so that a jittered batch still goes out in a few
 * `setMany` calls. `expired` counts the copied entries left out as past their expiry.
 */
export function groupBatch(
  batch: readonly Item[],
  o: ResolvedWarmOptions,
): { groups: WriteGroup[]; expired: number } {
  const groups = new Map<string, WriteGroup>();
  const runItems: Item[] = [];
  let expired = 0;
  const put = (item: Item, ttl: number | undefined, tag: string) => {
    const tags = tagsOf(item, o);
    const id = `${tag}\u0000${tags?.join('\u0000') ?? ''}`;
    let group = groups.get(id);
    if (!group) {
      const options: SetOptions = {};
      if (ttl !== undefined) options.ttl = ttl;
      if (tags !== undefined) options.tags = tags;
      groups.set(id, (group = { options, items: [] }));
    }
    group.items.push(item);
  };
  for (const item of batch) {
    const ttl = ttlOf(item, o);
    if (ttl === 'expired') expired++;
    else if (ttl === 'run') runItems.push(item);
    else put(item, ttl, `own:${ttl}`);
  }
  if (runItems.length > 0) {
    const draws = o.ttlJitter === 0 ? 1 : Math.min(JITTER_GROUPS, runItems.length);
    for (let d = 0; d < draws; d++) {
      const ttl = runTtl(o);
      const from = Math.floor((d * runItems.length) / draws);
      const to = Math.floor(((d + 1) * runItems.length) / draws);
      for (let i = from; i < to; i++) put(runItems[i] as Item, ttl, `run:${d}`);
    }
  }
  return { groups: [...groups.values()], expired };
}
