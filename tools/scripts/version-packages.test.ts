import { describe, expect, it } from 'vitest';
import { leavesCaretRange, nextVersion, pendingBumps, planVersions } from './version-packages.mjs';

describe('pendingBumps', () => {
  it('keeps the largest bump per package over all changesets', () => {
    const texts = [
      '---\n"@cache/core": patch\n"@cache/tiered": minor\n---\n\nA fix.\n',
      "---\n'@cache/core': minor\n---\n\nA feature.\n",
      '---\n"@cache/core": patch\n---\n',
      'no front matter',
    ];
    expect(pendingBumps(texts)).toEqual({ '@cache/core': 'minor', '@cache/tiered': 'minor' });
  });
});

describe('nextVersion', () => {
  it('releases an unreleased package at 0.1.0 from a minor or a patch, through 0.1.0-0', () => {
    expect(nextVersion('0.0.0', 'minor')).toEqual({ next: '0.1.0', before: '0.1.0-0' });
    expect(nextVersion('0.0.0', 'patch')).toEqual({ next: '0.1.0', before: '0.1.0-0' });
  });

  it('refuses a first release without a changeset or with a major one', () => {
    expect(() => nextVersion('0.0.0', undefined)).toThrow('no changeset names it');
    expect(() => nextVersion('0.0.0', 'major')).toThrow('make its major changeset minor');
  });

  it('bumps a released package, through a pre-release for a 0.x minor', () => {
    expect(nextVersion('0.1.0', 'minor')).toEqual({ next: '0.2.0', before: '0.2.0-0' });
    expect(nextVersion('0.1.3', 'patch')).toEqual({ next: '0.1.4' });
    expect(nextVersion('0.4.2', 'major')).toEqual({ next: '1.0.0' });
    expect(nextVersion('1.2.3', 'minor')).toEqual({ next: '1.3.0' });
    expect(nextVersion('0.1.0', undefined)).toEqual({ next: '0.1.0' });
  });
});

describe('leavesCaretRange', () => {
  it('follows ^ for 0.0.x, 0.x and x', () => {
    expect(leavesCaretRange('0.0.0', '0.1.0')).toBe(true);
    expect(leavesCaretRange('0.1.0', '0.1.5')).toBe(false);
    expect(leavesCaretRange('0.1.0', '0.2.0')).toBe(true);
    expect(leavesCaretRange('1.2.0', '1.9.0')).toBe(false);
    expect(leavesCaretRange('1.2.0', '2.0.0')).toBe(true);
  });
});

describe('planVersions', () => {
  const core = { name: '@cache/core', version: '0.1.0', private: false, deps: {} };
  const memory = {
    name: '@cache/backend-memory',
    version: '0.1.0',
    private: false,
    deps: { '@cache/core': 'workspace:^' },
  };
  const tools = {
    name: '@cache/tools',
    version: '0.0.0',
    private: true,
    deps: { '@cache/core': 'workspace:^' },
  };

  it('plans every public package and leaves private ones alone', () => {
    const { plan, problems } = planVersions([core, memory, tools], {
      '@cache/core': 'patch',
      '@cache/backend-memory': 'minor',
    });
    expect(problems).toEqual([]);
    expect([...plan]).toEqual([
      ['@cache/core', { next: '0.1.1' }],
      ['@cache/backend-memory', { next: '0.2.0', before: '0.2.0-0' }],
    ]);
  });

  it('asks for a changeset of a package whose range on a dependency the new version leaves', () => {
    const { problems } = planVersions([core, memory], { '@cache/core': 'minor' });
    expect(problems).toEqual([
      '@cache/backend-memory depends on @cache/core ^0.1.0, which 0.2.0 leaves: add a changeset for @cache/backend-memory',
    ]);
  });

  it('plans the first release of every package at 0.1.0', () => {
    const first = [
      { ...core, version: '0.0.0' },
      { ...memory, version: '0.0.0' },
    ];
    const { plan, problems } = planVersions(first, {
      '@cache/core': 'minor',
      '@cache/backend-memory': 'patch',
    });
    expect(problems).toEqual([]);
    expect([...plan.values()].map((p) => p.next)).toEqual(['0.1.0', '0.1.0']);
  });

  it('names an unreleased package without a changeset', () => {
    const { problems } = planVersions([core, { ...memory, version: '0.0.0' }], {});
    expect(problems).toEqual(['@cache/backend-memory 0.0.0: no changeset names it']);
  });
});
