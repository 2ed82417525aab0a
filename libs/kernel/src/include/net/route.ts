/**
 * Routing types: struct fib_alias/fib_info as one FibEntry (include/net/ip_fib.h), and struct rtable, the
 * result of an output or input route lookup (include/net/route.h).
 */
import type { NetDevice } from '../linux/netdevice';
import type { FibRule } from './fib_rules';
import {
  TC_PRIO_BESTEFFORT as BESTEFFORT,
  TC_PRIO_BULK as BULK,
  TC_PRIO_INTERACTIVE as INTERACTIVE,
  TC_PRIO_INTERACTIVE_BULK as INTERACTIVE_BULK,
} from './sch_generic';

export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTN_BROADCAST = 3;
export const RTN_UNREACHABLE = 7;
export const RTN_PROHIBIT = 8;
export const RTN_BLACKHOLE = 6;

export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;

export const RTPROT_KERNEL = 2;
export const RTPROT_BOOT = 3;
export const RTPROT_STATIC = 4;

export const RTCF_LOCAL = 0x80000000;
export const RTCF_BROADCAST = 0x10000000;

/**
 * ip_tos2prio (route.c:171): the priority of each TOS value (bits 1-4, RFC 1349: minimize cost, reliability,
 * throughput, delay). ECN_OR_COST(class) is TC_PRIO_class.
 */
const IP_TOS2PRIO = [
  BESTEFFORT, BESTEFFORT, BESTEFFORT, BESTEFFORT,
  BULK, BULK, BULK, BULK,
  INTERACTIVE, INTERACTIVE, INTERACTIVE, INTERACTIVE,
  INTERACTIVE_BULK, INTERACTIVE_BULK, INTERACTIVE_BULK, INTERACTIVE_BULK,
]; // prettier-ignore

/** rt_tos2priority (route.h:274): ip_tos2prio[IPTOS_TOS(tos) >> 1]. */
export function rt_tos2priority(tos: number): number {
  return IP_TOS2PRIO[(tos & 0x1e) >> 1];
}

/** One route, as `ip route` lists it. */
/** Route metrics (include/uapi/linux/rtnetlink.h): RTAX_LOCK's bits are 1 << these. */
export const RTAX_MTU = 2;
export const RTAX_ADVMSS = 8;
export const RTAX_INITCWND = 11;

export interface FibEntry {
  table: number;
  type: number;
  dst: number;
  plen: number;
  dev: NetDevice | null;
  gw: number;
  protocol: number;
  scope: number;
  prefsrc: number;
  priority: number;
  /** RTAX_MTU, 0 when unset. */
  mtu: number;
  /** RTAX_ADVMSS and RTAX_INITCWND, 0 when unset. */
  advmss: number;
  initcwnd: number;
  /** RTAX_LOCK: a bit (1 << RTAX_*) for each metric the route locks (`mtu lock 640`). */
  locks: number;
  /** The ifaddr that created it (fib_magic), so deleting the address deletes it. */
  fromIfaddr: boolean;
}

/** struct rtable: the dst an skb carries. */
export interface Rtable {
  type: number;
  flags: number;
  /** dst->dev: lo for local destinations, even when the address lives on another device. */
  dev: NetDevice;
  /** rt_iif / orig_oif: the device the matched route named. */
  origDev: NetDevice | null;
  gw: number;
  dst: number;
  src: number;
  /** The matched route, for the trace. */
  fib: FibEntry | null;
  /** dst.input: 'ip_local_deliver' | 'ip_forward' | 'ip_error' */
  input: 'ip_local_deliver' | 'ip_forward' | 'ip_error';
  /** Learned path MTU (0: use the device's). */
  pmtu: number;
  /** dst.error for ip_error: -EHOSTUNREACH (not forwarding) or -ENETUNREACH (no route). */
  error: number;
  /** rt_genid when made: a cached dst (a socket's sk_dst_cache) is stale once the FIB changed (ipv4_dst_check). */
  genid: number;
  /**
   * The table the route came from (res.table: main while local is merged into it) and, once lookups go
   * through the rules, the rule that chose it; for traces and `ip route get`. A dst carried to another
   * process has neither.
   */
  table?: number;
  rule?: FibRule | null;
}
