/**
 * The lab's counters in Redis. Each process counts in its own view (the kernel code increments plain
 * fields); at each flush it sends what changed since the last one as HINCRBYFLOAT deltas, so Redis holds the
 * sum of every service's counting, which is the lab's count (each increment happens in exactly one
 * service). The shell loads those totals before it shows /proc, `ip -s` or softnet_stat: only the hashes
 * that changed since it last looked (each flush stamps the hashes it touched in `counters-changed` with a
 * sequence number), so a lab of a thousand hosts costs a command what the hosts it touched cost.
 *
 *   skblab:<lab>:counters:<host>            hash  softnet.<cpu>.<field>     (softnet_stat)
 *                                                 irq.<irq>.<cpu>           (/proc/interrupts)
 *   skblab:<lab>:counters:<host>:<netns>    hash  <mib>.<index>             (/proc/net/snmp; netstat:
 *                                                                           linux.<i> TcpExt, ipExt.<i>)
 *                                                 dev.<name>.<field>        (ip -s link, /proc/net/dev)
 *                                                 nic.<name>.{hw,txN,rxN}.<field>  (a NIC's rings and MAC:
 *                                                                           ethtool -S, ip -s link)
 *                                                 qdisc.<name>.<id>.<field> (tc -s qdisc: each qdisc's own)
 */
import { igb_adapter, tc_dump_qdiscs } from '@skblab/kernel';
import type { Lab } from '@skblab/runtime';

type Slot = Record<string | number, number>;

const MIBS = ['ip', 'icmp', 'icmpMsgIn', 'icmpMsgOut', 'tcp', 'udp', 'udplite'] as const;
const SOFTNET = ['processed', 'dropped', 'timeSqueeze', 'receivedRps', 'flowLimitCount'] as const;

/** Every counter of a lab view as flat columns: obj[prop] is kept in hash key under `${prefix}.${prop}`. */
interface Layout {
  /** What the layout was built from: rebuilt when hosts, namespaces or devices come or go. */
  shape: string;
  /** Each host's slots: [first, end). */
  hostRange: Map<string, [number, number]>;
  /** Each hash's slots. */
  keySlots: Map<string, number[]>;
  key: string[];
  prefix: string[];
  obj: Slot[];
  prop: Array<string | number>;
  last: Float64Array;
}

function shapeOf(lab: Lab): string {
  let s = '';
  for (const h of lab.hosts.values()) {
    s += `${h.name}/${h.softnet.length}:`;
    for (const net of [h.initNet, ...h.namedNets.values()]) {
      s += `${net.name}(`;
      for (const d of net.devices)
        s += `${d.name}:${tc_dump_qdiscs(d)
          .map((q) => q.id)
          .join('/')},`;
      s += ')';
    }
  }
  return s;
}

function layoutOf(lab: Lab, shape: string): Layout {
  const l: Layout = {
    shape,
    hostRange: new Map(),
    keySlots: new Map(),
    key: [],
    prefix: [],
    obj: [],
    prop: [],
    last: new Float64Array(0),
  };
  const add = (key: string, prefix: string, obj: Slot, prop: string | number) => {
    let slots = l.keySlots.get(key);
    if (!slots) l.keySlots.set(key, (slots = []));
    slots.push(l.key.length);
    l.key.push(key);
    l.prefix.push(prefix);
    l.obj.push(obj);
    l.prop.push(prop);
  };
  for (const h of lab.hosts.values()) {
    const first = l.key.length;
    const hk = `counters:${h.name}`;
    for (const sd of h.softnet)
      for (const f of SOFTNET) add(hk, `softnet.${sd.cpu}`, sd as unknown as Slot, f);
    for (const irq of h.irqs)
      for (let c = 0; c < irq.counts.length; c++) add(hk, `irq.${irq.irq}`, irq.counts as unknown as Slot, c);
    for (const net of [h.initNet, ...h.namedNets.values()]) {
      const nk = `counters:${h.name}:${net.name}`;
      for (const m of MIBS) {
        const arr = net.mib[m] as unknown as Slot;
        for (let i = 0; i < net.mib[m].length; i++) add(nk, m, arr, i);
      }
      // /proc/net/netstat: TcpExt (counted where TCP runs) and IpExt (where IP runs: another service).
      for (const [m, arr] of [
        ['linux', net.linuxMib],
        ['ipExt', net.ipExtMib],
      ] as const)
        for (let i = 0; i < arr.length; i++) add(nk, m, arr as unknown as Slot, i);
      for (const d of net.devices) {
        const st = d.stats as unknown as Slot;
        for (const f of Object.keys(st)) add(nk, `dev.${d.name}`, st, f);
        const addAll = (prefix: string, o: object): void => {
          for (const f of Object.keys(o)) add(nk, prefix, o as Slot, f);
        };
        const nic = igb_adapter(d);
        if (nic) {
          addAll(`nic.${d.name}.hw`, nic.hw);
          for (const q of nic.qVectors) {
            addAll(`nic.${d.name}.tx${q.index}`, q.txRing.stats);
            addAll(`nic.${d.name}.rx${q.index}`, q.rxRing.stats);
          }
        }
        for (const q of tc_dump_qdiscs(d)) addAll(`qdisc.${d.name}.${q.id}`, q.stats);
      }
    }
    l.hostRange.set(h.name, [first, l.key.length]);
  }
  l.last = new Float64Array(l.obj.length);
  return l;
}

export class CounterSync {
  private layout: Layout | null = null;
  private stale = true;

  /**
   * The lab's shape may have changed (a configuration line ran: a device, a namespace or a qdisc came or
   * went): look again at the next flush. Walking a thousand hosts' devices at every flush would cost more
   * than the flush.
   */
  invalidate(): void {
    this.stale = true;
  }

  /** The layout for the lab as it is now (rebuilt when hosts, namespaces or devices changed). */
  private current(lab: Lab): Layout {
    if (this.layout && !this.stale) return this.layout;
    this.stale = false;
    const shape = shapeOf(lab);
    if (this.layout?.shape === shape) return this.layout;
    const old = this.layout;
    const l = layoutOf(lab, shape);
    // Counters that existed before keep what was last sent; new ones (a new device) start from zero, so
    // what they counted before this flush is sent too.
    const was = new Map<string, number>();
    if (old)
      for (let i = 0; i < old.obj.length; i++)
        was.set(`${old.key[i]}|${old.prefix[i]}.${old.prop[i]}`, old.last[i]);
    for (let i = 0; i < l.obj.length; i++) {
      const prev = was.get(`${l.key[i]}|${l.prefix[i]}.${l.prop[i]}`);
      l.last[i] = prev ?? 0;
    }
    this.layout = l;
    return l;
  }

  /**
   * The changes since the last call (or load), as [hash, field, delta]: of `hosts` only (the hosts this
   * process worked for since), or of every host.
   */
  deltas(lab: Lab, hosts?: Iterable<string>): Array<[string, string, number]> {
    const l = this.current(lab);
    const out: Array<[string, string, number]> = [];
    const { obj, prop, last } = l;
    const scan = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        const v = obj[i][prop[i]];
        if (v !== last[i]) {
          out.push([l.key[i], `${l.prefix[i]}.${prop[i]}`, v - last[i]]);
          last[i] = v;
        }
      }
    };
    if (!hosts) scan(0, obj.length);
    else
      for (const h of hosts) {
        const r = l.hostRange.get(h);
        if (r) scan(r[0], r[1]);
      }
    return out;
  }

  /** The hashes to read for load(). */
  keys(lab: Lab): string[] {
    return [...this.current(lab).keySlots.keys()];
  }

  /** Take the lab's totals (hash -> field -> value) as this view's counters, for the hashes given. */
  load(lab: Lab, totals: Map<string, Record<string, string>>): void {
    const l = this.current(lab);
    for (const [key, fields] of totals) {
      for (const i of l.keySlots.get(key) ?? []) {
        const t = fields[`${l.prefix[i]}.${l.prop[i]}`];
        if (t === undefined) continue;
        const v = Number(t);
        l.obj[i][l.prop[i]] = v;
        l.last[i] = v;
      }
    }
  }
}
