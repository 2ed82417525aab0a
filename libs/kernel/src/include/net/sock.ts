/**
 * struct sock, reduced: UDP, ping (ICMP datagram) and raw sockets. Queued datagrams keep their skb so the
 * reader's recvmsg can add its own steps to the journey.
 */
import type { SkBuff } from '../linux/skbuff';
import type { Net } from './net_namespace';
import type { Rtable } from './route';

export const AF_INET = 2;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export const IP_PMTUDISC_DONT = 0;
export const IP_PMTUDISC_WANT = 1;
export const IP_PMTUDISC_DO = 2;
export const IP_PMTUDISC_PROBE = 3;
export const IP_PMTUDISC_INTERFACE = 4;
export const IP_PMTUDISC_OMIT = 5;

/** ip_sk_accept_pmtu (include/net/ip.h): INTERFACE and OMIT sockets ignore path MTU news. */
export function ip_sk_accept_pmtu(sk: { pmtudisc: number }): boolean {
  return sk.pmtudisc !== IP_PMTUDISC_INTERFACE && sk.pmtudisc !== IP_PMTUDISC_OMIT;
}

/** SK_RMEM_MAX default (net.core.rmem_default) */
export const SK_RMEM_DEFAULT = 212992;

/** sock_extended_err's ee_origin values (uapi/linux/errqueue.h). */
export const SO_EE_ORIGIN_NONE = 0;
export const SO_EE_ORIGIN_LOCAL = 1;
export const SO_EE_ORIGIN_ICMP = 2;
export const SO_EE_ORIGIN_ICMP6 = 3;
export const SO_EE_ORIGIN_TXSTATUS = 4;
export const SO_EE_ORIGIN_ZEROCOPY = 5;
export const SO_EE_ORIGIN_TXTIME = 6;
export const SO_EE_ORIGIN_TIMESTAMPING = SO_EE_ORIGIN_TXSTATUS;
/** ee_code of a zerocopy notification whose data was copied after all (errqueue.h). */
export const SO_EE_CODE_ZEROCOPY_COPIED = 1;

/**
 * An entry of sk_error_queue (struct sock_exterr_skb's sock_extended_err, with the offender address
 * ip_recv_error reports): an ICMP or local error for IP_RECVERR readers (ping prints these), or a
 * MSG_ZEROCOPY completion (__msg_zerocopy_callback: ee_info..ee_data the ids it covers).
 */
export interface SockExtendedErr {
  errno: number;
  origin: 'icmp' | 'local' | 'zerocopy' | 'timestamping';
  type: number;
  code: number;
  /** Where the error came from (the ICMP sender, or the local address for local errors). */
  offender: number;
  info: number;
  /** ee_data (0 for ICMP and local errors; a zerocopy range's last id). */
  data: number;
  /** The echo sequence (ping) or port the error refers to. */
  seq: number;
  id: number;
  /** When the error arrived (the skb's timestamp, as SO_TIMESTAMP gives it to traceroute). */
  tstamp: number;
  /** The queued skb's bytes (a transmit timestamp's packet), what ip_recv_error copies; none if absent. */
  payload?: Uint8Array;
  /** The truesize sock_queue_err_skb charged to sk_rmem_alloc (freed when the entry is read). */
  truesize?: number;
}

export interface Sock {
  type: number;
  protocol: number;
  net: Net;
  /** inet_num: local port for UDP, echo id for ping sockets. */
  num: number;
  rcvSaddr: number;
  saddr: number;
  daddr: number;
  dport: number;
  connected: boolean;
  ttl: number;
  /** inet->tos (IP_TOS): the TOS byte of what the socket sends. */
  tos: number;
  /** sk_priority: set from the TOS by IP_TOS (rt_tos2priority); what picks a pfifo_fast band. */
  priority: number;
  pmtudisc: number;
  recverr: boolean;
  rcvbuf: number;
  rmemAlloc: number;
  /**
   * sk_forward_alloc: bytes of socket memory reserved (in whole pages) and not yet charged to an skb. Only
   * TCP accounts (sk_has_account); what it decides here is whether header prediction may queue a segment.
   */
  forwardAlloc: number;
  drops: number;
  receiveQueue: SkBuff[];
  errorQueue: SockExtendedErr[];
  /** sk_dst_cache for connected sockets. */
  dstCache: Rtable | null;
  /** The waiters sock_def_readable wakes (the runtime's blocked recvfrom calls). */
  wq: Array<() => void>;
  /** The owning task's command name, for traces. */
  comm: string;
  closed: boolean;
  /** sk_err: a pending hard error (ECONNREFUSED after a port unreachable on a connected socket). */
  skErr: number;
  /** SO_BROADCAST */
  broadcast: boolean;
  /** ICMP_FILTER on raw ICMP sockets: bit N set = drop type N. */
  icmpFilter: number;
  /** Bytes handed to ip_append_data's skbs still in flight (sk_wmem_alloc), unused by the model. */
  wmemAlloc: number;
  /** sk_mark (SO_MARK) */
  mark: number;
  /** sk_tsflags (SO_TIMESTAMPING's SOF_TIMESTAMPING_* flags) */
  tsflags: number;
  /** sk_tskey: what SOF_TIMESTAMPING_OPT_ID keys count from (TCP: snd_una when it was set). */
  tskey: number;
}

export function newSock(net: Net, type: number, protocol: number, comm: string): Sock {
  return {
    type,
    protocol,
    net,
    num: 0,
    rcvSaddr: 0,
    saddr: 0,
    daddr: 0,
    dport: 0,
    connected: false,
    ttl: -1,
    tos: 0,
    priority: 0,
    pmtudisc: IP_PMTUDISC_WANT,
    recverr: false,
    rcvbuf: SK_RMEM_DEFAULT,
    rmemAlloc: 0,
    forwardAlloc: 0,
    drops: 0,
    receiveQueue: [],
    errorQueue: [],
    dstCache: null,
    wq: [],
    comm,
    closed: false,
    skErr: 0,
    broadcast: false,
    icmpFilter: 0,
    wmemAlloc: 0,
    mark: 0,
    tsflags: 0,
    tskey: 0,
  };
}

/** sock_def_readable: wake every task waiting on the socket. */
export function sockDefReadable(sk: Sock): void {
  if (sk.wq.length === 0) return;
  const waiters = sk.wq;
  sk.wq = [];
  for (const w of waiters) w();
}

/** PAGE_SIZE, the unit socket memory is reserved in. */
const SK_MEM_QUANTUM = 4096;

/** sk_mem_pages: pages that cover amt bytes. */
export function sk_mem_pages(amt: number): number {
  return Math.floor((amt + SK_MEM_QUANTUM - 1) / SK_MEM_QUANTUM);
}

/**
 * __sk_mem_schedule / sk_forced_mem_schedule: reserve the pages that cover what sk_forward_alloc lacks for
 * size bytes. Memory pressure and the protocol's limits (tcp_mem) are not modelled, so it always succeeds.
 */
export function sk_mem_schedule(sk: Sock, size: number): boolean {
  const delta = size - sk.forwardAlloc;
  if (delta > 0) sk.forwardAlloc += sk_mem_pages(delta) * SK_MEM_QUANTUM;
  return true;
}
export { sk_mem_schedule as sk_rmem_schedule, sk_mem_schedule as sk_wmem_schedule };
export { sk_mem_schedule as sk_forced_mem_schedule };

/** sk_mem_charge: an skb (or bytes added to one) takes its share of the reservation. */
export function sk_mem_charge(sk: Sock, size: number): void {
  sk.forwardAlloc -= size;
}

/** sk_mem_uncharge: given back; sk_mem_reclaim returns whole pages once a page or more is unused. */
export function sk_mem_uncharge(sk: Sock, size: number): void {
  sk.forwardAlloc += size;
  sk_mem_reclaim(sk);
}

/** sk_mem_reclaim: __sk_mem_reclaim of every whole page sk_forward_alloc holds. */
export function sk_mem_reclaim(sk: Sock): void {
  if (sk.forwardAlloc >= SK_MEM_QUANTUM)
    sk.forwardAlloc -= Math.floor(sk.forwardAlloc / SK_MEM_QUANTUM) * SK_MEM_QUANTUM;
}
