/** `cache clear`: removes every entry of the cache (or under a prefix); `--yes` or a terminal's confirmation. */
import { ExitCode } from '../exit-codes.js';
import type { Command } from '../internal/command.js';
import { confirm } from '../internal/confirm.js';
import { listKeys } from '../internal/list-keys.js';

export const clearCommand: Command = {
  name: 'clear',
  summary: 'remove every entry (or those under --prefix); needs --yes',
  usage: 'clear [--prefix <p>] (--dry-run | --yes)',
  details: [
    'Without --yes a terminal is asked to confirm; without a terminal on stdin the command is',
    'refused with exit 3 and nothing is deleted. --dry-run lists the keys that would go.',
  ],
  options: {
    prefix: { type: 'string', value: '<p>', description: 'only entries whose key starts with this' },
    'dry-run': { type: 'boolean', description: 'list the keys that would be removed, remove nothing' },
    yes: { type: 'boolean', short: 'y', description: 'go ahead without asking' },
  },
  examples: [
    'cache clear --prefix tmp: --dry-run',
    'cache clear --prefix tmp: --yes',
    'cache --namespace tenant-7 clear --yes',
  ],
  arity: [0, 0],
  async run(ctx) {
    const prefix = ctx.string('prefix');
    if (ctx.flag('dry-run')) {
      const cache = await ctx.cache();
      const count = await listKeys(ctx, cache, { prefix });
      ctx.out.info(
        { dryRun: true, count },
        `dry run: ${count} ${count === 1 ? 'key' : 'keys'} would be removed`,
      );
      return ExitCode.ok;
    }
    const what =
      prefix === undefined ? 'remove every entry of the cache' : `remove every entry under "${prefix}"`;
    if (!(await confirm(ctx, what))) return ExitCode.refused;
    const cache = await ctx.cache();
    await cache.clear(prefix === undefined ? {} : { prefix });
    if (ctx.out.json) await ctx.out.line({ cleared: true, prefix: prefix ?? null });
    else await ctx.out.write(prefix === undefined ? 'cleared\n' : `cleared the entries under "${prefix}"\n`);
    return ExitCode.ok;
  },
};
