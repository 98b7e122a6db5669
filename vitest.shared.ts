import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const packagesDir = join(root, 'packages');

/**
 * Workspace packages resolve to their sources in tests, so no build is needed before `vitest`:
 * `@cache/<name>` to `src/index.ts`, and each subpath entry (`@cache/core/backend`) to its file in
 * `src/` (`src/backend.ts`).
 */
const alias = readdirSync(packagesDir)
  .filter((name) => existsSync(join(packagesDir, name, 'src/index.ts')))
  .flatMap((name) => {
    const manifest = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')) as {
      exports?: Record<string, unknown>;
    };
    const subpaths = Object.keys(manifest.exports ?? {})
      .filter((key) => key.startsWith('./') && key !== './package.json')
      .map((key) => key.slice(2))
      .filter((subpath) => existsSync(join(packagesDir, name, `src/${subpath}.ts`)));
    return [
      ...subpaths.map((subpath) => ({
        find: new RegExp(`^@cache/${name}/${subpath}$`),
        replacement: join(packagesDir, name, `src/${subpath}.ts`),
      })),
      { find: new RegExp(`^@cache/${name}$`), replacement: join(packagesDir, name, 'src/index.ts') },
    ];
  });

/** The vitest configuration every package extends. */
export function packageConfig(overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineConfig({
    resolve: { alias },
    test: {
      include: ['test/**/*.test.ts'],
      reporters: ['default', 'json'],
      outputFile: { json: '.vitest-report.json' },
      testTimeout: 20_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
