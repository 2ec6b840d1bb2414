/**
 * The streaming frame splitter: bytes as they arrive from a socket (any chunking: a message split
 * at every byte, many messages per chunk) → whole frames. Frames larger than the limit are refused
 * as soon as their header is seen, so a hostile length never makes the server buffer it.
 */
import { ProtocolViolation } from './bytes.ts';

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
export const MAX_STARTUP_PACKET_BYTES = 10_000;

export interface Frame {
  /** The type byte; undefined for startup-phase packets (which have none). */
  type: number | undefined;
  /** The bytes after the Int32 length. */
  body: Buffer;
}

export interface FrameSplitterOptions {
  /** The largest typed message accepted (length field, in bytes). */
  maxMessageBytes: number;
  maxStartupBytes?: number;
}

export class FrameSplitter {
  private chunks: Buffer[] = [];
  /** Offset into chunks[0]. */
  private head = 0;
  private total = 0;
  /** Until the StartupMessage, packets carry no type byte. The session switches this off. */
  startupPhase = true;

  constructor(private readonly opts: FrameSplitterOptions) {}

  /** Bytes received and not yet returned as frames. */
  get buffered(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** The next complete frame, or undefined until more bytes arrive. Throws ProtocolViolation on a bad length. */
  next(): Frame | undefined {
    if (this.startupPhase) {
      if (this.total < 4) return undefined;
      const len = this.peekInt32(0);
      const max = this.opts.maxStartupBytes ?? MAX_STARTUP_PACKET_BYTES;
      if (len < 8 || len > max) throw new ProtocolViolation('invalid length of startup packet');
      if (this.total < len) return undefined;
      this.skip(4);
      return { type: undefined, body: this.take(len - 4) };
    }
    if (this.total < 5) return undefined;
    const type = this.peekByte(0);
    const len = this.peekInt32(1);
    if (len < 4) throw new ProtocolViolation(`invalid message length ${len}`);
    if (len > this.opts.maxMessageBytes) {
      throw new ProtocolViolation(`message of ${len} bytes is larger than this server's limit of ${this.opts.maxMessageBytes} bytes`);
    }
    if (this.total < len + 1) return undefined;
    this.skip(5);
    return { type, body: this.take(len - 4) };
  }

  private peekByte(offset: number): number {
    let at = this.head + offset;
    for (const c of this.chunks) {
      if (at < c.length) return c[at]!;
      at -= c.length;
    }
    throw new Error('peek past buffered bytes');
  }

  private peekInt32(offset: number): number {
    return ((this.peekByte(offset) << 24) | (this.peekByte(offset + 1) << 16) | (this.peekByte(offset + 2) << 8) | this.peekByte(offset + 3)) | 0;
  }

  private skip(n: number): void {
    this.take(n);
  }

  /** Removes and returns the next n bytes (a view when they lie in one chunk, else a copy). */
  private take(n: number): Buffer {
    this.total -= n;
    const first = this.chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first !== undefined && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.head += n;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length - this.head, n - filled);
      c.copy(out, filled, this.head, this.head + k);
      filled += k;
      this.head += k;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    return out;
  }
}
