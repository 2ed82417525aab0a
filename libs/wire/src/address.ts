/**
 * IPv4 addresses and prefixes.
 *
 * An address is an unsigned 32-bit number whose most significant byte is the first octet ("10.0.0.1" is
 * 0x0a000001), which is also the order of the bytes on the wire, so header accessors return it directly.
 * Always kept unsigned (`>>> 0`), so addresses compare with === and sort numerically.
 */

export type Ipv4Address = number;

export const INADDR_ANY: Ipv4Address = 0x00000000;
export const INADDR_BROADCAST: Ipv4Address = 0xffffffff;
export const INADDR_LOOPBACK: Ipv4Address = 0x7f000001;

/** Builds an address from its four octets: `ipv4Address(10, 0, 0, 1)`. */
export function ipv4Address(a: number, b: number, c: number, d: number): Ipv4Address {
  return (((a & 0xff) << 24) | ((b & 0xff) << 16) | ((c & 0xff) << 8) | (d & 0xff)) >>> 0;
}

/** Dotted-quad text of an address: `ipv4ToString(0x0a000001)` is "10.0.0.1". */
export function ipv4ToString(n: Ipv4Address): string {
  return (n >>> 24) + '.' + ((n >>> 16) & 0xff) + '.' + ((n >>> 8) & 0xff) + '.' + (n & 0xff);
}

/**
 * Parses strict dotted-quad text the way inet_pton(AF_INET) does: exactly four decimal octets 0-255, no
 * leading zeros ("010" is ambiguous), no signs, no spaces. Returns null for anything else.
 */
export function parseIpv4(s: string): Ipv4Address | null {
  let n = 0;
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46; // a virtual '.' ends the last octet
    if (c === 46) {
      if (digits === 0) return null;
      n = n * 256 + octet;
      parts++;
      if (parts > 4) return null;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return null; // leading zero
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return null;
    } else {
      return null;
    }
  }
  return parts === 4 ? n >>> 0 : null;
}

/** The netmask of a prefix length 0-32: `prefixMask(24)` is 0xffffff00. */
export function prefixMask(prefixLength: number): number {
  return prefixLength <= 0 ? 0 : prefixLength >= 32 ? 0xffffffff : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** The prefix length of a contiguous netmask, or null if the mask has holes (0xff00ff00). */
export function maskPrefixLength(mask: number): number | null {
  mask >>>= 0;
  const inv = ~mask >>> 0;
  if ((inv & (inv + 1)) !== 0) return null; // ~mask must be 2^k - 1
  return Math.clz32(inv);
}

/** The network address of `addr` in a /prefixLength. */
export function networkAddress(addr: Ipv4Address, prefixLength: number): Ipv4Address {
  return (addr & prefixMask(prefixLength)) >>> 0;
}

/** The directed broadcast address of `addr`'s /prefixLength network. */
export function broadcastAddress(addr: Ipv4Address, prefixLength: number): Ipv4Address {
  return (addr | ~prefixMask(prefixLength)) >>> 0;
}

/** True when `addr` lies in `network`/`prefixLength` (host bits of `network` are ignored). */
export function cidrContains(network: Ipv4Address, prefixLength: number, addr: Ipv4Address): boolean {
  const m = prefixMask(prefixLength);
  return ((network ^ addr) & m) === 0;
}

/** An address with a prefix length, as in `ip addr add 10.0.0.1/24`. */
export interface Ipv4Cidr {
  address: Ipv4Address;
  prefixLength: number;
}

/**
 * Parses "a.b.c.d/len" (len 0-32, decimal, no leading zeros). A bare address is taken as /32, as iproute2
 * does. Returns null on bad input.
 */
export function parseCidr(s: string): Ipv4Cidr | null {
  const slash = s.indexOf('/');
  const address = parseIpv4(slash < 0 ? s : s.slice(0, slash));
  if (address === null) return null;
  if (slash < 0) return { address, prefixLength: 32 };
  const p = s.slice(slash + 1);
  if (!/^(?:[0-9]|[12][0-9]|3[0-2])$/.test(p)) return null;
  return { address, prefixLength: Number(p) };
}

/** "a.b.c.d/len". */
export function formatCidr(c: Ipv4Cidr): string {
  return ipv4ToString(c.address) + '/' + c.prefixLength;
}

/** 127.0.0.0/8 (ipv4_is_loopback). */
export function isLoopback(a: Ipv4Address): boolean {
  return a >>> 24 === 127;
}

/** 224.0.0.0/4 (ipv4_is_multicast). */
export function isMulticast(a: Ipv4Address): boolean {
  return a >>> 28 === 0xe;
}

/** 255.255.255.255 (ipv4_is_lbcast). */
export function isLimitedBroadcast(a: Ipv4Address): boolean {
  return a >>> 0 === 0xffffffff;
}

/** 0.0.0.0/8 (ipv4_is_zeronet). */
export function isZeroNet(a: Ipv4Address): boolean {
  return a >>> 24 === 0;
}

/** 169.254.0.0/16 (ipv4_is_linklocal_169). */
export function isLinkLocal(a: Ipv4Address): boolean {
  return a >>> 16 === 0xa9fe;
}
