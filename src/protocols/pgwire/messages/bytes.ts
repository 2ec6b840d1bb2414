/**
 * Byte-level helpers of the PostgreSQL v3 wire format: a growable big-endian writer and a
 * bounds-checked reader. Strings on the wire are UTF-8 and NUL-terminated (`String` in the
 * protocol docs); every integer is big-endian.
 */

/** A message body that does not follow the format (truncated, a missing NUL…): protocol violation 08P01. */
export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolViolation';
  }
}

export class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new ProtocolViolation(`message too short: ${what} runs past its end`);
  }

  byte(): number {
    this.need(1, 'a byte');
    return this.buf[this.pos++]!;
  }

  int16(): number {
    this.need(2, 'an Int16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'an Int32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'an Int32');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new ProtocolViolation('invalid string in message: no terminating NUL');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    this.need(n, `${n} bytes`);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  rest(): Buffer {
    const b = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return b;
  }

  /** Every message must be consumed exactly (PostgreSQL: "invalid message format"). */
  end(what: string): void {
    if (this.pos !== this.buf.length) throw new ProtocolViolation(`invalid ${what} message format: ${this.buf.length - this.pos} extra bytes`);
  }
}

/** Stores a 32-bit value (signed or unsigned) big-endian at `p`, unchecked. */
export function putInt32(b: Buffer, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = (v >>> 16) & 0xff;
  b[p + 2] = (v >>> 8) & 0xff;
  b[p + 3] = v & 0xff;
}

/** Scratch for fieldFloat64: a double's bytes in this machine's order. */
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A growable buffer of big-endian fields. Messages are framed with `begin(type)` … `finish()`,
 * which back-patches the Int32 length (which counts itself but not the type byte).
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;
  private starts: number[] = [];

  constructor(private readonly initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Starts a message: its type byte (or none for untyped startup-phase packets) and a length placeholder. */
  begin(type?: number): this {
    if (type !== undefined) this.byte(type);
    this.starts.push(this.pos);
    this.int32(0);
    return this;
  }

  /** Ends the innermost message started with `begin`. */
  finish(): this {
    const start = this.starts.pop();
    if (start === undefined) throw new Error('Writer.finish without begin');
    this.buf.writeInt32BE(this.pos - start, start);
    return this;
  }

  byte(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** An Int64 from a safe integer (|v| < 2^53), without a BigInt. */
  /**
   * A binary DataRow field of 1, 2, 4 or 8 bytes: its Int32 length, then the value big-endian,
   * stored byte by byte without range checks (the hot path of vector-fields.ts; its callers pass
   * values that fit). field64 takes the two 32-bit halves, each signed or unsigned.
   */
  field8(v: number): this {
    const p = this.fieldValueAt(1);
    this.buf[p] = v;
    return this;
  }

  field16(v: number): this {
    const p = this.fieldValueAt(2);
    const b = this.buf;
    b[p] = (v >>> 8) & 0xff;
    b[p + 1] = v & 0xff;
    return this;
  }

  field32(v: number): this {
    const p = this.fieldValueAt(4);
    putInt32(this.buf, p, v);
    return this;
  }

  field64(hi: number, lo: number): this {
    const p = this.fieldValueAt(8);
    putInt32(this.buf, p, hi);
    putInt32(this.buf, p + 4, lo);
    return this;
  }

  /** A binary float8 field: length 8, then the IEEE 754 bytes big-endian. */
  fieldFloat64(v: number): this {
    const p = this.fieldValueAt(8);
    const b = this.buf;
    F64[0] = v;
    if (LITTLE_ENDIAN) for (let i = 0; i < 8; i++) b[p + i] = F64_BYTES[7 - i]!;
    else for (let i = 0; i < 8; i++) b[p + i] = F64_BYTES[i]!;
    return this;
  }

  /** Writes the Int32 length `n` (< 256) of a field and moves past its value; the value's offset. */
  private fieldValueAt(n: number): number {
    this.ensure(4 + n);
    const b = this.buf;
    const p = this.pos;
    b[p] = 0;
    b[p + 1] = 0;
    b[p + 2] = 0;
    b[p + 3] = n;
    this.pos = p + 4 + n;
    return p + 4;
  }

  int64n(v: number): this {
    const hi = Math.floor(v / 0x1_0000_0000);
    this.ensure(8);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * 0x1_0000_0000, this.pos + 4);
    this.pos += 8;
    return this;
  }

  float32(v: number): this {
    this.ensure(4);
    this.buf.writeFloatBE(v, this.pos);
    this.pos += 4;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** A UTF-8 string and its terminating NUL. */
  cstring(s: string): this {
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(n + 1);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.buf[this.pos++] = 0;
    return this;
  }

  /** A UTF-8 string without terminator. */
  utf8(s: string): this {
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }

  /**
   * An Int32 byte length then the UTF-8 bytes (a DataRow / Bind field). Short ASCII strings (most
   * values in a result) are copied char by char, which is faster than the native encoder's call.
   */
  lengthPrefixedUtf8(s: string): this {
    const len = s.length;
    if (len <= 64) {
      this.ensure(len + 4);
      const buf = this.buf;
      const start = this.pos + 4;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        buf[start + i] = c;
      }
      if (i === len) {
        buf.writeInt32BE(len, this.pos);
        this.pos = start + len;
        return this;
      }
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(n + 4);
    this.buf.writeInt32BE(n, this.pos);
    this.pos += 4;
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /**
   * Room for `n` more bytes: the buffer to write them into, from offset `length` on; `advance`
   * then moves past what was written (for encoders that write bytes directly).
   */
  reserve(n: number): Buffer {
    this.ensure(n);
    return this.buf;
  }

  advance(n: number): this {
    this.pos += n;
    return this;
  }

  /** Overwrites an Int32 written earlier at byte offset `at` (a length known only afterwards). */
  patchInt32(at: number, v: number): this {
    this.buf.writeInt32BE(v, at);
    return this;
  }

  /** The bytes written so far (a copy when `copy`, else a view that the next write may change). */
  toBuffer(copy = true): Buffer {
    return copy ? Buffer.from(this.buf.subarray(0, this.pos)) : this.buf.subarray(0, this.pos);
  }

  /**
   * Takes the bytes written so far and starts over in a new buffer of the initial size. The bytes
   * are handed over, not copied: the writer never touches the returned buffer again (a socket may
   * hold it until it is sent), and a buffer grown by one huge message is not kept.
   */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.initial);
    this.pos = 0;
    this.starts = [];
    return out;
  }

  /** Rolls back to a length returned by `length` (used to undo a half-written message). */
  truncate(length: number): void {
    this.pos = length;
    while (this.starts.length > 0 && this.starts[this.starts.length - 1]! >= length) this.starts.pop();
  }
}
