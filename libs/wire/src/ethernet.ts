/**
 * Ethernet II (DIX) framing: the 14-byte link-layer header (destination MAC, source MAC, EtherType) that
 * every frame on a veth, and on Linux's lo, carries. No preamble, FCS or 802.1Q tag: those never reach
 * tcpdump on these devices.
 */

import { getU16, setU16 } from './bytes';
import { copyMac, isBroadcastMac, isMulticastMac, MacAddress, readMac } from './mac';
import { fail, ok, WireError, WireResult } from './result';

export const ETH_HLEN = 14;
/** Minimum frame length without FCS; shorter frames are padded on a real wire (not on veth/lo). */
export const ETH_ZLEN = 60;
export const ETH_DATA_LEN = 1500;
export const ETH_FRAME_LEN = 1514;

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_IPV6 = 0x86dd;

/** Field offsets within the header. */
export const ETH_DST_OFFSET = 0;
export const ETH_SRC_OFFSET = 6;
export const ETH_TYPE_OFFSET = 12;

// ---- byte view ---------------------------------------------------------------------------------------

export function etherType(b: Uint8Array, off: number): number {
  return getU16(b, off + 12);
}
export function setEtherType(b: Uint8Array, off: number, v: number): void {
  setU16(b, off + 12, v);
}
/** A fresh copy of the destination MAC. */
export function dstMac(b: Uint8Array, off: number): MacAddress {
  return readMac(b, off);
}
/** A fresh copy of the source MAC. */
export function srcMac(b: Uint8Array, off: number): MacAddress {
  return readMac(b, off + 6);
}
export function setDstMac(b: Uint8Array, off: number, mac: MacAddress, macOff = 0): void {
  copyMac(mac, macOff, b, off);
}
export function setSrcMac(b: Uint8Array, off: number, mac: MacAddress, macOff = 0): void {
  copyMac(mac, macOff, b, off + 6);
}
export function isBroadcastDst(b: Uint8Array, off: number): boolean {
  return isBroadcastMac(b, off);
}
export function isMulticastDst(b: Uint8Array, off: number): boolean {
  return isMulticastMac(b, off);
}

// ---- repr --------------------------------------------------------------------------------------------

export interface EthernetRepr {
  dst: MacAddress;
  src: MacAddress;
  etherType: number;
}

/** Allocation-free validation: null if `len` bytes at `off` hold an Ethernet header. */
export function checkEthernetHeader(_b: Uint8Array, _off: number, len: number): WireError | null {
  return len < ETH_HLEN ? WireError.Truncated : null;
}

/** Parses the header of the `len`-byte frame at `off`. The payload starts at `off + ETH_HLEN`. */
export function parseEthernetHeader(b: Uint8Array, off: number, len: number): WireResult<EthernetRepr> {
  if (len < ETH_HLEN) return fail(WireError.Truncated);
  return ok({ dst: readMac(b, off), src: readMac(b, off + 6), etherType: getU16(b, off + 12) });
}

/** Writes the header at `off`; returns the bytes written (ETH_HLEN). */
export function emitEthernetHeader(r: EthernetRepr, b: Uint8Array, off: number): number {
  copyMac(r.dst, 0, b, off);
  copyMac(r.src, 0, b, off + 6);
  setU16(b, off + 12, r.etherType);
  return ETH_HLEN;
}

/** Length of the header `emitEthernetHeader` writes. */
export function ethernetHeaderLength(_r?: EthernetRepr): number {
  return ETH_HLEN;
}
