/** Deadlines, backend errors, configurations and serializers, through the built binary. */
import { createServer, type Server, type Socket } from 'node:net';
import { uniquePrefix } from '@cache/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, jsonLines } from './helpers.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('connections', () => {
  let server: Server;
  let port = 0;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Accepts connections and never answers: every command waits until the deadline.
    server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a command that does not settle within --timeout exits 5 with CACHE_TIMEOUT', async () => {
    const { code, stdout, stderr } = await cli([
      'get',
      'k',
      '--url',
      `redis://127.0.0.1:${port}`,
      '--timeout',
      '300ms',
    ]);
    expect(code).toBe(5);
    expect(stdout).toBe('');
    expect((jsonLines(stderr)[0] as { error: { code: string } }).error.code).toBe('CACHE_TIMEOUT');
  });

  it('a server that refuses connections is a backend error (exit 4)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const { code, stderr } = await cli([
      'ping',
      '--url',
      `redis://127.0.0.1:${freePort}`,
      '--timeout',
      '20s',
    ]);
    expect(code).toBe(4);
    expect((jsonLines(stderr)[0] as { error: { code: string } }).error.code).toBe('CACHE_CONNECTION');
  });

  it('--config takes a createCache configuration as JSON (the form for Sentinel and Cluster)', async () => {
    const prefix = uniquePrefix('cli-config');
    const config = JSON.stringify({ backend: 'redis', url: REDIS_URL, prefix });
    expect((await cli(['set', 'c', 'configured', '--config', config])).code).toBe(0);
    expect(await cli(['get', 'c', '--url', `${REDIS_URL}?prefix=${encodeURIComponent(prefix)}`])).toEqual({
      code: 0,
      stdout: '"configured"\n',
      stderr: '',
    });
    expect((await cli(['clear', '--yes', '--config', config])).code).toBe(0);
    const both = await cli(['get', 'c', '--config', config, '--url', 'memory://']);
    expect(both.code).toBe(2);
  });

  it('--serializer msgpack and ?compress=gzip write what a reader with the same settings reads', async () => {
    const prefix = encodeURIComponent(uniquePrefix('cli-ser'));
    const packed = `${REDIS_URL}?prefix=${prefix}&compress=gzip`;
    expect(
      (await cli(['set', 'doc', '{"a":[1,2,3]}', '--json', '--serializer', 'msgpack', '--url', packed])).code,
    ).toBe(0);
    expect(await cli(['get', 'doc', '--serializer', 'msgpack', '--url', packed])).toEqual({
      code: 0,
      stdout: '{"a":[1,2,3]}\n',
      stderr: '',
    });
    // Read with another serializer (typed JSON, no compression), the entry is not readable: a miss.
    expect(await cli(['get', 'doc', '--url', `${REDIS_URL}?prefix=${prefix}`])).toEqual({
      code: 1,
      stdout: '',
      stderr: '',
    });
    expect((await cli(['clear', '--yes', '--url', packed])).code).toBe(0);
  });
});
