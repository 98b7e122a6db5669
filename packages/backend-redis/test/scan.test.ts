// keys() and clear() settle with a typed error, never hang, against a server whose SCAN replies are
// not SCAN replies: a fake RESP server on a loopback port answers SCAN with `+OK`, an array of the
// wrong shape, a cursor that never changes, cursors that never end, or nothing at all. The SCAN
// loop itself (internal/scan.ts) is checked with stubs.
import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { CacheConnectionError, CacheErrorCode, CacheTimeoutError } from '@cache/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parseReply } from '@cache/redis-launcher/resp';
import { callLimit, readScanReply, scanLoop } from '../src/internal/scan.js';
import { RedisCache } from '../src/index.js';
import { track } from './helpers/redis.js';
import { withTimeout } from './support/servers.js';

const COMMAND_TIMEOUT = 400;

/** How the fake server answers SCAN. */
type Mode = 'ok' | 'shape' | 'keys-not-array' | 'same-cursor' | 'endless' | 'silent';

const SCAN_REPLIES: Record<Exclude<Mode, 'endless' | 'silent'>, string> = {
  ok: '+OK\r\n',
  shape: '*1\r\n:5\r\n',
  'keys-not-array': '*2\r\n$1\r\n0\r\n:3\r\n',
  'same-cursor': '*2\r\n$1\r\n7\r\n*0\r\n',
};

/** A RESP server that answers INFO like a ready Redis, SCAN by `mode`, DBSIZE with 0 and the rest with +OK. */
async function fakeServer(mode: Mode): Promise<{ server: Server; url: string; scans: () => number }> {
  let scans = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const parsed = parseReply(buffer, 0);
        if (!parsed) return;
        buffer = buffer.subarray(parsed.end);
        const name = String((parsed.value as unknown[])[0]).toUpperCase();
        if (name === 'INFO') {
          const info = '# Server\r\nredis_version:7.0.0\r\nloading:0\r\n';
          socket.write(`$${info.length}\r\n${info}\r\n`);
        } else if (name === 'DBSIZE') socket.write(':0\r\n');
        else if (name === 'SCAN') {
          scans++;
          if (mode === 'silent') continue;
          if (mode === 'endless') {
            const cursor = String(scans);
            socket.write(`*2\r\n$${cursor.length}\r\n${cursor}\r\n*0\r\n`);
          } else socket.write(SCAN_REPLIES[mode]);
        } else socket.write('+OK\r\n');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push({ server, sockets });
  return { server, url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`, scans: () => scans };
}

const servers: { server: Server; sockets: Set<Socket> }[] = [];
afterEach(async () => {
  for (const { server, sockets } of servers.splice(0)) {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
});

async function firstKey(cache: RedisCache): Promise<void> {
  for await (const _ of cache.keys()) break;
}

describe('keys() and clear() against a server whose SCAN replies are wrong', () => {
  for (const mode of ['ok', 'shape', 'keys-not-array', 'same-cursor', 'endless'] as const) {
    it(`settle with CacheConnectionError when SCAN answers ${mode}`, { timeout: 30_000 }, async () => {
      const fake = await fakeServer(mode);
      const cache = track(
        new RedisCache({ url: fake.url, prefix: 'fake:', commandTimeout: COMMAND_TIMEOUT }),
      );
      const runs: (() => Promise<unknown>)[] = [
        () => firstKey(cache),
        () => cache.clear(),
        () => cache.deleteMatching('a*'),
      ];
      for (const run of runs) {
        // The bound is generous: the point is that the promise settles (the endless cursor ends at the call limit).
        const error = await withTimeout(run(), 20_000).catch((e: unknown) => e);
        const cause = (error as { cause?: unknown }).cause ?? error;
        expect(cause).toBeInstanceOf(CacheConnectionError);
        expect((cause as CacheConnectionError).code).toBe(CacheErrorCode.connection);
      }
      if (mode === 'same-cursor') expect(fake.scans()).toBe(3 * 2);
      if (mode === 'endless') expect(fake.scans()).toBe(3 * callLimit(0, 1000));
    });
  }

  it('settle with CacheTimeoutError when SCAN is never answered, within the command timeout', {
    timeout: 10_000,
  }, async () => {
    const fake = await fakeServer('silent');
    const cache = track(new RedisCache({ url: fake.url, prefix: 'fake:', commandTimeout: COMMAND_TIMEOUT }));
    await cache.set('k', 1); // connected and answered (+OK)
    for (const run of [() => firstKey(cache), () => cache.clear()]) {
      const error = await withTimeout(run(), 3 * COMMAND_TIMEOUT).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CacheTimeoutError);
      expect((error as CacheTimeoutError).code).toBe(CacheErrorCode.timeout);
    }
  });
});

describe('the SCAN loop', () => {
  const reply = (cursor: string, keys: string[] = []) => [cursor, keys];

  it('reads only [decimal cursor, array of strings]', () => {
    expect(readScanReply(['0', ['a', 'b']])).toEqual(['0', ['a', 'b']]);
    expect(readScanReply(['18446744073709551615', []])).toEqual(['18446744073709551615', []]);
    for (const bad of [
      'OK',
      null,
      3,
      [],
      ['0'],
      ['0', ['a'], 'x'],
      [0, []],
      ['-1', []],
      ['1e3', []],
      ['0', 'a'],
      ['0', [1]],
    ]) {
      expect(() => readScanReply(bad)).toThrow(CacheConnectionError);
    }
  });

  it('follows the cursor until 0 and yields the non-empty batches', async () => {
    const replies = [reply('5', ['a']), reply('3'), reply('0', ['b', 'c'])];
    const cursors: string[] = [];
    const batches: string[][] = [];
    const node = {
      scan: async (cursor: string) => {
        cursors.push(cursor);
        return replies.shift();
      },
      dbsize: async () => 0,
    };
    for await (const keys of scanLoop(node, 10)) batches.push(keys);
    expect(cursors).toEqual(['0', '5', '3']);
    expect(batches).toEqual([['a'], ['b', 'c']]);
  });

  it('fails on a repeated cursor at once', async () => {
    let calls = 0;
    const node = {
      scan: async () => {
        calls++;
        return reply(calls === 2 ? '4' : '9');
      },
      dbsize: async () => 0,
    };
    await expect(async () => {
      for await (const _ of scanLoop(node, 10));
    }).rejects.toBeInstanceOf(CacheConnectionError);
    expect(calls).toBe(3);
  });

  it('allows as many calls as the key count explains, reading DBSIZE again as it grows, and no more', async () => {
    const run = async (dbsize: () => unknown, total: number) => {
      let calls = 0;
      const node = {
        scan: async () => reply(++calls >= total ? '0' : String(calls)),
        dbsize: async () => dbsize(),
      };
      for await (const _ of scanLoop(node, 100));
      return calls;
    };
    const limit = callLimit(50_000, 100);
    expect(await run(() => 50_000, limit)).toBe(limit);
    await expect(run(() => 50_000, limit + 1)).rejects.toBeInstanceOf(CacheConnectionError);
    let size = 0;
    // A keyspace growing while it is scanned: each DBSIZE is larger.
    expect(await run(() => (size += 50_000), limit + 100)).toBe(limit + 100);
    await expect(run(() => 'not a count', callLimit(0, 100) + 1)).rejects.toBeInstanceOf(
      CacheConnectionError,
    );
  });
});
