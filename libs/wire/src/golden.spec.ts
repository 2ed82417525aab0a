/**
 * Whole-frame round trip of every real capture: parse each layer into its repr, emit the reprs into a
 * fresh zeroed buffer (payload bytes copied, every checksum computed by this module), and demand the
 * kernel's bytes back exactly.
 */

import {
  emitArpPacket,
  ETH_P_ARP,
  ETH_P_IP,
  parseArpPacket,
  parseEthernetHeader,
  emitEthernetHeader,
} from './index';
import { emitIpv4Header, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, parseIpv4Header } from './ipv4';
import { emitIcmpMessage, parseIcmpMessage } from './icmp';
import { ChecksumMode, emitUdpHeader, parseUdpHeader } from './udp';
import { emitTcpHeader, parseTcpHeader } from './tcp';
import { GOLDEN, golden, GOLDEN_NAMES, GoldenName } from './__golden__/load';

/** Frames whose transport checksum is the CHECKSUM_PARTIAL value (lo offloads it). */
const PARTIAL: ReadonlySet<GoldenName> = new Set(['loUdp']);

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: string }, what: string): T {
  if (!r.ok) throw new Error(`${what}: ${r.error}`);
  return r.value;
}

function reemit(name: GoldenName, f: Uint8Array): Uint8Array {
  const out = new Uint8Array(f.length);
  const eth = unwrap(parseEthernetHeader(f, 0, f.length), 'ethernet');
  emitEthernetHeader(eth, out, 0);
  if (eth.etherType === ETH_P_ARP) {
    emitArpPacket(unwrap(parseArpPacket(f, 14, f.length - 14), 'arp'), out, 14);
    return out;
  }
  expect(eth.etherType).toBe(ETH_P_IP);
  const partial = PARTIAL.has(name);
  const ip = unwrap(parseIpv4Header(f, 14, f.length - 14), 'ipv4');
  const o = 14 + ip.headerLength;
  const len = ip.totalLength - ip.headerLength;
  emitIpv4Header(ip, out, 14);
  if (ip.mf || ip.fragOffset > 0) {
    out.set(f.subarray(o, o + len), o); // a fragment's payload is not a whole transport message
  } else if (ip.protocol === IPPROTO_ICMP) {
    const m = unwrap(parseIcmpMessage(f, o, len), 'icmp');
    emitIcmpMessage(m, out, o); // m.data aliases f, so it is copied into out
  } else if (ip.protocol === IPPROTO_UDP) {
    const u = unwrap(parseUdpHeader(f, o, len, ip.src, ip.dst, !partial), 'udp');
    out.set(f.subarray(o + 8, o + u.length), o + 8);
    const mode: ChecksumMode = partial ? 'partial' : 'full';
    emitUdpHeader(u, out, o, ip.src, ip.dst, mode);
  } else if (ip.protocol === IPPROTO_TCP) {
    const t = unwrap(parseTcpHeader(f, o, len, ip.src, ip.dst), 'tcp');
    out.set(f.subarray(o + t.headerLength, o + len), o + t.headerLength);
    emitTcpHeader(t, out, o, len - t.headerLength, ip.src, ip.dst);
  } else {
    throw new Error(`unexpected protocol ${ip.protocol}`);
  }
  return out;
}

describe('golden frames round-trip through parse + emit', () => {
  it.each(GOLDEN_NAMES)('%s', (name) => {
    const f = golden(name);
    expect(f.length).toBeGreaterThanOrEqual(42);
    expect(reemit(name, f)).toEqual(f);
  });

  it('covers every kind of frame the brief asked for', () => {
    const lines = GOLDEN_NAMES.map((n) => GOLDEN[n].tcpdump).join('\n');
    for (const want of [
      'ARP, Request',
      'ARP, Reply',
      'ICMP echo request',
      'ICMP echo reply',
      'ip-proto-1',
      'UDP, length',
      'udp port 6000 unreachable',
      'need to frag (mtu 1280)',
      'time exceeded in-transit',
      'Flags [S]',
      'Flags [R.]',
    ]) {
      expect(lines).toContain(want);
    }
  });
});
