/**
 * Link state that `ip` prints but the kernel model does not keep, rebuilt the way the kernel builds it:
 *
 * - netns ids (net->netns_ids): peernet2id_alloc() hands out the lowest free id when a namespace first
 *   has to name another one: a device moved there (IFLA_NEW_NETNSID), a veth whose peer lives there.
 * - operstate (linkwatch's default_operstate), recomputed only on a link event (admin up/down or carrier
 *   change), so it can be stale exactly as it is on Linux.
 * - carrier_changes (`transns` in `ip -s -s link`) and the root qdisc (noop until the device first
 *   goes up, noqueue from then on).
 *
 * Only `ip` changes links in a lab, so observing every namespace before and after each `ip` command sees
 * every event in order.
 */
import { IFF_UP, fib_get_table, type Host, type Net, type NetDevice } from '@skblab/kernel';

export type Operstate = 'UNKNOWN' | 'NOTPRESENT' | 'DOWN' | 'LOWERLAYERDOWN' | 'TESTING' | 'DORMANT' | 'UP';

interface DevState {
  net: Net;
  up: boolean;
  carrier: boolean;
  operstate: Operstate;
  carrierChanges: number;
  everUp: boolean;
}

const devs = new WeakMap<NetDevice, DevState>();
const nsids = new WeakMap<Net, Map<Net, number>>();

export function allNets(host: Host): Net[] {
  return [host.initNet, ...host.namedNets.values()];
}

/** default_operstate (net/core/link_watch.c) for a running device. */
function defaultOperstate(dev: NetDevice): Operstate {
  if (dev.ops.kind === 'loopback') return 'UNKNOWN';
  if (!dev.carrier) {
    // iflink: a veth's is its peer's ifindex, looked up (by index) in the device's own namespace.
    const iflink = dev.peer ? dev.peer.ifindex : 0;
    if (iflink === dev.ifindex) return 'DOWN';
    const peer = dev.net.devices.find((d) => d.ifindex === iflink);
    if (!peer) return 'DOWN';
    return peer.carrier ? 'DOWN' : 'LOWERLAYERDOWN';
  }
  return 'UP';
}

function observeDev(dev: NetDevice): DevState {
  const up = (dev.flags & IFF_UP) !== 0;
  let st = devs.get(dev);
  if (!st) {
    // A new device: a veth is registered then netif_carrier_off()'d (one carrier change).
    st = {
      net: dev.net,
      up,
      carrier: dev.carrier,
      operstate: up ? defaultOperstate(dev) : 'DOWN',
      carrierChanges: dev.ops.kind === 'veth' ? (dev.carrier ? 2 : 1) : 0,
      everUp: up,
    };
    devs.set(dev, st);
    return st;
  }
  if (st.net !== dev.net) {
    // dev_change_net_namespace: dev_shutdown() leaves the noop qdisc until the device goes up again.
    st.net = dev.net;
    st.everUp = up;
  }
  if (st.up === up && st.carrier === dev.carrier) return st;
  if (st.carrier !== dev.carrier) st.carrierChanges++;
  st.up = up;
  st.carrier = dev.carrier;
  st.everUp ||= up;
  st.operstate = up ? defaultOperstate(dev) : 'DOWN';
  return st;
}

/** Record the link events that happened since the last look. */
export function observe(host: Host): void {
  for (const net of allNets(host)) {
    for (const dev of net.devices) observeDev(dev);
  }
}

export function operstate(dev: NetDevice): Operstate {
  return observeDev(dev).operstate;
}

export function carrierChanges(dev: NetDevice): number {
  return observeDev(dev).carrierChanges;
}

export function qdisc(dev: NetDevice): string {
  return observeDev(dev).everUp ? dev.qdisc.ops.id : 'noop';
}

function ids(net: Net): Map<Net, number> {
  let m = nsids.get(net);
  if (!m) nsids.set(net, (m = new Map()));
  // cleanup_net: a namespace that died leaves every other namespace's id table.
  for (const peer of [...m.keys()]) if (!peer.alive) m.delete(peer);
  return m;
}

/** peernet2id: the id `net` knows `peer` by, or -1 (NETNSA_NSID_NOT_ASSIGNED). */
export function peernet2id(net: Net, peer: Net): number {
  return ids(net).get(peer) ?? -1;
}

/** peernet2id_alloc: the lowest free id, assigned on first need. */
export function peernet2idAlloc(net: Net, peer: Net): number {
  if (net === peer || !peer.alive) return -1;
  const m = ids(net);
  const have = m.get(peer);
  if (have !== undefined) return have;
  const used = new Set(m.values());
  let id = 0;
  while (used.has(id)) id++;
  m.set(peer, id);
  return id;
}

/** The namespaces `net` has ids for, by id. */
export function nsidList(net: Net): Array<[number, Net]> {
  return [...ids(net).entries()].map(([n, id]) => [id, n] as [number, Net]).sort((a, b) => a[0] - b[0]);
}

/** get_name_from_nsid: the `ip netns` name of the namespace `net` knows by `id`, if it has one. */
export function netnsNameOf(host: Host, net: Net, id: number): string | null {
  if (id < 0) return null;
  for (const [name, peer] of host.namedNets) if (peernet2id(net, peer) === id) return name;
  return null;
}

/**
 * fib_get_table, as the route dump's table filter sees it: the kernel's tables, and main, which iproute2's
 * non-strict dump never asks the kernel about (ip route show works in a namespace with no table yet).
 */
export function tableExists(net: Net, id: number): boolean {
  return id === 254 || fib_get_table(net, id);
}

/** RTM_NEWNSID (`ip netns set NAME ID`): the extack message on failure. */
export function setNsid(net: Net, peer: Net, id: number): string | null {
  const m = ids(net);
  if (m.has(peer)) return 'Peer netns already has a nsid assigned';
  if (id >= 0 && [...m.values()].includes(id)) return 'The specified nsid is already used';
  if (id < 0) peernet2idAlloc(net, peer);
  else m.set(peer, id);
  return null;
}
