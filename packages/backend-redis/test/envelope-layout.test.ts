// The Lua scripts read the envelope through the core's ENVELOPE_LAYOUT: the generated `live` helper
// is pinned here, and run on a real server it agrees with the core's isLive on envelopes whose
// serializer ids, tags and expiries put the expiry at different offsets.
import { uniquePrefix } from '@cache/test-utils';
import { jsonSerializer, type Serializer } from '@cache/core';
import { encodeEnvelope, isLive, type StoredEntry } from '@cache/core/backend';
import { describe, expect, it } from 'vitest';
import { ADD, IS_LIVE, UNLINK_LIVE } from '../src/internal/scripts.js';
import { cleanUp, rawRedis } from './helpers/redis.js';

/** The `live` helper as the literal offsets of the format (magic 0xCA = 202, expiry at 3 + 1 + n + 8). */
const PINNED_LIVE = `
local function live(v, now)
  if not v or string.len(v) < 3 or string.byte(v, 1) ~= 202 then return false end
  local at = 4 + string.byte(v, 3) + 8
  if string.len(v) < at + 7 then return false end
  local exp = struct.unpack('<d', v, at)
  if exp ~= exp then return true end
  return exp > now
end
`;

const withId = (id: string): Serializer => ({ ...jsonSerializer, id });

describe('the Lua scripts and the envelope layout', () => {
  it('begin with the live helper at the pinned offsets', () => {
    for (const script of [IS_LIVE, ADD, UNLINK_LIVE])
      expect(script.source.startsWith(PINNED_LIVE)).toBe(true);
  });

  it('judge an entry live exactly as the core does', async () => {
    const raw = rawRedis();
    const prefix = uniquePrefix('layout');
    cleanUp(prefix);
    const now = 1_700_000_000_000;
    const entries: StoredEntry[] = [
      { value: 1, createdAt: 1, expiresAt: undefined, tags: [] },
      { value: 1, createdAt: 1, expiresAt: now + 1, tags: [] },
      { value: 1, createdAt: 1, expiresAt: now, tags: ['a'] },
      { value: 'x', createdAt: 1, expiresAt: now - 1, staleUntil: now + 1000, tags: ['a', 'bé'] },
    ];
    const serializers = [withId('j'), jsonSerializer, withId('s'.repeat(200))];
    let checked = 0;
    for (const serializer of serializers) {
      for (const entry of entries) {
        const key = `${prefix}${checked++}`;
        await raw.set(key, encodeEnvelope(entry, serializer));
        const live = await raw.eval(IS_LIVE.source, 1, key, now);
        expect([serializer.id.length, live]).toEqual([serializer.id.length, isLive(entry, now) ? 1 : 0]);
      }
    }
    expect(checked).toBe(12);
  });
});
