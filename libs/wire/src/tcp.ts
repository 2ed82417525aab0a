/**
 * TCP (RFC 9293): the segment header, its options area, and the pseudo-header checksum. The state machine
 * lives in the kernel model; this file only reads and writes bytes. Options are kept raw in the repr;
 * `parseTcpOptions` decodes the ones Linux negotiates and `emitTcpOptions` lays them out exactly as Linux's
 * tcp_options_write() does.
 */

import { Ipv4Address } from './address';
import { getU16, getU32, setU16, setU32 } from './bytes';
import { pseudoHeaderPartialChecksum, transportChecksum, transportChecksumValid } from './checksum';
import { IPPROTO_TCP } from './ipv4';
import { fail, ok, WireError, WireResult } from './result';
import { ChecksumMode } from './udp';

export const TCP_HLEN = 20;
export const TCP_HLEN_MAX = 60;
export const TCP_CHECKSUM_OFFSET = 16;

// Flag bits (byte 13)
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

// Option kinds and lengths (include/net/tcp.h)
export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WINDOW = 3;
export const TCPOPT_SACK_PERM = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;
export const TCPOPT_MD5SIG = 19;
export const TCPOPT_AO = 29;
export const TCPOPT_MPTCP = 30;
export const TCPOPT_FASTOPEN = 34;
export const TCPOPT_EXP = 254;
export const TCPOLEN_MSS = 4;
export const TCPOLEN_WINDOW = 3;
export const TCPOLEN_SACK_PERM = 2;
export const TCPOLEN_TIMESTAMP = 10;
export const TCPOLEN_SACK_BASE = 2;
export const TCPOLEN_SACK_PERBLOCK = 8;

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
export function seqNumber(b: Uint8Array, off: number): number {
  return getU32(b, off + 4);
}
export function setSeqNumber(b: Uint8Array, off: number, v: number): void {
  setU32(b, off + 4, v);
}
export function ackNumber(b: Uint8Array, off: number): number {
  return getU32(b, off + 8);
}
export function setAckNumber(b: Uint8Array, off: number, v: number): void {
  setU32(b, off + 8, v);
}
/** Header length in bytes (data offset * 4). */
export function headerLength(b: Uint8Array, off: number): number {
  return (b[off + 12] >>> 4) << 2;
}
/** Sets the data offset from a header length in bytes, keeping the low (reserved) bits of byte 12. */
export function setHeaderLength(b: Uint8Array, off: number, hlen: number): void {
  b[off + 12] = (((hlen >>> 2) & 0x0f) << 4) | (b[off + 12] & 0x0f);
}
/** Length of the options area: header length - 20. */
export function optionsLength(b: Uint8Array, off: number): number {
  return ((b[off + 12] >>> 4) << 2) - TCP_HLEN;
}
/** The 8 flag bits CWR ECE URG ACK PSH RST SYN FIN (byte 13). */
export function flags(b: Uint8Array, off: number): number {
  return b[off + 13];
}
export function setFlags(b: Uint8Array, off: number, v: number): void {
  b[off + 13] = v;
}
export function window(b: Uint8Array, off: number): number {
  return getU16(b, off + 14);
}
export function setWindow(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 14, v);
}
export function checksum(b: Uint8Array, off: number): number {
  return getU16(b, off + 16);
}
export function setChecksum(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 16, v);
}
export function urgentPointer(b: Uint8Array, off: number): number {
  return getU16(b, off + 18);
}
export function setUrgentPointer(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 18, v);
}

/** The checksum the `len`-byte segment (header + payload) at `off` should carry. */
export function computeChecksum(
  b: Uint8Array,
  off: number,
  len: number,
  src: Ipv4Address,
  dst: Ipv4Address,
): number {
  return transportChecksum(b, off, len, TCP_CHECKSUM_OFFSET, src, dst, IPPROTO_TCP);
}
/** Stores the checksum of the `len`-byte segment at `off` according to `mode`. */
export function fillChecksum(
  b: Uint8Array,
  off: number,
  len: number,
  src: Ipv4Address,
  dst: Ipv4Address,
  mode: ChecksumMode = 'full',
): void {
  const v =
    mode === 'full'
      ? computeChecksum(b, off, len, src, dst)
      : mode === 'partial'
        ? pseudoHeaderPartialChecksum(src, dst, IPPROTO_TCP, len)
        : 0;
  setU16(b, off + 16, v);
}
export function checksumValid(
  b: Uint8Array,
  off: number,
  len: number,
  src: Ipv4Address,
  dst: Ipv4Address,
): boolean {
  return transportChecksumValid(b, off, len, src, dst, IPPROTO_TCP);
}

// ---- repr --------------------------------------------------------------------------------------------

export interface TcpRepr {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** TCP_FIN | TCP_SYN | … (byte 13). The 4 reserved bits of byte 12 are read as-is but emitted as 0. */
  flags: number;
  window: number;
  urgent: number;
  /** Header length in bytes, options included (20-60, a multiple of 4). */
  headerLength: number;
  /** Raw option bytes (headerLength - 20 of them). From parse, a copy. */
  options: Uint8Array;
  /** The checksum field as read by parse; emit computes it according to its mode. */
  checksum?: number;
}

/**
 * Allocation-free validation of the segment at `off`, `len` being the IP payload length, in the order
 * tcp_v4_rcv() checks: the fixed header present, data offset ≥ 5 (→ BadHeaderLength), the full header
 * present (→ Truncated), then the checksum over all `len` bytes (→ BadChecksum).
 */
export function checkTcpHeader(
  b: Uint8Array,
  off: number,
  len: number,
  src: Ipv4Address,
  dst: Ipv4Address,
  verifyChecksum = true,
): WireError | null {
  if (len < TCP_HLEN) return WireError.Truncated;
  const hlen = (b[off + 12] >>> 4) << 2;
  if (hlen < TCP_HLEN) return WireError.BadHeaderLength;
  if (hlen > len) return WireError.Truncated;
  if (verifyChecksum && !transportChecksumValid(b, off, len, src, dst, IPPROTO_TCP))
    return WireError.BadChecksum;
  return null;
}

/** Parses the header of the `len`-byte segment at `off`; the payload is `b[off+headerLength … off+len)`. */
export function parseTcpHeader(
  b: Uint8Array,
  off: number,
  len: number,
  src: Ipv4Address,
  dst: Ipv4Address,
  verifyChecksum = true,
): WireResult<TcpRepr> {
  const e = checkTcpHeader(b, off, len, src, dst, verifyChecksum);
  if (e !== null) return fail(e);
  const hlen = (b[off + 12] >>> 4) << 2;
  return ok({
    srcPort: getU16(b, off),
    dstPort: getU16(b, off + 2),
    seq: getU32(b, off + 4),
    ack: getU32(b, off + 8),
    flags: b[off + 13],
    window: getU16(b, off + 14),
    urgent: getU16(b, off + 18),
    headerLength: hlen,
    options: b.slice(off + TCP_HLEN, off + hlen),
    checksum: getU16(b, off + 16),
  });
}

export function tcpHeaderLength(r: TcpRepr): number {
  return r.headerLength;
}

/**
 * Writes the header and options (zero-padded to `r.headerLength`) at `off`, then fills the checksum per
 * `mode` over header + `payloadLength` bytes of payload, which must already follow the header for 'full'.
 * Returns the header length.
 */
export function emitTcpHeader(
  r: TcpRepr,
  b: Uint8Array,
  off: number,
  payloadLength: number,
  src: Ipv4Address,
  dst: Ipv4Address,
  mode: ChecksumMode = 'full',
): number {
  const hlen = r.headerLength;
  setU16(b, off, r.srcPort);
  setU16(b, off + 2, r.dstPort);
  setU32(b, off + 4, r.seq);
  setU32(b, off + 8, r.ack);
  b[off + 12] = ((hlen >>> 2) & 0x0f) << 4;
  b[off + 13] = r.flags;
  setU16(b, off + 14, r.window);
  setU16(b, off + 18, r.urgent);
  const n = Math.min(r.options.length, hlen - TCP_HLEN);
  for (let i = 0; i < n; i++) b[off + TCP_HLEN + i] = r.options[i];
  b.fill(0, off + TCP_HLEN + n, off + hlen);
  fillChecksum(b, off, hlen + payloadLength, src, dst, mode);
  return hlen;
}

// ---- options -----------------------------------------------------------------------------------------

/** The options Linux understands, decoded. */
export interface TcpOptions {
  mss?: number;
  /** Window scale shift count. */
  wscale?: number;
  sackPermitted?: boolean;
  /** Timestamps (RFC 7323): TSval and TSecr. */
  tsVal?: number;
  tsEcr?: number;
  /** SACK blocks as [start, end) pairs. */
  sack?: Array<[number, number]>;
}

/**
 * Decodes the options area `b[off … off+len)` like tcp_parse_options(): EOL ends it, NOP is skipped, a known
 * option with the wrong size is ignored, unknown options are skipped by their length. A length byte < 2 or
 * running past the area gives BadOption.
 */
export function parseTcpOptions(b: Uint8Array, off: number, len: number): WireResult<TcpOptions> {
  const o: TcpOptions = {};
  let i = off;
  const end = off + len;
  while (i < end) {
    const kind = b[i];
    if (kind === TCPOPT_EOL) break;
    if (kind === TCPOPT_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= end) return fail(WireError.BadOption);
    const size = b[i + 1];
    if (size < 2 || i + size > end) return fail(WireError.BadOption);
    switch (kind) {
      case TCPOPT_MSS:
        if (size === TCPOLEN_MSS) o.mss = getU16(b, i + 2);
        break;
      case TCPOPT_WINDOW:
        if (size === TCPOLEN_WINDOW) o.wscale = b[i + 2];
        break;
      case TCPOPT_SACK_PERM:
        if (size === TCPOLEN_SACK_PERM) o.sackPermitted = true;
        break;
      case TCPOPT_TIMESTAMP:
        if (size === TCPOLEN_TIMESTAMP) {
          o.tsVal = getU32(b, i + 2);
          o.tsEcr = getU32(b, i + 6);
        }
        break;
      case TCPOPT_SACK:
        if (size >= TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK && (size - TCPOLEN_SACK_BASE) % 8 === 0) {
          const blocks: Array<[number, number]> = [];
          for (let j = i + 2; j < i + size; j += 8) blocks.push([getU32(b, j), getU32(b, j + 4)]);
          o.sack = blocks;
        }
        break;
    }
    i += size;
  }
  return ok(o);
}

/** Bytes `emitTcpOptions` writes for `o` (a multiple of 4). */
export function tcpOptionsLength(o: TcpOptions): number {
  let n = 0;
  if (o.mss !== undefined) n += 4;
  if (o.tsVal !== undefined) n += 12;
  else if (o.sackPermitted) n += 4;
  if (o.wscale !== undefined) n += 4;
  if (o.sack !== undefined && o.sack.length > 0) n += 4 + 8 * o.sack.length;
  return n;
}

/**
 * Writes `o` at `off` in the order and 4-byte alignment of Linux's tcp_options_write(): MSS; timestamps
 * (with SACK-permitted folded into their leading two bytes if both are set, else NOP NOP); SACK-permitted
 * alone as NOP NOP; window scale as NOP + option; SACK blocks after NOP NOP. A SYN from Linux thus reads
 * "mss 1460,sackOK,TS val … ecr 0,nop,wscale 7". Returns the bytes written.
 */
export function emitTcpOptions(o: TcpOptions, b: Uint8Array, off: number): number {
  let p = off;
  if (o.mss !== undefined) {
    setU32(b, p, ((TCPOPT_MSS << 24) | (TCPOLEN_MSS << 16) | (o.mss & 0xffff)) >>> 0);
    p += 4;
  }
  if (o.tsVal !== undefined) {
    const lead = o.sackPermitted
      ? (TCPOPT_SACK_PERM << 8) | TCPOLEN_SACK_PERM
      : (TCPOPT_NOP << 8) | TCPOPT_NOP;
    setU32(b, p, ((lead << 16) | (TCPOPT_TIMESTAMP << 8) | TCPOLEN_TIMESTAMP) >>> 0);
    setU32(b, p + 4, o.tsVal);
    setU32(b, p + 8, o.tsEcr ?? 0);
    p += 12;
  } else if (o.sackPermitted) {
    setU32(b, p, (TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) | (TCPOPT_SACK_PERM << 8) | TCPOLEN_SACK_PERM);
    p += 4;
  }
  if (o.wscale !== undefined) {
    setU32(b, p, (TCPOPT_NOP << 24) | (TCPOPT_WINDOW << 16) | (TCPOLEN_WINDOW << 8) | (o.wscale & 0xff));
    p += 4;
  }
  if (o.sack !== undefined && o.sack.length > 0) {
    const size = TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK * o.sack.length;
    setU32(b, p, (TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) | (TCPOPT_SACK << 8) | size);
    p += 4;
    for (const [s, e] of o.sack) {
      setU32(b, p, s);
      setU32(b, p + 4, e);
      p += 8;
    }
  }
  return p - off;
}
