import * as icmp from './icmp';
import {
  checkIcmpMessage,
  emitIcmpMessage,
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_EXC_TTL,
  ICMP_FRAG_NEEDED,
  ICMP_PORT_UNREACH,
  ICMP_TIME_EXCEEDED,
  IcmpRepr,
  icmpMessageLength,
  icmpReprType,
  parseIcmpMessage,
  parseIcmpQuote,
} from './icmp';
import { ipv4ToString } from './address';
import { IPPROTO_ICMP, IPPROTO_UDP, parseIpv4Header } from './ipv4';
import { udpChecksumValid } from './index';
import { WireError } from './result';
import { golden, GoldenName } from './__golden__/load';

/** The ICMP message of a golden frame: [frame, offset, length]. */
function icmpOf(name: GoldenName): [Uint8Array, number, number, IcmpRepr] {
  const f = golden(name);
  const ip = parseIpv4Header(f, 14, f.length - 14);
  if (!ip.ok) throw new Error(ip.error);
  expect(ip.value.protocol).toBe(IPPROTO_ICMP);
  const off = 14 + ip.value.headerLength;
  const len = ip.value.totalLength - ip.value.headerLength;
  const r = parseIcmpMessage(f, off, len);
  if (!r.ok) throw new Error(`${name}: ${r.error}`);
  return [f, off, len, r.value];
}

describe('ICMP echo', () => {
  it.each([
    ['loEchoRequest', 'echoRequest', 20873],
    ['loEchoReply', 'echoReply', 20873],
    ['echoRequest', 'echoRequest', 21000],
    ['echoReply', 'echoReply', 21000],
    ['ttl1EchoRequest', 'echoRequest', 21010],
  ] as Array<[GoldenName, string, number]>)('parses %s', (name, kind, ident) => {
    const [, , len, r] = icmpOf(name);
    expect(r.kind).toBe(kind);
    if (r.kind !== 'echoRequest' && r.kind !== 'echoReply') return;
    expect(r.ident).toBe(ident);
    expect(r.seq).toBe(1);
    expect(r.code).toBe(0);
    expect(len).toBe(64);
    expect(r.data.length).toBe(56);
    // iputils ping: 16 bytes of timestamp, then 0x10, 0x11, …
    expect(Array.from(r.data.subarray(16, 20))).toEqual([0x10, 0x11, 0x12, 0x13]);
  });

  it('the reply echoes the request payload', () => {
    const [, , , req] = icmpOf('echoRequest');
    const [, , , rep] = icmpOf('echoReply');
    expect(rep.data).toEqual(req.data);
  });

  it('byte view reads the same fields', () => {
    const [f, off] = icmpOf('loEchoRequest');
    expect(icmp.type(f, off)).toBe(ICMP_ECHO);
    expect(icmp.code(f, off)).toBe(0);
    expect(icmp.echoIdent(f, off)).toBe(20873);
    expect(icmp.echoSeq(f, off)).toBe(1);
    expect(icmp.checksumValid(f, off, 64)).toBe(true);
    expect(icmp.computeChecksum(f, off, 64)).toBe(icmp.checksum(f, off));
  });

  it('emits a reply from a hand-written repr into a fresh buffer, checksum identical to the kernel', () => {
    const [f, off, len, req] = icmpOf('loEchoReply');
    if (req.kind !== 'echoReply') throw new Error('not a reply');
    const out = new Uint8Array(len);
    const data = Uint8Array.from(req.data);
    expect(emitIcmpMessage({ kind: 'echoReply', ident: 20873, seq: 1, data }, out, 0)).toBe(64);
    expect(out).toEqual(f.subarray(off, off + len));
  });

  it('turning a request into a reply in place only changes type and checksum (as icmp_reply does)', () => {
    const [f, off, len, req] = icmpOf('echoRequest');
    if (req.kind !== 'echoRequest') throw new Error('not a request');
    const before = f.slice(off, off + len);
    emitIcmpMessage({ ...req, kind: 'echoReply' }, f, off); // data aliases f: not copied
    expect(f[off]).toBe(0);
    expect(icmp.checksumValid(f, off, len)).toBe(true);
    expect(f.subarray(off + 4, off + len)).toEqual(before.subarray(4));
    // and it equals what R actually sent back (the ICMP part)
    const [rf, roff] = icmpOf('echoReply');
    expect(f.subarray(off, off + len)).toEqual(rf.subarray(roff, roff + len));
  });
});

describe('ICMP errors', () => {
  it('port unreachable quotes the whole UDP datagram, checksum and all', () => {
    const [, , len, r] = icmpOf('portUnreachable');
    expect(r.kind).toBe('destUnreachable');
    if (r.kind !== 'destUnreachable') return;
    expect(r.code).toBe(ICMP_PORT_UNREACH);
    expect(r.nextHopMtu).toBe(0);
    expect(len).toBe(40);
    expect(r.data).toEqual(golden('udp').subarray(14));
    const q = parseIcmpQuote(r.data, 0, r.data.length);
    if (!q.ok) throw new Error(q.error);
    expect(q.value.ip.protocol).toBe(IPPROTO_UDP);
    expect(ipv4ToString(q.value.ip.src)).toBe('10.0.0.1');
    expect(ipv4ToString(q.value.ip.dst)).toBe('10.0.0.254');
    expect(q.value.srcPort).toBe(5000);
    expect(q.value.dstPort).toBe(6000);
    expect(q.value.payloadLength).toBe(12);
    expect(udpChecksumValid(r.data, q.value.payloadOffset, q.value.ip.src, q.value.ip.dst)).toBe(true);
  });

  it('frag-needed carries the next-hop MTU and a 548-byte quote', () => {
    const [f, off, len, r] = icmpOf('fragNeeded');
    expect(r.kind).toBe('destUnreachable');
    if (r.kind !== 'destUnreachable') return;
    expect(r.code).toBe(ICMP_FRAG_NEEDED);
    expect(r.nextHopMtu).toBe(1280);
    expect(icmp.nextHopMtu(f, off)).toBe(1280);
    expect(len).toBe(556);
    expect(r.data.length).toBe(548);
    expect(20 + len).toBe(icmp.ICMP_ERROR_MAX_DATAGRAM);
    // the quote is the start of the DF ping A sent
    expect(r.data).toEqual(golden('dfEchoRequest').subarray(14, 14 + 548));
    const q = parseIcmpQuote(r.data, 0, r.data.length);
    if (!q.ok) throw new Error(q.error);
    expect(q.value.ip.totalLength).toBe(1428);
    expect(q.value.ip.df).toBe(true);
    expect(q.value.srcPort).toBeNull();
    expect(icmp.echoIdent(r.data, q.value.payloadOffset)).toBe(21009);
  });

  it('time exceeded quotes the TTL-1 datagram as received (TTL still 1)', () => {
    const [, , len, r] = icmpOf('timeExceeded');
    expect(r.kind).toBe('timeExceeded');
    if (r.kind !== 'timeExceeded') return;
    expect(r.code).toBe(ICMP_EXC_TTL);
    expect(len).toBe(92);
    expect(r.data).toEqual(golden('ttl1EchoRequest').subarray(14));
    const q = parseIcmpQuote(r.data, 0, r.data.length);
    expect(q.ok && q.value.ip.ttl).toBe(1);
  });

  it.each(['portUnreachable', 'portUnreachableFfff', 'fragNeeded', 'timeExceeded'] as GoldenName[])(
    're-emits %s from its repr byte for byte',
    (name) => {
      const [f, off, len, r] = icmpOf(name);
      const copy = { ...r, data: Uint8Array.from(r.data) } as IcmpRepr;
      const out = new Uint8Array(len);
      expect(icmpMessageLength(copy)).toBe(len);
      expect(emitIcmpMessage(copy, out, 0)).toBe(len);
      expect(out).toEqual(f.subarray(off, off + len));
    },
  );

  it('builds a frag-needed from scratch like icmp_send', () => {
    const [f, off, len] = icmpOf('fragNeeded');
    const quote = golden('dfEchoRequest').subarray(14, 14 + 548);
    const out = new Uint8Array(len);
    emitIcmpMessage(
      { kind: 'destUnreachable', code: ICMP_FRAG_NEEDED, nextHopMtu: 1280, data: quote },
      out,
      0,
    );
    expect(out).toEqual(f.subarray(off, off + len));
  });

  it('knows which types are errors', () => {
    expect(icmp.isErrorType(ICMP_DEST_UNREACH)).toBe(true);
    expect(icmp.isErrorType(ICMP_TIME_EXCEEDED)).toBe(true);
    expect(icmp.isErrorType(ICMP_ECHO)).toBe(false);
    expect(icmpReprType({ kind: 'timeExceeded', code: 0, data: new Uint8Array(0) })).toBe(11);
  });
});

describe('ICMP other types and validation', () => {
  it('keeps unknown types opaque and round-trips them', () => {
    const b = new Uint8Array(12);
    const r: IcmpRepr = {
      kind: 'other',
      type: 13,
      code: 0,
      rest: 0x00070003,
      data: new Uint8Array(4).fill(9),
    };
    emitIcmpMessage(r, b, 0);
    const p = parseIcmpMessage(b, 0, 12);
    if (!p.ok) throw new Error(p.error);
    expect(p.value).toMatchObject({ kind: 'other', type: 13, code: 0, rest: 0x00070003 });
  });

  it('keeps a dest-unreachable with non-zero unused bytes opaque so it round-trips', () => {
    const [f, off, len] = icmpOf('portUnreachable');
    f[off + 5] = 10; // RFC 4884 length
    icmp.fillChecksum(f, off, len);
    const p = parseIcmpMessage(f, off, len);
    if (!p.ok) throw new Error(p.error);
    expect(p.value.kind).toBe('other');
    const out = new Uint8Array(len);
    emitIcmpMessage({ ...p.value, data: Uint8Array.from(p.value.data) }, out, 0);
    expect(out).toEqual(f.subarray(off, off + len));
  });

  it('rejects truncated messages and bad checksums', () => {
    const [f, off, len] = icmpOf('echoRequest');
    expect(checkIcmpMessage(f, off, 7)).toBe(WireError.Truncated);
    expect(checkIcmpMessage(f, off, len - 1)).toBe(WireError.BadChecksum);
    f[off + 30] ^= 1;
    expect(parseIcmpMessage(f, off, len)).toEqual({ ok: false, error: WireError.BadChecksum });
    expect(parseIcmpMessage(f, off, len, false).ok).toBe(true);
  });

  it('rejects a quote shorter than an IP header', () => {
    const [, , , r] = icmpOf('timeExceeded');
    expect(parseIcmpQuote(r.data, 0, 19)).toEqual({ ok: false, error: WireError.Truncated });
  });
});
