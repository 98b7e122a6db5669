/** What a command is (its options, help and run function) and what it runs with. */
import type { Cache } from '@cache/core';
import type { ExitCode } from '../exit-codes.js';
import type { NodeIo } from './io.js';
import type { Output } from './output.js';

/** One option of a command, as `node:util` `parseArgs` takes it, with its help. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in the help (`<ms>`). */
  value?: string;
  description: string;
}

/** The parsed options of a run: globals and the command's own. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What a command runs with. */
export interface CommandContext {
  /** The positional arguments after the command's name. */
  readonly args: readonly string[];
  readonly values: OptionValues;
  readonly out: Output;
  readonly io: NodeIo;
  /** Aborted when `--timeout` passes or the process is interrupted. */
  readonly signal: AbortSignal;
  /** Opens the cache of `--url` / `--config` (once; closed by the runner). */
  cache(): Promise<Cache>;
  /** A string option, or `undefined`. */
  string(name: string): string | undefined;
  /** A boolean option. */
  flag(name: string): boolean;
}

/** A command of the `cache` program. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The synopsis after `cache ` (`get <key> [options]`). */
  readonly usage: string;
  /** More lines of help, printed under the synopsis. */
  readonly details?: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples: readonly string[];
  /** The least and most positional arguments (`Infinity` for no limit). */
  readonly arity: readonly [number, number];
  run(ctx: CommandContext): Promise<ExitCode>;
}
