/**
 * The neighbour tables in Redis. The neigh service owns them (neigh_output, arp_rcv and the neighbour
 * timers run there); after each flush it writes each namespace's table when it changed, and the shell takes
 * them before a command, so `ip neigh` shows what the neigh service knows.
 *
 *   skblab:<lab>:neigh:<host>:<netns>   string  JSON [{dev, key, ha, state, updated, confirmed, used, probes}]
 */
import type { Net, Neighbour } from '@skblab/kernel';
import type { Lab } from '@skblab/runtime';

interface NeighRecord {
  dev: number;
  key: number;
  ha: number[];
  state: number;
  updated: number;
  confirmed: number;
  used: number;
  probes: number;
  hh: boolean;
}

const nets = (lab: Lab, only?: Iterable<string>): Array<[string, Net]> =>
  (only ? [...only].flatMap((n) => lab.hosts.get(n) ?? []) : [...lab.hosts.values()]).flatMap((h) =>
    [h.initNet, ...h.namedNets.values()].map((n): [string, Net] => [`neigh:${h.name}:${n.name}`, n]),
  );

function recordOf(n: Neighbour): NeighRecord {
  return {
    dev: n.dev.ifindex,
    key: n.key,
    ha: [...n.ha],
    state: n.nudState,
    updated: n.updated,
    confirmed: n.confirmed,
    used: n.used,
    probes: n.probes,
    hh: n.hhCached,
  };
}

export class NeighbourMirror {
  private last = new Map<string, string>();

  /** The tables that changed since the last call, as [key, JSON]: of `hosts` only, or of every host. */
  changed(lab: Lab, hosts?: Iterable<string>): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [key, net] of nets(lab, hosts)) {
      const json = JSON.stringify([...net.arpTbl.values()].map(recordOf));
      if ((this.last.get(key) ?? '[]') !== json) {
        this.last.set(key, json);
        out.push([key, json]);
      }
    }
    return out;
  }

  keys(lab: Lab): string[] {
    return nets(lab).map(([k]) => k);
  }

  /** Show the owner's tables in this view (display copies: their timers never run here). */
  load(lab: Lab, tables: Map<string, string | null>): void {
    for (const [key, net] of nets(lab)) {
      const json = tables.get(key);
      if (json === undefined || json === null) continue;
      for (const n of net.arpTbl.values()) if (n.timer?.pending) lab.delTimer(n.timer);
      net.arpTbl.clear();
      for (const r of JSON.parse(json) as NeighRecord[]) {
        const dev = net.devices.find((d) => d.ifindex === r.dev);
        if (!dev) continue;
        const n: Neighbour = {
          key: r.key,
          dev,
          ha: Uint8Array.from(r.ha),
          nudState: r.state,
          updated: r.updated,
          confirmed: r.confirmed,
          used: r.used,
          probes: r.probes,
          arpQueue: [],
          arpQueueLen: 0,
          timer: null as unknown as Neighbour['timer'],
          reachableTime: net.arpParms.baseReachableTime,
          dead: false,
          probeSaddr: 0,
          hhCached: r.hh,
        };
        n.timer = { fn: () => undefined, arg: n, expires: 0, pending: false, host: net.host, cpu: 0, seq: 0 };
        net.arpTbl.set(`${dev.ifindex}:${r.key}`, n);
      }
    }
  }
}
