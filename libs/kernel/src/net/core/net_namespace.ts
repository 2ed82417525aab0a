/**
 * net/core/net_namespace.c: creating a host (its CPUs and init_net) and namespaces (setup_net: a fresh
 * lo, down, with no addresses, as `ip netns add` leaves it).
 */
import type { Host, Net } from '../../include/net/net_namespace';
import { newSoftnetData } from '../../include/linux/netdevice';
import { arpDefaultParms } from '../../include/net/neighbour';
import { EstablishedHash } from '../../include/net/inet_hashtables';
import { IPEXT_MIB_NAMES, LINUX_MIB_NAMES, newNetMib } from '../../include/net/snmp';
import { HZ } from '../../include/net/tcp';
import { loopback_net_init } from '../../drivers/net/loopback';
import { process_backlog } from './dev';
import { ramfs_fill_super } from '../../fs/ramfs/inode';
import { fib4_rules_init } from '../ipv4/fib_rules';

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
    fibTables: new Set(),
    rules: [],
    fibHasCustomRules: false,
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
      tcp: tcpSysctlDefaults(),
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
    linuxMib: new Float64Array(LINUX_MIB_NAMES.length),
    ipExtMib: new Float64Array(IPEXT_MIB_NAMES.length),
    tcpEhash: new EstablishedHash(),
    sockInuse: 0,
    tcpLhash: new Map(),
    tcpBhash: new Map(),
    tcpSockets: new Set(),
    tcpTwCount: 0,
    tcpFastopenCache: new Map(),
    tcpCtlSk: null,
    // unix_net_init: the namespace's AF_UNIX table and net.unix.max_dgram_qlen.
    unx: { table: new Set(), sysctlMaxDgramQlen: 10 },
  } as unknown as Net;
  fib4_rules_init(net);
  net.loopbackDev = loopback_net_init(net);
  net.devices.push(net.loopbackDev);
  return net;
}

/** tcp_sk_init (tcp_ipv4.c) and the ipv4_table defaults of a 6.12 kernel on a machine with 24 GiB. */
export function tcpSysctlDefaults(): Net['sysctl']['tcp'] {
  return {
    timestamps: 1,
    windowScaling: 1,
    sack: 1,
    dsack: 1,
    reordering: 3,
    maxReordering: 300,
    retries1: 3,
    retries2: 15,
    synRetries: 6,
    synackRetries: 5,
    synLinearTimeouts: 4,
    syncookies: 1,
    finTimeout: 60 * HZ,
    keepaliveTime: 7200 * HZ,
    keepaliveIntvl: 75 * HZ,
    keepaliveProbes: 9,
    orphanRetries: 0,
    rmem: [4096, 131072, 6291456],
    wmem: [4096, 16384, 4194304],
    ecn: 2,
    ecnFallback: 1,
    frto: 2,
    recovery: 1,
    earlyRetrans: 3,
    tsoWinDivisor: 3,
    minTsoSegs: 2,
    tsoRttLog: 9,
    limitOutputBytes: 1048576,
    autocorking: 1,
    slowStartAfterIdle: 1,
    notsentLowat: 0xffffffff,
    appWin: 31,
    advWinScale: 1,
    moderateRcvbuf: 1,
    workaroundSignedWindows: 0,
    shrinkWindow: 0,
    baseMss: 1024,
    minSndMss: 48,
    mtuProbing: 0,
    probeThreshold: 8,
    probeInterval: 600,
    mtuProbeFloor: 48,
    maxSynBacklog: 2048,
    twReuse: 2,
    maxTwBuckets: 131072,
    fastopen: 1,
    fastopenKey: new Uint8Array(16),
    fastopenBlackholeTimeoutSec: 0,
    challengeAckLimit: 2147483647,
    invalidRatelimit: HZ / 2,
    rfc1337: 0,
    stdurg: 0,
    abortOnOverflow: 0,
    thinLinearTimeouts: 0,
    compSackDelayNs: 1000000,
    compSackSlackNs: 100000,
    compSackNr: 44,
    backlogAckDefer: 1,
    pacingSsRatio: 200,
    pacingCaRatio: 120,
    minRttWlen: 300,
    rtoMinUs: 200000,
    retransCollapse: 1,
    reflectTos: 0,
    congestionControl: 'cubic',
    pingpongThresh: 1,
    noMetricsSave: 0,
    challengeTimestamp: 0,
    challengeCount: 0,
  };
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
    fs: ramfs_fill_super(),
  } as unknown as Host;
  for (const sd of host.softnet)
    sd.backlog.poll = (ctx, _napi, weight) => process_backlog(ctx, host, sd, weight);
  host.initNet = setup_net(host, '', 4026531840);
  return host;
}
