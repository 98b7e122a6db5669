/**
 * A small line chart as SVG text (no dependency): hit ratio (%) against cache size on a log
 * axis, one polyline per series, with a legend.
 */

export interface Series {
  name: string;
  /** Percent values, aligned with the chart's sizes. */
  values: number[];
  dashed?: boolean;
}

const COLORS = [
  '#1b9e77',
  '#d95f02',
  '#7570b3',
  '#e7298a',
  '#66a61e',
  '#e6ab02',
  '#a6761d',
  '#1f78b4',
  '#666666',
  '#000000',
  '#b15928',
];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The SVG document for `series` over `sizes` (ascending, > 0). */
export function lineChart(title: string, sizes: number[], series: Series[]): string {
  const width = 760;
  const height = 440;
  const left = 60;
  const right = 170;
  const top = 40;
  const bottom = 50;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const minLog = Math.log10(sizes[0]!);
  const maxLog = Math.log10(sizes[sizes.length - 1]!);
  const span = maxLog - minLog || 1;
  const x = (size: number): number => left + ((Math.log10(size) - minLog) / span) * plotW;
  const y = (percent: number): number => top + plotH - (percent / 100) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${left}" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  for (let p = 0; p <= 100; p += 10) {
    const yy = y(p).toFixed(1);
    out.push(`<line x1="${left}" y1="${yy}" x2="${left + plotW}" y2="${yy}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${p}</text>`);
  }
  for (const size of sizes) {
    const xx = x(size).toFixed(1);
    out.push(`<line x1="${xx}" y1="${top}" x2="${xx}" y2="${top + plotH}" stroke="#f0f0f0"/>`);
    out.push(
      `<text x="${xx}" y="${top + plotH + 16}" text-anchor="middle" font-size="10">${size.toLocaleString('en-US')}</text>`,
    );
  }
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(
    `<text x="${left + plotW / 2}" y="${height - 10}" text-anchor="middle">cache size (entries, log scale)</text>`,
  );
  out.push(
    `<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">hit ratio (%)</text>`,
  );
  series.forEach((s, index) => {
    const color = COLORS[index % COLORS.length]!;
    const points = s.values.map((v, i) => `${x(sizes[i]!).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="5 4"' : '';
    out.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    for (const point of points.split(' ')) {
      const [px, py] = point.split(',');
      out.push(`<circle cx="${px}" cy="${py}" r="2.5" fill="${color}"/>`);
    }
    const ly = top + 10 + index * 18;
    const lx = left + plotW + 14;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`,
    );
    out.push(`<text x="${lx + 28}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
