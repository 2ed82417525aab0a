/**
 * net/ipv4/arp.c: ARP for IPv4 neighbours: the constructor that makes lo's neighbour NOARP, solicitation
 * (arp_solicit → arp_send_dst → arp_create + arp_xmit), receive (arp_rcv → arp_process) and the error
 * report when resolution fails.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { allocSkb, PACKET_HOST, PACKET_OTHERHOST, skbPut } from '../../include/linux/skbuff';
import type { NetDevice } from '../../include/linux/netdevice';
import { IFF_LOOPBACK, IFF_NOARP, IFF_POINTOPOINT } from '../../include/linux/netdevice';
import {
  NUD_NOARP,
  NUD_REACHABLE,
  NUD_STALE,
  NUD_VALID,
  SEC,
  type Neighbour,
} from '../../include/net/neighbour';
import { RTN_BROADCAST, RTN_LOCAL } from '../../include/net/route';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import { kfn } from '../../include/net/trace';
import { consumed, drop, next, type Verdict } from '../../include/net/verdict';
import * as arp from '@skblab/wire/arp';
import { ETH_P_ARP } from '@skblab/wire/ethernet';
import { ipv4ToString } from '@skblab/wire/address';
import * as ip from '@skblab/wire/ipv4';
import { formatMac } from '@skblab/wire/mac';
import { eth_header } from '../ethernet/eth';
import { __neigh_create, __neigh_update, neigh_lookup } from '../core/neighbour';
import { fibLookup } from './route';
import { inetSelectAddr, inetIfaByAddr } from './devinet';
import { RT_SCOPE_LINK } from '../../include/net/route';
import { icmp_send } from './icmp';
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH } from '@skblab/wire/icmp';

const F = {
  arpSolicit: kfn('arp_solicit', 'net/ipv4/arp.c', 'neigh'),
  arpCreate: kfn('arp_create', 'net/ipv4/arp.c', 'neigh'),
  arpXmit: kfn('arp_xmit', 'net/ipv4/arp.c', 'neigh'),
  arpRcv: kfn('arp_rcv', 'net/ipv4/arp.c', 'neigh'),
  arpProcess: kfn('arp_process', 'net/ipv4/arp.c', 'neigh'),
  arpErrorReport: kfn('arp_error_report', 'net/ipv4/arp.c', 'neigh'),
};

/**
 * arp_constructor (arp.c:223): lo and NOARP devices get a NUD_NOARP entry with the device's own address;
 * Ethernet devices start in NUD_NONE and must resolve.
 */
export function arp_constructor(n: Neighbour): void {
  const dev = n.dev;
  if (dev.flags & (IFF_NOARP | IFF_LOOPBACK)) {
    n.nudState = NUD_NOARP;
    n.ha = dev.addr.slice();
  } else if (
    dev.flags & IFF_POINTOPOINT ||
    n.key === 0xffffffff ||
    fibLookup(dev.net, n.key)?.type === RTN_BROADCAST
  ) {
    // A broadcast destination (255.255.255.255 or a subnet's broadcast address) needs no ARP (arp.c:275).
    n.nudState = NUD_NOARP;
    n.ha = dev.broadcast.slice();
  }
}

/**
 * arp_solicit (arp.c:333): the source address is the held packet's if it is ours, else one chosen on the
 * device; the first ucast_probes of a PROBE are unicast to the known address, the rest broadcast.
 */
export function arp_solicit(ctx: KernelCtx, n: Neighbour, skb: SkBuff | null): void {
  const dev = n.dev;
  const net = dev.net;
  let saddr = 0;
  if (skb) {
    const s = ip.src(skb.buf, skb.networkHeader);
    if (inetIfaByAddr(net, s)) saddr = s;
  }
  if (!saddr)
    saddr =
      n.probeSaddr && inetIfaByAddr(net, n.probeSaddr)
        ? n.probeSaddr
        : inetSelectAddr(net, dev, n.key, RT_SCOPE_LINK);
  const probes = n.probes - net.arpParms.ucastProbes;
  const dstHw = probes < 0 && n.nudState & NUD_VALID ? n.ha : null;
  const req = arp_create(ctx, arp.ARPOP_REQUEST, n.key, dev, saddr, dstHw, dev.addr, null);
  ctx.step(
    req,
    F.arpSolicit,
    `${dstHw ? 'unicast' : 'broadcast'} probe ${n.probes - (dstHw ? 0 : net.arpParms.ucastProbes) + 1} for ${ipv4ToString(n.key)}`,
  );
  ctx.run('arp_xmit', req);
}

/** arp_create: an Ethernet + 28-byte ARP frame (42 bytes on veth: no padding to 60). */
export function arp_create(
  ctx: KernelCtx,
  op: number,
  destIp: number,
  dev: NetDevice,
  srcIp: number,
  destHw: Uint8Array | null,
  srcHw: Uint8Array,
  targetHw: Uint8Array | null,
): SkBuff {
  const skb = allocSkb(ctx.newSkbId(), dev.net, arp.ARP_HLEN);
  skb.dev = dev;
  skb.protocol = ETH_P_ARP;
  skb.comm = ctx.comm();
  skb.cpu = ctx.cpu();
  const off = skbPut(skb, arp.ARP_HLEN);
  skb.networkHeader = off;
  arp.emitArpPacket(
    {
      operation: op,
      senderMac: srcHw,
      senderIp: srcIp,
      targetMac: targetHw ?? new Uint8Array(6),
      targetIp: destIp,
    },
    skb.buf,
    off,
  );
  eth_header(skb, dev, ETH_P_ARP, destHw);
  ctx.step(
    skb,
    F.arpCreate,
    op === arp.ARPOP_REQUEST
      ? `who-has ${ipv4ToString(destIp)} tell ${ipv4ToString(srcIp)}`
      : `${ipv4ToString(srcIp)} is-at ${formatMac(srcHw)}`,
  );
  return skb;
}

/** arp_xmit → NF_ARP_OUT → arp_xmit_finish → dev_queue_xmit */
export function arp_xmit(ctx: KernelCtx, skb: SkBuff): Verdict {
  ctx.step(skb, F.arpXmit, 'NF_ARP_OUT');
  return next('__dev_queue_xmit', skb);
}

/** arp_rcv: sanity checks, NF_ARP_IN, arp_process. */
export function arp_rcv(ctx: KernelCtx, skb: SkBuff): Verdict {
  ctx.step(skb, F.arpRcv);
  const dev = skb.dev!;
  if (arp.checkArpPacket(skb.buf, skb.data, skb.len) !== null)
    return drop(skb, SKB_DROP_REASON.PKT_TOO_SMALL);
  if (dev.flags & IFF_NOARP || skb.pktType === PACKET_OTHERHOST) return consumed(skb);
  skb.networkHeader = skb.data;
  return arp_process(ctx, skb);
}

/**
 * arp_process (arp.c:702): answer requests for our addresses (learning the asker as STALE), and update an
 * existing entry from any ARP: REACHABLE for a reply to us, STALE otherwise.
 */
export function arp_process(ctx: KernelCtx, skb: SkBuff): Verdict {
  const dev = skb.dev!;
  const net = dev.net;
  const b = skb.buf;
  const off = skb.data;
  const op = arp.operation(b, off);
  const sip = arp.senderIp(b, off);
  const tip = arp.targetIp(b, off);
  const sha = arp.senderMac(b, off);
  if (tip >>> 28 === 0xe || tip >>> 24 === 127) return consumed(skb);
  if (op === arp.ARPOP_REQUEST) {
    const res = fibLookup(net, tip);
    if (res && res.type === RTN_LOCAL) {
      let n = neigh_lookup(net, dev, sip);
      if (!n) n = __neigh_create(ctx, net, dev, sip);
      __neigh_update(ctx, n, sha, NUD_STALE, true);
      ctx.step(
        skb,
        F.arpProcess,
        `request for local ${ipv4ToString(tip)} from ${ipv4ToString(sip)}: reply, learn ${ipv4ToString(sip)} STALE`,
      );
      const reply = arp_create(ctx, arp.ARPOP_REPLY, sip, dev, tip, sha, dev.addr, sha);
      ctx.run('arp_xmit', reply);
      return consumed(skb);
    }
  }
  const n = neigh_lookup(net, dev, sip);
  if (n) {
    const state = op !== arp.ARPOP_REPLY || skb.pktType !== PACKET_HOST ? NUD_STALE : NUD_REACHABLE;
    const override = ctx.now() > n.updated + SEC;
    ctx.step(
      skb,
      F.arpProcess,
      `${op === arp.ARPOP_REPLY ? 'reply' : 'request'} from ${ipv4ToString(sip)}: neigh_update → ${state === NUD_REACHABLE ? 'REACHABLE' : 'STALE'}`,
    );
    __neigh_update(ctx, n, sha, state, override);
  } else {
    ctx.step(skb, F.arpProcess, `not for us (${ipv4ToString(tip)})`);
  }
  return consumed(skb);
}

/** arp_error_report → dst_link_failure → ipv4_link_failure: ICMP host unreachable to the sender. */
export function arp_error_report(ctx: KernelCtx, _n: Neighbour, skb: SkBuff): void {
  ctx.step(skb, F.arpErrorReport, 'dst_link_failure → icmp_send(HOST_UNREACH)');
  icmp_send(ctx, skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
}
