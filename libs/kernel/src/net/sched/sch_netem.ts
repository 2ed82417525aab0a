/**
 * net/sched/sch_netem.c: the network emulator. Loss, duplication and corruption are decided at enqueue;
 * each skb then waits in a time-sorted queue (tfifo) until its time_to_send (now + delay ± jitter, or later
 * when a rate is set); reordering sends a chosen packet at once, ahead of the delayed ones. The watchdog
 * reschedules the qdisc when the head's time comes. Correlations and distribution tables are not modelled:
 * jitter is uniform, as netem's without a table.
 */
import type { KernelCtx } from '../../include/net/kctx';
import { skbCopy, CHECKSUM_PARTIAL, type SkBuff } from '../../include/linux/skbuff';
import { skb_checksum_help } from '../core/dev';
import {
  NET_XMIT_DROP,
  NET_XMIT_MASK,
  NET_XMIT_SUCCESS,
  __NET_XMIT_BYPASS,
  type QdiscOps,
} from '../../include/net/sch_generic';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import { kfn } from '../../include/net/trace';
import { QDISC_OPS, qdisc_free, qdisc_pkt_len, qdisc_watchdog_schedule_ns } from './sch_generic';

interface NetemData {
  limit: number;
  latency: number;
  jitter: number;
  /** Probabilities scaled to 0..2^32-1 like netem's, kept here as fractions 0..1. */
  loss: number;
  duplicate: number;
  corrupt: number;
  reorder: number;
  gap: number;
  counter: number;
  /** bits per second, 0 = unlimited */
  rate: number;
  /** tfifo: skbs with their time_to_send, sorted; reordered ones go to the head. */
  tfifo: Array<{ skb: SkBuff; t: number; at: number }>;
}

const F = {
  enqueue: kfn('netem_enqueue', 'net/sched/sch_netem.c', 'dev', (o) => String(o)),
  dequeue: kfn(
    'netem_dequeue',
    'net/sched/sch_netem.c',
    'dev',
    (_o, wait) => `time_to_send reached after ${fmtTime(wait)}`,
  ),
};

/** tc's time format (print_time64): 10ms, 1.5ms, 100us, 2s. */
export function fmtTime(ns: number): string {
  const us = ns / 1000;
  if (us >= 1e6) return `${trim(us / 1e6)}s`;
  if (us >= 1000) return `${trim(us / 1000)}ms`;
  return `${trim(us)}us`;
}

function trim(v: number): string {
  return Number(v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)).toString();
}

/** A uniform draw in [0, 1) from the lab's generator (get_random_u32 / 2^32). */
function rnd(ctx: KernelCtx): number {
  return (ctx.random32() >>> 0) / 0x100000000;
}

/** tabledist without a table: mu ± sigma, uniformly. */
function tabledist(ctx: KernelCtx, mu: number, sigma: number): number {
  if (sigma === 0) return mu;
  const r = ctx.random32() >>> 0;
  return Math.max(0, (r % (2 * sigma)) + mu - sigma);
}

/** tc_depth: a duplicate is not duplicated again. */
let dupDepth = 0;

export const netemOps: QdiscOps = {
  id: 'netem',
  enqueue(ctx, skb, q) {
    const d = q.priv as NetemData;
    let count = 1;
    const why: string[] = [];
    if (d.duplicate && dupDepth === 0 && rnd(ctx) < d.duplicate) {
      count++;
      why.push('duplicate');
    }
    if (d.loss && rnd(ctx) < d.loss) {
      count--;
      why.push('loss');
    }
    if (count === 0) {
      // The sender is told NET_XMIT_SUCCESS | __NET_XMIT_BYPASS: a lost packet is not an error.
      q.stats.drops++;
      ctx.step(skb, F.enqueue, `loss ${d.loss * 100}%: dropped++`);
      skb.dropReason = SKB_DROP_REASON.QDISC_DROP;
      return NET_XMIT_SUCCESS | __NET_XMIT_BYPASS;
    }
    if (d.corrupt && rnd(ctx) < d.corrupt) {
      // skb_checksum_help first: a checksum left to the NIC would be computed over the corrupted bytes.
      if (skb.ipSummed === CHECKSUM_PARTIAL) skb_checksum_help(skb);
      // One random bit of the linear data (from the Ethernet header on).
      const i = skb.data + ((ctx.random32() >>> 0) % skb.len);
      skb.buf[i] ^= 1 << (ctx.random32() >>> 0) % 8;
      why.push(`corrupt byte ${i - skb.data}`);
    }
    if (q.qlen >= d.limit) {
      q.stats.drops++;
      ctx.step(skb, F.enqueue, `limit ${d.limit} reached: dropped++`);
      skb.dropReason = SKB_DROP_REASON.QDISC_DROP;
      return NET_XMIT_DROP;
    }
    if (count > 1) {
      // The copy re-enters the qdisc from the top and is never duplicated again (tc_depth).
      dupDepth++;
      try {
        const dup = skbCopy(ctx.newSkbId(), skb);
        const rc = netemOps.enqueue!(ctx, dup, q);
        // A copy the qdisc refused or lost is freed (to_free), with what was counted for it.
        if (rc & __NET_XMIT_BYPASS || (rc & NET_XMIT_MASK) === NET_XMIT_DROP) qdisc_free(ctx, dup);
      } finally {
        dupDepth--;
      }
    }
    q.qlen++;
    q.backlog += qdisc_pkt_len(skb);
    const now = ctx.now();
    if (d.gap === 0 || d.counter < d.gap - 1 || rnd(ctx) >= d.reorder) {
      let delay = tabledist(ctx, d.latency, d.jitter);
      let from = now;
      if (d.rate) {
        // The last packet queued is the reference: this one leaves after it, by its own transmit time
        // (netem_enqueue: delay -= last->time_to_send - now; now = last->time_to_send).
        const last = d.tfifo.length ? Math.max(...d.tfifo.map((e) => e.t)) : -1;
        if (last >= 0) {
          delay = Math.max(0, delay - (last - now));
          from = last;
        }
        delay += Math.round((qdisc_pkt_len(skb) * 8 * 1e9) / d.rate);
      }
      const t = from + delay;
      d.counter++;
      // tfifo_enqueue: sorted by time_to_send, ties after earlier arrivals.
      let i = d.tfifo.length;
      while (i > 0 && d.tfifo[i - 1].t > t) i--;
      d.tfifo.splice(i, 0, { skb, t, at: now });
      ctx.step(skb, F.enqueue, `${why.length ? why.join(', ') + '; ' : ''}time_to_send +${fmtTime(t - now)}`);
    } else {
      // Reordering: this one goes now, ahead of the delayed ones (__qdisc_enqueue_head, requeues++).
      d.counter = 0;
      q.stats.requeues++;
      d.tfifo.unshift({ skb, t: now, at: now });
      ctx.step(skb, F.enqueue, `${why.length ? why.join(', ') + '; ' : ''}reorder: sent ahead of the queue`);
    }
    return NET_XMIT_SUCCESS;
  },
  dequeue(ctx, q) {
    const d = q.priv as NetemData;
    const head = d.tfifo[0];
    if (!head) return null;
    const now = ctx.now();
    if (head.t > now) {
      qdisc_watchdog_schedule_ns(ctx, q, head.t);
      return null;
    }
    d.tfifo.shift();
    q.qlen--;
    q.backlog -= qdisc_pkt_len(head.skb);
    ctx.step(head.skb, F.dequeue, null, now - head.at);
    return head.skb;
  },
  init(q, opts, change) {
    const o = (k: string, dflt: number): number => (typeof opts[k] === 'number' ? (opts[k] as number) : dflt);
    const prev = (change ? q.priv : null) as NetemData | null;
    const d: NetemData = {
      limit: o('limit', prev?.limit ?? 1000),
      latency: o('delay', 0),
      jitter: o('jitter', 0),
      loss: o('loss', 0) / 100,
      duplicate: o('duplicate', 0) / 100,
      corrupt: o('corrupt', 0) / 100,
      reorder: o('reorder', 0) / 100,
      gap: o('gap', 0),
      counter: 0,
      rate: o('rate', 0),
      tfifo: prev?.tfifo ?? [],
    };
    if (d.reorder && !d.latency) return 'reordering not possible without specifying some delay';
    if (d.reorder && !d.gap) d.gap = 1;
    q.priv = d;
    return null;
  },
  reset(ctx, q) {
    const d = q.priv as NetemData;
    for (const { skb } of d.tfifo.splice(0)) qdisc_free(ctx, skb, SKB_DROP_REASON.NOT_SPECIFIED);
    q.qlen = 0;
    q.backlog = 0;
    if (q.watchdog) ctx.delTimer(q.watchdog);
  },
  dump(q) {
    const d = q.priv as NetemData;
    // struct tc_netem_qopt and its attributes: percentages as numbers, times in ns, the rate in bit/s.
    return {
      limit: d.limit,
      delay: d.latency,
      jitter: d.jitter,
      loss: d.loss * 100,
      duplicate: d.duplicate * 100,
      reorder: d.reorder * 100,
      corrupt: d.corrupt * 100,
      rate: d.rate,
      gap: d.gap,
    };
  },
};

QDISC_OPS.netem = netemOps;
