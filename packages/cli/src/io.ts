/**
 * What {@link runCli} reads from and writes to, by shape: the process's own streams fit, and so
 * do a test's (Node `Readable` / `Writable` streams). Declared here so that the published types
 * need no `@types/node`.
 */

/** A readable stream (a Node `Readable`), maybe a terminal. */
export interface CliInput {
  pipe(...args: never[]): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  isTTY?: boolean | undefined;
}

/** A writable stream (a Node `Writable`), maybe a terminal. */
export interface CliOutput {
  write(chunk: string): boolean;
  on(event: string, listener: (...args: never[]) => void): unknown;
  isTTY?: boolean | undefined;
}

/** The streams and environment of a run. */
export interface CliIo {
  /** Values for `set <key> -` and `import -`, and answers to confirmations on a terminal. */
  stdin: CliInput;
  /** Results: tables on a terminal, JSON lines otherwise. */
  stdout: CliOutput;
  /** Errors, warnings and progress. */
  stderr: CliOutput;
  /** `CACHE_URL`, `CACHE_CONFIG`, `NO_COLOR`. */
  env: Readonly<Record<string, string | undefined>>;
}
