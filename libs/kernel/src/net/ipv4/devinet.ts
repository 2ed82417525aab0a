/**
 * net/ipv4/devinet.c: IPv4 addresses on devices (inet_rtm_newaddr / inet_rtm_deladdr) and source address
 * selection (inet_select_addr).
 */
import type { InIfaddr, Net } from '../../include/net/net_namespace';
import type { NetDevice } from '../../include/linux/netdevice';
import { IFF_LOOPBACK } from '../../include/linux/netdevice';
import { RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE } from '../../include/net/route';
import { EADDRNOTAVAIL, EEXIST } from '../../include/linux/errno';
import { fibAddIfaddr, fibDelIfaddr } from './fib_frontend';
import { inetMakeMask } from './fib_trie';

/** inet_rtm_newaddr -> __inet_insert_ifa. Returns 0 or -errno. */
export function inetInsertIfa(
  net: Net,
  dev: NetDevice,
  local: number,
  plen: number,
  broadcast: number | null,
  scope: number | null,
): number {
  const m = inetMakeMask(plen);
  const dup = net.ifaddrs.find((i) => i.dev === dev && i.local === local && i.plen === plen);
  if (dup) return -EEXIST;
  const primary = net.ifaddrs.find(
    (i) => i.dev === dev && i.plen === plen && (i.address & m) >>> 0 === (local & m) >>> 0,
  );
  const ifa: InIfaddr = {
    local,
    address: local,
    plen,
    broadcast: broadcast ?? 0,
    scope: scope ?? (dev.flags & IFF_LOOPBACK && local >>> 24 === 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE),
    label: dev.name,
    dev,
    secondary: !!primary,
  };
  net.ifaddrs.push(ifa);
  fibAddIfaddr(net, ifa);
  return 0;
}

/**
 * inet_rtm_deladdr -> __inet_del_ifa. Deleting a primary promotes nothing (promote_secondaries off): its
 * secondaries go first, while the primary is still listed, then the primary itself.
 */
export function inetDelIfa(net: Net, dev: NetDevice, local: number, plen: number | null): number {
  const ifa = net.ifaddrs.find(
    (i) => i.dev === dev && i.local === local && (plen === null || i.plen === plen),
  );
  if (!ifa) return -EADDRNOTAVAIL;
  if (!ifa.secondary) {
    const m = inetMakeMask(ifa.plen);
    for (const s of net.ifaddrs.filter(
      (i) =>
        i.dev === dev &&
        i.secondary &&
        i.plen === ifa.plen &&
        (i.address & m) >>> 0 === (ifa.address & m) >>> 0,
    )) {
      net.ifaddrs.splice(net.ifaddrs.indexOf(s), 1);
      fibDelIfaddr(net, s);
    }
  }
  net.ifaddrs.splice(net.ifaddrs.indexOf(ifa), 1);
  fibDelIfaddr(net, ifa);
  return 0;
}

/**
 * inet_select_addr: the first primary address on `dev` in the same subnet as `dst` with scope <= `scope`,
 * else any primary address of the device, else any address in the namespace with a suitable scope.
 */
export function inetSelectAddr(net: Net, dev: NetDevice | null, dst: number, scope: number): number {
  let addr = 0;
  if (dev) {
    for (const ifa of net.ifaddrs) {
      if (ifa.dev !== dev || ifa.secondary || ifa.scope > scope) continue;
      const m = inetMakeMask(ifa.plen);
      if (!dst || (ifa.address & m) >>> 0 === (dst & m) >>> 0) return ifa.local;
      if (!addr) addr = ifa.local;
    }
    if (addr) return addr;
  }
  for (const ifa of net.ifaddrs) {
    if (ifa.secondary || ifa.scope > scope || ifa.scope === RT_SCOPE_HOST) continue;
    if (ifa.scope === RT_SCOPE_LINK && scope !== RT_SCOPE_LINK) continue;
    return ifa.local;
  }
  return 0;
}

/** inet_addr_type style check: is `addr` one of this namespace's addresses? */
export function inetIfaByAddr(net: Net, addr: number): InIfaddr | undefined {
  return net.ifaddrs.find((i) => i.local === addr);
}
