/**
 * The published declarations, as consumers compile them (see `compile.ts`): every public package's
 * `dist/*.d.ts` with `skipLibCheck: false`, in a bare environment (`lib: ES2022`, no DOM, no
 * `@types/node` at all), with the DOM library, and with Node's types. The fixtures in `fixtures/`
 * are type tests: `expectType<Equals<...>>` asserts what is inferred, `@ts-expect-error` marks
 * what must not compile (an unused one is an error, so a type that stops refusing fails here).
 * The root README's first example is compiled too, and files that import every public package
 * from ES modules and from CommonJS (with `skipLibCheck: false`, every declaration file they
 * reach is checked). Needs the packages built (`nx` builds them
 * before this target).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Compilation,
  type ConsumerProject,
  compile,
  consumerProject,
  ENVIRONMENTS,
  format,
  publicPackages,
} from './compile.ts';

/**
 * Third-party packages whose own declarations fail without `@types/node`: ioredis 6 references the
 * Node types without declaring them (a consumer of `@cache/backend-redis` needs `@types/node` or
 * `skipLibCheck`). Any other package showing up here is a new leak and fails the test.
 */
const NODE_ONLY_DEPENDENCIES = new Set(['ioredis']);

let project: ConsumerProject;

beforeAll(() => {
  project = consumerProject();
});

afterAll(() => {
  project?.remove();
});

describe.each(ENVIRONMENTS)('a consumer with the %s environment', (environment) => {
  let result: Compilation;
  beforeAll(() => {
    result = compile(project.files, environment);
  }, 120_000);

  it('reads every entry of every public package, from ES modules and from CommonJS', () => {
    const read = new Set(result.files);
    const entries = publicPackages().flatMap((pkg) => [
      pkg.types,
      pkg.requireTypes ?? pkg.types,
      ...pkg.subpaths.flatMap((s) => [s.types, s.requireTypes ?? s.types]),
    ]);
    expect(entries.filter((file) => !read.has(file))).toEqual([]);
    expect(read.has(project.readme)).toBe(true);
  });

  it('finds no error in our declarations, the type tests and the README example', () => {
    expect(result.ours, format(result.ours)).toEqual([]);
  });

  it('finds no optional option that refuses an explicit undefined (exactOptionalPropertyTypes)', () => {
    const found = result.optionalWithoutUndefined.map(({ where, name }) => `${where}: ${name}`);
    expect(found).toEqual([]);
  });

  it('finds errors only in the dependencies known to need @types/node', () => {
    const leaking = [...result.thirdParty.keys()].filter((name) => !NODE_ONLY_DEPENDENCIES.has(name));
    expect(leaking).toEqual([]);
    if (environment === 'node') expect([...result.thirdParty.keys()]).toEqual([]);
  });
});

describe('the check itself', () => {
  it('fails on a Node global, a node: import, a wrong inferred type and an unused @ts-expect-error', () => {
    const bad = join(project.dir, 'bad.mts');
    writeFileSync(
      bad,
      `import type { Stats } from 'node:fs';
import type { Cache } from '@cache/core';
export declare const bytes: Buffer;
export declare const stats: Stats;
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export async function f(cache: Cache): Promise<void> {
  const n = await cache.getOrSet('k', () => 1);
  const wrong: Equals<typeof n, string> = true;
  // @ts-expect-error this compiles, so the directive is unused
  await cache.set('k', 1);
  void wrong;
}
`,
    );
    // With ioredis (which references @types/node) in the same program: the Node types stay hidden.
    const { ours } = compile([bad, project.consumer], 'bare');
    const messages = ours.map(
      (problem) => `${problem.where.replace(/^.*bad\.mts/, 'bad.mts')}: ${problem.message}`,
    );
    expect(messages).toEqual([
      expect.stringMatching(/^bad\.mts:1:\d+: Cannot find (module|name) 'node:fs'/),
      expect.stringMatching(/^bad\.mts:3:\d+: Cannot find name 'Buffer'/),
      expect.stringMatching(/^bad\.mts:8:\d+: Type 'true' is not assignable to type 'false'/),
      expect.stringMatching(/^bad\.mts:9:\d+: Unused '@ts-expect-error' directive/),
    ]);
  }, 120_000);
});
