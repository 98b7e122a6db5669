import { expectCacheError, MapCache } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import {
  CacheConfigError,
  CacheManager,
  createCache,
  jsonSerializer,
  registerBackend,
  registerSerializer,
} from '../src/index.js';
import { type CacheUrlParts, configFromUrl, parseCacheUrl } from '../src/backend.js';
import { importPackage } from '../src/import-package.js';

describe('parseCacheUrl', () => {
  it('parses URLs with options', () => {
    expect(parseCacheUrl('memory://?defaultTtl=5m&maxEntries=1000')).toEqual({
      backend: 'memory',
      defaultTtl: '5m',
      maxEntries: 1000,
    });
    expect(parseCacheUrl('custom://?size=3&mode=fast')).toEqual({ backend: 'custom', size: 3, mode: 'fast' });
  });

  it('reads query values as booleans, decimal numbers or strings', () => {
    expect(parseCacheUrl('Custom://?a=true&b=false&c=-1&d=0.5&e=10MB&f=0o640&g=1e3&h=a%26b&i=')).toEqual({
      backend: 'custom',
      a: true,
      b: false,
      c: -1,
      d: 0.5,
      e: '10MB',
      f: '0o640',
      g: '1e3',
      h: 'a&b',
      i: '',
    });
  });

  it.each([['not a url'], ['memory://host'], ['custom://host/db']])('refuses %s', (url) => {
    expect(() => parseCacheUrl(url)).toThrow(CacheConfigError);
  });

  it('names what it refuses', () => {
    expect(() => parseCacheUrl('memory//')).toThrow(
      new CacheConfigError('"memory//" is not a cache URL (memory://, file://, redis://)'),
    );
    expect(() => parseCacheUrl('custom://host/db')).toThrow(
      new CacheConfigError(
        'custom:// takes no host or path here, got "host/db" (a backend reads them by exporting optionsFromUrl)',
      ),
    );
  });

  it("hands the backend's optionsFromUrl the standard URL and the URL as written", () => {
    const seen: unknown[] = [];
    const config = parseCacheUrl(' Custom://Host:1/A%20b?x=1&backend=no ', (url, parts) => {
      seen.push(url.href, parts.scheme, parts.rest, [...parts.query]);
      return { size: 3, backend: 'ignored' };
    });
    expect(config).toEqual({ backend: 'custom', size: 3 });
    expect(seen).toEqual([
      'custom://Host:1/A%20b?x=1&backend=no',
      'custom',
      'Host:1/A%20b',
      [
        ['x', '1'],
        ['backend', 'no'],
      ],
    ]);
  });

  it('names the redis backend for rediss:// URLs', () => {
    expect(parseCacheUrl('rediss://host', (_url, parts) => ({ scheme: parts.scheme }))).toEqual({
      backend: 'redis',
      scheme: 'rediss',
    });
  });

  it('refuses a URL that the URL standard does not parse before optionsFromUrl reads it', () => {
    let called = false;
    const read = () => {
      called = true;
      return {};
    };
    const error = (() => {
      try {
        parseCacheUrl('custom://host:99999', read);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error).toMatchObject({
      code: 'CACHE_CONFIG',
      message: '"custom://host:99999" is not a valid URL',
    });
    expect((error as CacheConfigError).cause).toBeInstanceOf(TypeError);
    expect(called).toBe(false);
  });
});

/** A backend that records the options it is created with. */
class Recording extends MapCache {
  static seen: Record<string, unknown>[] = [];
  readonly options: Record<string, unknown>;
  constructor(options: Record<string, unknown> = {}) {
    const { serializer: _s, url: _u, ...base } = options;
    super(base);
    this.options = options;
    Recording.seen.push(options);
  }
}

function configError(promise: Promise<unknown>): Promise<CacheConfigError> {
  return expectCacheError(promise, CacheConfigError, 'CACHE_CONFIG');
}

describe('createCache', () => {
  it('gives a registered backend reached by URL only the query options (no url)', async () => {
    const seen: unknown[] = [];
    registerBackend('maptest', () => (options) => {
      seen.push(options);
      return new MapCache(options);
    });
    const cache = await createCache('maptest://?defaultTtl=5m&name=pages');
    expect(cache).toBeInstanceOf(MapCache);
    expect(cache.name).toBe('pages');
    expect(seen).toEqual([{ defaultTtl: '5m', name: 'pages' }]);
    const error = await configError(createCache('maptest://host/db'));
    expect(error.message).toContain('optionsFromUrl');
  });

  it('hands the whole URL to a backend that exports optionsFromUrl', async () => {
    registerBackend('urltest', () => ({
      default: Recording,
      optionsFromUrl: (url: URL) => ({
        host: url.hostname,
        db: url.pathname.slice(1),
        ttl: url.searchParams.get('t'),
      }),
    }));
    Recording.seen = [];
    await createCache('urltest://db.local/7?t=5m');
    expect(Recording.seen).toEqual([{ host: 'db.local', db: '7', ttl: '5m' }]);
  });

  it('configFromUrl gives the configuration that createCache makes from a URL', async () => {
    registerBackend('configtest', () => ({
      default: Recording,
      optionsFromUrl: (_url: URL, { rest, query }: CacheUrlParts) => ({ path: rest, n: query.get('n') }),
    }));
    expect(await configFromUrl('configtest://a/b?n=1')).toEqual({
      backend: 'configtest',
      path: 'a/b',
      n: '1',
    });
    registerBackend('configquery', () => MapCache);
    expect(await configFromUrl('configquery://?n=1')).toEqual({ backend: 'configquery', n: 1 });
    const unknown = await configError(configFromUrl('nosuch://'));
    expect(unknown.message).toMatch(/^unknown backend "nosuch"/);
  });

  it.each([
    [
      'a module with createBackend',
      () => ({ createBackend: (o: Record<string, unknown>) => new Recording(o) }),
    ],
    ['a module whose default export is the class', () => Promise.resolve({ default: Recording })],
    ['the class itself', () => Recording],
    ['a factory function', () => (o: Record<string, unknown>) => new Recording(o)],
    [
      'a CommonJS module seen through import()',
      () => ({ default: { createBackend: (o: Record<string, unknown>) => new Recording(o) } }),
    ],
  ])('accepts a loader that resolves to %s', async (_shape, loader) => {
    registerBackend('shape', loader as never);
    Recording.seen = [];
    const cache = await createCache({ backend: 'shape', option: 1 });
    expect(cache).toBeInstanceOf(Recording);
    expect(Recording.seen).toEqual([{ option: 1 }]);
  });

  it('lists the known backends for an unknown name, and names no package', async () => {
    const unknown = await configError(createCache('mongodb://x'));
    expect(unknown.message).toMatch(
      /unknown backend "mongodb": the known backends are memory, file, redis, tiered, /,
    );
    expect(unknown.message).not.toContain('@cache/backend-mongodb');
  });

  it('names the package to install when an optional package is missing', async () => {
    const error = await configError(importPackage('@cache/backend-nosuch', 'the "nosuch" backend'));
    expect(error.message).toBe(
      'the "nosuch" backend needs the package @cache/backend-nosuch: install it (npm install @cache/backend-nosuch), or register it first (in a bundled application)',
    );
  });

  it('refuses bad backend names and configurations', async () => {
    await configError(createCache({ backend: '../evil' }));
    await configError(createCache({} as never));
    expect(() => registerBackend('Bad Name', () => () => new MapCache())).toThrow(CacheConfigError);
    expect(() => registerBackend('ok', 'not a function' as never)).toThrow(CacheConfigError);
    registerBackend('broken', () => ({}) as never);
    const error = await configError(createCache({ backend: 'broken' }));
    expect(error.message).toContain('must resolve to a cache class, a factory, or a module');
  });

  it('resolves serializers by name, registered ones and json, with compression', async () => {
    registerBackend('sertest', () => Recording);
    const custom = {
      id: 'upper',
      serialize: (v: unknown) => new TextEncoder().encode(String(v)),
      deserialize: (b: Uint8Array) => new TextDecoder().decode(b),
    };
    registerSerializer('upper', custom);
    registerSerializer('lazy', async () => ({ default: custom }));
    const of = async (config: Parameters<typeof createCache>[0]) =>
      ((await createCache(config)) as Recording).options.serializer;
    expect(await of('sertest://?serializer=json')).toBe(jsonSerializer);
    expect(await of({ backend: 'sertest', serializer: 'upper' })).toBe(custom);
    expect(await of('sertest://?serializer=lazy')).toBe(custom);
    expect(await of({ backend: 'sertest', serializer: custom })).toBe(custom);
    expect(await of('sertest://')).toBeUndefined();
    const unknown = await configError(createCache('sertest://?serializer=yaml'));
    expect(unknown.message).toContain(
      'unknown serializer "yaml": the known serializers are json, msgpack, v8, upper, lazy',
    );
    await configError(createCache('sertest://?compress=zip'));
    await configError(createCache({ backend: 'sertest', serializer: { id: 'x' } as never }));
    expect(() => registerSerializer('bad', { id: '' } as never)).toThrow(CacheConfigError);
    expect(() => registerSerializer('Bad!', custom)).toThrow(CacheConfigError);
    expect('compress' in (Recording.seen.at(-1) ?? {})).toBe(false);
  });
});

describe('CacheManager', () => {
  it('creates named caches once and closes them all', async () => {
    let created = 0;
    registerBackend('counted', () => (options) => {
      created++;
      return new MapCache(options);
    });
    const caches = new CacheManager({ sessions: { backend: 'counted' }, pages: 'counted://' });
    expect(caches.names).toEqual(['sessions', 'pages']);
    const sessions = await caches.get('sessions');
    expect(await caches.get('sessions')).toBe(sessions);
    expect(sessions.name).toBe('sessions');
    await (await caches.get('pages')).set('a', 1);
    expect(created).toBe(2);
    await expect(caches.get('nope' as never)).rejects.toBeInstanceOf(CacheConfigError);
    await caches.close();
    await expect(sessions.get('a')).rejects.toMatchObject({ code: 'CACHE_CONFIG' });
    await expect(caches.get('sessions')).rejects.toBeInstanceOf(CacheConfigError);
  });
});
