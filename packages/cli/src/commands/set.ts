/** `cache set <key> <value|->`: stores a string, or JSON with `--json`; `-` reads stdin. */
import { CacheConfigError, type SetOptions } from '@cache/core';
import { ExitCode } from '../exit-codes.js';
import { readAll, tagsOption, ttlOption } from '../internal/args.js';
import type { Command } from '../internal/command.js';

export const setCommand: Command = {
  name: 'set',
  summary: 'store a value (a string, or JSON with --json; - reads it from stdin)',
  usage: 'set <key> <value|-> [--ttl <duration>] [--tags a,b] [--json]',
  details: [
    'Without --json the value is stored as a string, exactly as given (from stdin: every byte,',
    'newlines included, decoded as UTF-8). With --json it is parsed as JSON and stored as that value.',
  ],
  options: {
    ttl: {
      type: 'string',
      value: '<duration>',
      description: "time to live: 30s, 10m, 2h, milliseconds or 'infinity' (default: the cache's)",
    },
    tags: { type: 'string', value: '<a,b>', description: 'tags for invalidate-tags, comma-separated' },
  },
  examples: [
    'cache set greeting hello --ttl 10m',
    'cache set user:1 \'{"name":"Ada"}\' --json --tags users',
    'curl -s https://example.com/config.json | cache set config - --json',
  ],
  arity: [1, 2],
  async run(ctx) {
    const [key, given] = ctx.args as [string, string | undefined];
    if (given === undefined) throw new CacheConfigError('set needs a value, or - to read it from stdin');
    const options: SetOptions = {};
    const ttl = ttlOption(ctx);
    if (ttl !== undefined) options.ttl = ttl;
    const tags = tagsOption(ctx);
    if (tags !== undefined) options.tags = tags;
    const text = given === '-' ? (await readAll(ctx.io.stdin)).toString('utf8') : given;
    let value: unknown = text;
    if (ctx.flag('json')) {
      try {
        value = JSON.parse(text);
      } catch (cause) {
        throw new CacheConfigError('the value is not JSON (drop --json to store it as a string)', { cause });
      }
    }
    const cache = await ctx.cache();
    await cache.set(key, value, options);
    if (ctx.out.json) await ctx.out.line({ ok: true, key });
    else await ctx.out.write(`${ctx.out.paint('green', 'OK')}\n`);
    return ExitCode.ok;
  },
};
