/**
 * The escaped form of the msgpack serializer, for the few values msgpackr alone would change:
 * `-0`, null-prototype objects and objects with an own `__proto__` or `constructor` key.
 *
 * Encoding copies the value, turning each such object into a `Map` of its entries, and lists
 * fix-ups in post-order (children before their parent): `[kind, ...path]`. A path step is an
 * array index, an object key, `2i` / `2i + 1` for the key / value of a Map's i-th entry, or
 * `i` for a Set's i-th member. Decoding applies them in order, in time linear in the stored size:
 * each Map or Set a path goes through is listed once, so a step into it is an index. Decoded objects are built with
 * `Object.fromEntries` (or own-property assignment on a null-prototype object), which defines
 * own properties and never calls the `__proto__` setter, so no prototype can be polluted.
 * Fix-ups come from stored bytes, so every step is checked and a bad one is a
 * CacheSerializationError.
 */
import { CacheSerializationError } from '@cache/core';

type Step = string | number;

/** Fix-up kinds. */
const NEGATIVE_ZERO = 0;
const PLAIN_OBJECT = 1;
const NULL_PROTOTYPE_OBJECT = 2;

/** A fix-up: its kind, then the path to the value it applies to. */
export type Fixup = [kind: number, ...path: Step[]];

/**
 * Returns a copy of `value` that msgpackr round-trips, and fills `fixups`. `path` is the path to
 * `value`; it is used as a stack (each step pushed, then popped) and copied only into a fix-up,
 * so the walk costs the size of the value plus the size of the fix-ups it writes.
 */
export function escapeValue(value: unknown, path: Step[], fixups: Fixup[]): unknown {
  if (typeof value === 'number') {
    if (value === 0 && 1 / value < 0) fixups.push([NEGATIVE_ZERO, ...path]);
    return value;
  }
  if (typeof value !== 'object' || value === null) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const items = value as unknown[];
    const out = new Array<unknown>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = escapeAt(items[i], path, i, fixups);
    return out;
  }
  if (proto === Map.prototype) {
    const out = new Map<unknown, unknown>();
    let i = 0;
    for (const [k, v] of value as Map<unknown, unknown>) {
      out.set(escapeAt(k, path, 2 * i, fixups), escapeAt(v, path, 2 * i + 1, fixups));
      i++;
    }
    return out;
  }
  if (proto === Set.prototype) {
    const out = new Set<unknown>();
    let i = 0;
    for (const v of value as Set<unknown>) out.add(escapeAt(v, path, i++, fixups));
    return out;
  }
  if (proto === Object.prototype || proto === null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (proto === null || Object.hasOwn(record, '__proto__') || Object.hasOwn(record, 'constructor')) {
      const out = new Map<string, unknown>();
      keys.forEach((key, i) => {
        out.set(key, escapeAt(record[key], path, 2 * i + 1, fixups));
      });
      fixups.push([proto === null ? NULL_PROTOTYPE_OBJECT : PLAIN_OBJECT, ...path]);
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = escapeAt(record[key], path, key, fixups);
    return out;
  }
  return value;
}

/** {@link escapeValue} of the child at `step` of the value at `path` (restored afterwards). */
function escapeAt(value: unknown, path: Step[], step: Step, fixups: Fixup[]): unknown {
  // Leaves other than numbers need no fix-up and no path.
  if (typeof value !== 'object' && typeof value !== 'number') return value;
  path.push(step);
  try {
    return escapeValue(value, path, fixups);
  } finally {
    path.pop();
  }
}

function corrupt(): never {
  throw new CacheSerializationError('stored msgpack value has invalid fix-ups');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isIndex(step: Step, length: number): step is number {
  return typeof step === 'number' && Number.isInteger(step) && step >= 0 && step < length;
}

/**
 * The Maps and Sets that fix-ups reach, each listed once as an array (a Map as
 * `[key0, value0, key1, value1, ...]`, a Set as its members), so that a step into one and a
 * replacement in one take constant time whatever its size. A Map value is replaced in place
 * (`set` keeps the entry's position); a replaced Map key or Set member marks the container
 * stale, and it is rebuilt from its list once, before it is converted or at the end.
 */
class Containers {
  readonly #lists = new Map<Map<unknown, unknown> | Set<unknown>, unknown[]>();
  readonly #stale = new Set<Map<unknown, unknown> | Set<unknown>>();

  #list(container: Map<unknown, unknown> | Set<unknown>): unknown[] {
    let list = this.#lists.get(container);
    if (list === undefined) {
      list = [];
      if (container instanceof Map) for (const [k, v] of container) list.push(k, v);
      else for (const member of container) list.push(member);
      this.#lists.set(container, list);
    }
    return list;
  }

  /** The child of `container` at `step`; a bad step is a CacheSerializationError. */
  child(container: unknown, step: Step): unknown {
    if (Array.isArray(container)) {
      if (!isIndex(step, container.length)) corrupt();
      return container[step];
    }
    if (container instanceof Map) {
      if (!isIndex(step, 2 * container.size)) corrupt();
      return this.#list(container)[step];
    }
    if (container instanceof Set) {
      if (!isIndex(step, container.size)) corrupt();
      return this.#list(container)[step];
    }
    if (isPlainObject(container)) {
      if (typeof step !== 'string' || !Object.hasOwn(container, step)) corrupt();
      return container[step];
    }
    return corrupt();
  }

  /** Replaces the child at `step` (checked by a {@link child} call just before). */
  replace(container: unknown, step: Step, value: unknown): void {
    if (Array.isArray(container)) {
      container[step as number] = value;
    } else if (container instanceof Map || container instanceof Set) {
      const list = this.#list(container);
      list[step as number] = value;
      if (container instanceof Map && (step as number) % 2 === 1 && !this.#stale.has(container)) {
        container.set(list[(step as number) - 1], value);
      } else {
        this.#stale.add(container);
      }
    } else {
      Object.defineProperty(container, step, { value, writable: true, enumerable: true, configurable: true });
    }
  }

  /** Rebuilds `container` from its list if a key or member of it was replaced. */
  settle(container: unknown): void {
    if (!(container instanceof Map || container instanceof Set) || !this.#stale.delete(container)) return;
    const list = this.#lists.get(container) as unknown[];
    container.clear();
    if (container instanceof Map)
      for (let i = 0; i < list.length; i += 2) container.set(list[i], list[i + 1]);
    else for (const member of list) container.add(member);
  }

  /** Rebuilds every stale container. */
  settleAll(): void {
    for (const container of [...this.#stale]) this.settle(container);
  }
}

function fixed(kind: unknown, current: unknown): unknown {
  if (kind === NEGATIVE_ZERO) {
    if (current !== 0) corrupt();
    return -0;
  }
  if (kind === PLAIN_OBJECT || kind === NULL_PROTOTYPE_OBJECT) {
    if (!(current instanceof Map)) corrupt();
    for (const key of current.keys()) if (typeof key !== 'string') corrupt();
    if (kind === PLAIN_OBJECT) return Object.fromEntries(current);
    const out = Object.create(null) as Record<string, unknown>;
    for (const [key, v] of current as Map<string, unknown>) out[key] = v; // no __proto__ setter without a prototype
    return out;
  }
  return corrupt();
}

/**
 * Applies the fix-ups of an escaped value; returns the (possibly replaced) root. Each fix-up
 * costs the length of its path (plus, once per Map or Set it reaches, that container's size), so
 * decoding is linear in the size of the stored bytes.
 */
export function applyFixups(root: unknown, fixups: unknown): unknown {
  if (!Array.isArray(fixups)) corrupt();
  const containers = new Containers();
  let out = root;
  for (const fixup of fixups) {
    if (!Array.isArray(fixup) || fixup.length === 0) corrupt();
    const length = fixup.length;
    for (let i = 1; i < length; i++) {
      const step: unknown = fixup[i];
      if (typeof step !== 'string' && typeof step !== 'number') corrupt();
    }
    const kind: unknown = fixup[0];
    if (length === 1) {
      containers.settle(out);
      out = fixed(kind, out);
      continue;
    }
    let container = out;
    for (let i = 1; i < length - 1; i++) container = containers.child(container, fixup[i] as Step);
    const last = fixup[length - 1] as Step;
    const current = containers.child(container, last);
    containers.settle(current);
    containers.replace(container, last, fixed(kind, current));
  }
  containers.settleAll();
  return out;
}
