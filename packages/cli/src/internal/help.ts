/** The help texts: the program's (`cache --help`) and each command's (`cache <command> --help`). */
import type { Command, OptionSpec } from './command.js';
import { GLOBAL_OPTIONS } from './global-options.js';

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const rows = Object.entries(options).map(([name, spec]) => {
    const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
    return [
      `  ${short}--${name}${spec.value === undefined ? '' : ` ${spec.value}`}`,
      spec.description,
    ] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${left.padEnd(width)}  ${right}`);
}

/** The exit codes, as the help and the README list them. */
const EXIT_CODE_LINES = [
  '  0  ok',
  '  1  miss: the key is absent (get, inspect), no key existed (del)',
  '  2  usage error: unknown command or option, missing argument, bad URL or value',
  '  3  refused: a destructive command without --yes (and no terminal to ask on)',
  '  4  backend error: cannot connect, server error, undecodable value',
  '  5  timeout: the command did not settle within --timeout',
];

/** The help of one command. */
export function commandHelp(command: Command): string {
  const lines = [`Usage: cache ${command.usage}`, '', `  ${command.summary}`];
  if (command.details !== undefined) lines.push(...command.details.map((l) => (l === '' ? '' : `  ${l}`)));
  if (Object.keys(command.options).length > 0) lines.push('', 'Options:', ...optionLines(command.options));
  lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS));
  lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  lines.push('', 'Exit codes:', ...EXIT_CODE_LINES, '');
  return lines.join('\n');
}

/** The help of the program: its commands, global options and exit codes. */
export function programHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `cache ${version}: look inside and operate any @cache/core cache by URL`,
    '',
    'Usage: cache <command> [arguments] [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '      --version     the version',
    '',
    'Examples:',
    '  export CACHE_URL=redis://127.0.0.1:6379?prefix=app:',
    '  cache set greeting hello --ttl 10m',
    '  cache get greeting',
    '  cache keys --match "user:*" --limit 20',
    '  cache --url file://./.cache stats',
    '',
    "Run `cache <command> --help` for a command's options and examples.",
    '',
    'Exit codes:',
    ...EXIT_CODE_LINES,
    '',
  ].join('\n');
}
