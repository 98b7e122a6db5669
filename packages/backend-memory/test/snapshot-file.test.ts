/**
 * The snapshot file on disk: only regular files are loaded, up to `persist.maxBytes`; a FIFO,
 * a link (to /dev/zero or anything else), a device or an oversized file starts the cache empty
 * with an `error` event; temporary files of dead writers are removed at start, and nothing else.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCache } from '@cache/backend-memory';
import { type CacheError, CacheErrorCode, CacheFullError } from '@cache/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempPathFor } from '../src/internal/snapshot-file.js';

let dir: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'memory-snapshot-file-'));
});
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** Lets the microtask that reports a load error run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A cache on `path` that never writes, with the errors it reports at start. */
async function open(path: string, extra: Record<string, unknown> = {}) {
  const cache = new MemoryCache<unknown>({
    sweepInterval: false,
    persist: { path, onClose: false, interval: false, ...extra },
  });
  const errors: CacheError[] = [];
  cache.on('error', ({ error }) => errors.push(error));
  await settle();
  return { cache, errors };
}

async function writeSnapshot(path: string, entries: number): Promise<void> {
  const cache = new MemoryCache<string>({ sweepInterval: false, persist: { path, interval: false } });
  for (let i = 0; i < entries; i++) cache.setSync(`key-${i}`, 'x'.repeat(100));
  await cache.close();
}

/** A node child that runs `script` and reports the first line it prints. */
async function child(script: string): Promise<{ process: ChildProcess; line: string }> {
  const process = spawn(globalThis.process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(process);
  let out = '';
  for await (const chunk of process.stdout!) {
    out += chunk;
    if (out.includes('\n')) break;
  }
  return { process, line: out.split('\n')[0]! };
}

describe('loading regular files only', () => {
  it('does not hang on a FIFO: starts empty with an error event', async () => {
    const path = join(dir, 'cache.snap');
    execFileSync('mkfifo', [path]);
    // A writer on the other end keeps this test bounded even if a read blocked (it would then
    // read 'x' and fail); a loader that does not read never meets it (killed after the test).
    children.push(
      spawn(process.execPath, ['-e', `require('node:fs').writeFileSync(${JSON.stringify(path)}, 'x')`], {
        stdio: 'ignore',
      }),
    );
    const { cache, errors } = await open(path);
    expect(cache.size).toBe(0);
    expect(errors.map((e) => e.code)).toEqual([CacheErrorCode.error]);
    await cache.close();
  });

  it('does not follow a symbolic link to /dev/zero (or to a good snapshot)', async () => {
    const path = join(dir, 'cache.snap');
    await symlink('/dev/zero', path);
    const zero = await open(path);
    expect(zero.cache.size).toBe(0);
    expect(zero.errors.map((e) => e.code)).toEqual([CacheErrorCode.error]);
    await zero.cache.close();

    const good = join(dir, 'good.snap');
    await writeSnapshot(good, 3);
    const linked = join(dir, 'linked.snap');
    await symlink(good, linked);
    const viaLink = await open(linked);
    expect(viaLink.cache.size).toBe(0);
    expect(viaLink.errors.map((e) => e.code)).toEqual([CacheErrorCode.error]);
    await viaLink.cache.close();
  });

  it('refuses a device and a directory', async () => {
    for (const path of ['/dev/zero', '/dev/null', dir]) {
      const { cache, errors } = await open(path);
      expect(cache.size).toBe(0);
      expect(errors.map((e) => e.code)).toEqual([CacheErrorCode.error]);
      await cache.close();
    }
  });

  it('refuses a file over persist.maxBytes with CACHE_FULL and loads one at the limit', async () => {
    const path = join(dir, 'cache.snap');
    await writeSnapshot(path, 20);
    const size = (await lstat(path)).size;
    const over = await open(path, { maxBytes: size - 1 });
    expect(over.cache.size).toBe(0);
    expect(over.errors).toHaveLength(1);
    expect(over.errors[0]).toBeInstanceOf(CacheFullError);
    expect(over.errors[0]?.code).toBe(CacheErrorCode.full);
    await over.cache.close();
    const at = await open(path, { maxBytes: size });
    expect(at.cache.size).toBe(20);
    expect(at.errors).toEqual([]);
    await at.cache.close();
  });

  it('does not write a snapshot over persist.maxBytes: CACHE_FULL, the old file stays', async () => {
    const path = join(dir, 'cache.snap');
    await writeSnapshot(path, 2);
    const before = await readFile(path, 'utf8');
    const { cache } = await open(path, { maxBytes: before.length + 10 });
    for (let i = 0; i < 50; i++) cache.setSync(`more-${i}`, 'y'.repeat(100));
    await expect(cache.saveSnapshot()).rejects.toMatchObject({ code: CacheErrorCode.full });
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(await readdir(dir)).toEqual(['cache.snap']);
    await cache.close();
  });

  it.each([
    ['a bad size', { maxBytes: 'lots' }],
    ['zero', { maxBytes: 0 }],
    ['more than a string holds', { maxBytes: '4GB' }],
    ['an unknown persist option', { maxbytes: 10 }],
  ])('refuses %s with CACHE_CONFIG', (_name, extra) => {
    expect(() => new MemoryCache({ persist: { path: join(dir, 'x.snap'), ...extra } as never })).toThrow(
      expect.objectContaining({ code: CacheErrorCode.config }),
    );
  });
});

describe('temporary files of dead writers', () => {
  const hex = 'a1b2c3d4e5f6';

  it('names temporary files <path>.<pid>.<12 hex>.tmp', () => {
    const path = join(dir, 'cache.snap');
    const temp = tempPathFor(path);
    expect(temp.startsWith(`${path}.${process.pid}.`)).toBe(true);
    expect(temp.slice(path.length)).toMatch(/^\.\d+\.[0-9a-f]{12}\.tmp$/);
  });

  it('removes those of this path whose pid is gone or that are a day old, and nothing else', async () => {
    const path = join(dir, 'cache.snap');
    await writeSnapshot(path, 2);
    const dead = await child('console.log(process.pid)');
    if (dead.process.exitCode === null && dead.process.signalCode === null) await once(dead.process, 'exit');
    const deadPid = dead.process.pid as number;
    const alive = await child('console.log(process.pid); setInterval(() => {}, 1000)');
    const livePid = alive.process.pid as number;
    const outside = join(dir, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'precious'), 'keep me');

    const stale = [`cache.snap.${deadPid}.${hex}.tmp`, `cache.snap.${livePid}.000000000000.tmp`];
    const kept = [
      `cache.snap.${livePid}.${hex}.tmp`, // a live writer
      `cache.snap.${process.pid}.${hex}.tmp`, // this process (another cache may be writing)
      'cache.snap.tmp',
      `cache.snap.${deadPid}.${hex}.tmp.bak`,
      `cache.snap.${deadPid}.A1B2C3D4E5F6.tmp`,
      `cache.snap.${deadPid}.${hex}1.tmp`,
      `cache.snap.0.${hex}.tmp`,
      `cache.snap.x.${deadPid}.${hex}.tmp`,
      `other.snap.${deadPid}.${hex}.tmp`,
      `cache.snap2.${deadPid}.${hex}.tmp`,
    ];
    for (const name of [...stale, ...kept]) await writeFile(join(dir, name), 'partial');
    // a day-old temp file of a live pid: the pid was reused
    const old = new Date(Date.now() - 25 * 3600 * 1000);
    await utimes(join(dir, stale[1]!), old, old);
    // a directory and a link with a temp name are not files: left alone, and the link's target too
    await mkdir(join(dir, `cache.snap.${deadPid}.bbbbbbbbbbbb.tmp`));
    await symlink(join(outside, 'precious'), join(dir, `cache.snap.${deadPid}.cccccccccccc.tmp`));
    kept.push(`cache.snap.${deadPid}.bbbbbbbbbbbb.tmp`, `cache.snap.${deadPid}.cccccccccccc.tmp`);

    const { cache, errors } = await open(path);
    expect(errors).toEqual([]);
    expect(cache.size).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(['cache.snap', 'outside', ...kept].sort());
    expect(await readFile(join(outside, 'precious'), 'utf8')).toBe('keep me');
    await cache.close();
  });

  it('removes the temporary file of a writer killed mid-write', async () => {
    const path = join(dir, 'cache.snap');
    // The child writes a snapshot temp file the way writeFileAtomic names it, and is killed
    // while the file is open and half written.
    const writer = await child(`
      const fs = require('node:fs');
      const temp = ${JSON.stringify(path)} + '.' + process.pid + '.' + require('node:crypto').randomBytes(6).toString('hex') + '.tmp';
      const fd = fs.openSync(temp, 'wx');
      fs.writeSync(fd, '{"format":"@cache/backend-memory:snapshot"');
      console.log(temp);
      setInterval(() => fs.writeSync(fd, ',"k":"x"'), 5);
    `);
    const temp = writer.line;
    expect(temp.slice(path.length)).toMatch(/^\.\d+\.[0-9a-f]{12}\.tmp$/);
    // While the writer lives, its file stays.
    const during = await open(path);
    expect(await readdir(dir)).toEqual([temp.slice(dir.length + 1)]);
    await during.cache.close();
    writer.process.kill('SIGKILL');
    await once(writer.process, 'exit');
    const after = await open(path);
    expect(after.errors).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
    await after.cache.close();
  });
});
