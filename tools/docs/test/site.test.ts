// Builds the documentation site, serves it on 127.0.0.1 and opens every page in headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core): every page renders its title and content
// without a console error, every link inside the site reaches a page (and its anchor), and the
// search box finds a page by its title.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileFor, serve } from './serve.ts';

const run = promisify(execFile);
const docsRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(docsRoot, '../..');
const dist = join(docsRoot, 'dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** What a visit to one page found. */
interface Visit {
  title: string;
  heading: string;
  textLength: number;
  errors: string[];
  ids: Set<string>;
  links: string[];
}

let server: Server;
let base: string;
let browser: Browser;
const visits = new Map<string, Visit>();

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.html') && file !== '404.html')
    .map((file) => file.replace(/\\/g, '/'))
    .sort();
}

/** The URL path of a built page: `index.html` is `/`, `a/index.html` is `/a/`, `a/b.html` is `/a/b.html`. */
const pathOf = (file: string): string => `/${file.replace(/(^|\/)index\.html$/, '$1')}`;

async function visit(page: Page, path: string): Promise<Visit> {
  const errors: string[] = [];
  const onConsole = (message: { type(): string; text(): string }) => {
    if (message.type() === 'error') errors.push(message.text());
  };
  const onError = (error: Error) => errors.push(error.message);
  const onResponse = (response: { status(): number; url(): string }) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  };
  page.on('console', onConsole);
  page.on('pageerror', onError);
  page.on('response', onResponse);
  try {
    const response = await page.goto(base + path, { waitUntil: 'networkidle' });
    expect(response?.status(), path).toBe(200);
    await page.locator('.vp-doc h1').first().waitFor();
    const found = await page.evaluate(() => ({
      title: document.title,
      heading: (document.querySelector('.vp-doc h1')?.textContent ?? '')
        .replace(/\u200b/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
      textLength: (document.querySelector('main .vp-doc')?.textContent ?? '').trim().length,
      ids: [...document.querySelectorAll('[id]')].map((element) => element.id),
      links: [...document.querySelectorAll('a[href]')].map((a) => (a as HTMLAnchorElement).href),
    }));
    return { ...found, errors, ids: new Set(found.ids) };
  } finally {
    page.off('console', onConsole);
    page.off('pageerror', onError);
    page.off('response', onResponse);
  }
}

beforeAll(async () => {
  await run(join(docsRoot, 'node_modules/.bin/vitepress'), ['build', '.'], {
    cwd: docsRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  ({ server, base } = await serve(dist));
  // playwright starts Chromium with a new empty profile (--user-data-dir) of its own.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage();
  for (const file of htmlFiles(dist)) visits.set(pathOf(file), await visit(page, pathOf(file)));
  await page.close();
});

afterAll(async () => {
  await browser?.close();
  // A failed build leaves no server: closing nothing must not wait forever.
  if (server) await new Promise((resolve) => server?.close(resolve));
});

describe('the documentation site', () => {
  it('has a page for the README, every package README and every markdown file of docs/', () => {
    const packages = readdirSync(join(repoRoot, 'packages')).filter((name) =>
      readdirSync(join(repoRoot, 'packages', name)).includes('README.md'),
    );
    const docs = readdirSync(join(repoRoot, 'docs'), { recursive: true, encoding: 'utf8' })
      .map((file) => file.replace(/\\/g, '/'))
      .filter(
        (file) => file.endsWith('.md') && !file.includes('/examples/') && !file.startsWith('examples/'),
      );
    const expected = [
      '/',
      ...packages.map((name) => `/packages/${name}.html`),
      ...docs.map((file) => `/${file.replace(/(^|\/)README\.md$/, '$1').replace(/\.md$/, '.html')}`),
    ].sort();
    expect([...visits.keys()].sort()).toEqual(expected);
  });

  it('renders every page with its title and content, without a console error', () => {
    expect(visits.size).toBeGreaterThanOrEqual(20);
    for (const [path, found] of visits) {
      expect(found.heading.length, `${path} has an h1`).toBeGreaterThan(0);
      expect(found.title, path).toContain(found.heading.slice(0, 20));
      expect(found.title, path).toMatch(/ \| @cache$/);
      expect(found.textLength, `${path} has content`).toBeGreaterThan(200);
      expect(found.errors, path).toEqual([]);
    }
  });

  it('has no broken link inside the site, anchors included', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const [path, found] of visits) {
      for (const href of found.links) {
        const url = new URL(href);
        if (url.origin !== base) continue;
        checked++;
        const file = fileFor(dist, url.pathname);
        if (!file) {
          broken.push(`${path} -> ${url.pathname}`);
          continue;
        }
        const hash = decodeURIComponent(url.hash.slice(1));
        if (!file.endsWith('.html') || hash === '') continue;
        const target = visits.get(pathOf(relative(dist, file).replace(/\\/g, '/')));
        if (!target?.ids.has(hash)) broken.push(`${path} -> ${url.pathname}#${hash}`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(visits.size * 10);
  });

  it('finds a page by its title with the search box and opens it', async () => {
    // A guide when there are guides, else the tiered architecture page.
    const guides = [...visits.entries()].filter(
      ([path]) => path.startsWith('/guides/') && path !== '/guides/',
    );
    const [path, target] = guides[0] ?? [...visits.entries()].find(([p]) => p === '/tiered.html')!;
    const title = target.heading;
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/`, { waitUntil: 'networkidle' });
      await page.locator('#local-search button').click();
      const input = page.locator('.VPLocalSearchBox input');
      await input.fill(title);
      const result = page.locator('.VPLocalSearchBox .results a', { hasText: title }).first();
      await result.waitFor();
      expect(new URL(await result.evaluate((a) => (a as HTMLAnchorElement).href)).pathname).toBe(path);
      await result.click();
      await page.waitForURL((url) => url.pathname === path);
      await expect.poll(() => page.locator('.vp-doc h1').first().textContent()).toContain(title.slice(0, 20));
    } finally {
      await page.close();
    }
  });
});
