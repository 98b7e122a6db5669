/**
 * Every command of the built binary, run as a child process (stdin and stdout are pipes, so the
 * output is JSON lines), against a file directory and against Redis at REDIS_URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniquePrefix } from '@cache/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { keyPicker, seededRandom } from '../src/internal/key-picker.ts';
import { cli, jsonLines } from './helpers.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const dir = mkdtempSync(join(tmpdir(), 'cache-cli-'));

const targets = [
  { name: 'file', url: `file://${dir}/cache` },
  { name: 'redis', url: `${REDIS_URL}?prefix=${encodeURIComponent(uniquePrefix('cli'))}` },
];

afterAll(async () => {
  for (const t of targets) await cli(['clear', '--yes', '--url', t.url]);
  rmSync(dir, { recursive: true, force: true });
});

/** The keys a `keys`-like output lists, sorted. */
function sortedKeys(stdout: string): string[] {
  return (jsonLines(stdout) as string[]).sort();
}

describe.each(targets)('cache on $name', ({ url }) => {
  const run = (...args: string[]) => cli([...args, '--url', url]);

  it('set, get and del round trip, with exact output and exit codes', async () => {
    expect(await run('set', 'greeting', 'hello')).toEqual({
      code: 0,
      stdout: '{"ok":true,"key":"greeting"}\n',
      stderr: '',
    });
    expect(await run('get', 'greeting')).toEqual({ code: 0, stdout: '"hello"\n', stderr: '' });
    expect(await run('get', 'greeting', '--raw')).toEqual({ code: 0, stdout: 'hello', stderr: '' });
    expect(await run('get', 'greeting', '--hex')).toEqual({ code: 0, stdout: '68656c6c6f\n', stderr: '' });
    expect(await run('set', 'doc', '{"n":1,"tags":["a"]}', '--json')).toMatchObject({ code: 0 });
    expect(await run('get', 'doc')).toEqual({ code: 0, stdout: '{"n":1,"tags":["a"]}\n', stderr: '' });
    expect(await run('set', 'doc-as-text', '{"n":1}')).toMatchObject({ code: 0 });
    expect(await run('get', 'doc-as-text')).toEqual({ code: 0, stdout: '"{\\"n\\":1}"\n', stderr: '' });
    expect(await run('del', 'greeting', 'doc', 'never-there')).toEqual({
      code: 0,
      stdout: '{"deleted":2}\n',
      stderr: '',
    });
    expect(await run('del', 'greeting')).toEqual({ code: 1, stdout: '{"deleted":0}\n', stderr: '' });
    await run('del', 'doc-as-text');
  });

  it('a miss exits 1 with nothing on stdout', async () => {
    expect(await run('get', 'absent-key')).toEqual({ code: 1, stdout: '', stderr: '' });
    expect(await run('inspect', 'absent-key')).toEqual({ code: 1, stdout: '', stderr: '' });
  });

  it('set - reads the value from stdin, every byte', async () => {
    const text = 'line one\nline two\n  with spaces\n';
    expect((await cli(['set', 'stdin-text', '-', '--url', url], { input: text })).code).toBe(0);
    expect(await run('get', 'stdin-text', '--raw')).toEqual({ code: 0, stdout: text, stderr: '' });
    expect(
      (await cli(['set', 'stdin-json', '-', '--json', '--url', url], { input: '[1, 2, {"x": null}]\n' }))
        .code,
    ).toBe(0);
    expect(await run('get', 'stdin-json')).toEqual({ code: 0, stdout: '[1,2,{"x":null}]\n', stderr: '' });
    await run('del', 'stdin-text', 'stdin-json');
  });

  it('keys with --prefix, --match and --limit list exactly the selected keys', async () => {
    for (const key of ['user:1', 'user:2', 'user:10', 'post:1', 'userx'])
      expect((await run('set', key, 'v')).code).toBe(0);
    expect(sortedKeys((await run('keys', '--prefix', 'user:')).stdout)).toEqual([
      'user:1',
      'user:10',
      'user:2',
    ]);
    expect(sortedKeys((await run('keys', '--match', 'user:?')).stdout)).toEqual(['user:1', 'user:2']);
    expect(sortedKeys((await run('keys', '--match', '*:1')).stdout)).toEqual(['post:1', 'user:1']);
    expect(sortedKeys((await run('keys', '--prefix', 'user', '--match', '*1*')).stdout)).toEqual([
      'user:1',
      'user:10',
    ]);
    const limited = await run('keys', '--prefix', 'user:', '--limit', '2');
    expect(limited.code).toBe(0);
    const two = sortedKeys(limited.stdout);
    expect(two).toHaveLength(2);
    for (const key of two) expect(['user:1', 'user:10', 'user:2']).toContain(key);
    expect(sortedKeys((await run('keys')).stdout)).toEqual([
      'post:1',
      'user:1',
      'user:10',
      'user:2',
      'userx',
    ]);
  });

  it('clear and delete-matching: refused without --yes on a pipe, --dry-run lists, --yes deletes', async () => {
    const all = ['post:1', 'user:1', 'user:10', 'user:2', 'userx'];
    const refused = await run('clear');
    expect(refused.code).toBe(3);
    expect(refused.stdout).toBe('');
    expect((jsonLines(refused.stderr)[0] as { error: { code: string } }).error.code).toBe('CLI_REFUSED');
    expect((await run('delete-matching', 'user:*')).code).toBe(3);
    expect(sortedKeys((await run('keys')).stdout)).toEqual(all);

    const dry = await run('clear', '--prefix', 'user:', '--dry-run');
    expect(dry.code).toBe(0);
    expect(sortedKeys(dry.stdout)).toEqual(['user:1', 'user:10', 'user:2']);
    expect(jsonLines(dry.stderr)).toEqual([{ dryRun: true, count: 3 }]);
    const dryMatch = await run('delete-matching', '*:1*', '--dry-run');
    expect(sortedKeys(dryMatch.stdout)).toEqual(['post:1', 'user:1', 'user:10']);
    expect(sortedKeys((await run('keys')).stdout)).toEqual(all);

    expect(await run('delete-matching', 'user:1*', '--yes')).toEqual({
      code: 0,
      stdout: '{"deleted":2}\n',
      stderr: '',
    });
    expect(sortedKeys((await run('keys')).stdout)).toEqual(['post:1', 'user:2', 'userx']);
    expect(await run('clear', '--prefix', 'user', '--yes')).toEqual({
      code: 0,
      stdout: '{"cleared":true,"prefix":"user"}\n',
      stderr: '',
    });
    expect(sortedKeys((await run('keys')).stdout)).toEqual(['post:1']);
    expect((await run('clear', '--yes')).code).toBe(0);
    expect((await run('keys')).stdout).toBe('');
  });

  it('inspect shows type, TTL left, expiry, creation time, tags and size', async () => {
    const before = Date.now();
    await run('set', 'inspected', 'some value', '--ttl', '1h', '--tags', 'a,b');
    const after = Date.now();
    const { code, stdout } = await run('inspect', 'inspected');
    expect(code).toBe(0);
    const info = jsonLines(stdout)[0] as Record<string, unknown>;
    expect(Object.keys(info)).toEqual([
      'key',
      'type',
      'ttlMs',
      'expiresAt',
      'createdAt',
      'lastAccessAt',
      'tags',
      'size',
      'hits',
    ]);
    expect(info.key).toBe('inspected');
    expect(info.type).toBe('string');
    expect(info.tags).toEqual(['a', 'b']);
    expect(info.createdAt as number).toBeGreaterThanOrEqual(before);
    expect(info.createdAt as number).toBeLessThanOrEqual(after);
    expect(info.expiresAt as number).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(info.expiresAt as number).toBeLessThanOrEqual(after + 3_600_000);
    expect(info.ttlMs as number).toBeGreaterThan(0);
    expect(info.ttlMs as number).toBeLessThanOrEqual(3_600_000);
    expect(info.size as number).toBeGreaterThanOrEqual('some value'.length);
    await run('set', 'forever', 'x');
    const forever = jsonLines((await run('inspect', 'forever')).stdout)[0] as Record<string, unknown>;
    expect([forever.ttlMs, forever.expiresAt, forever.tags]).toEqual([null, null, []]);
    await run('del', 'inspected', 'forever');
  });

  it('invalidate-tags makes the tagged entries misses and leaves the others', async () => {
    await run('set', 'tagged-x', '1', '--tags', 'x');
    await run('set', 'tagged-xy', '2', '--tags', 'x,y');
    await run('set', 'tagged-y', '3', '--tags', 'y');
    expect(await run('invalidate-tags', 'x')).toEqual({
      code: 0,
      stdout: '{"invalidated":["x"]}\n',
      stderr: '',
    });
    expect((await run('get', 'tagged-x')).code).toBe(1);
    expect((await run('get', 'tagged-xy')).code).toBe(1);
    expect(await run('get', 'tagged-y')).toEqual({ code: 0, stdout: '"3"\n', stderr: '' });
    await run('del', 'tagged-y');
  });

  it('stats prints the snapshot as a JSON line; --watch with --count prints that many', async () => {
    const { code, stdout } = await run('stats');
    expect(code).toBe(0);
    const [snapshot, ...rest] = jsonLines(stdout) as Record<string, unknown>[];
    expect(rest).toEqual([]);
    expect(snapshot).toMatchObject({
      hits: 0,
      misses: 0,
      sets: 0,
      deletes: 0,
      evictions: 0,
      errors: 0,
      hitRatio: 0,
    });
    const watched = await run('stats', '--watch', '10ms', '--count', '3');
    const lines = jsonLines(watched.stdout) as Record<string, unknown>[];
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(typeof line.time).toBe('number');
  });

  it('ping makes a round trip and leaves no key behind', async () => {
    const { code, stdout } = await run('ping', '--count', '3');
    expect(code).toBe(0);
    const report = jsonLines(stdout)[0] as Record<string, unknown>;
    expect(report).toMatchObject({ ok: true, count: 3 });
    for (const field of ['openMs', 'setMs', 'getMs', 'deleteMs', 'rttMs', 'minRttMs', 'maxRttMs'])
      expect(typeof report[field]).toBe('number');
    expect((await run('keys', '--prefix', '__cache-cli:')).stdout).toBe('');
  });

  it('bench --ops 200 --json reports its fields and removes its keys', async () => {
    const { code, stdout } = await run(
      'bench',
      '--ops',
      '200',
      '--keys',
      '50',
      '--concurrency',
      '4',
      '--json',
    );
    expect(code).toBe(0);
    const [report] = jsonLines(stdout) as Record<string, unknown>[];
    expect(report).toMatchObject({ op: 'get', dist: 'uniform', keys: 50, concurrency: 4, valueSize: 100 });
    expect(report).toMatchObject({ ops: 200, errors: 0, hits: 200, misses: 0 });
    expect(report?.opsPerSec as number).toBeGreaterThan(0);
    const l = report?.latencyMs as Record<string, number>;
    expect(Object.keys(l)).toEqual(['mean', 'p50', 'p90', 'p99', 'max']);
    expect(l.p50).toBeGreaterThan(0);
    expect(l.p50).toBeLessThanOrEqual(l.p90 as number);
    expect(l.p90).toBeLessThanOrEqual(l.p99 as number);
    expect(l.p99).toBeLessThanOrEqual(l.max as number);
    const zipf = await run(
      ...[
        'bench',
        '--op',
        'getOrSet',
        '--dist',
        'zipf',
        '--ops',
        '200',
        '--keys',
        '20',
        '--seed',
        '7',
        '--json',
      ],
    );
    const z = jsonLines(zipf.stdout)[0] as Record<string, number>;
    expect(zipf.code).toBe(0);
    expect([z.ops, z.errors, (z.hits as number) + (z.misses as number), z.seed, z.skew]).toEqual([
      200, 0, 200, 7, 0.99,
    ]);
    // Keys are picked in issue order from the seeded generator: each distinct key picked is computed at least once.
    const pick = keyPicker(20, 'zipf', 0.99, seededRandom(7));
    const distinct = new Set(Array.from({ length: 200 }, pick)).size;
    expect(z.misses).toBeGreaterThanOrEqual(distinct);
    expect(z.hits).toBeGreaterThan(0);
    expect((await run('keys', '--prefix', '__cache-cli:')).stdout).toBe('');
  });

  it('--namespace works inside the namespace only', async () => {
    await run('set', 'outside', 'o');
    expect((await cli(['set', 'inside', 'i', '--url', url, '--namespace', 'tenant7'])).code).toBe(0);
    expect((await cli(['keys', '--url', url, '--namespace', 'tenant7'])).stdout).toBe('"inside"\n');
    expect((await cli(['clear', '--yes', '--url', url, '--namespace', 'tenant7'])).code).toBe(0);
    expect(sortedKeys((await run('keys')).stdout)).toEqual(['outside']);
    await run('del', 'outside');
  });

  it('CACHE_URL stands for --url', async () => {
    expect((await cli(['set', 'from-env', 'e'], { env: { CACHE_URL: url } })).code).toBe(0);
    expect(await cli(['get', 'from-env'], { env: { CACHE_URL: url } })).toEqual({
      code: 0,
      stdout: '"e"\n',
      stderr: '',
    });
    await run('del', 'from-env');
  });
});

describe('export and import', () => {
  const [file, redis] = targets as unknown as [{ url: string }, { url: string }];

  it('round trip from a file cache to Redis and back, with values, expiries and tags', async () => {
    const source = `file://${dir}/export-source`;
    const runOn = (url: string, ...args: string[]) => cli([...args, '--url', url]);
    await runOn(source, 'set', 'e:text', 'plain text', '--tags', 'docs');
    await runOn(
      source,
      'set',
      'e:json',
      '{"list":[1,2],"nested":{"ok":true}}',
      '--json',
      '--ttl',
      '1h',
      '--tags',
      'a,b',
    );
    await runOn(source, 'set', 'e:number', '42', '--json');
    const exportFile = join(dir, 'export.jsonl');
    const exported = await runOn(source, 'export', exportFile);
    expect(exported.code).toBe(0);
    expect(jsonLines(exported.stdout)[0]).toMatchObject({ exported: 3, skipped: 0, failed: 0 });

    const importStart = Date.now();
    const imported = await runOn(redis.url, 'import', exportFile);
    const importTook = Date.now() - importStart;
    expect(imported.code).toBe(0);
    expect(jsonLines(imported.stdout)[0]).toMatchObject({ loaded: 3, skipped: 0, failed: 0 });
    expect((await runOn(redis.url, 'get', 'e:json')).stdout).toBe('{"list":[1,2],"nested":{"ok":true}}\n');
    expect((await runOn(redis.url, 'get', 'e:number')).stdout).toBe('42\n');
    expect((await runOn(redis.url, 'get', 'e:text')).stdout).toBe('"plain text"\n');
    const src = jsonLines((await runOn(source, 'inspect', 'e:json')).stdout)[0] as Record<string, unknown>;
    const dst = jsonLines((await runOn(redis.url, 'inspect', 'e:json')).stdout)[0] as Record<string, unknown>;
    expect(dst.tags).toEqual(['a', 'b']);
    // The import writes the TTL left (expiresAt - now), so the expiry moves by at most its own run time.
    expect(dst.expiresAt as number).toBeGreaterThanOrEqual((src.expiresAt as number) - 1);
    expect(dst.expiresAt as number).toBeLessThanOrEqual((src.expiresAt as number) + importTook);

    // Back to another file cache through stdout and stdin: the same lines.
    const again = await runOn(redis.url, 'export', '--prefix', 'e:');
    expect(again.code).toBe(0);
    expect(jsonLines(again.stderr)[0]).toMatchObject({ exported: 3, failed: 0 });
    const back = await cli(['import', '-', '--url', file.url], { input: again.stdout });
    expect(jsonLines(back.stdout)[0]).toMatchObject({ loaded: 3, failed: 0 });
    // The same entries; expiries move by the import's run time (checked above), so compared by presence.
    const lines = (text: string) =>
      (jsonLines(text) as Record<string, unknown>[])
        .map((l) => ({ ...l, expiresAt: l.expiresAt === undefined ? undefined : l.expiresAt !== null }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const { readFileSync } = await import('node:fs');
    expect(lines(again.stdout)).toEqual(lines(readFileSync(exportFile, 'utf8')));
    expect((await cli(['get', 'e:json', '--url', file.url])).stdout).toBe(
      '{"list":[1,2],"nested":{"ok":true}}\n',
    );
    await cli(['clear', '--prefix', 'e:', '--yes', '--url', redis.url]);
    await cli(['clear', '--prefix', 'e:', '--yes', '--url', file.url]);
  }, 90_000); // fifteen runs of the binary, each a new Node process: slow on a loaded machine

  it('import of a file that is not an export fails with exit 4', async () => {
    const { writeFileSync } = await import('node:fs');
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"not":"an export"}\n');
    const { code, stdout } = await cli(['import', bad, '--url', file.url]);
    expect(code).toBe(4);
    expect(stdout).toBe('');
  });
});
