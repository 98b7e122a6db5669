// Tag invalidation is ordered by the Redis server's clock, not by the callers': a writer whose
// clock is 2 s ahead (a child process with Date.now moved) writes a tagged entry, this process then
// invalidates the tag, and the entry is a miss; a writer 2 s behind writes after an invalidation,
// and its entry survives. Events in the same millisecond keep their order across instances.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../src/index.js';
import { makeCache, REDIS_URL, rawRedis } from './helpers/redis.js';
import { buildChild, type ChildBuild } from './support/child-build.js';

let child: ChildBuild;
let writer: string;

beforeAll(async () => {
  child = await buildChild();
  // argv: url, prefix, key, value, tag, skew ms. Moves Date.now before the core is loaded (its
  // system clock reads Date.now), writes one tagged entry, prints what its clock said.
  writer = await child.write(
    'writer.js',
    `
const [url, prefix, key, value, tag, skew] = process.argv.slice(2);
const realNow = Date.now;
Date.now = () => realNow() + Number(skew);
const { RedisCache } = await import('./src/index.js');
const cache = new RedisCache({ url, prefix });
const before = Date.now();
await cache.set(key, value, { ttl: '1m', tags: [tag] });
const read = await cache.get(key);
await cache.close();
process.stdout.write(JSON.stringify({ before, skew: Date.now() - realNow(), read }));
`,
  );
}, 60_000);

afterAll(async () => child?.remove());

interface WriterReport {
  before: number;
  /** How far the child's clock was from the real one, in ms. */
  skew: number;
  read: string | undefined;
}

function runWriter(
  prefix: string,
  key: string,
  value: string,
  tag: string,
  skew: number,
): Promise<WriterReport> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [writer, REDIS_URL, prefix, key, value, tag, String(skew)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.once('error', reject);
    proc.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as WriterReport) : reject(new Error(`writer exit ${code}`)),
    );
  });
}

describe('a writer whose clock is off by 2 s', () => {
  it('2 s ahead: its tagged entry, written before the invalidation, is a miss afterwards', {
    timeout: 30_000,
  }, async () => {
    const cache = makeCache<string>();
    const report = await runWriter(cache.prefix, 'k', 'from-ahead', 't', 2_000);
    expect(report.skew).toBe(2_000); // the child's clock was ahead
    expect(report.read).toBe('from-ahead');
    expect(await cache.get('k')).toBe('from-ahead');
    // The entry's createdAt is the server's time, not the writer's.
    const entry = await cache.getEntry('k');
    expect((entry?.createdAt ?? Number.POSITIVE_INFINITY) < report.before - 1_000).toBe(true);
    expect(entry?.expiresAt).toBe((entry?.createdAt ?? Number.NaN) + 60_000);
    await cache.invalidateTags(['t']);
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.has('k')).toBe(false);
  });

  it('2 s behind: its tagged entry, written after the invalidation, survives it', {
    timeout: 30_000,
  }, async () => {
    const cache = makeCache<string>();
    await cache.invalidateTags(['t']);
    const report = await runWriter(cache.prefix, 'k', 'from-behind', 't', -2_000);
    expect(report.skew).toBe(-2_000);
    expect(report.read).toBe('from-behind');
    expect(await cache.get('k')).toBe('from-behind');
    // And a later invalidation still reaches it.
    await cache.invalidateTags(['t']);
    expect(await cache.get('k')).toBeUndefined();
  });
});

/** A cache whose clock is `skew` ms off, in this process. */
class Skewed<V> extends RedisCache<V> {
  skew = 0;
  protected override now(): number {
    return Date.now() + this.skew;
  }
}

describe('ordering by the server', () => {
  it('write then invalidate (any instance, any clock): a miss; invalidate then write: a hit, 200 times each in a row', async () => {
    const a = makeCache<number>();
    const b = new Skewed<number>({ url: REDIS_URL, prefix: a.prefix });
    try {
      let wrong = 0;
      for (let i = 0; i < 200; i++) {
        b.skew = i % 2 === 0 ? 5_000 : -5_000;
        const [writer, invalidator] = i % 3 === 0 ? [a, b] : [b, a];
        await writer.set('k', i, { tags: ['t'] });
        await invalidator.invalidateTags(['t']);
        if ((await a.get('k')) !== undefined) wrong++;
        await invalidator.invalidateTags(['t']);
        await writer.set('k', i, { tags: ['t'] });
        if ((await b.get('k')) !== i) wrong++;
        // add() and setMany() take their createdAt from the server too.
        await invalidator.invalidateTags(['t']);
        await writer.setMany([['m', i]], { tags: ['t'] });
        if ((await a.get('m')) !== i) wrong++;
        await writer.delete('n');
        if (!(await writer.add('n', i, { tags: ['t'] }))) wrong++;
        await invalidator.invalidateTags(['t']);
        if ((await b.get('n')) !== undefined) wrong++;
      }
      expect(wrong).toBe(0);
    } finally {
      await b.close();
    }
  });

  it('stamps are the server time, kept in order in the clock record', async () => {
    const cache = makeCache<number>();
    const raw = rawRedis();
    const [seconds, micros] = (await raw.time()) as unknown as [string, string];
    const serverBefore = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    await cache.set('k', 1, { tags: ['t'] });
    await cache.invalidateTags(['t']);
    await cache.set('j', 1, { tags: ['t'] });
    const [inv, write] = ((await raw.get(`${cache.prefix}c:tags`)) ?? '').split(' ').map(Number);
    const tag = Number(await raw.get(`${cache.prefix}t:t`));
    expect(tag).toBe(inv);
    expect(tag).toBeGreaterThanOrEqual(serverBefore);
    expect(write).toBeGreaterThan(tag as number);
    expect((await cache.getEntry('j'))?.createdAt).toBe(write);
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.get('j')).toBe(1);
  });
});
