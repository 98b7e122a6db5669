/** `cache del <key...>`: removes keys; exit 1 when none existed. */
import { ExitCode } from '../exit-codes.js';
import type { Command } from '../internal/command.js';

export const delCommand: Command = {
  name: 'del',
  summary: 'remove keys (exit 1 when none of them existed)',
  usage: 'del <key...>',
  options: {},
  examples: ['cache del user:1', 'cache del user:1 user:2 user:3'],
  arity: [1, Number.POSITIVE_INFINITY],
  async run(ctx) {
    const cache = await ctx.cache();
    const deleted = await cache.deleteMany(ctx.args);
    if (ctx.out.json) await ctx.out.line({ deleted });
    else await ctx.out.write(`deleted ${deleted}\n`);
    return deleted === 0 ? ExitCode.miss : ExitCode.ok;
  },
};
