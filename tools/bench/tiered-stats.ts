/**
 * The statistics and number formats of the tiered benchmark (medians, quantiles, ops/s, ratios),
 * shared by its parts (progress lines on stderr) and its report.
 */

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

export const fmt = (n: number | undefined) =>
  n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US');
export const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}x`;
