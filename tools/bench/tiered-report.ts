/**
 * The Markdown of the tiered benchmark: the machine and the settings, then one section per part
 * that ran (L1 hit against the MemoryCache alone, the peers, invalidation latency) and the
 * cleanup. Also the shapes of the parts' results, which it reads. Rendering only: nothing here
 * measures or talks to Redis.
 */
import os from 'node:os';
import type { Latency } from './tiered-latency.ts';
import {
  CASES,
  type CaseId,
  HOT_KEYS,
  L1_BATCH_MS,
  L1_ENTRIES,
  L1_KEYS,
  L1_ROUNDS,
  L1_WARMUP_MS,
  L2_KEYS,
  LATENCY_DEADLINE_MS,
  LATENCY_N,
  MIX_INSTANCES,
  MIX_KEYS,
  MIX_L1,
  MIX_OPS,
  MIX_WRITES,
  ROUNDS,
  SLICE_MS,
  SMALL_L1,
} from './tiered-settings.ts';
import { fmt, median, quantile, ratio } from './tiered-stats.ts';
import { REDIS_URL, type Subject } from './tiered-subjects.ts';

export interface L1Round {
  tiered: number;
  memory: number;
}

export interface PeerResults {
  subjects: Subject[];
  ops: Map<string, number[]>;
  cpu: Map<string, number[]>;
  /** Share of timed reads that found a value: every key read was written first, so 100% but where a copy went missing. */
  hitShare: Map<string, number[]>;
  /** Ours: the counters of the mix's four instances added up (warm-up and every round). */
  mixCounters: Map<string, { l1Hits: number; l2Hits: number; l1Flushes: number }>;
}

/** What one run measured and where: the input of {@link renderReport}. */
export interface TieredReport {
  /** The commit measured (and its uncommitted changes). */
  commit: string;
  /** Wall time of the run, in minutes, formatted. */
  minutes: string;
  l1: L1Round[] | undefined;
  /** Calls per timed batch of part 1. */
  l1Batch: number;
  peers: PeerResults | undefined;
  latency: Latency[] | undefined;
  /** Keys removed by the cleanup. */
  removed: number;
}

export function renderReport({
  commit,
  minutes,
  l1,
  l1Batch,
  peers,
  latency,
  removed,
}: TieredReport): string {
  const cpus = os.cpus();
  const lines: string[] = ['# Tiered benchmark', ''];
  lines.push(
    `Run on ${new Date().toISOString().slice(0, 10)}, commit ${commit}: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ` +
      `Node ${process.version}, ${os.platform()} ${os.release()}, Redis on ${REDIS_URL.replace(/\/\/[^@]*@/, '//')} (loopback, same machine); ` +
      `load average ${(os.loadavg()[0] ?? 0).toFixed(2)} at the end (other agents share the 2 cores); wall time ${minutes} min.`,
    '',
    'Command: `pnpm --filter @cache/tools bench:tiered` (builds `@cache/core`, `@cache/backend-memory`, `@cache/backend-redis` and `@cache/tiered`, ' +
      `then runs \`node --import tsx bench/tiered.ts\` in \`tools/\`; BENCH_L1_ROUNDS=${L1_ROUNDS}, BENCH_ROUNDS=${ROUNDS}, ` +
      `BENCH_MS=${SLICE_MS}, BENCH_N=${LATENCY_N}). Figures move between runs on this shared machine: compare the ratios.`,
    '',
  );

  if (l1) {
    const ratios = l1.map((r) => r.tiered / r.memory);
    const m = median(ratios);
    lines.push('## L1 hit: tiered against its own L1', '');
    lines.push(
      `\`tiered({ l1: new MemoryCache({ maxEntries: ${L1_ENTRIES.toLocaleString('en-US')} }), l2: new RedisCache({ client, prefix }), bus: new RedisBus({ url, channel }) }).get(k)\` ` +
        `against the same \`new MemoryCache({ maxEntries: ${L1_ENTRIES.toLocaleString('en-US')} })\` read with its async \`get(k)\`; ` +
        `${L1_KEYS.toLocaleString('en-US')} keys (small objects), all in L1, read in a fixed scattered order, one awaited call at a time. ` +
        `Both subjects in this process, each with its own generated loop (its own type feedback), after ${L1_WARMUP_MS} ms of CPU of warm-up; ` +
        `${L1_ROUNDS} paired rounds, each timing one batch of ${l1Batch.toLocaleString('en-US')} calls of each subject back to back ` +
        `(about ${L1_BATCH_MS} ms of process CPU time, user + system, per batch; the subject timed first alternates). ` +
        'The ratio of a round compares two batches run a few milliseconds apart, so that the load of this shared machine ' +
        'touches both alike; the target is judged on the median of the per-round ratios.',
      '',
    );
    const sortedRatios = [...ratios].sort((a, b) => a - b);
    lines.push(
      '| | tiered get (ops/s) | MemoryCache get (ops/s) | ratio |',
      '|---|---:|---:|---:|',
      `| median of the rounds | ${fmt(median(l1.map((r) => r.tiered)))} | ${fmt(median(l1.map((r) => r.memory)))} | ${m.toFixed(2)}x |`,
      `| quartiles of the per-round ratio | | | ${quantile(sortedRatios, 0.25).toFixed(2)}x – ${quantile(sortedRatios, 0.75).toFixed(2)}x |`,
      '',
    );
    lines.push(
      `Target: an L1 hit >= 0.9x the MemoryCache alone. **Median of the paired ratios ${m.toFixed(2)}x** ` +
        `(range ${Math.min(...ratios).toFixed(2)}x–${Math.max(...ratios).toFixed(2)}x): ${m >= 0.9 ? 'met' : 'missed'}.`,
      '',
    );
  }

  if (peers) {
    const fig = (map: Map<string, number[]>, s: string, c: CaseId) => {
      const v = map.get(`${s}/${c}`);
      return v === undefined || v.length === 0 ? undefined : median(v);
    };
    lines.push('## Against bentocache and cacheable', '');
    lines.push(
      `One process; each case runs every subject for ${SLICE_MS} ms of wall time per round, ${ROUNDS} rounds in rotating order; ` +
        'figures are medians over the rounds. Each subject has its own generated loop that calls the library directly, ' +
        'one awaited call at a time per instance. Values are small JSON objects (~90 bytes), TTL 10 min.',
      '',
      `- get, L1 hit: ${HOT_KEYS.toLocaleString('en-US')} keys written through the instance (so they sit in both tiers), L1 of 10,000 entries.`,
      `- get, L2 hit: ${L2_KEYS.toLocaleString('en-US')} keys written through the instance, an L1 of ${SMALL_L1} entries, keys read in a cycle: ` +
        'every read misses L1, reads L2 and copies the value into L1 (evicting another).',
      `- set: ${HOT_KEYS.toLocaleString('en-US')} keys in a cycle; each set writes L2, L1 and, with a bus, publishes on it.`,
      `- mix: ${MIX_INSTANCES} instances of the subject on one prefix (and one bus), each with an L1 of ${MIX_L1.toLocaleString('en-US')} entries, ` +
        `running at once over a precomputed sequence of ${MIX_OPS.toLocaleString('en-US')} operations (Zipf s = 1 over ` +
        `${MIX_KEYS.toLocaleString('en-US')} keys, all written to L2 first; ${Math.round(MIX_WRITES * 100)}% sets), each instance from its own offset. ` +
        'ops/s counts the operations of all four. Without a bus (cacheable without its sync option, ours without a bus), instances keep serving L1 copies that another instance overwrote.',
      '',
    );
    const table = (title: string, map: Map<string, number[]>, format: (n: number | undefined) => string) => {
      lines.push(
        title,
        '',
        `| subject | ${CASES.map((c) => c.label).join(' | ')} |`,
        `|---|${CASES.map(() => '---:').join('|')}|`,
      );
      for (const s of peers.subjects)
        lines.push(`| ${s.label} | ${CASES.map((c) => format(fig(map, s.id, c.id))).join(' | ')} |`);
      lines.push('');
    };
    table('Operations per second (median):', peers.ops, fmt);
    table(
      'Client CPU per operation (µs, median; user + system of this process, which also runs the bus subscribers):',
      peers.cpu,
      (n) => (n === undefined ? 'n/a' : n.toFixed(1)),
    );
    // Like with like: ours with its bus against each peer with one, ours without against each peer without.
    const ourWith = (s: Subject) => (s.bus ? 'ours' : 'ours-no-bus');
    const cell = (mine: string, s: Subject, c: CaseId) =>
      `${ratio(fig(peers.ops, mine, c), fig(peers.ops, s.id, c))} (${ratio(fig(peers.cpu, s.id, c), fig(peers.cpu, mine, c))})`;
    const others = peers.subjects.filter((s) => s.peer);
    lines.push(
      "Ratios, like with like (ops/s of ours over the peer's, and in brackets the inverse ratio of CPU per operation): " +
        '`@cache/tiered` (with its bus) against each peer with a bus, `@cache/tiered, no bus` against each peer without one:',
      '',
      `| case | ${others.map((s) => `${s.bus ? 'ours' : 'ours, no bus'} vs ${s.label}`).join(' | ')} |`,
      `|---|${others.map(() => '---:').join('|')}|`,
    );
    for (const c of CASES)
      lines.push(`| ${c.label} | ${others.map((s) => cell(ourWith(s), s, c.id)).join(' | ')} |`);
    lines.push('');
    const unlike = others.filter((s) => !s.bus);
    const UNLIKE = [
      ['ours', 'ours'],
      ['ours-background', 'ours, background'],
      ['ours-tracking', 'ours, tracking'],
    ] as const;
    if (unlike.length > 0) {
      lines.push(
        `Not like with like: \`@cache/tiered\` with its bus against ${unlike.map((s) => s.label).join(', ')} ` +
          "(every set of ours also tells the other instances; theirs tells no one): by default (a set sends its message behind its L2 write and waits for it), with `busPublish: 'background'` (it does not wait), and with a tracking bus and `publishWrites: false` (Redis's own invalidations tell the others; no message):",
        '',
        `| case | ${unlike.flatMap((s) => UNLIKE.map(([, label]) => `${label} vs ${s.label}`)).join(' | ')} |`,
        `|---|${unlike.flatMap(() => UNLIKE.map(() => '---:')).join('|')}|`,
      );
      for (const c of CASES)
        lines.push(
          `| ${c.label} | ${unlike.flatMap((s) => UNLIKE.map(([id]) => cell(id, s, c.id))).join(' | ')} |`,
        );
      lines.push('');
    }
    lines.push(
      'Share of timed reads that found their value (every key read was written first):',
      '',
      `| subject | ${CASES.filter((c) => c.id !== 'set')
        .map((c) => c.label)
        .join(' | ')} |`,
      `|---|${CASES.filter((c) => c.id !== 'set')
        .map(() => '---:')
        .join('|')}|`,
    );
    for (const s of peers.subjects) {
      const cells = CASES.filter((c) => c.id !== 'set').map((c) => {
        const v = peers.hitShare.get(`${s.id}/${c.id}`);
        return v === undefined ? 'n/a' : `${(median(v) * 100).toFixed(1)}%`;
      });
      lines.push(`| ${s.label} | ${cells.join(' | ')} |`);
    }
    lines.push('');
    for (const [id, counters] of peers.mixCounters) {
      const label = peers.subjects.find((s) => s.id === id)?.label ?? id;
      const hits = counters.l1Hits + counters.l2Hits;
      lines.push(
        `${label} in the mix (its ${MIX_INSTANCES} instances, all rounds): ${((counters.l1Hits / Math.max(hits, 1)) * 100).toFixed(1)}% of the hits from L1, ` +
          `${counters.l1Flushes} flushes of L1.`,
      );
    }
    if (peers.mixCounters.size > 0) lines.push('');
    lines.push(
      'Notes:',
      '',
      "- bentocache's memory driver serializes by default (`serialize: true`), so each of its L1 hits parses JSON; " +
        "cacheable's memory store (`createKeyv`, CacheableMemory) clones values on read by default; ours hands back the stored value.",
      '- A set of bentocache and of cacheable with CacheableSync waits for L2 and then for its bus publish (two round trips to Redis). ' +
        'A set of ours (by default) sends its keys-only message on the L2 connection right behind the SET, in the same socket write, ' +
        'and waits for both: one round trip, and the server applies the write before it publishes, so that no instance ' +
        "can read the old value back after the message. With `busPublish: 'background'` the set does not wait for the message; " +
        'with a tracking bus and `publishWrites: false` it sends none (Redis reports the write to the other instances). ' +
        'cacheable (2.5) has a bus, CacheableSync, which is off unless its `sync` option is given: both are measured, ' +
        'and the like-with-like table compares each with ours in the same configuration.',
      '- CacheableSync sends each value in its message (JSON) and receivers store it; ours and bentocache send keys only.',
      '- In the mix, the rows without a bus do not drop the L1 copies that another instance overwrote: they do less ' +
        'work and serve stale reads.',
      '',
    );
    lines.push('Configuration:', '', '| subject | configuration |', '|---|---|');
    for (const s of peers.subjects) lines.push(`| ${s.label} | \`${s.config.replaceAll('|', '\\|')}\` |`);
    lines.push('');
  }

  if (latency) {
    lines.push('## Invalidation latency', '');
    lines.push(
      `Two instances A and B on one prefix and bus, in this process, Redis on loopback. ${LATENCY_N} times (at most ${LATENCY_DEADLINE_MS / 1000} s in all), ` +
        'the paths taking turns: B writes a fresh key ' +
        "(so B holds an L1 copy), then A writes it; the latency runs from the start of A's write until B's L1 copy is gone " +
        "(ours: the `delete` event of B's `MemoryCache`; bentocache: B's `bus:message:received` event, on which it expires " +
        'its copy). "A.set" is the median time until the write resolved. One write in flight at a time. ' +
        "In tracking mode B hears of A's set twice (Redis's invalidation report and A's message); the first one drops the copy.",
      '',
      '| path | writes | p50 (ms) | p99 (ms) | max (ms) | mean (ms) | A.set p50 (ms) | lost (> 1 s) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const l of latency) {
      const s = l.sorted;
      const mean = s.reduce((x, y) => x + y, 0) / Math.max(s.length, 1);
      const q = (p: number) => (s.length === 0 ? 'n/a' : quantile(s, p).toFixed(2));
      lines.push(
        `| ${l.label} | ${s.length + l.timeouts} | ${q(0.5)} | ${q(0.99)} | ${q(1)} | ${s.length === 0 ? 'n/a' : mean.toFixed(2)} | ${l.setMs === undefined ? 'n/a' : l.setMs.toFixed(2)} | ${l.timeouts} |`,
      );
    }
    lines.push('');
  }

  lines.push(`Cleanup: ${removed} keys under the run prefix removed with SCAN + UNLINK.`, '');
  const markdown = lines.join('\n');
  return markdown;
}
