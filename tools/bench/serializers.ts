/**
 * Serializer benchmark: encode and decode time and stored size of core's typed JSON (the default
 * serializer, `jsonSerializer`) and @cache/serializers (msgpack, v8, compressed) against plain
 * JSON (JSON.stringify / JSON.parse, with and without the UTF-8 step), plus raw msgpackr with and
 * without record structures, for three values: a small session object, a ~10 KiB nested order
 * document and a ~1 MiB array of table rows; and typed JSON, msgpack and v8 on a value JSON
 * cannot carry (Dates, a Map, a Set, bigints, bytes).
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
import { Inspector } from '../../packages/serializers/dist/internal/inspect.js';
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
const slowInspector = new Inspector();
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
    note:
      'plain JSON on JS strings: no UTF-8 step and no checks. A cache stores bytes, so it cannot store this ' +
      'as it is; it is the lowest bar, not like for like',
    encode: (value) => JSON.stringify(value),
    decode: (stored) => JSON.parse(stored as string),
  },
  {
    name: 'JSON + UTF-8',
    note:
      'plain JSON with the UTF-8 step a cache that stores bytes needs: `Buffer.from(JSON.stringify(v))` / ' +
      '`JSON.parse(bytes.toString())`, no checks: the like-for-like JSON baseline',
    encode: (value) => Buffer.from(JSON.stringify(value), 'utf8'),
    decode: (stored) => JSON.parse((stored as Buffer).toString('utf8')),
  },
  fromSerializer(
    'typed JSON',
    "core's jsonSerializer (id `json`), the default of every backend that stores bytes: typed JSON, i.e. a scan that builds " +
      'nothing (the round-trip checks; plain values are written as plain JSON) + `JSON.stringify` + `Buffer.from`, and a fatal ' +
      '`TextDecoder` + `JSON.parse` (+ a revive pass only for the tagged form)',
    jsonSerializer,
  ),
  fromSerializer(
    'msgpack',
    '@cache/serializers msgpack (records per message, every check): plain data such as these values is checked and written in ' +
      "one pass, and read back by msgpack's own reader (record readers kept across messages, msgpackr's native string extractor)",
    msgpack,
  ),
  {
    name: 'msgpack slow path',
    note:
      "msgpack's checked slow path, the Inspector pre-pass then msgpackr (same bytes, same decode): what values the one-pass " +
      'encoder declines cost (`-0`, `RegExp`, null-prototype objects, `__proto__` keys, huge `bigint`, >64 shapes), and ' +
      'what every value cost before the one-pass encoder',
    encode: (value) => {
      slowInspector.inspect(value);
      // as msgpack writes it: a header byte, and small results copied out of msgpackr's buffer
      const packed = rawRecords.pack(value, msgpackr.RESERVE_START_SPACE | 1);
      packed[0] = 0;
      return packed.byteLength * 2 < packed.buffer.byteLength
        ? Uint8Array.prototype.slice.call(packed)
        : packed;
    },
    decode: (stored) => msgpack.deserialize(stored as Uint8Array),
  },
  {
    name: 'msgpackr records (raw)',
    note: 'msgpackr Packr, useRecords: true, no checks: the bytes msgpack writes, as msgpackr writes them',
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
    'compressed(typed JSON, { algorithm: gzip }), 1 KiB threshold',
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

function measure(value: unknown, list: readonly Codec[] = codecs): Result[] {
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
  const utf8 = find('JSON + UTF-8');
  const core = find('typed JSON');
  const total = (r: Result) => r.encodeNs + r.decodeNs;
  const lines = [
    '| codec | encode µs | decode µs | enc+dec µs | bytes | speed vs JSON.stringify/parse (strings) | speed vs JSON + UTF-8 (bytes) | speed vs typed JSON | size vs JSON |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.codec.name} | ${us(r.encodeNs)} | ${us(r.decodeNs)} | ${us(total(r))} | ${r.bytes.toLocaleString('en')} | ` +
        `${ratio(total(plain) / total(r))} | ${ratio(total(utf8) / total(r))} | ${ratio(total(core) / total(r))} | ${ratio(r.bytes / plain.bytes)} |`,
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
const utf8Mid = get(mid.results, 'JSON + UTF-8');
const coreMid = get(mid.results, 'typed JSON');
const rawMid = get(mid.results, 'msgpackr records (raw)');
const slowMid = get(mid.results, 'msgpack slow path');
const sharedMid = get(mid.results, 'msgpackr shared structures (raw)');
const speedPlain = total(plainMid) / total(mp);
const speedUtf8 = total(utf8Mid) / total(mp);
const speedCore = total(coreMid) / total(mp);
const sizeRatio = mp.bytes / plainMid.bytes;
const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**');

// Typed JSON, the default, against plain JSON on the small and the 10 KiB value (target 0.8x).
const TYPED_TARGET = 0.8;
const typedTargets = all.slice(0, 2).map(({ name, results }) => {
  const typed = get(results, 'typed JSON');
  const utf8 = get(results, 'JSON + UTF-8');
  const strings = get(results, 'JSON.stringify/parse');
  return {
    name: name.split(' (')[0] as string,
    typed,
    utf8,
    strings,
    msgpack: get(results, 'msgpack'),
    v8: get(results, 'v8'),
    speed: total(utf8) / total(typed),
    speedStrings: total(strings) / total(typed),
  };
});
const typedRows = typedTargets.map(
  (t) =>
    `| ${t.name} | ${us(total(t.utf8))} | ${us(total(t.typed))} (${us(t.typed.encodeNs)} + ${us(t.typed.decodeNs)}) | ` +
    `**${ratio(t.speed)}** | ${ratio(t.speedStrings)} | ${ratio(total(t.utf8) / total(t.msgpack))} | ` +
    `${ratio(total(t.utf8) / total(t.v8))} | ${verdict(t.speed >= TYPED_TARGET)} |`,
);

// A value JSON cannot carry: only the serializers that round-trip it.
const typedOrder = (() => {
  const base = mid.value as ReturnType<typeof order>;
  return {
    ...base,
    createdAt: new Date(base.createdAt),
    total: 148_646n,
    history: base.history.map((h) => ({ ...h, at: new Date(h.at) })),
    items: new Map(base.items.map((item) => [item.sku, { ...item, tags: new Set(['new', 'sale']) }])),
    shipping: {
      ...base.shipping,
      eta: new Date(base.shipping.eta),
      label: Buffer.from(base.shipping.tracking),
    },
    note: undefined,
  };
})();
console.log('measuring the typed value (Dates, a Map, Sets, a bigint, bytes)');
const typedCodecs = codecs.filter((c) => ['typed JSON', 'msgpack', 'v8'].includes(c.name));
const typedValueResults = measure(typedOrder, typedCodecs);
const typedBase = get(typedValueResults, 'typed JSON');
const typedValueRows = typedValueResults.map(
  (r) =>
    `| ${r.codec.name} | ${us(r.encodeNs)} | ${us(r.decodeNs)} | ${us(total(r))} | ${r.bytes.toLocaleString('en')} | ` +
    `${ratio(total(typedBase) / total(r))} | ${ratio(r.bytes / typedBase.bytes)} |`,
);
const targetRow = (label: string, base: Result) =>
  `| ${label} | ${us(total(base))} | ${us(total(base) / 2)} | ${ratio(total(base) / total(mp))} | ${verdict(total(base) / total(mp) >= 2)} |`;

// ---------------------------------------------------------------------------------------------
// msgpackr options, on the 10 KiB value
// ---------------------------------------------------------------------------------------------

const RECORDS = { ...RAW_OPTIONS, useRecords: true, mapsAsObjects: false } as const;
interface OptionVariant {
  name: string;
  options: object;
  note: string;
  timed: boolean;
}
const OPTION_VARIANTS: OptionVariant[] = [
  {
    name: 'none (records: what msgpack writes)',
    options: {},
    note: 'one record definition per shape per message',
    timed: true,
  },
  {
    name: '`bundleStrings: true`',
    options: { bundleStrings: true },
    note: 'strings gathered in blocks per message, meant to speed up decoding',
    timed: true,
  },
  {
    name: '`progressiveRecords: true`',
    options: { progressiveRecords: true },
    note: 'one pass over the keys instead of two; a new record definition is inserted before values already written',
    timed: true,
  },
  {
    name: '`sequential: true`',
    options: { sequential: true },
    note: 'the writer keeps its structures across messages (shared structures without the store); timed as the shared-structures row above',
    timed: false,
  },
];
/** 64 shapes, then an object whose shape a previous message has already walked. */
const progressiveTrap = [
  Array.from({ length: 64 }, (_, i) => ({ [`k${i}`]: i })),
  { outer: { k0: 'again' } },
];
/** Whether a fresh reader decodes each message of a fresh writer to an equal value, alone. */
function decodesAlone(options: object): boolean {
  const writer = new msgpackr.Packr({ ...RECORDS, ...options });
  const values = [{ outer: { k0: 1 } }, progressiveTrap, mid.value, cases[0].value];
  const stored = values.map((value) => Uint8Array.prototype.slice.call(writer.pack(value)));
  return values.every((value, i) => {
    try {
      return isDeepStrictEqual(
        new msgpackr.Unpackr({ ...RECORDS, ...options }).unpack(stored[i] as Uint8Array),
        value,
      );
    } catch {
      return false;
    }
  });
}
const optionCodecs: Codec[] = OPTION_VARIANTS.filter((v) => v.timed).map((variant) => {
  const packr = new msgpackr.Packr({ ...RECORDS, ...variant.options });
  return {
    name: variant.name,
    note: variant.note,
    encode: (value) => packr.pack(value),
    decode: (stored) => packr.unpack(stored as Uint8Array),
  };
});
console.log('measuring msgpackr options on the 10 KiB value');
const optionResults = measure(mid.value, optionCodecs);
const optionBase = optionResults[0] as Result;
const optionRows = OPTION_VARIANTS.map((variant) => {
  const alone = decodesAlone(variant.options);
  const r = optionResults.find((x) => x.codec.name === variant.name);
  const timing = r
    ? `${us(r.encodeNs)} | ${us(r.decodeNs)} | ${ratio(total(r) / total(optionBase))} | ${r.bytes.toLocaleString('en')}`
    : 'not timed | | |';
  return `| ${variant.name} | ${variant.note} | ${timing} | ${alone ? 'yes' : '**no**'} |`;
});

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

Encode and decode time and stored size of core's typed JSON (the default serializer) and
\`@cache/serializers\` against plain JSON, for three values, and of typed JSON, msgpack and v8 on a
value plain JSON cannot carry.
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

## Typed JSON, the default, against plain JSON

\`typed JSON\` (core's \`jsonSerializer\`, id \`json\`) is the default serializer of every backend
that stores bytes. Target: at least ${ratio(TYPED_TARGET)} the speed (encode + decode) of plain JSON on
the small and the 10 KiB value. The baseline is **\`JSON + UTF-8\`**: \`Buffer.from(JSON.stringify(v))\`
and \`JSON.parse(bytes.toString())\`, plain JSON to bytes and back the way a serializer must (a
cache stores bytes), without any check; \`JSON.stringify/parse\` on JS strings is shown beside it.
msgpack and v8 are given as speed against the same baseline.

| value | JSON + UTF-8 enc+dec µs | typed JSON enc+dec µs (enc + dec) | typed JSON vs JSON + UTF-8 | typed JSON vs JSON.stringify/parse | msgpack vs JSON + UTF-8 | v8 vs JSON + UTF-8 | ${ratio(TYPED_TARGET)} target |
|---|--:|--:|--:|--:|--:|--:|---|
${typedRows.join('\n')}

- Plain values (all three values above) are written as plain JSON: typed JSON adds, on encode, one
  walk that builds nothing (the checks that decide plain or tagged and refuse functions, symbols,
  cycles, holes and class instances; most of its cost is one \`Object.getOwnPropertySymbols\` call per
  object, the only way to see symbol keys) and, on decode, one look at the first character. The
  UTF-8 step is the same \`Buffer.from\` on encode; on decode a fatal \`TextDecoder\` (invalid UTF-8
  is refused rather than turned into U+FFFD).
- Entries written by the earlier plain JSON serializer (same id) are plain JSON: they read back
  unchanged, and plain values are written byte for byte as it wrote them.

### A value JSON cannot carry

The 10 KiB order with its timestamps as \`Date\`s, its line items in a \`Map\` (each with a \`Set\`
of tags), a \`bigint\` total, a \`Buffer\` and an \`undefined\` property: typed JSON writes its tagged
form (\`~1\` + JSON with \`{"~": type, "v": payload}\` objects), copying the value once into that form
and reviving it in place on decode. Plain JSON cannot round-trip it, so it has no row.

| codec | encode µs | decode µs | enc+dec µs | bytes | speed vs typed JSON | size vs typed JSON |
|---|--:|--:|--:|--:|--:|--:|
${typedValueRows.join('\n')}

## Target on the 10 KiB case

Target: msgpack at least 2x JSON's speed (encode + decode) and at most 0.6x its size. There are
three JSON rows, and only one of them leaves out the UTF-8 step: \`JSON.stringify/parse\` works on
JS strings, which a cache cannot store as they are. \`JSON + UTF-8\` adds the step to bytes and
back (no checks), and \`typed JSON\` is what a cache uses by default (checks + UTF-8). msgpack
(${us(total(mp))} µs for encode + decode, with every check) against each:

| JSON baseline | its enc+dec µs | 2x needs at most µs | msgpack | 2x target |
|---|--:|--:|--:|---|
${targetRow('JSON.stringify/parse (strings, no UTF-8 step, no checks)', plainMid)}
${targetRow('JSON + UTF-8 (bytes, no checks)', utf8Mid)}
${targetRow('typed JSON (bytes, checks)', coreMid)}

- Size: ${ratio(sizeRatio)} of JSON's UTF-8 bytes: ${verdict(sizeRatio <= 0.6)}.
- Decoding: msgpack reads this value in ${us(mp.decodeNs)} µs, msgpackr's own \`unpack\` in ${us(rawMid.decodeNs)} µs
  (the same bytes, no check): msgpackr compiles a reader for each record shape again in every message,
  where msgpack keeps the compiled readers across messages (msgpackr gets that only with shared
  structures: ${us(sharedMid.decodeNs)} µs). Both take their strings from msgpackr's native extractor.
- Where 2x stops: the encoder. msgpack's one-pass encoder takes ${us(mp.encodeNs)} µs with every check, ${ratio(mp.encodeNs / plainMid.encodeNs)}
  of JSON.stringify alone (${us(plainMid.encodeNs)} µs; msgpackr's own encode, without checks, ${us(rawMid.encodeNs)} µs). Against
  JSON.stringify/parse, 2x leaves ${us(total(plainMid) / 2 - mp.decodeNs)} µs to encode once msgpack has decoded; against JSON + UTF-8,
  ${us(total(utf8Mid) / 2 - mp.decodeNs)} µs. Of its checks, the one for symbol keys is the dearest: a call of
  \`Object.getOwnPropertySymbols\` per object, a call into V8's runtime (JSON.stringify drops symbol keys unseen;
  msgpack must refuse them, as it cannot give them back).
- Before the one-pass encoder and the reader, msgpack encoded this value as the \`msgpack slow path\` row does
  (${us(slowMid.encodeNs)} µs) and decoded it with msgpackr (${us(rawMid.decodeNs)} µs), a speed of
  ${ratio(total(plainMid) / (slowMid.encodeNs + rawMid.decodeNs))} of JSON.stringify/parse.

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

## msgpackr options, on the 10 KiB value

Each option on top of msgpack's records options, timed like the tables above (raw msgpackr, no
checks). "Decodes alone" writes four values from one writer (a small object; 64 shapes followed by
a shape the first value had; the 10 KiB value; the session) and decodes each with a fresh reader:
what a cache entry read by another process needs.

| option | what it does | encode µs | decode µs | enc+dec vs none | bytes | decodes alone, exactly |
|---|---|--:|--:|--:|--:|---|
${optionRows.join('\n')}

- \`msgpack\` keeps the plain records options. \`progressiveRecords\` goes over the keys once (its
  row shows what that saves) but, once a message holds more than 64 shapes, msgpackr can reuse a record id that later bytes of the same
  message still refer to, and the value decodes wrong without an error; \`sequential\` makes each
  message depend on the ones written before it. \`bundleStrings\` is meant for decoders without the
  native string extractor, which is on here. \`variableMapSize\` only changes how objects written as
  MessagePack maps are sized, and records are not maps.
- Buffers: msgpack's one-pass encoder writes into its own buffer (kept between calls up to 1 MiB)
  and copies each result into memory of its own, so a stored entry never keeps a larger buffer
  alive; the slow path copies msgpackr's result out when it is less than half its buffer.

## Notes

- \`msgpack\` writes plain data (plain objects, dense arrays, strings, numbers, booleans, \`null\`,
  \`undefined\`, \`Date\`, \`Map\`, \`Set\`, \`Buffer\`, typed arrays, 64-bit \`bigint\`) in one pass that
  makes every check and writes the bytes msgpackr writes (tests compare them byte for byte): the
  lone-surrogate check of short strings is part of the UTF-8 loop, keys are checked once per shape,
  and each property is read once. It also goes over each object's keys once where msgpackr goes
  twice (with a \`hasOwnProperty\` call per key), which is why its encode column can be below
  \`msgpackr records (raw)\` although it checks and msgpackr does not. The largest check is
  \`Object.getOwnPropertySymbols\` per object (the symbol-key check; JavaScript has no cheaper way
  to see symbol keys). Anything the
  pass declines (\`-0\`, \`RegExp\`, null-prototype objects, \`__proto__\` or \`constructor\` keys,
  \`bigint\` outside 64 bits, nesting past 128, more than 64 shapes, and everything refused) takes
  the \`msgpack slow path\` row's route: the Inspector pre-pass, then msgpackr.
- \`typed JSON\` also walks each value (its round-trip checks, which decide between the plain and
  the tagged form) and converts to and from UTF-8 bytes, which plain JSON.stringify/parse does not.
- Compression pays on size only for values above the 1 KiB threshold and costs CPU on every write;
  use it where bytes (Redis memory, disk) matter more than CPU.
`;

const out = fileURLToPath(new URL('../../docs/benchmarks/serializers.md', import.meta.url));
writeFileSync(out, doc);
console.log(`\nwrote ${out}`);
console.log(
  `10 KiB target: speed ${ratio(speedPlain)} vs JSON.stringify/parse, ${ratio(speedUtf8)} vs JSON + UTF-8, ` +
    `${ratio(speedCore)} vs typed JSON; size ${ratio(sizeRatio)}`,
);
console.log(
  `typed JSON: ${typedTargets.map((t) => `${t.name} ${ratio(t.speed)} of JSON + UTF-8 (${ratio(t.speedStrings)} of JSON.stringify/parse)`).join(', ')}`,
);
