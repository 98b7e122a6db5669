/**
 * Where results go and in what form: tables and plain text on a terminal, one JSON value per
 * line with `--json` or when stdout is not a terminal. Colours only on a terminal, never with
 * `NO_COLOR`. Writes wait for a full pipe to drain, so a large listing holds little memory.
 */
import { once } from 'node:events';
import type { CacheError } from '@cache/core';
import type { NodeIo } from './io.js';

const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

/** A text style of {@link Output.paint}. */
export type Style = keyof typeof STYLES;

/** The output of one run. */
export class Output {
  /** JSON lines rather than tables and text. */
  readonly json: boolean;
  /** Whether stdout gets colours. */
  readonly color: boolean;
  /** Whether stderr is a terminal (progress is drawn only there). */
  readonly stderrTty: boolean;
  readonly #io: NodeIo;
  #progressShown = false;

  constructor(io: NodeIo, json: boolean) {
    this.#io = io;
    const tty = io.stdout.isTTY === true;
    this.json = json || !tty;
    const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
    this.color = tty && !noColor;
    this.stderrTty = io.stderr.isTTY === true && !noColor;
  }

  /** `text` in a style when colours are on. */
  paint(style: Style, text: string): string {
    if (!this.color) return text;
    const [open, close] = STYLES[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }

  /** Writes to stdout, waiting for the pipe to drain when it is full. */
  async write(text: string | Uint8Array): Promise<void> {
    const { stdout } = this.#io;
    if (!stdout.write(text)) await Promise.race([once(stdout, 'drain'), once(stdout, 'close')]);
  }

  /** One JSON line. */
  line(value: unknown): Promise<void> {
    return this.write(`${JSON.stringify(value)}\n`);
  }

  /** A table: a header row and aligned columns (terminal output). */
  table(headers: readonly string[], rows: readonly (readonly string[])[]): Promise<void> {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const pad = (cells: readonly string[]) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    let text = `${this.paint('bold', pad(headers))}\n`;
    for (const row of rows) text += `${pad(row)}\n`;
    return this.write(text);
  }

  /** A two-column table of fields and values (terminal output). */
  fields(pairs: readonly (readonly [string, string])[]): Promise<void> {
    const width = Math.max(...pairs.map(([k]) => k.length));
    return this.write(pairs.map(([k, v]) => `${this.paint('cyan', k.padEnd(width))}  ${v}\n`).join(''));
  }

  /** A message for people on stderr; nothing in JSON mode (stderr then holds JSON lines only). */
  note(text: string): void {
    if (this.json) return;
    this.clearProgress();
    this.#io.stderr.write(`${text}\n`);
  }

  /** A side report on stderr (stdout holds the results): `value` as a JSON line in JSON mode, else `text`. */
  info(value: unknown, text: string): void {
    this.clearProgress();
    this.#io.stderr.write(`${this.json ? JSON.stringify(value) : text}\n`);
  }

  /** An error on stderr: a JSON line `{"error":{code,message}}` in JSON mode, else `cache: message`. */
  error(error: CacheError | { code: string; message: string }): void {
    this.clearProgress();
    if (this.json) {
      this.#io.stderr.write(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);
    } else {
      const prefix = this.stderrTty ? '\u001b[31mcache:\u001b[39m' : 'cache:';
      this.#io.stderr.write(`${prefix} ${error.message}\n`);
    }
  }

  /**
   * Draws a progress line on stderr when it is a terminal: a bar when `total` is known (and not
   * passed: a backend's entry count can be an estimate), else a count.
   */
  progress(done: number, total: number | undefined, label: string): void {
    if (!this.stderrTty) return;
    let text: string;
    if (total !== undefined && total > 0 && done <= total) {
      const fraction = Math.min(1, done / total);
      const width = 30;
      const filled = Math.round(fraction * width);
      text = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label}`;
    } else {
      text = `${done} ${label}`;
    }
    this.#io.stderr.write(`\r\u001b[2K${text}`);
    this.#progressShown = true;
  }

  /** Removes the progress line, if one is drawn. */
  clearProgress(): void {
    if (!this.#progressShown) return;
    this.#io.stderr.write('\r\u001b[2K');
    this.#progressShown = false;
  }
}
