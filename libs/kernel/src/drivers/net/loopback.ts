/**
 * drivers/net/loopback.c: the loopback device. Transmit hands the skb straight back to the receive path
 * on the same CPU; RX and TX statistics are one counter, bumped only when the backlog took the packet.
 */
import { skb_tx_timestamp } from '../../net/core/skbuff';
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import type { Net } from '../../include/net/net_namespace';
import type { NetDevice } from '../../include/linux/netdevice';
import {
  ARPHRD_LOOPBACK,
  IFF_LOOPBACK,
  IFF_NO_QUEUE,
  newLinkStats,
  type LinkStats,
} from '../../include/linux/netdevice';
import { kfn } from '../../include/net/trace';
import { noqueue_qdisc } from '../../net/sched/sch_generic';
import { next, type Verdict } from '../../include/net/verdict';
import { eth_type_trans } from '../../net/ethernet/eth';

const F = { loopbackXmit: kfn('loopback_xmit', 'drivers/net/loopback.c', 'driver') };

/**
 * loopback_xmit: skb_orphan, skb_dst_force (the route stays on the skb), eth_type_trans, then on to __netif_rx.
 * The packet is counted (dev_lstats_add) only if the backlog takes it: enqueue_to_backlog applies skb.txAccount.
 */
export function loopback_xmit(ctx: KernelCtx, skb: SkBuff): Verdict {
  const dev = skb.dev!;
  ctx.step(skb, F.loopbackXmit, 'skb_orphan, skb_dst_force, eth_type_trans');
  skb_tx_timestamp(ctx, skb);
  skb.sk = null;
  skb.protocol = eth_type_trans(skb, dev);
  // dev_lstats_add: counted after eth_type_trans, so without the 14-byte Ethernet header.
  skb.txAccount = { dev, len: skb.len, kind: 'loopback' };
  return next('__netif_rx', skb);
}

/** loopback_net_init + loopback_setup: every namespace's lo, MTU 64 KiB, noqueue, NOARP. */
export function loopback_net_init(net: Net): NetDevice {
  const dev: NetDevice = {
    name: 'lo',
    ifindex: 1,
    net,
    type: ARPHRD_LOOPBACK,
    flags: IFF_LOOPBACK,
    mtu: 65536,
    minMtu: 0,
    maxMtu: 0,
    addr: new Uint8Array(6),
    broadcast: new Uint8Array(6),
    hardHeaderLen: 14,
    txQueueLen: 1000,
    qdisc: null as never,
    txqs: [],
    ops: { ndoStartXmit: 'loopback_xmit', kind: 'loopback', ndoGetStats64: loopback_get_stats64 },
    privFlags: IFF_NO_QUEUE,
    netnsImmutable: true,
    hwCsum: true,
    carrier: true,
    stats: newLinkStats(),
    peer: null,
    lltx: true,
    priv: null,
  };
  withNoqueue(dev);
  return dev;
}

/** IFF_NO_QUEUE: one TX queue whose qdisc is noqueue. */
export function withNoqueue(dev: NetDevice): NetDevice {
  dev.qdisc = noqueue_qdisc(dev);
  dev.txqs = [{ index: 0, qdisc: dev.qdisc, stopped: false }];
  return dev;
}

/** loopback_get_stats64: what lo sent it also received (its lstats count both directions). */
export function loopback_get_stats64(dev: NetDevice): LinkStats {
  return { ...dev.stats, rxPackets: dev.stats.txPackets, rxBytes: dev.stats.txBytes };
}
