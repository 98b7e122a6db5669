import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { FileCache } from '@cache/backend-file';
import { MemoryCache } from '@cache/backend-memory';
import { RedisCache } from '@cache/backend-redis';
import { type Cache, CacheErrorCode, CacheSerializationError, ManualClock } from '@cache/core';
import { uniquePrefix } from '@cache/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeExportLine,
  EXPORT_HEADER,
  encodeExportLine,
  exportEntries,
  fromExport,
  importEntries,
  warm,
} from '../src/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const root = mkdtempSync(join(tmpdir(), 'warmers-export-'));
const open: Cache[] = [];
afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.close()));
  rmSync(root, { recursive: true, force: true });
});

function track<C extends Cache>(cache: C): C {
  open.push(cache);
  return cache;
}

/** Values that plain JSON cannot carry, and one that it can. */
const VALUES = {
  date: new Date(86_400_000),
  map: new Map<string, unknown>([
    ['big', 12345678901234567890n],
    ['nested', new Set([1, 'x'])],
  ]),
  buf: Buffer.from('héllo'),
  odd: { nan: Number.NaN, negZero: -0, inf: Number.NEGATIVE_INFINITY, none: undefined, re: /a+b/gi },
  plain: { a: [1, null, 'x'], '~': 'tilde key' },
};

describe('export format', () => {
  it('decodeExportLine is the exact inverse of encodeExportLine', () => {
    for (const [key, value] of Object.entries(VALUES)) {
      const entry = { key, value, expiresAt: 1_700_000_000_123, tags: ['a', 'b'] };
      expect(decodeExportLine(encodeExportLine(entry), 2)).toEqual(entry);
    }
    const never = { key: 'k\n"', value: 'line\nbreak', expiresAt: undefined, tags: [] };
    const line = encodeExportLine(never);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({ key: 'k\n"', value: '"line\\nbreak"', expiresAt: null, tags: [] });
    expect(decodeExportLine(line, 2)).toEqual(never);
  });

  it('writes values as the typed JSON text of the default serializer', () => {
    const line = JSON.parse(
      encodeExportLine({ key: 'd', value: VALUES.date, expiresAt: undefined, tags: [] }),
    );
    expect(line.value).toBe('~1{"~":"Date","v":"1970-01-02T00:00:00.000Z"}');
    expect(EXPORT_HEADER).toBe('{"format":"@cache/export","version":1}');
  });

  it('refuses a value typed JSON cannot encode, and a line that is not an entry', () => {
    expect(() => encodeExportLine({ key: 'f', value: () => 1, expiresAt: undefined, tags: [] })).toThrow(
      CacheSerializationError,
    );
    for (const bad of [
      '{',
      '[]',
      '{"key":1,"value":"1","expiresAt":null,"tags":[]}',
      '{"key":"k","value":"~9x","expiresAt":null,"tags":[]}',
    ])
      expect(() => decodeExportLine(bad, 3)).toThrow(CacheSerializationError);
  });
});

describe('export then import across memory, file and Redis', () => {
  it('keeps values, TTLs and tags, and skips entries expired by import time', async () => {
    const now = Date.now();
    // The source lives a minute in the past: its 10s entry has expired by "now".
    const pastClock = new ManualClock(now - 60_000);
    const memory = track(new MemoryCache({ clock: pastClock }));
    await memory.set('date', VALUES.date, { ttl: '1h', tags: ['t1'] });
    await memory.set('map', VALUES.map, { tags: ['t1', 't2'] });
    await memory.set('buf', VALUES.buf, { ttl: '2h' });
    await memory.set('odd', VALUES.odd, { ttl: '1h', tags: ['t2'] });
    await memory.set('plain', VALUES.plain);
    await memory.set('soon', 'gone', { ttl: '10s' });
    await memory.set('other:x', 'not exported');
    const expiries = {
      date: now - 60_000 + 3_600_000,
      buf: now - 60_000 + 7_200_000,
      odd: now - 60_000 + 3_600_000,
    };

    // memory -> file (an export path)
    const file1 = join(root, 'memory.jsonl');
    const exported = await exportEntries(memory, file1, { clock: pastClock });
    expect(exported).toMatchObject({ exported: 7, skipped: 0, failed: 0 });
    const lines = readFileSync(file1, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(EXPORT_HEADER);
    expect(lines).toHaveLength(8);
    // Only the prefix, this time.
    const prefixed = new PassThrough();
    const chunks: Buffer[] = [];
    prefixed.on('data', (c: Buffer) => chunks.push(c));
    expect((await exportEntries(memory, prefixed, { prefix: 'other:', clock: pastClock })).exported).toBe(1);
    expect(Buffer.concat(chunks).toString().split('\n')[1]).toContain('"other:x"');

    const fileClock = new ManualClock(now);
    const file = track(new FileCache({ dir: join(root, 'file-cache'), clock: fileClock }));
    await file.set('plain', 'newer'); // fill-missing keeps it
    const intoFile = await importEntries(file, file1, { clock: fileClock });
    expect(intoFile).toMatchObject({
      loaded: 5,
      skipped: 2,
      skips: { expired: 1, present: 1, missing: 0 },
      failed: 0,
      aborted: false,
    });
    expect(await file.get('plain')).toBe('newer');
    await file.set('plain', VALUES.plain);
    await file.delete('other:x');
    await checkCopy(file, expiries, 'exact');

    // file -> Redis (through a stream)
    const file2 = join(root, 'file.jsonl');
    expect((await exportEntries(file, file2, { clock: fileClock })).exported).toBe(5);
    const redis = track(new RedisCache({ url: REDIS_URL, prefix: uniquePrefix('warmers-export') }));
    const intoRedis = await importEntries(redis, Readable.from(readFileSync(file2)), { mode: 'overwrite' });
    expect(intoRedis).toMatchObject({ loaded: 5, skipped: 0, failed: 0 });
    await checkCopy(redis, expiries, 'after');

    // Redis -> memory
    const back = new PassThrough();
    const [fromRedis, intoMemory] = await Promise.all([
      exportEntries(redis, back).finally(() => back.end()),
      importEntries(track(new MemoryCache()), back),
    ]);
    expect(fromRedis.exported).toBe(5);
    expect(intoMemory.loaded).toBe(5);
    const memory2 = track(new MemoryCache());
    await warm(memory2, fromExport(Readable.from(readFileSync(file2))));
    await checkCopy(memory2, expiries, 'after', true);
    await checkCopy(redis, expiries, 'after', true);
  });
});

async function checkCopy(
  cache: Cache,
  expiries: Record<string, number>,
  precision: 'exact' | 'after',
  invalidate = false,
) {
  expect(await cache.get('date')).toEqual(VALUES.date);
  expect(await cache.get('map')).toEqual(VALUES.map);
  expect(await cache.get('buf')).toEqual(VALUES.buf);
  const odd = (await cache.get('odd')) as typeof VALUES.odd;
  expect(Number.isNaN(odd.nan)).toBe(true);
  expect(Object.is(odd.negZero, -0)).toBe(true);
  expect(odd).toEqual(VALUES.odd);
  expect('none' in odd).toBe(true);
  expect(await cache.get('plain')).toEqual(VALUES.plain);
  expect(await cache.has('soon')).toBe(false);
  expect((await cache.getEntry('map'))?.expiresAt).toBeUndefined();
  expect([...((await cache.getEntry('map'))?.tags ?? [])].sort()).toEqual(['t1', 't2']);
  expect((await cache.getEntry('date'))?.tags).toEqual(['t1']);
  for (const [key, expected] of Object.entries(expiries)) {
    const at = (await cache.getEntry(key))?.expiresAt as number;
    if (precision === 'exact') expect(at).toBe(expected);
    else {
      // Written with the remaining TTL by the real clock: at most the run's duration later.
      expect(at).toBeGreaterThanOrEqual(expected);
      expect(at).toBeLessThan(expected + 10_000);
    }
  }
  expect((await cache.getEntry('odd'))?.tags).toEqual(['t2']);
  if (!invalidate) return;
  await cache.invalidateTags(['t2']);
  expect(await cache.has('map')).toBe(false);
  expect(await cache.has('odd')).toBe(false);
  expect(await cache.has('date')).toBe(true);
}

describe('importEntries: bad input', () => {
  it.each([
    ['an empty input', ''],
    ['another format', '{"format":"other","version":1}\n'],
    ['a later version', '{"format":"@cache/export","version":2}\n'],
    ['no header', '{"key":"a","value":"1","expiresAt":null,"tags":[]}\n'],
  ])('refuses %s with CacheSerializationError', async (_name, text) => {
    const cache = new MemoryCache();
    const error = await importEntries(cache, Readable.from([text])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheSerializationError);
    expect(cache.size).toBe(0);
  });

  it('counts a line that is not an entry as failed and imports the rest', async () => {
    const cache = new MemoryCache();
    const text = [
      EXPORT_HEADER,
      encodeExportLine({ key: 'a', value: 1, expiresAt: undefined, tags: [] }),
      '{"key":"b","value":"{","expiresAt":null,"tags":[]}',
      'garbage',
      '',
      encodeExportLine({ key: 'c', value: 3, expiresAt: undefined, tags: [] }),
    ].join('\n');
    const report = await importEntries(cache, Readable.from([text]));
    expect(report).toMatchObject({ loaded: 2, failed: 2 });
    expect(report.errors.map((e) => e.code)).toEqual([
      CacheErrorCode.serialization,
      CacheErrorCode.serialization,
    ]);
    expect(report.errors[0]?.key).toBe('b');
  });

  it('a missing file is a CacheError', async () => {
    await expect(importEntries(new MemoryCache(), join(root, 'nope.jsonl'))).rejects.toMatchObject({
      code: CacheErrorCode.error,
    });
  });
});

describe('exportEntries to a path', () => {
  it('an aborted export leaves neither the file nor its temporary file', async () => {
    const dir = mkdtempSync(join(root, 'abort-'));
    const cache = new MemoryCache();
    await cache.setMany(Array.from({ length: 500 }, (_, i) => [`k${i}`, i] as const));
    const controller = new AbortController();
    controller.abort(new Error('shutdown'));
    await expect(exportEntries(cache, join(dir, 'x.jsonl'), { signal: controller.signal })).rejects.toThrow(
      'shutdown',
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('replaces an older export only when complete', async () => {
    const dir = mkdtempSync(join(root, 'replace-'));
    const path = join(dir, 'x.jsonl');
    writeFileSync(path, 'old');
    const cache = new MemoryCache();
    await cache.set('a', 1);
    await exportEntries(cache, path);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
    expect(readdirSync(dir)).toEqual(['x.jsonl']);
  });

  it('leaves out (and counts) a value typed JSON cannot encode', async () => {
    const cache = new MemoryCache();
    await cache.set('ok', 1);
    await cache.set('fn', { f: () => 1 } as never);
    const out = new PassThrough();
    out.resume();
    const report = await exportEntries(cache, out);
    expect(report).toMatchObject({ exported: 1, failed: 1 });
    expect(report.errors[0]).toBeInstanceOf(CacheSerializationError);
    expect(report.errors[0]).toMatchObject({ code: CacheErrorCode.serialization, key: 'fn' });
  });
});

describe('exportEntries progress', () => {
  it('reports the counts after each batch', async () => {
    const cache = new MemoryCache();
    await cache.setMany(Array.from({ length: 250 }, (_, i) => [`k${i}`, i] as const));
    await cache.set('fn', { f: () => 1 } as never);
    const out = new PassThrough();
    out.resume();
    const seen: unknown[] = [];
    const report = await exportEntries(cache, out, { batchSize: 100, onProgress: (p) => seen.push(p) });
    expect(report).toMatchObject({ exported: 250, skipped: 0, failed: 1 });
    expect(seen).toHaveLength(3);
    expect(seen[2]).toEqual({ exported: 250, skipped: 0, failed: 1 });
    const totals = seen.map((p) => {
      const { exported, skipped, failed } = p as { exported: number; skipped: number; failed: number };
      return exported + skipped + failed;
    });
    expect(totals).toEqual([100, 200, 251]);
  });

  it('refuses an onProgress that is not a function', async () => {
    await expect(
      exportEntries(new MemoryCache(), new PassThrough(), { onProgress: 1 as never }),
    ).rejects.toMatchObject({
      code: CacheErrorCode.config,
    });
  });
});

describe('streaming', () => {
  it('exports and imports 100k entries through a stream, one batch at a time', async () => {
    const source = new MemoryCache();
    const n = 100_000;
    for (let i = 0; i < n; i += 1000)
      await source.setMany(
        Array.from({ length: 1000 }, (_, j) => [`key:${i + j}`, { i: i + j, at: new Date(i + j) }] as const),
        { ttl: '1h', tags: ['bulk'] },
      );
    const target = new MemoryCache();
    const pipe = new PassThrough({ highWaterMark: 64 * 1024 });
    const [exported, imported] = await Promise.all([
      exportEntries(source, pipe, { batchSize: 500 }).finally(() => pipe.end()),
      importEntries(target, pipe, { mode: 'overwrite', batchSize: 500 }),
    ]);
    expect(exported).toMatchObject({ exported: n, skipped: 0, failed: 0 });
    expect(imported).toMatchObject({ loaded: n, skipped: 0, failed: 0 });
    expect(target.size).toBe(n);
    expect(await target.get('key:99999')).toEqual({ i: 99_999, at: new Date(99_999) });
    expect((await target.getEntry('key:5'))?.tags).toEqual(['bulk']);
  }, 120_000);
});
