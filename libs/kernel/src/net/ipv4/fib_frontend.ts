/**
 * net/ipv4/fib_frontend.c: the routes the kernel adds by itself for every address (fib_add_ifaddr via
 * fib_magic), and their removal when the address goes or the device goes down.
 */
import type { Net, InIfaddr } from '../../include/net/net_namespace';
import type { NetDevice } from '../../include/linux/netdevice';
import { IFF_LOOPBACK, IFF_UP } from '../../include/linux/netdevice';
import {
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_UNICAST,
  RTPROT_KERNEL,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  type FibEntry,
} from '../../include/net/route';
import { fibTableDelete, fibTableInsert, inetMakeMask } from './fib_trie';

/**
 * fib_new_table (fib_frontend.c:76): the table `id` (0 is main), made if missing. While there are no
 * custom rules the local table is an alias of main's trie, so making it makes main too.
 */
export function fib_new_table(net: Net, id: number): number {
  if (id === 0) id = RT_TABLE_MAIN;
  if (net.fibTables.has(id)) return id;
  if (id === RT_TABLE_LOCAL && !net.fibHasCustomRules) fib_new_table(net, RT_TABLE_MAIN);
  net.fibTables.add(id);
  return id;
}

/** fib_get_table (fib_frontend.c:112): whether the table `id` exists (0 is main). */
export function fib_get_table(net: Net, id: number): boolean {
  return net.fibTables.has(id === 0 ? RT_TABLE_MAIN : id);
}

/**
 * fib_magic: the kernel's own RTM_NEWROUTE/RTM_DELROUTE for an address. Local and broadcast routes go to
 * the local table, prefix routes to main; prefsrc is the primary address of the subnet (`prim`). Adding a
 * route identical to an existing one does nothing (fib_table_insert's "perfect match" -EEXIST).
 */
function fibMagic(
  net: Net,
  cmd: 'add' | 'del',
  type: number,
  dst: number,
  plen: number,
  prim: InIfaddr,
): void {
  const table = type === RTN_UNICAST ? RT_TABLE_MAIN : RT_TABLE_LOCAL;
  const scope = type !== RTN_LOCAL ? RT_SCOPE_LINK : RT_SCOPE_HOST;
  const same = (e: FibEntry) =>
    e.table === table &&
    e.type === type &&
    e.dst === dst &&
    e.plen === plen &&
    e.dev === prim.dev &&
    e.prefsrc === prim.local &&
    e.scope === scope &&
    e.protocol === RTPROT_KERNEL;
  if (cmd === 'del') {
    const victim = net.fib.find(same);
    if (victim) fibTableDelete(net, (e) => e === victim);
    return;
  }
  // fib_magic's fib_new_table: the first address makes the local table (and main, its alias).
  fib_new_table(net, table);
  if (net.fib.some(same)) return;
  const e: FibEntry = {
    table,
    type,
    dst,
    plen,
    dev: prim.dev,
    gw: 0,
    protocol: RTPROT_KERNEL,
    scope,
    prefsrc: prim.local,
    priority: 0,
    mtu: 0,
    advmss: 0,
    initcwnd: 0,
    locks: 0,
    fromIfaddr: true,
  };
  fibTableInsert(net, e);
}

/** inet_ifa_byprefix: the primary address of `prefix`/`plen` on `dev`. */
function ifaByPrefix(net: Net, dev: NetDevice, prefix: number, plen: number): InIfaddr | undefined {
  const m = inetMakeMask(plen);
  return net.ifaddrs.find(
    (i) => i.dev === dev && !i.secondary && i.plen === plen && (i.address & m) >>> 0 === (prefix & m) >>> 0,
  );
}

const isZeronet = (a: number) => a >>> 24 === 0;

/**
 * fib_add_ifaddr (fib_frontend.c:1123): the local route always (also on a down device), then, on an up
 * device, the explicit broadcast, the prefix route and the network's broadcast address.
 */
export function fibAddIfaddr(net: Net, ifa: InIfaddr): void {
  const dev = ifa.dev;
  const m = inetMakeMask(ifa.plen);
  const prefix = (ifa.address & m) >>> 0;
  let prim: InIfaddr | undefined = ifa;
  if (ifa.secondary) {
    prim = ifaByPrefix(net, dev, prefix, ifa.plen);
    if (!prim) return;
  }
  fibMagic(net, 'add', RTN_LOCAL, ifa.local, 32, prim);
  if ((dev.flags & IFF_UP) === 0) return;
  if (ifa.broadcast && ifa.broadcast !== 0xffffffff)
    fibMagic(net, 'add', RTN_BROADCAST, ifa.broadcast, 32, prim);
  if (!isZeronet(prefix) && !ifa.secondary && (prefix !== ifa.local || ifa.plen < 32)) {
    // The loopback's prefix route is RTN_LOCAL (all of 127/8 is local) and lives in the local table.
    fibMagic(net, 'add', dev.flags & IFF_LOOPBACK ? RTN_LOCAL : RTN_UNICAST, prefix, ifa.plen, prim);
    if (ifa.plen < 31) fibMagic(net, 'add', RTN_BROADCAST, (prefix | ~m) >>> 0, 32, prim);
  }
}

/**
 * fib_del_ifaddr (fib_frontend.c:1180), called once `ifa` has left the address list: its routes go unless
 * another address still needs them (same local address, same broadcast), and routes using it as prefsrc
 * are flushed when the address is really gone (fib_sync_down_addr).
 */
export function fibDelIfaddr(net: Net, ifa: InIfaddr): void {
  const dev = ifa.dev;
  const mask = inetMakeMask(ifa.plen);
  const brd = (ifa.address | ~mask) >>> 0;
  const any = (ifa.address & mask) >>> 0;
  const LOCAL_OK = 1;
  const BRD_OK = 2;
  const BRD0_OK = 4;
  const BRD1_OK = 8;
  let ok = 0;
  let subnet = false;
  let samePrefsrc = false;
  let prim: InIfaddr | undefined = ifa;
  let prim1: InIfaddr | undefined;
  const match = (a: number, p: InIfaddr) => {
    const pm = inetMakeMask(p.plen);
    return (a & pm) >>> 0 === (p.address & pm) >>> 0;
  };
  if (ifa.secondary) {
    prim = ifaByPrefix(net, dev, any, ifa.plen);
    if (!prim) return;
  } else if (!isZeronet(any) && (any !== ifa.local || ifa.plen < 32)) {
    fibMagic(net, 'del', dev.flags & IFF_LOOPBACK ? RTN_LOCAL : RTN_UNICAST, any, ifa.plen, prim);
    subnet = true;
  }
  for (const ifa1 of net.ifaddrs) {
    if (ifa1.dev !== dev) continue;
    if (ifa1.secondary) {
      if (ifa1.plen === prim.plen && match(ifa1.address, prim)) prim1 = prim;
      else {
        if (!samePrefsrc) continue;
        if (!prim1 || ifa1.plen !== prim1.plen || !match(ifa1.address, prim1))
          prim1 = ifaByPrefix(net, dev, ifa1.address, ifa1.plen);
        if (!prim1 || prim1.local !== prim.local) continue;
      }
    } else {
      if (prim.local !== ifa1.local) continue;
      prim1 = ifa1;
      if (prim !== prim1) samePrefsrc = true;
    }
    if (ifa.local === ifa1.local) ok |= LOCAL_OK;
    if (ifa.broadcast === ifa1.broadcast) ok |= BRD_OK;
    if (brd === ifa1.broadcast) ok |= BRD1_OK;
    if (any === ifa1.broadcast) ok |= BRD0_OK;
    if (prim1 === ifa1 && ifa1.plen < 31) {
      const m1 = inetMakeMask(ifa1.plen);
      const brd1 = (ifa1.address | ~m1) >>> 0;
      const any1 = (ifa1.address & m1) >>> 0;
      if (!isZeronet(any1)) {
        if (ifa.broadcast === brd1 || ifa.broadcast === any1) ok |= BRD_OK;
        if (brd === brd1 || brd === any1) ok |= BRD1_OK;
        if (any === brd1 || any === any1) ok |= BRD0_OK;
      }
    }
  }
  if (!(ok & BRD_OK)) fibMagic(net, 'del', RTN_BROADCAST, ifa.broadcast, 32, prim);
  if (subnet && ifa.plen < 31) {
    if (!(ok & BRD1_OK)) fibMagic(net, 'del', RTN_BROADCAST, brd, 32, prim);
    if (!(ok & BRD0_OK)) fibMagic(net, 'del', RTN_BROADCAST, any, 32, prim);
  }
  if (!(ok & LOCAL_OK)) {
    fibMagic(net, 'del', RTN_LOCAL, ifa.local, 32, prim);
    // fib_sync_down_addr + fib_flush: the routes that used the gone address as prefsrc die with it.
    fibTableDelete(net, (e) => e.prefsrc === ifa.local);
  }
}

/**
 * fib_disable_ip: the device went down (NETDEV_DOWN) or away (NETDEV_UNREGISTER, `force`). Every route
 * through it goes, except, when it only went down, the host-scope ones (its local addresses stay local).
 */
export function fibDisableIp(net: Net, dev: NetDevice, force = false): void {
  fibTableDelete(net, (e) => e.dev === dev && (force || e.scope !== RT_SCOPE_HOST));
}

/** NETDEV_UP: fib_netdev_event re-adds the routes of every address on the device. */
export function fibEnableIp(net: Net, dev: NetDevice): void {
  for (const ifa of net.ifaddrs) if (ifa.dev === dev) fibAddIfaddr(net, ifa);
}
