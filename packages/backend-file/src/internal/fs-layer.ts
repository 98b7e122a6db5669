/**
 * The file-system seam of the file backend: the few calls it makes, as promises over the
 * callback API of `node:fs` (cheaper than `fs.promises` file handles on hot paths). Tests
 * replace single calls to inject faults (`ENOSPC`, `EACCES`) that root cannot provoke with
 * `chmod`. Never exported from the package index.
 *
 * Reads never follow a symbolic link at the file itself (`O_NOFOLLOW`), never block on a FIFO
 * (`O_NONBLOCK`), and load regular files only, up to a size cap, checked with `fstat` on the
 * opened descriptor before anything is read or allocated.
 */
import * as fs from 'node:fs';

/** A file read whole, with what a later compare-and-remove needs. */
export interface ReadResult {
  bytes: Buffer;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** Why a path was not read: it is not a regular file of at most the size cap (see {@link OddFileError}). */
export type OddFileReason = 'link' | 'not-regular' | 'too-large';

const ODD_CODES: Record<OddFileReason, string> = {
  link: 'ELOOP',
  'not-regular': 'ENOTREG',
  'too-large': 'EFBIG',
};

/**
 * What the backend finds where it expects a regular file or one of its own folders: a symbolic
 * link, a FIFO, a socket, a device, a directory, or a file above the size cap. It is never
 * followed or loaded; callers turn it into a miss with an `error` event or a typed error.
 * `code` is `ELOOP` (a link), `ENOTREG` (not a regular file or folder) or `EFBIG` (too large).
 */
export class OddFileError extends Error {
  readonly code: string;
  readonly path: string;
  readonly reason: OddFileReason;
  constructor(path: string, reason: OddFileReason, detail: string) {
    super(`refused ${path}: ${detail}`);
    this.name = 'OddFileError';
    this.path = path;
    this.reason = reason;
    this.code = ODD_CODES[reason];
  }
}

/** The file-system calls the file backend makes. */
export interface FsLayer {
  /**
   * Reads a whole regular file of at most `maxBytes` (open with `O_NOFOLLOW | O_NONBLOCK`,
   * fstat, read, close); `undefined` when it does not exist. Rejects with an
   * {@link OddFileError} for a link, anything but a regular file, or a larger file. When
   * `touchBefore` is given and the mtime is older, sets the mtime to `touchTo` (epoch ms) before
   * closing, ignoring a failure of that.
   */
  readWhole(
    path: string,
    maxBytes: number,
    touchBefore?: number,
    touchTo?: number,
  ): Promise<ReadResult | undefined>;
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
  /** `stat` that follows links: only for the cache directory itself, which the user names. */
  stat(path: string): Promise<fs.Stats>;
  /** `lstat`: everything inside the cache directory. */
  lstat(path: string): Promise<fs.Stats>;
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

export const { O_WRONLY, O_CREAT, O_EXCL, O_RDONLY } = fs.constants;
/** `O_NOFOLLOW` (0 where the platform has none: Windows has no symbolic links to follow here). */
export const O_NOFOLLOW: number = fs.constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK: number = fs.constants.O_NONBLOCK ?? 0;
const READ_FLAGS = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;

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

/**
 * One promise around a chain of callbacks (the hot read path, without a promise per call).
 * Nothing in a callback can throw: the size is checked against the cap (at most 2^31-1, what one
 * `fs.read` takes) before the buffer is allocated.
 */
function readWhole(
  path: string,
  maxBytes: number,
  touchBefore?: number,
  touchTo?: number,
): Promise<ReadResult | undefined> {
  return new Promise((resolve, reject) => {
    fs.open(path, READ_FLAGS, (openError, fd) => {
      if (openError) {
        const code = openError.code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return resolve(undefined);
        // A link at the file itself (O_NOFOLLOW), or a socket (ENXIO): never followed or read.
        if (code === 'ELOOP' || code === 'EMLINK')
          return reject(new OddFileError(path, 'link', 'a symbolic link'));
        if (code === 'ENXIO') return reject(new OddFileError(path, 'not-regular', 'not a regular file'));
        return reject(openError);
      }
      const fail: Reject = (error) => fs.close(fd, () => reject(error));
      fs.fstat(fd, (statError, stats) => {
        if (statError) return fail(statError);
        if (!stats.isFile()) return fail(new OddFileError(path, 'not-regular', 'not a regular file'));
        const size = stats.size;
        if (size > maxBytes)
          return fail(new OddFileError(path, 'too-large', `${size} bytes, above the cap of ${maxBytes}`));
        const bytes = Buffer.allocUnsafe(size);
        readRest(fd, bytes, 0, fail, (got) => {
          const close = () =>
            fs.close(fd, (closeError) => {
              if (closeError) return reject(closeError);
              resolve({
                bytes: got === size ? bytes : bytes.subarray(0, got),
                dev: stats.dev,
                ino: stats.ino,
                size,
                mtimeMs: stats.mtimeMs,
              });
            });
          if (touchBefore === undefined || touchTo === undefined || stats.mtimeMs >= touchBefore)
            return close();
          fs.futimes(fd, touchTo / 1000, touchTo / 1000, () => close());
        });
      });
    });
  });
}

/** The real file system. */
export const nodeFs: FsLayer = {
  readWhole,
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
  lstat: (path) => call((done) => fs.lstat(path, done)),
};

/** The `code` of a Node system error, if it is one. */
export function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}
