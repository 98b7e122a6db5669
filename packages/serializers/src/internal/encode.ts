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
 */

/** Returned by the walk when the value needs the slow path. */
const DECLINE = 1;
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
/** Strings at least this long are checked with `isWellFormed` and written with `Buffer#write`. */
const LONG_STRING = 64;

const INT64_MIN = -(2n ** 63n);
const INT64_END = 2n ** 63n;
const UINT64_END = 2n ** 64n;

/** Type bytes of msgpackr's binary extension (0x74), by prototype. */
const BINARY_TYPES: ReadonlyMap<object, number> = new Map<object, number>([
  [Int8Array.prototype, 0],
  [Uint8Array.prototype, 1],
  [Uint8ClampedArray.prototype, 2],
  [Int16Array.prototype, 3],
  [Uint16Array.prototype, 4],
  [Int32Array.prototype, 5],
  [Uint32Array.prototype, 6],
  [Float32Array.prototype, 7],
  [Float64Array.prototype, 8],
  [BigInt64Array.prototype, 9],
  [BigUint64Array.prototype, 10],
  [ArrayBuffer.prototype, 0x10],
  [DataView.prototype, 0x11],
]);

/** A node of the shape tree: the path from the root spells an object's keys, in order. */
interface Shape {
  /** The first child made, looked up without hashing (most nodes have one child). */
  firstKey: string | undefined;
  first: Shape | undefined;
  /** The other children. */
  next: Map<string, Shape> | undefined;
  /** Record id in the message being written, valid while `message` is the current one. */
  id: number;
  message: number;
  /** The keys of this shape once they have been checked for lone surrogates. */
  keys: readonly string[] | undefined;
}

const newShape = (): Shape => ({
  firstKey: undefined,
  first: undefined,
  next: undefined,
  id: 0,
  message: 0,
  keys: undefined,
});

/** `String.prototype.isWellFormed` (Node 20; typed in lib ES2024, newer than this project's ES2023). */
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** One-pass checked encoder for plain data; see the module comment. Not re-entrant: a nested call declines. */
export class PlainEncoder {
  #buf: Buffer = Buffer.allocUnsafeSlow(8192);
  #view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
  #pos = 0;
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
      this.#buf[0] = header;
      this.#pos = 1;
      if (this.#write(value, 0) === DECLINE) return undefined;
      const out = Buffer.allocUnsafeSlow(this.#pos);
      this.#buf.copy(out, 0, 0, this.#pos);
      return out;
    } catch {
      return undefined; // a getter threw: the slow path reports it
    } finally {
      if (this.#buf.length > MAX_RETAINED_BYTES) this.#setBuffer(Buffer.allocUnsafeSlow(8192));
      this.#busy = false;
    }
  }

  #setBuffer(buf: Buffer): void {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Makes room for `bytes` more bytes (small, so that it is inlined; growing is apart). */
  #room(bytes: number): void {
    if (this.#pos + bytes > this.#buf.length) this.#grow(this.#pos + bytes);
  }

  #grow(end: number): void {
    let size = this.#buf.length * 2;
    while (size < end) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#setBuffer(next);
  }

  /** Writes `value`; returns {@link DECLINE} when it needs the slow path, else 0. */
  #write(value: unknown, depth: number): number {
    switch (typeof value) {
      case 'string':
        return this.#string(value);
      case 'number':
        return this.#number(value);
      case 'object':
        if (value === null) {
          this.#byte(0xc0);
          return 0;
        }
        return depth === MAX_DEPTH ? DECLINE : this.#object(value, depth + 1);
      case 'boolean':
        this.#byte(value ? 0xc3 : 0xc2);
        return 0;
      case 'undefined':
        // fixext 1, type 0, data 0: msgpackr's undefined
        this.#room(3);
        this.#buf[this.#pos++] = 0xd4;
        this.#buf[this.#pos++] = 0;
        this.#buf[this.#pos++] = 0;
        return 0;
      case 'bigint':
        return this.#bigint(value);
      default:
        return DECLINE; // function, symbol
    }
  }

  #byte(byte: number): void {
    this.#room(1);
    this.#buf[this.#pos++] = byte;
  }

  #number(value: number): number {
    this.#room(9);
    const buf = this.#buf;
    if (value >>> 0 === value) {
      if (value === 0 && 1 / value < 0) return DECLINE; // -0 needs the escaped form
      // 0x40-0x7f are record ids in records mode, so positive fixints stop at 0x3f
      if (value < 0x40) buf[this.#pos++] = value;
      else if (value < 0x100) {
        buf[this.#pos++] = 0xcc;
        buf[this.#pos++] = value;
      } else if (value < 0x10000) {
        buf[this.#pos++] = 0xcd;
        buf[this.#pos++] = value >> 8;
        buf[this.#pos++] = value & 0xff;
      } else {
        buf[this.#pos++] = 0xce;
        this.#view.setUint32(this.#pos, value);
        this.#pos += 4;
      }
    } else if (value >> 0 === value) {
      if (value >= -0x20) buf[this.#pos++] = 0x100 + value;
      else if (value >= -0x80) {
        buf[this.#pos++] = 0xd0;
        buf[this.#pos++] = value + 0x100;
      } else if (value >= -0x8000) {
        buf[this.#pos++] = 0xd1;
        this.#view.setInt16(this.#pos, value);
        this.#pos += 2;
      } else {
        buf[this.#pos++] = 0xd2;
        this.#view.setInt32(this.#pos, value);
        this.#pos += 4;
      }
    } else {
      buf[this.#pos++] = 0xcb;
      this.#view.setFloat64(this.#pos, value);
      this.#pos += 8;
    }
    return 0;
  }

  #bigint(value: bigint): number {
    this.#room(9);
    if (value >= INT64_MIN && value < INT64_END) {
      this.#buf[this.#pos++] = 0xd3;
      this.#view.setBigInt64(this.#pos, value);
    } else if (value > 0n && value < UINT64_END) {
      this.#buf[this.#pos++] = 0xcf;
      this.#view.setBigUint64(this.#pos, value);
    } else {
      return DECLINE; // msgpackr's bigint extension
    }
    this.#pos += 8;
    return 0;
  }

  #string(value: string): number {
    const length = value.length;
    this.#room(5 + length * 3);
    const buf = this.#buf;
    // header size guessed from the UTF-16 length, corrected below from the UTF-8 length
    const guess = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
    const start = this.#pos;
    let at = start + guess;
    if (length >= LONG_STRING) {
      if (!isWellFormed(value)) return DECLINE;
      at += buf.write(value, at);
    } else {
      for (let i = 0; i < length; i++) {
        let c = value.charCodeAt(i);
        if (c < 0x80) buf[at++] = c;
        else if (c < 0x800) {
          buf[at++] = (c >> 6) | 0xc0;
          buf[at++] = (c & 0x3f) | 0x80;
        } else if (c < 0xd800 || c > 0xdfff) {
          buf[at++] = (c >> 12) | 0xe0;
          buf[at++] = ((c >> 6) & 0x3f) | 0x80;
          buf[at++] = (c & 0x3f) | 0x80;
        } else {
          const low = value.charCodeAt(i + 1); // NaN past the end
          if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return DECLINE; // lone surrogate
          c = 0x10000 + ((c & 0x3ff) << 10) + (low & 0x3ff);
          i++;
          buf[at++] = (c >> 18) | 0xf0;
          buf[at++] = ((c >> 12) & 0x3f) | 0x80;
          buf[at++] = ((c >> 6) & 0x3f) | 0x80;
          buf[at++] = (c & 0x3f) | 0x80;
        }
      }
    }
    const bytes = at - start - guess;
    const header = bytes < 0x20 ? 1 : bytes < 0x100 ? 2 : bytes < 0x10000 ? 3 : 5;
    if (header !== guess) buf.copyWithin(start + header, start + guess, at);
    if (header === 1) buf[start] = 0xa0 | bytes;
    else if (header === 2) {
      buf[start] = 0xd9;
      buf[start + 1] = bytes;
    } else if (header === 3) {
      buf[start] = 0xda;
      buf[start + 1] = bytes >> 8;
      buf[start + 2] = bytes & 0xff;
    } else {
      buf[start] = 0xdb;
      this.#view.setUint32(start + 1, bytes);
    }
    this.#pos = start + header + bytes;
    return 0;
  }

  #arrayHeader(length: number): void {
    this.#room(5);
    const buf = this.#buf;
    if (length < 0x10) buf[this.#pos++] = 0x90 | length;
    else if (length < 0x10000) {
      buf[this.#pos++] = 0xdc;
      buf[this.#pos++] = length >> 8;
      buf[this.#pos++] = length & 0xff;
    } else {
      buf[this.#pos++] = 0xdd;
      this.#view.setUint32(this.#pos, length);
      this.#pos += 4;
    }
  }

  #object(value: object, depth: number): number {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype) return this.#record(value as Record<string, unknown>, depth);
    if (proto === Array.prototype) {
      const array = value as unknown[];
      const length = array.length;
      this.#arrayHeader(length);
      for (let i = 0; i < length; i++) {
        const item = array[i];
        if (item === undefined && !(i in array)) return DECLINE; // a hole
        if (this.#write(item, depth) === DECLINE) return DECLINE;
      }
      return 0;
    }
    if (proto === Date.prototype) return this.#date(value as Date);
    if (proto === Map.prototype) return this.#map(value as Map<unknown, unknown>, depth);
    if (proto === Set.prototype) {
      // fixext 1, type 0x73 's', then the members as an array
      const set = value as Set<unknown>;
      this.#room(3);
      this.#buf[this.#pos++] = 0xd4;
      this.#buf[this.#pos++] = 0x73;
      this.#buf[this.#pos++] = 0;
      this.#arrayHeader(set.size);
      for (const item of set) if (this.#write(item, depth) === DECLINE) return DECLINE;
      return 0;
    }
    if (proto === Buffer.prototype) return this.#bin(value as Buffer);
    const type = BINARY_TYPES.get(proto as object);
    return type === undefined ? DECLINE : this.#binaryExtension(value as ArrayBufferView | ArrayBuffer, type);
  }

  #map(map: Map<unknown, unknown>, depth: number): number {
    const size = map.size;
    this.#room(5);
    const buf = this.#buf;
    if (size < 0x10) buf[this.#pos++] = 0x80 | size;
    else if (size < 0x10000) {
      buf[this.#pos++] = 0xde;
      buf[this.#pos++] = size >> 8;
      buf[this.#pos++] = size & 0xff;
    } else {
      buf[this.#pos++] = 0xdf;
      this.#view.setUint32(this.#pos, size);
      this.#pos += 4;
    }
    for (const [key, item] of map) {
      if (this.#write(key, depth) === DECLINE || this.#write(item, depth) === DECLINE) return DECLINE;
    }
    return 0;
  }

  /** A `Buffer`: MessagePack bin. */
  #bin(bytes: Buffer): number {
    const length = bytes.byteLength;
    this.#room(5 + length);
    const buf = this.#buf;
    if (length < 0x100) {
      buf[this.#pos++] = 0xc4;
      buf[this.#pos++] = length;
    } else if (length < 0x10000) {
      buf[this.#pos++] = 0xc5;
      buf[this.#pos++] = length >> 8;
      buf[this.#pos++] = length & 0xff;
    } else {
      buf[this.#pos++] = 0xc6;
      this.#view.setUint32(this.#pos, length);
      this.#pos += 4;
    }
    buf.set(bytes, this.#pos);
    this.#pos += length;
    return 0;
  }

  /** Typed arrays, `ArrayBuffer` and `DataView`: msgpackr's extension 0x74 with the type byte. */
  #binaryExtension(value: ArrayBufferView | ArrayBuffer, type: number): number {
    const bytes =
      type === 0x10
        ? new Uint8Array(value as ArrayBuffer)
        : new Uint8Array(
            (value as ArrayBufferView).buffer,
            (value as ArrayBufferView).byteOffset,
            value.byteLength,
          );
    const length = bytes.byteLength + 1; // the type byte counts
    this.#room(7 + length);
    const buf = this.#buf;
    if (length < 0x100) {
      buf[this.#pos++] = 0xc7;
      buf[this.#pos++] = length;
    } else if (length < 0x10000) {
      buf[this.#pos++] = 0xc8;
      buf[this.#pos++] = length >> 8;
      buf[this.#pos++] = length & 0xff;
    } else {
      buf[this.#pos++] = 0xc9;
      this.#view.setUint32(this.#pos, length);
      this.#pos += 4;
    }
    buf[this.#pos++] = 0x74;
    buf[this.#pos++] = type;
    buf.set(bytes, this.#pos);
    this.#pos += bytes.byteLength;
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
      this.#byte(shape.id);
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
      this.#room(3);
      this.#buf[this.#pos++] = 0xd4;
      this.#buf[this.#pos++] = 0x72;
      this.#buf[this.#pos++] = shape.id;
      this.#arrayHeader(count);
      for (let i = 0; i < count; i++) this.#string(shapeKeys[i] as string);
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

  /** msgpackr's timestamp extension (type -1), in the same cases and with the same quirks. */
  #date(date: Date): number {
    this.#room(15);
    const buf = this.#buf;
    const view = this.#view;
    const seconds = date.getTime() / 1000;
    const milliseconds = date.getMilliseconds();
    if (milliseconds === 0 && seconds >= 0 && seconds < 0x100000000) {
      buf[this.#pos++] = 0xd6;
      buf[this.#pos++] = 0xff;
      view.setUint32(this.#pos, seconds);
      this.#pos += 4;
    } else if (seconds > 0 && seconds < 0x100000000) {
      buf[this.#pos++] = 0xd7;
      buf[this.#pos++] = 0xff;
      view.setUint32(this.#pos, milliseconds * 4_000_000);
      view.setUint32(this.#pos + 4, seconds);
      this.#pos += 8;
    } else if (Number.isNaN(seconds)) {
      buf[this.#pos++] = 0xd4;
      buf[this.#pos++] = 0xff;
      buf[this.#pos++] = 0xff;
    } else {
      buf[this.#pos++] = 0xc7;
      buf[this.#pos++] = 12;
      buf[this.#pos++] = 0xff;
      view.setUint32(this.#pos, milliseconds * 1_000_000);
      view.setBigInt64(this.#pos + 4, BigInt(Math.floor(seconds)));
      this.#pos += 12;
    }
    return 0;
  }
}
