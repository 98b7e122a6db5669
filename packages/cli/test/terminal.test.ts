/** The terminal path (tables, colours, NO_COLOR), in-process with streams that say they are terminals. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExitCode, runCli } from '../src/index.ts';
import { Output } from '../src/internal/output.ts';

function terminal(env: Record<string, string | undefined> = {}) {
  const stdout = Object.assign(new PassThrough(), { isTTY: true });
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  stdin.end();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return { io: { stdin, stdout, stderr, env }, output: () => ({ out, err }) };
}

describe('on a terminal', () => {
  it('prints plain strings, tables with colours, and miss notes on stderr', async () => {
    const url = 'memory://';
    const t = terminal();
    // One memory:// cache per run: set and get in separate runs would not share it, so this checks the forms.
    expect(await runCli(['set', 'k', 'v', '--url', url], { io: t.io })).toBe(ExitCode.ok);
    expect(t.output().out).toBe('\u001b[32mOK\u001b[39m\n');
    const miss = terminal();
    expect(await runCli(['get', 'k', '--url', url], { io: miss.io })).toBe(ExitCode.miss);
    expect(miss.output()).toEqual({ out: '', err: '(miss) k\n' });
    const stats = terminal();
    expect(await runCli(['stats', '--url', url], { io: stats.io })).toBe(ExitCode.ok);
    const width = 'evictionsByCause'.length;
    expect(stats.output().out).toContain(`\u001b[36m${'hits'.padEnd(width)}\u001b[39m  0\n`);
    expect(stats.output().out).toContain(
      `\u001b[36m${'evictionsByCause'.padEnd(width)}\u001b[39m  capacity 0, size 0, expired 0\n`,
    );
    expect(stats.output().out).toContain('hitRatio');
  });

  it('uses no colour with NO_COLOR, and JSON lines with --json', async () => {
    const t = terminal({ NO_COLOR: '1' });
    const code = await runCli(['set', 'k', 'v', '--url', 'memory://'], { io: t.io });
    expect(t.output()).toEqual({ out: 'OK\n', err: '' });
    expect(code).toBe(ExitCode.ok);
    const j = terminal();
    expect(await runCli(['set', 'k', '"v"', '--url', 'memory://', '--json'], { io: j.io })).toBe(ExitCode.ok);
    expect(j.output().out).toBe('{"ok":true,"key":"k"}\n');
  });

  it('refuses clear without --yes when stdin is not a terminal, even with a terminal stdout', async () => {
    const t = terminal();
    expect(await runCli(['clear', '--url', 'memory://'], { io: t.io })).toBe(ExitCode.refused);
    expect(t.output().err).toContain('refusing to remove every entry of the cache without --yes');
  });

  it('draws the export progress on stderr, and clears it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-export-progress-'));
    try {
      const url = `file://${join(dir, 'cache')}`;
      for (const key of ['a', 'b', 'c']) {
        expect(await runCli(['set', key, '1', '--url', url], { io: terminal().io })).toBe(ExitCode.ok);
      }
      const t = terminal({ NO_COLOR: undefined });
      const path = join(dir, 'out.jsonl');
      expect(await runCli(['export', path, '--url', url], { io: t.io })).toBe(ExitCode.ok);
      const { err, out } = t.output();
      // A file cache does not know its entry count before its first sweep: a count, no bar.
      expect(err).toBe('\r\u001b[2K3 entries\r\u001b[2K');
      expect(out).toMatch(/^exported 3 entries \(0 gone while listed, 0 failed\) in \d+ ms\n$/);
      expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('draws a bar when the total is known and not passed, a count otherwise', () => {
    const t = terminal();
    const out = new Output(t.io as never, false);
    out.progress(15, 30, 'entries');
    out.progress(31, 30, 'entries');
    out.progress(4, undefined, 'entries');
    out.clearProgress();
    out.clearProgress();
    const bar = `[${'#'.repeat(15)}${'-'.repeat(15)}] 15/30 entries`;
    expect(t.output().err).toBe(`\r\u001b[2K${bar}\r\u001b[2K31 entries\r\u001b[2K4 entries\r\u001b[2K`);
  });
});
