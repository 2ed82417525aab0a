/**
 * net/ipv4/tcp_ipv4.c: TCP over IPv4. The receive entry point (tcp_v4_rcv: socket lookup, then TIME_WAIT,
 * request sock or full socket processing), connect (tcp_v4_connect), the RSTs and ACKs sent without a full
 * socket (tcp_v4_send_reset, tcp_v4_send_ack through ip_send_unicast_reply), ICMP errors (tcp_v4_err), the
 * passive open's child socket (tcp_v4_syn_recv_sock) and the af_ops helpers TCP calls: the checksum
 * (tcp_v4_send_check), the socket's cached route (__sk_dst_check, inet_sk_rebuild_header).
 */
import { ktime_get_seconds } from '../../include/net/tcp';
import { secure_tcp_seq_and_ts_off } from '../core/secure_seq';
import { cookie_v4_check } from './syncookies';
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import {
  CHECKSUM_PARTIAL,
  CHECKSUM_UNNECESSARY,
  PACKET_HOST,
  skbPull,
  skbPut,
  skbTruesize,
} from '../../include/linux/skbuff';
import type { RequestSock, TcpSock, TimewaitSock } from '../../include/linux/tcp';
import type { Net } from '../../include/net/net_namespace';
import type { Rtable } from '../../include/net/route';
import { RTCF_BROADCAST, RTN_LOCAL } from '../../include/net/route';
import type { Sock } from '../../include/net/sock';
import {
  IPPROTO_TCP,
  IP_PMTUDISC_DONT,
  SOCK_RAW,
  ip_sk_accept_pmtu,
  newSock,
  sockDefReadable,
} from '../../include/net/sock';
import { IPSTATS, LINUX_MIB, TCP_MIB, ICMP_MIB } from '../../include/net/snmp';
import { SKB_DROP_REASON, type SkbDropReason } from '../../include/net/dropreason-core';
import { kfn } from '../../include/net/trace';
import { consumed, drop, queued, type Verdict } from '../../include/net/verdict';
import {
  TCP_CLOSE,
  TCP_ESTABLISHED,
  TCP_LISTEN,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
  TCP_FIN_WAIT2,
  TCPF_CLOSE,
  TCPF_LISTEN,
  TCP_STATE_NAMES,
} from '../../include/net/tcp_states';
import {
  TCPHDR_ACK,
  TCPHDR_CWR,
  TCPHDR_ECE,
  TCPHDR_FIN,
  TCPHDR_RST,
  TCPHDR_SYN,
  TCPHDR_URG,
  TCPOLEN_TSTAMP_ALIGNED,
  TCPOLEN_TIMESTAMP,
  TCP_MSS_DEFAULT,
  TCP_RTO_MAX,
  TCP_TIMEOUT_INIT,
  ICSK_TIME_RETRANS,
  TCPF_MTU_REDUCED_DEFERRED,
  SOCK_DEAD,
  TCP_SKB_CB,
  __tcp_set_rto,
  before,
  between,
  inet_csk_rto_backoff,
  newTcpSkbCb,
  sk_acceptq_is_full,
  sock_set_flag,
  tcp_clock_ts,
  tcp_mstamp_refresh,
  tcp_rtx_queue_head,
  tcp_skb_timestamp_us,
  usecs_to_jiffies,
} from '../../include/net/tcp';
import { EAFNOSUPPORT, EHOSTUNREACH, EMSGSIZE, ENETUNREACH, ENOENT, EPROTO } from '../../include/linux/errno';
import * as tcpw from '@skblab/wire/tcp';
import * as ip from '@skblab/wire/ipv4';
import { ipv4ToString } from '@skblab/wire/address';
import {
  ICMP_DEST_UNREACH,
  ICMP_FRAG_NEEDED,
  ICMP_HLEN,
  ICMP_HOST_UNREACH,
  ICMP_NET_UNREACH,
  ICMP_PARAMETERPROB,
  ICMP_REDIRECT,
  ICMP_SOURCE_QUENCH,
  ICMP_TIME_EXCEEDED,
  ICMP_PREC_CUTOFF,
} from '@skblab/wire/icmp';
import {
  dstMtu,
  ip_route_connect,
  ip_route_output_flow,
  ip_route_output_ports,
  isRouteError,
  type Flowi4,
  dst_metric_advmss,
} from './route';
import { ip_send_unicast_reply, ip_dont_fragment, type IpReplyArg } from './ip_output';
import { ICMP_ERR_CONVERT } from './icmp';
import { ip_icmp_error, ipv4_sk_update_pmtu } from './ip_sockglue';
import {
  __inet_inherit_port,
  __inet_lookup_established,
  __inet_lookup_listener,
  inet_hash_connect,
  inet_put_port,
  isFullSock,
  isRequest,
  isTimewait,
} from './inet_hashtables';
import {
  inet_csk_clear_xmit_timers,
  inet_csk_destroy_sock,
  inet_csk_reqsk_queue_drop,
  inet_csk_reset_xmit_timer,
} from './inet_connection_sock';
import { inet_twsk_deschedule_put } from './inet_timewait_sock';
import { del_timer } from '../../kernel/time/timer';
import { tcp_connect, tcp_mss_clamp, tcp_sync_mss, tcp_write_queue_purge } from './tcp_output';
import {
  tcp_conn_request,
  tcp_initialize_rcv_mss,
  tcp_rcv_established,
  tcp_rcv_state_process,
  tcp_simple_retransmit,
} from './tcp_input';
import {
  TCP_TW_ACK,
  TCP_TW_RST,
  TCP_TW_SYN,
  tcp_ca_openreq_child,
  tcp_check_req,
  tcp_child_process,
  tcp_create_openreq_child,
  tcp_timewait_state_process,
} from './tcp_minisocks';
import { tcp_retransmit_timer } from './tcp_timer';
import { tcp_fastopen_defer_connect } from './tcp_fastopen';
import { tcp_done, tcp_done_with_error, tcp_init_sock, tcp_set_state } from './tcp';

const FILE = 'net/ipv4/tcp_ipv4.c';
/** __inet_lookup_skb's step found a full socket: o is its comm, the next value its state. */
const LOOKUP_SOCK = 1;
const F = {
  // The segment's step records raw values (addresses, ports, flags, length), rendered when read.
  rcv: kfn('tcp_v4_rcv', FILE, 'tcp', (o, saddr, daddr, ports, d) =>
    typeof o === 'string'
      ? o
      : `InSegs++, ${ipv4ToString(saddr)}:${Math.floor(ports / 65536)} > ${ipv4ToString(daddr)}:${ports % 65536}` +
        ` [${flagText(d & 0xff)}] len ${Math.floor(d / 1024)}` +
        (d & 0x200 ? ', bad checksum: InCsumErrors++ InErrs++' : ''),
  ),
  // A full socket's step records its owner's comm and its state (LOOKUP_SOCK); others, their text.
  lookup: kfn('__inet_lookup_skb', 'include/net/inet_hashtables.h', 'tcp', (o, kind, state) =>
    kind === LOOKUP_SOCK ? `socket of ${o as string} (${TCP_STATE_NAMES[state]})` : (o as string),
  ),
  doRcv: kfn('tcp_v4_do_rcv', FILE, 'tcp', (_o, state) => TCP_STATE_NAMES[state] ?? `${state}`),
  addBacklog: kfn('tcp_add_backlog', FILE, 'tcp', (o: string) => o),
  sendReset: kfn('tcp_v4_send_reset', FILE, 'tcp', (o: string) => o),
  sendAck: kfn(
    'tcp_v4_send_ack',
    FILE,
    'tcp',
    (_o, seq, ack, win) => `ACK seq ${seq >>> 0} ack ${ack >>> 0} win ${win}`,
  ),
  err: kfn('tcp_v4_err', FILE, 'tcp', (o: string) => o),
  connRequest: kfn('tcp_v4_conn_request', FILE, 'tcp', (o: string) => o),
  synRecvSock: kfn('tcp_v4_syn_recv_sock', FILE, 'tcp', (o: string) => o),
};

// ---- the socket's route (net/core/sock.c, af_inet.c) ---------------------------------------------------

/** __sk_dst_get */
export function __sk_dst_get(sk: Sock): Rtable | null {
  return sk.dstCache;
}

/**
 * __sk_dst_check (sock.c:594): the cached route, unless ipv4_dst_check finds it obsolete (the FIB changed
 * since: rt_genid), in which case the cache is dropped.
 */
export function __sk_dst_check(sk: Sock, _cookie: number): Rtable | null {
  const dst = sk.dstCache;
  if (dst && dst.genid !== sk.net.rtGenid) {
    sk.dstCache = null;
    return null;
  }
  return dst;
}

/** GSO_LEGACY_MAX_SIZE and GSO_MAX_SEGS: what lo, veth and igb advertise (gso_ipv4_max_size, gso_max_segs). */
const GSO_LEGACY_MAX_SIZE = 65536;
const GSO_MAX_SEGS = 65535;

/**
 * sk_setup_caps (sock.c:2552): a TCP socket always gets GSO (in software if the device lacks it) and with
 * it NETIF_F_HW_CSUM; the device's GSO limits; the route becomes the socket's cached dst.
 */
export function sk_setup_caps(sk: Sock, dst: Rtable): void {
  const tsk = sk as TcpSock;
  if (sk.protocol === IPPROTO_TCP && 'gsoOk' in tsk) {
    tsk.icskAck.dstQuickAck = 0; // RTAX_QUICKACK
    tsk.gsoOk = true;
    tsk.gsoMaxSize = GSO_LEGACY_MAX_SIZE;
    tsk.gsoMaxSegs = Math.max(GSO_MAX_SEGS, 1);
  }
  sk.dstCache = dst;
}

/**
 * inet_sk_rebuild_header (af_inet.c:1337): the cached route if still valid, else route again (a failure is
 * remembered as the soft error).
 */
export function inet_sk_rebuild_header(ctx: KernelCtx, sk: TcpSock): number {
  if (__sk_dst_check(sk, 0)) return 0;
  const fl4: Flowi4 = { daddr: 0, saddr: 0, oif: 0, tos: 0, proto: 0, now: ctx.now() };
  const rt = ip_route_output_ports(
    sk.net,
    fl4,
    sk.daddr,
    sk.saddr,
    sk.dport,
    sk.sport,
    sk.protocol,
    sk.tos & 0xfc,
    sk.boundDevIf,
  );
  if (isRouteError(rt)) {
    // ip_dynaddr is 0: no source address reselection.
    sk.errSoft = -rt.error;
    return rt.error;
  }
  sk_setup_caps(sk, rt);
  return 0;
}

/** inet_sk_rx_dst_set (tcp_ipv4.c:2451): remember the input route for the established fast path. */
export function inet_sk_rx_dst_set(sk: TcpSock, skb: SkBuff): void {
  if (skb.dst) sk.rxDst = skb.dst;
}

/** tcp_v4_init_seq_and_ts_off (tcp_ipv4.c:105): for a SYN, from its addresses and ports (ours first). */
export function tcp_v4_init_seq_and_ts_off(
  ctx: KernelCtx,
  net: Net,
  skb: SkBuff,
): { seq: number; tsOff: number } {
  const nh = skb.networkHeader;
  const th = skb.transportHeader;
  return secure_tcp_seq_and_ts_off(
    ctx,
    net,
    ip.dst(skb.buf, nh),
    ip.src(skb.buf, nh),
    tcpw.dstPort(skb.buf, th),
    tcpw.srcPort(skb.buf, th),
  );
}

/** tcp_v4_init_seq: the ISN for a passive open. */
export function tcp_v4_init_seq(ctx: KernelCtx, skb: SkBuff): number {
  return tcp_v4_init_seq_and_ts_off(ctx, skb.net, skb).seq;
}

/** tcp_v4_init_ts_off: the timestamp offset for a passive open. */
export function tcp_v4_init_ts_off(ctx: KernelCtx, net: Net, skb: SkBuff): number {
  return tcp_v4_init_seq_and_ts_off(ctx, net, skb).tsOff;
}

// ---- TIME_WAIT reuse ---------------------------------------------------------------------------------------

function ipv4_is_loopback(addr: number): boolean {
  return addr >>> 24 === 127;
}

/**
 * tcp_twsk_unique (tcp_ipv4.c:114): may connect() take over this TIME_WAIT 4-tuple? Only with timestamps
 * (PAWS protects the new connection), and with tcp_tw_reuse once a second has passed (2, the default:
 * loopback only). The new connection starts its sequence past the old one's.
 */
export function tcp_twsk_unique(ctx: KernelCtx, sk: TcpSock, tw: TimewaitSock, twp = true): boolean {
  let reuse = sk.net.sysctl.tcp.twReuse;
  if (tw.substate === TCP_FIN_WAIT2) reuse = 0;
  if (reuse === 2 && !(ipv4_is_loopback(tw.daddr) || ipv4_is_loopback(tw.rcvSaddr))) reuse = 0;
  const tsRecentStamp = tw.tsRecentStamp;
  const nowSec = ktime_get_seconds(ctx);
  // time_after32(ktime_get_seconds(), ts_recent_stamp)
  if (tsRecentStamp && (!twp || (reuse && ((tsRecentStamp - nowSec) | 0) < 0))) {
    if (!sk.repair) {
      let seq = (tw.sndNxt + 65535 + 2) >>> 0;
      if (!seq) seq = 1;
      sk.writeSeq = seq;
      sk.rxOpt.tsRecent = tw.tsRecent;
      sk.rxOpt.tsRecentStamp = tsRecentStamp;
    }
    return true;
  }
  return false;
}

// ---- connect -----------------------------------------------------------------------------------------------

/**
 * tcp_v4_connect (tcp_ipv4.c:216): route to the destination (fixing the source address), go to SYN_SENT,
 * pick the local port and join the established hash (inet_hash_connect), cache the route, choose the ISN
 * and timestamp offset, and send the SYN (tcp_connect). On failure the socket is closed again.
 */
export function tcp_v4_connect(
  ctx: KernelCtx,
  sk: TcpSock,
  daddr: number,
  dport: number,
  family = 2,
): number {
  const net = sk.net;
  if (family !== 2) return -EAFNOSUPPORT;
  const origSport = sk.sport;
  const origDport = dport;
  const fl4: Flowi4 = { daddr: 0, saddr: 0, oif: 0, tos: 0, proto: 0, now: ctx.now() };
  let rt = ip_route_connect(net, fl4, daddr, sk.saddr, sk.boundDevIf, IPPROTO_TCP, origSport, origDport);
  if (isRouteError(rt)) {
    if (rt.error === -ENETUNREACH) net.mib.ip[IPSTATS.OutNoRoutes]++;
    return rt.error;
  }
  if (rt.flags & RTCF_BROADCAST) return -ENETUNREACH;
  daddr = fl4.daddr;
  if (!sk.saddr) {
    // inet_bhash2_update_saddr
    sk.saddr = fl4.saddr;
    sk.rcvSaddr = fl4.saddr;
  } else sk.rcvSaddr = sk.saddr;
  if (sk.rxOpt.tsRecentStamp && sk.daddr !== daddr) {
    // Reset inherited state
    sk.rxOpt.tsRecent = 0;
    sk.rxOpt.tsRecentStamp = 0;
    if (!sk.repair) sk.writeSeq = 0;
  }
  sk.dport = dport;
  sk.daddr = daddr;
  sk.icskExtHdrLen = 0;
  sk.rxOpt.mssClamp = TCP_MSS_DEFAULT;
  // Socket identity is still unknown (sport may be zero): go to SYN-SENT and pick the port while holding
  // the socket, entering the hash tables.
  tcp_set_state(ctx, sk, TCP_SYN_SENT);
  let err = inet_hash_connect(ctx, sk);
  if (!err) {
    // ip_route_newports: the port chosen is part of the flow.
    if (sk.sport !== origSport || sk.dport !== origDport) {
      fl4.sport = sk.sport;
      fl4.dport = sk.dport;
      rt = ip_route_output_flow(net, fl4);
    }
    if (isRouteError(rt)) err = rt.error;
  }
  if (!err && !isRouteError(rt)) {
    sk.tcpUsecTs = false; // dst_tcp_usec_ts: no RTAX_FEATURE_TCP_USEC_TS on the route
    sk_setup_caps(sk, rt);
    if (!sk.repair) {
      const st = secure_tcp_seq_and_ts_off(ctx, net, sk.saddr, sk.daddr, sk.sport, dport);
      if (!sk.writeSeq) sk.writeSeq = st.seq;
      sk.tsoffset = st.tsOff;
    }
    sk.inetId = ctx.random32() & 0xffff;
    const deferErr = { v: 0 };
    if (tcp_fastopen_defer_connect(ctx, sk, deferErr)) return deferErr.v;
    err = deferErr.v || tcp_connect(ctx, sk);
    if (!err) return 0;
  }
  // failure: this unhashes the socket and releases the local port, if necessary.
  tcp_set_state(ctx, sk, TCP_CLOSE);
  sk.dstCache = null;
  sk.gsoOk = false;
  sk.dport = 0;
  return err;
}

// ---- ICMP --------------------------------------------------------------------------------------------------

/**
 * inet_csk_update_pmtu (inet_connection_sock.c): the route learns the smaller MTU (ip_rt_update_pmtu), and
 * the socket routes again to see it.
 */
function inet_csk_update_pmtu(ctx: KernelCtx, sk: TcpSock, mtu: number): Rtable | null {
  if (!__sk_dst_check(sk, 0) && inet_sk_rebuild_header(ctx, sk)) return null;
  ipv4_sk_update_pmtu(ctx, sk.net, sk.daddr, mtu);
  if (!__sk_dst_check(sk, 0) && inet_sk_rebuild_header(ctx, sk)) return null;
  return __sk_dst_get(sk);
}

/**
 * tcp_v4_mtu_reduced (tcp_ipv4.c:366): ICMP frag-needed (RFC 1191): shrink the MSS to the new path MTU and
 * retransmit at once what was lost ("fast" path MTU discovery).
 */
export function tcp_v4_mtu_reduced(ctx: KernelCtx, sk: TcpSock): void {
  if ((1 << sk.state) & (TCPF_LISTEN | TCPF_CLOSE)) return;
  const mtu = sk.mtuInfo;
  const dst = inet_csk_update_pmtu(ctx, sk, mtu);
  if (!dst) return;
  // Something is about to be wrong... Remember soft error for the case, if this connection will not be able
  // to recover.
  const dmtu = dstMtu(dst);
  if (mtu < dmtu && ip_dont_fragment(sk, dst)) sk.errSoft = EMSGSIZE;
  if (sk.pmtudisc !== IP_PMTUDISC_DONT && ip_sk_accept_pmtu(sk) && sk.icskPmtuCookie > dmtu) {
    tcp_sync_mss(sk, dmtu);
    tcp_simple_retransmit(ctx, sk);
  }
}

/** tcp_listendrop (include/net/tcp.h): ListenDrops and the listener's sk_drops. */
function tcp_listendrop(sk: TcpSock): void {
  sk.drops++;
  sk.net.linuxMib[LINUX_MIB.ListenDrops]++;
}

/** tcp_req_err (tcp_ipv4.c:411): an ICMP error about a SYN-ACK; a fatal one drops the request silently. */
export function tcp_req_err(ctx: KernelCtx, req: RequestSock, seq: number, abort: boolean): void {
  const net = req.net;
  if (seq !== req.sntIsn) {
    net.linuxMib[LINUX_MIB.OutOfWindowIcmps]++;
  } else if (abort) {
    // Still in SYN_RECV, just remove it silently. POSIX does not want network errors returned from accept().
    inet_csk_reqsk_queue_drop(ctx, req.listener, req);
    tcp_listendrop(req.listener);
  }
}

/**
 * tcp_ld_RTO_revert (tcp_ipv4.c:436): RFC 6069 TCP-LD: a net or host unreachable about the oldest
 * unacknowledged segment means the path is down, not congested: undo one RTO backoff.
 */
export function tcp_ld_RTO_revert(ctx: KernelCtx, sk: TcpSock, seq: number): void {
  if (sk.owned) return;
  if (seq !== sk.sndUna || !sk.icskRetransmits || !sk.icskBackoff) return;
  const skb = tcp_rtx_queue_head(sk);
  if (!skb) return;
  sk.icskBackoff--;
  sk.icskRto = sk.srttUs ? __tcp_set_rto(sk) : TCP_TIMEOUT_INIT;
  sk.icskRto = inet_csk_rto_backoff(sk, TCP_RTO_MAX);
  tcp_mstamp_refresh(ctx, sk);
  const deltaUs = (sk.tcpMstamp - tcp_skb_timestamp_us(skb)) >>> 0;
  const remaining = sk.icskRto - usecs_to_jiffies(deltaUs);
  if (remaining > 0) inet_csk_reset_xmit_timer(ctx, sk, ICSK_TIME_RETRANS, remaining, TCP_RTO_MAX);
  // RTO revert clocked out retransmission. Will retransmit now.
  else tcp_retransmit_timer(ctx, sk);
}

/**
 * tcp_v4_err (tcp_ipv4.c:491): an ICMP error quoting a segment we sent (`skb` is the ICMP message, its
 * transport header the ICMP header). Frag-needed shrinks the MSS; errors during the handshake abort it;
 * on a connection they are only soft errors (hard with IP_RECVERR), RFC 1122 4.2.3.9.
 */
export function tcp_v4_err(ctx: KernelCtx, skb: SkBuff, info: number): number {
  const b = skb.buf;
  const icmph = skb.transportHeader;
  const iph = icmph + ICMP_HLEN;
  const end = skb.data + skb.len;
  const net = skb.net;
  if (iph + 20 > end) return -ENOENT;
  const th = iph + ip.headerLength(b, iph);
  if (th + 8 > end) return -ENOENT;
  const type = b[icmph];
  const code = b[icmph + 1];
  const qsaddr = ip.src(b, iph);
  const qdaddr = ip.dst(b, iph);
  const qsport = tcpw.srcPort(b, th);
  const qdport = tcpw.dstPort(b, th);
  const e = __inet_lookup_established(net, qdaddr, qdport, qsaddr, qsport);
  const about = `type ${type} code ${code} about ${ipv4ToString(qsaddr)}:${qsport} > ${ipv4ToString(qdaddr)}:${qdport}`;
  if (!e) {
    net.mib.icmp[ICMP_MIB.InErrors]++;
    ctx.step(skb, F.err, `${about}: no socket, Icmp InErrors++`);
    return -ENOENT;
  }
  if (isTimewait(e)) {
    ctx.step(skb, F.err, `${about}: TIME_WAIT, ignored`);
    return 0;
  }
  const seq = tcpw.seqNumber(b, th);
  if (isRequest(e)) {
    const abort =
      type === ICMP_PARAMETERPROB ||
      type === ICMP_TIME_EXCEEDED ||
      (type === ICMP_DEST_UNREACH && (code === ICMP_NET_UNREACH || code === ICMP_HOST_UNREACH));
    ctx.step(skb, F.err, `${about}: request sock (SYN_RECV)${abort ? ', dropped' : ''}`);
    tcp_req_err(ctx, e, seq, abort);
    return 0;
  }
  const sk = e;
  // We take care of PMTU discovery (RFC 1191) even while the socket is held: locally generated ICMP messages
  // can arrive then.
  if (sk.owned && !(type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED))
    net.linuxMib[LINUX_MIB.LockDroppedIcmps]++;
  if (sk.state === TCP_CLOSE) {
    ctx.step(skb, F.err, `${about}: socket closed`);
    return 0;
  }
  // XXX (TFO) - tp->snd_una should be ISN (tcp_create_openreq_child()
  const fastopen = sk.fastopenRsk;
  const sndUna = fastopen ? fastopen.sntIsn : sk.sndUna;
  if (sk.state !== TCP_LISTEN && !between(seq, sndUna, sk.sndNxt)) {
    net.linuxMib[LINUX_MIB.OutOfWindowIcmps]++;
    ctx.step(skb, F.err, `${about}: seq ${seq} outside snd_una..snd_nxt, OutOfWindowIcmps++`);
    return 0;
  }
  let err: number;
  switch (type) {
    case ICMP_REDIRECT:
      // do_redirect: the model's routes take no redirects.
      ctx.step(skb, F.err, `${about}: redirect`);
      return 0;
    case ICMP_SOURCE_QUENCH:
      // Just silently ignore these.
      return 0;
    case ICMP_PARAMETERPROB:
      err = EPROTO;
      break;
    case ICMP_DEST_UNREACH:
      if (code > ICMP_PREC_CUTOFF) return 0;
      if (code === ICMP_FRAG_NEEDED) {
        // We are not interested in TCP_LISTEN and open_requests (SYN-ACKs sent out by Linux are always
        // <576 bytes so they should go through unfragmented).
        if (sk.state === TCP_LISTEN) return 0;
        sk.mtuInfo = info;
        ctx.step(skb, F.err, `${about}: frag needed, mtu ${info}`);
        if (!sk.owned) tcp_v4_mtu_reduced(ctx, sk);
        else sk.tsqFlags |= TCPF_MTU_REDUCED_DEFERRED;
        return 0;
      }
      err = ICMP_ERR_CONVERT[code].errno;
      // check if this ICMP message allows revert of backoff (see RFC 6069)
      if (!fastopen && (code === ICMP_NET_UNREACH || code === ICMP_HOST_UNREACH))
        tcp_ld_RTO_revert(ctx, sk, seq);
      break;
    case ICMP_TIME_EXCEEDED:
      err = EHOSTUNREACH;
      break;
    default:
      return 0;
  }
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) {
    // Only in fast or simultaneous open. If a fast open socket is already accepted it is treated as a
    // connected one below.
    if (!(fastopen && !fastopen.sk)) {
      ctx.step(skb, F.err, `${about}: ${TCP_STATE_NAMES[sk.state]}, connection fails with errno ${err}`);
      ip_icmp_error(sk, err, type, code, info, ip.src(b, skb.networkHeader), 0, qdport, ctx.now());
      if (!sk.owned) tcp_done_with_error(ctx, sk, err);
      else sk.errSoft = err;
      return 0;
    }
  }
  // If we've already connected we will keep trying until we time out, or the user gives up.
  if (!sk.owned && sk.recverr) {
    sk.skErr = err;
    sockDefReadable(sk);
    ctx.step(skb, F.err, `${about}: sk_err ${err} (IP_RECVERR)`);
  } else {
    sk.errSoft = err;
    ctx.step(skb, F.err, `${about}: soft error ${err}`);
  }
  return 0;
}

// ---- checksums ---------------------------------------------------------------------------------------------

/**
 * __tcp_v4_send_check (tcp_ipv4.c:659): leave the pseudo-header sum for the device (CHECKSUM_PARTIAL, with
 * the NETIF_F_HW_CSUM sk_setup_caps gave every TCP socket).
 */
export function __tcp_v4_send_check(skb: SkBuff, saddr: number, daddr: number): void {
  const th = skb.transportHeader;
  tcpw.fillChecksum(skb.buf, th, skb.data + skb.len - th, saddr, daddr, 'partial');
  skb.ipSummed = CHECKSUM_PARTIAL;
}

/** tcp_v4_send_check (tcp_ipv4.c:669) */
export function tcp_v4_send_check(sk: Sock, skb: SkBuff): void {
  __tcp_v4_send_check(skb, sk.saddr, sk.daddr);
}

/**
 * tcp_checksum_complete (include/net/tcp.h:1483): is the segment's checksum bad? lo and veth hand over
 * CHECKSUM_PARTIAL skbs, whose sum nobody computed; the rest are checked in software.
 */
export function tcp_checksum_complete(skb: SkBuff): boolean {
  if (skb.ipSummed === CHECKSUM_PARTIAL || skb.ipSummed === CHECKSUM_UNNECESSARY) return false;
  const nh = skb.networkHeader;
  const th = skb.transportHeader;
  const len = ip.totalLength(skb.buf, nh) - (th - nh);
  return !tcpw.checksumValid(skb.buf, th, len, ip.src(skb.buf, nh), ip.dst(skb.buf, nh));
}

/** tcp_v4_md5_lookup: TCP-MD5 is not modelled; no socket has a key. */
export function tcp_v4_md5_lookup(_sk: TcpSock, _addr: number): TcpSock['md5Keys'][number] | null {
  return null;
}

// ---- RST and ACK without a full socket ------------------------------------------------------------------------

/** ipv4_tcp_sk: the namespace's control socket for replies (IP_PMTUDISC_DO: DF and ID 0). */
function tcp_ctl_sk(net: Net): Sock {
  if (!net.tcpCtlSk) {
    const sk = newSock(net, SOCK_RAW, IPPROTO_TCP, 'kernel');
    sk.pmtudisc = 2; // IP_PMTUDISC_DO
    net.tcpCtlSk = sk;
  }
  return net.tcpCtlSk;
}

type AnySock = TcpSock | TimewaitSock | RequestSock;

/** sk->sk_priority as the reply takes it: the TIME_WAIT bucket's tw_priority, or the socket's. */
function replyPriority(sk: AnySock): number {
  return isTimewait(sk) ? sk.priority : isRequest(sk) ? sk.listener.priority : sk.priority;
}

/**
 * tcp_v4_send_reset (tcp_ipv4.c:736): answer `skb` with an RST built from its header alone: seq from its
 * ACK, or (it had none) ACK of everything it occupied. Never about an RST; without a socket only for
 * packets that were for us (RTN_LOCAL). OutSegs and OutRsts.
 */
export function tcp_v4_send_reset(ctx: KernelCtx, sk: AnySock | null, skb: SkBuff, reason: string): void {
  const b = skb.buf;
  const th = skb.transportHeader;
  const nh = skb.networkHeader;
  const flags = tcpw.flags(b, th);
  // Never send a reset in response to a reset.
  if (flags & TCPHDR_RST) return;
  // If sk not NULL, it means we did a successful lookup and incoming route had to be correct.
  if (!sk && skb.dst?.type !== RTN_LOCAL) return;
  const rep = new Uint8Array(20);
  tcpw.setDstPort(rep, 0, tcpw.srcPort(b, th));
  tcpw.setSrcPort(rep, 0, tcpw.dstPort(b, th));
  tcpw.setHeaderLength(rep, 0, 20);
  let repFlags = TCPHDR_RST;
  let seq = 0;
  let ack = 0;
  if (flags & TCPHDR_ACK) {
    seq = tcpw.ackNumber(b, th);
  } else {
    repFlags |= TCPHDR_ACK;
    const dataLen = skb.data + skb.len - th - tcpw.headerLength(b, th);
    ack =
      (tcpw.seqNumber(b, th) + (flags & TCPHDR_SYN ? 1 : 0) + (flags & TCPHDR_FIN ? 1 : 0) + dataLen) >>> 0;
  }
  tcpw.setSeqNumber(rep, 0, seq);
  tcpw.setAckNumber(rep, 0, ack);
  tcpw.setFlags(rep, 0, repFlags);
  const net = sk ? sk.net : skb.net;
  const arg: IpReplyArg = {
    iov: rep,
    csumoffset: tcpw.TCP_CHECKSUM_OFFSET / 2,
    flags: 0,
    // When socket is gone, all binding information is lost.
    boundDevIf: sk && isFullSock(sk) ? sk.boundDevIf : 0,
    tos: ip.tos(b, nh),
  };
  const ctlSk = tcp_ctl_sk(net);
  ctlSk.priority = sk ? replyPriority(sk) : 0;
  const what = `RST seq ${seq} ack ${ack} to ${ipv4ToString(ip.src(b, nh))}:${tcpw.srcPort(b, th)} (${reason})`;
  ctx.step(skb, F.sendReset, what);
  ip_send_unicast_reply(ctx, ctlSk, skb, ip.src(b, nh), ip.dst(b, nh), arg, rep.length, 0, 0, (nskb) =>
    ctx.step(nskb, F.sendReset, what),
  );
  net.mib.tcp[TCP_MIB.OutSegs]++;
  net.mib.tcp[TCP_MIB.OutRsts]++;
}

/**
 * tcp_v4_send_ack (tcp_ipv4.c:931): an ACK outside a full socket (TIME_WAIT, SYN_RECV request socks), with
 * the timestamp option when there is an echo to send. OutSegs.
 */
export function tcp_v4_send_ack(
  ctx: KernelCtx,
  sk: AnySock,
  skb: SkBuff,
  seq: number,
  ack: number,
  win: number,
  tsval: number,
  tsecr: number,
  oif: number,
  _key: null,
  replyFlags: number,
  tos: number,
  txhash: number,
): void {
  const b = skb.buf;
  const th = skb.transportHeader;
  const nh = skb.networkHeader;
  const len = 20 + (tsecr ? TCPOLEN_TSTAMP_ALIGNED : 0);
  const rep = new Uint8Array(len);
  if (tsecr) {
    rep[20] = tcpw.TCPOPT_NOP;
    rep[21] = tcpw.TCPOPT_NOP;
    rep[22] = tcpw.TCPOPT_TIMESTAMP;
    rep[23] = TCPOLEN_TIMESTAMP;
    new DataView(rep.buffer).setUint32(24, tsval >>> 0);
    new DataView(rep.buffer).setUint32(28, tsecr >>> 0);
  }
  // Swap the send and the receive.
  tcpw.setDstPort(rep, 0, tcpw.srcPort(b, th));
  tcpw.setSrcPort(rep, 0, tcpw.dstPort(b, th));
  tcpw.setHeaderLength(rep, 0, len);
  tcpw.setSeqNumber(rep, 0, seq >>> 0);
  tcpw.setAckNumber(rep, 0, ack >>> 0);
  tcpw.setFlags(rep, 0, TCPHDR_ACK);
  tcpw.setWindow(rep, 0, win & 0xffff);
  const net = sk.net;
  const arg: IpReplyArg = {
    iov: rep,
    csumoffset: tcpw.TCP_CHECKSUM_OFFSET / 2,
    flags: replyFlags,
    boundDevIf: oif,
    tos,
  };
  const ctlSk = tcp_ctl_sk(net);
  ctlSk.priority = replyPriority(sk);
  ctx.step(skb, F.sendAck, null, seq, ack, win);
  ip_send_unicast_reply(ctx, ctlSk, skb, ip.src(b, nh), ip.dst(b, nh), arg, len, 0, txhash, (nskb) =>
    ctx.step(nskb, F.sendAck, null, seq, ack, win),
  );
  net.mib.tcp[TCP_MIB.OutSegs]++;
}

/** tcp_v4_timewait_ack (tcp_ipv4.c:1037): the TIME_WAIT bucket re-ACKs what it last acknowledged. */
export function tcp_v4_timewait_ack(ctx: KernelCtx, tw: TimewaitSock, skb: SkBuff): void {
  // tcp_tw_tsval
  const tsval = (tcp_clock_ts(ctx, tw.usecTs) + tw.tsOffset) >>> 0;
  tcp_v4_send_ack(
    ctx,
    tw,
    skb,
    tw.sndNxt,
    tw.rcvNxt,
    tw.rcvWnd >>> tw.rcvWscale,
    tsval,
    tw.tsRecent,
    0,
    null,
    0,
    tw.tos,
    0,
  );
}

/**
 * tcp_v4_reqsk_send_ack (tcp_ipv4.c:1091): a request sock ACKs a segment it will not take (regular
 * SYN_RECV on a listener, or a Fast Open child).
 */
export function tcp_v4_reqsk_send_ack(ctx: KernelCtx, sk: TcpSock, skb: SkBuff, req: RequestSock): void {
  const seq = sk.state === TCP_LISTEN ? (req.sntIsn + 1) >>> 0 : sk.sndNxt;
  // tcp_synack_window, tcp_rsk_tsval
  const win = Math.min(req.rcvWnd, 65535) >>> req.rcvWscale;
  const tsval = (tcp_clock_ts(ctx, req.reqUsecTs) + req.tsOff) >>> 0;
  const tos = ip.tos(skb.buf, skb.networkHeader);
  tcp_v4_send_ack(ctx, sk, skb, seq, req.rcvNxt, win, tsval, req.tsRecent, 0, null, 0, tos, 0);
}

// ---- passive open ------------------------------------------------------------------------------------------

/** tcp_v4_init_req (tcp_ipv4.c:1665): the request's addresses from the SYN. */
function tcp_v4_init_req(req: RequestSock, skb: SkBuff): void {
  req.locAddr = ip.dst(skb.buf, skb.networkHeader);
  req.rmtAddr = ip.src(skb.buf, skb.networkHeader);
}

/**
 * inet_csk_route_req (inet_connection_sock.c): the route for a request's SYN-ACK; none counts OutNoRoutes.
 */
export function inet_csk_route_req(ctx: KernelCtx, sk: TcpSock, req: RequestSock): Rtable | null {
  return route_req_flow(ctx, sk, req, sk.tos);
}

/** The flow both of inet_connection_sock.c's request routes build: the request's 4-tuple, `tos`, the listener's oif. */
function route_req_flow(ctx: KernelCtx, sk: TcpSock, req: RequestSock, tos: number): Rtable | null {
  const fl4: Flowi4 = { daddr: 0, saddr: 0, oif: 0, tos: 0, proto: 0, now: ctx.now() };
  const rt = ip_route_output_ports(
    sk.net,
    fl4,
    req.rmtAddr,
    req.locAddr,
    req.rmtPort,
    req.num,
    sk.protocol,
    tos & 0xfc,
    sk.boundDevIf,
  );
  if (isRouteError(rt)) {
    sk.net.mib.ip[IPSTATS.OutNoRoutes]++;
    return null;
  }
  return rt;
}

/** tcp_v4_route_req (tcp_ipv4.c:1677) */
export function tcp_v4_route_req(ctx: KernelCtx, sk: TcpSock, skb: SkBuff, req: RequestSock): Rtable | null {
  tcp_v4_init_req(req, skb);
  return inet_csk_route_req(ctx, sk, req);
}

/** inet_csk_route_child_sock (inet_connection_sock.c): the child's route, from the request's flow. */
export function inet_csk_route_child_sock(
  ctx: KernelCtx,
  sk: TcpSock,
  newsk: TcpSock,
  req: RequestSock,
): Rtable | null {
  return route_req_flow(ctx, sk, req, newsk.tos);
}

/**
 * tcp_v4_conn_request (tcp_ipv4.c:1720): a SYN for a listener. Never answer SYNs sent to broadcast; the
 * rest is tcp_conn_request's.
 */
export function tcp_v4_conn_request(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): number {
  if (skb.dst && skb.dst.flags & RTCF_BROADCAST) {
    ctx.step(skb, F.connRequest, 'SYN to a broadcast address: ListenDrops++');
    tcp_listendrop(sk);
    return 0;
  }
  ctx.step(skb, F.connRequest, `listener :${sk.num}, SYN queue ${sk.synQueueLen}/${sk.maxAckBacklog}`);
  return tcp_conn_request(ctx, sk, skb);
}

/**
 * tcp_v4_syn_recv_sock (tcp_ipv4.c:1740): the handshake's ACK arrived: make the child socket (unless the
 * accept queue is full: ListenOverflows), route it, size its MSS, give it the listener's port and put it in
 * the established hash in place of the request. `ownReq.v` says whether this call did that
 * (inet_ehash_nolisten found the request still hashed).
 */
export function tcp_v4_syn_recv_sock(
  ctx: KernelCtx,
  sk: TcpSock,
  skb: SkBuff,
  req: RequestSock,
  dst: Rtable | null,
  ownReq: { v: boolean },
  reqUnhash: RequestSock | null = req,
): TcpSock | null {
  const net = sk.net;
  ownReq.v = false;
  if (sk_acceptq_is_full(sk)) {
    net.linuxMib[LINUX_MIB.ListenOverflows]++;
    ctx.step(
      skb,
      F.synRecvSock,
      `accept queue full (${sk.ackBacklog}/${sk.maxAckBacklog}): ListenOverflows++, ListenDrops++`,
    );
    tcp_listendrop(sk);
    return null;
  }
  const newsk = tcp_create_openreq_child(ctx, sk, req, skb);
  if (!newsk) {
    tcp_listendrop(sk);
    return null;
  }
  inet_sk_rx_dst_set(newsk, skb);
  newsk.daddr = req.rmtAddr;
  newsk.rcvSaddr = req.locAddr;
  newsk.saddr = req.locAddr;
  newsk.boundDevIf = sk.boundDevIf; // ir_iif
  newsk.rcvTos = ip.tos(skb.buf, skb.networkHeader);
  newsk.icskExtHdrLen = 0;
  newsk.inetId = ctx.random32() & 0xffff;
  // Set ToS of the new socket based upon the value of incoming SYN. ECT bits are set later in
  // tcp_init_transfer().
  if (net.sysctl.tcp.reflectTos) newsk.tos = req.synTos & ~3;
  if (!dst) dst = inet_csk_route_child_sock(ctx, sk, newsk, req);
  if (!dst) {
    put_and_exit(ctx, newsk);
    tcp_listendrop(sk);
    return null;
  }
  sk_setup_caps(newsk, dst);
  tcp_ca_openreq_child(ctx, newsk, dst);
  tcp_sync_mss(newsk, dstMtu(dst));
  newsk.advmss = tcp_mss_clamp(sk, dst_metric_advmss(dst));
  tcp_initialize_rcv_mss(newsk);
  if (__inet_inherit_port(sk, newsk) < 0) {
    put_and_exit(ctx, newsk);
    tcp_listendrop(sk);
    return null;
  }
  ownReq.v = inet_ehash_nolisten(ctx, newsk, reqUnhash);
  ctx.step(
    skb,
    F.synRecvSock,
    `child ${ipv4ToString(newsk.rcvSaddr)}:${newsk.num} < ${ipv4ToString(newsk.daddr)}:${newsk.dport}${ownReq.v ? '' : ' (request already taken)'}`,
  );
  return newsk;
}

/**
 * inet_ehash_nolisten (inet_hashtables.c) with the request to replace: the child takes the request's place
 * in the established hash if the request is still there; otherwise it is destroyed. The request keeps its
 * `hashed` mark so inet_csk_complete_hashdance's queue drop still counts it out of the SYN queue.
 */
function inet_ehash_nolisten(ctx: KernelCtx, newsk: TcpSock, req: RequestSock | null): boolean {
  const net = newsk.net;
  // A Fast Open child (no request to replace: it never entered the hash) goes straight in.
  if (!req) {
    net.tcpEhash.set(newsk.rcvSaddr, newsk.num, newsk.daddr, newsk.dport, newsk);
    newsk.hashed = 'established';
    return true;
  }
  if (req.hashed && net.tcpEhash.get(req.locAddr, req.num, req.rmtAddr, req.rmtPort) === req) {
    net.tcpEhash.set(req.locAddr, req.num, req.rmtAddr, req.rmtPort, newsk);
    newsk.hashed = 'established';
    return true;
  }
  newsk.state = TCP_CLOSE;
  sock_set_flag(newsk, SOCK_DEAD);
  inet_csk_destroy_sock(ctx, newsk);
  return false;
}

/** put_and_exit: inet_csk_prepare_forced_close, then tcp_done. */
function put_and_exit(ctx: KernelCtx, newsk: TcpSock): void {
  sock_set_flag(newsk, SOCK_DEAD);
  newsk.num = 0;
  tcp_done(ctx, newsk);
}

// ---- receive -------------------------------------------------------------------------------------------------

/** What a drop-reason return (0: none) becomes as a Verdict reason. */
function asDropReason(r: number | string): SkbDropReason | null {
  if (!r) return null;
  return typeof r === 'string' ? (r as SkbDropReason) : SKB_DROP_REASON.NOT_SPECIFIED;
}

/**
 * Where the hop's skb ended up after TCP processed it without a reason to drop it: on one of the socket's
 * queues, or freed (a pure ACK, data coalesced into an earlier skb). A discard without an RST sets
 * skb.dropReason.
 */
/** Whether `skb` is on `q`, searched from the tail, where a segment just queued is. */
function queuedIn(q: SkBuff[], skb: SkBuff): boolean {
  return q.lastIndexOf(skb) >= 0;
}

function tcp_skb_fate(sk: TcpSock, skb: SkBuff): Verdict {
  if (skb.dropReason) return drop(skb, skb.dropReason);
  if (queuedIn(sk.receiveQueue, skb) || queuedIn(sk.outOfOrderQueue, skb) || queuedIn(sk.backlog, skb))
    return queued(skb, 'sk_receive_queue');
  return consumed(skb);
}

/**
 * tcp_v4_do_rcv (tcp_ipv4.c:1901): an established socket takes the fast path (tcp_rcv_established); a
 * listener may hand the segment to a child (tcp_child_process); the rest is tcp_rcv_state_process, whose
 * non-zero reason means an RST and a drop.
 */
export function tcp_v4_do_rcv(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): Verdict {
  ctx.step(skb, F.doRcv, null, sk.state);
  if (sk.state === TCP_ESTABLISHED) {
    const dst = sk.rxDst;
    // ipv4_dst_check: a stale input route is forgotten.
    if (dst && dst.genid !== sk.net.rtGenid) sk.rxDst = null;
    return tcp_rcv_established(ctx, sk, skb);
  }
  if (tcp_checksum_complete(skb)) return csum_err(sk.net, skb);
  if (sk.state === TCP_LISTEN) {
    // tcp_v4_cookie_check: an ACK may end a SYN-cookie handshake: its child takes it.
    const c = cookie_v4_check(ctx, sk, skb);
    if (!c.sk) {
      sk.drops++;
      return drop(skb, c.reason ?? SKB_DROP_REASON.NOT_SPECIFIED);
    }
    if (c.sk !== sk) {
      const r = asDropReason(tcp_child_process(ctx, sk, c.sk, skb));
      if (r) {
        tcp_v4_send_reset(ctx, c.sk, skb, r);
        return drop(skb, r);
      }
      return tcp_skb_fate(c.sk, skb);
    }
  }
  const reason = asDropReason(tcp_rcv_state_process(ctx, sk, skb));
  if (!reason) return tcp_skb_fate(sk, skb);
  tcp_v4_send_reset(ctx, sk, skb, reason);
  return drop(skb, reason);
}

function csum_err(net: Net, skb: SkBuff): Verdict {
  net.mib.tcp[TCP_MIB.InCsumErrors]++;
  net.mib.tcp[TCP_MIB.InErrs]++;
  return drop(skb, SKB_DROP_REASON.TCP_CSUM);
}

/**
 * tcp_add_backlog (tcp_ipv4.c:2011): the process holds the socket: queue for release_sock, coalescing
 * with the backlog's last skb when it simply continues it, within rcvbuf*2 + sndbuf/2 + 64K
 * (TCPBacklogDrop beyond). True when the skb is to be dropped (`reason` says why).
 */
export function tcp_add_backlog(
  ctx: KernelCtx,
  sk: TcpSock,
  skb: SkBuff,
  reason: { v: SkbDropReason | null },
): boolean {
  const net = sk.net;
  if (tcp_checksum_complete(skb)) {
    reason.v = SKB_DROP_REASON.TCP_CSUM;
    net.mib.tcp[TCP_MIB.InCsumErrors]++;
    net.mib.tcp[TCP_MIB.InErrs]++;
    return true;
  }
  const b = skb.buf;
  const th = skb.data;
  const hdrlen = tcpw.headerLength(b, th);
  const tail = sk.backlog.length ? sk.backlog[sk.backlog.length - 1] : null;
  const cb = TCP_SKB_CB(skb);
  if (tail) {
    const tcb = TCP_SKB_CB(tail);
    const thtail = tail.data;
    const mergeable =
      tcb.endSeq === cb.seq &&
      tcb.ipDsfield === cb.ipDsfield &&
      !((tcb.tcpFlags | cb.tcpFlags) & (TCPHDR_SYN | TCPHDR_RST | TCPHDR_URG)) &&
      (tcb.tcpFlags & cb.tcpFlags & TCPHDR_ACK) !== 0 &&
      !((tcb.tcpFlags ^ cb.tcpFlags) & (TCPHDR_ECE | TCPHDR_CWR)) &&
      !tcb.eor &&
      tcpw.headerLength(tail.buf, thtail) === hdrlen &&
      b.subarray(th + 20, th + hdrlen).every((v, i) => tail.buf[thtail + 20 + i] === v);
    if (mergeable) {
      // skb_try_coalesce: the payload joins the tail's linear data.
      const gsoSize = skb.gsoSize || skb.len - hdrlen;
      const gsoSegs = skb.gsoSegs || 1;
      const tailGsoSize = tail.gsoSize || tail.len - hdrlen;
      const tailGsoSegs = tail.gsoSegs || 1;
      const before_ = skbTruesize(tail);
      const at = skbPut(tail, skb.len - hdrlen);
      tail.buf.set(b.subarray(th + hdrlen, th + skb.len), at);
      tcb.endSeq = cb.endSeq;
      if (!before(cb.ackSeq, tcb.ackSeq)) {
        tcb.ackSeq = cb.ackSeq;
        tcpw.setWindow(tail.buf, thtail, tcpw.window(b, th));
      }
      tail.buf[thtail + 13] |= b[th + 13] & TCPHDR_FIN;
      tcb.tcpFlags |= cb.tcpFlags;
      tail.gsoSize = Math.max(gsoSize, tailGsoSize);
      tail.gsoSegs = Math.min(gsoSegs + tailGsoSegs, 0xffff);
      sk.backlogLen += skbTruesize(tail) - before_;
      net.linuxMib[LINUX_MIB.TCPBacklogCoalesce]++;
      ctx.step(skb, F.addBacklog, `coalesced into skb ${tail.id}, TCPBacklogCoalesce++`);
      return false;
    }
  }
  let limit = sk.rcvbuf * 2 + (sk.sndbuf >>> 1) + 64 * 1024;
  limit = Math.min(limit, 0xffffffff);
  // sk_add_backlog: sk_rcvqueues_full
  if (sk.backlogLen + sk.rmemAlloc > limit) {
    reason.v = SKB_DROP_REASON.SOCKET_BACKLOG;
    net.linuxMib[LINUX_MIB.TCPBacklogDrop]++;
    ctx.step(
      skb,
      F.addBacklog,
      `backlog ${sk.backlogLen} + rmem ${sk.rmemAlloc} > ${limit}: TCPBacklogDrop++`,
    );
    return true;
  }
  sk.backlog.push(skb);
  sk.backlogLen += skbTruesize(skb);
  ctx.step(skb, F.addBacklog, `socket owned by ${sk.comm}: sk_backlog ${sk.backlog.length}`);
  return false;
}

/** tcp_filter (tcp_ipv4.c:2144): no socket filters are modelled; 0 lets the segment through. */
export function tcp_filter(_sk: TcpSock, _skb: SkBuff): number {
  return 0;
}

/**
 * tcp_v4_fill_cb (tcp_ipv4.c:2158): TCP_SKB_CB from the headers: seq, end_seq (SYN and FIN count), ack_seq,
 * the flags and the DS field.
 */
export function tcp_v4_fill_cb(skb: SkBuff, iph: number, th: number): void {
  const b = skb.buf;
  if (!skb.tcb) skb.tcb = newTcpSkbCb();
  const cb = skb.tcb;
  const flags = tcpw.flags(b, th);
  cb.seq = tcpw.seqNumber(b, th);
  const dataLen = skb.data + skb.len - th - tcpw.headerLength(b, th);
  cb.endSeq = (cb.seq + (flags & TCPHDR_SYN ? 1 : 0) + (flags & TCPHDR_FIN ? 1 : 0) + dataLen) >>> 0;
  cb.ackSeq = tcpw.ackNumber(b, th);
  cb.tcpFlags = flags;
  cb.ipDsfield = ip.tos(b, iph);
  cb.sacked = 0;
  cb.sackOff = 0;
  cb.hasRxtstamp = 0;
}

/** tcp_segs_in (include/net/tcp.h) */
function tcp_segs_in(tp: TcpSock, skb: SkBuff): void {
  const segs = Math.max(1, skb.gsoSegs);
  tp.segsIn += segs;
  if (skb.len > tcpw.headerLength(skb.buf, skb.data)) tp.dataSegsIn += segs;
}

function flagText(f: number): string {
  let s = '';
  if (f & TCPHDR_SYN) s += 'S';
  if (f & TCPHDR_FIN) s += 'F';
  if (f & TCPHDR_RST) s += 'R';
  if (f & 0x08) s += 'P';
  if (f & TCPHDR_ACK) s += '.';
  return s || 'none';
}

function describe(e: AnySock): string {
  if (isTimewait(e)) return `TIME_WAIT bucket (${TCP_STATE_NAMES[e.substate]})`;
  if (isRequest(e)) return `request sock (NEW_SYN_RECV) of listener :${e.listener.num}`;
  return `socket of ${e.comm} (${TCP_STATE_NAMES[e.state]})`;
}

/**
 * tcp_v4_rcv (tcp_ipv4.c:2183), the IPPROTO_TCP handler: InSegs, header and checksum checks, then the
 * socket lookup (established, else listener). A TIME_WAIT bucket answers via tcp_timewait_state_process; a
 * request sock's segment goes to tcp_check_req and maybe creates the child; a full socket gets
 * tcp_v4_do_rcv, or its backlog while the process holds it. No socket: RST and NO_SOCKET.
 */
export function tcp_v4_rcv(ctx: KernelCtx, skb: SkBuff): Verdict {
  const net = skb.net;
  const b = skb.buf;
  if (skb.pktType !== PACKET_HOST) {
    ctx.step(skb, F.rcv, 'not PACKET_HOST');
    return drop(skb, SKB_DROP_REASON.NOT_SPECIFIED);
  }
  // Count it even if it's bad
  net.mib.tcp[TCP_MIB.InSegs]++;
  // The pull ip_local_deliver_finish did in the kernel: from here skb.data is the TCP header.
  skbPull(skb, skb.transportHeader - skb.data);
  const th = skb.data;
  const iph = skb.networkHeader;
  if (skb.len < 20) {
    ctx.step(skb, F.rcv, `InSegs++, ${skb.len} bytes: pskb_may_pull failed`);
    return drop(skb, SKB_DROP_REASON.NOT_SPECIFIED);
  }
  const doff = tcpw.headerLength(b, th);
  if (doff < 20) {
    ctx.step(skb, F.rcv, `InSegs++, doff ${doff >> 2} < 5: InErrs++`);
    net.mib.tcp[TCP_MIB.InErrs]++;
    return drop(skb, SKB_DROP_REASON.PKT_TOO_SMALL);
  }
  if (doff > skb.len) {
    ctx.step(skb, F.rcv, `InSegs++, doff ${doff >> 2} beyond the segment`);
    return drop(skb, SKB_DROP_REASON.NOT_SPECIFIED);
  }
  const saddr = ip.src(b, iph);
  const daddr = ip.dst(b, iph);
  const sport = tcpw.srcPort(b, th);
  const dport = tcpw.dstPort(b, th);
  const flags = tcpw.flags(b, th);
  // skb_checksum_init: lo and veth vouch for theirs (CHECKSUM_PARTIAL); the rest are verified in software.
  // The kernel may defer the sum to tcp_checksum_complete; the counters are the same.
  const csumBad = tcp_checksum_complete(skb);
  ctx.step(
    skb,
    F.rcv,
    null,
    saddr,
    daddr,
    sport * 65536 + dport,
    (skb.len - doff) * 1024 + (csumBad ? 0x200 : 0) + flags,
  );
  if (csumBad) return csum_err(net, skb);
  const dif = skb.dev?.ifindex ?? 0;
  // lookup: again after a request was dropped or stolen (bounded: each retry removed an entry).
  for (let retry = 0; retry < 4; retry++) {
    const e: AnySock | null =
      __inet_lookup_established(net, saddr, sport, daddr, dport) ??
      __inet_lookup_listener(net, saddr, sport, daddr, dport, dif);
    if (e && !isTimewait(e) && !isRequest(e)) ctx.step(skb, F.lookup, e.comm, LOOKUP_SOCK, e.state);
    else ctx.step(skb, F.lookup, e ? describe(e) : `${ipv4ToString(daddr)}:${dport}: no socket`);
    if (!e) return no_tcp_socket(ctx, skb);
    let sk: TcpSock;
    if (isTimewait(e)) {
      // do_time_wait:
      tcp_v4_fill_cb(skb, iph, th);
      const twIsn = { v: 0 };
      const status = tcp_timewait_state_process(ctx, e, skb, th, twIsn);
      if (status === TCP_TW_SYN) {
        const sk2 = __inet_lookup_listener(net, saddr, sport, daddr, dport, dif);
        if (sk2) {
          // A new connection reuses the 4-tuple: the bucket goes, the listener takes the SYN with the ISN
          // tcp_timewait_state_process chose.
          ctx.step(skb, F.lookup, `TCP_TW_SYN: ${describe(sk2)} takes the SYN`);
          inet_twsk_deschedule_put(ctx, e);
          return tcp_v4_rcv_process(ctx, sk2, skb, iph, th, twIsn.v);
        }
      }
      if (status === TCP_TW_SYN || status === TCP_TW_ACK) tcp_v4_timewait_ack(ctx, e, skb);
      else if (status === TCP_TW_RST) {
        tcp_v4_send_reset(ctx, e, skb, 'TCP_TIMEWAIT_SOCKET');
        inet_twsk_deschedule_put(ctx, e);
      }
      return drop(skb, skb.dropReason ?? SKB_DROP_REASON.NOT_SPECIFIED);
    }
    if (isRequest(e)) {
      const req = e;
      sk = req.listener;
      if (sk.state !== TCP_LISTEN) {
        // reuseport_migrate_sock: tcp_migrate_req is 0, nobody takes the request over.
        inet_csk_reqsk_queue_drop(ctx, sk, req);
        continue;
      }
      const reqStolen = { v: false };
      let nsk: TcpSock | null = null;
      let reason: SkbDropReason | null = null;
      if (!tcp_filter(sk, skb)) {
        tcp_v4_fill_cb(skb, iph, th);
        nsk = tcp_check_req(ctx, sk, skb, req, false, reqStolen);
      } else reason = SKB_DROP_REASON.SOCKET_FILTER;
      if (!nsk) {
        // Another CPU got exclusive access to req and created a full blown socket: feed it this packet.
        if (reqStolen.v) continue;
        sk.drops += Math.max(1, skb.gsoSegs);
        return drop(skb, reason ?? skb.dropReason ?? SKB_DROP_REASON.NOT_SPECIFIED);
      }
      if (nsk !== sk) {
        const r = asDropReason(tcp_child_process(ctx, sk, nsk, skb));
        if (r) {
          tcp_v4_send_reset(ctx, nsk, skb, r);
          sk.drops += Math.max(1, skb.gsoSegs);
          return drop(skb, r);
        }
        return tcp_skb_fate(nsk, skb);
      }
      // nsk == sk: the listener itself processes it (tcp_v4_restore_cb).
      return tcp_v4_rcv_process(ctx, sk, skb, iph, th, 0);
    }
    sk = e;
    return tcp_v4_rcv_process(ctx, sk, skb, iph, th, 0);
  }
  return drop(skb, SKB_DROP_REASON.NOT_SPECIFIED);
}

/** tcp_v4_rcv's `process:` label: a full socket (or listener) takes the segment. */
function tcp_v4_rcv_process(
  ctx: KernelCtx,
  sk: TcpSock,
  skb: SkBuff,
  iph: number,
  th: number,
  isn: number,
): Verdict {
  // min_ttl and XFRM policy checks: neither is configured in the model; tcp_inbound_hash: no MD5/AO keys.
  if (tcp_filter(sk, skb)) {
    sk.drops += Math.max(1, skb.gsoSegs);
    return drop(skb, SKB_DROP_REASON.SOCKET_FILTER);
  }
  tcp_v4_fill_cb(skb, iph, th);
  TCP_SKB_CB(skb).tcpTwIsn = isn;
  if (sk.state === TCP_LISTEN) return tcp_v4_do_rcv(ctx, sk, skb);
  tcp_segs_in(sk, skb);
  if (!sk.owned) return tcp_v4_do_rcv(ctx, sk, skb);
  const reason: { v: SkbDropReason | null } = { v: null };
  if (tcp_add_backlog(ctx, sk, skb, reason)) {
    sk.drops += Math.max(1, skb.gsoSegs);
    return drop(skb, reason.v ?? SKB_DROP_REASON.NOT_SPECIFIED);
  }
  return queuedIn(sk.backlog, skb) ? queued(skb, 'sk_receive_queue') : consumed(skb);
}

/** no_tcp_socket: RST (if the checksum is good), and the segment dropped as NO_SOCKET. */
function no_tcp_socket(ctx: KernelCtx, skb: SkBuff): Verdict {
  tcp_v4_fill_cb(skb, skb.networkHeader, skb.data);
  tcp_v4_send_reset(ctx, null, skb, 'NO_SOCKET');
  return drop(skb, SKB_DROP_REASON.NO_SOCKET);
}

// ---- socket init and destruction -----------------------------------------------------------------------------

/** tcp_v4_init_sock (tcp_ipv4.c:2497): tcp_init_sock; the af_ops are this file's functions. */
export function tcp_v4_init_sock(ctx: KernelCtx, sk: TcpSock): number {
  tcp_init_sock(ctx, sk);
  return 0;
}

/**
 * tcp_v4_destroy_sock (tcp_ipv4.c:2535): stop the timers, release the congestion control, free the write
 * and out-of-order queues, give back the port, drop an unsent Fast Open request.
 */
export function tcp_v4_destroy_sock(ctx: KernelCtx, sk: TcpSock): void {
  // inet_csk_destroy_sock's sk->sk_prot->destroy: sock_map_destroy first for a socket in a sockmap.
  if (sk.skProt) return sk.skProt.destroy(ctx, sk);
  // tcp_clear_xmit_timers
  if (sk.pacingTimer) del_timer(ctx, sk.pacingTimer);
  if (sk.compressedAckTimer) del_timer(ctx, sk.compressedAckTimer);
  inet_csk_clear_xmit_timers(ctx, sk);
  // tcp_cleanup_congestion_control
  sk.icskCaOps?.release?.(sk);
  tcp_write_queue_purge(ctx, sk);
  // Cleans up our, hopefully empty, out_of_order_queue.
  for (const skb of sk.outOfOrderQueue) ctx.free(skb);
  sk.outOfOrderQueue = [];
  sk.ooLastSkb = null;
  // Clean up a referenced TCP bind bucket.
  if (sk.bound) inet_put_port(sk);
  // If socket is aborted during connect operation
  sk.fastopenReq = null;
}
