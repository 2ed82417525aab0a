import * as ip from './ipv4';
import {
  checkIpv4Header,
  emitIpv4Header,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  Ipv4Repr,
  parseIpv4Header,
  parseQuotedIpv4Header,
} from './ipv4';
import { ipv4ToString, parseIpv4 } from './address';
import { checkIcmpMessage, parseIcmpMessage } from './icmp';
import { WireError } from './result';
import { golden, GoldenName } from './__golden__/load';

function ipOf(name: GoldenName): Ipv4Repr {
  const f = golden(name);
  const r = parseIpv4Header(f, 14, f.length - 14);
  if (!r.ok) throw new Error(`${name}: ${r.error}`);
  return r.value;
}

/** Field values as `tcpdump -n -vv -r` printed them (test/golden/wire/*.tcpdump-vv-e.txt). */
const EXPECTED: Array<[GoldenName, Partial<Ipv4Repr> & { s?: string; d?: string }]> = [
  [
    'loEchoRequest',
    {
      s: '127.0.0.1',
      d: '127.0.0.1',
      id: 11497,
      df: true,
      ttl: 64,
      tos: 0,
      totalLength: 84,
      protocol: IPPROTO_ICMP,
    },
  ],
  ['loEchoReply', { s: '127.0.0.1', d: '127.0.0.1', id: 11498, df: false, ttl: 64, totalLength: 84 }],
  ['loUdp', { s: '127.0.0.1', d: '127.0.0.1', id: 48423, df: true, totalLength: 32, protocol: IPPROTO_UDP }],
  ['echoRequest', { s: '10.0.0.1', d: '10.0.0.254', id: 18164, df: true, ttl: 64, totalLength: 84 }],
  ['echoReply', { s: '10.0.0.254', d: '10.0.0.1', id: 22721, df: false, ttl: 64, totalLength: 84 }],
  ['fragment1', { id: 18165, df: false, mf: true, fragOffset: 0, totalLength: 1500 }],
  ['fragment2', { id: 18165, df: false, mf: true, fragOffset: 1480, totalLength: 1500 }],
  ['fragment3', { id: 18165, df: false, mf: false, fragOffset: 2960, totalLength: 68 }],
  ['udp', { s: '10.0.0.1', d: '10.0.0.254', id: 34480, df: true, totalLength: 32, protocol: IPPROTO_UDP }],
  ['portUnreachable', { s: '10.0.0.254', d: '10.0.0.1', id: 22727, df: false, tos: 0xc0, totalLength: 60 }],
  ['udpChecksumFfff', { id: 43049, df: true, totalLength: 32 }],
  ['tcpSyn', { s: '10.0.0.1', d: '10.0.0.254', id: 13793, df: true, totalLength: 60, protocol: IPPROTO_TCP }],
  ['tcpRst', { s: '10.0.0.254', d: '10.0.0.1', id: 0, df: true, totalLength: 40, protocol: IPPROTO_TCP }],
  ['dfEchoRequest', { s: '10.0.0.1', d: '10.0.1.2', id: 0, df: true, totalLength: 1428 }],
  ['fragNeeded', { s: '10.0.0.254', d: '10.0.0.1', id: 22730, df: false, tos: 0xc0, totalLength: 576 }],
  ['ttl1EchoRequest', { d: '10.0.1.2', id: 26664, ttl: 1, df: true }],
  ['timeExceeded', { id: 22731, tos: 0xc0, totalLength: 112, ttl: 64 }],
  ['fwdEchoRequestIn', { id: 26666, ttl: 64 }],
  ['fwdEchoRequestOut', { s: '10.0.0.1', d: '10.0.1.2', id: 26666, ttl: 63 }],
];

describe('IPv4 header', () => {
  it.each(EXPECTED)('parses %s as tcpdump -vv saw it', (name, want) => {
    const r = ipOf(name);
    const { s, d, ...fields } = want;
    expect(r).toMatchObject(fields);
    if (s) expect(ipv4ToString(r.src)).toBe(s);
    if (d) expect(ipv4ToString(r.dst)).toBe(d);
    expect(r.headerLength).toBe(20);
    expect(r.options).toBeUndefined();
  });

  it('byte view agrees with the repr', () => {
    const f = golden('fragment2');
    expect(ip.version(f, 14)).toBe(4);
    expect(ip.headerLength(f, 14)).toBe(20);
    expect(ip.totalLength(f, 14)).toBe(1500);
    expect(ip.ident(f, 14)).toBe(18165);
    expect(ip.dontFragment(f, 14)).toBe(false);
    expect(ip.moreFragments(f, 14)).toBe(true);
    expect(ip.fragOffset(f, 14)).toBe(1480);
    expect(ip.isFragment(f, 14)).toBe(true);
    expect(ip.isFragment(golden('echoRequest'), 14)).toBe(false);
    expect(ip.ttl(f, 14)).toBe(64);
    expect(ip.protocol(f, 14)).toBe(IPPROTO_ICMP);
    expect(ipv4ToString(ip.src(f, 14))).toBe('10.0.0.1');
    expect(ipv4ToString(ip.dst(f, 14))).toBe('10.0.0.254');
    expect(ip.dscp(golden('portUnreachable'), 14)).toBe(0x30);
    expect(ip.ecn(golden('portUnreachable'), 14)).toBe(0);
  });

  it('emits the lo echo request header from a hand-written repr, checksum included', () => {
    const f = golden('loEchoRequest');
    const out = new Uint8Array(20);
    const lo = parseIpv4('127.0.0.1') as number;
    const n = emitIpv4Header(
      {
        src: lo,
        dst: lo,
        protocol: IPPROTO_ICMP,
        ttl: 64,
        tos: 0,
        id: 11497,
        df: true,
        mf: false,
        fragOffset: 0,
        totalLength: 84,
        headerLength: 20,
      },
      out,
      0,
    );
    expect(n).toBe(20);
    expect(out).toEqual(f.subarray(14, 34));
  });

  it('computes the same header checksum the kernel did, for every captured datagram', () => {
    for (const [name] of EXPECTED) {
      const f = golden(name);
      expect([name, ip.computeHeaderChecksum(f, 14)]).toEqual([name, ip.checksum(f, 14)]);
      expect(ip.headerChecksumValid(f, 14)).toBe(true);
      ip.setChecksum(f, 14, 0);
      ip.fillHeaderChecksum(f, 14);
      expect(f).toEqual(golden(name));
    }
  });

  it("decrementTtl turns R's input into exactly the header R forwarded (ip_decrease_ttl)", () => {
    const inFrame = golden('fwdEchoRequestIn');
    const outFrame = golden('fwdEchoRequestOut');
    expect(ip.decrementTtl(inFrame, 14)).toBe(63);
    expect(inFrame.subarray(14, 34)).toEqual(outFrame.subarray(14, 34));
    expect(ip.headerChecksumValid(inFrame, 14)).toBe(true);
  });

  it('decrementTtl matches a full recompute for every checksum value (carry cases included)', () => {
    const h = golden('echoRequest').subarray(14, 34);
    const seen = new Set<number>();
    for (let id = 0; id < 0x10000; id++) {
      ip.setIdent(h, 0, id);
      ip.setTtl(h, 0, 64);
      ip.fillHeaderChecksum(h, 0);
      seen.add(ip.checksum(h, 0));
      ip.decrementTtl(h, 0);
      expect(ip.ttl(h, 0)).toBe(63);
      const inc = ip.checksum(h, 0);
      const full = ip.computeHeaderChecksum(h, 0);
      if (inc !== full) {
        // only the two encodings of one's-complement zero may differ
        expect([inc, full].sort()).toEqual([0, 0xffff]);
      }
      expect(ip.headerChecksumValid(h, 0)).toBe(true);
    }
    expect(seen.size).toBe(0xffff); // every checksum but 0xffff, which a non-zero sum never yields
  });

  it('accepts Ethernet padding after the total length', () => {
    const f = golden('tcpRst'); // 54 bytes; pad to 60 as a NIC would
    const padded = new Uint8Array(60);
    padded.set(f);
    const r = parseIpv4Header(padded, 14, 46);
    expect(r.ok && r.value.totalLength).toBe(40);
  });

  it('rejects a truncated header, a cut datagram, bad version, bad IHL, bad checksum and bad length', () => {
    const f = golden('echoRequest');
    const len = f.length - 14;
    expect(checkIpv4Header(f, 14, len)).toBeNull();
    expect(checkIpv4Header(f, 14, 19)).toBe(WireError.Truncated);
    expect(checkIpv4Header(f, 14, len - 1)).toBe(WireError.Truncated);

    const v6 = golden('echoRequest');
    v6[14] = 0x65;
    expect(parseIpv4Header(v6, 14, len)).toEqual({ ok: false, error: WireError.BadVersion });

    const ihl = golden('echoRequest');
    ihl[14] = 0x44;
    expect(checkIpv4Header(ihl, 14, len)).toBe(WireError.BadHeaderLength);

    const ihlLong = golden('echoRequest');
    ihlLong[14] = 0x4f; // 60-byte header in a 20-byte one: still parseable length-wise, checksum fails
    expect(checkIpv4Header(ihlLong, 14, len)).toBe(WireError.BadChecksum);
    expect(checkIpv4Header(ihlLong, 14, 40)).toBe(WireError.Truncated);

    const sum = golden('echoRequest');
    sum[14 + 8] = 63; // TTL changed without fixing the checksum
    expect(checkIpv4Header(sum, 14, len)).toBe(WireError.BadChecksum);
    expect(checkIpv4Header(sum, 14, len, false)).toBeNull();

    const short = golden('echoRequest');
    ip.setTotalLength(short, 14, 19);
    ip.fillHeaderChecksum(short, 14);
    expect(checkIpv4Header(short, 14, len)).toBe(WireError.BadLength);
  });

  it('emits and parses options, padded to the header length', () => {
    const b = new Uint8Array(28);
    const r: Ipv4Repr = {
      src: 1,
      dst: 2,
      protocol: 2,
      ttl: 1,
      tos: 0xc0,
      id: 0,
      df: true,
      mf: false,
      fragOffset: 0,
      totalLength: 28,
      headerLength: 28,
      options: Uint8Array.of(0x94, 0x04, 0x00, 0x00, 0x01), // router alert + NOP, padded with 3 zeros
    };
    b.fill(0xee);
    expect(emitIpv4Header(r, b, 0)).toBe(28);
    expect(b[0]).toBe(0x47);
    expect(Array.from(b.subarray(20, 28))).toEqual([0x94, 4, 0, 0, 1, 0, 0, 0]);
    const p = parseIpv4Header(b, 0, 28);
    if (!p.ok) throw new Error(p.error);
    expect(p.value.headerLength).toBe(28);
    expect(Array.from(p.value.options as Uint8Array)).toEqual([0x94, 4, 0, 0, 1, 0, 0, 0]);
  });

  it('setFragment writes DF/MF/offset and clears the reserved bit', () => {
    const b = new Uint8Array(20);
    b[6] = 0x80;
    ip.setFragment(b, 0, false, true, 2960);
    expect(ip.fragWord(b, 0)).toBe(ip.IP_MF | (2960 >> 3));
    ip.setFragment(b, 0, true, false, 0);
    expect(ip.fragWord(b, 0)).toBe(ip.IP_DF);
  });
});

describe('IPv4 fragments of ping -s 3000', () => {
  const names: GoldenName[] = ['fragment1', 'fragment2', 'fragment3'];

  it('reassemble into one ICMP echo request whose checksum verifies', () => {
    const parts = names.map((n) => ({ f: golden(n), r: ipOf(n) }));
    const total = parts.reduce((m, p) => Math.max(m, p.r.fragOffset + p.r.totalLength - p.r.headerLength), 0);
    expect(total).toBe(3008);
    const msg = new Uint8Array(total);
    for (const p of parts) msg.set(p.f.subarray(14 + p.r.headerLength, 14 + p.r.totalLength), p.r.fragOffset);
    const icmp = parseIcmpMessage(msg, 0, msg.length);
    if (!icmp.ok) throw new Error(icmp.error);
    expect(icmp.value.kind).toBe('echoRequest');
    if (icmp.value.kind !== 'echoRequest') return;
    expect(icmp.value.ident).toBe(21001);
    expect(icmp.value.seq).toBe(1);
    expect(icmp.value.data.length).toBe(3000);
  });

  it('the first fragment alone does not carry a valid ICMP checksum', () => {
    const f = golden('fragment1');
    expect(checkIcmpMessage(f, 34, 1480)).toBe(WireError.BadChecksum);
    expect(checkIcmpMessage(f, 34, 1480, false)).toBeNull();
  });
});

describe('quoted IPv4 header', () => {
  it('parses the header quoted by frag-needed although the quote is cut', () => {
    const f = golden('fragNeeded');
    const q = parseQuotedIpv4Header(f, 14 + 20 + 8, f.length - 42);
    if (!q.ok) throw new Error(q.error);
    expect(q.value.totalLength).toBe(1428);
    expect(f.length - 42).toBe(548);
    expect(ipv4ToString(q.value.dst)).toBe('10.0.1.2');
    // the full parser would call it truncated
    expect(checkIpv4Header(f, 42, f.length - 42)).toBe(WireError.Truncated);
  });

  it('still rejects a quote too short for a header', () => {
    const f = golden('fragNeeded');
    expect(parseQuotedIpv4Header(f, 42, 19)).toEqual({ ok: false, error: WireError.Truncated });
  });
});
