// Bar charts drawn at build time from the results tables of docs/benchmarks/*.md: the first table
// whose first column names the subjects (subject, library, codec) becomes one panel of horizontal
// bars per numeric column. Pages that already carry their own plots (SVG files beside them) get none.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A table of a markdown page: header cells and body rows. */
interface Table {
  header: string[];
  rows: string[][];
}

/** A chart for one page. */
export interface Chart {
  svg: string;
  alt: string;
}

const SUBJECT_COLUMNS = new Set(['subject', 'library', 'codec']);
const MAX_PANELS = 5;

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

/** The pipe tables of a markdown page, in order. */
function tables(markdown: string): Table[] {
  const found: Table[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const head = lines[i] as string;
    const rule = lines[i + 1] as string;
    if (!head.startsWith('|') || !/^\|(\s*:?-+:?\s*\|)+\s*$/.test(rule)) continue;
    const rows: string[][] = [];
    let j = i + 2;
    for (; j < lines.length && (lines[j] as string).startsWith('|'); j++)
      rows.push(cells(lines[j] as string));
    found.push({ header: cells(head), rows });
    i = j - 1;
  }
  return found;
}

/** A table cell as a number: `1,226`, `967.4 k`, `1.55 M`, `0.68x`, `54.0`; undefined otherwise. */
function parseNumber(cell: string): number | undefined {
  const match = /^\**([0-9][0-9,]*(?:\.[0-9]+)?)\s*([kKM]?)x?\**$/.exec(cell.trim());
  if (!match) return undefined;
  const value = Number((match[1] as string).replace(/,/g, ''));
  const unit = match[2] === 'M' ? 1e6 : match[2] ? 1e3 : 1;
  return value * unit;
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, '');

/** Draws one panel per numeric column of a table; undefined when no column is numeric. */
function barChart(table: Table, title: string): string | undefined {
  const columns = table.header
    .map((name, index) => ({ name, index }))
    .slice(1)
    .filter(({ index }) => {
      const values = table.rows.map((row) => parseNumber(row[index] ?? ''));
      return values.filter((v) => v !== undefined).length >= Math.max(2, table.rows.length / 2);
    })
    .slice(0, MAX_PANELS);
  if (columns.length === 0 || table.rows.length === 0) return undefined;
  const labelWidth = 300;
  const barWidth = 340;
  const rowHeight = 16;
  const panelHeight = 28 + table.rows.length * rowHeight + 10;
  const width = labelWidth + barWidth + 110;
  const height = 34 + columns.length * panelHeight;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="600">${escapeXml(title)}</text>`,
  ];
  columns.forEach(({ name, index }, panel) => {
    const top = 34 + panel * panelHeight;
    const values = table.rows.map((row) => parseNumber(row[index] ?? ''));
    const max = Math.max(...values.map((v) => v ?? 0)) || 1;
    parts.push(`<text x="8" y="${top + 16}" font-weight="600">${escapeXml(name)}</text>`);
    table.rows.forEach((row, r) => {
      const y = top + 26 + r * rowHeight;
      const value = values[r];
      const w = value === undefined ? 0 : Math.max(1, (value / max) * barWidth);
      const label = escapeXml(row[0] ?? '').slice(0, 48);
      parts.push(`<text x="${labelWidth - 6}" y="${y + 11}" text-anchor="end">${label}</text>`);
      parts.push(
        `<rect x="${labelWidth}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowHeight - 4}" fill="${r === 0 ? '#3451b2' : '#8aa0d8'}"/>`,
      );
      parts.push(
        `<text x="${labelWidth + w + 4}" y="${y + 11}" fill="#444">${escapeXml(row[index] ?? '')}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** The chart of each benchmark page that has a subjects table and no plot of its own, by repository path. */
export function benchmarkCharts(root: string): Map<string, Chart> {
  const charts = new Map<string, Chart>();
  const dir = join(root, 'docs/benchmarks');
  if (!existsSync(dir)) return charts;
  const files = readdirSync(dir);
  for (const file of files.filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const stem = file.replace(/\.md$/, '');
    if (files.some((f) => f.startsWith(stem) && f.endsWith('.svg'))) continue;
    const markdown = readFileSync(join(dir, file), 'utf8');
    const table = tables(markdown).find((t) => SUBJECT_COLUMNS.has((t.header[0] ?? '').toLowerCase()));
    if (!table) continue;
    const heading = /^#\s+(.+)$/m.exec(markdown)?.[1] ?? stem;
    const title = `${heading}: ${table.header.slice(1).length > 0 ? 'first results table' : ''}`.trim();
    const svg = barChart(table, title);
    if (svg)
      charts.set(`docs/benchmarks/${file}`, { svg, alt: `${heading}, as bars (drawn from the table below)` });
  }
  return charts;
}
