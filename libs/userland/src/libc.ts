/**
 * The C library's number parsing, as the tools we model call it: their answers to odd input (a sign on an
 * unsigned number, a stray letter, a value past the type) are what the real tools print.
 */

const ULONG_MAX = (1n << 64n) - 1n;
const LONG_MAX = (1n << 63n) - 1n;

/** The digits strtol and strtoul read: sign, magnitude (unbounded) and what is left; null for no digit. */
function scanInteger(s: string, base: number): { neg: boolean; mag: bigint; rest: string } | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)(.*)$/s.exec(s)!;
  let body = m[2];
  let b = base;
  if ((b === 0 || b === 16) && /^0[xX][0-9a-fA-F]/.test(body)) {
    body = body.slice(2);
    b = 16;
  } else if (b === 0) b = body.startsWith('0') ? 8 : 10;
  const digits = b === 16 ? /^[0-9a-fA-F]+/ : b === 8 ? /^[0-7]+/ : /^\d+/;
  const d = digits.exec(body);
  if (!d) return null;
  const mag = BigInt(b === 16 ? `0x${d[0]}` : b === 8 ? `0o${d[0]}` : d[0]);
  return { neg: m[1] === '-', mag, rest: body.slice(d[0].length) };
}

/**
 * strtoul(3) in `base` (0: 0x hex, a leading 0 octal, else decimal): the unsigned long it yields and what
 * it left unread, or null when no digit was read. A minus sign negates modulo 2^64, as C does; a value past
 * ULONG_MAX saturates (ERANGE).
 */
export function strtoul(s: string, base: number): { v: bigint; rest: string } | null {
  const r = scanInteger(s, base);
  if (!r) return null;
  const v = r.mag > ULONG_MAX ? ULONG_MAX : r.neg ? (ULONG_MAX + 1n - r.mag) & ULONG_MAX : r.mag;
  return { v, rest: r.rest };
}

/** strtol(3): as strtoul, signed, saturating at LONG_MIN and LONG_MAX (ERANGE). */
export function strtol(s: string, base: number): { v: bigint; rest: string } | null {
  const r = scanInteger(s, base);
  if (!r) return null;
  const v = r.neg ? -r.mag : r.mag;
  return { v: v > LONG_MAX ? LONG_MAX : v < -LONG_MAX - 1n ? -LONG_MAX - 1n : v, rest: r.rest };
}

/**
 * strtod(3): the longest number at the start (after blanks): decimal, hexadecimal (0x1.8p1), inf or nan;
 * null when there is none (endptr == nptr).
 */
export function strtod(s: string): { v: number; rest: string } | null {
  const hex = /^[ \t\n\v\f\r]*([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?/.exec(s);
  if (hex && (hex[2] || hex[3])) {
    const frac = hex[3] ?? '';
    const mant = parseInt(hex[2] + frac || '0', 16) / 16 ** frac.length;
    const v = mant * 2 ** Number(hex[4] ?? 0);
    return { v: hex[1] === '-' ? -v : v, rest: s.slice(hex[0].length) };
  }
  const m =
    /^[ \t\n\v\f\r]*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?inf(?:inity)?|[+-]?nan(?:\([0-9A-Za-z_]*\))?)/i.exec(
      s,
    );
  if (!m) return null;
  const t = m[1].toLowerCase().replace(/^\+/, '');
  const v = /inf/.test(t) ? (t.startsWith('-') ? -Infinity : Infinity) : /nan/.test(t) ? NaN : Number(t);
  return { v, rest: s.slice(m[0].length) };
}

/**
 * `x` to `p` significant decimal digits as glibc rounds them: to nearest, and an exact tie to the even
 * digit (JavaScript's toExponential rounds a tie up). Returns the digits and the decimal exponent.
 */
function roundSignificant(x: number, p: number): { digits: string; exp: number } {
  // 40 digits more than asked are exact enough to tell a tie (5 then zeros): a double is never that
  // close to one without being one.
  const [wide, wideExp] = Math.abs(x)
    .toExponential(Math.min(100, p + 40))
    .split('e');
  const all = wide.replace('.', '');
  if (/^50*$/.test(all.slice(p)) && Number(all[p - 1]) % 2 === 0)
    return { digits: all.slice(0, p), exp: Number(wideExp) };
  const [m, e] = Math.abs(x)
    .toExponential(p - 1)
    .split('e');
  return { digits: m.replace('.', ''), exp: Number(e) };
}

/** printf("%.Pg"): P significant digits, exponent form below 1e-4 or from 1eP on, no trailing zeros. */
export function printfG(x: number, precision = 6): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const p = Math.max(1, precision);
  const { digits, exp } = roundSignificant(x, p);
  const sign = x < 0 ? '-' : '';
  const trim = (s: string) => (s.includes('.') ? s.replace(/\.?0*$/, '') : s);
  if (exp < -4 || exp >= p) {
    const mant = trim(`${digits[0]}.${digits.slice(1)}`);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed =
    exp >= 0 ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : `0.${'0'.repeat(-exp - 1)}${digits}`;
  return sign + trim(fixed);
}

/**
 * inet_aton(3) as getaddrinfo takes a numeric host (glibc's __inet_aton_exact): 1 to 4 parts, each decimal,
 * 0x hex or 0 octal, the last filling the bytes left (127.1 is 127.0.0.1, 2130706433 too); all of it used.
 */
export function inet_aton(s: string): number | null {
  const parts = s.split('.');
  if (parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    if (!/^(0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$/.test(part)) return null;
    const v = /^0[xX]/.test(part)
      ? parseInt(part.slice(2) || '0', 16)
      : part.length > 1 && part[0] === '0'
        ? parseInt(part, 8)
        : Number(part);
    values.push(v);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 0xff) || last >= 2 ** (8 * (4 - values.length))) return null;
  return (values.reduce((a, v, k) => a + v * 2 ** (24 - 8 * k), 0) + last) >>> 0;
}
