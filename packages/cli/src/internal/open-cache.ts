/**
 * Opens the cache a run works on: `--url` or `CACHE_URL` (any URL `createCache` reads), or
 * `--config` / `CACHE_CONFIG` (a `createCache` configuration as JSON text or a JSON file: the way
 * to Sentinel and Cluster), with `--serializer` and `--namespace` applied.
 *
 * The built-in backends and serializers are registered with loaders that import them from this
 * package's own dependencies, so a global install of the command finds them whatever the working
 * directory; `compress` is applied here for the same reason.
 */
import { readFile } from 'node:fs/promises';
import {
  type Cache,
  CacheConfigError,
  createCache,
  jsonSerializer,
  registerBackend,
  registerSerializer,
  type Serializer,
} from '@cache/core';
import { configFromUrl } from '@cache/core/backend';
import { namespaced } from '@cache/namespaced';

/** Where the cache comes from. */
export interface CacheSource {
  url: string | undefined;
  config: string | undefined;
  serializer: string | undefined;
  namespace: string | undefined;
}

let registered = false;

function registerBuiltIns(): void {
  if (registered) return;
  registered = true;
  registerBackend('memory', () => import('@cache/backend-memory'));
  registerBackend('file', () => import('@cache/backend-file'));
  registerBackend('redis', () => import('@cache/backend-redis'));
  registerBackend('tiered', () => import('@cache/tiered'));
  registerSerializer('msgpack', () => import('@cache/serializers').then((m) => m.msgpack));
  registerSerializer('v8', () => import('@cache/serializers').then((m) => m.v8));
}

/** Reads a configuration given as JSON text (starting with `{`) or as the path of a JSON file. */
async function readConfig(config: string): Promise<Record<string, unknown>> {
  let text = config.trim();
  if (!text.startsWith('{')) {
    try {
      text = await readFile(config, 'utf8');
    } catch (cause) {
      throw new CacheConfigError(`cannot read the configuration file ${JSON.stringify(config)}`, { cause });
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new CacheConfigError('the configuration is not JSON', { cause });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new CacheConfigError('the configuration must be a JSON object with a "backend"');
  return parsed as Record<string, unknown>;
}

/** `serializer` (a name) wrapped by `compressed()` of `@cache/serializers`. */
async function compressedSerializer(name: unknown, algorithm: unknown): Promise<Serializer> {
  const { compressed, msgpack, v8 } = await import('@cache/serializers');
  const inner =
    name === undefined || name === 'json'
      ? jsonSerializer
      : name === 'msgpack'
        ? msgpack
        : name === 'v8'
          ? v8
          : undefined;
  if (inner === undefined)
    throw new CacheConfigError(
      `compress works with the json, msgpack and v8 serializers, got ${JSON.stringify(name)}`,
    );
  return compressed(inner, { algorithm: algorithm as 'gzip' });
}

/**
 * Opens the cache of `source`.
 * @throws CacheConfigError when neither or both of a URL and a configuration are given, or when
 *   `createCache` refuses them.
 */
export async function openCache(source: CacheSource): Promise<Cache> {
  registerBuiltIns();
  const { url, config, serializer, namespace } = source;
  if (url !== undefined && config !== undefined)
    throw new CacheConfigError(
      'give either a URL (--url, CACHE_URL) or a configuration (--config), not both',
    );
  let resolved: Record<string, unknown>;
  if (config !== undefined) resolved = await readConfig(config);
  else if (url !== undefined) resolved = await configFromUrl(url);
  else
    throw new CacheConfigError(
      'no cache given: pass --url (or set CACHE_URL), e.g. --url redis://127.0.0.1:6379 or --url file://./.cache',
    );
  if (serializer !== undefined) resolved.serializer = serializer;
  if (resolved.compress !== undefined) {
    resolved.serializer = await compressedSerializer(resolved.serializer, resolved.compress);
    delete resolved.compress;
  }
  const cache = await createCache(resolved as { backend: string });
  return namespace === undefined ? cache : namespaced(cache, namespace, { closeInner: true });
}
