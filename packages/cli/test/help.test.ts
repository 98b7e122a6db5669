import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands/index.ts';
import { cli, jsonLines } from './helpers.ts';

describe('help and usage errors', () => {
  it.each(COMMANDS.map((c) => c.name))('%s --help exits 0 with usage, options and examples', async (name) => {
    const { code, stdout, stderr } = await cli([name, '--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.startsWith(`Usage: cache ${name}`)).toBe(true);
    expect(stdout).toContain('Global options:');
    expect(stdout).toContain(`Examples:\n  cache `);
    expect(stdout).toContain('Exit codes:');
  });

  it('cache --help lists every command and exits 0; no command at all exits 2', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(`\n  ${c.name} `);
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe(help.stdout);
  });

  it('--version prints the package version', async () => {
    const { code, stdout } = await cli(['--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('an unknown command exits 2 with a JSON error on stderr (stdout is not a terminal)', async () => {
    const { code, stdout, stderr } = await cli(['frobnicate', '--url', 'memory://']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(jsonLines(stderr)).toEqual([
      {
        error: {
          code: 'CACHE_CONFIG',
          message: 'unknown command "frobnicate"; run `cache --help` for the list',
        },
      },
    ]);
  });

  it.each([
    [['get', '--url', 'memory://'], 'a missing argument'],
    [['get', 'a', 'b', '--url', 'memory://'], 'too many arguments'],
    [['get', 'a', '--frob', '--url', 'memory://'], 'an unknown option'],
    [['get', 'a', '--raw', '--hex', '--url', 'memory://'], 'options that exclude each other'],
    [['set', 'a', 'b', '--ttl', 'soon', '--url', 'memory://'], 'a bad TTL'],
    [['set', 'a', '--url', 'memory://'], 'set without a value'],
    [['set', 'a', 'not json', '--json', '--url', 'memory://'], 'set --json with a value that is not JSON'],
    [['keys', '--limit', '0', '--url', 'memory://'], 'a limit that is not a positive integer'],
    [['get', 'a'], 'no URL'],
    [['get', 'a', '--url', 'nosuch://'], 'an unknown backend'],
    [['get', 'a', '--url', 'memory://', '--timeout', 'forever'], 'a bad timeout'],
    [['bench', '--ops', '10', '--duration', '1s', '--url', 'memory://'], '--ops with --duration'],
  ])('%j exits 2 (%s) with a CACHE_CONFIG error', async (args, _why) => {
    const { code, stdout, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const [line] = jsonLines(stderr) as { error: { code: string } }[];
    expect(line?.error.code).toBe('CACHE_CONFIG');
  });
});
