/**
 * Serializers by name, for configurations and URLs (`?serializer=msgpack&compress=gzip`): core's
 * typed JSON (`json`), the ones of `@cache/serializers` (`msgpack`, `v8`, loaded on first use),
 * and those given to {@link registerSerializer}.
 */
import { CacheConfigError } from './errors.js';
import { importPackage } from './import-package.js';
import { jsonSerializer, type Serializer } from './serializer.js';
import { sharedState } from './shared-state.js';

/** What a loader given to {@link registerSerializer} may resolve to. */
export type SerializerSource = Serializer | { default: Serializer };

/** Runs on first use of a registered serializer, typically `() => import('my-serializer')`. */
export type SerializerLoader = () => SerializerSource | Promise<SerializerSource>;

/** The compression algorithms a configuration may name (`compress`), from `@cache/serializers`. */
export type CompressionName = 'gzip' | 'deflate' | 'brotli';

/** The serializer names that ship with the toolkit. */
export type BuiltInSerializerName = 'json' | 'msgpack' | 'v8';

const SERIALIZERS_PACKAGE = '@cache/serializers';
const FROM_PACKAGE: readonly string[] = ['msgpack', 'v8'];
const COMPRESSIONS: readonly string[] = ['gzip', 'deflate', 'brotli'];
const NAME_RE = /^[a-z][a-z0-9._-]*$/;

const loaders = sharedState('serializers', () => new Map<string, SerializerLoader>());

/**
 * Checks that a value has a serializer's shape.
 * @throws CacheConfigError naming what is missing.
 */
export function assertSerializer(value: unknown, what = 'serializer'): asserts value is Serializer {
  const s = value as Partial<Serializer> | null | undefined;
  if (
    s === null ||
    typeof s !== 'object' ||
    typeof s.id !== 'string' ||
    s.id === '' ||
    typeof s.serialize !== 'function' ||
    typeof s.deserialize !== 'function'
  ) {
    throw new CacheConfigError(`${what} must have a non-empty string id, serialize() and deserialize()`);
  }
}

/**
 * Registers a serializer under a name, for the `serializer` option of configurations and URLs.
 * Takes the serializer itself or a loader that resolves to it (or to a module whose default
 * export it is). A bundled application registers `msgpack` and `v8` the same way, with a loader
 * that imports them from `@cache/serializers`.
 *
 * @example
 * registerSerializer('cbor', () => import('./cbor-serializer.js')); // default export: the serializer
 * const cache = await createCache('redis://127.0.0.1:6379?serializer=cbor');
 * @throws CacheConfigError for a bad name or something that is neither a serializer nor a function.
 */
export function registerSerializer(name: string, serializer: Serializer | SerializerLoader): void {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new CacheConfigError(`a serializer name must match ${NAME_RE}, got ${JSON.stringify(name)}`);
  }
  if (typeof serializer === 'function') loaders.set(name, serializer);
  else {
    assertSerializer(serializer);
    loaders.set(name, () => serializer);
  }
}

async function loadNamed(name: string): Promise<Serializer> {
  const loader = loaders.get(name);
  let loaded: unknown;
  if (loader) loaded = await loader();
  else if (name === 'json') return jsonSerializer;
  else if (FROM_PACKAGE.includes(name)) {
    loaded = (
      (await importPackage(SERIALIZERS_PACKAGE, `the ${JSON.stringify(name)} serializer`)) as Record<
        string,
        unknown
      >
    )[name];
  } else {
    const known = [...new Set(['json', ...FROM_PACKAGE, ...loaders.keys()])].join(', ');
    throw new CacheConfigError(
      `unknown serializer ${JSON.stringify(name)}: the known serializers are ${known}; add others with registerSerializer()`,
    );
  }
  const serializer =
    loaded !== null && typeof loaded === 'object' && 'default' in loaded && !('serialize' in loaded)
      ? (loaded as { default: unknown }).default
      : loaded;
  assertSerializer(serializer, `the ${JSON.stringify(name)} serializer`);
  return serializer;
}

/**
 * The serializer that a configuration names: `serializer` is a name, a serializer, or absent (the
 * backend's default, typed JSON); `compress` wraps it with `@cache/serializers`' `compressed()`.
 * @throws CacheConfigError for an unknown name or algorithm, or a package that is not installed.
 */
export async function resolveSerializer(
  serializer: unknown,
  compress: unknown,
): Promise<Serializer | undefined> {
  let inner: Serializer | undefined;
  if (typeof serializer === 'string') inner = await loadNamed(serializer);
  else if (serializer !== undefined) {
    assertSerializer(serializer);
    inner = serializer;
  }
  if (compress === undefined) return inner;
  if (typeof compress !== 'string' || !COMPRESSIONS.includes(compress)) {
    throw new CacheConfigError(
      `compress must be one of ${COMPRESSIONS.join(', ')}, got ${JSON.stringify(compress)}`,
    );
  }
  const { compressed } = (await importPackage(SERIALIZERS_PACKAGE, `compress=${compress}`)) as {
    compressed: (inner: Serializer, options: { algorithm: string }) => Serializer;
  };
  return compressed(inner ?? jsonSerializer, { algorithm: compress });
}
