/**
 * net/sched/sch_fq_codel.c and include/net/codel_impl.h: Fair Queuing with Controlled Delay. Each flow
 * (skb_get_hash onto 1024 buckets) has its own queue; deficit round robin serves new flows before old ones;
 * CoDel drops from a flow whose packets have waited longer than `target` for a whole `interval`, more often
 * the longer it lasts (interval / sqrt(count)). Past `limit` packets, half the fattest flow goes (up to
 * drop_batch). Our IPv4 traffic is not ECN-capable (ECT), so CoDel drops rather than marks.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import {
  NET_XMIT_CN,
  NET_XMIT_SUCCESS,
  TC_H_MAJ,
  TC_H_MIN,
  type Qdisc,
  type QdiscOps,
} from '../../include/net/sch_generic';
import { kfn } from '../../include/net/trace';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import { QDISC_OPS, qdisc_free, qdisc_pkt_len } from './sch_generic';
import { fmtTime } from './sch_netem';
import { reciprocal_scale, skb_get_hash } from '../core/flow_dissector';

interface Codel {
  count: number;
  lastcount: number;
  dropping: boolean;
  firstAboveTime: number;
  dropNext: number;
  ldelay: number;
}

interface Flow {
  queue: Array<{ skb: SkBuff; at: number }>;
  deficit: number;
  /** On new_flows, old_flows, or neither. */
  list: 'new' | 'old' | null;
  backlog: number;
  cvars: Codel;
}

interface FqCodelData {
  limit: number;
  flowsCnt: number;
  quantum: number;
  target: number;
  interval: number;
  ecn: boolean;
  dropBatch: number;
  memoryLimit: number;
  memoryUsage: number;
  flows: Flow[];
  newFlows: Flow[];
  oldFlows: Flow[];
  maxpacket: number;
  dropOverlimit: number;
  dropOvermemory: number;
  newFlowCount: number;
  ecnMark: number;
}

const F = {
  enqueue: kfn('fq_codel_enqueue', 'net/sched/sch_fq_codel.c', 'dev', (o) => String(o)),
  dequeue: kfn(
    'fq_codel_dequeue',
    'net/sched/sch_fq_codel.c',
    'dev',
    (_o, flow, sojourn) => `flow ${flow}, sojourn ${fmtTime(sojourn)}`,
  ),
  codelDrop: kfn(
    'codel_dequeue',
    'include/net/codel_impl.h',
    'dev',
    (_o, sojourn, count) => `sojourn ${fmtTime(sojourn)} above target for an interval: drop (count ${count})`,
  ),
};

/** SKB_TRUESIZE of a received or sent frame, as fq_codel's memory accounting sees it. */
function truesize(skb: SkBuff): number {
  return 768 + skb.buf.length;
}

function newCodel(): Codel {
  return { count: 0, lastcount: 0, dropping: false, firstAboveTime: 0, dropNext: 0, ldelay: 0 };
}

/** codel_should_drop (codel_impl.h): above target for an interval, while the qdisc holds more than an MTU. */
function shouldDrop(
  q: Qdisc,
  d: FqCodelData,
  flow: Flow,
  head: { skb: SkBuff; at: number } | undefined,
  now: number,
): boolean {
  const v = flow.cvars;
  if (!head) {
    v.firstAboveTime = 0;
    return false;
  }
  v.ldelay = now - head.at;
  if (qdisc_pkt_len(head.skb) > d.maxpacket) d.maxpacket = qdisc_pkt_len(head.skb);
  // *backlog is the qdisc's (sch->qstats.backlog), params->mtu is psched_mtu(dev): MTU + link header.
  if (v.ldelay < d.target || q.backlog <= q.dev.mtu + q.dev.hardHeaderLen) {
    v.firstAboveTime = 0;
    return false;
  }
  if (v.firstAboveTime === 0) {
    v.firstAboveTime = now + d.interval;
    return false;
  }
  return now >= v.firstAboveTime;
}

function controlLaw(t: number, interval: number, count: number): number {
  return t + Math.round(interval / Math.sqrt(Math.max(1, count)));
}

function dequeueHead(q: Qdisc, d: FqCodelData, flow: Flow): { skb: SkBuff; at: number } | undefined {
  const e = flow.queue.shift();
  if (e) {
    const len = qdisc_pkt_len(e.skb);
    flow.backlog -= len;
    d.memoryUsage -= truesize(e.skb);
    q.qlen--;
    q.backlog -= len;
  }
  return e;
}

/** codel_dequeue: the head of the flow, after the drops CoDel's state asks for. */
function codelDequeue(ctx: KernelCtx, q: Qdisc, d: FqCodelData, flow: Flow): SkBuff | null {
  const now = ctx.now();
  const v = flow.cvars;
  let e = dequeueHead(q, d, flow);
  if (!e) {
    v.dropping = false;
    return null;
  }
  const dropIt = (x: { skb: SkBuff; at: number }): void => {
    ctx.step(x.skb, F.codelDrop, null, now - x.at, v.count);
    q.stats.drops++;
    // drop_func: kfree_skb, no particular reason.
    qdisc_free(ctx, x.skb, SKB_DROP_REASON.NOT_SPECIFIED);
  };
  let drop = shouldDrop(q, d, flow, e, now);
  if (v.dropping) {
    if (!drop) v.dropping = false;
    else if (now >= v.dropNext) {
      while (v.dropping && now >= v.dropNext && e) {
        v.count++;
        dropIt(e);
        e = dequeueHead(q, d, flow);
        if (!shouldDrop(q, d, flow, e, now)) v.dropping = false;
        else v.dropNext = controlLaw(v.dropNext, d.interval, v.count);
      }
    }
  } else if (drop) {
    dropIt(e);
    e = dequeueHead(q, d, flow);
    drop = shouldDrop(q, d, flow, e, now);
    v.dropping = true;
    const delta = v.count - v.lastcount;
    v.count = delta > 1 && now - v.dropNext < 16 * d.interval ? delta : 1;
    v.lastcount = v.count;
    v.dropNext = controlLaw(now, d.interval, v.count);
  }
  if (!e) return null;
  ctx.step(e.skb, F.dequeue, null, d.flows.indexOf(flow), now - e.at);
  return e.skb;
}

/** fq_codel_drop: half the fattest flow's backlog, at most drop_batch packets. */
function fqCodelDrop(ctx: KernelCtx, q: Qdisc, d: FqCodelData): Flow {
  let fat = d.flows[0];
  for (const f of d.flows) if (f.backlog > fat.backlog) fat = f;
  const threshold = fat.backlog >> 1;
  let len = 0;
  let i = 0;
  do {
    const e = dequeueHead(q, d, fat);
    if (!e) break;
    len += qdisc_pkt_len(e.skb);
    q.stats.drops++;
    qdisc_free(ctx, e.skb);
  } while (++i < d.dropBatch && len < threshold);
  fat.cvars.count += i;
  return fat;
}

/**
 * fq_codel_classify (sch_fq_codel.c:76), without tc filters: an skb->priority of this qdisc's major and a
 * minor 1..flows picks that flow (so IP_TOS's priorities 1..15 do, under a default qdisc's handle 0:),
 * else the flow hash. 1-based, as the kernel's.
 */
function fq_codel_classify(skb: SkBuff, q: Qdisc, d: FqCodelData): number {
  const prio = skb.priority >>> 0;
  if (TC_H_MAJ(prio) === q.handle && TC_H_MIN(prio) > 0 && TC_H_MIN(prio) <= d.flowsCnt)
    return TC_H_MIN(prio);
  return reciprocal_scale(skb_get_hash(skb), d.flowsCnt) + 1;
}

export const fqCodelOps: QdiscOps = {
  id: 'fq_codel',
  enqueue(ctx, skb, q) {
    const d = q.priv as FqCodelData;
    const idx = fq_codel_classify(skb, q, d) - 1;
    const flow = d.flows[idx];
    const len = qdisc_pkt_len(skb);
    flow.queue.push({ skb, at: ctx.now() });
    flow.backlog += len;
    q.qlen++;
    q.backlog += len;
    if (!flow.list) {
      d.newFlows.push(flow);
      flow.list = 'new';
      d.newFlowCount++;
      flow.deficit = d.quantum;
    }
    d.memoryUsage += truesize(skb);
    const memoryLimited = d.memoryUsage > d.memoryLimit;
    if (q.qlen <= d.limit && !memoryLimited) {
      ctx.step(skb, F.enqueue, `flow ${idx}, qlen ${q.qlen}/${d.limit}`);
      return NET_XMIT_SUCCESS;
    }
    ctx.step(skb, F.enqueue, `flow ${idx}: over limit ${d.limit}, fq_codel_drop from the fattest flow`);
    const dropped = q.qlen;
    const fat = fqCodelDrop(ctx, q, d);
    d.dropOverlimit += dropped - q.qlen;
    if (memoryLimited) d.dropOvermemory += dropped - q.qlen;
    // Our own flow lost packets: tell the sender it is congested (NET_XMIT_CN).
    return fat === flow ? NET_XMIT_CN : NET_XMIT_SUCCESS;
  },
  dequeue(ctx, q) {
    const d = q.priv as FqCodelData;
    for (;;) {
      const list = d.newFlows.length ? d.newFlows : d.oldFlows;
      const flow = list[0];
      if (!flow) return null;
      if (flow.deficit <= 0) {
        flow.deficit += d.quantum;
        list.shift();
        d.oldFlows.push(flow);
        flow.list = 'old';
        continue;
      }
      const skb = codelDequeue(ctx, q, d, flow);
      if (!skb) {
        list.shift();
        // A new flow that emptied passes through old_flows once, against starvation.
        if (list === d.newFlows && d.oldFlows.length) {
          d.oldFlows.push(flow);
          flow.list = 'old';
        } else flow.list = null;
        continue;
      }
      flow.deficit -= qdisc_pkt_len(skb);
      return skb;
    }
  },
  init(q, opts, change) {
    const prev = change ? (q.priv as FqCodelData) : null;
    const o = (k: string, dflt: number): number => (typeof opts[k] === 'number' ? (opts[k] as number) : dflt);
    if (prev && typeof opts.flows === 'number' && opts.flows !== prev.flowsCnt)
      return 'flows cannot be changed';
    const flowsCnt = o('flows', prev?.flowsCnt ?? 1024);
    if (flowsCnt < 1 || flowsCnt > 65536) return 'invalid flows';
    const d: FqCodelData = prev ?? {
      limit: 10240,
      flowsCnt,
      quantum: q.dev.mtu + q.dev.hardHeaderLen,
      target: 5_000_000,
      interval: 100_000_000,
      ecn: true,
      dropBatch: 64,
      memoryLimit: 32 << 20,
      memoryUsage: 0,
      flows: Array.from({ length: flowsCnt }, () => ({
        queue: [],
        deficit: 0,
        list: null,
        backlog: 0,
        cvars: newCodel(),
      })),
      newFlows: [],
      oldFlows: [],
      maxpacket: 0,
      dropOverlimit: 0,
      dropOvermemory: 0,
      newFlowCount: 0,
      ecnMark: 0,
    };
    d.limit = o('limit', d.limit);
    d.quantum = o('quantum', d.quantum);
    d.target = o('target', d.target);
    d.interval = o('interval', d.interval);
    d.dropBatch = o('drop_batch', d.dropBatch);
    d.memoryLimit = o('memory_limit', d.memoryLimit);
    if (typeof opts.ecn === 'boolean') d.ecn = opts.ecn;
    if (d.limit < 1) return 'invalid limit';
    q.priv = d;
    return null;
  },
  reset(ctx, q) {
    const d = q.priv as FqCodelData;
    for (const f of d.flows) {
      for (const e of f.queue.splice(0)) qdisc_free(ctx, e.skb, SKB_DROP_REASON.NOT_SPECIFIED);
      f.backlog = 0;
      f.list = null;
      f.cvars = newCodel();
    }
    d.newFlows = [];
    d.oldFlows = [];
    d.memoryUsage = 0;
    q.qlen = 0;
    q.backlog = 0;
  },
  dump(q) {
    const d = q.priv as FqCodelData;
    return {
      limit: d.limit,
      flows: d.flowsCnt,
      quantum: d.quantum,
      target: d.target,
      interval: d.interval,
      memory_limit: d.memoryLimit,
      ecn: d.ecn,
      drop_batch: d.dropBatch,
    };
  },
  dumpStats(q) {
    const d = q.priv as FqCodelData;
    return {
      maxpacket: d.maxpacket,
      drop_overlimit: d.dropOverlimit,
      new_flow_count: d.newFlowCount,
      ecn_mark: d.ecnMark,
      new_flows_len: d.newFlows.length,
      old_flows_len: d.oldFlows.length,
      memory_used: d.memoryUsage,
      drop_overmemory: d.dropOvermemory,
    };
  },
};

QDISC_OPS.fq_codel = fqCodelOps;
