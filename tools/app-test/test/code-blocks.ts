// The code blocks of the documentation: every ```ts and ```js block of the root README, of every
// package README and of every guide in docs/guides. How a block is marked is documented in
// tools/app-test/README.md:
// - ```ts            type-checked (strict, exactOptionalPropertyTypes) as a module of its own, with
//                    app/src/readme-globals.d.ts declaring what examples leave to the reader
//                    (`cache`, `db`, `id`, ...);
// - ```ts runnable   type-checked without those declarations (it must be a whole program), then
//                    run with Node; if it reads process.env.CACHE_URL it runs once per backend
//                    (memory, file, Redis) and must print the same on each;
// - a line `<!-- app-test: skip: <reason> -->` right before the fence: not checked (a fragment
//   that cannot compile alone); the reason is required, and the test lists every skip.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/** What the test does with a block. */
type BlockMode = 'check' | 'run' | 'skip';

/** One fenced code block of a document. */
export interface CodeBlock {
  /** The document, relative to the repository root (`docs/guides/errors.md`). */
  file: string;
  /** The line of the opening fence (1-based). */
  line: number;
  /** `ts` or `js`. */
  lang: 'ts' | 'js';
  mode: BlockMode;
  /** Why a skipped block is skipped. */
  reason?: string;
  code: string;
}

const LANGS: Record<string, 'ts' | 'js'> = {
  ts: 'ts',
  typescript: 'ts',
  js: 'js',
  javascript: 'js',
  mjs: 'js',
};
const SKIP = /^<!--\s*app-test:\s*skip:\s*(.*?)\s*-->$/;
const MARKER = /^<!--\s*app-test\b/;

/** The documents whose blocks are checked: the root README, every package README, every guide. */
function documents(root: string): string[] {
  const files = ['README.md'];
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    if (existsSync(join(root, 'packages', name, 'README.md'))) files.push(`packages/${name}/README.md`);
  }
  const guides = join(root, 'docs/guides');
  if (existsSync(guides)) {
    for (const name of readdirSync(guides).sort()) {
      if (name.endsWith('.md')) files.push(`docs/guides/${name}`);
    }
  }
  return files;
}

/**
 * The ts and js blocks of one markdown document, with their mode.
 * @throws Error for a marker this test does not know (a typo would otherwise skip a check), a
 *   skip without a reason, or an unterminated fence.
 */
export function extractBlocks(markdown: string, file: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*([\w-]*)\s*(.*?)\s*$/.exec(lines[i] as string);
    if (!open) {
      const marker = (lines[i] as string).trim();
      if (MARKER.test(marker) && !SKIP.test(marker))
        throw new Error(`${file}:${i + 1}: unknown app-test marker ${marker}`);
      continue;
    }
    const fence = open[1] as string;
    const info = (open[2] as string).toLowerCase();
    const meta = (open[3] as string).split(/\s+/).filter(Boolean);
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i] as string).startsWith(fence); i++) body.push(lines[i] as string);
    if (i >= lines.length) throw new Error(`${file}:${start + 1}: unterminated code block`);
    const lang = LANGS[info];
    if (lang === undefined) continue;
    for (const word of meta) {
      if (word !== 'runnable') throw new Error(`${file}:${start + 1}: unknown code block marker "${word}"`);
    }
    const before = (lines[start - 1] ?? '').trim();
    const skip = SKIP.exec(before);
    const block: CodeBlock = {
      file,
      line: start + 1,
      lang,
      mode: skip ? 'skip' : meta.includes('runnable') ? 'run' : 'check',
      code: body.join('\n'),
    };
    if (skip) {
      if (!skip[1]) throw new Error(`${file}:${start + 1}: an app-test skip needs a reason`);
      if (block.mode === 'skip' && meta.includes('runnable'))
        throw new Error(`${file}:${start + 1}: a runnable block cannot be skipped`);
      block.reason = skip[1];
    }
    blocks.push(block);
  }
  return blocks;
}

/** Every block of every document. */
export function allBlocks(root: string): CodeBlock[] {
  return documents(root).flatMap((file) => extractBlocks(readFileSync(join(root, file), 'utf8'), file));
}

/** A file name for a block: its document and line (`docs-guides-errors-12.ts`). */
export function blockFileName(block: CodeBlock): string {
  const stem = block.file
    .replace(/\.md$/i, '')
    .split(posix.sep)
    .join('-')
    .replace(/[^\w-]/g, '_');
  return `${stem}-${block.line}.${block.lang}`;
}

/** Whether a runnable block takes its backend from CACHE_URL (and so runs on every backend). */
export function usesCacheUrl(block: CodeBlock): boolean {
  return /process\.env\.CACHE_URL\b/.test(block.code);
}
