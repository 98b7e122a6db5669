/**
 * A killed benchmark leaves no child process behind: the memory benchmark is started with tiny
 * settings (but scenarios that would run for minutes), killed (SIGINT, SIGTERM: it forwards the signal; SIGKILL: its children see the IPC
 * channel close) as soon as its two speed children are up, and those children must go away.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const toolsDir = fileURLToPath(new URL('../..', import.meta.url));

/** Whether `pid` runs (a zombie has ended: only its exit status is left for its parent). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Resolves with the pids of the first `count` children the benchmark logs as up (watching their parent). */
function startedChildren(bench: ChildProcess, count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const onData = (chunk: string): void => {
      stderr += chunk;
      const pids = [...stderr.matchAll(/^child (\d+) up/gm)].map((m) => Number(m[1]));
      if (pids.length >= count) {
        bench.stderr?.off('data', onData);
        resolve(pids.slice(0, count));
      }
    };
    bench.stderr?.setEncoding('utf8').on('data', onData);
    bench.once('exit', (code, signal) =>
      reject(new Error(`benchmark exited (${code ?? signal}): ${stderr}`)),
    );
  });
}

/** Polls until none of `pids` runs or `timeoutMs` passed; returns those still running. */
async function gone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = pids.filter(alive);
    if (running.length === 0 || Date.now() > deadline) return running;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the memory benchmark, killed', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGKILL'] as const)('on %s leaves no child running', async (signal) => {
    const bench = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        'bench/memory.ts',
        '--quick',
        // Scenarios far longer than the test: a child still running at the end was not stopped.
        '--time=600000',
        '--no-heap',
        '--values=string',
        '--only=memory-sync,lru-cache-sync',
      ],
      { cwd: toolsDir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let pids: number[] = [];
    try {
      pids = await startedChildren(bench, 2);
      expect(pids.filter(alive)).toEqual(pids);
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        bench.once('exit', (_code, s) => resolve(s)),
      );
      bench.kill(signal);
      // Dies of the signal itself (SIGINT and SIGTERM are re-raised once the children are signalled).
      expect(await exited).toBe(signal);
      expect(await gone(pids, 30_000)).toEqual([]);
    } finally {
      bench.kill('SIGKILL');
      for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
    }
  });
});
