// An application outside the workspace, as a user builds it: the public packages are packed
// (`pnpm pack`), installed with npm into a temporary directory beside ioredis 5, TypeScript and
// esbuild, and then:
// - the README examples and the type checks of app/src/types.ts compile under `strict` and
//   `exactOptionalPropertyTypes` (the examples are extracted from the READMEs, not copied);
// - one program runs unchanged on memory://, file:// and redis:// with the same output;
// - the application's ioredis 5 client works as RedisCache's `client`;
// - an esbuild bundle that registers its backends runs where no node_modules exist;
// - a CommonJS module loads the packages with require().
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../../..');
const PACKAGES = [
  'core',
  'backend-memory',
  'backend-file',
  'backend-redis',
  'serializers',
  'namespaced',
  'tiered',
  'warmers',
];
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

/** The ```ts blocks of a README. */
function examples(readme: string): string[] {
  return [...readFileSync(readme, 'utf8').matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1] as string);
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
  const readmes = [
    join(root, 'README.md'),
    ...PACKAGES.map((name) => join(root, 'packages', name, 'README.md')),
  ];
  mkdirSync(join(app, 'src/readme'));
  readmes.forEach((readme, i) => {
    examples(readme).forEach((code, j) => {
      writeFileSync(
        join(app, `src/readme/example-${i}-${j}.ts`),
        `// ${readme.slice(root.length)}\n${code}\nexport {};\n`,
      );
    });
  });
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'cache-app',
        private: true,
        type: 'module',
        dependencies: {
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
  it('type-checks the README examples and the typed API under strict and exactOptionalPropertyTypes', async () => {
    const files = readdirSync(join(app, 'src/readme'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    await sh('npx', ['tsc', '-p', 'tsconfig.json']);
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
