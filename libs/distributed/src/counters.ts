/**
 * The lab's counters in Redis. Each process counts in its own view (the kernel code increments plain
 * fields); at each flush it sends what changed since the last one as HINCRBYFLOAT deltas, so Redis holds the
 * sum of every service's counting, which is the lab's count (each increment happens in exactly one
 * service). The shell loads those totals before it shows /proc, `ip -s` or `sysctl`-free counters.
 *
 *   skblab:<lab>:counters:<host>            hash  softnet.<cpu>.<field>     (softnet_stat)
 *   skblab:<lab>:counters:<host>:<netns>    hash  <mib>.<index>             (/proc/net/snmp, netstat)
 *                                                 dev.<name>.<field>        (ip -s link, /proc/net/dev)
 */
import type { Lab } from '@skblab/runtime';

type Slot = Record<string | number, number>;
/** A counter is obj[prop], kept in Redis hash `key` under the field `${prefix}.${prop}`. */
type Visit = (key: string, prefix: string, obj: Slot, prop: string | number) => void;

const MIBS = ['ip', 'icmp', 'icmpMsgIn', 'icmpMsgOut', 'tcp', 'udp', 'udplite'] as const;
const SOFTNET = ['processed', 'dropped', 'timeSqueeze', 'receivedRps', 'flowLimitCount'] as const;

/** Every counter of the lab view, with the Redis hash and field it is kept under. */
function walk(lab: Lab, visit: Visit): void {
  for (const h of lab.hosts.values()) {
    const hk = `counters:${h.name}`;
    for (const sd of h.softnet)
      for (const f of SOFTNET) visit(hk, `softnet.${sd.cpu}`, sd as unknown as Slot, f);
    for (const net of [h.initNet, ...h.namedNets.values()]) {
      const nk = `counters:${h.name}:${net.name}`;
      for (const m of MIBS) {
        const arr = net.mib[m] as unknown as Slot;
        const n = net.mib[m].length;
        for (let i = 0; i < n; i++) visit(nk, m, arr, i);
      }
      for (const d of net.devices) {
        const st = d.stats as unknown as Slot;
        const prefix = `dev.${d.name}`;
        for (const f of Object.keys(st)) visit(nk, prefix, st, f);
      }
    }
  }
}

export class CounterSync {
  /** What was last sent or loaded, per counter holder. */
  private shadow = new WeakMap<object, Slot>();

  private shadowOf(obj: Slot): Slot {
    let s = this.shadow.get(obj);
    if (!s) {
      s = ArrayBuffer.isView(obj)
        ? (new Float64Array((obj as unknown as Float64Array).length) as unknown as Slot)
        : {};
      this.shadow.set(obj, s);
    }
    return s;
  }

  /** The changes since the last call (or load), as [hash, field, delta]. */
  deltas(lab: Lab): Array<[string, string, number]> {
    const out: Array<[string, string, number]> = [];
    walk(lab, (key, prefix, obj, prop) => {
      const v = obj[prop];
      const s = this.shadowOf(obj);
      const prev = s[prop] ?? 0;
      if (v !== prev) {
        out.push([key, `${prefix}.${prop}`, v - prev]);
        s[prop] = v;
      }
    });
    return out;
  }

  /** The hashes to read for load(). */
  keys(lab: Lab): string[] {
    const keys = new Set<string>();
    walk(lab, (key) => keys.add(key));
    return [...keys];
  }

  /** Take the lab's totals (hash -> field -> value) as this view's counters. */
  load(lab: Lab, totals: Map<string, Record<string, string>>): void {
    walk(lab, (key, prefix, obj, prop) => {
      const t = totals.get(key)?.[`${prefix}.${prop}`];
      if (t === undefined) return;
      const v = Number(t);
      obj[prop] = v;
      this.shadowOf(obj)[prop] = v;
    });
  }
}
