/**
 * How `RedisBus` sends on a `RedisCache`'s connection (see `RedisBus.publisherFor`): methods of the
 * cache under these symbols, kept out of the package's exports.
 */
/** `(channel, message) => Promise`: a `PUBLISH` on the cache's connection. */
export const publishOnConnection: unique symbol = Symbol('publishOnConnection');
/** `(write, channel, message) => { written, sent }`: a write, and a `PUBLISH` right behind it. */
export const publishBehindWrite: unique symbol = Symbol('publishBehindWrite');
