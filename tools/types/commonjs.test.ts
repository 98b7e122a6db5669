/**
 * The CommonJS builds (`dist/cjs`, the `require` condition), as a CommonJS project uses them. A
 * temporary project links every public package into its `node_modules` (as an install would) and:
 *
 * - runs a CommonJS file with `node` that `require()`s the packages and uses `createCache`, which
 *   loads `@cache/backend-memory` by itself, and checks that only CommonJS files were loaded;
 * - loads `@cache/core` through `require` and `import` in one process (two copies) and checks that
 *   errors of one copy are `instanceof` the other's classes and pass its `isCacheError`, and that a
 *   backend or serializer registered through one copy is used by the other's `createCache`;
 * - compiles a TypeScript consumer with `module: commonjs` + `moduleResolution: node10`, and with
 *   `module: node16` in a CommonJS package, checks that the types come from `dist/cjs/*.d.ts`
 *   (and that `@ts-expect-error` lines are errors: the types are real), then runs the emitted JS.
 *
 * Needs the packages built (the tools `test` target depends on every package's `build`).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicPackages, root } from './compile.ts';

const run = promisify(execFile);

/** Runs `node file` in the project, returns what it printed as JSON. */
async function node(file: string): Promise<unknown> {
  const { stdout } = await run(process.execPath, [file], { cwd: project, timeout: 60_000 });
  return JSON.parse(stdout);
}

let project: string;
const packages = publicPackages();

beforeAll(() => {
  project = realpathSync(mkdtempSync(join(tmpdir(), 'cache-cjs-')));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'cjs-app', private: true, type: 'commonjs' }),
  );
  mkdirSync(join(project, 'node_modules/@cache'), { recursive: true });
  for (const pkg of packages) symlinkSync(pkg.dir, join(project, 'node_modules', pkg.name), 'dir');
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

/** The `@cache/*` files a process loaded, as `package/path` (`core/dist/cjs/index.js`). */
const LOADED_FILES = `
function loadedFiles() {
  const packagesDir = ${JSON.stringify(join(root, 'packages'))};
  return Object.keys(require.cache)
    .filter((file) => file.startsWith(packagesDir))
    .map((file) => file.slice(packagesDir.length + 1).split(require('node:path').sep).join('/'));
}
`;

describe('a CommonJS application', () => {
  it('requires the packages and creates a memory cache by URL, loading CommonJS files only', async () => {
    // @cache/conformance is left out: it runs inside vitest, which refuses require() (vitest's own
    // entry throws); vitest loads the ES module build.
    // Every entry (`@cache/core/backend` too) that has a `require` condition.
    const required = packages
      .filter((p) => p.name !== '@cache/conformance')
      .flatMap((p) => [
        p.name,
        ...p.subpaths.filter((s) => s.requireTypes !== undefined).map((s) => s.specifier),
      ]);
    writeFileSync(
      join(project, 'require.cjs'),
      `${LOADED_FILES}
const core = require('@cache/core');
const memory = require('@cache/backend-memory');
const exportCounts = Object.fromEntries(
  ${JSON.stringify(required)}.map((name) => [name, Object.keys(require(name)).length]),
);
(async () => {
  const before = loadedFiles().filter((f) => f.startsWith('backend-memory/')).length;
  const cache = await core.createCache('memory://?maxEntries=10');
  await cache.set('user:1', { name: 'Ada' }, { ttl: '1m' });
  const error = await cache.set('', 1).catch((e) => e);
  const files = loadedFiles();
  console.log(JSON.stringify({
    value: await cache.get('user:1'),
    missing: await cache.get('user:2'),
    isMemoryCache: cache instanceof memory.MemoryCache,
    errorCode: error.code,
    isKeyError: error instanceof core.CacheKeyError,
    isCacheError: core.isCacheError(error, 'CACHE_KEY_INVALID'),
    exportCounts,
    backendFilesBefore: before,
    esmFiles: files.filter((f) => !f.includes('/dist/cjs/')),
    entries: files.filter((f) => f.endsWith('/dist/cjs/index.js')).sort(),
  }));
  await cache.close();
})();
`,
    );
    const out = (await node('require.cjs')) as Record<string, unknown>;
    expect(out).toMatchObject({
      value: { name: 'Ada' },
      isMemoryCache: true,
      errorCode: 'CACHE_KEY_INVALID',
      isKeyError: true,
      isCacheError: true,
      esmFiles: [],
    });
    expect(out.missing).toBeUndefined();
    const counts = out.exportCounts as Record<string, number>;
    expect(Object.keys(counts).sort()).toEqual([...required].sort());
    for (const [name, count] of Object.entries(counts)) expect(count, name).toBeGreaterThan(0);
    // Every required package's CommonJS entry, and nothing of @cache/conformance.
    expect(out.entries).toEqual(
      packages
        .filter((p) => required.includes(p.name))
        .map((p) => `${relative(join(root, 'packages'), p.dir)}/dist/cjs/index.js`)
        .sort(),
    );
  });
});

describe('@cache/core loaded through both require and import in one process', () => {
  let out: Record<string, unknown>;

  beforeAll(async () => {
    writeFileSync(
      join(project, 'both.cjs'),
      `
const cjs = require('@cache/core');
const cjsMemory = require('@cache/backend-memory');
(async () => {
  const esm = await import('@cache/core');
  const esmMemory = await import('@cache/backend-memory');
  const classes = ['CacheError', 'CacheKeyError', 'CacheExpiredError', 'CacheFullError', 'CacheConnectionError',
    'CacheTimeoutError', 'CacheSerializationError', 'CacheInvalidationError', 'CacheConfigError'];
  const instanceOf = (error, copy) => classes.filter((name) => error instanceof copy[name]);

  // An error thrown by the ES module backend (made by the ES module core), seen by the CommonJS core.
  const esmCache = new esmMemory.MemoryCache();
  const esmError = await esmCache.set('', 1).catch((e) => e);
  // An error thrown by the CommonJS backend, seen by the ES module core.
  const cjsCache = new cjsMemory.MemoryCache();
  const cjsError = await cjsCache.getOrThrow('absent').catch((e) => e);

  // A backend registered through one copy, created by the other's createCache.
  let probed;
  cjs.registerBackend('probe', () => (options) => { probed = options; return new cjsMemory.MemoryCache(); });
  const upper = { id: 'upper', serialize: (v) => JSON.stringify(v).toUpperCase(), deserialize: (s) => JSON.parse(s) };
  cjs.registerSerializer('upper', upper);
  const viaEsm = await esm.createCache('probe://?serializer=upper&ttl=5s');
  esm.registerBackend('probe-esm', () => ({ createBackend: () => new esmMemory.MemoryCache() }));
  const viaCjs = await cjs.createCache({ backend: 'probe-esm' });
  const unknown = await esm.createCache('nosuch://').catch((e) => e);

  console.log(JSON.stringify({
    twoCopies: cjs.CacheError !== esm.CacheError && cjs.createCache !== esm.createCache,
    esmError: { code: esmError.code, madeByEsm: esmError instanceof esm.CacheKeyError && Object.getPrototypeOf(esmError) === esm.CacheKeyError.prototype,
      cjsInstanceOf: instanceOf(esmError, cjs), isCacheError: cjs.isCacheError(esmError), withCode: cjs.isCacheError(esmError, 'CACHE_KEY_INVALID'),
      otherCode: cjs.isCacheError(esmError, 'CACHE_FULL'), wrapped: require('@cache/core/backend').toCacheError(esmError) === esmError },
    cjsError: { code: cjsError.code, esmInstanceOf: instanceOf(cjsError, esm), withCode: esm.isCacheError(cjsError, 'CACHE_KEY_MISSING') },
    registry: {
      esmKnows: esm.knownBackends().includes('probe'),
      esmCreated: viaEsm instanceof cjsMemory.MemoryCache,
      serializerPassed: probed && probed.serializer === upper,
      ttl: probed && probed.ttl,
      cjsCreated: viaCjs instanceof esmMemory.MemoryCache,
      cjsKnows: cjs.knownBackends().includes('probe-esm'),
    },
    unknown: { code: unknown.code, isConfigError: unknown instanceof cjs.CacheConfigError },
  }));
  await Promise.all([esmCache.close(), cjsCache.close(), viaEsm.close(), viaCjs.close()]);
})();
`,
    );
    out = (await node('both.cjs')) as Record<string, unknown>;
  }, 60_000);

  it('really loads two copies', () => {
    expect(out.twoCopies).toBe(true);
  });

  it("an error of the ES module copy is instanceof the CommonJS copy's classes and passes isCacheError", () => {
    expect(out.esmError).toEqual({
      code: 'CACHE_KEY_INVALID',
      madeByEsm: true,
      cjsInstanceOf: ['CacheError', 'CacheKeyError'],
      isCacheError: true,
      withCode: true,
      otherCode: false,
      wrapped: true,
    });
  });

  it("an error of the CommonJS copy is instanceof the ES module copy's classes", () => {
    expect(out.cjsError).toEqual({
      code: 'CACHE_KEY_MISSING',
      esmInstanceOf: ['CacheError', 'CacheKeyError'],
      withCode: true,
    });
  });

  it("backends and serializers registered through one copy are used by the other's createCache", () => {
    expect(out.registry).toEqual({
      esmKnows: true,
      esmCreated: true,
      serializerPassed: true,
      ttl: '5s',
      cjsCreated: true,
      cjsKnows: true,
    });
    expect(out.unknown).toEqual({ code: 'CACHE_CONFIG', isConfigError: true });
  });
});

describe('a TypeScript project compiled to CommonJS', () => {
  const consumer = `
import { type Cache, CacheKeyError, createCache, isCacheError } from '@cache/core';
import { MemoryCache } from '@cache/backend-memory';
// Every public package, for its types (type-only: @cache/conformance cannot be required outside vitest).
${packages.map((p, i) => `import type * as p${i} from '${p.name}';`).join('\n')}
export type Modules = [${packages.map((_, i) => `typeof p${i}`).join(', ')}];

interface User { name: string }

async function main(): Promise<void> {
  const cache: Cache = await createCache({ backend: 'memory', maxEntries: 10 });
  const direct = new MemoryCache({ maxEntries: 10 });
  await cache.set('user:1', { name: 'Ada' });
  const user = await cache.get<User>('user:1');
  // Never called: lines that must not compile.
  const refused = (): void => {
    // @ts-expect-error: a User has no age
    void user?.age;
    // @ts-expect-error: keys are strings
    void direct.get(1);
  };
  void refused;
  const error: unknown = await cache.set('', 1).catch((e: unknown) => e);
  const code: 'CACHE_KEY_INVALID' | null = isCacheError(error, 'CACHE_KEY_INVALID') ? error.code : null;
  console.log(JSON.stringify({ name: user?.name, code, keyError: error instanceof CacheKeyError }));
  await cache.close();
  await direct.close();
}
void main();
`;

  const configs: Record<string, ts.CompilerOptions> = {
    'module commonjs, moduleResolution node10': {
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      ignoreDeprecations: '6.0',
    },
    'module node16 (a CommonJS package)': {
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
    },
  };

  it.each(Object.keys(configs))(
    '%s: resolves the CommonJS declarations, type-checks, and runs',
    async (name) => {
      const dir = join(project, name.replace(/\W+/g, '-'));
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'consumer.ts');
      writeFileSync(file, consumer);
      const program = ts.createProgram([file], {
        ...configs[name],
        target: ts.ScriptTarget.ES2022,
        lib: ['lib.es2022.d.ts'],
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
        strict: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: false,
        esModuleInterop: true,
        outDir: join(dir, 'out'),
      });
      const diagnostics = ts.getPreEmitDiagnostics(program);
      expect(ts.formatDiagnostics(diagnostics, ts.createCompilerHost({}))).toBe('');
      const ours = program
        .getSourceFiles()
        .map((f) => relative(join(root, 'packages'), f.fileName))
        .filter((f) => /^[^/.]+\/dist\//.test(f));
      // Every package's declarations come from dist/cjs, none from the ES module build.
      expect(ours.filter((f) => !/^[^/]+\/dist\/cjs\//.test(f))).toEqual([]);
      const entries = packages.map((p) => `${relative(join(root, 'packages'), p.dir)}/dist/cjs/index.d.ts`);
      expect(entries.filter((f) => !ours.includes(f))).toEqual([]);

      const emitted = program.emit();
      expect(emitted.emitSkipped).toBe(false);
      expect(await node(join(dir, 'out/consumer.js'))).toEqual({
        name: 'Ada',
        code: 'CACHE_KEY_INVALID',
        keyError: true,
      });
    },
    120_000,
  );
});
