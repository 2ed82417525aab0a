/**
 * A graded lab running in this process: the lab's topology booted, a snapshot of every counter taken right
 * after boot (checks measure what moved since), and a shell on the lab's node whose lines are recorded:
 * for each line, the journeys (skbs) it set going, so a check can look at "the last ping's journey".
 */
import {
  ICMP_MIB_NAMES,
  IPEXT_MIB_NAMES,
  IP_MIB_NAMES,
  LINUX_MIB_NAMES,
  TCP_MIB_NAMES,
  UDP_MIB_NAMES,
  dev_get_stats,
  type Host,
  type LinkStats,
  type Net,
  type SkBuff,
  type TraceStep,
} from '@skblab/kernel';
import { Lab, buildHardware } from '@skblab/runtime';
import { bootTopology, newShell, type Shell } from '@skblab/shell';
import { defaultCommands, type CommandTable } from '@skblab/userland';
import type { LabDef } from './spec';

/** One line run in the lab's shell, and the journeys begun while it ran (skb.traced numbers from, to]. */
export interface LineRecord {
  no: number;
  line: string;
  from: number;
  to: number;
}

/** Counter values right after boot, keyed by host, namespace and counter. */
export type Baseline = Map<string, number>;

export interface SessionIo {
  out: (s: string) => void;
  err: (s: string) => void;
  tty?: boolean;
}

export class LabSession {
  readonly lines: LineRecord[] = [];
  readonly baseline: Baseline;
  readonly shell: Shell;
  /** Set while a line runs: lets a replay stop it where the learner pressed Ctrl-C. */
  private lineStart = 0;
  /** The newest journey when the lab had booted: journeys after it are the learner's. */
  private readonly bootMark: number;

  private constructor(
    readonly def: LabDef,
    readonly lab: Lab,
    readonly host: Host,
    commands: CommandTable,
    public io: SessionIo,
  ) {
    this.baseline = snapshot(lab);
    this.bootMark = this.journeyMark();
    this.shell = newShell(lab, host, commands, {
      // Through this.io, which a resumed lab swaps: quiet while replaying, the terminal after.
      out: (t) => this.io.out(t),
      err: (t) => this.io.err(t),
      tty: io.tty,
      aroundLine: (line, run) => this.record(line, run),
    });
  }

  /**
   * Build and boot the lab; `extra` adds commands to the shell (the `lab` builtin). A boot line that fails
   * is returned as its error (FILE:LINE:COL: host: 'line' failed: why).
   */
  static async open(def: LabDef, io: SessionIo, extra: CommandTable = {}): Promise<LabSession | string> {
    const lab = new Lab();
    buildHardware(lab, def.topology);
    const commands = { ...defaultCommands(), ...extra };
    const err = await bootTopology(lab, def.topology, defaultCommands());
    if (err) return err;
    return new LabSession(def, lab, lab.hosts.get(def.node)!, commands, io);
  }

  /** The newest journey number so far. */
  private journeyMark(): number {
    const j = this.lab.journeys;
    return j.length ? j[j.length - 1].traced : 0;
  }

  private async record(line: string, run: () => Promise<number>): Promise<number> {
    const from = this.journeyMark();
    this.lineStart = this.lab.now();
    try {
      return await run();
    } finally {
      if (line.trim()) this.lines.push({ no: this.lines.length + 1, line, from, to: this.journeyMark() });
    }
  }

  /** Simulated time the current line has run for (what a Ctrl-C is recorded with). */
  lineRunningFor(): number {
    return this.lab.now() - this.lineStart;
  }

  /**
   * Run one line; with `stopAfterNs`, stop it after that much simulated time as Ctrl-C did when the
   * learner typed it (a replay of an interrupted `ping`).
   */
  async runLine(line: string, stopAfterNs?: number): Promise<number> {
    if (stopAfterNs === undefined) return this.shell.runLine(line);
    let live = true;
    void this.lab.sleepUntil(this.lab.now() + stopAfterNs, this.host).then(() => {
      if (live) this.shell.interrupt();
    });
    try {
      return await this.shell.runLine(line);
    } finally {
      live = false;
    }
  }

  /** The skbs whose journeys began in (from, to], with their steps (those still in the trace ring). */
  journeys(from: number, to: number): Array<{ skb: SkBuff; steps: TraceStep[] }> {
    const skbs = this.lab.journeys.filter((s) => s.traced > from && s.traced <= to);
    const bySkb = new Map<SkBuff, TraceStep[]>(skbs.map((s) => [s, []]));
    for (const { skb, step } of this.lab.journeyOf(skbs)) bySkb.get(skb)!.push(step);
    return [...bySkb].map(([skb, steps]) => ({ skb, steps })).filter((j) => j.steps.length > 0);
  }

  /** Every journey since the lab booted (boot's own are before the first line). */
  allJourneys(): Array<{ skb: SkBuff; steps: TraceStep[] }> {
    return this.journeys(this.bootMark, Infinity);
  }
}

/** A host's namespace by name ('' for init_net), or null. */
export function netOf(host: Host, netns: string): Net | null {
  return (netns ? host.namedNets.get(netns) : host.initNet) ?? null;
}

export function counterKey(host: string, netns: string, what: string): string {
  return `${host}\u0000${netns}\u0000${what}`;
}

/** Every counter a check may read, as it is now. */
export function snapshot(lab: Lab): Baseline {
  const b: Baseline = new Map();
  for (const host of lab.hosts.values()) {
    for (const sd of host.softnet) {
      b.set(counterKey(host.name, '', `softnet:${sd.cpu}:processed`), sd.processed);
      b.set(counterKey(host.name, '', `softnet:${sd.cpu}:dropped`), sd.dropped);
      b.set(counterKey(host.name, '', `softnet:${sd.cpu}:time_squeeze`), sd.timeSqueeze);
      b.set(counterKey(host.name, '', `softnet:${sd.cpu}:received_rps`), sd.receivedRps);
      b.set(counterKey(host.name, '', `softnet:${sd.cpu}:flow_limit_count`), sd.flowLimitCount);
    }
    for (const net of [host.initNet, ...host.namedNets.values()]) {
      const k = (w: string, v: number) => b.set(counterKey(host.name, net.name, w), v);
      for (const [name, v] of snmpValues(net)) k(`snmp:${name}`, v);
      for (const dev of net.devices) {
        for (const [stat, v] of Object.entries(linkValues(dev_get_stats(dev))))
          k(`link:${dev.name}:${stat}`, v);
        const q = dev.qdisc;
        k(`qdisc-id:${dev.name}`, q.id);
        for (const stat of ['bytes', 'packets', 'drops', 'overlimits', 'requeues'] as const)
          k(
            `qdisc:${dev.name}:${stat}`,
            q.ops.id === 'mq' ? q.children.reduce((n, c) => n + c.stats[stat], 0) : q.stats[stat],
          );
      }
    }
  }
  return b;
}

/** `ip -s link`'s names for a device's counters. */
export function linkValues(s: LinkStats): Record<string, number> {
  return {
    rx_packets: s.rxPackets,
    tx_packets: s.txPackets,
    rx_bytes: s.rxBytes,
    tx_bytes: s.txBytes,
    rx_errors: s.rxErrors,
    tx_errors: s.txErrors,
    rx_dropped: s.rxDropped,
    tx_dropped: s.txDropped,
    rx_missed_errors: s.rxMissed,
    multicast: s.multicast,
  };
}

const ICMP_BY_TYPE: Array<[string, number]> = [
  ['DestUnreachs', 3],
  ['TimeExcds', 11],
  ['ParmProbs', 12],
  ['SrcQuenchs', 4],
  ['Redirects', 5],
  ['Echos', 8],
  ['EchoReps', 0],
  ['Timestamps', 13],
  ['TimestampReps', 14],
  ['AddrMasks', 17],
  ['AddrMaskReps', 18],
];

/**
 * A namespace's SNMP counters under nstat's names, read from the MIBs (net->mib): the Icmp per-type
 * counters from IcmpMsg's, as icmp_put prints them.
 */
export function snmpValues(net: Net): Map<string, number> {
  const m = net.mib;
  const out = new Map<string, number>();
  const put = (prefix: string, names: readonly string[], arr: Float64Array) =>
    names.forEach((n, i) => out.set(prefix + n, arr[i]));
  put('Ip', IP_MIB_NAMES, m.ip);
  put('Icmp', ICMP_MIB_NAMES, m.icmp);
  for (const [n, t] of ICMP_BY_TYPE) {
    out.set(`IcmpIn${n}`, m.icmpMsgIn[t]);
    out.set(`IcmpOut${n}`, m.icmpMsgOut[t]);
  }
  for (let t = 0; t < 256; t++) {
    out.set(`IcmpMsgInType${t}`, m.icmpMsgIn[t]);
    out.set(`IcmpMsgOutType${t}`, m.icmpMsgOut[t]);
  }
  put('Tcp', TCP_MIB_NAMES, m.tcp);
  put('Udp', UDP_MIB_NAMES, m.udp);
  put('UdpLite', UDP_MIB_NAMES, m.udplite);
  put('TcpExt', LINUX_MIB_NAMES, net.linuxMib);
  put('IpExt', IPEXT_MIB_NAMES, net.ipExtMib);
  return out;
}
