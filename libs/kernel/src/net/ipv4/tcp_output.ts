/**
 * net/ipv4/tcp_output.c: building and sending segments. The write queue holds headerless skbs (their bytes
 * from skb.data); __tcp_transmit_skb clones one, pushes the TCP header and options and hands it to
 * ip_queue_xmit. tcp_write_xmit decides what may go (cwnd, receive window, Nagle, TSO deferral), the
 * retransmit engine resends, and the control segments (SYN, SYN-ACK, ACK, FIN, RST, probes) are made here.
 */
import { SKBTX_ANY_TSTAMP } from '../../include/linux/skbuff';
import {
  skb_split_frags,
  skb_trim_head_frags,
  skb_zcopy,
  skb_zcopy_pure,
  skb_zcopy_set,
} from '../core/skbuff';
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { allocSkb, queueDelAt, skbPush, skbPut, CHECKSUM_PARTIAL } from '../../include/linux/skbuff';
import type { RequestSock, TcpFastopenCookie, TcpSock } from '../../include/linux/tcp';
import {
  TCP_CLOSE,
  TCP_ESTABLISHED,
  TCPF_CLOSE_WAIT,
  TCPF_CLOSING,
  TCPF_ESTABLISHED,
  TCPF_FIN_WAIT1,
  TCPF_LAST_ACK,
} from '../../include/net/tcp_states';
import * as T from '../../include/net/tcp';
import {
  TCP_SKB_CB,
  after,
  before,
  between,
  newTcpSkbCb,
  tcp_jiffies32,
  tcp_mstamp_refresh,
  tcp_packets_in_flight,
  tcp_skb_pcount,
  tcp_skb_pcount_set,
  tcp_snd_cwnd,
  tcp_snd_cwnd_set,
  tcp_wnd_end,
  tcp_send_head,
  tcp_write_queue_tail,
  tcp_rtx_queue_head,
  tcp_skb_mss,
  tcp_skb_timestamp_ts,
  tcp_time_stamp_ts,
  tcp_is_reno,
  tcp_is_sack,
  tcp_in_cwnd_reduction,
  tcp_current_ssthresh,
  tcp_receive_window,
  tcp_space,
  tcp_full_space,
  tcp_bound_to_half_wnd,
  tcp_write_queue_empty,
  tcp_is_cwnd_limited,
  tcp_needs_internal_pacing,
  tcp_pacing_delay,
  tcp_probe0_base,
  tcp_probe0_when,
  tcp_skb_is_last,
  tcp_skb_can_collapse,
  tcp_dec_quickack_mode,
  inet_csk_inc_pingpong_cnt,
  inet_csk_in_pingpong_mode,
  tcp_min_rtt,
  tcp_rto_min,
  tcp_clock_ns,
  jiffies_to_usecs,
  usecs_to_jiffies,
  tcp_rtx_queue_tail,
  tcp_init_wl,
} from '../../include/net/tcp';
import { LINUX_MIB, TCP_MIB } from '../../include/net/snmp';
import { kfn } from '../../include/net/trace';
import { ECONNREFUSED, EHOSTUNREACH } from '../../include/linux/errno';
import {
  TCPOPT_EOL,
  TCPOPT_NOP,
  TCPOPT_MSS,
  TCPOPT_WINDOW,
  TCPOPT_SACK_PERM,
  TCPOPT_SACK,
} from '@skblab/wire/tcp';
import { TCPOPT_TIMESTAMP, TCPOPT_FASTOPEN, TCPOPT_EXP, TCPOPT_MD5SIG } from '@skblab/wire/tcp';
import * as tcpw from '@skblab/wire/tcp';
import { dst_metric_advmss, dstMtu } from './route';
import { ip_queue_xmit, ip_build_and_send_pkt } from './ip_output';
import { inet_csk_clear_xmit_timer, inet_csk_reset_xmit_timer } from './inet_connection_sock';
import { sk_mem_charge, sk_mem_uncharge } from '../../include/net/sock';
import { jiffies } from '../../kernel/time/timer';
import { tcp_ca_event, tcp_init_cwnd } from './tcp_cong';
import { tcp_rate_skb_sent } from './tcp_rate';
import {
  tcp_check_space,
  tcp_clear_retrans,
  tcp_enter_cwr,
  tcp_initialize_rcv_mss,
  tcp_rearm_rto,
  tcp_finish_connect,
  tcp_rbtree_insert,
} from './tcp_input';
import { tcp_rto_delta_us } from './tcp_timer';
import { tcp_v4_send_check, __sk_dst_get, inet_sk_rebuild_header, tcp_v4_md5_lookup } from './tcp_ipv4';
import { tcp_fastopen_cookie_check, tcp_md5_hash_skb } from './tcp_fastopen';
import { cookie_init_timestamp } from './syncookies';
import { tcp_delack_timer_handler, tcp_write_timer_handler } from './tcp_timer';
import { tcp_v4_mtu_reduced } from './tcp_ipv4';
import {
  tcp_stream_alloc_skb,
  tcp_wmem_free_skb,
  tcp_chrono_start,
  tcp_chrono_stop,
  tcp_add_write_queue_tail,
} from './tcp';

const F = {
  writeXmit: kfn(
    'tcp_write_xmit',
    'net/ipv4/tcp_output.c',
    'tcp',
    (_o, cwnd, inflight, wnd, mss) => `cwnd ${cwnd} in flight ${inflight} snd_wnd ${wnd} mss ${mss}`,
  ),
  transmit: kfn(
    '__tcp_transmit_skb',
    'net/ipv4/tcp_output.c',
    'tcp',
    (o: string, seq, ack, win, len) => `${o} seq ${seq >>> 0} ack ${ack >>> 0} win ${win} len ${len}`,
  ),
  retransmit: kfn('tcp_retransmit_skb', 'net/ipv4/tcp_output.c', 'tcp', (o: string) => o),
  sendAck: kfn('tcp_send_ack', 'net/ipv4/tcp_output.c', 'tcp', (o: string) => o),
  sendFin: kfn('tcp_send_fin', 'net/ipv4/tcp_output.c', 'tcp'),
  sendReset: kfn('tcp_send_active_reset', 'net/ipv4/tcp_output.c', 'tcp', (o: string) => o),
  connect: kfn(
    'tcp_connect',
    'net/ipv4/tcp_output.c',
    'tcp',
    (_o, isn, mss, ws) => `SYN isn ${isn >>> 0} mss ${mss} wscale ${ws}, SYN_SENT, ActiveOpens++`,
  ),
  makeSynack: kfn(
    'tcp_make_synack',
    'net/ipv4/tcp_output.c',
    'tcp',
    (_o, isn, ack, mss) => `SYN-ACK isn ${isn >>> 0} ack ${ack >>> 0} mss ${mss}`,
  ),
  pushPending: kfn('__tcp_push_pending_frames', 'net/ipv4/tcp_output.c', 'tcp'),
  probe: kfn('tcp_write_wakeup', 'net/ipv4/tcp_output.c', 'tcp', (o: string) => o),
  lossProbe: kfn('tcp_send_loss_probe', 'net/ipv4/tcp_output.c', 'tcp', (o: string) => o),
};

const OPTION_SACK_ADVERTISE = 1 << 0;
const OPTION_TS = 1 << 1;
const OPTION_MD5 = 1 << 2;
const OPTION_WSCALE = 1 << 3;
const OPTION_FAST_OPEN_COOKIE = 1 << 8;

/** struct tcp_out_options */
interface TcpOutOptions {
  options: number;
  mss: number;
  ws: number;
  numSackBlocks: number;
  tsval: number;
  tsecr: number;
  fastopenCookie: TcpFastopenCookie | null;
  /** where the MD5 signature goes, from the TCP header */
  hashLocation: number;
}

function newOutOptions(): TcpOutOptions {
  return {
    options: 0,
    mss: 0,
    ws: 0,
    numSackBlocks: 0,
    tsval: 0,
    tsecr: 0,
    fastopenCookie: null,
    hashLocation: 0,
  };
}

/** The TCP flags as tcpdump prints them, for traces. */
export function tcpFlagString(f: number): string {
  return FLAG_STRINGS[f & 0xff];
}

function flagString(f: number): string {
  let s = '';
  if (f & T.TCPHDR_SYN) s += 'S';
  if (f & T.TCPHDR_FIN) s += 'F';
  if (f & T.TCPHDR_RST) s += 'R';
  if (f & T.TCPHDR_PSH) s += 'P';
  if (f & T.TCPHDR_URG) s += 'U';
  if (f & T.TCPHDR_ECE) s += 'E';
  if (f & T.TCPHDR_CWR) s += 'W';
  if (f & T.TCPHDR_ACK) s += '.';
  return s || 'none';
}

/** Every flags byte's text, made once: a transmit's trace step records a shared string. */
const FLAG_STRINGS = Array.from({ length: 256 }, (_, f) => flagString(f));

/** tcp_event_new_data_sent: the skb leaves the write queue for the retransmit queue. */
export function tcp_event_new_data_sent(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): void {
  const priorPackets = sk.packetsOut;
  sk.sndNxt = TCP_SKB_CB(skb).endSeq;
  queueDelAt(sk.writeQueue, sk.writeQueue.indexOf(skb));
  tcp_rbtree_insert(sk.rtxQueue, skb);
  if (sk.highestSack === null) sk.highestSack = skb;
  sk.packetsOut += tcp_skb_pcount(skb);
  if (!priorPackets || sk.icskPending === T.ICSK_TIME_LOSS_PROBE) tcp_rearm_rto(ctx, sk);
  sk.net.linuxMib[LINUX_MIB.TCPOrigDataSent] += tcp_skb_pcount(skb);
  tcp_check_space(ctx, sk);
}

/** tcp_acceptable_seq: SND.NXT unless the peer shrank its window past it. */
export function tcp_acceptable_seq(sk: TcpSock): number {
  if (
    !before(tcp_wnd_end(sk), sk.sndNxt) ||
    (sk.rxOpt.wscaleOk && (sk.sndNxt - tcp_wnd_end(sk)) >>> 0 < 1 << sk.rxOpt.rcvWscale)
  )
    return sk.sndNxt;
  return tcp_wnd_end(sk);
}

/** tcp_dst_advmss: the route's advertised MSS (ipv4_default_advmss: MTU - 40, at least ip_rt_min_advmss). */
export function tcp_dst_advmss(mtu: number): number {
  return Math.max(Math.min(mtu - 40, 65535 - 40), 256, T.TCP_MIN_MSS);
}

/** tcp_mss_clamp: the user's TCP_MAXSEG bounds what we advertise. */
export function tcp_mss_clamp(tp: TcpSock, mss: number): number {
  const userMss = tp.rxOpt.userMss;
  return userMss && userMss < mss ? userMss : mss;
}

/** tcp_advertise_mss */
function tcp_advertise_mss(sk: TcpSock): number {
  let mss = sk.advmss;
  const dst = __sk_dst_get(sk);
  if (dst) {
    const metric = dst_metric_advmss(dst);
    if (metric < mss) {
      mss = metric;
      sk.advmss = mss;
    }
  }
  return mss;
}

/** tcp_cwnd_restart: RFC 2861, the restart window after an idle period longer than an RTO. */
export function tcp_cwnd_restart(ctx: KernelCtx, sk: TcpSock, delta: number): void {
  let restartCwnd = tcp_init_cwnd(sk, __sk_dst_get(sk));
  let cwnd = tcp_snd_cwnd(sk);
  tcp_ca_event(ctx, sk, T.CA_EVENT_CWND_RESTART);
  sk.sndSsthresh = tcp_current_ssthresh(sk);
  restartCwnd = Math.min(restartCwnd, cwnd);
  while ((delta -= sk.icskRto) > 0 && cwnd > restartCwnd) cwnd >>>= 1;
  tcp_snd_cwnd_set(sk, Math.max(cwnd, restartCwnd));
  sk.sndCwndStamp = tcp_jiffies32(ctx);
  sk.sndCwndUsed = 0;
}

/** tcp_event_data_sent */
function tcp_event_data_sent(ctx: KernelCtx, sk: TcpSock): void {
  const now = tcp_jiffies32(ctx);
  if (tcp_packets_in_flight(sk) === 0) tcp_ca_event(ctx, sk, T.CA_EVENT_TX_START);
  sk.lsndtime = now;
  // A reply within ato of the last received packet: interactive, raise the pingpong count.
  if ((now - sk.icskAck.lrcvtime) >>> 0 < sk.icskAck.ato) inet_csk_inc_pingpong_cnt(sk);
}

/** tcp_event_ack_sent */
function tcp_event_ack_sent(ctx: KernelCtx, sk: TcpSock, rcvNxt: number): void {
  if (sk.compressedAck) {
    sk.net.linuxMib[LINUX_MIB.TCPAckCompressed] += sk.compressedAck;
    sk.compressedAck = 0;
    if (sk.compressedAckTimer.pending) ctx.delTimer(sk.compressedAckTimer);
  }
  if (rcvNxt !== sk.rcvNxt) return;
  tcp_dec_quickack_mode(sk);
  inet_csk_clear_xmit_timer(sk, T.ICSK_TIME_DACK);
}

/** tcp_select_initial_window: the first window and the window scale to offer. */
export function tcp_select_initial_window(
  sk: TcpSock,
  space: number,
  mss: number,
  windowClamp: number,
  wscaleOk: boolean,
  initRcvWnd: number,
): { rcvWnd: number; windowClamp: number; rcvWscale: number } {
  space = space < 0 ? 0 : space;
  if (windowClamp === 0) windowClamp = 65535 << T.TCP_MAX_WSCALE;
  space = Math.min(windowClamp, space);
  // Quantize space offering to a multiple of mss if possible.
  if (space > mss) space = space - (space % mss);
  let rcvWnd = sk.net.sysctl.tcp.workaroundSignedWindows ? Math.min(space, T.MAX_TCP_WINDOW) : space;
  if (initRcvWnd) rcvWnd = Math.min(rcvWnd, initRcvWnd * mss);
  let rcvWscale = 0;
  if (wscaleOk) {
    // Set window scaling on max possible window.
    space = Math.max(space, sk.net.sysctl.tcp.rmem[2], RMEM_MAX);
    space = Math.min(space, windowClamp);
    rcvWscale = Math.min(Math.max(Math.floor(Math.log2(space)) - 15, 0), T.TCP_MAX_WSCALE);
  }
  return { rcvWnd, windowClamp: Math.min(65535 * 2 ** rcvWscale, windowClamp), rcvWscale };
}

/** net.core.rmem_max */
const RMEM_MAX = 212992;

/** tcp_select_window: the window to advertise now, scaled; never shrinks the offered window. */
function tcp_select_window(sk: TcpSock): number {
  const net = sk.net;
  const oldWin = sk.rcvWnd;
  if (sk.icskAck.pending & T.ICSK_ACK_NOMEM) {
    sk.predFlags = 0;
    sk.rcvWnd = 0;
    sk.rcvWup = sk.rcvNxt;
    return 0;
  }
  const curWin = tcp_receive_window(sk);
  let newWin = __tcp_select_window(sk);
  if (newWin < curWin) {
    if (!net.sysctl.tcp.shrinkWindow || !sk.rxOpt.rcvWscale) {
      // Never shrink the offered window.
      if (newWin === 0) net.linuxMib[LINUX_MIB.TCPWantZeroWindowAdv]++;
      const a = 1 << sk.rxOpt.rcvWscale;
      newWin = Math.ceil(curWin / a) * a;
    }
  }
  sk.rcvWnd = newWin;
  sk.rcvWup = sk.rcvNxt;
  if (!sk.rxOpt.rcvWscale && net.sysctl.tcp.workaroundSignedWindows)
    newWin = Math.min(newWin, T.MAX_TCP_WINDOW);
  else newWin = Math.min(newWin, 65535 * 2 ** sk.rxOpt.rcvWscale);
  newWin = Math.floor(newWin / 2 ** sk.rxOpt.rcvWscale);
  if (newWin === 0) {
    sk.predFlags = 0;
    if (oldWin) net.linuxMib[LINUX_MIB.TCPToZeroWindowAdv]++;
  } else if (oldWin === 0) {
    net.linuxMib[LINUX_MIB.TCPFromZeroWindowAdv]++;
  }
  return newWin;
}

/** __tcp_select_window: the raw window, a multiple of the MSS (or of the scale) as free space allows. */
export function __tcp_select_window(sk: TcpSock): number {
  const net = sk.net;
  let mss = sk.icskAck.rcvMss;
  let freeSpace = tcp_space(sk);
  const allowedSpace = tcp_full_space(sk);
  const fullSpace = Math.min(sk.windowClamp, allowedSpace);
  if (mss > fullSpace) {
    mss = fullSpace;
    if (mss <= 0) return 0;
  }
  const scale = 1 << sk.rxOpt.rcvWscale;
  if (net.sysctl.tcp.shrinkWindow && sk.rxOpt.rcvWscale) {
    freeSpace = freeSpace - (freeSpace % scale);
    if (freeSpace < fullSpace >> 1) {
      sk.icskAck.quick = 0;
      if (freeSpace < allowedSpace >> 4 || freeSpace < mss || freeSpace < scale) return 0;
    }
    if (freeSpace > sk.rcvSsthresh) freeSpace = Math.ceil(sk.rcvSsthresh / scale) * scale;
    return freeSpace;
  }
  if (freeSpace < fullSpace >> 1) {
    sk.icskAck.quick = 0;
    freeSpace = Math.floor(freeSpace / scale) * scale;
    if (freeSpace < allowedSpace >> 4 || freeSpace < mss) return 0;
  }
  if (freeSpace > sk.rcvSsthresh) freeSpace = sk.rcvSsthresh;
  let window: number;
  if (sk.rxOpt.rcvWscale) {
    window = Math.ceil(freeSpace / scale) * scale;
  } else {
    window = sk.rcvWnd;
    if (window <= freeSpace - mss || window > freeSpace) window = freeSpace - (freeSpace % mss);
    else if (mss === fullSpace && freeSpace > window + (fullSpace >> 1)) window = freeSpace;
  }
  return window;
}

// ---- ECN --------------------------------------------------------------------------------------------------

function tcp_ecn_send_synack(sk: TcpSock, skb: SkBuff): void {
  TCP_SKB_CB(skb).tcpFlags &= ~T.TCPHDR_CWR;
  if (!(sk.ecnFlags & T.TCP_ECN_OK)) TCP_SKB_CB(skb).tcpFlags &= ~T.TCPHDR_ECE;
}

function tcp_ecn_send_syn(sk: TcpSock, skb: SkBuff): void {
  const useEcn = sk.net.sysctl.tcp.ecn === 1;
  sk.ecnFlags = 0;
  if (useEcn) {
    TCP_SKB_CB(skb).tcpFlags |= T.TCPHDR_ECE | T.TCPHDR_CWR;
    sk.ecnFlags = T.TCP_ECN_OK;
  }
}

function tcp_ecn_clear_syn(sk: TcpSock, skb: SkBuff): void {
  // tp->ecn_flags are cleared at a later point in time when SYN ACK is ultimatively being received.
  if (sk.net.sysctl.tcp.ecnFallback) TCP_SKB_CB(skb).tcpFlags &= ~(T.TCPHDR_ECE | T.TCPHDR_CWR);
}

/** INET_ECN_xmit / INET_ECN_dontxmit: ECT(0) on the socket's TOS, or not. */
function INET_ECN_xmit(sk: TcpSock): void {
  sk.tos = (sk.tos & ~3) | 2;
}
function INET_ECN_dontxmit(sk: TcpSock): void {
  sk.tos &= ~3;
}

/** tcp_ecn_send: ECT on new data, CWR once after a reduction, ECE while the peer must reduce. */
function tcp_ecn_send(sk: TcpSock, skb: SkBuff, th: number, tcpHeaderLen: number): void {
  if (!(sk.ecnFlags & T.TCP_ECN_OK)) return;
  if (skb.len !== tcpHeaderLen && !before(TCP_SKB_CB(skb).seq, sk.sndNxt)) {
    INET_ECN_xmit(sk);
    if (sk.ecnFlags & T.TCP_ECN_QUEUE_CWR) {
      sk.ecnFlags &= ~T.TCP_ECN_QUEUE_CWR;
      skb.buf[th + 13] |= T.TCPHDR_CWR;
    }
  } else {
    INET_ECN_dontxmit(sk);
  }
  if (sk.ecnFlags & T.TCP_ECN_DEMAND_CWR) skb.buf[th + 13] |= T.TCPHDR_ECE;
}

/** tcp_init_nondata_skb: a control segment's sequence and flags; SYN and FIN take a sequence number. */
export function tcp_init_nondata_skb(skb: SkBuff, seq: number, flags: number): void {
  skb.ipSummed = CHECKSUM_PARTIAL;
  const tcb = TCP_SKB_CB(skb);
  tcb.tcpFlags = flags;
  tcp_skb_pcount_set(skb, 1);
  tcb.seq = seq >>> 0;
  if (flags & (T.TCPHDR_SYN | T.TCPHDR_FIN)) seq++;
  tcb.endSeq = seq >>> 0;
}

function tcp_urg_mode(tp: TcpSock): boolean {
  return tp.sndUna !== tp.sndUp;
}

// ---- options --------------------------------------------------------------------------------------------

function put32(b: Uint8Array, p: number, v: number): void {
  b[p] = (v >>> 24) & 0xff;
  b[p + 1] = (v >>> 16) & 0xff;
  b[p + 2] = (v >>> 8) & 0xff;
  b[p + 3] = v & 0xff;
}

/**
 * tcp_options_write: the options in Linux's order and alignment (MD5; MSS; SACK-permitted folded into the
 * timestamp's NOPs; window scale; SACK blocks; Fast Open), from `th + 20`.
 */
function tcp_options_write(b: Uint8Array, th: number, tp: TcpSock | null, opts: TcpOutOptions): void {
  let p = th + 20;
  let options = opts.options;
  if (options & OPTION_MD5) {
    put32(b, p, (TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) | (TCPOPT_MD5SIG << 8) | T.TCPOLEN_MD5SIG);
    opts.hashLocation = p + 4 - th;
    p += 20;
  }
  if (opts.mss) {
    put32(b, p, (TCPOPT_MSS << 24) | (T.TCPOLEN_MSS << 16) | opts.mss);
    p += 4;
  }
  if (options & OPTION_TS) {
    if (options & OPTION_SACK_ADVERTISE) {
      put32(
        b,
        p,
        (TCPOPT_SACK_PERM << 24) |
          (T.TCPOLEN_SACK_PERM << 16) |
          (TCPOPT_TIMESTAMP << 8) |
          T.TCPOLEN_TIMESTAMP,
      );
      options &= ~OPTION_SACK_ADVERTISE;
    } else {
      put32(b, p, (TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) | (TCPOPT_TIMESTAMP << 8) | T.TCPOLEN_TIMESTAMP);
    }
    put32(b, p + 4, opts.tsval);
    put32(b, p + 8, opts.tsecr);
    p += 12;
  }
  if (options & OPTION_SACK_ADVERTISE) {
    put32(b, p, (TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) | (TCPOPT_SACK_PERM << 8) | T.TCPOLEN_SACK_PERM);
    p += 4;
  }
  if (options & OPTION_WSCALE) {
    put32(b, p, (TCPOPT_NOP << 24) | (TCPOPT_WINDOW << 16) | (T.TCPOLEN_WINDOW << 8) | opts.ws);
    p += 4;
  }
  if (opts.numSackBlocks && tp) {
    const sp = tp.rxOpt.dsack ? [tp.duplicateSack[0], ...tp.selectiveAcks] : tp.selectiveAcks;
    put32(
      b,
      p,
      (TCPOPT_NOP << 24) |
        (TCPOPT_NOP << 16) |
        (TCPOPT_SACK << 8) |
        (T.TCPOLEN_SACK_BASE + opts.numSackBlocks * T.TCPOLEN_SACK_PERBLOCK),
    );
    p += 4;
    for (let i = 0; i < opts.numSackBlocks; i++) {
      put32(b, p, sp[i].startSeq);
      put32(b, p + 4, sp[i].endSeq);
      p += 8;
    }
    tp.rxOpt.dsack = 0;
  }
  if (options & OPTION_FAST_OPEN_COOKIE) {
    const foc = opts.fastopenCookie!;
    let q = p;
    let len: number;
    if (foc.exp) {
      len = T.TCPOLEN_EXP_FASTOPEN_BASE + foc.len;
      put32(b, p, (TCPOPT_EXP << 24) | (len << 16) | T.TCPOPT_FASTOPEN_MAGIC);
      q += T.TCPOLEN_EXP_FASTOPEN_BASE;
    } else {
      len = T.TCPOLEN_FASTOPEN_BASE + foc.len;
      b[q++] = TCPOPT_FASTOPEN;
      b[q++] = len;
    }
    b.set(foc.val.subarray(0, foc.len), q);
    if ((len & 3) === 2) {
      b[q + foc.len] = TCPOPT_NOP;
      b[q + foc.len + 1] = TCPOPT_NOP;
    }
    p += ((len + 3) >> 2) * 4;
  }
  void TCPOPT_EOL;
}

/** tcp_syn_options: a SYN always offers the MSS; timestamps, window scale, SACK as the sysctls allow. */
function tcp_syn_options(sk: TcpSock, skb: SkBuff, opts: TcpOutOptions, md5: boolean): number {
  const net = sk.net;
  let remaining = T.MAX_TCP_OPTION_SPACE;
  const fastopen = sk.fastopenReq;
  let timestamps: boolean;
  if (md5) {
    timestamps = false;
    opts.options |= OPTION_MD5;
    remaining -= T.TCPOLEN_MD5SIG_ALIGNED;
  } else {
    timestamps = !!net.sysctl.tcp.timestamps;
  }
  opts.mss = tcp_advertise_mss(sk);
  remaining -= T.TCPOLEN_MSS_ALIGNED;
  if (timestamps) {
    opts.options |= OPTION_TS;
    opts.tsval = (tcp_skb_timestamp_ts(sk.tcpUsecTs, skb) + sk.tsoffset) >>> 0;
    opts.tsecr = sk.rxOpt.tsRecent;
    remaining -= T.TCPOLEN_TSTAMP_ALIGNED;
  }
  if (net.sysctl.tcp.windowScaling) {
    opts.ws = sk.rxOpt.rcvWscale;
    opts.options |= OPTION_WSCALE;
    remaining -= T.TCPOLEN_WSCALE_ALIGNED;
  }
  if (net.sysctl.tcp.sack) {
    opts.options |= OPTION_SACK_ADVERTISE;
    if (!(OPTION_TS & opts.options)) remaining -= T.TCPOLEN_SACKPERM_ALIGNED;
  }
  if (fastopen && fastopen.cookie.len >= 0) {
    let need = fastopen.cookie.len;
    need += fastopen.cookie.exp ? T.TCPOLEN_EXP_FASTOPEN_BASE : T.TCPOLEN_FASTOPEN_BASE;
    need = (need + 3) & ~3;
    if (remaining >= need) {
      opts.options |= OPTION_FAST_OPEN_COOKIE;
      opts.fastopenCookie = fastopen.cookie;
      remaining -= need;
      sk.synFastopen = 1;
      sk.synFastopenExp = fastopen.cookie.exp ? 1 : 0;
    }
  }
  return T.MAX_TCP_OPTION_SPACE - remaining;
}

/** tcp_synack_options */
function tcp_synack_options(
  req: RequestSock,
  mss: number,
  skb: SkBuff,
  opts: TcpOutOptions,
  md5: boolean,
  foc: TcpFastopenCookie | null,
  cookie: boolean,
): number {
  let remaining = T.MAX_TCP_OPTION_SPACE;
  if (md5) {
    opts.options |= OPTION_MD5;
    remaining -= T.TCPOLEN_MD5SIG_ALIGNED;
    // We can't fit any SACK blocks in a packet with MD5 + TS options.
    if (!cookie) req.tstampOk &= req.sackOk ? 0 : 1;
  }
  opts.mss = mss;
  remaining -= T.TCPOLEN_MSS_ALIGNED;
  if (req.wscaleOk) {
    opts.ws = req.rcvWscale;
    opts.options |= OPTION_WSCALE;
    remaining -= T.TCPOLEN_WSCALE_ALIGNED;
  }
  if (req.tstampOk) {
    opts.options |= OPTION_TS;
    opts.tsval = (tcp_skb_timestamp_ts(req.reqUsecTs, skb) + req.tsOff) >>> 0;
    opts.tsecr = req.tsRecent;
    remaining -= T.TCPOLEN_TSTAMP_ALIGNED;
  }
  if (req.sackOk) {
    opts.options |= OPTION_SACK_ADVERTISE;
    if (!req.tstampOk) remaining -= T.TCPOLEN_SACKPERM_ALIGNED;
  }
  if (foc !== null && foc.len >= 0) {
    let need = foc.len;
    need += foc.exp ? T.TCPOLEN_EXP_FASTOPEN_BASE : T.TCPOLEN_FASTOPEN_BASE;
    need = (need + 3) & ~3;
    if (remaining >= need) {
      opts.options |= OPTION_FAST_OPEN_COOKIE;
      opts.fastopenCookie = foc;
      remaining -= need;
    }
  }
  return T.MAX_TCP_OPTION_SPACE - remaining;
}

/** tcp_established_options: timestamps and SACK blocks (and MD5) on an established connection. */
function tcp_established_options(sk: TcpSock, skb: SkBuff | null, opts: TcpOutOptions, md5: boolean): number {
  let size = 0;
  opts.options = 0;
  if (md5) {
    opts.options |= OPTION_MD5;
    size += T.TCPOLEN_MD5SIG_ALIGNED;
  }
  if (sk.rxOpt.tstampOk) {
    opts.options |= OPTION_TS;
    opts.tsval = skb ? (tcp_skb_timestamp_ts(sk.tcpUsecTs, skb) + sk.tsoffset) >>> 0 : 0;
    opts.tsecr = sk.rxOpt.tsRecent;
    size += T.TCPOLEN_TSTAMP_ALIGNED;
  }
  const effSacks = sk.rxOpt.numSacks + sk.rxOpt.dsack;
  if (effSacks) {
    const remaining = T.MAX_TCP_OPTION_SPACE - size;
    if (remaining < T.TCPOLEN_SACK_BASE_ALIGNED + T.TCPOLEN_SACK_PERBLOCK) return size;
    opts.numSackBlocks = Math.min(
      effSacks,
      Math.floor((remaining - T.TCPOLEN_SACK_BASE_ALIGNED) / T.TCPOLEN_SACK_PERBLOCK),
    );
    size += T.TCPOLEN_SACK_BASE_ALIGNED + opts.numSackBlocks * T.TCPOLEN_SACK_PERBLOCK;
  }
  return size;
}

// ---- transmit ------------------------------------------------------------------------------------------

/** A copy of a write-queue skb to send (skb_clone): the payload behind room for the headers. */
function tcp_clone_for_xmit(ctx: KernelCtx, sk: TcpSock, oskb: SkBuff): SkBuff {
  const skb = allocSkb(ctx.newSkbId(), sk.net, oskb.len, T.MAX_TCP_HEADER);
  skb.buf.set(oskb.buf.subarray(oskb.data, oskb.data + oskb.len), skb.data);
  skb.len = oskb.len;
  skb.tcb = { ...oskb.tcb!, tx: { ...oskb.tcb!.tx } };
  skb.truesize = oskb.tcb!.truesize;
  skb.ipSummed = CHECKSUM_PARTIAL;
  // A clone shares skb_shinfo: the frags and the zerocopy range (without a reference of its own).
  skb.zcopy = oskb.zcopy;
  skb.zcopyPure = oskb.zcopyPure;
  skb.frags = oskb.frags;
  skb.txFlags = oskb.txFlags;
  skb.tskey = oskb.tskey;
  return skb;
}

/**
 * __tcp_transmit_skb (tcp_output.c:1290): clone the skb (unless told not to), push the TCP header and its
 * options, the window, the checksum's pseudo-header (CHECKSUM_PARTIAL), count OutSegs, and hand it to
 * ip_queue_xmit. Returns 0, or a positive NET_XMIT code / -errno when it did not go.
 */
export function __tcp_transmit_skb(
  ctx: KernelCtx,
  sk: TcpSock,
  oskb: SkBuff,
  cloneIt: boolean,
  rcvNxt: number,
): number {
  const priorWstamp = sk.tcpWstampNs;
  sk.tcpWstampNs = Math.max(sk.tcpWstampNs, sk.tcpClockCache);
  // skb_set_delivery_time: the Earliest Departure Time an fq qdisc holds the skb until (the clone has it too).
  oskb.tstamp = sk.tcpWstampNs;
  TCP_SKB_CB(oskb).mstampNs = sk.tcpWstampNs;
  const skb = cloneIt ? tcp_clone_for_xmit(ctx, sk, oskb) : oskb;
  skb.tstamp = oskb.tstamp;
  skb.dev = null;
  const tcb = TCP_SKB_CB(skb);
  const opts = newOutOptions();
  const md5 = !!tcp_v4_md5_lookup(sk, sk.daddr);
  let optionsSize: number;
  if (tcb.tcpFlags & T.TCPHDR_SYN) {
    optionsSize = tcp_syn_options(sk, skb, opts, md5);
  } else {
    optionsSize = tcp_established_options(sk, skb, opts, md5);
    // Force a PSH flag on all (GSO) packets to expedite GRO flush at the receiver.
    if (tcp_skb_pcount(skb) > 1) tcb.tcpFlags |= T.TCPHDR_PSH;
  }
  const tcpHeaderSize = optionsSize + 20;
  const payloadLen = skb.len;
  const th = skbPush(skb, tcpHeaderSize);
  skb.transportHeader = th;
  skb.sk = sk;
  skb.comm = sk.comm;
  const b = skb.buf;
  b.fill(0, th, th + tcpHeaderSize);
  tcpw.setSrcPort(b, th, sk.sport);
  tcpw.setDstPort(b, th, sk.dport);
  tcpw.setSeqNumber(b, th, tcb.seq);
  tcpw.setAckNumber(b, th, rcvNxt >>> 0);
  b[th + 12] = (tcpHeaderSize >> 2) << 4;
  b[th + 13] = tcb.tcpFlags;
  // The urg_mode check is necessary during a below snd_una win probe.
  if (tcp_urg_mode(sk) && before(tcb.seq, sk.sndUp)) {
    if (before(sk.sndUp, tcb.seq + 0x10000)) {
      tcpw.setUrgentPointer(b, th, (sk.sndUp - tcb.seq) & 0xffff);
      b[th + 13] |= T.TCPHDR_URG;
    } else if (after(tcb.seq + 0xffff, sk.sndNxt)) {
      tcpw.setUrgentPointer(b, th, 0xffff);
      b[th + 13] |= T.TCPHDR_URG;
    }
  }
  let win: number;
  if (!(tcb.tcpFlags & T.TCPHDR_SYN)) {
    win = tcp_select_window(sk);
    tcpw.setWindow(b, th, win);
    tcp_ecn_send(sk, skb, th, tcpHeaderSize);
  } else {
    // RFC1323: The window in SYN & SYN/ACK segments is never scaled.
    win = Math.min(sk.rcvWnd, 65535);
    tcpw.setWindow(b, th, win);
  }
  tcp_options_write(b, th, sk, opts);
  if (md5)
    tcp_md5_hash_skb(
      sk.net,
      b,
      th,
      tcpHeaderSize + payloadLen,
      sk.rcvSaddr || sk.saddr,
      sk.daddr,
      opts.hashLocation,
      tcp_v4_md5_lookup(sk, sk.daddr)!,
    );
  tcp_v4_send_check(sk, skb);
  if (tcb.tcpFlags & T.TCPHDR_ACK) tcp_event_ack_sent(ctx, sk, rcvNxt);
  if (payloadLen !== 0) {
    tcp_event_data_sent(ctx, sk);
    sk.dataSegsOut += tcp_skb_pcount(skb);
    sk.bytesSent += payloadLen;
  }
  if (after(tcb.endSeq, sk.sndNxt) || tcb.seq === tcb.endSeq)
    sk.net.mib.tcp[TCP_MIB.OutSegs] += tcp_skb_pcount(skb);
  sk.segsOut += tcp_skb_pcount(skb);
  skb.gsoSegs = tcp_skb_pcount(skb);
  skb.gsoSize = tcp_skb_mss(skb);
  ctx.step(skb, F.transmit, tcpFlagString(b[th + 13]), tcb.seq, rcvNxt, win, payloadLen);
  let err = ip_queue_xmit(ctx, sk, skb);
  if (err > 0) {
    tcp_enter_cwr(ctx, sk);
    // net_xmit_eval: NET_XMIT_CN counts as sent.
    err = err === 2 ? 0 : err;
  }
  if (!err && cloneIt) {
    tcp_update_skb_after_send(sk, oskb, priorWstamp);
    tcp_rate_skb_sent(ctx, sk, oskb);
  }
  return err;
}

/** tcp_transmit_skb */
export function tcp_transmit_skb(ctx: KernelCtx, sk: TcpSock, skb: SkBuff, cloneIt: boolean): number {
  return __tcp_transmit_skb(ctx, sk, skb, cloneIt, sk.rcvNxt);
}

/** tcp_update_skb_after_send: pacing's next departure time, and the time-sorted list RACK walks. */
function tcp_update_skb_after_send(sk: TcpSock, skb: SkBuff, priorWstamp: number): void {
  if (sk.pacingStatus !== T.SK_PACING_NONE) {
    const rate = sk.pacingRate;
    if (rate && rate !== Infinity && sk.dataSegsOut >= 10) {
      let lenNs = Math.floor((skb.len * 1e9) / rate);
      const credit = sk.tcpWstampNs - priorWstamp;
      lenNs -= Math.min(Math.floor(lenNs / 2), credit);
      sk.tcpWstampNs += lenNs;
    }
  }
  // list_move_tail: a first transmission (the write queue's head) is on no sent list yet, so only a
  // retransmission has to be looked for.
  const q = sk.tsortedSentQueue;
  if (sk.writeQueue[0] !== skb) queueDelAt(q, q.indexOf(skb));
  q.push(skb);
}

/** tcp_queue_skb: append to the write queue; write_seq advances. */
function tcp_queue_skb(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): void {
  sk.writeSeq = TCP_SKB_CB(skb).endSeq;
  tcp_add_write_queue_tail(ctx, sk, skb);
  sk.wmemQueued += TCP_SKB_CB(skb).truesize;
  sk_mem_charge(sk, TCP_SKB_CB(skb).truesize);
}

/** tcp_set_skb_tso_segs */
export function tcp_set_skb_tso_segs(skb: SkBuff, mssNow: number): number {
  if (skb.len <= mssNow) {
    TCP_SKB_CB(skb).tcpGsoSize = 0;
    tcp_skb_pcount_set(skb, 1);
    return 1;
  }
  TCP_SKB_CB(skb).tcpGsoSize = mssNow;
  const segs = Math.ceil(skb.len / mssNow);
  tcp_skb_pcount_set(skb, segs);
  return segs;
}

/** tcp_adjust_pcount: pcount in the middle of the queue changed; fix the counters. */
export function tcp_adjust_pcount(sk: TcpSock, skb: SkBuff, decr: number): void {
  sk.packetsOut -= decr;
  const sacked = TCP_SKB_CB(skb).sacked;
  if (sacked & T.TCPCB_SACKED_ACKED) sk.sackedOut -= decr;
  if (sacked & T.TCPCB_SACKED_RETRANS) sk.retransOut -= decr;
  if (sacked & T.TCPCB_LOST) sk.lostOut -= decr;
  // Reno case is special. Sigh...
  if (tcp_is_reno(sk) && decr > 0) sk.sackedOut -= Math.min(sk.sackedOut, decr);
  if (
    sk.lostSkbHint &&
    before(TCP_SKB_CB(skb).seq, TCP_SKB_CB(sk.lostSkbHint).seq) &&
    sacked & T.TCPCB_SACKED_ACKED
  )
    sk.lostCntHint -= decr;
}

/** Split `skb`'s bytes at `len`: a new headerless skb with the tail (skb_split). */
function skb_split_tail(ctx: KernelCtx, sk: TcpSock, skb: SkBuff, len: number): SkBuff {
  const buff = tcp_stream_alloc_skb(ctx, sk, true);
  const nlen = skb.len - len;
  const off = skbPut(buff, nlen);
  buff.buf.set(skb.buf.subarray(skb.data + len, skb.data + skb.len), off);
  skb_split_frags(skb, buff, len);
  skb.len = len;
  return buff;
}

export const TCP_FRAG_IN_WRITE_QUEUE = 0;
export const TCP_FRAG_IN_RTX_QUEUE = 1;

/**
 * tcp_fragment: shrink `skb` to `len` bytes and put a new skb with the rest after it (PSH and FIN go with
 * the second part); counters move if it was already sent. 0, or -ENOMEM (TCPWqueueTooBig).
 */
export function tcp_fragment(
  ctx: KernelCtx,
  sk: TcpSock,
  queue: number,
  skb: SkBuff,
  len: number,
  mssNow: number,
): number {
  if (len > skb.len) return -22;
  const limit = sk.sndbuf + 2 * (65536 + 1280);
  if (
    sk.wmemQueued >> 1 > limit &&
    queue !== TCP_FRAG_IN_WRITE_QUEUE &&
    skb !== tcp_rtx_queue_head(sk) &&
    skb !== tcp_rtx_queue_tail(sk)
  ) {
    sk.net.linuxMib[LINUX_MIB.TCPWqueueTooBig]++;
    return -12;
  }
  const buff = skb_split_tail(ctx, sk, skb, len);
  const tcb = TCP_SKB_CB(skb);
  const btcb = TCP_SKB_CB(buff);
  const nlen = buff.len;
  sk.wmemQueued += btcb.truesize;
  sk_mem_charge(sk, btcb.truesize);
  btcb.truesize += nlen;
  tcb.truesize -= nlen;
  // A pure zerocopy half stays charged for its head only.
  if (buff.zcopyPure) {
    buff.zcTruesize = nlen;
    skb.zcTruesize -= nlen;
  }
  btcb.seq = (tcb.seq + len) >>> 0;
  btcb.endSeq = tcb.endSeq;
  tcb.endSeq = btcb.seq;
  const flags = tcb.tcpFlags;
  tcb.tcpFlags = flags & ~(T.TCPHDR_FIN | T.TCPHDR_PSH);
  btcb.tcpFlags = flags;
  btcb.sacked = tcb.sacked;
  btcb.eor = tcb.eor;
  tcb.eor = 0;
  btcb.mstampNs = tcb.mstampNs;
  const oldFactor = tcp_skb_pcount(skb);
  tcp_set_skb_tso_segs(skb, mssNow);
  tcp_set_skb_tso_segs(buff, mssNow);
  btcb.tx = { ...tcb.tx };
  tcp_fragment_tstamp(skb, buff);
  // If this packet has been sent out already, we must adjust the various packet counters.
  if (!before(sk.sndNxt, btcb.endSeq)) {
    const diff = oldFactor - tcp_skb_pcount(skb) - tcp_skb_pcount(buff);
    if (diff) tcp_adjust_pcount(sk, skb, diff);
  }
  if (queue === TCP_FRAG_IN_WRITE_QUEUE) {
    const i = sk.writeQueue.indexOf(skb);
    sk.writeQueue.splice(i + 1, 0, buff);
  } else {
    tcp_rbtree_insert(sk.rtxQueue, buff);
    const q = sk.tsortedSentQueue;
    const i = q.indexOf(skb);
    if (i >= 0) q.splice(i + 1, 0, buff);
  }
  return 0;
}

/**
 * tcp_fragment_tstamp: the timestamp request goes with the part holding its key (the last byte written).
 */
function tcp_fragment_tstamp(skb: SkBuff, skb2: SkBuff): void {
  if (tcp_has_tx_tstamp(skb) && !before(skb.tskey, TCP_SKB_CB(skb2).seq)) {
    const tsflags = skb.txFlags & SKBTX_ANY_TSTAMP;
    skb.txFlags &= ~tsflags;
    skb2.txFlags |= tsflags;
    [skb.tskey, skb2.tskey] = [skb2.tskey, skb.tskey];
    TCP_SKB_CB(skb2).txstampAck = TCP_SKB_CB(skb).txstampAck;
    TCP_SKB_CB(skb).txstampAck = 0;
  }
}

/** tcp_has_tx_tstamp: the skb carries a transmit timestamp request (SKBTX flags or txstamp_ack). */
function tcp_has_tx_tstamp(skb: SkBuff): boolean {
  return TCP_SKB_CB(skb).txstampAck !== 0 || (skb.txFlags & SKBTX_ANY_TSTAMP) !== 0;
}

/** tcp_skb_collapse_tstamp: `skb` takes over the timestamp request of `next` it swallows. */
export function tcp_skb_collapse_tstamp(skb: SkBuff, next: SkBuff): void {
  if (tcp_has_tx_tstamp(next)) {
    skb.txFlags |= next.txFlags & SKBTX_ANY_TSTAMP;
    skb.tskey = next.tskey;
    TCP_SKB_CB(skb).txstampAck |= TCP_SKB_CB(next).txstampAck;
  }
}

/** tcp_trim_head: drop acknowledged bytes from the front of a queued skb. */
export function tcp_trim_head(sk: TcpSock, skb: SkBuff, len: number): number {
  skb_trim_head_frags(skb, len);
  skb.data += len;
  skb.len -= len;
  const tcb = TCP_SKB_CB(skb);
  tcb.seq = (tcb.seq + len) >>> 0;
  tcb.truesize -= len;
  sk.wmemQueued -= len;
  if (skb_zcopy_pure(skb)) skb.zcTruesize -= len;
  else if (len) sk_mem_uncharge(sk, len);
  // Any change of skb->len requires recalculation of tso factor.
  if (tcp_skb_pcount(skb) > 1) tcp_set_skb_tso_segs(skb, tcp_skb_mss(skb));
  return 0;
}

/** __tcp_mtu_to_mss: MSS without TCP options. */
function __tcp_mtu_to_mss(sk: TcpSock, pmtu: number): number {
  let mssNow = pmtu - 20 - 20;
  if (mssNow > sk.rxOpt.mssClamp) mssNow = sk.rxOpt.mssClamp;
  mssNow -= sk.icskExtHdrLen;
  return Math.max(mssNow, sk.net.sysctl.tcp.minSndMss);
}

/** tcp_mtu_to_mss */
export function tcp_mtu_to_mss(sk: TcpSock, pmtu: number): number {
  return __tcp_mtu_to_mss(sk, pmtu) - (sk.tcpHeaderLen - 20);
}

/** tcp_mss_to_mtu */
export function tcp_mss_to_mtu(sk: TcpSock, mss: number): number {
  return mss + sk.tcpHeaderLen + sk.icskExtHdrLen + 20;
}

/** tcp_mtup_init */
export function tcp_mtup_init(ctx: KernelCtx, sk: TcpSock): void {
  const net = sk.net;
  sk.icskMtup.enabled = net.sysctl.tcp.mtuProbing > 1;
  sk.icskMtup.searchHigh = sk.rxOpt.mssClamp + 20 + 20;
  sk.icskMtup.searchLow = tcp_mss_to_mtu(sk, net.sysctl.tcp.baseMss);
  sk.icskMtup.probeSize = 0;
  if (sk.icskMtup.enabled) sk.icskMtup.probeTimestamp = tcp_jiffies32(ctx);
}

/** tcp_sync_mss: the sending MSS for a path MTU (mss_cache). */
export function tcp_sync_mss(sk: TcpSock, pmtu: number): number {
  if (sk.icskMtup.searchHigh > pmtu) sk.icskMtup.searchHigh = pmtu;
  let mssNow = tcp_mtu_to_mss(sk, pmtu);
  mssNow = tcp_bound_to_half_wnd(sk, mssNow);
  sk.icskPmtuCookie = pmtu;
  if (sk.icskMtup.enabled) mssNow = Math.min(mssNow, tcp_mtu_to_mss(sk, sk.icskMtup.searchLow));
  sk.mssCache = mssNow;
  return mssNow;
}

/** tcp_current_mss: mss_cache adjusted for this moment's options (SACK blocks). */
export function tcp_current_mss(sk: TcpSock): number {
  let mssNow = sk.mssCache;
  const dst = __sk_dst_get(sk);
  if (dst) {
    const mtu = dstMtu(dst);
    if (mtu !== sk.icskPmtuCookie) mssNow = tcp_sync_mss(sk, mtu);
  }
  const opts = newOutOptions();
  const headerLen = tcp_established_options(sk, null, opts, !!tcp_v4_md5_lookup(sk, sk.daddr)) + 20;
  if (headerLen !== sk.tcpHeaderLen) mssNow -= headerLen - sk.tcpHeaderLen;
  return mssNow;
}

/** tcp_cwnd_application_limited (RFC 2861 slow part) */
function tcp_cwnd_application_limited(ctx: KernelCtx, sk: TcpSock): void {
  if (sk.icskCaState === T.TCP_CA_Open && sk.hasSocket && !sk.nospace) {
    const initWin = tcp_init_cwnd(sk, __sk_dst_get(sk));
    const winUsed = Math.max(sk.sndCwndUsed, initWin);
    if (winUsed < tcp_snd_cwnd(sk)) {
      sk.sndSsthresh = tcp_current_ssthresh(sk);
      tcp_snd_cwnd_set(sk, (tcp_snd_cwnd(sk) + winUsed) >>> 1);
    }
    sk.sndCwndUsed = 0;
  }
  sk.sndCwndStamp = tcp_jiffies32(ctx);
}

/** tcp_cwnd_validate */
function tcp_cwnd_validate(ctx: KernelCtx, sk: TcpSock, isCwndLimited: boolean): void {
  if (
    !before(sk.sndUna, sk.cwndUsageSeq) ||
    isCwndLimited ||
    (!sk.isCwndLimited && sk.packetsOut > sk.maxPacketsOut)
  ) {
    sk.isCwndLimited = isCwndLimited ? 1 : 0;
    sk.maxPacketsOut = sk.packetsOut;
    sk.cwndUsageSeq = sk.sndNxt;
  }
  if (tcp_is_cwnd_limited(sk)) {
    // Network is feed fully.
    sk.sndCwndUsed = 0;
    sk.sndCwndStamp = tcp_jiffies32(ctx);
  } else {
    // Network starves.
    if (sk.packetsOut > sk.sndCwndUsed) sk.sndCwndUsed = sk.packetsOut;
    if (sk.net.sysctl.tcp.slowStartAfterIdle && ((tcp_jiffies32(ctx) - sk.sndCwndStamp) | 0) >= sk.icskRto)
      tcp_cwnd_application_limited(ctx, sk);
    if (
      tcp_write_queue_empty(sk) &&
      sk.hasSocket &&
      sk.nospace &&
      (1 << sk.state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)
    )
      tcp_chrono_start(ctx, sk, T.TCP_CHRONO_SNDBUF_LIMITED);
  }
}

/** tcp_minshall_check: Minshall's variant of Nagle: is a small packet still unacknowledged? */
function tcp_minshall_check(tp: TcpSock): boolean {
  return after(tp.sndSml, tp.sndUna) && !after(tp.sndSml, tp.sndNxt);
}

function tcp_minshall_update(tp: TcpSock, mssNow: number, skb: SkBuff): void {
  if (skb.len < tcp_skb_pcount(skb) * mssNow) tp.sndSml = TCP_SKB_CB(skb).endSeq;
}

/** tcp_nagle_check: true when Nagle (or the cork) says to hold a partial segment. */
function tcp_nagle_check(partial: boolean, tp: TcpSock, nonagle: number): boolean {
  return (
    partial &&
    ((nonagle & T.TCP_NAGLE_CORK) !== 0 || (!nonagle && tp.packetsOut !== 0 && tcp_minshall_check(tp)))
  );
}

/** tcp_tso_autosize: segments per TSO skb from the pacing rate and how close the peer is. */
function tcp_tso_autosize(sk: TcpSock, mssNow: number, minTsoSegs: number): number {
  let bytes = sk.pacingRate === Infinity ? sk.gsoMaxSize : Math.floor(sk.pacingRate / 2 ** sk.pacingShift);
  const r = tcp_min_rtt(sk) >>> sk.net.sysctl.tcp.tsoRttLog;
  if (r < 32) bytes += sk.gsoMaxSize >>> r;
  bytes = Math.min(bytes, sk.gsoMaxSize);
  return Math.max(Math.floor(bytes / mssNow), minTsoSegs);
}

/** tcp_tso_segs */
function tcp_tso_segs(sk: TcpSock, mssNow: number): number {
  const minTso = sk.net.sysctl.tcp.minTsoSegs;
  const tsoSegs = tcp_tso_autosize(sk, mssNow, minTso);
  return Math.min(tsoSegs, sk.gsoMaxSegs);
}

/** tcp_mss_split_point: how much of the skb may go now. */
function tcp_mss_split_point(
  sk: TcpSock,
  skb: SkBuff,
  mssNow: number,
  maxSegs: number,
  nonagle: number,
): number {
  const window = (tcp_wnd_end(sk) - TCP_SKB_CB(skb).seq) >>> 0;
  const maxLen = mssNow * maxSegs;
  if (maxLen <= window && skb !== tcp_write_queue_tail(sk)) return maxLen;
  const needed = Math.min(skb.len, window);
  if (maxLen <= needed) return maxLen;
  const partial = needed % mssNow;
  // If last segment is not a full MSS, check if Nagle rules allow us to include this last segment.
  if (tcp_nagle_check(partial !== 0, sk, nonagle)) return needed - partial;
  return needed;
}

/** tcp_cwnd_test: segments the congestion window allows now. */
function tcp_cwnd_test(tp: TcpSock): number {
  const inFlight = tcp_packets_in_flight(tp);
  const cwnd = tcp_snd_cwnd(tp);
  if (inFlight >= cwnd) return 0;
  // For better scheduling, ensure we have at least 2 GSO packets in flight.
  const halfcwnd = Math.max(cwnd >>> 1, 1);
  return Math.min(halfcwnd, cwnd - inFlight);
}

/** tcp_init_tso_segs */
export function tcp_init_tso_segs(skb: SkBuff, mssNow: number): number {
  const segs = tcp_skb_pcount(skb);
  if (!segs || (segs > 1 && tcp_skb_mss(skb) !== mssNow)) return tcp_set_skb_tso_segs(skb, mssNow);
  return segs;
}

/** tcp_nagle_test: may this (last) skb go now? */
function tcp_nagle_test(tp: TcpSock, skb: SkBuff, curMss: number, nonagle: number): boolean {
  if (nonagle & T.TCP_NAGLE_PUSH) return true;
  // Don't use the nagle rule for urgent data (or for the final FIN).
  if (tcp_urg_mode(tp) || TCP_SKB_CB(skb).tcpFlags & T.TCPHDR_FIN) return true;
  return !tcp_nagle_check(skb.len < curMss, tp, nonagle);
}

/** tcp_snd_wnd_test: does the first segment fit the receiver's window? */
export function tcp_snd_wnd_test(tp: TcpSock, skb: SkBuff, curMss: number): boolean {
  let endSeq = TCP_SKB_CB(skb).endSeq;
  if (skb.len > curMss) endSeq = (TCP_SKB_CB(skb).seq + curMss) >>> 0;
  return !after(endSeq, tcp_wnd_end(tp));
}

/** tso_fragment: split an unsent TSO skb at `len`. */
function tso_fragment(ctx: KernelCtx, sk: TcpSock, skb: SkBuff, len: number, mssNow: number): number {
  return tcp_fragment(ctx, sk, TCP_FRAG_IN_WRITE_QUEUE, skb, len, mssNow);
}

/** tcp_tso_should_defer: wait for more to send in one TSO skb, if an ACK is due soon (John Heffner's test). */
function tcp_tso_should_defer(
  sk: TcpSock,
  skb: SkBuff,
  state: { cwndLimited: boolean; rwndLimited: boolean },
  maxSegs: number,
): boolean {
  if (sk.icskCaState >= T.TCP_CA_Recovery) return false;
  // Avoid bursty behavior by allowing defer only if the last write was recent (1 ms).
  if (sk.tcpClockCache - sk.tcpWstampNs - T.NSEC_PER_MSEC > 0) return false;
  const inFlight = tcp_packets_in_flight(sk);
  const sendWin = (tcp_wnd_end(sk) - TCP_SKB_CB(skb).seq) >>> 0;
  const congWin = (tcp_snd_cwnd(sk) - inFlight) * sk.mssCache;
  const limit = Math.min(sendWin, congWin);
  if (limit >= maxSegs * sk.mssCache) return false;
  if (skb !== tcp_write_queue_tail(sk) && limit >= skb.len) return false;
  const winDivisor = sk.net.sysctl.tcp.tsoWinDivisor;
  if (winDivisor) {
    let chunk = Math.min(sk.sndWnd, tcp_snd_cwnd(sk) * sk.mssCache);
    chunk = Math.floor(chunk / winDivisor);
    if (limit >= chunk) return false;
  } else if (limit > 3 * sk.mssCache) {
    return false;
  }
  const head = tcp_rtx_queue_head(sk);
  if (!head) return false;
  const srttInNs = (T.NSEC_PER_USEC / 8) * sk.srttUs;
  const expectedAck = TCP_SKB_CB(head).mstampNs + srttInNs;
  const howFarIsTheAck = expectedAck - sk.tcpClockCache;
  const threshold = Math.min(srttInNs / 2, T.NSEC_PER_MSEC);
  if (howFarIsTheAck - threshold > 0) return false;
  if (congWin < sendWin) {
    if (congWin <= skb.len) {
      state.cwndLimited = true;
      return true;
    }
  } else if (sendWin <= skb.len) {
    state.rwndLimited = true;
    return true;
  }
  // If this packet won't get more data, do not wait.
  if (TCP_SKB_CB(skb).tcpFlags & T.TCPHDR_FIN || TCP_SKB_CB(skb).eor) return false;
  return true;
}

/** tcp_mtu_check_reprobe: after tcp_probe_interval seconds, search again from the current MSS up. */
function tcp_mtu_check_reprobe(ctx: KernelCtx, sk: TcpSock): void {
  const interval = sk.net.sysctl.tcp.probeInterval;
  const delta = (tcp_jiffies32(ctx) - sk.icskMtup.probeTimestamp) | 0;
  if (delta >= interval * T.HZ) {
    const mss = tcp_current_mss(sk);
    // Update current search range
    sk.icskMtup.probeSize = 0;
    sk.icskMtup.searchHigh = sk.rxOpt.mssClamp + 20 + 20;
    sk.icskMtup.searchLow = tcp_mss_to_mtu(sk, mss);
    // Update probe time stamp
    sk.icskMtup.probeTimestamp = tcp_jiffies32(ctx);
  }
}

/** tcp_can_coalesce_send_queue_head: the first `len` bytes of the send queue may go in one skb. */
function tcp_can_coalesce_send_queue_head(sk: TcpSock, len: number): boolean {
  const head = tcp_send_head(sk);
  if (!head) return false;
  const q = sk.writeQueue;
  for (let i = q.indexOf(head); i < q.length; i++) {
    const skb = q[i];
    if (len <= skb.len) break;
    const next = q[i + 1];
    if (!next || !tcp_skb_can_collapse(skb, next)) return false;
    len -= skb.len;
  }
  return true;
}

/**
 * tcp_eat_one_skb: tcp_mtu_probe moved all of `src`'s payload into `dst`: its flags and EOR go with it, and
 * it leaves the write queue.
 */
function tcp_eat_one_skb(sk: TcpSock, dst: SkBuff, src: SkBuff): void {
  TCP_SKB_CB(dst).tcpFlags |= TCP_SKB_CB(src).tcpFlags;
  TCP_SKB_CB(dst).eor = TCP_SKB_CB(src).eor;
  queueDelAt(sk.writeQueue, sk.writeQueue.indexOf(src));
  tcp_wmem_free_skb(sk, src);
}

/**
 * tcp_mtu_probe (tcp_output.c:2448): with tcp_mtu_probing (icsk_mtup.enabled), send one larger segment
 * halfway between search_low and search_high, built from the head of the send queue, to learn whether the
 * path carries it (tcp_mtup_probe_success / _failed decide when it is acked or lost). 0: wait (cwnd);
 * 1: a probe went; -1: none.
 */
function tcp_mtu_probe(ctx: KernelCtx, sk: TcpSock): number {
  const tp = sk;
  const icsk = sk.icskMtup;
  // Not currently probing/verifying, not in recovery, have enough cwnd, and not SACKing (the variable
  // headers throw things off)
  if (
    !icsk.enabled ||
    icsk.probeSize ||
    sk.icskCaState !== T.TCP_CA_Open ||
    tcp_snd_cwnd(tp) < 11 ||
    tp.rxOpt.numSacks ||
    tp.rxOpt.dsack
  )
    return -1;
  // Use binary search for probe_size between tcp_mss_base, and current mss_clamp. if (search_high -
  // search_low) smaller than a threshold, backoff from probing.
  const mssNow = tcp_current_mss(sk);
  const probeSize = tcp_mtu_to_mss(sk, (icsk.searchHigh + icsk.searchLow) >> 1);
  const sizeNeeded = probeSize + (tp.reordering + 1) * tp.mssCache;
  const interval = icsk.searchHigh - icsk.searchLow;
  // When misfortune happens, we are reprobing actively, and then reprobe timer has expired. We stick with
  // current probing process by not resetting search range to its orignal.
  if (probeSize > tcp_mtu_to_mss(sk, icsk.searchHigh) || interval < sk.net.sysctl.tcp.probeThreshold) {
    // Check whether enough time has elaplased for another round of probing.
    tcp_mtu_check_reprobe(ctx, sk);
    return -1;
  }
  // Have enough data in the send queue to probe?
  if ((tp.writeSeq - tp.sndNxt) >>> 0 < sizeNeeded) return -1;
  if (tp.sndWnd < sizeNeeded) return -1;
  if (after((tp.sndNxt + sizeNeeded) >>> 0, tcp_wnd_end(tp))) return 0;
  // Do we need to wait to drain cwnd? With none in flight, don't stall
  if (tcp_packets_in_flight(tp) + 2 > tcp_snd_cwnd(tp)) return tcp_packets_in_flight(tp) ? 0 : -1;
  if (!tcp_can_coalesce_send_queue_head(sk, probeSize)) return -1;
  // We're allowed to probe. Build it now: tcp_clone_payload copies the send queue's first probe_size bytes.
  const nskb = tcp_stream_alloc_skb(ctx, sk);
  const head = tcp_send_head(sk)!;
  const at = skbPut(nskb, probeSize);
  let copied = 0;
  for (let i = sk.writeQueue.indexOf(head); copied < probeSize; i++) {
    const from = sk.writeQueue[i];
    const n = Math.min(from.len, probeSize - copied);
    nskb.buf.set(from.buf.subarray(from.data, from.data + n), at + copied);
    copied += n;
  }
  const ntcb = TCP_SKB_CB(nskb);
  ntcb.truesize += probeSize;
  sk.wmemQueued += ntcb.truesize;
  sk_mem_charge(sk, ntcb.truesize);
  ntcb.seq = TCP_SKB_CB(head).seq;
  ntcb.endSeq = (TCP_SKB_CB(head).seq + probeSize) >>> 0;
  ntcb.tcpFlags = T.TCPHDR_ACK;
  // tcp_insert_write_queue_before
  sk.writeQueue.splice(sk.writeQueue.indexOf(head), 0, nskb);
  tcp_highest_sack_replace(sk, head, nskb);
  let len = 0;
  for (let i = sk.writeQueue.indexOf(nskb) + 1; i < sk.writeQueue.length; ) {
    const skb = sk.writeQueue[i];
    const copy = Math.min(skb.len, probeSize - len);
    if (skb.len <= copy) tcp_eat_one_skb(sk, nskb, skb);
    else {
      ntcb.tcpFlags |= TCP_SKB_CB(skb).tcpFlags & ~(T.TCPHDR_FIN | T.TCPHDR_PSH);
      // __pskb_trim_head
      skb.data += copy;
      skb.len -= copy;
      TCP_SKB_CB(skb).truesize -= copy;
      sk.wmemQueued -= copy;
      sk_mem_uncharge(sk, copy);
      tcp_set_skb_tso_segs(skb, mssNow);
      TCP_SKB_CB(skb).seq = (TCP_SKB_CB(skb).seq + copy) >>> 0;
      i++;
    }
    len += copy;
    if (len >= probeSize) break;
  }
  tcp_init_tso_segs(nskb, nskb.len);
  // We're ready to send. If this fails, the probe will be resegmented into mss-sized pieces by
  // tcp_write_xmit().
  if (!tcp_transmit_skb(ctx, sk, nskb, true)) {
    // Decrement cwnd here because we are sending effectively two packets.
    tcp_snd_cwnd_set(tp, tcp_snd_cwnd(tp) - 1);
    tcp_event_new_data_sent(ctx, sk, nskb);
    icsk.probeSize = tcp_mss_to_mtu(sk, nskb.len);
    tp.mtuProbe.probeSeqStart = ntcb.seq;
    tp.mtuProbe.probeSeqEnd = ntcb.endSeq;
    return 1;
  }
  return -1;
}

/** tcp_pacing_check: paced and not yet time: the pacing timer will call tcp_write_xmit again. */
function tcp_pacing_check(ctx: KernelCtx, sk: TcpSock): boolean {
  if (!tcp_needs_internal_pacing(sk)) return false;
  if (sk.tcpWstampNs <= sk.tcpClockCache) return false;
  if (!sk.pacingTimer.pending) ctx.modTimer(sk.pacingTimer, sk.tcpWstampNs);
  return true;
}

/** tcp_grow_skb: move payload from the next skb into a short first one. */
function tcp_grow_skb(sk: TcpSock, skb: SkBuff, amount: number): void {
  if (tcp_skb_is_last(sk, skb)) return;
  const i = sk.writeQueue.indexOf(skb);
  const nextSkb = sk.writeQueue[i + 1];
  if (!nextSkb || !tcp_skb_can_collapse(skb, nextSkb)) return;
  const nlen = Math.min(amount, nextSkb.len);
  // skb_shift moves no zerocopy frags.
  if (!nlen || skb_zcopy(skb) || skb_zcopy(nextSkb)) return;
  const off = skbPut(skb, nlen);
  skb.buf.set(nextSkb.buf.subarray(nextSkb.data, nextSkb.data + nlen), off);
  nextSkb.data += nlen;
  nextSkb.len -= nlen;
  const tcb = TCP_SKB_CB(skb);
  const ntcb = TCP_SKB_CB(nextSkb);
  tcb.endSeq = (tcb.endSeq + nlen) >>> 0;
  ntcb.seq = (ntcb.seq + nlen) >>> 0;
  tcb.truesize += nlen;
  ntcb.truesize -= nlen;
  if (!nextSkb.len) {
    // In case FIN is set, we need to update end_seq.
    tcb.endSeq = ntcb.endSeq;
    // tcp_eat_one_skb
    tcb.tcpFlags |= ntcb.tcpFlags;
    tcb.eor = ntcb.eor;
    tcp_skb_collapse_tstamp(skb, nextSkb);
    sk.writeQueue.splice(i + 1, 1);
    tcp_wmem_free_skb(sk, nextSkb);
  }
}

/**
 * tcp_write_xmit (tcp_output.c:2753): send what the write queue holds, as the congestion window, the
 * receiver's window, Nagle and TSO deferral allow. True when nothing is in flight and something is queued
 * but cannot go (the caller arms the probe timer).
 */
export function tcp_write_xmit(
  ctx: KernelCtx,
  sk: TcpSock,
  mssNow: number,
  nonagle: number,
  pushOne: number,
): boolean {
  let sentPkts = 0;
  const state = { cwndLimited: false, rwndLimited: false };
  tcp_mstamp_refresh(ctx, sk);
  if (!pushOne) {
    // Do MTU probing.
    const result = tcp_mtu_probe(ctx, sk);
    if (!result) return false;
    else if (result > 0) sentPkts = 1;
  }
  const maxSegs = tcp_tso_segs(sk, mssNow);
  let skb: SkBuff | null;
  let traced = false;
  while ((skb = tcp_send_head(sk))) {
    if (tcp_pacing_check(ctx, sk)) break;
    let cwndQuota = tcp_cwnd_test(sk);
    if (!cwndQuota) {
      if (pushOne === 2) cwndQuota = 1;
      else break;
    }
    cwndQuota = Math.min(cwndQuota, maxSegs);
    const missingBytes = cwndQuota * mssNow - skb.len;
    if (missingBytes > 0) tcp_grow_skb(sk, skb, missingBytes);
    const tsoSegs = tcp_set_skb_tso_segs(skb, mssNow);
    if (!tcp_snd_wnd_test(sk, skb, mssNow)) {
      state.rwndLimited = true;
      break;
    }
    if (tsoSegs === 1) {
      if (!tcp_nagle_test(sk, skb, mssNow, tcp_skb_is_last(sk, skb) ? nonagle : T.TCP_NAGLE_PUSH)) break;
    } else if (!pushOne && tcp_tso_should_defer(sk, skb, state, maxSegs)) {
      break;
    }
    let limit = mssNow;
    if (tsoSegs > 1 && !tcp_urg_mode(sk)) limit = tcp_mss_split_point(sk, skb, mssNow, cwndQuota, nonagle);
    if (skb.len > limit && tso_fragment(ctx, sk, skb, limit, mssNow)) break;
    // Argh, we hit an empty skb(), presumably a thread is sleeping in sendmsg()/sk_stream_wait_memory().
    if (TCP_SKB_CB(skb).endSeq === TCP_SKB_CB(skb).seq) break;
    if (!traced) {
      ctx.step(skb, F.writeXmit, null, tcp_snd_cwnd(sk), tcp_packets_in_flight(sk), sk.sndWnd, mssNow);
      traced = true;
    }
    if (tcp_transmit_skb(ctx, sk, skb, true)) break;
    // Advance the send_head. This one is sent out. This call will increment packets_out.
    tcp_event_new_data_sent(ctx, sk, skb);
    tcp_minshall_update(sk, mssNow, skb);
    sentPkts += tcp_skb_pcount(skb);
    if (pushOne) break;
  }
  if (state.rwndLimited) tcp_chrono_start(ctx, sk, T.TCP_CHRONO_RWND_LIMITED);
  else tcp_chrono_stop(ctx, sk, T.TCP_CHRONO_RWND_LIMITED);
  const isCwndLimited = state.cwndLimited || tcp_packets_in_flight(sk) >= tcp_snd_cwnd(sk);
  if (sentPkts || isCwndLimited) tcp_cwnd_validate(ctx, sk, isCwndLimited);
  if (sentPkts) {
    if (tcp_in_cwnd_reduction(sk)) sk.prrOut += sentPkts;
    // Send one loss probe per tail loss episode.
    if (pushOne !== 2) tcp_schedule_loss_probe(ctx, sk, false);
    return false;
  }
  return !sk.packetsOut && !tcp_write_queue_empty(sk);
}

/** tcp_schedule_loss_probe: arm the tail loss probe (TLP) 2 RTTs out, if SACK and not in recovery. */
export function tcp_schedule_loss_probe(ctx: KernelCtx, sk: TcpSock, advancingRto: boolean): boolean {
  // Don't do any loss probe on a Fast Open connection before 3WHS finishes.
  if (sk.fastopenRsk) return false;
  const earlyRetrans = sk.net.sysctl.tcp.earlyRetrans;
  if (
    (earlyRetrans !== 3 && earlyRetrans !== 4) ||
    !sk.packetsOut ||
    !tcp_is_sack(sk) ||
    (sk.icskCaState !== T.TCP_CA_Open && sk.icskCaState !== T.TCP_CA_CWR)
  )
    return false;
  let timeout: number;
  if (sk.srttUs) {
    let timeoutUs = sk.srttUs >>> 2;
    if (sk.packetsOut === 1) timeoutUs += jiffies_to_usecs(tcp_rto_min(sk));
    else timeoutUs += T.TCP_TIMEOUT_MIN_US;
    timeout = usecs_to_jiffies(timeoutUs);
  } else {
    timeout = T.TCP_TIMEOUT_INIT;
  }
  // If the RTO formula yields an earlier time, then use that time.
  const rtoDeltaUs = advancingRto ? jiffies_to_usecs(sk.icskRto) : tcp_rto_delta_us(ctx, sk);
  if (rtoDeltaUs > 0) timeout = Math.min(timeout, usecs_to_jiffies(rtoDeltaUs));
  tcp_reset_xmit_timer(ctx, sk, T.ICSK_TIME_LOSS_PROBE, timeout, T.TCP_RTO_MAX);
  return true;
}

/** tcp_reset_xmit_timer: inet_csk_reset_xmit_timer, later by the pacing delay. */
export function tcp_reset_xmit_timer(
  ctx: KernelCtx,
  sk: TcpSock,
  what: number,
  when: number,
  maxWhen: number,
): void {
  inet_csk_reset_xmit_timer(ctx, sk, what, when + tcp_pacing_delay(sk), maxWhen);
}

/** tcp_send_loss_probe: the probe timeout fired: send new data if any, else resend the last segment. */
export function tcp_send_loss_probe(ctx: KernelCtx, sk: TcpSock): void {
  const mss = tcp_current_mss(sk);
  let sent = false;
  if (!sk.tlpHighSeq) {
    sk.tlpRetrans = 0;
    let skb = tcp_send_head(sk);
    if (skb && tcp_snd_wnd_test(sk, skb, mss)) {
      const pcount = sk.packetsOut;
      tcp_write_xmit(ctx, sk, mss, T.TCP_NAGLE_OFF, 2);
      sent = sk.packetsOut > pcount;
    } else {
      skb = sk.rtxQueue.length ? sk.rtxQueue[sk.rtxQueue.length - 1] : null;
      if (!skb) {
        sk.icskPending = 0;
        return;
      }
      const pcount = tcp_skb_pcount(skb);
      let ok = true;
      if (pcount > 1 && skb.len > (pcount - 1) * mss) {
        if (tcp_fragment(ctx, sk, TCP_FRAG_IN_RTX_QUEUE, skb, (pcount - 1) * mss, mss)) ok = false;
        else skb = sk.rtxQueue[sk.rtxQueue.indexOf(skb) + 1];
      }
      if (ok && skb && tcp_skb_pcount(skb) && !__tcp_retransmit_skb(ctx, sk, skb, 1)) {
        sk.tlpRetrans = 1;
        sent = true;
        ctx.step(skb, F.lossProbe, 'probe timeout: retransmit the last segment');
      }
    }
    if (sent) {
      // Record snd_nxt for loss detection.
      sk.tlpHighSeq = sk.sndNxt;
      sk.net.linuxMib[LINUX_MIB.TCPLossProbes]++;
      // Reset s.t. tcp_rearm_rto will restart timer from now.
      sk.icskPending = 0;
    }
  }
  tcp_rearm_rto(ctx, sk);
}

/** __tcp_push_pending_frames: push out what Nagle or the cork held back. */
export function __tcp_push_pending_frames(
  ctx: KernelCtx,
  sk: TcpSock,
  curMss: number,
  nonagle: number,
): void {
  // If we are closed, the bytes will have to remain here.
  if (sk.state === TCP_CLOSE) return;
  if (tcp_write_xmit(ctx, sk, curMss, nonagle, 0)) tcp_check_probe_timer(ctx, sk);
}

/** tcp_push_pending_frames */
export function tcp_push_pending_frames(ctx: KernelCtx, sk: TcpSock): void {
  if (tcp_send_head(sk)) __tcp_push_pending_frames(ctx, sk, tcp_current_mss(sk), sk.nonagle);
}

/** tcp_check_probe_timer: nothing in flight yet data queued: probe the window later. */
export function tcp_check_probe_timer(ctx: KernelCtx, sk: TcpSock): void {
  if (!sk.packetsOut && !sk.icskPending)
    tcp_reset_xmit_timer(ctx, sk, T.ICSK_TIME_PROBE0, tcp_probe0_base(sk), T.TCP_RTO_MAX);
}

/** tcp_push_one: send the single skb at the send head. */
export function tcp_push_one(ctx: KernelCtx, sk: TcpSock, mssNow: number): void {
  tcp_write_xmit(ctx, sk, mssNow, T.TCP_NAGLE_PUSH, 1);
}

// ---- retransmission --------------------------------------------------------------------------------------

/** tcp_collapse_retrans: merge the next (single-segment) skb into this one. */
function tcp_collapse_retrans(sk: TcpSock, skb: SkBuff): boolean {
  const i = sk.rtxQueue.indexOf(skb);
  const nextSkb = sk.rtxQueue[i + 1];
  // tcp_skb_shift → skb_shift refuses zerocopy skbs.
  if (nextSkb.len && (skb_zcopy(skb) || skb_zcopy(nextSkb))) return false;
  const off = skbPut(skb, nextSkb.len);
  skb.buf.set(nextSkb.buf.subarray(nextSkb.data, nextSkb.data + nextSkb.len), off);
  tcp_highest_sack_replace(sk, nextSkb, skb);
  const tcb = TCP_SKB_CB(skb);
  const ntcb = TCP_SKB_CB(nextSkb);
  tcb.endSeq = ntcb.endSeq;
  tcb.tcpFlags |= ntcb.tcpFlags;
  tcb.sacked |= ntcb.sacked & T.TCPCB_EVER_RETRANS;
  tcb.eor = ntcb.eor;
  tcb.truesize += nextSkb.len;
  // changed transmit queue under us so clear hints
  sk.lostSkbHint = null;
  if (nextSkb === sk.retransmitSkbHint) sk.retransmitSkbHint = skb;
  tcp_adjust_pcount(sk, nextSkb, tcp_skb_pcount(nextSkb));
  tcp_skb_collapse_tstamp(skb, nextSkb);
  tcp_rtx_queue_unlink_and_free(sk, nextSkb);
  return true;
}

/** tcp_highest_sack_replace */
export function tcp_highest_sack_replace(sk: TcpSock, old: SkBuff, nw: SkBuff | null): void {
  if (old === sk.highestSack) sk.highestSack = nw;
}

/** tcp_rtx_queue_unlink_and_free */
export function tcp_rtx_queue_unlink_and_free(sk: TcpSock, skb: SkBuff): void {
  queueDelAt(sk.rtxQueue, sk.rtxQueue.indexOf(skb));
  queueDelAt(sk.tsortedSentQueue, sk.tsortedSentQueue.indexOf(skb));
  tcp_wmem_free_skb(sk, skb);
}

function tcp_can_collapse(skb: SkBuff): boolean {
  if (tcp_skb_pcount(skb) > 1) return false;
  // Some heuristics for collapsing over SACK'd could be invented.
  if (TCP_SKB_CB(skb).sacked & T.TCPCB_SACKED_ACKED) return false;
  return true;
}

/** tcp_retrans_try_collapse: on retransmission, merge small skbs into fewer packets. */
function tcp_retrans_try_collapse(sk: TcpSock, to: SkBuff, space: number): void {
  if (!sk.net.sysctl.tcp.retransCollapse) return;
  if (TCP_SKB_CB(to).tcpFlags & T.TCPHDR_SYN) return;
  let first = true;
  for (let i = sk.rtxQueue.indexOf(to); i < sk.rtxQueue.length; ) {
    const skb = sk.rtxQueue[i];
    if (!tcp_can_collapse(skb)) break;
    if (!tcp_skb_can_collapse(to, skb)) break;
    space -= skb.len;
    if (first) {
      first = false;
      i++;
      continue;
    }
    if (space < 0) break;
    if (after(TCP_SKB_CB(skb).endSeq, tcp_wnd_end(sk))) break;
    if (!tcp_collapse_retrans(sk, to)) break;
  }
}

/**
 * __tcp_retransmit_skb: resend one skb (trimmed of what was acknowledged, cut to the window and MSS),
 * counting RetransSegs. 0, or an error when it could not go.
 */
export function __tcp_retransmit_skb(ctx: KernelCtx, sk: TcpSock, skb: SkBuff, segs: number): number {
  // Inconclusive MTU probe.
  if (sk.icskMtup.probeSize) sk.icskMtup.probeSize = 0;
  const tcb = TCP_SKB_CB(skb);
  for (;;) {
    if (!before(tcb.seq, sk.sndUna)) break;
    if (tcb.tcpFlags & T.TCPHDR_SYN) {
      tcb.tcpFlags &= ~T.TCPHDR_SYN;
      tcb.seq = (tcb.seq + 1) >>> 0;
      continue;
    }
    if (before(tcb.endSeq, sk.sndUna)) return -22;
    if (tcp_trim_head(sk, skb, (sk.sndUna - tcb.seq) >>> 0)) return -12;
    break;
  }
  if (inet_sk_rebuild_header(ctx, sk)) return -EHOSTUNREACH;
  const curMss = tcp_current_mss(sk);
  let availWnd = (tcp_wnd_end(sk) - tcb.seq) | 0;
  // If receiver has shrunk his window, and skb is out of new window, do not retransmit it. The exception is
  // the case, when window is shrunk to zero. In this case our retransmit of one segment serves as a zero
  // window probe.
  if (availWnd <= 0) {
    if (tcb.seq !== sk.sndUna) return -11;
    availWnd = curMss;
  }
  let len = curMss * (tcp_urg_mode(sk) ? 1 : segs);
  if (len > availWnd) {
    len = availWnd - (availWnd % curMss);
    if (!len) len = availWnd;
  }
  if (skb.len > len) {
    if (tcp_fragment(ctx, sk, TCP_FRAG_IN_RTX_QUEUE, skb, len, curMss)) return -12;
  } else {
    let diff = tcp_skb_pcount(skb);
    tcp_set_skb_tso_segs(skb, curMss);
    diff -= tcp_skb_pcount(skb);
    if (diff) tcp_adjust_pcount(sk, skb, diff);
    availWnd = Math.min(availWnd, curMss);
    if (skb.len < availWnd) tcp_retrans_try_collapse(sk, skb, availWnd);
  }
  // RFC3168, section 6.1.1.1. ECN fallback.
  if ((tcb.tcpFlags & T.TCPHDR_SYN_ECN) === T.TCPHDR_SYN_ECN) tcp_ecn_clear_syn(sk, skb);
  segs = tcp_skb_pcount(skb);
  const net = sk.net;
  net.mib.tcp[TCP_MIB.RetransSegs] += segs;
  if (tcb.tcpFlags & T.TCPHDR_SYN) net.linuxMib[LINUX_MIB.TCPSynRetrans]++;
  sk.totalRetrans += segs;
  sk.bytesRetrans += skb.len;
  ctx.step(skb, F.retransmit, `seq ${tcb.seq >>> 0}:${tcb.endSeq >>> 0}, RetransSegs++`);
  const err = tcp_transmit_skb(ctx, sk, skb, true);
  if (err && err !== -16) net.linuxMib[LINUX_MIB.TCPRetransFail] += segs;
  // To avoid taking spuriously low RTT samples based on a timestamp for a transmit that never happened,
  // always mark EVER_RETRANS.
  tcb.sacked |= T.TCPCB_EVER_RETRANS;
  return err;
}

/** tcp_retransmit_skb */
export function tcp_retransmit_skb(ctx: KernelCtx, sk: TcpSock, skb: SkBuff, segs: number): number {
  const err = __tcp_retransmit_skb(ctx, sk, skb, segs);
  if (err === 0) {
    TCP_SKB_CB(skb).sacked |= T.TCPCB_RETRANS;
    sk.retransOut += tcp_skb_pcount(skb);
  }
  // Save stamp of the first (attempted) retransmit.
  if (!sk.retransStamp) sk.retransStamp = tcp_skb_timestamp_ts(sk.tcpUsecTs, skb);
  if (sk.undoRetrans < 0) sk.undoRetrans = 0;
  sk.undoRetrans += tcp_skb_pcount(skb);
  return err;
}

/** tcp_xmit_retransmit_queue: resend what is marked lost, within the congestion window. */
export function tcp_xmit_retransmit_queue(ctx: KernelCtx, sk: TcpSock): void {
  if (!sk.packetsOut) return;
  const rtxHead = tcp_rtx_queue_head(sk);
  let i = sk.retransmitSkbHint ? sk.rtxQueue.indexOf(sk.retransmitSkbHint) : 0;
  if (i < 0) i = 0;
  const maxSegs = tcp_tso_segs(sk, tcp_current_mss(sk));
  let hole: SkBuff | null = null;
  let rearmTimer = false;
  for (; i < sk.rtxQueue.length; i++) {
    const skb = sk.rtxQueue[i];
    if (tcp_pacing_check(ctx, sk)) break;
    // we could do better than to assign each time
    if (!hole) sk.retransmitSkbHint = skb;
    let segs = tcp_snd_cwnd(sk) - tcp_packets_in_flight(sk);
    if (segs <= 0) break;
    const sacked = TCP_SKB_CB(skb).sacked;
    segs = Math.min(segs, maxSegs);
    let mib: number;
    if (sk.retransOut >= sk.lostOut) break;
    else if (!(sacked & T.TCPCB_LOST)) {
      if (!hole && !(sacked & (T.TCPCB_SACKED_RETRANS | T.TCPCB_SACKED_ACKED))) hole = skb;
      continue;
    } else {
      mib = sk.icskCaState !== T.TCP_CA_Loss ? LINUX_MIB.TCPFastRetrans : LINUX_MIB.TCPSlowStartRetrans;
    }
    if (sacked & (T.TCPCB_SACKED_ACKED | T.TCPCB_SACKED_RETRANS)) continue;
    if (tcp_retransmit_skb(ctx, sk, skb, segs)) break;
    sk.net.linuxMib[mib] += tcp_skb_pcount(skb);
    if (tcp_in_cwnd_reduction(sk)) sk.prrOut += tcp_skb_pcount(skb);
    if (skb === rtxHead && sk.icskPending !== T.ICSK_TIME_REO_TIMEOUT) rearmTimer = true;
    // tcp_fragment may have put the rest right after: look at the same index's successor next.
  }
  if (rearmTimer) tcp_reset_xmit_timer(ctx, sk, T.ICSK_TIME_RETRANS, sk.icskRto, T.TCP_RTO_MAX);
}

// ---- control segments ------------------------------------------------------------------------------------

/** tcp_send_fin: FIN rides on the last unsent skb, or goes in a new one. */
export function tcp_send_fin(ctx: KernelCtx, sk: TcpSock): void {
  const tail = tcp_write_queue_tail(sk);
  if (tail) {
    TCP_SKB_CB(tail).tcpFlags |= T.TCPHDR_FIN;
    TCP_SKB_CB(tail).endSeq = (TCP_SKB_CB(tail).endSeq + 1) >>> 0;
    sk.writeSeq = (sk.writeSeq + 1) >>> 0;
    ctx.step(tail, F.sendFin, 'FIN on the last queued segment');
  } else {
    const skb = tcp_stream_alloc_skb(ctx, sk, true);
    // FIN eats a sequence byte, write_seq advanced by tcp_queue_skb().
    tcp_init_nondata_skb(skb, sk.writeSeq, T.TCPHDR_ACK | T.TCPHDR_FIN);
    ctx.step(skb, F.sendFin, `FIN seq ${sk.writeSeq >>> 0}`);
    tcp_queue_skb(ctx, sk, skb);
  }
  __tcp_push_pending_frames(ctx, sk, tcp_current_mss(sk), T.TCP_NAGLE_OFF);
}

/** tcp_send_active_reset: RST now (close with unread data, abort); OutRsts++. */
export function tcp_send_active_reset(ctx: KernelCtx, sk: TcpSock, why: string): void {
  sk.net.mib.tcp[TCP_MIB.OutRsts]++;
  const skb = allocSkb(ctx.newSkbId(), sk.net, 0, T.MAX_TCP_HEADER);
  skb.tcb = newTcpSkbCb();
  // NOTE: No TCP options attached and we never retransmit this.
  tcp_init_nondata_skb(skb, tcp_acceptable_seq(sk), T.TCPHDR_ACK | T.TCPHDR_RST);
  tcp_mstamp_refresh(ctx, sk);
  ctx.step(skb, F.sendReset, `${why}: RST, OutRsts++`);
  if (tcp_transmit_skb(ctx, sk, skb, false)) sk.net.linuxMib[LINUX_MIB.TCPAbortFailed]++;
}

/** tcp_send_synack: a SYN-ACK from a socket whose SYN crossed the peer's (simultaneous open). */
export function tcp_send_synack(ctx: KernelCtx, sk: TcpSock): number {
  const skb = tcp_rtx_queue_head(sk);
  if (!skb || !(TCP_SKB_CB(skb).tcpFlags & T.TCPHDR_SYN)) return -14;
  if (!(TCP_SKB_CB(skb).tcpFlags & T.TCPHDR_ACK)) {
    TCP_SKB_CB(skb).tcpFlags |= T.TCPHDR_ACK;
    tcp_ecn_send_synack(sk, skb);
  }
  return tcp_transmit_skb(ctx, sk, skb, true);
}

/**
 * tcp_make_synack: the SYN-ACK for a request sock: our ISN, the peer's next sequence, the options the SYN
 * allowed (and a Fast Open cookie).
 */
export function tcp_make_synack(
  ctx: KernelCtx,
  sk: TcpSock,
  req: RequestSock,
  foc: TcpFastopenCookie | null,
  cookie: boolean,
): SkBuff {
  const skb = allocSkb(ctx.newSkbId(), sk.net, 0, T.MAX_TCP_HEADER);
  skb.tcb = newTcpSkbCb();
  const mss = tcp_mss_clamp(
    sk,
    req.dst ? dst_metric_advmss(req.dst) : tcp_dst_advmss(sk.net.loopbackDev.mtu),
  );
  const now = tcp_clock_ns(ctx);
  // A cookie's SYN-ACK carries the SYN's options in its timestamp's low bits (cookie_init_timestamp).
  if (cookie && req.tstampOk) skb.tcb.mstampNs = cookie_init_timestamp(req, now);
  else {
    skb.tcb.mstampNs = now;
    if (!req.sntSynack) req.sntSynack = Math.floor(now / T.NSEC_PER_USEC); // Timestamp first SYNACK
  }
  const md5Key = tcp_v4_md5_lookup(sk, req.rmtAddr);
  const opts = newOutOptions();
  const tcpHeaderSize = tcp_synack_options(req, mss, skb, opts, !!md5Key, foc, cookie) + 20;
  const th = skbPush(skb, tcpHeaderSize);
  skb.transportHeader = th;
  const b = skb.buf;
  b.fill(0, th, th + tcpHeaderSize);
  let flags = T.TCPHDR_SYN | T.TCPHDR_ACK;
  if (req.ecnOk) flags |= T.TCPHDR_ECE;
  tcpw.setSrcPort(b, th, req.num);
  tcpw.setDstPort(b, th, req.rmtPort);
  skb.ipSummed = CHECKSUM_PARTIAL;
  tcpw.setSeqNumber(b, th, req.sntIsn);
  // XXX data is queued and acked as is. No buffer/window check.
  tcpw.setAckNumber(b, th, req.rcvNxt);
  // RFC1323: The window in SYN & SYN/ACK segments is never scaled.
  tcpw.setWindow(b, th, Math.min(req.rcvWnd, 65535));
  tcp_options_write(b, th, null, opts);
  b[th + 12] = (tcpHeaderSize >> 2) << 4;
  b[th + 13] = flags;
  sk.net.mib.tcp[TCP_MIB.OutSegs]++;
  if (md5Key)
    tcp_md5_hash_skb(sk.net, b, th, tcpHeaderSize, req.locAddr, req.rmtAddr, opts.hashLocation, md5Key);
  ctx.step(skb, F.makeSynack, null, req.sntIsn, req.rcvNxt, mss);
  return skb;
}

/** tcp_connect_init: everything a connect sets up before its SYN. */
function tcp_connect_init(ctx: KernelCtx, sk: TcpSock): void {
  const dst = __sk_dst_get(sk)!;
  sk.tcpHeaderLen = 20;
  if (sk.net.sysctl.tcp.timestamps) sk.tcpHeaderLen += T.TCPOLEN_TSTAMP_ALIGNED;
  // If user gave his TCP_MAXSEG, record it to clamp.
  if (sk.rxOpt.userMss) sk.rxOpt.mssClamp = sk.rxOpt.userMss;
  sk.maxWindow = 0;
  tcp_mtup_init(ctx, sk);
  tcp_sync_mss(sk, dstMtu(dst));
  sk.advmss = tcp_mss_clamp(sk, dst_metric_advmss(dst));
  tcp_initialize_rcv_mss(sk);
  // limit the window selection if the user enforce a smaller rx buffer
  if (sk.userlocks & T.SOCK_RCVBUF_LOCK && (sk.windowClamp > tcp_full_space(sk) || sk.windowClamp === 0))
    sk.windowClamp = tcp_full_space(sk);
  const w = tcp_select_initial_window(
    sk,
    tcp_full_space(sk),
    sk.advmss - (sk.rxOpt.tsRecentStamp ? sk.tcpHeaderLen - 20 : 0),
    sk.windowClamp,
    !!sk.net.sysctl.tcp.windowScaling,
    0,
  );
  sk.rcvWnd = w.rcvWnd;
  sk.windowClamp = w.windowClamp;
  sk.rxOpt.rcvWscale = w.rcvWscale;
  sk.rcvSsthresh = sk.rcvWnd;
  sk.skErr = 0;
  sk.flags &= ~T.SOCK_DONE;
  sk.sndWnd = 0;
  tcp_init_wl(sk, 0);
  tcp_write_queue_purge(ctx, sk);
  sk.sndUna = sk.writeSeq;
  sk.sndSml = sk.writeSeq;
  sk.sndUp = sk.writeSeq;
  sk.sndNxt = sk.writeSeq;
  sk.rcvNxt = 0;
  sk.rcvWup = sk.rcvNxt;
  sk.copiedSeq = sk.rcvNxt;
  sk.icskRto = tcp_timeout_init(sk);
  sk.icskRetransmits = 0;
  tcp_clear_retrans(sk);
}

/** tcp_timeout_init: the initial RTO (1 s, or what a BPF program says: none here). */
export function tcp_timeout_init(_sk: TcpSock): number {
  return T.TCP_TIMEOUT_INIT;
}

/** tcp_write_queue_purge: everything queued to send or resend is freed. */
export function tcp_write_queue_purge(ctx: KernelCtx, sk: TcpSock): void {
  tcp_chrono_stop(ctx, sk, T.TCP_CHRONO_BUSY);
  for (const skb of sk.writeQueue) tcp_wmem_free_skb(sk, skb);
  sk.writeQueue = [];
  for (const skb of sk.rtxQueue) tcp_wmem_free_skb(sk, skb);
  sk.rtxQueue = [];
  sk.highestSack = null;
  sk.tsortedSentQueue = [];
  sk.lostSkbHint = sk.retransmitSkbHint = null;
  sk.packetsOut = 0;
  sk.icskBackoff = 0;
}

/** tcp_connect_queue_skb */
function tcp_connect_queue_skb(sk: TcpSock, skb: SkBuff): void {
  const tcb = TCP_SKB_CB(skb);
  tcb.endSeq = (tcb.endSeq + skb.len) >>> 0;
  sk.wmemQueued += tcb.truesize;
  sk_mem_charge(sk, tcb.truesize);
  sk.writeSeq = tcb.endSeq;
  sk.packetsOut += tcp_skb_pcount(skb);
}

/**
 * tcp_send_syn_data: a Fast Open SYN with the cached cookie and the first data; the data also waits in
 * the retransmit queue behind a plain SYN, so a timeout resends only the SYN.
 */
function tcp_send_syn_data(ctx: KernelCtx, sk: TcpSock, syn: SkBuff): number {
  const fo = sk.fastopenReq!;
  sk.rxOpt.mssClamp = sk.advmss; // If MSS is not cached
  const cached = tcp_fastopen_cookie_check(ctx, sk, fo.cookie);
  let err: number;
  if (cached !== null) {
    if (cached) sk.rxOpt.mssClamp = cached;
    // MSS for SYN-data is based on cached MSS and bounded by PMTU and user-MSS. Reserve maximum option
    // space for middleboxes that add private TCP options.
    sk.rxOpt.mssClamp = tcp_mss_clamp(sk, sk.rxOpt.mssClamp);
    tcp_sync_mss(sk, sk.icskPmtuCookie);
    let space = __tcp_mtu_to_mss(sk, sk.icskPmtuCookie) - T.MAX_TCP_OPTION_SPACE;
    space = Math.min(space, fo.size);
    const synData = tcp_stream_alloc_skb(ctx, sk);
    synData.tcb = { ...syn.tcb!, tx: { ...syn.tcb!.tx }, truesize: synData.tcb!.truesize };
    if (space && fo.data) {
      const off = skbPut(synData, space);
      synData.buf.set(fo.data.subarray(0, space), off);
      synData.tcb!.truesize += space;
      // Copied into a page frag, but the data is the MSG_ZEROCOPY call's: the SYN holds its range.
      skb_zcopy_set(synData, fo.uarg);
    }
    // No more data pending in inet_wait_for_connect().
    if (space === fo.size) fo.data = null;
    fo.copied = space;
    tcp_connect_queue_skb(sk, synData);
    if (synData.len) tcp_chrono_start(ctx, sk, T.TCP_CHRONO_BUSY);
    err = tcp_transmit_skb(ctx, sk, synData, true);
    syn.tcb!.mstampNs = synData.tcb!.mstampNs;
    // Now full SYN+DATA was cloned and sent (or not), remove the SYN from the original skb (syn_data) we
    // keep in write queue in case of a retransmit, as we also have the SYN packet (with no data) in the
    // same queue.
    synData.tcb!.seq = (synData.tcb!.seq + 1) >>> 0;
    synData.tcb!.tcpFlags = T.TCPHDR_ACK | T.TCPHDR_PSH;
    if (!err) {
      sk.synData = fo.copied > 0 ? 1 : 0;
      tcp_rbtree_insert(sk.rtxQueue, synData);
      sk.net.linuxMib[LINUX_MIB.TCPOrigDataSent]++;
      fo.cookie.len = -1; // Exclude Fast Open option for SYN retries
      return err;
    }
    // data was not sent, put it in write_queue
    sk.writeQueue.push(synData);
    sk.packetsOut -= tcp_skb_pcount(synData);
  }
  // Send a regular SYN with Fast Open cookie request option.
  if (fo.cookie.len > 0) fo.cookie.len = 0;
  err = tcp_transmit_skb(ctx, sk, syn, true);
  if (err) sk.synFastopen = 0;
  fo.cookie.len = -1; // Exclude Fast Open option for SYN retries
  return err;
}

/** tcp_connect: build and send the SYN; ActiveOpens++; the retransmit timer repeats it until answered. */
export function tcp_connect(ctx: KernelCtx, sk: TcpSock): number {
  if (inet_sk_rebuild_header(ctx, sk)) return -EHOSTUNREACH;
  tcp_connect_init(ctx, sk);
  if (sk.repair) {
    tcp_finish_connect(ctx, sk, null);
    return 0;
  }
  const buff = tcp_stream_alloc_skb(ctx, sk, true);
  tcp_init_nondata_skb(buff, sk.writeSeq, T.TCPHDR_SYN);
  sk.writeSeq = (sk.writeSeq + 1) >>> 0;
  tcp_mstamp_refresh(ctx, sk);
  sk.retransStamp = tcp_time_stamp_ts(sk);
  tcp_connect_queue_skb(sk, buff);
  tcp_ecn_send_syn(sk, buff);
  tcp_rbtree_insert(sk.rtxQueue, buff);
  ctx.step(buff, F.connect, null, TCP_SKB_CB(buff).seq, sk.advmss, sk.rxOpt.rcvWscale);
  // Send off SYN; include data in Fast Open.
  const err = sk.fastopenReq ? tcp_send_syn_data(ctx, sk, buff) : tcp_transmit_skb(ctx, sk, buff, true);
  if (err === -ECONNREFUSED) return err;
  // We change tp->snd_nxt after the tcp_transmit_skb() call in order to make this packet get counted in
  // tcpOutSegs.
  sk.sndNxt = sk.writeSeq;
  sk.pushedSeq = sk.writeSeq;
  const head = tcp_send_head(sk);
  if (head) {
    sk.sndNxt = TCP_SKB_CB(head).seq;
    sk.pushedSeq = TCP_SKB_CB(head).seq;
  }
  sk.net.mib.tcp[TCP_MIB.ActiveOpens]++;
  // Timer for repeating the SYN until an answer.
  inet_csk_reset_xmit_timer(ctx, sk, T.ICSK_TIME_RETRANS, sk.icskRto, T.TCP_RTO_MAX);
  return 0;
}

/** tcp_delack_max */
export function tcp_delack_max(sk: TcpSock): number {
  const delackFromRtoMin = Math.max(tcp_rto_min(sk), 2) - 1;
  return Math.min(sk.icskDelackMax, delackFromRtoMin);
}

/** tcp_send_delayed_ack: arm the delayed-ACK timer (ato, bounded by the RTT), or ACK now if it is due. */
export function tcp_send_delayed_ack(ctx: KernelCtx, sk: TcpSock): void {
  let ato = sk.icskAck.ato;
  if (ato > T.TCP_DELACK_MIN) {
    let maxAto = T.HZ / 2;
    if (inet_csk_in_pingpong_mode(sk) || sk.icskAck.pending & T.ICSK_ACK_PUSHED) maxAto = T.TCP_DELACK_MAX;
    // Slow path, intersegment interval is "high". If some rtt estimate is known, use it to bound delayed
    // ack.
    if (sk.srttUs) {
      const rtt = Math.max(usecs_to_jiffies(sk.srttUs >>> 3), T.TCP_DELACK_MIN);
      if (rtt < maxAto) maxAto = rtt;
    }
    ato = Math.min(ato, maxAto);
  }
  ato = Math.min(ato, tcp_delack_max(sk));
  const now = jiffies(ctx);
  let timeout = now + ato;
  if (sk.icskAck.pending & T.ICSK_ACK_TIMER) {
    // If delack timer is about to expire, send ACK now.
    if (sk.icskAck.timeout - (now + (ato >> 2)) <= 0) {
      tcp_send_ack(ctx, sk);
      return;
    }
    if (!(timeout - sk.icskAck.timeout < 0)) timeout = sk.icskAck.timeout;
  }
  sk.icskAck.pending |= T.ICSK_ACK_SCHED | T.ICSK_ACK_TIMER;
  sk.icskAck.timeout = timeout;
  inet_csk_reset_xmit_timer(ctx, sk, T.ICSK_TIME_DACK, timeout - now, T.TCP_RTO_MAX);
}

/** __tcp_send_ack: a pure ACK (with the current window). */
export function __tcp_send_ack(ctx: KernelCtx, sk: TcpSock, rcvNxt: number, flags: number): void {
  // If we have been reset, we may not send again.
  if (sk.state === TCP_CLOSE) return;
  const buff = allocSkb(ctx.newSkbId(), sk.net, 0, T.MAX_TCP_HEADER);
  buff.tcb = newTcpSkbCb();
  tcp_init_nondata_skb(buff, tcp_acceptable_seq(sk), T.TCPHDR_ACK | flags);
  ctx.step(buff, F.sendAck, `ack ${rcvNxt >>> 0}`);
  // Send it off, this clears delayed acks for us.
  __tcp_transmit_skb(ctx, sk, buff, false, rcvNxt);
}

/** tcp_send_ack */
export function tcp_send_ack(ctx: KernelCtx, sk: TcpSock): void {
  __tcp_send_ack(ctx, sk, sk.rcvNxt, 0);
}

/** tcp_xmit_probe_skb: an out-of-date sequence number the other end must answer. */
function tcp_xmit_probe_skb(ctx: KernelCtx, sk: TcpSock, urgent: number, mib: number): number {
  const skb = allocSkb(ctx.newSkbId(), sk.net, 0, T.MAX_TCP_HEADER);
  skb.tcb = newTcpSkbCb();
  // Use a previous sequence. This should cause the other end to send an ack.
  tcp_init_nondata_skb(skb, (sk.sndUna - (urgent ? 0 : 1)) >>> 0, T.TCPHDR_ACK);
  sk.net.linuxMib[mib]++;
  ctx.step(skb, F.probe, mib === LINUX_MIB.TCPKeepAlive ? 'keepalive probe' : 'window probe');
  return tcp_transmit_skb(ctx, sk, skb, false);
}

/** tcp_send_window_probe (TCP_REPAIR) */
export function tcp_send_window_probe(ctx: KernelCtx, sk: TcpSock): void {
  if (sk.state === TCP_ESTABLISHED) {
    sk.sndWl1 = (sk.rcvNxt - 1) >>> 0;
    tcp_mstamp_refresh(ctx, sk);
    tcp_xmit_probe_skb(ctx, sk, 0, LINUX_MIB.TCPWinProbe);
  }
}

/** tcp_write_wakeup: a keepalive or window probe: new data if the window allows, else an old sequence. */
export function tcp_write_wakeup(ctx: KernelCtx, sk: TcpSock, mib: number): number {
  if (sk.state === TCP_CLOSE) return -1;
  const skb = tcp_send_head(sk);
  if (skb && before(TCP_SKB_CB(skb).seq, tcp_wnd_end(sk))) {
    const mss = tcp_current_mss(sk);
    let segSize = (tcp_wnd_end(sk) - TCP_SKB_CB(skb).seq) >>> 0;
    if (before(sk.pushedSeq, TCP_SKB_CB(skb).endSeq)) sk.pushedSeq = TCP_SKB_CB(skb).endSeq;
    // We are probing the opening of a window but the window size is != 0: must have been a result SWS
    // avoidance (sender).
    if (segSize < (TCP_SKB_CB(skb).endSeq - TCP_SKB_CB(skb).seq) >>> 0 || skb.len > mss) {
      segSize = Math.min(segSize, mss);
      TCP_SKB_CB(skb).tcpFlags |= T.TCPHDR_PSH;
      if (tcp_fragment(ctx, sk, TCP_FRAG_IN_WRITE_QUEUE, skb, segSize, mss)) return -1;
    } else if (!tcp_skb_pcount(skb)) {
      tcp_set_skb_tso_segs(skb, mss);
    }
    TCP_SKB_CB(skb).tcpFlags |= T.TCPHDR_PSH;
    ctx.step(skb, F.probe, 'window probe with new data');
    const err = tcp_transmit_skb(ctx, sk, skb, true);
    if (!err) tcp_event_new_data_sent(ctx, sk, skb);
    return err;
  }
  if (between(sk.sndUp, (sk.sndUna + 1) >>> 0, (sk.sndUna + 0xffff) >>> 0))
    tcp_xmit_probe_skb(ctx, sk, 1, mib);
  return tcp_xmit_probe_skb(ctx, sk, 0, mib);
}

/** tcp_send_probe0: the zero-window probe timer fired. */
export function tcp_send_probe0(ctx: KernelCtx, sk: TcpSock): void {
  const net = sk.net;
  const err = tcp_write_wakeup(ctx, sk, LINUX_MIB.TCPWinProbe);
  if (sk.packetsOut || tcp_write_queue_empty(sk)) {
    // Cancel probe timer, if it is not required.
    sk.icskProbesOut = 0;
    sk.icskBackoff = 0;
    sk.icskProbesTstamp = 0;
    return;
  }
  sk.icskProbesOut++;
  let timeout: number;
  if (err <= 0) {
    if (sk.icskBackoff < net.sysctl.tcp.retries2) sk.icskBackoff++;
    timeout = tcp_probe0_when(sk, T.TCP_RTO_MAX);
  } else {
    // If packet was not sent due to local congestion, let senders fight for local resources
    // conservatively.
    timeout = T.TCP_RESOURCE_PROBE_INTERVAL;
  }
  timeout = tcp_clamp_probe0_to_user_timeout(ctx, sk, timeout);
  tcp_reset_xmit_timer(ctx, sk, T.ICSK_TIME_PROBE0, timeout, T.TCP_RTO_MAX);
}

/** tcp_clamp_probe0_to_user_timeout (tcp_timer.c) */
export function tcp_clamp_probe0_to_user_timeout(ctx: KernelCtx, sk: TcpSock, when: number): number {
  const userTimeout = sk.icskUserTimeout;
  if (!userTimeout || !sk.icskProbesTstamp) return when;
  let elapsed = (tcp_jiffies32(ctx) - sk.icskProbesTstamp) | 0;
  if (elapsed < 0) elapsed = 0;
  let remaining = Math.ceil(userTimeout / (1000 / T.HZ)) - elapsed;
  remaining = Math.max(remaining, T.TCP_TIMEOUT_MIN);
  return Math.min(remaining, when);
}

/** tcp_rtx_synack: resend a request's SYN-ACK; RetransSegs and TCPSynRetrans. */
export function tcp_rtx_synack(ctx: KernelCtx, sk: TcpSock, req: RequestSock): number {
  const res = tcp_v4_send_synack(ctx, sk, req, null, false);
  if (!res) {
    sk.net.mib.tcp[TCP_MIB.RetransSegs]++;
    sk.net.linuxMib[LINUX_MIB.TCPSynRetrans]++;
    if (sk.fastopenRsk === req) sk.totalRetrans++;
  }
  return res;
}

/** tcp_v4_send_synack (tcp_ipv4.c): route it if needed, build it, send it with ip_build_and_send_pkt. */
export function tcp_v4_send_synack(
  ctx: KernelCtx,
  sk: TcpSock,
  req: RequestSock,
  foc: TcpFastopenCookie | null,
  cookie: boolean,
): number {
  const skb = tcp_make_synack(ctx, sk, req, foc, cookie);
  skb.sk = sk;
  skb.comm = sk.comm;
  tcpw.fillChecksum(skb.buf, skb.transportHeader, skb.len, req.locAddr, req.rmtAddr, 'partial');
  let tos = sk.tos;
  if (sk.net.sysctl.tcp.reflectTos) tos = (req.synTos & ~3) | (tos & 3);
  return ip_build_and_send_pkt(ctx, skb, sk, req.locAddr, req.rmtAddr, tos, req.dst);
}

/**
 * tcp_release_cb: what softirq deferred while the process held the socket (release_sock): TSQ work, the
 * retransmit and delayed-ACK timers, an MTU change, a deferred ACK.
 */
export function tcp_release_cb(ctx: KernelCtx, sk: TcpSock): void {
  const flags = sk.tsqFlags;
  const all =
    T.TCPF_TSQ_DEFERRED |
    T.TCPF_WRITE_TIMER_DEFERRED |
    T.TCPF_DELACK_TIMER_DEFERRED |
    T.TCPF_MTU_REDUCED_DEFERRED |
    T.TCPF_ACK_DEFERRED;
  if (!(flags & all)) return;
  sk.tsqFlags = flags & ~all;
  if (flags & T.TCPF_TSQ_DEFERRED) tcp_tsq_write(ctx, sk);
  if (flags & T.TCPF_WRITE_TIMER_DEFERRED) tcp_write_timer_handler(ctx, sk);
  if (flags & T.TCPF_DELACK_TIMER_DEFERRED) tcp_delack_timer_handler(ctx, sk);
  if (flags & T.TCPF_MTU_REDUCED_DEFERRED) tcp_v4_mtu_reduced(ctx, sk);
  if (flags & T.TCPF_ACK_DEFERRED && sk.icskAck.pending & T.ICSK_ACK_SCHED) tcp_send_ack(ctx, sk);
}

/** tcp_tsq_write: resume transmitting after TSQ throttling or pacing. */
export function tcp_tsq_write(ctx: KernelCtx, sk: TcpSock): void {
  if (
    (1 << sk.state) &
    (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 | TCPF_CLOSING | TCPF_CLOSE_WAIT | TCPF_LAST_ACK)
  ) {
    if (sk.lostOut > sk.retransOut && tcp_snd_cwnd(sk) > tcp_packets_in_flight(sk)) {
      tcp_mstamp_refresh(ctx, sk);
      tcp_xmit_retransmit_queue(ctx, sk);
    }
    tcp_write_xmit(ctx, sk, tcp_current_mss(sk), sk.nonagle, 0);
  }
}

/** tcp_pace_kick: the pacing timer: send what pacing held, unless the process holds the socket. */
export function tcp_pace_kick(ctx: KernelCtx, sk: TcpSock): void {
  if (!sk.owned) tcp_tsq_write(ctx, sk);
  else sk.tsqFlags |= T.TCPF_TSQ_DEFERRED;
}
