/**
 * The streams the warmers read and write, by shape: a Node `Readable` / `Writable` (a file
 * stream, `process.stdin`, a socket) fits. Declared here so that the published types need no
 * `@types/node`.
 */

/** A readable stream of an export (a Node `Readable`). */
export interface ReadableLike {
  pipe(...args: never[]): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
}

/** A writable stream for an export (a Node `Writable`). */
export interface WritableLike {
  write(chunk: string): boolean;
  on(event: string, listener: (...args: never[]) => void): unknown;
}
