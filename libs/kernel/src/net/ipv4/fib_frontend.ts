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

function fibMagic(net: Net, table: number, type: number, dst: number, plen: number, ifa: InIfaddr, scope: number) {
  const exists = net.fib.some(
    (e) => e.table === table && e.type === type && e.dst === dst && e.plen === plen && e.dev === ifa.dev,
  );
  if (exists) return;
  const e: FibEntry = {
    table,
    type,
    dst,
    plen,
    dev: ifa.dev,
    gw: 0,
    protocol: RTPROT_KERNEL,
    scope,
    prefsrc: ifa.local,
    priority: 0,
    mtu: 0,
    fromIfaddr: true,
  };
  fibTableInsert(net, e);
}

/** fib_add_ifaddr (fib_frontend.c:1123) */
export function fibAddIfaddr(net: Net, ifa: InIfaddr): void {
  const dev = ifa.dev;
  if ((dev.flags & IFF_UP) === 0) return;
  const m = inetMakeMask(ifa.plen);
  const prefix = (ifa.address & m) >>> 0;
  fibMagic(net, RT_TABLE_LOCAL, RTN_LOCAL, ifa.local, 32, ifa, RT_SCOPE_HOST);
  if (ifa.secondary) return;
  if (ifa.broadcast && ifa.broadcast !== 0xffffffff && ifa.plen < 31)
    fibMagic(net, RT_TABLE_LOCAL, RTN_BROADCAST, ifa.broadcast, 32, ifa, RT_SCOPE_LINK);
  if (ifa.plen < 32) {
    // The loopback's prefix route is RTN_LOCAL (all of 127/8 is local) and lives in the local table.
    if (dev.flags & IFF_LOOPBACK) fibMagic(net, RT_TABLE_LOCAL, RTN_LOCAL, prefix, ifa.plen, ifa, RT_SCOPE_HOST);
    else fibMagic(net, RT_TABLE_MAIN, RTN_UNICAST, prefix, ifa.plen, ifa, RT_SCOPE_LINK);
  }
}

/** fib_del_ifaddr: drop the routes this address created. */
export function fibDelIfaddr(net: Net, ifa: InIfaddr): void {
  const m = inetMakeMask(ifa.plen);
  const prefix = (ifa.address & m) >>> 0;
  const stillLocal = net.ifaddrs.some((o) => o !== ifa && o.local === ifa.local);
  fibTableDelete(
    net,
    (e) =>
      e.fromIfaddr &&
      e.dev === ifa.dev &&
      ((e.type === RTN_LOCAL && e.plen === 32 && e.dst === ifa.local && !stillLocal) ||
        (e.type === RTN_BROADCAST && e.dst === ifa.broadcast) ||
        (e.plen === ifa.plen && e.dst === prefix)),
  );
}

/** fib_disable_ip: the device went down; every route through it goes (static ones are not restored). */
export function fibDisableIp(net: Net, dev: NetDevice): void {
  fibTableDelete(net, (e) => e.dev === dev);
}

/** NETDEV_UP: fib_netdev_event re-adds the routes of every address on the device. */
export function fibEnableIp(net: Net, dev: NetDevice): void {
  for (const ifa of net.ifaddrs) if (ifa.dev === dev) fibAddIfaddr(net, ifa);
}
