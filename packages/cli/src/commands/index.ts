/** Every command of the `cache` program, in the order of the help. */
import type { Command } from '../internal/command.js';
import { benchCommand } from './bench.js';
import { clearCommand } from './clear.js';
import { delCommand } from './del.js';
import { deleteMatchingCommand } from './delete-matching.js';
import { exportCommand } from './export.js';
import { getCommand } from './get.js';
import { importCommand } from './import.js';
import { inspectCommand } from './inspect.js';
import { invalidateTagsCommand } from './invalidate-tags.js';
import { keysCommand } from './keys.js';
import { pingCommand } from './ping.js';
import { setCommand } from './set.js';
import { statsCommand } from './stats.js';

export const COMMANDS: readonly Command[] = [
  getCommand,
  setCommand,
  delCommand,
  inspectCommand,
  keysCommand,
  clearCommand,
  deleteMatchingCommand,
  invalidateTagsCommand,
  statsCommand,
  exportCommand,
  importCommand,
  benchCommand,
  pingCommand,
];
