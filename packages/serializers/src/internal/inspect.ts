/**
 * The fast pre-pass of the msgpack serializer: refuses what msgpackr would not give back
 * unchanged and reports whether the value needs the (rare, slower) escaped form.
 *
 * msgpackr on its own silently turns `-0` into `0`, a `__proto__` key into `__proto_`, a plain
 * object with an own `constructor` key into whatever that constructor suggests, a
 * null-prototype object into a plain one, lone surrogates into U+FFFD, class instances into
 * plain objects, drops symbol keys and overflows the stack on cycles. This pass catches all of
 * them, without allocating for ordinary data.
 */
import { CacheSerializationError } from '@cache/core';

/** Depth at which the walk stops to look for a cycle once (ordinary data never gets there). */
const CYCLE_CHECK_DEPTH = 128;

/** Prototypes of the leaf types msgpackr (with `moreTypes`) round-trips exactly. */
const LEAF_PROTOTYPES: ReadonlySet<object | null> = new Set<object | null>([
  Date.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Buffer.prototype,
  Uint8Array.prototype,
  Uint8ClampedArray.prototype,
  Uint16Array.prototype,
  Uint32Array.prototype,
  Int8Array.prototype,
  Int16Array.prototype,
  Int32Array.prototype,
  Float32Array.prototype,
  Float64Array.prototype,
  BigInt64Array.prototype,
  BigUint64Array.prototype,
]);

/** `String.prototype.isWellFormed` (Node 20; typed in lib ES2024, newer than this project's ES2023). */
interface WellFormedString {
  isWellFormed(): boolean;
}

function isWellFormed(text: string): boolean {
  return (text as unknown as WellFormedString).isWellFormed();
}

function refuse(what: string): never {
  throw new CacheSerializationError(`msgpack cannot round-trip ${what}`);
}

function typeName(value: object): string {
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name !== ''
    ? `a ${ctor.name} instance`
    : 'an object with a custom prototype';
}

function hasCycle(value: unknown, ancestors: Set<object>): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (ancestors.has(value)) return true;
  ancestors.add(value);
  let found = false;
  if (value instanceof Map) {
    for (const [k, v] of value) if (hasCycle(k, ancestors) || hasCycle(v, ancestors)) found = true;
  } else if (value instanceof Set) {
    for (const v of value) if (hasCycle(v, ancestors)) found = true;
  } else if (!LEAF_PROTOTYPES.has(Object.getPrototypeOf(value))) {
    for (const key of Object.keys(value)) {
      if (hasCycle((value as Record<string, unknown>)[key], ancestors)) {
        found = true;
        break;
      }
    }
  }
  ancestors.delete(value);
  return found;
}

/**
 * Walks a value once. Throws CacheSerializationError for what cannot round-trip; returns
 * `true` when the value holds `-0`, a null-prototype object, or an object with an own
 * `__proto__` or `constructor` key (which the escaped form carries).
 */
export class Inspector {
  #root: unknown;
  #cycleChecked = false;
  #needsEscape = false;

  /** @returns whether the value needs the escaped form. */
  inspect(root: unknown): boolean {
    // A getter may serialize another value with the same serializer: keep the outer walk's state.
    const outer = [this.#root, this.#cycleChecked, this.#needsEscape] as const;
    this.#root = root;
    this.#cycleChecked = false;
    this.#needsEscape = false;
    try {
      this.#walk(root, 0);
      return this.#needsEscape;
    } catch (error) {
      if (error instanceof CacheSerializationError) throw error;
      // Data nested deeper than the stack allows (cycles were ruled out at CYCLE_CHECK_DEPTH).
      throw new CacheSerializationError('msgpack cannot encode a value nested this deeply', { cause: error });
    } finally {
      [this.#root, this.#cycleChecked, this.#needsEscape] = outer;
    }
  }

  #walk(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'string':
        if (!isWellFormed(value)) refuse('a string with a lone surrogate');
        return;
      case 'number':
        if (value === 0 && 1 / value < 0) this.#needsEscape = true;
        return;
      case 'boolean':
      case 'undefined':
      case 'bigint':
        return;
      case 'object':
        if (value !== null) this.#walkObject(value, depth);
        return;
      default:
        refuse(`a ${typeof value}`);
    }
  }

  #walkObject(value: object, depth: number): void {
    if (depth === CYCLE_CHECK_DEPTH && !this.#cycleChecked) {
      this.#cycleChecked = true;
      if (hasCycle(this.#root, new Set())) refuse('a cyclic value');
    }
    const next = depth + 1;
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Array.prototype) {
      const array = value as unknown[];
      for (let i = 0; i < array.length; i++) {
        const item = array[i];
        if (item === undefined && !(i in array)) refuse('an array with holes');
        this.#walk(item, next);
      }
      return;
    }
    if (proto === Object.prototype || proto === null) {
      if (proto === null) this.#needsEscape = true;
      const record = value as Record<string, unknown>;
      for (const key in record) {
        if (key === '__proto__' || key === 'constructor') this.#needsEscape = true;
        else if (!isWellFormed(key)) refuse('a key with a lone surrogate');
        this.#walk(record[key], next);
      }
      if (Object.getOwnPropertySymbols(value).length !== 0) refuse('symbol keys');
      return;
    }
    if (proto === Map.prototype) {
      for (const [k, v] of value as Map<unknown, unknown>) {
        this.#walk(k, next);
        this.#walk(v, next);
      }
      return;
    }
    if (proto === Set.prototype) {
      for (const v of value as Set<unknown>) this.#walk(v, next);
      return;
    }
    if (proto === RegExp.prototype) {
      // msgpackr writes the source as a string: a lone surrogate in it would come back as U+FFFD
      if (!isWellFormed((value as RegExp).source)) refuse('a RegExp with a lone surrogate');
      return;
    }
    if (LEAF_PROTOTYPES.has(proto as object)) return;
    refuse(typeName(value));
  }
}
