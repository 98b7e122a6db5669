/**
 * Builds the fault-test child as plain JavaScript (Node 20 cannot run TypeScript, and a child
 * that starts in ~50 ms lets hundreds of kill trials run in seconds): core's and this package's
 * sources and the fixtures are transpiled with the TypeScript compiler into a temp folder.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const coreSrc = join(packageDir, '../core/src');

async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await tsFiles(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

async function emit(source: string, target: string, rewrite: (code: string) => string): Promise<void> {
  const code = ts.transpileModule(await readFile(source, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: false,
    },
  }).outputText;
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, rewrite(code));
}

/** Transpiles the child into a temp folder; returns the path of `writer.js` and a remover. */
export async function buildChild(): Promise<{ script: string; remove(): Promise<void> }> {
  const out = await mkdtemp(join(tmpdir(), 'file-cache-child-'));
  await writeFile(join(out, 'package.json'), '{"type":"module"}');
  for (const file of await tsFiles(coreSrc)) {
    await emit(file, join(out, 'core', relative(coreSrc, file)).replace(/\.ts$/, '.js'), (c) => c);
  }
  // CACHE_CHILD_SRC: another version of this package's src/ (to check that a fault test catches
  // the defect it is about, against the code before the fix).
  const src = process.env.CACHE_CHILD_SRC ?? join(packageDir, 'src');
  const mapped = [
    [src, join(out, 'src')],
    [join(packageDir, 'test/fixtures'), join(out, 'test/fixtures')],
  ] as const;
  for (const [root, into] of mapped) {
    for (const file of await tsFiles(root)) {
      const target = join(into, relative(root, file)).replace(/\.ts$/, '.js');
      // Both of core's entries: `@cache/core` and `@cache/core/backend`.
      const toCore = (entry: string) => {
        const path = relative(dirname(target), join(out, 'core', `${entry}.js`));
        return path.startsWith('.') ? `'${path}'` : `'./${path}'`;
      };
      await emit(file, target, (c) =>
        c.replaceAll("'@cache/core/backend'", toCore('backend')).replaceAll("'@cache/core'", toCore('index')),
      );
    }
  }
  return {
    script: join(out, 'test/fixtures/writer.js'),
    remove: () => rm(out, { recursive: true, force: true }),
  };
}
