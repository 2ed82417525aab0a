/**
 * The C library's number parsing and %g, checked against what glibc gives for the same input (the values
 * were printed by a C program on Debian 12's glibc 2.36).
 */
import { inet_aton, printfG, strtod, strtoul } from './libc';

describe('strtoul', () => {
  it('reads base 0 as C does: 0x hex, a leading 0 octal, else decimal', () => {
    expect(strtoul('0x10', 0)).toEqual({ v: 16n, rest: '' });
    expect(strtoul('020', 0)).toEqual({ v: 16n, rest: '' });
    expect(strtoul('  +7', 0)).toEqual({ v: 7n, rest: '' });
    expect(strtoul('09', 0)).toEqual({ v: 0n, rest: '9' });
  });

  it('leaves what is not a digit, and reads no digit as nothing', () => {
    expect(strtoul('0x1g', 0)).toEqual({ v: 1n, rest: 'g' });
    expect(strtoul('0x', 0)).toEqual({ v: 0n, rest: 'x' });
    expect(strtoul('abc', 0)).toBeNull();
    expect(strtoul('', 0)).toBeNull();
    expect(strtoul('\u00a05', 0)).toBeNull();
    expect(strtoul('\t\n 5', 0)).toEqual({ v: 5n, rest: '' });
  });

  it('negates modulo 2^64 and saturates past ULONG_MAX', () => {
    expect(strtoul('-1', 0)!.v).toBe(0xffffffffffffffffn);
    expect(strtoul('-0x10', 0)!.v).toBe(0xfffffffffffffff0n);
    expect(strtoul('99999999999999999999', 10)!.v).toBe(0xffffffffffffffffn);
    expect(strtoul('4294967297', 0)!.v & 0xffffffffn).toBe(1n);
  });

  it('in base 16 takes the digits with or without 0x', () => {
    expect(strtoul('8001:', 16)).toEqual({ v: 0x8001n, rest: ':' });
    expect(strtoul('0xffff', 16)).toEqual({ v: 0xffffn, rest: '' });
  });
});

describe('strtod', () => {
  it('reads decimal, hexadecimal, inf and nan prefixes', () => {
    expect(strtod('2.5,3')).toEqual({ v: 2.5, rest: ',3' });
    expect(strtod('0x3')).toEqual({ v: 3, rest: '' });
    expect(strtod('0x1.8p1ms')).toEqual({ v: 3, rest: 'ms' });
    expect(strtod('-inf')!.v).toBe(-Infinity);
    expect(strtod('1e3x')).toEqual({ v: 1000, rest: 'x' });
    expect(strtod('0x')).toEqual({ v: 0, rest: 'x' });
    expect(strtod('x')).toBeNull();
    expect(strtod('nan(12)x')!.rest).toBe('x');
    expect(strtod('\u00a05')).toBeNull(); // isspace() in the C locale knows no no-break space
  });
});

describe('printfG', () => {
  it('%g: six significant digits, no trailing zeros, exponent form out of range', () => {
    expect(printfG(-1)).toBe('-1');
    expect(printfG(0)).toBe('0');
    expect(printfG(2.5)).toBe('2.5');
    expect(printfG(1 / 3)).toBe('0.333333');
    expect(printfG(1234567)).toBe('1.23457e+06');
    expect(printfG(0.00001)).toBe('1e-05');
    expect(printfG(100000)).toBe('100000');
    expect(printfG(-123456.5)).toBe('-123456');
    expect(printfG(1234565)).toBe('1.23456e+06');
    expect(printfG(1234575)).toBe('1.23458e+06');
    expect(printfG(2.5, 1)).toBe('2');
    expect(printfG(3.5, 1)).toBe('4');
    expect(printfG(0.125, 2)).toBe('0.12');
    expect(printfG(0.0001234)).toBe('0.0001234');
  });

  it('%.2g for the loss percentage iperf prints', () => {
    expect(printfG(0, 2)).toBe('0');
    expect(printfG(1.7738, 2)).toBe('1.8');
    expect(printfG(14.2857, 2)).toBe('14');
    expect(printfG(100, 2)).toBe('1e+02');
    expect(printfG(0.05, 2)).toBe('0.05');
  });
});

describe('inet_aton', () => {
  // What ping (getaddrinfo) on Debian 12 resolved each to, or refused with "Name or service not known".
  it.each([
    ['127.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['127.1.256', '127.1.1.0'],
    ['10.0.0.2', '10.0.0.2'],
    ['127.0.0.1 ', null],
    ['127.0.0.1.', null],
    ['1.2.3.4.5', null],
    ['127.0.0.256', null],
    ['08.1.1.1', null],
    ['host2', null],
    ['', null],
  ])('%j', (s, want) => {
    const a = inet_aton(s);
    expect(a === null ? null : [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.')).toBe(want);
  });
});
