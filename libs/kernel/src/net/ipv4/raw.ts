/**
 * net/ipv4/raw.c: raw IPv4 sockets, as iputils ping uses them when ping sockets are not allowed (a new
 * namespace's net.ipv4.ping_group_range is "1 0"). Every ICMP packet delivered locally is cloned to the
 * raw sockets of that protocol before icmp_rcv sees it, filtered by ICMP_FILTER.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { skbCopy, skbTruesize } from '../../include/linux/skbuff';
import type { Sock } from '../../include/net/sock';
import { IPPROTO_ICMP } from '../../include/net/sock';
import { IPSTATS } from '../../include/net/snmp';
import { RTCF_BROADCAST } from '../../include/net/route';
import { EACCES, EMSGSIZE, ENETUNREACH } from '../../include/linux/errno';
import { kfn } from '../../include/net/trace';
import * as ip from '@skblab/wire/ipv4';
import { ipRouteOutputKey, isRouteError, IP_ROUTE_OUTPUT_FLOW, trace_fib_rules } from './route';
import { trace_sendmsg } from './af_inet';
import { ip_make_skb, ip_send_skb_result } from './ip_output';
import { sock_queue_rcv_skb } from '../core/sock';
import { ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED } from '@skblab/wire/icmp';
import { ipv4_sk_update_pmtu } from './ip_sockglue';

const F = {
  rawSendmsg: kfn('raw_sendmsg', 'net/ipv4/raw.c', 'icmp'),
  pushPending: kfn('ip_push_pending_frames', 'net/ipv4/ip_output.c', 'ip'),
  rawLocalDeliver: kfn(
    'raw_local_deliver',
    'net/ipv4/raw.c',
    'socket',
    (_o, n) => `${n} raw socket(s) get a clone`,
  ),
  rawRcv: kfn('raw_rcv', 'net/ipv4/raw.c', 'socket'),
  rawRecvmsg: kfn('raw_recvmsg', 'net/ipv4/raw.c', 'socket', (sk: Sock) => `read by ${sk.comm}`),
};

/** raw_sendmsg: the user wrote the ICMP header and payload; the kernel adds the IP header. */
export function raw_sendmsg(ctx: KernelCtx, sk: Sock, msg: Uint8Array, daddr: number, cpu: number): number {
  const net = sk.net;
  if (msg.length > 0xffff - ip.IPV4_HLEN) return -EMSGSIZE;
  const rt = ipRouteOutputKey(net, {
    daddr,
    saddr: sk.saddr,
    oif: 0,
    tos: 0,
    proto: sk.protocol,
    mark: sk.mark,
    now: ctx.now(),
  });
  if (isRouteError(rt)) {
    if (rt.error === -ENETUNREACH) net.mib.ip[IPSTATS.OutNoRoutes]++;
    return rt.error;
  }
  if (rt.flags & RTCF_BROADCAST && !sk.broadcast) return -EACCES;
  const ttl = sk.ttl >= 0 ? sk.ttl : net.sysctl.ipDefaultTtl;
  const skb = ip_make_skb(
    ctx,
    { sk, rt, saddr: rt.src, daddr, protocol: sk.protocol, tos: sk.tos, ttl, pmtudisc: sk.pmtudisc },
    0,
    msg,
    (s) => {
      s.cpu = cpu;
      trace_sendmsg(ctx, s, sk, msg.length, daddr, 0);
      ctx.step(s, F.rawSendmsg, 'ip_append_data (raw_getfrag)');
      trace_fib_rules(ctx, s, rt);
      ctx.step(s, IP_ROUTE_OUTPUT_FLOW, rt);
      ctx.step(s, F.pushPending);
    },
  );
  if (typeof skb === 'number') return skb;
  return ip_send_skb_result(ctx, skb) || msg.length;
}

/** icmp_filter: ICMP_FILTER's bitmap of types the socket does not want. */
function icmpFiltered(sk: Sock, skb: SkBuff): boolean {
  const type = skb.buf[skb.transportHeader];
  return type < 32 && (sk.icmpFilter >>> type) & 1 ? true : false;
}

/** raw_local_deliver (raw.c): a clone of the packet for every matching raw socket. */
export function raw_local_deliver(ctx: KernelCtx, skb: SkBuff, protocol: number): void {
  const socks = skb.net.rawSocks;
  if (!socks.length) return;
  const daddr = ip.dst(skb.buf, skb.networkHeader);
  const saddr = ip.src(skb.buf, skb.networkHeader);
  const matching = socks.filter(
    (sk) =>
      !sk.closed &&
      sk.protocol === protocol &&
      (!sk.rcvSaddr || sk.rcvSaddr === daddr) &&
      (!sk.connected || sk.daddr === saddr),
  );
  if (!matching.length) return;
  ctx.step(skb, F.rawLocalDeliver, null, matching.length);
  for (const sk of matching) {
    if (protocol === IPPROTO_ICMP && icmpFiltered(sk, skb)) continue;
    const clone = skbCopy(ctx.newSkbId(), skb);
    clone.comm = skb.comm;
    raw_rcv(ctx, sk, clone);
  }
}

/**
 * raw_icmp_error (raw.c:265) → raw_err: an ICMP error about a datagram of `protocol` from `qsaddr` to
 * `qdaddr` reaches the raw sockets of that protocol that match it (raw_v4_match: bound to no address or
 * the quoted source, connected to nothing or the quoted destination). A frag-needed teaches each the path
 * MTU (ipv4_sk_update_pmtu); the errors themselves reach a raw socket as the ICMP packet raw_local_deliver
 * already queued.
 */
export function raw_icmp_error(
  ctx: KernelCtx,
  skb: SkBuff,
  protocol: number,
  qsaddr: number,
  qdaddr: number,
  type: number,
  code: number,
  info: number,
): void {
  for (const sk of skb.net.rawSocks) {
    if (sk.closed || sk.protocol !== protocol) continue;
    if ((sk.connected && sk.daddr !== qdaddr) || (sk.rcvSaddr && sk.rcvSaddr !== qsaddr)) continue;
    if (type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED)
      ipv4_sk_update_pmtu(ctx, skb.net, qdaddr, info);
  }
}

/** raw_rcv → raw_rcv_skb → sock_queue_rcv_skb */
function raw_rcv(ctx: KernelCtx, sk: Sock, skb: SkBuff): void {
  const v = sock_queue_rcv_skb(ctx, sk, skb, F.rawRcv);
  if (v.kind === 'drop') {
    skb.dropReason = v.reason;
    ctx.free(skb);
  }
}

/** raw_recvmsg: a raw socket reads the whole IP datagram, header included. */
export function raw_recvmsg(
  ctx: KernelCtx,
  sk: Sock,
): { data: Uint8Array; from: number; ttl: number; skb: SkBuff } | null {
  const skb = sk.receiveQueue.shift();
  if (!skb) return null;
  sk.rmemAlloc -= skbTruesize(skb);
  const nh = skb.networkHeader;
  ctx.step(skb, F.rawRecvmsg, sk);
  ctx.free(skb);
  return {
    data: skb.buf.slice(nh, nh + ip.totalLength(skb.buf, nh)),
    from: ip.src(skb.buf, nh),
    ttl: ip.ttl(skb.buf, nh),
    skb,
  };
}
