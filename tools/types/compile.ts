/**
 * Compiles a consumer project against the built `.d.ts` of every public `@cache/*` package, the
 * way a user's project sees them: the packages are installed (linked) in the project's
 * `node_modules` and resolved through their `exports`, from ES modules (`import` condition) and
 * from CommonJS (`require` condition); `skipLibCheck: false` (every declaration file reached is
 * checked), `strict` and `exactOptionalPropertyTypes`, and one of a few environments. The `bare`
 * environment has `lib: ES2022`, no DOM, `types: []`, and hides `@types/node` from the compiler
 * altogether: a `/// <reference types="node" />` in a dependency does not resolve there either, so
 * a Node global (`Buffer`, `NodeJS.*`, a `node:*` import) in our own declarations is an error and
 * cannot be masked by a third-party package that pulls the Node types in.
 *
 * The project holds the fixtures (`fixtures/*.ts`, type tests) twice, as ES modules and as
 * CommonJS, the root README's first example, and a file of each kind that imports every public
 * package. Used by `declarations.test.ts`; also runnable: `node --import tsx types/compile.ts`
 * from tools/.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const root = resolve(here, '../..');
const packagesDir = join(root, 'packages');

/** A consumer's environment. */
export type Environment = 'bare' | 'dom' | 'node';

/** The environments every fixture compiles in. */
export const ENVIRONMENTS: readonly Environment[] = ['bare', 'dom', 'node'];

/** A public (not `private`) workspace package and its built entry declaration files. */
export interface PublicPackage {
  name: string;
  dir: string;
  /** The declaration file of `import` (`exports['.'].import.types`), absolute. */
  types: string;
  /** The declaration file of `require` (`exports['.'].require.types`), absolute, if the package has one. */
  requireTypes: string | undefined;
  /** Its other entries (`@cache/core/backend`), with their declaration files likewise. */
  subpaths: SubpathEntry[];
}

/** An entry of a package besides its main one (`exports['./backend']`). */
interface SubpathEntry {
  /** What a consumer imports: `@cache/core/backend`. */
  specifier: string;
  types: string;
  requireTypes: string | undefined;
}

interface ExportsEntry {
  types?: string;
  import?: { types?: string };
  require?: { types?: string };
}

/** Every public `@cache/*` package, from `packages/`. */
export function publicPackages(): PublicPackage[] {
  const out: PublicPackage[] = [];
  for (const entry of readdirSync(packagesDir).sort()) {
    const dir = join(packagesDir, entry);
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
      name: string;
      private?: boolean;
      exports?: Record<string, ExportsEntry>;
      publishConfig?: { exports?: Record<string, ExportsEntry> };
    };
    if (pkg.private) continue;
    // The entries a user gets: pnpm publishes publishConfig.exports in place of exports (which
    // also has the workspace's `@cache/source` condition and `./internal/*` entries).
    const exports = pkg.publishConfig?.exports ?? pkg.exports;
    const main = exports?.['.'];
    const types = main?.import?.types ?? main?.types ?? './dist/index.d.ts';
    const requireTypes = main?.require?.types;
    const subpaths = Object.entries(exports ?? {})
      .filter(([key]) => key.startsWith('./') && key !== './package.json')
      .map(([key, entry]) => {
        const importTypes = entry.import?.types ?? entry.types;
        if (importTypes === undefined) throw new Error(`${pkg.name}: exports['${key}'] names no types`);
        return {
          specifier: `${pkg.name}/${key.slice(2)}`,
          types: join(dir, importTypes),
          requireTypes: entry.require?.types === undefined ? undefined : join(dir, entry.require.types),
        };
      });
    out.push({
      name: pkg.name,
      dir,
      types: join(dir, types),
      requireTypes: requireTypes === undefined ? undefined : join(dir, requireTypes),
      subpaths,
    });
  }
  return out;
}

/** The compiler options of a consumer in `environment`. */
function consumerOptions(environment: Environment): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    // ES2022 everywhere: the repository's own builds compile the declarations with
    // `ESNext.Disposable` and Node's types, the other combination that must merge cleanly.
    lib: environment === 'dom' ? ['lib.es2022.d.ts', 'lib.dom.d.ts'] : ['lib.es2022.d.ts'],
    types: environment === 'node' ? ['node'] : [],
    // The consumer project lives outside the repository: Node's types come from the repository's.
    typeRoots: [join(root, 'node_modules/@types')],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    noEmit: true,
  };
}

/** A consumer project in a temporary folder (see the file's comment). */
export interface ConsumerProject {
  dir: string;
  /** Its source files (the compiler's root names). */
  files: string[];
  /** The README example's file. */
  readme: string;
  /** The ES module that imports every public package. */
  consumer: string;
  remove(): void;
}

/** The README's first TypeScript example, with declarations of what it leaves to the reader. */
function readmeFixture(): string {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(text)?.[1];
  if (block === undefined) throw new Error('README.md has no ```ts example');
  const lines = block.split('\n');
  return `${lines.filter((line) => line.startsWith('import ')).join('\n')}
interface User { id: number; name: string }
declare const id: number;
declare const db: { users: { find(id: number): Promise<User> } };
declare const process: { env: Record<string, string | undefined> };
declare const console: { log(...values: unknown[]): void };
${lines.filter((line) => !line.startsWith('import ')).join('\n')}
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const userIsTyped: Equals<typeof user, User> = true;
export { userIsTyped };
`;
}

/**
 * Imports every entry of every public package (found in packages/, so a new one is checked without
 * a change here): `@cache/core`, `@cache/core/backend`, ... From CommonJS (`commonJs`), only the
 * entries that have a `require` condition.
 */
function importAll(packages: readonly PublicPackage[], commonJs = false): string {
  const specifiers = packages.flatMap((pkg) => [
    ...(commonJs && pkg.requireTypes === undefined ? [] : [pkg.name]),
    ...pkg.subpaths.filter((s) => !commonJs || s.requireTypes !== undefined).map((s) => s.specifier),
  ]);
  return `${specifiers.map((specifier, i) => `import * as p${i} from '${specifier}';`).join('\n')}
export const modules = [${specifiers.map((_, i) => `p${i}`).join(', ')}];
`;
}

/** Creates the consumer project. @throws Error when a package is not built. */
export function consumerProject(): ConsumerProject {
  const packages = publicPackages();
  for (const pkg of packages) {
    for (const file of [
      pkg.types,
      pkg.requireTypes,
      ...pkg.subpaths.flatMap((s) => [s.types, s.requireTypes]),
    ]) {
      if (file !== undefined && !existsSync(file))
        throw new Error(`${file} is missing: build the packages first (pnpm build)`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'cache-types-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
    return join(dir, path);
  };
  write('package.json', '{ "name": "consumer", "private": true, "type": "module" }\n');
  for (const pkg of packages) {
    mkdirSync(dirname(join(dir, 'node_modules', pkg.name)), { recursive: true });
    symlinkSync(pkg.dir, join(dir, 'node_modules', pkg.name), 'dir');
  }
  write('cjs/package.json', '{ "type": "commonjs" }\n');
  const fixtures = join(here, 'fixtures');
  const files: string[] = [];
  for (const name of readdirSync(fixtures).filter((file) => file.endsWith('.ts'))) {
    for (const kind of ['esm', 'cjs']) {
      mkdirSync(join(dir, kind), { recursive: true });
      copyFileSync(join(fixtures, name), join(dir, kind, name));
      files.push(join(dir, kind, name));
    }
  }
  const readme = write('readme.mts', readmeFixture());
  const consumer = write('consumer.mts', importAll(packages));
  const cjsConsumer = write('consumer.cts', importAll(packages, true));
  files.push(readme, consumer, cjsConsumer);
  return { dir, files, readme, consumer, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One diagnostic, with where it is, relative to the repository. */
export interface Problem {
  /** `file:line:column`, or `(global)`. */
  where: string;
  /** The file, absolute, or `undefined` for a global diagnostic. */
  file: string | undefined;
  message: string;
}

/** Whether a file is one of ours (a fixture, a declaration file of a package under `packages/`), not a dependency's. */
function isOurs(file: string | undefined): boolean {
  if (file === undefined) return true;
  return !resolve(file).split('/').includes('node_modules');
}

/** The package (`ioredis`, `@scope/name`) a file under `node_modules` belongs to. */
function packageOf(file: string): string {
  const parts = file.split('/');
  const at = parts.lastIndexOf('node_modules');
  const first = parts[at + 1] ?? '';
  return first.startsWith('@') ? `${first}/${parts[at + 2] ?? ''}` : first;
}

/** An optional property of an options type that does not accept an explicit `undefined`. */
interface OptionalProperty {
  /** `file:line`, relative to the repository. */
  where: string;
  /** `Declaration.property`. */
  name: string;
}

/** The result of compiling fixtures. */
export interface Compilation {
  /** Every diagnostic in our files (fixtures, our declarations) or with no file. */
  ours: Problem[];
  /** Diagnostics in third-party declaration files, by package. */
  thirdParty: Map<string, Problem[]>;
  /** Every file the program read, absolute. */
  files: string[];
  /**
   * Optional properties (`name?: T`) of our published options types (declarations named
   * `...Options` or `...Config`) whose type does not include `undefined`: under
   * `exactOptionalPropertyTypes` a consumer cannot pass `{ name: undefined }` to them.
   */
  optionalWithoutUndefined: OptionalProperty[];
}

const OPTIONS_NAME = /(Options|Config)$/;

/** See {@link Compilation.optionalWithoutUndefined}. */
function findOptionalWithoutUndefined(program: ts.Program): OptionalProperty[] {
  const checker = program.getTypeChecker();
  const out: OptionalProperty[] = [];
  const acceptsUndefined = (node: ts.TypeNode): boolean => {
    const type = checker.getTypeFromTypeNode(node);
    const parts = type.isUnion() ? type.types : [type];
    return parts.some(
      (part) => (part.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Unknown | ts.TypeFlags.Any)) !== 0,
    );
  };
  for (const file of program.getSourceFiles()) {
    if (!file.isDeclarationFile || !isOurs(file.fileName) || !file.fileName.startsWith(`${packagesDir}/`))
      continue;
    const visit = (node: ts.Node, owner: string | undefined): void => {
      let name = owner;
      if ((ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && owner === undefined)
        name = OPTIONS_NAME.test(node.name.text) ? node.name.text : undefined;
      if (name !== undefined && ts.isPropertySignature(node) && node.questionToken && node.type) {
        if (!acceptsUndefined(node.type)) {
          const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
          out.push({
            where: `${relative(root, file.fileName)}:${line + 1}`,
            name: `${name}.${node.name.getText(file)}`,
          });
        }
      }
      // Only the declarations named like options, and the type literals inside them.
      if (
        name !== undefined ||
        ts.isSourceFile(node) ||
        ts.isModuleDeclaration(node) ||
        ts.isModuleBlock(node)
      )
        ts.forEachChild(node, (child) => visit(child, name));
    };
    visit(file, undefined);
  }
  return out;
}

function hidden(path: string): boolean {
  return /\/@types\/node(\/|$)/.test(path);
}

/** Compiles `files` as a consumer in `environment` would. */
export function compile(files: readonly string[], environment: Environment): Compilation {
  const options = consumerOptions(environment);
  const host = ts.createCompilerHost(options, true);
  if (environment !== 'node') {
    // No @types/node anywhere, as for a consumer that does not install it.
    const { fileExists, directoryExists, readFile } = host;
    host.fileExists = (path) => !hidden(path) && fileExists.call(host, path);
    host.readFile = (path) => (hidden(path) ? undefined : readFile.call(host, path));
    host.directoryExists = (path) => !hidden(path) && (directoryExists?.call(host, path) ?? true);
  }
  const program = ts.createProgram({ rootNames: [...files], options, host });
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ];
  const ours: Problem[] = [];
  const thirdParty = new Map<string, Problem[]>();
  for (const diagnostic of diagnostics) {
    const file = diagnostic.file?.fileName;
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    let where = '(global)';
    if (diagnostic.file && diagnostic.start !== undefined) {
      const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      where = `${relative(root, diagnostic.file.fileName)}:${line + 1}:${character + 1}`;
    }
    const problem = { where, file, message };
    if (file === undefined || isOurs(file)) ours.push(problem);
    else {
      const name = packageOf(file);
      thirdParty.set(name, [...(thirdParty.get(name) ?? []), problem]);
    }
  }
  return {
    ours,
    thirdParty,
    files: program.getSourceFiles().map((file) => file.fileName),
    optionalWithoutUndefined: findOptionalWithoutUndefined(program),
  };
}

/** `where: message` lines, for assertion messages. */
export function format(problems: readonly Problem[]): string {
  return problems.map((problem) => `${problem.where}: ${problem.message}`).join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const project = consumerProject();
  let failed = false;
  for (const environment of ENVIRONMENTS) {
    const { ours, thirdParty, optionalWithoutUndefined } = compile(project.files, environment);
    console.log(`${environment}: ${ours.length} problems in our files`);
    if (ours.length > 0) console.log(format(ours));
    for (const { where, name } of optionalWithoutUndefined)
      console.log(`  ${where}: ${name}?: without | undefined`);
    failed ||= optionalWithoutUndefined.length > 0;
    for (const [name, problems] of thirdParty) console.log(`  ${name}: ${problems.length} (third party)`);
    failed ||= ours.length > 0;
  }
  project.remove();
  process.exitCode = failed ? 1 : 0;
}
