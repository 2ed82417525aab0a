/**
 * net/ipv4/proc.c: /proc/net/snmp and /proc/net/netstat, byte for byte as Linux 6.12 prints them. The Icmp
 * In/Out per-type columns are read from the IcmpMsg counters, as icmp_put does. Also /proc/net/tcp
 * (tcp4_seq_show, tcp_ipv4.c's in Linux) and the sockfs inode numbers and hashed pointers it prints.
 */
import { jiffies_at, timer_expires_jiffies } from '../../kernel/time/timer';
import type { Host, Net } from '../../include/net/net_namespace';
import { skbTruesize } from '../../include/linux/skbuff';
import {
  ICMP_MIB,
  IPEXT_MIB_NAMES,
  IP_MIB_NAMES,
  LINUX_MIB_NAMES,
  TCP_MIB_NAMES,
  UDP_MIB_NAMES,
} from '../../include/net/snmp';
import type { RequestSock, TcpSock, TimewaitSock } from '../../include/linux/tcp';
import { TCP_LISTEN, TCP_SYN_RECV } from '../../include/net/tcp_states';
import {
  HZ,
  ICSK_TIME_LOSS_PROBE,
  ICSK_TIME_PROBE0,
  ICSK_TIME_REO_TIMEOUT,
  ICSK_TIME_RETRANS,
  inet_csk_in_pingpong_mode,
  tcp_in_initial_slowstart,
} from '../../include/net/tcp';

const ICMPMIBMAP: Array<[string, number]> = [
  ['DestUnreachs', 3],
  ['TimeExcds', 11],
  ['ParmProbs', 12],
  ['SrcQuenchs', 4],
  ['Redirects', 5],
  ['Echos', 8],
  ['EchoReps', 0],
  ['Timestamps', 13],
  ['TimestampReps', 14],
  ['AddrMasks', 17],
  ['AddrMaskReps', 18],
];

/** snmp_seq_show */
export function snmp_seq_show(net: Net): string {
  const m = net.mib;
  let s = 'Ip: Forwarding DefaultTTL ' + IP_MIB_NAMES.join(' ') + '\n';
  s += `Ip: ${net.sysctl.ipForward ? 1 : 2} ${net.sysctl.ipDefaultTtl} ` + Array.from(m.ip).join(' ') + '\n';
  // icmp_put
  const inNames = ICMPMIBMAP.map(([n]) => 'In' + n);
  const outNames = ICMPMIBMAP.map(([n]) => 'Out' + n);
  s +=
    'Icmp: InMsgs InErrors InCsumErrors ' +
    inNames.join(' ') +
    ' OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost ' +
    outNames.join(' ') +
    '\n';
  s +=
    `Icmp: ${m.icmp[ICMP_MIB.InMsgs]} ${m.icmp[ICMP_MIB.InErrors]} ${m.icmp[ICMP_MIB.InCsumErrors]}` +
    ICMPMIBMAP.map(([, t]) => ' ' + m.icmpMsgIn[t]).join('') +
    ` ${m.icmp[ICMP_MIB.OutMsgs]} ${m.icmp[ICMP_MIB.OutErrors]} ${m.icmp[ICMP_MIB.OutRateLimitGlobal]} ${m.icmp[ICMP_MIB.OutRateLimitHost]}` +
    ICMPMIBMAP.map(([, t]) => ' ' + m.icmpMsgOut[t]).join('') +
    '\n';
  // icmpmsg_put: nonzero types, In before Out, 16 per line pair.
  const entries: Array<[string, number]> = [];
  for (let t = 0; t < 256; t++) if (m.icmpMsgIn[t]) entries.push([`InType${t}`, m.icmpMsgIn[t]]);
  for (let t = 0; t < 256; t++) if (m.icmpMsgOut[t]) entries.push([`OutType${t}`, m.icmpMsgOut[t]]);
  for (let i = 0; i < entries.length; i += 16) {
    const chunk = entries.slice(i, i + 16);
    s += 'IcmpMsg: ' + chunk.map(([n]) => n).join(' ') + '\n';
    s += 'IcmpMsg: ' + chunk.map(([, v]) => v).join(' ') + '\n';
  }
  s += 'Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ' + TCP_MIB_NAMES.join(' ') + '\n';
  s += 'Tcp: 1 200 120000 -1 ' + Array.from(m.tcp).join(' ') + '\n';
  s += 'Udp: ' + UDP_MIB_NAMES.join(' ') + '\n';
  s += 'Udp: ' + Array.from(m.udp).join(' ') + '\n';
  s += 'UdpLite: ' + UDP_MIB_NAMES.join(' ') + '\n';
  s += 'UdpLite: ' + Array.from(m.udplite).join(' ') + '\n';
  return s;
}

// ---- /proc/net/sockstat --------------------------------------------------------------------------------

/** Pages (4 KiB) charged for `bytes` of socket buffers: proto_memory_allocated's unit. */
const pages = (bytes: number) => Math.ceil(bytes / 4096);

/**
 * sockstat_seq_show: socket_seq_show's `sockets: used` (the user sockets of the namespace: sock_inuse_get),
 * then per protocol the sockets in its tables (sock_prot_inuse_get: TCP's hashed listeners and connections,
 * UDP's bound sockets, raw sockets), TCP's orphans, TIME_WAIT buckets and allocated sockets (orphans and
 * alloc are the host's, as tcp_orphan_count and tcp_sockets_allocated are global), and IPv4's reassembly
 * queues. The model keeps no forward-allocated socket memory (tcp_mem, udp_mem): `mem` is the pages the
 * sockets' queued bytes take, and FRAG's memory the fragments' truesize.
 */
export function sockstat_seq_show(net: Net): string {
  let tcpInuse = 0;
  let tcpMem = 0;
  for (const sk of net.tcpSockets) {
    if (sk.hashed !== 'none') tcpInuse++;
    tcpMem += pages(sk.wmemQueued + sk.rmemAlloc);
  }
  let orphans = 0;
  let alloc = 0;
  for (const n of [net.host.initNet, ...net.host.namedNets.values()]) {
    alloc += n.tcpSockets.size;
    for (const sk of n.tcpSockets) if (sk.orphan && !sk.closed) orphans++;
  }
  let udpInuse = 0;
  let udpMem = 0;
  for (const socks of net.udpHash.values())
    for (const sk of socks) {
      udpInuse++;
      udpMem += pages(sk.rmemAlloc);
    }
  let fragMem = 0;
  for (const q of net.fragQueues.values()) for (const skb of q.fragments) fragMem += skbTruesize(skb);
  return (
    `sockets: used ${net.tcpSockets.size + net.sockInuse}\n` +
    `TCP: inuse ${tcpInuse} orphan ${orphans} tw ${net.tcpTwCount} alloc ${alloc} mem ${tcpMem}\n` +
    `UDP: inuse ${udpInuse} mem ${udpMem}\n` +
    'UDPLITE: inuse 0\n' +
    `RAW: inuse ${net.rawSocks.length}\n` +
    `FRAG: inuse ${net.fragQueues.size} memory ${fragMem}\n`
  );
}

// ---- /proc/net/netstat ------------------------------------------------------------------------------

/** net/mptcp/mib.c's mptcp_snmp_list: the MPTcpExt line mptcp_seq_show adds (MPTCP is not modelled: zeros). */
const MPTCP_MIB_NAMES =
  'MPCapableSYNRX MPCapableSYNTX MPCapableSYNACKRX MPCapableACKRX MPCapableFallbackACK MPCapableFallbackSYNACK ' +
  'MPCapableSYNTXDrop MPCapableSYNTXDisabled MPCapableEndpAttempt MPFallbackTokenInit MPTCPRetrans ' +
  'MPJoinNoTokenFound MPJoinSynRx MPJoinSynBackupRx MPJoinSynAckRx MPJoinSynAckBackupRx MPJoinSynAckHMacFailure ' +
  'MPJoinAckRx MPJoinAckHMacFailure MPJoinSynTx MPJoinSynTxCreatSkErr MPJoinSynTxBindErr MPJoinSynTxConnectErr ' +
  'DSSNotMatching DSSCorruptionFallback DSSCorruptionReset InfiniteMapTx InfiniteMapRx DSSNoMatchTCP DataCsumErr ' +
  'OFOQueueTail OFOQueue OFOMerge NoDSSInWindow DuplicateData AddAddr AddAddrTx AddAddrTxDrop EchoAdd EchoAddTx ' +
  'EchoAddTxDrop PortAdd AddAddrDrop MPJoinPortSynRx MPJoinPortSynAckRx MPJoinPortAckRx MismatchPortSynRx ' +
  'MismatchPortAckRx RmAddr RmAddrDrop RmAddrTx RmAddrTxDrop RmSubflow MPPrioTx MPPrioRx MPFailTx MPFailRx ' +
  'MPFastcloseTx MPFastcloseRx MPRstTx MPRstRx RcvPruned SubflowStale SubflowRecover SndWndShared RcvWndShared ' +
  'RcvWndConflictUpdate RcvWndConflict MPCurrEstab Blackhole MPCapableDataFallback MD5SigFallback DssFallback ' +
  'SimultConnectFallback FallbackFailed';

/** netstat_seq_show: TcpExt (net->mib.net_statistics), IpExt (ip_statistics' extended part), MPTcpExt. */
export function netstat_seq_show(net: Net): string {
  let s = 'TcpExt: ' + LINUX_MIB_NAMES.join(' ') + '\n';
  s += 'TcpExt: ' + Array.from(net.linuxMib).join(' ') + '\n';
  s += 'IpExt: ' + IPEXT_MIB_NAMES.join(' ') + '\n';
  s += 'IpExt: ' + Array.from(net.ipExtMib).join(' ') + '\n';
  const mptcp = MPTCP_MIB_NAMES.split(' ');
  s += 'MPTcpExt: ' + mptcp.join(' ') + '\n';
  s += 'MPTcpExt: ' + mptcp.map(() => '0').join(' ') + '\n';
  return s;
}

// ---- sockfs inodes and kernel pointers ----------------------------------------------------------------

/** The inode sock_alloc() gave each socket with a file (get_next_ino, per host), by socket. */
const SOCK_INODES = new WeakMap<object, number>();
const NEXT_INO = new WeakMap<Host, number>();

/** sock_alloc's new_inode_pseudo + get_next_ino: the socket file's inode number. */
export function sock_alloc_inode(host: Host, sk: object): number {
  const ino = NEXT_INO.get(host) ?? 23000;
  NEXT_INO.set(host, ino + 1);
  SOCK_INODES.set(sk, ino);
  return ino;
}

/** sock_i_ino: the inode of the socket's file, 0 without one (a child not yet accepted, TIME_WAIT). */
export function sock_i_ino(sk: object): number {
  return SOCK_INODES.get(sk) ?? 0;
}

const POINTERS = new WeakMap<object, string>();
let pointerSeq = 0;

/** %pK: a hashed kernel pointer (ptr_to_id's siphash), stable per object. */
export function hashed_pointer(obj: object): string {
  let p = POINTERS.get(obj);
  if (!p) {
    let x = Math.imul(++pointerSeq ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
    x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) >>> 0;
    p = '00000000' + x.toString(16).padStart(8, '0');
    POINTERS.set(obj, p);
  }
  return p;
}

const COOKIES = new WeakMap<object, number>();
let nextCookie = 0x1000;

/** sock_gen_cookie: the socket's cookie, handed out on first use (ss -e prints it as sk:). */
export function sock_gen_cookie(sk: object): number {
  let c = COOKIES.get(sk);
  if (c === undefined) COOKIES.set(sk, (c = ++nextCookie));
  return c;
}

// ---- /proc/net/tcp (tcp_ipv4.c's tcp4_seq_show; the file belongs to tcp_ipv4.c in Linux) --------------

const TMPSZ = 150;
/** USER_HZ / HZ: jiffies_to_clock_t */
const jiffies_to_clock_t = (j: number) => Math.floor((j * 100) / HZ);
const jiffies_delta_to_clock_t = (d: number) => jiffies_to_clock_t(Math.max(0, d));
const hex8 = (x: number) => (x >>> 0).toString(16).toUpperCase().padStart(8, '0');
const hex4 = (x: number) => (x & 0xffff).toString(16).toUpperCase().padStart(4, '0');
const hex2 = (x: number) => (x & 0xff).toString(16).toUpperCase().padStart(2, '0');
/** A __be32 address printed with %08X on a little-endian box: 127.0.0.1 is 0100007F. */
const be32 = (a: number) =>
  hex8(((a & 0xff) << 24) | (((a >>> 8) & 0xff) << 16) | (((a >>> 16) & 0xff) << 8) | ((a >>> 24) & 0xff));
const pad = (s: string) => s.padEnd(TMPSZ - 1) + '\n';

/** The TCP sockets of a namespace in the order tcp_seq_next walks them: listeners, then the established hash. */
export function tcp_seq_entries(net: Net): Array<TcpSock | RequestSock | TimewaitSock> {
  const out: Array<TcpSock | RequestSock | TimewaitSock> = [];
  const ports = [...net.tcpLhash.keys()].sort((a, b) => a - b);
  for (const p of ports) for (const sk of net.tcpLhash.get(p)!) if (sk.state === TCP_LISTEN) out.push(sk);
  const seen = new Set<object>(out);
  for (const e of net.tcpEhash.values()) {
    if (seen.has(e)) continue;
    seen.add(e);
    out.push(e);
  }
  return out;
}

function timerJiffies(t: { expires: number; pending: boolean }): number {
  return timer_expires_jiffies(t);
}

function get_openreq4(req: RequestSock, i: number, now: number): string {
  const delta = req.timer?.pending ? timerJiffies(req.timer) - now : 0;
  return (
    `${String(i).padStart(4)}: ${be32(req.locAddr)}:${hex4(req.num)} ${be32(req.rmtAddr)}:${hex4(req.rmtPort)}` +
    ` ${hex2(TCP_SYN_RECV)} ${hex8(0)}:${hex8(0)} ${hex2(1)}:${hex8(jiffies_delta_to_clock_t(delta))}` +
    ` ${hex8(req.numTimeout)} ${String(0).padStart(5)} ${String(0).padStart(8)} 0 0 ${hashed_pointer(req)}`
  );
}

function get_tcp4_sock(sk: TcpSock, i: number, now: number): string {
  let timerActive = 0;
  let timerExpires = now;
  if (
    sk.icskPending === ICSK_TIME_RETRANS ||
    sk.icskPending === ICSK_TIME_REO_TIMEOUT ||
    sk.icskPending === ICSK_TIME_LOSS_PROBE
  ) {
    timerActive = 1;
    timerExpires = sk.icskTimeout;
  } else if (sk.icskPending === ICSK_TIME_PROBE0) {
    timerActive = 4;
    timerExpires = sk.icskTimeout;
  } else if (sk.keepaliveTimer?.pending) {
    timerActive = 2;
    timerExpires = timerJiffies(sk.keepaliveTimer);
  }
  const state = sk.state;
  const rxQueue = state === TCP_LISTEN ? sk.ackBacklog : Math.max((sk.rcvNxt - sk.copiedSeq) | 0, 0);
  const txQueue = (sk.writeSeq - sk.sndUna) >>> 0;
  const ssthresh = state === TCP_LISTEN ? 0 : tcp_in_initial_slowstart(sk) ? -1 : sk.sndSsthresh;
  return (
    `${String(i).padStart(4)}: ${be32(sk.rcvSaddr)}:${hex4(sk.sport || sk.num)} ${be32(sk.daddr)}:${hex4(sk.dport)} ${hex2(state)}` +
    ` ${hex8(txQueue)}:${hex8(rxQueue)} ${hex2(timerActive)}:${hex8(jiffies_delta_to_clock_t(timerExpires - now))}` +
    ` ${hex8(sk.icskRetransmits)} ${String(0).padStart(5)} ${String(sk.icskProbesOut).padStart(8)}` +
    ` ${sock_i_ino(sk)} ${sk_refcnt(sk)} ${hashed_pointer(sk)} ${jiffies_to_clock_t(sk.icskRto)}` +
    ` ${jiffies_to_clock_t(sk.icskAck.ato)} ${(sk.icskAck.quick << 1) | (inet_csk_in_pingpong_mode(sk) ? 1 : 0)}` +
    ` ${sk.sndCwnd} ${ssthresh}`
  );
}

/** refcount_read(&sk->sk_refcnt), roughly: the hash table's and the file's references, one per timer armed. */
function sk_refcnt(sk: TcpSock): number {
  if (sk.state === TCP_LISTEN) return 1;
  let n = 1 + (sk.hasSocket ? 1 : 0);
  if (sk.icskRetransmitTimer?.pending) n++;
  if (sk.icskDelackTimer?.pending) n++;
  if (sk.keepaliveTimer?.pending) n++;
  return n;
}

function get_timewait4_sock(tw: TimewaitSock, i: number, now: number): string {
  const delta = tw.expires || (tw.timer?.pending ? timerJiffies(tw.timer) : now);
  return (
    `${String(i).padStart(4)}: ${be32(tw.rcvSaddr)}:${hex4(tw.sport || tw.num)} ${be32(tw.daddr)}:${hex4(tw.dport)}` +
    ` ${hex2(tw.substate)} ${hex8(0)}:${hex8(0)} ${hex2(3)}:${hex8(jiffies_delta_to_clock_t(delta - now))}` +
    ` ${hex8(0)} ${String(0).padStart(5)} ${String(0).padStart(8)} 0 3 ${hashed_pointer(tw)}`
  );
}

/** /proc/net/tcp: tcp4_seq_show for every socket, each line padded to TMPSZ - 1 as seq_pad does. */
export function tcp4_seq_show(net: Net, nowNs: number): string {
  const now = jiffies_at(nowNs);
  let s = pad(
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  );
  tcp_seq_entries(net).forEach((e, i) => {
    const k = (e as { kind?: string }).kind;
    if (k === 'timewait') s += pad(get_timewait4_sock(e as TimewaitSock, i, now));
    else if (k === 'request') s += pad(get_openreq4(e as RequestSock, i, now));
    else s += pad(get_tcp4_sock(e as TcpSock, i, now));
  });
  return s;
}
