/** `cache invalidate-tags <tag...>`: every entry written with any of the tags becomes a miss. */
import { ExitCode } from '../exit-codes.js';
import type { Command } from '../internal/command.js';

export const invalidateTagsCommand: Command = {
  name: 'invalidate-tags',
  summary: 'make every entry written with any of these tags a miss',
  usage: 'invalidate-tags <tag...>',
  options: {},
  examples: ['cache invalidate-tags users', 'cache invalidate-tags product:42 catalog'],
  arity: [1, Number.POSITIVE_INFINITY],
  async run(ctx) {
    const cache = await ctx.cache();
    await cache.invalidateTags(ctx.args);
    if (ctx.out.json) await ctx.out.line({ invalidated: ctx.args });
    else await ctx.out.write(`invalidated ${ctx.args.join(', ')}\n`);
    return ExitCode.ok;
  },
};
