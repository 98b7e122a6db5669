/**
 * The registry of backends that `createCache` and `CacheManager` load by name: the built-in
 * ones (`memory`, `file`, `redis`, imported from `@cache/backend-<name>` on first use) and those
 * given to {@link registerBackend}.
 */
import type { CacheUrlParts } from './cache-url.js';
import { CacheConfigError } from './errors.js';
import { importPackage } from './import-package.js';
import type { PlatformURL } from './platform.js';
import { sharedState } from './shared-state.js';
import type { Cache } from './types.js';

/** Options that a backend receives: the configuration without `backend`. */
export type BackendOptions = Record<string, unknown>;

/** A function that creates a cache from options (what a backend package exports as `createBackend`). */
export type BackendFactory = (options: BackendOptions) => Cache | Promise<Cache>;

/** A cache class constructed with its options (`new MemoryCache(options)`). */
// biome-ignore lint/suspicious/noExplicitAny: a backend class declares its own options type.
export type BackendClass = new (options: any) => Cache;

/**
 * Turns a cache URL of the backend's scheme into its options: `url` parsed by the URL standard,
 * and `parts` the URL as written (scheme, what follows `//` up to the query, the query), for a
 * backend whose host or path that parsing would alter (a file path). A backend without one is
 * reached by URL only with query options (`mybackend://?size=10`): core never hands it a `url`.
 */
export type OptionsFromUrl = (url: PlatformURL, parts: CacheUrlParts) => BackendOptions;

/** A module that provides a backend: `createBackend`, or a default export that is the class. */
export interface BackendModule {
  createBackend?: BackendFactory;
  default?: BackendClass | BackendFactory | BackendModule;
  optionsFromUrl?: OptionsFromUrl;
}

/** What a loader given to {@link registerBackend} may resolve to. */
export type BackendSource = BackendClass | BackendFactory | BackendModule;

/** Runs on first use of a registered backend, typically `() => import('my-backend')`. */
export type BackendLoader = () => BackendSource | Promise<BackendSource>;

/** A loaded backend: how to create it, and how to read its URLs if it can. */
export interface LoadedBackend {
  create: BackendFactory;
  optionsFromUrl: OptionsFromUrl | undefined;
}

/** The backends that ship with the toolkit, each in its own package. */
const BUILT_IN_PACKAGES: ReadonlyMap<string, string> = new Map([
  ['memory', '@cache/backend-memory'],
  ['file', '@cache/backend-file'],
  ['redis', '@cache/backend-redis'],
  ['tiered', '@cache/tiered'],
]);
const BUILT_IN_BACKENDS: readonly string[] = [...BUILT_IN_PACKAGES.keys()];
/** URL schemes of a backend whose name is another: `rediss://` is the redis backend over TLS. */
const SCHEME_BACKENDS: ReadonlyMap<string, string> = new Map([['rediss', 'redis']]);
const NAME_RE = /^[a-z][a-z0-9+.-]*$/;

const loaders = sharedState('backends', () => new Map<string, BackendLoader>());

/**
 * Registers a backend under a name (also its URL scheme), for `createCache` and `CacheManager`.
 * The loader runs on first use and may resolve to the backend class, to a factory, or to a module
 * whose `default` export is the class or that exports `createBackend` (and, to be reached by URLs
 * with a host or a path, `optionsFromUrl`). A bundled application registers the built-in backends
 * it uses the same way, with a loader that imports the backend's package (`@cache/backend-redis`
 * for `redis`): core names those packages only as strings and loads them when they are installed.
 *
 * @example
 * registerBackend('mongo', () => import('./mongo-cache.js')); // default export: class MongoCache
 * const cache = await createCache({ backend: 'mongo', collection: 'cache' });
 * @throws CacheConfigError for a name that is not a lowercase URL scheme, or a loader that is not a function.
 */
export function registerBackend(name: string, loader: BackendLoader): void {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new CacheConfigError(`a backend name must match ${NAME_RE}, got ${JSON.stringify(name)}`);
  }
  if (typeof loader !== 'function') throw new CacheConfigError('registerBackend takes a loader function');
  loaders.set(name, loader);
}

/** The names `createCache` knows: the built-in backends and the registered ones. */
export function knownBackends(): string[] {
  return [...new Set([...BUILT_IN_BACKENDS, ...loaders.keys()])];
}

/** The backend that a URL scheme names: the one it is a scheme of, else the backend of that name. */
export function backendOfScheme(scheme: string): string {
  return SCHEME_BACKENDS.get(scheme) ?? scheme;
}

/** A class rather than a plain function: it is constructed with `new`. */
function isClass(value: BackendClass | BackendFactory): value is BackendClass {
  const prototype = (value as { prototype?: { get?: unknown } }).prototype;
  return typeof prototype?.get === 'function' || /^class[\s{]/.test(Function.prototype.toString.call(value));
}

function fromSource(source: unknown, depth = 0): LoadedBackend | undefined {
  if (typeof source === 'function') {
    const fn = source as BackendClass | BackendFactory;
    const create: BackendFactory = isClass(fn) ? (options) => new fn(options) : fn;
    const fromUrl = (fn as { optionsFromUrl?: unknown }).optionsFromUrl;
    return {
      create,
      optionsFromUrl: typeof fromUrl === 'function' ? (fromUrl as OptionsFromUrl) : undefined,
    };
  }
  if (source === null || typeof source !== 'object') return undefined;
  const module = source as BackendModule;
  const result =
    typeof module.createBackend === 'function'
      ? fromSource(module.createBackend, depth + 1)
      : depth < 2
        ? fromSource(module.default, depth + 1)
        : undefined;
  if (result && typeof module.optionsFromUrl === 'function') result.optionsFromUrl = module.optionsFromUrl;
  return result;
}

const loaded = new Map<string, { loader: BackendLoader | undefined; backend: Promise<LoadedBackend> }>();

/**
 * The backend with this name, loaded once.
 * @throws CacheConfigError for an unknown name (listing the known ones), a missing package, or a
 *   loader whose result is none of the accepted shapes.
 */
export function loadBackend(name: string): Promise<LoadedBackend> {
  const loader = loaders.get(name);
  const cached = loaded.get(name);
  if (cached && cached.loader === loader) return cached.backend;
  const backend = load(name, loader);
  loaded.set(name, { loader, backend });
  // A failed load is not kept: the next call tries again.
  backend.catch(() => loaded.get(name)?.backend === backend && loaded.delete(name));
  return backend;
}

async function load(name: string, loader: BackendLoader | undefined): Promise<LoadedBackend> {
  if (!loader && !BUILT_IN_BACKENDS.includes(name)) {
    throw new CacheConfigError(
      `unknown backend ${JSON.stringify(name)}: the known backends are ${knownBackends().join(', ')}; add others with registerBackend()`,
    );
  }
  const source = loader
    ? await loader()
    : await importPackage(BUILT_IN_PACKAGES.get(name) as string, `the ${JSON.stringify(name)} backend`);
  const backend = fromSource(source);
  if (!backend) {
    throw new CacheConfigError(
      `the ${JSON.stringify(name)} backend's loader must resolve to a cache class, a factory, or a module with createBackend() or a default export`,
    );
  }
  return backend;
}
