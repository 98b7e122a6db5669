/**
 * Compiles consumer files against the built `.d.ts` of every public `@cache/*` package, the way a
 * user's project would see them: `skipLibCheck: false` (every declaration file reached is
 * checked), `strict` and `exactOptionalPropertyTypes`, and one of a few environments. The `bare`
 * environment has `lib: ES2022`, no DOM, `types: []`, and hides `@types/node` from the compiler
 * altogether: a `/// <reference types="node" />` in a dependency does not resolve there either, so
 * a Node global (`Buffer`, `NodeJS.*`, a `node:*` import) in our own declarations is an error and
 * cannot be masked by a third-party package that pulls the Node types in.
 *
 * Used by `declarations.test.ts`; also runnable (fixtures and every package's entry):
 * `node --import tsx types/compile.ts` from tools/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** A public (not `private`) workspace package and its built entry declaration file. */
export interface PublicPackage {
  name: string;
  dir: string;
  /** `dist/index.d.ts`, absolute. */
  types: string;
}

/** Every public `@cache/*` package, from `packages/`. */
export function publicPackages(): PublicPackage[] {
  const out: PublicPackage[] = [];
  for (const entry of readdirSync(packagesDir).sort()) {
    const dir = join(packagesDir, entry);
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; private?: boolean };
    if (pkg.private) continue;
    out.push({ name: pkg.name, dir, types: join(dir, 'dist/index.d.ts') });
  }
  return out;
}

/** The compiler options of a consumer in `environment`. */
export function consumerOptions(environment: Environment): ts.CompilerOptions {
  const paths: Record<string, string[]> = {};
  for (const pkg of publicPackages()) paths[pkg.name] = [pkg.types];
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib:
      environment === 'node'
        ? ['lib.esnext.d.ts']
        : environment === 'dom'
          ? ['lib.es2022.d.ts', 'lib.dom.d.ts']
          : ['lib.es2022.d.ts'],
    types: environment === 'node' ? ['node'] : [],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    noEmit: true,
    paths,
  };
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
export function isOurs(file: string | undefined): boolean {
  if (file === undefined) return true;
  return !resolve(file).split('/').includes('node_modules');
}

/** The package (`ioredis`, `@scope/name`) a file under `node_modules` belongs to. */
export function packageOf(file: string): string {
  const parts = file.split('/');
  const at = parts.lastIndexOf('node_modules');
  const first = parts[at + 1] ?? '';
  return first.startsWith('@') ? `${first}/${parts[at + 2] ?? ''}` : first;
}

/** An optional property of an options type that does not accept an explicit `undefined`. */
export interface OptionalProperty {
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
  const fixtures = join(here, 'fixtures');
  const files = readdirSync(fixtures)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(fixtures, name));
  for (const pkg of publicPackages()) files.push(pkg.types);
  let failed = false;
  for (const environment of ENVIRONMENTS) {
    const { ours, thirdParty, optionalWithoutUndefined } = compile(files, environment);
    console.log(`${environment}: ${ours.length} problems in our files`);
    if (ours.length > 0) console.log(format(ours));
    for (const { where, name } of optionalWithoutUndefined)
      console.log(`  ${where}: ${name}?: without | undefined`);
    failed ||= optionalWithoutUndefined.length > 0;
    for (const [name, problems] of thirdParty) console.log(`  ${name}: ${problems.length} (third party)`);
    failed ||= ours.length > 0;
  }
  process.exitCode = failed ? 1 : 0;
}
