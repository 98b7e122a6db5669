#!/usr/bin/env node
/**
 * arethetypeswrong on the tarball that pnpm publishes, for the package in the working directory
 * (every public package's `test:package`: `publint --strict && node ../../tools/scripts/attw-packed.mjs`).
 * `attw --pack` packs with npm, which keeps the workspace's `exports` (the `@cache/source`
 * condition and the workspace-only `./internal/*` entries, see check-packages.mjs); `pnpm pack`
 * puts `publishConfig.exports` in their place, as `pnpm publish` does. publint reads
 * `publishConfig.exports` itself. Arguments are passed on to attw.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out = mkdtempSync(join(tmpdir(), 'cache-attw-'));
try {
  execFileSync('pnpm', ['pack', '--pack-destination', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  const [tarball] = readdirSync(out);
  if (tarball === undefined) throw new Error('pnpm pack wrote no tarball');
  execFileSync('attw', [join(out, tarball), ...process.argv.slice(2)], { stdio: 'inherit' });
} catch (error) {
  if (typeof error.status !== 'number') console.error(`attw-packed: ${error.message}`);
  process.exitCode = typeof error.status === 'number' ? error.status : 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
