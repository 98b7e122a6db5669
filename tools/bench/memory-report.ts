/**
 * The Markdown of the memory benchmark: a summary table, one table per scenario with ratios
 * (vs lru-cache sync, vs lru-cache behind an async function, vs the best async library), bytes
 * per entry, and the issue's targets with the measured ratio and whether each is met.
 */
import type { ScenarioId, SpeedConfig, SpeedResult } from './memory-speed.ts';
import type { Subject } from './memory-subjects.ts';

/** What the child process of one subject reported. */
export interface HeapResult {
  bytesPerEntry: number;
  retained: number;
  fillMs: number;
}

/** Everything measured in one run. */
export interface MemoryBenchResults {
  subjects: readonly Subject[];
  speed: Map<string, Map<ScenarioId, SpeedResult>>;
  /** Ops per second of each round (index round - 1), by subject and scenario; a failed round is a hole. */
  rounds: Map<string, Map<ScenarioId, number[]>>;
  heap: Map<string, HeapResult>;
  heapEntries: number;
  config: SpeedConfig;
  placeholder: boolean;
  header: string[];
}

const scenarioTitles: Record<ScenarioId, string> = {
  'get-hit': 'get-hit',
  'get-miss': 'get-miss',
  'set-evict': 'set with eviction',
  mix: 'Zipf 90/10 mix',
};

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

function ops(res: MemoryBenchResults, id: string, scenario: ScenarioId): number | undefined {
  return res.speed.get(id)?.get(scenario)?.opsPerSec;
}

/** The fastest async peer library in a scenario (bentocache, cacheable, keyv, cache-manager). */
function bestAsync(
  res: MemoryBenchResults,
  scenario: ScenarioId,
): { label: string; ops: number } | undefined {
  let best: { label: string; ops: number } | undefined;
  for (const s of res.subjects) {
    if (s.group !== 'async-lib') continue;
    const o = ops(res, s.id, scenario);
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
  a: string,
  b: string,
  scenario: ScenarioId,
): { median: number; text: string } | undefined {
  const ra = res.rounds.get(a)?.get(scenario) ?? [];
  const rb = res.rounds.get(b)?.get(scenario) ?? [];
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

/** The targets of issue 3, as rows: target, needs, best rounds, per round, met. */
export function targetRows(res: MemoryBenchResults): string[][] {
  const hitBest = bestAsync(res, 'get-hit');
  const bestId = res.subjects.find((s) => s.label === hitBest?.label)?.id ?? '';
  const rows: Array<[string, number | undefined, number, ReturnType<typeof pairedRatio>]> = [
    [
      'async get-hit vs lru-cache (async-wrapped)',
      ratio(ops(res, 'memory-async', 'get-hit'), ops(res, 'lru-cache-async', 'get-hit')),
      1,
      pairedRatio(res, 'memory-async', 'lru-cache-async', 'get-hit'),
    ],
    [
      `async get-hit vs every async library (best: ${hitBest?.label ?? 'n/a'})`,
      ratio(ops(res, 'memory-async', 'get-hit'), hitBest?.ops),
      15,
      pairedRatio(res, 'memory-async', bestId, 'get-hit'),
    ],
    [
      'sync get-hit vs lru-cache (sync)',
      ratio(ops(res, 'memory-sync', 'get-hit'), ops(res, 'lru-cache-sync', 'get-hit')),
      1,
      pairedRatio(res, 'memory-sync', 'lru-cache-sync', 'get-hit'),
    ],
    [
      'sync set with eviction vs lru-cache (sync)',
      ratio(ops(res, 'memory-sync', 'set-evict'), ops(res, 'lru-cache-sync', 'set-evict')),
      1,
      pairedRatio(res, 'memory-sync', 'lru-cache-sync', 'set-evict'),
    ],
  ];
  const out = rows.map(([name, best, min, perRound]) => {
    const value = perRound?.median ?? best;
    return [
      name,
      `>= ${min.toFixed(1)}x`,
      formatRatio(best),
      perRound?.text ?? 'n/a',
      value === undefined ? 'n/a' : value >= min ? 'met' : '**missed**',
    ];
  });
  const ceiling = ratio(ops(res, 'lru-cache-async', 'get-hit'), hitBest?.ops);
  out.splice(2, 0, [
    '(reference) lru-cache (async-wrapped) get-hit vs the same library',
    '-',
    formatRatio(ceiling),
    pairedRatio(res, 'lru-cache-async', bestId, 'get-hit')?.text ?? 'n/a',
    'what one awaited call per read allows',
  ]);
  const bytes = res.heap.get('memory-sync')?.bytesPerEntry;
  out.push([
    'bytes per entry, default policy',
    '<= 200',
    '-',
    bytes === undefined ? 'n/a' : bytes.toFixed(1),
    bytes === undefined ? 'n/a' : bytes <= 200 ? 'met' : '**missed**',
  ]);
  return out;
}

/** The full document. */
export function renderMarkdown(res: MemoryBenchResults): string {
  const scen = Object.keys(scenarioTitles) as ScenarioId[];
  const out: string[] = ['# Memory backend: speed and memory', '', ...res.header, ''];
  if (res.placeholder) {
    out.push(
      '> **Placeholder run**: `@cache/backend-memory` was not built, so the MemoryCache rows are a',
      '> FIFO Map stand-in. These rows say nothing about MemoryCache.',
      '',
    );
  }
  out.push(
    '## Targets (issue 3)',
    '',
    table(['target', 'needs', 'best rounds', 'per round: median (range)', ''], targetRows(res)),
    '',
    '"best rounds" divides the two subjects\' best rounds (the tables below), which may come from',
    'different rounds; "per round" divides their figures within each round, where the two of a pair',
    'ran at once (one per core), and gives the median and the range over the rounds. "met" reads the',
    'per-round median: it cancels the slow swings of a shared machine that the best rounds keep.',
    '',
    'Async figures await every call, so each read pays one promise and one microtask turn; the',
    '(reference) row shows how far ahead of the best async library even lru-cache gets that way,',
    'which bounds what any async API can reach in this loop.',
    '',
  );

  out.push('## Summary (operations per second of CPU time; bytes per entry at 1M entries)', '');
  out.push(
    table(
      ['subject', 'kind', ...scen.map((s) => scenarioTitles[s]), 'bytes/entry'],
      res.subjects.map((s) => [
        s.label,
        s.kind,
        ...scen.map((sc) => formatOps(ops(res, s.id, sc))),
        res.heap.get(s.id)?.bytesPerEntry.toFixed(1) ?? 'n/a',
      ]),
    ),
    '',
  );

  for (const sc of scen) {
    const best = bestAsync(res, sc);
    const lruSync = ops(res, 'lru-cache-sync', sc);
    const lruAsync = ops(res, 'lru-cache-async', sc);
    out.push(`## ${scenarioTitles[sc]}`, '');
    out.push(
      table(
        [
          'subject',
          'ops/s',
          '±%',
          'vs lru-cache sync',
          'vs lru-cache async',
          `vs best async lib`,
          'reads hit',
        ],
        res.subjects.map((s) => {
          const r = res.speed.get(s.id)?.get(sc);
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

  out.push(
    `## Bytes per entry (${res.heapEntries.toLocaleString('en-US')} entries, one process per subject)`,
    '',
  );
  const mapBytes = res.heap.get('map')?.bytesPerEntry;
  const lruBytes = res.heap.get('lru-cache-sync')?.bytesPerEntry;
  out.push(
    table(
      ['subject', 'bytes/entry', 'over a plain Map', 'vs lru-cache', 'entries kept', 'fill time (s)'],
      res.subjects.map((s) => {
        const h = res.heap.get(s.id);
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
  return out.join('\n');
}
