import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The tests of tools/: the declaration and type checks of `types/` (the packages must be built), the scripts, and the benchmarks' process handling. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['types/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
