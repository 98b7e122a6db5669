/**
 * Timing for the serializer benchmark (serializers.ts): process CPU time (user + system) per call,
 * each (value, codec) pair in interleaved rounds of about ROUND_MS, after checking that the codec
 * round-trips the value.
 */
import { isDeepStrictEqual } from 'node:util';
import { type Codec, codecs } from './serializers-codecs.ts';

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
export const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 40);
const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
let sink = 0;

/** Runs `fn` `n` times; returns CPU ns per call. */
function timeBatch(fn: () => unknown, n: number): number {
  const start = cpuNs();
  for (let i = 0; i < n; i++) {
    const out = fn();
    if (out === sink) sink++;
  }
  return (cpuNs() - start) / n;
}

/** How many calls take about ROUND_MS of CPU. */
function calibrate(fn: () => unknown): number {
  let n = 1;
  for (;;) {
    const start = cpuNs();
    for (let i = 0; i < n; i++) fn();
    const ns = cpuNs() - start;
    if (ns > 5e6 || n > 1e6) return Math.max(1, Math.round((n * ROUND_MS * 1e6) / Math.max(ns, 1)));
    n *= 4;
  }
}

const fastest = (values: number[]) => Math.min(...values);
const byteLength = (stored: Uint8Array | string) =>
  typeof stored === 'string' ? Buffer.byteLength(stored) : stored.byteLength;

export interface Result {
  codec: Codec;
  bytes: number;
  /** The fastest round's CPU ns per call. */
  encodeNs: number;
  decodeNs: number;
  /** Every round's encode + decode CPU ns per call, in round order (rounds of one `measure` are interleaved). */
  roundsNs: number[];
}

/** The median of the per-round ratios `a / b` of two results of one `measure` call (paired rounds). */
export function pairedRatio(a: Result, b: Result): number {
  const ratios = a.roundsNs.map((ns, i) => ns / (b.roundsNs[i] as number)).sort((x, y) => x - y);
  const mid = ratios.length >> 1;
  return ratios.length % 2
    ? (ratios[mid] as number)
    : ((ratios[mid - 1] as number) + (ratios[mid] as number)) / 2;
}

export function measure(value: unknown, list: readonly Codec[] = codecs): Result[] {
  const prepared = list.map((codec) => {
    const stored = codec.encode(value);
    if (!isDeepStrictEqual(codec.decode(stored), value)) throw new Error(`${codec.name} does not round-trip`);
    const encode = () => codec.encode(value);
    const decode = () => codec.decode(stored);
    for (let i = 0; i < 3; i++) {
      encode();
      decode();
    }
    return { codec, stored, encode, decode, nEncode: calibrate(encode), nDecode: calibrate(decode) };
  });
  const encodeRounds = prepared.map(() => [] as number[]);
  const decodeRounds = prepared.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    prepared.forEach((p, i) => {
      encodeRounds[i]?.push(timeBatch(p.encode, p.nEncode));
      decodeRounds[i]?.push(timeBatch(p.decode, p.nDecode));
    });
  }
  return prepared.map((p, i) => ({
    codec: p.codec,
    bytes: byteLength(p.stored),
    encodeNs: fastest(encodeRounds[i] ?? []),
    decodeNs: fastest(decodeRounds[i] ?? []),
    roundsNs: (encodeRounds[i] ?? []).map((ns, round) => ns + (decodeRounds[i]?.[round] ?? 0)),
  }));
}
