// The server dies in the middle of a load. It runs with `appendfsync always`, so every write it
// acknowledged is on disk when it is killed: after a restart, every set that resolved must read
// back with its value (nothing reported as written that was not), every operation that failed
// failed with a typed error, no promise hangs, and the same cache instance recovers.
import { CacheConnectionError, CacheError, CacheTimeoutError } from '@cache/core';
import { uniquePrefix } from '@cache/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServerHandle, startRedisServer } from '../../../tools/redis/launcher.js';
import { RedisCache } from '../src/index.js';
import { sleep, track } from './helpers/redis.js';

const WORKERS = 20;
const OPS_PER_WORKER = 400;

describe('server killed under load', () => {
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('typed errors, no hung promise, no false success, and recovery', { timeout: 30_000 }, async () => {
    const cache = track(
      new RedisCache<number>({
        url: server.url,
        prefix: uniquePrefix('fault'),
        commandTimeout: 1_000,
        connectTimeout: 500,
      }),
    );
    const written = new Map<string, number>();
    const failed: unknown[] = [];
    let done = 0;
    let killed: Promise<void> | undefined;
    const worker = async (w: number) => {
      for (let i = 0; i < OPS_PER_WORKER; i++) {
        const key = `w${w}:${i}`;
        try {
          if (i % 4 === 3) await cache.setMany([[`${key}:m`, i]]);
          else await cache.set(key, i);
          if (i % 4 === 3) written.set(`${key}:m`, i);
          else written.set(key, i);
        } catch (error) {
          failed.push(error);
        }
        if (++done === 1_500) killed = server.kill();
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await killed;
    expect(failed.length).toBeGreaterThan(0);
    expect(written.size).toBeGreaterThan(0);
    for (const error of failed) {
      expect(error).toBeInstanceOf(CacheError);
      expect(error instanceof CacheConnectionError || error instanceof CacheTimeoutError).toBe(true);
    }
    expect(written.size + failed.length).toBe(WORKERS * OPS_PER_WORKER);

    await server.restart();
    for (let attempt = 0; ; attempt++) {
      try {
        await cache.set('after-restart', 1);
        break;
      } catch (error) {
        expect(error).toBeInstanceOf(CacheConnectionError);
        if (attempt > 100) throw error;
        await sleep(50);
      }
    }
    expect(await cache.get('after-restart')).toBe(1);
    const keys = [...written.keys()];
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      expect(await cache.getMany(batch)).toEqual(batch.map((key) => written.get(key)));
    }
  });
});
