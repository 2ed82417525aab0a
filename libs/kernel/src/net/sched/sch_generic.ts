/**
 * net/sched/sch_generic.c and the qdisc half of net/core/dev.c: how a device with a queue transmits.
 * __dev_xmit_skb enqueues (or, for an empty TCQ_F_CAN_BYPASS qdisc, sends straight away), __qdisc_run
 * dequeues up to dev_tx_weight skbs into sch_direct_xmit → dev_hard_start_xmit → the driver; a stopped TX
 * queue, a busy driver or a throttled qdisc leaves the rest for net_tx_action (NET_TX_SOFTIRQ).
 * Also the default qdiscs: noqueue, noop, pfifo_fast and mq.
 */
import type { KernelCtx, KTimer } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { netif_xmit_stopped, type NetDevice, type NetdevQueue } from '../../include/linux/netdevice';
import {
  NET_XMIT_DROP,
  NET_XMIT_MASK,
  NET_XMIT_SUCCESS,
  __NET_XMIT_BYPASS,
  TCQ_F_CAN_BYPASS,
  TCQ_F_MQROOT,
  TCQ_F_NOLOCK,
  TCQ_F_ONETXQUEUE,
  TC_H_ROOT,
  type Qdisc,
  type QdiscOps,
  type QdiscOpts,
  TC_PRIO_MAX,
} from '../../include/net/sch_generic';
import { SKB_DROP_REASON, type SkbDropReason } from '../../include/net/dropreason-core';
import { kfn } from '../../include/net/trace';
import { drop, queued, xmitDrop, type Verdict } from '../../include/net/verdict';

const F = {
  devXmitSkb: kfn('__dev_xmit_skb', 'net/core/dev.c', 'dev', (q: Qdisc, bypass, qlen) =>
    bypass
      ? `${q.ops.id} empty, TCQ_F_CAN_BYPASS: sch_direct_xmit`
      : `${q.ops.id} ${handleText(q.handle)} enqueue, qlen ${qlen}`,
  ),
  schDirectXmit: kfn('sch_direct_xmit', 'net/sched/sch_generic.c', 'dev', (d: NetDevice, txq, stopped) =>
    stopped === 1
      ? `txq ${txq} stopped: dev_requeue_skb`
      : stopped === 2
        ? `txq ${txq} stopped or the driver busy when the call returned: dev_requeue_skb`
        : `HARD_TX_LOCK txq ${txq} → dev_hard_start_xmit ${d.name}`,
  ),
  dequeueSkb: kfn(
    'dequeue_skb',
    'net/sched/sch_generic.c',
    'dev',
    (q: Qdisc, left, requeued) =>
      `${requeued ? 'the requeued skb' : q.ops.id + ' dequeue'}, qlen ${left} left`,
  ),
  devRequeueSkb: kfn(
    'dev_requeue_skb',
    'net/sched/sch_generic.c',
    'dev',
    (q: Qdisc) => `requeues++ (${q.stats.requeues}), __netif_schedule`,
  ),
  netTxAction: kfn('net_tx_action', 'net/core/dev.c', 'softirq', (_o, cpu) => `cpu ${cpu}: qdisc_run`),
  qdiscDrop: kfn(
    'qdisc_drop',
    'include/net/sch_generic.h',
    'dev',
    (q: Qdisc, qlen) => `${q.ops.id}: queue full (${qlen}), dropped++`,
  ),
};

export function handleText(h: number): string {
  return `${(h >>> 16).toString(16)}:${h & 0xffff ? (h & 0xffff).toString(16) : ''}`;
}

/** The bytes a qdisc counts for an skb (qdisc_pkt_len: the frame without FCS). */
export function qdisc_pkt_len(skb: SkBuff): number {
  return skb.len;
}

/** qdisc_drop / __qdisc_drop on an skb other than the one being enqueued: freed with QDISC_DROP. */
export function qdisc_free(
  ctx: KernelCtx,
  skb: SkBuff,
  reason: SkbDropReason = SKB_DROP_REASON.QDISC_DROP,
): void {
  skb.dropReason = reason;
  ctx.free(skb);
}

// ---- the default disciplines -----------------------------------------------------------------------------

const noqueueOps: QdiscOps = {
  id: 'noqueue',
  enqueue: null,
  dequeue: () => null,
  init: () => null,
  reset: () => undefined,
  dump: () => ({}),
};

const noopOps: QdiscOps = {
  id: 'noop',
  enqueue: null,
  dequeue: () => null,
  init: () => null,
  reset: () => undefined,
  dump: () => ({}),
};

/** pfifo_fast: three FIFO bands, each up to txqueuelen, picked by skb->priority through the priomap. */
const PRIO2BAND = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];

const PFIFO_FAST_ENQ = kfn(
  'pfifo_fast_enqueue',
  'net/sched/sch_generic.c',
  'dev',
  (_q, band, len, limit) => `band ${band} ${len}/${limit}`,
);

const pfifoFastOps: QdiscOps = {
  id: 'pfifo_fast',
  enqueue(ctx, skb, q) {
    const band = PRIO2BAND[skb.priority & TC_PRIO_MAX];
    const bands = q.priv.bands as SkBuff[][];
    const limit = q.dev.txQueueLen;
    ctx.step(skb, PFIFO_FAST_ENQ, q, band, bands[band].length, limit);
    if (bands[band].length >= limit) {
      // qdisc_drop_cpu: the skb is freed by __dev_xmit_skb with QDISC_DROP.
      q.stats.drops++;
      ctx.step(skb, F.qdiscDrop, q, bands[band].length);
      return NET_XMIT_DROP;
    }
    bands[band].push(skb);
    q.qlen++;
    q.backlog += qdisc_pkt_len(skb);
    return NET_XMIT_SUCCESS;
  },
  dequeue(_ctx, q) {
    for (const band of q.priv.bands as SkBuff[][]) {
      const skb = band.shift();
      if (skb) {
        q.qlen--;
        q.backlog -= qdisc_pkt_len(skb);
        return skb;
      }
    }
    return null;
  },
  init(q) {
    q.priv = { bands: [[], [], []] };
    return null;
  },
  reset(ctx, q) {
    for (const band of q.priv.bands as SkBuff[][])
      for (const skb of band.splice(0)) qdisc_free(ctx, skb, SKB_DROP_REASON.NOT_SPECIFIED);
    q.qlen = 0;
    q.backlog = 0;
  },
  dump: () => ({ bands: 3, priomap: PRIO2BAND.join(' ') }),
};

/** mq: the root of a multiqueue device; each TX queue has its own child, the totals are theirs summed. */
const mqOps: QdiscOps = {
  id: 'mq',
  enqueue: null,
  dequeue: () => null,
  init: () => null,
  reset(ctx, q) {
    for (const c of q.children) c.ops.reset(ctx, c);
  },
  dump: () => ({}),
};

/** register_qdisc: the disciplines tc can name (sch_netem.ts and sch_fq_codel.ts add themselves). */
/**
 * pfifo (sch_fifo.c: pfifo_enqueue, qdisc_dequeue_head): one FIFO of at most `limit` packets, the device's
 * tx_queue_len when tc gives none (__fifo_init). A limit of 0 drops everything: no TCQ_F_CAN_BYPASS then,
 * so even an empty queue does not hand the skb straight to the driver.
 */
const pfifoOps: QdiscOps = {
  id: 'pfifo',
  enqueue(ctx, skb, q) {
    const fifo = q.priv.fifo as SkBuff[];
    const limit = q.priv.limit as number;
    ctx.step(skb, PFIFO_FAST_ENQ, q, 0, fifo.length, limit);
    if (fifo.length >= limit) {
      q.stats.drops++;
      ctx.step(skb, F.qdiscDrop, q, fifo.length);
      return NET_XMIT_DROP;
    }
    fifo.push(skb);
    q.qlen++;
    q.backlog += qdisc_pkt_len(skb);
    return NET_XMIT_SUCCESS;
  },
  dequeue(_ctx, q) {
    const skb = (q.priv.fifo as SkBuff[]).shift();
    if (!skb) return null;
    q.qlen--;
    q.backlog -= qdisc_pkt_len(skb);
    return skb;
  },
  init(q, opts, change) {
    // qdisc_change calls ops->change only when tc sent TCA_OPTIONS: a bare `replace` keeps the limit.
    if (change && typeof opts.limit !== 'number') return null;
    if (!change) q.priv = { fifo: [], limit: 0 };
    q.priv.limit = typeof opts.limit === 'number' ? opts.limit : q.dev.txQueueLen;
    if (q.priv.limit >= 1) q.flags |= TCQ_F_CAN_BYPASS;
    else q.flags &= ~TCQ_F_CAN_BYPASS;
    return null;
  },
  reset(ctx, q) {
    for (const skb of (q.priv.fifo as SkBuff[]).splice(0))
      qdisc_free(ctx, skb, SKB_DROP_REASON.NOT_SPECIFIED);
    q.qlen = 0;
    q.backlog = 0;
  },
  dump: (q) => ({ limit: q.priv.limit as number }),
};

export const QDISC_OPS: Record<string, QdiscOps> = {
  pfifo: pfifoOps,
  noqueue: noqueueOps,
  noop: noopOps,
  pfifo_fast: pfifoFastOps,
  mq: mqOps,
};

/** net.core.default_qdisc's ops (pfifo_fast when the name is not a registered discipline). */
export function default_qdisc_ops(dev: NetDevice): QdiscOps {
  return QDISC_OPS[dev.net.host.core.defaultQdisc] ?? pfifoFastOps;
}

/** qdisc_alloc + ops->init */
export function qdisc_create(
  dev: NetDevice,
  ops: QdiscOps,
  handle: number,
  parent: number,
  txq: number,
  opts: QdiscOpts = {},
): Qdisc | string {
  dev.qdiscSeq = (dev.qdiscSeq ?? 0) + 1;
  const q: Qdisc = {
    id: dev.qdiscSeq,
    ops,
    handle,
    parent,
    dev,
    flags: 0,
    qlen: 0,
    backlog: 0,
    stats: { bytes: 0, packets: 0, drops: 0, overlimits: 0, requeues: 0 },
    gsoSkb: [],
    scheduled: false,
    running: false,
    watchdog: null,
    children: [],
    txq,
    isDefault: false,
    priv: null,
  };
  if (ops.id === 'pfifo_fast') q.flags |= TCQ_F_NOLOCK | TCQ_F_CAN_BYPASS;
  if (dev.txqs.length <= 1 || txq >= 0) q.flags |= TCQ_F_ONETXQUEUE;
  const err = ops.init(q, opts, false);
  return err ?? q;
}

/** noqueue for lo and veth (IFF_NO_QUEUE); noop for a NIC until its first open attaches the defaults. */
export function noqueue_qdisc(dev: NetDevice, ops: QdiscOps = noqueueOps): Qdisc {
  const q = qdisc_create(dev, ops, 0, TC_H_ROOT, -1) as Qdisc;
  q.isDefault = true;
  return q;
}

export function noop_qdisc(dev: NetDevice): Qdisc {
  return noqueue_qdisc(dev, noopOps);
}

/**
 * attach_default_qdiscs (sch_generic.c:1158), at the first dev_activate: one TX queue gets default_qdisc
 * as its root; several get mq with a default_qdisc child per queue (parent :1, :2, ...).
 */
export function attach_default_qdiscs(dev: NetDevice): void {
  let ops = default_qdisc_ops(dev);
  const dflt = (parent: number, txq: number): Qdisc => {
    const q = qdisc_create(dev, ops, 0, parent, txq) as Qdisc;
    q.isDefault = true;
    return q;
  };
  // default_qdisc=mq cannot be a queue's own qdisc (mq_init refuses a non-root parent), so the setup
  // fails and the kernel falls back to noqueue ("default qdisc (mq) fail, fallback to noqueue").
  if (dev.txqs.length === 1 || ops === mqOps) {
    if (ops === mqOps) ops = noqueueOps;
    const q = dflt(TC_H_ROOT, -1);
    dev.qdisc = q;
    for (const txq of dev.txqs) txq.qdisc = q;
    return;
  }
  const root = qdisc_create(dev, mqOps, 0, TC_H_ROOT, -1) as Qdisc;
  root.isDefault = true;
  root.flags |= TCQ_F_MQROOT;
  root.children = dev.txqs.map((txq) => (txq.qdisc = dflt(txq.index + 1, txq.index)));
  dev.qdisc = root;
}

/** The qdisc `tc` and `ip link` see for the device's root, summed over mq's children. */
export function qdisc_totals(q: Qdisc): { stats: Qdisc['stats']; qlen: number; backlog: number } {
  // Requeued skbs (q->gso_skb) are still the qdisc's: in its qlen and its backlog.
  const held = (x: Qdisc): number => x.gsoSkb.reduce((n, skb) => n + qdisc_pkt_len(skb), 0);
  if (q.ops.id !== 'mq')
    return { stats: q.stats, qlen: q.qlen + q.gsoSkb.length, backlog: q.backlog + held(q) };
  const t = { stats: { bytes: 0, packets: 0, drops: 0, overlimits: 0, requeues: 0 }, qlen: 0, backlog: 0 };
  for (const c of q.children) {
    for (const k of Object.keys(t.stats) as Array<keyof Qdisc['stats']>) t.stats[k] += c.stats[k];
    t.qlen += c.qlen + c.gsoSkb.length;
    t.backlog += c.backlog + held(c);
  }
  return t;
}

// ---- transmit through a qdisc ----------------------------------------------------------------------------

/** The hop a qdisc hands each skb to: the rest of __dev_queue_xmit's path, run to its end. */
const XMIT_HOP = 'dev_hard_start_xmit' as const;

/**
 * __dev_xmit_skb (dev.c:3935): send straight away when the qdisc is empty and may be bypassed, else
 * enqueue and run the qdisc. What the caller sees: NET_XMIT_DROP (-ENOBUFS) when this skb was refused.
 */
export function __dev_xmit_skb(ctx: KernelCtx, skb: SkBuff, q: Qdisc, txq: NetdevQueue): Verdict {
  if (q.flags & TCQ_F_CAN_BYPASS && q.qlen === 0 && !q.gsoSkb.length && qdisc_run_begin(q)) {
    ctx.step(skb, F.devXmitSkb, q, 1);
    // qdisc_bstats_update: a bypassed skb is counted as sent by the qdisc. The TX queue may be stopped:
    // sch_direct_xmit then requeues it, as the kernel does (the bypass does not look at the queue).
    q.stats.bytes += qdisc_pkt_len(skb);
    q.stats.packets++;
    try {
      if (sch_direct_xmit(ctx, skb, q, txq)) __qdisc_run(ctx, q);
    } finally {
      q.running = false;
    }
    return queued(skb, `${q.dev.name} driver`);
  }
  ctx.step(skb, F.devXmitSkb, q, 0, q.qlen);
  // The enqueue either keeps the skb, refuses it (NET_XMIT_DROP: freed here, the sender sees -ENOBUFS),
  // drops it with __NET_XMIT_BYPASS (netem's loss: freed here, the sender sees success) or has freed it
  // itself (fq_codel dropping from the fattest flow, which may be this one: NET_XMIT_CN, seen as success).
  const rc = q.ops.enqueue!(ctx, skb, q);
  qdisc_run(ctx, q);
  if (rc & __NET_XMIT_BYPASS) return drop(skb, skb.dropReason ?? SKB_DROP_REASON.QDISC_DROP);
  if ((rc & NET_XMIT_MASK) === NET_XMIT_DROP)
    return xmitDrop(skb, skb.dropReason ?? SKB_DROP_REASON.QDISC_DROP);
  return queued(skb, `qdisc ${q.ops.id}`);
}

/**
 * qdisc_run_begin: take the qdisc, unless a CPU is running it already. A CPU still inside a driver's
 * ndo_start_xmit (a TX queue's lock held, for a call that has not returned) is inside sch_direct_xmit,
 * and so still holds the qdisc that fed it.
 */
function qdisc_run_begin(q: Qdisc): boolean {
  if (q.running || qdisc_in_driver(q)) return false;
  q.running = true;
  return true;
}

/** Whether a TX queue this qdisc feeds (its own, or any for a root) has its xmit lock held. */
function qdisc_in_driver(q: Qdisc): boolean {
  if (q.txq >= 0) return netif_tx_locked(q.dev.txqs[q.txq]);
  for (const txq of q.dev.txqs) if (netif_tx_locked(txq)) return true;
  return false;
}

/** Whether a CPU holds the queue's xmit lock (is in its driver's ndo_start_xmit). */
export function netif_tx_locked(txq: NetdevQueue): boolean {
  return txq.xmitLockOwner !== undefined && txq.xmitLockOwner >= 0;
}

/** qdisc_run: unless another CPU runs it (qdisc_run_begin), dequeue and send. */
export function qdisc_run(ctx: KernelCtx, q: Qdisc): void {
  if (!qdisc_run_begin(q)) return;
  try {
    __qdisc_run(ctx, q);
  } finally {
    q.running = false;
  }
}

/** __qdisc_run (sch_generic.c:418): up to dev_tx_weight skbs, then __netif_schedule for the rest. */
export function __qdisc_run(ctx: KernelCtx, q: Qdisc): void {
  let quota = q.dev.net.host.core.devTxWeight;
  while (qdisc_restart(ctx, q)) {
    if (--quota <= 0) {
      __netif_schedule(ctx, q);
      break;
    }
  }
}

/** skb_get_tx_queue: the TX queue __dev_queue_xmit picked for this skb (a root qdisc feeds them all). */
function txqOf(q: Qdisc, skb: SkBuff): NetdevQueue {
  const txqs = q.dev.txqs;
  return txqs[q.txq >= 0 ? q.txq : skb.queueMapping < txqs.length ? skb.queueMapping : 0];
}

/** qdisc_restart (sch_generic.c:397) → dequeue_skb → sch_direct_xmit; false when nothing more to send. */
function qdisc_restart(ctx: KernelCtx, q: Qdisc): boolean {
  let skb: SkBuff | null;
  if (q.gsoSkb.length) {
    // dequeue_skb: the requeued skbs go first, once their TX queue runs again.
    if (netif_xmit_stopped(txqOf(q, q.gsoSkb[0]))) return false;
    skb = q.gsoSkb.shift()!;
    ctx.step(skb, F.dequeueSkb, q, q.qlen, 1);
  } else {
    // TCQ_F_ONETXQUEUE (an mq child, or the root of a single-queue device): a stopped queue
    // (q->dev_queue) is not dequeued from at all.
    if (q.flags & TCQ_F_ONETXQUEUE && netif_xmit_stopped(q.dev.txqs[Math.max(q.txq, 0)])) return false;
    skb = q.ops.dequeue(ctx, q);
    if (!skb) return false;
    q.stats.bytes += qdisc_pkt_len(skb);
    q.stats.packets++;
    ctx.step(skb, F.dequeueSkb, q, q.qlen, 0);
  }
  return sch_direct_xmit(ctx, skb, q, txqOf(q, skb));
}

/**
 * sch_direct_xmit (sch_generic.c:326): hand the skb to the driver under the TX queue's lock (HARD_TX_LOCK).
 * A driver that answers NETDEV_TX_BUSY (or a queue found stopped) gets it back with dev_requeue_skb.
 */
export function sch_direct_xmit(ctx: KernelCtx, skb: SkBuff, q: Qdisc, txq: NetdevQueue): boolean {
  if (netif_xmit_stopped(txq)) {
    ctx.step(skb, F.schDirectXmit, q.dev, txq.index, 1);
    dev_requeue_skb(ctx, skb, q);
    return false;
  }
  ctx.step(skb, F.schDirectXmit, q.dev, txq.index, 0);
  txq.xmitLockOwner = ctx.cpu();
  let v: Verdict;
  try {
    v = ctx.run(XMIT_HOP, skb);
  } catch (e) {
    txq.xmitLockOwner = -1; // HARD_TX_UNLOCK on the way out, or the queue stays locked for good
    throw e;
  }
  // A call the runtime carries out asynchronously has not returned: this CPU is still in the driver, with
  // the lock and the qdisc; sch_direct_xmit_return goes on from here when it returns.
  if (v.kind === 'pending') return false;
  txq.xmitLockOwner = -1;
  if (v.kind === 'busy') {
    dev_requeue_skb(ctx, skb, q);
    return false;
  }
  // Sent: go on, even if the queue stopped meanwhile. The next dequeue decides: a qdisc of that queue alone
  // gets nothing (dequeue_skb), a root over several takes the next skb, which may be another queue's; an
  // empty dequeue is how fq_codel retires empty flows.
  return true;
}

/**
 * The rest of sch_direct_xmit, for a driver call that returned later (a `pending` run): HARD_TX_UNLOCK,
 * then NETDEV_TX_BUSY's dev_requeue_skb, or __qdisc_run's loop going on (from NET_TX, since the CPU that
 * ran it has long left it) if the qdisc may send anything: its queue runs, or it is a root that feeds
 * others. The queue's state is the driver's, as it was when the call returned.
 */
export function sch_direct_xmit_return(ctx: KernelCtx, txq: NetdevQueue, skb: SkBuff, busy: boolean): void {
  txq.xmitLockOwner = -1;
  const q = txq.qdisc;
  if (busy) {
    ctx.step(skb, F.schDirectXmit, q.dev, txq.index, 2);
    dev_requeue_skb(ctx, skb, q);
    return;
  }
  if (!q.ops.enqueue) return;
  if (!netif_xmit_stopped(txq) || (!(q.flags & TCQ_F_ONETXQUEUE) && (q.qlen > 0 || q.gsoSkb.length)))
    __netif_schedule(ctx, q);
}

/** dev_requeue_skb (sch_generic.c:141): keep it at the head, count a requeue, try again from NET_TX. */
export function dev_requeue_skb(ctx: KernelCtx, skb: SkBuff, q: Qdisc): void {
  q.gsoSkb.unshift(skb);
  q.stats.requeues++;
  ctx.step(skb, F.devRequeueSkb, q);
  __netif_schedule(ctx, q);
}

/** __netif_schedule (dev.c:3167): put the qdisc on this CPU's output_queue and raise NET_TX_SOFTIRQ. */
export function __netif_schedule(ctx: KernelCtx, q: Qdisc): void {
  if (q.scheduled) return;
  q.scheduled = true;
  const host = q.dev.net.host;
  const sd = host.softnet[ctx.cpu()];
  sd.outputQueue.push(q);
  ctx.raiseNetTx(host, sd.cpu);
}

/**
 * netif_schedule_queue / netif_tx_wake_queue (dev.c:3178, 3188): a TX queue the driver or Byte Queue Limits
 * let go again runs its qdisc, unless it is still stopped for the other reason.
 */
export function netif_schedule_queue(ctx: KernelCtx, txq: NetdevQueue): void {
  if (netif_xmit_stopped(txq)) return;
  __netif_schedule(ctx, txq.qdisc);
}

/** net_tx_action (dev.c:5350): run every qdisc on this CPU's output_queue. */
export function net_tx_action(
  ctx: KernelCtx,
  host: { softnet: Array<{ outputQueue: Qdisc[] }> },
  cpu: number,
): void {
  const sd = host.softnet[cpu];
  const list = sd.outputQueue;
  sd.outputQueue = [];
  for (const q of list) {
    q.scheduled = false;
    const head = q.gsoSkb[0] ?? null;
    if (head) ctx.step(head, F.netTxAction, null, cpu);
    qdisc_run(ctx, q);
  }
}

/** qdisc_watchdog_schedule_ns: a throttled qdisc (netem) asks to run again at `expires`. */
export function qdisc_watchdog_schedule_ns(ctx: KernelCtx, q: Qdisc, expires: number): void {
  if (!q.watchdog) {
    const t: KTimer<Qdisc> = {
      fn: (c, qd) => __netif_schedule(c, qd),
      arg: q,
      expires,
      pending: false,
      host: q.dev.net.host,
      cpu: ctx.cpu(),
      seq: 0,
      inflight: true,
    };
    q.watchdog = t;
  }
  if (q.watchdog.pending && q.watchdog.expires <= expires) return;
  ctx.modTimer(q.watchdog, expires);
}

/** dev_deactivate's qdisc_reset: the queued skbs are freed, the counters stay. */
export function qdisc_reset(ctx: KernelCtx, q: Qdisc): void {
  q.ops.reset(ctx, q);
  for (const skb of q.gsoSkb.splice(0)) qdisc_free(ctx, skb, SKB_DROP_REASON.NOT_SPECIFIED);
  for (const c of q.children) qdisc_reset(ctx, c);
}
