/**
 * net/ipv4/tcp_minisocks.c: the mini sockets. A TIME_WAIT bucket answers what still arrives for a closed
 * connection (tcp_timewait_state_process) and a request sock answers the handshake's ACK
 * (tcp_check_req), which makes the full child socket (tcp_create_openreq_child).
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import type { Rtable } from '../../include/net/route';
import type { RequestSock, TcpSock, TimewaitSock } from '../../include/linux/tcp';
import { newOptionsReceived } from '../../include/linux/tcp';
import {
  HZ,
  SOCK_BINDPORT_LOCK,
  SOCK_DONE,
  SOCK_KEEPOPEN,
  SOCK_RCVBUF_LOCK,
  TCPHDR_ACK,
  TCPHDR_FIN,
  TCPHDR_RST,
  TCPHDR_SYN,
  TCPOLEN_TSTAMP_ALIGNED,
  TCP_CA_Open,
  TCP_ECN_OK,
  TCP_MSS_DEFAULT,
  TCP_RTO_MAX,
  TCP_SKB_CB,
  TCP_TIMEWAIT_LEN,
  USEC_PER_MSEC,
  USEC_PER_SEC,
  after,
  before,
  keepalive_time_when,
  sock_flag,
  tcp_clock_ms,
  tcp_clock_us,
  tcp_full_space,
  tcp_init_wl,
  tcp_jiffies32,
  tcp_paws_reject,
  tcp_receive_window,
} from '../../include/net/tcp';
import { TCP_FIN_WAIT2, TCP_SYN_RECV, TCP_TIME_WAIT } from '../../include/net/tcp_states';
import { LINUX_MIB, TCP_MIB } from '../../include/net/snmp';
import { kfn } from '../../include/net/trace';
import { sockDefReadable } from '../../include/net/sock';
import * as tcpw from '@skblab/wire/tcp';
import { ktime_get_seconds } from '../../include/net/tcp';
import { jiffies, mod_timer_pending } from '../../kernel/time/timer';
import { dst_metric_advmss } from './route';
import {
  inet_csk_complete_hashdance,
  inet_csk_reqsk_queue_drop,
  inet_csk_reset_keepalive_timer,
  inet_rtx_syn_ack,
  reqsk_timeout,
} from './inet_connection_sock';
import {
  inet_twsk_alloc,
  inet_twsk_deschedule_put,
  inet_twsk_hashdance_schedule,
  inet_twsk_reschedule,
} from './inet_timewait_sock';
import { tcp_dst_advmss, tcp_mss_clamp, tcp_select_initial_window } from './tcp_output';
import { tcp_assign_congestion_control, tcp_set_ca_state } from './tcp_cong';
import {
  tcp_oow_rate_limited,
  tcp_parse_options,
  tcp_rcv_state_process,
  tcp_reset,
  tcp_synack_rtt_meas,
  tcp_reqsk_send_challenge_ack,
} from './tcp_input';
import { tcp_done } from './tcp';
import { tcp_v4_reqsk_send_ack, tcp_v4_send_reset, tcp_v4_syn_recv_sock } from './tcp_ipv4';
import { tcp_init_xmit_timers } from './tcp_timer';

const F = {
  twProcess: kfn('tcp_timewait_state_process', 'net/ipv4/tcp_minisocks.c', 'tcp', (o: string) => o),
  timeWait: kfn('tcp_time_wait', 'net/ipv4/tcp_minisocks.c', 'tcp', (o: string) => o),
  checkReq: kfn('tcp_check_req', 'net/ipv4/tcp_minisocks.c', 'tcp', (o: string) => o),
  createChild: kfn(
    'tcp_create_openreq_child',
    'net/ipv4/tcp_minisocks.c',
    'tcp',
    (_o, rcvNxt, sndNxt, wnd) =>
      `SYN_RECV child rcv_nxt ${rcvNxt >>> 0} snd_nxt ${sndNxt >>> 0} snd_wnd ${wnd}, PassiveOpens++`,
  ),
  childProcess: kfn('tcp_child_process', 'net/ipv4/tcp_minisocks.c', 'tcp', (o: string) => o),
};

/** enum tcp_tw_status: what tcp_v4_rcv does with a segment for a TIME_WAIT bucket. */
export const TCP_TW_SUCCESS = 0;
export const TCP_TW_RST = 1;
export const TCP_TW_ACK = 2;
export const TCP_TW_SYN = 3;
export type TcpTwStatus = typeof TCP_TW_SUCCESS | typeof TCP_TW_RST | typeof TCP_TW_ACK | typeof TCP_TW_SYN;

const TW_STATUS_NAMES = ['TCP_TW_SUCCESS', 'TCP_TW_RST', 'TCP_TW_ACK', 'TCP_TW_SYN'];

/** tcp_synack_window (include/net/request_sock.h): the window of a SYN-ACK is never scaled. */
function tcp_synack_window(req: RequestSock): number {
  // TODO(contract): move to include/net/tcp.ts
  return Math.min(req.rcvWnd, 65535);
}

/** tcp_segs_in (include/net/tcp.h) */
export function tcp_segs_in(tp: TcpSock, skb: SkBuff): void {
  // TODO(contract): move to include/net/tcp.ts
  const segsIn = Math.max(1, skb.gsoSegs);
  tp.segsIn += segsIn;
  if (skb.len > tcpw.headerLength(skb.buf, skb.transportHeader)) tp.dataSegsIn += segsIn;
}

/** tcp_in_window: does [seq, end_seq) touch the window [s_win, e_win]? */
function tcp_in_window(seq: number, endSeq: number, sWin: number, eWin: number): boolean {
  if (seq === sWin) return true;
  if (after(endSeq, sWin) && before(seq, eWin)) return true;
  return seq === eWin && seq === endSeq;
}

/** tcp_timewait_check_oow_rate_limit: ACK an out-of-window segment, at most one per tcp_invalid_ratelimit. */
function tcp_timewait_check_oow_rate_limit(
  ctx: KernelCtx,
  tw: TimewaitSock,
  skb: SkBuff,
  mibIdx: number,
): TcpTwStatus {
  // Send ACK. Note, we do not put the bucket, it will be released by caller.
  if (!tcp_oow_rate_limited(ctx, tw.net, skb, mibIdx, tw)) return TCP_TW_ACK;
  // We are rate-limiting, so just release the tw sock and drop skb.
  return TCP_TW_SUCCESS;
}

/**
 * tcp_timewait_state_process: a segment for a TIME_WAIT (or orphaned FIN_WAIT2) bucket. RST kills it (unless
 * tcp_rfc1337), a new SYN may reopen the 4-tuple (TCP_TW_SYN, with the ISN in TCP_SKB_CB()->tcp_tw_isn and
 * `twIsn`), anything out of window is ACKed (TCP_TW_ACK), a bad segment in FIN_WAIT2 is reset (TCP_TW_RST).
 */
export function tcp_timewait_state_process(
  ctx: KernelCtx,
  tw: TimewaitSock,
  skb: SkBuff,
  th: number,
  twIsn?: { v: number },
): TcpTwStatus {
  const ret = (status: TcpTwStatus, why: string): TcpTwStatus => {
    ctx.step(skb, F.twProcess, `${why}: ${TW_STATUS_NAMES[status]}`);
    return status;
  };
  const b = skb.buf;
  const flags = tcpw.flags(b, th);
  const rst = (flags & TCPHDR_RST) !== 0;
  const syn = (flags & TCPHDR_SYN) !== 0;
  const ack = (flags & TCPHDR_ACK) !== 0;
  const fin = (flags & TCPHDR_FIN) !== 0;
  const tcb = TCP_SKB_CB(skb);
  const rcvNxt = tw.rcvNxt;
  const tmpOpt = newOptionsReceived();
  let pawsReject = false;

  tmpOpt.sawTstamp = 0;
  const tsRecentStamp = tw.tsRecentStamp;
  if (tcpw.headerLength(b, th) > tcpw.TCP_HLEN && tsRecentStamp) {
    tcp_parse_options(tw.net, skb, tmpOpt, false, null);
    if (tmpOpt.sawTstamp) {
      if (tmpOpt.rcvTsecr) tmpOpt.rcvTsecr = (tmpOpt.rcvTsecr - tw.tsOffset) >>> 0;
      tmpOpt.tsRecent = tw.tsRecent;
      tmpOpt.tsRecentStamp = tsRecentStamp;
      pawsReject = tcp_paws_reject(tmpOpt, rst, ktime_get_seconds(ctx));
    }
  }

  if (tw.substate === TCP_FIN_WAIT2) {
    // Just repeat all the checks of tcp_rcv_state_process()

    // Out of window, send ACK
    if (pawsReject || !tcp_in_window(tcb.seq, tcb.endSeq, rcvNxt, (rcvNxt + tw.rcvWnd) >>> 0))
      return ret(
        tcp_timewait_check_oow_rate_limit(ctx, tw, skb, LINUX_MIB.TCPACKSkippedFinWait2),
        'FIN_WAIT2: out of window',
      );
    if (rst) {
      inet_twsk_deschedule_put(ctx, tw);
      return ret(TCP_TW_SUCCESS, 'FIN_WAIT2: RST kills the bucket');
    }
    if (syn && !before(tcb.seq, rcvNxt)) return ret(TCP_TW_RST, 'FIN_WAIT2: SYN in window');
    // Dup ACK?
    if (!ack || !after(tcb.endSeq, rcvNxt) || tcb.endSeq === tcb.seq)
      return ret(TCP_TW_SUCCESS, 'FIN_WAIT2: dup ACK');
    // New data or FIN. If new data arrive after half-duplex close, reset.
    if (!fin || tcb.endSeq !== (rcvNxt + 1) >>> 0) return ret(TCP_TW_RST, 'FIN_WAIT2: data after close');
    // FIN arrived, enter true time-wait state.
    tw.substate = TCP_TIME_WAIT;
    tw.rcvNxt = tcb.endSeq; // twsk_rcv_nxt_update
    if (tmpOpt.sawTstamp) {
      tw.tsRecentStamp = ktime_get_seconds(ctx);
      tw.tsRecent = tmpOpt.rcvTsval;
    }
    inet_twsk_reschedule(ctx, tw, TCP_TIMEWAIT_LEN);
    return ret(TCP_TW_ACK, 'FIN_WAIT2: FIN, now TIME_WAIT');
  }

  // Now real TIME-WAIT state. RFC 1122: "When a connection is [...] on TIME-WAIT state [...] [a TCP] MAY
  // accept a new SYN from the remote TCP to reopen the connection directly, if it: (1) assigns its initial
  // sequence number for the new connection to be larger than the largest sequence number it used on the
  // previous connection incarnation, and (2) returns to TIME-WAIT state if the SYN turns out to be an old
  // duplicate".
  if (!pawsReject && tcb.seq === rcvNxt && (tcb.seq === tcb.endSeq || rst)) {
    // In window segment, it may be only reset or bare ack.
    if (rst) {
      // This is TIME_WAIT assassination, in two flavors. Oh well... nobody has a sufficient solution to
      // this protocol bug yet.
      if (!tw.net.sysctl.tcp.rfc1337) {
        inet_twsk_deschedule_put(ctx, tw);
        return ret(TCP_TW_SUCCESS, 'RST kills the bucket');
      }
    } else {
      inet_twsk_reschedule(ctx, tw, TCP_TIMEWAIT_LEN);
    }
    if (tmpOpt.sawTstamp) {
      tw.tsRecent = tmpOpt.rcvTsval;
      tw.tsRecentStamp = ktime_get_seconds(ctx);
    }
    return ret(TCP_TW_SUCCESS, rst ? 'RST ignored (tcp_rfc1337)' : 'in-window ACK, TIME_WAIT restarted');
  }

  // Out of window segment. All the segments are ACKed immediately. The only exception is new SYN. We
  // accept it, if it is not old duplicate and we are not in danger to be killed by delayed old duplicates.
  // RFC check is that it has newer sequence number works at rates <40Mbit/sec. However, if paws works, it
  // is reliable AND even more, we even may relax silly seq space cutoff.
  if (
    syn &&
    !rst &&
    !ack &&
    !pawsReject &&
    (after(tcb.seq, rcvNxt) || (tmpOpt.sawTstamp && ((tw.tsRecent - tmpOpt.rcvTsval) | 0) < 0))
  ) {
    let isn = (tw.sndNxt + 65535 + 2) >>> 0;
    if (isn === 0) isn++;
    tcb.tcpTwIsn = isn;
    if (twIsn) twIsn.v = isn;
    return ret(TCP_TW_SYN, `new SYN reopens the 4-tuple, isn ${isn}`);
  }

  if (pawsReject) tw.net.linuxMib[LINUX_MIB.PAWSEstab]++;

  if (!rst) {
    // In this case we must reset the TIMEWAIT timer. If it is ACKless SYN it may be both old duplicate and
    // new good SYN with random sequence number <rcv_nxt. Do not reschedule in the last case.
    if (pawsReject || ack) inet_twsk_reschedule(ctx, tw, TCP_TIMEWAIT_LEN);
    return ret(
      tcp_timewait_check_oow_rate_limit(ctx, tw, skb, LINUX_MIB.TCPACKSkippedTimeWait),
      pawsReject ? 'PAWS rejected, PAWSEstab++' : 'out of window',
    );
  }
  return ret(TCP_TW_SUCCESS, 'out-of-window RST ignored');
}

/**
 * tcp_time_wait: move a socket to TIME_WAIT or (an orphan) FIN_WAIT2: a bucket takes its place in the
 * established hash for `timeo` (TCP_TIMEWAIT_LEN in TIME_WAIT), and the socket is done.
 */
export function tcp_time_wait(ctx: KernelCtx, sk: TcpSock, state: number, timeo: number): void {
  const net = sk.net;
  const tw = inet_twsk_alloc(sk, state);
  if (tw) {
    const rto = (sk.icskRto << 2) - (sk.icskRto >> 1);
    tw.priority = sk.priority;
    tw.rcvWscale = sk.rxOpt.rcvWscale;
    tw.rcvNxt = sk.rcvNxt;
    tw.sndNxt = sk.sndNxt;
    tw.rcvWnd = tcp_receive_window(sk);
    tw.tsRecent = sk.rxOpt.tsRecent;
    tw.tsRecentStamp = sk.rxOpt.tsRecentStamp;
    tw.tsOffset = sk.tsoffset;
    tw.usecTs = sk.tcpUsecTs;
    tw.lastOowAckTime = 0;
    // tcp_time_wait_init copies the MD5 key; MD5 is not modelled.
    // Get the TIME_WAIT timeout firing.
    if (timeo < rto) timeo = rto;
    if (state === TCP_TIME_WAIT) timeo = TCP_TIMEWAIT_LEN;
    // Linkage updates. Note that access to tw after this point is illegal.
    inet_twsk_hashdance_schedule(ctx, tw, sk, timeo);
  } else {
    // Sorry, if we're out of memory, just CLOSE this socket up. We've got bigger problems than
    // non-graceful socket closings.
    net.linuxMib[LINUX_MIB.TCPTimeWaitOverflow]++;
  }
  // tcp_update_metrics: the model keeps no per-destination metrics beyond the Fast Open cache.
  tcp_done(ctx, sk);
}

/** tcp_twsk_destructor: frees the bucket's MD5/AO keys, which the model does not have. */
export function tcp_twsk_destructor(_tw: TimewaitSock): void {}

/**
 * tcp_openreq_init_rwin: the window a SYN-ACK offers and its window scale, from the listener's receive
 * buffer (as tcp_connect_init does for a SYN).
 */
export function tcp_openreq_init_rwin(req: RequestSock, skListener: TcpSock, dst: Rtable | null): void {
  let fullSpace = tcp_full_space(skListener);
  const mss = tcp_mss_clamp(
    skListener,
    dst ? dst_metric_advmss(dst) : tcp_dst_advmss(skListener.net.loopbackDev.mtu),
  );
  const windowClamp = skListener.windowClamp;
  // Set this up on the first call only (dst_metric(dst, RTAX_WINDOW) is 0: no route metrics)
  req.windowClamp = windowClamp || 0;
  // limit the window selection if the user enforce a smaller rx buffer
  if (skListener.userlocks & SOCK_RCVBUF_LOCK && (req.windowClamp > fullSpace || req.windowClamp === 0))
    req.windowClamp = fullSpace;
  // tcp_rwnd_init_bpf is 0 without BPF; dst_metric(dst, RTAX_INITRWND) is 0.
  const rcvWnd = 0;
  if (rcvWnd !== 0 && fullSpace < rcvWnd * mss) fullSpace = rcvWnd * mss;
  // tcp_full_space because it is guaranteed to be the first packet
  const w = tcp_select_initial_window(
    skListener,
    fullSpace,
    mss - (req.tstampOk ? TCPOLEN_TSTAMP_ALIGNED : 0),
    req.windowClamp,
    !!req.wscaleOk,
    rcvWnd,
  );
  req.rcvWnd = w.rcvWnd;
  req.windowClamp = w.windowClamp;
  req.rcvWscale = w.rcvWscale;
}

/** tcp_ecn_openreq_child */
function tcp_ecn_openreq_child(tp: TcpSock, req: RequestSock): void {
  tp.ecnFlags = req.ecnOk ? TCP_ECN_OK : 0;
}

/** tcp_ca_openreq_child: the child's congestion control (no per-route congctl: the default, or the listener's). */
export function tcp_ca_openreq_child(ctx: KernelCtx, sk: TcpSock, _dst: Rtable | null): void {
  // dst_metric(dst, RTAX_CC_ALGO) is TCP_CA_UNSPEC: no route metrics.
  // If no valid choice made yet, assign current system default ca.
  if (!sk.icskCaSetsockopt) tcp_assign_congestion_control(sk);
  tcp_set_ca_state(ctx, sk, TCP_CA_Open);
}

/**
 * inet_csk_clone_lock (inet_connection_sock.c) → sk_clone_lock (sock.c): the child starts as a copy of the
 * listener (sock_copy), with its own queues, no dst, no errors, in SYN_RECV with the request's ports.
 */
function inet_csk_clone_lock(sk: TcpSock, req: RequestSock): TcpSock {
  // TODO(contract): inet_csk_clone_lock belongs in inet_connection_sock.ts (sk_clone_lock in a net/core/sock.ts).
  const newsk: TcpSock = { ...sk };
  // sk_clone_lock: what sock_copy must not share.
  newsk.backlog = [];
  newsk.backlogLen = 0;
  newsk.rmemAlloc = 0;
  newsk.forwardAlloc = 0;
  newsk.wmemAlloc = 0;
  newsk.receiveQueue = [];
  newsk.errorQueue = [];
  newsk.wq = [];
  newsk.dstCache = null;
  newsk.wmemQueued = 0;
  newsk.drops = 0;
  newsk.userlocks = sk.userlocks & ~SOCK_BINDPORT_LOCK;
  newsk.flags = sk.flags & ~SOCK_DONE;
  newsk.zckey = 0;
  // A listener's psock is not the child's: tcp_bpf_clone gives it the listener's saved tcp_prot back.
  newsk.psock = null;
  newsk.skProt = null;
  newsk.skErr = 0;
  newsk.errSoft = 0;
  newsk.priority = 0;
  newsk.owned = false;
  newsk.closed = false;
  newsk.orphan = false;
  newsk.hasSocket = false; // sk_set_socket(newsk, NULL)
  newsk.hashed = 'none';
  newsk.rxDst = null;
  newsk.nospace = false;
  newsk.writePending = 0;
  // The tcp_sock's own objects: copies of the listener's (still initial) values.
  newsk.rxOpt = { ...sk.rxOpt };
  newsk.icskAck = { ...sk.icskAck };
  newsk.icskMtup = { ...sk.icskMtup };
  newsk.icskCaPriv = null;
  newsk.chronoStat = [...sk.chronoStat];
  newsk.duplicateSack = [{ ...sk.duplicateSack[0] }];
  newsk.selectiveAcks = sk.selectiveAcks.map((s) => ({ ...s }));
  newsk.recvSackCache = sk.recvSackCache.map((s) => ({ ...s }));
  newsk.rcvRttEst = { ...sk.rcvRttEst };
  newsk.rcvqSpace = { ...sk.rcvqSpace };
  newsk.mtuProbe = { ...sk.mtuProbe };
  newsk.md5Keys = []; // newtp->md5sig_info = NULL; tcp_v4_syn_recv_sock copies the peer's key
  newsk.writeQueue = [];
  newsk.rtxQueue = [];
  newsk.tsortedSentQueue = [];
  newsk.outOfOrderQueue = [];
  newsk.ooLastSkb = null;
  newsk.lostSkbHint = null;
  newsk.retransmitSkbHint = null;
  newsk.highestSack = null;
  newsk.tsqFlags = 0;
  // inet_csk_clone_lock
  newsk.state = TCP_SYN_RECV; // inet_sk_set_state
  newsk.bound = false; // icsk_bind_hash = NULL
  newsk.dport = req.rmtPort;
  newsk.num = req.num;
  newsk.sport = req.num;
  newsk.icskRetransmits = 0;
  newsk.icskBackoff = 0;
  newsk.icskProbesOut = 0;
  newsk.icskProbesTstamp = 0;
  // Deinitialize accept_queue to trap illegal accesses.
  newsk.acceptQueue = [];
  newsk.ackBacklog = 0;
  newsk.synQueueLen = 0;
  newsk.synQueueYoung = 0;
  newsk.parent = null;
  sk.net.tcpSockets.add(newsk);
  return newsk;
}

/**
 * tcp_create_openreq_child: the full socket for a request whose handshake completed: sequence numbers
 * from the request's ISNs, the options the SYN negotiated, the window the ACK offered. PassiveOpens++.
 */
export function tcp_create_openreq_child(
  ctx: KernelCtx,
  sk: TcpSock,
  req: RequestSock,
  skb: SkBuff,
): TcpSock {
  const newtp = inet_csk_clone_lock(sk, req);
  // Now setup tcp_sock
  newtp.predFlags = 0;
  let seq = (req.rcvIsn + 1) >>> 0;
  newtp.rcvWup = seq;
  newtp.copiedSeq = seq;
  newtp.rcvNxt = seq;
  newtp.segsIn = 1;
  seq = (req.sntIsn + 1) >>> 0;
  newtp.sndSml = newtp.sndUna = seq;
  newtp.sndNxt = seq;
  newtp.sndUp = seq;
  tcp_init_wl(newtp, req.rcvIsn);
  // minmax_reset(&newtp->rtt_min, tcp_jiffies32, ~0U)
  const now = tcp_jiffies32(ctx);
  newtp.rttMin = [0, 1, 2].map(() => ({ t: now, v: 0xffffffff }));
  newtp.icskAck.lrcvtime = now;
  newtp.lsndtime = now;
  newtp.totalRetrans = req.numRetrans;

  tcp_init_xmit_timers(newtp);
  newtp.writeSeq = newtp.pushedSeq = (req.sntIsn + 1) >>> 0;
  if (sock_flag(newtp, SOCK_KEEPOPEN)) inet_csk_reset_keepalive_timer(ctx, newtp, keepalive_time_when(newtp));

  newtp.rxOpt.tstampOk = req.tstampOk;
  newtp.rxOpt.sackOk = req.sackOk;
  newtp.windowClamp = req.windowClamp;
  newtp.rcvSsthresh = req.rcvWnd;
  newtp.rcvWnd = req.rcvWnd;
  newtp.rxOpt.wscaleOk = req.wscaleOk;
  if (newtp.rxOpt.wscaleOk) {
    newtp.rxOpt.sndWscale = req.sndWscale;
    newtp.rxOpt.rcvWscale = req.rcvWscale;
  } else {
    newtp.rxOpt.sndWscale = newtp.rxOpt.rcvWscale = 0;
    newtp.windowClamp = Math.min(newtp.windowClamp, 65535);
  }
  newtp.sndWnd = tcpw.window(skb.buf, skb.transportHeader) * 2 ** newtp.rxOpt.sndWscale;
  newtp.maxWindow = newtp.sndWnd;

  if (newtp.rxOpt.tstampOk) {
    newtp.tcpUsecTs = req.reqUsecTs;
    newtp.rxOpt.tsRecent = req.tsRecent;
    newtp.rxOpt.tsRecentStamp = ktime_get_seconds(ctx);
    newtp.tcpHeaderLen = tcpw.TCP_HLEN + TCPOLEN_TSTAMP_ALIGNED;
  } else {
    newtp.tcpUsecTs = false;
    newtp.rxOpt.tsRecentStamp = 0;
    newtp.tcpHeaderLen = tcpw.TCP_HLEN;
  }
  if (req.numTimeout) {
    newtp.totalRto = req.numTimeout;
    newtp.undoMarker = req.sntIsn;
    if (newtp.tcpUsecTs) {
      newtp.retransStamp = req.sntSynack;
      newtp.totalRtoTime = Math.floor(((tcp_clock_us(ctx) - newtp.retransStamp) >>> 0) / USEC_PER_MSEC);
    } else {
      // TCP_TS_HZ is 1000: the ms clock.
      newtp.retransStamp = Math.floor(req.sntSynack / (USEC_PER_SEC / 1000));
      newtp.totalRtoTime = tcp_clock_ms(ctx) - newtp.retransStamp;
    }
    newtp.totalRtoRecoveries = 1;
  }
  newtp.tsoffset = req.tsOff;
  if (skb.len >= TCP_MSS_DEFAULT + newtp.tcpHeaderLen)
    newtp.icskAck.lastSegSize = skb.len - newtp.tcpHeaderLen;
  newtp.rxOpt.mssClamp = req.mss;
  tcp_ecn_openreq_child(newtp, req);
  newtp.fastopenReq = null;
  newtp.fastopenRsk = null;
  // inet_csk_clone_lock: the child's accept queue (and its fastopenq) starts empty.
  newtp.fastopenMaxQlen = 0;
  newtp.fastopenQlen = 0;
  sk.net.mib.tcp[TCP_MIB.PassiveOpens]++;
  ctx.step(skb, F.createChild, null, newtp.rcvNxt, newtp.sndNxt, newtp.sndWnd);
  return newtp;
}

/**
 * reqsk_fastopen_remove (net/core/request_sock.c): a passive Fast Open child no longer needs its request,
 * which leaves the listener's fastopenq. (The 60 s RST-spoofing queue, rskq_rst_head, that keeps a reset
 * request counted against max_qlen is not modelled.)
 */
export function reqsk_fastopen_remove(sk: TcpSock, req: RequestSock, _reset: boolean): void {
  // TODO(contract): belongs in a net/core/request_sock.ts with the listener's fastopenq.
  sk.fastopenRsk = null;
  req.listener.fastopenQlen--;
  req.tfoListener = false;
}

/**
 * tcp_check_req: a segment for a request sock (SYN_RECV). Normally `sk` is the listener; for Fast Open it
 * is the child. Returns the child made by a valid ACK (or `sk` when the listener must answer with a RST, or
 * for Fast Open), or null when the segment was handled here. `reqStolen.v` says another CPU's child won.
 */
export function tcp_check_req(
  ctx: KernelCtx,
  sk: TcpSock,
  skb: SkBuff,
  req: RequestSock,
  fastopen: boolean,
  reqStolen: { v: boolean },
): TcpSock | null {
  const net = sk.net;
  const th = skb.transportHeader;
  const tcb = TCP_SKB_CB(skb);
  let flg = tcpw.flags(skb.buf, th) & (TCPHDR_RST | TCPHDR_SYN | TCPHDR_ACK);
  const tmpOpt = newOptionsReceived();
  let pawsReject = false;
  const step = (why: string): void => ctx.step(skb, F.checkReq, why);

  tmpOpt.sawTstamp = 0;
  if (tcpw.headerLength(skb.buf, th) > tcpw.TCP_HLEN) {
    tcp_parse_options(net, skb, tmpOpt, false, null);
    if (tmpOpt.sawTstamp) {
      tmpOpt.tsRecent = req.tsRecent;
      if (tmpOpt.rcvTsecr) tmpOpt.rcvTsecr = (tmpOpt.rcvTsecr - req.tsOff) >>> 0;
      // We do not store true stamp, but it is not required, it can be estimated (approximately) from
      // another data.
      tmpOpt.tsRecentStamp = ktime_get_seconds(ctx) - Math.floor(reqsk_timeout(req, TCP_RTO_MAX) / HZ);
      pawsReject = tcp_paws_reject(tmpOpt, (flg & TCPHDR_RST) !== 0, ktime_get_seconds(ctx));
    }
  }

  // Check for pure retransmitted SYN.
  if (tcb.seq === req.rcvIsn && flg === TCPHDR_SYN && !pawsReject) {
    // RFC793 draws (Incorrectly! It was fixed in RFC1122) this case on figure 6 and figure 8, but formal
    // protocol description says NOTHING. Enforce "SYN-ACK" according to figure 8, figure 6 of RFC793,
    // fixed by RFC1122. Reset timer after retransmitting SYNACK, similar to the idea of fast retransmit in
    // recovery.
    step('retransmitted SYN: resend the SYN-ACK');
    if (
      !tcp_oow_rate_limited(ctx, net, skb, LINUX_MIB.TCPACKSkippedSynRecv, req) &&
      !inet_rtx_syn_ack(ctx, sk, req)
    ) {
      const expires = jiffies(ctx) + reqsk_timeout(req, TCP_RTO_MAX);
      // A Fast Open request's timer is not armed (the child's retransmit timer resends its SYN-ACK).
      if (!fastopen) mod_timer_pending(ctx, req.timer, expires);
    }
    return null;
  }

  // RFC793 page 36: "If the connection is in any non-synchronized state ... and the incoming segment
  // acknowledges something not yet sent (the segment carries an unacceptable ACK) ... a reset is sent."
  // Invalid ACK: reset will be sent by listening socket. Note that the ACK validity check for a Fast Open
  // socket is done in tcp_rcv_state_process and is checked directly against the child socket rather than req because
  // user data may have been sent out.
  if (flg & TCPHDR_ACK && !(flg & TCPHDR_RST) && !fastopen && tcb.ackSeq !== (req.sntIsn + 1) >>> 0) {
    step(`ACK ${tcb.ackSeq >>> 0} is not ISN+1 ${(req.sntIsn + 1) >>> 0}: the listener resets`);
    return sk;
  }

  // RFC793: "first check sequence number".
  if (
    pawsReject ||
    !tcp_in_window(tcb.seq, tcb.endSeq, req.rcvNxt, (req.rcvNxt + tcp_synack_window(req)) >>> 0)
  ) {
    // Out of window: send ACK and drop.
    step(pawsReject ? 'PAWS rejected: ACK and drop, PAWSEstab++' : 'out of window: ACK and drop');
    if (!(flg & TCPHDR_RST) && !tcp_oow_rate_limited(ctx, net, skb, LINUX_MIB.TCPACKSkippedSynRecv, req))
      tcp_v4_reqsk_send_ack(ctx, sk, skb, req);
    if (pawsReject) net.linuxMib[LINUX_MIB.PAWSEstab]++;
    return null;
  }

  // In sequence, PAWS is OK.
  // Truncate SYN, it is out of window starting at tcp_rsk(req)->rcv_isn + 1.
  if (tcb.seq === req.rcvIsn) flg &= ~TCPHDR_SYN;

  // RFC 5961 section 3.2, as clarified by RFC 9293 section 3.10.7.4, requires a challenge ACK for a
  // non-exact in-window RST in SYN-RECEIVED.
  if (flg & TCPHDR_RST && tcb.seq !== req.rcvNxt) {
    step('in-window RST not at rcv_nxt: challenge ACK');
    tcp_reqsk_send_challenge_ack(ctx, sk, skb, req);
    return null;
  }

  let embryonicReset = false;
  let child: TcpSock | null = null;
  const ownReq = { v: true };
  // RFC793: "second check the RST bit" and "fourth, check the SYN bit"
  if (flg & (TCPHDR_RST | TCPHDR_SYN)) {
    net.mib.tcp[TCP_MIB.AttemptFails]++;
    step(flg & TCPHDR_RST ? 'RST: request dropped, AttemptFails++' : 'SYN in window: reset, AttemptFails++');
    embryonicReset = true;
  } else {
    // ACK sequence verified above, just make sure ACK is set. If ACK not set, just silently drop the packet.
    if (!(flg & TCPHDR_ACK)) {
      step('no ACK: ignored');
      return null;
    }
    // For Fast Open no more processing is needed (sk is the child socket).
    if (fastopen) {
      step('Fast Open child: ACK of the SYN-ACK');
      return sk;
    }
    // While TCP_DEFER_ACCEPT is active, drop bare ACK.
    if (req.numTimeout < sk.deferAccept && tcb.endSeq === (req.rcvIsn + 1) >>> 0) {
      req.acked = 1;
      net.linuxMib[LINUX_MIB.TCPDeferAcceptDrop]++;
      step('bare ACK while TCP_DEFER_ACCEPT: dropped, TCPDeferAcceptDrop++');
      return null;
    }
    // OK, ACK is valid, create big socket and feed this segment to it. It will repeat all the tests. THIS
    // SEGMENT MUST MOVE SOCKET TO ESTABLISHED STATE. If it will be dropped after socket is created, wait for
    // troubles.
    step('ACK of the SYN-ACK: make the child');
    // TODO(contract): the kernel's syn_recv_sock has req_unhash (req here) and an own_req out-parameter; the
    // holder goes in true (req_unhash set) and comes back as own_req.
    child = tcp_v4_syn_recv_sock(ctx, sk, skb, req, null, ownReq);
    if (!child) {
      // listen_overflow:
      if (sk !== req.listener) net.linuxMib[LINUX_MIB.TCPMigrateReqFailure]++;
      if (!net.sysctl.tcp.abortOnOverflow) {
        req.acked = 1;
        return null;
      }
      embryonicReset = true;
    }
  }

  if (!embryonicReset && child) {
    if (ownReq.v && tmpOpt.sawTstamp && !after(tcb.seq, req.rcvNxt)) child.rxOpt.tsRecent = tmpOpt.rcvTsval;
    // rsk_drop_req is MPTCP's only.
    tcp_synack_rtt_meas(ctx, child, req);
    reqStolen.v = !ownReq.v;
    return inet_csk_complete_hashdance(ctx, sk, child, req, ownReq.v);
  }

  // embryonic_reset:
  if (!(flg & TCPHDR_RST)) {
    // Received a bad SYN pkt - for TFO We try not to reset the local connection unless it's really
    // necessary to avoid becoming vulnerable to outside attack aiming at resetting legit local connections.
    tcp_v4_send_reset(ctx, sk, skb, 'INVALID_SYN');
  } else if (fastopen) {
    // received a valid RST pkt
    reqsk_fastopen_remove(sk, req, true);
    tcp_reset(ctx, sk, skb);
  }
  if (!fastopen) {
    const unlinked = inet_csk_reqsk_queue_drop(ctx, sk, req);
    if (unlinked) net.linuxMib[LINUX_MIB.EmbryonicRsts]++;
    reqStolen.v = !unlinked;
  }
  return null;
}

/**
 * tcp_child_process: feed the handshake's ACK to the new child (tcp_rcv_state_process), waking the listener
 * once the child leaves SYN_RECV; or queue it on the child's backlog if a process holds it. Returns the drop
 * reason of tcp_rcv_state_process (0: not dropped); non-zero makes the caller send a RST.
 */
export function tcp_child_process(
  ctx: KernelCtx,
  parent: TcpSock,
  child: TcpSock,
  skb: SkBuff,
): ReturnType<typeof tcp_rcv_state_process> | 0 {
  let reason: ReturnType<typeof tcp_rcv_state_process> | 0 = 0; // SKB_NOT_DROPPED_YET
  const state = child.state;
  tcp_segs_in(child, skb);
  if (!child.owned) {
    ctx.step(skb, F.childProcess, 'to the child: tcp_rcv_state_process');
    reason = tcp_rcv_state_process(ctx, child, skb);
    // Wakeup parent, send SIGIO
    if (state === TCP_SYN_RECV && child.state !== state) sockDefReadable(parent);
  } else {
    // Alas, it is possible again, because we do lookup in main socket hash table and lock on listening
    // socket does not protect us more.
    ctx.step(skb, F.childProcess, 'child owned by user: backlog');
    child.backlog.push(skb); // __sk_add_backlog (unlike sk_add_backlog, it does not charge sk_backlog.len)
  }
  return reason;
}
