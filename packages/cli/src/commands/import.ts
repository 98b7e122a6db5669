/** `cache import [file|-]`: loads an export (`cache export`, `exportEntries`) into the cache. */
import { createReadStream } from 'node:fs';
import { importEntries, type WarmMode } from '@cache/warmers';
import { ExitCode } from '../exit-codes.js';
import { choiceOption, integerOption } from '../internal/args.js';
import type { Command } from '../internal/command.js';

/** The entry lines of an export file (its lines less the header), for the progress bar. */
async function countEntries(path: string): Promise<number | undefined> {
  let lines = 0;
  let last = 0x0a;
  try {
    for await (const chunk of createReadStream(path)) {
      const bytes = chunk as Buffer;
      for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) lines++;
      if (bytes.length > 0) last = bytes[bytes.length - 1] as number;
    }
  } catch {
    return undefined; // the import reports the error
  }
  if (last !== 0x0a) lines++;
  return Math.max(0, lines - 1);
}

export const importCommand: Command = {
  name: 'import',
  summary: 'load an export (cache export, exportEntries) into the cache, with its expiries and tags',
  usage: 'import [file|-] [--mode fill-missing|overwrite] [--concurrency <n>]',
  details: [
    'fill-missing (the default) writes a key only if the cache does not hold it; overwrite writes',
    'every entry. Expired entries are skipped. A progress bar is drawn on stderr when it is a terminal.',
  ],
  options: {
    mode: { type: 'string', value: '<mode>', description: 'fill-missing (default) or overwrite' },
    concurrency: { type: 'string', value: '<n>', description: 'writes in flight at once (default 8)' },
  },
  examples: [
    'cache import snapshot.jsonl',
    'cache import snapshot.jsonl --mode overwrite',
    'gunzip -c users.jsonl.gz | cache import -',
  ],
  arity: [0, 1],
  async run(ctx) {
    const file = ctx.args[0];
    const fromStdin = file === undefined || file === '-';
    const mode = choiceOption<WarmMode>(ctx, 'mode', ['fill-missing', 'overwrite'], 'fill-missing');
    const concurrency = integerOption(ctx, 'concurrency', 8);
    const total = !fromStdin && ctx.out.stderrTty ? await countEntries(file) : undefined;
    const cache = await ctx.cache();
    const report = await importEntries(cache, fromStdin ? ctx.io.stdin : file, {
      mode,
      concurrency,
      signal: ctx.signal,
      onProgress: (p) => ctx.out.progress(p.loaded + p.skipped + p.failed, total, 'entries'),
    });
    ctx.out.clearProgress();
    const summary = {
      loaded: report.loaded,
      skipped: report.skipped,
      skips: report.skips,
      failed: report.failed,
      durationMs: Math.round(report.durationMs),
      aborted: report.aborted,
      errors: report.errors
        .slice(0, 10)
        .map((e) => ({ code: e.code, key: e.key ?? null, message: e.message })),
    };
    if (ctx.out.json) await ctx.out.line(summary);
    else {
      const { present, expired, missing } = report.skips;
      await ctx.out.write(
        `imported ${report.loaded} entries in ${summary.durationMs} ms; skipped ${report.skipped} (${present} present, ${expired} expired, ${missing} empty); ${report.failed} failed\n`,
      );
      for (const error of report.errors.slice(0, 10)) ctx.out.note(`  ${error.message}`);
    }
    return report.failed > 0 || report.aborted ? ExitCode.backend : ExitCode.ok;
  },
};
