/**
 * Fault tests of the removal of dead entries, with child processes racing on one directory.
 *
 * Lost writes: each round the parent writes corrupt bytes at the entry paths of 30 new keys, then
 * a reader process gets them (and so removes the corrupt files) while a writer process sets them.
 * Nothing writes a key after the writer's set resolves, so every key must end holding the
 * writer's value: a miss is a resolved write that the removal took.
 *
 * One `add` winner: each round the keys hold corrupt bytes, an expired entry or nothing, and four
 * processes `add` every key at once: exactly one add per key returns true, and the key holds that
 * process's value.
 *
 * `CACHE_RACE_ROUNDS` sets the rounds (100 by default: 3,000 keys for each test).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '@cache/core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FileCache } from '../src/index.js';
import { hashOf } from '../src/internal/layout.js';
import { type CheckedValue, checkValue, makeValue } from './fixtures/values.js';
import { buildChild } from './helpers/child-build.js';
import { RaceChild } from './helpers/race-child.js';
import { freshDir } from './helpers/setup.js';

const ROUNDS = Number(process.env.CACHE_RACE_ROUNDS ?? 100);
const PER_ROUND = 30;

let child: Awaited<ReturnType<typeof buildChild>>;
beforeAll(async () => {
  child = await buildChild();
});
afterAll(async () => child?.remove());

async function writeCorrupt(dir: string, key: string): Promise<void> {
  const hash = hashOf(key);
  await mkdir(join(dir, hash.slice(0, 2)), { recursive: true, mode: 0o700 });
  await writeFile(join(dir, hash.slice(0, 2), hash), `corrupt bytes for ${key}`);
}

const keysOf = (round: number) => Array.from({ length: PER_ROUND }, (_, i) => `${round}:${i}`);

test(`removing corrupt bytes that a reader found loses no write that lands meanwhile (${ROUNDS * PER_ROUND} keys)`, {
  timeout: 120_000,
}, async () => {
  const dir = await freshDir();
  const reader = new RaceChild(child.script, dir, 'reader', PER_ROUND);
  const writer = new RaceChild(child.script, dir, 'writer', PER_ROUND);
  const check = new FileCache({ dir });
  let lost = 0;
  let corruptReads = 0;
  const started = Date.now();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const key of keysOf(round)) await writeCorrupt(dir, key);
      const [read, wrote] = await Promise.all([reader.round(round), writer.round(round)]);
      corruptReads += read.errors;
      expect(wrote.won).toHaveLength(PER_ROUND);
      for (const key of keysOf(round)) {
        const value = (await check.get(key)) as CheckedValue | undefined;
        if (value === undefined) lost++;
        else {
          expect(checkValue(value, key)).toBe(true);
          expect(value.version).toBe(`${writer.pid}.${round}`);
        }
      }
    }
  } finally {
    await Promise.all([reader.stop(), writer.stop()]);
    await check.close();
  }
  console.log(
    `corrupt-race: ${ROUNDS * PER_ROUND} resolved writes racing a reader that removes corrupt bytes, in ` +
      `${Date.now() - started} ms; the reader found corrupt bytes ${corruptReads} times; ${lost} writes lost`,
  );
  expect(lost).toBe(0);
  // The race ran: the reader saw the corrupt bytes of a good share of the keys before the writer's set.
  expect(corruptReads).toBeGreaterThan(0);
});

test(`four processes adding keys that hold corrupt bytes, an expired entry or nothing: one winner each (${ROUNDS * PER_ROUND} keys)`, {
  timeout: 120_000,
}, async () => {
  const dir = await freshDir();
  const adders = Array.from({ length: 4 }, () => new RaceChild(child.script, dir, 'adder', PER_ROUND));
  const past = new FileCache({ dir, clock: new ManualClock(1_000) });
  const check = new FileCache({ dir });
  const byState = [0, 0, 0];
  const badKeys: string[] = [];
  let winners = 0;
  const started = Date.now();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const keys = keysOf(round);
      for (const [i, key] of keys.entries()) {
        if (i % 3 === 0) await writeCorrupt(dir, key);
        else if (i % 3 === 1) await past.set(key, makeValue(key, 'expired', 64), { ttl: 1 });
      }
      const results = await Promise.all(adders.map((adder) => adder.round(round)));
      for (const [i, key] of keys.entries()) {
        const won = results.flatMap((result, n) => (result.won.includes(key) ? [adders[n]?.pid] : []));
        const value = (await check.get(key)) as CheckedValue | undefined;
        winners += won.length;
        if (won.length !== 1 || value?.version !== `${won[0]}.${round}` || !checkValue(value, key)) {
          badKeys.push(`${key}: ${won.length} winners, holds ${value?.version}`);
        }
        byState[i % 3] = (byState[i % 3] ?? 0) + 1;
      }
    }
  } finally {
    await Promise.all(adders.map((adder) => adder.stop()));
    await past.close();
    await check.close();
  }
  console.log(
    `add-race: 4 processes × ${ROUNDS * PER_ROUND} keys (${byState[0]} corrupt, ${byState[1]} expired, ` +
      `${byState[2]} empty) in ${Date.now() - started} ms; ${winners} winners; ${badKeys.length} keys without exactly one`,
  );
  expect(badKeys).toEqual([]);
  expect(winners).toBe(ROUNDS * PER_ROUND);
});
