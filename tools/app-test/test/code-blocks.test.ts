// How documents are read: which blocks are checked, run or skipped, and which markers are refused.
import { describe, expect, it } from 'vitest';
import { blockFileName, type CodeBlock, extractBlocks, usesCacheUrl } from './code-blocks.js';

const doc = (...lines: string[]): string => lines.join('\n');

describe('extractBlocks', () => {
  it('checks ts and js blocks, runs the runnable ones and ignores other languages', () => {
    const blocks = extractBlocks(
      doc(
        '# Title',
        '```ts',
        'const a = 1;',
        '```',
        '```sh',
        'npm test',
        '```',
        '```ts runnable',
        "const url = process.env.CACHE_URL ?? 'memory://';",
        '```',
        '```js',
        'console.log(1);',
        '```',
        '````typescript',
        '```ts',
        '````',
      ),
      'docs/guides/x.md',
    );
    expect(blocks).toEqual([
      { file: 'docs/guides/x.md', line: 2, lang: 'ts', mode: 'check', code: 'const a = 1;' },
      {
        file: 'docs/guides/x.md',
        line: 8,
        lang: 'ts',
        mode: 'run',
        code: "const url = process.env.CACHE_URL ?? 'memory://';",
      },
      { file: 'docs/guides/x.md', line: 11, lang: 'js', mode: 'check', code: 'console.log(1);' },
      { file: 'docs/guides/x.md', line: 14, lang: 'ts', mode: 'check', code: '```ts' },
    ]);
    expect(usesCacheUrl(blocks[1] as CodeBlock)).toBe(true);
    expect(usesCacheUrl(blocks[0] as CodeBlock)).toBe(false);
    expect(blockFileName(blocks[1] as CodeBlock)).toBe('docs-guides-x-8.ts');
    expect(blockFileName({ ...(blocks[2] as CodeBlock), file: 'packages/core/README.md' })).toBe(
      'packages-core-README-11.js',
    );
  });

  it('skips a block only after a skip comment with a reason', () => {
    const blocks = extractBlocks(
      doc('<!-- app-test: skip: imports ./mine.js -->', '```ts', "import './mine.js';", '```'),
      'a.md',
    );
    expect(blocks).toEqual([
      {
        file: 'a.md',
        line: 2,
        lang: 'ts',
        mode: 'skip',
        reason: 'imports ./mine.js',
        code: "import './mine.js';",
      },
    ]);
    expect(() => extractBlocks(doc('<!-- app-test: skip: -->', '```ts', 'x', '```'), 'a.md')).toThrow(
      'a.md:2: an app-test skip needs a reason',
    );
    expect(() =>
      extractBlocks(doc('<!-- app-test: skip: why -->', '```ts runnable', 'x', '```'), 'a.md'),
    ).toThrow('a.md:2: a runnable block cannot be skipped');
  });

  it('refuses markers it does not know, and unterminated blocks', () => {
    expect(() => extractBlocks(doc('```ts runable', 'x', '```'), 'a.md')).toThrow(
      'a.md:1: unknown code block marker "runable"',
    );
    expect(() => extractBlocks(doc('<!-- app-test: skipp: why -->', '```ts', 'x', '```'), 'a.md')).toThrow(
      'a.md:1: unknown app-test marker',
    );
    expect(() => extractBlocks(doc('```ts', 'x'), 'a.md')).toThrow('a.md:1: unterminated code block');
  });
});
