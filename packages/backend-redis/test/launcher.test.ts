// Light checks of the test launcher (tools/redis/launcher.ts), which the cluster and sentinel
// suites rely on: free ports, one server's lifecycle by pid, failures that reject cleanly.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findFreePorts,
  isPortFree,
  redisCommand,
  startRedisServer,
  trackedPids,
  type RedisServerHandle,
} from '@cache/redis-launcher';

const started: RedisServerHandle[] = [];

afterAll(async () => {
  for (const server of started) await server.stop();
  expect(trackedPids()).toEqual([]);
});

describe('findFreePorts', () => {
  it('returns distinct free ports, with free bus ports when asked', async () => {
    const ports = await findFreePorts(4, { bus: true });
    expect(new Set(ports).size).toBe(4);
    for (const port of ports) {
      expect(await isPortFree(port)).toBe(true);
      expect(await isPortFree(port + 10_000)).toBe(true);
    }
  });

  it('rejects a count that is not a positive integer', async () => {
    await expect(findFreePorts(0)).rejects.toBeInstanceOf(RangeError);
  });
});

describe('startRedisServer', () => {
  it('starts on loopback, answers PING, and can be killed, restarted and stopped by pid', async () => {
    const server = await startRedisServer();
    started.push(server);
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(await redisCommand(server.port, ['PING'])).toBe('PONG');
    expect(await redisCommand(server.port, ['CONFIG', 'GET', 'bind'])).toEqual(['bind', '127.0.0.1']);
    expect(await redisCommand(server.port, ['CONFIG', 'GET', 'save'])).toEqual(['save', '']);
    expect(trackedPids()).toContain(server.pid);

    const firstPid = server.pid;
    await redisCommand(server.port, ['SET', 'k', 'v']);
    await server.kill();
    expect(server.isRunning()).toBe(false);
    expect(trackedPids()).not.toContain(firstPid);
    // Refused once the socket is gone; reset when the connection raced the kill in the backlog.
    const refused = await redisCommand(server.port, ['PING']).then(
      () => undefined,
      (error: { code?: string }) => error.code,
    );
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(refused);

    await server.restart();
    expect(server.isRunning()).toBe(true);
    expect(server.pid).not.toBe(firstPid);
    expect(await redisCommand(server.port, ['PING'])).toBe('PONG');
    // No persistence: a restart starts empty.
    expect(await redisCommand(server.port, ['DBSIZE'])).toBe(0);

    await server.stop();
    expect(server.isRunning()).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
    expect(trackedPids()).not.toContain(server.pid);
    await server.stop(); // idempotent
  });

  it('rejects when the requested port is taken, leaving nothing running', async () => {
    const holder = await startRedisServer();
    started.push(holder);
    const before = trackedPids();
    await expect(startRedisServer({ port: holder.port })).rejects.toThrow(Error);
    expect(trackedPids()).toEqual(before);
    expect(await redisCommand(holder.port, ['PING'])).toBe('PONG');
  });

  it('rejects on an invalid argument, leaving nothing running', async () => {
    const before = trackedPids();
    await expect(startRedisServer({ args: ['--no-such-option', 'x'] })).rejects.toThrow(Error);
    expect(trackedPids()).toEqual(before);
  });
});
