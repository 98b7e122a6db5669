/**
 * The file-system seam of the file backend: the few calls it makes, as promises over the
 * callback API of `node:fs` (cheaper than `fs.promises` file handles on hot paths). Tests
 * replace single calls to inject faults (`ENOSPC`, `EACCES`) that root cannot provoke with
 * `chmod`. Never exported from the package index.
 */
import * as fs from 'node:fs';

/** The file-system calls the file backend makes. */
export interface FsLayer {
  open(path: string, flags: number, mode?: number): Promise<number>;
  close(fd: number): Promise<void>;
  fstat(fd: number): Promise<fs.Stats>;
  read(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  write(fd: number, buffer: Buffer, offset: number, length: number): Promise<number>;
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

/** The real file system. */
export const nodeFs: FsLayer = {
  open: (path, flags, mode) => call((done) => fs.open(path, flags, mode, done)),
  close: (fd) => callVoid((done) => fs.close(fd, done)),
  fstat: (fd) => call((done) => fs.fstat(fd, done)),
  read: (fd, buffer, offset, length, position) =>
    call((done) => fs.read(fd, buffer, offset, length, position, done)),
  write: (fd, buffer, offset, length) => call((done) => fs.write(fd, buffer, offset, length, null, done)),
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
