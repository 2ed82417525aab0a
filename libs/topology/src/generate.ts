/**
 * Topologies built in code, with no file: the lab `skblab shell` builds when no -f is given, and the
 * data-centre shape of the scale benchmark. Their positions are line 0, col 0 (`at` prints '<generated>').
 */
import { DEFAULTS, HOST_NAME, LIMITS, defaultWire } from './limits';
import type { HostSpec, NicSpec, Pos, TopologySpec, WireSpec } from './spec';

const FILE = '<generated>';
const NOWHERE: Pos = { line: 0, col: 0 };

function nic(name: string, addresses: string[]): NicSpec {
  return {
    name,
    mac: null,
    mtu: DEFAULTS.mtu,
    queues: DEFAULTS.queues,
    rxRing: DEFAULTS.ring,
    txRing: DEFAULTS.ring,
    irqAffinity: null,
    addresses: addresses.map((cidr) => ({ cidr, pos: NOWHERE })),
    pos: NOWHERE,
  };
}

function host(name: string, cpus: number, nics: NicSpec[], routes: string[], forwarding = false): HostSpec {
  return {
    name,
    cpus,
    nics,
    routes: routes.map((route) => ({ route, pos: NOWHERE })),
    sysctls: forwarding ? [{ name: 'net.ipv4.ip_forward', value: '1', pos: NOWHERE }] : [],
    exec: [],
    pos: NOWHERE,
  };
}

function wire(a: string, aNic: string, b: string, bNic: string): WireSpec {
  return defaultWire({ host: a, nic: aNic }, { host: b, nic: bNic }, NOWHERE);
}

/** host1 (192.168.1.1/24) and host2 (192.168.1.2/24), 2 CPUs each, eth0 to eth0 on one default wire. */
export function defaultTopology(): TopologySpec {
  return {
    file: FILE,
    hosts: [
      host('host1', DEFAULTS.cpus, [nic('eth0', ['192.168.1.1/24'])], []),
      host('host2', DEFAULTS.cpus, [nic('eth0', ['192.168.1.2/24'])], []),
    ],
    wires: [wire('host1', 'eth0', 'host2', 'eth0')],
  };
}

function checkCount(what: string, n: number, min: number, max: number): void {
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`racksTopology: ${what} must be an integer from ${min} to ${max}, got ${n}`);
  }
}

/**
 * A data centre: a core router `core`, rack routers `rack1`..`rackR`, and hosts `r1h1`, `r1h2`, … each
 * on its own /30 to its rack router.
 *
 * - rack r's uplink, 10.0.r.0/30: core's eth<r-1> is .1, rack r's eth0 is .2 (its default route);
 *   core routes 10.r.0.0/16 via 10.0.r.2;
 * - host h of rack r, 10.r.h.0/30: the rack router's eth<h> is .1 (the host's default route), the
 *   host's eth0 is .2.
 *
 * The routers forward (net.ipv4.ip_forward=1). Every NIC has 1 queue, 256-descriptor rings, MTU 1500;
 * every wire the defaults (no delay, 1 Gbit/s).
 */
export function racksTopology(opts: { racks: number; hostsPerRack: number; cpus?: number }): TopologySpec {
  const { racks, hostsPerRack } = opts;
  const cpus = opts.cpus ?? DEFAULTS.cpus;
  checkCount('racks', racks, 1, 250);
  checkCount('hostsPerRack', hostsPerRack, 1, 250);
  checkCount('cpus', cpus, LIMITS.cpus[0], LIMITS.cpus[1]);

  const coreNics: NicSpec[] = [];
  const coreRoutes: string[] = [];
  const routers: HostSpec[] = [];
  const hosts: HostSpec[] = [];
  const wires: WireSpec[] = [];
  for (let r = 1; r <= racks; r++) {
    const rack = `rack${r}`;
    coreNics.push(nic(`eth${r - 1}`, [`10.0.${r}.1/30`]));
    coreRoutes.push(`10.${r}.0.0/16 via 10.0.${r}.2`);
    const rackNics = [nic('eth0', [`10.0.${r}.2/30`])];
    wires.push(wire('core', `eth${r - 1}`, rack, 'eth0'));
    for (let h = 1; h <= hostsPerRack; h++) {
      const name = `r${r}h${h}`;
      rackNics.push(nic(`eth${h}`, [`10.${r}.${h}.1/30`]));
      hosts.push(host(name, cpus, [nic('eth0', [`10.${r}.${h}.2/30`])], [`default via 10.${r}.${h}.1`]));
      wires.push(wire(rack, `eth${h}`, name, 'eth0'));
    }
    routers.push(host(rack, cpus, rackNics, [`default via 10.0.${r}.1`], true));
  }
  const core = host('core', cpus, coreNics, coreRoutes, true);
  const all = [core, ...routers, ...hosts];
  for (const h of all) if (!HOST_NAME.test(h.name)) throw new Error(`racksTopology: bad host name ${h.name}`);
  return { file: FILE, hosts: all, wires };
}
