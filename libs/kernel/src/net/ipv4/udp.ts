/**
 * net/ipv4/udp.c: UDP sockets. Send (udp_sendmsg → ip_make_skb → udp_send_skb → ip_send_skb), receive
 * (udp_rcv → __udp4_lib_rcv → socket lookup → __udp_enqueue_schedule_skb, or NoPorts and an ICMP port
 * unreachable), and the reader's udp_recvmsg, where InDatagrams is counted.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import type { Net } from '../../include/net/net_namespace';
import type { Sock } from '../../include/net/sock';
import { IPPROTO_UDP, IP_PMTUDISC_DONT, sockDefReadable } from '../../include/net/sock';
import { ICMP_MIB, IPSTATS, UDP_MIB } from '../../include/net/snmp';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import { RTCF_BROADCAST } from '../../include/net/route';
import { EACCES, EADDRINUSE, EDESTADDRREQ, EMSGSIZE, ENETUNREACH, ENOBUFS } from '../../include/linux/errno';
import { kfn } from '../../include/net/trace';
import { drop, queued, type Verdict } from '../../include/net/verdict';
import * as udp from '@skblab/wire/udp';
import * as ip from '@skblab/wire/ipv4';
import {
  ICMP_DEST_UNREACH,
  ICMP_FRAG_NEEDED,
  ICMP_PARAMETERPROB,
  ICMP_PORT_UNREACH,
  ICMP_REDIRECT,
  ICMP_SOURCE_QUENCH,
} from '@skblab/wire/icmp';
import { ipv4ToString } from '@skblab/wire/address';
import type { Ipv4Repr } from '@skblab/wire/ipv4';
import { ipRouteOutputKey, isRouteError, IP_ROUTE_OUTPUT_FLOW, trace_fib_rules } from './route';
import { trace_sendmsg } from './af_inet';
import { ip_make_skb, ip_send_skb_result } from './ip_output';
import { icmp_send, ICMP_ERR_CONVERT } from './icmp';
import { icmpErrno } from './ping';
import { ip_icmp_error, ipv4_sk_update_pmtu } from './ip_sockglue';
import { skbCopy, skbTruesize, CHECKSUM_PARTIAL } from '../../include/linux/skbuff';

const F = {
  udpSendmsg: kfn(
    'udp_sendmsg',
    'net/ipv4/udp.c',
    'udp',
    (_o, sport, conn) => `sport ${sport}${conn ? ' (connected)' : ''}`,
  ),
  udpSendSkb: kfn('udp_send_skb', 'net/ipv4/udp.c', 'udp', (_o, s, d, len) => `${s} > ${d} len ${len}`),
  udpRcv: kfn('udp_rcv', 'net/ipv4/udp.c', 'udp'),
  udp4LibRcv: kfn('__udp4_lib_rcv', 'net/ipv4/udp.c', 'udp', (o, d, port) =>
    typeof o === 'string'
      ? o
      : `__udp4_lib_lookup ${ipv4ToString(d)}:${port} → socket of ${(o as Sock).comm}`,
  ),
  udpQueueRcvSkb: kfn('udp_queue_rcv_skb', 'net/ipv4/udp.c', 'udp'),
  udpEnqueue: kfn('__udp_enqueue_schedule_skb', 'net/ipv4/udp.c', 'socket', (o, qlen) =>
    typeof o === 'string' ? o : `sk_receive_queue ${qlen}, sock_def_readable`,
  ),
  udpRecvmsg: kfn(
    'udp_recvmsg',
    'net/ipv4/udp.c',
    'socket',
    (sk: Sock) => `read by ${sk.comm}, InDatagrams++`,
  ),
};

/** udp_lib_get_port: bind to `port`, or an ephemeral port from ip_local_port_range when 0. */
export function udp_lib_get_port(ctx: KernelCtx, sk: Sock, port: number): number {
  const hash = sk.net.udpHash;
  const clash = (p: number) =>
    (hash.get(p) ?? []).some(
      (o) => !o.closed && (o.rcvSaddr === 0 || sk.rcvSaddr === 0 || o.rcvSaddr === sk.rcvSaddr),
    );
  if (port === 0) {
    const [lo, hi] = sk.net.sysctl.ipLocalPortRange;
    const span = hi - lo + 1;
    let p = lo + ((ctx.random32() >>> 0) % span);
    for (let i = 0; i < span && clash(p); i++) p = p === hi ? lo : p + 1;
    if (clash(p)) return -EADDRINUSE;
    port = p;
  } else if (clash(port)) return -EADDRINUSE;
  sk.num = port;
  const list = hash.get(port) ?? [];
  list.push(sk);
  hash.set(port, list);
  return 0;
}

export function udp_lib_unhash(sk: Sock): void {
  const list = sk.net.udpHash.get(sk.num);
  if (!list) return;
  const rest = list.filter((s) => s !== sk);
  if (rest.length) sk.net.udpHash.set(sk.num, rest);
  else sk.net.udpHash.delete(sk.num);
}

/** udp_sendmsg (udp.c:1124). Returns the bytes sent or -errno. */
export function udp_sendmsg(
  ctx: KernelCtx,
  sk: Sock,
  payload: Uint8Array,
  daddr: number | null,
  dport: number,
  cpu: number,
): number {
  const net = sk.net;
  if (payload.length > 0xffff - udp.UDP_HLEN - ip.IPV4_HLEN) return -EMSGSIZE;
  if (daddr === null) {
    if (!sk.connected) return -EDESTADDRREQ;
    daddr = sk.daddr;
    dport = sk.dport;
  }
  if (!sk.num) {
    const err = udp_lib_get_port(ctx, sk, 0);
    if (err) return err;
  }
  const rt = ipRouteOutputKey(net, {
    daddr,
    saddr: sk.saddr,
    oif: 0,
    tos: 0,
    proto: IPPROTO_UDP,
    mark: sk.mark,
    now: ctx.now(),
  });
  if (isRouteError(rt)) {
    if (rt.error === -ENETUNREACH) net.mib.ip[IPSTATS.OutNoRoutes]++;
    return rt.error;
  }
  if (rt.flags & RTCF_BROADCAST && !sk.broadcast) return -EACCES;
  const ulen = udp.UDP_HLEN + payload.length;
  const saddr = rt.src;
  const ttl = sk.ttl >= 0 ? sk.ttl : net.sysctl.ipDefaultTtl;
  const skb = ip_make_skb(
    ctx,
    { sk, rt, saddr, daddr, protocol: IPPROTO_UDP, tos: sk.tos, ttl, pmtudisc: sk.pmtudisc },
    udp.UDP_HLEN,
    payload,
    (s) => {
      s.cpu = cpu;
      trace_sendmsg(ctx, s, sk, payload.length, daddr!, dport);
      ctx.step(s, F.udpSendmsg, null, sk.num, sk.connected ? 1 : 0);
      trace_fib_rules(ctx, s, rt);
      ctx.step(s, IP_ROUTE_OUTPUT_FLOW, rt);
    },
  );
  if (typeof skb === 'number') return skb;
  // udp_send_skb (udp.c:971): the UDP header and checksum over the whole datagram.
  udp.emitUdpHeader(
    { srcPort: sk.num, dstPort: dport, length: ulen },
    skb.buf,
    skb.transportHeader,
    saddr,
    daddr,
    skb.ipSummed === CHECKSUM_PARTIAL ? 'partial' : 'full',
  );
  ctx.step(skb, F.udpSendSkb, null, sk.num, dport, ulen);
  if (ip_send_skb_result(ctx, skb)) {
    // udp_send_skb (udp.c:1050) hides -ENOBUFS from the sender unless IP_RECVERR.
    if (sk.recverr) return -ENOBUFS;
    net.mib.udp[UDP_MIB.SndbufErrors]++;
    return payload.length;
  }
  net.mib.udp[UDP_MIB.OutDatagrams]++;
  return payload.length;
}

/** __udp4_lib_lookup: a socket bound to the port and (any or this) address; connected ones must match. */
export function __udp4_lib_lookup(
  net: Net,
  saddr: number,
  sport: number,
  daddr: number,
  dport: number,
): Sock | null {
  const list = net.udpHash.get(dport);
  if (!list) return null;
  let best: Sock | null = null;
  let bestScore = -1;
  for (const sk of list) {
    if (sk.closed) continue;
    let score = 0;
    if (sk.rcvSaddr) {
      if (sk.rcvSaddr !== daddr) continue;
      score += 4;
    }
    if (sk.connected) {
      if (sk.daddr !== saddr || sk.dport !== sport) continue;
      score += 4;
    }
    if (score > bestScore) {
      best = sk;
      bestScore = score;
    }
  }
  return best;
}

/** udp_rcv (udp.c:2702) → __udp4_lib_rcv (udp.c:2459) */
export function udp_rcv(ctx: KernelCtx, skb: SkBuff): Verdict {
  ctx.step(skb, F.udpRcv);
  const net = skb.net;
  const off = skb.transportHeader;
  const avail = skb.len - (off - skb.data);
  const nh = skb.networkHeader;
  const saddr = ip.src(skb.buf, nh);
  const daddr = ip.dst(skb.buf, nh);
  if (avail < udp.UDP_HLEN || udp.length(skb.buf, off) > avail || udp.length(skb.buf, off) < udp.UDP_HLEN) {
    net.mib.udp[UDP_MIB.InErrors]++;
    ctx.step(skb, F.udp4LibRcv, 'short packet');
    return drop(skb, SKB_DROP_REASON.PKT_TOO_SMALL);
  }
  if (
    skb.ipSummed !== CHECKSUM_PARTIAL &&
    udp.checksum(skb.buf, off) !== 0 &&
    !udp.checksumValid(skb.buf, off, saddr, daddr)
  ) {
    net.mib.udp[UDP_MIB.InCsumErrors]++;
    net.mib.udp[UDP_MIB.InErrors]++;
    ctx.step(skb, F.udp4LibRcv, 'bad checksum');
    return drop(skb, SKB_DROP_REASON.UDP_CSUM);
  }
  const sport = udp.srcPort(skb.buf, off);
  const dport = udp.dstPort(skb.buf, off);
  if (skb.dst && skb.dst.flags & RTCF_BROADCAST) return __udp4_lib_mcast_deliver(ctx, skb, daddr, dport);
  const sk = __udp4_lib_lookup(net, saddr, sport, daddr, dport);
  if (!sk) {
    ctx.step(
      skb,
      F.udp4LibRcv,
      `__udp4_lib_lookup ${ipv4ToString(daddr)}:${dport}: no socket → NoPorts, ICMP port unreachable`,
    );
    net.mib.udp[UDP_MIB.NoPorts]++;
    icmp_send(ctx, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
    return drop(skb, SKB_DROP_REASON.NO_SOCKET);
  }
  ctx.step(skb, F.udp4LibRcv, sk, daddr, dport);
  ctx.step(skb, F.udpQueueRcvSkb);
  return __udp_enqueue_schedule_skb(ctx, sk, skb);
}

/**
 * __udp4_lib_mcast_deliver (udp.c:2376): a broadcast goes to every socket bound to the port (a copy each);
 * with none it is dropped as IgnoredMulti, without an ICMP error.
 */
function __udp4_lib_mcast_deliver(ctx: KernelCtx, skb: SkBuff, daddr: number, dport: number): Verdict {
  const net = skb.net;
  const socks = (net.udpHash.get(dport) ?? []).filter(
    (s) => !s.closed && (!s.rcvSaddr || s.rcvSaddr === daddr),
  );
  ctx.step(skb, F.udp4LibRcv, `broadcast to ${ipv4ToString(daddr)}:${dport}: ${socks.length} socket(s)`);
  if (!socks.length) {
    net.mib.udp[UDP_MIB.IgnoredMulti]++;
    return drop(skb, SKB_DROP_REASON.NOT_SPECIFIED);
  }
  for (const sk of socks.slice(0, -1)) {
    const copy = skbCopy(ctx.newSkbId(), skb);
    const v = __udp_enqueue_schedule_skb(ctx, sk, copy);
    if (v.kind === 'drop') {
      copy.dropReason = v.reason;
      ctx.free(copy);
    }
  }
  return __udp_enqueue_schedule_skb(ctx, socks[socks.length - 1], skb);
}

/** __udp_enqueue_schedule_skb (udp.c:1577): past sk_rcvbuf the datagram is dropped (RcvbufErrors). */
export function __udp_enqueue_schedule_skb(ctx: KernelCtx, sk: Sock, skb: SkBuff): Verdict {
  const net = sk.net;
  const size = skbTruesize(skb);
  if (sk.rmemAlloc > sk.rcvbuf || sk.rmemAlloc + size > size + sk.rcvbuf) {
    sk.drops++;
    net.mib.udp[UDP_MIB.RcvbufErrors]++;
    net.mib.udp[UDP_MIB.InErrors]++;
    ctx.step(skb, F.udpEnqueue, `sk_rmem_alloc ${sk.rmemAlloc} > sk_rcvbuf ${sk.rcvbuf}`);
    return drop(skb, SKB_DROP_REASON.SOCKET_RCVBUFF);
  }
  sk.rmemAlloc += size;
  sk.receiveQueue.push(skb);
  ctx.step(skb, F.udpEnqueue, null, sk.receiveQueue.length);
  sockDefReadable(sk);
  return queued(skb, 'sk_receive_queue');
}

/** udp_recvmsg (udp.c:1888): the reader takes a datagram; InDatagrams is counted here (udp.c:1951). */
export function udp_recvmsg(
  ctx: KernelCtx,
  sk: Sock,
): { data: Uint8Array; from: number; port: number; skb: SkBuff } | null {
  const skb = sk.receiveQueue.shift();
  if (!skb) return null;
  sk.rmemAlloc -= skbTruesize(skb);
  const off = skb.transportHeader;
  const ulen = udp.length(skb.buf, off);
  sk.net.mib.udp[UDP_MIB.InDatagrams]++;
  ctx.step(skb, F.udpRecvmsg, sk);
  ctx.free(skb);
  return {
    // skb_copy_datagram_msg: the skb is freed now, so the reader may keep a view of its bytes.
    data: skb.buf.subarray(off + udp.UDP_HLEN, off + ulen),
    from: ip.src(skb.buf, skb.networkHeader),
    port: udp.srcPort(skb.buf, off),
    skb,
  };
}

/** udp_err (__udp4_lib_err): an ICMP error about a datagram we sent. */
export function udp_err(
  ctx: KernelCtx,
  skb: SkBuff,
  type: number,
  code: number,
  info: number,
  from: number,
  quoted: Ipv4Repr,
  sport: number | null,
  dport: number | null,
): void {
  if (sport === null || dport === null) return;
  const sk = __udp4_lib_lookup(skb.net, quoted.dst, dport, quoted.src, sport);
  if (!sk) {
    // __udp4_lib_err (udp.c:801): an error about no socket of ours.
    skb.net.mib.icmp[ICMP_MIB.InErrors]++;
    return;
  }
  if (type === ICMP_SOURCE_QUENCH || type === ICMP_REDIRECT) return;
  let err = icmpErrno(type, code);
  let harderr = type === ICMP_PARAMETERPROB;
  if (type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED) {
    // Path MTU discovery (__udp4_lib_err): the route learns the MTU; a hard EMSGSIZE unless the socket said
    // IP_PMTUDISC_DONT.
    ipv4_sk_update_pmtu(ctx, skb.net, quoted.dst, info);
    if (sk.pmtudisc === IP_PMTUDISC_DONT) return;
    err = EMSGSIZE;
    harderr = true;
  } else if (type === ICMP_DEST_UNREACH) harderr = ICMP_ERR_CONVERT[code]?.fatal ?? false;
  if (!sk.recverr) {
    if (!harderr || !sk.connected) return;
  } else ip_icmp_error(sk, err, type, code, info, from, 0, dport, ctx.now());
  sk.skErr = err;
  sockDefReadable(sk);
}
