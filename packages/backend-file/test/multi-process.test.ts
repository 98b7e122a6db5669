/**
 * Four processes set, add, delete and get the same keys at once under entry and byte limits:
 * no read is torn or foreign, no file is ever corrupt, and the limits hold within the stated
 * tolerance (README: limit + processes × (10% slack + writes in flight)).
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FileCache } from '../src/index.js';
import { checkValue } from './fixtures/values.js';
import { buildChild } from './helpers/child-build.js';
import { freshDir } from './helpers/setup.js';
import { listTree } from './helpers/temp-dir.js';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

const PROCESSES = 4;
const KEYS = 80;
const OPS = 1500;
const MAX_ENTRIES = 40;
const MAX_BYTES = 150 * 1024;

let child: Awaited<ReturnType<typeof buildChild>>;
beforeAll(async () => {
  child = await buildChild();
});
afterAll(async () => child?.remove());

interface Summary {
  sets: number;
  reads: number;
  hits: number;
  torn: number;
  errors: number;
  adds: number;
  deletes: number;
}

function runWorker(dir: string, seed: number): Promise<Summary> {
  return new Promise((resolve, reject) => {
    const args = [
      child.script,
      'mixed',
      dir,
      String(KEYS),
      String(seed),
      String(OPS),
      String(MAX_ENTRIES),
      String(MAX_BYTES),
    ];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.once('error', reject);
    proc.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Summary) : reject(new Error(`worker exit ${code}`)),
    );
  });
}

async function usage(dir: string): Promise<{ entries: number; bytes: number }> {
  let entries = 0;
  let bytes = 0;
  for (const path of await listTree(dir)) {
    if (!/^[0-9a-f]{2}\/[0-9a-f]{64}$/.test(path)) continue;
    const size = await stat(join(dir, path)).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) continue;
    entries++;
    bytes += size;
  }
  return { entries, bytes };
}

test('four processes on one directory: no torn reads, limits held', { timeout: 120_000 }, async () => {
  const dir = await freshDir();
  const reader = new FileCache({ dir });
  let readerErrors = 0;
  reader.on('error', () => readerErrors++);
  let done = false;
  const peaks = { entries: 0, bytes: 0, samples: 0, parentTorn: 0 };
  const sampler = (async () => {
    while (!done) {
      const now = await usage(dir);
      peaks.entries = Math.max(peaks.entries, now.entries);
      peaks.bytes = Math.max(peaks.bytes, now.bytes);
      peaks.samples++;
      const key = `key-${peaks.samples % KEYS}`;
      const value = await reader.get(key);
      if (value !== undefined && !checkValue(value, key)) peaks.parentTorn++;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const started = Date.now();
  const summaries = await Promise.all(Array.from({ length: PROCESSES }, (_, i) => runWorker(dir, i + 1)));
  done = true;
  await sampler;
  const final = await usage(dir);
  await reader.close();
  const total = { reads: 0, hits: 0, sets: 0 };
  for (const s of summaries) {
    total.reads += s.reads;
    total.hits += s.hits;
    total.sets += s.sets;
  }
  console.log(
    `multi-process: ${PROCESSES} × ${OPS} ops in ${Date.now() - started} ms; ${total.sets} sets, ${total.reads} reads ` +
      `(${total.hits} hits); peak ${peaks.entries} entries / ${peaks.bytes} bytes over ${peaks.samples} samples; ` +
      `final ${final.entries} / ${final.bytes}`,
  );
  for (const summary of summaries) {
    expect(summary.torn).toBe(0);
    expect(summary.errors).toBe(0);
    expect(summary.hits).toBeGreaterThan(0);
  }
  expect(peaks.parentTorn).toBe(0);
  expect(readerErrors).toBe(0);
  // Tolerance: each process scans once its own writes reach 10% of a limit (4 entries, 15 KiB),
  // and may have one more write landing meanwhile (values are at most ~8.3 KiB on disk).
  const slackEntries = Math.floor(MAX_ENTRIES / 10) + 1;
  const slackBytes = Math.floor(MAX_BYTES / 10) + 8.5 * 1024;
  expect(peaks.entries).toBeLessThanOrEqual(MAX_ENTRIES + PROCESSES * slackEntries);
  expect(peaks.bytes).toBeLessThanOrEqual(MAX_BYTES + PROCESSES * slackBytes);
  expect(final.entries).toBeLessThanOrEqual(MAX_ENTRIES + PROCESSES * slackEntries);
  expect(final.bytes).toBeLessThanOrEqual(MAX_BYTES + PROCESSES * slackBytes);
});
