/**
 * Bytes: big-endian (network byte order) field access over a Uint8Array, and hex conversion.
 *
 * These are the primitives every header codec in this module is built on. They do no bounds checking
 * (a read past the end yields 0, a write past the end is dropped, as Uint8Array does): callers validate
 * lengths once with the `check…` functions of each layer, then read fields freely.
 */

/** Reads the unsigned 8-bit value at `o`. */
export function getU8(b: Uint8Array, o: number): number {
  return b[o];
}

/** Reads the unsigned big-endian 16-bit value at `o`. */
export function getU16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

/** Reads the unsigned big-endian 32-bit value at `o` (0 … 2^32-1). */
export function getU32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Writes the low 8 bits of `v` at `o`. */
export function setU8(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
}

/** Writes the low 16 bits of `v` big-endian at `o`. */
export function setU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

/** Writes the low 32 bits of `v` big-endian at `o`. */
export function setU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

const HEX_BYTE: string[] = [];
for (let i = 0; i < 256; i++) HEX_BYTE.push((i < 16 ? '0' : '') + i.toString(16));

/** The two lowercase hex digits of a byte, from a table (no allocation). */
export function hexByte(v: number): string {
  return HEX_BYTE[v & 0xff];
}

/** Lowercase hex of `len` bytes from `off`, no separators. */
export function bytesToHex(b: Uint8Array, off = 0, len = b.length - off): string {
  let s = '';
  for (let i = off; i < off + len; i++) s += HEX_BYTE[b[i]];
  return s;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/**
 * Parses hex digits into bytes. Whitespace anywhere is ignored (so hexdumps can be pasted), anything else
 * that is not a hex digit, or an odd number of digits, gives null.
 */
export function parseHex(s: string): Uint8Array | null {
  const digits: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    const d = hexDigit(c);
    if (d < 0) return null;
    digits.push(d);
  }
  if (digits.length % 2 !== 0) return null;
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (digits[2 * i] << 4) | digits[2 * i + 1];
  return out;
}
