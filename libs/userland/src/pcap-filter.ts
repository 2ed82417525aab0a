/**
 * libpcap's filter language (pcap-filter(7)) for tcpdump, on Ethernet frames, IPv4 and ARP: protocols
 * (ether ip arp rarp icmp igmp udp tcp sctp ip6 icmp6), `[src|dst] host A`, `[src|dst] net N/len` (or
 * `mask M`), `[tcp|udp] [src|dst] port P` and `portrange A-B`, `ip proto N`, `less N`, `greater N`,
 * `broadcast`, joined by `and` `or` `not` (`&&` `||` `!`) and parentheses. As in libpcap, `and` and `or`
 * bind equally and from the left, `not` tighter, and a bare value takes the qualifiers of the primitive
 * before it (`host a or b`). Its errors are libpcap's; the arithmetic forms (`icmp[0] = 8`) are refused as
 * not modelled.
 */
import { getU16, getU32 } from '@skblab/wire/bytes';
import { inet_aton } from './libc';

/** A compiled filter: whether a captured frame passes. */
export type FrameFilter = (frame: Uint8Array) => boolean;

export class FilterError extends Error {}

const SYNTAX = "can't parse filter expression: syntax error";

const ETHERTYPE: Record<string, number> = { ip: 0x0800, arp: 0x0806, rarp: 0x8035, ip6: 0x86dd };
const IP_PROTO: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, sctp: 132, icmp6: 58 };

/** /etc/services' names for the ports people filter on. */
const SERVICES: Record<string, number> = {
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  bootps: 67,
  bootpc: 68,
  tftp: 69,
  http: 80,
  ntp: 123,
  snmp: 161,
  https: 443,
  syslog: 514,
};

type Dir = 'src' | 'dst' | 'src or dst' | 'src and dst';
type Kind = 'host' | 'net' | 'port' | 'portrange';

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
const ETHER_NAME: Record<number, string> = { 0x0806: 'arp', 0x8035: 'rarp' };

function byDir(dir: Dir, test: (side: 'src' | 'dst') => boolean): boolean {
  if (dir === 'src') return test('src');
  if (dir === 'dst') return test('dst');
  if (dir === 'src and dst') return test('src') && test('dst');
  return test('src') || test('dst');
}

function portOf(v: string): number {
  const n = /^\d+$/.test(v) ? Number(v) : SERVICES[v];
  if (n === undefined) throw new FilterError(`unknown port '${v}'`);
  if (n > 65535) throw new FilterError(`illegal port number ${n} > 65535`);
  return n;
}

/** `net` values: "10", "10.1", "10.0.0.0/8", or a mask given apart; the address must have no host bits. */
function netOf(v: string, maskWord: string | null): { net: number; mask: number } {
  const [a, len] = v.split('/');
  const parts = a.split('.');
  const addr = inet_aton(
    parts.length < 4 && len === undefined && maskWord === null ? a + '.0'.repeat(4 - parts.length) : a,
  );
  if (addr === null || (len !== undefined && !/^\d+$/.test(len))) throw new FilterError(SYNTAX);
  let mask: number;
  if (maskWord !== null) {
    const m = inet_aton(maskWord);
    if (m === null) throw new FilterError(SYNTAX);
    mask = m;
  } else if (len !== undefined) {
    if (Number(len) > 32) throw new FilterError('mask length must be <= 32');
    mask = Number(len) === 0 ? 0 : (0xffffffff << (32 - Number(len))) >>> 0;
  } else mask = parts.length >= 4 ? 0xffffffff : (0xffffffff << (32 - 8 * parts.length)) >>> 0;
  if ((addr & ~mask) >>> 0 !== 0)
    throw new FilterError(`non-network bits set in "${v}${maskWord ? ` mask ${maskWord}` : ''}"`);
  return { net: addr, mask };
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

/**
 * compile(): the expression as a predicate; `resolve` turns a host name into an address (null: unknown).
 * An empty expression passes everything.
 */
export function compileFilter(expression: string, resolve: (name: string) => number | null): FrameFilter {
  const t = tokenize(expression);
  if (!t.length) return () => true;
  let i = 0;
  let last: Qualifiers | null = null;
  const peek = () => t[i];
  const eat = () => {
    if (i >= t.length) throw new FilterError(SYNTAX);
    return t[i++];
  };

  const hostOf = (v: string): number => {
    const a = inet_aton(v) ?? resolve(v);
    if (a === null) throw new FilterError(`unknown host '${v}'`);
    return a;
  };

  /** A value under qualifiers: host, net, port or portrange. */
  const valued = (q: Qualifiers): FrameFilter => {
    const v = eat();
    if (['(', ')', '!', '&&', '||', 'and', 'or', 'not'].includes(v)) throw new FilterError(SYNTAX);
    last = q;
    switch (q.kind) {
      case 'host': {
        const a = hostOf(v);
        return (f) => byDir(q.dir, (side) => addr(f, q.proto, side) === a);
      }
      case 'net': {
        let maskWord: string | null = null;
        if (peek() === 'mask') {
          i++;
          maskWord = eat();
        }
        const { net, mask } = netOf(v, maskWord);
        return (f) =>
          byDir(q.dir, (side) => {
            const x = addr(f, q.proto, side);
            return x !== null && (x & mask) >>> 0 === net;
          });
      }
      case 'port':
      case 'portrange': {
        let lo: number;
        let hi: number;
        if (q.kind === 'port') lo = hi = portOf(v);
        else {
          const m = /^([^-]+)-([^-]+)$/.exec(v);
          if (!m) throw new FilterError(SYNTAX);
          [lo, hi] = [portOf(m[1]), portOf(m[2])].sort((a, b) => a - b);
        }
        const protos = q.proto ? [IP_PROTO[q.proto]] : [IP_PROTO.tcp, IP_PROTO.udp, IP_PROTO.sctp];
        return (f) => {
          const o = transport(f);
          if (o < 0 || !protos.includes(ipProto(f))) return false;
          need(f, o + 4);
          const ports = { src: getU16(f, o), dst: getU16(f, o + 2) };
          return byDir(q.dir, (side) => ports[side] >= lo && ports[side] <= hi);
        };
      }
    }
  };

  const primitive = (): FrameFilter => {
    const w = eat();
    if (w === '(') {
      const e = expr();
      if (eat() !== ')') throw new FilterError(SYNTAX);
      return e;
    }
    if (w.includes('[')) throw new FilterError(`'${w}': arithmetic filters are not modelled in skblab`);
    if (w === 'less' || w === 'greater') {
      const n = eat();
      if (!/^\d+$/.test(n)) throw new FilterError(SYNTAX);
      return w === 'less' ? (f) => f.length <= Number(n) : (f) => f.length >= Number(n);
    }
    if (w === 'broadcast') return (f) => (need(f, 6), f.subarray(0, 6).every((b) => b === 0xff));
    let proto: string | null = null;
    let word = w;
    if (word === 'ether' || word in ETHERTYPE || word in IP_PROTO) {
      proto = word;
      const next = peek();
      // `ip proto N`: the IPv4 protocol field.
      if (word === 'ip' && next === 'proto') {
        i++;
        const v = eat();
        const n = /^\d+$/.test(v) ? Number(v) : IP_PROTO[v.replace(/^\\/, '')];
        if (n === undefined) throw new FilterError(SYNTAX);
        return (f) => ipProto(f) === (n & 0xff);
      }
      if (
        next === undefined ||
        !['src', 'dst', 'host', 'net', 'port', 'portrange', 'broadcast'].includes(next)
      ) {
        if (word === 'ether') throw new FilterError(SYNTAX);
        if (word in ETHERTYPE) return (f) => ethertype(f) === ETHERTYPE[word];
        return (f) => ipProto(f) === IP_PROTO[word];
      }
      word = eat();
      if (word === 'broadcast') return (f) => (need(f, 6), f.subarray(0, 6).every((b) => b === 0xff));
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
    if (word === 'host' || word === 'net' || word === 'port' || word === 'portrange') {
      if (proto === 'ether')
        throw new FilterError(`'ether ${word}': Ethernet addresses are not modelled in skblab`);
      return valued({ proto, dir, kind: word });
    }
    // A bare value: a host, or whatever the primitive before it was about.
    i--;
    if (proto === null && last === null && inet_aton(w) === null && resolve(w) === null)
      throw new FilterError(SYNTAX);
    return valued(last ?? { proto: null, dir: 'src or dst', kind: 'host' });
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
      if (w === 'and' || w === '&&') {
        i++;
        const a = e;
        const b = unary();
        e = (f) => a(f) && b(f);
      } else if (w === 'or' || w === '||') {
        i++;
        const a = e;
        const b = unary();
        e = (f) => a(f) || b(f);
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
