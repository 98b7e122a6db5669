/**
 * The file-system seam of the file backend: the few calls it makes, as promises over the
 * callback API of `node:fs` (cheaper than `fs.promises` file handles on hot paths). Tests
 * replace single calls to inject faults (`ENOSPC`, `EACCES`) that root cannot provoke with
 * `chmod`. Never exported from the package index.
 */
import * as fs from 'node:fs';

/** A file read whole, with what a later compare-and-remove needs. */
export interface ReadResult {
  bytes: Buffer;
  ino: number;
  mtimeMs: number;
}

/** The file-system calls the file backend makes. */
export interface FsLayer {
  /**
   * Reads a whole file (open, fstat, read, close); `undefined` when it does not exist. When
   * `touchBefore` is given and the mtime is older, sets the mtime to `touchTo` (epoch ms) before
   * closing, ignoring a failure of that.
   */
  readWhole(path: string, touchBefore?: number, touchTo?: number): Promise<ReadResult | undefined>;
  /**
   * Reads a whole file into a buffer of `guess` bytes (open, read, close: no `fstat`); a read that
   * comes back short is the end of the file, as `fs.promises.readFile` also takes it. A file of
   * `guess` bytes or more is finished after an `fstat` gives its size. `undefined` when it does
   * not exist.
   */
  readGuess(path: string, guess: number): Promise<Buffer | undefined>;
  open(path: string, flags: number, mode?: number): Promise<number>;
  close(fd: number): Promise<void>;
  fstat(fd: number): Promise<fs.Stats>;
  read(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  write(fd: number, buffer: Buffer, offset: number, length: number): Promise<number>;
  writev(fd: number, buffers: readonly Uint8Array[]): Promise<number>;
  fsync(fd: number): Promise<void>;
  futimes(fd: number, atime: number, mtime: number): Promise<void>;
  fchmod(fd: number, mode: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string, mode: number): Promise<string | undefined>;
  chmod(path: string, mode: number): Promise<void>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<fs.Stats>;
}

/** The key under which tests pass a replacement {@link FsLayer} in the options. */
export const FS_LAYER: unique symbol = Symbol.for('@cache/backend-file:fs-layer');

type Done<T> = (error: NodeJS.ErrnoException | null, value: T) => void;

function call<T>(run: (done: Done<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
}
function callVoid(run: (done: (error: NodeJS.ErrnoException | null) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => run((error) => (error ? reject(error) : resolve())));
}

type Reject = (error: Error) => void;

/**
 * Opens `path` read-only and hands the descriptor to `use` with a `fail` that closes it and
 * rejects; a missing file resolves `undefined`.
 */
function openForRead<T>(
  path: string,
  resolve: (value: T | undefined) => void,
  reject: Reject,
  use: (fd: number, fail: Reject) => void,
): void {
  fs.open(path, 'r', (openError, fd) => {
    if (openError) {
      const code = openError.code;
      return code === 'ENOENT' || code === 'ENOTDIR' ? resolve(undefined) : reject(openError);
    }
    use(fd, (error) => fs.close(fd, () => reject(error)));
  });
}

/** Reads into `bytes` from offset `got` until it is full or the file ends, then `done(got)`. */
function readRest(fd: number, bytes: Buffer, got: number, fail: Reject, done: (got: number) => void): void {
  if (got >= bytes.length) {
    done(got);
    return;
  }
  fs.read(fd, bytes, got, bytes.length - got, got, (readError, n) => {
    if (readError) return fail(readError);
    if (n === 0) return done(got);
    readRest(fd, bytes, got + n, fail, done);
  });
}

/** One promise around a chain of callbacks: the hot read path, without a promise per call. */
function readWhole(path: string, touchBefore?: number, touchTo?: number): Promise<ReadResult | undefined> {
  return new Promise((resolve, reject) =>
    openForRead(path, resolve, reject, (fd, fail) => {
      fs.fstat(fd, (statError, stats) => {
        if (statError) return fail(statError);
        const size = stats.size;
        const bytes = Buffer.allocUnsafe(size);
        readRest(fd, bytes, 0, fail, (got) => {
          const close = () =>
            fs.close(fd, (closeError) => {
              if (closeError) return reject(closeError);
              resolve({
                bytes: got === size ? bytes : bytes.subarray(0, got),
                ino: stats.ino,
                mtimeMs: stats.mtimeMs,
              });
            });
          if (touchBefore === undefined || touchTo === undefined || stats.mtimeMs >= touchBefore)
            return close();
          fs.futimes(fd, touchTo / 1000, touchTo / 1000, () => close());
        });
      });
    }),
  );
}

/** {@link FsLayer.readGuess}: one promise around open, read, close (and fstat, read for a big file). */
function readGuess(path: string, guess: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) =>
    openForRead(path, resolve, reject, (fd, fail) => {
      const close = (bytes: Buffer, got: number) =>
        fs.close(fd, (closeError) => {
          if (closeError) return reject(closeError);
          resolve(got === bytes.length ? bytes : bytes.subarray(0, got));
        });
      const first = Buffer.allocUnsafe(guess);
      fs.read(fd, first, 0, guess, 0, (readError, n) => {
        if (readError) return fail(readError);
        if (n < guess) return close(first, n);
        // The guess was too small (or exact): read the rest at the file's size.
        fs.fstat(fd, (statError, stats) => {
          if (statError) return fail(statError);
          let bytes = first;
          if (stats.size > n) {
            bytes = Buffer.allocUnsafe(stats.size);
            first.copy(bytes, 0, 0, n);
          }
          readRest(fd, bytes, n, fail, (got) => close(bytes, got));
        });
      });
    }),
  );
}

/** The real file system. */
export const nodeFs: FsLayer = {
  readWhole,
  readGuess,
  open: (path, flags, mode) => call((done) => fs.open(path, flags, mode, done)),
  close: (fd) => callVoid((done) => fs.close(fd, done)),
  fstat: (fd) => call((done) => fs.fstat(fd, done)),
  read: (fd, buffer, offset, length, position) =>
    call((done) => fs.read(fd, buffer, offset, length, position, done)),
  write: (fd, buffer, offset, length) => call((done) => fs.write(fd, buffer, offset, length, null, done)),
  writev: (fd, buffers) => call((done) => fs.writev(fd, buffers as NodeJS.ArrayBufferView[], done)),
  fsync: (fd) => callVoid((done) => fs.fsync(fd, done)),
  futimes: (fd, atime, mtime) => callVoid((done) => fs.futimes(fd, atime, mtime, done)),
  fchmod: (fd, mode) => callVoid((done) => fs.fchmod(fd, mode, done)),
  rename: (from, to) => callVoid((done) => fs.rename(from, to, done)),
  link: (existing, path) => callVoid((done) => fs.link(existing, path, done)),
  unlink: (path) => callVoid((done) => fs.unlink(path, done)),
  mkdir: (path, mode) => call((done) => fs.mkdir(path, { recursive: true, mode }, done)),
  chmod: (path, mode) => callVoid((done) => fs.chmod(path, mode, done)),
  readdir: (path) => call((done) => fs.readdir(path, done)),
  stat: (path) => call((done) => fs.stat(path, done)),
};

/** The `code` of a Node system error, if it is one. */
export function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

export const { O_WRONLY, O_CREAT, O_EXCL, O_RDONLY } = fs.constants;
