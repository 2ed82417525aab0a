/**
 * What the web console shows, as JSON: the lab's topology, the journeys of its skbs (from the trace ring,
 * in the order the kernel ran the steps, as skbtrace reads them) and its counters (/proc/net/snmp,
 * `ip -s link`, /proc/net/softnet_stat). Read-only views of the kernel model: nothing here moves state.
 */
import {
  IFF_UP,
  igb_adapter,
  snmp_seq_show,
  softnet_seq_show,
  type Layer,
  type Net,
  type NetDevice,
  type SkBuff,
  type TraceStep,
} from '@skblab/kernel';
import { dev_get_stats } from '@skblab/kernel/net/core/dev';
import type { Lab } from '@skblab/runtime';
import { ipv4ToString } from '@skblab/wire/address';
import { formatMac } from '@skblab/wire/mac';
import { skbTuple } from '@skblab/userland';
import { skbAddr } from '@skblab/userland/skbtrace';
import KERNEL_LINES from './kernel-lines.json';

// ---- topology ---------------------------------------------------------------------------------------

export interface DeviceView {
  /** Unique in the lab: host/netns/dev. */
  id: string;
  name: string;
  ifindex: number;
  kind: string;
  mtu: number;
  up: boolean;
  carrier: boolean;
  mac: string;
  qdisc: string;
  addresses: string[];
}

export interface NamespaceView {
  id: string;
  /** '' for the host's init_net. */
  name: string;
  inode: number;
  devices: DeviceView[];
}

export interface HostView {
  name: string;
  cpus: number;
  namespaces: NamespaceView[];
}

export interface LinkView {
  kind: 'wire' | 'veth';
  a: string;
  b: string;
  up: boolean;
  /** A wire's properties as the topology set them (delay in ns, rate in bit/s, loss 0..1). */
  delay?: number;
  rate?: number;
  loss?: number;
}

export interface TopologyView {
  hosts: HostView[];
  links: LinkView[];
}

function devId(dev: NetDevice): string {
  return `${dev.net.host.name}/${dev.net.name}/${dev.name}`;
}

function netsOf(lab: Lab): Net[] {
  const out: Net[] = [];
  for (const h of lab.hosts.values()) out.push(h.initNet, ...h.namedNets.values());
  return out;
}

/** A device's addresses as `ip -br addr` prints them (primaries first, as the kernel lists them). */
function addressesOf(dev: NetDevice): string[] {
  const mine = dev.net.ifaddrs.filter((i) => i.dev === dev);
  return [...mine.filter((i) => !i.secondary), ...mine.filter((i) => i.secondary)].map(
    (i) => `${ipv4ToString(i.local)}/${i.plen}`,
  );
}

export function topologyOf(lab: Lab): TopologyView {
  const links: LinkView[] = [];
  const seen = new Set<unknown>();
  const hosts = [...lab.hosts.values()].map((h) => ({
    name: h.name,
    cpus: h.nrCpus,
    namespaces: [h.initNet, ...h.namedNets.values()].map((net) => ({
      id: `${h.name}/${net.name}`,
      name: net.name,
      inode: net.inum,
      devices: net.devices.map((dev) => {
        const wire = igb_adapter(dev)?.wire;
        if (wire && !seen.has(wire)) {
          seen.add(wire);
          links.push({
            kind: 'wire',
            a: devId(wire.a),
            b: devId(wire.b),
            up: wire.up,
            delay: wire.delay,
            rate: wire.rate,
            loss: wire.loss,
          });
        }
        if (dev.ops.kind === 'veth' && dev.peer && !seen.has(dev.peer)) {
          seen.add(dev);
          links.push({ kind: 'veth', a: devId(dev), b: devId(dev.peer), up: dev.carrier });
        }
        return {
          id: devId(dev),
          name: dev.name,
          ifindex: dev.ifindex,
          kind: dev.ops.kind,
          mtu: dev.mtu,
          up: (dev.flags & IFF_UP) !== 0,
          carrier: dev.carrier,
          mac: formatMac(dev.addr),
          qdisc: dev.qdisc.ops.id,
          addresses: addressesOf(dev),
        };
      }),
    })),
  }));
  return { hosts, links };
}

// ---- journeys ---------------------------------------------------------------------------------------

/** The console's lanes, top to bottom: where in the stack a step runs. */
export const LANES = ['socket', 'ip', 'neigh', 'dev', 'driver', 'softirq', 'rx'] as const;
export type Lane = (typeof LANES)[number];

const LANE_OF: Record<Layer, Lane> = {
  syscall: 'socket',
  socket: 'socket',
  udp: 'socket',
  tcp: 'socket',
  icmp: 'socket',
  ip: 'ip',
  route: 'ip',
  neigh: 'neigh',
  dev: 'dev',
  driver: 'driver',
  // The NIC's DMA and the link sit below the driver: drawn in its lane.
  hw: 'driver',
  softirq: 'softirq',
  rx: 'rx',
};

// The lines are those of the release the source tarball holds (kernel-lines.json's "linux": a 6.12.y):
// the source browser's page of that release, so that a line number points at the function.
const { linux: RELEASE, ...LINES } = KERNEL_LINES as Record<string, number | string>;
const ELIXIR = `https://elixir.bootlin.com/linux/v${RELEASE ?? '6.12'}/source/`;

/** Where a function is defined in Linux 6.12 (kernel-lines.json), or null if the model does not know. */
export function kernelLine(fn: string, file: string): number | null {
  const line = LINES[`${file}:${fn}`];
  return typeof line === 'number' ? line : null;
}

/** The source browser's page for a function: its line when known, else its file. */
export function sourceUrl(fn: string, file: string): string | null {
  if (file.startsWith('hardware')) return null; // the NIC and the wire are not kernel code
  const line = kernelLine(fn, file);
  return ELIXIR + file + (line ? `#L${line}` : '');
}

export interface StepView {
  /** The lab-wide order of steps (the trace ring's sequence number). */
  seq: number;
  skb: string;
  func: string;
  /** The function the step modelled (kfree_skb_reason's caller's step keeps its own name here). */
  fn: string;
  file: string;
  line: number | null;
  url: string | null;
  layer: Layer;
  lane: Lane;
  host: string;
  netns: string;
  netnsInode: number;
  cpu: number;
  iface: string | null;
  process: string;
  len: number;
  timeNs: number;
  state: string | null;
  dropReason: string | null;
  /** The SNMP counters the step says it moved ("OutRequests++" in its state). */
  counters: string[];
  service: string;
}

export interface JourneyView {
  /** The journey's number (skb.traced): journeys begun later have larger numbers. */
  no: number;
  skb: string;
  tuple: string;
  dropReason: string | null;
  steps: StepView[];
}

function stepView(skb: SkBuff, s: TraceStep): StepView {
  const state = s.info || null;
  return {
    seq: s.seq,
    skb: skbAddr(skb.id),
    func: s.drop ? 'kfree_skb_reason' : s.fn.name,
    fn: s.fn.name,
    file: s.fn.file,
    line: kernelLine(s.fn.name, s.fn.file),
    url: sourceUrl(s.fn.name, s.fn.file),
    layer: s.fn.layer,
    lane: LANE_OF[s.fn.layer],
    host: s.host,
    netns: s.netns,
    netnsInode: s.netnsId,
    cpu: s.cpu,
    iface: s.dev || null,
    process: s.comm,
    len: s.len,
    timeNs: s.t,
    state,
    dropReason: s.drop || null,
    counters: [...(state ?? '').matchAll(/\b([A-Z][A-Za-z0-9]+)\+\+/g)].map((m) => m[1]),
    service: s.service,
  };
}

/** At most this many journeys per answer (the newest ones). */
export const MAX_JOURNEYS = 256;

/** The journeys begun after journey number `since` (at most MAX_JOURNEYS, the newest), with their steps. */
export function journeysSince(lab: Lab, since: number): { latest: number; journeys: JourneyView[] } {
  const fresh = lab.journeys.filter((s) => s.traced > since);
  const picked = fresh.slice(Math.max(0, fresh.length - MAX_JOURNEYS));
  const bySkb = new Map<SkBuff, StepView[]>(picked.map((s) => [s, []]));
  for (const { skb, step } of lab.journeyOf(picked)) bySkb.get(skb)!.push(stepView(skb, step));
  const latest = lab.journeys.length ? lab.journeys[lab.journeys.length - 1].traced : 0;
  return {
    latest: Math.max(latest, since),
    journeys: picked.map((skb) => ({
      no: skb.traced,
      skb: skbAddr(skb.id),
      tuple: skbTuple(skb),
      dropReason: skb.dropReason ? 'SKB_DROP_REASON_' + skb.dropReason : null,
      steps: bySkb.get(skb)!,
    })),
  };
}

/** The newest journey's number so far (0: none). */
export function latestJourney(lab: Lab): number {
  return lab.journeys.length ? lab.journeys[lab.journeys.length - 1].traced : 0;
}

// ---- counters ---------------------------------------------------------------------------------------

export interface CountersView {
  namespaces: Array<{
    host: string;
    netns: string;
    /** /proc/net/snmp: group (Ip, Icmp, IcmpMsg, Tcp, Udp, UdpLite) → name → value. */
    snmp: Record<string, Record<string, number>>;
    /** `ip -s link`: device → its RX and TX counters. */
    links: Record<string, Record<string, number>>;
  }>;
  /** /proc/net/softnet_stat per host: one row per CPU. */
  softnet: Array<{ host: string; cpus: Array<Record<string, number>> }>;
}

/** /proc/net/snmp's pairs of lines ("Ip: Forwarding ..." then "Ip: 1 ...") as numbers by group and name. */
export function parseSnmp(text: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const lines = text.split('\n').filter(Boolean);
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [group, ...names] = lines[i].split(/\s+/);
    const values = lines[i + 1].split(/\s+/).slice(1);
    const g = (out[group.replace(/:$/, '')] ??= {});
    names.forEach((n, k) => (g[n] = Number(values[k])));
  }
  return out;
}

/** softnet_seq_show's columns (net/core/net-procfs.c); the zero ones (once fastroute, cpu_collision) left out. */
const SOFTNET_COLUMNS: Array<[number, string]> = [
  [0, 'processed'],
  [1, 'dropped'],
  [2, 'time_squeeze'],
  [9, 'received_rps'],
  [10, 'flow_limit_count'],
  [11, 'backlog_len'],
  [12, 'cpu'],
  [13, 'input_qlen'],
  [14, 'process_qlen'],
];

export function parseSoftnet(text: string): Array<Record<string, number>> {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const cols = l.split(' ').map((h) => parseInt(h, 16));
      return Object.fromEntries(SOFTNET_COLUMNS.map(([i, n]) => [n, cols[i] ?? 0]));
    });
}

/** `ip -s link`'s columns, from dev_get_stats as iproute2 reads them (IFLA_STATS64). */
function linkCounters(dev: NetDevice): Record<string, number> {
  const s = dev_get_stats(dev);
  return {
    rx_bytes: s.rxBytes,
    rx_packets: s.rxPackets,
    rx_errors: s.rxErrors,
    rx_dropped: s.rxDropped,
    rx_missed: s.rxMissed,
    rx_mcast: s.multicast,
    tx_bytes: s.txBytes,
    tx_packets: s.txPackets,
    tx_errors: s.txErrors,
    tx_dropped: s.txDropped,
    tx_carrier: s.txCarrier,
    tx_collsns: s.collisions,
  };
}

export function countersOf(lab: Lab): CountersView {
  return {
    namespaces: netsOf(lab).map((net) => ({
      host: net.host.name,
      netns: net.name,
      snmp: parseSnmp(snmp_seq_show(net)),
      links: Object.fromEntries(net.devices.map((d) => [d.name, linkCounters(d)])),
    })),
    softnet: [...lab.hosts.values()].map((h) => ({ host: h.name, cpus: parseSoftnet(softnet_seq_show(h)) })),
  };
}

/** One counter that moved: where, which panel, which counter, by how much. */
export interface Moved {
  host: string;
  /** '' for init_net; softnet rows are per host. */
  netns: string;
  source: 'snmp' | 'link' | 'softnet';
  /** The SNMP group, the device, or the CPU ("cpu0"). */
  group: string;
  name: string;
  from: number;
  to: number;
}

/** The gauges of softnet_stat are not counters: a queue's length going back down is not a move. */
const SOFTNET_COUNTERS = ['processed', 'dropped', 'time_squeeze', 'received_rps', 'flow_limit_count'];

function flatten(c: CountersView): Map<string, number> {
  const m = new Map<string, number>();
  for (const ns of c.namespaces) {
    for (const [g, vals] of Object.entries(ns.snmp))
      for (const [n, v] of Object.entries(vals)) m.set(JSON.stringify([ns.host, ns.netns, 'snmp', g, n]), v);
    for (const [d, vals] of Object.entries(ns.links))
      for (const [n, v] of Object.entries(vals)) m.set(JSON.stringify([ns.host, ns.netns, 'link', d, n]), v);
  }
  for (const h of c.softnet)
    for (const row of h.cpus)
      for (const n of SOFTNET_COUNTERS)
        m.set(JSON.stringify([h.host, '', 'softnet', `cpu${row.cpu}`, n]), row[n]);
  return m;
}

/** The counters that differ between two snapshots (a device or namespace that appeared starts at 0). */
export function countersMoved(before: CountersView, after: CountersView): Moved[] {
  const a = flatten(before);
  const out: Moved[] = [];
  for (const [k, to] of flatten(after)) {
    const from = a.get(k) ?? 0;
    if (from === to) continue;
    const [host, netns, source, group, name] = JSON.parse(k) as [
      string,
      string,
      Moved['source'],
      string,
      string,
    ];
    out.push({ host, netns, source, group, name, from, to });
  }
  return out;
}
