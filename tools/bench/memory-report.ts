/**
 * The Markdown of the memory benchmark, for each kind of value: the targets of issue 12 with the
 * measured ratio and whether each is met, the current build against a baseline build when one
 * was run, a summary table, one table per scenario with ratios (vs lru-cache sync, vs lru-cache
 * behind an async function, vs the best async library), and bytes per entry.
 */
import {
  type ScenarioId,
  type SpeedConfig,
  type SpeedResult,
  scenarioIds,
  type ValueKind,
} from './memory-speed.ts';
import type { Subject } from './memory-subjects.ts';

/** What the heap child process of one subject reported. */
export interface HeapResult {
  bytesPerEntry: number;
  retained: number;
  fillMs: number;
}

/** Figures by value kind, then subject id. */
export type ByKind<T> = Map<ValueKind, Map<string, T>>;

/** Everything measured in one run. */
export interface MemoryBenchResults {
  subjects: readonly Subject[];
  valueKinds: readonly ValueKind[];
  /** Best round of each subject and scenario. */
  speed: ByKind<Map<ScenarioId, SpeedResult>>;
  /** Ops per second of each round (index round - 1), by scenario; a failed round is a hole. */
  rounds: ByKind<Map<ScenarioId, number[]>>;
  heap: ByKind<HeapResult>;
  heapEntries: number;
  config: SpeedConfig;
  placeholder: boolean;
  header: string[];
}

const scenarioTitles: Record<ScenarioId, string> = {
  'get-hit': 'get-hit',
  'get-miss': 'get-miss',
  'set-existing': 'set of an existing key',
  'set-evict': 'set with eviction',
  mix: 'Zipf 90/10 mix',
};

const kindTitles: Record<ValueKind, string> = { string: 'string values', object: 'object values' };

export function formatOps(ops: number | undefined): string {
  if (ops === undefined || !Number.isFinite(ops)) return 'n/a';
  if (ops >= 1e6) return `${(ops / 1e6).toFixed(2)} M`;
  if (ops >= 1e3) return `${(ops / 1e3).toFixed(1)} k`;
  return ops.toFixed(0);
}

function formatRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return 'n/a';
  return r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`;
}

function table(head: string[], rows: string[][]): string {
  const align = head.map((_, i) => (i === 0 ? '---' : '---:'));
  return [head, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function ops(res: MemoryBenchResults, kind: ValueKind, id: string, scenario: ScenarioId): number | undefined {
  return res.speed.get(kind)?.get(id)?.get(scenario)?.opsPerSec;
}

function bytes(res: MemoryBenchResults, kind: ValueKind, id: string): number | undefined {
  return res.heap.get(kind)?.get(id)?.bytesPerEntry;
}

/** The fastest async peer library in a scenario (bentocache, cacheable, keyv, cache-manager). */
function bestAsync(
  res: MemoryBenchResults,
  kind: ValueKind,
  scenario: ScenarioId,
): { label: string; ops: number } | undefined {
  let best: { label: string; ops: number } | undefined;
  for (const s of res.subjects) {
    if (s.group !== 'async-lib') continue;
    const o = ops(res, kind, s.id, scenario);
    if (o !== undefined && (!best || o > best.ops)) best = { label: s.label, ops: o };
  }
  return best;
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a / b;
}

/**
 * The ratio of `a` to `b` in each round (run at once when they are a pair, else seconds apart):
 * a slow spell of the machine that spans both cancels out. Its median, and the text
 * "median (lowest-highest)".
 */
function pairedRatio(
  res: MemoryBenchResults,
  kind: ValueKind,
  a: string,
  b: string,
  scenario: ScenarioId,
): { median: number; text: string } | undefined {
  const ra = res.rounds.get(kind)?.get(a)?.get(scenario) ?? [];
  const rb = res.rounds.get(kind)?.get(b)?.get(scenario) ?? [];
  const ratios = ra
    .map((x, i) => x / (rb[i] ?? Number.NaN))
    .filter(Number.isFinite)
    .sort((x, y) => x - y);
  if (ratios.length === 0) return undefined;
  const mid = ratios.length >> 1;
  const median = ratios.length % 2 === 1 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
  const range = `${formatRatio(ratios[0])}-${formatRatio(ratios[ratios.length - 1])}`;
  return { median, text: ratios.length === 1 ? formatRatio(median) : `${formatRatio(median)} (${range})` };
}

/**
 * The targets of issue 12 for one kind of value, as rows: target, needs, best rounds, per round,
 * met. Rows whose subjects did not run are left out.
 */
function targetRows(res: MemoryBenchResults, kind: ValueKind): string[][] {
  const rows: {
    name: string;
    atMost: boolean;
    needs: number;
    best?: number | undefined;
    value: number | undefined;
    text: string;
  }[] = [];
  const speedRow = (name: string, a: string, b: string, scenario: ScenarioId, needs: number): void => {
    const best = ratio(ops(res, kind, a, scenario), ops(res, kind, b, scenario));
    const perRound = pairedRatio(res, kind, a, b, scenario);
    rows.push({
      name,
      atMost: false,
      needs,
      best,
      value: perRound?.median ?? best,
      text: perRound?.text ?? 'n/a',
    });
  };
  for (const sc of scenarioIds) {
    speedRow(
      `default policy, sync ${scenarioTitles[sc]} vs lru-cache (sync)`,
      'memory-sync',
      'lru-cache-sync',
      sc,
      0.9,
    );
  }
  speedRow(
    'default policy, async get-hit vs lru-cache (async-wrapped)',
    'memory-async',
    'lru-cache-async',
    'get-hit',
    1,
  );
  for (const sc of scenarioIds) {
    speedRow(
      `policy 'lru', sync ${scenarioTitles[sc]} vs lru-cache (sync)`,
      'memory-lru-sync',
      'lru-cache-sync',
      sc,
      1,
    );
  }
  const ours = bytes(res, kind, 'memory-sync');
  const lru = bytes(res, kind, 'lru-cache-sync');
  const bytesRatio = ratio(ours, lru);
  rows.push({
    name: 'default policy, bytes per entry vs lru-cache',
    atMost: true,
    needs: 1.05,
    value: bytesRatio,
    text:
      bytesRatio === undefined
        ? 'n/a'
        : `${formatRatio(bytesRatio)} (${ours!.toFixed(1)} B / ${lru!.toFixed(1)} B)`,
  });
  return rows
    .filter((r) => r.value !== undefined)
    .map((r) => [
      r.name,
      `${r.atMost ? '<=' : '>='} ${r.needs.toFixed(r.atMost ? 2 : 1)}x`,
      r.best === undefined ? '-' : formatRatio(r.best),
      r.text,
      (r.atMost ? r.value! <= r.needs : r.value! >= r.needs) ? 'met' : '**missed**',
    ]);
}

/**
 * Each current MemoryCache subject against the same subject built from the baseline checkout, for
 * one kind of value: the per-round ratio current / baseline of every scenario, and of bytes per entry.
 */
function baselineRows(res: MemoryBenchResults, kind: ValueKind): string[][] {
  return res.subjects.flatMap((base) => {
    const current = res.subjects.find((s) => s.id === base.baselineOf);
    if (!current) return [];
    return [
      [
        current.label,
        ...scenarioIds.map((sc) => pairedRatio(res, kind, current.id, base.id, sc)?.text ?? 'n/a'),
        formatRatio(ratio(bytes(res, kind, current.id), bytes(res, kind, base.id))),
      ],
    ];
  });
}

/** The full document. */
export function renderMarkdown(res: MemoryBenchResults): string {
  const out: string[] = ['# Memory backend: speed and memory', '', ...res.header, ''];
  if (res.placeholder) {
    out.push(
      '> **Placeholder run**: `@cache/backend-memory` was not built, so the MemoryCache rows are a',
      '> FIFO Map stand-in. These rows say nothing about MemoryCache.',
      '',
    );
  }
  out.push('## Targets (issue 12)', '');
  for (const kind of res.valueKinds) {
    const rows = targetRows(res, kind);
    out.push(
      `### ${kindTitles[kind]}`,
      '',
      rows.length === 0
        ? 'No target: the subjects it compares did not run.'
        : table(['target', 'needs', 'best rounds', 'per round: median (range)', ''], rows),
      '',
    );
  }
  out.push(
    '"best rounds" divides the two subjects\' best rounds (the tables below), which may come from',
    'different rounds; "per round" divides their figures within each round, where the two of a pair',
    'ran at once (one per core), and gives the median and the range over the rounds. "met" reads the',
    'per-round median: it cancels the slow swings of a shared machine that the best rounds keep.',
    '',
  );

  if (res.subjects.some((s) => s.baselineOf !== undefined)) {
    out.push(
      '## Current build against the baseline (current / baseline, per round: median (range))',
      '',
      'Each MemoryCache subject ran beside the same subject built from the baseline checkout, the two',
      'at once (one per core), so the ratio of each round compares the builds under the same load.',
      '',
    );
    for (const kind of res.valueKinds) {
      out.push(
        `### ${kindTitles[kind]}`,
        '',
        table(
          ['subject', ...scenarioIds.map((sc) => scenarioTitles[sc]), 'bytes/entry'],
          baselineRows(res, kind),
        ),
        '',
      );
    }
  }

  for (const kind of res.valueKinds) {
    out.push(
      `## Summary, ${kindTitles[kind]} (operations per second of CPU time; bytes per entry at ${res.heapEntries.toLocaleString('en-US')} entries)`,
      '',
      table(
        ['subject', 'kind', ...scenarioIds.map((s) => scenarioTitles[s]), 'bytes/entry'],
        res.subjects.map((s) => [
          s.label,
          s.kind,
          ...scenarioIds.map((sc) => formatOps(ops(res, kind, s.id, sc))),
          bytes(res, kind, s.id)?.toFixed(1) ?? 'n/a',
        ]),
      ),
      '',
    );
  }

  for (const kind of res.valueKinds) {
    for (const sc of scenarioIds) {
      const best = bestAsync(res, kind, sc);
      const lruSync = ops(res, kind, 'lru-cache-sync', sc);
      const lruAsync = ops(res, kind, 'lru-cache-async', sc);
      out.push(`## ${scenarioTitles[sc]}, ${kindTitles[kind]}`, '');
      out.push(
        table(
          [
            'subject',
            'ops/s',
            '±%',
            'vs lru-cache sync',
            'vs lru-cache async',
            'vs best async lib',
            'reads hit',
          ],
          res.subjects.map((s) => {
            const r = res.speed.get(kind)?.get(s.id)?.get(sc);
            return [
              s.label,
              formatOps(r?.opsPerSec),
              r ? r.rme.toFixed(1) : 'n/a',
              formatRatio(ratio(r?.opsPerSec, lruSync)),
              formatRatio(ratio(r?.opsPerSec, lruAsync)),
              formatRatio(ratio(r?.opsPerSec, best?.ops)),
              r && Number.isFinite(r.hitRate) ? `${(r.hitRate * 100).toFixed(1)}%` : '-',
            ];
          }),
        ),
        '',
        `Best async library here: ${best ? `${best.label} (${formatOps(best.ops)} ops/s)` : 'n/a'}.`,
        '',
      );
    }
  }

  for (const kind of res.valueKinds) {
    out.push(
      `## Bytes per entry, ${kindTitles[kind]} (${res.heapEntries.toLocaleString('en-US')} entries, one process per subject)`,
      '',
    );
    const mapBytes = bytes(res, kind, 'map');
    const lruBytes = bytes(res, kind, 'lru-cache-sync');
    out.push(
      table(
        ['subject', 'bytes/entry', 'over a plain Map', 'vs lru-cache', 'entries kept', 'fill time (s)'],
        res.subjects.map((s) => {
          const h = res.heap.get(kind)?.get(s.id);
          return [
            s.label,
            h ? h.bytesPerEntry.toFixed(1) : 'n/a',
            h && mapBytes !== undefined ? `${(h.bytesPerEntry - mapBytes).toFixed(1)}` : 'n/a',
            formatRatio(ratio(h?.bytesPerEntry, lruBytes)),
            h ? `${(h.retained * 100).toFixed(1)}%` : 'n/a',
            h ? (h.fillMs / 1000).toFixed(1) : 'n/a',
          ];
        }),
      ),
      '',
    );
  }
  return out.join('\n');
}
