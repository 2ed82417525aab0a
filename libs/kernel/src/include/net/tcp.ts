/**
 * include/net/tcp.h and include/net/inet_connection_sock.h: TCP's constants, the per-skb control block
 * (TCP_SKB_CB), sequence-number arithmetic, its clocks (jiffies at HZ 250, tcp_clock_us, the TS clock in
 * ms) and the small inline helpers the .c files share.
 */
import type { KernelCtx } from './kctx';
import type { SkBuff } from '../linux/skbuff';
import type { TcpSock } from '../linux/tcp';

/** enum tcp_ca_state (include/uapi/linux/tcp.h) */
export const TCP_CA_Open = 0;
export const TCP_CA_Disorder = 1;
export const TCP_CA_CWR = 2;
export const TCP_CA_Recovery = 3;
export const TCP_CA_Loss = 4;
export const TCPF_CA_CWR = 1 << TCP_CA_CWR;
export const TCPF_CA_Recovery = 1 << TCP_CA_Recovery;

/** enum tcp_ca_event */
export const CA_EVENT_TX_START = 0;
export const CA_EVENT_CWND_RESTART = 1;
export const CA_EVENT_COMPLETE_CWR = 2;
export const CA_EVENT_LOSS = 3;
export const CA_EVENT_ECN_NO_CE = 4;
export const CA_EVENT_ECN_IS_CE = 5;

/** CONFIG_HZ of Debian's 6.12 kernels. */
export const HZ = 250;
export const TICK_NS = 1e9 / HZ;
export const USEC_PER_SEC = 1e6;
export const USEC_PER_MSEC = 1000;
export const NSEC_PER_USEC = 1000;
export const NSEC_PER_MSEC = 1e6;

export const MAX_TCP_HEADER = 320;
export const MAX_TCP_OPTION_SPACE = 40;
export const TCP_MIN_SND_MSS = 48;
export const TCP_MIN_GSO_SIZE = TCP_MIN_SND_MSS - MAX_TCP_OPTION_SPACE;
export const MAX_TCP_WINDOW = 32767;
export const TCP_MIN_MSS = 88;
export const TCP_MSS_DEFAULT = 536;
export const TCP_BASE_MSS = 1024;
export const TCP_PROBE_INTERVAL = 600;
export const TCP_PROBE_THRESHOLD = 8;
export const TCP_FASTRETRANS_THRESH = 3;
export const TCP_MAX_QUICKACKS = 16;
export const TCP_MAX_WSCALE = 14;
export const TCP_URG_VALID = 0x0100;
export const TCP_URG_NOTYET = 0x0200;
export const TCP_URG_READ = 0x0400;
export const TCP_RETR1 = 3;
export const TCP_RETR2 = 15;
export const TCP_SYN_RETRIES = 6;
export const TCP_SYNACK_RETRIES = 5;
export const TCP_TIMEWAIT_LEN = 60 * HZ;
export const TCP_FIN_TIMEOUT = TCP_TIMEWAIT_LEN;
export const TCP_FIN_TIMEOUT_MAX = 120 * HZ;
export const TCP_DELACK_MAX = HZ / 5;
export const TCP_DELACK_MIN = HZ / 25;
export const TCP_ATO_MIN = HZ / 25;
export const TCP_RTO_MAX = 120 * HZ;
export const TCP_RTO_MIN = HZ / 5;
export const TCP_TIMEOUT_MIN = 2;
export const TCP_TIMEOUT_MIN_US = 2 * USEC_PER_MSEC;
export const TCP_TIMEOUT_INIT = 1 * HZ;
export const TCP_TIMEOUT_FALLBACK = 3 * HZ;
export const TCP_RESOURCE_PROBE_INTERVAL = HZ / 2;
export const TCP_KEEPALIVE_TIME = 120 * 60 * HZ;
export const TCP_KEEPALIVE_PROBES = 9;
export const TCP_KEEPALIVE_INTVL = 75 * HZ;
export const MAX_TCP_KEEPIDLE = 32767;
export const MAX_TCP_KEEPINTVL = 32767;
export const MAX_TCP_KEEPCNT = 127;
export const MAX_TCP_SYNCNT = 127;
export const TCP_PAWS_WRAP = Math.floor(2147483647 / USEC_PER_SEC);
export const TCP_PAWS_MSL = 60;
export const TCP_PAWS_WINDOW = 1;
export const TCP_INIT_CWND = 10;
export const TCP_INFINITE_SSTHRESH = 0x7fffffff;
export const TCP_RMEM_TO_WIN_SCALE = 8;
export const TCP_DEFAULT_SCALING_RATIO = 1 << (TCP_RMEM_TO_WIN_SCALE - 1);
export const TCP_NUM_SACKS = 4;
export const TCP_SACK_SEEN = 1;
export const TCP_DSACK_SEEN = 4;
export const TCP_RACK_LOSS_DETECTION = 0x1;
export const TCP_RACK_STATIC_REO_WND = 0x2;
export const TCP_RACK_NO_DUPTHRESH = 0x4;
export const TCP_RACK_RECOVERY_THRESH = 16;
export const TCP_THIN_LINEAR_RETRIES = 6;

export const TCPOLEN_MSS = 4;
export const TCPOLEN_WINDOW = 3;
export const TCPOLEN_SACK_PERM = 2;
export const TCPOLEN_TIMESTAMP = 10;
export const TCPOLEN_MD5SIG = 18;
export const TCPOLEN_FASTOPEN_BASE = 2;
export const TCPOLEN_EXP_FASTOPEN_BASE = 4;
export const TCPOLEN_TSTAMP_ALIGNED = 12;
export const TCPOLEN_WSCALE_ALIGNED = 4;
export const TCPOLEN_SACKPERM_ALIGNED = 4;
export const TCPOLEN_SACK_BASE = 2;
export const TCPOLEN_SACK_BASE_ALIGNED = 4;
export const TCPOLEN_SACK_PERBLOCK = 8;
export const TCPOLEN_MD5SIG_ALIGNED = 20;
export const TCPOLEN_MSS_ALIGNED = 4;
export const TCPOPT_FASTOPEN_MAGIC = 0xf989;
export const TCP_FASTOPEN_COOKIE_MIN = 4;
export const TCP_FASTOPEN_COOKIE_MAX = 16;
export const TCP_FASTOPEN_COOKIE_SIZE = 8;

export const TCP_NAGLE_OFF = 1;
export const TCP_NAGLE_CORK = 2;
export const TCP_NAGLE_PUSH = 4;

export const TCPHDR_FIN = 0x01;
export const TCPHDR_SYN = 0x02;
export const TCPHDR_RST = 0x04;
export const TCPHDR_PSH = 0x08;
export const TCPHDR_ACK = 0x10;
export const TCPHDR_URG = 0x20;
export const TCPHDR_ECE = 0x40;
export const TCPHDR_CWR = 0x80;
export const TCPHDR_SYN_ECN = TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR;

export const TCPCB_SACKED_ACKED = 1 << 0;
export const TCPCB_SACKED_RETRANS = 1 << 1;
export const TCPCB_LOST = 1 << 2;
export const TCPCB_TAGBITS = TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS | TCPCB_LOST;
export const TCPCB_REPAIRED = 1 << 4;
export const TCPCB_EVER_RETRANS = 1 << 7;
export const TCPCB_RETRANS = TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS | TCPCB_REPAIRED;

export const TCP_ECN_OK = 1;
export const TCP_ECN_QUEUE_CWR = 2;
export const TCP_ECN_DEMAND_CWR = 4;
export const TCP_ECN_SEEN = 8;

/** icsk_pending */
export const ICSK_TIME_RETRANS = 1;
export const ICSK_TIME_DACK = 2;
export const ICSK_TIME_PROBE0 = 3;
export const ICSK_TIME_LOSS_PROBE = 5;
export const ICSK_TIME_REO_TIMEOUT = 6;

/** icsk_ack.pending */
export const ICSK_ACK_SCHED = 1;
export const ICSK_ACK_TIMER = 2;
export const ICSK_ACK_PUSHED = 4;
export const ICSK_ACK_PUSHED2 = 8;
export const ICSK_ACK_NOW = 16;
export const ICSK_ACK_NOMEM = 32;

/** sk_shutdown */
export const RCV_SHUTDOWN = 1;
export const SEND_SHUTDOWN = 2;
export const SHUTDOWN_MASK = 3;

/** sock_flag bits */
export const SOCK_DEAD = 1 << 0;
export const SOCK_DONE = 1 << 1;
export const SOCK_URGINLINE = 1 << 2;
export const SOCK_KEEPOPEN = 1 << 3;
export const SOCK_LINGER = 1 << 4;
/** SO_ZEROCOPY: MSG_ZEROCOPY sends pin user pages and report completions on the error queue. */
export const SOCK_ZEROCOPY = 1 << 5;

/** sk_userlocks */
export const SOCK_SNDBUF_LOCK = 1;
export const SOCK_RCVBUF_LOCK = 2;
export const SOCK_BINDADDR_LOCK = 4;
export const SOCK_BINDPORT_LOCK = 8;

/** sk_tsq_flags */
export const TSQF_THROTTLED = 1 << 0;
export const TSQF_QUEUED = 1 << 1;
export const TCPF_TSQ_DEFERRED = 1 << 2;
export const TCPF_WRITE_TIMER_DEFERRED = 1 << 3;
export const TCPF_DELACK_TIMER_DEFERRED = 1 << 4;
export const TCPF_MTU_REDUCED_DEFERRED = 1 << 5;
export const TCPF_ACK_DEFERRED = 1 << 6;

/** sk_pacing_status */
export const SK_PACING_NONE = 0;
export const SK_PACING_NEEDED = 1;
export const SK_PACING_FQ = 2;

/** TCP chronographs (tcp_chrono) */
export const TCP_CHRONO_UNSPEC = 0;
export const TCP_CHRONO_BUSY = 1;
export const TCP_CHRONO_RWND_LIMITED = 2;
export const TCP_CHRONO_SNDBUF_LIMITED = 3;

/** msg flags (include/linux/socket.h) */
export const MSG_OOB = 0x1;
export const MSG_PEEK = 0x2;
export const MSG_DONTROUTE = 0x4;
export const MSG_ERRQUEUE = 0x2000;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const MSG_EOR = 0x80;
export const MSG_WAITALL = 0x100;
export const MSG_NOSIGNAL = 0x4000;
export const MSG_MORE = 0x8000;
/** include/linux/socket.h: splice the pages in rather than copying (splice_to_socket's sendmsg). */
export const MSG_SPLICE_PAGES = 0x8000000;
export const MSG_FASTOPEN = 0x20000000;
export const MSG_ZEROCOPY = 0x4000000;

/** struct tcp_skb_cb, with the skb fields TCP keeps per skb (skb_mstamp_ns, truesize). */
export interface TcpSkbCb {
  seq: number;
  endSeq: number;
  tcpFlags: number;
  sacked: number;
  ipDsfield: number;
  tcpGsoSegs: number;
  tcpGsoSize: number;
  /** tcp_tw_isn: the ISN a TIME_WAIT bucket chose for a reopening SYN */
  tcpTwIsn: number;
  ackSeq: number;
  eor: number;
  txstampAck: number;
  hasRxtstamp: number;
  /** On incoming skbs: the SACK option's offset from the TCP header (0: none), as TCP_SKB_CB()->sacked. */
  sackOff: number;
  tx: {
    isAppLimited: number;
    deliveredCe: number;
    delivered: number;
    firstTxMstamp: number;
    deliveredMstamp: number;
  };
  /** skb->skb_mstamp_ns: when it was last sent (ns) */
  mstampNs: number;
  truesize: number;
}

export function newTcpSkbCb(): TcpSkbCb {
  return {
    seq: 0,
    endSeq: 0,
    tcpFlags: 0,
    sacked: 0,
    ipDsfield: 0,
    tcpGsoSegs: 0,
    tcpGsoSize: 0,
    tcpTwIsn: 0,
    ackSeq: 0,
    eor: 0,
    txstampAck: 0,
    hasRxtstamp: 0,
    sackOff: 0,
    tx: { isAppLimited: 0, deliveredCe: 0, delivered: 0, firstTxMstamp: 0, deliveredMstamp: 0 },
    mstampNs: 0,
    truesize: 0,
  };
}

/** TCP_SKB_CB(skb) */
export function TCP_SKB_CB(skb: SkBuff): TcpSkbCb {
  return skb.tcb!;
}

// ---- sequence arithmetic (include/net/tcp.h: before, after, between) ---------------------------------

export function before(seq1: number, seq2: number): boolean {
  return ((seq1 - seq2) | 0) < 0;
}
export function after(seq2: number, seq1: number): boolean {
  return before(seq1, seq2);
}
/** is s2 <= s1 <= s3 ? */
export function between(seq1: number, seq2: number, seq3: number): boolean {
  return (seq3 - seq2) >>> 0 >= (seq1 - seq2) >>> 0;
}
/** u32 addition */
export function u32(x: number): number {
  return x >>> 0;
}
/** (s32) */
export function s32(x: number): number {
  return x | 0;
}

// ---- clocks ---------------------------------------------------------------------------------------------

/**
 * The simulated machine booted this long before the lab's clock started. ktime_get is never 0 by the time
 * TCP runs (and jiffies start at INITIAL_JIFFIES, five minutes before wrapping): TCP treats a zero stamp
 * as "none" (first_ackt, ts_recent_stamp, retrans_stamp), so its clocks count from boot, not from 0.
 */
export const UPTIME_AT_START_NS = 300e9;

/** ktime_get_ns: nanoseconds since boot. */
export function ktime_get_ns(ctx: KernelCtx): number {
  return ctx.now() + UPTIME_AT_START_NS;
}
/** ktime_get_seconds: whole seconds since boot (the clock PAWS stamps ts_recent with). */
export function ktime_get_seconds(ctx: KernelCtx): number {
  return Math.floor(ktime_get_ns(ctx) / 1e9);
}
/** jiffies (u32 as tcp_jiffies32) */
export function tcp_jiffies32(ctx: KernelCtx): number {
  return Math.floor(ktime_get_ns(ctx) / TICK_NS) >>> 0;
}
export function tcp_clock_ns(ctx: KernelCtx): number {
  return ktime_get_ns(ctx);
}
export function tcp_clock_us(ctx: KernelCtx): number {
  return Math.floor(ktime_get_ns(ctx) / NSEC_PER_USEC);
}
export function tcp_clock_ms(ctx: KernelCtx): number {
  return Math.floor(ktime_get_ns(ctx) / NSEC_PER_MSEC);
}
export function tcp_clock_ts(ctx: KernelCtx, usecTs: boolean): number {
  return (usecTs ? tcp_clock_us(ctx) : tcp_clock_ms(ctx)) >>> 0;
}
export function usecs_to_jiffies(us: number): number {
  return Math.ceil(us / (USEC_PER_SEC / HZ));
}
export function jiffies_to_usecs(j: number): number {
  return j * (USEC_PER_SEC / HZ);
}
export function msecs_to_jiffies(ms: number): number {
  return Math.ceil(ms / (1000 / HZ));
}
export function jiffies_to_msecs(j: number): number {
  return j * (1000 / HZ);
}
export function nsecs_to_jiffies(ns: number): number {
  return Math.floor(ns / TICK_NS);
}

/** tcp_mstamp_refresh (tcp_output.c:55) */
export function tcp_mstamp_refresh(ctx: KernelCtx, tp: TcpSock): void {
  const val = tcp_clock_ns(ctx);
  tp.tcpClockCache = val;
  tp.tcpMstamp = Math.floor(val / NSEC_PER_USEC);
}
export function tcp_time_stamp_ms(tp: TcpSock): number {
  return Math.floor(tp.tcpMstamp / USEC_PER_MSEC) >>> 0;
}
/** tcp_time_stamp_ts: TSval clock (ms unless the route asks for usec) */
export function tcp_time_stamp_ts(tp: TcpSock): number {
  return tp.tcpUsecTs ? tp.tcpMstamp >>> 0 : tcp_time_stamp_ms(tp);
}
export function tcp_skb_timestamp_us(skb: SkBuff): number {
  return Math.floor(skb.tcb!.mstampNs / NSEC_PER_USEC);
}
export function tcp_skb_timestamp_ts(usecTs: boolean, skb: SkBuff): number {
  return (usecTs ? tcp_skb_timestamp_us(skb) : Math.floor(skb.tcb!.mstampNs / NSEC_PER_MSEC)) >>> 0;
}
export function tcp_stamp_us_delta(t1: number, t0: number): number {
  return Math.max(t1 - t0, 0);
}

// ---- inline helpers ---------------------------------------------------------------------------------------

export function tcp_skb_pcount(skb: SkBuff): number {
  return skb.tcb!.tcpGsoSegs;
}
export function tcp_skb_pcount_set(skb: SkBuff, segs: number): void {
  skb.tcb!.tcpGsoSegs = segs;
}
export function tcp_skb_pcount_add(skb: SkBuff, segs: number): void {
  skb.tcb!.tcpGsoSegs += segs;
}
/** tcp_skb_mss: this is valid iff skb is in the write queue and pcount > 1 */
export function tcp_skb_mss(skb: SkBuff): number {
  return skb.tcb!.tcpGsoSize;
}
export function tcp_is_sack(tp: TcpSock): boolean {
  return tp.rxOpt.sackOk !== 0;
}
export function tcp_is_reno(tp: TcpSock): boolean {
  return !tcp_is_sack(tp);
}
export function tcp_left_out(tp: TcpSock): number {
  return tp.sackedOut + tp.lostOut;
}
export function tcp_packets_in_flight(tp: TcpSock): number {
  return tp.packetsOut - tcp_left_out(tp) + tp.retransOut;
}
export function tcp_snd_cwnd(tp: TcpSock): number {
  return tp.sndCwnd;
}
export function tcp_snd_cwnd_set(tp: TcpSock, val: number): void {
  tp.sndCwnd = val >>> 0;
}
export function tcp_in_slow_start(tp: TcpSock): boolean {
  return tp.sndCwnd < tp.sndSsthresh;
}
export function tcp_in_initial_slowstart(tp: TcpSock): boolean {
  return tp.sndSsthresh >= TCP_INFINITE_SSTHRESH;
}
export function tcp_in_cwnd_reduction(sk: TcpSock): boolean {
  return ((TCPF_CA_CWR | TCPF_CA_Recovery) & (1 << sk.icskCaState)) !== 0;
}
/** tcp_current_ssthresh */
export function tcp_current_ssthresh(sk: TcpSock): number {
  if (tcp_in_cwnd_reduction(sk)) return sk.sndSsthresh;
  return Math.max(sk.sndSsthresh, (sk.sndCwnd >>> 1) + (sk.sndCwnd >>> 2));
}
export function tcp_wnd_end(tp: TcpSock): number {
  return (tp.sndUna + tp.sndWnd) >>> 0;
}
export function tcp_is_cwnd_limited(sk: TcpSock): boolean {
  if (sk.isCwndLimited) return true;
  if (tcp_in_slow_start(sk)) return sk.sndCwnd < 2 * sk.maxPacketsOut;
  return false;
}
export function tcp_needs_internal_pacing(sk: TcpSock): boolean {
  return sk.pacingStatus === SK_PACING_NEEDED;
}
export function tcp_pacing_delay(sk: TcpSock): number {
  const delay = sk.tcpWstampNs - sk.tcpClockCache;
  return delay > 0 ? nsecs_to_jiffies(delay) : 0;
}
export function tcp_receive_window(tp: TcpSock): number {
  const win = (tp.rcvWup + tp.rcvWnd - tp.rcvNxt) | 0;
  return win < 0 ? 0 : win;
}
export function __tcp_win_from_space(scalingRatio: number, space: number): number {
  return Math.floor((space * scalingRatio) / (1 << TCP_RMEM_TO_WIN_SCALE));
}
export function tcp_win_from_space(sk: TcpSock, space: number): number {
  return __tcp_win_from_space(sk.scalingRatio, space);
}
export function tcp_space_from_win(sk: TcpSock, win: number): number {
  return Math.floor((win * (1 << TCP_RMEM_TO_WIN_SCALE)) / sk.scalingRatio);
}
/** tcp_space: caller must be prepared to deal with negative returns */
export function tcp_space(sk: TcpSock): number {
  return tcp_win_from_space(sk, sk.rcvbuf - sk.backlogLen - sk.rmemAlloc);
}
export function tcp_full_space(sk: TcpSock): number {
  return tcp_win_from_space(sk, sk.rcvbuf);
}
export function tcp_bound_to_half_wnd(tp: TcpSock, pktsize: number): number {
  const cutoff = tp.maxWindow > TCP_MSS_DEFAULT ? tp.maxWindow >>> 1 : tp.maxWindow;
  if (cutoff && pktsize > cutoff) return Math.max(cutoff, 68 - tp.tcpHeaderLen);
  return pktsize;
}
export function tcp_rto_min(sk: TcpSock): number {
  return sk.icskRtoMin;
}
export function tcp_rto_min_us(sk: TcpSock): number {
  return jiffies_to_usecs(tcp_rto_min(sk));
}
export function __tcp_set_rto(tp: TcpSock): number {
  return usecs_to_jiffies((tp.srttUs >>> 3) + tp.rttvarUs);
}
export function tcp_bound_rto(sk: TcpSock): void {
  if (sk.icskRto > TCP_RTO_MAX) sk.icskRto = TCP_RTO_MAX;
}
export function tcp_min_rtt(tp: TcpSock): number {
  return tp.rttMin.length ? tp.rttMin[0].v : 0xffffffff;
}
export function tcp_probe0_base(sk: TcpSock): number {
  return Math.max(sk.icskRto, TCP_RTO_MIN);
}
/** tcp_probe0_when: a window probe's backoff */
export function tcp_probe0_when(sk: TcpSock, maxWhen: number): number {
  const backoff = Math.min(Math.floor(Math.log2(TCP_RTO_MAX / TCP_RTO_MIN)) + 1, sk.icskBackoff);
  return Math.min(tcp_probe0_base(sk) * 2 ** backoff, maxWhen);
}
export function inet_csk_rto_backoff(sk: TcpSock, maxWhen: number): number {
  return Math.min(sk.icskRto * 2 ** sk.icskBackoff, maxWhen);
}
export function tcp_init_wl(tp: TcpSock, seq: number): void {
  tp.sndWl1 = seq;
}
export function tcp_update_wl(tp: TcpSock, seq: number): void {
  tp.sndWl1 = seq;
}
export function tcp_sack_reset(tp: TcpSock): void {
  tp.rxOpt.dsack = 0;
  tp.rxOpt.numSacks = 0;
}
export function tcp_clear_options(o: TcpSock['rxOpt']): void {
  o.tstampOk = o.sackOk = o.wscaleOk = o.sndWscale = 0;
}
export function keepalive_intvl_when(sk: TcpSock): number {
  return sk.keepaliveIntvl || sk.net.sysctl.tcp.keepaliveIntvl;
}
export function keepalive_time_when(sk: TcpSock): number {
  return sk.keepaliveTime || sk.net.sysctl.tcp.keepaliveTime;
}
export function keepalive_probes(sk: TcpSock): number {
  return sk.keepaliveProbes || sk.net.sysctl.tcp.keepaliveProbes;
}
export function tcp_fin_time(sk: TcpSock): number {
  let finTimeout = sk.linger2 || sk.net.sysctl.tcp.finTimeout;
  const rto = sk.icskRto;
  if (finTimeout < rto * 4 - (rto >>> 1)) finTimeout = rto * 4 - (rto >>> 1);
  return finTimeout;
}
export function tcp_paws_check(rx: TcpSock['rxOpt'], pawsWin: number, nowSeconds: number): boolean {
  if (((rx.tsRecent - rx.rcvTsval) | 0) <= pawsWin) return true;
  if (!(nowSeconds - (rx.tsRecentStamp + TCP_PAWS_WRAP) < 0)) return true;
  // Some OSes send SYN and SYNACK messages with tsval=0 tsecr=0, then start sending nonzero tsvals.
  if (!rx.tsRecent) return true;
  return false;
}
export function tcp_paws_reject(rx: TcpSock['rxOpt'], rst: boolean, nowSeconds: number): boolean {
  if (tcp_paws_check(rx, 0, nowSeconds)) return false;
  // RST segments are not recommended to carry timestamp, and, if they do, it is recommended to ignore
  // PAWS because "their cleanup function should take precedence over timestamps."
  if (rst && nowSeconds >= rx.tsRecentStamp + TCP_PAWS_MSL) return false;
  return true;
}
export function tcp_write_queue_empty(sk: TcpSock): boolean {
  return sk.writeQueue.length === 0;
}
export function tcp_rtx_queue_empty(sk: TcpSock): boolean {
  return sk.rtxQueue.length === 0;
}
export function tcp_rtx_and_write_queues_empty(sk: TcpSock): boolean {
  return tcp_rtx_queue_empty(sk) && tcp_write_queue_empty(sk);
}
export function tcp_send_head(sk: TcpSock): SkBuff | null {
  return sk.writeQueue[0] ?? null;
}
export function tcp_write_queue_tail(sk: TcpSock): SkBuff | null {
  return sk.writeQueue.length ? sk.writeQueue[sk.writeQueue.length - 1] : null;
}
export function tcp_rtx_queue_head(sk: TcpSock): SkBuff | null {
  return sk.rtxQueue[0] ?? null;
}
export function tcp_rtx_queue_tail(sk: TcpSock): SkBuff | null {
  return sk.rtxQueue.length ? sk.rtxQueue[sk.rtxQueue.length - 1] : null;
}
export function tcp_skb_is_last(sk: TcpSock, skb: SkBuff): boolean {
  return tcp_write_queue_tail(sk) === skb;
}
/** tcp_highest_sack_seq */
export function tcp_highest_sack_seq(tp: TcpSock): number {
  if (!tp.sackedOut) return tp.sndUna;
  if (tp.highestSack === null) return tp.sndNxt;
  return tp.highestSack.tcb!.seq;
}
export function tcp_skb_can_collapse_to(skb: SkBuff): boolean {
  return !skb.tcb!.eor;
}
/** tcp_skb_can_collapse: MPTCP is not modelled; both or neither must be pure zerocopy (skb_pure_zcopy_same). */
export function tcp_skb_can_collapse(to: SkBuff, from: SkBuff): boolean {
  return to.tcb!.eor === 0 && to.zcopyPure === from.zcopyPure;
}
/** tcp_skb_sent_after: t1 sent after t2, ties broken by sequence */
export function tcp_skb_sent_after(t1: number, t2: number, seq1: number, seq2: number): boolean {
  return t1 > t2 || (t1 === t2 && after(seq1, seq2));
}
export function tcp_stream_is_thin(tp: TcpSock): boolean {
  return tp.packetsOut < 4 && !tcp_in_initial_slowstart(tp);
}
export function inet_csk_in_pingpong_mode(sk: TcpSock): boolean {
  return sk.icskAck.pingpong >= sk.net.sysctl.tcp.pingpongThresh;
}
export function inet_csk_enter_pingpong_mode(sk: TcpSock): void {
  sk.icskAck.pingpong = sk.net.sysctl.tcp.pingpongThresh;
}
export function inet_csk_exit_pingpong_mode(sk: TcpSock): void {
  sk.icskAck.pingpong = 0;
}
export function inet_csk_inc_pingpong_cnt(sk: TcpSock): void {
  if (sk.icskAck.pingpong < 255) sk.icskAck.pingpong++;
}
export function inet_csk_schedule_ack(sk: TcpSock): void {
  sk.icskAck.pending |= ICSK_ACK_SCHED;
}
export function inet_csk_ack_scheduled(sk: TcpSock): boolean {
  return (sk.icskAck.pending & ICSK_ACK_SCHED) !== 0;
}
/** inet_csk_delack_init */
export function inet_csk_delack_init(sk: TcpSock): void {
  sk.icskAck = newIcskAck();
}
/** A zeroed icsk_ack. */
export function newIcskAck(): TcpSock['icskAck'] {
  return {
    pending: 0,
    quick: 0,
    pingpong: 0,
    retry: 0,
    ato: 0,
    lrcvtime: 0,
    timeout: 0,
    lastSegSize: 0,
    rcvMss: 0,
    dstQuickAck: 0,
  };
}
/** tcp_dec_quickack_mode */
export function tcp_dec_quickack_mode(sk: TcpSock): void {
  const icsk = sk.icskAck;
  if (icsk.quick) {
    // How many ACKs S/ACKing new data have we sent?
    icsk.quick--;
    if (!icsk.quick) icsk.ato = TCP_ATO_MIN;
  }
}
export function sock_flag(sk: TcpSock, flag: number): boolean {
  return (sk.flags & flag) !== 0;
}
export function sock_set_flag(sk: TcpSock, flag: number): void {
  sk.flags |= flag;
}
export function sock_reset_flag(sk: TcpSock, flag: number): void {
  sk.flags &= ~flag;
}
export function sk_acceptq_is_full(sk: TcpSock): boolean {
  return sk.ackBacklog > sk.maxAckBacklog;
}
export function inet_csk_reqsk_queue_is_full(sk: TcpSock): boolean {
  return sk.synQueueLen >= sk.maxAckBacklog;
}
/** sk_stream_memory_free / __sk_stream_memory_free (include/net/sock.h) */
export function sk_stream_memory_free(sk: TcpSock, wake: number): boolean {
  if (sk.wmemQueued >= sk.sndbuf) return false;
  // tcp_stream_memory_free
  const notsentBytes = (sk.writeSeq - sk.sndNxt) >>> 0;
  return notsentBytes << wake < tcp_notsent_lowat(sk);
}
export function tcp_notsent_lowat(sk: TcpSock): number {
  return sk.notsentLowat || sk.net.sysctl.tcp.notsentLowat;
}
/** sk_stream_wspace / __sk_stream_is_writeable */
export function __sk_stream_is_writeable(sk: TcpSock, wake: number): boolean {
  return sk.sndbuf - sk.wmemQueued >= sk.wmemQueued >>> 1 && sk_stream_memory_free(sk, wake);
}
/** tcp_inq */
export function tcp_inq(sk: TcpSock): number {
  return (sk.rcvNxt - sk.copiedSeq) | 0;
}
/** tcp_epollin_ready (include/net/tcp.h) */
export function tcp_epollin_ready(sk: TcpSock, target: number): boolean {
  const avail = (sk.rcvNxt - sk.copiedSeq) | 0;
  if (avail <= 0) return false;
  return avail >= target || tcp_rmem_pressure(sk) || tcp_receive_window(sk) <= sk.icskAck.rcvMss;
}
export function tcp_rmem_pressure(sk: TcpSock): boolean {
  const rcvbuf = sk.rcvbuf;
  const threshold = rcvbuf - (rcvbuf >> 3);
  return sk.rmemAlloc > threshold;
}
