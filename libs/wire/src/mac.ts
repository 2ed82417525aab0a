/**
 * MAC (Ethernet hardware) addresses: 6-byte Uint8Arrays, with the lowercase colon text that iproute2 and
 * tcpdump print ("02:00:00:00:00:01").
 *
 * Functions that inspect an address take a buffer and an offset, so they work in place on a frame.
 */

import { hexByte } from './bytes';

export type MacAddress = Uint8Array;

export const ETH_ALEN = 6;

/** Lowercase "aa:bb:cc:dd:ee:ff" text of the 6 bytes at `off`. */
export function formatMac(b: Uint8Array, off = 0): string {
  return (
    hexByte(b[off]) +
    ':' +
    hexByte(b[off + 1]) +
    ':' +
    hexByte(b[off + 2]) +
    ':' +
    hexByte(b[off + 3]) +
    ':' +
    hexByte(b[off + 4]) +
    ':' +
    hexByte(b[off + 5])
  );
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses "aa:bb:cc:dd:ee:ff" (exactly two hex digits per octet, any case). Returns null on bad input. */
export function parseMac(s: string): MacAddress | null {
  if (s.length !== 17) return null;
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    const hi = hexVal(s.charCodeAt(3 * i));
    const lo = hexVal(s.charCodeAt(3 * i + 1));
    if (hi < 0 || lo < 0) return null;
    if (i < 5 && s.charCodeAt(3 * i + 2) !== 58) return null;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** True when the 6 bytes at `a[aOff]` equal those at `b[bOff]`. */
export function macEquals(a: Uint8Array, aOff: number, b: Uint8Array, bOff = 0): boolean {
  return (
    a[aOff] === b[bOff] &&
    a[aOff + 1] === b[bOff + 1] &&
    a[aOff + 2] === b[bOff + 2] &&
    a[aOff + 3] === b[bOff + 3] &&
    a[aOff + 4] === b[bOff + 4] &&
    a[aOff + 5] === b[bOff + 5]
  );
}

/** Copies the 6 bytes at `src[srcOff]` to `dst[dstOff]`. */
export function copyMac(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
  dst[dstOff] = src[srcOff];
  dst[dstOff + 1] = src[srcOff + 1];
  dst[dstOff + 2] = src[srcOff + 2];
  dst[dstOff + 3] = src[srcOff + 3];
  dst[dstOff + 4] = src[srcOff + 4];
  dst[dstOff + 5] = src[srcOff + 5];
}

/** A fresh copy of the 6 bytes at `off`. */
export function readMac(b: Uint8Array, off: number): MacAddress {
  return b.slice(off, off + 6);
}

/** ff:ff:ff:ff:ff:ff at `off`. */
export function isBroadcastMac(b: Uint8Array, off = 0): boolean {
  return (b[off] & b[off + 1] & b[off + 2] & b[off + 3] & b[off + 4] & b[off + 5]) === 0xff;
}

/** Group bit (I/G, lowest bit of the first octet) set: multicast or broadcast (is_multicast_ether_addr). */
export function isMulticastMac(b: Uint8Array, off = 0): boolean {
  return (b[off] & 1) === 1;
}

/** 00:00:00:00:00:00 at `off` (is_zero_ether_addr). */
export function isZeroMac(b: Uint8Array, off = 0): boolean {
  return (b[off] | b[off + 1] | b[off + 2] | b[off + 3] | b[off + 4] | b[off + 5]) === 0;
}

/** A new ff:ff:ff:ff:ff:ff. (A function, not a constant: Uint8Arrays cannot be frozen.) */
export function broadcastMac(): MacAddress {
  return new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
}

/** A new 00:00:00:00:00:00. */
export function zeroMac(): MacAddress {
  return new Uint8Array(6);
}
