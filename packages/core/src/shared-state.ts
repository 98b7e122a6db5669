/**
 * State that must be one per process even when two copies of `@cache/core` are loaded (its
 * CommonJS and ESM builds, or two versions in one dependency tree): registries of backends and
 * serializers. It is kept on `globalThis` under a registered symbol.
 */
export function sharedState<T>(name: string, init: () => T): T {
  const key = Symbol.for(`@cache/core:${name}`);
  const holder = globalThis as Record<symbol, unknown>;
  if (!(key in holder)) holder[key] = init();
  return holder[key] as T;
}
