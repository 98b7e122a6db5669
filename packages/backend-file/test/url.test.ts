import { resolve } from 'node:path';
import { CacheConfigError } from '@cache/core';
import { configFromUrl, parseCacheUrl } from '@cache/core/backend';
import { describe, expect, test } from 'vitest';
import { optionsFromUrl } from '../src/index.js';

function refusal(url: string): unknown {
  try {
    parseCacheUrl(url, optionsFromUrl);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('file:// URLs', () => {
  test('the path is the directory and the query the other options', async () => {
    expect(await configFromUrl('file:///var/cache/app?maxBytes=500MB&fsync=true')).toEqual({
      backend: 'file',
      dir: '/var/cache/app',
      maxBytes: '500MB',
      fsync: true,
    });
    expect(await configFromUrl('file://./rel/dir')).toMatchObject({
      backend: 'file',
      dir: `${process.cwd()}/rel/dir`,
    });
  });

  test.each([
    ['file:///var/cache/app', '/var/cache/app'],
    ['FILE:///var/cache/app', '/var/cache/app'],
    ['file://localhost/var/cache/app', '/var/cache/app'],
    ['file:///var/my%20cache/%C3%A9t%C3%A9', '/var/my cache/été'],
    ['file://./rel/dir', resolve('rel/dir')],
    ['file://.cache', resolve('.cache')],
    ['file://../up/Dir', resolve('../up/Dir')],
  ])('%s is the directory %s', (url, dir) => {
    expect(parseCacheUrl(url, optionsFromUrl)).toEqual({ backend: 'file', dir });
  });

  test('the path wins over a dir in the query; values are read as for every URL', () => {
    expect(
      parseCacheUrl('file:///a?dir=/b&fileMode=0o640&maxEntries=10&sweepInterval=false', optionsFromUrl),
    ).toEqual({ backend: 'file', dir: '/a', fileMode: '0o640', maxEntries: 10, sweepInterval: false });
  });

  test.each([
    ['file://', 'file:// needs a directory: file:///abs/dir or file://./rel/dir'],
    ['file://?maxEntries=1', 'file:// needs a directory: file:///abs/dir or file://./rel/dir'],
    ['file:///x%E0', '"file:///x%E0" has a malformed path'],
    ['file:///x%E0?fsync=true', '"file:///x%E0" has a malformed path'],
  ])('refuses %s', (url, message) => {
    const error = refusal(url);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error).toMatchObject({ code: 'CACHE_CONFIG', message });
  });
});
