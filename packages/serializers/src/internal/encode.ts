/**
 * The fast path of the msgpack serializer: one walk that both checks and encodes plain data
 * (plain objects, dense arrays, strings, numbers, booleans, `null`, `undefined`, 64-bit
 * `bigint`, `Date`, `Map`, `Set`, `Buffer`, typed arrays, `ArrayBuffer`, `DataView`), writing
 * exactly the bytes msgpackr writes for the same value with the serializer's options (records,
 * one record definition per shape per message). Tests hold the output byte for byte against
 * msgpackr's.
 *
 * It refuses nothing itself: on anything it does not handle, or anything the serializer would
 * refuse or escape (`-0`, lone surrogates, symbol keys, `__proto__` or `constructor` keys,
 * null-prototype objects, holes, class instances and subclasses, `RegExp`, `Error`, larger
 * `bigint`, nesting past {@link MAX_DEPTH}, more than {@link MAX_RECORDS} shapes),
 * it gives up and the caller takes the checked slow path (`Inspector`, then msgpackr), which
 * decides. Reading each property once (instead of once to check and once to encode) also means a
 * getter cannot return one value to the check and another to the encoder.
 *
 * This file walks and checks values and writes records (the shape tree is `shape-tree.ts`); the
 * bytes of each scalar, header and binary value are written by `msgpack-writer.ts`.
 */

import { BINARY_TYPES, DECLINE, isWellFormed, MsgpackWriter } from './msgpack-writer.js';
import { newShape, type Shape } from './shape-tree.js';

/** Nesting depth past which the slow path takes over (it looks for cycles there). */
const MAX_DEPTH = 128;
/** One-byte record ids (0x40-0x7f): more shapes in one value take the slow path. */
const MAX_RECORDS = 64;
/**
 * Shape-tree nodes kept between calls. A call that would grow the tree past this declines and
 * the next call starts a new tree (objects used as dictionaries make a node per key).
 */
const MAX_SHAPES = 10_000;
/** A working buffer larger than this is let go after the call. */
const MAX_RETAINED_BYTES = 1 << 20;

/** One-pass checked encoder for plain data; see the module comment. Not re-entrant: a nested call declines. */
export class PlainEncoder extends MsgpackWriter {
  #message = 0;
  #nextId = 0x40;
  #root: Shape = newShape();
  #shapes = 0;
  #busy = false;

  /**
   * Returns `header` followed by the MessagePack bytes of `value`, in memory of their own, or
   * `undefined` when the value needs the slow path.
   */
  encode(value: unknown, header: number): Buffer | undefined {
    if (this.#busy) return undefined; // a getter serializing another value
    this.#busy = true;
    try {
      if (this.#shapes > MAX_SHAPES) {
        this.#root = newShape();
        this.#shapes = 0;
      }
      this.#message++;
      this.#nextId = 0x40;
      this.buf[0] = header;
      this.pos = 1;
      if (this.#write(value, 0) === DECLINE) return undefined;
      const out = Buffer.allocUnsafeSlow(this.pos);
      this.buf.copy(out, 0, 0, this.pos);
      return out;
    } catch {
      return undefined; // a getter threw: the slow path reports it
    } finally {
      if (this.buf.length > MAX_RETAINED_BYTES) this.setBuffer(Buffer.allocUnsafeSlow(8192));
      this.#busy = false;
    }
  }

  /** Writes `value`; returns {@link DECLINE} when it needs the slow path, else 0. */
  #write(value: unknown, depth: number): number {
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number':
        return this.number(value);
      case 'object':
        if (value === null) {
          this.byte(0xc0);
          return 0;
        }
        return depth === MAX_DEPTH ? DECLINE : this.#object(value, depth + 1);
      case 'boolean':
        this.byte(value ? 0xc3 : 0xc2);
        return 0;
      case 'undefined':
        // fixext 1, type 0, data 0: msgpackr's undefined
        this.room(3);
        this.buf[this.pos++] = 0xd4;
        this.buf[this.pos++] = 0;
        this.buf[this.pos++] = 0;
        return 0;
      case 'bigint':
        return this.bigint(value);
      default:
        return DECLINE; // function, symbol
    }
  }

  #object(value: object, depth: number): number {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype) return this.#record(value as Record<string, unknown>, depth);
    if (proto === Array.prototype) {
      const array = value as unknown[];
      const length = array.length;
      this.arrayHeader(length);
      for (let i = 0; i < length; i++) {
        const item = array[i];
        if (item === undefined && !(i in array)) return DECLINE; // a hole
        if (this.#write(item, depth) === DECLINE) return DECLINE;
      }
      return 0;
    }
    if (proto === Date.prototype) return this.date(value as Date);
    if (proto === Map.prototype) return this.#map(value as Map<unknown, unknown>, depth);
    if (proto === Set.prototype) {
      // fixext 1, type 0x73 's', then the members as an array
      const set = value as Set<unknown>;
      this.room(3);
      this.buf[this.pos++] = 0xd4;
      this.buf[this.pos++] = 0x73;
      this.buf[this.pos++] = 0;
      this.arrayHeader(set.size);
      for (const item of set) if (this.#write(item, depth) === DECLINE) return DECLINE;
      return 0;
    }
    if (proto === Buffer.prototype) return this.bin(value as Buffer);
    const type = BINARY_TYPES.get(proto as object);
    return type === undefined ? DECLINE : this.binaryExtension(value as ArrayBufferView | ArrayBuffer, type);
  }

  #map(map: Map<unknown, unknown>, depth: number): number {
    this.mapHeader(map.size);
    for (const [key, item] of map) {
      if (this.#write(key, depth) === DECLINE || this.#write(item, depth) === DECLINE) return DECLINE;
    }
    return 0;
  }

  #record(record: Record<string, unknown>, depth: number): number {
    if (Object.getOwnPropertySymbols(record).length !== 0) return DECLINE;
    const keys = Object.keys(record);
    const count = keys.length;
    let shape = this.#root;
    for (let i = 0; i < count; i++) {
      const key = keys[i] as string;
      let next = key === shape.firstKey ? shape.first : shape.next?.get(key);
      if (next === undefined) {
        // no node is ever made for these keys, so a shape that holds one is always new
        if (key === '__proto__' || key === 'constructor') return DECLINE;
        if (++this.#shapes > MAX_SHAPES) return DECLINE; // the tree starts again on the next call
        next = newShape();
        if (shape.first === undefined) {
          shape.firstKey = key;
          shape.first = next;
        } else {
          (shape.next ??= new Map()).set(key, next);
        }
      }
      shape = next;
    }
    if (shape.message === this.#message) {
      this.byte(shape.id);
    } else {
      // a record definition (fixext 1, type 0x72 'r', the id), then the key list
      if (this.#nextId === 0x40 + MAX_RECORDS) return DECLINE;
      let shapeKeys = shape.keys;
      if (shapeKeys === undefined) {
        for (let i = 0; i < count; i++) if (!isWellFormed(keys[i] as string)) return DECLINE;
        shapeKeys = shape.keys = keys;
      }
      shape.id = this.#nextId++;
      shape.message = this.#message;
      this.room(3);
      this.buf[this.pos++] = 0xd4;
      this.buf[this.pos++] = 0x72;
      this.buf[this.pos++] = shape.id;
      this.arrayHeader(count);
      for (let i = 0; i < count; i++) this.string(shapeKeys[i] as string);
    }
    // The values, in a for-in loop (V8 reads its properties by the enum cache's field indexes).
    // It visits the own keys first, in the order of Object.keys, and skips any a getter deletes:
    // each key is compared with the record's, so the values written are exactly the record's.
    let written = 0;
    for (const key in record) {
      if (written === count) break; // inherited enumerable keys come after the own ones
      if (key !== keys[written] || this.#write(record[key], depth) === DECLINE) return DECLINE;
      written++;
    }
    return written === count ? 0 : DECLINE;
  }
}
