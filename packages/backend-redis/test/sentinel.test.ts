// RedisCache through Redis Sentinel: one master, one replica and one sentinel that this file
// starts itself on free loopback ports (tools/redis/launcher.ts) and stops by pid in afterAll.
// The cache works through the sentinel; then the master is SIGKILLed, the sentinel fails over to
// the replica, and the same cache instance keeps working within a bounded wait.
import { CacheError } from '@cache/core';
import { uniquePrefix } from '@cache/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseInfo,
  redisCommand,
  startRedisSentinel,
  waitUntil,
  type RedisSentinelHandle,
} from '@cache/redis-launcher';
import { RedisCache } from '../src/index.js';
import { HungPromiseError, retryUntil, scanNode, withTimeout } from './support/servers.js';
import { escapeMatch } from '../src/internal/patterns.js';

/** The cache's command timeout; an operation during the outage must settle within it plus slack. */
const COMMAND_TIMEOUT = 2000;
/** Slack over COMMAND_TIMEOUT before an operation counts as hung (2 cores, reconnect attempts). */
const HANG_SLACK = 3000;

let setup: RedisSentinelHandle | undefined;
let cache: RedisCache | undefined;
const prefix = uniquePrefix('sentinel');

function started(): RedisSentinelHandle {
  if (!setup) throw new Error('the Sentinel setup did not start', { cause: startError });
  return setup;
}

function theCache(): RedisCache {
  if (!cache) throw new Error('the cache was not created (see the first test)');
  return cache;
}

/** Resolves once the replica has applied every write the master had accepted so far. */
async function replicaCaughtUp(): Promise<void> {
  const { master, replica } = started();
  const offset = Number(
    parseInfo(String(await redisCommand(master.port, ['INFO', 'replication']))).get('master_repl_offset'),
  );
  await waitUntil(10_000, 'the replica to catch up', async () => {
    const info = parseInfo(String(await redisCommand(replica.port, ['INFO', 'replication'])));
    return Number(info.get('slave_repl_offset')) >= offset;
  });
}

// A start failure is kept and rethrown by every test (through started()), so that each test
// fails on its own rather than being reported as skipped behind a failed hook.
let startError: unknown;

beforeAll(async () => {
  try {
    setup = await startRedisSentinel({ downAfterMs: 1000, failoverTimeoutMs: 5000 });
  } catch (error) {
    startError = error;
  }
}, 30_000);

afterAll(async () => {
  await cache?.close();
  const servers = setup ? [setup.master, setup.replica, setup.sentinel] : [];
  await setup?.stop();
  setup = undefined;
  // Nothing this file started is left running.
  expect(servers.filter((server) => server.isRunning()).map((server) => server.pid)).toEqual([]);
});

describe('RedisCache through Sentinel', () => {
  it('reaches the master the sentinel names', async () => {
    const { sentinels, name, master } = started();
    expect(await started().masterAddress()).toEqual({ host: '127.0.0.1', port: master.port });
    cache = new RedisCache({ sentinel: { sentinels, name }, prefix, commandTimeout: COMMAND_TIMEOUT });
    await theCache().set('greeting', { text: 'hello' });
    expect(await theCache().get('greeting')).toEqual({ text: 'hello' });
    await theCache().setMany([
      ['a', 1],
      ['b', 2],
    ]);
    expect(await theCache().getMany(['b', 'missing', 'a'])).toEqual([2, undefined, 1]);
    // The write went to the master (the replica is read-only).
    expect(await redisCommand(master.port, ['DBSIZE'])).toBeGreaterThanOrEqual(3);
  });

  it('keeps working after the master is killed and the sentinel fails over', async () => {
    const { master, replica } = started();
    await theCache().set('before-failover', 'kept');
    await replicaCaughtUp();

    await master.kill();
    const killedAt = Date.now();
    // An operation while no master is reachable settles (a value or a typed error), never hangs.
    const during = await withTimeout(
      theCache()
        .get('before-failover')
        .then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        ),
      COMMAND_TIMEOUT + HANG_SLACK,
    );
    if ('error' in during) {
      expect(during.error).toBeInstanceOf(CacheError);
      expect(['CACHE_CONNECTION', 'CACHE_TIMEOUT']).toContain((during.error as CacheError).code);
    } else {
      expect(during.value).toBe('kept');
    }
    await waitUntil(30_000, 'the sentinel to promote the replica', async () => {
      return (await started().masterAddress())?.port === replica.port;
    });
    const failoverMs = Date.now() - killedAt;

    // The same instance: the first operations may fail while the client reconnects, each with a
    // typed error (never a hung promise); within the deadline a write and a read succeed.
    const result = await retryUntil(
      20_000,
      async () => {
        await theCache().set('after-failover', 'written');
        return theCache().get('after-failover');
      },
      { attemptTimeoutMs: COMMAND_TIMEOUT + HANG_SLACK },
    );
    expect(result.value).toBe('written');
    for (const error of result.errors) {
      expect(error).not.toBeInstanceOf(HungPromiseError);
      expect(error).toBeInstanceOf(CacheError);
      expect(['CACHE_CONNECTION', 'CACHE_TIMEOUT']).toContain((error as CacheError).code);
    }
    console.info(
      `sentinel failover: promoted ${failoverMs} ms after SIGKILL; cache working again after ` +
        `${Date.now() - killedAt} ms (${result.attempts} attempts); a read during the outage gave ` +
        ('error' in during ? (during.error as CacheError).code : 'the value'),
    );

    // What was replicated before the kill is still there, and the write landed on the new master.
    expect(await theCache().get('before-failover')).toBe('kept');
    const role = parseInfo(String(await redisCommand(replica.port, ['INFO', 'replication']))).get('role');
    expect(role).toBe('master');
    const onNewMaster = await scanNode(replica, `${escapeMatch(prefix)}*`);
    expect(onNewMaster.some((raw) => raw.includes('after-failover'))).toBe(true);
  }, 60_000);
});
