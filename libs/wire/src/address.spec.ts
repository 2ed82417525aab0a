import {
  broadcastAddress,
  cidrContains,
  formatCidr,
  ipv4Address,
  ipv4ToString,
  isLimitedBroadcast,
  isLinkLocal,
  isLoopback,
  isMulticast,
  isZeroNet,
  maskPrefixLength,
  networkAddress,
  parseCidr,
  parseIpv4,
  prefixMask,
} from './address';

describe('IPv4 addresses', () => {
  it('formats unsigned 32-bit numbers as dotted quads', () => {
    expect(ipv4ToString(0x0a000001)).toBe('10.0.0.1');
    expect(ipv4ToString(0xffffffff)).toBe('255.255.255.255');
    expect(ipv4ToString(0)).toBe('0.0.0.0');
    expect(ipv4ToString(0xc0a80101)).toBe('192.168.1.1');
  });

  it('builds from octets, always unsigned', () => {
    expect(ipv4Address(10, 0, 0, 254)).toBe(0x0a0000fe);
    expect(ipv4Address(255, 255, 255, 255)).toBe(4294967295);
    expect(ipv4Address(192, 0, 2, 1)).toBeGreaterThan(0);
  });

  it('parses strict dotted quads', () => {
    expect(parseIpv4('10.0.0.1')).toBe(0x0a000001);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('1.2.3.0')).toBe(0x01020300);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.-1',
    '01.2.3.4',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1..3.4',
    '1.2.3.',
    '.1.2.3',
    'a.b.c.d',
    '1.2.3.4/24',
    '0x1.2.3.4',
    '1e2.0.0.1',
  ])('rejects %j', (s) => {
    expect(parseIpv4(s)).toBeNull();
  });

  it('round-trips', () => {
    for (const s of ['10.0.0.1', '127.0.0.1', '224.0.0.251', '169.254.3.4', '255.0.255.0']) {
      expect(ipv4ToString(parseIpv4(s) as number)).toBe(s);
    }
  });

  it('classifies', () => {
    expect(isLoopback(parseIpv4('127.255.0.1') as number)).toBe(true);
    expect(isLoopback(parseIpv4('128.0.0.1') as number)).toBe(false);
    expect(isMulticast(parseIpv4('224.0.0.1') as number)).toBe(true);
    expect(isMulticast(parseIpv4('239.255.255.255') as number)).toBe(true);
    expect(isMulticast(parseIpv4('240.0.0.0') as number)).toBe(false);
    expect(isLimitedBroadcast(0xffffffff)).toBe(true);
    expect(isLimitedBroadcast(0xfffffffe)).toBe(false);
    expect(isZeroNet(parseIpv4('0.1.2.3') as number)).toBe(true);
    expect(isZeroNet(parseIpv4('1.0.0.0') as number)).toBe(false);
    expect(isLinkLocal(parseIpv4('169.254.10.1') as number)).toBe(true);
    expect(isLinkLocal(parseIpv4('169.253.10.1') as number)).toBe(false);
  });
});

describe('CIDR', () => {
  it('computes prefix masks 0-32', () => {
    expect(prefixMask(0)).toBe(0);
    expect(prefixMask(1)).toBe(0x80000000);
    expect(prefixMask(24)).toBe(0xffffff00);
    expect(prefixMask(31)).toBe(0xfffffffe);
    expect(prefixMask(32)).toBe(0xffffffff);
  });

  it('turns masks back into prefix lengths, rejecting holes', () => {
    for (let p = 0; p <= 32; p++) expect(maskPrefixLength(prefixMask(p))).toBe(p);
    expect(maskPrefixLength(0xff00ff00)).toBeNull();
    expect(maskPrefixLength(0x00ffffff)).toBeNull();
  });

  it('computes network and broadcast addresses', () => {
    const a = parseIpv4('10.1.2.3') as number;
    expect(ipv4ToString(networkAddress(a, 24))).toBe('10.1.2.0');
    expect(ipv4ToString(broadcastAddress(a, 24))).toBe('10.1.2.255');
    expect(ipv4ToString(networkAddress(a, 8))).toBe('10.0.0.0');
    expect(ipv4ToString(broadcastAddress(a, 8))).toBe('10.255.255.255');
    expect(ipv4ToString(networkAddress(a, 0))).toBe('0.0.0.0');
    expect(ipv4ToString(broadcastAddress(a, 0))).toBe('255.255.255.255');
    expect(ipv4ToString(networkAddress(a, 32))).toBe('10.1.2.3');
    expect(ipv4ToString(broadcastAddress(a, 32))).toBe('10.1.2.3');
    expect(ipv4ToString(broadcastAddress(parseIpv4('192.168.0.1') as number, 31))).toBe('192.168.0.1');
  });

  it('tests containment', () => {
    const net = parseIpv4('10.0.0.0') as number;
    expect(cidrContains(net, 24, parseIpv4('10.0.0.254') as number)).toBe(true);
    expect(cidrContains(net, 24, parseIpv4('10.0.1.2') as number)).toBe(false);
    expect(cidrContains(parseIpv4('10.0.0.77') as number, 24, parseIpv4('10.0.0.1') as number)).toBe(true);
    expect(cidrContains(0, 0, 0xffffffff)).toBe(true);
    expect(cidrContains(parseIpv4('255.255.255.255') as number, 1, parseIpv4('128.0.0.0') as number)).toBe(
      true,
    );
    expect(cidrContains(parseIpv4('255.255.255.255') as number, 1, parseIpv4('127.0.0.1') as number)).toBe(
      false,
    );
  });

  it('parses and formats a.b.c.d/len', () => {
    expect(parseCidr('10.0.0.1/24')).toEqual({ address: 0x0a000001, prefixLength: 24 });
    expect(parseCidr('10.0.0.1')).toEqual({ address: 0x0a000001, prefixLength: 32 });
    expect(parseCidr('0.0.0.0/0')).toEqual({ address: 0, prefixLength: 0 });
    expect(formatCidr({ address: 0xc0a80001, prefixLength: 16 })).toBe('192.168.0.1/16');
    for (const bad of [
      '10.0.0.1/33',
      '10.0.0.1/',
      '10.0.0.1/024',
      '10.0.0.1/-1',
      '10.0.0/8',
      '10.0.0.1/8/8',
    ]) {
      expect(parseCidr(bad)).toBeNull();
    }
  });
});
