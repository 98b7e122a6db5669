export { ExitCode } from './exit-codes.js';
export type { CliIo } from './internal/io.js';
export { runCli, type RunCliOptions } from './run-cli.js';
