/** The options every command takes. */
import type { OptionSpec } from './command.js';

/** Options that every command takes, before or after its name. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  url: {
    type: 'string',
    short: 'u',
    value: '<url>',
    description: 'the cache: redis://, rediss://, file://, memory:// (default: $CACHE_URL)',
  },
  config: {
    type: 'string',
    value: '<json|file>',
    description:
      'a createCache configuration as JSON or a JSON file, for Sentinel and Cluster (default: $CACHE_CONFIG)',
  },
  serializer: { type: 'string', value: '<name>', description: 'json (default), msgpack, v8' },
  namespace: {
    type: 'string',
    short: 'n',
    value: '<ns>',
    description: 'work inside this namespace (@cache/namespaced)',
  },
  timeout: {
    type: 'string',
    short: 't',
    value: '<duration>',
    description: 'deadline of the whole command (500ms, 10s, 2m); past it, exit 5 (default: none; ping: 10s)',
  },
  json: { type: 'boolean', description: 'JSON lines on stdout (the default when stdout is not a terminal)' },
  help: { type: 'boolean', short: 'h', description: 'this help' },
};
