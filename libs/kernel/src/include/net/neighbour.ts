/**
 * struct neighbour and its NUD states (include/net/neighbour.h, include/uapi/linux/neighbour.h).
 */
import type { SkBuff } from '../linux/skbuff';
import type { NetDevice } from '../linux/netdevice';
import type { KTimer } from './kctx';

export const NUD_NONE = 0x00;
export const NUD_INCOMPLETE = 0x01;
export const NUD_REACHABLE = 0x02;
export const NUD_STALE = 0x04;
export const NUD_DELAY = 0x08;
export const NUD_PROBE = 0x10;
export const NUD_FAILED = 0x20;
export const NUD_NOARP = 0x40;
export const NUD_PERMANENT = 0x80;
export const NUD_IN_TIMER = NUD_INCOMPLETE | NUD_REACHABLE | NUD_DELAY | NUD_PROBE;
export const NUD_VALID = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY;
export const NUD_CONNECTED = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE;

export const NUD_NAMES: Record<number, string> = {
  [NUD_NONE]: 'NONE',
  [NUD_INCOMPLETE]: 'INCOMPLETE',
  [NUD_REACHABLE]: 'REACHABLE',
  [NUD_STALE]: 'STALE',
  [NUD_DELAY]: 'DELAY',
  [NUD_PROBE]: 'PROBE',
  [NUD_FAILED]: 'FAILED',
  [NUD_NOARP]: 'NOARP',
  [NUD_PERMANENT]: 'PERMANENT',
};

/** struct neigh_parms for ARP (net/ipv4/arp.c arp_tbl), times in ns. */
export interface NeighParms {
  baseReachableTime: number;
  retransTime: number;
  delayProbeTime: number;
  gcStaleTime: number;
  ucastProbes: number;
  appProbes: number;
  mcastProbes: number;
  mcastReprobes: number;
  unresQlenBytes: number;
}

export const MSEC = 1_000_000;
export const SEC = 1_000_000_000;

export function arpDefaultParms(): NeighParms {
  return {
    baseReachableTime: 30 * SEC,
    retransTime: 1 * SEC,
    delayProbeTime: 5 * SEC,
    gcStaleTime: 60 * SEC,
    ucastProbes: 3,
    appProbes: 0,
    mcastProbes: 3,
    mcastReprobes: 0,
    unresQlenBytes: 212992,
  };
}

export interface Neighbour {
  key: number;
  dev: NetDevice;
  ha: Uint8Array;
  nudState: number;
  /** Jiffies-like ns timestamps, as n->updated / n->confirmed / n->used. */
  updated: number;
  confirmed: number;
  used: number;
  probes: number;
  arpQueue: SkBuff[];
  arpQueueLen: number;
  timer: KTimer<Neighbour>;
  /** reachable_time (randomised base_reachable_time). */
  reachableTime: number;
  dead: boolean;
  /** The source address to use for probes (the address that first needed resolution). */
  probeSaddr: number;
  /** hh.hh_len != 0: the Ethernet header is cached (neigh_hh_init ran). */
  hhCached: boolean;
}

/** /proc/net/stat/arp_cache-style table statistics. */
export interface NeighStatistics {
  allocs: number;
  destroys: number;
  lookups: number;
  hits: number;
  resFailed: number;
  unresDiscards: number;
}
