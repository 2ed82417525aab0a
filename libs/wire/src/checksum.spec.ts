import {
  checksumAdd,
  checksumFold,
  checksumReplace16,
  checksumReplace32,
  internetChecksum,
  internetChecksumValid,
  pseudoHeaderPartialChecksum,
  pseudoHeaderSum,
  transportChecksum,
} from './checksum';
import { parseIpv4 } from './address';

/** Deterministic bytes (a small LCG), so failures reproduce. */
function noise(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** The RFC 1071 definition, written the slow obvious way. */
function reference(b: Uint8Array, off: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i += 2) {
    const hi = b[off + i];
    const lo = i + 1 < len ? b[off + i + 1] : 0;
    sum += (hi << 8) | lo;
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  return ~sum & 0xffff;
}

describe('Internet checksum (RFC 1071)', () => {
  it('matches the worked example of RFC 1071 section 3', () => {
    const b = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(checksumFold(checksumAdd(b, 0, 8))).toBe(0xddf2);
    expect(internetChecksum(b, 0, 8)).toBe(0x220d);
  });

  it('pads an odd final byte with zero', () => {
    expect(internetChecksum(Uint8Array.of(0x12), 0, 1)).toBe(~0x1200 & 0xffff);
    expect(internetChecksum(Uint8Array.of(0xab, 0xcd, 0xef), 0, 3)).toBe(
      ~(0xabcd + 0xef00 - 0xffff) & 0xffff,
    );
  });

  it('agrees with the reference on every length 0-300 and any start offset', () => {
    const b = noise(400, 7);
    for (let len = 0; len <= 300; len++) {
      for (const off of [0, 1, 3, 50]) expect(internetChecksum(b, off, len)).toBe(reference(b, off, len));
    }
  });

  it('stays exact on a 64 KiB datagram and when a running sum passes 2^32', () => {
    const b = noise(65535, 11).map((v, i) => (i % 3 === 0 ? 0xff : v));
    expect(internetChecksum(b, 0, b.length)).toBe(reference(b, 0, b.length));
    const start = 0xfffff000 * 3; // far beyond 32 bits
    const startFold = checksumFold(start);
    expect(startFold).toBe((start % 0xffff || 0xffff) >>> 0);
    const dataFold = ~reference(b, 0, b.length) & 0xffff;
    expect(checksumFold(checksumAdd(b, 0, b.length, start))).toBe(checksumFold(startFold + dataFold));
  });

  it('folds sums beyond 32 bits', () => {
    expect(checksumFold(0x1_0000_0000)).toBe(1);
    expect(checksumFold(0xffff_ffff)).toBe(0xffff);
    expect(checksumFold(0x3_0002_fffe)).toBe(checksumFold(0x3 + 0x0002 + 0xfffe));
  });

  it('verifies a range whose checksum field is filled, and rejects one flipped bit', () => {
    const b = noise(64, 3);
    b[10] = 0;
    b[11] = 0;
    const c = internetChecksum(b, 0, 64);
    b[10] = c >>> 8;
    b[11] = c & 0xff;
    expect(internetChecksumValid(b, 0, 64)).toBe(true);
    b[40] ^= 0x04;
    expect(internetChecksumValid(b, 0, 64)).toBe(false);
  });

  it('updates incrementally (RFC 1624) exactly as a full recompute', () => {
    for (let seed = 1; seed < 200; seed++) {
      const b = noise(40, seed);
      b[8] = 0;
      b[9] = 0;
      const before = internetChecksum(b, 0, 40);
      const oldWord = (b[20] << 8) | b[21];
      const newWord = (seed * 7919) & 0xffff;
      b[20] = newWord >>> 8;
      b[21] = newWord & 0xff;
      const after = internetChecksum(b, 0, 40);
      const inc = checksumReplace16(before, oldWord, newWord);
      // 0x0000 and 0xffff are the same one's-complement value; RFC 1624 can only yield the former
      expect(inc === after || (inc === 0 && after === 0xffff) || (inc === 0xffff && after === 0)).toBe(true);
    }
  });

  it('updates incrementally for a changed 32-bit address', () => {
    const b = noise(20, 99);
    b[10] = 0;
    b[11] = 0;
    const before = internetChecksum(b, 0, 20);
    const oldAddr = ((b[12] << 24) | (b[13] << 16) | (b[14] << 8) | b[15]) >>> 0;
    const newAddr = parseIpv4('192.168.1.77') as number;
    b.set([192, 168, 1, 77], 12);
    expect(checksumReplace32(before, oldAddr, newAddr)).toBe(internetChecksum(b, 0, 20));
  });
});

describe('pseudo-header', () => {
  const lo = parseIpv4('127.0.0.1') as number;

  it('sums source, destination, protocol and length', () => {
    expect(pseudoHeaderSum(lo, lo, 17, 12)).toBe(0x7f00 + 0x0001 + 0x7f00 + 0x0001 + 17 + 12);
  });

  it('gives the CHECKSUM_PARTIAL value Linux left in the lo UDP capture (0xfe1f)', () => {
    expect(pseudoHeaderPartialChecksum(lo, lo, 17, 12)).toBe(0xfe1f);
  });

  it('transportChecksum ignores whatever is in the checksum field', () => {
    const seg = noise(30, 5);
    const a = transportChecksum(seg, 0, 30, 6, lo, lo, 17);
    seg[6] ^= 0xff;
    seg[7] ^= 0x0f;
    expect(transportChecksum(seg, 0, 30, 6, lo, lo, 17)).toBe(a);
  });
});
