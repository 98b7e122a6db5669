// An application outside the workspace, as a user builds it: the packages are packed
// (`pnpm pack`), installed with npm into a temporary directory beside ioredis 5, TypeScript and
// esbuild, and then:
// - every ts/js code block of the root README, of every package README and of every guide in
//   docs/guides compiles under `strict` and `exactOptionalPropertyTypes` (the blocks are extracted
//   from the documents, not copied; the markers are in tools/app-test/README.md), and the blocks
//   marked runnable run: on memory://, file:// (a temporary directory) and redis:// (a unique
//   prefix, removed afterwards) when they read CACHE_URL, with the same output on each;
// - the declarations of every public entry point and the type checks of app/src/types.ts compile
//   without skipLibCheck;
// - one program runs unchanged on memory://, file:// and redis:// with the same output;
// - the application's ioredis 5 client works as RedisCache's `client`;
// - an esbuild bundle that registers its backends runs where no node_modules exist;
// - a CommonJS module loads the packages with require().
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allBlocks, blockFileName, type CodeBlock, usesCacheUrl } from './code-blocks.js';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../../..');
/** Every package of the workspace (the private test-utils too: its README has an example). */
const PACKAGES = readdirSync(join(root, 'packages'))
  .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
  .sort();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let app: string;

async function sh(command: string, args: string[], cwd = app): Promise<string> {
  try {
    const { stdout } = await run(command, args, {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, REDIS_URL },
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}\n${e.message}`,
    );
  }
}

const blocks: CodeBlock[] = allBlocks(root);
/** A prefix for the Redis keys of the runnable blocks, removed after them (and only it). */
const DOCS_PREFIX = `app-test:${process.pid}:docs:`;

/** The package a module specifier names (`@scope/name/sub` is `@scope/name`), or undefined for a built-in or a relative path. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
  return builtinModules.includes(name) ? undefined : name;
}

/** The packages other than @cache's that the blocks import (keyv, lru-cache, prom-client, ...). */
function blockDependencies(): string[] {
  const names = new Set<string>();
  for (const block of blocks) {
    if (block.mode === 'skip') continue;
    for (const m of block.code.matchAll(/(?:\bfrom|\bimport\(|\brequire\(|^import)\s*['"]([^'"]+)['"]/gm)) {
      const name = packageOf(m[1] as string);
      if (name !== undefined && !name.startsWith('@cache/')) names.add(name);
    }
  }
  return [...names].sort();
}

/** The version range the workspace itself uses for a package (root, tools or a package's manifest). */
function workspaceRange(name: string): string {
  const manifests = [
    join(root, 'package.json'),
    join(root, 'tools/package.json'),
    ...readdirSync(join(root, 'tools')).map((dir) => join(root, 'tools', dir, 'package.json')),
    ...PACKAGES.map((dir) => join(root, 'packages', dir, 'package.json')),
  ].filter((file) => existsSync(file));
  for (const file of manifests) {
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
      const range = manifest[field]?.[name];
      if (typeof range === 'string' && !range.startsWith('workspace:')) return range;
    }
  }
  throw new Error(`a documentation block imports ${name}: add it to tools/package.json's devDependencies`);
}

/** The `import type` of every public entry point of every published package, checked without skipLibCheck. */
function entryPoints(): string {
  const lines: string[] = [];
  for (const name of PACKAGES) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    // The published entries: pnpm packs publishConfig.exports in place of exports.
    for (const entry of Object.keys(manifest.publishConfig?.exports ?? manifest.exports ?? { '.': null })) {
      if (entry === './package.json') continue;
      lines.push(`import type * as entry${lines.length} from '${manifest.name}${entry.slice(1)}';`);
    }
  }
  return `${lines.join('\n')}\nexport type { ${lines.map((_, i) => `entry${i}`).join(', ')} };\n`;
}

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'cache-app-'));
  const tarballs = join(app, 'tarballs');
  mkdirSync(tarballs);
  const dependencies: Record<string, string> = {};
  for (const name of PACKAGES) {
    await sh('pnpm', ['pack', '--pack-destination', tarballs], join(root, 'packages', name));
  }
  for (const file of readdirSync(tarballs)) {
    const name = /^cache-(.+)-\d+\.\d+\.\d+.*\.tgz$/.exec(file)?.[1];
    if (name) dependencies[`@cache/${name}`] = `file:tarballs/${file}`;
  }
  expect(Object.keys(dependencies).sort()).toEqual(PACKAGES.map((name) => `@cache/${name}`).sort());
  cpSync(join(here, '../app'), app, { recursive: true });
  mkdirSync(join(app, 'src/blocks'));
  mkdirSync(join(app, 'src/runnable'));
  for (const block of blocks) {
    if (block.mode === 'skip') continue;
    const dir = block.mode === 'run' ? 'src/runnable' : 'src/blocks';
    writeFileSync(
      join(app, dir, blockFileName(block)),
      `// ${block.file}:${block.line}\n${block.code}\nexport {};\n`,
    );
  }
  writeFileSync(join(app, 'src/entries.ts'), entryPoints());
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'cache-app',
        private: true,
        type: 'module',
        dependencies: {
          ...Object.fromEntries(blockDependencies().map((name) => [name, workspaceRange(name)])),
          ...dependencies,
          ioredis: '^5.9.2',
          '@types/node': '^20.19.0',
          typescript: '^5.9.3',
          esbuild: '^0.28.2',
        },
      },
      null,
      2,
    ),
  );
  await sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
}, 600_000);

afterAll(() => {
  if (app && !process.env.KEEP_APP) rmSync(app, { recursive: true, force: true });
});

describe('an application built from the packed packages', () => {
  it('type-checks every public entry point and the typed API without skipLibCheck', async () => {
    await sh('npx', ['tsc', '-p', 'tsconfig.json']);
  });

  it('finds the code blocks of every README and guide, and lists the skipped ones', () => {
    const documents = new Set(blocks.map((b) => b.file));
    expect(documents).toContain('README.md');
    expect(documents).toContain('packages/core/README.md');
    expect(documents).toContain('docs/guides/getting-started.md');
    const skipped = blocks.filter((b) => b.mode === 'skip');
    for (const block of skipped) console.log(`skipped ${block.file}:${block.line}: ${block.reason}`);
    // Skips are for fragments that cannot compile alone: keep them rare.
    expect(skipped.length).toBeLessThanOrEqual(Math.ceil(blocks.length / 20));
    expect(blocks.filter((b) => b.mode === 'run').length).toBeGreaterThanOrEqual(10);
  });

  it('type-checks the code blocks of the READMEs and guides under strict and exactOptionalPropertyTypes', async () => {
    await sh('npx', ['tsc', '-p', 'tsconfig.blocks.json']);
  });

  it('runs the runnable blocks: on memory, file and Redis when they read CACHE_URL, with the same output', async () => {
    await sh('npx', ['tsc', '-p', 'tsconfig.runnable.json']);
    const files = mkdtempSync(join(tmpdir(), 'cache-blocks-'));
    const runnable = blocks.filter((b) => b.mode === 'run');
    let n = 0;
    const runBlock = async (block: CodeBlock): Promise<void> => {
      const script = join('dist/runnable', blockFileName(block).replace(/\.ts$/, '.js'));
      const backends = usesCacheUrl(block) ? ['memory', 'file', 'redis'] : [undefined];
      const outputs: string[] = [];
      for (const backend of backends) {
        const prefix = `${DOCS_PREFIX}${n++}:`;
        const env: Record<string, string> = { CACHE_PREFIX: prefix, REDIS_URL };
        if (backend === 'memory') env.CACHE_URL = 'memory://';
        if (backend === 'file') env.CACHE_URL = `file://${join(files, String(n))}`;
        if (backend === 'redis')
          env.CACHE_URL = `${REDIS_URL}${REDIS_URL.includes('?') ? '&' : '?'}prefix=${prefix}`;
        try {
          const { stdout } = await run('node', [script], {
            cwd: app,
            timeout: 60_000,
            maxBuffer: 16 * 1024 * 1024,
            env: { ...process.env, ...env },
          });
          outputs.push(stdout);
        } catch (error) {
          const e = error as { stdout?: string; stderr?: string; killed?: boolean; message: string };
          throw new Error(
            `${block.file}:${block.line} (${backend ?? 'run'}) ${e.killed ? 'did not exit within 60 s (close every cache it opens)' : 'failed'}:\n${e.stdout ?? ''}\n${e.stderr ?? ''}\n${e.message}`,
          );
        }
      }
      for (const output of outputs.slice(1)) expect(output, `${block.file}:${block.line}`).toBe(outputs[0]);
    };
    try {
      const queue = [...runnable];
      await Promise.all(
        Array.from({ length: 3 }, async () => {
          for (let block = queue.shift(); block; block = queue.shift()) await runBlock(block);
        }),
      );
    } finally {
      rmSync(files, { recursive: true, force: true });
      // Only the keys under this run's prefix are removed, then none may be left.
      const left = await sh('node', [
        '--input-type=module',
        '-e',
        `import { Redis } from 'ioredis';
const redis = new Redis(process.env.REDIS_URL);
let count = 0;
for await (const keys of redis.scanStream({ match: ${JSON.stringify(`${DOCS_PREFIX}*`)}, count: 1000 })) {
  if (keys.length > 0) count += await redis.unlink(...keys);
}
let left = 0;
for await (const keys of redis.scanStream({ match: ${JSON.stringify(`${DOCS_PREFIX}*`)}, count: 1000 })) left += keys.length;
await redis.quit();
console.log(String(left) + ' ' + String(count));`,
      ]);
      expect(left.trim()).toMatch(/^0 \d+$/);
    }
  });

  it('runs one program unchanged on memory://, file:// and redis://', async () => {
    const dir = join(app, 'file-cache');
    const outputs = [];
    for (const url of ['memory://', `file://${dir}`, `${REDIS_URL}?prefix=app-test:${process.pid}:`]) {
      outputs.push(JSON.parse(await sh('node', ['dist/app.js', url])));
    }
    expect(outputs[0]).toEqual({
      roundTrip: true,
      bodyIsBuffer: true,
      userName: 'Ada',
      userSince: '1970-01-01T00:00:00.000Z',
      afterInvalidate: null,
      fromNamespace: 'Grace',
      namespaceCleared: true,
      prices: [300, 300, 400],
      computed: 2,
    });
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[2]).toEqual(outputs[0]);
  });

  it("uses the application's ioredis 5 client", async () => {
    const version = JSON.parse(readFileSync(join(app, 'node_modules/ioredis/package.json'), 'utf8')).version;
    expect(version).toMatch(/^5\./);
    expect(JSON.parse(await sh('node', ['dist/ioredis5.js']))).toEqual({
      when: '1970-01-01T00:00:00.000Z',
      locked: 1,
      invalidated: true,
    });
  });

  it('runs an esbuild bundle that registers its backends, without node_modules', async () => {
    await sh('npx', [
      'esbuild',
      'src/bundle.ts',
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--outfile=out/bundle.mjs',
      '--log-level=error',
    ]);
    const elsewhere = mkdtempSync(join(tmpdir(), 'cache-bundle-'));
    try {
      cpSync(join(app, 'out/bundle.mjs'), join(elsewhere, 'bundle.mjs'));
      for (const url of ['memory://', `file://${join(elsewhere, 'files')}`]) {
        expect(JSON.parse(await sh('node', ['bundle.mjs', url], elsewhere))).toEqual({
          at: '1970-01-01T00:00:00.000Z',
          computed: 42,
        });
      }
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('loads the packages with require() from CommonJS', async () => {
    expect(JSON.parse(await sh('node', ['dist/require.cjs']))).toEqual({
      value: { n: 1 },
      direct: 2,
      code: 'CACHE_KEY_INVALID',
    });
  });
});
