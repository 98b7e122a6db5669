/**
 * A staleness-bounded coherence checker for a history of reads and writes on a fleet.
 *
 * Every operation has a `start` (called) and an `end` (resolved) time on one time line shared by
 * all instances. Values written are unique per write (a delete writes `undefined`; the initial
 * state of every key is `undefined` too). A read of `key` that returned `v` is explained when
 *
 * 1. some write of `v` to `key` started before the read ended (`w.start <= r.end`; the initial
 *    state counts as a write at -Infinity), and
 * 2. no write `w'` that is ordered after that write in real time (`w'.start > w.end`) completed
 *    more than `bound(w')` ms before the read started (`w'.end + bound(w') < r.start`).
 *
 * So a read may return a value at most `bound` ms stale relative to the completed writes. A write
 * whose outcome is unknown (`ok: false`: it rejected, so it may or may not have reached the store)
 * may explain a read but never supersedes anything. Where several writes of the same value exist
 * (deletes), one explanation is enough.
 */

/** One write (a delete writes `undefined`). */
export interface WriteOp {
  kind: 'write';
  instance: number;
  key: string;
  value: unknown;
  start: number;
  end: number;
  /** false: the write rejected (it may or may not have taken effect). @default true */
  ok?: boolean;
}

/** One read, and the value it returned (`undefined`: a miss). */
export interface ReadOp {
  kind: 'read';
  instance: number;
  key: string;
  value: unknown;
  start: number;
  end: number;
}

export type Op = WriteOp | ReadOp;

/** How long after it completed a write may still be missed by a read, in ms. */
export type Bound = number | ((write: WriteOp) => number);

/** A read no write explains, with what was tried. */
export interface Violation {
  read: ReadOp;
  /** `unwritten`: no write of that value started before the read ended. `superseded`: every write of it was superseded too long before. */
  reason: 'unwritten' | 'superseded';
  /** For `superseded`: each candidate write and the write that superseded it too long before the read. */
  superseded: { write: WriteOp; by: WriteOp; staleFor: number; bound: number }[];
}

export interface CheckResult {
  reads: number;
  writes: number;
  /** Reads explained only by a value that a write completed before the read started had replaced (within the bound). */
  staleReads: number;
  /** The longest such staleness, in ms (0 when none). */
  maxStaleness: number;
  violations: Violation[];
}

const ABSENT = '\u0000absent';

function valueKey(value: unknown): string {
  return value === undefined ? ABSENT : JSON.stringify(value);
}

/** Checks every read of the history; see the file comment for the rule. */
export function checkHistory(history: readonly Op[], bound: Bound): CheckResult {
  const boundOf = typeof bound === 'number' ? () => bound : bound;
  // Per key: its writes (the initial absent state first), and its writes by value.
  const writesByKey = new Map<string, WriteOp[]>();
  const byValue = new Map<string, Map<string, WriteOp[]>>();
  const writesOf = (key: string): WriteOp[] => {
    let list = writesByKey.get(key);
    if (!list) {
      const initial: WriteOp = {
        kind: 'write',
        instance: -1,
        key,
        value: undefined,
        start: Number.NEGATIVE_INFINITY,
        end: Number.NEGATIVE_INFINITY,
      };
      list = [initial];
      writesByKey.set(key, list);
      byValue.set(key, new Map([[ABSENT, [initial]]]));
    }
    return list;
  };
  let writes = 0;
  for (const op of history) {
    if (op.kind !== 'write') continue;
    writes++;
    writesOf(op.key).push(op);
    const values = byValue.get(op.key) as Map<string, WriteOp[]>;
    const v = valueKey(op.value);
    const same = values.get(v);
    if (same) same.push(op);
    else values.set(v, [op]);
  }
  let reads = 0;
  let staleReads = 0;
  let maxStaleness = 0;
  const violations: Violation[] = [];
  for (const read of history) {
    if (read.kind !== 'read') continue;
    reads++;
    const all = writesOf(read.key);
    const candidates = (byValue.get(read.key)?.get(valueKey(read.value)) ?? []).filter(
      (w) => w.start <= read.end,
    );
    if (candidates.length === 0) {
      violations.push({ read, reason: 'unwritten', superseded: [] });
      continue;
    }
    let best: number | undefined;
    const superseded: Violation['superseded'] = [];
    for (const write of candidates) {
      // How stale the read is if it saw this write; undefined when some superseding write is past its bound.
      let stale = 0;
      let worst: Violation['superseded'][number] | undefined;
      for (const later of all) {
        if (later.ok === false || !(later.start > write.end) || !(later.end < read.start)) continue;
        const staleFor = read.start - later.end;
        const allowed = boundOf(later);
        if (staleFor > allowed) {
          if (!worst || staleFor - allowed > worst.staleFor - worst.bound)
            worst = { write, by: later, staleFor, bound: allowed };
        }
        stale = Math.max(stale, staleFor);
      }
      if (worst) superseded.push(worst);
      else best = best === undefined ? stale : Math.min(best, stale);
    }
    if (best === undefined) {
      violations.push({ read, reason: 'superseded', superseded });
      continue;
    }
    if (best > 0) {
      staleReads++;
      maxStaleness = Math.max(maxStaleness, best);
    }
  }
  return { reads, writes, staleReads, maxStaleness, violations };
}

/**
 * The smallest part of the history that shows a violation: the operations on its key from the
 * start of the earliest write involved to the end of the read, in start order, one per line.
 */
export function describeViolation(history: readonly Op[], violation: Violation): string {
  const { read } = violation;
  const from = Math.min(
    read.start,
    ...violation.superseded.map((s) => (Number.isFinite(s.write.start) ? s.write.start : s.by.start)),
  );
  const lines = history
    .filter((op) => op.key === read.key && op.end >= from && op.start <= read.end)
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map(
      (op) =>
        `  [${op.start}, ${op.end}] #${op.instance} ${op.kind} ${op.key} ${op.value === undefined ? '(absent)' : JSON.stringify(op.value)}${op.kind === 'write' && op.ok === false ? ' (rejected)' : ''}${op === read ? '   <== unexplained' : ''}`,
    );
  const why =
    violation.reason === 'unwritten'
      ? 'no write of this value started before the read ended'
      : violation.superseded
          .map(
            (s) =>
              `the write of ${s.write.value === undefined ? '(absent)' : JSON.stringify(s.write.value)} was superseded by #${s.by.instance}'s write of ${JSON.stringify(s.by.value)} ${s.staleFor} ms before the read (bound ${s.bound} ms)`,
          )
          .join('; ');
  return `read of ${read.key} by #${read.instance} at [${read.start}, ${read.end}] returned ${read.value === undefined ? '(absent)' : JSON.stringify(read.value)}: ${why}\n${lines.join('\n')}`;
}
