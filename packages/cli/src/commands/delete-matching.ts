/** `cache delete-matching <glob>`: removes the keys matching a glob; `--yes` or a terminal's confirmation. */
import { ExitCode } from '../exit-codes.js';
import type { Command } from '../internal/command.js';
import { confirm } from '../internal/confirm.js';
import { listKeys } from '../internal/list-keys.js';

export const deleteMatchingCommand: Command = {
  name: 'delete-matching',
  summary: 'remove the keys matching a glob (* any run, ? one character); needs --yes',
  usage: 'delete-matching <glob> (--dry-run | --yes)',
  details: [
    'Without --yes a terminal is asked to confirm; without a terminal on stdin the command is',
    'refused with exit 3 and nothing is deleted. --dry-run lists the keys that would go.',
  ],
  options: {
    'dry-run': { type: 'boolean', description: 'list the keys that would be removed, remove nothing' },
    yes: { type: 'boolean', short: 'y', description: 'go ahead without asking' },
  },
  examples: ['cache delete-matching "session:*" --dry-run', 'cache delete-matching "user:*:avatar" --yes'],
  arity: [1, 1],
  async run(ctx) {
    const pattern = ctx.args[0] as string;
    if (ctx.flag('dry-run')) {
      const cache = await ctx.cache();
      const count = await listKeys(ctx, cache, { match: pattern });
      ctx.out.info(
        { dryRun: true, count },
        `dry run: ${count} ${count === 1 ? 'key' : 'keys'} would be removed`,
      );
      return ExitCode.ok;
    }
    if (!(await confirm(ctx, `remove every key matching "${pattern}"`))) return ExitCode.refused;
    const cache = await ctx.cache();
    const deleted = await cache.deleteMatching(pattern);
    if (ctx.out.json) await ctx.out.line({ deleted });
    else await ctx.out.write(`deleted ${deleted}\n`);
    return ExitCode.ok;
  },
};
