#!/usr/bin/env node
/**
 * `pnpm version-packages`: `changeset version` (the pending changesets folded into each package's
 * CHANGELOG.md and version), with 0.x versions that changesets alone gets wrong.
 *
 * - A public package at 0.0.0 has never been released: its first version is 0.1.0, whether its
 *   changesets say minor or patch (a `major` one is refused: it would make 1.0.0).
 * - A minor bump of a 0.x package (0.1.0 -> 0.2.0) leaves the `^0.1.0` range of the packages that
 *   peer on it, and changesets answers that with a major bump of every one of them (1.0.0). At the
 *   first release this is core: 0.0.0 -> 0.1.0 leaves `workspace:^` (`^0.0.0`) of every backend.
 *
 * So before `changeset version`, each package in one of these cases is set to the pre-release of
 * its next version (`0.1.0-0`, `0.2.0-0`): a minor or patch bump of that is the next version, and
 * `^0.2.0-0` holds 0.2.0, so no dependent is pushed to a major. A package that depends or peers on
 * one whose new version leaves its range must be released too (it is refused otherwise: its
 * published range would keep the old version). `workspace:^` ranges stay as they are; pnpm writes
 * them as `^<version>` when it publishes. After `changeset version`, every package must be at the
 * version planned here, exactly.
 *
 * It can be re-run at any time (with no pending changeset it changes nothing). Exits 1 on a
 * problem: before changing anything when the changesets are wrong, after `changeset version` when
 * its result is not the plan (look at `git diff`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const UNRELEASED = '0.0.0';
const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];
const ORDER = ['none', 'patch', 'minor', 'major'];

/** The bumps pending changesets ask for, per package: `{ '@cache/core': 'minor' }` (the largest). */
export function pendingBumps(changesetTexts) {
  const bumps = {};
  for (const text of changesetTexts) {
    const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
    if (!front) continue;
    for (const line of front[1].split(/\r?\n/)) {
      const m = /^\s*["']?([^"':\s]+)["']?\s*:\s*(major|minor|patch|none)\s*$/.exec(line);
      if (m && ORDER.indexOf(m[2]) > ORDER.indexOf(bumps[m[1]] ?? 'none')) bumps[m[1]] = m[2];
    }
  }
  return bumps;
}

function parse(version) {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) throw new Error(`version ${version} is not x.y.z`);
  return m.slice(1).map(Number);
}

/** The version after `bump`; and the version to set before `changeset version` to get it, if any. */
export function nextVersion(version, bump) {
  const [major, minor, patch] = parse(version);
  if (version === UNRELEASED) {
    if (bump === 'minor' || bump === 'patch') return { next: '0.1.0', before: '0.1.0-0' };
    throw new Error(
      bump === 'major'
        ? 'its first release is 0.1.0: make its major changeset minor'
        : 'no changeset names it',
    );
  }
  if (bump === undefined || bump === 'none') return { next: version };
  if (bump === 'major') return { next: `${major + 1}.0.0` };
  if (bump === 'minor' && major === 0) return { next: `0.${minor + 1}.0`, before: `0.${minor + 1}.0-0` };
  if (bump === 'minor') return { next: `${major}.${minor + 1}.0` };
  return { next: `${major}.${minor}.${patch + 1}` };
}

/** Whether `next` is outside `^current`. */
export function leavesCaretRange(current, next) {
  const [a, b, c] = parse(current);
  const [x, y, z] = parse(next);
  if (a > 0) return x !== a;
  if (b > 0) return x !== 0 || y !== b;
  return x !== 0 || y !== 0 || z !== c;
}

/**
 * The version plan for `packages` (`{ name, version, private, deps: { name: range } }`) and the
 * pending `bumps`: `{ plan: Map(name -> { next, before? }), problems: string[] }`.
 */
export function planVersions(packages, bumps) {
  const plan = new Map();
  const problems = [];
  const publicPackages = packages.filter((p) => !p.private);
  for (const p of publicPackages) {
    try {
      plan.set(p.name, nextVersion(p.version, bumps[p.name]));
    } catch (error) {
      problems.push(`${p.name} ${p.version}: ${error.message}`);
    }
  }
  for (const p of publicPackages) {
    for (const dep of Object.keys(p.deps)) {
      const d = publicPackages.find((q) => q.name === dep);
      const next = plan.get(dep)?.next;
      if (!d || !next || d.version === UNRELEASED || !leavesCaretRange(d.version, next)) continue;
      if (!bumps[p.name] || bumps[p.name] === 'none') {
        problems.push(
          `${p.name} depends on ${dep} ^${d.version}, which ${next} leaves: add a changeset for ${p.name}`,
        );
      }
    }
  }
  return { plan, problems };
}

function workspacePackages(root) {
  return readdirSync(join(root, 'packages'))
    .sort()
    .map((dir) => join(root, 'packages', dir, 'package.json'))
    .filter((path) => existsSync(path))
    .map((path) => {
      const pkg = JSON.parse(readFileSync(path, 'utf8'));
      const deps = Object.assign({}, ...DEPENDENCY_FIELDS.map((f) => pkg[f] ?? {}));
      return { name: pkg.name, version: pkg.version, private: pkg.private === true, deps, path, pkg };
    });
}

function main() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const fail = (message) => {
    console.error(`version-packages: ${message}`);
    process.exit(1);
  };
  const changesetDir = join(root, '.changeset');
  const texts = readdirSync(changesetDir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((f) => readFileSync(join(changesetDir, f), 'utf8'));
  const packages = workspacePackages(root);
  const { plan, problems } = planVersions(packages, pendingBumps(texts));
  for (const p of packages.filter((q) => !q.private)) {
    for (const [dep, range] of Object.entries(p.deps)) {
      if (plan.has(dep) && range !== 'workspace:^') {
        problems.push(
          `${p.name}: the range on ${dep} is ${range}; use workspace:^ (published as ^<version>)`,
        );
      }
    }
  }
  if (problems.length > 0) fail(`nothing changed:\n  ${problems.join('\n  ')}`);

  for (const p of packages) {
    const before = plan.get(p.name)?.before;
    if (before === undefined) continue;
    p.pkg.version = before;
    writeFileSync(p.path, `${JSON.stringify(p.pkg, null, 2)}\n`);
  }

  execFileSync('pnpm', ['exec', 'changeset', 'version'], { cwd: root, stdio: 'inherit' });

  const versions = new Map(packages.map((p) => [p.name, p.version]));
  for (const p of workspacePackages(root)) {
    const expected = plan.get(p.name)?.next ?? versions.get(p.name);
    if (p.version !== expected) problems.push(`${p.name}: ${p.version}, planned ${expected}`);
    else if (versions.get(p.name) !== p.version)
      console.log(`${p.name}: ${versions.get(p.name)} -> ${p.version}`);
  }
  if (problems.length > 0)
    fail(`changeset version did not give the planned versions:\n  ${problems.join('\n  ')}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
