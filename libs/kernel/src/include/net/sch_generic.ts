/**
 * include/net/sch_generic.h: struct Qdisc and struct Qdisc_ops, reduced to what the model reads. A qdisc
 * sits on a TX queue (struct netdev_queue) of a device; the root of a multiqueue NIC is mq, with one child
 * per TX queue.
 */
import type { SkBuff } from '../linux/skbuff';
import type { NetDevice } from '../linux/netdevice';
import type { KernelCtx, KTimer } from './kctx';

/** NET_XMIT_* (include/linux/netdevice.h): what enqueue answers. */
export const NET_XMIT_SUCCESS = 0;
export const NET_XMIT_DROP = 1;
export const NET_XMIT_CN = 2;
/** NET_XMIT_MASK and __NET_XMIT_BYPASS: the qdisc dropped this skb but the sender is told it went. */
export const NET_XMIT_MASK = 0x0f;
export const __NET_XMIT_BYPASS = 0x00020000;

export const TC_H_ROOT = 0xffffffff;
/** TC_H_MAJ / TC_H_MIN (include/uapi/linux/pkt_sched.h): a handle's major and minor halves. */
export const TC_H_MAJ = (h: number): number => (h & 0xffff0000) >>> 0;
export const TC_H_MIN = (h: number): number => h & 0xffff;
export const TC_H_UNSPEC = 0;

/** Priorities (include/uapi/linux/pkt_sched.h): skb->priority & TC_PRIO_MAX indexes a priomap. */
export const TC_PRIO_BESTEFFORT = 0;
export const TC_PRIO_FILLER = 1;
export const TC_PRIO_BULK = 2;
export const TC_PRIO_INTERACTIVE_BULK = 4;
export const TC_PRIO_INTERACTIVE = 6;
export const TC_PRIO_CONTROL = 7;
export const TC_PRIO_MAX = 15;

/** Qdisc flags (sch_generic.h). */
export const TCQ_F_BUILTIN = 1;
export const TCQ_F_INGRESS = 2;
export const TCQ_F_CAN_BYPASS = 4;
export const TCQ_F_MQROOT = 8;
export const TCQ_F_ONETXQUEUE = 0x10;
export const TCQ_F_NOLOCK = 0x100;

/** struct gnet_stats_basic_sync and gnet_stats_queue */
export interface QdiscStats {
  bytes: number;
  packets: number;
  drops: number;
  overlimits: number;
  requeues: number;
}

/** struct Qdisc_ops: a discipline's entry points. Options are parsed by tc into a plain record. */
export interface QdiscOps {
  id: 'noqueue' | 'noop' | 'pfifo' | 'pfifo_fast' | 'mq' | 'netem' | 'fq_codel' | 'fq';
  /** null: noqueue (the device transmits straight away). */
  enqueue: ((ctx: KernelCtx, skb: SkBuff, q: Qdisc) => number) | null;
  dequeue: (ctx: KernelCtx, q: Qdisc) => SkBuff | null;
  /** Set up (or, for tc change, update) from tc's options; returns an extack message on bad options. */
  init: (q: Qdisc, opts: QdiscOpts, change: boolean) => string | null;
  /** qdisc_reset: free every queued skb (device down, qdisc replaced). */
  reset: (ctx: KernelCtx, q: Qdisc) => void;
  /** ops->dump: the qdisc's options as TCA_OPTIONS carries them (times in ns, rates in bit/s); tc prints them. */
  dump: (q: Qdisc) => QdiscOpts;
  /** ops->dump_stats: the discipline's own statistics (TCA_XSTATS: fq_codel's maxpacket, ...). */
  dumpStats?: (q: Qdisc) => Record<string, number>;
}

/** tc's options, as `tc qdisc add ... KIND OPTIONS` parsed them (times in ns, rates in bits/s). */
export type QdiscOpts = Record<string, number | boolean | string>;

export interface Qdisc {
  /** Made by the device's n-th qdisc_create (its counters are this qdisc's, not a predecessor's). */
  id: number;
  ops: QdiscOps;
  /** major:minor; default qdiscs have handle 0 (shown as "0:"), user ones 8001: and up unless named. */
  handle: number;
  /** TC_H_ROOT, or the mq class it hangs from (:1, :2, ... as 0x0000000N). */
  parent: number;
  dev: NetDevice;
  flags: number;
  /** q.qlen and qstats.backlog (bytes). */
  qlen: number;
  backlog: number;
  stats: QdiscStats;
  /** q->gso_skb: what dev_requeue_skb put back, sent before anything is dequeued. */
  gsoSkb: SkBuff[];
  /** __QDISC_STATE_SCHED: on the CPU's output_queue, waiting for net_tx_action. */
  scheduled: boolean;
  /** qdisc_run_begin: a CPU is dequeuing from it (__QDISC_STATE2_RUNNING). */
  running: boolean;
  /** qdisc_watchdog: the timer that reschedules a throttled qdisc (netem's next time_to_send). */
  watchdog: KTimer<Qdisc> | null;
  /** mq: one child per TX queue. */
  children: Qdisc[];
  /** The TX queue a leaf feeds (mq child), or -1 for a root shared by all of them. */
  txq: number;
  /** Made by the kernel (attach_default_qdiscs), not by tc: tc replaces these without NLM_F_REPLACE. */
  isDefault: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  priv: any;
}
