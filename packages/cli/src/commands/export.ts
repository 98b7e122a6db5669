/** `cache export [file]`: the live entries as the warmers' JSON Lines export. */
import { exportEntries } from '@cache/warmers';
import { ExitCode } from '../exit-codes.js';
import type { Command } from '../internal/command.js';

export const exportCommand: Command = {
  name: 'export',
  summary: "write the live entries (value, expiry, tags) as JSON Lines (@cache/warmers' format)",
  usage: 'export [file|-] [--prefix <p>]',
  details: [
    'Line 1 is {"format":"@cache/export","version":1}; then one entry per line:',
    '{"key","value" (typed JSON text),"expiresAt" (epoch ms or null),"tags"}. To a file, the export',
    'is written beside it and renamed into place when complete; its report goes to stdout. To stdout',
    '(no file, or -), the report goes to stderr. A progress line is drawn on stderr when it is a',
    'terminal: a bar when the backend knows how many entries it holds (and no --prefix is given).',
  ],
  options: {
    prefix: { type: 'string', value: '<p>', description: 'only entries whose key starts with this' },
  },
  examples: [
    'cache export snapshot.jsonl',
    'cache export --prefix user: | gzip > users.jsonl.gz',
    'cache --url file://./.cache export - | cache --url redis://127.0.0.1:6379 import -',
  ],
  arity: [0, 1],
  async run(ctx) {
    const file = ctx.args[0];
    const toStdout = file === undefined || file === '-';
    const cache = await ctx.cache();
    const prefix = ctx.string('prefix');
    const held = prefix === undefined && ctx.out.stderrTty ? cache.stats.snapshot().entries : undefined;
    const total = typeof held === 'number' ? held : undefined;
    const report = await exportEntries(cache, toStdout ? ctx.io.stdout : file, {
      prefix,
      signal: ctx.signal,
      onProgress: (p) => ctx.out.progress(p.exported + p.skipped + p.failed, total, 'entries'),
    });
    ctx.out.clearProgress();
    const summary = {
      exported: report.exported,
      skipped: report.skipped,
      failed: report.failed,
      durationMs: Math.round(report.durationMs),
      errors: report.errors
        .slice(0, 10)
        .map((e) => ({ code: e.code, key: e.key ?? null, message: e.message })),
    };
    const text = `exported ${report.exported} entries (${report.skipped} gone while listed, ${report.failed} failed) in ${summary.durationMs} ms`;
    if (toStdout) ctx.out.info(summary, text);
    else if (ctx.out.json) await ctx.out.line(summary);
    else await ctx.out.write(`${text}\n`);
    for (const error of report.errors.slice(0, 10)) ctx.out.note(`  ${error.message}`);
    return report.failed > 0 ? ExitCode.backend : ExitCode.ok;
  },
};
