import { CacheConfigError, type Serializer } from '@cache/core';

/**
 * Builds the map of serializers by id that `decodeEnvelope` accepts, so that a reader decodes
 * entries written with any of them (for example while moving a cache from `json` to `msgpack`).
 * @throws CacheConfigError when two different serializers share an id.
 */
export function serializerRegistry(...serializers: readonly Serializer[]): ReadonlyMap<string, Serializer> {
  const byId = new Map<string, Serializer>();
  for (const serializer of serializers) {
    if (typeof serializer?.id !== 'string' || serializer.id === '') {
      throw new CacheConfigError('every serializer needs a non-empty string id');
    }
    const known = byId.get(serializer.id);
    if (known !== undefined && known !== serializer) {
      throw new CacheConfigError(`two different serializers share the id ${JSON.stringify(serializer.id)}`);
    }
    byId.set(serializer.id, serializer);
  }
  return byId;
}
