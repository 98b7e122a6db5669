/**
 * The tiered benchmark's settings: the env overrides and the fixed sizes of its three parts, and
 * the cases of part 2. One place, because the parts run with them and the report describes them.
 */

export const L1_ROUNDS = Number(process.env.BENCH_L1_ROUNDS ?? 61);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
export const SLICE_MS = Number(process.env.BENCH_MS ?? 150);
export const LATENCY_N = Number(process.env.BENCH_N ?? 500);
export const PARTS = process.env.BENCH_PARTS?.split(',').filter(Boolean) ?? ['l1', 'peers', 'latency'];

/** Part 1: hot keys, L1 bound of both subjects. */
export const L1_KEYS = 10_000;
export const L1_ENTRIES = 20_000;
/** CPU ms of part 1's warm-up, and the CPU ms a timed batch aims at. */
export const L1_WARMUP_MS = 500;
export const L1_BATCH_MS = 20;

/** Part 2 sizes. */
export const HOT_KEYS = 1_000;
export const L2_KEYS = 10_000;
export const SMALL_L1 = 100;
export const MIX_KEYS = 10_000;
export const MIX_L1 = 1_000;
export const MIX_OPS = 200_000;
export const MIX_WRITES = 0.1;
export const MIX_INSTANCES = 4;

export type CaseId = 'l1-hit' | 'l2-hit' | 'set' | 'mix';
export const CASES: { id: CaseId; label: string }[] = [
  { id: 'l1-hit', label: 'get, L1 hit' },
  { id: 'l2-hit', label: 'get, L2 hit' },
  { id: 'set', label: 'set' },
  { id: 'mix', label: `90/10 Zipf mix, ${MIX_INSTANCES} instances` },
];

/** Part 3 stops early past this (each lost message can cost 1 s). */
export const LATENCY_DEADLINE_MS = 60_000;
