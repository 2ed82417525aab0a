/**
 * net/core/dev.c: the device subsystem. Transmit (__dev_queue_xmit → dev_hard_start_xmit → the driver's
 * ndo_start_xmit) and the per-CPU backlog receive path (__netif_rx → enqueue_to_backlog → NET_RX softirq →
 * net_rx_action → process_backlog → __netif_receive_skb → the protocol handler).
 */
import { __skb_tstamp_tx, skb_orphan_frags_rx } from './skbuff';
import { SKBTX_SCHED_TSTAMP } from '../../include/linux/skbuff';
import { SCM_TSTAMP_SCHED } from '../../include/linux/net_tstamp';
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import type { Host } from '../../include/net/net_namespace';
import type { LinkStats, NapiStruct, NetDevice, SoftnetData } from '../../include/linux/netdevice';
import { IFF_UP, inputQueueLen, netif_xmit_stopped } from '../../include/linux/netdevice';
import { SKB_DROP_REASON, type SkbDropReason } from '../../include/net/dropreason-core';
import { drop, next, queued, xmitDrop, type Verdict } from '../../include/net/verdict';
import { kfn } from '../../include/net/trace';
import { ETH_P_ARP, ETH_P_IP } from '@skblab/wire/ethernet';
import { __dev_xmit_skb } from '../sched/sch_generic';
import { reciprocal_scale, skb_get_hash } from './flow_dissector';
import { CHECKSUM_NONE, CHECKSUM_PARTIAL } from '../../include/linux/skbuff';
import * as ip from '@skblab/wire/ipv4';
import * as udp from '@skblab/wire/udp';
import * as tcp from '@skblab/wire/tcp';
import { gro_normal_list } from './gro';

const F = {
  devQueueXmit: kfn('__dev_queue_xmit', 'net/core/dev.c', 'dev', (d: NetDevice, txq) =>
    d.txqs.length > 1 || d.qdisc.ops.id !== 'noqueue'
      ? `netdev_core_pick_tx: txq ${txq}, qdisc ${d.txqs[txq]?.qdisc.ops.id ?? d.qdisc.ops.id}`
      : `qdisc ${d.qdisc.ops.id}`,
  ),
  devHardStartXmit: kfn(
    'dev_hard_start_xmit',
    'net/core/dev.c',
    'dev',
    (d: NetDevice) => `xmit_one → ${d.ops.ndoStartXmit}`,
  ),
  netifRx: kfn('__netif_rx', 'net/core/dev.c', 'softirq', (_o, cpu) => `cpu ${cpu}`),
  noqueueBusy: kfn(
    '__dev_queue_xmit',
    'net/core/dev.c',
    'dev',
    (d: NetDevice, txq) =>
      `noqueue on ${d.name}: txq ${txq} stopped or busy, "Virtual device asks to queue packet!": tx_dropped++`,
  ),
  enqueueToBacklog: kfn(
    'enqueue_to_backlog',
    'net/core/dev.c',
    'softirq',
    (_o, cpu, qlen, max) => `cpu ${cpu} input_pkt_queue ${qlen}/${max}${qlen > max ? ': full' : ''}`,
  ),
  netRxAction: kfn(
    'net_rx_action',
    'net/core/dev.c',
    'softirq',
    (_o, left, budget) => `budget ${left}/${budget}`,
  ),
  processBacklog: kfn(
    'process_backlog',
    'net/core/dev.c',
    'softirq',
    (_o, cpu, weight, pq, iq) => `cpu ${cpu} weight ${weight} process_queue ${pq} input_pkt_queue ${iq}`,
  ),
  netifReceiveSkb: kfn('__netif_receive_skb', 'net/core/dev.c', 'rx'),
  napiPoll: kfn(
    '__napi_poll',
    'net/core/dev.c',
    'softirq',
    (n: NapiStruct, weight) => `${n.name} poll, weight ${weight}`,
  ),
  listInternal: kfn(
    'netif_receive_skb_list_internal',
    'net/core/dev.c',
    'rx',
    (_o, n) => `a list of ${n} from GRO, no RPS`,
  ),
  listCore: kfn('__netif_receive_skb_list_core', 'net/core/dev.c', 'rx'),
  netifReceiveSkbCore: kfn('__netif_receive_skb_core', 'net/core/dev.c', 'rx', (_o, proto, list) =>
    proto === ETH_P_IP
      ? `ptype ETH_P_IP → ${list ? 'ip_list_rcv' : 'ip_rcv'}`
      : proto === ETH_P_ARP
        ? 'ptype ETH_P_ARP → arp_rcv'
        : `ptype 0x${proto.toString(16)}: no handler`,
  ),
};

/**
 * __dev_queue_xmit (dev.c:4494): netdev_core_pick_tx (skb_tx_hash over the TX queues), then the queue's
 * qdisc (__dev_xmit_skb); lo and veth have none (noqueue) and go straight to the driver.
 */
export function __dev_queue_xmit(ctx: KernelCtx, skb: SkBuff): Verdict {
  const dev = skb.dev!;
  const txq = dev.txqs.length > 1 ? reciprocal_scale(skb_get_hash(skb), dev.txqs.length) : 0;
  skb.queueMapping = txq;
  ctx.step(skb, F.devQueueXmit, dev, txq);
  // SO_TIMESTAMPING's SCM_TSTAMP_SCHED: the packet enters the scheduler.
  if (skb.txFlags & SKBTX_SCHED_TSTAMP) __skb_tstamp_tx(ctx, skb, skb.sk, SCM_TSTAMP_SCHED);
  if ((dev.flags & IFF_UP) === 0 || !dev.carrier) {
    // Down, or without carrier: linkwatch's dev_deactivate put noop_qdisc in place; noop_enqueue counts a
    // TX drop and returns NET_XMIT_CN, which the sender does not see as an error (sch_generic.c:669).
    dev.stats.txDropped++;
    return drop(skb, SKB_DROP_REASON.QDISC_DROP);
  }
  const q = dev.txqs[txq].qdisc;
  if (q.ops.enqueue) return __dev_xmit_skb(ctx, skb, q, dev.txqs[txq]);
  // A lockless-TX driver (lo, veth, tun) takes the skb and never answers busy: it is handed on.
  if (dev.lltx) return next('dev_hard_start_xmit', skb);
  // A NIC whose root was replaced by noqueue: no queue to hold what its ring refuses. A stopped queue or
  // NETDEV_TX_BUSY means "Virtual device asks to queue packet!": tx_dropped, the skb freed, -ENETDOWN.
  if (!netif_xmit_stopped(dev.txqs[txq])) {
    const v = ctx.run('dev_hard_start_xmit', skb);
    if (v.kind !== 'busy') return queued(skb, `${dev.name} driver`);
  }
  return noqueue_xmit_refused(ctx, skb, txq);
}

/** The end of __dev_queue_xmit without a qdisc when the driver's queue is stopped or busy: nothing holds it. */
export function noqueue_xmit_refused(ctx: KernelCtx, skb: SkBuff, txq: number): Verdict {
  const dev = skb.dev!;
  dev.stats.txDropped++;
  ctx.step(skb, F.noqueueBusy, dev, txq);
  return xmitDrop(skb, SKB_DROP_REASON.NOT_SPECIFIED);
}

/** dev_hard_start_xmit (dev.c:3715) → xmit_one: taps see the outgoing copy, then ndo_start_xmit. */
export function dev_hard_start_xmit(ctx: KernelCtx, skb: SkBuff): Verdict {
  const dev = skb.dev!;
  ctx.step(skb, F.devHardStartXmit, dev);
  ctx.tap(dev, skb, 'out');
  return next(dev.ops.ndoStartXmit, skb);
}

/**
 * __netif_rx (dev.c:5394) → netif_rx_internal → enqueue_to_backlog on the current CPU: the hop the drivers
 * (loopback_xmit, veth_xmit) hand the skb to, with what they count once it is queued in skb.txAccount.
 */
export function __netif_rx(ctx: KernelCtx, skb: SkBuff): Verdict {
  // netif_rx_internal: enqueue_to_backlog(skb, smp_processor_id()) without RPS.
  const cpu = ctx.cpu();
  skb.cpu = cpu;
  ctx.step(skb, F.netifRx, null, cpu);
  return enqueue_to_backlog(ctx, skb, cpu);
}

/**
 * enqueue_to_backlog (dev.c:5034): queue on the CPU's input_pkt_queue or drop past netdev_max_backlog. What
 * the transmitting driver counts depends on the answer (NET_RX_SUCCESS or NET_RX_DROP), so its accounting
 * rides on the skb (skb.txAccount) and is settled here.
 */
export function enqueue_to_backlog(ctx: KernelCtx, skb: SkBuff, cpu: number): Verdict {
  const host = skb.net.host;
  const sd = host.softnet[cpu];
  const qlen = inputQueueLen(sd);
  const max = host.core.netdevMaxBacklog;
  ctx.step(skb, F.enqueueToBacklog, null, cpu, qlen, max);
  if (skb.dev && (skb.dev.flags & IFF_UP) === 0) {
    // !netif_running: DEV_READY, counted as rx_dropped but not as a backlog drop (dev.c:5054).
    skb.dev.stats.rxDropped++;
    return netifRxDropped(skb, SKB_DROP_REASON.DEV_READY);
  }
  if (qlen > max) {
    sd.dropped++;
    if (skb.dev) skb.dev.stats.rxDropped++;
    return netifRxDropped(skb, SKB_DROP_REASON.CPU_BACKLOG);
  }
  sd.inputPktQueue.push(skb);
  if (!sd.backlogScheduled) {
    // napi_schedule_rps → ____napi_schedule: the backlog joins poll_list, NET_RX_SOFTIRQ is raised.
    sd.backlogScheduled = true;
    ____napi_schedule(ctx, host, sd, sd.backlog);
  }
  const acct = skb.txAccount;
  if (acct) {
    // NET_RX_SUCCESS back in the driver: dev_lstats_add (lo, without the Ethernet header) or
    // dev_sw_netstats_tx_add (veth, with it; the peer's RX reads this same counter).
    skb.txAccount = null;
    acct.dev.stats.txPackets++;
    acct.dev.stats.txBytes += acct.len;
  }
  return queued(skb, `cpu${cpu}/input_pkt_queue`);
}

/**
 * NET_RX_DROP back in the driver: lo counts nothing; veth counts its own tx_dropped and returns NET_XMIT_DROP
 * (veth.c:405), which the sender sees as -ENOBUFS.
 */
function netifRxDropped(skb: SkBuff, reason: SkbDropReason): Verdict {
  const acct = skb.txAccount;
  skb.txAccount = null;
  if (acct?.kind === 'veth') {
    acct.dev.stats.txDropped++;
    return xmitDrop(skb, reason);
  }
  return drop(skb, reason);
}

/** napi_schedule → ____napi_schedule (dev.c:4688): onto the CPU's poll_list, NET_RX_SOFTIRQ raised. */
export function napi_schedule(ctx: KernelCtx, napi: NapiStruct, cpu: number): void {
  if (napi.scheduled) return;
  const host = napi.dev!.net.host;
  napi.cpu = cpu;
  ____napi_schedule(ctx, host, host.softnet[cpu], napi);
}

function ____napi_schedule(ctx: KernelCtx, host: Host, sd: SoftnetData, napi: NapiStruct): void {
  napi.scheduled = true;
  sd.pollList.push(napi);
  if (!sd.netRxPending) {
    sd.netRxPending = true;
    ctx.raiseNetRx(host, sd.cpu);
  }
}

/** napi_complete_done (dev.c:6406): flush GRO's list, leave the poll_list (the driver unmasks its IRQ). */
export function napi_complete_done(ctx: KernelCtx, napi: NapiStruct, _work: number): boolean {
  gro_normal_list(ctx, napi);
  napi.scheduled = false;
  return true;
}

/** net_rx_action's step in a journey: the poll that took this skb, and the budget left then. */
export function trace_net_rx_action(ctx: KernelCtx, skb: SkBuff): void {
  ctx.step(skb, F.netRxAction, null, budgetLeft, skb.net.host.core.netdevBudget);
}

/** What is left of net_rx_action's budget while a poll runs (the trace shows it per skb). */
let budgetLeft = 0;

/**
 * net_rx_action (dev.c:7104): the NET_RX softirq. Polls each NAPI on the CPU's poll_list with its weight
 * (the backlog's is dev_weight, a driver's 64) until netdev_budget or netdev_budget_usecs runs out, which
 * counts a time_squeeze (dev.c:7143); a NAPI that used its whole weight goes to the back of the list, and
 * NET_RX is raised again while the list is not empty (ksoftirqd would take over on a real box).
 */
export function net_rx_action(ctx: KernelCtx, host: Host, cpu: number): void {
  const sd = host.softnet[cpu];
  sd.netRxPending = false;
  if (!sd.pollList.length) return;
  let budget = host.core.netdevBudget;
  const timeLimit = ctx.now() + host.core.netdevBudgetUsecs * 1000;
  let list = sd.pollList;
  sd.pollList = [];
  const repoll: NapiStruct[] = [];
  for (;;) {
    if (!list.length) {
      // ____napi_schedule may have refilled poll_list meanwhile (goto start).
      if (!repoll.length && sd.pollList.length) {
        list = sd.pollList;
        sd.pollList = [];
        continue;
      }
      break;
    }
    const n = list.shift()!;
    budget -= napi_poll(ctx, host, n, repoll, budget);
    if (budget <= 0 || ctx.now() > timeLimit) {
      sd.timeSqueeze++;
      break;
    }
  }
  // list_splice_tail_init(&sd->poll_list, &list); list_splice_tail(&repoll, &list); back on poll_list.
  if (list.length || repoll.length) sd.pollList = list.concat(sd.pollList, repoll);
  if (sd.pollList.length && !sd.netRxPending) {
    sd.netRxPending = true;
    ctx.raiseNetRx(host, cpu);
  }
}

/** napi_poll → __napi_poll (dev.c:6938): poll with the NAPI's weight; a full weight keeps it scheduled. */
function napi_poll(ctx: KernelCtx, host: Host, n: NapiStruct, repoll: NapiStruct[], budget: number): number {
  // The backlog's weight is dev_rx_weight (net.core.dev_weight); a driver's is what it registered (64).
  const weight = n.dev ? n.weight : host.core.devWeight;
  budgetLeft = budget;
  const work = n.poll(ctx, n, weight);
  if (work < weight || !n.scheduled) return work;
  // The whole weight used: flush GRO's list, and poll it again after the others.
  gro_normal_list(ctx, n);
  repoll.push(n);
  return work;
}

/**
 * process_backlog (dev.c:6279): the per-CPU backlog's NAPI poll, with weight dev_weight. Splices
 * input_pkt_queue onto process_queue and delivers each skb with __netif_receive_skb.
 */
export function process_backlog(ctx: KernelCtx, host: Host, sd: SoftnetData, quota: number): number {
  let work = 0;
  const limit = quota;
  for (;;) {
    while (sd.processQueue.length) {
      const skb = sd.processQueue.shift()!;
      // The softirq runs on this CPU (and in whatever task was current there).
      skb.cpu = sd.cpu;
      skb.comm = ctx.comm();
      ctx.step(skb, F.netRxAction, null, budgetLeft - work, host.core.netdevBudget);
      ctx.step(skb, F.processBacklog, null, sd.cpu, quota, sd.processQueue.length + 1, inputQueueLen(sd));
      ctx.run('__netif_receive_skb', skb);
      if (++work >= limit) return work;
    }
    if (inputQueueLen(sd) === 0) {
      // napi_complete: nothing left, the backlog leaves poll_list.
      sd.backlogScheduled = false;
      sd.backlog.scheduled = false;
      sd.inputPktQueue = [];
      sd.inputHead = 0;
      return work;
    }
    // skb_queue_splice_tail_init(&sd->input_pkt_queue, &sd->process_queue)
    for (let i = sd.inputHead; i < sd.inputPktQueue.length; i++) sd.processQueue.push(sd.inputPktQueue[i]);
    sd.inputPktQueue = [];
    sd.inputHead = 0;
  }
}

/**
 * netif_receive_skb_list_internal (dev.c:6056) → __netif_receive_skb_list → __netif_receive_skb_list_core:
 * GRO's list, each skb through __netif_receive_skb_core; IPv4 goes on as a list to ip_list_rcv. (The model
 * takes the skbs up one after the other; Linux runs each stage over the whole sublist.)
 */
export function netif_receive_skb_list_internal(ctx: KernelCtx, list: SkBuff[]): void {
  for (const skb of list) {
    ctx.step(skb, F.listInternal, null, list.length);
    ctx.step(skb, F.listCore);
    const v = __netif_receive_skb_core(ctx, skb, true);
    if (v.kind === 'next') ctx.run(v.hop, v.skb);
    else if (v.kind === 'drop') {
      skb.dropReason = v.reason;
      ctx.free(skb);
    }
  }
}

/** __netif_receive_skb (dev.c:5945) → __netif_receive_skb_one_core → __netif_receive_skb_core */
export function __netif_receive_skb(ctx: KernelCtx, skb: SkBuff): Verdict {
  ctx.step(skb, F.netifReceiveSkb);
  return __netif_receive_skb_core(ctx, skb);
}

/** __netif_receive_skb_core (dev.c:5639): count it, show it to taps, hand it to its ptype handler. */
export function __netif_receive_skb_core(ctx: KernelCtx, skb: SkBuff, list = false): Verdict {
  const sd = skb.net.host.softnet[skb.cpu];
  sd.processed++;
  const proto = skb.protocol;
  ctx.step(skb, F.netifReceiveSkbCore, null, proto, list ? 1 : 0);
  ctx.tap(skb.dev!, skb, 'in');
  // A handler takes it: frags must be orphaned, even if refcounted, if skb might loop to rx path (a
  // looped-back MSG_ZEROCOPY skb copies the user pages: SO_EE_CODE_ZEROCOPY_COPIED).
  if (proto === ETH_P_IP || proto === ETH_P_ARP) skb_orphan_frags_rx(skb);
  if (proto === ETH_P_IP) return next(list ? 'ip_list_rcv' : 'ip_rcv', skb);
  if (proto === ETH_P_ARP) return next('arp_rcv', skb);
  // dev.c:5822: no handler counts as rx_dropped.
  skb.dev!.stats.rxDropped++;
  return drop(skb, SKB_DROP_REASON.UNHANDLED_PROTO);
}

/**
 * skb_checksum_help (dev.c:3297): compute in software the transport checksum left to the device
 * (CHECKSUM_PARTIAL: UDP and TCP), before something changes the bytes it covers.
 */
export function skb_checksum_help(skb: SkBuff): void {
  if (skb.ipSummed !== CHECKSUM_PARTIAL) return;
  const nh = skb.networkHeader;
  const b = skb.buf;
  if (nh >= 0 && ip.protocol(b, nh) === 17 && !ip.isFragment(b, nh))
    udp.fillChecksum(b, nh + ip.headerLength(b, nh), ip.src(b, nh), ip.dst(b, nh), 'full');
  else if (nh >= 0 && ip.protocol(b, nh) === 6 && !ip.isFragment(b, nh)) {
    const th = nh + ip.headerLength(b, nh);
    tcp.fillChecksum(b, th, skb.data + skb.len - th, ip.src(b, nh), ip.dst(b, nh), 'full');
  }
  skb.ipSummed = CHECKSUM_NONE;
}

/**
 * dev_get_stats: what `ip -s link` and /proc/net/dev print: the driver's ndo_get_stats64 (lo counts both
 * directions, a veth's RX is its peer's TX, a NIC reads its rings and registers), else dev->stats.
 */
export function dev_get_stats(dev: NetDevice): LinkStats {
  return dev.ops.ndoGetStats64 ? dev.ops.ndoGetStats64(dev) : { ...dev.stats };
}
