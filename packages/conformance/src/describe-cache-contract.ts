import { describe } from 'vitest';
import type { ContractOptions } from './contract-options.js';
import { addDeleteContract } from './contracts/add-delete-contract.js';
import { closeContract } from './contracts/close-contract.js';
import { entryInfoContract } from './contracts/entry-info-contract.js';
import { errorsContract } from './contracts/errors-contract.js';
import { eventsContract } from './contracts/events-contract.js';
import { getOrSetCallersContract } from './contracts/get-or-set-callers-contract.js';
import { getOrSetContract } from './contracts/get-or-set-contract.js';
import { keysContract } from './contracts/keys-contract.js';
import { manyKeysContract } from './contracts/many-keys-contract.js';
import { optionsContract } from './contracts/options-contract.js';
import { propertyContract } from './contracts/property-contract.js';
import { scanContract } from './contracts/scan-contract.js';
import { staleContract } from './contracts/stale-contract.js';
import { statsContract } from './contracts/stats-contract.js';
import { tagsContract } from './contracts/tags-contract.js';
import { ttlContract } from './contracts/ttl-contract.js';
import { typedValuesContract } from './contracts/typed-values-contract.js';
import { unicodeContract } from './contracts/unicode-contract.js';
import { valuesContract } from './contracts/values-contract.js';
import { createHarness } from './internal/harness.js';

/**
 * Registers the contract suite of `@cache/core`'s `Cache` as vitest `describe` blocks: every
 * line of the semantics in DESIGN.md, plus model-based property tests. Each test makes fresh
 * caches with `options.create` and closes them afterwards.
 *
 * @example
 * ```ts
 * describeCacheContract({
 *   name: 'MemoryCache',
 *   create: ({ clock, defaultTtl, maxKeyBytes }) => new MemoryCache({ clock, defaultTtl, maxKeyBytes }),
 *   capabilities: { clock: true, entryInfo: { size: true, hits: true, lastAccessAt: true } },
 * });
 * ```
 */
export function describeCacheContract(options: ContractOptions): void {
  describe(`${options.name}: cache contract`, () => {
    const harness = createHarness(options);
    keysContract(harness);
    valuesContract(harness);
    typedValuesContract(harness);
    ttlContract(harness);
    addDeleteContract(harness);
    manyKeysContract(harness);
    scanContract(harness);
    tagsContract(harness);
    getOrSetContract(harness);
    getOrSetCallersContract(harness);
    staleContract(harness);
    eventsContract(harness);
    statsContract(harness);
    entryInfoContract(harness);
    errorsContract(harness);
    optionsContract(harness);
    closeContract(harness);
    propertyContract(harness);
    unicodeContract(harness);
  });
}
