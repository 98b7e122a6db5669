import { describe, expect, it } from 'vitest';
import {
  absoluteLink,
  applyFixes,
  checkExports,
  checkManifest,
  checkReadme,
  expectedMetadata,
  isRelativeLink,
  markdownLinks,
  publishedExports,
  repositoryWebUrl,
  sourceOf,
} from './check-packages.mjs';

const webUrl = 'https://github.com/cache-toolkit/cache';
const repo = new Set([
  'packages',
  'packages/core',
  'packages/core/README.md',
  'packages/tiered/src/index.ts',
  'packages/tiered/src/internal/x.ts',
  'docs',
  'docs/tiered.md',
]);
const dirs = new Set(['packages', 'packages/core', 'docs']);
const context = {
  webUrl,
  dir: 'tiered',
  exists: (p: string) => p === '.' || repo.has(p),
  isDirectory: (p: string) => p === '.' || dirs.has(p),
};

describe('markdownLinks', () => {
  it('finds inline links, images, reference definitions and HTML attributes, not code', () => {
    const text = [
      'See [core](../core) and ![plot](<../../docs/p.png> "a plot").',
      '[ref]: ../../docs/tiered.md',
      '<a href="../x">x</a> <img src=\'y.png\'>',
      'Code `[a](../not-a-link)` and:',
      '```ts',
      "const s = '[b](../also-not)';",
      '```',
    ].join('\n');
    expect(markdownLinks(text).map((l: { target: string }) => l.target)).toEqual([
      '../core',
      '../../docs/p.png',
      '../../docs/tiered.md',
      '../x',
      'y.png',
    ]);
  });

  it('gives the offset of each target', () => {
    const text = 'a [b](c) [d](e)';
    expect(markdownLinks(text)).toEqual([
      { target: 'c', index: 6 },
      { target: 'e', index: 13 },
    ]);
  });
});

describe('isRelativeLink', () => {
  it('is true for paths only', () => {
    expect(isRelativeLink('../core')).toBe(true);
    expect(isRelativeLink('docs/x.md')).toBe(true);
    expect(isRelativeLink('#options')).toBe(false);
    expect(isRelativeLink('https://example.com')).toBe(false);
    expect(isRelativeLink('mailto:a@b.c')).toBe(false);
    expect(isRelativeLink('//cdn.example.com/x.png')).toBe(false);
  });
});

describe('absoluteLink', () => {
  const isDirectory = (p: string) => dirs.has(p);
  it('uses tree for a folder and blob for a file, keeping the fragment', () => {
    expect(absoluteLink(webUrl, 'tiered', '../core#redisbus', isDirectory)).toBe(
      `${webUrl}/tree/main/packages/core#redisbus`,
    );
    expect(absoluteLink(webUrl, 'tiered', '../../docs/tiered.md', isDirectory)).toBe(
      `${webUrl}/blob/main/docs/tiered.md`,
    );
    expect(absoluteLink(webUrl, 'tiered', '../..', isDirectory)).toBe(`${webUrl}/tree/main`);
  });

  it('is null for a link out of the repository', () => {
    expect(absoluteLink(webUrl, 'tiered', '../../../elsewhere', isDirectory)).toBeNull();
  });
});

describe('checkReadme', () => {
  it('reports each relative link with its line and rewrites it', () => {
    const text = '# t\n\nOver [core](../core).\n\n- [Tiers](../../docs/tiered.md) · [Options](#options)\n';
    const { problems, fixed } = checkReadme(text, context);
    expect(problems).toEqual([
      `packages/tiered/README.md:3: relative link ../core (broken on npmjs.com); use ${webUrl}/tree/main/packages/core`,
      `packages/tiered/README.md:5: relative link ../../docs/tiered.md (broken on npmjs.com); use ${webUrl}/blob/main/docs/tiered.md`,
    ]);
    expect(fixed).toBe(
      `# t\n\nOver [core](${webUrl}/tree/main/packages/core).\n\n- [Tiers](${webUrl}/blob/main/docs/tiered.md) · [Options](#options)\n`,
    );
    expect(checkReadme(fixed, context).problems).toEqual([]);
  });

  it('reports an absolute link into the repository that names nothing there', () => {
    const text = `[gone](${webUrl}/blob/main/docs/gone.md) [ok](${webUrl}/blob/main/docs/tiered.md) [other](https://example.com/blob/main/x)`;
    expect(checkReadme(text, context).problems).toEqual([
      `packages/tiered/README.md:1: ${webUrl}/blob/main/docs/gone.md names docs/gone.md, which is not in the repository`,
    ]);
  });
});

const built = {
  import: { types: './dist/index.d.ts', default: './dist/index.js' },
  require: { types: './dist/cjs/index.d.ts', default: './dist/cjs/index.js' },
};
const internal = { types: './dist/internal/x.d.ts', default: './dist/internal/x.js' };

describe('sourceOf', () => {
  it('names the TypeScript source of the ES module build', () => {
    expect(sourceOf(built)).toBe('./src/index.ts');
    expect(sourceOf(internal)).toBe('./src/internal/x.ts');
    expect(sourceOf({ require: built.require })).toBeUndefined();
    expect(sourceOf('./package.json')).toBeUndefined();
  });
});

describe('checkExports', () => {
  const exports = {
    '.': { '@cache/source': './src/index.ts', ...built },
    './internal/x': { '@cache/source': './src/internal/x.ts', ...internal },
    './package.json': './package.json',
  };
  const published = { '.': built, './package.json': './package.json' };

  it('accepts source conditions and the published exports without them and without ./internal/*', () => {
    expect(publishedExports(exports)).toEqual(published);
    const pkg = { exports, publishConfig: { access: 'public', exports: published } };
    expect(checkExports(pkg, context)).toEqual({ problems: [], fixes: {} });
  });

  it('puts the source condition first and derives publishConfig.exports', () => {
    const pkg = {
      exports: { '.': built, './internal/x': internal, './package.json': './package.json' },
      publishConfig: { access: 'public' },
    };
    const { problems, fixes } = checkExports(pkg, context);
    expect(problems).toEqual([
      'packages/tiered/package.json: exports["."] should start with "@cache/source": "./src/index.ts"',
      'packages/tiered/package.json: exports["./internal/x"] should start with "@cache/source": "./src/internal/x.ts"',
      'packages/tiered/package.json: publishConfig.exports should be exports without "@cache/source" and ./internal/* (what pnpm publishes)',
    ]);
    expect(JSON.stringify(fixes.exports)).toBe(JSON.stringify(exports));
    expect(fixes.publishConfig).toEqual({ access: 'public', exports: published });
  });

  it('names a source that does not exist; a private package has no publishConfig.exports', () => {
    const pkg = {
      private: true,
      exports: { './y': { '@cache/source': './src/y.ts', default: './dist/y.js' } },
    };
    expect(checkExports(pkg, context)).toEqual({
      problems: ['packages/tiered/package.json: exports["./y"]: its source ./src/y.ts does not exist'],
      fixes: {},
    });
  });
});

describe('checkManifest', () => {
  const complete = {
    name: '@cache/tiered',
    description: 'L1 over L2',
    ...expectedMetadata(webUrl, 'tiered'),
    keywords: ['cache', 'tiered'],
    files: ['dist', 'README.md', 'CHANGELOG.md', 'LICENSE'],
    exports: { '.': { '@cache/source': './src/index.ts', ...built } },
    publishConfig: { access: 'public', exports: { '.': built } },
  };

  it('accepts a complete package.json', () => {
    expect(checkManifest(complete, context)).toEqual({ problems: [], fixes: {} });
  });

  it('names each missing or wrong field', () => {
    const { author: _author, ...withoutAuthor } = complete;
    const pkg = {
      ...withoutAuthor,
      repository: { type: 'git', url: `git+${webUrl}.git` },
      keywords: ['cache'],
      files: ['dist', 'README.md'],
    };
    const { problems, fixes } = checkManifest(pkg, context);
    expect(problems).toEqual([
      'packages/tiered/package.json: author should be "@cache contributors"',
      `packages/tiered/package.json: repository should be {"type":"git","url":"git+${webUrl}.git","directory":"packages/tiered"}`,
      'packages/tiered/package.json: keywords should name at least two words users search for',
      'packages/tiered/package.json: files should list CHANGELOG.md, LICENSE',
    ]);
    expect(Object.keys(fixes)).toEqual(['author', 'repository', 'files']);
    expect(fixes.files).toEqual(['dist', 'README.md', 'CHANGELOG.md', 'LICENSE']);
  });
});

describe('applyFixes', () => {
  it('replaces fields in place and adds new ones after license', () => {
    const out = applyFixes(
      { name: 'a', license: 'MIT', type: 'module', files: ['dist'] },
      {
        author: 'x',
        files: ['dist', 'LICENSE'],
      },
    );
    expect(Object.keys(out)).toEqual(['name', 'license', 'author', 'type', 'files']);
    expect(out).toEqual({
      name: 'a',
      license: 'MIT',
      author: 'x',
      type: 'module',
      files: ['dist', 'LICENSE'],
    });
  });
});

describe('repositoryWebUrl', () => {
  it('strips git+ and .git', () => {
    expect(repositoryWebUrl({ type: 'git', url: `git+${webUrl}.git` })).toBe(webUrl);
    expect(repositoryWebUrl(webUrl)).toBe(webUrl);
  });
});
