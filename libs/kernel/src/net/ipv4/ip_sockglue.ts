/**
 * net/ipv4/ip_sockglue.c: the socket error queue behind IP_RECVERR (ip_icmp_error, ip_local_error) that
 * ping reads to print "Destination Host Unreachable" or "local error: message too long", and the path
 * MTU an ICMP frag-needed teaches (ipv4_sk_update_pmtu, in route.c in Linux).
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { Net } from '../../include/net/net_namespace';
import type { Sock } from '../../include/net/sock';
import { sockDefReadable } from '../../include/net/sock';
import { rt_tos2priority } from '../../include/net/route';
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
 * __ip_sock_set_tos (ip_sockglue.c:585): IP_TOS on a datagram socket takes the byte as given; a new value
 * sets sk_priority from it too (sk_dst_reset has nothing to drop here: no cached route depends on TOS).
 */
export function __ip_sock_set_tos(sk: Sock, val: number): void {
  val &= 0xff;
  if (sk.tos === val) return;
  sk.tos = val;
  sk.priority = rt_tos2priority(val);
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

/** ipv4_sk_update_pmtu → __ip_rt_update_pmtu: remember a smaller path MTU towards daddr for 10 minutes. */
export function ipv4_sk_update_pmtu(ctx: KernelCtx, net: Net, daddr: number, mtu: number): void {
  if (mtu < 552) mtu = 552; // ip_rt_min_pmtu
  // __ip_rt_update_pmtu only ever lowers a live exception's MTU (route.c:1055).
  const ex = net.fnhe.get(daddr);
  if (ex && ex.expires > ctx.now() && ex.mtu <= mtu) return;
  net.fnhe.set(daddr, { mtu, expires: ctx.now() + 600 * 1_000_000_000 });
  net.rtGenid++;
}
