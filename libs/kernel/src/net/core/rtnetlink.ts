/**
 * net/core/rtnetlink.c and friends: the configuration requests `ip` sends (RTM_NEWLINK, RTM_SETLINK,
 * RTM_NEWADDR, RTM_NEWROUTE, ...). Each returns 0 or -errno, with the extack message the kernel attaches
 * where it attaches one, so `ip` can print exactly what iproute2 prints.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { Host, Net } from '../../include/net/net_namespace';
import type { NetDevice } from '../../include/linux/netdevice';
import { IFF_UP } from '../../include/linux/netdevice';
import {
  RTN_UNICAST,
  RTPROT_BOOT,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
  type FibEntry,
} from '../../include/net/route';
import { EEXIST, EINVAL, ENETUNREACH, ENODEV, ESRCH } from '../../include/linux/errno';
import { veth_newlink } from '../../drivers/net/veth';
import { fibDisableIp, fibEnableIp } from '../ipv4/fib_frontend';
import { inetInsertIfa } from '../ipv4/devinet';
import { fibTableDelete, fibTableInsert, inetMakeMask } from '../ipv4/fib_trie';
import { fibLookup } from '../ipv4/route';
import { neigh_ifdown } from './neighbour';
import { setup_net } from './net_namespace';

export interface RtnlResult {
  err: number;
  extack?: string;
}

const OK: RtnlResult = { err: 0 };

export function dev_get_by_name(net: Net, name: string): NetDevice | undefined {
  return net.devices.find((d) => d.name === name);
}

export function dev_get_by_index(net: Net, ifindex: number): NetDevice | undefined {
  return net.devices.find((d) => d.ifindex === ifindex);
}

function allocIfindex(net: Net, want = 0): number {
  if (want && !dev_get_by_index(net, want)) return want;
  while (dev_get_by_index(net, net.ifindexNext)) net.ifindexNext++;
  return net.ifindexNext++;
}

/** eth_hw_addr_random: a random, locally administered unicast address. */
function randomMac(ctx: KernelCtx): Uint8Array {
  const a = new Uint8Array(6);
  for (let i = 0; i < 6; i++) a[i] = ctx.random32() & 0xff;
  a[0] = (a[0] & 0xfe) | 0x02;
  return a;
}

/** `ip netns add`: a new namespace on the host. */
export function netns_add(host: Host, name: string): RtnlResult {
  if (host.namedNets.has(name)) return { err: -EEXIST };
  host.namedNets.set(name, setup_net(host, name));
  return OK;
}

/** `ip netns del`: the namespace goes; a veth end inside it takes its peer with it. */
export function netns_del(ctx: KernelCtx, host: Host, name: string): RtnlResult {
  const net = host.namedNets.get(name);
  if (!net) return { err: -ENODEV };
  for (const dev of [...net.devices]) if (dev.ops.kind === 'veth') unregister_netdevice(ctx, dev);
  net.alive = false;
  host.namedNets.delete(name);
  return OK;
}

/** veth_newlink via RTM_NEWLINK: the peer registers first, so it gets the lower ifindex. */
export function rtnl_newlink_veth(ctx: KernelCtx, net: Net, name: string, peerNet: Net, peerName: string): RtnlResult {
  if (dev_get_by_name(net, name) || dev_get_by_name(peerNet, peerName) || (net === peerNet && name === peerName))
    return { err: -EEXIST };
  const peerIdx = allocIfindex(peerNet);
  const idx = allocIfindex(net);
  const [a, b] = veth_newlink(net, name, peerNet, peerName, idx, peerIdx, randomMac(ctx), randomMac(ctx));
  peerNet.devices.push(b);
  net.devices.push(a);
  return OK;
}

/** unregister_netdevice: a veth pair always goes as a pair. */
export function unregister_netdevice(ctx: KernelCtx, dev: NetDevice): RtnlResult {
  if (dev.ops.kind === 'loopback') return { err: -EINVAL, extack: undefined };
  for (const d of dev.peer ? [dev, dev.peer] : [dev]) {
    dev_close(ctx, d);
    d.net.ifaddrs = d.net.ifaddrs.filter((i) => i.dev !== d);
    d.net.devices = d.net.devices.filter((x) => x !== d);
  }
  return OK;
}

/** dev_open: IFF_UP, carrier for a veth whose peer is up, and the address routes (NETDEV_UP). */
export function dev_open(_ctx: KernelCtx, dev: NetDevice): void {
  if (dev.flags & IFF_UP) return;
  dev.flags |= IFF_UP;
  if (dev.ops.kind === 'veth') {
    if (dev.peer && dev.peer.flags & IFF_UP) {
      dev.carrier = true;
      dev.peer.carrier = true;
    }
  } else dev.carrier = true;
  // inetdev_event(NETDEV_UP): lo that comes up without an address gets 127.0.0.1/8.
  if (dev.ops.kind === 'loopback' && !dev.net.ifaddrs.some((i) => i.dev === dev))
    inetInsertIfa(dev.net, dev, 0x7f000001, 8, null, null);
  fibEnableIp(dev.net, dev);
}

/** dev_close: NETDEV_DOWN takes the routes through the device and its neighbours. */
export function dev_close(ctx: KernelCtx, dev: NetDevice): void {
  if (!(dev.flags & IFF_UP)) return;
  dev.flags &= ~IFF_UP;
  if (dev.ops.kind === 'veth') {
    dev.carrier = false;
    if (dev.peer) dev.peer.carrier = false;
  }
  fibDisableIp(dev.net, dev);
  neigh_ifdown(ctx, dev.net, dev);
}

/** dev_set_mtu: within [min_mtu, max_mtu], with the extack messages of dev_validate_mtu. */
export function dev_set_mtu(dev: NetDevice, mtu: number): RtnlResult {
  if (mtu < 0 || mtu < dev.minMtu) return { err: -EINVAL, extack: 'mtu less than device minimum' };
  if (dev.maxMtu > 0 && mtu > dev.maxMtu) return { err: -EINVAL, extack: 'mtu greater than device maximum' };
  dev.mtu = mtu;
  return OK;
}

/** dev_change_net_namespace: the device leaves down, without addresses, keeping its ifindex if free. */
export function dev_change_net_namespace(ctx: KernelCtx, dev: NetDevice, target: Net): RtnlResult {
  if (dev.ops.kind === 'loopback') return { err: -EINVAL };
  if (dev.net === target) return OK;
  if (dev_get_by_name(target, dev.name)) return { err: -EEXIST };
  dev_close(ctx, dev);
  const from = dev.net;
  from.ifaddrs = from.ifaddrs.filter((i) => i.dev !== dev);
  from.devices = from.devices.filter((d) => d !== dev);
  dev.ifindex = allocIfindex(target, dev.ifindex);
  dev.net = target;
  target.devices.push(dev);
  return OK;
}

export interface RouteSpec {
  dst: number;
  plen: number;
  gw: number;
  dev: NetDevice | null;
  metric: number;
  type: number;
  protocol: number;
  scope: number | null;
  table: number;
  prefsrc: number;
  mtu: number;
}

/** inet_rtm_newroute → fib_table_insert, with fib_create_info's nexthop checks. */
export function inet_rtm_newroute(net: Net, r: RouteSpec, replace = false): RtnlResult {
  const dst = (r.dst & inetMakeMask(r.plen)) >>> 0;
  if (dst !== r.dst) return { err: -EINVAL, extack: 'Invalid prefix for given prefix length' };
  let dev = r.dev;
  let scope = r.scope ?? (r.gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
  if (r.gw) {
    // fib_check_nh: the gateway must be reachable by a link-scope (connected) route.
    const nh = fibLookup(net, r.gw);
    if (!nh || nh.type !== RTN_UNICAST || nh.gw || (dev && nh.dev !== dev))
      return { err: -ENETUNREACH, extack: 'Nexthop has invalid gateway' };
    dev = nh.dev;
  } else if (!dev) return { err: -ENODEV, extack: 'Nexthop device required for onlink' };
  if (dev && !(dev.flags & IFF_UP)) return { err: -ENETUNREACH, extack: 'Nexthop device is not up' };
  if (r.scope === null && !r.gw && r.type !== RTN_UNICAST) scope = RT_SCOPE_UNIVERSE;
  const same = net.fib.find((e) => e.table === r.table && e.dst === dst && e.plen === r.plen && e.priority === r.metric);
  if (same) {
    if (!replace) return { err: -EEXIST };
    fibTableDelete(net, (e) => e === same);
  }
  const e: FibEntry = {
    table: r.table,
    type: r.type,
    dst,
    plen: r.plen,
    dev,
    gw: r.gw,
    protocol: r.protocol || RTPROT_BOOT,
    scope,
    prefsrc: r.prefsrc,
    priority: r.metric,
    mtu: r.mtu,
    fromIfaddr: false,
  };
  fibTableInsert(net, e);
  return OK;
}

/** inet_rtm_delroute → fib_table_delete: -ESRCH when nothing matches. */
export function inet_rtm_delroute(net: Net, r: Partial<RouteSpec> & { dst: number; plen: number; table: number }): RtnlResult {
  const n = fibTableDelete(
    net,
    (e) =>
      e.table === r.table &&
      e.dst === r.dst &&
      e.plen === r.plen &&
      (!r.gw || e.gw === r.gw) &&
      (!r.dev || e.dev === r.dev) &&
      (r.metric === undefined || r.metric < 0 || e.priority === r.metric),
  );
  return n ? OK : { err: -ESRCH };
}

export { RT_TABLE_MAIN };
