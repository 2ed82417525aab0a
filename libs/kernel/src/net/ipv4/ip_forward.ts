/**
 * net/ipv4/ip_forward.c: forwarding for routers (net.ipv4.ip_forward=1): TTL check and decrement,
 * ForwDatagrams, the DF/MTU check, then the normal output path.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { IPSTATS } from '../../include/net/snmp';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import { kfn } from '../../include/net/trace';
import { drop, next, type Verdict } from '../../include/net/verdict';
import * as ip from '@skblab/wire/ipv4';
import { ICMP_DEST_UNREACH, ICMP_EXC_TTL, ICMP_FRAG_NEEDED, ICMP_TIME_EXCEEDED } from '@skblab/wire/icmp';
import { icmp_send } from './icmp';
import { dstMtu } from './route';
import { rt_tos2priority } from '../../include/net/route';

const F = {
  ipForward: kfn('ip_forward', 'net/ipv4/ip_forward.c', 'ip'),
  ipForwardFinish: kfn('ip_forward_finish', 'net/ipv4/ip_forward.c', 'ip'),
};

/**
 * ip_exceeds_mtu: a DF datagram longer than the path's MTU; a GSO skb (a TCP sender's super-packet) fits
 * when each of the segments it will be cut into does (skb_gso_validate_network_len).
 */
function ip_exceeds_mtu(skb: SkBuff, mtu: number): boolean {
  const nh = skb.networkHeader;
  if (skb.len <= mtu) return false;
  if (!ip.dontFragment(skb.buf, nh)) return false;
  // original fragment exceeds mtu and DF is set
  if (skb.fragMaxSize > mtu) return true;
  if (skb.ignoreDf) return false;
  if (skb.gsoSize && skb_gso_network_seglen(skb) <= mtu) return false;
  return true;
}

/** skb_gso_network_seglen: one segment's IP length: network and transport headers plus gso_size. */
function skb_gso_network_seglen(skb: SkBuff): number {
  const thlen = (skb.buf[skb.transportHeader + 12] >> 4) * 4;
  return skb.transportHeader - skb.networkHeader + thlen + skb.gsoSize;
}

/** ip_forward */
export function ip_forward(ctx: KernelCtx, skb: SkBuff): Verdict {
  const net = skb.net;
  const nh = skb.networkHeader;
  const rt = skb.dst!;
  if (ip.ttl(skb.buf, nh) <= 1) {
    ctx.step(skb, F.ipForward, 'ttl <= 1: ICMP time exceeded, InHdrErrors++');
    net.mib.ip[IPSTATS.InHdrErrors]++;
    icmp_send(ctx, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
    return drop(skb, SKB_DROP_REASON.IP_INHDR);
  }
  // ip_forward.c:131 counts the datagram as forwarded before the MTU check.
  net.mib.ip[IPSTATS.ForwDatagrams]++;
  const mtu = dstMtu(rt);
  if (ip_exceeds_mtu(skb, mtu)) {
    ctx.step(skb, F.ipForward, `len ${skb.len} > mtu ${mtu} with DF: ICMP frag needed, FragFails++`);
    net.mib.ip[IPSTATS.FragFails]++;
    icmp_send(ctx, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
    return drop(skb, SKB_DROP_REASON.PKT_TOO_BIG);
  }
  ip.decrementTtl(skb.buf, nh);
  if (net.sysctl.ipForwardUpdatePriority) skb.priority = rt_tos2priority(ip.tos(skb.buf, nh));
  skb.macHeader = -1;
  ctx.step(skb, F.ipForward, `ttl → ${ip.ttl(skb.buf, nh)}, out dev ${rt.dev.name}, NF_INET_FORWARD`);
  ctx.step(skb, F.ipForwardFinish, 'ForwDatagrams++ → dst_output');
  // Forwarded packets count OutRequests? No: only OutTransmits in ip_finish_output2.
  return next('ip_output', skb);
}
