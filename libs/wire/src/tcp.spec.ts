import * as tcp from './tcp';
import {
  checkTcpHeader,
  emitTcpHeader,
  emitTcpOptions,
  parseTcpHeader,
  parseTcpOptions,
  TCP_ACK,
  TCP_RST,
  TCP_SYN,
  TcpRepr,
  tcpOptionsLength,
} from './tcp';
import { parseIpv4 } from './address';
import { parseIpv4Header } from './ipv4';
import { WireError } from './result';
import { golden, GoldenName } from './__golden__/load';

function tcpOf(name: GoldenName) {
  const f = golden(name);
  const ip = parseIpv4Header(f, 14, f.length - 14);
  if (!ip.ok) throw new Error(ip.error);
  const off = 14 + ip.value.headerLength;
  const len = ip.value.totalLength - ip.value.headerLength;
  const r = parseTcpHeader(f, off, len, ip.value.src, ip.value.dst);
  if (!r.ok) throw new Error(`${name}: ${r.error}`);
  return { f, off, len, src: ip.value.src, dst: ip.value.dst, r: r.value };
}

describe('TCP', () => {
  it('parses the SYN nc sent (values from tcpdump -vv)', () => {
    const { r } = tcpOf('tcpSyn');
    expect(r).toMatchObject({
      srcPort: 40000,
      dstPort: 7000,
      seq: 2903232689,
      ack: 0,
      flags: TCP_SYN,
      window: 64240,
      urgent: 0,
      headerLength: 40,
      checksum: 0x0865,
    });
    expect(r.options.length).toBe(20);
  });

  it("decodes Linux's SYN options and lays them out again identically", () => {
    const { r } = tcpOf('tcpSyn');
    const o = parseTcpOptions(r.options, 0, r.options.length);
    if (!o.ok) throw new Error(o.error);
    expect(o.value).toEqual({ mss: 1460, sackPermitted: true, tsVal: 1973519537, tsEcr: 0, wscale: 10 });
    expect(tcpOptionsLength(o.value)).toBe(20);
    const out = new Uint8Array(20);
    expect(emitTcpOptions(o.value, out, 0)).toBe(20);
    expect(out).toEqual(r.options);
  });

  it('parses the RST/ACK the closed port answered with', () => {
    const { r, f, off } = tcpOf('tcpRst');
    expect(r).toMatchObject({
      srcPort: 7000,
      dstPort: 40000,
      seq: 0,
      ack: 2903232690,
      flags: TCP_RST | TCP_ACK,
      window: 0,
      headerLength: 20,
      checksum: 0x657b,
    });
    expect(r.options.length).toBe(0);
    expect(tcp.optionsLength(f, off)).toBe(0);
  });

  it('byte view reads the same fields', () => {
    const { f, off, len, src, dst } = tcpOf('tcpSyn');
    expect(tcp.srcPort(f, off)).toBe(40000);
    expect(tcp.dstPort(f, off)).toBe(7000);
    expect(tcp.seqNumber(f, off)).toBe(2903232689);
    expect(tcp.ackNumber(f, off)).toBe(0);
    expect(tcp.headerLength(f, off)).toBe(40);
    expect(tcp.optionsLength(f, off)).toBe(20);
    expect(tcp.flags(f, off)).toBe(TCP_SYN);
    expect(tcp.window(f, off)).toBe(64240);
    expect(tcp.urgentPointer(f, off)).toBe(0);
    expect(tcp.computeChecksum(f, off, len, src, dst)).toBe(0x0865);
    expect(tcp.checksumValid(f, off, len, src, dst)).toBe(true);
  });

  it.each(['tcpSyn', 'tcpRst'] as GoldenName[])(
    're-emits %s byte for byte, checksum computed here',
    (name) => {
      const { f, off, len, src, dst, r } = tcpOf(name);
      const out = new Uint8Array(len);
      const repr: TcpRepr = { ...r, checksum: undefined, options: Uint8Array.from(r.options) };
      expect(emitTcpHeader(repr, out, 0, len - r.headerLength, src, dst)).toBe(r.headerLength);
      expect(out).toEqual(f.subarray(off, off + len));
    },
  );

  it('builds the RST from scratch the way tcp_v4_send_reset answers a SYN', () => {
    const syn = tcpOf('tcpSyn').r;
    const { f, off, len, src, dst } = tcpOf('tcpRst');
    const out = new Uint8Array(20);
    emitTcpHeader(
      {
        srcPort: syn.dstPort,
        dstPort: syn.srcPort,
        seq: 0,
        ack: (syn.seq + 1) >>> 0,
        flags: TCP_RST | TCP_ACK,
        window: 0,
        urgent: 0,
        headerLength: 20,
        options: new Uint8Array(0),
      },
      out,
      0,
      0,
      src,
      dst,
    );
    expect(out).toEqual(f.subarray(off, off + len));
  });

  it("'partial' leaves the pseudo-header sum, like an offloading veth (tcpdump: cksum incorrect)", () => {
    const { f, off, len, src, dst } = tcpOf('tcpSyn');
    tcp.fillChecksum(f, off, len, src, dst, 'partial');
    expect(tcp.checksumValid(f, off, len, src, dst)).toBe(false);
    expect(checkTcpHeader(f, off, len, src, dst)).toBe(WireError.BadChecksum);
  });

  it('rejects truncated segments, short data offsets and bad checksums', () => {
    const { f, off, len, src, dst } = tcpOf('tcpSyn');
    expect(checkTcpHeader(f, off, 19, src, dst)).toBe(WireError.Truncated);
    expect(checkTcpHeader(f, off, 39, src, dst)).toBe(WireError.Truncated); // options cut
    const doff = golden('tcpSyn');
    tcp.setHeaderLength(doff, off, 16);
    expect(parseTcpHeader(doff, off, len, src, dst)).toEqual({ ok: false, error: WireError.BadHeaderLength });
    const bad = golden('tcpSyn');
    tcp.setWindow(bad, off, 1);
    expect(checkTcpHeader(bad, off, len, src, dst)).toBe(WireError.BadChecksum);
    expect(checkTcpHeader(bad, off, len, src, dst, false)).toBeNull();
    expect(checkTcpHeader(f, off, len, src, parseIpv4('10.0.0.2') as number)).toBe(WireError.BadChecksum);
  });
});

describe('TCP options', () => {
  it('skips NOPs and unknown options, stops at EOL, ignores wrong-size known options', () => {
    const b = Uint8Array.of(1, 1, 99, 4, 0xde, 0xad, 2, 3, 7, 3, 3, 7, 0, 2, 4, 5, 0xb4);
    const o = parseTcpOptions(b, 0, b.length);
    expect(o).toEqual({ ok: true, value: { wscale: 7 } });
  });

  it('decodes SACK blocks', () => {
    const b = new Uint8Array(20);
    const n = emitTcpOptions(
      {
        sack: [
          [100, 200],
          [300, 400],
        ],
      },
      b,
      0,
    );
    expect(n).toBe(20);
    expect(Array.from(b.subarray(0, 4))).toEqual([1, 1, 5, 18]);
    expect(parseTcpOptions(b, 0, n)).toEqual({
      ok: true,
      value: {
        sack: [
          [100, 200],
          [300, 400],
        ],
      },
    });
  });

  it('lays out timestamps without SACK-permitted behind two NOPs, and SACK-permitted alone likewise', () => {
    const b = new Uint8Array(40);
    expect(emitTcpOptions({ tsVal: 1, tsEcr: 2 }, b, 0)).toBe(12);
    expect(Array.from(b.subarray(0, 4))).toEqual([1, 1, 8, 10]);
    expect(emitTcpOptions({ mss: 536, sackPermitted: true }, b, 0)).toBe(8);
    expect(Array.from(b.subarray(0, 8))).toEqual([2, 4, 2, 0x18, 1, 1, 4, 2]);
    expect(tcpOptionsLength({ mss: 536, sackPermitted: true })).toBe(8);
  });

  it('rejects impossible option lengths', () => {
    expect(parseTcpOptions(Uint8Array.of(2, 1, 0, 0), 0, 4)).toEqual({
      ok: false,
      error: WireError.BadOption,
    });
    expect(parseTcpOptions(Uint8Array.of(2, 9, 5, 0xb4), 0, 4)).toEqual({
      ok: false,
      error: WireError.BadOption,
    });
    expect(parseTcpOptions(Uint8Array.of(1, 1, 1, 2), 0, 4)).toEqual({
      ok: false,
      error: WireError.BadOption,
    });
  });
});
