// The documentation site: `pnpm docs:build` (root) builds it into tools/docs/dist.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitepress';
import { prepareContent, REPOSITORY } from './content.ts';
import { githubSlug } from './slug.ts';

const docsRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const content = prepareContent(repoRoot, `${docsRoot}content`);

const link = (target: string): string => `/${target.replace(/(^|\/)index\.md$/, '$1').replace(/\.md$/, '')}`;

export default defineConfig({
  title: '@cache',
  description: 'A caching toolkit for TypeScript: one Cache contract, many backends.',
  srcDir: 'content',
  outDir: 'dist',
  cacheDir: '.vitepress/cache',
  lastUpdated: false,
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  // Every link between pages is checked at build time too.
  // A link to the dev server (http://localhost:5173) cannot resolve in a build; every other link must.
  ignoreDeadLinks: 'localhostLinks',
  markdown: {
    // The same anchors as GitHub's, so that links written for GitHub work on the site.
    anchor: { slugify: githubSlug },
  },
  themeConfig: {
    search: { provider: 'local' },
    nav: [
      { text: 'Guides', link: content.groups.some((g) => g.text === 'Guides') ? '/guides/' : '/' },
      { text: 'Packages', link: '/packages/core' },
      { text: 'Benchmarks', link: '/benchmarks/' },
    ],
    sidebar: [
      { text: 'Overview', link: '/' },
      ...content.groups.map((group) => ({
        text: group.text,
        collapsed: false,
        items: group.pages.map((page) => ({ text: page.title, link: link(page.target) })),
      })),
    ],
    socialLinks: [{ icon: 'github', link: REPOSITORY }],
    outline: { level: [2, 3] },
  },
});
