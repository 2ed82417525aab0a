/**
 * Differential scenarios, as data. Each is a script typed inside node host1, the same on both sides.
 * See docs/differential.md; the deltas in the comments were measured on the real kernel.
 */

export interface Scenario {
  name: string;
  description: string;
  /** Lines run first; their output is not compared. */
  setup: string[];
  /** Lines between the "before" and "after" snapshots. */
  action: string[];
  /** Namespaces whose /proc/net/snmp deltas are compared: 'host' (host1 itself) or a name like 'ns1'. */
  snmp: string[];
  /**
   * Namespaces whose /proc/net/netstat TcpExt and IpExt deltas are compared (named as in snmp), except the
   * timing-dependent counters of script.ts (NETSTAT_TIMING_DEPENDENT).
   */
  netstat?: string[];
  /**
   * Counters ("Tcp.InSegs", "TcpExt.TCPPureAcks") not compared in this scenario, because here they depend
   * on timing (say why in the scenario's comment).
   */
  ignore?: string[];
  /** Devices whose `ip -s link` RX/TX packets/bytes/errors/dropped deltas are compared. */
  links: { ns: string; dev: string }[];
  /** Commands run after the "after" snapshot whose output must match exactly (after normalisation). */
  texts?: string[];
  /** Indexes of action lines whose output (normalised) and exit status must match. */
  outputs?: number[];
  /**
   * Kernel features the real side needs beyond network namespaces and veth ('netem': sch_netem). Where
   * the kernel lacks one, the scenario is defined with test.skip and the suite says why.
   */
  needs?: 'netem'[];
  /** Bound on the whole script, per side (default 30 s). */
  timeoutSec?: number;
  /**
   * A topology file (repo-relative, e.g. examples/two-hosts.yaml): skblab boots it (`shell -f`); the real side
   * builds the same hosts as namespaces joined by veth pairs (netem on both ends where the wire has
   * impairments). Without one: host1 alone (examples/one-host.yaml). Lines `on HOST CMD` run on another
   * host; snapshots of another host are named '@HOST' in snmp and links.
   */
  topology?: string;
}

const NO_IPV6_NS1 =
  'ip netns exec ns1 sysctl -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1';

/** host1 veth0 10.0.0.1/24 <-> ns1 veth1 10.0.0.2/24, both up, ARP caches empty. */
export const VETH_NS1 = [
  'ip netns add ns1',
  NO_IPV6_NS1,
  'ip link add veth0 type veth peer name veth1',
  'ip link set veth1 netns ns1',
  'ip addr add 10.0.0.1/24 dev veth0',
  'ip link set veth0 up',
  'ip -n ns1 addr add 10.0.0.2/24 dev veth1',
  'ip -n ns1 link set veth1 up',
  'ip -n ns1 link set lo up',
];

/** VETH_NS1 plus ns1 veth2 10.0.1.1/24 <-> ns2 veth3 10.0.1.2/24; ns1 forwards; ns2 routes back via ns1. */
const ROUTER_NS1_NS2 = [
  ...VETH_NS1,
  'ip netns add ns2',
  'ip netns exec ns2 sysctl -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1',
  'ip -n ns1 link add veth2 type veth peer name veth3',
  'ip -n ns1 link set veth3 netns ns2',
  'ip -n ns1 addr add 10.0.1.1/24 dev veth2',
  'ip -n ns1 link set veth2 up',
  'ip -n ns2 addr add 10.0.1.2/24 dev veth3',
  'ip -n ns2 link set veth3 up',
  'ip -n ns2 link set lo up',
  'ip netns exec ns1 sysctl -w net.ipv4.ip_forward=1',
  'ip -n ns2 route add default via 10.0.1.1',
  'ip route add 10.0.1.0/24 via 10.0.0.2',
];

/**
 * TCP endpoints pin the congestion control: this machine's init namespace uses bbr, which new namespaces
 * inherit, and cubic (6.12's default, skblab's) is not in its tcp_allowed_congestion_control, so a
 * namespace other than the first may not choose it (EPERM). reno is always allowed, and skblab models it.
 * The connections here are too short for the algorithm to change what is counted; the pin keeps it so.
 */
const RENO = 'sysctl -w net.ipv4.tcp_congestion_control=reno';
const renoIn = (ns: string): string => `ip netns exec ${ns} ${RENO}`;

/** TCP through router ns1: reno on both ends, nc -l in ns2. */
const ROUTER_TCP = [...ROUTER_NS1_NS2, RENO, renoIn('ns2')];
const LISTEN_NS2 = ['ip netns exec ns2 nc -l 10.0.1.2 8080 &', 'sleep 0.3'];
/** Every device on the router path, host to ns2. */
const ROUTER_LINKS = [
  { ns: 'host', dev: 'veth0' },
  { ns: 'ns1', dev: 'veth1' },
  { ns: 'ns1', dev: 'veth2' },
  { ns: 'ns2', dev: 'veth3' },
];
/** VETH_NS1 plus 10.0.1.2/24 on ns1's veth1, reached from host1 only through table 100. */
const TABLE_100 = [
  ...VETH_NS1,
  'ip -n ns1 addr add 10.0.1.2/24 dev veth1',
  'ip route add 10.0.1.0/24 via 10.0.0.2 table 100',
];

/**
 * Policy routing (ip rule). The real kernel showed, for each scenario:
 * - rule-list: every add and del answered as in the comment beside it; the final list (text and JSON)
 *   below them. Nothing moves in /proc/net/snmp.
 * - rule-source-table: host Ip OutRequests/OutTransmits/InReceives/InDelivers +1, Icmp echo out and reply in
 *   (ns1 the mirror); veth0 TX +2/+140 (ARP 42 + 98), RX +2/+140. `ip route get 10.0.1.2` names table 100,
 *   `ip route get 10.0.0.1` table local (the tables are unmerged once a rule was added).
 * - rule-actions: ping through prohibit prints the broadcast hint (EACCES) and exits 2; through unreachable
 *   "connect: Network is unreachable" (Ip OutNoRoutes +1, the only counter that moves); through blackhole
 *   "connect: Invalid argument". ip route get: Permission denied, Network is unreachable, Invalid argument.
 * - rule-priority: the prohibit rule (100) wins over the lookup (200) until it is deleted; an unreachable
 *   rule after the lookup (300) changes nothing. One echo exchange: host Icmp OutEchos +1, InEchoReps +1.
 */
export const RULE_SCENARIOS: Scenario[] = [
  {
    name: 'rule-list',
    description: 'ip rule add/del with their errors, then ip rule and ip -j rule',
    setup: [],
    action: [
      'ip rule add from 10.0.0.0/24 table 100 pref 1000',
      'ip rule add from 10.0.0.0/24 table 100 pref 1000', // File exists, 2
      'ip rule add from 10.1.0.0/24 table 100', // 999: just before the second rule (1000)
      'ip rule add fwmark 0x10/0xff iif lo table 101 pref 1001',
      'ip rule add not to 10.0.1.0/24 tos 0x08 oif veth9 lookup main pref 1002', // oif [detached]
      'ip rule add goto 32766 pref 10',
      'ip rule add goto 5 pref 10', // Backward goto not supported, 2
      'ip rule add from all lookup main suppress_prefixlength 0 pref 20',
      'ip rule add prohibit to 10.0.1.0/24 pref 30',
      'ip rule add pref abc', // invalid preference, 255
      'ip rule add tos 0x3 table 5', // ECN bits, 2
      'ip rule del from 10.9.0.0/24', // No such file or directory, 2
      'ip rule del pref 30',
      'ip rule del prohibit', // none left, 2
      'ip rule add', // requires arguments, 1
    ],
    snmp: ['host'],
    links: [],
    texts: ['ip rule', 'ip -j rule', 'ip rule show table 100', 'ip route show table 100'],
    outputs: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
  },
  {
    name: 'rule-source-table',
    description: 'a rule sends 10.0.1.0/24 to table 100, whose route goes via ns1: ping and ip route get',
    setup: [
      ...TABLE_100,
      'ip rule add to 10.0.1.0/24 lookup 100 pref 1000',
      'ip rule add from 10.0.0.1 lookup 100',
    ],
    action: [
      'ping -c 1 10.0.1.2',
      'ip route get 10.0.1.2',
      'ip route get 10.0.2.7 from 10.0.0.1',
      'ip route get 10.0.2.7',
    ],
    snmp: ['host', 'ns1'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth1' },
    ],
    texts: ['ip rule', 'ip route get 10.0.0.1', 'ip route show table 100'],
    outputs: [0, 1, 2, 3],
  },
  {
    name: 'rule-actions',
    description: 'prohibit, unreachable and blackhole rules: what ping and ip route get say',
    setup: [
      'ip link set lo up',
      'ip rule add prohibit to 192.0.2.0/24 pref 100',
      'ip rule add unreachable to 198.51.100.0/24 pref 101',
      'ip rule add blackhole to 203.0.113.0/24 pref 102',
    ],
    action: [
      'ping -c 1 -W 1 192.0.2.1',
      'ping -c 1 -W 1 198.51.100.1',
      'ping -c 1 -W 1 203.0.113.1',
      'ip route get 192.0.2.1',
      'ip route get 198.51.100.1',
      'ip route get 203.0.113.1',
    ],
    snmp: ['host'],
    links: [{ ns: 'host', dev: 'lo' }],
    texts: ['ip rule'],
    outputs: [0, 1, 2, 3, 4, 5],
  },
  {
    name: 'rule-priority',
    description: 'a prohibit rule before the lookup rule wins until deleted; one after it changes nothing',
    setup: [
      ...TABLE_100,
      'ip rule add to 10.0.1.0/24 lookup 100 pref 200',
      'ip rule add to 10.0.1.0/24 prohibit pref 100',
    ],
    action: [
      'ping -c 1 -W 1 10.0.1.2',
      'ip rule del pref 100',
      'ip rule add to 10.0.1.0/24 unreachable pref 300',
      'ping -c 1 -W 1 10.0.1.2',
    ],
    snmp: ['host', 'ns1'],
    links: [{ ns: 'host', dev: 'veth0' }],
    texts: ['ip rule', 'ip neigh'],
    outputs: [0, 1, 2, 3],
  },
];

/** The router's veth2 drops every packet (pfifo limit 0: no TCQ_F_CAN_BYPASS), and shows how many. */
const ROUTER_DROP = 'tc -n ns1 qdisc add dev veth2 root pfifo limit 0';
const ROUTER_DROPS_SHOWN = 'tc -n ns1 -s qdisc show dev veth2';

export const TCP_SCENARIOS: Scenario[] = [
  {
    name: 'tcp-lo',
    description: 'echo hello | nc -N 127.0.0.1 8080 to nc -l: handshake, data, both FINs; TIME_WAIT in ss',
    setup: [RENO, 'nc -l 127.0.0.1 8080 &', 'sleep 0.3'],
    action: ['echo hello | nc -N 127.0.0.1 8080'],
    snmp: ['host'],
    netstat: ['host'],
    links: [{ ns: 'host', dev: 'lo' }],
    texts: ['ss -tan'],
    outputs: [0],
  },
  {
    name: 'tcp-self-addr',
    description: "TCP to the host's own veth address: a local route, so the segments go over lo",
    setup: [
      RENO,
      'ip link add veth0 type veth peer name veth1',
      'ip addr add 10.0.0.1/24 dev veth0',
      'ip link set veth0 up',
      'nc -l 10.0.0.1 8080 &',
      'sleep 0.3',
    ],
    action: ['echo hello | nc -N 10.0.0.1 8080'],
    snmp: ['host'],
    netstat: ['host'],
    links: [
      { ns: 'host', dev: 'lo' },
      { ns: 'host', dev: 'veth0' },
    ],
    texts: ['ss -tan'],
    outputs: [0],
  },
  {
    name: 'tcp-veth',
    description: 'TCP across the veth pair to nc -l in ns1 (the SYN waits for ARP)',
    setup: [...VETH_NS1, RENO, renoIn('ns1'), 'ip netns exec ns1 nc -l 10.0.0.2 8080 &', 'sleep 0.3'],
    action: ['echo hello | nc -N 10.0.0.2 8080'],
    snmp: ['host', 'ns1'],
    netstat: ['host', 'ns1'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth1' },
    ],
    texts: ['ss -tan', 'ip netns exec ns1 ss -tan'],
    outputs: [0],
  },
  {
    name: 'tcp-router',
    description: 'TCP through router ns1 (ip_forward=1) to nc -l in ns2',
    setup: [...ROUTER_TCP, ...LISTEN_NS2],
    action: ['echo hello | nc -N 10.0.1.2 8080'],
    snmp: ['host', 'ns1', 'ns2'],
    netstat: ['host', 'ns1', 'ns2'],
    links: ROUTER_LINKS,
    texts: ['ss -tan', 'ip netns exec ns2 ss -tan'],
    outputs: [0],
  },
  {
    name: 'tcp-refused',
    description: 'nc -v and nc -z to closed ports, on 127.0.0.1 and in ns1: RST, Connection refused, exit 1',
    setup: [...VETH_NS1, RENO],
    action: ['nc -v 127.0.0.1 9', 'nc -z 127.0.0.1 9', 'nc -v 10.0.0.2 9'],
    snmp: ['host', 'ns1'],
    netstat: ['host', 'ns1'],
    links: [
      { ns: 'host', dev: 'lo' },
      { ns: 'host', dev: 'veth0' },
    ],
    outputs: [0, 1, 2],
  },
  {
    name: 'tcp-listen-overflow',
    description:
      'nc -l (backlog 1) busy with one client: two more fill its accept queue, the SYNs of a fourth are dropped',
    setup: [RENO, 'nc -l 127.0.0.1 8080 &', 'sleep 0.3', 'nc 127.0.0.1 8080 &', 'sleep 0.3'],
    action: ['nc 127.0.0.1 8080 &', 'nc 127.0.0.1 8080 &', 'sleep 0.3', 'nc -v -w 2 127.0.0.1 8080'],
    snmp: ['host'],
    netstat: ['host'],
    links: [{ ns: 'host', dev: 'lo' }],
    texts: ['ss -tan'],
    outputs: [3],
  },
  {
    name: 'tcp-netem-syn-loss',
    description:
      'netem drops every packet on veth0 for 0.5 s: the SYN is lost, its retransmission 1 s later connects',
    needs: ['netem'],
    setup: [
      ...VETH_NS1,
      RENO,
      renoIn('ns1'),
      'ping -c 1 10.0.0.2',
      'ip netns exec ns1 nc -l 10.0.0.2 8080 &',
      'sleep 0.3',
      'tc qdisc add dev veth0 root netem loss 100%',
    ],
    action: ['echo hello | nc -N 10.0.0.2 8080 &', 'sleep 0.5', 'tc qdisc del dev veth0 root', 'sleep 1.5'],
    snmp: ['host', 'ns1'],
    netstat: ['host', 'ns1'],
    links: [],
    outputs: [3],
  },
  /*
   * tcp-router's path with ARP settled first (the setup's ping), then pfifo limit 0 on the router's veth2 (no
   * TCQ_F_CAN_BYPASS at limit 0: every packet enqueued there is dropped) until 0.5 s after the connect: the
   * SYN is lost on the wire as the client sees it, the RTO (1 s) retransmits it and that one connects. The
   * margins: the SYN has 0.5 s to leave before the qdisc goes, which goes 0.5 s before the retransmission;
   * the data and both FINs then have 1 s. Real kernel, 10 runs (5 with both cores busy), all the same:
   * host: Ip InReceives/InDelivers +3, OutRequests/OutTransmits +6 (the lost SYN is sent); Tcp ActiveOpens
   *   +1, InSegs +3, OutSegs +5, RetransSegs +1; TcpExt TCPTimeouts +1, TCPSynRetrans +1, TcpTimeoutRehash
   *   +1 (tcp_write_timeout's sk_rethink_txhash), TW +1, TCPPureAcks +1, TCPOrigDataSent +2, TCPDelivered
   *   +3; no TCPLossUndo or TCPSpuriousRTOs (the SYN-ACK acks the retransmitted SYN).
   * ns1: Ip InReceives/ForwDatagrams/OutTransmits +9 (the dropped SYN was forwarded and transmitted into the
   *   qdisc); `tc -s qdisc`: "Sent 0 bytes 0 pkt (dropped 1, ...)". ns2: Ip InReceives/InDelivers +5,
   *   OutRequests/OutTransmits +3; Tcp PassiveOpens +1, InSegs +5, OutSegs +3.
   * veth0 TX +6/418 bytes, RX +3/206; veth2 TX +5/344 (the dropped SYN is not counted), RX +3/206.
   */
  {
    name: 'tcp-router-syn-loss',
    description:
      "pfifo limit 0 on router ns1's veth2 for 0.5 s: the SYN is lost at the router, its retransmission connects",
    setup: [...ROUTER_TCP, 'ping -c 1 -W 1 10.0.1.2', ...LISTEN_NS2, ROUTER_DROP],
    action: [
      'echo hello | nc -N 10.0.1.2 8080 &',
      'sleep 0.5',
      ROUTER_DROPS_SHOWN,
      'tc -n ns1 qdisc del dev veth2 root',
      'sleep 1.5',
    ],
    snmp: ['host', 'ns1', 'ns2'],
    netstat: ['host', 'ns1', 'ns2'],
    links: ROUTER_LINKS,
    texts: ['ss -tan', 'ip netns exec ns2 ss -tan'],
    outputs: [2, 3, 4],
  },
  /*
   * Loss mid-connection, recovered by TLP and RTO: nc -w 1 sends "hello" at once and closes (FIN) after 1 s
   * idle; pfifo limit 0 on the router's veth2 from 0.5 s to about 2.2 s drops that FIN, the tail loss probe
   * and the first two RTOs; the third RTO gets through. tcpdump on the real side: FIN at 1.001 s, TLP 1.208
   * (PTO: 2 srtt + rto_min for one packet out, capped at the RTO), RTOs 1.416, 1.828, 2.660, the server's
   * FIN and the last ACK at once; each qdisc change is 0.3 s or more from the nearest transmission.
   * (skblab's shell runs a pipeline's commands one after the other, so a data write late in a connection
   * cannot be scripted the same on both sides; the FIN is the lost segment here.) The listener's "hello" is
   * not compared: in distributed mode it lands before the `&` line's marker. Real kernel, 10 runs (5 with
   * both cores busy), all the same:
   * host: Ip OutRequests/OutTransmits +9, InReceives/InDelivers +3; Tcp ActiveOpens +1, OutSegs +5, InSegs
   *   +3, RetransSegs +4; TcpExt TCPLossProbes +1, TCPTimeouts +3, TcpTimeoutRehash +3, TCPLostRetransmit +2
   *   (tcp_timeout_mark_lost: the FIN the 1st and 2nd RTO resent is lost again), TW +1, TCPPureAcks +1,
   *   TCPOrigDataSent +2, TCPDelivered +3; no undo. ns1: Ip InReceives/ForwDatagrams/OutTransmits +12;
   *   `tc -s qdisc`: "dropped 4". ns2 as in tcp-router-syn-loss. veth0 TX +9/608 bytes; veth2 TX +5/344.
   */
  {
    name: 'tcp-router-fin-loss',
    description:
      "nc -w 1's FIN, 1 s after its data (idle), is lost at router ns1 (pfifo limit 0 on veth2), with the TLP and two RTOs after it",
    setup: [...ROUTER_TCP, 'ping -c 1 -W 1 10.0.1.2', ...LISTEN_NS2],
    action: [
      'echo hello | nc -w 1 10.0.1.2 8080 &',
      'sleep 0.5',
      ROUTER_DROP,
      'sleep 1.6',
      ROUTER_DROPS_SHOWN,
      'tc -n ns1 qdisc del dev veth2 root',
      'sleep 1.5',
    ],
    snmp: ['host', 'ns1', 'ns2'],
    netstat: ['host', 'ns1', 'ns2'],
    links: ROUTER_LINKS,
    texts: ['ss -tan', 'ip netns exec ns2 ss -tan'],
    outputs: [4, 5, 6],
  },
  /*
   * The path stays black (pfifo limit 0 on ns1's veth2) and nc -v -w 2 gives up on the connect. With
   * tcp_syn_linear_timeouts 0 the SYN goes at 0 and 1 s and the next would go at 3 s, 1 s from nc's 2 s
   * timeout either way (the default 4 linear timeouts send one at 2 s, racing it). Real kernel, 10 runs (5
   * with both cores busy), all the same: host: Ip OutRequests/OutTransmits +2; Tcp ActiveOpens +1, OutSegs
   * +1, RetransSegs +1; TcpExt TCPTimeouts +1, TCPSynRetrans +1, TcpTimeoutRehash +1 (no AttemptFails:
   * tcp_done counts it, and close() in SYN_SENT goes to CLOSE through tcp_close_state instead). ns1: Ip InReceives/ForwDatagrams/
   * OutTransmits +2, `tc -s qdisc`: "dropped 2"; ns2 (none). veth0 TX +2/148 bytes; veth2 (none). nc prints
   * "nc: connect to 10.0.1.2 port 8080 (tcp) timed out: Operation now in progress", exit 1; ss shows nothing.
   */
  {
    name: 'tcp-router-blackhole',
    description:
      "pfifo limit 0 on router ns1's veth2 throughout: nc -v -w 2 sees its SYN and the retransmission lost, and times out",
    setup: [
      ...ROUTER_TCP,
      'sysctl -w net.ipv4.tcp_syn_linear_timeouts=0',
      'ping -c 1 -W 1 10.0.1.2',
      ...LISTEN_NS2,
      ROUTER_DROP,
    ],
    action: ['nc -v -w 2 10.0.1.2 8080', ROUTER_DROPS_SHOWN],
    snmp: ['host', 'ns1', 'ns2'],
    netstat: ['host', 'ns1', 'ns2'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth2' },
    ],
    texts: ['ss -tan'],
    outputs: [0, 1],
  },
  {
    name: 'tcp-iperf',
    // iperf -c to a closed port is not compared: iperf 2.1.8's reporter thread races the failed connect
    // (the real one printed "tcp connect failed" before or after its header, and "TCP window size: -1.00
    // Byte" once).
    description: 'iperf -c 127.0.0.1 -n 1M to iperf -s',
    setup: [RENO, 'iperf -s >/dev/null 2>&1 &', 'sleep 0.3'],
    action: ['iperf -c 127.0.0.1 -n 1M'],
    snmp: [],
    links: [],
    outputs: [0],
  },
];

/*
 * AF_UNIX: the socket layer only. A path name lives in the host's file system (on the real side /tmp is this
 * machine's: the paths start with skbd- and every scenario removes them), an abstract name in the
 * namespace. No counter moves on either side, and lo stays still: the point of comparing snmp, netstat and
 * lo at all. ss -x's inode numbers are the kernel's own (get_next_ino): the suite names them I1, I2... in
 * order (peers keep matching) and squeezes the columns they widen.
 */
const UNIX_PATH = '/tmp/skbd-unix.sock';
const UNIX_DGRAM_PATH = '/tmp/skbd-unix-dgram.sock';

/*
 * Servers and clients from the seeds: busybox httpd serving a directory of the host's files to curl over
 * 127.0.0.1. On the real side the directory is this machine's /tmp/skbd-www (removed at the end). The Date,
 * Last-Modified and ETag headers carry the clock, so the compared lines print bodies, status codes and
 * errors, not heads. curl's stdout is not a terminal on either side, so without -s its progress meter
 * (all zeroes for a refused connection) is part of the compared text.
 */
const WWW = '/tmp/skbd-www';

export const SERVER_SCENARIOS: Scenario[] = [
  /*
   * The shell's file side: mkdir -p of a new directory (silent, 0), a second mkdir (`mkdir: cannot create
   * directory '/tmp/skbd-www': File exists`, 1), `>` and `>>`, cat, ls, and cat of a missing file (1).
   * Then httpd: `hi` for /, 404 for /nope (curl exits 0), a directory without its slash answers 302
   * (`%{http_code}` 302), a HEAD (-I, -o /dev/null) 200; -f makes the 404 exit 22 silently with -s; port 8081
   * refused: the meter's header and two zero lines, `curl: (7) Failed to connect to 127.0.0.1 port 8081
   * after 0 ms: Couldn't connect to server`, 7; a second httpd on 8080: `httpd: bind: Address already in
   * use`, 1. host: Tcp ActiveOpens +8, PassiveOpens +7, AttemptFails +1 in every run. How the two ends'
   * closes cross (curl closes once Content-Length bytes came, busybox shuts down after sendfile) depends on
   * when each process runs: in eight runs the real side moved 76 to 78 segments, and 1 OutRst with no
   * EstabResets or 2 OutRsts with 1 EstabResets (an RST that meets an established end; more often when the
   * machine is busy, as in CI); skblab 76 (72 in distributed mode) and 1, 0. So those counters are not
   * compared here.
   */
  {
    name: 'http-busybox-curl',
    description: 'curl against busybox httpd -f -p 8080 -h DIR on 127.0.0.1, with mkdir, >, >>, cat and ls',
    setup: [RENO, `rm -f ${WWW}/index.html ${WWW}/two.txt`, `rmdir ${WWW}/sub ${WWW}`],
    action: [
      `mkdir -p ${WWW}/sub`,
      `mkdir ${WWW}`,
      `echo hi > ${WWW}/index.html`,
      `echo one > ${WWW}/two.txt`,
      `echo two >> ${WWW}/two.txt`,
      `cat ${WWW}/index.html ${WWW}/two.txt`,
      `ls ${WWW}`,
      `cat ${WWW}/nope`,
      `busybox httpd -f -p 8080 -h ${WWW} &`,
      'sleep 0.2',
      'curl -s http://127.0.0.1:8080/',
      "curl -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:8080/nope",
      'curl http://127.0.0.1:8081/',
      "curl -s -o /dev/null -w '%{http_code} %{size_download}\\n' http://127.0.0.1:8080/sub",
      'curl -s http://127.0.0.1:8080/two.txt http://127.0.0.1:8080/sub/',
      'curl -sf http://127.0.0.1:8080/nope',
      "curl -sI -o /dev/null -w '%{http_code} %{content_type}\\n' http://127.0.0.1:8080/two.txt",
      `busybox httpd -f -p 8080 -h ${WWW}`,
    ],
    snmp: ['host'],
    ignore: [
      'Ip.InReceives',
      'Ip.InDelivers',
      'Ip.OutRequests',
      'Ip.OutTransmits',
      'Tcp.InSegs',
      'Tcp.OutSegs',
      'Tcp.OutRsts',
      'Tcp.EstabResets',
    ],
    links: [],
    texts: [`rm ${WWW}/index.html ${WWW}/two.txt`, `rmdir ${WWW}/sub ${WWW}`],
    outputs: [0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17],
  },
];

export const UNIX_SCENARIOS: Scenario[] = [
  /*
   * host: (none); lo: (none). The listener prints hello (it ends at the client's shutdown, closing both its
   * sockets); the client exits 0. The path's socket inode stays behind, so a second connect finds no one
   * bound to it: `nc: /tmp/skbd-unix.sock: Connection refused`, exit 1. ss -xa: the header alone.
   */
  {
    name: 'unix-stream-nc',
    description: 'echo hello | nc -NU PATH to nc -lU PATH: no counter moves; then the stale path refuses',
    setup: [`rm -f ${UNIX_PATH}`, `nc -lU ${UNIX_PATH} &`, 'sleep 0.3'],
    action: [`echo hello | nc -NU ${UNIX_PATH}`, `nc -U ${UNIX_PATH}`],
    snmp: ['host'],
    netstat: ['host'],
    links: [{ ns: 'host', dev: 'lo' }],
    texts: ['ss -xa', `rm ${UNIX_PATH}`],
    outputs: [0, 1],
  },
  /*
   * A listener on a path and one on an abstract name, and a connection to the first (the client's stdin is
   * at its end at once, and without -N it stays). ss -xl: the two LISTEN lines (Send-Q 5, netcat's
   * backlog); ss -xa adds the two ESTAB ends, each the other's peer, the server's end named by the path;
   * ss -x the ESTAB ends alone. A second listener on the abstract name: `nc: Address already in use`, 1.
   */
  {
    name: 'unix-stream-ss',
    description: 'ss -x, -xa, -xl over a path listener, an abstract listener and a connection',
    setup: [
      `rm -f ${UNIX_PATH}`,
      `nc -lU ${UNIX_PATH} &`,
      'nc -lU @skbd-abstract &',
      'sleep 0.3',
      `nc -U ${UNIX_PATH} &`,
      'sleep 0.3',
    ],
    action: ['nc -lU @skbd-abstract', 'ss -xl'],
    snmp: ['host'],
    links: [{ ns: 'host', dev: 'lo' }],
    texts: ['ss -xa', 'ss -x', `rm ${UNIX_PATH}`],
    outputs: [0, 1],
  },
  /*
   * The errors, each `nc: ...` and exit 1: a missing path (ENOENT: `No such file or directory`), a path that
   * is not a socket (/tmp: `Connection refused`), listening on a name that exists (`Address already in
   * use`: mknod's EEXIST, after netcat's unlink failed on a directory), an abstract name nobody holds
   * (`Connection refused`), and netcat's own refusal of a port with -U.
   */
  {
    name: 'unix-errors',
    description: 'nc -U to a missing path, to a directory, -lU on a directory, to a free abstract name',
    setup: ['rm -f /tmp/skbd-none.sock'],
    action: [
      'nc -U /tmp/skbd-none.sock',
      'nc -U /tmp',
      'nc -lU /tmp',
      'nc -U @skbd-none',
      'nc -U /tmp/skbd-none.sock 80',
    ],
    snmp: ['host'],
    links: [{ ns: 'host', dev: 'lo' }],
    outputs: [0, 1, 2, 3, 4],
  },
  /*
   * Datagrams: nc -luU binds PATH; the client binds a temporary /tmp/nc-XXXXXX/recv.sock, sends hi, waits
   * a second and removes its name. The listener prints hi, having connected to the client's name: ss -xa
   * then shows it ESTAB with a peer of inode 0 (the client is gone). No counter moves.
   */
  {
    name: 'unix-dgram-nc',
    description: 'echo hi | nc -uU -w1 PATH to nc -luU PATH: one datagram, no counter moves',
    setup: [`rm -f ${UNIX_DGRAM_PATH}`, `nc -luU ${UNIX_DGRAM_PATH} &`, 'sleep 0.3'],
    action: [`echo hi | nc -uU -w1 ${UNIX_DGRAM_PATH}`],
    snmp: ['host'],
    links: [{ ns: 'host', dev: 'lo' }],
    texts: ['ss -xa', `rm ${UNIX_DGRAM_PATH}`],
    outputs: [0],
  },
];

/*
 * Redis and socat over 127.0.0.1 and AF_UNIX (issue 19). On the real side redis-server is Debian 12's
 * 7.0.15 and socat 1.7.4.4, each in host1's own namespace (so its port 6379 is not the machine's); their
 * socket paths are in this machine's /tmp, named skbd-*, removed before and after. redis-server's log
 * carries its pid and the clock, so it goes to /dev/null; `--save ''` keeps it from writing dump.rdb.
 * socat's log lines are compared with their clock and pid masked (parse.ts maskSocatLog).
 */
const REDIS_SOCK = '/tmp/skbd-redis.sock';
const SOCAT_SOCK = '/tmp/skbd-socat.sock';

export const IPC_SERVER_SCENARIOS: Scenario[] = [
  /*
   * redis-cli's raw output (stdout not a terminal): PONG, OK, v, an empty line for nil, 1, the errors each
   * followed by an empty line (`ERR value is not an integer or out of range`, `ERR unknown command 'foo',
   * with args beginning with: 'bar' 'baz' `, `ERR wrong number of arguments for 'get' command`, `ERR invalid
   * expire time in 'set' command`), all exit 0; exists 2, del 1, keys n, dbsize 1; port 6380: `Could not
   * connect to Redis at 127.0.0.1:6380: Connection refused`, exit 1; over the unix socket PONG, a missing
   * one `Could not connect to Redis at /tmp/skbd-none.sock: No such file or directory`, 1. INFO stats:
   * total_connections_received:15, total_commands_processed:12, total_net_input_bytes:358,
   * total_net_output_bytes:265, keyspace_hits:3, keyspace_misses:2, total_error_replies:4,
   * total_reads_processed:29, total_writes_processed:14. host: Tcp ActiveOpens +17, PassiveOpens +15,
   * AttemptFails +2, OutRsts +2 in every run (redis-cli tries a refused connect twice, as strace shows).
   * The segments varied on the real side: 152 or 154 InSegs and OutSegs in four runs (whether an ACK goes
   * alone or with the next reply depends on when each process runs; skblab 154), so they and Ip's packets
   * are not compared.
   */
  {
    name: 'redis-cli-server',
    description:
      'redis-cli against redis-server on 127.0.0.1:6379 and on a unix socket: replies, errors, INFO',
    setup: [
      RENO,
      `rm -f ${REDIS_SOCK}`,
      `redis-server --port 6379 --save '' --appendonly no --unixsocket ${REDIS_SOCK} > /dev/null &`,
      'sleep 0.3',
    ],
    action: [
      'redis-cli ping',
      'redis-cli set k v',
      'redis-cli get k',
      'redis-cli get nope',
      'redis-cli incr n',
      'redis-cli incr k',
      'redis-cli foo bar baz',
      'redis-cli get',
      'redis-cli exists k nope n',
      'redis-cli del k nope',
      "redis-cli keys '*'",
      'redis-cli dbsize',
      'redis-cli -p 6380 ping',
      'redis-cli set z 1 EX 0',
      `redis-cli -s ${REDIS_SOCK} ping`,
      'redis-cli -s /tmp/skbd-none.sock ping',
      "redis-cli info stats | grep -E '^(total_conn|total_comm|total_net_(in|out)put|keyspace_|total_err|total_(reads|writes))'",
      'redis-cli info keyspace',
    ],
    snmp: ['host'],
    ignore: [
      'Ip.InReceives',
      'Ip.InDelivers',
      'Ip.OutRequests',
      'Ip.OutTransmits',
      'Tcp.InSegs',
      'Tcp.OutSegs',
    ],
    links: [],
    texts: [`rm -f ${REDIS_SOCK}`],
    outputs: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
  },
  /*
   * socat over TCP: `TCP-LISTEN:8080,reuseaddr -` prints what `echo hello | socat - TCP:127.0.0.1:8080`
   * sends (both exit 0); port 8081 refused: `E connect(5, AF=2 127.0.0.1:8081, 16): Connection refused`, 1,
   * the same for TCP4; a second listener on a port held: `E bind(5, {AF=2 0.0.0.0:8084}, 16): Address
   * already in use`, 1; the usage errors: `E exactly 2 addresses required (there are 1); use option "-h"
   * for help`, `E unknown device/address "FOO"`, `E TCP: wrong number of parameters (1 instead of 2)`, `E
   * parseopts_table(): unknown option "foo"`, each 1; localhost:8080 once the one-shot listener is gone:
   * refused. host: Tcp ActiveOpens +4, PassiveOpens +1, AttemptFails +3, OutRsts +3 in every run. The
   * listener's standard input is at its end at once, so its FIN crosses the client's data: 14 segments
   * (lo +14/+738) in six runs, 15 in one of three with both cores busy; so the segments, Ip's packets and
   * lo are not compared.
   */
  {
    name: 'socat-tcp',
    description:
      'socat TCP-LISTEN / TCP / TCP4 / STDIO on 127.0.0.1: a transfer, refusals, bind and usage errors',
    setup: [RENO, 'socat TCP-LISTEN:8084 - &'],
    action: [
      'socat TCP-LISTEN:8080,reuseaddr - &',
      'sleep 0.3',
      'echo hello | socat - TCP:127.0.0.1:8080',
      'echo hi | socat - TCP:127.0.0.1:8081',
      'echo hi | socat STDIO TCP4:127.0.0.1:8081',
      'socat TCP-LISTEN:8084 -',
      'socat -',
      'socat - FOO:bar',
      'socat - TCP:127.0.0.1',
      'socat TCP-LISTEN:8083,foo -',
      'echo hi | socat - TCP:localhost:8080',
    ],
    snmp: ['host'],
    ignore: [
      'Ip.InReceives',
      'Ip.InDelivers',
      'Ip.OutRequests',
      'Ip.OutTransmits',
      'Tcp.InSegs',
      'Tcp.OutSegs',
    ],
    links: [],
    outputs: [2, 3, 4, 5, 6, 7, 8, 9, 10],
  },
  /*
   * socat over AF_UNIX: `UNIX-LISTEN:PATH -` prints what `UNIX-CONNECT:PATH` sends, and removes its name
   * when it closes (ls: No such file or directory, 2); a missing path: `E connect(, AF=1
   * "/tmp/skbd-none.sock", 21): No such file or directory` (socat 1.7.4 prints no descriptor there), 1; a
   * path that exists: `E "/tmp/skbd-socat.sock" exists`, 1. Then the classic relay: socat
   * `TCP-LISTEN:6380,reuseaddr,fork UNIX-CONNECT:` redis-server's socket (with --port 0, redis-server has no
   * TCP listener): redis-cli -p 6380 sets and gets through it (a child per connection). Only the two
   * relayed connections touch TCP: host Ip In/Out +20, Tcp ActiveOpens +2, PassiveOpens +2, InSegs +20,
   * OutSegs +20; lo +20/+1131; the same in seven runs, three of them with both cores busy.
   */
  {
    name: 'socat-unix',
    description:
      'socat UNIX-LISTEN / UNIX-CONNECT, its errors, and a TCP-to-unix relay in front of redis-server',
    setup: [
      RENO,
      `rm -f ${SOCAT_SOCK} ${REDIS_SOCK}`,
      `redis-server --port 0 --save '' --unixsocket ${REDIS_SOCK} > /dev/null &`,
      `socat TCP-LISTEN:6380,reuseaddr,fork UNIX-CONNECT:${REDIS_SOCK} &`,
    ],
    action: [
      `socat UNIX-LISTEN:${SOCAT_SOCK} - &`,
      'sleep 0.3',
      `echo hello | socat - UNIX-CONNECT:${SOCAT_SOCK}`,
      'sleep 0.2',
      `ls ${SOCAT_SOCK}`,
      'echo hi | socat - UNIX-CONNECT:/tmp/skbd-none.sock',
      `echo x > ${SOCAT_SOCK}`,
      `socat UNIX-LISTEN:${SOCAT_SOCK} -`,
      'redis-cli -p 6380 set k v',
      'redis-cli -p 6380 get k',
      `redis-cli -s ${REDIS_SOCK} dbsize`,
    ],
    snmp: ['host'],
    links: [{ ns: 'host', dev: 'lo' }],
    texts: [`rm -f ${SOCAT_SOCK} ${REDIS_SOCK}`],
    outputs: [2, 4, 5, 7, 8, 9, 10],
  },
];

/*
 * Each scenario's comment gives what the real kernel showed (Linux 6.18, iproute2 6.1.0, iputils 20221126,
 * netcat-openbsd 1.219; stable over repeated runs, also with both cores busy). Byte counts: lo counts the IP
 * packet (no Ethernet header); veth counts the frame with its 14-byte header and no padding; an ARP frame
 * is 42 bytes. "(none)" means no counter moved.
 */
export const SCENARIOS: Scenario[] = [
  /*
   * host: Ip InReceives/InDelivers/OutRequests/OutTransmits +2; Icmp InMsgs +2, InEchos +1, InEchoReps +1,
   *   OutMsgs +2, OutEchos +1, OutEchoReps +1; IcmpMsg InType0/InType8/OutType0/OutType8 +1.
   * lo: RX and TX +2 packets, +168 bytes (2 x 84).
   */
  {
    name: 'lo-ping-1',
    description: 'ping -c 1 127.0.0.1',
    setup: [],
    action: ['ping -c 1 127.0.0.1'],
    snmp: ['host'],
    links: [{ ns: 'host', dev: 'lo' }],
    outputs: [0],
  },
  /* As lo-ping-1 times 3: Ip x4 +6, Icmp InMsgs/OutMsgs +6, the rest +3; lo RX/TX +6 packets, +504 bytes. */
  {
    name: 'lo-ping-3',
    description: 'ping -c 3 127.0.0.1',
    setup: [],
    action: ['ping -c 3 127.0.0.1'],
    snmp: ['host'],
    links: [{ ns: 'host', dev: 'lo' }],
    outputs: [0],
  },
  /*
   * lo MTU is 65536, so nothing is fragmented: snmp exactly as lo-ping-1 (no Frag or Reasm counters);
   * lo RX/TX +2 packets, +6056 bytes (2 x 3028). ping prints "3000(3028) bytes" and "3008 bytes from".
   */
  {
    name: 'lo-ping-big',
    description: 'ping -c 1 -s 3000 127.0.0.1: lo MTU 65536, no fragmentation',
    setup: [],
    action: ['ping -c 1 -s 3000 127.0.0.1'],
    snmp: ['host'],
    links: [{ ns: 'host', dev: 'lo' }],
    outputs: [0],
  },
  /*
   * A local address is reached through lo whatever device holds it (only veth0 is up; its peer is down).
   * snmp: as lo-ping-1. lo +2 packets/+168 bytes each way; veth0 (none).
   * ip route get 10.0.0.1 -> "local 10.0.0.1 dev lo src 10.0.0.1 uid 0" / "    cache <local>".
   */
  {
    name: 'self-ping-veth-addr',
    description: "ping the host's own veth address: local route, the packets go over lo, not veth",
    setup: [
      'ip link add veth0 type veth peer name veth1',
      'ip addr add 10.0.0.1/24 dev veth0',
      'ip link set veth0 up',
    ],
    action: ['ping -c 1 10.0.0.1'],
    snmp: ['host'],
    links: [
      { ns: 'host', dev: 'lo' },
      { ns: 'host', dev: 'veth0' },
    ],
    texts: ['ip route get 10.0.0.1'],
    outputs: [0],
  },
  /*
   * Adding addresses sends nothing: snmp (none). Texts: the main table gets one "proto kernel scope link"
   * route per new prefix (none for 10.0.0.11, a secondary in 10.0.0.0/24); the local table gets a "local"
   * route per address and a "broadcast" route per prefix, ordered by address; `ip addr` lists 10.0.0.11 as
   * "secondary" after 192.168.77.1. veth0 is ifindex 3 and its peer 2 ("veth0@if2": the peer is registered
   * first), and it shows "link-netns ns1".
   */
  {
    name: 'route-tables',
    description: 'ip route / ip route list table local after adding addresses to a veth pair',
    setup: [...VETH_NS1],
    action: ['ip addr add 192.168.77.1/24 dev veth0', 'ip addr add 10.0.0.11/24 dev veth0'],
    snmp: ['host'],
    links: [],
    texts: [
      'ip route',
      'ip route list table local',
      'ip addr show dev veth0',
      'ip -n ns1 route',
      'ip -n ns1 route list table local',
    ],
  },
  /*
   * host and ns1 each: Ip InReceives/InDelivers/OutRequests/OutTransmits +1, Icmp InMsgs +1, OutMsgs +1;
   *   host Icmp OutEchos +1, InEchoReps +1, IcmpMsg OutType8 +1, InType0 +1;
   *   ns1 Icmp InEchos +1, OutEchoReps +1, IcmpMsg InType8 +1, OutType0 +1.
   * veth0 and veth1: RX and TX +2 packets, +140 bytes each way (ARP 42 + ICMP 98). lo (none).
   * ip neigh: "10.0.0.2 dev veth0 lladdr M REACHABLE"; ns1: "10.0.0.1 dev veth1 lladdr M DELAY" (learnt
   * STALE from the ARP request, DELAY once the echo reply used it; it would turn PROBE after 5 s).
   */
  {
    name: 'veth-ping-first',
    description: 'ping -c 1 across a veth pair into ns1, ARP cache empty (ARP request/reply on the wire)',
    setup: [...VETH_NS1],
    action: ['ping -c 1 -W 1 10.0.0.2'],
    snmp: ['host', 'ns1'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth1' },
      { ns: 'host', dev: 'lo' },
    ],
    texts: ['ip neigh', 'ip -n ns1 neigh'],
    outputs: [0],
  },
  /*
   * As veth-ping-first with every snmp delta x3. veth0/veth1 RX and TX +4 packets, +336 bytes (one ARP
   * exchange: 42 + 3 x 98). Neighbours as in veth-ping-first (REACHABLE / DELAY: ping -c 3 takes 2 s).
   */
  {
    name: 'veth-ping-3',
    description: 'ping -c 3 across a veth pair into ns1 (one ARP exchange, then the cached entry)',
    setup: [...VETH_NS1],
    action: ['ping -c 3 -W 1 10.0.0.2'],
    snmp: ['host', 'ns1'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth1' },
    ],
    texts: ['ip neigh', 'ip -n ns1 neigh'],
    outputs: [0],
  },
  /*
   * ping -Q sets IP_TOS (the TOS is in both headers, and picks a pfifo_fast band where there is one; veth has
   * none): each ping moves veth-ping-first's counters. After 0x, iputils' parsetos hands the rest to strtol in
   * base 16, which takes a second 0x: -Q 0x0x10 is 0x10. A TOS that is not a number, or above 255, is refused
   * before anything is sent: "ping: bad TOS value: bogus", "ping: the decimal value of TOS bits must be in
   * range 0-255: 300", both exit 2.
   */
  {
    name: 'ping-tos',
    description: 'ping -Q 0x10 across a veth pair, and the TOS values ping refuses',
    setup: [...VETH_NS1],
    action: [
      'ping -c 1 -Q 0x10 -W 1 10.0.0.2',
      'ping -c 1 -Q bogus 10.0.0.2',
      'ping -c 1 -Q 300 10.0.0.2',
      'ping -c 1 -Q 0x0x10 -W 1 10.0.0.2',
      'ping -c 1 -Q 0xg 10.0.0.2',
    ],
    snmp: ['host', 'ns1'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth1' },
    ],
    outputs: [0, 1, 2, 3, 4],
  },
  /*
   * 3 broadcast ARP requests 1 s apart (mcast_solicit 3, retrans_time 1 s), then the queued echo request is
   * dropped and host1 sends itself ICMP host unreachable (type 3 code 1) over lo, ~3 s after the start.
   * host: Ip OutRequests +2, OutTransmits +2 (echo request, ICMP error), InReceives +1, InDelivers +1;
   *   Icmp OutMsgs +2, OutEchos +1, OutDestUnreachs +1, InMsgs +1, InDestUnreachs +1;
   *   IcmpMsg OutType8 +1, OutType3 +1, InType3 +1.
   * ns1: (none) (ARP is not in /proc/net/snmp, and 10.0.0.99 is not ns1's).
   * veth0 TX +3 packets, +126 bytes, RX (none); veth1 RX +3 packets, +126 bytes, TX (none);
   * lo RX/TX +1 packet, +112 bytes (20 IP + 8 ICMP + the 84-byte original).
   * ip neigh: "10.0.0.99 dev veth0 FAILED"; ns1 neigh empty. ping exits 1:
   * "From 10.0.0.1 icmp_seq=1 Destination Host Unreachable" and "1 packets transmitted, 0 received,
   * +1 errors, 100% packet loss, time Tms" followed by an empty line (no rtt line).
   */
  {
    name: 'arp-fail',
    description: 'ping an address on the veth subnet where nobody answers: 3 ARP probes, host unreachable',
    setup: [...VETH_NS1],
    action: ['ping -c 1 -W 5 10.0.0.99'],
    snmp: ['host', 'ns1'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth1' },
      { ns: 'host', dev: 'lo' },
    ],
    texts: ['ip neigh', 'ip -n ns1 neigh'],
    outputs: [0],
  },
  /*
   * host1 has only lo: ping's connect() fails. host: Ip OutNoRoutes +1, nothing else; lo (none).
   * ping prints only "ping: connect: Network is unreachable" (stderr) and exits 2. Nothing is sent.
   */
  {
    name: 'no-route',
    description: 'ping an address with no route: connect() fails with ENETUNREACH, Ip OutNoRoutes',
    setup: [],
    action: ['ping -c 1 -W 1 192.0.2.1'],
    snmp: ['host'],
    links: [{ ns: 'host', dev: 'lo' }],
    outputs: [0],
  },
  /*
   * host: Ip InReceives/InDelivers/OutRequests/OutTransmits +2 (datagram, ICMP error); Udp OutDatagrams +1,
   *   NoPorts +1; Icmp OutMsgs +1, OutDestUnreachs +1, InMsgs +1, InDestUnreachs +1; IcmpMsg OutType3 +1,
   *   InType3 +1. lo RX/TX +2 packets, +90 bytes (UDP 31 = 20 + 8 + "hi\n"; ICMP 59 = 20 + 8 + 31).
   * nc prints nothing and exits 0.
   */
  {
    name: 'udp-closed-port',
    description: 'UDP to a closed port on 127.0.0.1: ICMP port unreachable, Udp NoPorts',
    setup: [],
    action: ['echo hi | nc -u -w1 127.0.0.1 9'],
    snmp: ['host'],
    links: [{ ns: 'host', dev: 'lo' }],
    outputs: [0],
  },
  /*
   * host: Ip InReceives/InDelivers/OutRequests/OutTransmits +1; Udp OutDatagrams +1, InDatagrams +1.
   * lo RX/TX +1 packet, +31 bytes. The listener (a background job) prints "hi" while the sender waits.
   */
  {
    name: 'udp-listener',
    description: 'UDP to nc -u -l on 127.0.0.1: Udp OutDatagrams and InDatagrams',
    setup: ['nc -u -l 127.0.0.1 5000 &', 'sleep 0.5'],
    action: ['echo hi | nc -u -w1 127.0.0.1 5000'],
    snmp: ['host'],
    links: [{ ns: 'host', dev: 'lo' }],
    outputs: [0],
  },
  /*
   * host: Ip OutRequests +1, OutTransmits +1, Udp OutDatagrams +1. ns1: Ip InReceives +1, InDelivers +1,
   *   Udp InDatagrams +1.
   * veth0 TX +2 packets, +87 bytes (ARP 42 + 45), RX +1 packet, +42 bytes (ARP reply); veth1 the mirror.
   * ip neigh: "10.0.0.2 dev veth0 lladdr M REACHABLE"; ns1: "10.0.0.1 dev veth1 lladdr M STALE" (learnt
   * from the ARP request and never used). The listener prints "hi".
   */
  {
    name: 'udp-veth-listener',
    description: 'UDP across the veth pair to nc -u -l in ns1 (first datagram waits for ARP)',
    setup: [...VETH_NS1, 'ip netns exec ns1 nc -u -l 10.0.0.2 5000 &', 'sleep 0.5'],
    action: ['echo hi | nc -u -w1 10.0.0.2 5000'],
    snmp: ['host', 'ns1'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth1' },
    ],
    texts: ['ip neigh', 'ip -n ns1 neigh'],
    outputs: [0],
  },
  /*
   * host: Ip OutRequests +1, OutTransmits +1, InReceives +1, InDelivers +1; Udp OutDatagrams +1;
   *   Icmp InMsgs +1, InDestUnreachs +1; IcmpMsg InType3 +1 (no Udp error counter moves).
   * ns1: Ip InReceives +1, InDelivers +1, OutRequests +1, OutTransmits +1; Udp NoPorts +1;
   *   Icmp OutMsgs +1, OutDestUnreachs +1; IcmpMsg OutType3 +1.
   * veth0 TX +2 packets, +87 bytes (ARP 42 + UDP frame 45); RX +2 packets, +115 bytes (ARP 42 + ICMP frame
   * 73 = 14 + 20 + 8 + 31); veth1 the mirror (RX 87, TX 115).
   */
  {
    name: 'udp-veth-closed-port',
    description: 'UDP across the veth pair to a closed port in ns1: ns1 answers port unreachable',
    setup: [...VETH_NS1],
    action: ['echo hi | nc -u -w1 10.0.0.2 9'],
    snmp: ['host', 'ns1'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth1' },
    ],
  },
  /*
   * 3028-byte datagrams cut into IP packets of 1500 + 1500 + 68, both ways. host and ns1 each:
   *   Ip OutRequests +1, FragOKs +1, FragCreates +3, OutTransmits +3, InReceives +3, ReasmReqds +3,
   *   ReasmOKs +1, InDelivers +1; Icmp as in veth-ping-first (counted once per message).
   * veth0/veth1 RX and TX +4 packets, +3152 bytes (ARP 42 + frames 1514 + 1514 + 82).
   */
  {
    name: 'frag-veth',
    description: 'ping -s 3000 across a 1500-MTU veth: 3 fragments each way, reassembled at both ends',
    setup: [...VETH_NS1],
    action: ['ping -c 1 -W 1 -s 3000 10.0.0.2'],
    snmp: ['host', 'ns1'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth1' },
    ],
    outputs: [0],
  },
  /*
   * With DF the send fails in ip_append_data (EMSGSIZE, reported through the error queue): no counter
   * moves at all (no FragFails, no OutRequests, no OutDiscards) on either side, no ARP, empty `ip neigh`.
   * ping exits 1: "ping: local error: message too long, mtu=1500", then "1 packets transmitted,
   * 0 received, +1 errors, 100% packet loss, time Tms" and an empty line; it waits the full -W 1.
   */
  {
    name: 'frag-df',
    description: 'ping -M do -s 3000 across a 1500-MTU veth: refused locally, nothing sent',
    setup: [...VETH_NS1],
    action: ['ping -c 1 -W 1 -M do -s 3000 10.0.0.2'],
    snmp: ['host', 'ns1'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth1' },
    ],
    texts: ['ip neigh'],
    outputs: [0],
  },
  /*
   * Taking veth0 down removes 10.0.0.0/24 and the 10.0.0.255 broadcast route but keeps "local 10.0.0.1 dev
   * veth0". ping 10.0.0.2: "ping: connect: Network is unreachable", exit 2, Ip OutNoRoutes +1. ping 10.0.0.1
   * still works over lo. host: Ip OutNoRoutes +1 plus exactly lo-ping-1's counters; ns1 (none);
   * veth0 (none); lo +2 packets, +168 bytes each way.
   * `ip route` prints nothing; `ip link show dev veth0`: "<BROADCAST,MULTICAST> ... state DOWN".
   */
  {
    name: 'link-down',
    description: 'ip link set veth0 down, then ping the peer: the connected route is gone',
    setup: [...VETH_NS1],
    action: ['ip link set veth0 down', 'ping -c 1 -W 1 10.0.0.2', 'ping -c 1 -W 1 10.0.0.1'],
    snmp: ['host', 'ns1'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'host', dev: 'lo' },
    ],
    texts: ['ip route', 'ip route list table local', 'ip link show dev veth0'],
    outputs: [1, 2],
  },
  /*
   * host -> ns1 (router, ip_forward=1) -> ns2, via "ip route add 10.0.1.0/24 via 10.0.0.2".
   * host: as veth-ping-first's host. ns1: Ip InReceives +2, ForwDatagrams +2, OutTransmits +2 (no
   *   OutRequests, no InDelivers, no Icmp). ns2: as veth-ping-first's ns1.
   * veth0, veth1, veth2, veth3: RX and TX +2 packets, +140 bytes each (one ARP exchange per link).
   * The reply arrives with ttl=63. ip route get 10.0.1.2 -> "10.0.1.2 via 10.0.0.2 dev veth0 src 10.0.0.1
   * uid 0" / "    cache". ns1 neigh: 10.0.0.1 DELAY, 10.0.1.2 REACHABLE; ns2 neigh: 10.0.1.1 DELAY.
   */
  {
    name: 'static-route-via-gw',
    description: 'ip route add 10.0.1.0/24 via 10.0.0.2, ip route get, then ping an address ns1 routes',
    setup: [...ROUTER_NS1_NS2],
    action: ['ping -c 1 -W 1 10.0.1.2'],
    snmp: ['host', 'ns1', 'ns2'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth1' },
      { ns: 'ns1', dev: 'veth2' },
      { ns: 'ns2', dev: 'veth3' },
    ],
    texts: ['ip route', 'ip route get 10.0.1.2', 'ip -n ns2 route', 'ip -n ns1 neigh', 'ip -n ns2 neigh'],
    outputs: [0],
  },
  /*
   * host: Ip OutRequests/OutTransmits/InReceives/InDelivers +1; Icmp OutMsgs +1, OutEchos +1, InMsgs +1,
   *   InTimeExcds +1; IcmpMsg OutType8 +1, InType11 +1.
   * ns1: Ip InReceives +1, InHdrErrors +1 (TTL expiry is counted there), OutRequests +1, OutTransmits +1;
   *   Icmp OutMsgs +1, OutTimeExcds +1; IcmpMsg OutType11 +1. ns2: (none).
   * veth0 TX +2 packets, +140 bytes (ARP 42 + 98); RX +2 packets, +168 bytes (ARP reply 42 + time exceeded
   * 126 = 14 + 20 + 8 + 84: ns1 already knows host1's MAC from its ARP request). ns1's veth2: (none).
   * ping exits 1: "From 10.0.0.2 icmp_seq=1 Time to live exceeded", "... +1 errors, 100% packet loss ...".
   */
  {
    name: 'ttl-exceeded',
    description: 'ping -t 1 through router ns1: ns1 answers ICMP time exceeded',
    setup: [...ROUTER_NS1_NS2],
    action: ['ping -c 1 -W 1 -t 1 10.0.1.2'],
    snmp: ['host', 'ns1', 'ns2'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth2' },
    ],
    outputs: [0],
  },
  /*
   * ICMP rate limiting (icmpv4_xrlim_allow, inet_peer_xrlim_allow): ns1 may send host1 a burst of 6 time
   * exceeded (XRLIM_BURST_FACTOR × icmp_ratelimit), then one per second; 10 probes in ~90 ms get 6 answers.
   * host: Icmp InTimeExcds +6, OutEchos +10. ns1: Icmp OutTimeExcds +6, OutRateLimitHost +4.
   * ping: "+6 errors, 100% packet loss", exit 1.
   */
  /*
   * traceroute -n 10.0.1.2 through router ns1 (traceroute 2.1.2, UDP probes, 16 in flight): hop 1 is ns1's
   * time exceeded, hop 2 ns2's port unreachable; of the 13 probes sent to ns2 at once, icmp_ratelimit lets 6
   * through. host: Udp OutDatagrams +16; Icmp InTimeExcds +3, InDestUnreachs +6. ns2: OutRateLimitHost +7.
   */
  {
    name: 'traceroute',
    description: 'traceroute -n through router ns1 to ns2: 2 hops, and ns2 rate-limits its port unreachables',
    setup: [...ROUTER_NS1_NS2],
    action: ['traceroute -n 10.0.1.2', 'traceroute -n 10.0.9.9 -m 3 -w 1'],
    snmp: ['host', 'ns1', 'ns2'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth2' },
    ],
    outputs: [0, 1],
  },
  /*
   * traceroute's command line as CLIF reads it: -t and -m as strtoul(.., 0) (0x10, 0x2), the TOS on every
   * probe; then what it refuses before sending anything, each with its message and exit 2: an argument
   * joined to a non-first letter (-nq1), a fourth wait value, no probes per hop, a packet past 65000 bytes.
   * host: Udp OutDatagrams +2; Icmp InTimeExcds +1, InDestUnreachs +1.
   */
  {
    name: 'traceroute-args',
    description: 'traceroute -t 0x10 -m 0x2 -q 1 through router ns1, and the command lines it refuses',
    setup: [...ROUTER_NS1_NS2],
    action: [
      'traceroute -n -t 0x10 -m 0x2 -q 1 10.0.1.2',
      'traceroute -nq1 10.0.1.2',
      'traceroute -n -w 1,2,3,4 10.0.1.2',
      'traceroute -q 0 10.0.1.2',
      'traceroute -n 10.0.1.2 70000',
    ],
    snmp: ['host', 'ns1', 'ns2'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth2' },
    ],
    outputs: [0, 1, 2, 3, 4],
  },
  {
    name: 'icmp-ratelimit',
    description:
      'ten ping -t 1 in 90 ms through router ns1: 6 time exceeded, then icmp_ratelimit holds ns1 back',
    setup: [...ROUTER_NS1_NS2],
    action: ['ping -c 10 -i 0.01 -W 1 -t 1 10.0.1.2'],
    snmp: ['host', 'ns1', 'ns2'],
    links: [
      { ns: 'host', dev: 'veth0' },
      { ns: 'ns1', dev: 'veth2' },
    ],
    outputs: [0],
  },
  /*
   * Several hosts (topology files): on the real side each host is a namespace and each wire a veth pair, so
   * the NIC's own counters (igb's ring bytes, ARP padded to 60) are not compared; what the stacks count is.
   * two-hosts-ping — each host: Ip InReceives/InDelivers/OutRequests/OutTransmits +4, Icmp InMsgs/OutMsgs
   * +4; host1 OutEchos/InEchoReps +3 and InEchos/OutEchoReps +1, host2 the mirror image.
   */
  {
    name: 'two-hosts-ping',
    description: 'the default lab: ping -c 3 from host1 to host2 across the wire (ARP first)',
    topology: 'examples/two-hosts.yaml',
    setup: [],
    action: ['ping -c 3 192.168.1.2', 'on host2 ping -c 1 192.168.1.1'],
    snmp: ['host', '@host2'],
    links: [],
    outputs: [0, 1],
  },
  /*
   * 16 probes in flight (traceroute's default) go out at once, TTLs 1 to 6: host1 Udp OutDatagrams +16,
   * router1 and router2 3 time-exceededs each; host2 gets 10 (NoPorts +10), answers 6 and rate-limits 4
   * (OutRateLimitHost +4), so host1 counts InDestUnreachs +6. Both modes must match the kernel.
   */
  {
    name: 'two-routers-traceroute',
    description:
      'traceroute -n across two routers (16 probes in flight), and a ping whose TTL runs out at router2',
    topology: 'examples/two-routers.yaml',
    setup: [],
    action: ['traceroute -n 192.168.2.1', 'ping -c 1 -t 2 -W 1 192.168.2.1'],
    snmp: ['host', '@router1', '@router2', '@host2'],
    links: [],
    outputs: [0, 1],
  },
  /*
   * host1 and host2 each: FragCreates +3, FragOKs +1, OutTransmits +3, ReasmReqds +3, ReasmOKs +1; each router
   * InReceives/ForwDatagrams/OutTransmits +6 (fragments are forwarded as they are).
   */
  {
    name: 'two-routers-frag',
    description:
      'a 3000-byte ping across two routers: fragmented by host1 and host2, reassembled at each end',
    topology: 'examples/two-routers.yaml',
    setup: [],
    action: ['ping -c 1 -s 3000 192.168.2.1'],
    snmp: ['host', '@router1', '@router2', '@host2'],
    links: [],
    outputs: [0],
  },
  /*
   * router: FragFails +1, Icmp OutDestUnreachs +1 (frag needed, mtu 1400), ForwDatagrams +3 (the 1400-byte
   * request passes host1's 1500, the 1372-byte echo and reply pass both links); host1 InDestUnreachs +1.
   */
  {
    name: 'router-frag-needed',
    description: 'ping -M do -s 1400 through a router whose next link has MTU 1400, then a 1372-byte one',
    topology: 'examples/mtu.yaml',
    setup: [],
    action: ['ping -c 1 -M do -s 1400 -W 1 192.168.2.1', 'ping -c 1 -M do -s 1372 192.168.2.1'],
    snmp: ['host', '@router', '@host2'],
    links: [],
    outputs: [0, 1],
  },
  ...TCP_SCENARIOS,
  ...UNIX_SCENARIOS,
  ...SERVER_SCENARIOS,
  ...RULE_SCENARIOS,
  ...IPC_SERVER_SCENARIOS,
];
