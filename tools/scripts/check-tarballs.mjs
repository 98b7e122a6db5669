#!/usr/bin/env node
/**
 * Packs every public package as `pnpm publish` would (`pnpm pack`; the packages must be built) and
 * checks what each tarball holds (part of `pnpm release:dry-run`):
 *
 * - every file that `main`, `types`, `bin` and `exports` name, and LICENSE, README.md and (once
 *   `changeset version` wrote it) CHANGELOG.md;
 * - no `workspace:` range left, and every range on another public package of the workspace is
 *   `^<its version>` (for `@cache/core`: `^0.1.0` at the first release);
 * - no trace of the workspace's resolution to sources: the packed manifest is read after pnpm put
 *   `publishConfig.exports` in place of `exports`, and it must name no `@cache/source` condition, no
 *   `./internal/*` entry and no path into `src/` (see check-packages.mjs).
 *
 * Prints one line per package (version, file count, its ranges on the workspace) and one per
 * problem; exits 1 when there is any.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];
const SOURCE_CONDITION = '@cache/source';

/** What of the workspace's resolution to sources a packed manifest still names (see the file's comment). */
export function sourceTraces(pkg) {
  const traces = [];
  const visit = (value, path) => {
    if (typeof value === 'string') {
      if (/^(\.\/)?src\//.test(value)) traces.push(`${path} is ${value}`);
    } else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        const at = `${path}["${key}"]`;
        if (key === SOURCE_CONDITION) traces.push(`${at} is a workspace condition`);
        else if (path === 'exports' && key.startsWith('./internal/'))
          traces.push(`${at} is a workspace-only entry`);
        else visit(v, at);
      }
    }
  };
  for (const field of ['main', 'types', 'typings', 'module', 'bin', 'exports', 'typesVersions']) {
    visit(pkg[field], field);
  }
  if (pkg.publishConfig?.exports !== undefined)
    traces.push('publishConfig.exports was not put in place of exports');
  return traces;
}

/** Every relative path a manifest names as an entry point (`./dist/index.js` -> `dist/index.js`). */
export function entryPaths(pkg) {
  const paths = new Set();
  const add = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('./') && !value.includes('*')) paths.add(value.slice(2));
      else if (!value.startsWith('.') && !value.includes(':') && !value.includes('*')) paths.add(value);
    } else if (value && typeof value === 'object') {
      for (const v of Object.values(value)) add(v);
    }
  };
  add(pkg.main);
  add(pkg.types);
  add(pkg.bin);
  add(pkg.exports);
  return [...paths].sort();
}

/** The problems of one packed manifest and its file list, given the workspace's public versions. */
export function checkTarball(pkg, files, { versions, hasChangelog }) {
  const problems = [];
  const where = `${pkg.name}@${pkg.version}`;
  const have = new Set(files);
  const required = [...entryPaths(pkg), 'LICENSE', 'README.md', 'package.json'];
  if (hasChangelog) required.push('CHANGELOG.md');
  for (const path of required) {
    if (!have.has(path)) problems.push(`${where}: the tarball has no ${path}`);
  }
  for (const trace of sourceTraces(pkg)) problems.push(`${where}: ${trace}`);
  for (const field of DEPENDENCY_FIELDS) {
    for (const [dep, range] of Object.entries(pkg[field] ?? {})) {
      if (range.startsWith('workspace:')) problems.push(`${where}: ${field}.${dep} is still ${range}`);
      else if (versions.has(dep) && range !== `^${versions.get(dep)}`) {
        problems.push(`${where}: ${field}.${dep} is ${range}, expected ^${versions.get(dep)}`);
      }
    }
  }
  return problems;
}

function main() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const packages = readdirSync(join(root, 'packages'))
    .sort()
    .map((dir) => join(root, 'packages', dir))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => !pkg.private);
  const versions = new Map(packages.map(({ pkg }) => [pkg.name, pkg.version]));
  const out = mkdtempSync(join(tmpdir(), 'cache-tarballs-'));
  const problems = [];
  try {
    for (const { dir, pkg } of packages) {
      const before = new Set(readdirSync(out));
      execFileSync('pnpm', ['pack', '--pack-destination', out], {
        cwd: dir,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const tarball = readdirSync(out).find((f) => !before.has(f));
      if (!tarball) {
        problems.push(`${pkg.name}: pnpm pack wrote no tarball`);
        continue;
      }
      const path = join(out, tarball);
      const files = execFileSync('tar', ['-tzf', path], { encoding: 'utf8' })
        .split('\n')
        .filter((f) => f.startsWith('package/') && !f.endsWith('/'))
        .map((f) => f.slice('package/'.length));
      const packed = JSON.parse(
        execFileSync('tar', ['-xzOf', path, 'package/package.json'], { encoding: 'utf8' }),
      );
      const own = checkTarball(packed, files, {
        versions,
        hasChangelog: existsSync(join(dir, 'CHANGELOG.md')),
      });
      problems.push(...own);
      const ranges = DEPENDENCY_FIELDS.flatMap((f) =>
        Object.entries(packed[f] ?? {})
          .filter(([dep]) => versions.has(dep))
          .map(([dep, range]) => `${dep} ${range}`),
      );
      const note = packed.version === '0.0.0' ? ' (unreleased: pnpm version-packages first)' : '';
      console.log(
        `${own.length === 0 ? 'ok' : 'FAIL'} ${packed.name}@${packed.version}${note}: ${files.length} files${ranges.length ? `; ${ranges.join(', ')}` : ''}`,
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  for (const p of problems) console.error(p);
  if (problems.length > 0) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
