#!/usr/bin/env node
/**
 * Checks that every public package under `packages/` is ready to publish (run by `pnpm lint`, as
 * `pnpm lint:packages`):
 *
 * - its package.json names `license` (MIT), `author`, `repository` (with its `directory`),
 *   `homepage`, `bugs`, `keywords` and `description`, with the values derived from the root
 *   package.json's `repository` (the one place the repository URL is written);
 * - its `files` lists `dist`, `README.md`, `CHANGELOG.md` and `LICENSE`;
 * - it has a LICENSE file, the same text as the root LICENSE;
 * - its README has no relative link (npmjs.com shows the README without the repository around it,
 *   so `../core` or `docs/x.md` lead nowhere there), and every absolute link into the repository
 *   names a file or folder that exists;
 * - every entry of its `exports` starts with the `@cache/source` condition, which names the
 *   entry's TypeScript source (`./dist/x.js` -> `./src/x.ts`, a file that exists): the workspace
 *   (type checks, tests, tools) resolves the packages to their sources through it, with no build;
 * - `publishConfig.exports` is `exports` without that condition and without the workspace-only
 *   `./internal/*` entries (what the tools reach inside a package): pnpm publishes it in place of
 *   `exports`, so a published manifest names only `dist/`. The private packages under `packages/`
 *   (test-utils) are checked for the source condition only.
 *
 * `node tools/scripts/check-packages.mjs --fix` writes what can be derived (the metadata fields,
 * LICENSE, `files` entries, the source conditions and `publishConfig.exports`, relative README
 * links made absolute), for a new package; keywords and descriptions are left to a person. Prints
 * one line per problem and exits 1 when there is any.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

export const AUTHOR = '@cache contributors';
/** The branch that README links point into. */
export const BRANCH = 'main';
const REQUIRED_FILES = ['dist', 'README.md', 'CHANGELOG.md', 'LICENSE'];
/** The export condition that resolves a workspace package to its TypeScript sources. */
export const SOURCE_CONDITION = '@cache/source';

/** An `exports` subpath the workspace's tools use and users do not get: `./internal/*`. */
export function isWorkspaceOnly(subpath) {
  return subpath.startsWith('./internal/');
}

/** An export entry without the source condition. */
function withoutSource(entry) {
  if (entry === null || typeof entry !== 'object') return entry;
  const { [SOURCE_CONDITION]: _source, ...rest } = entry;
  return rest;
}

/**
 * The TypeScript source of an export entry, from the ES module build it names (`import.default`
 * or `default`): `./dist/internal/x.js` -> `./src/internal/x.ts`; undefined for any other entry.
 */
export function sourceOf(entry) {
  if (entry === null || typeof entry !== 'object') return undefined;
  const built = entry.import?.default ?? entry.default;
  if (typeof built !== 'string' || !/^\.\/dist\/(?!cjs\/).+\.js$/.test(built)) return undefined;
  return `./src/${built.slice('./dist/'.length, -'.js'.length)}.ts`;
}

/**
 * `exports` as the workspace reads it: every object entry starts with the source condition.
 * String entries (`"./package.json": "./package.json"`) are kept as they are.
 */
export function sourceExports(exports) {
  return Object.fromEntries(
    Object.entries(exports).map(([subpath, entry]) => {
      const source = sourceOf(entry);
      return [
        subpath,
        source === undefined ? entry : { [SOURCE_CONDITION]: source, ...withoutSource(entry) },
      ];
    }),
  );
}

/** `exports` as it is published: no source condition, no workspace-only entry. */
export function publishedExports(exports) {
  return Object.fromEntries(
    Object.entries(exports)
      .filter(([subpath]) => !isWorkspaceOnly(subpath))
      .map(([subpath, entry]) => [subpath, withoutSource(entry)]),
  );
}

/**
 * The problems of a package.json's `exports` and `publishConfig.exports` (see the file's comment),
 * and the fields to write to fix them. `exists(repoPath)` looks at the repository; a private
 * package has no `publishConfig.exports`.
 */
export function checkExports(pkg, { dir, exists }) {
  const problems = [];
  const fixes = {};
  const where = `packages/${dir}/package.json`;
  if (pkg.exports === null || typeof pkg.exports !== 'object') {
    return { problems: [`${where}: exports is missing`], fixes };
  }
  for (const [subpath, entry] of Object.entries(pkg.exports)) {
    if (typeof entry === 'string') continue;
    const source = sourceOf(entry);
    if (source === undefined) {
      problems.push(`${where}: exports["${subpath}"] names no ./dist/*.js build to derive its source from`);
    } else if (!exists(posix.join('packages', dir, source))) {
      problems.push(`${where}: exports["${subpath}"]: its source ${source} does not exist`);
    }
  }
  const expected = sourceExports(pkg.exports);
  if (JSON.stringify(pkg.exports) !== JSON.stringify(expected)) {
    for (const [subpath, entry] of Object.entries(expected)) {
      if (JSON.stringify(entry) !== JSON.stringify(pkg.exports[subpath])) {
        problems.push(
          `${where}: exports["${subpath}"] should start with "${SOURCE_CONDITION}": "${entry[SOURCE_CONDITION]}"`,
        );
      }
    }
    fixes.exports = expected;
  }
  if (!pkg.private) {
    const published = publishedExports(expected);
    if (JSON.stringify(pkg.publishConfig?.exports) !== JSON.stringify(published)) {
      problems.push(
        `${where}: publishConfig.exports should be exports without "${SOURCE_CONDITION}" and ./internal/* (what pnpm publishes)`,
      );
      fixes.publishConfig = { ...pkg.publishConfig, exports: published };
    }
  }
  return { problems, fixes };
}

/** `https://github.com/owner/name` from a package.json `repository` field. */
export function repositoryWebUrl(repository) {
  const url = typeof repository === 'string' ? repository : repository?.url;
  if (typeof url !== 'string') throw new Error('the root package.json has no repository.url');
  return url.replace(/^git\+/, '').replace(/\.git$/, '');
}

/** The metadata every public package.json must carry, for the package in `packages/<dir>`. */
export function expectedMetadata(webUrl, dir) {
  return {
    license: 'MIT',
    author: AUTHOR,
    repository: { type: 'git', url: `git+${webUrl}.git`, directory: `packages/${dir}` },
    homepage: `${webUrl}/tree/${BRANCH}/packages/${dir}#readme`,
    bugs: { url: `${webUrl}/issues` },
  };
}

/**
 * Every link target in a Markdown text, with its offset: inline links and images (`[a](t)`,
 * `![a](<t> "title")`), reference definitions (`[a]: t`) and HTML `href`/`src` attributes, outside
 * fenced code blocks and inline code.
 */
export function markdownLinks(text) {
  const links = [];
  const masked = text
    .replace(/^( {0,3})(```|~~~)[^\n]*\n[\s\S]*?^ {0,3}\2[^\n]*$/gm, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/(`+)[^`\n][\s\S]*?\1/g, (m) => ' '.repeat(m.length));
  const patterns = [
    /\]\(\s*<([^>\n]*)>/g,
    /\]\(\s*([^\s)<][^\s)]*)/g,
    /^ {0,3}\[[^\]\n]+\]:\s*<?([^\s>]+)/gm,
    /\b(?:href|src)\s*=\s*"([^"]*)"/g,
    /\b(?:href|src)\s*=\s*'([^']*)'/g,
  ];
  for (const pattern of patterns) {
    for (const m of masked.matchAll(pattern)) {
      links.push({ target: m[1], index: m.index + m[0].lastIndexOf(m[1]) });
    }
  }
  return links.sort((a, b) => a.index - b.index);
}

/** A link that depends on where the README is shown: not a URL with a scheme, not `#anchor`, not `//host`. */
export function isRelativeLink(target) {
  return (
    target !== '' &&
    !/^[a-z][a-z0-9+.-]*:/i.test(target) &&
    !target.startsWith('#') &&
    !target.startsWith('//')
  );
}

/** Line number (1-based) of an offset. */
function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

/**
 * The absolute URL of a relative link found in `packages/<dir>/README.md`: `blob` for a file and
 * `tree` for a folder (`isDirectory(repoPath)` tells which), the fragment kept. Returns null for a
 * link that leaves the repository.
 */
export function absoluteLink(webUrl, dir, target, isDirectory) {
  const [path, ...rest] = target.split('#');
  const fragment = rest.length > 0 ? `#${rest.join('#')}` : '';
  const repoPath = posix.normalize(posix.join('packages', dir, path)).replace(/\/$/, '');
  if (repoPath === '..' || repoPath.startsWith('../')) return null;
  const kind = repoPath === '.' || isDirectory(repoPath) ? 'tree' : 'blob';
  const suffix = repoPath === '.' ? '' : `/${repoPath}`;
  return `${webUrl}/${kind}/${BRANCH}${suffix}${fragment}`;
}

/** The repository path an absolute link into the repository names, or null for any other URL. */
export function repoPathOf(webUrl, target) {
  const prefix = new RegExp(
    `^${webUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(?:blob|tree)/${BRANCH}(?:/([^#?]*))?`,
  );
  const m = prefix.exec(target);
  if (!m) return null;
  return decodeURIComponent((m[1] ?? '').replace(/\/$/, '')) || '.';
}

/**
 * The problems of one README (`packages/<dir>/README.md`), and its text with the relative links
 * made absolute. `exists(repoPath)` and `isDirectory(repoPath)` look at the repository.
 */
export function checkReadme(text, { webUrl, dir, exists, isDirectory }) {
  const problems = [];
  let fixed = '';
  let last = 0;
  for (const { target, index } of markdownLinks(text)) {
    const where = `packages/${dir}/README.md:${lineOf(text, index)}`;
    if (isRelativeLink(target)) {
      const absolute = absoluteLink(webUrl, dir, target, isDirectory);
      problems.push(
        `${where}: relative link ${target} (broken on npmjs.com)${absolute ? `; use ${absolute}` : ''}`,
      );
      if (absolute) {
        fixed += text.slice(last, index) + absolute;
        last = index + target.length;
      }
      continue;
    }
    const repoPath = repoPathOf(webUrl, target);
    if (repoPath !== null && !exists(repoPath)) {
      problems.push(`${where}: ${target} names ${repoPath}, which is not in the repository`);
    }
  }
  return { problems, fixed: fixed + text.slice(last) };
}

/** The problems of one package.json (as parsed), and the fields to write to fix them. */
export function checkManifest(pkg, { webUrl, dir, exists }) {
  const problems = [];
  const fixes = {};
  const where = `packages/${dir}/package.json`;
  for (const [field, value] of Object.entries(expectedMetadata(webUrl, dir))) {
    if (JSON.stringify(pkg[field]) !== JSON.stringify(value)) {
      problems.push(`${where}: ${field} should be ${JSON.stringify(value)}`);
      fixes[field] = value;
    }
  }
  if (!Array.isArray(pkg.keywords) || pkg.keywords.length < 2) {
    problems.push(`${where}: keywords should name at least two words users search for`);
  }
  if (typeof pkg.description !== 'string' || pkg.description.trim() === '') {
    problems.push(`${where}: description is missing`);
  }
  if (pkg.publishConfig?.access !== 'public') {
    problems.push(
      `${where}: publishConfig.access should be "public" (a scoped package is private by default)`,
    );
    fixes.publishConfig = { ...pkg.publishConfig, access: 'public' };
  }
  const files = Array.isArray(pkg.files) ? pkg.files : [];
  const missing = REQUIRED_FILES.filter((f) => !files.includes(f));
  if (missing.length > 0) {
    problems.push(`${where}: files should list ${missing.join(', ')}`);
    fixes.files = [...files, ...missing];
  }
  const exported = checkExports(pkg, { dir, exists });
  problems.push(...exported.problems);
  if (exported.fixes.exports) fixes.exports = exported.fixes.exports;
  if (exported.fixes.publishConfig) {
    fixes.publishConfig = {
      ...(fixes.publishConfig ?? pkg.publishConfig),
      exports: exported.fixes.publishConfig.exports,
    };
  }
  return { problems, fixes };
}

/** `pkg` with `fixes` applied, new fields placed after `license` (or at the end). */
export function applyFixes(pkg, fixes) {
  const out = {};
  const added = Object.keys(fixes).filter((k) => !(k in pkg));
  for (const [key, value] of Object.entries(pkg)) {
    out[key] = key in fixes ? fixes[key] : value;
    if (key === 'license') for (const k of added) out[k] = fixes[k];
  }
  for (const k of added) if (!(k in out)) out[k] = fixes[k];
  return out;
}

function main() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const fix = process.argv.includes('--fix');
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const webUrl = repositoryWebUrl(rootPkg.repository);
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  const exists = (p) => existsSync(join(root, p));
  const isDirectory = (p) => exists(p) && statSync(join(root, p)).isDirectory();
  const problems = [];
  let checked = 0;

  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const manifestPath = join(root, 'packages', dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const pkg = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (pkg.private) {
      const exported = checkExports(pkg, { dir, exists });
      problems.push(...exported.problems);
      if (fix && Object.keys(exported.fixes).length > 0) {
        writeFileSync(manifestPath, `${JSON.stringify(applyFixes(pkg, exported.fixes), null, 2)}\n`);
      }
      continue;
    }
    checked++;
    const context = { webUrl, dir, exists, isDirectory };

    const manifest = checkManifest(pkg, context);
    problems.push(...manifest.problems);
    if (fix && Object.keys(manifest.fixes).length > 0) {
      writeFileSync(manifestPath, `${JSON.stringify(applyFixes(pkg, manifest.fixes), null, 2)}\n`);
    }

    const licensePath = join(root, 'packages', dir, 'LICENSE');
    if (!existsSync(licensePath) || readFileSync(licensePath, 'utf8') !== license) {
      problems.push(`packages/${dir}/LICENSE: missing or not the root LICENSE`);
      if (fix) writeFileSync(licensePath, license);
    }

    const readmePath = join(root, 'packages', dir, 'README.md');
    if (!existsSync(readmePath)) {
      problems.push(`packages/${dir}/README.md: missing`);
      continue;
    }
    const readme = readFileSync(readmePath, 'utf8');
    const result = checkReadme(readme, context);
    problems.push(...result.problems);
    if (fix && result.fixed !== readme) writeFileSync(readmePath, result.fixed);
  }

  for (const p of problems) console.error(p);
  const verb = fix ? 'fixed what could be derived; run again to check' : 'problem(s)';
  console.log(`check-packages: ${checked} public packages, ${problems.length} ${verb}`);
  if (problems.length > 0 && !fix) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
