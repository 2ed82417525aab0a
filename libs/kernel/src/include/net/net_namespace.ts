/**
 * struct net (a network namespace) and the host it lives on. A host is one simulated machine: its CPUs
 * (softnet_data), its global net.core sysctls, and its namespaces, the first of which is init_net.
 */
import type { SuperBlock } from '../linux/fs';
import type { NetDevice, SoftnetData } from '../linux/netdevice';
import type { FibRule } from './fib_rules';
import type { FibEntry } from './route';
import type { Neighbour, NeighParms, NeighStatistics } from './neighbour';
import type { NetMib } from './snmp';
import type { Sock } from './sock';
import type { SkBuff } from '../linux/skbuff';
import type { KTimer } from './kctx';
import type { TcpSock, TimewaitSock } from '../linux/tcp';
import type { EstablishedHash } from './inet_hashtables';
import type { NetnsUnix } from './af_unix';

/** struct in_ifaddr */
export interface InIfaddr {
  local: number;
  address: number;
  plen: number;
  broadcast: number;
  scope: number;
  label: string;
  dev: NetDevice;
  /** Secondary addresses are those added to a subnet that already had one (IFA_F_SECONDARY). */
  secondary: boolean;
}

/** struct ipq: one datagram being reassembled. */
export interface IpFragQueue {
  key: string;
  fragments: SkBuff[];
  /** Total length once the last fragment (MF=0) arrived, else -1. */
  len: number;
  meat: number;
  firstIn: boolean;
  lastIn: boolean;
  timer: KTimer<IpFragQueue>;
  net: Net;
  dev: NetDevice | null;
}

export interface Ipv4Sysctl {
  ipForward: number;
  /** ip_forward_update_priority: a forwarded skb's priority from its TOS (rt_tos2priority). */
  ipForwardUpdatePriority: number;
  ipDefaultTtl: number;
  icmpEchoIgnoreAll: number;
  icmpEchoIgnoreBroadcasts: number;
  /** icmp_ratelimit (ms), icmp_ratemask, icmp_msgs_per_sec, icmp_msgs_burst */
  icmpRatelimit: number;
  icmpRatemask: number;
  icmpMsgsPerSec: number;
  icmpMsgsBurst: number;
  pingGroupRange: [number, number];
  ipfragTime: number;
  ipNoPmtuDisc: number;
  ipLocalPortRange: [number, number];
  /** net.ipv4.tcp_* (struct netns_ipv4's sysctl_tcp_*): times in jiffies as the kernel keeps them. */
  tcp: TcpSysctl;
}

export interface TcpSysctl {
  timestamps: number;
  windowScaling: number;
  sack: number;
  dsack: number;
  reordering: number;
  maxReordering: number;
  retries1: number;
  retries2: number;
  synRetries: number;
  synackRetries: number;
  synLinearTimeouts: number;
  syncookies: number;
  finTimeout: number;
  keepaliveTime: number;
  keepaliveIntvl: number;
  keepaliveProbes: number;
  orphanRetries: number;
  rmem: [number, number, number];
  wmem: [number, number, number];
  ecn: number;
  ecnFallback: number;
  frto: number;
  recovery: number;
  earlyRetrans: number;
  tsoWinDivisor: number;
  minTsoSegs: number;
  tsoRttLog: number;
  limitOutputBytes: number;
  autocorking: number;
  slowStartAfterIdle: number;
  notsentLowat: number;
  appWin: number;
  advWinScale: number;
  moderateRcvbuf: number;
  workaroundSignedWindows: number;
  shrinkWindow: number;
  baseMss: number;
  minSndMss: number;
  mtuProbing: number;
  probeThreshold: number;
  probeInterval: number;
  mtuProbeFloor: number;
  maxSynBacklog: number;
  twReuse: number;
  maxTwBuckets: number;
  fastopen: number;
  fastopenKey: Uint8Array;
  fastopenBlackholeTimeoutSec: number;
  challengeAckLimit: number;
  invalidRatelimit: number;
  rfc1337: number;
  stdurg: number;
  abortOnOverflow: number;
  thinLinearTimeouts: number;
  compSackDelayNs: number;
  compSackSlackNs: number;
  compSackNr: number;
  backlogAckDefer: number;
  pacingSsRatio: number;
  pacingCaRatio: number;
  minRttWlen: number;
  rtoMinUs: number;
  retransCollapse: number;
  reflectTos: number;
  congestionControl: string;
  pingpongThresh: number;
  noMetricsSave: number;
  /** tcp_challenge_ack_allowed's per-netns state */
  challengeTimestamp: number;
  challengeCount: number;
}

export interface Net {
  /** pwru's NETNS column: a stable inode-like number. */
  inum: number;
  /** "" for the host's initial namespace, else its `ip netns` name. */
  name: string;
  host: Host;
  devices: NetDevice[];
  loopbackDev: NetDevice;
  ifindexNext: number;
  ifaddrs: InIfaddr[];
  /** The FIB. Local and main share one trie in 6.12; each entry keeps its table id for dumps. */
  fib: FibEntry[];
  /** Bumped on every FIB change (rt_genid), invalidating cached dsts. */
  rtGenid: number;
  /** The FIB tables that exist (fib_new_table made them; an emptied table stays). */
  fibTables: Set<number>;
  /** net->ipv4.rules_ops->rules_list: the policy routing rules, by preference. */
  rules: FibRule[];
  /** net->ipv4.fib_has_custom_rules: set by the first rule added or deleted, and never cleared. */
  fibHasCustomRules: boolean;
  arpTbl: Map<string, Neighbour>;
  arpParms: NeighParms;
  arpStats: NeighStatistics;
  mib: NetMib;
  sysctl: Ipv4Sysctl;
  /** IPv6 is not modelled; `sysctl net.ipv6.conf.*.disable_ipv6` is accepted and remembered. */
  ipv6Disabled: Map<string, number>;
  udpHash: Map<number, Sock[]>;
  pingHash: Map<number, Sock>;
  rawSocks: Sock[];
  /** sock_inuse_add's count of the user sockets other than TCP's (those are tcpSockets): UDP, ping, raw. */
  sockInuse: number;
  fragQueues: Map<string, IpFragQueue>;
  /** ip_idents: per-destination IP ID generator state (simplified to a per-netns map keyed by daddr). */
  ipIdents: Map<number, number>;
  alive: boolean;
  /** The namespace's kernel ICMP socket (icmp_sk), made on first use. */
  icmpSk: Sock | null;
  /** icmp_global_allow's token bucket: net->ipv4.icmp_global_credit and icmp_global_stamp (jiffies). */
  icmpGlobal: { credit: number; stamp: number };
  /** inet_peer by destination, for icmpv4_xrlim_allow: rate_tokens and rate_last (jiffies). */
  peers: Map<number, { rateTokens: number; rateLast: number }>;
  /** fib_nh_exception: learned path MTUs by destination (ip route get shows them). */
  fnhe: Map<number, { mtu: number; expires: number }>;
  /** LINUX_MIB_* (net->mib.net_statistics: /proc/net/netstat's TcpExt) and IpExt */
  linuxMib: Float64Array;
  ipExtMib: Float64Array;
  /**
   * tcp_hashinfo for this namespace: the established hash (full sockets, request and TIME_WAIT mini sockets)
   * by 4-tuple, the listeners by port, and the bind buckets by port.
   */
  tcpEhash: EstablishedHash;
  tcpLhash: Map<number, TcpSock[]>;
  tcpBhash: Map<number, Array<TcpSock | TimewaitSock>>;
  /** Every TCP socket of the namespace in creation order (/proc/net/tcp, ss). */
  tcpSockets: Set<TcpSock>;
  /** TIME_WAIT buckets alive (tcp_death_row.tw_refcount) */
  tcpTwCount: number;
  /** tcp_metrics: what the Fast Open client remembers per destination (cookie, MSS). */
  tcpFastopenCache: Map<
    number,
    { mss: number; cookie: Uint8Array | null; exp: boolean; synLoss: number; lastSynLoss: number }
  >;
  /** The namespace's control socket for RSTs and ACKs outside a socket (ipv4_tcp_sk), made on first use. */
  tcpCtlSk: Sock | null;
  /** struct netns_unix: every AF_UNIX socket of the namespace (unix_table) and its sysctl. */
  unx: NetnsUnix;
}

export interface CoreSysctl {
  netdevMaxBacklog: number;
  netdevBudget: number;
  netdevBudgetUsecs: number;
  devWeight: number;
  /** dev_tx_weight: __qdisc_run's quota (net.core.dev_weight × dev_weight_tx_bias). */
  devTxWeight: number;
  /** gro_normal_batch: GRO's rx_list is flushed at this many skbs. */
  groNormalBatch: number;
  /** net.core.default_qdisc: what a device with a queue gets (the kernel's default: pfifo_fast). */
  defaultQdisc: string;
}

/** struct irq_desc, as /proc/interrupts shows it: a NIC's MSI-X vector and where it fired. */
export interface IrqDesc {
  irq: number;
  /** "eth0" (link and other causes) or "eth0-TxRx-0" (a queue pair's vector) */
  name: string;
  /** The PCI function and MSI-X entry /proc/interrupts shows (IR-PCI-MSIX-0000:01:00.0 1-edge). */
  chip: string;
  hwirq: number;
  /** Interrupts taken, per CPU. */
  counts: number[];
  /** smp_affinity: the CPU it is delivered to. */
  affinity: number;
}

export interface Host {
  name: string;
  nrCpus: number;
  softnet: SoftnetData[];
  initNet: Net;
  /** Named namespaces (`ip netns`), in creation order. */
  namedNets: Map<string, Net>;
  core: CoreSysctl;
  /** Interrupt lines of the host's NICs (/proc/interrupts). */
  irqs: IrqDesc[];
  /** The host's index in its lab (1-based), for MAC addresses and PCI slots of its NICs. */
  index: number;
  /** Its root file system (fs/ramfs): /tmp's files, /dev/zero, /dev/null. */
  fs: SuperBlock;
}
