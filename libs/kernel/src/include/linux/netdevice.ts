/**
 * struct net_device and struct softnet_data (include/linux/netdevice.h), reduced to what the model reads.
 */
import type { SkBuff } from './skbuff';
import type { Net } from '../net/net_namespace';
import type { Verdict } from '../net/verdict';
import type { KernelCtx } from '../net/kctx';
import type { Qdisc } from '../net/sch_generic';
import type { Dql } from '../../lib/dynamic_queue_limits';

export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_LOOPBACK = 0x8;
export const IFF_POINTOPOINT = 0x10;
export const IFF_NOARP = 0x80;
export const IFF_MULTICAST = 0x1000;
export const IFF_LOWER_UP = 0x10000;

export const ARPHRD_ETHER = 1;
export const ARPHRD_LOOPBACK = 772;

/**
 * The driver hooks the model uses (struct net_device_ops): core code calls these, never asks which driver a
 * device has. `kind` is the driver's name, for what tools print (ethtool -i, ip -d).
 */
export interface NetDeviceOps {
  /** ndo_start_xmit: the hop name of the driver's transmit function. */
  ndoStartXmit: 'loopback_xmit' | 'veth_xmit' | 'igb_xmit_frame' | 'tun_net_xmit';
  kind: 'loopback' | 'veth' | 'igb' | 'tun';
  /** ndo_open: the device goes up (without one, its carrier simply comes on). */
  ndoOpen?: (ctx: KernelCtx, dev: NetDevice) => void;
  /** ndo_stop: the device goes down. */
  ndoStop?: (ctx: KernelCtx, dev: NetDevice) => void;
  /** ndo_get_stats64: the driver's counters (without one, dev->stats as they are). */
  ndoGetStats64?: (dev: NetDevice) => LinkStats;
  /** ethtool_ops.set_ringparam (null counts keep a ring's size). */
  setRingparam?: (dev: NetDevice, rx: number | null, tx: number | null) => void;
  /** ndo_set_features through __netdev_update_features: the bits of `mask` take the values of `wanted`. */
  ndoSetFeatures?: (dev: NetDevice, wanted: number, mask: number) => void;
}

/** enum netdev_priv_flags: the device can run without a qdisc (lo, veth: noqueue by default). */
export const IFF_NO_QUEUE = 1 << 19;

/**
 * struct netdev_queue: a TX queue, its qdisc, whether the driver stopped it (__QUEUE_STATE_DRV_XOFF) and
 * whether Byte Queue Limits did (__QUEUE_STATE_STACK_XOFF, with its dql for a NIC).
 */
export interface NetdevQueue {
  index: number;
  qdisc: Qdisc;
  stopped: boolean;
  stackXoff?: boolean;
  dql?: Dql;
  /**
   * txq->xmit_lock_owner: the CPU holding HARD_TX_LOCK, inside the driver's ndo_start_xmit (-1 or absent:
   * nobody). Held past sch_direct_xmit while a driver call the runtime carries out asynchronously has not
   * returned (sch_direct_xmit_return releases it).
   */
  xmitLockOwner?: number;
}

/** netif_xmit_stopped: the driver or Byte Queue Limits stopped the queue; the stack hands it nothing. */
export function netif_xmit_stopped(txq: NetdevQueue): boolean {
  return txq.stopped || txq.stackXoff === true;
}

/**
 * struct napi_struct: a poll routine on a CPU's poll_list. The backlog (process_backlog) is one per CPU; a
 * NAPI driver has one per interrupt vector. rxList is GRO's list of skbs waiting for gro_normal_list.
 */
export interface NapiStruct {
  name: string;
  weight: number;
  /** NAPI_STATE_SCHED: on a poll_list, its interrupt masked. */
  scheduled: boolean;
  poll: (ctx: KernelCtx, napi: NapiStruct, budget: number) => number;
  dev: NetDevice | null;
  /** The CPU whose poll_list it joined. */
  cpu: number;
  rxList: SkBuff[];
  /** The driver's per-vector state (igb: its q_vector). */
  priv: unknown;
}

/** struct rtnl_link_stats64 */
export interface LinkStats {
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  rxErrors: number;
  txErrors: number;
  rxDropped: number;
  txDropped: number;
  multicast: number;
  collisions: number;
  rxMissed: number;
  /** rx_fifo_errors: a NIC's receive FIFO or ring overflowed (igb: MPC, or RQDPC with several queues). */
  rxFifoErrors: number;
  txCarrier: number;
  rxNohandler: number;
}

export function newLinkStats(): LinkStats {
  return {
    rxPackets: 0,
    txPackets: 0,
    rxBytes: 0,
    txBytes: 0,
    rxErrors: 0,
    txErrors: 0,
    rxDropped: 0,
    txDropped: 0,
    multicast: 0,
    collisions: 0,
    rxMissed: 0,
    rxFifoErrors: 0,
    txCarrier: 0,
    rxNohandler: 0,
  };
}

export interface NetDevice {
  name: string;
  ifindex: number;
  net: Net;
  type: number;
  flags: number;
  mtu: number;
  minMtu: number;
  maxMtu: number;
  addr: Uint8Array;
  broadcast: Uint8Array;
  hardHeaderLen: number;
  txQueueLen: number;
  /** The root qdisc (noqueue for lo and veth: IFF_NO_QUEUE). */
  qdisc: Qdisc;
  /** Qdiscs made for this device so far (each gets the next number as its id). */
  qdiscSeq?: number;
  /** TX queues (real_num_tx_queues); lo and veth have one, with the root qdisc. */
  txqs: NetdevQueue[];
  /** dev->priv_flags (IFF_NO_QUEUE). */
  privFlags?: number;
  /** dev->netns_immutable: the device cannot change namespace (lo). */
  netnsImmutable?: boolean;
  ops: NetDeviceOps;
  /** NETIF_F_HW_CSUM: transport checksums may be left to the device (lo and veth advertise it). */
  hwCsum: boolean;
  /** Carrier (netif_carrier_ok). veth has carrier only while its peer is up. */
  carrier: boolean;
  stats: LinkStats;
  /** veth: the other end (possibly in another namespace). */
  peer: NetDevice | null;
  /**
   * dev->lltx: the driver transmits without HARD_TX_LOCK (lo, veth, tun). The model's lockless drivers
   * never answer NETDEV_TX_BUSY (a simplification: Linux checks a stopped queue and BUSY for every noqueue
   * device), so a noqueue device of theirs hands its skb on instead of calling the driver in place.
   */
  lltx: boolean;
  /**
   * netdev_priv(dev): the driver's own state (igb: its adapter; tun: its file), read only by the driver
   * through its accessor, so that no core header names a driver's types.
   */
  priv: unknown;
  /** Monotonic counters that `ip -s link` shows for "mcast" etc. are in stats. */
}

/** struct softnet_data: one per CPU. */
export interface SoftnetData {
  cpu: number;
  inputPktQueue: SkBuff[];
  /** Index of the head of inputPktQueue (a cheap ring: we shift by index, compact when drained). */
  inputHead: number;
  processQueue: SkBuff[];
  /** sd->backlog is on poll_list (NAPI_STATE_SCHED). */
  backlogScheduled: boolean;
  /** sd->backlog: the per-CPU NAPI that polls input_pkt_queue with process_backlog. */
  backlog: NapiStruct;
  /** sd->poll_list: the NAPIs net_rx_action polls, in order. */
  pollList: NapiStruct[];
  /** NET_RX_SOFTIRQ pending on this CPU. */
  netRxPending: boolean;
  /** sd->output_queue: qdiscs waiting for net_tx_action (NET_TX_SOFTIRQ). */
  outputQueue: Qdisc[];
  processed: number;
  dropped: number;
  timeSqueeze: number;
  receivedRps: number;
  flowLimitCount: number;
}

export function newSoftnetData(cpu: number): SoftnetData {
  return {
    cpu,
    inputPktQueue: [],
    inputHead: 0,
    processQueue: [],
    backlogScheduled: false,
    backlog: {
      name: 'backlog',
      weight: 64,
      scheduled: false,
      poll: () => 0,
      dev: null,
      cpu,
      rxList: [],
      priv: null,
    },
    pollList: [],
    outputQueue: [],
    netRxPending: false,
    processed: 0,
    dropped: 0,
    timeSqueeze: 0,
    receivedRps: 0,
    flowLimitCount: 0,
  };
}

export function inputQueueLen(sd: SoftnetData): number {
  return sd.inputPktQueue.length - sd.inputHead;
}

export function netifRunning(dev: NetDevice): boolean {
  return (dev.flags & IFF_UP) !== 0;
}

export function netifCarrierOk(dev: NetDevice): boolean {
  return dev.carrier;
}

export type StepFn = (ctx: KernelCtx, skb: SkBuff) => Verdict;
