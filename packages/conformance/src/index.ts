export type { ContractCapabilities, ContractOptions, CreateCacheOptions } from './contract-options.js';
export { describeCacheContract } from './describe-cache-contract.js';
