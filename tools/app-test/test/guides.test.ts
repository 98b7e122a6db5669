// The guides that list what the code defines list all of it: every error class and code of
// @cache/core in the errors guide, every option of every backend in the configuration guide.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** The names of a `new Set([...])` or array literal assigned to `name` in a source file. */
function namesOf(path: string, name: string): string[] {
  const source = read(path);
  const match = new RegExp(`const ${name}\\b[^=]*=\\s*(?:new Set\\()?\\[([^\\]]*)\\]`).exec(source);
  if (!match) throw new Error(`${path} has no ${name}`);
  return [...(match[1] as string).matchAll(/'([^']+)'/g)].map((m) => m[1] as string);
}

/** The text of a guide's section whose `## ` heading includes `heading`. */
function section(markdown: string, heading: string): string {
  const parts = markdown.split(/^## /m);
  const found = parts.find((part) => (part.split('\n')[0] as string).includes(heading));
  if (found === undefined) throw new Error(`no section ${heading}`);
  return found;
}

describe('the guides', () => {
  it('errors: a section for every error class of @cache/core, and every code', () => {
    const source = read('packages/core/src/errors.ts');
    const classes = [...source.matchAll(/^export class (\w+)/gm)].map((m) => m[1] as string);
    const codes = [...source.matchAll(/^\s+\w+: '(CACHE_[A-Z_]+)',$/gm)].map((m) => m[1] as string);
    expect(classes).toContain('CacheConfigError');
    expect(codes).toContain('CACHE_KEY_EXPIRED');
    expect(classes.length).toBeGreaterThanOrEqual(9);
    expect(codes.length).toBeGreaterThanOrEqual(10);
    const guide = read('docs/guides/errors.md');
    for (const name of codes) expect(guide, name).toContain(`\`${name}\``);
    for (const name of classes) expect(guide, name).toMatch(new RegExp(`^### \`${name}\``, 'm'));
  });

  it('configuration by URL: every option of every backend, in its section', () => {
    const guide = read('docs/guides/configuration-by-url.md');
    const backends: [string, string, string][] = [
      ['`memory://`', 'packages/backend-memory/src/options.ts', 'KNOWN'],
      ['`file://`', 'packages/backend-file/src/file-cache-options.ts', 'KNOWN'],
      ['`redis://`', 'packages/backend-redis/src/redis-cache-options.ts', 'KNOWN'],
      ['`tiered://`', 'packages/tiered/src/options.ts', 'KNOWN'],
      ['Options of every URL', 'packages/core/src/option-names.ts', 'BASE_CACHE_OPTIONS'],
    ];
    for (const [heading, path, name] of backends) {
      const options = namesOf(path, name);
      expect(options.length, path).toBeGreaterThanOrEqual(4);
      const text = section(guide, heading);
      for (const option of options) expect(text, `${heading}: ${option}`).toContain(`\`${option}\``);
    }
    // What createCache itself reads.
    for (const option of ['serializer', 'compress'])
      expect(section(guide, 'Options of every URL')).toContain(`\`${option}\``);
  });
});
