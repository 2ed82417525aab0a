import {
  broadcastMac,
  copyMac,
  formatMac,
  isBroadcastMac,
  isMulticastMac,
  isZeroMac,
  macEquals,
  parseMac,
  readMac,
  zeroMac,
} from './mac';
import { bytesToHex, getU16, getU32, hexByte, parseHex, setU16, setU32 } from './bytes';

describe('MAC addresses', () => {
  it('formats lowercase with colons, in place at an offset', () => {
    const b = Uint8Array.of(9, 9, 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe);
    expect(formatMac(b, 2)).toBe('02:00:00:00:00:fe');
    expect(formatMac(Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff))).toBe('aa:bb:cc:dd:ee:ff');
  });

  it('parses either case and rejects malformed text', () => {
    expect(Array.from(parseMac('AA:bb:0C:dd:ee:0F') as Uint8Array)).toEqual([
      0xaa, 0xbb, 0x0c, 0xdd, 0xee, 0x0f,
    ]);
    for (const bad of [
      '',
      'aa:bb:cc:dd:ee',
      'aa:bb:cc:dd:ee:ff:00',
      'aa-bb-cc-dd-ee-ff',
      'a:bb:cc:dd:ee:fff',
      'gg:bb:cc:dd:ee:ff',
    ]) {
      expect(parseMac(bad)).toBeNull();
    }
  });

  it('round-trips', () => {
    expect(formatMac(parseMac('02:00:00:00:01:fe') as Uint8Array)).toBe('02:00:00:00:01:fe');
  });

  it('compares, copies and classifies in place', () => {
    const frame = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1);
    expect(isBroadcastMac(frame, 0)).toBe(true);
    expect(isBroadcastMac(frame, 6)).toBe(false);
    expect(isMulticastMac(frame, 0)).toBe(true);
    expect(isMulticastMac(frame, 6)).toBe(false);
    expect(isMulticastMac(Uint8Array.of(0x01, 0x00, 0x5e, 0, 0, 1))).toBe(true);
    expect(macEquals(frame, 6, parseMac('02:00:00:00:00:01') as Uint8Array)).toBe(true);
    expect(macEquals(frame, 6, parseMac('02:00:00:00:00:02') as Uint8Array)).toBe(false);
    const out = new Uint8Array(8);
    copyMac(frame, 6, out, 2);
    expect(formatMac(out, 2)).toBe('02:00:00:00:00:01');
    const copy = readMac(frame, 6);
    frame[11] = 9;
    expect(copy[5]).toBe(1);
    expect(isZeroMac(zeroMac())).toBe(true);
    expect(isZeroMac(frame, 6)).toBe(false);
    expect(isBroadcastMac(broadcastMac())).toBe(true);
    expect(broadcastMac()).not.toBe(broadcastMac());
  });
});

describe('bytes', () => {
  it('reads and writes big-endian fields', () => {
    const b = new Uint8Array(8);
    setU16(b, 1, 0xabcd);
    setU32(b, 3, 0xdeadbeef);
    expect(bytesToHex(b)).toBe('00abcddeadbeef00');
    expect(getU16(b, 1)).toBe(0xabcd);
    expect(getU32(b, 3)).toBe(0xdeadbeef);
    setU16(b, 0, 0x12345);
    expect(getU16(b, 0)).toBe(0x2345);
  });

  it('converts hex both ways and ignores whitespace', () => {
    expect(Array.from(parseHex(' 0a ff\n 10\t') as Uint8Array)).toEqual([10, 255, 16]);
    expect(parseHex('abc')).toBeNull();
    expect(parseHex('zz')).toBeNull();
    expect(bytesToHex(Uint8Array.of(1, 2, 3, 4), 1, 2)).toBe('0203');
    expect(hexByte(0x0f)).toBe('0f');
  });
});
