import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const packagesDir = join(root, 'packages');

/** Workspace packages resolve to their sources in tests, so no build is needed before `vitest`. */
const alias = readdirSync(packagesDir)
  .filter((name) => existsSync(join(packagesDir, name, 'src/index.ts')))
  .map((name) => ({
    find: new RegExp(`^@cache/${name}$`),
    replacement: join(packagesDir, name, 'src/index.ts'),
  }));

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
