/**
 * Child processes of a benchmark that never outlive it. The parent starts them with `runChild`: each
 * one gets an IPC channel, the parent forwards SIGINT, SIGTERM and SIGHUP to its live children before
 * it dies of the signal, and kills them when it exits any other way. A child calls `exitWithParent`
 * first thing: it exits when the channel closes, which also happens when the parent is killed with
 * SIGKILL or crashes, so nothing is left running (a child notices at its next event loop turn).
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** What a finished child printed and how it ended. */
export interface ChildRun {
  /** Exit code, or null when a signal ended it. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The message of a child whose `exitWithParent` ran. */
const UP = 'bench-child-up';

const live = new Set<ChildProcess>();
let handlersInstalled = false;

function killAll(signal: NodeJS.Signals): void {
  for (const child of live) child.kill(signal);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => killAll('SIGKILL'));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll(signal);
      process.removeListener(signal, onSignal);
      // With no other listener, re-raise so that the default action (terminate) still applies.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/**
 * Runs `node <args>` in `cwd` to its end and collects its output. `onUp` gets the child's pid once
 * the child is up and watching its parent (its `exitWithParent` ran).
 */
export function runChild(
  args: readonly string[],
  cwd: string,
  onUp?: (pid: number) => void,
): Promise<ChildRun> {
  installHandlers();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => {
      live.delete(child);
      reject(error);
    });
    child.on('message', (message) => {
      if (message === UP && child.pid !== undefined) onUp?.(child.pid);
    });
    child.on('close', (status, signal) => {
      live.delete(child);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/**
 * In a child started by `runChild`: exit (status 1) as soon as the parent goes away, and tell the
 * parent that this child is up. Without an IPC channel (run by hand) it does nothing. The channel
 * does not keep the child alive.
 */
export function exitWithParent(): void {
  if (process.send === undefined) return;
  // The parent may be gone already: its channel closed before this child got here.
  if (!process.connected) process.exit(1);
  process.on('disconnect', () => process.exit(1));
  process.send(UP);
  process.channel?.unref();
}
