/** Test helpers: golden frames as bytes. */

import { parseHex } from '../bytes';
import { GOLDEN } from './captures';
import { PRINTER_CASES } from './printer-cases';

export type GoldenName = keyof typeof GOLDEN;

export const GOLDEN_NAMES = Object.keys(GOLDEN) as GoldenName[];

function hex(h: string, what: string): Uint8Array {
  const b = parseHex(h);
  if (b === null) throw new Error(`bad hex in golden ${what}`);
  return b;
}

/** A fresh copy of the golden frame `name` (safe to mutate). */
export function golden(name: GoldenName): Uint8Array {
  return hex(GOLDEN[name].hex, name);
}

export function printerCases(): Array<{
  name: string;
  tcpdump: string;
  tcpdumpV: string;
  tcpdumpVV: string;
  frame: Uint8Array;
}> {
  return PRINTER_CASES.map((c) => ({ ...c, frame: hex(c.hex, c.name) }));
}

export { GOLDEN };
