export {
  exportEntries,
  type ExportOptions,
  type ExportProgress,
  type ExportReport,
} from './export-entries.js';
export {
  decodeExportLine,
  encodeExportLine,
  EXPORT_FORMAT,
  EXPORT_HEADER,
  EXPORT_VERSION,
  type ExportedEntry,
} from './export-format.js';
export { importEntries } from './import-entries.js';
export {
  RefreshAheadCache,
  type RefreshAheadOptions,
  type RefreshCounters,
  type RefreshLoadContext,
  refreshAhead,
} from './refresh-ahead.js';
export {
  type ScheduleContext,
  type ScheduledJob,
  type ScheduleLock,
  type ScheduleOptions,
  schedule,
} from './schedule.js';
export {
  CacheSource,
  ExportSource,
  type FromCacheOptions,
  fromCache,
  fromExport,
  type KeysInput,
  type LoadContext,
  type LoadManyContext,
  type LoadManySource,
  type LoadSource,
  type WarmEntryTuple,
  type WarmSource,
} from './sources.js';
export { systemTimers, type Timers } from './timers.js';
export { warm } from './warm.js';
export type { WarmMode, WarmOptions, WarmProgress, WarmReport } from './warm-options.js';
