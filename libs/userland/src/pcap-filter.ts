/**
 * libpcap's filter language (pcap-filter(7)) for tcpdump, on Ethernet frames, IPv4 and ARP: protocols
 * (ether ip arp rarp icmp igmp udp tcp sctp ip6 icmp6), `[src|dst] host A`, `[src|dst] net N/len` (or
 * `mask M`), `[tcp|udp|sctp] [src|dst] port P` and `portrange A-B`, `[ip] proto N`, `ether [src|dst] host
 * MAC`, `ether proto N`, `less N`, `greater N`, `[ether] broadcast`, `[ether|ip] multicast`, joined by
 * `and` `or` `not` (`&&` `||` `!`) and parentheses. As in libpcap (1.10), keywords are lower case, `and`
 * and `or` bind equally and from the left, `not` tighter, and a bare value takes the qualifiers of the
 * primitive before it (`host a or b`), which must have been one that takes a value. Its errors are
 * libpcap's. Not modelled: arithmetic (`icmp[0] = 8`, `len > 100`), VLAN/MPLS, and the optimizer's
 * "expression rejects all packets" (a contradiction here just matches nothing).
 */
import { prefixMask } from '@skblab/wire/address';
import { getU16, getU32 } from '@skblab/wire/bytes';
import { isBroadcastMac, isMulticastMac, macEquals, parseMac } from '@skblab/wire/mac';

/** A compiled filter: whether a captured frame passes. */
export type FrameFilter = (frame: Uint8Array) => boolean;

export class FilterError extends Error {}

/** The parser's own syntax error, and gencode's for a value with no qualifiers to take. */
const SYNTAX = "can't parse filter expression: syntax error";
const NO_QUALIFIERS = 'syntax error in filter expression';

const ETHERTYPE: Record<string, number> = { ip: 0x0800, arp: 0x0806, rarp: 0x8035, ip6: 0x86dd };
const IP_PROTO: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, sctp: 132, icmp6: 58 };
/** Keywords of libpcap this model does not carry out: they are valid there, so say so. */
// prettier-ignore
const UNMODELLED = new Set([
  'vlan', 'mpls', 'len', 'gateway', 'inbound', 'outbound', 'ifname', 'on', 'rnr', 'reason', 'rset',
  'ruleset', 'srnr', 'subrulenum', 'action', 'pppoed', 'pppoes', 'geneve', 'atalk', 'aarp', 'decnet',
  'iso', 'stp', 'ipx', 'netbeui', 'lat', 'moprc', 'mopdl', 'fddi', 'tr', 'wlan', 'llc', 'protochain',
]);

/** /etc/services' names for the ports people filter on. */
// prettier-ignore
const SERVICES: Record<string, number> = {
  ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, bootps: 67, bootpc: 68, tftp: 69, http: 80, ntp: 123,
  snmp: 161, https: 443, syslog: 514,
};

type Dir = 'src' | 'dst' | 'src or dst' | 'src and dst';
type Kind = 'host' | 'net' | 'port' | 'portrange' | 'proto';

interface Qualifiers {
  proto: string | null;
  dir: Dir;
  kind: Kind;
}

/**
 * A load past what was captured: the BPF program returns 0 on the spot, so the frame fails the whole
 * filter (`not icmp` included), not just the test that looked.
 */
const PAST_CAPTURE = Symbol('past the capture');
function need(f: Uint8Array, n: number): void {
  if (f.length < n) throw PAST_CAPTURE;
}

const ethertype = (f: Uint8Array) => (need(f, 14), getU16(f, 12));
const isIp = (f: Uint8Array) => ethertype(f) === 0x0800;
const ipProto = (f: Uint8Array) => (isIp(f) ? (need(f, 24), f[23]) : -1);
/** The transport header's offset, when this is an IPv4 datagram's first fragment. */
function transport(f: Uint8Array): number {
  if (!isIp(f)) return -1;
  need(f, 22);
  if ((getU16(f, 20) & 0x1fff) !== 0) return -1;
  return 14 + ((f[14] & 0x0f) << 2);
}

const ETHER_NAME: Record<number, string> = { 0x0806: 'arp', 0x8035: 'rarp' };

/** `broadcast` and `multicast`: the destination MAC's. */
const broadcast: FrameFilter = (f) => (need(f, 6), isBroadcastMac(f));
const multicast: FrameFilter = (f) => (need(f, 1), isMulticastMac(f));

/** The address a frame carries on one side: IPv4's, or ARP's protocol address; null when it has none. */
function addr(f: Uint8Array, proto: string | null, side: 'src' | 'dst'): number | null {
  const et = ethertype(f);
  let at = -1;
  if (et === 0x0800 && (proto === null || proto === 'ip')) at = side === 'src' ? 26 : 30;
  else if ((et === 0x0806 || et === 0x8035) && (proto === null || proto === ETHER_NAME[et]))
    at = side === 'src' ? 28 : 38;
  if (at < 0) return null;
  need(f, at + 4);
  return getU32(f, at);
}

function byDir(dir: Dir, test: (side: 'src' | 'dst') => boolean): boolean {
  if (dir === 'src') return test('src');
  if (dir === 'dst') return test('dst');
  if (dir === 'src and dst') return test('src') && test('dst');
  return test('src') || test('dst');
}

/** A number as libpcap's scanner reads one: decimal, 0x hex or 0 octal; null when it is not one. */
function pcapNumber(s: string): number | null {
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^0[0-7]*$/.test(s)) return parseInt(s, 8);
  if (/^[1-9]\d*$/.test(s)) return Number(s);
  return null;
}

function portOf(v: string): number {
  if (v.startsWith('-')) throw new FilterError(SYNTAX);
  const n = pcapNumber(v) ?? SERVICES[v];
  if (n === undefined) throw new FilterError(`unknown port '${v}'`);
  if (n > 65535) throw new FilterError(`illegal port number ${n} > 65535`);
  return n;
}

/**
 * A dotted address as __pcap_atoin reads it: 1 to 4 decimal parts, left-aligned ("127.1" is 127.1.0.0),
 * with the number of bits given.
 */
function atoin(s: string): { addr: number; bits: number } | null {
  if (!/^\d+(\.\d+){0,3}$/.test(s)) return null;
  const parts = s.split('.').map(Number);
  if (parts.some((p) => p > 255)) throw new FilterError(`invalid IPv4 address '${s}'`);
  let a = 0;
  for (const p of parts) a = a * 256 + p;
  return { addr: (a * 2 ** (32 - 8 * parts.length)) >>> 0, bits: 8 * parts.length };
}

/** Split an expression as libpcap's scanner does: words, parentheses, `!`, `&&`, `||`. */
function tokenize(expr: string): string[] {
  const out: string[] = [];
  const re = /\s*(&&|\|\||[()!]|[^\s()!&|]+|[&|])/y;
  let at = 0;
  for (let m = re.exec(expr); m !== null; m = re.exec(expr)) {
    out.push(m[1]);
    at = re.lastIndex;
  }
  if (expr.slice(at).trim()) throw new FilterError(SYNTAX);
  return out;
}

const OPERATORS = new Set(['(', ')', '!', '&&', '||', 'and', 'or', 'not']);

/**
 * compile(): the expression as a predicate; `resolve` turns a host name into an address (null: unknown).
 * An empty expression passes everything.
 */
export function compileFilter(expression: string, resolve: (name: string) => number | null): FrameFilter {
  const t = tokenize(expression);
  if (!t.length) return () => true;
  let i = 0;
  // What a bare value takes: the qualifiers of the primitive before it; `null` at the start, 'none' after a
  // primitive that takes no value (a protocol, less, broadcast, a parenthesis).
  let last: Qualifiers | null | 'none' = null;
  const peek = () => t[i];
  const eat = () => {
    if (i >= t.length) throw new FilterError(SYNTAX);
    return t[i++];
  };
  const noValue = (f: FrameFilter): FrameFilter => ((last = 'none'), f);

  /** host and net values: a dotted address (short ones are networks), or a lab host's name. */
  const hostNet = (q: Qualifiers, v: string): FrameFilter => {
    const [a, len] = v.split('/');
    let net: number;
    let mask: number;
    if (len !== undefined || peek() === 'mask') {
      if (q.kind !== 'net') throw new FilterError('Mask syntax for networks only');
      const d = atoin(a);
      if (d === null || !a.includes('.')) throw new FilterError(SYNTAX);
      net = d.addr;
      if (len !== undefined) {
        if (peek() === 'mask' || pcapNumber(len) === null) throw new FilterError(SYNTAX);
        if (pcapNumber(len)! > 32) throw new FilterError('mask length must be <= 32');
        mask = prefixMask(pcapNumber(len)!);
      } else {
        i++;
        const m = atoin(eat());
        if (m === null || m.bits !== 32) throw new FilterError(SYNTAX);
        mask = m.addr;
      }
      if ((net & ~mask) >>> 0 !== 0) {
        const shown = len !== undefined ? v : `${a} mask ${t[i - 1]}`;
        throw new FilterError(`non-network bits set in "${shown}"`);
      }
    } else {
      const d = atoin(v);
      if (d !== null) [net, mask] = [d.addr, prefixMask(d.bits)];
      else {
        const r = resolve(v);
        if (r === null) throw new FilterError(`unknown host '${v}'`);
        [net, mask] = [r, 0xffffffff];
      }
    }
    return (f) =>
      byDir(q.dir, (side) => {
        const x = addr(f, q.proto, side);
        return x !== null && (x & mask) >>> 0 === net;
      });
  };

  /** A value under qualifiers: host, net, port, portrange or proto. */
  const valued = (q: Qualifiers): FrameFilter => {
    const v = eat();
    if (OPERATORS.has(v)) throw new FilterError(SYNTAX);
    last = q;
    if (q.proto && q.proto in IP_PROTO && (q.kind === 'host' || q.kind === 'net'))
      throw new FilterError(`'${q.proto}' modifier applied to ${q.kind}`);
    if (q.proto === 'ip6' && (q.kind === 'host' || q.kind === 'net'))
      throw new FilterError(`'ip6' modifier applied to ip ${q.kind}`);
    switch (q.kind) {
      case 'host':
      case 'net':
        return hostNet(q, v);
      case 'proto': {
        const n = pcapNumber(v) ?? (v.startsWith('\\') ? IP_PROTO[v.slice(1)] : undefined);
        if (n === undefined) throw new FilterError(SYNTAX);
        return (f) => ipProto(f) === (n & 0xff);
      }
      case 'port':
      case 'portrange': {
        if (q.proto !== null && !['tcp', 'udp', 'sctp'].includes(q.proto))
          throw new FilterError(`illegal qualifier of '${q.kind}'`);
        let lo: number;
        let hi: number;
        if (q.kind === 'port') lo = hi = portOf(v);
        else {
          const m = /^([^-]+)(?:-([^-]+))?$/.exec(v);
          if (!m) throw new FilterError(SYNTAX);
          const end = (s: string) => {
            const n = pcapNumber(s) ?? SERVICES[s];
            if (n === undefined) throw new FilterError(`unknown port in range '${v}'`);
            return n;
          };
          [lo, hi] = [end(m[1]), end(m[2] ?? m[1])].sort((a, b) => a - b);
        }
        const protos = q.proto ? [IP_PROTO[q.proto]] : [IP_PROTO.tcp, IP_PROTO.udp, IP_PROTO.sctp];
        return (f) => {
          const o = transport(f);
          if (o < 0 || !protos.includes(ipProto(f))) return false;
          return byDir(q.dir, (side) => {
            const at = side === 'src' ? o : o + 2;
            need(f, at + 2);
            const p = getU16(f, at);
            return p >= lo && p <= hi;
          });
        };
      }
    }
  };

  /** ether host/src/dst MAC, ether proto N, ether broadcast/multicast. */
  const ether = (): FrameFilter => {
    let w = eat();
    if (w === 'broadcast') return noValue(broadcast);
    if (w === 'multicast') return noValue(multicast);
    if (w === 'proto') {
      const v = eat();
      const n = pcapNumber(v) ?? (v.startsWith('\\') ? ETHERTYPE[v.slice(1)] : undefined);
      if (n === undefined) throw new FilterError(SYNTAX);
      return noValue((f) => ethertype(f) === n);
    }
    let dir: Dir = 'src or dst';
    if (w === 'src' || w === 'dst') {
      dir = w;
      if (peek() === 'host') i++;
    } else if (w !== 'host') throw new FilterError(SYNTAX);
    w = eat();
    const mac = parseMac(w);
    if (!mac) throw new FilterError(`unknown ether host '${w}'`);
    last = 'none';
    return (f) =>
      byDir(dir, (side) => {
        const at = side === 'src' ? 6 : 0;
        need(f, at + 6);
        return macEquals(f, at, mac);
      });
  };

  const primitive = (): FrameFilter => {
    const w = eat();
    if (w === '(') {
      const e = expr();
      if (eat() !== ')') throw new FilterError(SYNTAX);
      last = 'none';
      return e;
    }
    if (w.includes('[') || UNMODELLED.has(w))
      throw new FilterError(`'${w}' is valid in libpcap but not modelled in skblab`);
    if (w === 'less' || w === 'greater') {
      const n = pcapNumber(eat());
      if (n === null) throw new FilterError(SYNTAX);
      return noValue(w === 'less' ? (f) => f.length <= n : (f) => f.length >= n);
    }
    if (w === 'broadcast') return noValue(broadcast);
    if (w === 'multicast') return noValue(multicast);
    if (w === 'ether') return ether();
    if (w === 'proto') return valued({ proto: 'ip', dir: 'src or dst', kind: 'proto' });
    let proto: string | null = null;
    let word = w;
    if (word in ETHERTYPE || word in IP_PROTO) {
      proto = word;
      const next = peek();
      if (word === 'ip' && next === 'proto') {
        i++;
        return valued({ proto: 'ip', dir: 'src or dst', kind: 'proto' });
      }
      if (word === 'ip' && next === 'multicast') {
        i++;
        return noValue((f) => isIp(f) && (need(f, 31), f[30] >= 224));
      }
      if (word === 'ip' && next === 'broadcast')
        throw new FilterError(
          "'ip broadcast' is valid in libpcap but not modelled in skblab (it needs the netmask)",
        );
      if (next === undefined || !['src', 'dst', 'host', 'net', 'port', 'portrange'].includes(next)) {
        if (word in ETHERTYPE) return noValue((f) => ethertype(f) === ETHERTYPE[word]);
        return noValue((f) => ipProto(f) === IP_PROTO[word]);
      }
      word = eat();
    }
    let dir: Dir = 'src or dst';
    if (word === 'src' || word === 'dst') {
      dir = word;
      if (
        (peek() === 'or' || peek() === 'and') &&
        (t[i + 1] === 'src' || t[i + 1] === 'dst') &&
        t[i + 1] !== word
      ) {
        dir = peek() === 'or' ? 'src or dst' : 'src and dst';
        i += 2;
      }
      const k = peek();
      if (k === 'host' || k === 'net' || k === 'port' || k === 'portrange') word = eat();
      else return valued({ proto, dir, kind: 'host' });
    }
    if (word === 'host' || word === 'net' || word === 'port' || word === 'portrange')
      return valued({ proto, dir, kind: word });
    // A bare value: it takes what the primitive before it was about.
    i--;
    if (last === null) throw new FilterError(SYNTAX);
    if (last === 'none') throw new FilterError(NO_QUALIFIERS);
    return valued(last);
  };

  const unary = (): FrameFilter => {
    const w = peek();
    if (w === 'not' || w === '!') {
      i++;
      const e = unary();
      return (f) => !e(f);
    }
    return primitive();
  };

  function expr(): FrameFilter {
    let e = unary();
    for (;;) {
      const w = peek();
      if (w === 'and' || w === '&&' || w === 'or' || w === '||') {
        i++;
        const a = e;
        const b = unary();
        e = w === 'and' || w === '&&' ? (f) => a(f) && b(f) : (f) => a(f) || b(f);
      } else return e;
    }
  }

  const e = expr();
  if (i < t.length) throw new FilterError(SYNTAX);
  return (f) => {
    try {
      return e(f);
    } catch (x) {
      if (x === PAST_CAPTURE) return false;
      throw x;
    }
  };
}
