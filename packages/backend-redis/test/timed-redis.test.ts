import { CacheTimeoutError } from '@cache/core';
import { Command } from 'ioredis';
import { uniquePrefix } from '@cache/test-utils';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type RedisServerHandle, startRedisServer } from '@cache/redis-launcher';
import { RedisCache } from '../src/index.js';
import { CommandDeadlines, TimedRedis } from '../src/internal/timed-redis.js';
import { rawRedis, track } from './helpers/redis.js';

/** A command whose rejection is recorded (and not left unhandled). */
function command(): { command: Command; outcome: () => string } {
  const c = new Command('get', ['k']);
  let outcome = 'pending';
  c.promise.then(
    (value: unknown) => (outcome = `resolved ${String(value)}`),
    (error: Error) => (outcome = `rejected ${error.message}`),
  );
  return { command: c, outcome: () => outcome };
}

describe('CommandDeadlines', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects each unanswered command once its timeout has passed, with one timer', async () => {
    const deadlines = new CommandDeadlines(100);
    const a = command();
    const b = command();
    deadlines.track(a.command);
    vi.advanceTimersByTime(40);
    deadlines.track(b.command);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(59);
    await Promise.resolve();
    expect(a.outcome()).toBe('pending');
    vi.advanceTimersByTime(1);
    await Promise.resolve();
    expect(a.outcome()).toBe('rejected Command timed out');
    expect(b.outcome()).toBe('pending');
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(40);
    await Promise.resolve();
    expect(b.outcome()).toBe('rejected Command timed out');
    expect(deadlines.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves answered commands alone and drops them from the queue', async () => {
    const deadlines = new CommandDeadlines(100);
    const a = command();
    const b = command();
    const c = command();
    deadlines.track(a.command);
    deadlines.track(b.command);
    a.command.resolve(Buffer.from('1'));
    b.command.resolve(Buffer.from('2'));
    deadlines.track(c.command);
    // a and b were answered: only c is left.
    expect(deadlines.size).toBe(1);
    vi.advanceTimersByTime(100);
    await Promise.resolve();
    expect(a.outcome()).toBe('resolved 1');
    expect(b.outcome()).toBe('resolved 2');
    expect(c.outcome()).toBe('rejected Command timed out');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps a long queue bounded while commands are answered in order', () => {
    const deadlines = new CommandDeadlines(100);
    for (let i = 0; i < 5000; i++) {
      const { command: c } = command();
      deadlines.track(c);
      if (i >= 2) c.resolve(Buffer.from('x'));
    }
    // The first two are unanswered, so nothing after them leaves until the next track or timer.
    expect(deadlines.size).toBe(5000);
    vi.advanceTimersByTime(100);
    expect(deadlines.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stop() clears the timer', () => {
    const deadlines = new CommandDeadlines(100);
    deadlines.track(command().command);
    expect(vi.getTimerCount()).toBe(1);
    deadlines.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(deadlines.size).toBe(0);
  });
});

describe('the shared command timeout on a dedicated server', () => {
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('times out every command in flight with CacheTimeoutError, and later ones succeed', async () => {
    const cache = track(new RedisCache({ url: server.url, prefix: uniquePrefix(), commandTimeout: 200 }));
    expect(cache.client).toBeInstanceOf(TimedRedis);
    expect(cache.commandTimeout).toBe(200);
    await cache.set('k', 1);
    const admin = rawRedis(server.url);
    await admin.call('CLIENT', 'PAUSE', '500', 'ALL');
    const results = await Promise.allSettled([
      cache.get('k'),
      cache.set('j', 2),
      cache.getMany(['k', 'j']),
      cache.setMany([['a', 1]]),
      cache.delete('k'),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(CacheTimeoutError);
    }
    // Once the pause is over, the same cache works.
    for (let i = 0; i < 50; i++) {
      try {
        await cache.set('k', 3);
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    expect(await cache.get('k')).toBe(3);
  });
});
