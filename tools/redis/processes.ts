// Bookkeeping for the daemonized redis-server processes the launcher starts: liveness by pid
// (a zombie counts as gone, and a pid counts as ours only while its command line still names redis
// and our port, so a reused pid is never signalled), waiting for exit, and a last-resort cleanup on
// process exit and on SIGINT/SIGTERM/SIGHUP that kills whatever is still registered.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

interface Tracked {
  pid: number;
  port: number;
  dir: string;
}

const live = new Map<number, Tracked>();
let handlersInstalled = false;

/** Whether `pid` is a running (non-zombie) redis process listening on `port`. */
export function isRedisAlive(pid: number, port: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    // The title is `redis-server 127.0.0.1:<port>` once set; just after start it is still the
    // argv (`redis-server --bind 127.0.0.1 --port <port> ...`): the port shows either way.
    return cmdline.includes('redis') && cmdline.includes(String(port));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    // No /proc (not Linux): fall back to signal 0.
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/** Waits until the process is gone; `false` on timeout. */
export async function waitForExit(pid: number, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRedisAlive(pid, port)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Sends `signal` if the process is still ours and alive. */
export function signalRedis(pid: number, port: number, signal: NodeJS.Signals): void {
  if (!isRedisAlive(pid, port)) return;
  try {
    process.kill(pid, signal);
  } catch {
    // Exited between the check and the signal.
  }
}

/** Registers a started process for the exit-time cleanup. */
export function track(pid: number, port: number, dir: string): void {
  installHandlers();
  live.set(pid, { pid, port, dir });
}

/** Forgets a process (after it was stopped or killed). */
export function untrack(pid: number): void {
  live.delete(pid);
}

/** Pids the launcher started that are still registered (for tests and diagnostics). */
export function trackedPids(): number[] {
  return [...live.keys()];
}

/** Synchronously kills every registered process and removes its directory. */
export function killAllTracked(): void {
  for (const { pid, port, dir } of live.values()) {
    signalRedis(pid, port, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  live.clear();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllTracked);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllTracked();
      process.removeListener(signal, onSignal);
      // With no other listener, re-raise so the default behaviour (terminate) still applies.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Polls `check` every 50 ms until it returns true; throws after `timeoutMs` naming `what`. */
export async function waitUntil(
  timeoutMs: number,
  what: string,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await sleep(50);
  }
}

/** Runs a program to completion; rejects with its output on a non-zero exit or timeout. */
export function run(file: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || stdout}`, { cause: error }));
      else resolve(stdout);
    });
  });
}
