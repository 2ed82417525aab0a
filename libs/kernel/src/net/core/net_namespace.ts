/**
 * net/core/net_namespace.c: creating a host (its CPUs and init_net) and namespaces (setup_net: a fresh
 * lo, down, with no addresses, as `ip netns add` leaves it).
 */
import type { Host, Net } from '../../include/net/net_namespace';
import { newSoftnetData } from '../../include/linux/netdevice';
import { arpDefaultParms } from '../../include/net/neighbour';
import { newNetMib } from '../../include/net/snmp';
import { loopback_net_init } from '../../drivers/net/loopback';
import { process_backlog } from './dev';

let nextInum = 4026532100;

/** setup_net */
export function setup_net(host: Host, name: string, inum?: number): Net {
  const net = {
    inum: inum ?? nextInum++,
    name,
    host,
    devices: [],
    ifindexNext: 2,
    ifaddrs: [],
    fib: [],
    rtGenid: 0,
    arpTbl: new Map(),
    arpParms: arpDefaultParms(),
    arpStats: { allocs: 0, destroys: 0, lookups: 0, hits: 0, resFailed: 0, unresDiscards: 0 },
    mib: newNetMib(),
    sysctl: {
      ipForward: 0,
      ipForwardUpdatePriority: 1,
      ipDefaultTtl: 64,
      icmpEchoIgnoreAll: 0,
      icmpEchoIgnoreBroadcasts: 1,
      icmpRatelimit: 1000,
      icmpRatemask: 0x1818,
      icmpMsgsPerSec: 1000,
      icmpMsgsBurst: 50,
      pingGroupRange: [1, 0],
      ipfragTime: 30,
      ipNoPmtuDisc: 0,
      ipLocalPortRange: [32768, 60999],
    },
    ipv6Disabled: new Map(),
    udpHash: new Map(),
    pingHash: new Map(),
    rawSocks: [],
    fragQueues: new Map(),
    ipIdents: new Map(),
    alive: true,
    fnhe: new Map(),
    icmpSk: null,
    // Zeroed with struct net: the first icmp_global_allow finds the stamp a second old and fills the bucket.
    icmpGlobal: { credit: 0, stamp: -Infinity },
    peers: new Map(),
  } as unknown as Net;
  net.loopbackDev = loopback_net_init(net);
  net.devices.push(net.loopbackDev);
  return net;
}

/** A simulated machine with `nrCpus` CPUs; its init_net is set up like a booted box by the caller. */
export function new_host(name: string, nrCpus: number): Host {
  const host = {
    name,
    nrCpus,
    softnet: Array.from({ length: nrCpus }, (_, i) => newSoftnetData(i)),
    namedNets: new Map(),
    core: {
      netdevMaxBacklog: 1000,
      netdevBudget: 300,
      netdevBudgetUsecs: 8000,
      devWeight: 64,
      devTxWeight: 64,
      groNormalBatch: 8,
      defaultQdisc: 'pfifo_fast',
    },
    irqs: [],
    index: 0,
  } as unknown as Host;
  for (const sd of host.softnet)
    sd.backlog.poll = (ctx, _napi, weight) => process_backlog(ctx, host, sd, weight);
  host.initNet = setup_net(host, '', 4026531840);
  return host;
}
