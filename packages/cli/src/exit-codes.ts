/** The exit codes of the `cache` command, for scripts. */
export const ExitCode = {
  /** The command did what it was asked. */
  ok: 0,
  /** `get`, `inspect`: the key is absent; `del`: none of the keys existed. */
  miss: 1,
  /** A usage error: an unknown command or option, a missing argument, a bad URL or option value. */
  usage: 2,
  /** A destructive command without `--yes` (and no terminal to ask on, or the answer was no). */
  refused: 3,
  /** The backend failed (cannot connect, an error from the server, a value that cannot be decoded). */
  backend: 4,
  /** The command did not settle within `--timeout`. */
  timeout: 5,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
