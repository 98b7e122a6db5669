/**
 * Tag ordering by the server's clock. An entry written with tags is invalidated by a tag whose
 * invalidation time is at or after the entry's `createdAt` (the core's rule), so both times must
 * come from one clock that every process shares: the Redis server's `TIME`, never the callers'.
 *
 * One record per cache prefix, `${prefix}c:tags`, holds two epoch-millisecond times as text: the
 * latest invalidation stamp and the latest tagged-write stamp handed out. Each tagged write and
 * each invalidation takes a stamp from the server's `TIME` (whole milliseconds) and that record:
 * - an invalidation is stamped no earlier than every tagged write before it (`max(TIME, latest
 *   write, latest invalidation)`), so those writes are invalidated, even in the same millisecond;
 * - a tagged write is stamped later than every invalidation before it (`latest invalidation + 1`
 *   when `TIME` is not later), so it survives them, even in the same millisecond.
 * This is the core's same-millisecond rule, kept by the server for every process instead of by
 * each instance for itself, and it holds when the server's clock steps back.
 *
 * On one server (or Sentinel) the stamp is taken in the same script as the write or the
 * invalidation. On a Cluster the stamp record and the entry or tag records live in different slots,
 * so the stamp is taken first (one script on the stamp record) and the write or the tag records
 * follow: an operation that completed before another began still has the earlier stamp, which is
 * the order that matters (operations that overlap may be ordered either way).
 *
 * A tagged entry's envelope gets the stamp as its `createdAt`, and its `expiresAt` and
 * `staleUntil` move by as much, so that the TTL counts from the server's stamp: the three float64
 * LE times after the serializer id (byte offset 3 + id length) are patched with `SETRANGE` after
 * the `SET`. Untagged writes take no stamp.
 */
import type { ScriptRunner } from './script-runner.js';
import { type LuaScript, script, TAG_MAX } from './scripts.js';

/** The stamp record's key under the cache prefix. */
const TAG_CLOCK_SUFFIX = 'c:tags';

/**
 * Effects replication first (Redis before 5 refuses writes after `TIME` without it; later versions
 * always replicate effects). `write_stamp(clock)` and `invalidation_stamp(clock)`: the next stamp
 * of each kind (epoch ms), recorded in `clock`. `patch(key, envelope, at)`: sets the envelope just
 * stored at `key` to `createdAt = at`, its expiry and stale deadline moved by as much.
 */
const CLOCK = `
if redis.replicate_commands then redis.replicate_commands() end
local function read_clock(clock)
  local inv, wr = 0, 0
  local v = redis.call('GET', clock)
  if v then
    local a, b = string.match(v, '^(%d+) (%d+)$')
    if a then inv = tonumber(a); wr = tonumber(b) end
  end
  local t = redis.call('TIME')
  return inv, wr, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function write_stamp(clock)
  local inv, wr, at = read_clock(clock)
  if at <= inv then at = inv + 1 end
  if at > wr then wr = at end
  redis.call('SET', clock, string.format('%.0f %.0f', inv, wr))
  return at
end
local function invalidation_stamp(clock)
  local inv, wr, at = read_clock(clock)
  at = math.max(at, wr, inv)
  redis.call('SET', clock, string.format('%.0f %.0f', at, wr))
  return at
end
local function patch(key, envelope, at)
  local offset = 4 + string.byte(envelope, 3)
  local created, expires, stale = struct.unpack('<ddd', envelope, offset)
  local shift = at - created
  redis.call('SETRANGE', key, offset - 1, struct.pack('<ddd', at, expires + shift, stale + shift))
end
`;

function clockScript(body: string): LuaScript {
  return script(CLOCK + body);
}

/** KEYS[1] stamp record, ARGV[1] 'w' (a tagged write) or 'i' (an invalidation): takes a stamp and returns it. Cluster only. */
const TAKE_STAMP = clockScript(`
if ARGV[1] == 'w' then return write_stamp(KEYS[1]) end
return invalidation_stamp(KEYS[1])
`);

/** KEYS[1] entry, KEYS[2] stamp record, ARGV[1] envelope, ARGV[2] PX ms or '': SET with a server `createdAt`. */
export const SET_TAGGED = clockScript(`
if ARGV[2] == '' then redis.call('SET', KEYS[1], ARGV[1])
else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
patch(KEYS[1], ARGV[1], write_stamp(KEYS[2]))
return 1
`);

/**
 * KEYS[1] entry, KEYS[2] stamp record, ARGV[1] now, ARGV[2] envelope, ARGV[3] PX ms or '': SET
 * with a server `createdAt` unless a live entry exists (undecodable bytes, an expired envelope and
 * nothing at all are absent alike). 1 when it wrote.
 */
export const ADD_TAGGED = clockScript(`
if live(redis.call('GET', KEYS[1]), tonumber(ARGV[1])) then return 0 end
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2])
else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
patch(KEYS[1], ARGV[2], write_stamp(KEYS[2]))
return 1
`);

/**
 * KEYS[1] stamp record, KEYS[2..n+1] entries, ARGV[1..n] envelopes, ARGV[n+1..2n] PX ms or '':
 * sets them all with one server `createdAt` (one node only).
 */
export const SET_MANY_TAGGED = clockScript(`
local n = #KEYS - 1
local at = write_stamp(KEYS[1])
for i = 1, n do
  local key = KEYS[i + 1]
  local px = ARGV[n + i]
  if px == '' then redis.call('SET', key, ARGV[i])
  else redis.call('SET', key, ARGV[i], 'PX', px) end
  patch(key, ARGV[i], at)
end
return n
`);

/**
 * KEYS[1] stamp record, KEYS[2..] tag records: records one invalidation of every tag at a new
 * stamp (one node only); a record already later is kept.
 */
const INVALIDATE_TAGS = clockScript(`
local at = invalidation_stamp(KEYS[1])
for i = 2, #KEYS do
  local cur = tonumber(redis.call('GET', KEYS[i]))
  if cur == nil or cur < at then redis.call('SET', KEYS[i], string.format('%.0f', at)) end
end
return 1
`);

/**
 * Sets an envelope's `createdAt` to a stamp and moves its `expiresAt` and `staleUntil` (NaN for
 * none stays NaN) by as much: the JavaScript twin of the scripts' `patch`, for a Cluster.
 */
export function patchCreatedAt(envelope: Buffer, at: number): void {
  const offset = 3 + (envelope[2] as number);
  const shift = at - envelope.readDoubleLE(offset);
  envelope.writeDoubleLE(at, offset);
  envelope.writeDoubleLE(envelope.readDoubleLE(offset + 8) + shift, offset + 8);
  envelope.writeDoubleLE(envelope.readDoubleLE(offset + 16) + shift, offset + 16);
}

/** A tag record's value (decimal epoch ms) as a time; `undefined` when it is not a number. */
export function readTagTime(bytes: Buffer): number | undefined {
  const at = Number(bytes.toString('latin1'));
  return Number.isFinite(at) ? at : undefined;
}

/** The server-time clock of one cache prefix: stamps, and invalidations recorded at a stamp. */
export class TagClock {
  /** The stamp record's Redis key. */
  readonly key: string;
  readonly #scripts: ScriptRunner;
  readonly #cluster: boolean;

  constructor(scripts: ScriptRunner, prefix: string, cluster: boolean) {
    this.#scripts = scripts;
    this.key = prefix + TAG_CLOCK_SUFFIX;
    this.#cluster = cluster;
  }

  /** A stamp for a tagged write (`'w'`) or an invalidation (`'i'`), taken by a script of its own (Cluster). */
  async stamp(kind: 'w' | 'i'): Promise<number> {
    return Number(await this.#scripts.eval(TAKE_STAMP, this.key, [kind]));
  }

  /** Records one invalidation of each tag record in `keys` at a new stamp. */
  async invalidate(keys: readonly string[]): Promise<void> {
    if (!this.#cluster) {
      await this.#scripts.evalKeys(INVALIDATE_TAGS, [this.key, ...keys], []);
      return;
    }
    await this.#scripts.evalMany(undefined, TAG_MAX, keys, [await this.stamp('i')]);
  }
}
