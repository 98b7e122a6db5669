/** The streams and environment a run of the command uses (the process's own, or a test's). */
import type { Readable, Writable } from 'node:stream';

/** A stream that may be a terminal. */
type MaybeTty<S> = S & { isTTY?: boolean | undefined };

/** The Node streams a run uses inside (the public {@link CliIo} is these by shape). */
export interface NodeIo {
  /** Values for `set <key> -` and `import -`, and answers to confirmations on a terminal. */
  stdin: MaybeTty<Readable>;
  /** Results: tables on a terminal, JSON lines otherwise. */
  stdout: MaybeTty<Writable>;
  /** Errors, warnings and progress. */
  stderr: MaybeTty<Writable>;
  /** `CACHE_URL`, `CACHE_CONFIG`, `NO_COLOR`. */
  env: Readonly<Record<string, string | undefined>>;
}
