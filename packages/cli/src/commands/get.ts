/** `cache get <key>`: prints a value; exit 1 on a miss. */
import { ExitCode } from '../exit-codes.js';
import { exclusive } from '../internal/args.js';
import type { Command } from '../internal/command.js';
import { toBytes, toJsonText } from '../internal/format.js';

export const getCommand: Command = {
  name: 'get',
  summary: 'print the value of a key (exit 1 on a miss)',
  usage: 'get <key> [--json | --raw | --hex]',
  details: [
    'A string prints as it is on a terminal; other values print as JSON. With --json, or when',
    'stdout is not a terminal, the value is one JSON line (Map: an object, Set: an array, BigInt:',
    'its digits, bytes: base64).',
  ],
  options: {
    raw: {
      type: 'boolean',
      description: 'the bytes of the value as they are (strings as UTF-8), no newline',
    },
    hex: { type: 'boolean', description: 'the bytes of the value in hexadecimal' },
  },
  examples: [
    'cache get user:1',
    'cache get session:abc --json | jq .userId',
    'cache get thumb:9 --raw > thumb.png',
  ],
  arity: [1, 1],
  async run(ctx) {
    exclusive(ctx, 'raw', 'hex', 'json');
    const key = ctx.args[0] as string;
    const cache = await ctx.cache();
    const value = await cache.get(key);
    if (value === undefined) {
      if (!ctx.out.json) ctx.out.note(`(miss) ${key}`);
      return ExitCode.miss;
    }
    const { out } = ctx;
    if (ctx.flag('raw')) await out.write(toBytes(value));
    else if (ctx.flag('hex')) await out.write(`${toBytes(value).toString('hex')}\n`);
    else if (out.json) await out.write(`${toJsonText(value)}\n`);
    else if (typeof value === 'string') await out.write(`${value}\n`);
    else if (value instanceof Uint8Array) await out.write(`${toBytes(value).toString('hex')}\n`);
    else await out.write(`${toJsonText(value, 2)}\n`);
    return ExitCode.ok;
  },
};
