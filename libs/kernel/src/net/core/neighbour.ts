/**
 * net/core/neighbour.c: the neighbour state machine (NUD_*), the queue of packets waiting for resolution
 * (arp_queue), its timers and retries, and the output functions: ip_finish_output2 hands each skb to the
 * neigh_output hop, which finds (or creates) the next hop's neighbour from the skb's route.
 */
import type { KernelCtx, KTimer } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { skbTruesize } from '../../include/linux/skbuff';
import type { Net } from '../../include/net/net_namespace';
import { IFF_LOOPBACK, IFF_POINTOPOINT, type NetDevice } from '../../include/linux/netdevice';
import {
  NUD_CONNECTED,
  NUD_DELAY,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_IN_TIMER,
  NUD_NAMES,
  NUD_NONE,
  NUD_NOARP,
  NUD_PERMANENT,
  NUD_PROBE,
  NUD_REACHABLE,
  NUD_STALE,
  NUD_VALID,
  type Neighbour,
} from '../../include/net/neighbour';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import { kfn } from '../../include/net/trace';
import { drop, next, queued, type Verdict } from '../../include/net/verdict';
import { ETH_P_IP } from '@skblab/wire/ethernet';
import { ipv4ToString } from '@skblab/wire/address';
import * as ip from '@skblab/wire/ipv4';
import { formatMac } from '@skblab/wire/mac';
import { eth_header } from '../ethernet/eth';
import { arp_constructor, arp_error_report, arp_solicit } from '../ipv4/arp';

const F = {
  neighOutput: kfn('neigh_output', 'include/net/neighbour.h', 'neigh', (n: Neighbour, st) =>
    neighDescribe(n, st),
  ),
  neighHhOutput: kfn(
    'neigh_hh_output',
    'include/net/neighbour.h',
    'neigh',
    (n: Neighbour) => `cached header to ${formatMac(n.ha)}`,
  ),
  neighResolveOutput: kfn('neigh_resolve_output', 'net/core/neighbour.c', 'neigh', (n: Neighbour, st) =>
    neighDescribe(n, st),
  ),
  neighEventSend: kfn('__neigh_event_send', 'net/core/neighbour.c', 'neigh'),
  neighUpdate: kfn('__neigh_update', 'net/core/neighbour.c', 'neigh'),
  neighInvalidate: kfn('neigh_invalidate', 'net/core/neighbour.c', 'neigh'),
};

const HZ100 = 10_000_000; // HZ/100 in ns

function key(dev: NetDevice, ip: number): string {
  return `${dev.ifindex}:${ip}`;
}

/** "10.0.0.2 REACHABLE lladdr ..." for traces; `state` is the NUD state when the step ran. */
export function neighDescribe(n: Neighbour, state = n.nudState): string {
  return `${ipv4ToString(n.key)} ${NUD_NAMES[state] ?? state}${state & NUD_VALID ? ' lladdr ' + formatMac(n.ha) : ''}`;
}

/** __ipv4_neigh_lookup_noref */
export function neigh_lookup(net: Net, dev: NetDevice, ip: number): Neighbour | undefined {
  return net.arpTbl.get(key(dev, ip));
}

/** neigh_rand_reach_time: uniformly in [base/2, 3*base/2). */
export function neigh_rand_reach_time(ctx: KernelCtx, base: number): number {
  return base / 2 + Math.floor(((ctx.random32() >>> 0) / 0x100000000) * base);
}

/** __neigh_create(&arp_tbl, ...) → arp_constructor */
export function __neigh_create(ctx: KernelCtx, net: Net, dev: NetDevice, ip: number): Neighbour {
  const now = ctx.now();
  const n: Neighbour = {
    key: ip,
    dev,
    ha: new Uint8Array(6),
    nudState: NUD_NONE,
    updated: now,
    confirmed: now - net.arpParms.baseReachableTime * 2,
    used: now,
    probes: 0,
    arpQueue: [],
    arpQueueLen: 0,
    timer: null as unknown as KTimer<Neighbour>,
    reachableTime: neigh_rand_reach_time(ctx, net.arpParms.baseReachableTime),
    dead: false,
    probeSaddr: 0,
    hhCached: false,
  };
  n.timer = { fn: neigh_timer_handler, arg: n, expires: 0, pending: false, host: net.host, cpu: 0, seq: 0 };
  arp_constructor(n);
  net.arpTbl.set(key(dev, ip), n);
  net.arpStats.allocs++;
  return n;
}

/**
 * The key of the next hop's neighbour for an skb with a route (ip_finish_output2 → rt_nexthop): the
 * gateway, or the destination itself; every destination on a loopback or point-to-point device maps to one
 * entry keyed 0 (__ipv4_neigh_lookup_noref).
 */
export function ip_neigh_nexthop(skb: SkBuff): number {
  const rt = skb.dst!;
  return rt.dev.flags & (IFF_LOOPBACK | IFF_POINTOPOINT) ? 0 : rt.gw || ip.dst(skb.buf, skb.networkHeader);
}

/** ip_neigh_for_gw → __ipv4_neigh_lookup_noref, or __neigh_create on a miss. */
export function ip_neigh_for_gw(ctx: KernelCtx, net: Net, dev: NetDevice, nexthop: number): Neighbour {
  net.arpStats.lookups++;
  const n = neigh_lookup(net, dev, nexthop);
  if (n) {
    net.arpStats.hits++;
    return n;
  }
  return __neigh_create(ctx, net, dev, nexthop);
}

/**
 * neigh_output (neighbour.h:534), the hop ip_finish_output2 hands each skb to: the neighbour of the next hop
 * (ip_neigh_for_gw, found or created from skb_dst), then its cached header when connected, else n->output.
 */
export function neigh_output(ctx: KernelCtx, skb: SkBuff): Verdict {
  const n = ip_neigh_for_gw(ctx, skb.net, skb.dst!.dev, ip_neigh_nexthop(skb));
  ctx.step(skb, F.neighOutput, n, n.nudState);
  if (n.nudState & NUD_CONNECTED && n.hhCached) return neigh_hh_output(ctx, n, skb);
  return neigh_resolve_output(ctx, n, skb);
}

/** neigh_hh_output (neighbour.h:494): copy the cached Ethernet header. */
export function neigh_hh_output(ctx: KernelCtx, n: Neighbour, skb: SkBuff): Verdict {
  // dev_hard_header: a device without header_ops (tun) gets no link header.
  if (n.dev.hardHeaderLen) eth_header(skb, n.dev, ETH_P_IP, n.ha);
  ctx.step(skb, F.neighHhOutput, n);
  return next('__dev_queue_xmit', skb);
}

/** neigh_resolve_output (neighbour.c:1550): resolve first (maybe queueing the skb), then build the header. */
export function neigh_resolve_output(ctx: KernelCtx, n: Neighbour, skb: SkBuff): Verdict {
  ctx.step(skb, F.neighResolveOutput, n, n.nudState);
  const v = __neigh_event_send(ctx, n, skb);
  if (v) return v;
  // neigh_hh_init + dev_hard_header
  n.hhCached = true;
  if (n.dev.hardHeaderLen) eth_header(skb, n.dev, ETH_P_IP, n.ha);
  return next('__dev_queue_xmit', skb);
}

/**
 * __neigh_event_send (neighbour.c:1178): returns null when the skb may go now, or the verdict that keeps
 * it (queued on arp_queue while INCOMPLETE) or frees it.
 */
export function __neigh_event_send(ctx: KernelCtx, n: Neighbour, skb: SkBuff | null): Verdict | null {
  const now = ctx.now();
  const parms = n.dev.net.arpParms;
  n.used = now;
  if (n.nudState & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE)) return null;
  if (n.dead) return skb ? drop(skb, SKB_DROP_REASON.NEIGH_DEAD) : null;
  let immediateProbe = false;
  const before = NUD_NAMES[n.nudState];
  if (!(n.nudState & (NUD_STALE | NUD_INCOMPLETE))) {
    if (parms.mcastProbes + parms.appProbes) {
      n.probes = parms.ucastProbes;
      ctx.delTimer(n.timer);
      n.nudState = NUD_INCOMPLETE;
      n.updated = now;
      immediateProbe = true;
      n.probeSaddr = skb ? ip.src(skb.buf, skb.networkHeader) : 0;
      ctx.modTimer(n.timer, now + Math.max(parms.retransTime, HZ100));
    } else {
      n.nudState = NUD_FAILED;
      n.updated = now;
      if (skb) return drop(skb, SKB_DROP_REASON.NEIGH_FAILED);
      return null;
    }
  } else if (n.nudState & NUD_STALE) {
    ctx.delTimer(n.timer);
    n.nudState = NUD_DELAY;
    n.updated = now;
    ctx.modTimer(n.timer, now + parms.delayProbeTime);
  }
  let v: Verdict | null = null;
  if (n.nudState === NUD_INCOMPLETE) {
    if (skb) {
      const truesize = skbTruesize(skb);
      while (n.arpQueueLen + truesize > parms.unresQlenBytes && n.arpQueue.length) {
        const old = n.arpQueue.shift()!;
        n.arpQueueLen -= skbTruesize(old);
        n.dev.net.arpStats.unresDiscards++;
        old.dropReason = SKB_DROP_REASON.NEIGH_QUEUEFULL;
        ctx.free(old);
      }
      n.arpQueue.push(skb);
      n.arpQueueLen += truesize;
      ctx.step(
        skb,
        F.neighEventSend,
        `${ipv4ToString(n.key)} ${before} → INCOMPLETE, queued on arp_queue (${n.arpQueue.length} skbs, ${n.arpQueueLen} bytes)`,
      );
      v = queued(skb, `arp_queue ${ipv4ToString(n.key)}`);
    } else v = null;
  } else if (skb) {
    ctx.step(skb, F.neighEventSend, `${ipv4ToString(n.key)} ${before} → ${NUD_NAMES[n.nudState]}`);
  }
  if (immediateProbe) neigh_probe(ctx, n);
  return v ?? (n.nudState === NUD_INCOMPLETE ? queued(skb!, 'arp_queue') : null);
}

/** neigh_probe: one more solicitation (arp_solicit), counting the probe. */
export function neigh_probe(ctx: KernelCtx, n: Neighbour): void {
  const skb = n.arpQueue.length ? n.arpQueue[n.arpQueue.length - 1] : null;
  arp_solicit(ctx, n, skb);
  n.probes++;
}

function neighMaxProbes(n: Neighbour): number {
  const p = n.dev.net.arpParms;
  return p.ucastProbes + p.appProbes + (n.nudState & NUD_PROBE ? p.mcastReprobes : p.mcastProbes);
}

/** neigh_timer_handler (neighbour.c): REACHABLE → DELAY/STALE, DELAY → REACHABLE/PROBE, retries, FAILED. */
export function neigh_timer_handler(ctx: KernelCtx, n: Neighbour): void {
  const now = ctx.now();
  const parms = n.dev.net.arpParms;
  const state = n.nudState;
  let nextT = now + 1_000_000_000;
  if (!(state & NUD_IN_TIMER)) return;
  if (state & NUD_REACHABLE) {
    if (now <= n.confirmed + n.reachableTime) nextT = n.confirmed + n.reachableTime;
    else if (now <= n.used + parms.delayProbeTime) {
      n.nudState = NUD_DELAY;
      n.updated = now;
      nextT = now + parms.delayProbeTime;
    } else {
      n.nudState = NUD_STALE;
      n.updated = now;
    }
  } else if (state & NUD_DELAY) {
    if (now <= n.confirmed + parms.delayProbeTime) {
      n.nudState = NUD_REACHABLE;
      n.updated = now;
      nextT = n.confirmed + n.reachableTime;
    } else {
      n.nudState = NUD_PROBE;
      n.updated = now;
      n.probes = 0;
      nextT = now + Math.max(parms.retransTime, HZ100);
    }
  } else {
    nextT = now + Math.max(parms.retransTime, HZ100);
  }
  if (n.nudState & (NUD_INCOMPLETE | NUD_PROBE) && n.probes >= neighMaxProbes(n)) {
    n.nudState = NUD_FAILED;
    n.updated = now;
    neigh_invalidate(ctx, n);
    return;
  }
  if (n.nudState & NUD_IN_TIMER) {
    if (nextT < now + HZ100) nextT = now + HZ100;
    ctx.modTimer(n.timer, nextT);
  }
  if (n.nudState & (NUD_INCOMPLETE | NUD_PROBE)) neigh_probe(ctx, n);
}

/** neigh_invalidate: resolution failed; every queued skb gets error_report (ICMP host unreachable). */
export function neigh_invalidate(ctx: KernelCtx, n: Neighbour): void {
  const q = n.arpQueue;
  n.arpQueue = [];
  n.arpQueueLen = 0;
  for (const skb of q) {
    ctx.step(skb, F.neighInvalidate, `${ipv4ToString(n.key)} FAILED after ${n.probes} probes`);
    arp_error_report(ctx, n, skb);
    skb.dropReason = SKB_DROP_REASON.NEIGH_FAILED;
    ctx.free(skb);
  }
}

/**
 * __neigh_update (neighbour.c): a new link-layer address or state from ARP. Becoming valid drains
 * arp_queue through n->output, so the held packets leave from the softirq that received the reply.
 */
export function __neigh_update(
  ctx: KernelCtx,
  n: Neighbour,
  lladdr: Uint8Array | null,
  newState: number,
  override: boolean,
  admin = false,
): void {
  const now = ctx.now();
  const old = n.nudState;
  const parms = n.dev.net.arpParms;
  if (n.dead) return;
  // Only an administrator (ip neigh) may change a NOARP or PERMANENT entry (neighbour.c:1327).
  if (!admin && old & (NUD_NOARP | NUD_PERMANENT)) return;
  if (!(newState & NUD_VALID)) {
    ctx.delTimer(n.timer);
    n.nudState = newState;
    if (old & (NUD_INCOMPLETE | NUD_PROBE) && newState & NUD_FAILED) neigh_invalidate(ctx, n);
    return;
  }
  // Compare the proposed address with the cached one.
  let addr: Uint8Array;
  if (lladdr) addr = old & NUD_VALID && n.ha.every((b, i) => b === lladdr[i]) ? n.ha : lladdr;
  else {
    if (!(old & NUD_VALID)) return;
    addr = n.ha;
  }
  if (newState & NUD_CONNECTED) n.confirmed = now;
  if (old & NUD_VALID) {
    // A different address without OVERRIDE is ignored; the same address never makes an entry STALE.
    if (addr !== n.ha && !override) return;
    if (addr === n.ha && newState === NUD_STALE && !admin) newState = old;
  }
  if (newState !== old || addr !== n.ha) n.updated = now;
  if (newState !== old) {
    ctx.delTimer(n.timer);
    if (newState & NUD_PROBE) n.probes = 0;
    if (newState & NUD_IN_TIMER)
      ctx.modTimer(n.timer, now + (newState & NUD_REACHABLE ? n.reachableTime : 0));
    n.nudState = newState;
  }
  if (addr !== n.ha) {
    n.ha = addr.slice();
    n.hhCached = false;
    if (!(newState & NUD_CONNECTED)) n.confirmed = now - parms.baseReachableTime * 2;
  }
  if (newState === old) return;
  if (!(old & NUD_VALID) && newState & NUD_VALID) {
    const q = n.arpQueue;
    n.arpQueue = [];
    n.arpQueueLen = 0;
    for (const skb of q) {
      ctx.step(
        skb,
        F.neighUpdate,
        `${ipv4ToString(n.key)} ${NUD_NAMES[old]} → ${NUD_NAMES[n.nudState]} lladdr ${formatMac(n.ha)}, arp_queue drained`,
      );
      skb.comm = ctx.comm();
      ctx.run('neigh_resolve_output_queued', skb);
    }
  }
}

/**
 * The arp_queue drain: n1->output(n1, skb) for each held skb (neighbour.c:1447-1476), straight to
 * neigh_resolve_output (not through neigh_output: the kernel calls n->output, and the entry is not created
 * again if it went meanwhile).
 */
export function neigh_resolve_output_queued(ctx: KernelCtx, skb: SkBuff): Verdict {
  const n = neigh_lookup(skb.net, skb.dst!.dev, ip_neigh_nexthop(skb));
  if (!n) return drop(skb, SKB_DROP_REASON.NEIGH_DEAD);
  return neigh_resolve_output(ctx, n, skb);
}

/** neigh_flush_dev / neigh_ifdown: the device went down or away; its entries and queues go. */
export function neigh_ifdown(ctx: KernelCtx, net: Net, dev: NetDevice): void {
  for (const [k, n] of net.arpTbl) {
    if (n.dev !== dev) continue;
    ctx.delTimer(n.timer);
    for (const skb of n.arpQueue) {
      skb.dropReason = SKB_DROP_REASON.NEIGH_DEAD;
      ctx.free(skb);
    }
    n.arpQueue = [];
    n.dead = true;
    net.arpTbl.delete(k);
    net.arpStats.destroys++;
  }
}
