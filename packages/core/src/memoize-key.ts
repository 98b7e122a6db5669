/**
 * The default cache key of `memoize`: `<name>:<arguments>`. The arguments are encoded so that
 * two argument lists get one key only when no function could tell them apart: `undefined` and
 * `null`, `-0` and `0`, `1n` and `1` and `'1'`, a `Date` and its ISO string, a `Map` and `{}`, a
 * hole and `undefined`, `f(1)` and `f(1, undefined)` all get keys of their own (JSON.stringify
 * maps each of these pairs to one string). Object keys keep their order.
 *
 * The grammar, where each value is one term and no term contains a `:` (strings escape it), so
 * the last `:` of a key ends the name whatever the name holds:
 *
 *     args    = list
 *     list    = "[" [ term *( "," term ) ] "]"
 *     term    = "undefined" | "null" | "true" | "false" | number | bigint | string
 *             | list                                   ; arrays, "~" for a hole
 *             | "{" [ string "=" term *( "," string "=" term ) ] "}"        ; plain objects
 *             | "^{" ... "}"                           ; objects without a prototype
 *             | "Map{" [ term "=>" term *( "," term "=>" term ) ] "}" | "Set" list
 *             | "Date(" number ")" | "RegExp(" string "," flags ")" | Type "(" hex ")"
 *     number  = String(n), with "-0" for negative zero ; bigint = digits "n"
 *     string  = JSON string, ":" written as \u003a
 *
 * Each term starts with a character that tells its kind and ends where the grammar says, so
 * the encoding can be read back: it is injective. Values that have no such encoding are refused
 * with `CacheConfigError` rather than given a key that another value could share: functions,
 * symbols, class instances (anything whose prototype is not one of the above), objects with
 * symbol keys, arrays with extra properties, and cycles. Nesting deeper than
 * {@link MAX_ARGUMENT_DEPTH} and keys longer than {@link MAX_ARGUMENT_LENGTH} are refused too.
 */
import { CacheConfigError } from './errors.js';

/** The deepest nesting of arguments that `memoize`'s default key encodes. */
export const MAX_ARGUMENT_DEPTH = 64;

/** The longest encoding of arguments (in UTF-16 units) that `memoize`'s default key builds. */
export const MAX_ARGUMENT_LENGTH = 1 << 20;

/** Typed arrays, by prototype, with the name their term uses. */
const TYPED_ARRAYS = new Map<object, string>(
  [
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
  ].map((type) => [type.prototype, type.name]),
);

/** A JSON string with every `:` escaped, so that no term holds a `:`. */
function quote(text: string): string {
  return JSON.stringify(text).replaceAll(':', '\\u003a');
}

function hex(view: ArrayBufferView | ArrayBuffer): string {
  return (
    ArrayBuffer.isView(view) ? Buffer.from(view.buffer, view.byteOffset, view.byteLength) : Buffer.from(view)
  ).toString('hex');
}

function refuse(what: string): never {
  throw new CacheConfigError(
    `memoize cannot build a key from ${what}: pass a key function (or arguments of plain data)`,
  );
}

/**
 * Encodes an argument list as described above.
 * @throws CacheConfigError for arguments that have no unambiguous encoding.
 */
export function encodeArguments(args: readonly unknown[]): string {
  const out: string[] = [];
  let length = 0;
  const ancestors = new Set<object>();

  const write = (text: string): void => {
    length += text.length;
    if (length > MAX_ARGUMENT_LENGTH) refuse(`arguments longer than ${MAX_ARGUMENT_LENGTH} characters`);
    out.push(text);
  };

  const list = (items: Iterable<unknown>, depth: number): void => {
    write('[');
    let first = true;
    for (const item of items) {
      if (!first) write(',');
      first = false;
      term(item, depth);
    }
    write(']');
  };

  const array = (value: readonly unknown[], depth: number): void => {
    write('[');
    let present = 0;
    for (let i = 0; i < value.length; i++) {
      if (i > 0) write(',');
      if (i in value) {
        present++;
        term(value[i], depth);
      } else write('~');
    }
    write(']');
    if (Object.keys(value).length !== present || ownSymbols(value)) refuse('an array with extra properties');
  };

  const object = (value: Record<string, unknown>, depth: number): void => {
    if (ownSymbols(value)) refuse('an object with symbol keys');
    write('{');
    let first = true;
    for (const key of Object.keys(value)) {
      if (!first) write(',');
      first = false;
      write(quote(key));
      write('=');
      term(value[key], depth);
    }
    write('}');
  };

  const term = (value: unknown, depth: number): void => {
    switch (typeof value) {
      case 'undefined':
        write('undefined');
        return;
      case 'boolean':
        write(value ? 'true' : 'false');
        return;
      case 'number':
        write(Object.is(value, -0) ? '-0' : String(value));
        return;
      case 'bigint':
        write(`${value}n`);
        return;
      case 'string':
        write(quote(value));
        return;
      case 'symbol':
        refuse('a symbol');
        return;
      case 'function':
        refuse('a function');
        return;
    }
    if (value === null) {
      write('null');
      return;
    }
    const obj = value as object;
    if (ancestors.has(obj)) refuse('a cyclic value');
    if (depth >= MAX_ARGUMENT_DEPTH) refuse(`values nested deeper than ${MAX_ARGUMENT_DEPTH}`);
    ancestors.add(obj);
    const next = depth + 1;
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto === Array.prototype) array(obj as unknown[], next);
    else if (proto === Object.prototype) object(obj as Record<string, unknown>, next);
    else if (proto === null) {
      write('^');
      object(obj as Record<string, unknown>, next);
    } else if (proto === Date.prototype) {
      write(`Date(${(obj as Date).getTime()})`);
    } else if (proto === Map.prototype) {
      write('Map{');
      let first = true;
      for (const [key, item] of obj as Map<unknown, unknown>) {
        if (!first) write(',');
        first = false;
        term(key, next);
        write('=>');
        term(item, next);
      }
      write('}');
    } else if (proto === Set.prototype) {
      write('Set');
      list(obj as Set<unknown>, next);
    } else if (proto === RegExp.prototype) {
      const re = obj as RegExp;
      write(`RegExp(${quote(re.source)},${re.flags})`);
    } else if (Buffer.isBuffer(obj)) {
      write(`Buffer(${hex(obj)})`);
    } else if (TYPED_ARRAYS.has(proto as object)) {
      write(`${TYPED_ARRAYS.get(proto as object)}(${hex(obj as ArrayBufferView)})`);
    } else if (proto === ArrayBuffer.prototype) {
      write(`ArrayBuffer(${hex(obj as ArrayBuffer)})`);
    } else {
      const name = (proto as { constructor?: { name?: unknown } } | undefined)?.constructor?.name;
      refuse(`an instance of ${typeof name === 'string' && name !== '' ? name : 'a class'}`);
    }
    ancestors.delete(obj);
  };

  list(args, 0);
  return out.join('');
}

function ownSymbols(value: object): boolean {
  for (const symbol of Object.getOwnPropertySymbols(value))
    if (Object.prototype.propertyIsEnumerable.call(value, symbol)) return true;
  return false;
}
