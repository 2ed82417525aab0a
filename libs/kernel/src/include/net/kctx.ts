/**
 * The ports a kernel step is given. The runtime implements them: in one process (embedded) or over Kafka
 * and Redis (distributed). Steps read state and ask for changes only through these and through the state
 * objects they are handed; they never read the wall clock or Math.random.
 */
import type { SkBuff } from '../linux/skbuff';
import type { HopName } from './hops';
import type { Verdict } from './verdict';
import type { KernelFn } from './trace';
import type { Host } from './net_namespace';
import type { NetDevice } from '../linux/netdevice';

/** struct timer_list: fires `fn(ctx, arg)` at `expires` (ns of simulated time) on `cpu` of `host`. */
export interface KTimer<T = unknown> {
  fn: (ctx: KernelCtx, arg: T) => void;
  arg: T;
  expires: number;
  pending: boolean;
  host: Host;
  cpu: number;
  /** The runtime's handle (arming order). */
  seq: number;
  /** The runtime's: where the pending timer sits in its queue, so that removing it needs no search. */
  heapIndex?: number;
  /** add_timer_on: fires on `cpu` whatever CPU armed it (hardware events on the CPU their IRQ is bound to). */
  pinned?: boolean;
  /**
   * A packet is in flight until it fires (a frame on a wire, a NIC's DMA, netem holding it): on a real box
   * it lands while the user types the next command, so the shell lets such timers run before the prompt.
   */
  inflight?: boolean;
}

export interface KernelCtx {
  /** Simulated time in ns (ktime_get). */
  now(): number;
  /**
   * Record that `fn` ran for `skb`, with the state it consulted: raw values (`o` a reference or a fixed
   * text, `a`..`d` numbers) that `fn.fmt` renders when the trace is read. The runtime also charges the
   * step's cost to the simulated clock.
   */
  step(skb: SkBuff, fn: KernelFn, o?: unknown, a?: number, b?: number, c?: number, d?: number): void;
  /**
   * Hand an skb to a kernel function and let the runtime carry it until it is consumed, dropped or queued:
   * ip_do_fragment's output per fragment, arp_queue drains, the backlog's deliveries, new ICMP replies.
   */
  run(hop: HopName, skb: SkBuff): Verdict;
  /** dev_queue_xmit_nit / ptype_all: what tcpdump on `dev` sees (dir 'out' on transmit, 'in' on receive). */
  tap(dev: NetDevice, skb: SkBuff, dir: 'in' | 'out'): void;
  /** The task or context running now (pwru's PROCESS): the sender's comm, or ksoftirqd/N. */
  comm(): string;
  /** smp_processor_id(): the CPU the current code runs on. */
  cpu(): number;
  /** The skb's journey ends: freed with or without a drop reason, or read by its socket's owner. */
  free(skb: SkBuff): void;
  /** mod_timer / del_timer */
  modTimer<T>(t: KTimer<T>, expires: number): void;
  delTimer<T>(t: KTimer<T>): void;
  /** raise_softirq_irqoff(NET_RX_SOFTIRQ) on a CPU of a host: the runtime runs net_rx_action there. */
  raiseNetRx(host: Host, cpu: number): void;
  /** raise_softirq_irqoff(NET_TX_SOFTIRQ): the runtime runs net_tx_action there, before NET_RX. */
  raiseNetTx(host: Host, cpu: number): void;
  /** A fresh skb id, unique in the lab (pwru's SKB column). */
  newSkbId(): number;
  /** A seeded pseudo-random 32-bit value (prandom_u32). */
  random32(): number;
}
