/**
 * IPv4 (RFC 791): the network-layer header Linux builds in ip_build_and_send_pkt()/__ip_make_skb() and
 * checks in ip_rcv_core(). Addresses are unsigned 32-bit numbers (see address.ts); fragment offsets are in
 * bytes (the wire field counts 8-byte units).
 */

import { Ipv4Address } from './address';
import { getU16, getU32, setU16, setU32 } from './bytes';
import { checksumAddSkipping, checksumFold, internetChecksumValid } from './checksum';
import { fail, ok, WireError, WireResult } from './result';

export const IPV4_HLEN = 20;
export const IPV4_HLEN_MAX = 60;
export const IPV4_VERSION = 4;
/** Linux's default TTL (net.ipv4.ip_default_ttl). */
export const IPDEFTTL = 64;
export const IP_MAXPACKET = 65535;

/** Flag bits of the 16-bit flags/fragment-offset word. */
export const IP_RF = 0x8000;
export const IP_DF = 0x4000;
export const IP_MF = 0x2000;
export const IP_OFFMASK = 0x1fff;

export const IPPROTO_IP = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_IGMP = 2;
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_GRE = 47;
export const IPPROTO_RAW = 255;

/** TOS Linux uses for ICMP errors and other control traffic (IPTOS_PREC_INTERNETCONTROL). */
export const IPTOS_PREC_INTERNETCONTROL = 0xc0;

/** Offset of the checksum field within the header. */
export const IPV4_CHECKSUM_OFFSET = 10;

// ---- byte view ---------------------------------------------------------------------------------------

export function version(b: Uint8Array, off: number): number {
  return b[off] >>> 4;
}
/** Header length in bytes (IHL * 4). */
export function headerLength(b: Uint8Array, off: number): number {
  return (b[off] & 0x0f) << 2;
}
/** Sets version 4 and IHL from a header length in bytes (a multiple of 4, 20-60). */
export function setVersionAndHeaderLength(b: Uint8Array, off: number, hlen: number): void {
  b[off] = 0x40 | ((hlen >>> 2) & 0x0f);
}
export function tos(b: Uint8Array, off: number): number {
  return b[off + 1];
}
export function setTos(b: Uint8Array, off: number, v: number): void {
  b[off + 1] = v;
}
export function dscp(b: Uint8Array, off: number): number {
  return b[off + 1] >>> 2;
}
export function ecn(b: Uint8Array, off: number): number {
  return b[off + 1] & 3;
}
export function totalLength(b: Uint8Array, off: number): number {
  return getU16(b, off + 2);
}
export function setTotalLength(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 2, v);
}
export function ident(b: Uint8Array, off: number): number {
  return getU16(b, off + 4);
}
export function setIdent(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 4, v);
}
/** The raw flags + fragment-offset word (frag_off in struct iphdr). */
export function fragWord(b: Uint8Array, off: number): number {
  return getU16(b, off + 6);
}
export function setFragWord(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 6, v);
}
export function dontFragment(b: Uint8Array, off: number): boolean {
  return (b[off + 6] & 0x40) !== 0;
}
export function moreFragments(b: Uint8Array, off: number): boolean {
  return (b[off + 6] & 0x20) !== 0;
}
/** Fragment offset in bytes. */
export function fragOffset(b: Uint8Array, off: number): number {
  return (getU16(b, off + 6) & IP_OFFMASK) << 3;
}
/** Sets DF, MF and the fragment offset (in bytes, a multiple of 8) at once; clears the reserved bit. */
export function setFragment(
  b: Uint8Array,
  off: number,
  df: boolean,
  mf: boolean,
  fragOffsetBytes: number,
): void {
  setU16(b, off + 6, (df ? IP_DF : 0) | (mf ? IP_MF : 0) | ((fragOffsetBytes >>> 3) & IP_OFFMASK));
}
/** MF set or a non-zero offset: this is one piece of a fragmented datagram (ip_is_fragment). */
export function isFragment(b: Uint8Array, off: number): boolean {
  return (getU16(b, off + 6) & (IP_MF | IP_OFFMASK)) !== 0;
}
export function ttl(b: Uint8Array, off: number): number {
  return b[off + 8];
}
export function setTtl(b: Uint8Array, off: number, v: number): void {
  b[off + 8] = v;
}
export function protocol(b: Uint8Array, off: number): number {
  return b[off + 9];
}
export function setProtocol(b: Uint8Array, off: number, v: number): void {
  b[off + 9] = v;
}
export function checksum(b: Uint8Array, off: number): number {
  return getU16(b, off + 10);
}
export function setChecksum(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 10, v);
}
export function src(b: Uint8Array, off: number): Ipv4Address {
  return getU32(b, off + 12);
}
export function setSrc(b: Uint8Array, off: number, v: Ipv4Address): void {
  setU32(b, off + 12, v);
}
export function dst(b: Uint8Array, off: number): Ipv4Address {
  return getU32(b, off + 16);
}
export function setDst(b: Uint8Array, off: number, v: Ipv4Address): void {
  setU32(b, off + 16, v);
}

/** The header checksum the header at `off` should carry (its current checksum field is ignored). */
export function computeHeaderChecksum(b: Uint8Array, off: number): number {
  const hlen = (b[off] & 0x0f) << 2;
  return ~checksumFold(checksumAddSkipping(b, off, hlen, off + 10, 0)) & 0xffff;
}
/** Computes and stores the header checksum (ip_send_check). */
export function fillHeaderChecksum(b: Uint8Array, off: number): void {
  setU16(b, off + 10, computeHeaderChecksum(b, off));
}
/** True when the header at `off` (IHL bytes) verifies (ip_fast_csum() == 0). */
export function headerChecksumValid(b: Uint8Array, off: number): boolean {
  return internetChecksumValid(b, off, (b[off] & 0x0f) << 2);
}

/**
 * Decrements the TTL and patches the checksum incrementally, bit for bit as Linux's ip_decrease_ttl() does
 * on a little-endian host: it adds htons(0x0100) to the raw (byte-swapped) checksum word with an
 * end-around carry that also turns 0xffff into 0x0000. Returns the new TTL.
 */
export function decrementTtl(b: Uint8Array, off: number): number {
  let check = (b[off + 11] << 8) | b[off + 10]; // the u16 as a little-endian CPU loads it
  check += 0x0001; // htons(0x0100)
  check = (check + (check >= 0xffff ? 1 : 0)) & 0xffff;
  b[off + 10] = check;
  b[off + 11] = check >>> 8;
  return --b[off + 8];
}

// ---- repr --------------------------------------------------------------------------------------------

export interface Ipv4Repr {
  src: Ipv4Address;
  dst: Ipv4Address;
  protocol: number;
  ttl: number;
  tos: number;
  id: number;
  df: boolean;
  mf: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragOffset: number;
  /** Header + payload, as in the header's total-length field. */
  totalLength: number;
  /** Header length in bytes, options included (20-60, a multiple of 4). */
  headerLength: number;
  /** The checksum field as read by parse; ignored by emit, which always computes it. */
  checksum?: number;
  /** Raw option bytes (headerLength - 20 of them); absent or empty for a plain 20-byte header. */
  options?: Uint8Array;
}

/**
 * Allocation-free validation of the datagram of `len` bytes at `off`, in the order ip_rcv_core() checks:
 * length of a minimal header and version/IHL (→ BadVersion/BadHeaderLength, counted as InHdrErrors), the
 * full header present, the header checksum (→ BadChecksum, CsumErrors), then total length against the
 * buffer (→ Truncated, InTruncatedPkts) and against IHL (→ BadLength, InHdrErrors).
 * Bytes past the total length (Ethernet padding) are allowed.
 */
export function checkIpv4Header(
  b: Uint8Array,
  off: number,
  len: number,
  verifyChecksum = true,
): WireError | null {
  if (len < IPV4_HLEN) return WireError.Truncated;
  if (b[off] >>> 4 !== 4) return WireError.BadVersion;
  const hlen = (b[off] & 0x0f) << 2;
  if (hlen < IPV4_HLEN) return WireError.BadHeaderLength;
  if (len < hlen) return WireError.Truncated;
  if (verifyChecksum && !internetChecksumValid(b, off, hlen)) return WireError.BadChecksum;
  const total = getU16(b, off + 2);
  if (total > len) return WireError.Truncated;
  if (total < hlen) return WireError.BadLength;
  return null;
}

function readRepr(b: Uint8Array, off: number): Ipv4Repr {
  const hlen = (b[off] & 0x0f) << 2;
  const frag = getU16(b, off + 6);
  const r: Ipv4Repr = {
    src: getU32(b, off + 12),
    dst: getU32(b, off + 16),
    protocol: b[off + 9],
    ttl: b[off + 8],
    tos: b[off + 1],
    id: getU16(b, off + 4),
    df: (frag & IP_DF) !== 0,
    mf: (frag & IP_MF) !== 0,
    fragOffset: (frag & IP_OFFMASK) << 3,
    totalLength: getU16(b, off + 2),
    headerLength: hlen,
    checksum: getU16(b, off + 10),
  };
  if (hlen > IPV4_HLEN) r.options = b.slice(off + IPV4_HLEN, off + hlen);
  return r;
}

/** Parses and validates (see checkIpv4Header) the datagram of `len` bytes at `off`. */
export function parseIpv4Header(
  b: Uint8Array,
  off: number,
  len: number,
  verifyChecksum = true,
): WireResult<Ipv4Repr> {
  const e = checkIpv4Header(b, off, len, verifyChecksum);
  if (e !== null) return fail(e);
  return ok(readRepr(b, off));
}

/**
 * Parses the IPv4 header quoted inside an ICMP error: only the header itself must be present and
 * well-formed; the quoted total length may exceed what was quoted, and the checksum is not verified
 * (Linux's icmp_unreach()/icmp_err handlers do not either).
 */
export function parseQuotedIpv4Header(b: Uint8Array, off: number, len: number): WireResult<Ipv4Repr> {
  if (len < IPV4_HLEN) return fail(WireError.Truncated);
  if (b[off] >>> 4 !== 4) return fail(WireError.BadVersion);
  const hlen = (b[off] & 0x0f) << 2;
  if (hlen < IPV4_HLEN) return fail(WireError.BadHeaderLength);
  if (len < hlen) return fail(WireError.Truncated);
  return ok(readRepr(b, off));
}

/** The header length `emitIpv4Header` will write for `r`. */
export function ipv4HeaderLength(r: Ipv4Repr): number {
  return r.headerLength;
}

/**
 * Writes the header (and `r.options`, zero-padded to `r.headerLength`) at `off`, computing the checksum.
 * The payload is not touched. Returns the header length.
 */
export function emitIpv4Header(r: Ipv4Repr, b: Uint8Array, off: number): number {
  const hlen = r.headerLength;
  b[off] = 0x40 | ((hlen >>> 2) & 0x0f);
  b[off + 1] = r.tos;
  setU16(b, off + 2, r.totalLength);
  setU16(b, off + 4, r.id);
  setU16(b, off + 6, (r.df ? IP_DF : 0) | (r.mf ? IP_MF : 0) | ((r.fragOffset >>> 3) & IP_OFFMASK));
  b[off + 8] = r.ttl;
  b[off + 9] = r.protocol;
  setU32(b, off + 12, r.src);
  setU32(b, off + 16, r.dst);
  if (hlen > IPV4_HLEN) {
    let n = 0;
    const opts = r.options;
    if (opts !== undefined) {
      n = Math.min(opts.length, hlen - IPV4_HLEN);
      for (let i = 0; i < n; i++) b[off + IPV4_HLEN + i] = opts[i];
    }
    b.fill(0, off + IPV4_HLEN + n, off + hlen);
  }
  setU16(b, off + 10, ~checksumFold(checksumAddSkipping(b, off, hlen, off + 10, 0)) & 0xffff);
  return hlen;
}
