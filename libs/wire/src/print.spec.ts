import { formatArpPacket, formatEthernetFrame, formatFrame, formatIpv4Packet, formatTcpFlags } from './print';
import { GOLDEN, golden, GOLDEN_NAMES, printerCases } from './__golden__/load';

describe('tcpdump-style printer', () => {
  describe('matches `tcpdump -n -r` on every real capture', () => {
    it.each(GOLDEN_NAMES)('%s', (name) => {
      const f = golden(name);
      expect(formatEthernetFrame(f, 0, f.length)).toBe(GOLDEN[name].tcpdump);
    });
  });

  describe('matches tcpdump on the synthetic frames', () => {
    it.each(printerCases().map((c) => [c.name, c] as const))('%s', (_name, c) => {
      expect(formatFrame(c.frame)).toBe(c.tcpdump);
    });
  });

  describe('matches `tcpdump -v -n -r` on every real capture', () => {
    it.each(GOLDEN_NAMES)('%s', (name) => {
      const f = golden(name);
      expect(formatEthernetFrame(f, 0, f.length, 1)).toBe(GOLDEN[name].tcpdumpV);
    });
  });

  describe('matches tcpdump -v on the synthetic frames', () => {
    it.each(printerCases().map((c) => [c.name, c] as const))('%s', (_name, c) => {
      expect(formatEthernetFrame(c.frame, 0, c.frame.length, 1)).toBe(c.tcpdumpV);
    });
  });

  describe('matches `tcpdump -vv -n -r` on every real capture (lo shows its partial UDP checksum as bad)', () => {
    it.each(GOLDEN_NAMES)('%s', (name) => {
      const f = golden(name);
      expect(formatEthernetFrame(f, 0, f.length, 2)).toBe(GOLDEN[name].tcpdumpVV);
    });
  });

  describe('matches tcpdump -vv on the synthetic frames', () => {
    it.each(printerCases().map((c) => [c.name, c] as const))('%s', (_name, c) => {
      expect(formatEthernetFrame(c.frame, 0, c.frame.length, 2)).toBe(c.tcpdumpVV);
    });
  });

  it('formats an IPv4 datagram without the "IP " prefix', () => {
    const f = golden('loEchoRequest');
    expect(formatIpv4Packet(f, 14, f.length - 14)).toBe(
      '127.0.0.1 > 127.0.0.1: ICMP echo request, id 20873, seq 1, length 64',
    );
    const u = golden('udp');
    expect(formatIpv4Packet(u, 14, u.length - 14)).toBe('10.0.0.1.5000 > 10.0.0.254.6000: UDP, length 4');
  });

  it('formats ARP without the "ARP, " prefix', () => {
    const f = golden('arpRequest');
    expect(formatArpPacket(f, 14, 28)).toBe('Request who-has 10.0.0.254 tell 10.0.0.1, length 28');
    const r = golden('arpReply');
    expect(formatArpPacket(r, 14, 28)).toBe('Reply 10.0.0.254 is-at 02:00:00:00:00:fe, length 28');
  });

  it('works at an offset inside a larger buffer', () => {
    const f = golden('tcpSyn');
    const big = new Uint8Array(f.length + 100);
    big.set(f, 37);
    expect(formatEthernetFrame(big, 37, f.length)).toBe(GOLDEN.tcpSyn.tcpdump);
  });

  it('reports a frame cut inside the ICMP quote the way tcpdump does', () => {
    const f = golden('portUnreachable');
    // IP says 60 bytes, but only 30 of its payload were captured: not enough for the quoted destination
    expect(formatEthernetFrame(f, 0, 14 + 20 + 10)).toBe(
      'IP truncated-ip - 30 bytes missing! 10.0.0.254 > 10.0.0.1:  [|icmp]',
    );
  });

  it('spells TCP flags like tcpdump', () => {
    expect(formatTcpFlags(0x12)).toBe('S.');
    expect(formatTcpFlags(0x18)).toBe('P.');
    expect(formatTcpFlags(0x11)).toBe('F.');
    expect(formatTcpFlags(0)).toBe('none');
    expect(formatTcpFlags(0xff)).toBe('FSRP.UEW');
  });

  it('falls back to the link header for unknown EtherTypes, and flags a runt', () => {
    const f = golden('arpRequest');
    f[12] = 0x88;
    f[13] = 0xb5;
    expect(formatFrame(f)).toBe(
      '02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype Unknown (0x88b5), length 42: ',
    );
    expect(formatFrame(f.subarray(0, 10))).toBe(' [|ether]');
  });
});
