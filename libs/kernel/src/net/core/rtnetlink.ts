/**
 * net/core/rtnetlink.c and friends: the configuration requests `ip` sends (RTM_NEWLINK, RTM_SETLINK,
 * RTM_NEWADDR, RTM_NEWROUTE, ...). Each returns 0 or -errno, with the extack message the kernel attaches
 * where it attaches one, so `ip` can print exactly what iproute2 prints.
 */
import { igb_probe, type IgbOptions } from '../../drivers/net/ethernet/intel/igb/igb_main';
import { dev_activate } from '../sched/sch_api';
import { qdisc_reset } from '../sched/sch_generic';
import type { KernelCtx } from '../../include/net/kctx';
import type { Host, Net } from '../../include/net/net_namespace';
import type { NetDevice } from '../../include/linux/netdevice';
import { IFF_LOOPBACK, IFF_UP } from '../../include/linux/netdevice';
import {
  RTN_BLACKHOLE,
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_PROHIBIT,
  RTN_UNICAST,
  RTN_UNREACHABLE,
  RTPROT_BOOT,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  type FibEntry,
} from '../../include/net/route';
import {
  EACCES,
  EADDRNOTAVAIL,
  EEXIST,
  EHOSTUNREACH,
  EINVAL,
  ENETDOWN,
  ENETUNREACH,
  ENODEV,
  ENOENT,
  ESRCH,
} from '../../include/linux/errno';
import { tun_newlink } from '../../drivers/net/tun';
import { veth_newlink } from '../../drivers/net/veth';
import { fib_get_table, fib_new_table, fibDisableIp, fibEnableIp } from '../ipv4/fib_frontend';
import { inetInsertIfa } from '../ipv4/devinet';
import { fibTableDelete, fibTableInsert, inetMakeMask } from '../ipv4/fib_trie';
import { __neigh_create, __neigh_update, neigh_ifdown, neigh_lookup } from './neighbour';
import { NUD_VALID } from '../../include/net/neighbour';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
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
export function rtnl_newlink_veth(
  ctx: KernelCtx,
  net: Net,
  name: string,
  peerNet: Net,
  peerName: string,
): RtnlResult {
  if (dev_get_by_name(net, name) || dev_get_by_name(peerNet, peerName)) return { err: -EEXIST };
  if (net === peerNet && name === peerName) {
    // The peer registered (taking an ifindex) before the device's own name clashed with it.
    allocIfindex(peerNet);
    return { err: -EEXIST };
  }
  const peerIdx = allocIfindex(peerNet);
  const idx = allocIfindex(net);
  const [a, b] = veth_newlink(net, name, peerNet, peerName, idx, peerIdx, randomMac(ctx), randomMac(ctx));
  peerNet.devices.push(b);
  net.devices.push(a);
  return OK;
}

/** TUNSETIFF on /dev/net/tun: a new tun device (IFF_TUN | IFF_NO_PI), down, with the next free ifindex. */
export function register_tun(net: Net, name: string): NetDevice | RtnlResult {
  if (dev_get_by_name(net, name)) return { err: -EEXIST };
  const dev = tun_newlink(net, name, allocIfindex(net));
  net.devices.push(dev);
  return dev;
}

/** unregister_netdevice: a veth pair always goes as a pair. */
export function unregister_netdevice(ctx: KernelCtx, dev: NetDevice): RtnlResult {
  if (dev.ops.kind === 'loopback') return { err: -EINVAL, extack: undefined };
  for (const d of dev.peer ? [dev, dev.peer] : [dev]) {
    dev_close(ctx, d);
    // NETDEV_UNREGISTER: inetdev_destroy drops the addresses, fib_disable_ip(force) every route.
    d.net.ifaddrs = d.net.ifaddrs.filter((i) => i.dev !== d);
    fibDisableIp(d.net, d, true);
    d.net.devices = d.net.devices.filter((x) => x !== d);
  }
  return OK;
}

/**
 * A NIC found at boot (igb_probe → register_netdev) in a namespace, down, with the next free ifindex. Its
 * MSI-X vectors appear in /proc/interrupts.
 */
export function register_igb(net: Net, name: string, mac: Uint8Array, o: IgbOptions): NetDevice | RtnlResult {
  if (dev_get_by_name(net, name)) return { err: -EEXIST };
  const dev = igb_probe(net, name, allocIfindex(net), mac, o);
  net.devices.push(dev);
  return dev;
}

/**
 * dev_open → __dev_open: IFF_UP, the driver's ndo_open (carrier: a veth's once its peer is up, a NIC's with
 * its link), dev_activate's default qdiscs at first open, and NETDEV_UP's address routes.
 */
export function dev_open(ctx: KernelCtx, dev: NetDevice): void {
  if (dev.flags & IFF_UP) return;
  dev.flags |= IFF_UP;
  if (dev.ops.ndoOpen) dev.ops.ndoOpen(ctx, dev);
  else dev.carrier = true;
  dev_activate(dev);
  // inetdev_event(NETDEV_UP): lo that comes up without an address gets 127.0.0.1/8.
  if (dev.flags & IFF_LOOPBACK && !dev.net.ifaddrs.some((i) => i.dev === dev))
    inetInsertIfa(dev.net, dev, 0x7f000001, 8, null, null);
  fibEnableIp(dev.net, dev);
}

/** dev_close: NETDEV_DOWN takes the routes through the device and its neighbours. */
export function dev_close(ctx: KernelCtx, dev: NetDevice): void {
  if (!(dev.flags & IFF_UP)) return;
  dev.flags &= ~IFF_UP;
  // __dev_close: dev_deactivate (queued skbs go: qdisc_reset), then the driver's ndo_stop.
  qdisc_reset(ctx, dev.qdisc);
  dev.ops.ndoStop?.(ctx, dev);
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
  if (dev.netnsImmutable) return { err: -EINVAL, extack: 'The interface netns is immutable' };
  if (dev.net === target) return OK;
  if (dev_get_by_name(target, dev.name)) return { err: -EEXIST };
  dev_close(ctx, dev);
  const from = dev.net;
  from.ifaddrs = from.ifaddrs.filter((i) => i.dev !== dev);
  fibDisableIp(from, dev, true);
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
  /** RTAX_ADVMSS, RTAX_INITCWND (0: unset) and RTAX_LOCK's bits. */
  advmss: number;
  initcwnd: number;
  locks: number;
}

/** fib_props[type].scope / .error (fib_semantics.c) for the route types the model knows. */
const FIB_PROPS: Record<number, { scope: number; error: number }> = {
  [RTN_UNICAST]: { scope: RT_SCOPE_UNIVERSE, error: 0 },
  [RTN_LOCAL]: { scope: RT_SCOPE_HOST, error: 0 },
  [RTN_BROADCAST]: { scope: RT_SCOPE_LINK, error: 0 },
  [RTN_BLACKHOLE]: { scope: RT_SCOPE_UNIVERSE, error: -EINVAL },
  [RTN_UNREACHABLE]: { scope: RT_SCOPE_UNIVERSE, error: -EHOSTUNREACH },
  [RTN_PROHIBIT]: { scope: RT_SCOPE_UNIVERSE, error: -EACCES },
};

/** inet_addr_type_table(net, addr, RT_TABLE_LOCAL) == RTN_LOCAL: is `addr` one of this namespace's? */
function isLocalAddr(net: Net, addr: number): boolean {
  let best: FibEntry | null = null;
  for (const e of net.fib)
    if (
      e.table === RT_TABLE_LOCAL &&
      (addr & inetMakeMask(e.plen)) >>> 0 === e.dst &&
      (!best || e.plen > best.plen)
    )
      best = e;
  return best?.type === RTN_LOCAL;
}

/** fib_check_nh_v4_gw: the gateway must be on a connected (scope link or host) route, through `oif`. */
function gatewayRoute(net: Net, gw: number, oif: NetDevice | null, scope: number): FibEntry | null {
  const minScope = Math.max(scope + 1, RT_SCOPE_LINK);
  let best: FibEntry | null = null;
  for (const e of net.fib) {
    if (e.table !== RT_TABLE_MAIN && e.table !== RT_TABLE_LOCAL) continue;
    if ((gw & inetMakeMask(e.plen)) >>> 0 !== e.dst || e.scope < minScope) continue;
    if (oif && e.dev !== oif) continue;
    if (
      !best ||
      e.plen > best.plen ||
      (e.plen === best.plen && e.table > best.table) ||
      (e.plen === best.plen && e.table === best.table && e.priority < best.priority)
    )
      best = e;
  }
  return best;
}

export type NewRouteMode = 'add' | 'replace' | 'append' | 'prepend' | 'change';

/**
 * inet_rtm_newroute → fib_table_insert → fib_create_info, with its checks and extack messages. `mode` is
 * the NLM_F_* set iproute2 sends: add (CREATE|EXCL), replace (CREATE|REPLACE), append (CREATE|APPEND),
 * prepend (CREATE), change (REPLACE).
 */
export function inet_rtm_newroute(net: Net, r: RouteSpec, mode: NewRouteMode | boolean = 'add'): RtnlResult {
  const how: NewRouteMode = mode === true ? 'replace' : mode === false ? 'add' : mode;
  // inet_rtm_newroute makes the table before fib_table_insert checks anything: a refused route leaves it.
  fib_new_table(net, r.table);
  const dst = (r.dst & inetMakeMask(r.plen)) >>> 0;
  if (dst !== r.dst) return { err: -EINVAL, extack: 'Invalid prefix for given prefix length' };
  const props = FIB_PROPS[r.type];
  if (!props) return { err: -EINVAL };
  const scope =
    r.scope ??
    (r.type === RTN_LOCAL
      ? RT_SCOPE_HOST
      : r.type === RTN_BROADCAST || (r.type === RTN_UNICAST && !r.gw)
        ? RT_SCOPE_LINK
        : RT_SCOPE_UNIVERSE);
  if (props.scope > scope) return { err: -EINVAL, extack: 'Invalid scope' };
  let dev = r.dev;
  if (props.error) {
    if (r.gw || r.dev)
      return {
        err: -EINVAL,
        extack: 'Gateway, device and multipath can not be specified for this route type',
      };
  } else if (scope === RT_SCOPE_HOST) {
    if (r.gw) return { err: -EINVAL, extack: 'Route with host scope can not have a gateway' };
    if (!dev) return { err: -ENODEV };
  } else if (r.gw) {
    const nh = gatewayRoute(net, r.gw, dev, scope);
    if (!nh) return { err: -ENETUNREACH, extack: 'Nexthop has invalid gateway' };
    if (nh.type !== RTN_UNICAST && nh.type !== RTN_LOCAL)
      return { err: -EINVAL, extack: 'Nexthop has invalid gateway' };
    dev = nh.dev;
    if (!dev) return { err: -EINVAL, extack: 'No egress device for nexthop gateway' };
    if (!(dev.flags & IFF_UP)) return { err: -ENETDOWN };
  } else {
    if (!dev) return { err: -ENODEV };
    if (!(dev.flags & IFF_UP)) return { err: -ENETDOWN, extack: 'Device for nexthop is not up' };
  }
  if (r.prefsrc && !(r.type === RTN_LOCAL && dst && r.prefsrc === dst) && !isLocalAddr(net, r.prefsrc))
    return { err: -EINVAL, extack: 'Invalid prefsrc address' };
  const same = net.fib.find(
    (e) => e.table === r.table && e.dst === dst && e.plen === r.plen && e.priority === r.metric,
  );
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
    // fib_convert_metrics: an MTU above 65535 - 15 or an advmss above 65535 - 40 is clamped.
    mtu: Math.min(r.mtu, 65535 - 15),
    advmss: Math.min(r.advmss, 65535 - 40),
    initcwnd: r.initcwnd,
    locks: r.locks,
    fromIfaddr: false,
  };
  if (same) {
    if (how === 'add') return { err: -EEXIST };
    if (how === 'replace' || how === 'change') {
      net.fib[net.fib.indexOf(same)] = e;
      net.rtGenid++;
      return OK;
    }
    const perfect = net.fib.some(
      (o) =>
        o.table === e.table &&
        o.dst === dst &&
        o.plen === e.plen &&
        o.priority === e.priority &&
        o.type === e.type &&
        o.dev === e.dev &&
        o.gw === e.gw &&
        o.prefsrc === e.prefsrc &&
        o.protocol === e.protocol &&
        o.scope === e.scope,
    );
    if (perfect) return { err: -EEXIST };
  } else if (how === 'change') return { err: -ENOENT };
  fibTableInsert(net, e);
  return OK;
}

/**
 * inet_rtm_delroute → fib_table_delete: the first route of the prefix (in metric order) that matches every
 * attribute given; -ESRCH when none does. A zero metric, type, protocol or prefsrc matches anything.
 */
export function inet_rtm_delroute(
  net: Net,
  r: Partial<RouteSpec> & { dst: number; plen: number; table: number },
): RtnlResult {
  if (!fib_get_table(net, r.table)) return { err: -ESRCH, extack: 'FIB table does not exist' };
  const dst = (r.dst & inetMakeMask(r.plen)) >>> 0;
  if (dst !== r.dst) return { err: -EINVAL, extack: 'Invalid prefix for given prefix length' };
  const victim = net.fib
    .filter(
      (e) =>
        e.table === r.table &&
        e.dst === r.dst &&
        e.plen === r.plen &&
        (!r.type || e.type === r.type) &&
        (r.scope === null || r.scope === undefined || e.scope === r.scope) &&
        (!r.prefsrc || e.prefsrc === r.prefsrc) &&
        (!r.protocol || e.protocol === r.protocol) &&
        (!r.gw || e.gw === r.gw) &&
        (!r.dev || e.dev === r.dev) &&
        (!r.metric || r.metric < 0 || e.priority === r.metric),
    )
    .sort((a, b) => a.priority - b.priority)[0];
  if (!victim) return { err: -ESRCH };
  fibTableDelete(net, (e) => e === victim);
  return OK;
}

/** dev_change_name: the new name must be free in the namespace; the addresses' labels follow (inetdev_changename). */
export function dev_change_name(dev: NetDevice, name: string): RtnlResult {
  if (name === dev.name) return OK;
  if (dev_get_by_name(dev.net, name)) return { err: -EEXIST };
  for (const ifa of dev.net.ifaddrs)
    if (ifa.dev === dev && (ifa.label === dev.name || ifa.label.startsWith(dev.name + ':')))
      ifa.label = name + ifa.label.slice(dev.name.length);
  dev.name = name;
  return OK;
}

/** dev_set_mac_address → eth_mac_addr: a unicast, non-zero Ethernet address. */
export function dev_set_mac_address(dev: NetDevice, addr: Uint8Array): RtnlResult {
  if (addr.length !== dev.addr.length) return { err: -EINVAL };
  if (addr[0] & 1 || addr.every((b) => b === 0)) return { err: -EADDRNOTAVAIL };
  dev.addr = addr.slice();
  return OK;
}

export interface NeighRequest {
  /** NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE of RTM_NEWNEIGH. */
  create: boolean;
  excl: boolean;
  replace: boolean;
}

/** neigh_add (RTM_NEWNEIGH, `ip neigh add|replace|change`): create or update an ARP entry by hand. */
export function neigh_add(
  ctx: KernelCtx,
  dev: NetDevice,
  key: number,
  lladdr: Uint8Array | null,
  state: number,
  req: NeighRequest,
): RtnlResult {
  const net = dev.net;
  if (lladdr && lladdr.length < dev.addr.length) return { err: -EINVAL, extack: 'Invalid link address' };
  let n = neigh_lookup(net, dev, key);
  let created = false;
  if (!n) {
    if (!req.create) return { err: -ENOENT };
    n = __neigh_create(ctx, net, dev, key);
    created = true;
  } else if (req.excl) return { err: -EEXIST };
  // NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_OVERRIDE, without OVERRIDE when changing an existing entry.
  const override = created || req.replace;
  if (state & NUD_VALID && !lladdr && !(n.nudState & NUD_VALID))
    return { err: -EINVAL, extack: 'No link layer address given' };
  __neigh_update(
    ctx,
    n,
    state & NUD_VALID ? (lladdr?.slice(0, dev.addr.length) ?? n.ha) : null,
    state,
    override,
    true,
  );
  return OK;
}

/** neigh_delete (RTM_DELNEIGH): the entry goes, its queued packets are dropped. */
export function neigh_delete(ctx: KernelCtx, dev: NetDevice, key: number): RtnlResult {
  const net = dev.net;
  const n = neigh_lookup(net, dev, key);
  if (!n) return { err: -ENOENT };
  ctx.delTimer(n.timer);
  for (const skb of n.arpQueue) {
    skb.dropReason = SKB_DROP_REASON.NEIGH_DEAD;
    ctx.free(skb);
  }
  n.arpQueue = [];
  n.arpQueueLen = 0;
  n.dead = true;
  for (const [k, v] of net.arpTbl) if (v === n) net.arpTbl.delete(k);
  net.arpStats.destroys++;
  return OK;
}

export { RT_TABLE_MAIN };
