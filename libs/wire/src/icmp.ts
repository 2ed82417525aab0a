/**
 * ICMP for IPv4 (RFC 792, RFC 1191): echo request/reply (ping), destination unreachable (including
 * "fragmentation needed" with the next-hop MTU), time exceeded, and anything else as an opaque message.
 * The checksum covers the whole ICMP message, header and data.
 */

import { getU16, getU32, setU16, setU32 } from './bytes';
import { checksumAddSkipping, checksumFold, internetChecksumValid } from './checksum';
import { IPPROTO_TCP, IPPROTO_UDP, Ipv4Repr, parseQuotedIpv4Header } from './ipv4';
import { fail, ok, WireError, WireResult } from './result';

export const ICMP_HLEN = 8;

// Types (include/uapi/linux/icmp.h)
export const ICMP_ECHOREPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_SOURCE_QUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO = 8;
export const ICMP_ROUTERADVERT = 9;
export const ICMP_ROUTERSOLICIT = 10;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETERPROB = 12;
export const ICMP_TIMESTAMP = 13;
export const ICMP_TIMESTAMPREPLY = 14;
export const ICMP_INFO_REQUEST = 15;
export const ICMP_INFO_REPLY = 16;
export const ICMP_ADDRESS = 17;
export const ICMP_ADDRESSREPLY = 18;

// Codes for ICMP_DEST_UNREACH
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;
export const ICMP_SR_FAILED = 5;
export const ICMP_NET_UNKNOWN = 6;
export const ICMP_HOST_UNKNOWN = 7;
export const ICMP_HOST_ISOLATED = 8;
export const ICMP_NET_ANO = 9;
export const ICMP_HOST_ANO = 10;
export const ICMP_NET_UNR_TOS = 11;
export const ICMP_HOST_UNR_TOS = 12;
export const ICMP_PKT_FILTERED = 13;
export const ICMP_PREC_VIOLATION = 14;
export const ICMP_PREC_CUTOFF = 15;

// Codes for ICMP_REDIRECT
export const ICMP_REDIR_NET = 0;
export const ICMP_REDIR_HOST = 1;
export const ICMP_REDIR_NETTOS = 2;
export const ICMP_REDIR_HOSTTOS = 3;

// Codes for ICMP_TIME_EXCEEDED
export const ICMP_EXC_TTL = 0;
export const ICMP_EXC_FRAGTIME = 1;

/**
 * Largest IP datagram an ICMP error may make (RFC 1812 4.3.2.3; Linux icmp_send() limits the quote so the
 * error fits in 576 bytes): 576 - 20 (IP) - 8 (ICMP) = 548 bytes of the offending datagram.
 */
export const ICMP_ERROR_MAX_DATAGRAM = 576;

// ---- byte view ---------------------------------------------------------------------------------------

export function type(b: Uint8Array, off: number): number {
  return b[off];
}
export function setType(b: Uint8Array, off: number, v: number): void {
  b[off] = v;
}
export function code(b: Uint8Array, off: number): number {
  return b[off + 1];
}
export function setCode(b: Uint8Array, off: number, v: number): void {
  b[off + 1] = v;
}
export function checksum(b: Uint8Array, off: number): number {
  return getU16(b, off + 2);
}
export function setChecksum(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 2, v);
}
/** Echo identifier (bytes 4-5). */
export function echoIdent(b: Uint8Array, off: number): number {
  return getU16(b, off + 4);
}
export function setEchoIdent(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 4, v);
}
/** Echo sequence number (bytes 6-7). */
export function echoSeq(b: Uint8Array, off: number): number {
  return getU16(b, off + 6);
}
export function setEchoSeq(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 6, v);
}
/** Next-hop MTU of a "fragmentation needed" (RFC 1191, bytes 6-7; 0 from pre-RFC 1191 routers). */
export function nextHopMtu(b: Uint8Array, off: number): number {
  return getU16(b, off + 6);
}
export function setNextHopMtu(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 6, v);
}
/** Redirect gateway (bytes 4-7). */
export function gateway(b: Uint8Array, off: number): number {
  return getU32(b, off + 4);
}
/** Parameter-problem pointer (byte 4). */
export function pointer(b: Uint8Array, off: number): number {
  return b[off + 4];
}
/** Bytes 4-7 as one 32-bit value (the "rest of header"). */
export function restOfHeader(b: Uint8Array, off: number): number {
  return getU32(b, off + 4);
}
export function setRestOfHeader(b: Uint8Array, off: number, v: number): void {
  setU32(b, off + 4, v);
}
/** True for the error types whose data quotes an offending datagram (icmp_is_err()). */
export function isErrorType(t: number): boolean {
  return (
    t === ICMP_DEST_UNREACH ||
    t === ICMP_SOURCE_QUENCH ||
    t === ICMP_REDIRECT ||
    t === ICMP_TIME_EXCEEDED ||
    t === ICMP_PARAMETERPROB
  );
}

/** The checksum the `len`-byte message at `off` should carry (its checksum field is ignored). */
export function computeChecksum(b: Uint8Array, off: number, len: number): number {
  return ~checksumFold(checksumAddSkipping(b, off, len, off + 2, 0)) & 0xffff;
}
export function fillChecksum(b: Uint8Array, off: number, len: number): void {
  setU16(b, off + 2, computeChecksum(b, off, len));
}
export function checksumValid(b: Uint8Array, off: number, len: number): boolean {
  return internetChecksumValid(b, off, len);
}

// ---- repr --------------------------------------------------------------------------------------------

/** Echo request (type 8) or reply (type 0). */
export interface IcmpEchoRepr {
  kind: 'echoRequest' | 'echoReply';
  /** Always 0 in practice; kept so odd packets round-trip. Defaults to 0 on emit. */
  code?: number;
  ident: number;
  seq: number;
  /** The echo payload. From parse, a view into the parsed buffer (not a copy). */
  data: Uint8Array;
  checksum?: number;
}

/** Destination unreachable (type 3). */
export interface IcmpDestUnreachableRepr {
  kind: 'destUnreachable';
  code: number;
  /** Next-hop MTU for code 4 (ICMP_FRAG_NEEDED), otherwise 0. */
  nextHopMtu: number;
  /** The quoted offending datagram (IP header + leading payload bytes). A view when parsed. */
  data: Uint8Array;
  checksum?: number;
}

/** Time exceeded (type 11): code 0 TTL expired in transit, 1 fragment reassembly time exceeded. */
export interface IcmpTimeExceededRepr {
  kind: 'timeExceeded';
  code: number;
  /** The quoted offending datagram. A view when parsed. */
  data: Uint8Array;
  checksum?: number;
}

/** Any other type, kept opaque: bytes 4-7 as `rest`, then `data`. */
export interface IcmpOtherRepr {
  kind: 'other';
  type: number;
  code: number;
  rest: number;
  data: Uint8Array;
  checksum?: number;
}

export type IcmpRepr = IcmpEchoRepr | IcmpDestUnreachableRepr | IcmpTimeExceededRepr | IcmpOtherRepr;

/** The ICMP type number of a repr. */
export function icmpReprType(r: IcmpRepr): number {
  switch (r.kind) {
    case 'echoRequest':
      return ICMP_ECHO;
    case 'echoReply':
      return ICMP_ECHOREPLY;
    case 'destUnreachable':
      return ICMP_DEST_UNREACH;
    case 'timeExceeded':
      return ICMP_TIME_EXCEEDED;
    default:
      return r.type;
  }
}

/**
 * Allocation-free validation of the `len`-byte message at `off` (the whole IP payload): at least the 8-byte
 * header, and the checksum verifies over all `len` bytes.
 */
export function checkIcmpMessage(
  b: Uint8Array,
  off: number,
  len: number,
  verifyChecksum = true,
): WireError | null {
  if (len < ICMP_HLEN) return WireError.Truncated;
  if (verifyChecksum && !internetChecksumValid(b, off, len)) return WireError.BadChecksum;
  return null;
}

/** Parses the `len`-byte ICMP message at `off`. `data` in the result aliases `b`. */
export function parseIcmpMessage(
  b: Uint8Array,
  off: number,
  len: number,
  verifyChecksum = true,
): WireResult<IcmpRepr> {
  const e = checkIcmpMessage(b, off, len, verifyChecksum);
  if (e !== null) return fail(e);
  const t = b[off];
  const c = b[off + 1];
  const cs = getU16(b, off + 2);
  const data = b.subarray(off + ICMP_HLEN, off + len);
  switch (t) {
    case ICMP_ECHO:
    case ICMP_ECHOREPLY:
      return ok({
        kind: t === ICMP_ECHO ? 'echoRequest' : 'echoReply',
        code: c,
        ident: getU16(b, off + 4),
        seq: getU16(b, off + 6),
        data,
        checksum: cs,
      });
    case ICMP_DEST_UNREACH:
      if (getU16(b, off + 4) !== 0) break; // RFC 4884 length or junk: keep it opaque so it round-trips
      return ok({ kind: 'destUnreachable', code: c, nextHopMtu: getU16(b, off + 6), data, checksum: cs });
    case ICMP_TIME_EXCEEDED:
      if (getU32(b, off + 4) !== 0) break;
      return ok({ kind: 'timeExceeded', code: c, data, checksum: cs });
  }
  return ok({ kind: 'other', type: t, code: c, rest: getU32(b, off + 4), data, checksum: cs });
}

/** Length of the message `emitIcmpMessage` writes: 8 + data. */
export function icmpMessageLength(r: IcmpRepr): number {
  return ICMP_HLEN + r.data.length;
}

/**
 * Writes header and data at `off` and computes the checksum over both. `r.data` may already sit at
 * `off + 8` in `b` (it is then not copied). Returns the message length.
 */
export function emitIcmpMessage(r: IcmpRepr, b: Uint8Array, off: number): number {
  let t: number;
  let c: number;
  let rest: number;
  switch (r.kind) {
    case 'echoRequest':
    case 'echoReply':
      t = r.kind === 'echoRequest' ? ICMP_ECHO : ICMP_ECHOREPLY;
      c = r.code ?? 0;
      rest = ((r.ident & 0xffff) << 16) | (r.seq & 0xffff);
      break;
    case 'destUnreachable':
      t = ICMP_DEST_UNREACH;
      c = r.code;
      rest = r.nextHopMtu & 0xffff;
      break;
    case 'timeExceeded':
      t = ICMP_TIME_EXCEEDED;
      c = r.code;
      rest = 0;
      break;
    default:
      t = r.type;
      c = r.code;
      rest = r.rest;
  }
  b[off] = t;
  b[off + 1] = c;
  setU32(b, off + 4, rest);
  const d = r.data;
  if (!(d.buffer === b.buffer && d.byteOffset === b.byteOffset + off + ICMP_HLEN)) b.set(d, off + ICMP_HLEN);
  const len = ICMP_HLEN + d.length;
  setU16(b, off + 2, ~checksumFold(checksumAddSkipping(b, off, len, off + 2, 0)) & 0xffff);
  return len;
}

/** What an ICMP error's quoted datagram says: its IP header and, if quoted, the transport ports. */
export interface IcmpQuote {
  ip: Ipv4Repr;
  /** Source/destination port of a quoted UDP or TCP header (first 4 bytes), when quoted; else null. */
  srcPort: number | null;
  dstPort: number | null;
  /** Offset (in the parsed buffer) and length of the quoted transport bytes after the IP header. */
  payloadOffset: number;
  payloadLength: number;
}

/**
 * Parses the datagram quoted in an ICMP error (the `data` of a destUnreachable/timeExceeded repr, or the
 * bytes from `off` for `len`): what icmp_unreach() needs to find the socket.
 */
export function parseIcmpQuote(b: Uint8Array, off: number, len: number): WireResult<IcmpQuote> {
  const ipr = parseQuotedIpv4Header(b, off, len);
  if (!ipr.ok) return fail(ipr.error);
  const ip = ipr.value;
  const p = off + ip.headerLength;
  const plen = len - ip.headerLength;
  const hasPorts =
    (ip.protocol === IPPROTO_UDP || ip.protocol === IPPROTO_TCP) && ip.fragOffset === 0 && plen >= 4;
  return ok({
    ip,
    srcPort: hasPorts ? getU16(b, p) : null,
    dstPort: hasPorts ? getU16(b, p + 2) : null,
    payloadOffset: p,
    payloadLength: plen,
  });
}
