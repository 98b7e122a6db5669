export { namespacePrefix } from './namespace-prefix.js';
export { namespaced } from './namespaced.js';
export { NamespacedCache, type NamespacedOptions } from './namespaced-cache.js';
