import { createRequire } from 'node:module';
import { mergeConfig } from 'vitest/config';
import { packageConfig } from '../../vitest.shared.ts';

const require = createRequire(import.meta.url);

// The example service in docs/examples imports prom-client from outside this package.
export default mergeConfig(packageConfig(), {
  resolve: { alias: [{ find: /^prom-client$/, replacement: require.resolve('prom-client') }] },
});
