/**
 * `runCli`: one run of the `cache` command. Finds the command, parses its options with
 * `node:util` `parseArgs`, opens the cache on first use, runs the command within `--timeout`,
 * maps errors to exit codes, and closes the cache.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type Cache,
  CacheConfigError,
  CacheErrorCode,
  CacheTimeoutError,
  isCacheError,
  type PlatformAbortSignal,
} from '@cache/core';
import { parseTimerDuration } from '@cache/core/backend';
import { COMMANDS } from './commands/index.js';
import { ExitCode } from './exit-codes.js';
import type { Command, CommandContext, OptionSpec, OptionValues } from './internal/command.js';
import { GLOBAL_OPTIONS } from './internal/global-options.js';
import { commandHelp, programHelp } from './internal/help.js';
import type { CliIo } from './io.js';
import type { NodeIo } from './internal/io.js';
import { openCache } from './internal/open-cache.js';
import { Output } from './internal/output.js';

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** The streams and environment. @default the process's own */
  io?: CliIo | undefined;
  /** Stops the run (the program passes one aborted on SIGINT): a watch ends, other commands fail. */
  signal?: PlatformAbortSignal | undefined;
}

/** How long `close()` of the cache may take after the command before the run ends anyway. */
const CLOSE_GRACE_MS = 2000;
/** ... and at least this long, even when the deadline has passed. */
const MIN_CLOSE_MS = 20;

function version(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === '@cache/cli' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next place
    }
  }
  return 'unknown';
}

/** The command's name (the first argument that is not an option or a global option's value) and the rest. */
function splitCommand(argv: readonly string[]): { name: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    if (arg.startsWith('-') && arg !== '-') {
      const long = arg.startsWith('--') ? arg.slice(2) : undefined;
      const spec =
        long === undefined
          ? Object.values(GLOBAL_OPTIONS).find((o) => o.short === arg.slice(1))
          : long.includes('=')
            ? undefined
            : GLOBAL_OPTIONS[long];
      if (spec?.type === 'string') i++;
      continue;
    }
    return { name: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { name: undefined, rest: [...argv] };
}

function parseOptions(command: Command | undefined, args: string[]) {
  const options: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS, ...command?.options };
  if (command === undefined) options.version = { type: 'boolean', description: '' };
  const specs = Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      {
        type: o.type,
        ...(o.short === undefined ? {} : { short: o.short }),
        ...(o.multiple ? { multiple: true } : {}),
      },
    ]),
  );
  try {
    return parseArgs({ args, options: specs, strict: true, allowPositionals: true });
  } catch (error) {
    throw new CacheConfigError((error as Error).message, { cause: error });
  }
}

/** The exit code for an error a command threw. */
function exitCodeOf(error: unknown): ExitCode {
  if (!isCacheError(error)) return ExitCode.backend;
  switch (error.code) {
    case CacheErrorCode.config:
    case CacheErrorCode.keyInvalid:
      return ExitCode.usage;
    case CacheErrorCode.timeout:
      return ExitCode.timeout;
    default:
      return ExitCode.backend;
  }
}

function messageOf(error: unknown): { code: string; message: string } {
  if (isCacheError(error)) {
    const cause =
      error.cause instanceof Error && !error.message.includes(error.cause.message)
        ? `: ${error.cause.message}`
        : '';
    return { code: error.code, message: `${error.message}${cause}` };
  }
  return { code: CacheErrorCode.error, message: error instanceof Error ? error.message : String(error) };
}

function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/**
 * Runs the `cache` command with `argv` (the arguments after the program's name) and resolves to
 * its exit code (see `ExitCode`); never rejects. Results go to `io.stdout`, errors and progress to
 * `io.stderr`. The cache it opens is closed before it resolves (or given up on after 2 s).
 *
 * @example
 * const code = await runCli(['get', 'user:1', '--url', 'redis://127.0.0.1:6379']);
 * process.exitCode = code;
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<ExitCode> {
  // The streams given fit Node's by shape: inside, they are Node's.
  const io = (options.io ?? processIo()) as unknown as NodeIo;
  const { name, rest } = splitCommand(argv);
  const command = name === undefined ? undefined : COMMANDS.find((c) => c.name === name);
  let out = new Output(io, argv.includes('--json'));
  if (name !== undefined && command === undefined) {
    out.error({
      code: CacheErrorCode.config,
      message: `unknown command "${name}"; run \`cache --help\` for the list`,
    });
    return ExitCode.usage;
  }

  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(command, rest);
  } catch (error) {
    out.error(messageOf(error));
    if (command !== undefined) out.note(`run \`cache ${command.name} --help\` for its options`);
    return ExitCode.usage;
  }
  const values = parsed.values as OptionValues;
  out = new Output(io, values.json === true);

  if (command === undefined) {
    if (values.version === true) {
      await out.write(`${version()}\n`);
      return ExitCode.ok;
    }
    await out.write(programHelp(COMMANDS, version()));
    return values.help === true ? ExitCode.ok : ExitCode.usage;
  }
  if (values.help === true) {
    await out.write(commandHelp(command));
    return ExitCode.ok;
  }
  const args = parsed.positionals;
  const [least, most] = command.arity;
  if (args.length < least || args.length > most) {
    out.error({
      code: CacheErrorCode.config,
      message: `${args.length < least ? 'missing arguments' : 'too many arguments'}: cache ${command.usage}`,
    });
    return ExitCode.usage;
  }

  const string = (key: string) => {
    const v = values[key];
    return typeof v === 'string' ? v : undefined;
  };
  let timeoutMs: number | undefined;
  try {
    const timeout = string('timeout') ?? (command.name === 'ping' ? '10s' : undefined);
    timeoutMs = timeout === undefined ? undefined : parseTimerDuration(timeout, '--timeout');
  } catch (error) {
    out.error(messageOf(error));
    return ExitCode.usage;
  }

  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let opened: Promise<Cache> | undefined;
  const ctx: CommandContext = {
    args,
    values,
    out,
    io,
    signal: controller.signal,
    string,
    flag: (key) => values[key] === true,
    cache: () =>
      (opened ??= openCache({
        url: string('url') ?? io.env.CACHE_URL,
        config: string('config') ?? (string('url') === undefined ? io.env.CACHE_CONFIG : undefined),
        serializer: string('serializer'),
        namespace: string('namespace'),
      })),
  };

  let timer: NodeJS.Timeout | undefined;
  const deadlineAt = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  const deadline = new Promise<'timeout'>((resolve) => {
    if (timeoutMs === undefined) return;
    timer = setTimeout(() => {
      controller.abort(new CacheTimeoutError(`the command did not settle within ${timeoutMs} ms`));
      resolve('timeout');
    }, timeoutMs);
  });
  let code: ExitCode;
  try {
    const result = await Promise.race([command.run(ctx), deadline]);
    if (result === 'timeout') {
      out.error({
        code: CacheErrorCode.timeout,
        message: `${command.name} did not settle within --timeout (${timeoutMs} ms)`,
      });
      code = ExitCode.timeout;
    } else {
      code = result;
    }
  } catch (error) {
    const aborted = controller.signal.aborted && controller.signal.reason instanceof CacheTimeoutError;
    out.error(messageOf(aborted ? controller.signal.reason : error));
    code = aborted ? ExitCode.timeout : exitCodeOf(error);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    out.clearProgress();
  }
  if (opened !== undefined) {
    const left =
      deadlineAt === undefined ? CLOSE_GRACE_MS : Math.min(CLOSE_GRACE_MS, deadlineAt - Date.now());
    await closeQuietly(opened, Math.max(MIN_CLOSE_MS, left));
  }
  return code;
}

/** Closes the cache if it opened, waiting at most `graceMs`. */
async function closeQuietly(opened: Promise<Cache>, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
    timer.unref();
  });
  const close = opened.then(
    (cache) => cache.close(),
    () => undefined,
  );
  await Promise.race([close.catch(() => undefined), grace]);
  clearTimeout(timer);
}
