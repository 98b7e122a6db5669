#!/usr/bin/env node
/**
 * The `cache` program: runs {@link runCli} on the process's arguments and exits with its code.
 * Ctrl-C stops a watch or a benchmark; a second Ctrl-C, or a cache whose connections outlive the
 * command, ends the process anyway.
 */
import { runCli } from './run-cli.js';

const controller = new AbortController();
process.once('SIGINT', () => {
  controller.abort();
  process.once('SIGINT', () => process.exit(130));
});
// `cache keys | head`: a closed pipe ends the output quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

runCli(process.argv.slice(2), { signal: controller.signal }).then((code) => {
  process.exitCode = code;
  // Whatever still holds the event loop (a connection that will not close) does not hold the exit.
  setTimeout(() => process.exit(code), 100).unref();
});
