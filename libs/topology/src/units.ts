/**
 * tc's units, as iproute2 parses them for `tc qdisc … netem delay TIME JITTER loss PCT rate RATE`: a
 * number (strtod: digits, a fraction, an exponent) followed by a unit compared case-insensitively
 * (strcasecmp), with nothing between them. Negative numbers, hex and inf/nan are refused here, though
 * strtod would take them.
 */

const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;

/** Splits "10ms" into 10 and "ms"; null when the text does not start with a number. */
function splitNumber(text: string): { n: number; unit: string } | null {
  const m = NUMBER.exec(text);
  if (!m) return null;
  return { n: Number(m[0]), unit: text.slice(m[0].length) };
}

/** Nanoseconds per unit (iproute2's get_time64, which netem uses for delay and jitter since 4.15). */
const TIME_UNITS: Record<string, number> = {
  s: 1e9,
  sec: 1e9,
  secs: 1e9,
  ms: 1e6,
  msec: 1e6,
  msecs: 1e6,
  us: 1e3,
  usec: 1e3,
  usecs: 1e3,
  ns: 1,
  nsec: 1,
  nsecs: 1,
};

/**
 * A bare number's unit. get_time64 reads it as nanoseconds (`netem delay 50000000` is 50 ms); tc(8) still
 * documents microseconds, which was true of the 32-bit get_time netem used before iproute2 4.15.
 */
export const BARE_TIME_UNIT_NS = 1;

/** tc time → nanoseconds (rounded), or null. "10ms" → 10_000_000; "0" → 0. */
export function parseTcTime(text: string): number | null {
  const p = splitNumber(text);
  if (!p) return null;
  const scale = p.unit === '' ? BARE_TIME_UNIT_NS : TIME_UNITS[p.unit.toLowerCase()];
  if (scale === undefined) return null;
  const ns = Math.round(p.n * scale);
  return Number.isSafeInteger(ns) ? ns : null;
}

/** iproute2's rate suffixes (get_rate64), in bits per second; a bare number is bits per second too. */
const RATE_UNITS: Record<string, number> = {
  bit: 1,
  kibit: 1024,
  kbit: 1e3,
  mibit: 1024 ** 2,
  mbit: 1e6,
  gibit: 1024 ** 3,
  gbit: 1e9,
  tibit: 1024 ** 4,
  tbit: 1e12,
  bps: 8,
  kibps: 8 * 1024,
  kbps: 8e3,
  mibps: 8 * 1024 ** 2,
  mbps: 8e6,
  gibps: 8 * 1024 ** 3,
  gbps: 8e9,
  tibps: 8 * 1024 ** 4,
  tbps: 8e12,
};

/** tc rate → bits per second (rounded), or null. "100mbit" → 1e8; "1mbps" → 8e6 (bytes per second). */
export function parseTcRate(text: string): number | null {
  const p = splitNumber(text);
  if (!p) return null;
  const scale = p.unit === '' ? 1 : RATE_UNITS[p.unit.toLowerCase()];
  if (scale === undefined) return null;
  const bits = Math.round(p.n * scale);
  return Number.isSafeInteger(bits) ? bits : null;
}

/** netem percentage (parse_percent): "1%", "0.5%" or a bare "1" → percent 0..100, or null. */
export function parsePercent(text: string): number | null {
  const p = splitNumber(text);
  if (!p || (p.unit !== '' && p.unit !== '%')) return null;
  return p.n <= 100 ? p.n : null;
}

/** Nanoseconds as tc would print them back in the largest unit that divides them: 10ms, 100us, 0. */
export function formatTcTime(ns: number): string {
  if (ns === 0) return '0';
  for (const [unit, scale] of [
    ['s', 1e9],
    ['ms', 1e6],
    ['us', 1e3],
  ] as const) {
    if (ns % scale === 0) return `${ns / scale}${unit}`;
  }
  return `${ns}ns`;
}

/** Bits per second in the largest SI unit that divides them: 1gbit, 100mbit, 64kbit, 12bit. */
export function formatTcRate(bits: number): string {
  for (const [unit, scale] of [
    ['tbit', 1e12],
    ['gbit', 1e9],
    ['mbit', 1e6],
    ['kbit', 1e3],
  ] as const) {
    if (bits % scale === 0) return `${bits / scale}${unit}`;
  }
  return `${bits}bit`;
}
