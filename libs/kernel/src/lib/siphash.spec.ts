import { siphash } from './siphash';

describe('siphash (SipHash-2-4)', () => {
  const key = {
    key: [0x0706050403020100n, 0x0f0e0d0c0b0a0908n] as [bigint, bigint],
  };

  it('matches the reference vectors of the SipHash paper (key 00..0f, message 00..len-1)', () => {
    const msg = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);
    expect(siphash(msg(0), key)).toBe(0x726fdb47dd0e0e31n);
    expect(siphash(msg(8), key)).toBe(0x93f5f5799a932462n);
    expect(siphash(msg(15), key)).toBe(0xa129ca6149be45e5n);
  });

  it("gives the Fast Open cookie Linux gives for 192.0.2.1 -> 192.168.0.1 under packetdrill's default key", () => {
    // net.ipv4.tcp_fastopen_key=a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4; the cookie is the hash in little-endian.
    const k = { key: [0xb2b2b2b2a1a1a1a1n, 0xd4d4d4d4c3c3c3c3n] as [bigint, bigint] };
    const h = siphash(Uint8Array.of(192, 0, 2, 1, 192, 168, 0, 1), k);
    const le = Array.from({ length: 8 }, (_, i) => Number((h >> BigInt(8 * i)) & 0xffn));
    expect(Buffer.from(le).toString('hex')).toBe('3021b9d889017eeb');
  });
});
