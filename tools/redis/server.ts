// One daemonized `redis-server` on 127.0.0.1: its pid file, log and data live in its own temp
// directory; it is stopped by pid (SIGTERM, then SIGKILL) and the directory removed. A bind
// failure shows in the log ("Address already in use") and makes startRedisServer try another port.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePorts } from './ports.js';
import { isRedisAlive, run, signalRedis, sleep, track, untrack, waitForExit } from './processes.js';
import { redisCommand } from './resp.js';

export const HOST = '127.0.0.1';

/** A host and port, as ioredis takes them for cluster nodes and sentinels. */
export interface RedisAddress {
  host: string;
  port: number;
}

/** Options for {@link startRedisServer}. */
export interface RedisServerOptions {
  /** The port; a free one when omitted (and another one is tried if it is taken meanwhile). */
  port?: number;
  /** Extra `redis-server` arguments, e.g. `['--maxmemory', '10mb']`. @default [] */
  args?: readonly string[];
  /** How long to wait for PING to answer. @default 10000 */
  startTimeoutMs?: number;
  /** @internal Run `redis-server <file> --sentinel` with this config content instead. */
  sentinelConfig?: (port: number, dir: string) => string;
}

/** A running server started by {@link startRedisServer}. */
export interface RedisServerHandle extends RedisAddress {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** The server's pid (a new one after `restart()`). */
  readonly pid: number;
  /** The temp directory holding the pid file, the log and any data. */
  readonly dir: string;
  readonly logFile: string;
  /** Whether the process is running. */
  isRunning(): boolean;
  /** SIGTERM (SIGKILL after 5 s), wait for exit, remove the temp directory. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit; the directory stays so that `restart()` can reuse it. */
  kill(): Promise<void>;
  /** Stops the process if running and starts it again on the same port and directory. */
  restart(): Promise<void>;
}

/** Starts one daemonized `redis-server` on 127.0.0.1 and waits until it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePorts(1))[0]!;
    const server = new RedisProcess(port, await mkdtemp(join(tmpdir(), `cache-redis-${port}-`)), options);
    try {
      await server.start();
      return server;
    } catch (error) {
      await server.stop();
      // Another process may have taken a port we found free: try another, unless it was given.
      if (options.port !== undefined || attempt >= 3 || !(error instanceof PortTakenError)) throw error;
    }
  }
}

/** A server could not bind its port (or its cluster bus port): another process took it. */
export class PortTakenError extends Error {}

class RedisProcess implements RedisServerHandle {
  readonly host = HOST;
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly logFile: string;
  readonly #pidFile: string;
  readonly #options: RedisServerOptions;
  #pid = 0;
  #stopped = false;

  constructor(port: number, dir: string, options: RedisServerOptions) {
    this.port = port;
    this.url = `redis://${HOST}:${port}`;
    this.dir = dir;
    this.logFile = join(dir, `redis-${port}.log`);
    this.#pidFile = join(dir, `redis-${port}.pid`);
    this.#options = options;
  }

  get pid(): number {
    return this.#pid;
  }

  isRunning(): boolean {
    return this.#pid !== 0 && isRedisAlive(this.#pid, this.port);
  }

  async start(): Promise<void> {
    if (this.#stopped) throw new Error(`redis ${this.port}: stopped, start a new server instead`);
    await rm(this.#pidFile, { force: true });
    await rm(this.logFile, { force: true });
    const common = ['--bind', HOST, '--port', String(this.port), '--daemonize', 'yes'];
    const files = ['--pidfile', this.#pidFile, '--dir', this.dir, '--logfile', this.logFile];
    let argv: string[];
    if (this.#options.sentinelConfig) {
      const configFile = join(this.dir, `sentinel-${this.port}.conf`);
      if (this.#pid === 0) await writeFile(configFile, this.#options.sentinelConfig(this.port, this.dir));
      argv = [configFile, '--sentinel', ...common, ...files];
    } else {
      argv = [...common, '--save', '', '--appendonly', 'no', ...files, ...(this.#options.args ?? [])];
    }
    await run('redis-server', argv, 10_000);
    const deadline = Date.now() + (this.#options.startTimeoutMs ?? 10_000);
    for (;;) {
      const pid = await readPid(this.#pidFile);
      if (pid !== undefined) {
        if (this.#pid !== pid) track(pid, this.port, this.dir);
        this.#pid = pid;
      }
      if (pid !== undefined && isRedisAlive(pid, this.port) && (await pings(this.port))) return;
      // Whether it died is read before its log: a server that exits writes its reason first, so a
      // log read after seeing it dead holds the reason (a bus port taken shows up only then).
      const dead = pid !== undefined && !isRedisAlive(pid, this.port);
      const log = await readFile(this.logFile, 'utf8').catch(() => '');
      if (log.includes('Address already in use')) throw new PortTakenError(`redis ${this.port}: port taken`);
      if (/aborting|FATAL|Fatal error/.test(log) || dead) {
        throw new Error(`redis ${this.port} failed to start:\n${tail(log)}`);
      }
      if (Date.now() > deadline) throw new Error(`redis ${this.port} did not answer PING:\n${tail(log)}`);
      await sleep(25);
    }
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#terminate('SIGTERM');
    await rm(this.dir, { recursive: true, force: true });
  }

  async kill(): Promise<void> {
    await this.#terminate('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.#terminate('SIGTERM');
    await this.start();
  }

  async #terminate(signal: NodeJS.Signals): Promise<void> {
    const pid = this.#pid || (await readPid(this.#pidFile));
    if (pid === undefined || pid === 0) return;
    signalRedis(pid, this.port, signal);
    if (!(await waitForExit(pid, this.port, 5_000))) {
      signalRedis(pid, this.port, 'SIGKILL');
      if (!(await waitForExit(pid, this.port, 5_000)))
        throw new Error(`redis ${this.port} (pid ${pid}) did not exit`);
    }
    untrack(pid);
  }
}

async function pings(port: number): Promise<boolean> {
  try {
    return (await redisCommand(port, ['PING'], { timeoutMs: 1000 })) === 'PONG';
  } catch {
    return false;
  }
}

async function readPid(pidFile: string): Promise<number | undefined> {
  const text = await readFile(pidFile, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function tail(log: string): string {
  return log.trimEnd().split('\n').slice(-10).join('\n');
}
