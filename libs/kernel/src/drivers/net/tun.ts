/**
 * drivers/net/tun.c: a TUN device (IFF_TUN | IFF_NO_PI), layer 3: no link header, point-to-point, NOARP.
 * What the stack transmits on it is queued for the process that holds the device's file (tun_net_xmit →
 * the socket's receive queue that read(2) drains); what that process writes enters the receive path as if
 * it had arrived on the device (tun_get_user → netif_rx). packetdrill drives a kernel through one.
 */
import { skb_orphan_frags_rx, skb_tx_timestamp } from '../../net/core/skbuff';
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { allocSkb, PACKET_HOST, skbPut } from '../../include/linux/skbuff';
import type { Net } from '../../include/net/net_namespace';
import type { NetDevice } from '../../include/linux/netdevice';
import { IFF_MULTICAST, IFF_NOARP, IFF_POINTOPOINT, newLinkStats } from '../../include/linux/netdevice';
import { kfn } from '../../include/net/trace';
import { consumed, type Verdict } from '../../include/net/verdict';
import { noop_qdisc } from '../../net/sched/sch_generic';
import { ETH_P_IP } from '@skblab/wire/ethernet';
import { internetChecksum } from '@skblab/wire/checksum';

/** ARPHRD_NONE: a device without a link-layer header (if_arp.h). */
export const ARPHRD_NONE = 0xfffe;

/** A frame the stack sent on the device, as read(2) on the tun file returns it: the IP packet. */
export interface TunFrame {
  bytes: Uint8Array;
  /** When tun_net_xmit queued it (simulated ns). */
  t: number;
}

/** struct tun_struct / tun_file, reduced: the frames waiting for read(2), and who to tell. */
export interface TunFile {
  queue: TunFrame[];
  /** The reader's wakeup (tun_net_xmit's sk_data_ready on the file's socket). */
  onFrame: (() => void) | null;
  /** TUNSETOFFLOAD's TUN_F_* flags: what the reader takes unsegmented (0: it takes MSS-sized segments). */
  offload: number;
  /** dev->wanted_features' offload bits (NETIF_F_TSO, NETIF_F_GSO, NETIF_F_GRO): all on until ethtool -K. */
  wantedFeatures: number;
}

/** netdev_priv(dev) of a tun device: its file (null for a device of another driver). */
export function tun_file(dev: NetDevice): TunFile | null {
  return dev.ops.kind === 'tun' ? (dev.priv as TunFile) : null;
}

/** The netdev_features_t bits ethtool -K changes here (include/linux/netdev_features.h). */
export const NETIF_F_GSO = 1 << 11;
export const NETIF_F_GRO = 1 << 14;
export const NETIF_F_TSO = 1 << 16;

/** TUNSETOFFLOAD's flags (include/uapi/linux/if_tun.h). */
export const TUN_F_CSUM = 0x01;
export const TUN_F_TSO4 = 0x02;
export const TUN_F_TSO6 = 0x04;
export const TUN_F_TSO_ECN = 0x08;

/**
 * set_offload (tun.c:2817), TUNSETOFFLOAD: the reader (with a virtio_net_hdr) takes checksum-less and TSO
 * packets; NETIF_F_TSO then lets validate_xmit_skb hand the GSO skb over whole. packetdrill sets CSUM | TSO4 |
 * TSO6 | TSO_ECN, "like a typical ethernet device".
 */
export function tun_set_offload(dev: NetDevice, arg: number): void {
  const t = tun_file(dev);
  if (t) t.offload = arg;
}

/**
 * dev->features of a tun device: what is wanted (ethtool -K), less what tun_net_fix_features takes away
 * (tun.c:1166: a TUN_USER_FEATURES bit only if TUNSETOFFLOAD gave it).
 */
export function tun_features(dev: NetDevice): number {
  const t = tun_file(dev);
  if (!t) return 0;
  return t.wantedFeatures & ~(t.offload & TUN_F_TSO4 ? 0 : NETIF_F_TSO);
}

/**
 * ethnl_set_features → __netdev_update_features for a tun device: the bits of `mask` take the values of
 * `wanted`. Every bit here is in its hw_features (TUN_USER_FEATURES and the software GSO/GRO).
 */
export function tun_set_features(dev: NetDevice, wanted: number, mask: number): void {
  const t = tun_file(dev);
  if (t) t.wantedFeatures = (t.wantedFeatures & ~mask) | (wanted & mask);
}

const F = {
  tunNetXmit: kfn('tun_net_xmit', 'drivers/net/tun.c', 'driver', (segs: number) =>
    segs > 1 ? `skb_gso_segment: ${segs} segments to the tun file` : 'to the tun file',
  ),
  tunGetUser: kfn('tun_get_user', 'drivers/net/tun.c', 'driver', () => 'write(2) on the tun file, netif_rx'),
};

const TCP_FIN = 0x01;
const TCP_PSH = 0x08;
const TCP_CWR = 0x80;

/**
 * skb_gso_segment → inet_gso_segment → tcp_gso_segment, on the bytes: validate_xmit_skb does it for a
 * device without NETIF_F_TSO (a tun device until TUNSETOFFLOAD), so the file sees MSS-sized segments: each
 * with the headers, its sequence number, FIN and PSH only on the last, CWR only on the first, consecutive
 * IP ids. (The TCP checksum is left as the stack left it: packetdrill does not check it either.)
 */
export function tun_gso_segment(pkt: Uint8Array, gsoSize: number): Uint8Array[] {
  const ihl = (pkt[0] & 0x0f) * 4;
  if (pkt[9] !== 6 || !gsoSize) return [pkt];
  const doff = (pkt[ihl + 12] >> 4) * 4;
  const hdr = ihl + doff;
  const payload = pkt.length - hdr;
  if (payload <= gsoSize) return [pkt];
  const segs: Uint8Array[] = [];
  const seq0 = ((pkt[ihl + 4] << 24) | (pkt[ihl + 5] << 16) | (pkt[ihl + 6] << 8) | pkt[ihl + 7]) >>> 0;
  const id0 = (pkt[4] << 8) | pkt[5];
  const flags = pkt[ihl + 13];
  for (let off = 0, i = 0; off < payload; off += gsoSize, i++) {
    const n = Math.min(gsoSize, payload - off);
    const s = new Uint8Array(hdr + n);
    s.set(pkt.subarray(0, hdr), 0);
    s.set(pkt.subarray(hdr + off, hdr + off + n), hdr);
    s[2] = (hdr + n) >> 8;
    s[3] = (hdr + n) & 0xff;
    const id = (id0 + i) & 0xffff;
    s[4] = id >> 8;
    s[5] = id & 0xff;
    const seq = (seq0 + off) >>> 0;
    s[ihl + 4] = seq >>> 24;
    s[ihl + 5] = (seq >>> 16) & 0xff;
    s[ihl + 6] = (seq >>> 8) & 0xff;
    s[ihl + 7] = seq & 0xff;
    let f = flags;
    if (off + n < payload) f &= ~(TCP_FIN | TCP_PSH);
    if (i > 0) f &= ~TCP_CWR;
    s[ihl + 13] = f;
    s[10] = s[11] = 0;
    const c = internetChecksum(s, 0, ihl);
    s[10] = c >> 8;
    s[11] = c & 0xff;
    segs.push(s);
  }
  return segs;
}

/** tun_net_xmit (tun.c:1057): count it and queue it (segmented) on the file for read(2). */
export function tun_net_xmit(ctx: KernelCtx, skb: SkBuff): Verdict {
  const dev = skb.dev!;
  // The reader gets a copy, so pinned MSG_ZEROCOPY pages are copied now (the range is reported COPIED).
  skb_orphan_frags_rx(skb);
  skb_tx_timestamp(ctx, skb);
  const pkt = skb.buf.slice(skb.data, skb.data + skb.len);
  // Without NETIF_F_TSO (TUNSETOFFLOAD's TUN_F_TSO4, not turned off by ethtool -K) validate_xmit_skb
  // segments the GSO skb in software.
  const segs = tun_features(dev) & NETIF_F_TSO ? [pkt] : tun_gso_segment(pkt, skb.gsoSize);
  ctx.step(skb, F.tunNetXmit, segs.length);
  const file = tun_file(dev);
  for (const s of segs) {
    dev.stats.txPackets++;
    dev.stats.txBytes += s.length;
    file?.queue.push({ bytes: s, t: ctx.now() });
  }
  file?.onFrame?.();
  return consumed(skb);
}

/**
 * tun_get_user (tun.c:1720) for IFF_TUN | IFF_NO_PI: the bytes written are an IP packet; the skb gets
 * ETH_P_IP, no MAC header, the device, and goes to netif_rx (the caller runs the __netif_rx hop in the
 * writer's process context).
 */
export function tun_get_user(ctx: KernelCtx, dev: NetDevice, bytes: Uint8Array, vnetGsoSize = 0): SkBuff {
  const skb = allocSkb(ctx.newSkbId(), dev.net, bytes.length);
  skb.buf.set(bytes, skbPut(skb, bytes.length));
  // virtio_net_hdr_to_skb (IFF_VNET_HDR, VIRTIO_NET_HDR_GSO_TCPV4): too small packets are not really GSO
  // ones; a larger one keeps gso_size, its gso_segs left for later (SKB_GSO_DODGY).
  if (vnetGsoSize && bytes.length > vnetGsoSize) {
    skb.gsoSize = vnetGsoSize;
    skb.gsoSegs = 0;
  }
  skb.protocol = ETH_P_IP;
  skb.dev = dev;
  skb.net = dev.net;
  skb.pktType = PACKET_HOST;
  skb.macHeader = skb.data;
  skb.networkHeader = skb.data;
  ctx.step(skb, F.tunGetUser);
  dev.stats.rxPackets++;
  dev.stats.rxBytes += bytes.length;
  return skb;
}

/** tun_set_iff: a new tun device in `net`, down, its queue on the file. */
export function tun_newlink(net: Net, name: string, ifindex: number): NetDevice {
  const dev: NetDevice = {
    name,
    ifindex,
    net,
    type: ARPHRD_NONE,
    flags: IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST,
    mtu: 1500,
    minMtu: 68,
    maxMtu: 65535,
    addr: new Uint8Array(0),
    broadcast: new Uint8Array(0),
    hardHeaderLen: 0,
    txQueueLen: 500,
    qdisc: null as never,
    txqs: [],
    ops: { ndoStartXmit: 'tun_net_xmit', kind: 'tun', ndoSetFeatures: tun_set_features },
    hwCsum: false,
    carrier: true,
    stats: newLinkStats(),
    peer: null,
    lltx: true,
    priv: { queue: [], onFrame: null, offload: 0, wantedFeatures: NETIF_F_GSO | NETIF_F_GRO | NETIF_F_TSO },
  };
  // Until the first open the device has the noop qdisc; dev_activate attaches the default one.
  dev.qdisc = noop_qdisc(dev);
  dev.txqs = [{ index: 0, qdisc: dev.qdisc, stopped: false }];
  return dev;
}
