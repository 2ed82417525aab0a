/** The defaults and limits of a topology file's values (igb's, for the NIC's queues and rings). */
import type { Pos, WireSpec } from './spec';

export const DEFAULTS = {
  cpus: 2,
  mtu: 1500,
  queues: 1,
  ring: 256,
  /** bits per second */
  rate: 1_000_000_000,
} as const;

/** Inclusive ranges. */
export const LIMITS = {
  cpus: [1, 64],
  mtu: [68, 9216],
  queues: [1, 8],
  /** and a multiple of 8 */
  ring: [64, 4096],
} as const;

export const HOST_NAME = /^[a-z][a-z0-9-]{0,31}$/;
/** IFNAMSIZ is 16 with the NUL: at most 15 characters. */
export const NIC_NAME = /^[a-z][a-z0-9]{0,14}$/;

/** A wire between two NIC ports with every impairment at its default (none) and the default rate. */
export function defaultWire(a: WireSpec['a'], b: WireSpec['b'], pos: Pos): WireSpec {
  return {
    a,
    b,
    delay: 0,
    jitter: 0,
    loss: 0,
    corrupt: 0,
    duplicate: 0,
    reorder: 0,
    rate: DEFAULTS.rate,
    up: true,
    pos,
  };
}
