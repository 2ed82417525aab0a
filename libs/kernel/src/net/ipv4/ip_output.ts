/**
 * net/ipv4/ip_output.c: building IP datagrams for sockets (ip_make_skb / __ip_make_skb), the local output
 * path (ip_send_skb → ip_local_out → __ip_local_out → ip_output → ip_finish_output → ip_finish_output2 →
 * neigh_output) and fragmentation (ip_fragment → ip_do_fragment).
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { allocSkb, skbPut, CHECKSUM_PARTIAL } from '../../include/linux/skbuff';
import type { Rtable } from '../../include/net/route';
import type { Sock } from '../../include/net/sock';
import { IP_PMTUDISC_DO, IP_PMTUDISC_DONT, IPPROTO_ICMP, IPPROTO_UDP } from '../../include/net/sock';
import { IPSTATS } from '../../include/net/snmp';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import { kfn } from '../../include/net/trace';
import { drop, next, type Verdict } from '../../include/net/verdict';
import type { NetDevice } from '../../include/linux/netdevice';
import { EMSGSIZE, ENOBUFS } from '../../include/linux/errno';
import { ETH_P_IP } from '@skblab/wire/ethernet';
import * as ip from '@skblab/wire/ipv4';
import { ipv4ToString as formatIpv4 } from '@skblab/wire/address';
import { dstMtu } from './route';
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
};

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
  skb.net.mib.ip[IPSTATS.OutTransmits]++;
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
