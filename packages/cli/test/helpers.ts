/** Runs the built `cache` binary as a child process. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built program (the test target builds the package first). */
const BIN = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** What a run printed and how it ended. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link cli}. */
export interface CliOptions {
  /** Written to stdin, then stdin is closed (stdin is always a pipe, never a terminal). */
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** Runs `node dist/cli.js ...args` and resolves when it exits. */
export function cli(args: readonly string[], options: CliOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      CACHE_URL: undefined,
      CACHE_CONFIG: undefined,
    };
    Object.assign(env, options.env);
    const child = spawn(process.execPath, [BIN, ...args], {
      env: env as NodeJS.ProcessEnv,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** The JSON lines of an output, parsed. */
export function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}
