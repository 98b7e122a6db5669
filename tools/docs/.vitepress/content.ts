// Lays out the site's pages in tools/docs/content (generated, not committed) from the repository:
// the root README as the home page, docs/**/*.md and their SVG plots, and every package README.
// Links are rewritten so that a link to a file that is a page of the site (relative, or absolute
// to the repository on GitHub) stays inside the site, and a relative link to anything else (a
// source file, a folder, a JSON file) points to the repository on GitHub.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { benchmarkCharts } from './charts.ts';

export const REPOSITORY = 'https://github.com/cache-toolkit/cache';

/** One page of the site: where its markdown comes from and where it goes. */
interface Page {
  /** Path of the source file in the repository, e.g. `packages/core/README.md`. */
  source: string;
  /** Path of the page under the site's source folder, e.g. `packages/core.md`. */
  target: string;
  /** The page's first heading. */
  title: string;
}

/** The pages of the site, grouped as the sidebar shows them. */
export interface Content {
  home: Page;
  groups: { text: string; pages: Page[] }[];
}

function firstHeading(markdown: string, fallback: string): string {
  const heading = /^#\s+(.+)$/m.exec(markdown)?.[1];
  return heading ? heading.replace(/`/g, '').trim() : fallback;
}

function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.md'))
    .sort();
}

/** Where each repository file that is a page of the site lands, by repository path. */
function collectPages(root: string): Content {
  const page = (source: string, target: string): Page => ({
    source,
    target,
    title: firstHeading(readFileSync(join(root, source), 'utf8'), target),
  });
  const folder = (dir: string, into: string): Page[] => {
    const files = markdownFiles(join(root, dir));
    // A folder's README is its index page and comes first; the pages it links to follow in the
    // order of its links (the guides' reading order), then the others by name.
    const index = files.includes('README.md') ? readFileSync(join(root, dir, 'README.md'), 'utf8') : '';
    const linked = [...index.matchAll(/\]\(\.?\/?([\w.-]+\.md)(?:#[^)]*)?\)/g)]
      .map((m) => m[1] as string)
      .filter((f, i, all) => f !== 'README.md' && files.includes(f) && all.indexOf(f) === i);
    const ordered = [
      ...files.filter((f) => f === 'README.md'),
      ...linked,
      ...files.filter((f) => f !== 'README.md' && !linked.includes(f)),
    ];
    return ordered.map((file) =>
      page(posix.join(dir, file), posix.join(into, file === 'README.md' ? 'index.md' : file)),
    );
  };
  const packages = readdirSync(join(root, 'packages'))
    .filter((name) => existsSync(join(root, 'packages', name, 'README.md')))
    .sort()
    .map((name) => page(`packages/${name}/README.md`, `packages/${name}.md`));
  return {
    home: page('README.md', 'index.md'),
    groups: [
      { text: 'Guides', pages: folder('docs/guides', 'guides') },
      { text: 'Packages', pages: packages },
      { text: 'Architecture', pages: folder('docs', '') },
      { text: 'Benchmarks', pages: folder('docs/benchmarks', 'benchmarks') },
    ].filter((group) => group.pages.length > 0),
  };
}

/** The repository path a link points to, or undefined for a link elsewhere. */
function linkedPath(href: string, from: string): string | undefined {
  const github = new RegExp(`^${REPOSITORY.replace(/[.]/g, '\\.')}/(?:tree|blob)/main/?(.*)$`).exec(href);
  if (github) return github[1] ?? '';
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('/') || href.startsWith('#')) return undefined;
  return posix.normalize(posix.join(posix.dirname(from), href)).replace(/\/$/, '');
}

/** Rewrites the links of one page: site pages stay in the site, other repository files go to GitHub. */
function rewriteLinks(markdown: string, page: Page, targets: Map<string, string>): string {
  const rewrite = (href: string): string => {
    const hash = href.indexOf('#');
    const path = hash >= 0 ? href.slice(0, hash) : href;
    const anchor = hash >= 0 ? href.slice(hash) : '';
    if (path === '') return href;
    const repoPath = linkedPath(path, page.source);
    if (repoPath === undefined) return href;
    const target =
      targets.get(repoPath) ?? targets.get(`${repoPath}/README.md`) ?? targets.get(`${repoPath}/index.md`);
    if (target !== undefined) {
      const rel = posix.relative(posix.dirname(page.target), target) || posix.basename(target);
      return (rel.startsWith('.') ? rel : `./${rel}`) + anchor;
    }
    if (href.startsWith('http')) return href;
    return `${REPOSITORY}/blob/main/${repoPath}${anchor}`;
  };
  // Inline links and images, outside fenced code.
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      if (fenced) return line;
      return line.replace(
        /(\]\()([^)\s]+)((?:\s+"[^"]*")?\))/g,
        (_, open, href, close) => open + rewrite(href) + close,
      );
    })
    .join('\n');
}

/**
 * Writes the site's source folder from the repository and returns its pages.
 * @param root the repository root
 * @param out the folder VitePress reads (emptied first, except `.vitepress`)
 */
export function prepareContent(root: string, out: string): Content {
  const content = collectPages(root);
  const pages = [content.home, ...content.groups.flatMap((g) => g.pages)];
  // Assets (plots) of docs/ land beside their pages, and so do the charts drawn from benchmark data.
  const targets = new Map<string, string>(pages.map((p) => [p.source, p.target]));
  const assets: [string, string][] = [];
  for (const [dir, into] of [
    ['docs', ''],
    ['docs/benchmarks', 'benchmarks'],
    ['docs/guides', 'guides'],
  ] as const) {
    if (!existsSync(join(root, dir))) continue;
    for (const file of readdirSync(join(root, dir))) {
      if (!/\.(svg|png)$/.test(file) || !statSync(join(root, dir, file)).isFile()) continue;
      assets.push([posix.join(dir, file), posix.join(into, file)]);
      targets.set(posix.join(dir, file), posix.join(into, file));
    }
  }
  if (existsSync(out)) {
    for (const entry of readdirSync(out))
      if (entry !== '.vitepress') rmSync(join(out, entry), { recursive: true });
  }
  // The site's own static files (the favicon).
  cpSync(join(root, 'tools/docs/public'), join(out, 'public'), { recursive: true });
  for (const [source, target] of assets) {
    mkdirSync(dirname(join(out, target)), { recursive: true });
    cpSync(join(root, source), join(out, target));
  }
  const charts = benchmarkCharts(root);
  for (const page of pages) {
    let markdown = rewriteLinks(readFileSync(join(root, page.source), 'utf8'), page, targets);
    const chart = charts.get(page.source);
    if (chart) {
      const file = page.target.replace(/\.md$/, '-chart.svg');
      mkdirSync(dirname(join(out, file)), { recursive: true });
      writeFileSync(join(out, file), chart.svg);
      markdown = insertAfterFirstHeading(markdown, `![${chart.alt}](./${posix.basename(file)})\n`);
    }
    mkdirSync(dirname(join(out, page.target)), { recursive: true });
    writeFileSync(join(out, page.target), markdown);
  }
  return content;
}

function insertAfterFirstHeading(markdown: string, block: string): string {
  const match = /^#\s+.+$/m.exec(markdown);
  if (!match) return `${block}\n${markdown}`;
  const end = match.index + match[0].length;
  return `${markdown.slice(0, end)}\n\n${block}${markdown.slice(end)}`;
}
