/**
 * Part 3 of the tiered benchmark, invalidation latency: from a set on instance A until B's L1
 * copy is gone, over the pub/sub bus and in tracking mode (and, in tracking mode, a write from
 * outside the toolkit), with bentocache's bus beside it. Its own module: it shares nothing with
 * the throughput parts but the subjects.
 */
import { Redis } from 'ioredis';
import { LATENCY_DEADLINE_MS, LATENCY_N } from './tiered-settings.ts';
import { median } from './tiered-stats.ts';
import { createBento, createOurs, makeValue, REDIS_URL } from './tiered-subjects.ts';

export interface Latency {
  label: string;
  /** ms from the start of the write until B's copy is gone, in order. */
  sorted: number[];
  /** ms until A's set resolved (median), when A is a cache. */
  setMs: number | undefined;
  timeouts: number;
}

/** Waits for one key's removal from B's L1, at most 1 s. */
class Removals {
  readonly #waiting = new Map<string, (at: number) => void>();
  seen(key: string): void {
    const done = this.#waiting.get(key);
    if (done) {
      this.#waiting.delete(key);
      done(performance.now());
    }
  }
  wait(key: string): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(key);
        resolve(undefined);
      }, 1_000);
      this.#waiting.set(key, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
}

/** One path of part 3: how B gets a copy of a key, how A (or an outside client) writes it, and what was seen. */
interface LatencyPath {
  label: string;
  prime(key: string): Promise<void>;
  write(key: string): Promise<unknown>;
  /** B's removals of its copies. */
  removals: Removals;
  /** Prefix of this path's keys. */
  tag: string;
  /** Whether `write` is a cache's set (its duration is reported). */
  isSet: boolean;
  latencies: number[];
  sets: number[];
  timeouts: number;
}

/** Part 3; `run` is the run's key prefix. */
export async function partLatency(run: string): Promise<Latency[]> {
  const paths: LatencyPath[] = [];
  const closers: (() => Promise<void>)[] = [];
  const path = (p: Omit<LatencyPath, 'latencies' | 'sets' | 'timeouts'>) =>
    paths.push({ ...p, latencies: [], sets: [], timeouts: 0 });
  for (const mode of ['pubsub', 'tracking'] as const) {
    const prefix = `${run}lat-${mode}:`;
    const a = await createOurs(1_000, prefix, mode);
    const b = await createOurs(1_000, prefix, mode);
    closers.push(a.close, b.close);
    const removals = new Removals();
    b.l1.on('delete', ({ key }) => removals.seen(key));
    const prime = async (key: string) => {
      await b.cache.set(key, makeValue(0));
      if (!b.l1.hasSync(key)) throw new Error(`B has no L1 copy of ${key}`);
    };
    path({
      label: `@cache/tiered, RedisBus ${mode === 'pubsub' ? "pub/sub (mode: 'pubsub')" : "mode: 'tracking'"}, A.set`,
      prime,
      write: (key) => a.cache.set(key, makeValue(1)),
      removals,
      tag: `${mode}-set`,
      isSet: true,
    });
    if (mode === 'tracking') {
      // A write from outside the toolkit: only Redis's own invalidation report can tell B.
      const outside = new Redis(REDIS_URL);
      closers.push(async () => void outside.disconnect());
      path({
        label: "@cache/tiered, RedisBus mode: 'tracking', a raw SET from another client",
        prime,
        write: (key) => outside.set(`${prefix}e:${key}`, 'written outside'),
        removals,
        tag: 'outside',
        isSet: false,
      });
    }
  }
  // bentocache: B's copy is logically expired when its bus delivers A's message.
  const store = `bench-${run.replace(/\W+/g, '-')}lat`;
  const a = createBento(1_000, `${run}lat-bento`, store);
  const b = createBento(1_000, `${run}lat-bento`, store);
  closers.push(a.close, b.close);
  const removals = new Removals();
  b.bento.on('bus:message:received', ({ message }: { message: { keys: string[] } }) => {
    for (const key of message.keys) removals.seen(key);
  });
  await a.bento.get({ key: 'warm' });
  await b.bento.get({ key: 'warm' });
  path({
    label: 'bentocache, redis bus, A.set (until B receives the message and expires its copy)',
    prime: async (key) => void (await b.bento.set({ key, value: makeValue(0) })),
    write: (key) => a.bento.set({ key, value: makeValue(1) }),
    removals,
    tag: 'bento',
    isSet: true,
  });
  // Interleaved: one write of each path in turn, so that a busy spell of the machine hits every path.
  const deadline = performance.now() + LATENCY_DEADLINE_MS;
  for (let i = 0; i < LATENCY_N && performance.now() < deadline; i++) {
    for (const p of i % 2 === 0 ? paths : [...paths].reverse()) {
      const key = `${p.tag}:${i}`;
      await p.prime(key);
      const removed = p.removals.wait(key);
      const t0 = performance.now();
      await p.write(key);
      p.sets.push(performance.now() - t0);
      const at = await removed;
      if (at === undefined) p.timeouts++;
      else p.latencies.push(at - t0);
    }
  }
  for (const close of closers) await close();
  return paths.map((p) => ({
    label: p.label,
    sorted: p.latencies.sort((x, y) => x - y),
    setMs: p.isSet ? median(p.sets) : undefined,
    timeouts: p.timeouts,
  }));
}
