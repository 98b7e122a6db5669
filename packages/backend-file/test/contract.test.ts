import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeCacheContract } from '@cache/conformance';
import { afterAll } from 'vitest';
import { FileCache } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'file-cache-contract-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeCacheContract({
  name: 'FileCache',
  create: (options) => new FileCache({ ...options, dir: join(root, String(n++)) }),
  capabilities: { clock: true, entryInfo: { size: true } },
});
