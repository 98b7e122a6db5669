import { fileURLToPath } from 'node:url';
import { mergeConfig, type Plugin } from 'vitest/config';
import { packageConfig } from '../../vitest.shared.ts';

const exampleDir = fileURLToPath(new URL('../../docs/examples/', import.meta.url));
const here = fileURLToPath(import.meta.url);

/**
 * The example service in docs/examples is an application that installs @cache/* and prom-client;
 * in the workspace it has no node_modules of its own, so its package imports resolve as this
 * package's do (its declared dependencies, the `@cache/source` condition).
 */
const exampleImports: Plugin = {
  name: 'example-imports-from-prometheus',
  enforce: 'pre',
  resolveId(source, importer, options) {
    if (importer === undefined || !importer.startsWith(exampleDir) || /^(\.|\/|node:)/.test(source))
      return null;
    return this.resolve(source, here, { ...options, skipSelf: true });
  },
};

export default mergeConfig(packageConfig(), { plugins: [exampleImports] });
