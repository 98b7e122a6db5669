import { describe, expect, it } from 'vitest';
import { checkTarball, entryPaths } from './check-tarballs.mjs';

const manifest = {
  name: '@cache/tiered',
  version: '0.1.0',
  main: './dist/cjs/index.js',
  types: './dist/cjs/index.d.ts',
  bin: { cache: './dist/cli.js' },
  exports: {
    '.': {
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/cjs/index.d.ts', default: './dist/cjs/index.js' },
    },
    './package.json': './package.json',
  },
  peerDependencies: { '@cache/core': '^0.1.0', ioredis: '^5.11.0' },
};
const files = [
  'LICENSE',
  'README.md',
  'CHANGELOG.md',
  'package.json',
  'dist/index.js',
  'dist/index.d.ts',
  'dist/cli.js',
  'dist/cjs/index.js',
  'dist/cjs/index.d.ts',
];
const versions = new Map([
  ['@cache/core', '0.1.0'],
  ['@cache/tiered', '0.1.0'],
]);

describe('entryPaths', () => {
  it('lists main, types, bin and every exports target', () => {
    expect(entryPaths(manifest)).toEqual([
      'dist/cjs/index.d.ts',
      'dist/cjs/index.js',
      'dist/cli.js',
      'dist/index.d.ts',
      'dist/index.js',
      'package.json',
    ]);
  });
});

describe('checkTarball', () => {
  it('accepts a complete tarball', () => {
    expect(checkTarball(manifest, files, { versions, hasChangelog: true })).toEqual([]);
  });

  it('names each missing file and each wrong range', () => {
    const pkg = {
      ...manifest,
      dependencies: { '@cache/namespaced': 'workspace:^' },
      peerDependencies: { '@cache/core': '^0.0.0' },
    };
    const without = files.filter((f) => f !== 'LICENSE' && f !== 'dist/cli.js' && f !== 'CHANGELOG.md');
    expect(checkTarball(pkg, without, { versions, hasChangelog: true })).toEqual([
      '@cache/tiered@0.1.0: the tarball has no dist/cli.js',
      '@cache/tiered@0.1.0: the tarball has no LICENSE',
      '@cache/tiered@0.1.0: the tarball has no CHANGELOG.md',
      '@cache/tiered@0.1.0: dependencies.@cache/namespaced is still workspace:^',
      '@cache/tiered@0.1.0: peerDependencies.@cache/core is ^0.0.0, expected ^0.1.0',
    ]);
  });

  it('names what is left of the resolution to sources', () => {
    const pkg = {
      ...manifest,
      exports: {
        '.': { '@cache/source': './src/index.ts', ...manifest.exports['.'] },
        './internal/x': { types: './dist/internal/x.d.ts', default: './dist/internal/x.js' },
        './package.json': './package.json',
      },
      types: './src/index.ts',
      publishConfig: { access: 'public', exports: {} },
    };
    const packed = [...files, 'src/index.ts', 'dist/internal/x.js', 'dist/internal/x.d.ts'];
    expect(checkTarball(pkg, packed, { versions, hasChangelog: true })).toEqual([
      '@cache/tiered@0.1.0: types is ./src/index.ts',
      '@cache/tiered@0.1.0: exports["."]["@cache/source"] is a workspace condition',
      '@cache/tiered@0.1.0: exports["./internal/x"] is a workspace-only entry',
      '@cache/tiered@0.1.0: publishConfig.exports was not put in place of exports',
    ]);
  });
});
