import { globMatcher } from '@cache/core/backend';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CacheModel, globMatches, modelTtl } from '../src/internal/model.js';

describe('the property model', () => {
  it('matches globs: * any run, ? one code point, nothing else special', () => {
    const cases: [string, string, boolean][] = [
      ['*', '', true],
      ['?', '', false],
      ['a*b', 'ab', true],
      ['a*b', 'a/x:yb', true],
      ['a?b', 'a😀b', true],
      ['a?b', 'a😀😀b', false],
      ['a[1]', 'a1', false],
      ['a[1]', 'a[1]', true],
      ['a-b', 'a-b', true],
      ['a\\*', 'a\\xyz', true],
      ['x.y', 'xzy', false],
      ['**?', 'k', true],
    ];
    for (const [pattern, key, expected] of cases)
      expect([pattern, key, globMatches(pattern, key)]).toEqual([pattern, key, expected]);
  });

  it("agrees with core's globMatcher on random patterns and keys", () => {
    const char = fc.constantFrom('a', 'b', '*', '?', '[', ']', '-', '.', '\\', '😀', '\0', ':');
    fc.assert(
      fc.property(
        fc.array(char, { minLength: 1, maxLength: 6 }),
        fc.array(char, { maxLength: 6 }),
        (p, k) => {
          const pattern = p.join('');
          const key = k.join('');
          expect(globMatches(pattern, key)).toBe(globMatcher(pattern)(key));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('expires at exactly expiresAt and parses the ttl strings it is given', () => {
    const model = new CacheModel();
    model.set('a', 1, 100, 0);
    model.set('b', 2, '1s', 0);
    expect([model.get('a', 99), model.has('a', 100), model.get('b', 999), model.has('b', 1000)]).toEqual([
      1,
      false,
      2,
      false,
    ]);
    expect([modelTtl('250ms'), modelTtl('1s'), modelTtl('2m'), modelTtl(7), modelTtl(undefined)]).toEqual([
      250,
      1000,
      120_000,
      7,
      undefined,
    ]);
  });
});
