import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseByteSize } from './duration.js';
import { CacheConfigError } from './errors.js';
import type { Cache } from './types.js';

/** Options that a backend factory receives: everything in the config but `backend`. */
export type BackendOptions = Record<string, unknown>;

/** What a backend package exports as `createBackend`. */
export type BackendFactory = (options: BackendOptions) => Cache | Promise<Cache>;

/** A configuration for {@link createCache}: a backend name and that backend's options. */
export interface CacheConfig {
  /** `memory`, `file`, `redis`, or a name given to {@link registerBackend}. */
  backend: string;
  [option: string]: unknown;
}

type Loader = () => BackendFactory | Promise<BackendFactory | { createBackend: BackendFactory }>;

const registry = new Map<string, Loader>();
const NAME_RE = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Registers a backend under a name, for {@link createCache} and {@link CacheManager}.
 * The loader returns the factory (or a module that exports `createBackend`); it runs on first use.
 */
export function registerBackend(name: string, loader: Loader): void {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new CacheConfigError(`a backend name must match ${NAME_RE}, got ${JSON.stringify(name)}`);
  }
  if (typeof loader !== 'function') throw new CacheConfigError('registerBackend takes a loader function');
  registry.set(name, loader);
}

function isModuleNotFound(error: unknown, specifier: string): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  return (
    ((e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND' || e?.code === 'ERR_LOAD_URL') &&
      String(e.message).includes(specifier)) ||
    String(e?.message).includes(`Failed to load url ${specifier}`)
  );
}

async function importBackend(name: string): Promise<unknown> {
  const specifier = `@cache/backend-${name}`;
  try {
    return await import(specifier);
  } catch (error) {
    if (!isModuleNotFound(error, specifier)) throw error;
  }
  // The package may be installed by the application but not visible from this package
  // (pnpm's strict layout): resolve it from the working directory.
  try {
    const require = createRequire(join(process.cwd(), 'package.json'));
    return await import(pathToFileURL(require.resolve(specifier)).href);
  } catch (error) {
    if (!isModuleNotFound(error, specifier)) throw error;
    throw new CacheConfigError(
      `the ${JSON.stringify(name)} backend needs the package ${specifier}: install it (npm install ${specifier}) or call registerBackend()`,
      { cause: error },
    );
  }
}

async function loadFactory(name: string): Promise<BackendFactory> {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new CacheConfigError(`unknown backend ${JSON.stringify(name)}`);
  }
  const loaded = await (registry.get(name) ?? (() => importBackend(name)))();
  const factory =
    typeof loaded === 'function'
      ? loaded
      : (loaded as { createBackend?: unknown } | undefined)?.createBackend;
  if (typeof factory !== 'function') {
    throw new CacheConfigError(`the ${JSON.stringify(name)} backend does not export createBackend()`);
  }
  return factory as BackendFactory;
}

const SIZE_OPTIONS = new Set(['maxBytes', 'maxEntrySize']);

function queryValue(name: string, value: string): unknown {
  if (SIZE_OPTIONS.has(name)) return parseByteSize(value, name);
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

/**
 * Turns a cache URL into a {@link CacheConfig}. Options come as query parameters.
 * `memory://`, `file:///abs/dir`, `file://./rel/dir`, `redis://host:port/db`, `rediss://...`
 * (the Redis URL itself is passed on as `url`, without the cache's own query parameters).
 * @throws CacheConfigError for a malformed URL.
 */
export function parseCacheUrl(url: string): CacheConfig {
  if (typeof url !== 'string') throw new CacheConfigError('a cache URL must be a string');
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^?#]*)(?:\?([^#]*))?$/i.exec(url.trim());
  if (!match)
    throw new CacheConfigError(`${JSON.stringify(url)} is not a cache URL (memory://, file://, redis://)`);
  const scheme = (match[1] as string).toLowerCase();
  const rest = match[2] as string;
  const options: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(match[3] ?? '')) options[name] = queryValue(name, value);
  switch (scheme) {
    case 'memory':
      if (rest !== '')
        throw new CacheConfigError(`memory:// takes no host or path, got ${JSON.stringify(rest)}`);
      return { ...options, backend: 'memory' };
    case 'file': {
      if (rest === '')
        throw new CacheConfigError('file:// needs a directory: file:///abs/dir or file://./rel/dir');
      let dir: string;
      try {
        dir = decodeURIComponent(rest);
      } catch (cause) {
        throw new CacheConfigError(`${JSON.stringify(url)} has a malformed path`, { cause });
      }
      if (dir.startsWith('localhost/')) dir = dir.slice('localhost'.length);
      return { ...options, backend: 'file', dir: isAbsolute(dir) ? dir : resolve(dir) };
    }
    case 'redis':
    case 'rediss':
      return { ...options, backend: 'redis', url: `${scheme}://${rest}` };
    default:
      return { ...options, backend: scheme, url: `${scheme}://${rest}` };
  }
}

/**
 * Creates a cache from a configuration or a URL. The backend package is loaded on demand
 * (`@cache/backend-<name>`); one that is not installed is a `CacheConfigError` that names it.
 *
 * @example
 * const cache = await createCache(process.env.CACHE_URL ?? 'memory://?maxEntries=10000');
 */
export async function createCache<V = unknown>(config: CacheConfig | string): Promise<Cache<V>> {
  const resolved = typeof config === 'string' ? parseCacheUrl(config) : config;
  if (resolved === null || typeof resolved !== 'object' || typeof resolved.backend !== 'string') {
    throw new CacheConfigError('createCache takes a URL or a configuration with a backend name');
  }
  const { backend, ...options } = resolved;
  const factory = await loadFactory(backend);
  return (await factory(options)) as Cache<V>;
}
