/**
 * net/ipv4/ip_input.c: IPv4 receive. ip_rcv → ip_rcv_core (InReceives, header checks) → NF_INET_PRE_ROUTING
 * → ip_rcv_finish (route unless the skb already has one: on lo it keeps the output route) → dst_input →
 * ip_local_deliver (reassembly) → ip_local_deliver_finish → ip_protocol_deliver_rcu → the protocol.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { PACKET_OTHERHOST, skbTrim } from '../../include/linux/skbuff';
import { IPEXT_MIB, IPSTATS } from '../../include/net/snmp';
import { RTN_BROADCAST } from '../../include/net/route';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../../include/net/sock';
import { kfn } from '../../include/net/trace';
import { drop, next, type Verdict } from '../../include/net/verdict';
import { EACCES, EHOSTUNREACH, ENETUNREACH } from '../../include/linux/errno';
import * as ip from '@skblab/wire/ipv4';
import { WireError } from '@skblab/wire/result';
import { ipv4ToString } from '@skblab/wire/address';
import {
  ICMP_DEST_UNREACH,
  ICMP_HOST_UNREACH,
  ICMP_NET_UNREACH,
  ICMP_PKT_FILTERED,
  ICMP_PROT_UNREACH,
} from '@skblab/wire/icmp';
import { ipRouteInputNoref, isRouteError, describeFib, trace_fib_rules } from './route';
import { ip_defrag } from './ip_fragment';
import { icmp_send } from './icmp';
import { raw_local_deliver } from './raw';

/** inet_protos[]: the handler ip_protocol_deliver_rcu calls for each protocol. */
const PROTO_HANDLER: Record<number, 'icmp_rcv' | 'udp_rcv' | 'tcp_v4_rcv'> = {
  [IPPROTO_ICMP]: 'icmp_rcv',
  [IPPROTO_TCP]: 'tcp_v4_rcv',
  [IPPROTO_UDP]: 'udp_rcv',
};

const F = {
  ipRcv: kfn('ip_rcv', 'net/ipv4/ip_input.c', 'ip'),
  ipListRcv: kfn(
    'ip_list_rcv',
    'net/ipv4/ip_input.c',
    'ip',
    () => 'ip_rcv_core per skb, then ip_sublist_rcv',
  ),
  ipListRcvFinish: kfn(
    'ip_list_rcv_finish',
    'net/ipv4/ip_input.c',
    'ip',
    () => 'NF_INET_PRE_ROUTING (list) passed: ip_rcv_finish_core',
  ),
  ipRcvCore: kfn('ip_rcv_core', 'net/ipv4/ip_input.c', 'ip', (o, s, d, ttl) =>
    typeof o === 'string'
      ? o
      : `InReceives++, ${ipv4ToString(s)} > ${ipv4ToString(d)} ttl ${ttl}, NF_INET_PRE_ROUTING`,
  ),
  ipRcvFinish: kfn('ip_rcv_finish', 'net/ipv4/ip_input.c', 'ip', (o) =>
    typeof o === 'string'
      ? o
      : `skb_valid_dst: keeps the output route (dev ${(o as { name: string }).name}), no input lookup`,
  ),
  ipRcvFinishCore: kfn('ip_rcv_finish_core', 'net/ipv4/ip_input.c', 'ip', (o) =>
    typeof o === 'string'
      ? o
      : `skb_valid_dst: keeps the output route (dev ${(o as { name: string }).name}), no input lookup`,
  ),
  ipRouteInput: kfn('ip_route_input_noref', 'net/ipv4/route.c', 'route'),
  ipLocalDeliver: kfn('ip_local_deliver', 'net/ipv4/ip_input.c', 'ip'),
  ipLocalDeliverFinish: kfn('ip_local_deliver_finish', 'net/ipv4/ip_input.c', 'ip'),
  ipProtocolDeliverRcu: kfn('ip_protocol_deliver_rcu', 'net/ipv4/ip_input.c', 'ip', (o, p) =>
    typeof o === 'string' ? o : `protocol ${p} → ${PROTO_HANDLER[p]}, InDelivers++`,
  ),
  ipError: kfn('ip_error', 'net/ipv4/route.c', 'ip'),
};

/** ip_rcv (ip_input.c:560) → ip_rcv_core (ip_input.c:456) */
export function ip_rcv(ctx: KernelCtx, skb: SkBuff): Verdict {
  ctx.step(skb, F.ipRcv);
  return ip_rcv_core(ctx, skb, 'ip_rcv_finish');
}

/**
 * ip_list_rcv (ip_input.c:645): what NAPI drivers' GRO lists reach. Each skb passes ip_rcv_core, the
 * sublist the PRE_ROUTING hook, then ip_list_rcv_finish routes each (ip_rcv_finish_core) and
 * ip_sublist_rcv_finish calls dst_input.
 */
export function ip_list_rcv(ctx: KernelCtx, skb: SkBuff): Verdict {
  ctx.step(skb, F.ipListRcv);
  return ip_rcv_core(ctx, skb, 'ip_list_rcv_finish');
}

/** ip_list_rcv_finish (ip_input.c:598) → ip_rcv_finish_core → ip_sublist_rcv_finish → dst_input */
export function ip_list_rcv_finish(ctx: KernelCtx, skb: SkBuff): Verdict {
  ctx.step(skb, F.ipListRcvFinish);
  return ip_rcv_finish_core(ctx, skb, F.ipRcvFinishCore);
}

/** ip_rcv_core (ip_input.c:456): InReceives, header checks, trim to tot_len. */
function ip_rcv_core(ctx: KernelCtx, skb: SkBuff, then: 'ip_rcv_finish' | 'ip_list_rcv_finish'): Verdict {
  const net = skb.net;
  if (skb.pktType === PACKET_OTHERHOST) {
    ctx.step(skb, F.ipRcvCore, 'PACKET_OTHERHOST');
    return drop(skb, SKB_DROP_REASON.OTHERHOST);
  }
  // __IP_UPD_PO_STATS(IPSTATS_MIB_IN): InReceives and IpExt InOctets, the length as received.
  net.mib.ip[IPSTATS.InReceives]++;
  net.ipExtMib[IPEXT_MIB.InOctets] += skb.len;
  const off = skb.data;
  skb.networkHeader = off;
  // Once version and ihl look right, the ECN codepoint is counted (InNoECTPkts + ECN), per GSO segment.
  if (skb.len >= ip.IPV4_HLEN && skb.buf[off] >> 4 === 4 && (skb.buf[off] & 0xf) >= 5)
    net.ipExtMib[IPEXT_MIB.InNoECTPkts + (skb.buf[off + 1] & 3)] += Math.max(1, skb.gsoSegs);
  const err = ip.checkIpv4Header(skb.buf, off, skb.len, true);
  if (err !== null) {
    ctx.step(skb, F.ipRcvCore, `InReceives++, bad header: ${err}`);
    // ip_rcv_core: a short buffer is InTruncatedPkts (IpExt), the rest InHdrErrors (csum also CsumErrors).
    if (err === WireError.Truncated && skb.len >= ip.IPV4_HLEN) {
      net.ipExtMib[IPEXT_MIB.InTruncatedPkts]++;
      return drop(skb, SKB_DROP_REASON.PKT_TOO_SMALL);
    }
    if (err === WireError.BadChecksum) net.ipExtMib[IPEXT_MIB.InCsumErrors]++;
    net.mib.ip[IPSTATS.InHdrErrors]++;
    return drop(skb, err === WireError.BadChecksum ? SKB_DROP_REASON.IP_CSUM : SKB_DROP_REASON.IP_INHDR);
  }
  skbTrim(skb, ip.totalLength(skb.buf, off));
  skb.transportHeader = off + ip.headerLength(skb.buf, off);
  ctx.step(skb, F.ipRcvCore, null, ip.src(skb.buf, off), ip.dst(skb.buf, off), ip.ttl(skb.buf, off));
  return next(then, skb);
}

/** ip_rcv_finish (ip_input.c:435) → ip_rcv_finish_core → dst_input */
export function ip_rcv_finish(ctx: KernelCtx, skb: SkBuff): Verdict {
  return ip_rcv_finish_core(ctx, skb, F.ipRcvFinish);
}

/**
 * ip_rcv_finish_core (ip_input.c:317): route the packet unless it already carries a dst (on lo it does:
 * skb_dst_force in loopback_xmit, so the input lookup is skipped), then dst_input. `fn` is the step the
 * trace shows: ip_rcv_finish, or on the list path ip_rcv_finish_core itself.
 */
function ip_rcv_finish_core(ctx: KernelCtx, skb: SkBuff, fn: typeof F.ipRcvFinish): Verdict {
  const off = skb.networkHeader;
  if (!skb.dst) {
    const rt = ipRouteInputNoref(
      skb.net,
      ip.dst(skb.buf, off),
      ip.src(skb.buf, off),
      skb.dev!,
      ip.tos(skb.buf, off),
      skb.mark,
    );
    ctx.step(skb, fn, 'no dst: route it');
    trace_fib_rules(ctx, skb, rt);
    if (isRouteError(rt)) return drop(skb, SKB_DROP_REASON.IP_INNOROUTES);
    skb.dst = rt;
    ctx.step(skb, F.ipRouteInput, `${rt.fib ? describeFib(rt.fib) : 'no route'} → ${rt.input}`);
  } else {
    ctx.step(skb, fn, skb.dst.dev);
  }
  if (skb.dst.type === RTN_BROADCAST) {
    skb.net.ipExtMib[IPEXT_MIB.InBcastPkts]++;
    skb.net.ipExtMib[IPEXT_MIB.InBcastOctets] += skb.len;
  }
  // dst_input
  return next(skb.dst.input, skb);
}

/**
 * ip_error (route.c:988): a received packet we cannot route. Without forwarding: InAddrErrors, no ICMP.
 * A router answers with ICMP net/host unreachable or "packet filtered" (a blackhole stays silent).
 */
export function ip_error(ctx: KernelCtx, skb: SkBuff): Verdict {
  const net = skb.net;
  const err = skb.dst?.error || -EHOSTUNREACH;
  if (!net.sysctl.ipForward) {
    ctx.step(skb, F.ipError, 'not forwarding: InAddrErrors++');
    net.mib.ip[IPSTATS.InAddrErrors]++;
    return drop(skb, SKB_DROP_REASON.IP_INADDRERRORS);
  }
  const code =
    err === -ENETUNREACH
      ? ICMP_NET_UNREACH
      : err === -EHOSTUNREACH
        ? ICMP_HOST_UNREACH
        : err === -EACCES
          ? ICMP_PKT_FILTERED
          : -1;
  ctx.step(
    skb,
    F.ipError,
    code < 0 ? 'blackhole: dropped silently' : `ICMP destination unreachable, code ${code}`,
  );
  if (code >= 0) icmp_send(ctx, skb, ICMP_DEST_UNREACH, code, 0);
  return drop(skb, err === -ENETUNREACH ? SKB_DROP_REASON.IP_INNOROUTES : SKB_DROP_REASON.NOT_SPECIFIED);
}

/** ip_local_deliver (ip_input.c:242): reassemble fragments first; NF_INET_LOCAL_IN. */
export function ip_local_deliver(ctx: KernelCtx, skb: SkBuff): Verdict {
  const off = skb.networkHeader;
  if (ip.isFragment(skb.buf, off)) {
    ctx.step(skb, F.ipLocalDeliver, 'fragment → ip_defrag');
    return ip_defrag(ctx, skb);
  }
  ctx.step(skb, F.ipLocalDeliver, 'NF_INET_LOCAL_IN');
  return next('ip_local_deliver_finish', skb);
}

/** ip_local_deliver_finish → ip_protocol_deliver_rcu (ip_input.c:187): InDelivers, then the handler. */
export function ip_local_deliver_finish(ctx: KernelCtx, skb: SkBuff): Verdict {
  ctx.step(skb, F.ipLocalDeliverFinish, '__skb_pull(network header)');
  const net = skb.net;
  const proto = ip.protocol(skb.buf, skb.networkHeader);
  // raw_local_deliver: raw sockets get their clones before the protocol handler runs.
  if (net.rawSocks.length) raw_local_deliver(ctx, skb, proto);
  const handler = PROTO_HANDLER[proto];
  if (handler) {
    net.mib.ip[IPSTATS.InDelivers]++;
    ctx.step(skb, F.ipProtocolDeliverRcu, null, proto);
    return next(handler, skb);
  }
  ctx.step(
    skb,
    F.ipProtocolDeliverRcu,
    `protocol ${proto}: no handler → InUnknownProtos++, ICMP protocol unreachable`,
  );
  net.mib.ip[IPSTATS.InUnknownProtos]++;
  icmp_send(ctx, skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
  return drop(skb, SKB_DROP_REASON.IP_NOPROTO);
}
