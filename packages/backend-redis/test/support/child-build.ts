/**
 * Builds a child process's code as plain JavaScript (Node 20 runs no TypeScript): the core's and
 * this package's sources are transpiled with the TypeScript compiler into a folder under this
 * package's node_modules (so that the child resolves ioredis), with `@cache/core` and
 * `@cache/core/backend` pointing at the transpiled core. The caller adds its own entry script.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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

/** The built folder: `src/index.js` is this package; `write(name, code)` adds an entry script. */
export interface ChildBuild {
  readonly dir: string;
  write(name: string, code: string): Promise<string>;
  remove(): Promise<void>;
}

export async function buildChild(): Promise<ChildBuild> {
  const root = join(packageDir, 'node_modules/.cache');
  await mkdir(root, { recursive: true });
  const out = await mkdtemp(join(root, 'redis-child-'));
  await writeFile(join(out, 'package.json'), '{"type":"module"}');
  for (const file of await tsFiles(coreSrc)) {
    await emit(file, join(out, 'core', relative(coreSrc, file)).replace(/\.ts$/, '.js'), (c) => c);
  }
  const src = join(packageDir, 'src');
  for (const file of await tsFiles(src)) {
    const target = join(out, 'src', relative(src, file)).replace(/\.ts$/, '.js');
    // Both of core's entries: `@cache/core` and `@cache/core/backend` (never core's dist/).
    const toCore = (entry: string) => {
      const path = relative(dirname(target), join(out, 'core', `${entry}.js`));
      return `'${path.startsWith('.') ? path : `./${path}`}'`;
    };
    await emit(file, target, (c) =>
      c.replaceAll("'@cache/core/backend'", toCore('backend')).replaceAll("'@cache/core'", toCore('index')),
    );
  }
  return {
    dir: out,
    async write(name, code) {
      const path = join(out, name);
      await writeFile(path, code);
      return path;
    },
    remove: () => rm(out, { recursive: true, force: true }),
  };
}
