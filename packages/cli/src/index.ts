export { ExitCode } from './exit-codes.js';
export type { CliInput, CliIo, CliOutput } from './io.js';
export { runCli, type RunCliOptions } from './run-cli.js';
