import * as arp from './arp';
import { ARP_HLEN, ARPOP_REPLY, ARPOP_REQUEST, checkArpPacket, emitArpPacket, parseArpPacket } from './arp';
import { ipv4ToString, parseIpv4 } from './address';
import { formatMac, isZeroMac, parseMac } from './mac';
import { WireError } from './result';
import { golden } from './__golden__/load';

describe('ARP', () => {
  it('parses the kernel ARP request (A asks for 10.0.0.254)', () => {
    const f = golden('arpRequest');
    expect(f.length).toBe(42); // veth does not pad to 60
    const r = parseArpPacket(f, 14, f.length - 14);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.operation).toBe(ARPOP_REQUEST);
    expect(formatMac(r.value.senderMac)).toBe('02:00:00:00:00:01');
    expect(ipv4ToString(r.value.senderIp)).toBe('10.0.0.1');
    expect(isZeroMac(r.value.targetMac)).toBe(true);
    expect(ipv4ToString(r.value.targetIp)).toBe('10.0.0.254');
  });

  it('parses the reply', () => {
    const f = golden('arpReply');
    const r = parseArpPacket(f, 14, f.length - 14);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.operation).toBe(ARPOP_REPLY);
    expect(formatMac(r.value.senderMac)).toBe('02:00:00:00:00:fe');
    expect(ipv4ToString(r.value.senderIp)).toBe('10.0.0.254');
    expect(formatMac(r.value.targetMac)).toBe('02:00:00:00:00:01');
    expect(ipv4ToString(r.value.targetIp)).toBe('10.0.0.1');
  });

  it('emits the reply from a hand-written repr, byte for byte', () => {
    const f = golden('arpReply');
    const out = new Uint8Array(ARP_HLEN);
    const n = emitArpPacket(
      {
        operation: ARPOP_REPLY,
        senderMac: parseMac('02:00:00:00:00:fe') as Uint8Array,
        senderIp: parseIpv4('10.0.0.254') as number,
        targetMac: parseMac('02:00:00:00:00:01') as Uint8Array,
        targetIp: parseIpv4('10.0.0.1') as number,
      },
      out,
      0,
    );
    expect(n).toBe(28);
    expect(out).toEqual(f.subarray(14));
  });

  it('byte view reads the same fields in place', () => {
    const f = golden('arpRequest');
    expect(arp.hardwareType(f, 14)).toBe(1);
    expect(arp.protocolType(f, 14)).toBe(0x0800);
    expect(arp.hardwareLength(f, 14)).toBe(6);
    expect(arp.protocolLength(f, 14)).toBe(4);
    expect(arp.operation(f, 14)).toBe(1);
    expect(ipv4ToString(arp.senderIp(f, 14))).toBe('10.0.0.1');
    expect(ipv4ToString(arp.targetIp(f, 14))).toBe('10.0.0.254');
    expect(formatMac(f, 14 + arp.ARP_SHA_OFFSET)).toBe('02:00:00:00:00:01');
    arp.setOperation(f, 14, ARPOP_REPLY);
    arp.setTargetIp(f, 14, parseIpv4('1.2.3.4') as number);
    expect(arp.operation(f, 14)).toBe(2);
    expect(ipv4ToString(arp.targetIp(f, 14))).toBe('1.2.3.4');
  });

  it('rejects truncated packets and non-Ethernet/IPv4 ARP', () => {
    const f = golden('arpRequest');
    expect(checkArpPacket(f, 14, 27)).toBe(WireError.Truncated);
    expect(checkArpPacket(f, 14, 7)).toBe(WireError.Truncated);
    expect(checkArpPacket(f, 14, 28)).toBeNull();
    const hw = golden('arpRequest');
    arp.setHardwareType(hw, 14, 6);
    expect(parseArpPacket(hw, 14, 28)).toEqual({ ok: false, error: WireError.Unsupported });
    const pr = golden('arpRequest');
    arp.setProtocolType(pr, 14, 0x86dd);
    expect(checkArpPacket(pr, 14, 28)).toBe(WireError.Unsupported);
    const pl = golden('arpRequest');
    arp.setProtocolLength(pl, 14, 16);
    expect(checkArpPacket(pl, 14, 28)).toBe(WireError.Unsupported);
  });
});
