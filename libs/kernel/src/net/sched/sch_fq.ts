/**
 * net/sched/sch_fq.c: the Fair Queue packet scheduler, with per-flow pacing. Each socket is a flow (an skb
 * without a full socket, or of a listener, is an "orphan" flow by its hash & orphan_mask); flows are served
 * round robin (new flows first) within three priority bands weighted 9:3:1 (576 KB, 192 KB, 64 KB), each
 * flow sending `quantum` bytes a turn (a new flow starts with `initial_quantum`). Pacing: an skb with a
 * delivery time (TCP's EDT, skb->tstamp) waits until then; without one, a flow sends at its socket's
 * sk_pacing_rate (or the qdisc's maxrate): after each packet its time_next_packet moves on by len / rate,
 * less what the packet was late (the "account for schedule/timers drifts" credit, at most half). A flow
 * that must wait is throttled on q->delayed; the watchdog fires at the first one's time. Setting a socket's
 * sk_pacing_status to SK_PACING_FQ tells TCP an fq paces it (so TCP stamps EDTs rather than pacing itself).
 * Not modelled: flow garbage collection (fq_gc; flows stay), the internal queue's orphan checks for
 * SO_MAX_PACING_RATE sockets, ce_threshold marking (ECT traffic is not modelled).
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { SOCK_STREAM, type Sock } from '../../include/net/sock';
import type { TcpSock } from '../../include/linux/tcp';
import {
  NET_XMIT_DROP,
  NET_XMIT_SUCCESS,
  TC_PRIO_MAX,
  type Qdisc,
  type QdiscOps,
} from '../../include/net/sch_generic';
import { SKB_DROP_REASON, type SkbDropReason } from '../../include/net/dropreason-core';
import { SK_PACING_FQ, ktime_get_ns } from '../../include/net/tcp';
import { TCP_CLOSE, TCP_LISTEN, TCP_NEW_SYN_RECV } from '../../include/net/tcp_states';
import { kfn } from '../../include/net/trace';
import { jiffies } from '../../kernel/time/timer';
import { skb_get_hash } from '../core/flow_dissector';
import { QDISC_OPS, qdisc_free, qdisc_pkt_len, qdisc_watchdog_schedule_ns } from './sch_generic';
import { fmtTime } from './sch_netem';

const NSEC_PER_SEC = 1_000_000_000;
const FQ_BANDS = 3;
const HZ_MS = 4; // ms per jiffy (HZ 250)
/** ~0UL: no rate limit. */
const UNLIMITED = Infinity;

/** sch_default_prio2band (sch_generic.c): TC_PRIO_* to fq's bands. */
const SCH_DEFAULT_PRIO2BAND = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];

/** struct fq_flow */
interface FqFlow {
  /** skbs with their fq_skb_cb (time_to_send, band), in time_to_send order (head list and t_root). */
  queue: Array<{ skb: SkBuff; timeToSend: number; band: number }>;
  /** The socket, or the orphan key. */
  key: Sock | number;
  /** fq_flow_is_detached: on no list; `age` (jiffies) says since when. */
  detached: boolean;
  age: number;
  qlen: number;
  credit: number;
  band: number;
  /** On which list: new, old, throttled (q->delayed) or none. */
  list: 'new' | 'old' | 'throttled' | null;
  timeNextPacket: number;
}

interface FqPerbandFlows {
  newFlows: FqFlow[];
  oldFlows: FqFlow[];
  credit: number;
  quantum: number;
}

/** struct fq_sched_data */
interface FqSchedData {
  limit: number;
  quantum: number;
  initialQuantum: number;
  /** jiffies */
  flowRefillDelay: number;
  flowPlimit: number;
  /** bytes per second */
  flowMaxRate: number;
  ceThreshold: number;
  horizon: number;
  orphanMask: number;
  lowRateThreshold: number;
  rateEnable: boolean;
  fqTreesLog: number;
  horizonDrop: boolean;
  prio2band: number[];
  timerSlack: number;
  bandNr: number;
  bandFlows: FqPerbandFlows[];
  /** The fast path queue (fq_fastpath_check). */
  internal: FqFlow;
  flowsByKey: Map<Sock | number, FqFlow>;
  /** q->delayed: throttled flows by time_next_packet. */
  delayed: FqFlow[];
  timeNextDelayedFlow: number;
  unthrottleLatencyNs: number;
  bandPktCount: number[];
  flows: number;
  inactiveFlows: number;
  throttledFlows: number;
  statThrottled: number;
  statGcFlows: number;
  statFastpathPackets: number;
  statBandDrops: number[];
  statCeMark: number;
  statHorizonDrops: number;
  statHorizonCaps: number;
  statFlowsPlimit: number;
  statPktsTooLong: number;
  statAllocationErrors: number;
}

const F = {
  enqueue: kfn(
    'fq_enqueue',
    'net/sched/sch_fq.c',
    'dev',
    (_q, band, delay) => `band ${band}${delay ? `, time_to_send in ${fmtTime(delay as number)}` : ''}`,
  ),
  dequeue: kfn('fq_dequeue', 'net/sched/sch_fq.c', 'dev', (_q, next) =>
    next ? `flow's next packet in ${fmtTime(next as number)}` : 'sent',
  ),
};

function newFlow(key: Sock | number, credit: number): FqFlow {
  return {
    queue: [],
    key,
    detached: true,
    age: 0,
    qlen: 0,
    credit,
    band: 0,
    list: null,
    timeNextPacket: 0,
  };
}

/** A TCP socket (the model's other sockets keep no sk_state: they are fq's unconnected TCP_CLOSE ones). */
const tcpOf = (sk: Sock | null): TcpSock | null => (sk && sk.type === SOCK_STREAM ? (sk as TcpSock) : null);

const sk_listener = (sk: TcpSock) => sk.state === TCP_LISTEN || sk.state === TCP_NEW_SYN_RECV;

/** sk_pacing_rate (bytes per second; ~0UL: none). Only TCP sets one. */
function sk_pacing_rate(sk: Sock): number {
  const r = (sk as Sock & { pacingRate?: number }).pacingRate;
  return r === undefined ? UNLIMITED : r;
}

/** fq_flow_add_tail */
function fq_flow_add_tail(q: FqSchedData, flow: FqFlow, list: 'new' | 'old'): void {
  const pband = q.bandFlows[flow.band];
  (list === 'new' ? pband.newFlows : pband.oldFlows).push(flow);
  flow.list = list;
  flow.detached = false;
}

/** fq_flow_unset_throttled */
function fq_flow_unset_throttled(q: FqSchedData, f: FqFlow): void {
  q.delayed.splice(q.delayed.indexOf(f), 1);
  q.throttledFlows--;
  fq_flow_add_tail(q, f, 'old');
}

/** fq_flow_set_throttled: into q->delayed by time_next_packet (after equal ones, as the rb-tree insert). */
function fq_flow_set_throttled(q: FqSchedData, f: FqFlow): void {
  let i = q.delayed.length;
  while (i > 0 && q.delayed[i - 1].timeNextPacket > f.timeNextPacket) i--;
  q.delayed.splice(i, 0, f);
  q.throttledFlows++;
  q.statThrottled++;
  f.list = 'throttled';
  if (q.timeNextDelayedFlow > f.timeNextPacket) q.timeNextDelayedFlow = f.timeNextPacket;
}

/** fq_fastpath_check: an skb due now may skip the flows when nothing else is eligible. */
function fq_fastpath_check(sch: Qdisc, q: FqSchedData, timeToSend: number, now: number): boolean {
  if (timeToSend > now) return false;
  if (sch.qlen !== 0) {
    // Even if some packets are stored in this qdisc, we can still enable fast path if all of them are
    // scheduled in the future (ie no flows are eligible) or in the fast path queue.
    if (q.flows !== q.inactiveFlows + q.throttledFlows) return false;
    // Do not allow fast path queue to explode, we want Fair Queue mode under pressure.
    if (q.internal.qlen >= 8) return false;
    // Ordering invariants fall apart if some delayed flows are ready but we haven't serviced them, yet.
    if (q.timeNextDelayedFlow <= now) return false;
  }
  if (q.flowMaxRate !== UNLIMITED) return false;
  return true;
}

/** fq_classify: the flow of this skb's socket (or of its hash, for orphans), made on first sight. */
function fq_classify(ctx: KernelCtx, sch: Qdisc, q: FqSchedData, skb: SkBuff, timeToSend: number): FqFlow {
  const now = ktime_get_ns(ctx);
  let key: TcpSock | number;
  const sk = tcpOf(skb.sk);
  // SYNACK messages are attached to a TCP_NEW_SYN_RECV request socket or a listener: we pretend they are
  // orphaned. Sockets in TCP_CLOSE are non connected (UDP's sendto to many destinations).
  if (!sk || sk_listener(sk) || sk.state === TCP_CLOSE) key = skb_get_hash(skb) & q.orphanMask;
  else key = sk;
  if (fq_fastpath_check(sch, q, timeToSend, now)) {
    q.statFastpathPackets++;
    if (typeof key !== 'number' && q.rateEnable && key.pacingStatus !== SK_PACING_FQ)
      key.pacingStatus = SK_PACING_FQ;
    return q.internal;
  }
  let f = q.flowsByKey.get(key);
  if (f) return f;
  f = newFlow(key, q.initialQuantum);
  f.age = jiffies(ctx);
  if (typeof key !== 'number' && q.rateEnable) key.pacingStatus = SK_PACING_FQ;
  q.flowsByKey.set(key, f);
  q.flows++;
  q.inactiveFlows++;
  return f;
}

/** flow_queue_add: in time_to_send order (ties after, as the rb-tree's insert). */
function flow_queue_add(flow: FqFlow, e: FqFlow['queue'][number]): void {
  let i = flow.queue.length;
  while (i > 0 && flow.queue[i - 1].timeToSend > e.timeToSend) i--;
  flow.queue.splice(i, 0, e);
}

function drop(sch: Qdisc, skb: SkBuff, reason: SkbDropReason): number {
  // qdisc_drop_reason: the caller (__dev_xmit_skb) frees it with this reason.
  sch.stats.drops++;
  skb.dropReason = reason;
  return NET_XMIT_DROP;
}

/** fq_enqueue */
function fq_enqueue(ctx: KernelCtx, skb: SkBuff, sch: Qdisc): number {
  const q = sch.priv as FqSchedData;
  const band = q.prio2band[skb.priority & TC_PRIO_MAX];
  if (q.bandPktCount[band] >= q.limit) {
    q.statBandDrops[band]++;
    return drop(sch, skb, SKB_DROP_REASON.FQ_BAND_LIMIT);
  }
  const now = ktime_get_ns(ctx);
  let timeToSend: number;
  if (!skb.tstamp) timeToSend = now;
  else {
    // Check if packet timestamp is too far in the future.
    if (skb.tstamp > now + q.horizon) {
      if (q.horizonDrop) {
        q.statHorizonDrops++;
        return drop(sch, skb, SKB_DROP_REASON.FQ_HORIZON_LIMIT);
      }
      q.statHorizonCaps++;
      skb.tstamp = now + q.horizon;
    }
    timeToSend = skb.tstamp;
  }
  const f = fq_classify(ctx, sch, q, skb, timeToSend);
  if (f !== q.internal) {
    if (f.qlen >= q.flowPlimit) {
      q.statFlowsPlimit++;
      return drop(sch, skb, SKB_DROP_REASON.FQ_FLOW_LIMIT);
    }
    if (f.detached) {
      fq_flow_add_tail(q, f, 'new');
      if (jiffies(ctx) > f.age + q.flowRefillDelay) f.credit = Math.max(f.credit, q.quantum);
    }
    f.band = band;
    q.bandPktCount[band]++;
    if (f.qlen === 0) q.inactiveFlows--;
  }
  ctx.step(skb, F.enqueue, sch, band, timeToSend - now);
  f.qlen++;
  flow_queue_add(f, { skb, timeToSend, band });
  sch.backlog += qdisc_pkt_len(skb);
  sch.qlen++;
  return NET_XMIT_SUCCESS;
}

/** fq_check_throttled: flows whose time has come go back to old_flows. */
function fq_check_throttled(q: FqSchedData, now: number): void {
  if (q.timeNextDelayedFlow > now) return;
  // Update unthrottle latency EWMA. This is cheap and can help diagnosing timer/latency problems.
  const sample = now - q.timeNextDelayedFlow;
  q.unthrottleLatencyNs -= Math.floor(q.unthrottleLatencyNs / 8);
  q.unthrottleLatencyNs += Math.floor(sample / 8);
  q.timeNextDelayedFlow = UNLIMITED;
  while (q.delayed.length) {
    const f = q.delayed[0];
    if (f.timeNextPacket > now) {
      q.timeNextDelayedFlow = f.timeNextPacket;
      break;
    }
    fq_flow_unset_throttled(q, f);
  }
}

/** fq_pband_head_select */
function fq_pband_head_select(pband: FqPerbandFlows): FqFlow[] | null {
  if (pband.credit <= 0) return null;
  if (pband.newFlows.length) return pband.newFlows;
  return pband.oldFlows.length ? pband.oldFlows : null;
}

function dequeue_skb(sch: Qdisc, flow: FqFlow): SkBuff {
  const e = flow.queue.shift()!;
  sch.backlog -= qdisc_pkt_len(e.skb);
  sch.qlen--;
  return e.skb;
}

/** fq_dequeue */
function fq_dequeue(ctx: KernelCtx, sch: Qdisc): SkBuff | null {
  const q = sch.priv as FqSchedData;
  if (!sch.qlen) return null;
  if (q.internal.queue.length) {
    q.internal.qlen--;
    const skb = dequeue_skb(sch, q.internal);
    ctx.step(skb, F.dequeue, sch, 0);
    return out(sch, skb);
  }
  const now = ktime_get_ns(ctx);
  fq_check_throttled(q, now);
  let retry = 0;
  let pband = q.bandFlows[q.bandNr];
  for (;;) {
    const head = fq_pband_head_select(pband);
    if (!head) {
      let found = false;
      while (++retry <= FQ_BANDS) {
        if (++q.bandNr === FQ_BANDS) q.bandNr = 0;
        pband = q.bandFlows[q.bandNr];
        pband.credit = Math.min(pband.credit + pband.quantum, pband.quantum);
        if (pband.credit > 0) {
          found = true;
          break;
        }
        retry = 0;
      }
      if (found) continue;
      // qdisc_watchdog_schedule_range_ns(time_next_delayed_flow, timer_slack): the lab's timer fires at
      // the start of the range.
      if (q.timeNextDelayedFlow !== UNLIMITED)
        qdisc_watchdog_schedule_ns(ctx, sch, q.timeNextDelayedFlow - (ktime_get_ns(ctx) - ctx.now()));
      return null;
    }
    const f = head[0];
    retry = 0;
    if (f.credit <= 0) {
      f.credit += q.quantum;
      head.shift();
      fq_flow_add_tail(q, f, 'old');
      continue;
    }
    const e = f.queue[0];
    if (!e) {
      head.shift();
      // force a pass through old_flows to prevent starvation
      if (head === pband.newFlows) fq_flow_add_tail(q, f, 'old');
      else {
        f.detached = true;
        f.list = null;
        f.age = jiffies(ctx);
      }
      continue;
    }
    const timeNextPacket = Math.max(e.timeToSend, f.timeNextPacket);
    if (now < timeNextPacket) {
      head.shift();
      f.timeNextPacket = timeNextPacket;
      fq_flow_set_throttled(q, f);
      continue;
    }
    if (--f.qlen === 0) q.inactiveFlows++;
    q.bandPktCount[e.band]--;
    const skb = dequeue_skb(sch, f);
    let plen = qdisc_pkt_len(skb);
    f.credit -= plen;
    pband.credit -= plen;
    if (!q.rateEnable) {
      ctx.step(skb, F.dequeue, sch, 0);
      return out(sch, skb);
    }
    let rate = q.flowMaxRate;
    // If EDT time was provided for this skb, we need to update f->time_next_packet only if this qdisc
    // enforces a flow max rate.
    if (!skb.tstamp) {
      if (skb.sk) rate = Math.min(sk_pacing_rate(skb.sk), rate);
      if (rate <= q.lowRateThreshold) f.credit = 0;
      else {
        plen = Math.max(plen, q.quantum);
        if (f.credit > 0) {
          ctx.step(skb, F.dequeue, sch, 0);
          return out(sch, skb);
        }
      }
    }
    if (rate !== UNLIMITED) {
      let len = plen * NSEC_PER_SEC;
      if (rate) len = Math.floor(len / rate);
      // Since socket rate can change later, clamp the delay to 1 second.
      if (len > NSEC_PER_SEC) {
        len = NSEC_PER_SEC;
        q.statPktsTooLong++;
      }
      // Account for schedule/timers drifts. f->time_next_packet was set when prior packet was sent, and
      // current time (@now) can be too late by tens of us.
      if (f.timeNextPacket) len -= Math.min(Math.floor(len / 2), now - f.timeNextPacket);
      f.timeNextPacket = now + len;
      ctx.step(skb, F.dequeue, sch, len);
      return out(sch, skb);
    }
    ctx.step(skb, F.dequeue, sch, 0);
    return out(sch, skb);
  }
}

/** out: (qdisc_bstats_update is the model's dequeue_skb's, for every discipline) */
function out(_sch: Qdisc, skb: SkBuff): SkBuff {
  return skb;
}

/** fq_reset: every queued skb freed, every flow gone. */
function fq_reset(ctx: KernelCtx, sch: Qdisc): void {
  const q = sch.priv as FqSchedData;
  for (const f of [q.internal, ...q.flowsByKey.values()]) {
    for (const e of f.queue.splice(0)) qdisc_free(ctx, e.skb, SKB_DROP_REASON.NOT_SPECIFIED);
    f.qlen = 0;
  }
  q.flowsByKey.clear();
  for (const b of q.bandFlows) {
    b.newFlows = [];
    b.oldFlows = [];
  }
  q.bandPktCount = [0, 0, 0];
  q.delayed = [];
  q.flows = 0;
  q.inactiveFlows = 0;
  q.throttledFlows = 0;
  sch.qlen = 0;
  sch.backlog = 0;
}

/** fq_init's defaults, then fq_change's options. */
function fq_init(
  sch: Qdisc,
  opts: Record<string, number | boolean | string>,
  change: boolean,
): string | null {
  if (!change) {
    // psched_mtu: the device's MTU and its link-layer header.
    const mtu = Math.min(Math.max(sch.dev.mtu + sch.dev.hardHeaderLen, 1), 1 << 20);
    const q: FqSchedData = {
      limit: 10000,
      flowPlimit: 100,
      quantum: Math.min(Math.max(2 * mtu, 256), 1 << 20),
      initialQuantum: Math.min(10 * mtu, 1 << 20),
      flowRefillDelay: 40 / HZ_MS,
      flowMaxRate: UNLIMITED,
      timeNextDelayedFlow: UNLIMITED,
      rateEnable: true,
      bandFlows: [9 << 16, 3 << 16, 1 << 16].map((quantum) => ({
        newFlows: [],
        oldFlows: [],
        credit: 0,
        quantum,
      })),
      fqTreesLog: 10,
      orphanMask: 1024 - 1,
      lowRateThreshold: 550000 / 8,
      timerSlack: 10_000,
      horizon: 10 * NSEC_PER_SEC,
      horizonDrop: true,
      ceThreshold: 1000 * 0xffffffff,
      prio2band: [...SCH_DEFAULT_PRIO2BAND],
      bandNr: 0,
      internal: newFlow(0, 0),
      flowsByKey: new Map(),
      delayed: [],
      unthrottleLatencyNs: 0,
      bandPktCount: [0, 0, 0],
      flows: 0,
      inactiveFlows: 0,
      throttledFlows: 0,
      statThrottled: 0,
      statGcFlows: 0,
      statFastpathPackets: 0,
      statBandDrops: [0, 0, 0],
      statCeMark: 0,
      statHorizonDrops: 0,
      statHorizonCaps: 0,
      statFlowsPlimit: 0,
      statPktsTooLong: 0,
      statAllocationErrors: 0,
    };
    sch.priv = q;
  }
  return fq_change(sch, opts);
}

/** fq_change: tc's options (TCA_FQ_*), checked as the kernel checks them. */
function fq_change(sch: Qdisc, opts: Record<string, number | boolean | string>): string | null {
  const q = sch.priv as FqSchedData;
  const num = (k: string): number | undefined =>
    typeof opts[k] === 'number' ? (opts[k] as number) : undefined;
  if (num('buckets_log') !== undefined) {
    const v = num('buckets_log')!;
    if (v < 1 || v > 18) return 'Invalid number of buckets';
    q.fqTreesLog = v;
  }
  if (num('limit') !== undefined) q.limit = num('limit')!;
  if (num('flow_limit') !== undefined) q.flowPlimit = num('flow_limit')!;
  if (num('quantum') !== undefined) {
    const v = num('quantum')!;
    if (v <= 0 || v > 1 << 20) return 'invalid quantum';
    q.quantum = v;
  }
  if (num('initial_quantum') !== undefined) q.initialQuantum = num('initial_quantum')!;
  if (num('maxrate') !== undefined)
    q.flowMaxRate = num('maxrate') === 0xffffffff ? UNLIMITED : num('maxrate')!;
  if (num('low_rate_threshold') !== undefined) q.lowRateThreshold = num('low_rate_threshold')!;
  if (typeof opts.pacing === 'boolean') q.rateEnable = opts.pacing;
  if (num('refill_delay') !== undefined) q.flowRefillDelay = Math.ceil(num('refill_delay')! / 1000 / HZ_MS);
  if (num('orphan_mask') !== undefined) q.orphanMask = num('orphan_mask')!;
  if (num('ce_threshold') !== undefined) q.ceThreshold = num('ce_threshold')! * 1000;
  if (num('timer_slack') !== undefined) q.timerSlack = num('timer_slack')!;
  if (num('horizon') !== undefined) q.horizon = num('horizon')! * 1000;
  if (typeof opts.horizon_drop === 'boolean') q.horizonDrop = opts.horizon_drop;
  // Drop excess packets if new limit is lower: the model's flows are at most their old limit.
  return null;
}

export const fqOps: QdiscOps = {
  id: 'fq',
  enqueue: fq_enqueue,
  dequeue: fq_dequeue,
  init: fq_init,
  reset: fq_reset,
  /** fq_dump: TCA_FQ_* (times in us as the kernel sends them, rates in bytes per second). */
  dump(sch) {
    const q = sch.priv as FqSchedData;
    return {
      limit: q.limit,
      flow_limit: q.flowPlimit,
      quantum: q.quantum,
      initial_quantum: q.initialQuantum,
      pacing: q.rateEnable,
      maxrate: q.flowMaxRate === UNLIMITED ? 0xffffffff : Math.min(q.flowMaxRate, 0xffffffff),
      refill_delay: q.flowRefillDelay * HZ_MS * 1000,
      orphan_mask: q.orphanMask,
      low_rate_threshold: q.lowRateThreshold,
      ce_threshold: Math.min(Math.floor(q.ceThreshold / 1000), 0xffffffff),
      buckets_log: q.fqTreesLog,
      timer_slack: q.timerSlack,
      horizon: Math.floor(q.horizon / 1000),
      horizon_drop: q.horizonDrop,
    };
  },
  /**
   * fq_dump_stats: struct tc_fq_qd_stats. time_next_delayed_flow is absolute here (Infinity: none); the
   * kernel sends it + timer_slack - now, which tc prints when positive. Times are ktime_get_ns's.
   */
  dumpStats(sch) {
    const q = sch.priv as FqSchedData;
    return {
      gc_flows: q.statGcFlows,
      highprio_packets: 0,
      fastpath_packets: q.statFastpathPackets,
      tcp_retrans: 0,
      throttled: q.statThrottled,
      flows_plimit: q.statFlowsPlimit,
      pkts_too_long: q.statPktsTooLong,
      allocation_errors: q.statAllocationErrors,
      time_next_delayed_flow: q.timeNextDelayedFlow,
      flows: q.flows,
      inactive_flows: q.inactiveFlows,
      throttled_flows: q.throttledFlows,
      unthrottle_latency_ns: Math.min(q.unthrottleLatencyNs, 0xffffffff),
      ce_mark: q.statCeMark,
      horizon_drops: q.statHorizonDrops,
      horizon_caps: q.statHorizonCaps,
      timer_slack: q.timerSlack,
    };
  },
};

QDISC_OPS.fq = fqOps;
