/**
 * The guard of destructive commands: `--yes` goes ahead; without it a terminal is asked, and
 * without a terminal on stdin the command is refused (exit 3) before the cache is opened.
 */
import { createInterface } from 'node:readline/promises';
import type { CommandContext } from './command.js';

/** Whether to go ahead with `action` (a phrase: `delete every entry`). Writes the refusal itself. */
export async function confirm(ctx: CommandContext, action: string): Promise<boolean> {
  if (ctx.flag('yes')) return true;
  const { stdin, stderr } = ctx.io;
  if (stdin.isTTY !== true) {
    ctx.out.error({
      code: 'CLI_REFUSED',
      message: `refusing to ${action} without --yes (stdin is not a terminal to ask on); use --dry-run to see what would go`,
    });
    return false;
  }
  const rl = createInterface({ input: stdin, output: stderr });
  try {
    const answer = await rl.question(`${action}? Type "yes" to go ahead: `, { signal: ctx.signal });
    if (answer.trim().toLowerCase() === 'yes' || answer.trim().toLowerCase() === 'y') return true;
  } catch {
    // interrupted: no
  } finally {
    rl.close();
  }
  ctx.out.error({ code: 'CLI_REFUSED', message: `not confirmed: nothing deleted` });
  return false;
}
