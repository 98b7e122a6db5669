import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCache, SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from '@cache/backend-memory';
import { type CacheError, CacheErrorCode, CacheSerializationError, jsonSerializer } from '@cache/core';
import { collect, ManualClock } from '@cache/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'memory-snapshot-'));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

/** Lets the microtask that reports a load error run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function errorsOf(cache: MemoryCache<unknown>): CacheError[] {
  const errors: CacheError[] = [];
  cache.on('error', ({ error }) => errors.push(error));
  return errors;
}

describe('snapshots', () => {
  it('close() refuses every call at once, while the snapshot it takes is still being written', async () => {
    const path = join(dir, 'cache.snap');
    const cache = new MemoryCache<string>({ persist: { path, interval: false } });
    cache.setSync('k', 'v');
    const closing = cache.close();
    expect(() => cache.getSync('k')).toThrow(expect.objectContaining({ code: CacheErrorCode.config }));
    expect(() => cache.peek('k')).toThrow(expect.objectContaining({ code: CacheErrorCode.config }));
    expect(() => cache.hasSync('k')).toThrow(expect.objectContaining({ code: CacheErrorCode.config }));
    await expect(cache.getOrSet('k', () => 'computed')).rejects.toMatchObject({
      code: CacheErrorCode.config,
    });
    await closing;
    const reopened = new MemoryCache<string>({ persist: { path, interval: false } });
    expect(reopened.getSync('k')).toBe('v');
    await reopened.close();
  });

  it('round-trips entries, times and tags through close() and a new cache, skipping expired ones', async () => {
    const clock = new ManualClock();
    const path = join(dir, 'nested', 'cache.snap');
    const first = new MemoryCache<unknown>({ clock, persist: { path, interval: false } });
    first.setSync('plain', { a: [1, 'two', null] });
    first.setSync('ttl', 'soon', { ttl: 1000, tags: ['t1', 't2'] });
    first.setSync('short', 1, { ttl: 100 });
    first.setSync('emoji 🔑 /..*', 'ok');
    await first.close();

    clock.advance(100);
    const second = new MemoryCache<unknown>({ clock, persist: { path, interval: false } });
    const errors = errorsOf(second);
    await settle();
    expect(errors).toEqual([]);
    expect(second.size).toBe(3);
    expect(await second.getEntry('plain')).toMatchObject({
      value: { a: [1, 'two', null] },
      createdAt: 1_700_000_000_000,
    });
    expect(await second.getEntry('ttl')).toMatchObject({
      value: 'soon',
      expiresAt: 1_700_000_001_000,
      tags: ['t1', 't2'],
    });
    expect(await second.get('emoji 🔑 /..*')).toBe('ok');
    expect(await second.get('short')).toBeUndefined();
    await second.invalidateTags(['t2']);
    expect(await second.get('ttl')).toBeUndefined();
    await second.close();
  });

  it('keeps typed values (Date, Map, BigInt, ...) through a snapshot, plain ones still as JSON', async () => {
    const clock = new ManualClock();
    const path = join(dir, 'typed.snap');
    const typed = { at: new Date(5), ids: new Map([[1n, new Set([Buffer.from('x')])]]), gone: undefined };
    for (const serializer of [undefined, jsonSerializer]) {
      const first = new MemoryCache<unknown>({ clock, persist: { path, interval: false }, serializer });
      first.setSync('typed', typed, { tags: ['t'] });
      first.setSync('plain', { x: [1, 'two'] });
      await first.close();
      const lines = (await readFile(path, 'utf8')).trim().split('\n').slice(1);
      expect(lines).toEqual([
        `{"k":"typed","c":1700000000000,"t":["t"],"b":"${Buffer.from(jsonSerializer.serialize(typed)).toString('base64')}"}`,
        '{"k":"plain","c":1700000000000,"v":{"x":[1,"two"]}}',
      ]);
      const second = new MemoryCache<unknown>({ clock, persist: { path, interval: false }, serializer });
      const errors = errorsOf(second);
      await settle();
      expect(errors).toEqual([]);
      expect(await second.get('typed')).toStrictEqual(typed);
      expect(await second.get('plain')).toStrictEqual({ x: [1, 'two'] });
      await second.close();
    }
  });

  it('writes the documented JSON Lines format atomically, leaving no temporary file', async () => {
    const clock = new ManualClock();
    const path = join(dir, 'cache.snap');
    const cache = new MemoryCache<unknown>({ clock, persist: { path, interval: false, onClose: false } });
    cache.setSync('k', { v: 1 }, { ttl: 50, tags: ['x'] });
    await cache.saveSnapshot();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(JSON.parse(lines[0] as string)).toEqual({
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      serializer: 'json',
      writtenAt: 1_700_000_000_000,
      entries: 1,
    });
    expect(JSON.parse(lines[1] as string)).toEqual({
      k: 'k',
      c: 1_700_000_000_000,
      e: 1_700_000_000_050,
      t: ['x'],
      v: { v: 1 },
    });
    expect(lines[2]).toBe('');
    expect(await readdir(dir)).toEqual(['cache.snap']);
    await cache.close();
    // onClose: false wrote nothing more.
    expect((await readFile(path, 'utf8')).split('\n')[1]).toBe(lines[1]);
  });

  it('stores serializer bytes as base64 and refuses a snapshot written with another serializer', async () => {
    const path = join(dir, 'cache.snap');
    const serializer = { ...jsonSerializer, id: 'json2' };
    const first = new MemoryCache<unknown>({ serializer, persist: path });
    first.setSync('k', [1, 2]);
    await first.close();
    const text = await readFile(path, 'utf8');
    expect(JSON.parse(text.split('\n')[1] as string).b).toBe(Buffer.from('[1,2]').toString('base64'));
    const same = new MemoryCache<unknown>({ serializer, persist: path });
    expect(same.getSync('k')).toEqual([1, 2]);
    await same.close();
    const other = new MemoryCache<unknown>({ persist: { path, onClose: false } });
    const errors = errorsOf(other);
    await settle();
    expect(other.size).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe(CacheErrorCode.serialization);
    await other.close();
  });

  it('leaves out values typed JSON cannot round-trip, each with an error event', async () => {
    const path = join(dir, 'cache.snap');
    const cache = new MemoryCache<unknown>({ persist: { path, interval: false, onClose: false } });
    const errors = errorsOf(cache);
    cache.setSync('good', 1);
    cache.setSync('bad', new (class Point {})());
    await cache.saveSnapshot();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(CacheSerializationError);
    const loaded = new MemoryCache<unknown>({ persist: { path, onClose: false } });
    expect([...(await collect(loaded.keys()))]).toEqual(['good']);
    await Promise.all([cache.close(), loaded.close()]);
  });

  it('starts empty without an error when the file is missing', async () => {
    const cache = new MemoryCache<unknown>({ persist: { path: join(dir, 'none.snap'), onClose: false } });
    const errors = errorsOf(cache);
    await settle();
    expect(cache.size).toBe(0);
    expect(errors).toEqual([]);
    await cache.close();
  });

  const corrupt: [string, string][] = [
    ['a foreign file', 'hello world\n'],
    ['a foreign JSON file', '{"format":"something else","version":1}\n'],
    [
      'a future version',
      `{"format":"${SNAPSHOT_FORMAT}","version":99,"serializer":"json","writtenAt":0,"entries":0}\n`,
    ],
    [
      'a truncated file',
      `{"format":"${SNAPSHOT_FORMAT}","version":1,"serializer":"json","writtenAt":0,"entries":2}\n{"k":"a","c":1,"v":1}\n`,
    ],
    [
      'a broken line',
      `{"format":"${SNAPSHOT_FORMAT}","version":1,"serializer":"json","writtenAt":0,"entries":1}\n{"k":"a","c":1,"v":\n`,
    ],
    [
      'a line that is no entry',
      `{"format":"${SNAPSHOT_FORMAT}","version":1,"serializer":"json","writtenAt":0,"entries":1}\n{"k":"","c":"x"}\n`,
    ],
    ['binary noise', '\u0000\u0001\u00ff\u00fe'],
    ['an empty file', ''],
  ];
  for (const [what, content] of corrupt) {
    it(`starts empty with an error event for ${what}, without throwing`, async () => {
      const path = join(dir, 'cache.snap');
      await writeFile(path, content);
      const cache = new MemoryCache<unknown>({ persist: { path, onClose: false } });
      const errors = errorsOf(cache);
      await settle();
      expect(cache.size).toBe(0);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(CacheSerializationError);
      expect(errors[0]?.code).toBe(CacheErrorCode.serialization);
      expect(cache.stats.errors).toBe(1);
      await cache.close();
    });
  }

  it('reports an unreadable path as an error event and starts empty', async () => {
    const cache = new MemoryCache<unknown>({ persist: { path: dir, onClose: false } });
    const errors = errorsOf(cache);
    await settle();
    expect(cache.size).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe(CacheErrorCode.error);
    await cache.close();
  });

  it('applies the limits while loading', async () => {
    const path = join(dir, 'cache.snap');
    const big = new MemoryCache<number>({ persist: path });
    for (let i = 0; i < 10; i++) big.setSync(`k${i}`, i);
    await big.close();
    const small = new MemoryCache<number>({
      persist: { path, onClose: false },
      maxEntries: 4,
      policy: 'lru',
    });
    expect(small.size).toBe(4);
    await small.close();
  });

  it('writes on its interval only when something changed', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const path = join(dir, 'cache.snap');
    const cache = new MemoryCache<number>({ persist: { path, interval: '1s', onClose: false } });
    // The interval writes through saveSnapshot(): the spy sees each write start at the tick, and
    // its promise settles when the file is in place (no polling of the directory).
    const save = vi.spyOn(cache, 'saveSnapshot');
    cache.setSync('k', 1);
    vi.advanceTimersByTime(1000);
    expect(save).toHaveBeenCalledTimes(1);
    await save.mock.results[0]!.value;
    expect(await readdir(dir)).toEqual(['cache.snap']);
    const first = (await readFile(path, 'utf8')).split('\n');
    expect(first).toHaveLength(3);
    expect(JSON.parse(first[1]!)).toMatchObject({ k: 'k', v: 1 });

    // Nothing changed since: the next tick writes nothing.
    await rm(path);
    vi.advanceTimersByTime(1000);
    expect(save).toHaveBeenCalledTimes(1);

    // A change: the tick after it writes again.
    cache.setSync('k', 2);
    vi.advanceTimersByTime(1000);
    expect(save).toHaveBeenCalledTimes(2);
    await save.mock.results[1]!.value;
    expect(JSON.parse((await readFile(path, 'utf8')).split('\n')[1]!)).toMatchObject({ k: 'k', v: 2 });

    // close() waits for a write in flight (onClose: false writes nothing more): the directory holds
    // only what the two ticks wrote.
    await cache.close();
    expect(await readdir(dir)).toEqual(['cache.snap']);
  });

  it('rejects close() with a CacheError when the snapshot cannot be written', async () => {
    const blocker = join(dir, 'file');
    await writeFile(blocker, 'x');
    const cache = new MemoryCache<number>({
      persist: { path: join(blocker, 'cache.snap'), interval: false },
    });
    cache.setSync('k', 1);
    await expect(cache.close()).rejects.toMatchObject({ code: CacheErrorCode.error });
  });
});
