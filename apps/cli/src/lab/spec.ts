/**
 * Graded lab files (labs/NAME.yaml): YAML text → a validated LabDef, or the first mistake as
 * `FILE:LINE:COL: WHERE: WHAT`, in the style of topology files (docs/topology.md, docs/labs.md).
 *
 * A lab's topology is written inline (a map, parsed by libs/topology as if it were a file of its own, its
 * positions kept) or named (a path relative to the lab file). Its checks are data: what kernel state to read
 * and what to expect; checks.ts reads the state.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { KERNEL_FNS, LINUX_MIB_NAMES, TCP_STATE_NAMES, TCP_MIB_NAMES } from '@skblab/kernel';
import { IP_MIB_NAMES, IPEXT_MIB_NAMES, UDP_MIB_NAMES, ICMP_MIB_NAMES } from '@skblab/kernel';
import { isTopologyError, loadTopologyFile, parseTopology, type TopologySpec } from '@skblab/topology';
import { parseIpv4 } from '@skblab/wire/address';
import { fileError } from './state';

export interface Pos {
  line: number;
  col: number;
}

/** Where a check reads: a host, and one of its namespaces ('' for the host's own, init_net). */
export interface Where {
  host: string;
  netns: string;
}

export type CounterRef =
  | { kind: 'snmp'; name: string }
  | { kind: 'link'; dev: string; stat: LinkStat }
  | { kind: 'softnet'; cpu: number; stat: SoftnetStat }
  | { kind: 'qdisc'; dev: string; stat: QdiscStat };

export const LINK_STATS = [
  'rx_packets',
  'tx_packets',
  'rx_bytes',
  'tx_bytes',
  'rx_errors',
  'tx_errors',
  'rx_dropped',
  'tx_dropped',
  'rx_missed_errors',
  'multicast',
] as const;
export type LinkStat = (typeof LINK_STATS)[number];
/** /proc/net/softnet_stat's columns the model keeps (1st, 2nd, 3rd, and received_rps, flow_limit_count). */
export const SOFTNET_STATS = [
  'processed',
  'dropped',
  'time_squeeze',
  'received_rps',
  'flow_limit_count',
] as const;
export type SoftnetStat = (typeof SOFTNET_STATS)[number];
/** `tc -s qdisc`'s Sent bytes/pkt and (dropped, overlimits, requeues). */
export const QDISC_STATS = ['bytes', 'packets', 'drops', 'overlimits', 'requeues'] as const;
export type QdiscStat = (typeof QDISC_STATS)[number];
export const QDISC_KINDS = ['noqueue', 'noop', 'pfifo', 'pfifo_fast', 'mq', 'netem', 'fq_codel', 'fq'];
/** ip neigh's states (NUD_*), and 'valid': any state with a link-layer address (NUD_VALID). */
export const NEIGH_STATES = [
  'INCOMPLETE',
  'REACHABLE',
  'STALE',
  'DELAY',
  'PROBE',
  'FAILED',
  'NOARP',
  'PERMANENT',
  'valid',
];

export type CheckBody =
  | {
      kind: 'route';
      where: Where;
      to: { addr: number; plen: number; text: string };
      via: number | null;
      dev: string | null;
      table: 'main' | 'local';
    }
  | { kind: 'counter'; where: Where; counter: CounterRef; atLeast: number | null; atMost: number | null }
  | {
      kind: 'journey';
      /** The skbs that the last foreground line running this command (its task's comm) set going. */
      last: string | null;
      /** Otherwise every journey since the lab started; with comm, only those begun by that task. */
      comm: string | null;
      /** Only journeys (lines) with an IPv4 or ARP packet to this address. */
      dst: number | null;
      /** Only steps on this host / in this namespace count. */
      host: string | null;
      netns: string | null;
      through: string[];
      avoids: string[];
      /** A step freed an skb with this drop reason (SKB_DROP_REASON_ without the prefix). */
      drop: string | null;
    }
  | { kind: 'qdisc'; where: Where; dev: string; qdisc: string }
  | { kind: 'sysctl'; where: Where; name: string; value: string }
  | { kind: 'neigh'; where: Where; dst: number; dev: string | null; state: string }
  | { kind: 'tcp'; where: Where; state: string; port: number | null }
  | { kind: 'pmtu'; where: Where; dst: number; mtu: number };

export interface CheckDef {
  /** 1-based, in file order. */
  id: number;
  name: string;
  pos: Pos;
  body: CheckBody;
}

export interface LabDef {
  /** The lab's name: its file name without .yaml (and without a leading number for labs/'s). */
  name: string;
  /** One of labs/'s (not a file named by its path). */
  builtIn: boolean;
  file: string;
  title: string;
  summary: string;
  /** The node the shell opens on. */
  node: string;
  topology: TopologySpec;
  tasks: string;
  hints: string[];
  checks: CheckDef[];
  solution: string[];
}

export interface LabError {
  error: string;
}

export function isLabError<T extends object>(x: T | LabError): x is LabError {
  return 'error' in x;
}

const TOP_KEYS = ['title', 'summary', 'node', 'topology', 'tasks', 'hints', 'checks', 'solution'];
const CHECK_KINDS = ['route', 'counter', 'journey', 'qdisc', 'sysctl', 'neigh', 'tcp', 'pmtu'];
const NETNS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** A mistake: thrown inside the parser, reported as FILE:LINE:COL: WHERE: WHAT. */
class LabFileError extends Error {
  constructor(
    readonly pos: Pos,
    readonly where: string,
    message: string,
  ) {
    super(message);
  }
}

/** nstat's names for the SNMP counters (IpInReceives, IcmpOutEchos, IcmpMsgOutType8, TcpExtTCPTimeouts). */
export const SNMP_GROUPS: Array<[string, readonly string[]]> = [
  ['IcmpMsg', []],
  ['TcpExt', LINUX_MIB_NAMES],
  ['IpExt', IPEXT_MIB_NAMES],
  ['UdpLite', UDP_MIB_NAMES],
  ['Icmp', ICMP_MIB_NAMES],
  ['Tcp', TCP_MIB_NAMES],
  ['Udp', UDP_MIB_NAMES],
  ['Ip', IP_MIB_NAMES],
];

/** An nstat counter name split into its group and field, or null if there is no such counter. */
export function splitSnmpName(name: string): { group: string; field: string } | null {
  for (const [group, fields] of SNMP_GROUPS) {
    if (!name.startsWith(group)) continue;
    const field = name.slice(group.length);
    if (group === 'IcmpMsg') {
      const m = /^(In|Out)Type(\d+)$/.exec(field);
      if (m && Number(m[2]) < 256) return { group, field };
      continue;
    }
    if (fields.includes(field)) return { group, field };
  }
  return null;
}

class Parser {
  private readonly lc = new LineCounter();
  readonly lines: string[];

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.lines = text.split('\n');
  }

  pos(node: Node | null | undefined, fallback: Pos = { line: 1, col: 1 }): Pos {
    if (!node?.range) return fallback;
    const { line, col } = this.lc.linePos(node.range[0]);
    return { line, col };
  }

  fail(node: Node | null | undefined, where: string, message: string, fallback?: Pos): never {
    throw new LabFileError(this.pos(node, fallback), where, message);
  }

  parse(name: string, dir: string): LabDef {
    const doc = parseDocument(this.text, { lineCounter: this.lc, uniqueKeys: false });
    if (doc.errors.length) {
      const e = doc.errors[0];
      const { line, col } = this.lc.linePos(e.pos[0]);
      throw new LabFileError(
        { line, col },
        '',
        `YAML syntax: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      );
    }
    const root = doc.contents as Node | null;
    if (!isMap(root)) this.fail(root, '', 'expected a map with title, topology, tasks, checks, solution');
    const top = this.entries(root, '', TOP_KEYS);
    for (const k of ['title', 'topology', 'tasks', 'checks', 'solution'])
      if (!top.has(k)) this.fail(root, '', `missing key '${k}'`);
    const topology = this.topology(top.get('topology')!, dir);
    const hosts = topology.hosts.map((h) => h.name);
    this.topologyCpus = new Map(topology.hosts.map((h) => [h.name, h.cpus]));
    const nodeVal = top.get('node');
    const node = nodeVal ? this.str(nodeVal.value, 'node') : hosts[0];
    if (!hosts.includes(node))
      this.fail(nodeVal?.value, 'node', `no host '${node}' in the topology (hosts: ${hosts.join(', ')})`);
    const checksNode = top.get('checks')!.value;
    if (!isSeq(checksNode) || checksNode.items.length === 0)
      this.fail(checksNode, 'checks', 'expected a list of at least one check');
    const checks = (checksNode.items as Node[]).map((n, i) => this.check(n, i, hosts));
    return {
      name,
      builtIn: false,
      file: this.file,
      title: this.str(top.get('title')!.value, 'title'),
      summary: top.has('summary') ? this.str(top.get('summary')!.value, 'summary') : '',
      node,
      topology,
      tasks: this.prose(top.get('tasks')!.value, 'tasks'),
      hints: top.has('hints') ? this.strList(top.get('hints')!.value, 'hints') : [],
      checks,
      solution: this.strList(top.get('solution')!.value, 'solution'),
    };
  }

  /** A map's entries by key; an unknown or duplicate key is a mistake. */
  entries(
    map: YAMLMap,
    where: string,
    keys: readonly string[],
  ): Map<string, { key: Node; value: Node | null }> {
    const out = new Map<string, { key: Node; value: Node | null }>();
    for (const p of map.items as Pair<Node, Node | null>[]) {
      const k = isScalar(p.key) ? String(p.key.value) : '';
      if (!keys.includes(k))
        this.fail(p.key, where, `unknown key '${k}' (expected one of: ${keys.join(', ')})`);
      if (out.has(k))
        this.fail(p.key, where, `duplicate key '${k}' (first at line ${this.pos(out.get(k)!.key).line})`);
      out.set(k, { key: p.key, value: p.value });
    }
    return out;
  }

  str(node: Node | null, where: string): string {
    if (!isScalar(node) || node.value === null || typeof node.value === 'object')
      this.fail(node, where, 'expected a string');
    const s = String(node.value).trim();
    if (!s) this.fail(node, where, 'expected a string, got an empty one');
    return s;
  }

  int(node: Node | null, where: string, min: number, max: number): number {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      this.fail(
        node,
        where,
        `expected an integer from ${min} to ${max}${isScalar(node) ? `, got '${String(v)}'` : ''}`,
      );
    return v;
  }

  strList(node: Node | null, where: string): string[] {
    if (!isSeq(node) || node.items.length === 0) this.fail(node, where, 'expected a list of strings');
    return (node.items as Node[]).map((n, i) => this.str(n, `${where}[${i}]`));
  }

  /** Tasks: one block of prose, or a list of paragraphs (numbered when printed). */
  prose(node: Node | null, where: string): string {
    if (isSeq(node)) {
      return this.strList(node, where)
        .map((t, i) => `${i + 1}. ${t}`)
        .join('\n');
    }
    return this.str(node, where);
  }

  ip(node: Node | null, where: string): number {
    const a = parseIpv4(this.str(node, where));
    if (a === null) this.fail(node, where, `expected an IPv4 address like 192.168.1.1`);
    return a;
  }

  topology(entry: { key: Node; value: Node | null }, dir: string): TopologySpec {
    const node = entry.value;
    if (isScalar(node) && typeof node.value === 'string') {
      const file = path.resolve(dir, node.value);
      if (!fs.existsSync(file)) this.fail(node, 'topology', `${node.value}: No such file or directory`);
      const spec = loadTopologyFile(file);
      if (isTopologyError(spec)) throw new Error(spec.error);
      return spec;
    }
    if (!isMap(node) || node.flow)
      this.fail(
        node ?? entry.key,
        'topology',
        'expected a topology (a block map, as in docs/topology.md) or a file name',
      );
    // The map's lines, everything else blanked and the indent taken off: a topology file of its own whose
    // lines are the lab file's, so its errors and positions name the lab file's lines.
    const start = this.pos(node);
    const indent = start.col - 1;
    const end = this.lc.linePos(node.range![1]);
    const lastLine = end.col === 1 ? end.line - 1 : end.line;
    const text = this.lines
      .map((l, i) => {
        const n = i + 1;
        if (n < start.line || n > lastLine) return '';
        const lead = /^ */.exec(l)![0].length;
        return l.slice(Math.min(lead, indent));
      })
      .join('\n');
    const spec = parseTopology(text, this.file);
    if (isTopologyError(spec)) {
      const re = /^(.*?):(\d+):(\d+): /;
      const m = re.exec(spec.error);
      throw new Error(
        m && m[1] === this.file
          ? spec.error.replace(re, `${m[1]}:${m[2]}:${Number(m[3]) + indent}: topology.`)
          : spec.error,
      );
    }
    shiftColumns(spec, indent);
    return spec;
  }

  check(node: Node, i: number, hosts: string[]): CheckDef {
    const where = `checks[${i}]`;
    if (!isMap(node)) this.fail(node, where, `expected a map: name, and one of ${CHECK_KINDS.join(', ')}`);
    const e = this.entries(node, where, ['name', ...CHECK_KINDS]);
    if (!e.has('name')) this.fail(node, where, "missing key 'name' (what the learner reads)");
    const kinds = [...e.keys()].filter((k) => k !== 'name');
    if (kinds.length !== 1)
      this.fail(
        kinds.length ? e.get(kinds[1])!.key : node,
        where,
        `expected exactly one of ${CHECK_KINDS.join(', ')}${kinds.length ? `, got ${kinds.join(' and ')}` : ''}`,
      );
    const kind = kinds[0];
    const w = `${where}.${kind}`;
    const bodyNode = e.get(kind)!.value;
    if (!isMap(bodyNode)) this.fail(bodyNode ?? e.get(kind)!.key, w, 'expected a map');
    const body = this.body(kind, bodyNode, w, hosts);
    return { id: i + 1, name: this.str(e.get('name')!.value, `${where}.name`), pos: this.pos(node), body };
  }

  private whereOf(
    b: Map<string, { key: Node; value: Node | null }>,
    map: Node,
    w: string,
    hosts: string[],
  ): Where {
    if (!b.has('host')) this.fail(map, w, "missing key 'host'");
    const host = this.host(b.get('host')!.value, `${w}.host`, hosts);
    return { host, netns: this.netns(b, w) };
  }

  private host(node: Node | null, w: string, hosts: string[]): string {
    const h = this.str(node, w);
    if (!hosts.includes(h)) this.fail(node, w, `no host '${h}' in the topology (hosts: ${hosts.join(', ')})`);
    return h;
  }

  private netns(b: Map<string, { key: Node; value: Node | null }>, w: string): string {
    if (!b.has('netns')) return '';
    const n = this.str(b.get('netns')!.value, `${w}.netns`);
    if (!NETNS_NAME.test(n)) this.fail(b.get('netns')!.value, `${w}.netns`, `'${n}' is not a namespace name`);
    return n;
  }

  private oneOf(node: Node | null, w: string, allowed: readonly string[]): string {
    const s = this.str(node, w);
    if (!allowed.includes(s)) this.fail(node, w, `expected one of ${allowed.join(', ')}, got '${s}'`);
    return s;
  }

  private fns(node: Node | null, w: string): string[] {
    const list = isSeq(node) ? (node.items as Node[]) : [node];
    const known = new Set(KERNEL_FNS.map((f) => f.name));
    return list.map((n, i) => {
      const f = this.str(n, isSeq(node) ? `${w}[${i}]` : w);
      if (!known.has(f)) {
        const near = [...known].filter((k) => k.includes(f) || f.includes(k)).slice(0, 3);
        this.fail(
          n,
          isSeq(node) ? `${w}[${i}]` : w,
          `no kernel function '${f}' in the model${near.length ? ` (did you mean ${near.join(', ')}?)` : ''} (docs/kernel-map.md lists them)`,
        );
      }
      return f;
    });
  }

  body(kind: string, map: YAMLMap, w: string, hosts: string[]): CheckBody {
    const keys: Record<string, string[]> = {
      route: ['host', 'netns', 'to', 'via', 'dev', 'table'],
      counter: ['host', 'netns', 'snmp', 'link', 'softnet', 'qdisc', 'stat', 'at_least', 'at_most'],
      journey: ['last', 'comm', 'dst', 'host', 'netns', 'through', 'avoids', 'drop'],
      qdisc: ['host', 'netns', 'dev', 'kind'],
      sysctl: ['host', 'netns', 'name', 'value'],
      neigh: ['host', 'netns', 'dst', 'dev', 'state'],
      tcp: ['host', 'netns', 'state', 'port'],
      pmtu: ['host', 'netns', 'dst', 'mtu'],
    };
    const b = this.entries(map, w, keys[kind]);
    const need = (k: string) => {
      if (!b.has(k)) this.fail(map, w, `missing key '${k}'`);
      return b.get(k)!.value;
    };
    const opt = (k: string) => b.get(k)?.value ?? null;
    switch (kind) {
      case 'route': {
        const where = this.whereOf(b, map, w, hosts);
        const toNode = need('to');
        const to = this.str(toNode, `${w}.to`);
        const m = /^([\d.]+)(?:\/(\d+))?$/.exec(to === 'default' ? '0.0.0.0/0' : to);
        const addr = m ? parseIpv4(m[1]) : null;
        const plen = m ? Number(m[2] ?? 32) : -1;
        if (addr === null || plen < 0 || plen > 32)
          this.fail(
            toNode,
            `${w}.to`,
            `expected a prefix like 192.168.2.0/24, an address, or default, got '${to}'`,
          );
        const table = b.has('table') ? this.oneOf(opt('table'), `${w}.table`, ['main', 'local']) : 'main';
        return {
          kind,
          where,
          to: { addr, plen, text: to },
          via: b.has('via') ? this.ip(opt('via'), `${w}.via`) : null,
          dev: b.has('dev') ? this.str(opt('dev'), `${w}.dev`) : null,
          table: table as 'main' | 'local',
        };
      }
      case 'counter': {
        const where = this.whereOf(b, map, w, hosts);
        const sources = ['snmp', 'link', 'softnet', 'qdisc'].filter((k) => b.has(k));
        if (sources.length !== 1)
          this.fail(
            map,
            w,
            'expected exactly one of snmp (an nstat name), link (a device), softnet (a CPU), qdisc (a device)',
          );
        const src = sources[0];
        let counter: CounterRef;
        if (src === 'snmp') {
          if (b.has('stat'))
            this.fail(b.get('stat')!.key, w, "an snmp counter has no 'stat': the name says it all");
          const n = this.str(opt('snmp'), `${w}.snmp`);
          if (!splitSnmpName(n))
            this.fail(
              opt('snmp'),
              `${w}.snmp`,
              `no counter '${n}' in /proc/net/snmp or /proc/net/netstat (nstat's names: IpInReceives, IcmpOutEchos, TcpExtTCPTimeouts, ...)`,
            );
          counter = { kind: 'snmp', name: n };
        } else if (src === 'softnet') {
          const cpus = this.topologyCpus.get(where.host) ?? 64;
          const cpu = this.int(opt('softnet'), `${w}.softnet`, 0, cpus - 1);
          counter = {
            kind: 'softnet',
            cpu,
            stat: this.oneOf(need('stat'), `${w}.stat`, SOFTNET_STATS) as SoftnetStat,
          };
        } else if (src === 'link') {
          const dev = this.str(opt('link'), `${w}.link`);
          counter = {
            kind: 'link',
            dev,
            stat: this.oneOf(need('stat'), `${w}.stat`, LINK_STATS) as LinkStat,
          };
        } else {
          const dev = this.str(opt('qdisc'), `${w}.qdisc`);
          counter = {
            kind: 'qdisc',
            dev,
            stat: this.oneOf(need('stat'), `${w}.stat`, QDISC_STATS) as QdiscStat,
          };
        }
        const atLeast = b.has('at_least') ? this.int(opt('at_least'), `${w}.at_least`, 0, 2 ** 52) : null;
        const atMost = b.has('at_most') ? this.int(opt('at_most'), `${w}.at_most`, 0, 2 ** 52) : null;
        if (atLeast === null && atMost === null) this.fail(map, w, "missing key 'at_least' (or 'at_most')");
        return { kind, where, counter, atLeast, atMost };
      }
      case 'journey': {
        if (b.has('last') && b.has('comm'))
          this.fail(
            b.get('comm')!.key,
            w,
            "'last' and 'comm' do not go together: last names the command already",
          );
        const through = b.has('through') ? this.fns(opt('through'), `${w}.through`) : [];
        const avoids = b.has('avoids') ? this.fns(opt('avoids'), `${w}.avoids`) : [];
        const drop = b.has('drop')
          ? this.str(opt('drop'), `${w}.drop`).replace(/^SKB_DROP_REASON_/, '')
          : null;
        if (!through.length && !avoids.length && drop === null)
          this.fail(map, w, "expected 'through', 'avoids' or 'drop': what the journey must show");
        return {
          kind,
          last: b.has('last') ? this.str(opt('last'), `${w}.last`) : null,
          comm: b.has('comm') ? this.str(opt('comm'), `${w}.comm`) : null,
          dst: b.has('dst') ? this.ip(opt('dst'), `${w}.dst`) : null,
          host: b.has('host') ? this.host(opt('host'), `${w}.host`, hosts) : null,
          netns: b.has('netns') ? this.netns(b, w) : null,
          through,
          avoids,
          drop,
        };
      }
      case 'qdisc':
        return {
          kind,
          where: this.whereOf(b, map, w, hosts),
          dev: this.str(need('dev'), `${w}.dev`),
          qdisc: this.oneOf(need('kind'), `${w}.kind`, QDISC_KINDS),
        };
      case 'sysctl': {
        const where = this.whereOf(b, map, w, hosts);
        const name = this.str(need('name'), `${w}.name`);
        if (!/^[a-z0-9_]+(?:\.[a-z0-9_]+)+$/.test(name))
          this.fail(b.get('name')!.value, `${w}.name`, `expected a sysctl name like net.ipv4.ip_forward`);
        return { kind, where, name, value: this.str(need('value'), `${w}.value`) };
      }
      case 'neigh':
        return {
          kind,
          where: this.whereOf(b, map, w, hosts),
          dst: this.ip(need('dst'), `${w}.dst`),
          dev: b.has('dev') ? this.str(opt('dev'), `${w}.dev`) : null,
          state: b.has('state') ? this.oneOf(opt('state'), `${w}.state`, NEIGH_STATES) : 'valid',
        };
      case 'tcp':
        return {
          kind,
          where: this.whereOf(b, map, w, hosts),
          state: this.oneOf(need('state'), `${w}.state`, TCP_STATE_NAMES.filter(Boolean).map(ssName)),
          port: b.has('port') ? this.int(opt('port'), `${w}.port`, 1, 65535) : null,
        };
      default:
        return {
          kind: 'pmtu',
          where: this.whereOf(b, map, w, hosts),
          dst: this.ip(need('dst'), `${w}.dst`),
          mtu: this.int(need('mtu'), `${w}.mtu`, 68, 65535),
        };
    }
  }

  /** Hosts' CPU counts (softnet checks name a CPU the host has). */
  topologyCpus = new Map<string, number>();
}

/** A TCP state as ss and docs write it: TIME_WAIT, SYN_SENT, ESTABLISHED (TCP_ prefix off). */
export function ssName(kernelName: string): string {
  return kernelName.replace(/^TCP_/, '');
}

/** Positions of an inline topology are the lab file's lines, and its columns are shifted by its indent. */
function shiftColumns(spec: TopologySpec, indent: number): void {
  const seen = new Set<object>();
  const walk = (o: unknown): void => {
    if (!o || typeof o !== 'object' || seen.has(o)) return;
    seen.add(o);
    const r = o as Record<string, unknown>;
    if (typeof r.line === 'number' && typeof r.col === 'number' && Object.keys(r).length === 2) {
      if (r.line > 0) r.col = (r.col as number) + indent;
      return;
    }
    for (const v of Object.values(r)) walk(v);
  };
  for (const h of spec.hosts) walk(h);
  walk(spec.wires);
}

/** Parse a lab's text; `file` is what errors name, `dir` where a topology file name is looked up. */
export function parseLab(text: string, file: string, name: string, dir: string): LabDef | LabError {
  const p = new Parser(text, file);
  try {
    return p.parse(name, dir);
  } catch (e) {
    if (e instanceof LabFileError)
      return { error: `${file}:${e.pos.line}:${e.pos.col}: ${e.where ? e.where + ': ' : ''}${e.message}` };
    if (e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError))
      return { error: e.message };
    throw e;
  }
}

/** The folder of the labs that come with skblab: labs/ at the top of the repository. */
export function labsDir(): string {
  // dist/skblab.js (the bundle) or apps/cli/src/lab/*.ts (tests): the repository is above both.
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.join(dir, 'labs');
}

/** The names of the labs in labs/, sorted by their file names (which start with a number). */
export function labNames(): string[] {
  const dir = labsDir();
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => f.replace(/\.yaml$/, ''));
}

/**
 * A lab by name (labs/NAME.yaml; a leading number and dash may be left out: 'loopback' finds
 * 01-loopback.yaml) or by path (anything with a slash or ending in .yaml).
 */
export function loadLab(nameOrPath: string): LabDef | LabError {
  let file: string;
  let name: string;
  if (nameOrPath.includes('/') || nameOrPath.endsWith('.yaml') || nameOrPath.endsWith('.yml')) {
    file = nameOrPath;
    name = path.basename(nameOrPath).replace(/\.ya?ml$/, '');
    if (!fs.existsSync(file)) return { error: `skblab lab: ${file}: No such file or directory` };
  } else {
    const names = labNames();
    const found = names.find((n) => n === nameOrPath || n.replace(/^\d+-/, '') === nameOrPath);
    if (!found)
      return {
        error: `skblab lab: no lab '${nameOrPath}' (labs: ${names.map((n) => n.replace(/^\d+-/, '')).join(', ')})`,
      };
    name = found.replace(/^\d+-/, '');
    file = path.join(labsDir(), `${found}.yaml`);
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return { error: `skblab lab: ${file}: ${fileError(e)}` };
  }
  const shown = path.relative(process.cwd(), file) || file;
  const def = parseLab(text, shown.startsWith('..') ? file : shown, name, path.dirname(file));
  if (!isLabError(def)) def.builtIn = path.dirname(path.resolve(file)) === labsDir();
  return def;
}
