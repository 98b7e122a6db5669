import { randomBytes } from 'node:crypto';

let counter = 0;

/** A prefix no other test run shares: `test:<pid>:<random>:<n>:`. */
export function uniquePrefix(label = 'test'): string {
  return `${label}:${process.pid}:${randomBytes(4).toString('hex')}:${counter++}:`;
}

/** A key no other test shares. */
export function uniqueKey(label = 'key'): string {
  return `${label}-${process.pid}-${randomBytes(6).toString('hex')}-${counter++}`;
}
