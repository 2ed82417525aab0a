/**
 * The door: the one place where distributed mode meets the kernel. The kernel and the embedded runtime know
 * nothing of processes; a hop another service runs leaves through here (Lab.distribute's transport), and
 * what arrives from other services comes in through here (receive).
 *
 * One call needs more than a message. sch_direct_xmit calls the NIC driver's ndo_start_xmit under the TX
 * queue's lock and looks at what it returns, but the qdisc runs in the dev service and igb in the nic
 * service. The door turns that call into a request and its answer:
 * - In the qdisc's process the call is `pending`: the kernel keeps the TX lock (and so the qdisc) as a
 *   CPU inside the driver would, and what reaches the device meanwhile is held here, in arrival order:
 *   on one box the call returns before anything later runs (it takes no simulated time).
 * - In the driver's process, the HARD_TX_LOCK section runs where the queue's state is (a stopped queue
 *   or NETDEV_TX_BUSY turns the skb back) and the answer goes back with the queue's state:
 *   `__netif_schedule` (it runs), `netif_tx_stop_queue` (it stopped) or `dev_requeue_skb` (turned back).
 *   A queue the qdisc was told had stopped is woken by the same `__netif_schedule` when NET_TX is raised
 *   for it here.
 * - The answer sets the qdisc's copy of the queue's state and returns from the call
 *   (sch_direct_xmit_return); then what was held goes on, until one of them calls out again.
 */
import type { HopName as KernelHop, Host, NetDevice, NetdevQueue, SkBuff, Verdict } from '@skblab/kernel';
import {
  allocSkb,
  igb_down,
  netif_schedule_queue,
  netif_tx_locked,
  netif_xmit_stopped,
  noqueue_xmit_refused,
  pending,
  qdisc_reset,
  qdisc_totals,
  queued,
  sch_direct_xmit_return,
  igb_adapter,
} from '@skblab/kernel';
import type { HopTransport, Lab } from '@skblab/runtime';
import { DRIVER_ANSWERS, DRIVER_CALLS, type DriverAnswer } from '@skblab/contracts';

/** What travels between services: a kernel hop, or an answer to a driver call. */
export type DoorHop = KernelHop | DriverAnswer;

const ANSWERS: ReadonlySet<string> = new Set(DRIVER_ANSWERS);

/** What the door sends through: the transport's own send (Kafka) and who owns which host. */
export interface DoorWire {
  send(hop: DoorHop, skb: SkBuff, at?: number): void;
  owns(host: Host): boolean;
}

/** A transmit held for a device whose driver call is out, with its moment and context. */
type Held = [hop: KernelHop, skb: SkBuff, clock: number, comm: string, cpu: number];

/** The hop is the device's ndo_start_xmit, a call whose caller waits for its answer (DRIVER_CALLS). */
function isDriverCall(hop: string, dev: NetDevice): boolean {
  return hop === dev.ops.ndoStartXmit && DRIVER_CALLS.includes(hop);
}

export class Door implements HopTransport {
  /** In the qdisc's process: what reached each device while its driver call was out. */
  private readonly held = new Map<NetDevice, Held[]>();
  /** In the driver's process: the queues the qdisc's process was told had stopped. */
  private readonly toldStopped = new Set<NetdevQueue>();

  constructor(
    private readonly lab: Lab,
    private readonly wire: DoorWire,
    /** The hops this process runs. */
    private readonly local: ReadonlySet<string>,
  ) {}

  owns(host: Host): boolean {
    return this.wire.owns(host);
  }

  /** A hop out of this process (from the runtime's hop loop). */
  send(hop: KernelHop, skb: SkBuff, at?: number): Verdict {
    this.wire.send(hop, skb, at);
    // A qdisc's call into a NIC driver that another process runs: the caller waits for its return. (A
    // driver's replica passing a call on to the host's owner, or a device without a qdisc, waits for none.)
    const dev = skb.dev;
    if (dev && isDriverCall(hop, dev) && !this.local.has(hop) && txqOf(skb).qdisc.ops.enqueue)
      return pending(skb);
    return queued(skb, hop);
  }

  /** A message from another service, carried on here at the sender's moment and in its context. */
  receive(hop: DoorHop, skb: SkBuff, clock: number, comm: string, cpu: number): Verdict {
    const dev = skb.dev;
    if (isAnswer(hop)) {
      const v = this.lab.carryOn(skb, clock, comm, cpu, () => this.answered(hop, skb));
      if (dev) this.goOn(dev);
      return v;
    }
    if (hop === '__dev_queue_xmit' && dev && (inDriver(dev) || this.held.has(dev))) {
      const held = this.held.get(dev) ?? [];
      held.push([hop, skb, clock, comm, cpu]);
      this.held.set(dev, held);
      return queued(skb, 'waiting for the driver call');
    }
    // A NIC's ndo_start_xmit from the qdisc's process. (Not when the host is another replica's, as for a
    // moment at a hand-over: run() sends it there, and the answer is the owner's to give.)
    if (dev && isDriverCall(hop, dev) && this.wire.owns(skb.net.host))
      return this.lab.carryOn(skb, clock, comm, cpu, () => this.driverCall(hop, skb, txqOf(skb)));
    return this.lab.receive(hop, skb, clock, comm, cpu);
  }

  /** NET_TX raised here for a qdisc that runs in another process: the queue it was told stopped runs. */
  netTx(host: Host, cpu: number): void {
    if (!this.toldStopped.size) return;
    const sd = host.softnet[cpu];
    sd.outputQueue = sd.outputQueue.filter((q) => {
      let woke = false;
      for (const txq of q.dev.txqs)
        if (txq.qdisc === q && this.toldStopped.has(txq) && !netif_xmit_stopped(txq)) {
          this.toldStopped.delete(txq);
          this.answer(txq, '__netif_schedule');
          woke = true;
        }
      if (woke) q.scheduled = false;
      return !woke;
    });
  }

  /**
   * Another replica runs this host's hops now. What this process held for its NICs goes as at
   * dev_deactivate (qdisc_reset, igb_down: freed with a drop reason); a queue the qdisc was told had
   * stopped is woken (the ring that would have woken it is gone); transmits held here go to the host's
   * new owner, each at its own moment and in its own context. Returns how many skbs were freed.
   */
  release(host: Host): number {
    let freed = 0;
    for (const net of [host.initNet, ...host.namedNets.values()])
      for (const dev of net.devices) {
        const nic = igb_adapter(dev);
        if (!nic) continue;
        freed += qdisc_totals(dev.qdisc).qlen;
        for (const qv of nic.qVectors) freed += qv.txRing.tx.length + qv.rxRing.rx.length;
        qdisc_reset(this.lab, dev.qdisc);
        igb_down(this.lab, dev);
        for (const txq of dev.txqs) {
          if (this.toldStopped.delete(txq)) this.answer(txq, '__netif_schedule');
          txq.xmitLockOwner = -1;
        }
        for (const [hop, skb, clock, comm, cpu] of this.held.get(dev) ?? [])
          this.lab.inProcess(comm, () => this.wire.send(hop, skb, clock), cpu);
        this.held.delete(dev);
      }
    return freed;
  }

  /** The transmits held for `dev` go on, in order, until one of them calls out again. */
  private goOn(dev: NetDevice): void {
    const held = this.held.get(dev);
    while (held?.length && !inDriver(dev)) {
      const [hop, skb, clock, comm, cpu] = held.shift()!;
      this.lab.receive(hop, skb, clock, comm, cpu);
    }
    if (!held?.length) this.held.delete(dev);
  }

  /**
   * In the qdisc's process: the driver's process answered. The qdisc's copy of the queue takes the state
   * the answer carries, and the call returns.
   */
  private answered(hop: DriverAnswer, skb: SkBuff): Verdict {
    const txq = txqOf(skb);
    if (hop === '__netif_schedule') {
      txq.stopped = false;
      txq.stackXoff = false;
    } else txq.stopped = true;
    if (hop === 'dev_requeue_skb') {
      sch_direct_xmit_return(this.lab, txq, skb, true);
      return queued(skb, `${txq.qdisc.ops.id} gso_skb`);
    }
    // An empty skb naming the queue: the return of the call, or (a queue that had stopped) its wake.
    if (netif_tx_locked(txq)) sch_direct_xmit_return(this.lab, txq, skb, false);
    else if (txq.qdisc.ops.enqueue) netif_schedule_queue(this.lab, txq);
    return queued(skb, hop === '__netif_schedule' ? 'NET_TX' : 'stopped');
  }

  /**
   * In the driver's process: sch_direct_xmit's HARD_TX_LOCK section (is the queue stopped?), the driver,
   * and the answer with the queue's state.
   */
  private driverCall(hop: KernelHop, skb: SkBuff, txq: NetdevQueue): Verdict {
    if (netif_xmit_stopped(txq)) return this.refused(skb, txq);
    const v = this.lab.run(hop, skb);
    if (v.kind === 'busy') return this.refused(skb, txq);
    const stopped = netif_xmit_stopped(txq);
    if (stopped) this.toldStopped.add(txq);
    this.answer(txq, stopped ? 'netif_tx_stop_queue' : '__netif_schedule');
    return v;
  }

  /**
   * The driver's queue is stopped or the driver busy: back to the qdisc's process, which requeues it and
   * hears of the wake later. Without a qdisc (noqueue) nothing can hold it.
   */
  private refused(skb: SkBuff, txq: NetdevQueue): Verdict {
    if (!txq.qdisc.ops.enqueue) {
      // Not through run(): its kfree_skb (with the reason) is this verdict's to record.
      const v = noqueue_xmit_refused(this.lab, skb, txq.index);
      if (v.kind === 'drop') {
        skb.dropReason = v.reason;
        this.lab.free(skb);
      }
      return v;
    }
    this.toldStopped.add(txq);
    this.wire.send('dev_requeue_skb', skb);
    return queued(skb, 'dev_requeue_skb');
  }

  /** An empty skb naming the device and the queue, to the qdisc's process. */
  private answer(txq: NetdevQueue, hop: '__netif_schedule' | 'netif_tx_stop_queue'): void {
    const dev = txq.qdisc.dev;
    const a = allocSkb(this.lab.newSkbId(), dev.net, 0, 0);
    a.dev = dev;
    a.queueMapping = txq.index;
    this.wire.send(hop, a);
  }
}

function isAnswer(hop: DoorHop): hop is DriverAnswer {
  return ANSWERS.has(hop);
}

function txqOf(skb: SkBuff): NetdevQueue {
  const dev = skb.dev!;
  return dev.txqs[skb.queueMapping % dev.txqs.length];
}

/** Whether one of `dev`'s queues has a driver call out (its xmit lock held). */
function inDriver(dev: NetDevice): boolean {
  return dev.txqs.some(netif_tx_locked);
}
