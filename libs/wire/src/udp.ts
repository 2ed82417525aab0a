/**
 * UDP (RFC 768): the 8-byte header and its pseudo-header checksum, with UDP's own rules: a transmitted
 * checksum that computes to 0 is sent as 0xffff, and a received 0 means "no checksum" (Linux accepts it on
 * IPv4 unless the socket asks otherwise).
 */

import { Ipv4Address } from './address';
import { getU16, setU16 } from './bytes';
import { pseudoHeaderPartialChecksum, transportChecksum, transportChecksumValid } from './checksum';
import { IPPROTO_UDP } from './ipv4';
import { fail, ok, WireError, WireResult } from './result';

export const UDP_HLEN = 8;

/**
 * How to fill a UDP/TCP checksum field on emit:
 * - 'full': compute it in software (what a veth with `ethtool -K … tx off`, or any kernel without offload,
 *   puts on the wire);
 * - 'partial': leave the folded pseudo-header sum, as Linux does for CHECKSUM_PARTIAL (lo, and veth by
 *   default, so that is what tcpdump sees there);
 * - 'none': write 0 (for UDP: "no checksum").
 */
export type ChecksumMode = 'full' | 'partial' | 'none';

// ---- byte view ---------------------------------------------------------------------------------------

export function srcPort(b: Uint8Array, off: number): number {
  return getU16(b, off);
}
export function setSrcPort(b: Uint8Array, off: number, v: number): void {
  setU16(b, off, v);
}
export function dstPort(b: Uint8Array, off: number): number {
  return getU16(b, off + 2);
}
export function setDstPort(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 2, v);
}
/** The length field: header + payload. */
export function length(b: Uint8Array, off: number): number {
  return getU16(b, off + 4);
}
export function setLength(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 4, v);
}
export function checksum(b: Uint8Array, off: number): number {
  return getU16(b, off + 6);
}
export function setChecksum(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 6, v);
}

/**
 * The checksum to transmit for the datagram at `off` (length taken from its length field, which must be
 * within the buffer): the pseudo-header checksum with 0 mapped to 0xffff (CSUM_MANGLED_0).
 */
export function computeChecksum(b: Uint8Array, off: number, src: Ipv4Address, dst: Ipv4Address): number {
  const c = transportChecksum(b, off, getU16(b, off + 4), 6, src, dst, IPPROTO_UDP);
  return c === 0 ? 0xffff : c;
}

/** Stores the checksum of the datagram at `off` according to `mode`. */
export function fillChecksum(
  b: Uint8Array,
  off: number,
  src: Ipv4Address,
  dst: Ipv4Address,
  mode: ChecksumMode = 'full',
): void {
  const len = getU16(b, off + 4);
  const v =
    mode === 'full'
      ? computeChecksum(b, off, src, dst)
      : mode === 'partial'
        ? pseudoHeaderPartialChecksum(src, dst, IPPROTO_UDP, len)
        : 0;
  setU16(b, off + 6, v);
}

/**
 * True when the checksum verifies, or is 0 (no checksum sent). The length field must already be known to
 * be within the buffer (checkUdpHeader does this).
 */
export function checksumValid(b: Uint8Array, off: number, src: Ipv4Address, dst: Ipv4Address): boolean {
  return (
    getU16(b, off + 6) === 0 || transportChecksumValid(b, off, getU16(b, off + 4), src, dst, IPPROTO_UDP)
  );
}

// ---- repr --------------------------------------------------------------------------------------------

export interface UdpRepr {
  srcPort: number;
  dstPort: number;
  /** Header + payload, as in the length field. */
  length: number;
  /** The checksum field as read by parse (0: none sent); emit computes it according to its mode. */
  checksum?: number;
}

/**
 * Allocation-free validation of the datagram at `off`, `len` being the bytes available (the IP payload),
 * in the order __udp4_lib_rcv() checks: header present, length field ≥ 8 (→ BadLength) and ≤ `len`
 * (→ Truncated), then, if the checksum is not 0, that it verifies over the length-field bytes
 * (→ BadChecksum). Bytes beyond the length field are allowed (Linux trims them).
 */
export function checkUdpHeader(
  b: Uint8Array,
  off: number,
  len: number,
  src: Ipv4Address,
  dst: Ipv4Address,
  verifyChecksum = true,
): WireError | null {
  if (len < UDP_HLEN) return WireError.Truncated;
  const ulen = getU16(b, off + 4);
  if (ulen < UDP_HLEN) return WireError.BadLength;
  if (ulen > len) return WireError.Truncated;
  if (verifyChecksum && !checksumValid(b, off, src, dst)) return WireError.BadChecksum;
  return null;
}

/** Parses the UDP header at `off`; the payload is `b[off+8 … off+length)`. */
export function parseUdpHeader(
  b: Uint8Array,
  off: number,
  len: number,
  src: Ipv4Address,
  dst: Ipv4Address,
  verifyChecksum = true,
): WireResult<UdpRepr> {
  const e = checkUdpHeader(b, off, len, src, dst, verifyChecksum);
  if (e !== null) return fail(e);
  return ok({
    srcPort: getU16(b, off),
    dstPort: getU16(b, off + 2),
    length: getU16(b, off + 4),
    checksum: getU16(b, off + 6),
  });
}

export function udpHeaderLength(_r?: UdpRepr): number {
  return UDP_HLEN;
}

/**
 * Writes the header at `off` and fills the checksum per `mode`; for 'full' the payload
 * (`r.length - 8` bytes) must already be in place after the header. Returns UDP_HLEN.
 */
export function emitUdpHeader(
  r: UdpRepr,
  b: Uint8Array,
  off: number,
  src: Ipv4Address,
  dst: Ipv4Address,
  mode: ChecksumMode = 'full',
): number {
  setU16(b, off, r.srcPort);
  setU16(b, off + 2, r.dstPort);
  setU16(b, off + 4, r.length);
  fillChecksum(b, off, src, dst, mode);
  return UDP_HLEN;
}
