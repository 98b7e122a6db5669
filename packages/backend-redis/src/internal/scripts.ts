/**
 * The Lua scripts of the Redis backend, each on one key. Entries are the core's binary envelope;
 * `live(v, now)` reads its logical expiry (NaN = never) at the offsets of the core's
 * `ENVELOPE_LAYOUT`, written into the script text when this module loads, so that an entry kept
 * only for its stale window counts as absent, as the contract wants for `add` and `delete`.
 */
import { createHash } from 'node:crypto';
import { ENVELOPE_LAYOUT as L } from '@cache/core/backend';

/**
 * `live(v, now)`: whether `v` is an envelope whose logical expiry is after `now` or never. Lua
 * indexes a string's bytes from 1, so the byte at offset `o` is `string.byte(v, o + 1)`.
 */
const LIVE = `
local function live(v, now)
  if not v or string.len(v) < ${L.idLengthOffset + 1} or string.byte(v, ${L.magicOffset + 1}) ~= ${L.magic} then return false end
  local at = ${L.idOffset + 1} + string.byte(v, ${L.idLengthOffset + 1}) + ${L.expiresAtOffset}
  if string.len(v) < at + ${L.timeSize - 1} then return false end
  local exp = struct.unpack('<d', v, at)
  if exp ~= exp then return true end
  return exp > now
end
`;

/** A script with its SHA1, for EVALSHA with an EVAL fallback. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** A script made of the `live` helper and `body`. */
export function script(body: string): LuaScript {
  const source = LIVE + body;
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** KEYS[1] entry, ARGV[1] now: removes the entry; 1 when a live one existed. */
export const UNLINK_LIVE = script(`
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
redis.call('UNLINK', KEYS[1])
if live(v, tonumber(ARGV[1])) then return 1 end
return 0
`);

/** KEYS[1] entry, ARGV[1] now, ARGV[2] envelope, ARGV[3] PX ms or '': SET unless a live entry exists. */
export const ADD = script(`
if live(redis.call('GET', KEYS[1]), tonumber(ARGV[1])) then return 0 end
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2])
else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
`);

/** KEYS[1] entry, ARGV[1] now: 1 when a live entry exists. */
export const IS_LIVE = script(`
if live(redis.call('GET', KEYS[1]), tonumber(ARGV[1])) then return 1 end
return 0
`);

/** KEYS[1] tag record, ARGV[1] time: keeps the later of the stored and the given invalidation time. */
export const TAG_MAX = script(`
local cur = tonumber(redis.call('GET', KEYS[1]))
if cur == nil or cur < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
`);

/** KEYS[1] lock, ARGV[1] token: deletes the lock only while this token holds it. */
export const UNLOCK = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** KEYS[1..n] entries, ARGV[1..n] envelopes, ARGV[n+1..2n] PX ms or '': sets them all (one node only). */
export const SET_MANY = script(`
local n = #KEYS
for i = 1, n do
  local px = ARGV[n + i]
  if px == '' then redis.call('SET', KEYS[i], ARGV[i])
  else redis.call('SET', KEYS[i], ARGV[i], 'PX', px) end
end
return n
`);

/**
 * KEYS[1..n] entries, ARGV[1] now, ARGV[2] '1' to name the removed keys: removes them all (one node
 * only). Returns how many live ones existed or, with ARGV[2] = '1', one character per key in order:
 * '1' when a live entry existed, else '0' (a string is cheaper than an array of n integers, and
 * the count cheaper still).
 */
export const UNLINK_LIVE_MANY = script(`
local now = tonumber(ARGV[1])
local count = 0
local flags = nil
if ARGV[2] == '1' then flags = {} end
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  local removed = false
  if v then
    redis.call('UNLINK', KEYS[i])
    removed = live(v, now)
  end
  if removed then count = count + 1 end
  if flags then flags[i] = removed and '1' or '0' end
end
if flags then return table.concat(flags) end
return count
`);

/**
 * KEYS[1] entry, ARGV[1] the bytes that were read: removes the entry only while it still holds
 * exactly those bytes (Lua strings compare byte by byte), so that removing undecodable bytes
 * never removes what another client wrote after they were read. 1 when it removed them.
 */
export const UNLINK_IF_SAME = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('UNLINK', KEYS[1])
  return 1
end
return 0
`);
