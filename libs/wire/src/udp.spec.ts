import * as udp from './udp';
import { checkUdpHeader, emitUdpHeader, parseUdpHeader, UDP_HLEN, UdpRepr } from './udp';
import { parseIpv4 } from './address';
import { transportChecksum } from './checksum';
import { IPPROTO_UDP, parseIpv4Header } from './ipv4';
import { WireError } from './result';
import { golden, GoldenName } from './__golden__/load';

function udpOf(name: GoldenName, verify = true) {
  const f = golden(name);
  const ip = parseIpv4Header(f, 14, f.length - 14);
  if (!ip.ok) throw new Error(ip.error);
  const off = 14 + ip.value.headerLength;
  const len = ip.value.totalLength - ip.value.headerLength;
  const r = parseUdpHeader(f, off, len, ip.value.src, ip.value.dst, verify);
  return { f, off, len, src: ip.value.src, dst: ip.value.dst, r };
}

function value(r: ReturnType<typeof parseUdpHeader>): UdpRepr {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('UDP', () => {
  it('parses the datagram nc sent over veth (software checksum)', () => {
    const { f, off, r } = udpOf('udp');
    expect(value(r)).toEqual({ srcPort: 5000, dstPort: 6000, length: 12, checksum: udp.checksum(f, off) });
    expect(new TextDecoder().decode(f.subarray(off + 8, off + 12))).toBe('abcd');
  });

  it('computes the checksum the kernel computed', () => {
    const { f, off, src, dst } = udpOf('udp');
    expect(udp.computeChecksum(f, off, src, dst)).toBe(udp.checksum(f, off));
    expect(udp.checksumValid(f, off, src, dst)).toBe(true);
  });

  it('sends 0xffff when the checksum computes to 0, as the kernel did', () => {
    const { f, off, src, dst, r } = udpOf('udpChecksumFfff');
    expect(value(r).checksum).toBe(0xffff);
    expect(transportChecksum(f, off, 12, 6, src, dst, IPPROTO_UDP)).toBe(0);
    expect(udp.computeChecksum(f, off, src, dst)).toBe(0xffff);
    expect(new TextDecoder().decode(f.subarray(off + 8, off + 12))).toBe('ab^{');
  });

  it('lo: the field holds the CHECKSUM_PARTIAL pseudo-header sum, not a valid checksum', () => {
    const { f, off, src, dst, r } = udpOf('loUdp');
    expect(r).toEqual({ ok: false, error: WireError.BadChecksum });
    expect(udp.checksum(f, off)).toBe(0xfe1f);
    expect(udp.computeChecksum(f, off, src, dst)).toBe(0x126f); // tcpdump: "bad udp cksum 0xfe1f -> 0x126f!"
    const unverified = udpOf('loUdp', false);
    expect(value(unverified.r)).toMatchObject({ srcPort: 5000, dstPort: 6000, length: 12 });
  });

  it.each([
    ['udp', 'full'],
    ['udpChecksumFfff', 'full'],
    ['loUdp', 'partial'],
  ] as Array<[GoldenName, udp.ChecksumMode]>)('re-emits %s with %s checksum byte for byte', (name, mode) => {
    const { f, off, len, src, dst } = udpOf(name, false);
    const out = new Uint8Array(len);
    out.set(f.subarray(off + UDP_HLEN, off + len), UDP_HLEN);
    expect(
      emitUdpHeader(
        { srcPort: udp.srcPort(f, off), dstPort: udp.dstPort(f, off), length: len },
        out,
        0,
        src,
        dst,
        mode,
      ),
    ).toBe(8);
    expect(out).toEqual(f.subarray(off, off + len));
  });

  it("'none' writes 0, which parses as valid (no checksum)", () => {
    const { f, off, len, src, dst } = udpOf('udp');
    udp.fillChecksum(f, off, src, dst, 'none');
    expect(udp.checksum(f, off)).toBe(0);
    expect(checkUdpHeader(f, off, len, src, dst)).toBeNull();
  });

  it('rejects truncated headers, bad lengths and bad checksums', () => {
    const { f, off, len, src, dst } = udpOf('udp');
    expect(checkUdpHeader(f, off, 7, src, dst)).toBe(WireError.Truncated);
    expect(checkUdpHeader(f, off, len - 1, src, dst)).toBe(WireError.Truncated); // length field 12 > 11
    const small = golden('udp');
    udp.setLength(small, off, 7);
    expect(checkUdpHeader(small, off, len, src, dst)).toBe(WireError.BadLength);
    const bad = golden('udp');
    bad[off + 9] ^= 0x20;
    expect(checkUdpHeader(bad, off, len, src, dst)).toBe(WireError.BadChecksum);
    expect(checkUdpHeader(bad, off, len, src, dst, false)).toBeNull();
    // the same bytes to a different destination do not verify: the pseudo-header counts
    expect(checkUdpHeader(f, off, len, src, parseIpv4('10.0.0.253') as number)).toBe(WireError.BadChecksum);
  });

  it('allows trailing bytes beyond the length field', () => {
    const { f, off, src, dst } = udpOf('udp');
    const longer = new Uint8Array(f.length + 6);
    longer.set(f);
    expect(checkUdpHeader(longer, off, 18, src, dst)).toBeNull();
  });
});
