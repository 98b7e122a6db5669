import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { SOURCE_CONDITIONS } from '../../vitest.shared.ts';

/**
 * The tests of tools/: the declaration and type checks of `types/` (the packages must be built:
 * they compile against the built `.d.ts` and run the built files), the scripts, and the
 * benchmarks' process handling. What the tests import from the workspace resolves to sources, as
 * in the packages' tests.
 */
export default defineConfig({
  resolve: { conditions: SOURCE_CONDITIONS },
  ssr: { resolve: { conditions: SOURCE_CONDITIONS } },
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['types/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
