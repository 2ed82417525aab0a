/**
 * net/ipv4/ip_sockglue.c: the socket error queue behind IP_RECVERR (ip_icmp_error, ip_local_error) that
 * ping reads to print "Destination Host Unreachable" or "local error: message too long", and the path
 * MTU an ICMP frag-needed teaches (ipv4_sk_update_pmtu, in route.c in Linux).
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { Net } from '../../include/net/net_namespace';
import type { Sock } from '../../include/net/sock';
import { IP_PMTUDISC_DONT, IP_PMTUDISC_OMIT, SOCK_STREAM, sockDefReadable } from '../../include/net/sock';
import { EINVAL } from '../../include/linux/errno';

/** INET_ECN_MASK (include/net/inet_ecn.h) */
const INET_ECN_MASK = 3;

import { rt_tos2priority } from '../../include/net/route';
import { dstMtu, ipRouteOutputKey, isRouteError } from './route';
import type { SockExtendedErr } from '../../include/net/sock';
import {
  SO_EE_ORIGIN_ICMP,
  SO_EE_ORIGIN_LOCAL,
  SO_EE_ORIGIN_TIMESTAMPING,
  SO_EE_ORIGIN_ZEROCOPY,
} from '../../include/net/sock';
import { SOF_TIMESTAMPING_SOFTWARE } from '../../include/linux/net_tstamp';
import { EAGAIN } from '../../include/linux/errno';
import { MSG_ERRQUEUE, MSG_TRUNC } from '../../include/net/tcp';
import { sock_dequeue_err_skb } from '../core/skbuff';

export const IP_RECVERR = 11;

/** struct sock_extended_err, as ip_recv_error's IP_RECVERR control message carries it. */
export interface SockExtendedErrUapi {
  ee_errno: number;
  ee_origin: number;
  ee_type: number;
  ee_code: number;
  ee_pad: number;
  ee_info: number;
  ee_data: number;
}

/**
 * What recvmsg(MSG_ERRQUEUE) returns: the bytes, msg_flags, the SCM_TIMESTAMPING cmsg's three timestamps
 * (ns; when there is one) and the IP_RECVERR cmsg (ee and offender).
 */
export interface IpRecvErr {
  copied: number;
  data: Uint8Array;
  msgFlags: number;
  timestamping?: [number, number, number];
  ee: SockExtendedErrUapi;
  /** errhdr.offender's address (AF_INET only for ICMP and local errors; 0: AF_UNSPEC). */
  offender: number;
}

const EE_ORIGIN: Record<SockExtendedErr['origin'], number> = {
  local: SO_EE_ORIGIN_LOCAL,
  icmp: SO_EE_ORIGIN_ICMP,
  zerocopy: SO_EE_ORIGIN_ZEROCOPY,
  timestamping: SO_EE_ORIGIN_TIMESTAMPING,
};

/**
 * ip_recv_error (ip_sockglue.c:523): recvmsg(MSG_ERRQUEUE) takes the error queue's head
 * (sock_dequeue_err_skb), or -EAGAIN when it is empty; the result is its bytes, up to `len` (MSG_TRUNC if
 * more: a transmit timestamp's packet; the model keeps no offending packet of an ICMP error, and a
 * zerocopy notification has none), sock_recv_timestamp's SCM_TIMESTAMPING, the IP_RECVERR cmsg with the
 * sock_extended_err and the offender (ipv4_datagram_support_cmsg: ICMP errors; a timestamp's only with
 * SOF_TIMESTAMPING_OPT_CMSG, not modelled), and MSG_ERRQUEUE in msg_flags. Reading frees the entry's
 * sk_rmem_alloc charge (sock_rmem_free).
 */
export function ip_recv_error(sk: Sock, len: number): IpRecvErr | number {
  const serr = sock_dequeue_err_skb(sk);
  if (!serr) return -EAGAIN;
  let msgFlags = 0;
  let copied = serr.payload?.length ?? 0;
  if (copied > len) {
    msgFlags |= MSG_TRUNC;
    copied = len;
  }
  const data = serr.payload ? serr.payload.slice(0, copied) : new Uint8Array(0);
  // sock_recv_timestamp → __sock_recv_timestamp: an error-queue skb's software stamp with
  // SOF_TIMESTAMPING_SOFTWARE (skb->tstamp: only transmit timestamps carry one here).
  const timestamping: [number, number, number] | undefined =
    serr.origin === 'timestamping' && serr.tstamp && sk.tsflags & SOF_TIMESTAMPING_SOFTWARE
      ? [serr.tstamp, 0, 0]
      : undefined;
  const origin = EE_ORIGIN[serr.origin];
  const ee: SockExtendedErrUapi = {
    ee_errno: serr.errno,
    ee_origin: origin,
    ee_type: serr.type,
    ee_code: serr.code,
    ee_pad: 0,
    ee_info: serr.info,
    ee_data: serr.data,
  };
  const offender = origin === SO_EE_ORIGIN_ICMP ? serr.offender : 0;
  msgFlags |= MSG_ERRQUEUE;
  // consume_skb → sock_rmem_free
  if (serr.truesize) sk.rmemAlloc -= serr.truesize;
  return { copied, data, msgFlags, timestamping, ee, offender };
}

/**
 * __ip_sock_set_tos (ip_sockglue.c:586): a stream socket keeps its ECN bits (TCP owns them); a new value
 * sets sk_priority from it and drops the cached route (sk_dst_reset: the next transmit routes again, with
 * the new TOS).
 */
export function __ip_sock_set_tos(sk: Sock, val: number): void {
  const oldTos = sk.tos;
  if (sk.type === SOCK_STREAM) {
    val &= ~INET_ECN_MASK;
    val |= oldTos & INET_ECN_MASK;
  }
  if (oldTos !== val) {
    sk.tos = val & 0xff;
    sk.priority = rt_tos2priority(val);
    sk_dst_reset(sk);
  }
}

/** sk_dst_reset (include/net/sock.h): forget the socket's cached route. */
export function sk_dst_reset(sk: Sock): void {
  sk.dstCache = null;
}

/** ip_sock_set_mtu_discover: IP_PMTUDISC_DONT .. IP_PMTUDISC_OMIT, else -EINVAL. */
export function ip_sock_set_mtu_discover(sk: Sock, val: number): number {
  if (val < IP_PMTUDISC_DONT || val > IP_PMTUDISC_OMIT) return -EINVAL;
  sk.pmtudisc = val;
  return 0;
}

/** ip_icmp_error: queue an ICMP-originated error for IP_RECVERR readers. */
export function ip_icmp_error(
  sk: Sock,
  errno: number,
  type: number,
  code: number,
  info: number,
  offender: number,
  id: number,
  seq: number,
  tstamp: number,
): void {
  if (!sk.recverr) return;
  sk.errorQueue.push({ errno, origin: 'icmp', type, code, offender, info, data: 0, id, seq, tstamp });
  sockDefReadable(sk);
}

/** ip_local_error: a locally detected error (EMSGSIZE with the MTU), queued like an ICMP one. */
export function ip_local_error(
  sk: Sock,
  errno: number,
  daddr: number,
  _port: number,
  info: number,
  payload: Uint8Array,
): void {
  if (!sk.recverr) return;
  const id = payload.length >= 8 ? (payload[4] << 8) | payload[5] : 0;
  const seq = payload.length >= 8 ? (payload[6] << 8) | payload[7] : 0;
  sk.errorQueue.push({
    errno,
    origin: 'local',
    type: 0,
    code: 0,
    offender: daddr,
    info,
    data: 0,
    id,
    seq,
    tstamp: 0,
  });
}

/** net.ipv4.route.min_pmtu (ip_rt_min_pmtu): 512 + 20 + 20. */
const IP_RT_MIN_PMTU = 552;
/** net.ipv4.route.mtu_expires (ip_rt_mtu_expires): 10 minutes. */
const IP_RT_MTU_EXPIRES_NS = 600 * 1_000_000_000;

/**
 * ipv4_sk_update_pmtu / ip_rt_update_pmtu → __ip_rt_update_pmtu (route.c:1036): the route towards daddr
 * learns a smaller path MTU for 10 minutes (a next-hop exception). An MTU above the route's own is no news;
 * one below net.ipv4.route.min_pmtu is raised to it (at most the route's) and locked.
 */
export function ipv4_sk_update_pmtu(ctx: KernelCtx, net: Net, daddr: number, mtu: number): void {
  const rt = ipRouteOutputKey(net, { daddr, saddr: 0, oif: 0, tos: 0, proto: 0, now: ctx.now() });
  if (isRouteError(rt)) return;
  const oldMtu = dstMtu(rt);
  if (oldMtu < mtu) return;
  let lock = false;
  if (mtu < IP_RT_MIN_PMTU) {
    lock = true;
    mtu = Math.min(oldMtu, IP_RT_MIN_PMTU);
  }
  const ex = net.fnhe.get(daddr);
  if (ex && ex.mtu === mtu && !lock && ctx.now() < ex.expires - IP_RT_MTU_EXPIRES_NS / 2) return;
  net.fnhe.set(daddr, { mtu, expires: ctx.now() + IP_RT_MTU_EXPIRES_NS });
  net.rtGenid++;
}
