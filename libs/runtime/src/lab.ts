/**
 * The embedded runtime: one process holds every simulated host. It implements the ports a kernel step is
 * given (KernelCtx): it moves skbs from step to step through the hop table, keeps the simulated clock and
 * timers, runs the NET_RX softirq where Linux would (at local_bh_enable after a transmit, or after a timer),
 * and records every skb's journey.
 */
import {
  HOPS,
  KERNEL_FNS,
  kfn,
  net_rx_action,
  net_tx_action,
  new_host,
  dev_open,
  config_op_apply,
  EINVAL,
  ENODEV,
  type ConfigOp,
  type RtnlResult,
  type HopName,
  type Host,
  type KernelCtx,
  type KernelFn,
  type KTimer,
  type Net,
  type NetDevice,
  type SkBuff,
  type TraceStep,
  type Verdict,
} from '@skblab/kernel';
import { TimerQueue, Rng } from './timers';
import { TraceRing, type ExportedStep } from './trace-ring';

/**
 * Distributed mode's door: where a hop that another service runs leaves this process. The kernel code
 * stays synchronous: the door sends when the work under way is done, and says what the caller sees
 * meanwhile (queued; or pending, for a call whose return the caller waits for).
 */
export interface HopTransport {
  /** `at`: the moment it leaves (default: when the work that sends it is over). */
  send(hop: HopName, skb: SkBuff, at?: number): Verdict;
  /**
   * Whether this process runs the hops of `host`: with several replicas of a service, each owns the hosts
   * of its Kafka partitions (their rings, queues and timers), and another host's work goes to its owner.
   */
  owns(host: Host): boolean;
  /** NET_TX is about to run on `host`'s `cpu`: the door takes the qdiscs that run in another process. */
  netTx?(host: Host, cpu: number): void;
}

export type TraceLevel = 'off' | 'journeys';

export interface LabOptions {
  seed?: number;
  /** Simulated CPU time each kernel step costs (ns): what makes ping's RTT non-zero. */
  stepCostNs?: number;
  traceLevel?: TraceLevel;
  /** How many of the latest skbs keep their journey. */
  journeyCapacity?: number;
  /** How many steps the trace ring keeps. */
  traceCapacity?: number;
}

const KFREE = kfn('kfree_skb_reason', 'net/core/skbuff.c', 'dev');
const CONSUME = kfn('consume_skb', 'net/core/skbuff.c', 'dev');
const KERNEL_FN_BY_NAME = new Map<string, KernelFn>();

/**
 * A configuration request that succeeded on a host, with what it ran from: the random state (a veth's
 * MAC addresses are drawn from it), the task and the CPU. Applied in another view of the lab (Lab.replay),
 * it does the same there.
 */
export interface ConfigRecord {
  host: string;
  rng: number;
  comm: string;
  cpu: number;
  op: ConfigOp;
}

export type TapFn = (dev: NetDevice, skb: SkBuff, dir: 'in' | 'out', t: number) => void;

export class Lab implements KernelCtx {
  readonly hosts = new Map<string, Host>();
  clock = 0;
  readonly timers = new TimerQueue();
  readonly rng: Rng;
  readonly stepCostNs: number;
  traceLevel: TraceLevel;
  readonly journeyCapacity: number;
  /** The latest skbs, oldest first, each with its journey (skb.trace). */
  journeys: SkBuff[] = [];
  /** Every step of every skb, latest first out (the embedded trace sink). */
  readonly trace: TraceRing;
  private lastSeq = 0;
  /** skb ids handed out so far (distributed mode: a batch that made new skbs is journaled). */
  skbIds = 0;
  /** Distributed mode: ids from this process start here, so ids stay unique across services. */
  skbIdBase = 0;
  /** Distributed mode: the hops this process runs (null: all of them, the embedded lab). */
  private local: Record<string, boolean> | null = null;
  private transport: HopTransport | null = null;
  /** Journeys begun; each traced skb keeps its number in skb.traced (skbtrace shows those since it last ran). */
  private journeysBegun = 0;
  private pending: Array<[Host, number, boolean]> = [];
  private inSoftirq = false;
  private currentComm = 'swapper/0';
  private currentCpu = 0;
  readonly taps = new Set<TapFn>();
  service = 'embedded';
  /**
   * 0: simulated time runs as fast as it can (scripts, tests). 1: it waits for the wall clock, so an
   * interactive `ping` prints a line a second like the real one.
   */
  pace = 0;
  /**
   * Distributed mode: resolves when no skb is in flight in any service (and their steps are here). Simulated
   * time waits for it before a timer fires, and the shell before each command.
   */
  settle: (() => Promise<void>) | null = null;
  /**
   * Distributed mode: the timers pending in other services (an ARP retry in the neigh service). `next()` is
   * the earliest one's expiry as of the last settle; `fire(t)` has every service fire those due by `t`.
   */
  remoteTimers: { next(): number; fire(t: number): Promise<void>; lastInFlight?(): number } | null = null;
  private wakeup: (() => void) | null = null;
  /**
   * Distributed mode's services: one process serves every host, so its clock is each event's own moment
   * (receive() takes each message's), and a timer fires at its expiry or, if this service already did later
   * work for the same host, after that work, as the embedded lab's one clock would have it. Another host's
   * work does not hold it back.
   */
  eventTime = false;
  /** With eventTime: where each host's work got to in this service (timers fire no earlier). */
  private readonly hostClock = new Map<Host, number>();
  constructor(opts: LabOptions = {}) {
    this.rng = new Rng(opts.seed ?? 0x5eed5eed);
    this.stepCostNs = opts.stepCostNs ?? 250;
    this.traceLevel = opts.traceLevel ?? 'journeys';
    this.journeyCapacity = opts.journeyCapacity ?? 512;
    this.trace = new TraceRing(opts.traceCapacity ?? 1 << 16);
  }

  /** A host booted like a real box: lo up with 127.0.0.1/8, ping sockets allowed (systemd's range). */
  addHost(name: string, nrCpus = 2): Host {
    const host = new_host(name, nrCpus);
    const net = host.initNet;
    net.sysctl.pingGroupRange = [0, 2147483647];
    dev_open(this, net.loopbackDev);
    this.hosts.set(name, host);
    return host;
  }

  // ---- KernelCtx -------------------------------------------------------------------------------------

  now(): number {
    return this.clock;
  }

  step(skb: SkBuff, fn: KernelFn, o: unknown = null, a = 0, b = 0, c = 0, d = 0): void {
    this.clock += this.stepCostNs;
    if (this.traceLevel === 'off') return;
    if (!skb.traced) this.beginJourney(skb);
    this.lastSeq = this.trace.push(
      skb,
      fn,
      this.clock,
      skb.comm || this.currentComm,
      this.service,
      o,
      a,
      b,
      c,
      d,
    );
  }

  private beginJourney(skb: SkBuff): void {
    skb.traced = ++this.journeysBegun;
    const j = this.journeys;
    j.push(skb);
    if (j.length > this.journeyCapacity * 2) this.journeys = j.slice(j.length - this.journeyCapacity);
  }

  /** The journeys of these skbs: every step still in the trace ring, in the order they happened. */
  journeyOf(skbs: SkBuff[]): Array<{ skb: SkBuff; step: TraceStep }> {
    const byId = new Map(skbs.map((s) => [s.id, s]));
    return this.trace
      .stepsOf(new Set(byId.keys()))
      .map(({ skbId, step }) => ({ skb: byId.get(skbId)!, step }));
  }

  /**
   * Run only `hops` here and hand the others to `transport` (distributed mode). `service` names this
   * process in traces; `skbIdBase` keeps its skb ids apart from every other process's.
   */
  distribute(hops: readonly string[], transport: HopTransport, service: string, skbIdBase: number): void {
    this.local = Object.fromEntries(hops.map((h) => [h, true]));
    this.transport = transport;
    this.service = service;
    this.skbIdBase = skbIdBase;
  }

  run(hop: HopName, skb: SkBuff): Verdict {
    let v: Verdict;
    if (this.local === null) {
      v = HOPS[hop](this, skb);
      while (v.kind === 'next') v = HOPS[v.hop](this, v.skb);
    } else v = this.runHere(hop, skb, this.local);
    // rcu_read_unlock_bh at the end of __dev_queue_xmit: in process context NET_RX runs right away, so each
    // fragment is received before the next one is sent (kernel/softirq.c:402).
    if (!this.inSoftirq && this.pending.length) this.doSoftirq();
    if (v.kind === 'drop') {
      v.skb.dropReason = v.reason;
      this.free(v.skb);
    } else if (v.kind === 'consumed' && this.traceLevel !== 'off') {
      this.step(v.skb, CONSUME);
    }
    return v;
  }

  /**
   * Told of every configuration request that succeeded here (distributed mode's shell logs them for the
   * services); null: nobody listens.
   */
  onConfig: ((r: ConfigRecord) => void) | null = null;

  /** A tool's configuration request (`ip`, `sysctl`, `tc`, `ethtool`) to `host`'s kernel, as data. */
  configure(host: Host, op: ConfigOp): RtnlResult {
    const rng = this.rng.state;
    const r = config_op_apply(this, host, op);
    if (r.err >= 0 && this.onConfig)
      this.onConfig({ host: host.name, rng, comm: this.currentComm, cpu: this.currentCpu, op });
    return r;
  }

  /**
   * A request recorded in another view of the lab, applied here from the same random state, by the same
   * task on the same CPU. Nobody is told (it is not this view's own configuration).
   */
  replay(r: ConfigRecord): RtnlResult {
    const host = this.hosts.get(r.host);
    if (!host) return { err: -ENODEV, extack: `no host '${r.host}' in this lab` };
    if (r.cpu >= host.softnet.length) return { err: -EINVAL, extack: `no CPU ${r.cpu} on ${r.host}` };
    const saved = this.rng.state;
    this.rng.state = r.rng;
    try {
      return this.inProcess(r.comm, () => config_op_apply(this, host, r.op), r.cpu);
    } finally {
      this.rng.state = saved;
    }
  }

  /**
   * Distributed mode: the hosts this process worked for since its last flush (messages and timers), whose
   * counters may have moved.
   */
  readonly touched = new Set<string>();

  /** The hop loop of distributed mode: a hop another service runs (or another replica's host) leaves here. */
  private runHere(hop: HopName, skb: SkBuff, local: Record<string, boolean>): Verdict {
    for (;;) {
      if (!local[hop] || !this.transport!.owns(skb.net.host)) return this.transport!.send(hop, skb);
      const v = HOPS[hop](this, skb);
      if (v.kind !== 'next') return v;
      hop = v.hop;
      skb = v.skb;
    }
  }

  /**
   * Carry on an skb that arrived from another service: at the sender's moment, in the sender's context
   * (process or swapper, CPU), as if the call had been local.
   */
  receive(hop: HopName, skb: SkBuff, clock: number, comm: string, cpu: number): Verdict {
    return this.carryOn(skb, clock, comm, cpu, () => this.run(hop, skb));
  }

  /** `work` for an skb from another service, at the sender's moment and in its context (see receive). */
  carryOn(skb: SkBuff, clock: number, comm: string, cpu: number, work: () => Verdict): Verdict {
    this.clock = clock;
    const host = skb.net.host;
    this.touched.add(host.name);
    return this.inProcess(
      comm,
      () => {
        const v = work();
        if (this.eventTime) this.hostClock.set(host, Math.max(this.hostClock.get(host) ?? 0, this.clock));
        return v;
      },
      cpu,
    );
  }

  /** Steps another service recorded: into this lab's trace, with a journey for skbs not seen here. */
  importSteps(steps: ExportedStep[], skbOf: (id: number, net: Net) => SkBuff | null): void {
    for (const e of steps) {
      if (KERNEL_FN_BY_NAME.size !== KERNEL_FNS.length)
        for (const f of KERNEL_FNS) KERNEL_FN_BY_NAME.set(f.name, f);
      const fn = KERNEL_FN_BY_NAME.get(e.fn);
      const net = this.netOf(e.host, e.netns);
      if (!fn || !net) continue;
      const skb = skbOf(e.skbId, net);
      if (skb && !skb.traced) this.beginJourney(skb);
      const dev = e.ifindex ? (net.devices.find((d) => d.ifindex === e.ifindex) ?? null) : null;
      this.trace.pushImported(e, fn, net, dev);
    }
  }

  /** A namespace by host and name ('' for the host's init_net). */
  netOf(host: string, netns: string): Net | null {
    const h = this.hosts.get(host);
    if (!h) return null;
    return (netns ? h.namedNets.get(netns) : h.initNet) ?? null;
  }

  free(skb: SkBuff): void {
    if (skb.dropReason && this.traceLevel !== 'off') {
      this.step(skb, KFREE, `reason ${skb.dropReason}`);
      this.trace.setDrop(this.lastSeq, 'SKB_DROP_REASON_' + skb.dropReason);
    }
  }

  modTimer<T>(t: KTimer<T>, expires: number): void {
    if (!t.pending && !t.pinned) t.cpu = this.currentCpu;
    t.expires = expires;
    this.timers.add(t as KTimer);
  }

  delTimer<T>(t: KTimer<T>): void {
    this.timers.remove(t as KTimer);
  }

  raiseNetRx(host: Host, cpu: number): void {
    this.pending.push([host, cpu, false]);
  }

  raiseNetTx(host: Host, cpu: number): void {
    // NET_TX_SOFTIRQ is a lower bit than NET_RX_SOFTIRQ: __do_softirq runs it first.
    this.pending.unshift([host, cpu, true]);
  }

  newSkbId(): number {
    return this.skbIdBase + ++this.skbIds;
  }

  random32(): number {
    return this.rng.next32();
  }

  tap(dev: NetDevice, skb: SkBuff, dir: 'in' | 'out'): void {
    if (this.taps.size) for (const t of this.taps) t(dev, skb, dir, this.clock);
  }

  comm(): string {
    return this.currentComm;
  }

  cpu(): number {
    return this.currentCpu;
  }

  // ---- contexts ---------------------------------------------------------------------------------------

  /** do_softirq: run NET_RX on every CPU that raised it, until none is pending. */
  doSoftirq(): void {
    if (this.inSoftirq) return;
    this.inSoftirq = true;
    try {
      while (this.pending.length) {
        const [host, cpu, tx] = this.pending.shift()!;
        const prevCpu = this.currentCpu;
        this.currentCpu = cpu;
        try {
          if (tx) {
            this.transport?.netTx?.(host, cpu);
            net_tx_action(this, host, cpu);
          } else net_rx_action(this, host, cpu);
        } finally {
          this.currentCpu = prevCpu;
        }
      }
    } finally {
      this.inSoftirq = false;
    }
  }

  /** A system call made by `comm`: kernel work in process context, then local_bh_enable runs softirqs. */
  inProcess<T>(comm: string, fn: () => T, cpu = this.currentCpu): T {
    const prev = this.currentComm;
    const prevCpu = this.currentCpu;
    this.currentComm = comm;
    this.currentCpu = cpu;
    try {
      return fn();
    } finally {
      this.doSoftirq();
      this.currentComm = prev;
      this.currentCpu = prevCpu;
    }
  }

  /**
   * Fire every timer due at or before `until` (timer softirq context, then NET_RX if raised). Hardware
   * events (in-flight timers) that came due while the CPUs were busy (by now) fire too, and before the
   * softirqs: the NIC does not wait for the CPU, so a NAPI poll finds all the frames that landed meanwhile.
   */
  runTimersUntil(until: number): void {
    for (;;) {
      const t = this.timers.peek();
      if (!t || (t.expires > until && !(t.inflight && t.expires <= this.clock))) break;
      this.timers.pop();
      this.touched.add(t.host.name);
      if (this.eventTime) {
        // A service's clock is per host: another host's later work does not delay this timer.
        this.clock = t.inflight ? t.expires : Math.max(t.expires, this.hostClock.get(t.host) ?? 0);
      } else if (t.expires > this.clock) this.clock = t.expires;
      const prev = this.currentComm;
      const prevCpu = this.currentCpu;
      // A timer fires on the CPU that armed it, in whatever ran there (an idle CPU: swapper/N).
      this.currentComm = `swapper/${t.cpu}`;
      this.currentCpu = t.cpu;
      // A timer runs in TIMER_SOFTIRQ (or hardirq) context: the NET_RX it raises (a retransmission over
      // veth or lo) runs after it returns (__do_softirq's loop), not inside it. Otherwise the reply to a
      // retransmitted SYN would be processed before tcp_retransmit_skb marks the skb TCPCB_RETRANS.
      const wasInSoftirq = this.inSoftirq;
      this.inSoftirq = true;
      try {
        t.fn(this, t.arg);
      } finally {
        this.inSoftirq = wasInSoftirq;
        const n = this.timers.peek();
        if (!(t.inflight && n?.inflight && n.expires <= this.clock)) this.doSoftirq();
        this.currentComm = prev;
        this.currentCpu = prevCpu;
      }
    }
    this.doSoftirq();
    if (until > this.clock && until !== Infinity) this.clock = until;
  }

  /** A user-space wait: resolves when the simulated clock reaches `t`. */
  sleepUntil(t: number, host?: Host): Promise<void> {
    return new Promise((resolve) => {
      const timer: KTimer<null> = {
        fn: () => resolve(),
        arg: null,
        expires: t,
        pending: false,
        host: host ?? [...this.hosts.values()][0],
        cpu: 0,
        seq: 0,
      };
      this.modTimer(timer, t);
    });
  }

  /**
   * Drive simulated time until `p` settles: let the processes run (microtasks), then fire the next timer,
   * and again. If nothing is left to happen and `p` is still waiting, it would wait forever: resolve
   * with `onStall()` (the shell interrupts the job, as Ctrl-C would).
   */
  async drive<T>(
    p: Promise<T>,
    onStall?: () => void,
    deadline = Infinity,
    onDeadline?: () => void,
  ): Promise<T> {
    let done = false;
    let pastDeadline = false;
    p.then(
      () => (done = true),
      () => (done = true),
    );
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      if (done) return p;
      if (this.settle) {
        await this.settle();
        await new Promise<void>((r) => setImmediate(r));
        if (done) return p;
      }
      if (this.landing) {
        await this.landing.catch(() => undefined);
        continue;
      }
      const local = this.timers.peek();
      const remote = this.remoteTimers?.next() ?? Infinity;
      // The next thing to happen: a timer here, or one in another service (distributed mode).
      const t =
        local && local.expires <= remote ? local : remote < Infinity ? { expires: remote } : undefined;
      if (t && t.expires > deadline && !pastDeadline && onDeadline) {
        pastDeadline = true;
        onDeadline();
        continue;
      }
      if (t && this.pace > 0 && t.expires > this.clock) {
        // Let the wall clock catch up; an interrupt (wake) cuts the wait short.
        const ms = (t.expires - this.clock) / 1e6 / this.pace;
        await new Promise<void>((r) => {
          const h = setTimeout(r, ms);
          this.wakeup = () => {
            clearTimeout(h);
            r();
          };
        });
        this.wakeup = null;
        await new Promise<void>((r) => setImmediate(r));
        if (done) return p;
      }
      if (!t) {
        if (onStall) {
          onStall();
          await new Promise<void>((r) => setImmediate(r));
          if (done) return p;
        }
        throw new Error('simulation stalled');
      }
      if (t !== local) {
        await this.remoteTimers!.fire(t.expires);
        if (t.expires > this.clock) this.clock = t.expires;
        continue;
      }
      this.runTimersUntil(t.expires);
    }
  }

  /**
   * Let every packet in flight land (frames on wires, DMA, netem's queue), here and in other services: time
   * moves on to the last of them, firing whatever else is due on the way, as it would while the user types
   * the next command on a real box. Bounded: a lab that keeps making new in-flight packets stops after 10 s
   * of simulated time.
   */
  async landInFlight(): Promise<void> {
    while (this.landing) await this.landing.catch(() => undefined);
    const run = this.landAll().finally(() => {
      if (this.landing === run) this.landing = null;
    });
    this.landing = run;
    return run;
  }

  /**
   * A process letting packets land (traceroute after its burst) moves time itself; drive() must not move
   * it meanwhile as if everyone were asleep, or it fires a later timer (a wait's deadline) first. In
   * distributed mode both wait on Redis, so they would interleave.
   */
  private landing: Promise<void> | null = null;

  private async landAll(): Promise<void> {
    const limit = this.clock + 10e9;
    for (;;) {
      if (this.settle) await this.settle();
      const until = Math.min(
        limit,
        Math.max(this.timers.lastInFlight(), this.remoteTimers?.lastInFlight?.() ?? -Infinity),
      );
      if (until === -Infinity) return;
      for (;;) {
        const local = this.timers.peek();
        const remote = this.remoteTimers?.next() ?? Infinity;
        const t = Math.min(local?.expires ?? Infinity, remote);
        if (t > until) break;
        if (local && local.expires <= remote) this.runTimersUntil(local.expires);
        else await this.remoteTimers!.fire(remote);
        if (this.settle) await this.settle();
      }
      if (until > this.clock) this.clock = until;
      if (until >= limit) return;
    }
  }

  /** End a wall-clock wait in drive() now (Ctrl-C). */
  wake(): void {
    this.wakeup?.();
  }
}
