/**
 * PostgreSQL's binary send/receive formats for the types whose layout is not a plain big-endian
 * number: numeric (base-10000 digits), uuid, and the epoch shifts of date/timestamp.
 */
import { ProtocolViolation, putInt32, type Writer } from './messages/bytes.ts';

/** Days from 1970-01-01 to 2000-01-01 (PostgreSQL's epoch). */
export const PG_EPOCH_DAYS = 10_957;
/** Microseconds from 1970-01-01 to 2000-01-01. */
export const PG_EPOCH_MICROS = 946_684_800_000_000n;

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;

/** A value the binary format cannot carry (answer 22P03 / 22003). */
export class BinaryFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BinaryFormatError';
  }
}

/**
 * numeric_send: Int16 ndigits, Int16 weight, Int16 sign, Int16 dscale, then ndigits Int16
 * base-10000 digits, most significant first, leading and trailing zero digits stripped.
 * `text` is numeric_out's text (`-12.340`, `NaN`, `Infinity`).
 */
export function numericToBinary(text: string): Buffer {
  const special = { NaN: NUMERIC_NAN, Infinity: NUMERIC_PINF, '-Infinity': NUMERIC_NINF } as Record<string, number>;
  const sp = special[text];
  if (sp !== undefined) {
    // numeric_send reads dscale out of the special value's short header: 32 for ±Infinity.
    const b = Buffer.alloc(8);
    b.writeUInt16BE(sp, 4);
    b.writeUInt16BE((sp & 0x1f80) >> 7, 6);
    return b;
  }
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new BinaryFormatError(`invalid numeric value "${text}"`);
  const neg = m[1] === '-';
  const intDigits = (m[2] ?? '').replace(/^0+/, '');
  const fracDigits = m[3] ?? '';
  const dscale = fracDigits.length;
  // Align to base-10000 groups: pad the integer part on the left, the fraction on the right.
  const intPadded = intDigits.padStart(Math.ceil(intDigits.length / 4) * 4, '0');
  const fracPadded = fracDigits.padEnd(Math.ceil(fracDigits.length / 4) * 4, '0');
  const groups: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) groups.push(Number(intPadded.slice(i, i + 4)));
  for (let i = 0; i < fracPadded.length; i += 4) groups.push(Number(fracPadded.slice(i, i + 4)));
  let weight = intPadded.length / 4 - 1;
  let start = 0;
  while (start < groups.length && groups[start] === 0) {
    start++;
    weight--;
  }
  let end = groups.length;
  while (end > start && groups[end - 1] === 0) end--;
  const digits = groups.slice(start, end);
  if (digits.length === 0) weight = 0;
  if (dscale > 0x3fff) throw new BinaryFormatError('numeric scale is out of range for the binary format');
  const b = Buffer.alloc(8 + digits.length * 2);
  b.writeInt16BE(digits.length, 0);
  b.writeInt16BE(weight, 2);
  b.writeUInt16BE(digits.length === 0 ? NUMERIC_POS : neg ? NUMERIC_NEG : NUMERIC_POS, 4);
  b.writeInt16BE(dscale, 6);
  digits.forEach((d, i) => b.writeInt16BE(d, 8 + i * 2));
  return b;
}

/** Base-10000 digits being assembled by writeNumericBinary (grown as needed; one thread). */
let groups = new Uint16Array(64);

/**
 * A numeric_send DataRow field (Int32 length, then numericToBinary's bytes) of numeric_out text,
 * parsed in place for plain decimals (`-?d+(.d+)?`, what engines hand over) without allocating;
 * anything else goes through numericToBinary.
 */
export function writeNumericBinary(w: Writer, text: string): void {
  const n = text.length;
  const neg = n > 0 && text.charCodeAt(0) === 45;
  const intStart0 = neg ? 1 : 0;
  let dot = -1;
  let plain = n > intStart0;
  for (let k = intStart0; k < n && plain; k++) {
    const c = text.charCodeAt(k);
    if (c === 46 && dot < 0 && k > intStart0 && k < n - 1) dot = k;
    else if (c < 48 || c > 57) plain = false;
  }
  const intEnd = dot < 0 ? n : dot;
  const dscale = dot < 0 ? 0 : n - dot - 1;
  if (!plain || dscale > 0x3fff) {
    const b = numericToBinary(text);
    w.int32(b.length).bytes(b);
    return;
  }
  let intStart = intStart0;
  while (intStart < intEnd && text.charCodeAt(intStart) === 48) intStart++;
  const intGroups = Math.ceil((intEnd - intStart) / 4);
  const total = intGroups + Math.ceil(dscale / 4);
  if (groups.length < total) groups = new Uint16Array(total * 2);
  // Virtual digit j of the integer part, left-padded to whole groups; the fraction right-padded.
  const intPad = intGroups * 4 - (intEnd - intStart);
  for (let g = 0; g < total; g++) {
    let v = 0;
    for (let d = 0; d < 4; d++) {
      const j = g * 4 + d;
      let k: number;
      if (g < intGroups) k = j < intPad ? -1 : intStart + j - intPad;
      else {
        k = dot + 1 + (j - intGroups * 4);
        if (k >= n) k = -1;
      }
      v = v * 10 + (k < 0 ? 0 : text.charCodeAt(k) - 48);
    }
    groups[g] = v;
  }
  let weight = intGroups - 1;
  let start = 0;
  while (start < total && groups[start] === 0) {
    start++;
    weight--;
  }
  let end = total;
  while (end > start && groups[end - 1] === 0) end--;
  const ndigits = end - start;
  if (ndigits === 0) weight = 0;
  w.int32(8 + ndigits * 2).int16(ndigits).int16(weight).uint16(ndigits === 0 || !neg ? NUMERIC_POS : NUMERIC_NEG).int16(dscale);
  for (let g = start; g < end; g++) w.int16(groups[g]!);
}

/** numeric_recv: the value as numeric_out's text. */
export function numericFromBinary(b: Buffer): string {
  if (b.length < 8) throw new ProtocolViolation('insufficient data left in message');
  const ndigits = b.readInt16BE(0);
  const weight = b.readInt16BE(2);
  const sign = b.readUInt16BE(4);
  const dscale = b.readInt16BE(6);
  if (sign === NUMERIC_NAN) return 'NaN';
  if (sign === NUMERIC_PINF) return 'Infinity';
  if (sign === NUMERIC_NINF) return '-Infinity';
  if ((sign !== NUMERIC_POS && sign !== NUMERIC_NEG) || ndigits < 0 || dscale < 0 || b.length !== 8 + ndigits * 2) {
    throw new BinaryFormatError('invalid sign or length in external "numeric" value');
  }
  const digits: number[] = [];
  for (let i = 0; i < ndigits; i++) {
    const d = b.readInt16BE(8 + i * 2);
    if (d < 0 || d >= 10_000) throw new BinaryFormatError('invalid digit in external "numeric" value');
    digits.push(d);
  }
  let intPart = '';
  for (let g = 0; g <= weight; g++) {
    const d = digits[g] ?? 0;
    intPart += g === 0 ? String(d) : String(d).padStart(4, '0');
  }
  intPart = intPart.replace(/^0+(?=\d)/, '') || '0';
  let frac = '';
  for (let g = weight + 1; frac.length < dscale; g++) {
    const d = g >= 0 ? (digits[g] ?? 0) : 0;
    frac += String(d).padStart(4, '0');
  }
  frac = frac.slice(0, dscale);
  const neg = sign === NUMERIC_NEG && /[1-9]/.test(intPart + frac);
  return `${neg ? '-' : ''}${intPart}${dscale > 0 ? `.${frac}` : ''}`;
}

/** uuid_send: the 16 bytes of `xxxxxxxx-xxxx-…` text. */
export function uuidToBinary(text: string): Buffer {
  const hex = text.replace(/[{}-]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new BinaryFormatError(`invalid input syntax for type uuid: "${text}"`);
  return Buffer.from(hex, 'hex');
}

export function uuidFromBinary(b: Buffer): string {
  if (b.length !== 16) throw new BinaryFormatError('invalid length in external "uuid" value');
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Base-10000 digits of one decimal, most significant first (scratch of writeNumericBinaryScaled). */
const scaledGroups = new Uint16Array(16);

/**
 * numeric_send of the decimal `scaled` × 10^-scale (`scaled` a safe integer, 0 ≤ scale ≤ 18):
 * the bytes writeNumericBinary writes for its text (decimalText), without making the text.
 */
export function writeNumericBinaryScaled(w: Writer, scaled: number, scale: number, factor: number): void {
  const neg = scaled < 0;
  const a = neg ? -scaled : scaled;
  const frac = a % factor;
  let whole = (a - frac) / factor;
  // Integer part: its base-10000 digits, least significant first, then reversed into place.
  let intGroups = 0;
  while (whole > 0) {
    const q = Math.floor(whole / 10000);
    scaledGroups[intGroups++] = whole - q * 10000;
    whole = q;
  }
  for (let i = 0, j = intGroups - 1; i < j; i++, j--) {
    const t = scaledGroups[i]!;
    scaledGroups[i] = scaledGroups[j]!;
    scaledGroups[j] = t;
  }
  // Fraction: `scale` digits right-padded with zeros to whole groups of four.
  const fracGroups = Math.ceil(scale / 4);
  let f = frac * 10 ** (fracGroups * 4 - scale); // < 10^(4·fracGroups) ≤ 10^20: exact below 2^53
  if (f > Number.MAX_SAFE_INTEGER) {
    writeNumericBinary(w, `${neg ? '-' : ''}${(a - frac) / factor}.${String(frac).padStart(scale, '0')}`);
    return;
  }
  for (let g = fracGroups - 1; g >= 0; g--) {
    const q = Math.floor(f / 10000);
    scaledGroups[intGroups + g] = f - q * 10000;
    f = q;
  }
  const total = intGroups + fracGroups;
  let weight = intGroups - 1;
  let start = 0;
  while (start < total && scaledGroups[start] === 0) {
    start++;
    weight--;
  }
  let end = total;
  while (end > start && scaledGroups[end - 1] === 0) end--;
  const ndigits = end - start;
  if (ndigits === 0) weight = 0;
  // The field (length, ndigits, weight, sign, dscale, digits) in big-endian bytes, written
  // straight into the buffer (2.5 times as fast as one checked write per Int16: 183 → 72 ms per
  // million values).
  const bytes = 12 + ndigits * 2;
  const at = w.length;
  const b = w.reserve(bytes);
  const len = bytes - 4;
  const sign = ndigits === 0 || !neg ? NUMERIC_POS : NUMERIC_NEG;
  putInt32(b, at, len);
  b[at + 4] = ndigits >>> 8;
  b[at + 5] = ndigits & 0xff;
  b[at + 6] = (weight >>> 8) & 0xff;
  b[at + 7] = weight & 0xff;
  b[at + 8] = sign >>> 8;
  b[at + 9] = sign & 0xff;
  b[at + 10] = scale >>> 8;
  b[at + 11] = scale & 0xff;
  let p = at + 12;
  for (let g = start; g < end; g++) {
    const d = scaledGroups[g]!;
    b[p++] = d >>> 8;
    b[p++] = d & 0xff;
  }
  w.advance(bytes);
}
