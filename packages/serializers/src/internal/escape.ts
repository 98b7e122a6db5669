/**
 * The escaped form of the msgpack serializer, for the few values msgpackr alone would change:
 * `-0`, null-prototype objects and objects with an own `__proto__` or `constructor` key.
 *
 * Encoding copies the value, turning each such object into a `Map` of its entries, and lists
 * fix-ups in post-order (children before their parent): `[kind, ...path]`. A path step is an
 * array index, an object key, `2i` / `2i + 1` for the key / value of a Map's i-th entry, or
 * `i` for a Set's i-th member. Decoding applies them in order. Decoded objects are built with
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

/** Returns a copy of `value` that msgpackr round-trips, and fills `fixups`. */
export function escapeValue(value: unknown, path: Step[], fixups: Fixup[]): unknown {
  if (typeof value === 'number') {
    if (value === 0 && 1 / value < 0) fixups.push([NEGATIVE_ZERO, ...path]);
    return value;
  }
  if (typeof value !== 'object' || value === null) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    return (value as unknown[]).map((item, i) => escapeValue(item, [...path, i], fixups));
  }
  if (proto === Map.prototype) {
    const out = new Map<unknown, unknown>();
    let i = 0;
    for (const [k, v] of value as Map<unknown, unknown>) {
      out.set(escapeValue(k, [...path, 2 * i], fixups), escapeValue(v, [...path, 2 * i + 1], fixups));
      i++;
    }
    return out;
  }
  if (proto === Set.prototype) {
    const out = new Set<unknown>();
    let i = 0;
    for (const v of value as Set<unknown>) out.add(escapeValue(v, [...path, i++], fixups));
    return out;
  }
  if (proto === Object.prototype || proto === null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (proto === null || Object.hasOwn(record, '__proto__') || Object.hasOwn(record, 'constructor')) {
      const out = new Map<string, unknown>();
      keys.forEach((key, i) => {
        out.set(key, escapeValue(record[key], [...path, 2 * i + 1], fixups));
      });
      fixups.push([proto === null ? NULL_PROTOTYPE_OBJECT : PLAIN_OBJECT, ...path]);
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = escapeValue(record[key], [...path, key], fixups);
    return out;
  }
  return value;
}

function corrupt(): never {
  throw new CacheSerializationError('stored msgpack value has invalid fix-ups');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function child(container: unknown, step: Step): unknown {
  if (Array.isArray(container)) {
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step >= container.length)
      corrupt();
    return container[step];
  }
  if (container instanceof Map) {
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step >= 2 * container.size)
      corrupt();
    const entry = [...container][step >> 1] as [unknown, unknown];
    return entry[step & 1];
  }
  if (container instanceof Set) {
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step >= container.size) corrupt();
    return [...container][step];
  }
  if (isPlainObject(container)) {
    if (typeof step !== 'string' || !Object.hasOwn(container, step)) corrupt();
    return container[step];
  }
  return corrupt();
}

function replaceChild(container: unknown, step: Step, value: unknown): void {
  child(container, step); // validates the step
  if (Array.isArray(container)) {
    container[step as number] = value;
  } else if (container instanceof Map) {
    const entries = [...container];
    const entry = entries[(step as number) >> 1] as [unknown, unknown];
    entry[(step as number) & 1] = value;
    container.clear();
    for (const [k, v] of entries) container.set(k, v);
  } else if (container instanceof Set) {
    const members = [...container];
    members[step as number] = value;
    container.clear();
    for (const member of members) container.add(member);
  } else {
    Object.defineProperty(container, step, { value, writable: true, enumerable: true, configurable: true });
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

/** Applies the fix-ups of an escaped value; returns the (possibly replaced) root. */
export function applyFixups(root: unknown, fixups: unknown): unknown {
  if (!Array.isArray(fixups)) corrupt();
  let out = root;
  for (const fixup of fixups) {
    if (!Array.isArray(fixup) || fixup.length === 0) corrupt();
    const [kind, ...path] = fixup as unknown[];
    for (const step of path) if (typeof step !== 'string' && typeof step !== 'number') corrupt();
    const steps = path as Step[];
    if (steps.length === 0) {
      out = fixed(kind, out);
      continue;
    }
    let container = out;
    for (let i = 0; i < steps.length - 1; i++) container = child(container, steps[i] as Step);
    const last = steps[steps.length - 1] as Step;
    replaceChild(container, last, fixed(kind, child(container, last)));
  }
  return out;
}
