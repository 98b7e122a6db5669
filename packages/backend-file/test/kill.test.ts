/**
 * Fault test: writers killed with SIGKILL in the middle of writes, many times (200 trials by
 * default, `CACHE_FAULT_TRIALS` for more). After each kill and at the end, every key reads as a
 * complete value of its own (some version) or a miss, and no read ever finds a corrupt file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mulberry32 } from '@cache/test-utils';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FileCache } from '../src/index.js';
import { checkValue } from './fixtures/values.js';
import { buildChild } from './helpers/child-build.js';
import { freshDir } from './helpers/setup.js';
import { listTree } from './helpers/temp-dir.js';

const TRIALS = Number(process.env.CACHE_FAULT_TRIALS ?? 200);
/** Seeds the kill delays (`CACHE_FAULT_SEED` replays another sequence). */
const SEED = Number(process.env.CACHE_FAULT_SEED ?? 1);
if (!Number.isSafeInteger(SEED))
  throw new Error(`CACHE_FAULT_SEED must be an integer, not ${process.env.CACHE_FAULT_SEED}`);
const SLOTS = 4;
const KEYS = 24;

let child: Awaited<ReturnType<typeof buildChild>>;
beforeAll(async () => {
  child = await buildChild();
});
afterAll(async () => child?.remove());

/** Starts a writer; resolves once it has written once. */
function startWriter(dir: string, seed: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child.script, 'kill', dir, String(KEYS), String(seed)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    proc.once('error', reject);
    proc.stdout?.once('data', () => resolve(proc));
    proc.once('exit', (code, signal) => reject(new Error(`writer exited early: ${code} ${signal}`)));
  });
}

function killNow(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    proc.removeAllListeners('exit');
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

async function checkAll(reader: FileCache, keys: number): Promise<{ hits: number; bad: string[] }> {
  let hits = 0;
  const bad: string[] = [];
  for (let i = 0; i < keys; i++) {
    const key = `key-${i}`;
    const value = await reader.get(key);
    if (value === undefined) continue;
    hits++;
    if (!checkValue(value, key)) bad.push(key);
  }
  return { hits, bad };
}

test(`${TRIALS} SIGKILLs in the middle of writes leave only complete values or misses`, {
  timeout: 120_000,
}, async () => {
  // Printed first, so that a run that times out or throws still names the seed that replays it.
  console.log(
    `kill test: seed ${SEED} (CACHE_FAULT_SEED=${SEED} replays the kill delays and the writers' values)`,
  );
  const dir = await freshDir();
  const reader = new FileCache({ dir });
  const errors: unknown[] = [];
  reader.on('error', ({ error }) => errors.push(error));
  let trials = 0;
  let seed = SEED;
  const random = mulberry32(SEED);
  const bad: string[] = [];
  const started = Date.now();
  await Promise.all(
    Array.from({ length: SLOTS }, async () => {
      while (trials < TRIALS) {
        const proc = await startWriter(dir, seed++);
        // Let it write for a random 0..25 ms, then kill it wherever it is.
        await new Promise((r) => setTimeout(r, Math.floor(random() * 25)));
        await killNow(proc);
        trials++;
        bad.push(...(await checkAll(reader, 4)).bad);
      }
    }),
  );
  const final = await checkAll(reader, KEYS);
  const temps = (await listTree(dir)).filter((p) => p.endsWith('.tmp')).length;
  const keys: string[] = [];
  for await (const key of reader.keys()) keys.push(key);
  await reader.close();
  console.log(
    `kill test (seed ${SEED}): ${trials} trials in ${Date.now() - started} ms; ${final.hits}/${KEYS} keys hold values; ` +
      `${temps} temp files were left by kills mid-write`,
  );
  expect(trials).toBeGreaterThanOrEqual(TRIALS);
  expect(bad).toEqual([]);
  expect(final.bad).toEqual([]);
  expect(final.hits).toBeGreaterThan(0);
  expect(keys.length).toBe(final.hits);
  expect(errors).toEqual([]);
});
