/** `cache keys`: lists keys, streamed from `keys()` (SCAN on Redis, never KEYS). */
import { ExitCode } from '../exit-codes.js';
import { integerOption } from '../internal/args.js';
import type { Command } from '../internal/command.js';
import { listKeys } from '../internal/list-keys.js';

export const keysCommand: Command = {
  name: 'keys',
  summary: 'list keys, streamed (SCAN on Redis, never KEYS), in no particular order',
  usage: 'keys [--prefix <p>] [--match <glob>] [--limit <n>]',
  details: ['With --json, or when stdout is not a terminal, each key is a JSON string on its own line.'],
  options: {
    prefix: { type: 'string', value: '<p>', description: 'only keys that start with this' },
    match: {
      type: 'string',
      short: 'm',
      value: '<glob>',
      description: 'only keys matching this glob (* any run, ? one character)',
    },
    limit: { type: 'string', short: 'l', value: '<n>', description: 'stop after n keys' },
  },
  examples: [
    'cache keys --prefix user:',
    'cache keys --match "session:*:2024-??" --limit 50',
    'cache keys | wc -l',
  ],
  arity: [0, 0],
  async run(ctx) {
    const limit = integerOption(ctx, 'limit');
    const cache = await ctx.cache();
    const count = await listKeys(ctx, cache, {
      prefix: ctx.string('prefix'),
      match: ctx.string('match'),
      limit,
    });
    if (!ctx.out.json) ctx.out.note(ctx.out.paint('dim', `(${count} ${count === 1 ? 'key' : 'keys'})`));
    return ExitCode.ok;
  },
};
