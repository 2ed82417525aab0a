/**
 * The simulated hardware between two NIC ports: a full-duplex point-to-point link with a rate, and the
 * impairments netem would add (delay ± uniform jitter, loss, duplication, corruption, reordering), applied
 * independently in each direction. Not kernel code: nothing on a real box counts what the wire loses.
 */
import type { NetDevice } from '../include/linux/netdevice';

export interface Wire {
  a: NetDevice;
  b: NetDevice;
  /** ns */
  delay: number;
  jitter: number;
  /** fractions 0..1 */
  loss: number;
  corrupt: number;
  duplicate: number;
  reorder: number;
  /** bits per second */
  rate: number;
  up: boolean;
  /** Frames each way: sent, lost, duplicated, corrupted, reordered (the wire's own view). */
  stats: { frames: number; lost: number; duplicated: number; corrupted: number; reordered: number };
}

export function newWire(a: NetDevice, b: NetDevice, o: Partial<Omit<Wire, 'a' | 'b' | 'stats'>> = {}): Wire {
  return {
    a,
    b,
    delay: o.delay ?? 0,
    jitter: o.jitter ?? 0,
    loss: o.loss ?? 0,
    corrupt: o.corrupt ?? 0,
    duplicate: o.duplicate ?? 0,
    reorder: o.reorder ?? 0,
    rate: o.rate ?? 1e9,
    up: o.up ?? true,
    stats: { frames: 0, lost: 0, duplicated: 0, corrupted: 0, reordered: 0 },
  };
}

export function wirePeer(w: Wire, dev: NetDevice): NetDevice {
  return w.a === dev ? w.b : w.a;
}

/** Preamble and start delimiter (8) and inter-frame gap (12): what a frame costs on the wire beyond itself. */
export const WIRE_OVERHEAD = 20;
/** The shortest frame on the wire, with its FCS (ETH_ZLEN + ETH_FCS_LEN). */
export const ETH_MIN_FRAME = 64;
export const ETH_FCS_LEN = 4;

/** How long a frame of `len` bytes (without FCS) holds the wire, in ns. */
export function serialisationNs(w: Wire, len: number): number {
  const bytes = Math.max(len + ETH_FCS_LEN, ETH_MIN_FRAME) + WIRE_OVERHEAD;
  return Math.round((bytes * 8 * 1e9) / w.rate);
}
