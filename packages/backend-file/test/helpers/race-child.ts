/**
 * A child process of `fixtures/writer.ts` in `race` mode, driven one round at a time: `round(r)`
 * sends `go r` and resolves with the child's JSON answer for that round.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface RoundResult {
  round: number;
  won: string[];
  errors: number;
}

export class RaceChild {
  readonly #proc: ChildProcess;
  readonly #answers: string[] = [];
  readonly #waiting: ((line: string) => void)[] = [];
  #exited: Error | undefined;

  constructor(script: string, dir: string, role: 'reader' | 'writer' | 'adder', perRound: number) {
    this.#proc = spawn(process.execPath, [script, 'race', dir, role, String(perRound)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.#proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(line);
      else this.#answers.push(line);
    });
    this.#proc.once('exit', (code, signal) => {
      this.#exited = new Error(`race child exited: ${code} ${signal}`);
      for (const waiter of this.#waiting.splice(0)) waiter('');
    });
  }

  get pid(): number {
    return this.#proc.pid as number;
  }

  /** Runs one round in the child. */
  async round(round: number): Promise<RoundResult> {
    if (this.#exited) throw this.#exited;
    this.#proc.stdin?.write(`go ${round}\n`);
    const line =
      this.#answers.shift() ?? (await new Promise<string>((resolve) => this.#waiting.push(resolve)));
    if (this.#exited && line === '') throw this.#exited;
    return JSON.parse(line) as RoundResult;
  }

  /** Ends the child (closing its stdin) and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#proc.once('exit', () => resolve()));
    this.#proc.stdin?.end();
    await exited;
  }
}
