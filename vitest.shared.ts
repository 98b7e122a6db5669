import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Workspace packages resolve to their sources in tests, so no build is needed before `vitest`:
 * every entry of a package's `exports` starts with the `@cache/source` condition, which names the
 * entry's TypeScript file (`@cache/core/backend` -> `src/backend.ts`; see
 * tools/scripts/check-packages.mjs). The same condition serves `tsc` (tsconfig.base.json's
 * `customConditions`) and the tools run from source (`node --conditions=@cache/source`).
 * Vite's own defaults follow it, for every other package.
 */
export const SOURCE_CONDITIONS = ['@cache/source', 'module', 'node', 'development|production'];

/** The vitest configuration every package extends. */
export function packageConfig(overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineConfig({
    resolve: { conditions: SOURCE_CONDITIONS },
    ssr: { resolve: { conditions: SOURCE_CONDITIONS } },
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
