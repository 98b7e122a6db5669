// Undecodable bytes are removed by compare-and-delete (a script that deletes the key only while it
// still holds the bytes that were read), so a write that another client makes between the read and
// the removal survives; and add() has exactly one winner whatever the key held (undecodable bytes,
// an expired envelope, nothing), with several clients on separate connections racing.
//
// The gated runs make the race certain instead of likely: the reading client's removal is held
// back (its command does not leave the process) until the other client's write has resolved, or
// until every racer has read.
import { jsonSerializer } from '@cache/core';
import { encodeEnvelope } from '@cache/core/backend';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisCache } from '../src/index.js';
import { makeCache, REDIS_URL, rawRedis, track } from './helpers/redis.js';

const TRIALS = 300;
const KEYS = 200;
const RACERS = 4;
/** Not an envelope: the first byte is not the magic 0xCA. */
const CORRUPT = Buffer.from([0x00, 0xff, 0xfe, 0x01, 0x02]);

type Command = { name: string };

/**
 * An ioredis client whose script commands (the removal of undecodable bytes, and anything else
 * sent as EVALSHA/EVAL/UNLINK) can be held back until the test releases them.
 */
class GatedClient {
  readonly client: Redis;
  #holding = false;
  #held: (() => void)[] = [];
  #onHeld: (() => void) | undefined;

  constructor() {
    this.client = new Redis(REDIS_URL, { maxRetriesPerRequest: 0, commandTimeout: 5_000 });
    const send = this.client.sendCommand.bind(this.client) as (command: Command, stream?: unknown) => unknown;
    (this.client as unknown as { sendCommand: unknown }).sendCommand = (
      command: Command,
      stream?: unknown,
    ) => {
      if (
        this.#holding &&
        (command.name === 'evalsha' || command.name === 'eval' || command.name === 'unlink')
      ) {
        this.#held.push(() => void send(command, stream));
        this.#onHeld?.();
        return (command as unknown as { promise: Promise<unknown> }).promise;
      }
      return send(command, stream);
    };
  }

  /** Holds script and UNLINK commands from now on; resolves when the first one is held. */
  hold(): Promise<void> {
    this.#holding = true;
    return new Promise((resolve) => {
      this.#onHeld = () => {
        this.#onHeld = undefined;
        resolve();
      };
    });
  }

  /** Sends the held commands and stops holding. */
  release(): void {
    this.#holding = false;
    for (const send of this.#held.splice(0)) send();
  }
}

const clients: Redis[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

function gated(prefix: string): { cache: RedisCache<number>; gate: GatedClient } {
  const gate = new GatedClient();
  clients.push(gate.client);
  const cache = track(new RedisCache<number>({ client: gate.client, prefix }));
  cache.on('error', () => {});
  return { cache, gate };
}

describe('reading undecodable bytes while another client writes', () => {
  it(`loses no resolved write: ${TRIALS} trials with the write between the read and the removal`, {
    timeout: 60_000,
  }, async () => {
    const b = makeCache<number>();
    const { cache: a, gate } = gated(b.prefix);
    const raw = rawRedis();
    let lost = 0;
    let removalsAfterWrite = 0;
    for (let i = 0; i < TRIALS; i++) {
      await raw.set(`${b.prefix}e:k`, CORRUPT);
      const held = gate.hold();
      const read = a.get('k');
      await held; // a has read the bytes and sent its removal, held back
      await b.set('k', i); // resolved
      removalsAfterWrite++;
      gate.release();
      expect(await read).toBeUndefined();
      if ((await b.get('k')) !== i) lost++;
    }
    expect(removalsAfterWrite).toBe(TRIALS);
    expect(lost).toBe(0);
  });

  it(`loses no resolved write: ${TRIALS} trials of a read and a write sent at once`, {
    timeout: 60_000,
  }, async () => {
    const b = makeCache<number>();
    const a = makeCache<number>({ prefix: b.prefix });
    a.on('error', () => {});
    const raw = rawRedis();
    let lost = 0;
    for (let i = 0; i < TRIALS; i++) {
      await raw.set(`${b.prefix}e:k`, CORRUPT);
      const [read] = await Promise.all([a.get('k'), b.set('k', i)]);
      expect(read === undefined || read === i).toBe(true);
      if ((await b.get('k')) !== i) lost++;
    }
    expect(lost).toBe(0);
  });

  it('still removes the bytes it read when nobody wrote since', async () => {
    const { cache: a } = gated(makeCache().prefix);
    const raw = rawRedis();
    await raw.set(`${a.prefix}e:k`, CORRUPT);
    expect(await a.get('k')).toBeUndefined();
    expect(await raw.exists(`${a.prefix}e:k`)).toBe(0);
    await raw.set(`${a.prefix}e:m`, CORRUPT);
    expect(await a.getMany(['m', 'missing'])).toEqual([undefined, undefined]);
    expect(await raw.exists(`${a.prefix}e:m`)).toBe(0);
  });
});

/** What a key holds before the race. */
type Held = 'corrupt' | 'expired' | 'nothing';

async function prepare(raw: Redis, redisKey: string, held: Held): Promise<void> {
  if (held === 'corrupt') await raw.set(redisKey, CORRUPT);
  else if (held === 'expired') {
    // An envelope past its logical expiry, still held by Redis (as for a stale window).
    const now = Date.now();
    const bytes = encodeEnvelope(
      { value: -1, createdAt: now - 10_000, expiresAt: now - 5_000, staleUntil: now + 60_000, tags: [] },
      jsonSerializer,
    );
    await raw.set(redisKey, bytes, 'PX', 60_000);
  } else await raw.unlink(redisKey);
}

describe(`${RACERS} clients racing add() on ${KEYS} keys`, () => {
  for (const held of ['corrupt', 'expired', 'nothing'] as const) {
    it(`exactly one winner per key holding ${held} bytes, and the key holds the winner's value`, {
      timeout: 60_000,
    }, async () => {
      const first = makeCache<number>();
      const racers = [
        first,
        ...Array.from({ length: RACERS - 1 }, () => makeCache<number>({ prefix: first.prefix })),
      ];
      for (const racer of racers) racer.on('error', () => {});
      const raw = rawRedis();
      const winners: number[] = [];
      await Promise.all(
        Array.from({ length: KEYS }, async (_, k) => {
          await prepare(raw, `${first.prefix}e:k${k}`, held);
          const options = k % 2 === 0 ? { ttl: '1m' } : { ttl: '1m', tags: ['t'] };
          const added = await Promise.all(racers.map((racer, r) => racer.add(`k${k}`, r, options)));
          const won = added.flatMap((ok, r) => (ok ? [r] : []));
          winners[k] = won.length;
          expect(await first.get(`k${k}`)).toBe(won[0]);
        }),
      );
      expect(winners.filter((n) => n === 1)).toHaveLength(KEYS);
    });
  }

  it('exactly one winner per key holding undecodable bytes when every racer has read them before any removal (gated)', {
    timeout: 60_000,
  }, async () => {
    const prefix = makeCache().prefix;
    const racers = Array.from({ length: RACERS }, () => gated(prefix));
    const raw = rawRedis();
    const winners: number[] = [];
    for (let k = 0; k < KEYS; k++) {
      await raw.set(`${prefix}e:k${k}`, CORRUPT);
      // Each racer reads the bytes; its removal is held until all have read.
      const held = Promise.all(racers.map(({ gate }) => gate.hold()));
      const adds = racers.map(({ cache }, r) => cache.add(`k${k}`, r, k % 2 === 0 ? {} : { tags: ['t'] }));
      await held;
      // Then one at a time: each racer removes and adds after the previous one has added.
      const added: boolean[] = [];
      for (const [r, { gate }] of racers.entries()) {
        gate.release();
        added.push(await (adds[r] as Promise<boolean>));
      }
      const won = added.flatMap((ok, r) => (ok ? [r] : []));
      winners.push(won.length);
      expect(await racers[0]?.cache.get(`k${k}`)).toBe(won[0]);
    }
    expect(winners.filter((n) => n === 1)).toHaveLength(KEYS);
  });
});

/** A cache whose tag check waits for `between` to finish: a write lands between its read and its removal. */
class PausingCache extends RedisCache<number> {
  between: (() => Promise<unknown>) | undefined;
  protected override async readTagInvalidations(tags: readonly string[]): Promise<(number | undefined)[]> {
    const times = await super.readTagInvalidations(tags);
    const run = this.between;
    this.between = undefined;
    if (run) await run();
    return times;
  }
}

describe('removing entries found dead by a read while another client writes', () => {
  it(`keeps a write made between the read of an invalidated entry and its removal: ${TRIALS} trials`, {
    timeout: 60_000,
  }, async () => {
    const b = makeCache<number>();
    const a = track(new PausingCache({ url: REDIS_URL, prefix: b.prefix }));
    let lost = 0;
    for (let i = 0; i < TRIALS; i++) {
      await b.set('k', -1, { tags: ['t'] });
      await b.invalidateTags(['t']);
      a.between = () => b.set('k', i);
      expect(await a.get('k')).toBeUndefined();
      if ((await b.get('k')) !== i) lost++;
    }
    expect(lost).toBe(0);
  });

  it('add() over an invalidated entry that another client rewrote in between does not win', async () => {
    const b = makeCache<number>();
    const a = track(new PausingCache({ url: REDIS_URL, prefix: b.prefix }));
    await b.set('k', -1, { tags: ['t'] });
    await b.invalidateTags(['t']);
    a.between = () => b.set('k', 7);
    expect(await a.add('k', 8)).toBe(false);
    expect(await b.get('k')).toBe(7);
  });

  it('still removes an invalidated entry nobody rewrote', async () => {
    const b = makeCache<number>();
    const raw = rawRedis();
    await b.set('k', 1, { tags: ['t'] });
    await b.invalidateTags(['t']);
    expect(await b.get('k')).toBeUndefined();
    expect(await raw.exists(`${b.prefix}e:k`)).toBe(0);
  });
});
