/**
 * The MessagePack writer under msgpack's one-pass encoder (`encode.ts`): a working buffer kept
 * between calls, and the bytes msgpackr writes for each scalar (numbers, 64-bit `bigint`,
 * strings, `Date`), for container headers (array, map) and for binary data (`Buffer`, typed
 * arrays, `ArrayBuffer`, `DataView`). Walking values, checking them and records (shapes) are the
 * encoder's.
 */

/** Returned by a write when the value needs the slow path. */
export const DECLINE = 1;
/** Strings at least this long are checked with `isWellFormed` and written with `Buffer#write`. */
const LONG_STRING = 64;

const INT64_MIN = -(2n ** 63n);
const INT64_END = 2n ** 63n;
const UINT64_END = 2n ** 64n;

/** Type bytes of msgpackr's binary extension (0x74), by prototype. */
export const BINARY_TYPES: ReadonlyMap<object, number> = new Map<object, number>([
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

/** `String.prototype.isWellFormed` (Node 20; typed in lib ES2024, newer than this project's ES2023). */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** The working buffer and the MessagePack primitives; see the module comment. */
export class MsgpackWriter {
  protected buf: Buffer = Buffer.allocUnsafeSlow(8192);
  protected view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  protected pos = 0;

  protected setBuffer(buf: Buffer): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Makes room for `bytes` more bytes (small, so that it is inlined; growing is apart). */
  protected room(bytes: number): void {
    if (this.pos + bytes > this.buf.length) this.grow(this.pos + bytes);
  }

  protected grow(end: number): void {
    let size = this.buf.length * 2;
    while (size < end) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.setBuffer(next);
  }

  protected byte(byte: number): void {
    this.room(1);
    this.buf[this.pos++] = byte;
  }

  protected number(value: number): number {
    this.room(9);
    const buf = this.buf;
    if (value >>> 0 === value) {
      if (value === 0 && 1 / value < 0) return DECLINE; // -0 needs the escaped form
      // 0x40-0x7f are record ids in records mode, so positive fixints stop at 0x3f
      if (value < 0x40) buf[this.pos++] = value;
      else if (value < 0x100) {
        buf[this.pos++] = 0xcc;
        buf[this.pos++] = value;
      } else if (value < 0x10000) {
        buf[this.pos++] = 0xcd;
        buf[this.pos++] = value >> 8;
        buf[this.pos++] = value & 0xff;
      } else {
        buf[this.pos++] = 0xce;
        this.view.setUint32(this.pos, value);
        this.pos += 4;
      }
    } else if (value >> 0 === value) {
      if (value >= -0x20) buf[this.pos++] = 0x100 + value;
      else if (value >= -0x80) {
        buf[this.pos++] = 0xd0;
        buf[this.pos++] = value + 0x100;
      } else if (value >= -0x8000) {
        buf[this.pos++] = 0xd1;
        this.view.setInt16(this.pos, value);
        this.pos += 2;
      } else {
        buf[this.pos++] = 0xd2;
        this.view.setInt32(this.pos, value);
        this.pos += 4;
      }
    } else {
      buf[this.pos++] = 0xcb;
      this.view.setFloat64(this.pos, value);
      this.pos += 8;
    }
    return 0;
  }

  protected bigint(value: bigint): number {
    this.room(9);
    if (value >= INT64_MIN && value < INT64_END) {
      this.buf[this.pos++] = 0xd3;
      this.view.setBigInt64(this.pos, value);
    } else if (value > 0n && value < UINT64_END) {
      this.buf[this.pos++] = 0xcf;
      this.view.setBigUint64(this.pos, value);
    } else {
      return DECLINE; // msgpackr's bigint extension
    }
    this.pos += 8;
    return 0;
  }

  protected string(value: string): number {
    const length = value.length;
    this.room(5 + length * 3);
    const buf = this.buf;
    // header size guessed from the UTF-16 length, corrected below from the UTF-8 length
    const guess = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
    const start = this.pos;
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
      this.view.setUint32(start + 1, bytes);
    }
    this.pos = start + header + bytes;
    return 0;
  }

  protected arrayHeader(length: number): void {
    this.room(5);
    const buf = this.buf;
    if (length < 0x10) buf[this.pos++] = 0x90 | length;
    else if (length < 0x10000) {
      buf[this.pos++] = 0xdc;
      buf[this.pos++] = length >> 8;
      buf[this.pos++] = length & 0xff;
    } else {
      buf[this.pos++] = 0xdd;
      this.view.setUint32(this.pos, length);
      this.pos += 4;
    }
  }

  /** A MessagePack map header for `size` pairs. */
  protected mapHeader(size: number): void {
    this.room(5);
    const buf = this.buf;
    if (size < 0x10) buf[this.pos++] = 0x80 | size;
    else if (size < 0x10000) {
      buf[this.pos++] = 0xde;
      buf[this.pos++] = size >> 8;
      buf[this.pos++] = size & 0xff;
    } else {
      buf[this.pos++] = 0xdf;
      this.view.setUint32(this.pos, size);
      this.pos += 4;
    }
  }

  /** A `Buffer`: MessagePack bin. */
  protected bin(bytes: Buffer): number {
    const length = bytes.byteLength;
    this.room(5 + length);
    const buf = this.buf;
    if (length < 0x100) {
      buf[this.pos++] = 0xc4;
      buf[this.pos++] = length;
    } else if (length < 0x10000) {
      buf[this.pos++] = 0xc5;
      buf[this.pos++] = length >> 8;
      buf[this.pos++] = length & 0xff;
    } else {
      buf[this.pos++] = 0xc6;
      this.view.setUint32(this.pos, length);
      this.pos += 4;
    }
    buf.set(bytes, this.pos);
    this.pos += length;
    return 0;
  }

  /** Typed arrays, `ArrayBuffer` and `DataView`: msgpackr's extension 0x74 with the type byte. */
  protected binaryExtension(value: ArrayBufferView | ArrayBuffer, type: number): number {
    const bytes =
      type === 0x10
        ? new Uint8Array(value as ArrayBuffer)
        : new Uint8Array(
            (value as ArrayBufferView).buffer,
            (value as ArrayBufferView).byteOffset,
            value.byteLength,
          );
    const length = bytes.byteLength + 1; // the type byte counts
    this.room(7 + length);
    const buf = this.buf;
    if (length < 0x100) {
      buf[this.pos++] = 0xc7;
      buf[this.pos++] = length;
    } else if (length < 0x10000) {
      buf[this.pos++] = 0xc8;
      buf[this.pos++] = length >> 8;
      buf[this.pos++] = length & 0xff;
    } else {
      buf[this.pos++] = 0xc9;
      this.view.setUint32(this.pos, length);
      this.pos += 4;
    }
    buf[this.pos++] = 0x74;
    buf[this.pos++] = type;
    buf.set(bytes, this.pos);
    this.pos += bytes.byteLength;
    return 0;
  }

  /** msgpackr's timestamp extension (type -1), in the same cases and with the same quirks. */
  protected date(date: Date): number {
    this.room(15);
    const buf = this.buf;
    const view = this.view;
    const seconds = date.getTime() / 1000;
    const milliseconds = date.getMilliseconds();
    if (milliseconds === 0 && seconds >= 0 && seconds < 0x100000000) {
      buf[this.pos++] = 0xd6;
      buf[this.pos++] = 0xff;
      view.setUint32(this.pos, seconds);
      this.pos += 4;
    } else if (seconds > 0 && seconds < 0x100000000) {
      buf[this.pos++] = 0xd7;
      buf[this.pos++] = 0xff;
      view.setUint32(this.pos, milliseconds * 4_000_000);
      view.setUint32(this.pos + 4, seconds);
      this.pos += 8;
    } else if (Number.isNaN(seconds)) {
      buf[this.pos++] = 0xd4;
      buf[this.pos++] = 0xff;
      buf[this.pos++] = 0xff;
    } else {
      buf[this.pos++] = 0xc7;
      buf[this.pos++] = 12;
      buf[this.pos++] = 0xff;
      view.setUint32(this.pos, milliseconds * 1_000_000);
      view.setBigInt64(this.pos + 4, BigInt(Math.floor(seconds)));
      this.pos += 12;
    }
    return 0;
  }
}
