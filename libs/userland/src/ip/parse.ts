/**
 * iproute2's number and address parsers (lib/utils.c): get_integer/get_unsigned (strtol with base 0, so
 * 0x10 and 010 work), get_addr_ipv4 (which takes "10.1" for 10.1.0.0), get_prefix, ll_addr_a2n, and the
 * rt_tables / rt_protos / rt_scopes / route type names.
 */
import type { Ip } from './common';
import { fail } from './common';

/** strtol/strtoul with base 0 over the whole string: null if anything is left over. */
function strtoNum(s: string, signed: boolean): number | null {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return null;
  const body = m[2];
  let v: number;
  if (/^0[xX]/.test(body)) v = parseInt(body.slice(2), 16);
  else if (body.length > 1 && body[0] === '0') v = parseInt(body, 8);
  else v = parseInt(body, 10);
  if (m[1] === '-') {
    if (!signed) return v === 0 ? 0 : -v; // strtoul negates: callers reject it as out of range
    v = -v;
  }
  return v;
}

/** get_integer: an int (INT_MIN..INT_MAX), or null. */
export function getInteger(s: string): number | null {
  const v = strtoNum(s, true);
  if (v === null || v < -2147483648 || v > 2147483647) return null;
  return v;
}

/** get_unsigned / get_u32: 0..UINT_MAX, or null ("-1" wraps past UINT_MAX and is refused). */
export function getUnsigned(s: string): number | null {
  const v = strtoNum(s, false);
  if (v === null || v < 0 || v > 0xffffffff) return null;
  return v;
}

/** get_addr_ipv4: up to four parts, each a strtoul number 0-255 ("10.1" is 10.1.0.0, "0x0a.1" works). */
export function getAddrIpv4(s: string): number | null {
  const parts = s.split('.');
  if (parts.length > 4) return null;
  const b = [0, 0, 0, 0];
  for (let i = 0; i < parts.length; i++) {
    const m = /^\s*(0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)/.exec(parts[i]);
    if (!m || m[0].length !== parts[i].length) return null;
    const t = m[1];
    const v = /^0[xX]/.test(t)
      ? t.length > 2
        ? parseInt(t.slice(2), 16)
        : 0
      : t.length > 1 && t[0] === '0'
        ? parseInt(t, 8)
        : parseInt(t, 10);
    if (v > 255) return null;
    b[i] = v;
  }
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

export interface Prefix {
  /** null for "default"/"any"/"all" (AF_UNSPEC in iproute2, no address bytes). */
  addr: number | null;
  plen: number;
  /** A "/len" was given (PREFIXLEN_SPECIFIED). */
  lenGiven: boolean;
}

/** get_prefix_1 for IPv4: "A.B.C.D[/LEN|/MASK]", "default", "any", "all". */
export function parsePrefix(s: string): Prefix | null {
  if (s === 'default' || s === 'any' || s === 'all') return { addr: null, plen: 0, lenGiven: true };
  const slash = s.indexOf('/');
  const addr = getAddrIpv4(slash < 0 ? s : s.slice(0, slash));
  if (addr === null) return null;
  if (slash < 0) return { addr, plen: 32, lenGiven: false };
  const ls = s.slice(slash + 1);
  let plen = getUnsigned(ls);
  if (plen === null) {
    // get_netmask: a dotted mask with contiguous ones.
    const mask = getAddrIpv4(ls);
    if (mask === null || !ls.includes('.')) return null;
    const inv = ~mask >>> 0;
    if ((inv & (inv + 1)) !== 0) return null;
    plen = Math.clz32(inv);
  }
  if (plen > 32) return null;
  return { addr, plen, lenGiven: true };
}

/** get_prefix: exits 1 with "Error: any valid prefix is expected rather than ...". */
export function getPrefix(ip: Ip, s: string): Prefix {
  const p = ip.opts.family === 'inet6' ? null : parsePrefix(s);
  if (!p) fail(ip, `Error: ${familyVerbose(ip)} prefix is expected rather than "${s}".\n`, 1);
  return p;
}

/** get_addr: exits 1 with "Error: inet address is expected rather than ...". */
export function getAddr(ip: Ip, s: string, family: 'inet' | null = 'inet'): number {
  const a =
    s === 'default' || s === 'any' || s === 'all' || ip.opts.family === 'inet6' ? null : getAddrIpv4(s);
  if (a === null) {
    const fam = family === 'inet' || ip.opts.family === 'inet' ? 'inet' : 'any valid';
    fail(ip, `Error: ${fam} address is expected rather than "${s}".\n`, 1);
  }
  return a;
}

function familyVerbose(ip: Ip): string {
  return ip.opts.family === 'inet' ? 'inet' : ip.opts.family === 'inet6' ? 'inet6' : 'any valid';
}

/** ll_addr_a2n for an Ethernet address; the error names the part that failed, as iproute2 does. */
export function llAddrA2n(s: string): { bytes: number[] } | { bad: string } {
  const bytes: number[] = [];
  const parts = s.split(':');
  for (let i = 0; i < parts.length; i++) {
    const m = /^\s*[+]?(?:0[xX])?([0-9a-fA-F]+)/.exec(parts[i]);
    if (!m) return { bad: parts[i] };
    const v = parseInt(m[1], 16);
    if (v > 255) return { bad: parts[i] };
    bytes.push(v);
  }
  return { bytes };
}

export const RT_TABLE_NAMES: Record<number, string> = {
  0: 'unspec',
  253: 'default',
  254: 'main',
  255: 'local',
};

export function tableName(id: number): string {
  return RT_TABLE_NAMES[id] ?? String(id);
}

/** rtnl_rttable_a2n: a table name or number. */
export function tableId(s: string): number | null {
  for (const [id, name] of Object.entries(RT_TABLE_NAMES)) if (name === s) return Number(id);
  return getUnsigned(s);
}

export const RT_PROTOS: Record<number, string> = {
  0: 'unspec',
  1: 'redirect',
  2: 'kernel',
  3: 'boot',
  4: 'static',
  8: 'gated',
  9: 'ra',
  10: 'mrt',
  11: 'zebra',
  12: 'bird',
  13: 'dnrouted',
  14: 'xorp',
  15: 'ntk',
  16: 'dhcp',
  18: 'keepalived',
  42: 'babel',
  99: 'openr',
  186: 'bgp',
  187: 'isis',
  188: 'ospf',
  189: 'rip',
  192: 'eigrp',
};

export function protoName(p: number): string {
  return RT_PROTOS[p] ?? String(p);
}

export function protoId(s: string): number | null {
  for (const [id, name] of Object.entries(RT_PROTOS)) if (name === s) return Number(id);
  const v = getUnsigned(s);
  return v !== null && v <= 255 ? v : null;
}

export const RT_SCOPES: Record<number, string> = {
  0: 'global',
  200: 'site',
  253: 'link',
  254: 'host',
  255: 'nowhere',
};

export function scopeName(s: number): string {
  return RT_SCOPES[s] ?? String(s);
}

export function scopeId(s: string): number | null {
  for (const [id, name] of Object.entries(RT_SCOPES)) if (name === s) return Number(id);
  const v = getUnsigned(s);
  return v !== null && v <= 255 ? v : null;
}

export const RTN_NAMES = [
  'unspec',
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'xresolve',
];

export function rtnTypeName(t: number): string {
  return RTN_NAMES[t] ?? String(t);
}

/** rtnl_rtntype_a2n: "local", "nat", "throw" exactly, the others by prefix ("black" is blackhole). */
export function rtnTypeId(s: string): number | null {
  const m = (w: string) => s.length > 0 && w.startsWith(s);
  if (s === 'local') return 2;
  if (s === 'nat') return 10;
  if (m('broadcast') || s === 'brd') return 3;
  if (m('anycast')) return 4;
  if (m('multicast')) return 5;
  if (m('prohibit')) return 8;
  if (m('unreachable')) return 7;
  if (m('blackhole')) return 6;
  if (m('xresolve')) return 11;
  if (m('unicast')) return 1;
  if (s === 'throw') return 9;
  const v = getUnsigned(s);
  return v !== null && v <= 255 ? v : null;
}
