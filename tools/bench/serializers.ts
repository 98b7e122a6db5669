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
 *
 * This file runs the cases and writes the report; the values are in serializers-data.ts, the
 * codecs in serializers-codecs.ts, the timing in serializers-measure.ts and the msgpackr options
 * in serializers-options.ts.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as msgpackr from 'msgpackr';
import { codecs } from './serializers-codecs.ts';
import { cases, type order } from './serializers-data.ts';
import { measure, pairedRatio, type Result, ROUND_MS, ROUNDS } from './serializers-measure.ts';
import { decodesAlone, OPTION_VARIANTS, optionCodecs } from './serializers-options.ts';

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
    /** The target's figure: the median over the interleaved rounds of JSON.stringify/parse's time over typed JSON's. */
    pairedStrings: pairedRatio(strings, typed),
  };
});
const typedRows = typedTargets.map(
  (t) =>
    `| ${t.name} | ${us(total(t.strings))} | ${us(total(t.utf8))} | ${us(total(t.typed))} (${us(t.typed.encodeNs)} + ${us(t.typed.decodeNs)}) | ` +
    `**${ratio(t.pairedStrings)}** | ${ratio(t.speedStrings)} | ${ratio(t.speed)} | ${ratio(total(t.strings) / total(t.msgpack))} | ` +
    `${ratio(total(t.strings) / total(t.v8))} | ${verdict(t.pairedStrings >= TYPED_TARGET)} |`,
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

// msgpackr options, on the 10 KiB value
console.log('measuring msgpackr options on the 10 KiB value');
const optionResults = measure(mid.value, optionCodecs);
const optionBase = optionResults[0] as Result;
const optionRows = OPTION_VARIANTS.map((variant) => {
  const alone = decodesAlone(variant.options, mid.value);
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
that stores bytes. Target (issue 11): at least ${ratio(TYPED_TARGET)} the speed (encode + decode) of plain
\`JSON.stringify\` + \`JSON.parse\` on JS strings, on the small and the 10 KiB value. That baseline
has no UTF-8 step, which a serializer cannot skip (a cache stores bytes): \`JSON + UTF-8\`
(\`Buffer.from(JSON.stringify(v))\` and \`JSON.parse(bytes.toString())\`, no check) is shown beside
it. The target's figure is the median, over the ${ROUNDS} interleaved rounds, of the ratio of the
two codecs' times in the same round (each round times both back to back); the ratio of the fastest
rounds is shown beside it. msgpack and v8 are given as speed against the same baseline.

| value | JSON.stringify/parse enc+dec µs | JSON + UTF-8 enc+dec µs | typed JSON enc+dec µs (enc + dec) | typed JSON vs JSON.stringify/parse (median of paired rounds) | same, fastest rounds | typed JSON vs JSON + UTF-8 | msgpack vs JSON.stringify/parse | v8 vs JSON.stringify/parse | ${ratio(TYPED_TARGET)} target |
|---|--:|--:|--:|--:|--:|--:|--:|--:|---|
${typedRows.join('\n')}

- Plain values (all three values above) are written as plain JSON, checked and written to UTF-8
  bytes in one pass (core's \`PlainJsonWriter\`: the bytes \`JSON.stringify\` gives, with no string
  in between, so there is no separate walk and no \`Buffer.from\`); its largest check is one
  \`Object.getOwnPropertySymbols\` call per object, the only way to see symbol keys. Past 64 KiB of
  output (the 1 MiB value) it declines and typed JSON takes its general path: a walk that builds
  nothing for a plain value, \`JSON.stringify\` and \`Buffer.from\` (\`JSON.stringify\` writes long
  text faster than JavaScript does). Decoding reads ASCII bytes as Latin-1 (the same text) and other
  bytes with a fatal \`TextDecoder\` (invalid UTF-8 is refused rather than turned into U+FFFD), then
  looks at the first character and runs one \`JSON.parse\`.
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
- \`typed JSON\` also checks each value (its round-trip checks, which decide between the plain and
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
  `typed JSON: ${typedTargets.map((t) => `${t.name} ${ratio(t.pairedStrings)} of JSON.stringify/parse (median of paired rounds; ${ratio(t.speedStrings)} fastest rounds; ${ratio(t.speed)} of JSON + UTF-8)`).join(', ')}`,
);
