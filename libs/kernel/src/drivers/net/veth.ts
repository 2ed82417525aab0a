/**
 * drivers/net/veth.c: a virtual Ethernet pair. What one end transmits the other end receives, on the same
 * CPU, through the peer's backlog (veth_forward_skb → __dev_forward_skb → __netif_rx), crossing namespaces.
 */
import { skb_tx_timestamp } from '../../net/core/skbuff';
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import type { Net } from '../../include/net/net_namespace';
import type { NetDevice } from '../../include/linux/netdevice';
import {
  ARPHRD_ETHER,
  IFF_BROADCAST,
  IFF_MULTICAST,
  IFF_NO_QUEUE,
  IFF_UP,
  newLinkStats,
  type LinkStats,
} from '../../include/linux/netdevice';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import { kfn } from '../../include/net/trace';
import { withNoqueue } from './loopback';
import { next, xmitDrop, type Verdict } from '../../include/net/verdict';
import { eth_type_trans } from '../../net/ethernet/eth';
import { neigh_ifdown } from '../../net/core/neighbour';

const F = {
  vethXmit: kfn('veth_xmit', 'drivers/net/veth.c', 'driver', (r: NetDevice | null) =>
    r ? `peer ${r.name}${r.net.name ? ' netns ' + r.net.name : ''}` : 'no peer',
  ),
  devForwardSkb: kfn(
    '__dev_forward_skb',
    'net/core/dev.c',
    'driver',
    (r: NetDevice) => `to ${r.name}, eth_type_trans`,
  ),
};

/** veth_xmit (veth.c:346) */
export function veth_xmit(ctx: KernelCtx, skb: SkBuff): Verdict {
  const dev = skb.dev!;
  const rcv = dev.peer;
  const length = skb.len;
  ctx.step(skb, F.vethXmit, rcv);
  // __dev_forward_skb: is_skb_forwardable (peer up, frame fits its MTU), skb_scrub_packet across netns.
  if (!rcv || (rcv.flags & IFF_UP) === 0 || skb.len > rcv.mtu + rcv.hardHeaderLen + 4) {
    // ____dev_forward_skb counts the peer's rx_dropped and frees the skb; veth counts its own drop and
    // returns NET_XMIT_DROP (netdevice.h:4107, veth.c:404).
    if (rcv) rcv.stats.rxDropped++;
    dev.stats.txDropped++;
    return xmitDrop(skb, SKB_DROP_REASON.NOT_SPECIFIED);
  }
  skb_tx_timestamp(ctx, skb);
  ctx.step(skb, F.devForwardSkb, rcv);
  if (rcv.net !== dev.net) {
    skb.dst = null;
    skb.sk = null;
    skb.mark = 0;
  }
  skb.dst = null;
  skb.protocol = eth_type_trans(skb, rcv);
  // __netif_rx's answer decides what veth counts: dev_sw_netstats_tx_add (with the Ethernet header; the
  // peer's RX reads this same counter) when queued, tx_dropped and NET_XMIT_DROP when not. enqueue_to_backlog
  // settles skb.txAccount.
  skb.txAccount = { dev, len: length, kind: 'veth' };
  return next('__netif_rx', skb);
}

/** veth_newlink: create both ends, each in its namespace, down, with random MACs. */
export function veth_newlink(
  net: Net,
  name: string,
  peerNet: Net,
  peerName: string,
  ifindex: number,
  peerIfindex: number,
  mac: Uint8Array,
  peerMac: Uint8Array,
): [NetDevice, NetDevice] {
  const mk = (n: Net, nm: string, idx: number, addr: Uint8Array): NetDevice => ({
    name: nm,
    ifindex: idx,
    net: n,
    type: ARPHRD_ETHER,
    flags: IFF_BROADCAST | IFF_MULTICAST,
    mtu: 1500,
    minMtu: 68,
    maxMtu: 65535,
    addr,
    broadcast: new Uint8Array([255, 255, 255, 255, 255, 255]),
    hardHeaderLen: 14,
    txQueueLen: 1000,
    qdisc: null as never,
    txqs: [],
    ops: {
      ndoStartXmit: 'veth_xmit',
      kind: 'veth',
      ndoOpen: veth_open,
      ndoStop: veth_close,
      ndoGetStats64: veth_get_stats64,
    },
    privFlags: IFF_NO_QUEUE,
    hwCsum: true,
    carrier: false,
    stats: newLinkStats(),
    peer: null,
    lltx: true,
    priv: null,
  });
  const mk2 = (n: Net, nm: string, idx: number, addr: Uint8Array): NetDevice =>
    withNoqueue(mk(n, nm, idx, addr));
  const a = mk2(net, name, ifindex, mac);
  const b = mk2(peerNet, peerName, peerIfindex, peerMac);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** veth_open: carrier on both ends once the peer is up too. */
export function veth_open(_ctx: KernelCtx, dev: NetDevice): void {
  if (dev.peer && dev.peer.flags & IFF_UP) {
    dev.carrier = true;
    dev.peer.carrier = true;
  }
}

/** veth_close: both ends lose carrier; NETDEV_CHANGE on the peer flushes its neighbours (neigh_carrier_down). */
export function veth_close(ctx: KernelCtx, dev: NetDevice): void {
  dev.carrier = false;
  if (dev.peer) {
    dev.peer.carrier = false;
    neigh_ifdown(ctx, dev.peer.net, dev.peer);
  }
}

/** veth_get_stats64: a veth's RX is what its peer transmitted. */
export function veth_get_stats64(dev: NetDevice): LinkStats {
  const p = dev.peer;
  return { ...dev.stats, rxPackets: p ? p.stats.txPackets : 0, rxBytes: p ? p.stats.txBytes : 0 };
}
