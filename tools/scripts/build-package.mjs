#!/usr/bin/env node
/**
 * Builds the package in the working directory (every package's `build` script:
 * `node ../../tools/scripts/build-package.mjs`) from its `tsconfig.build.json`, twice:
 *
 * - `dist/`: the ES module build (`import`), the package's own format (`"type": "module"`);
 * - `dist/cjs/`: the CommonJS build (`require`), with a `package.json` of `"type": "commonjs"` so
 *   that Node and TypeScript read `dist/cjs/*.js` and `dist/cjs/*.d.ts` as CommonJS.
 *
 * The CommonJS build is the same sources compiled with `module: commonjs`: `import()` becomes
 * `require()` there (so a CommonJS application, and Jest, stays in CommonJS), and `import.meta.url`
 * becomes the file's URL (`pathToFileURL(__filename).href`); any other `import.meta` fails the build.
 * Type errors are reported once, by the ES module build, whose `.d.ts` files the CommonJS build
 * copies (the same text; under `dist/cjs/` they describe CommonJS modules).
 *
 * Both builds drop tsconfig.base.json's `customConditions` (`@cache/source`): a build compiles its
 * own sources only and reads the other workspace packages through their built `.d.ts`, as a user
 * does (so `nx` builds the dependencies first).
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const packageDir = process.cwd();
const configFile = join(packageDir, 'tsconfig.build.json');
const dist = join(packageDir, 'dist');
const cjsDir = join(dist, 'cjs');

/** TS1343: `import.meta` in a file that compiles to CommonJS; the transformer below rewrites it. */
const IMPORT_META_IN_COMMONJS = 1343;

function fail(message) {
  console.error(`build-package: ${message}`);
  process.exit(1);
}

const host = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => packageDir,
  getNewLine: () => '\n',
};

function report(diagnostics) {
  if (diagnostics.length === 0) return;
  console.error(ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
  fail(`${diagnostics.length} error(s) in ${relative(process.cwd(), packageDir) || '.'}`);
}

function readConfig(overrides) {
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, overrides, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => report([d]),
  });
  if (!parsed) fail(`cannot read ${configFile}`);
  report(parsed.errors);
  return parsed;
}

/** `import.meta.url` → `require("node:url").pathToFileURL(__filename).href`. */
function importMetaUrlToCommonJs(context) {
  const f = context.factory;
  return (sourceFile) => {
    const visit = (node) => {
      if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
        const parent = node.parent;
        if (!(ts.isPropertyAccessExpression(parent) && parent.name.text === 'url')) {
          const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
          fail(
            `${relative(packageDir, sourceFile.fileName)}:${line + 1}: only import.meta.url has a CommonJS equivalent`,
          );
        }
      }
      if (
        ts.isPropertyAccessExpression(node) &&
        ts.isMetaProperty(node.expression) &&
        node.expression.keywordToken === ts.SyntaxKind.ImportKeyword &&
        node.name.text === 'url'
      ) {
        const url = f.createCallExpression(f.createIdentifier('require'), undefined, [
          f.createStringLiteral('node:url'),
        ]);
        const toUrl = f.createCallExpression(
          f.createPropertyAccessExpression(url, 'pathToFileURL'),
          undefined,
          [f.createIdentifier('__filename')],
        );
        return f.createPropertyAccessExpression(toUrl, 'href');
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitNode(sourceFile, visit);
  };
}

/** Copies the `.d.ts` files of `from` (not of its `cjs/`) to the same places under `to`. */
function copyDeclarations(from, to) {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) {
      if (source !== cjsDir) copyDeclarations(source, join(to, entry.name));
    } else if (entry.name.endsWith('.d.ts')) {
      mkdirSync(to, { recursive: true });
      copyFileSync(source, join(to, entry.name));
    }
  }
}

function build(format) {
  const commonjs = format === 'cjs';
  const overrides = {
    customConditions: [],
    ...(commonjs
      ? {
          module: ts.ModuleKind.CommonJS,
          moduleResolution: ts.ModuleResolutionKind.Bundler,
          // `import`/`export` are the sources' syntax; `module: commonjs` rewrites them.
          verbatimModuleSyntax: false,
          outDir: cjsDir,
          // The declarations are the ES module build's (the same text), copied; no second check.
          declaration: false,
          noCheck: true,
        }
      : {}),
  };
  const config = readConfig(overrides);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const diagnostics = commonjs
    ? [...program.getOptionsDiagnostics(), ...program.getSyntacticDiagnostics()]
    : ts.getPreEmitDiagnostics(program);
  report(diagnostics);
  const emitted = program.emit(undefined, undefined, undefined, false, {
    before: commonjs ? [importMetaUrlToCommonJs] : [],
  });
  report(emitted.diagnostics.filter((d) => d.code !== IMPORT_META_IN_COMMONJS));
  if (commonjs) {
    copyDeclarations(dist, cjsDir);
    writeFileSync(join(cjsDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
  }
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
build('esm');
build('cjs');
