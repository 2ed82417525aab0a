/**
 * net/ipv4/ip_output.c: building IP datagrams for sockets (ip_make_skb / __ip_make_skb), TCP's output
 * (ip_queue_xmit for a connection's segments, ip_build_and_send_pkt for SYN-ACKs, ip_send_unicast_reply for
 * RSTs and ACKs sent without a full socket), the local output path (ip_send_skb → ip_local_out →
 * __ip_local_out → ip_output → ip_finish_output → ip_finish_output2 → neigh_output) and fragmentation
 * (ip_fragment → ip_do_fragment).
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { allocSkb, skbPush, skbPut, CHECKSUM_NONE, CHECKSUM_PARTIAL } from '../../include/linux/skbuff';
import { RTN_BROADCAST, type Rtable } from '../../include/net/route';
import type { Sock } from '../../include/net/sock';
import {
  IP_PMTUDISC_DO,
  IP_PMTUDISC_DONT,
  IP_PMTUDISC_WANT,
  IPPROTO_ICMP,
  IPPROTO_UDP,
} from '../../include/net/sock';
import { IPEXT_MIB, IPSTATS } from '../../include/net/snmp';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import { kfn } from '../../include/net/trace';
import { drop, next, type Verdict } from '../../include/net/verdict';
import type { NetDevice } from '../../include/linux/netdevice';
import { EHOSTUNREACH, EMSGSIZE, ENOBUFS } from '../../include/linux/errno';
import { ETH_P_IP } from '@skblab/wire/ethernet';
import * as ip from '@skblab/wire/ipv4';
import { ipv4ToString as formatIpv4 } from '@skblab/wire/address';
import {
  dstMtu,
  ip_route_output_flow,
  ip_route_output_ports,
  isRouteError,
  IP_ROUTE_OUTPUT_FLOW,
  trace_fib_rules,
  type Flowi4,
  ip_mtu_locked,
} from './route';
import * as tcpw from '@skblab/wire/tcp';
import { __sk_dst_check, sk_setup_caps } from './tcp_ipv4';
import { icmp_out_count, icmp_send } from './icmp';
import { ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED } from '@skblab/wire/icmp';

const IPV4_HLEN = ip.IPV4_HLEN;
import { ip_neigh_nexthop } from '../core/neighbour';
import { ip_local_error } from './ip_sockglue';

const F = {
  ipMakeSkb: kfn(
    '__ip_make_skb',
    'net/ipv4/ip_output.c',
    'ip',
    (_o, s, d, ttl, df) => `${formatIpv4(s)} > ${formatIpv4(d)} ttl ${ttl}${df ? ' DF' : ''}`,
  ),
  ipSendSkb: kfn('ip_send_skb', 'net/ipv4/ip_output.c', 'ip'),
  ipLocalOut: kfn('ip_local_out', 'net/ipv4/ip_output.c', 'ip'),
  __ipLocalOut: kfn('__ip_local_out', 'net/ipv4/ip_output.c', 'ip'),
  ipOutput: kfn(
    'ip_output',
    'net/ipv4/ip_output.c',
    'ip',
    (d: NetDevice) => `dev ${d.name}, NF_INET_POST_ROUTING`,
  ),
  ipFinishOutput: kfn('ip_finish_output', 'net/ipv4/ip_output.c', 'ip'),
  __ipFinishOutput: kfn('__ip_finish_output', 'net/ipv4/ip_output.c', 'ip', (_o, len, mtu) =>
    len > mtu ? `len ${len} > mtu ${mtu}: ip_fragment` : `len ${len} mtu ${mtu}`,
  ),
  ipFinishOutput2: kfn(
    'ip_finish_output2',
    'net/ipv4/ip_output.c',
    'ip',
    (d: NetDevice, nh) => `OutTransmits++, neigh ${formatIpv4(nh)} dev ${d.name}`,
  ),
  ipFragment: kfn('ip_fragment', 'net/ipv4/ip_output.c', 'ip'),
  ipDoFragment: kfn('ip_do_fragment', 'net/ipv4/ip_output.c', 'ip'),
  ipQueueXmit: kfn('ip_queue_xmit', 'net/ipv4/ip_output.c', 'ip', (_o, tos) => `tos 0x${tos.toString(16)}`),
  __ipQueueXmit: kfn(
    '__ip_queue_xmit',
    'net/ipv4/ip_output.c',
    'ip',
    (_o, s, d, id, df) => `${formatIpv4(s)} > ${formatIpv4(d)} id ${id}${df ? ' DF' : ''}, ip_local_out`,
  ),
  skDstCheck: kfn('__sk_dst_check', 'net/core/sock.c', 'route', (rt: Rtable | null, stale) =>
    rt
      ? `sk_dst_cache: dev ${rt.dev.name} src ${formatIpv4(rt.src)}`
      : stale
        ? 'sk_dst_cache obsolete (rt_genid)'
        : 'no sk_dst_cache',
  ),
  ipRouteOutputPorts: kfn(
    'ip_route_output_ports',
    'include/net/route.h',
    'route',
    (_o, d, dport, sport) => `daddr ${formatIpv4(d)} dport ${dport} sport ${sport}`,
  ),
  skSetupCaps: kfn(
    'sk_setup_caps',
    'net/core/sock.c',
    'route',
    (d: NetDevice, segs) => `sk_dst_set, dev ${d.name} gso_max_segs ${segs}`,
  ),
  ipBuildAndSendPkt: kfn(
    'ip_build_and_send_pkt',
    'net/ipv4/ip_output.c',
    'ip',
    (_o, s, d, id, df) => `${formatIpv4(s)} > ${formatIpv4(d)} id ${id}${df ? ' DF' : ''}, ip_local_out`,
  ),
  ipSendUnicastReply: kfn(
    'ip_send_unicast_reply',
    'net/ipv4/ip_output.c',
    'ip',
    (_o, s, d) => `${formatIpv4(s)} > ${formatIpv4(d)}, ip_append_data → ip_push_pending_frames`,
  ),
};

/** NET_XMIT_DROP: what the stack below ip_local_out answers when the device or qdisc dropped the skb. */
export const NET_XMIT_DROP = 1;
/** IPV4_MIN_MTU: ip_build_and_send_pkt does not bother with an IP ID at or below it. */
const IPV4_MIN_MTU = 68;

/** ip_local_out's return as TCP sees it: NET_XMIT_DROP if the driver or qdisc dropped it, else 0. */
function ip_local_out_result(ctx: KernelCtx, skb: SkBuff): number {
  const v = ctx.run('ip_local_out', skb);
  return v.kind === 'drop' && v.xmit ? NET_XMIT_DROP : 0;
}

/** ip_select_ttl (ip_output.c:134): the socket's IP_TTL, else the route's hop limit (the sysctl). */
function ip_select_ttl(sk: Sock): number {
  return sk.ttl >= 0 ? sk.ttl : sk.net.sysctl.ipDefaultTtl;
}

/** ip_dont_fragment (include/net/ip.h:443): DF for PMTUDISC_DO and for WANT unless the MTU metric is locked. */
export function ip_dont_fragment(sk: Sock, dst: Rtable | null): boolean {
  return sk.pmtudisc === IP_PMTUDISC_DO || (sk.pmtudisc === IP_PMTUDISC_WANT && !ip_mtu_locked(dst));
}

/**
 * ip_select_ident_segs (include/net/ip.h:566): a connected socket numbers its datagrams from inet_id (TCP
 * without atomics: it holds the socket); otherwise DF datagrams get 0 and the rest the hashed generator.
 */
function ip_select_ident_segs(
  ctx: KernelCtx,
  skb: SkBuff,
  sk: Sock & { inetId?: number },
  segs: number,
): void {
  const nh = skb.networkHeader;
  if (sk.daddr && sk.inetId !== undefined) {
    ip.setIdent(skb.buf, nh, sk.inetId & 0xffff);
    sk.inetId = (sk.inetId + segs) & 0xffff;
    return;
  }
  if (ip.dontFragment(skb.buf, nh) && !skb.ignoreDf) ip.setIdent(skb.buf, nh, 0);
  else ip.setIdent(skb.buf, nh, ipSelectIdent(ctx, skb, ip.dst(skb.buf, nh)));
}

/** The 20-byte IPv4 header ip_queue_xmit and ip_build_and_send_pkt push in front of the transport header. */
function ipPushHeader(
  skb: SkBuff,
  tos: number,
  ttl: number,
  df: boolean,
  protocol: number,
  s: number,
  d: number,
): void {
  skbPush(skb, IPV4_HLEN);
  skb.networkHeader = skb.data;
  ip.emitIpv4Header(
    {
      headerLength: IPV4_HLEN,
      src: s,
      dst: d,
      protocol,
      ttl,
      tos,
      id: 0,
      df,
      mf: false,
      fragOffset: 0,
      totalLength: skb.len,
    },
    skb.buf,
    skb.data,
  );
  skb.protocol = ETH_P_IP;
}

/** ip_queue_xmit (ip_output.c:553): a TCP segment of a connected socket, with the socket's TOS. */
export function ip_queue_xmit(ctx: KernelCtx, sk: Sock, skb: SkBuff): number {
  ctx.step(skb, F.ipQueueXmit, null, sk.tos);
  return __ip_queue_xmit(ctx, sk, skb, sk.tos);
}

/**
 * __ip_queue_xmit (ip_output.c:462): route with the socket's cached dst (__sk_dst_check), or look the flow
 * up again and cache it (ip_route_output_ports, sk_setup_caps); then the IP header: DF per
 * ip_dont_fragment, the ID from inet_id, and on to ip_local_out. No route: OutNoRoutes, -EHOSTUNREACH, and
 * TCP's retransmit timer keeps trying.
 */
export function __ip_queue_xmit(ctx: KernelCtx, sk: Sock, skb: SkBuff, tos: number): number {
  const net = sk.net;
  let rt = skb.dst;
  if (!rt) {
    const cached = sk.dstCache;
    rt = __sk_dst_check(sk, 0);
    ctx.step(skb, F.skDstCheck, rt, cached && !rt ? 1 : 0);
    if (!rt) {
      const fl4: Flowi4 = { daddr: 0, saddr: 0, oif: 0, tos: 0, proto: 0, now: ctx.now() };
      const boundDevIf = (sk as Sock & { boundDevIf?: number }).boundDevIf ?? 0;
      ctx.step(skb, F.ipRouteOutputPorts, null, sk.daddr, sk.dport, sk.num);
      const r = ip_route_output_ports(
        net,
        fl4,
        sk.daddr,
        sk.saddr,
        sk.dport,
        sk.num,
        sk.protocol,
        tos & 0xfc,
        boundDevIf,
      );
      if (isRouteError(r)) {
        ctx.step(skb, IP_ROUTE_OUTPUT_FLOW, `no route: ${r.error}`);
        net.mib.ip[IPSTATS.OutNoRoutes]++;
        skb.dropReason = SKB_DROP_REASON.IP_OUTNOROUTES;
        ctx.free(skb);
        return -EHOSTUNREACH;
      }
      trace_fib_rules(ctx, skb, r);
      ctx.step(skb, IP_ROUTE_OUTPUT_FLOW, r);
      sk_setup_caps(sk, r);
      ctx.step(skb, F.skSetupCaps, r.dev, (sk as Sock & { gsoMaxSegs?: number }).gsoMaxSegs ?? 1);
      rt = r;
    }
    skb.dst = rt;
  }
  const df = ip_dont_fragment(sk, rt) && !skb.ignoreDf;
  ipPushHeader(skb, tos & 0xff, ip_select_ttl(sk), df, sk.protocol, sk.saddr || rt.src, sk.daddr);
  ip_select_ident_segs(ctx, skb, sk, skb.gsoSegs || 1);
  skb.priority = sk.priority;
  skb.mark = sk.mark;
  skb.sk = sk;
  const nh = skb.networkHeader;
  ctx.step(
    skb,
    F.__ipQueueXmit,
    null,
    ip.src(skb.buf, nh),
    ip.dst(skb.buf, nh),
    ip.ident(skb.buf, nh),
    df ? 1 : 0,
  );
  return ip_local_out_result(ctx, skb);
}

/**
 * ip_build_and_send_pkt (ip_output.c:150): a SYN-ACK of a request sock, on the route the request was given
 * (`dst`). Small packets and DF ones carry ID 0; a bigger one without DF a random ID (TCP avoids the hashed
 * generator here).
 */
export function ip_build_and_send_pkt(
  ctx: KernelCtx,
  skb: SkBuff,
  sk: Sock,
  saddr: number,
  daddr: number,
  tos: number,
  dst: Rtable | null,
): number {
  const net = sk.net;
  let rt = dst ?? skb.dst;
  if (!rt) {
    // TODO(contract): tcp_v4_send_synack (tcp_output.ts) should route with inet_csk_route_req when the request
    // has no dst, as tcp_ipv4.c does; until then the SYN-ACK is routed here.
    const r = ip_route_output_flow(net, {
      daddr,
      saddr,
      oif: 0,
      tos: tos & 0xfc,
      proto: sk.protocol,
      now: ctx.now(),
    });
    if (isRouteError(r)) {
      net.mib.ip[IPSTATS.OutNoRoutes]++;
      skb.dropReason = SKB_DROP_REASON.IP_OUTNOROUTES;
      ctx.free(skb);
      return -EHOSTUNREACH;
    }
    rt = r;
  }
  skb.dst = rt;
  const small = skb.len + IPV4_HLEN <= IPV4_MIN_MTU;
  const df = small || ip_dont_fragment(sk, rt);
  ipPushHeader(skb, tos & 0xff, ip_select_ttl(sk), df, sk.protocol, saddr, daddr);
  const nh = skb.networkHeader;
  ip.setIdent(skb.buf, nh, df ? 0 : ctx.random32() & 0xffff);
  skb.priority = sk.priority;
  ctx.step(skb, F.ipBuildAndSendPkt, null, saddr, daddr, ip.ident(skb.buf, nh), df ? 1 : 0);
  return ip_local_out_result(ctx, skb);
}

/** struct ip_reply_arg: the reply's bytes (iov), where its checksum goes, and how to route it. */
export interface IpReplyArg {
  iov: Uint8Array;
  /** Offset of the checksum field in 16-bit words (offsetof(struct tcphdr, check) / 2), -1 for none. */
  csumoffset: number;
  /** IP_REPLY_ARG_NOSRCCHECK */
  flags: number;
  boundDevIf: number;
  tos: number;
}

/**
 * ip_send_unicast_reply (ip_output.c:1607): a reply (TCP RST or ACK) to `skb` from the per-namespace
 * control socket: routed back to its source, built by ip_append_data with the checksum computed in full
 * (CHECKSUM_NONE), sent by ip_push_pending_frames → ip_send_skb. The control socket sets IP_PMTUDISC_DO, so
 * every reply carries DF and ID 0. `steps` records what the caller did on the new skb's journey.
 */
export function ip_send_unicast_reply(
  ctx: KernelCtx,
  sk: Sock,
  skb: SkBuff,
  daddr: number,
  saddr: number,
  arg: IpReplyArg,
  len: number,
  _transmitTime = 0,
  _txhash = 0,
  steps?: (nskb: SkBuff) => void,
): void {
  const net = sk.net;
  const protocol = ip.protocol(skb.buf, skb.networkHeader);
  const th = skb.transportHeader;
  const fl4: Flowi4 = {
    daddr,
    saddr,
    oif: arg.boundDevIf,
    tos: arg.tos & 0xfc,
    proto: protocol,
    sport: tcpw.srcPort(skb.buf, th),
    dport: tcpw.dstPort(skb.buf, th),
    now: ctx.now(),
  };
  const rt = ip_route_output_flow(net, fl4);
  if (isRouteError(rt)) return;
  sk.tos = arg.tos & ~3;
  sk.protocol = protocol;
  const total = IPV4_HLEN + len;
  const nskb = allocSkb(ctx.newSkbId(), net, total);
  nskb.sk = sk;
  nskb.comm = ctx.comm();
  nskb.cpu = skb.cpu;
  nskb.priority = sk.priority;
  nskb.dst = rt;
  nskb.protocol = ETH_P_IP;
  const off = skbPut(nskb, total);
  nskb.networkHeader = off;
  nskb.transportHeader = off + IPV4_HLEN;
  nskb.buf.set(arg.iov.subarray(0, len), off + IPV4_HLEN);
  const df = sk.pmtudisc >= IP_PMTUDISC_DO || (sk.pmtudisc !== IP_PMTUDISC_DONT && total <= dstMtu(rt));
  ip.emitIpv4Header(
    {
      headerLength: IPV4_HLEN,
      src: fl4.saddr,
      dst: fl4.daddr,
      protocol,
      ttl: ip_select_ttl(sk),
      tos: sk.tos,
      id: 0,
      df,
      mf: false,
      fragOffset: 0,
      totalLength: total,
    },
    nskb.buf,
    off,
  );
  // ip_reply_glue_bits summed the bytes; the checksum is folded in now and nothing is left to the device.
  if (arg.csumoffset >= 0 && protocol === ip.IPPROTO_TCP)
    tcpw.fillChecksum(nskb.buf, off + IPV4_HLEN, len, fl4.saddr, fl4.daddr, 'full');
  nskb.ipSummed = CHECKSUM_NONE;
  steps?.(nskb);
  ctx.step(nskb, F.ipSendUnicastReply, null, fl4.saddr, fl4.daddr);
  trace_fib_rules(ctx, nskb, rt);
  ctx.step(nskb, IP_ROUTE_OUTPUT_FLOW, rt);
  // ip_select_ident: the control socket has no inet_daddr, so a DF reply gets ID 0.
  ip_select_ident_segs(ctx, nskb, sk, 1);
  ctx.step(nskb, F.ipMakeSkb, null, fl4.saddr, fl4.daddr, ip_select_ttl(sk), df ? 1 : 0);
  ip_send_skb_result(ctx, nskb);
}

/** What a socket hands ip_make_skb: the transport header and payload already laid out in `l4`. */
export interface IpCork {
  sk: Sock;
  rt: Rtable;
  saddr: number;
  daddr: number;
  protocol: number;
  tos: number;
  ttl: number;
  /** Override of the socket's pmtudisc (the kernel ICMP socket uses IP_PMTUDISC_DONT). */
  pmtudisc: number;
}

/** ip_select_ident: per-destination IP ID, as ip_idents_reserve hands them out. */
function ipSelectIdent(ctx: KernelCtx, skb: SkBuff, daddr: number): number {
  const idents = skb.net.ipIdents;
  let id = idents.get(daddr);
  if (id === undefined) id = ctx.random32() & 0xffff;
  idents.set(daddr, (id + 1) & 0xffff);
  return id;
}

/**
 * ip_make_skb → __ip_append_data → __ip_make_skb (ip_output.c:1556, :965, :1401): one skb holding the whole
 * datagram (the kernel pre-splits it into a frag_list, ip_do_fragment then only writes headers; the bytes
 * on the wire are the same). `hdrlen` bytes of transport header are left for the caller to write, then
 * `data` is copied in (getfrag). Returns -EMSGSIZE (after queueing a local error) when DF forbids the size.
 */
export function ip_make_skb(
  ctx: KernelCtx,
  cork: IpCork,
  hdrlen: number,
  data: Uint8Array,
  steps: (skb: SkBuff) => void,
): SkBuff | number {
  const { sk, rt } = cork;
  const mtu = dstMtu(rt);
  const total = IPV4_HLEN + hdrlen + data.length;
  if (cork.pmtudisc >= IP_PMTUDISC_DO && total > mtu) {
    ip_local_error(sk, EMSGSIZE, cork.daddr, 0, mtu, data);
    return -EMSGSIZE;
  }
  if (total > 65535) return -EMSGSIZE;
  const skb = allocSkb(ctx.newSkbId(), sk.net, total);
  skb.sk = sk;
  // __ip_make_skb: sk_priority (no IP_TOS control message here). The kernel ICMP socket's is 0 whatever
  // TOS it answers with.
  skb.priority = sk.priority;
  skb.comm = sk.comm;
  skb.dst = rt;
  skb.protocol = ETH_P_IP;
  const off = skbPut(skb, total);
  skb.networkHeader = off;
  skb.transportHeader = off + IPV4_HLEN;
  skb.buf.set(data, off + IPV4_HLEN + hdrlen);
  // DF: always with PMTUDISC_DO/PROBE; with WANT only while the datagram fits (ip_dont_fragment).
  const df = cork.pmtudisc >= IP_PMTUDISC_DO || (cork.pmtudisc !== IP_PMTUDISC_DONT && total <= mtu);
  ip.emitIpv4Header(
    {
      headerLength: IPV4_HLEN,
      src: cork.saddr,
      dst: cork.daddr,
      protocol: cork.protocol,
      ttl: cork.ttl,
      tos: cork.tos,
      id: 0,
      df,
      mf: false,
      fragOffset: 0,
      totalLength: total,
    },
    skb.buf,
    off,
  );
  // __ip_append_data: a UDP datagram that fits goes out CHECKSUM_PARTIAL on devices with NETIF_F_HW_CSUM
  // (lo, veth): only the pseudo-header sum is written, as tcpdump shows ("bad udp cksum").
  if (cork.protocol === IPPROTO_UDP && total <= mtu && rt.dev.hwCsum) skb.ipSummed = CHECKSUM_PARTIAL;
  steps(skb);
  ip.setIdent(skb.buf, off, ipSelectIdent(ctx, skb, cork.daddr));
  ctx.step(skb, F.ipMakeSkb, null, cork.saddr, cork.daddr, cork.ttl, df ? 1 : 0);
  if (cork.protocol === IPPROTO_ICMP) icmp_out_count(skb.net, skb.buf[off + IPV4_HLEN]);
  return skb;
}

/** ip_send_skb (ip_output.c:1509) */
export function ip_send_skb(ctx: KernelCtx, skb: SkBuff): Verdict {
  ctx.step(skb, F.ipSendSkb);
  return ip_local_out(ctx, skb);
}

/**
 * What ip_send_skb returns to the socket that sent (ip_output.c:1513): 0, or -ENOBUFS, counted as
 * OutDiscards, when the driver answered NET_XMIT_DROP. The sockets' sendmsg paths all go through here.
 */
export function ip_send_skb_result(ctx: KernelCtx, skb: SkBuff): number {
  const net = skb.net;
  const v = ctx.run('ip_send_skb', skb);
  if (v.kind === 'drop' && v.xmit) {
    net.mib.ip[IPSTATS.OutDiscards]++;
    return -ENOBUFS;
  }
  return 0;
}

/** ip_local_out → __ip_local_out (ip_output.c:101): OutRequests, the header checksum, NF_INET_LOCAL_OUT. */
export function ip_local_out(ctx: KernelCtx, skb: SkBuff): Verdict {
  ctx.step(skb, F.ipLocalOut);
  return __ip_local_out(ctx, skb);
}

export function __ip_local_out(ctx: KernelCtx, skb: SkBuff): Verdict {
  const off = skb.networkHeader;
  ip.setTotalLength(skb.buf, off, skb.len);
  ip.fillHeaderChecksum(skb.buf, off);
  skb.net.mib.ip[IPSTATS.OutRequests]++;
  ctx.step(skb, F.__ipLocalOut, 'OutRequests++, ip_send_check, NF_INET_LOCAL_OUT');
  return next('ip_output', skb);
}

/** ip_output (ip_output.c:427): the skb leaves on the route's device; NF_INET_POST_ROUTING. */
export function ip_output(ctx: KernelCtx, skb: SkBuff): Verdict {
  const dev = skb.dst!.dev;
  skb.dev = dev;
  skb.protocol = ETH_P_IP;
  ctx.step(skb, F.ipOutput, dev);
  return next('ip_finish_output', skb);
}

/** ip_finish_output → __ip_finish_output (ip_output.c:296): fragment if the datagram exceeds the MTU. */
export function ip_finish_output(ctx: KernelCtx, skb: SkBuff): Verdict {
  ctx.step(skb, F.ipFinishOutput);
  const mtu = dstMtu(skb.dst!);
  // ip_finish_output_gso: a GSO skb is checked per segment, which TCP sized to the MTU.
  // TODO(contract): ip_forward.ts's MTU check (ip_exceeds_mtu) must let a GSO skb through when its segments
  // fit (skb_gso_validate_network_len), and libs/contracts' skb-codec must carry gsoSize/gsoSegs between
  // services, or forwarded/distributed TCP aggregates are treated as one oversized datagram.
  if (skb.gsoSize) {
    ctx.step(skb, F.__ipFinishOutput, `gso ${skb.gsoSegs} x ${skb.gsoSize}, mtu ${mtu}`);
    return next('ip_finish_output2', skb);
  }
  ctx.step(skb, F.__ipFinishOutput, null, skb.len, mtu);
  if (skb.len > mtu) return next('ip_fragment', skb);
  return next('ip_finish_output2', skb);
}

/**
 * ip_finish_output2 (ip_output.c:199): OutTransmits per packet (per fragment), then on to neigh_output, which
 * finds the neighbour of the next hop (the gateway, or the destination itself; every destination on lo maps
 * to one entry keyed 0).
 */
export function ip_finish_output2(ctx: KernelCtx, skb: SkBuff): Verdict {
  const dev = skb.dst!.dev;
  const ext = skb.net.ipExtMib;
  if (skb.dst!.type === RTN_BROADCAST) {
    ext[IPEXT_MIB.OutBcastPkts]++;
    ext[IPEXT_MIB.OutBcastOctets] += skb.len;
  }
  // IP_UPD_PO_STATS(IPSTATS_MIB_OUT): OutTransmits and IpExt OutOctets, after fragmentation.
  skb.net.mib.ip[IPSTATS.OutTransmits]++;
  ext[IPEXT_MIB.OutOctets] += skb.len;
  ctx.step(skb, F.ipFinishOutput2, dev, ip_neigh_nexthop(skb));
  return next('neigh_output', skb);
}

/** ip_fragment (ip_output.c:583): DF set → FragFails and ICMP frag-needed; otherwise ip_do_fragment. */
export function ip_fragment(ctx: KernelCtx, skb: SkBuff): Verdict {
  const off = skb.networkHeader;
  const mtu = dstMtu(skb.dst!);
  ctx.step(skb, F.ipFragment, `len ${skb.len} > mtu ${mtu}`);
  if (ip.dontFragment(skb.buf, off) && !skb.ignoreDf) {
    skb.net.mib.ip[IPSTATS.FragFails]++;
    icmp_send(ctx, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
    return drop(skb, SKB_DROP_REASON.NOT_SPECIFIED);
  }
  return ip_do_fragment(ctx, skb, mtu);
}

/**
 * ip_do_fragment (ip_output.c:768): split into fragments of at most `mtu`, each carrying a multiple of 8
 * payload bytes; FragCreates per fragment, FragOKs once; each fragment goes on to ip_finish_output2.
 */
export function ip_do_fragment(ctx: KernelCtx, skb: SkBuff, mtu: number): Verdict {
  const net = skb.net;
  const off = skb.networkHeader;
  const hlen = ip.headerLength(skb.buf, off);
  const payload = skb.len - hlen;
  const per = (mtu - hlen) & ~7;
  const baseOffset = ip.fragOffset(skb.buf, off);
  const baseMf = ip.moreFragments(skb.buf, off);
  const nfrags = Math.ceil(payload / per);
  ctx.step(skb, F.ipDoFragment, `${nfrags} fragments of ≤${per + hlen} bytes`);
  for (let pos = 0; pos < payload; pos += per) {
    const chunk = Math.min(per, payload - pos);
    const frag = allocSkb(ctx.newSkbId(), net, hlen + chunk);
    frag.sk = skb.sk;
    frag.comm = skb.comm;
    frag.dst = skb.dst;
    frag.dev = skb.dev;
    frag.cpu = skb.cpu;
    frag.protocol = skb.protocol;
    frag.ipSummed = skb.ipSummed;
    frag.priority = skb.priority; // ip_copy_metadata
    const fo = skbPut(frag, hlen + chunk);
    frag.networkHeader = fo;
    frag.transportHeader = fo + hlen;
    frag.buf.set(skb.buf.subarray(off, off + hlen), fo);
    frag.buf.set(skb.buf.subarray(off + hlen + pos, off + hlen + pos + chunk), fo + hlen);
    const last = pos + chunk >= payload;
    ip.setFragment(frag.buf, fo, false, !last || baseMf, baseOffset + pos);
    ip.setTotalLength(frag.buf, fo, hlen + chunk);
    ip.fillHeaderChecksum(frag.buf, fo);
    net.mib.ip[IPSTATS.FragCreates]++;
    ctx.step(
      frag,
      F.ipDoFragment,
      `fragment offset ${baseOffset + pos} len ${chunk}${last && !baseMf ? '' : ' MF'} of skb ${skb.id}`,
    );
    ctx.run('ip_finish_output2', frag);
  }
  net.mib.ip[IPSTATS.FragOKs]++;
  return { kind: 'consumed', skb };
}
