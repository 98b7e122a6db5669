// Reads every package's vitest JSON report and prints one `N passed, N failed` line.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../packages/', import.meta.url).pathname;
let passed = 0;
let failed = 0;
const missing = [];
for (const name of readdirSync(root)) {
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
