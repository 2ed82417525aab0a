/**
 * ARP (RFC 826) for Ethernet hardware and IPv4 protocol addresses: the 28-byte request/reply that resolves
 * a next hop's MAC (Linux net/ipv4/arp.c). Other hardware/protocol pairs are reported as unsupported.
 */

import { getU16, getU32, setU16, setU32 } from './bytes';
import { Ipv4Address } from './address';
import { ETH_P_IP } from './ethernet';
import { copyMac, MacAddress, readMac } from './mac';
import { fail, ok, WireError, WireResult } from './result';

/** Length of an Ethernet/IPv4 ARP packet. */
export const ARP_HLEN = 28;
/** Length of the fixed part (hardware/protocol types and lengths, operation). */
export const ARP_FIXED_HLEN = 8;

export const ARPHRD_ETHER = 1;

export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;
export const ARPOP_RREQUEST = 3;
export const ARPOP_RREPLY = 4;
export const ARPOP_INREQUEST = 8;
export const ARPOP_INREPLY = 9;
export const ARPOP_NAK = 10;

// ---- byte view ---------------------------------------------------------------------------------------

export function hardwareType(b: Uint8Array, off: number): number {
  return getU16(b, off);
}
export function setHardwareType(b: Uint8Array, off: number, v: number): void {
  setU16(b, off, v);
}
export function protocolType(b: Uint8Array, off: number): number {
  return getU16(b, off + 2);
}
export function setProtocolType(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 2, v);
}
export function hardwareLength(b: Uint8Array, off: number): number {
  return b[off + 4];
}
export function setHardwareLength(b: Uint8Array, off: number, v: number): void {
  b[off + 4] = v;
}
export function protocolLength(b: Uint8Array, off: number): number {
  return b[off + 5];
}
export function setProtocolLength(b: Uint8Array, off: number, v: number): void {
  b[off + 5] = v;
}
export function operation(b: Uint8Array, off: number): number {
  return getU16(b, off + 6);
}
export function setOperation(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 6, v);
}
/** Offset of the sender hardware address (Ethernet/IPv4 layout), for in-place MAC helpers. */
export const ARP_SHA_OFFSET = 8;
export const ARP_SPA_OFFSET = 14;
export const ARP_THA_OFFSET = 18;
export const ARP_TPA_OFFSET = 24;
export function senderMac(b: Uint8Array, off: number): MacAddress {
  return readMac(b, off + 8);
}
export function setSenderMac(b: Uint8Array, off: number, mac: MacAddress, macOff = 0): void {
  copyMac(mac, macOff, b, off + 8);
}
export function senderIp(b: Uint8Array, off: number): Ipv4Address {
  return getU32(b, off + 14);
}
export function setSenderIp(b: Uint8Array, off: number, v: Ipv4Address): void {
  setU32(b, off + 14, v);
}
export function targetMac(b: Uint8Array, off: number): MacAddress {
  return readMac(b, off + 18);
}
export function setTargetMac(b: Uint8Array, off: number, mac: MacAddress, macOff = 0): void {
  copyMac(mac, macOff, b, off + 18);
}
export function targetIp(b: Uint8Array, off: number): Ipv4Address {
  return getU32(b, off + 24);
}
export function setTargetIp(b: Uint8Array, off: number, v: Ipv4Address): void {
  setU32(b, off + 24, v);
}

// ---- repr --------------------------------------------------------------------------------------------

/** An Ethernet/IPv4 ARP packet. */
export interface ArpRepr {
  operation: number;
  senderMac: MacAddress;
  senderIp: Ipv4Address;
  targetMac: MacAddress;
  targetIp: Ipv4Address;
}

/**
 * Allocation-free validation of the `len` bytes at `off`: Truncated if short, Unsupported unless hardware is
 * Ethernet (1, length 6) and protocol IPv4 (0x0800, length 4). The operation is not judged: arp_process()
 * does that.
 */
export function checkArpPacket(b: Uint8Array, off: number, len: number): WireError | null {
  if (len < ARP_FIXED_HLEN) return WireError.Truncated;
  if (getU16(b, off) !== ARPHRD_ETHER || getU16(b, off + 2) !== ETH_P_IP) return WireError.Unsupported;
  if (b[off + 4] !== 6 || b[off + 5] !== 4) return WireError.Unsupported;
  if (len < ARP_HLEN) return WireError.Truncated;
  return null;
}

export function parseArpPacket(b: Uint8Array, off: number, len: number): WireResult<ArpRepr> {
  const e = checkArpPacket(b, off, len);
  if (e !== null) return fail(e);
  return ok({
    operation: getU16(b, off + 6),
    senderMac: readMac(b, off + 8),
    senderIp: getU32(b, off + 14),
    targetMac: readMac(b, off + 18),
    targetIp: getU32(b, off + 24),
  });
}

/** Writes the 28-byte packet at `off`; returns ARP_HLEN. */
export function emitArpPacket(r: ArpRepr, b: Uint8Array, off: number): number {
  setU16(b, off, ARPHRD_ETHER);
  setU16(b, off + 2, ETH_P_IP);
  b[off + 4] = 6;
  b[off + 5] = 4;
  setU16(b, off + 6, r.operation);
  copyMac(r.senderMac, 0, b, off + 8);
  setU32(b, off + 14, r.senderIp);
  copyMac(r.targetMac, 0, b, off + 18);
  setU32(b, off + 24, r.targetIp);
  return ARP_HLEN;
}

export function arpPacketLength(_r?: ArpRepr): number {
  return ARP_HLEN;
}
