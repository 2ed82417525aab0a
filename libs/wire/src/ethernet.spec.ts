import * as eth from './ethernet';
import {
  checkEthernetHeader,
  emitEthernetHeader,
  ETH_HLEN,
  ETH_P_ARP,
  ETH_P_IP,
  parseEthernetHeader,
} from './ethernet';
import { formatMac, parseMac } from './mac';
import { WireError } from './result';
import { golden } from './__golden__/load';

describe('Ethernet', () => {
  it('reads the header of a real ARP broadcast', () => {
    const f = golden('arpRequest');
    const r = parseEthernetHeader(f, 0, f.length);
    if (!r.ok) throw new Error(r.error);
    expect(formatMac(r.value.dst)).toBe('ff:ff:ff:ff:ff:ff');
    expect(formatMac(r.value.src)).toBe('02:00:00:00:00:01');
    expect(r.value.etherType).toBe(ETH_P_ARP);
    expect(eth.isBroadcastDst(f, 0)).toBe(true);
    expect(eth.isMulticastDst(f, 0)).toBe(true);
  });

  it('reads lo frames: all-zero MACs, EtherType IPv4', () => {
    const f = golden('loEchoRequest');
    expect(eth.etherType(f, 0)).toBe(ETH_P_IP);
    expect(formatMac(eth.dstMac(f, 0))).toBe('00:00:00:00:00:00');
    expect(formatMac(eth.srcMac(f, 0))).toBe('00:00:00:00:00:00');
    expect(eth.isMulticastDst(f, 0)).toBe(false);
  });

  it('emits a header byte for byte as the kernel did', () => {
    const f = golden('echoReply');
    const out = new Uint8Array(ETH_HLEN);
    const n = emitEthernetHeader(
      {
        dst: parseMac('02:00:00:00:00:01') as Uint8Array,
        src: parseMac('02:00:00:00:00:fe') as Uint8Array,
        etherType: ETH_P_IP,
      },
      out,
      0,
    );
    expect(n).toBe(14);
    expect(out).toEqual(f.subarray(0, 14));
  });

  it('byte-view setters write in place at an offset', () => {
    const b = new Uint8Array(20);
    eth.setDstMac(b, 3, parseMac('aa:bb:cc:dd:ee:ff') as Uint8Array);
    eth.setSrcMac(b, 3, parseMac('02:00:00:00:00:01') as Uint8Array);
    eth.setEtherType(b, 3, ETH_P_ARP);
    expect(formatMac(b, 3)).toBe('aa:bb:cc:dd:ee:ff');
    expect(formatMac(b, 9)).toBe('02:00:00:00:00:01');
    expect(eth.etherType(b, 3)).toBe(0x0806);
    expect(b[0] | b[1] | b[2]).toBe(0);
  });

  it('rejects a frame shorter than 14 bytes', () => {
    const f = golden('arpRequest');
    expect(parseEthernetHeader(f, 0, 13)).toEqual({ ok: false, error: WireError.Truncated });
    expect(checkEthernetHeader(f, 0, 13)).toBe(WireError.Truncated);
    expect(checkEthernetHeader(f, 0, 14)).toBeNull();
  });
});
