/**
 * net/ipv4/ping.c: ICMP datagram ("ping") sockets, which iputils ping uses when net.ipv4.ping_group_range
 * allows: the kernel owns the echo identifier, sends the echo request and queues the matching replies.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import type { Sock } from '../../include/net/sock';
import { IPPROTO_ICMP } from '../../include/net/sock';
import { IPSTATS } from '../../include/net/snmp';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import { RTCF_BROADCAST } from '../../include/net/route';
import { EACCES, EHOSTUNREACH, EINVAL, EMSGSIZE, ENETUNREACH, EPROTO } from '../../include/linux/errno';
import { kfn } from '../../include/net/trace';
import { drop, type Verdict } from '../../include/net/verdict';
import * as icmp from '@skblab/wire/icmp';
import * as ip from '@skblab/wire/ipv4';
import { ipRouteOutputKey, isRouteError, IP_ROUTE_OUTPUT_FLOW, trace_fib_rules } from './route';
import { trace_sendmsg } from './af_inet';
import { ip_make_skb, ip_send_skb_result } from './ip_output';
import { ip_icmp_error, ipv4_sk_update_pmtu } from './ip_sockglue';
import { sock_queue_rcv_skb } from '../core/sock';
import { ICMP_ERR_CONVERT } from './icmp';
import { skbTruesize } from '../../include/linux/skbuff';

const F = {
  pingSendmsg: kfn('ping_v4_sendmsg', 'net/ipv4/ping.c', 'icmp', (_o, id, seq) => `echo id ${id} seq ${seq}`),
  pushPending: kfn('ping_v4_push_pending_frames', 'net/ipv4/ping.c', 'icmp'),
  pingRcv: kfn('ping_rcv', 'net/ipv4/ping.c', 'icmp'),
  pingQueueRcvSkb: kfn('__ping_queue_rcv_skb', 'net/ipv4/ping.c', 'socket'),
  pingRecvmsg: kfn('ping_recvmsg', 'net/ipv4/ping.c', 'socket'),
};

/** ping_get_port: a free echo identifier is the ping socket's "port". */
export function ping_get_port(ctx: KernelCtx, sk: Sock): void {
  if (sk.num) return;
  const hash = sk.net.pingHash;
  let id = ctx.random32() & 0xffff || 1;
  while (hash.has(id)) id = (id + 1) & 0xffff || 1;
  sk.num = id;
  hash.set(id, sk);
}

/**
 * ping_v4_sendmsg (ping.c:708): `msg` is the ICMP echo header + payload the user wrote; the kernel puts
 * its own identifier in, routes, and builds the datagram. Returns bytes sent or -errno.
 */
export function ping_v4_sendmsg(
  ctx: KernelCtx,
  sk: Sock,
  msg: Uint8Array,
  daddr: number,
  cpu: number,
): number {
  const net = sk.net;
  if (msg.length > 0xffff || msg.length < icmp.ICMP_HLEN) return -EMSGSIZE;
  if (msg[0] !== icmp.ICMP_ECHO || msg[1] !== 0) return -EINVAL;
  ping_get_port(ctx, sk);
  const l4 = msg.slice();
  icmp.setEchoIdent(l4, 0, sk.num);
  const rt = ipRouteOutputKey(net, {
    daddr,
    saddr: sk.saddr,
    oif: 0,
    tos: 0,
    proto: IPPROTO_ICMP,
    mark: sk.mark,
    now: ctx.now(),
  });
  if (isRouteError(rt)) {
    if (rt.error === -ENETUNREACH) net.mib.ip[IPSTATS.OutNoRoutes]++;
    return rt.error;
  }
  if (rt.flags & RTCF_BROADCAST && !sk.broadcast) return -EACCES;
  icmp.fillChecksum(l4, 0, l4.length);
  const ttl = sk.ttl >= 0 ? sk.ttl : net.sysctl.ipDefaultTtl;
  const skb = ip_make_skb(
    ctx,
    { sk, rt, saddr: rt.src, daddr, protocol: IPPROTO_ICMP, tos: sk.tos, ttl, pmtudisc: sk.pmtudisc },
    0,
    l4,
    (s) => {
      s.cpu = cpu;
      trace_sendmsg(ctx, s, sk, l4.length, daddr, 0);
      ctx.step(s, F.pingSendmsg, null, sk.num, icmp.echoSeq(l4, 0));
      trace_fib_rules(ctx, s, rt);
      ctx.step(s, IP_ROUTE_OUTPUT_FLOW, rt);
      ctx.step(s, F.pushPending, 'ip_push_pending_frames');
    },
  );
  if (typeof skb === 'number') return skb;
  return ip_send_skb_result(ctx, skb) || msg.length;
}

/** ping_rcv (ping.c:978): the echo reply goes to the ping socket whose identifier it carries. */
export function ping_rcv(ctx: KernelCtx, skb: SkBuff): Verdict {
  const id = icmp.echoIdent(skb.buf, skb.transportHeader);
  const sk = skb.net.pingHash.get(id);
  ctx.step(
    skb,
    F.pingRcv,
    sk ? `ping_lookup id ${id} → socket of ${sk.comm}` : `ping_lookup id ${id}: no socket`,
  );
  if (!sk || sk.closed) return drop(skb, SKB_DROP_REASON.NO_SOCKET);
  return sock_queue_rcv_skb(ctx, sk, skb, F.pingQueueRcvSkb);
}

/** icmp_err_convert: errno for an ICMP error. */
export function icmpErrno(type: number, code: number): number {
  if (type === icmp.ICMP_DEST_UNREACH) return ICMP_ERR_CONVERT[code]?.errno ?? EHOSTUNREACH;
  if (type === icmp.ICMP_PARAMETERPROB) return EPROTO;
  return EHOSTUNREACH;
}

/** ping_err: an ICMP error quoting one of our echo requests goes to that ping socket's error queue. */
export function ping_err(
  ctx: KernelCtx,
  skb: SkBuff,
  type: number,
  code: number,
  info: number,
  from: number,
  b: Uint8Array,
  qip: number,
  qicmp: number,
): void {
  if (b[qicmp] !== icmp.ICMP_ECHO) return;
  const id = icmp.echoIdent(b, qicmp);
  const seq = icmp.echoSeq(b, qicmp);
  const sk = skb.net.pingHash.get(id);
  if (!sk) return;
  // Path MTU discovery (ping_err): the route to the quoted destination learns the MTU.
  if (type === icmp.ICMP_DEST_UNREACH && code === icmp.ICMP_FRAG_NEEDED)
    ipv4_sk_update_pmtu(ctx, skb.net, ip.dst(b, qip), info);
  ip_icmp_error(sk, icmpErrno(type, code), type, code, info, from, id, seq, ctx.now());
}

/** ping_recvmsg: the reader takes the echo reply (ICMP header onwards) with its source and TTL. */
export function ping_recvmsg(
  ctx: KernelCtx,
  sk: Sock,
): { data: Uint8Array; from: number; ttl: number; skb: SkBuff } | null {
  const skb = sk.receiveQueue.shift();
  if (!skb) return null;
  sk.rmemAlloc -= skbTruesize(skb);
  const nh = skb.networkHeader;
  const end = skb.networkHeader + ip.totalLength(skb.buf, nh);
  ctx.step(skb, F.pingRecvmsg, `read by ${sk.comm}`);
  ctx.free(skb);
  return {
    data: skb.buf.slice(skb.transportHeader, end),
    from: ip.src(skb.buf, nh),
    ttl: ip.ttl(skb.buf, nh),
    skb,
  };
}
