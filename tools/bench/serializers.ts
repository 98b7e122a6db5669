/**
 * Serializer benchmark: encode and decode time and stored size of @cache/serializers (msgpack,
 * v8, compressed) against JSON (core's jsonSerializer and plain JSON.stringify / JSON.parse),
 * plus raw msgpackr with and without record structures, for three values: a small session
 * object, a ~10 KiB nested order document and a ~1 MiB array of table rows.
 *
 * Run: `pnpm --filter @cache/tools bench:serializers` (builds core and serializers first).
 * Times are process CPU time (user + system), so other work on a shared machine inflates them
 * less than wall time would. Each (value, codec) pair is measured in interleaved rounds and the
 * fastest round is reported (contention only ever slows a round down). Writes docs/benchmarks/serializers.md.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import * as msgpackr from 'msgpackr';
import { jsonSerializer } from '../../packages/core/dist/index.js';
import { compressed, msgpack, v8 } from '../../packages/serializers/dist/index.js';
import { mulberry32 } from './lib/zipf.ts';

// ---------------------------------------------------------------------------------------------
// Data: deterministic and shaped like what a service caches (no Maps, Dates or bigints, so that
// JSON can carry it too; timestamps are ISO strings as an API would send them).
// ---------------------------------------------------------------------------------------------

const random = mulberry32(20_240_601);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (max: number) => Math.floor(random() * max);
const WORDS = (
  'the quick brown fox jumps over a lazy dog while seven wizards quietly pack boxes of liquor ' +
  'for a journey north across frozen lakes and golden fields under pale evening skies'
).split(' ');
const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
const isoTime = () => new Date(1_700_000_000_000 + int(30_000_000_000)).toISOString();
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Frances', 'John'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Allen'];
const CITIES = ['London', 'Berlin', 'Paris', 'Lisbon', 'Oslo', 'Madrid', 'Zürich', 'Kraków', 'Dublin'];

/** A session as an auth middleware would cache it (~200 bytes of JSON). */
function session() {
  return {
    userId: 48_213,
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    roles: ['admin', 'billing'],
    locale: 'en-GB',
    expiresAt: 1_735_689_600_000,
    mfa: true,
    csrf: 'k3J9xQ2mB7vR1tL8',
  };
}

/** An order document as an API would return it (nested objects, arrays of line items). */
function order(lines: number) {
  return {
    id: `ord_${int(1e9).toString(36)}`,
    createdAt: isoTime(),
    status: pick(['pending', 'paid', 'shipped', 'delivered']),
    customer: {
      id: int(1e6),
      name: `${pick(FIRST)} ${pick(LAST)}`,
      email: 'customer@example.com',
      phone: '+44 20 7946 0958',
      address: {
        street: `${1 + int(200)} ${words(2)} Road`,
        city: pick(CITIES),
        zip: 'NW1 2DB',
        country: 'GB',
      },
      tags: ['returning', 'newsletter'],
    },
    items: Array.from({ length: lines }, (_, i) => ({
      sku: `SKU-${100_000 + int(900_000)}`,
      title: words(3 + int(4)),
      quantity: 1 + int(4),
      unitPrice: Math.round(random() * 20_000) / 100,
      discount: random() < 0.25 ? 0.15 : 0,
      inStock: random() < 0.9,
      position: i,
      attributes: { color: pick(['red', 'blue', 'black', 'white']), size: pick(['S', 'M', 'L', 'XL']) },
    })),
    totals: { subtotal: 1234.56, tax: 246.91, shipping: 4.99, total: 1486.46, currency: 'EUR' },
    history: Array.from({ length: 8 }, () => ({
      at: isoTime(),
      status: pick(['created', 'paid', 'packed', 'shipped']),
      by: pick(['system', 'warehouse', 'support']),
      note: words(5 + int(6)),
    })),
    shipping: { carrier: 'DHL', tracking: `JD${int(1e12)}`, eta: isoTime(), signatureRequired: false },
    flags: { gift: false, expedited: true, fragile: false },
  };
}

/** A table of rows as a query result cache would hold it. */
function rows(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: 1_000_000 + i,
    name: `${pick(FIRST)} ${pick(LAST)}`,
    email: `user${i}@example.com`,
    age: 18 + int(70),
    score: Math.round(random() * 1e6) / 1e3,
    active: random() < 0.8,
    city: pick(CITIES),
    createdAt: isoTime(),
    tags: Array.from({ length: int(4) }, () => pick(WORDS)),
  }));
}

/** Grows `make(n)` until its JSON is at least `bytes` long. */
function sized<T>(bytes: number, make: (n: number) => T): T {
  let n = 1;
  let value = make(n);
  while (Buffer.byteLength(JSON.stringify(value)) < bytes) value = make(++n);
  return value;
}

const cases = [
  { name: 'small object (session)', value: session() },
  { name: '10 KiB nested object (order)', value: sized(10 * 1024, order) },
  { name: '1 MiB array of records (rows)', value: sized(1024 * 1024, (n) => rows(n * 100)) },
] as const;

// ---------------------------------------------------------------------------------------------
// Codecs
// ---------------------------------------------------------------------------------------------

interface Codec {
  name: string;
  note: string;
  encode(value: unknown): Uint8Array | string;
  decode(stored: Uint8Array | string): unknown;
}

const fromSerializer = (name: string, note: string, s: typeof msgpack): Codec => ({
  name,
  note,
  encode: (value) => s.serialize(value),
  decode: (stored) => s.deserialize(stored as Uint8Array),
});

const RAW_OPTIONS = {
  moreTypes: true,
  useBigIntExtension: true,
  int64AsType: 'bigint',
  useToJSON: false,
} as const;
const rawRecords = new msgpackr.Packr({ ...RAW_OPTIONS, useRecords: true, mapsAsObjects: false });
const rawMaps = new msgpackr.Packr({ ...RAW_OPTIONS, useRecords: false, mapsAsObjects: true });
const sharedStructures: object[] = [];
const rawShared = new msgpackr.Packr({
  ...RAW_OPTIONS,
  useRecords: true,
  mapsAsObjects: false,
  structures: sharedStructures,
});

const codecs: Codec[] = [
  {
    name: 'JSON.stringify/parse',
    note: 'plain JSON on strings (no UTF-8 step, no checks): the lowest bar',
    encode: (value) => JSON.stringify(value),
    decode: (stored) => JSON.parse(stored as string),
  },
  fromSerializer('core json', "core's jsonSerializer: round-trip checks + UTF-8 bytes", jsonSerializer),
  fromSerializer('msgpack', '@cache/serializers msgpack (records per message, checks)', msgpack),
  {
    name: 'msgpackr records (raw)',
    note: 'msgpackr Packr, useRecords: true, no checks (what msgpack costs without its pre-pass)',
    encode: (value) => rawRecords.pack(value),
    decode: (stored) => rawRecords.unpack(stored as Uint8Array),
  },
  {
    name: 'msgpackr maps (raw)',
    note: 'msgpackr Packr, useRecords: false (standard MessagePack maps), no checks',
    encode: (value) => rawMaps.pack(value),
    decode: (stored) => rawMaps.unpack(stored as Uint8Array),
  },
  {
    name: 'msgpackr shared structures (raw)',
    note: 'records with structures shared in this process; other processes would need them too',
    encode: (value) => rawShared.pack(value),
    decode: (stored) => rawShared.unpack(stored as Uint8Array),
  },
  fromSerializer('v8', '@cache/serializers v8 (node:v8 structured clone)', v8),
  fromSerializer(
    'gzip+msgpack',
    'compressed(msgpack, { algorithm: gzip }), 1 KiB threshold',
    compressed(msgpack),
  ),
  fromSerializer(
    'deflate+msgpack',
    'compressed(msgpack, { algorithm: deflate }), 1 KiB threshold',
    compressed(msgpack, { algorithm: 'deflate' }),
  ),
  fromSerializer(
    'brotli+msgpack',
    'compressed(msgpack, { algorithm: brotli }) (quality 4), 1 KiB threshold',
    compressed(msgpack, { algorithm: 'brotli' }),
  ),
  fromSerializer(
    'gzip+json',
    'compressed(core json, { algorithm: gzip }), 1 KiB threshold',
    compressed(jsonSerializer),
  ),
];

// ---------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 40);
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

interface Result {
  codec: Codec;
  bytes: number;
  encodeNs: number;
  decodeNs: number;
}

function measure(value: unknown): Result[] {
  const prepared = codecs.map((codec) => {
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
  }));
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const us = (ns: number) => (ns >= 100_000 ? (ns / 1000).toFixed(0) : (ns / 1000).toFixed(2));
const ratio = (x: number) => `${x.toFixed(2)}x`;

function table(results: Result[]): string {
  const find = (name: string) => results.find((r) => r.codec.name === name) as Result;
  const plain = find('JSON.stringify/parse');
  const core = find('core json');
  const total = (r: Result) => r.encodeNs + r.decodeNs;
  const lines = [
    '| codec | encode µs | decode µs | enc+dec µs | bytes | speed vs JSON.stringify/parse | speed vs core json | size vs JSON |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.codec.name} | ${us(r.encodeNs)} | ${us(r.decodeNs)} | ${us(total(r))} | ${r.bytes.toLocaleString('en')} | ` +
        `${ratio(total(plain) / total(r))} | ${ratio(total(core) / total(r))} | ${ratio(r.bytes / plain.bytes)} |`,
    );
  }
  return lines.join('\n');
}

const started = new Date();
const loadStart = loadavg()[0]?.toFixed(1) ?? '?';
console.log(`msgpackr native acceleration: ${msgpackr.isNativeAccelerationEnabled}`);
const all = cases.map((c) => {
  console.log(
    `measuring ${c.name} (${Buffer.byteLength(JSON.stringify(c.value)).toLocaleString('en')} bytes of JSON)`,
  );
  const results = measure(c.value);
  console.log(table(results));
  return { ...c, results };
});

const mid = all[1] as (typeof all)[number];
const get = (results: Result[], name: string) => results.find((r) => r.codec.name === name) as Result;
const total = (r: Result) => r.encodeNs + r.decodeNs;
const mp = get(mid.results, 'msgpack');
const plainMid = get(mid.results, 'JSON.stringify/parse');
const coreMid = get(mid.results, 'core json');
const speedPlain = total(plainMid) / total(mp);
const speedCore = total(coreMid) / total(mp);
const sizeRatio = mp.bytes / plainMid.bytes;
const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**');

const recordsRows = all.map(({ name, results }) => {
  const rec = get(results, 'msgpackr records (raw)');
  const maps = get(results, 'msgpackr maps (raw)');
  const shared = get(results, 'msgpackr shared structures (raw)');
  return (
    `| ${name} | ${rec.bytes.toLocaleString('en')} / ${maps.bytes.toLocaleString('en')} / ${shared.bytes.toLocaleString('en')} | ` +
    `${us(rec.encodeNs)} / ${us(maps.encodeNs)} / ${us(shared.encodeNs)} | ${us(rec.decodeNs)} / ${us(maps.decodeNs)} / ${us(shared.decodeNs)} |`
  );
});

const describeCase = (name: string, results: Result[], a: string, b: string) => {
  const x = get(results, a);
  const y = get(results, b);
  return `${name.split(' (')[0]}: ${ratio(y.bytes / x.bytes)} the size, ${ratio(total(y) / total(x))} the enc+dec time`;
};
const recordsVsMaps = `are smaller and faster where objects repeat their shape, and cost a little on a small object (the one definition it carries); maps relative to records: ${all
  .map(({ name, results }) => describeCase(name, results, 'msgpackr records (raw)', 'msgpackr maps (raw)'))
  .join('; ')}`;
const sharedVsRecords = all
  .map(({ name, results }) =>
    describeCase(name, results, 'msgpackr records (raw)', 'msgpackr shared structures (raw)'),
  )
  .join('; ');
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const doc = `# Serializer benchmark

Encode and decode time and stored size of \`@cache/serializers\` against JSON, for three values.
Generated by \`tools/bench/serializers.ts\`; do not edit by hand, run it again.

- Command: \`pnpm --filter @cache/tools bench:serializers\` (builds \`@cache/core\` and
  \`@cache/serializers\`, then runs the script with tsx; \`BENCH_ROUNDS\` / \`BENCH_ROUND_MS\` change
  the effort).
- Run: ${started.toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpu}, msgpackr 2.1.3 with
  native acceleration ${msgpackr.isNativeAccelerationEnabled ? 'on' : 'off'} (msgpackr-extract).
- Times are process CPU time per call (user + system), the fastest of ${ROUNDS} interleaved rounds of
  about ${ROUND_MS} ms each (other work can only slow a round down; load average ${loadStart} when this
  run started). Treat differences under ~10% as noise, and compare rows of one table rather than runs.
- "speed vs X" is X's (encode + decode) time divided by this codec's: above 1 is faster than X.
  "size vs JSON" is stored bytes over JSON's UTF-8 bytes. Each codec's output is checked to decode
  to a deep-equal value before it is timed.
- Data is deterministic (seeded) and shaped like what services cache: a login session; an order
  document with customer, ${(mid.value as { items: unknown[] }).items.length} line items, history and totals (ISO timestamps as
  strings, prices as decimals, short free text); rows of a query result (ids, names, emails, ages,
  scores, flags, cities, timestamps, tag lists). Nothing is chosen to favour a format: the data is
  JSON-compatible so that JSON can carry it too.

## Results

${all
  .map(
    ({ name, value, results }) =>
      `### ${name}: ${Buffer.byteLength(JSON.stringify(value)).toLocaleString('en')} bytes of JSON\n\n${table(results)}`,
  )
  .join('\n\n')}

Codecs:
${codecs.map((c) => `- **${c.name}**: ${c.note}.`).join('\n')}

## Target on the 10 KiB case

Target: msgpack at least 2x JSON's speed and at most 0.6x its size.

- Speed: msgpack ${ratio(speedPlain)} of plain JSON.stringify/parse, ${ratio(speedCore)} of core's
  jsonSerializer: ${verdict(speedPlain >= 2)} against plain JSON, ${verdict(speedCore >= 2)} against core json.
- Size: ${ratio(sizeRatio)} of JSON: ${verdict(sizeRatio <= 0.6)}.

## Records mode: per-message structures, no shared structures

msgpackr can write objects as *records* (the key list once per shape, then only values) instead
of MessagePack maps (keys repeated in every object). With *shared structures* the key lists live
outside the messages, in a structures store every reader must have.

| value | bytes: records / maps / shared | encode µs: records / maps / shared | decode µs: records / maps / shared |
|---|--:|--:|--:|
${recordsRows.join('\n')}

Decision: **\`msgpack\` uses records without shared structures** (\`useRecords: true\`, no
\`structures\`). Each stored value carries the definitions of the shapes it uses, so any process
decodes it with no shared state, in any order (tested with separate writer and reader instances).

- Against maps, records ${recordsVsMaps}.
- Shared structures, relative to per-message records: ${sharedVsRecords}. The gain is
  the per-message key lists, so it is large only for small values. But a cache entry is written by
  one process and read by others, possibly much later and after restarts: every reader would need
  the same structure list, persisted and updated in step (msgpackr's \`getStructures\` /
  \`saveStructures\` with a lock around a shared file or key), and an entry written against
  structures a reader has not loaded cannot be decoded. That is a second store to keep consistent,
  so it is not offered.
- Records also keep \`Map\` apart from plain objects (msgpack maps decode as \`Map\`, objects are
  records), which is what lets \`msgpack\` round-trip \`Map\` without a custom extension; with
  \`useRecords: false\` msgpackr decodes both as the same thing.

## Notes

- \`msgpack\` walks each value once before msgpackr encodes it (refusing what would not round-trip:
  functions, symbols, class instances, cycles, sparse arrays, lone surrogates; detecting \`-0\`,
  \`__proto__\` and \`constructor\` keys and null-prototype objects). Its cost is the difference
  between the \`msgpack\` and \`msgpackr records (raw)\` encode columns. About 40% of it is the
  symbol-key check (\`Object.getOwnPropertySymbols\` per object) and about 20% the lone-surrogate
  check (\`String.prototype.isWellFormed\`), measured separately on the 10 KiB value; both are
  kept because without them such values would be silently changed.
- \`core json\` also walks each value (its own round-trip checks) and converts to and from UTF-8
  bytes, which plain JSON.stringify/parse does not.
- Compression pays on size only for values above the 1 KiB threshold and costs CPU on every write;
  use it where bytes (Redis memory, disk) matter more than CPU.
`;

const out = fileURLToPath(new URL('../../docs/benchmarks/serializers.md', import.meta.url));
writeFileSync(out, doc);
console.log(`\nwrote ${out}`);
console.log(
  `10 KiB target: speed ${ratio(speedPlain)} vs JSON.stringify/parse, ${ratio(speedCore)} vs core json; size ${ratio(sizeRatio)}`,
);
