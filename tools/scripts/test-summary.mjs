// Reads every package's vitest JSON report and prints one `N passed, N failed` line.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
// Every project with a test script: the packages and the tools projects.
const projects = [
  ...readdirSync(join(root, 'packages')).map((name) => join('packages', name)),
  'tools',
  ...readdirSync(join(root, 'tools')).map((name) => join('tools', name)),
].filter((dir) => existsSync(join(root, dir, 'package.json')));
let passed = 0;
let failed = 0;
const missing = [];
for (const name of projects) {
  const pkg = JSON.parse(readFileSync(join(root, name, 'package.json'), 'utf8'));
  if (!pkg.scripts?.test) continue;
  const file = join(root, name, '.vitest-report.json');
  if (!existsSync(file)) {
    missing.push(name);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.numFailedTestSuites ?? 0);
  if (report.numPendingTests + report.numTodoTests > 0) {
    console.log(`${name}: ${report.numPendingTests + report.numTodoTests} skipped or todo tests`);
    failed += report.numPendingTests + report.numTodoTests;
  }
}
if (missing.length > 0) console.log(`no test report from: ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || missing.length > 0 ? 1 : 0);
