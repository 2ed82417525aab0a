/**
 * net/ipv4/datagram.c: connect(2) on a datagram socket: one route lookup that fixes the source address
 * (iputils ping's probe socket relies on it) and counts OutNoRoutes when there is no route.
 */
import type { Sock } from '../../include/net/sock';
import { IPSTATS } from '../../include/net/snmp';
import { EACCES, ENETUNREACH } from '../../include/linux/errno';
import { RTCF_BROADCAST } from '../../include/net/route';
import { ipRouteOutputKey, isRouteError } from './route';

/** __ip4_datagram_connect: returns 0 or -errno. */
export function ip4_datagram_connect(sk: Sock, daddr: number, dport: number): number {
  const rt = ipRouteOutputKey(sk.net, {
    daddr,
    saddr: sk.saddr,
    oif: 0,
    tos: 0,
    proto: sk.protocol,
    mark: sk.mark,
  });
  if (isRouteError(rt)) {
    if (rt.error === -ENETUNREACH) sk.net.mib.ip[IPSTATS.OutNoRoutes]++;
    return rt.error;
  }
  // datagram.c:48: a broadcast destination needs SO_BROADCAST.
  if (rt.flags & RTCF_BROADCAST && !sk.broadcast) return -EACCES;
  if (!sk.saddr) sk.saddr = rt.src;
  if (!sk.rcvSaddr) sk.rcvSaddr = rt.src;
  sk.daddr = daddr;
  sk.dport = dport;
  sk.connected = true;
  sk.dstCache = rt;
  return 0;
}
