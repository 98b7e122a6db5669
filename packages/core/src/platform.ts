/**
 * The platform types that the public declarations use, written so that a consumer needs neither
 * `@types/node` nor `lib: ["DOM"]` nor `lib: ["ESNext.Disposable"]` to compile against them
 * (TypeScript >= 5.2, any `lib` from ES2022).
 *
 * - Explicit resource management: the `declare global` block below declares `Symbol.dispose`,
 *   `Symbol.asyncDispose`, `Disposable` and `AsyncDisposable` exactly as `lib.esnext.disposable`
 *   and `@types/node` do, so it merges with either when they are present. Node >= 20.4 (this
 *   toolkit needs 20.19) has both symbols at run time.
 * - `Buffer`, `AbortSignal`, `URL`, `URLSearchParams`: each is the platform's type when the
 *   consumer's program declares the global (through `@types/node` or the DOM library), and a
 *   structural stand-in otherwise. Nothing is declared globally for them.
 */

declare global {
  interface SymbolConstructor {
    /** The method that `using` calls (ES explicit resource management). */
    readonly dispose: unique symbol;
    /** The method that `await using` calls (ES explicit resource management). */
    readonly asyncDispose: unique symbol;
  }
  /** An object that `using` can release. */
  interface Disposable {
    [Symbol.dispose](): void;
  }
  /** An object that `await using` can release. */
  interface AsyncDisposable {
    [Symbol.asyncDispose](): PromiseLike<void>;
  }
}

/**
 * Node's `Buffer` where the program has Node's types, else `Uint8Array` (which `Buffer`
 * extends). Only in return types: what is returned is a `Buffer` at run time.
 */
export type PlatformBuffer = typeof globalThis extends { Buffer: { prototype: infer B } } ? B : Uint8Array;

/** The part of `AbortSignal` that a consumer without DOM or Node types sees. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean | undefined }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** The platform's `AbortSignal` (Node's or the DOM's), else {@link AbortSignalLike}. */
export type PlatformAbortSignal = typeof globalThis extends { AbortSignal: { prototype: infer S } }
  ? S
  : AbortSignalLike;

/** The part of `URLSearchParams` that a consumer without DOM or Node types sees. */
interface URLSearchParamsLike extends Iterable<[string, string]> {
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string): boolean;
  keys(): IterableIterator<string>;
  entries(): IterableIterator<[string, string]>;
  toString(): string;
}

/** The platform's `URLSearchParams`, else {@link URLSearchParamsLike}. */
export type PlatformURLSearchParams = typeof globalThis extends {
  URLSearchParams: { prototype: infer P };
}
  ? P
  : URLSearchParamsLike;

/** The part of `URL` that a consumer without DOM or Node types sees. */
interface URLLike {
  readonly href: string;
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
  readonly searchParams: PlatformURLSearchParams;
  readonly hash: string;
  toString(): string;
}

/** The platform's `URL`, else {@link URLLike}. */
export type PlatformURL = typeof globalThis extends { URL: { prototype: infer U } } ? U : URLLike;
