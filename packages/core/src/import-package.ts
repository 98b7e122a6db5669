import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CacheConfigError } from './errors.js';

function isModuleNotFound(error: unknown, specifier: string): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  return (
    ((e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND' || e?.code === 'ERR_LOAD_URL') &&
      String(e.message).includes(specifier)) ||
    String(e?.message).includes(`Failed to load url ${specifier}`)
  );
}

/**
 * Imports a file by its absolute path. The path is what `require()` takes (the CommonJS build
 * compiles `import()` to `require()`) and what `import()` takes on POSIX; `import()` of a Windows
 * path (`C:\\...`) refuses it, and is given its file URL.
 */
async function importPath(path: string): Promise<unknown> {
  try {
    return await import(path);
  } catch (error) {
    if ((error as { code?: unknown } | undefined)?.code !== 'ERR_UNSUPPORTED_ESM_URL_SCHEME') throw error;
    return await import(pathToFileURL(path).href);
  }
}

/**
 * Imports one of the toolkit's optional packages (a backend, `@cache/serializers`) on first use.
 * The package may be installed by the application without being visible from core (pnpm's strict
 * layout), so the working directory's resolution is tried second.
 * @throws CacheConfigError naming the package to install, for `what` (`the "redis" backend`).
 */
export async function importPackage(specifier: string, what: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (error) {
    if (!isModuleNotFound(error, specifier)) throw error;
  }
  try {
    const require = createRequire(join(process.cwd(), 'package.json'));
    return await importPath(require.resolve(specifier));
  } catch (error) {
    if (!isModuleNotFound(error, specifier)) throw error;
    throw new CacheConfigError(
      `${what} needs the package ${specifier}: install it (npm install ${specifier}), or register it first (in a bundled application)`,
      { cause: error },
    );
  }
}
