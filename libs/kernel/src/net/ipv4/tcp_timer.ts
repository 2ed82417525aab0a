/**
 * net/ipv4/tcp_timer.c: TCP's timers. The retransmit timer (icsk_retransmit_timer) carries one pending event
 * at a time: RTO, zero-window probe, tail loss probe or RACK reordering timeout; the delayed-ACK timer sends
 * the ACK tcp_input held back; sk_timer runs keepalive and the FIN_WAIT2 timeout of an orphan. Each gives
 * up, in the end, with ETIMEDOUT (tcp_write_err).
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { RequestSock, TcpSock } from '../../include/linux/tcp';
import {
  HZ,
  ICSK_ACK_TIMER,
  ICSK_TIME_LOSS_PROBE,
  ICSK_TIME_PROBE0,
  ICSK_TIME_REO_TIMEOUT,
  ICSK_TIME_RETRANS,
  SOCK_DEAD,
  SOCK_KEEPOPEN,
  TCPF_DELACK_TIMER_DEFERRED,
  TCPF_WRITE_TIMER_DEFERRED,
  TCP_ATO_MIN,
  TCP_CA_Disorder,
  TCP_CA_Loss,
  TCP_CA_Recovery,
  TCP_DELACK_MAX,
  TCP_RESOURCE_PROBE_INTERVAL,
  TCP_RTO_MAX,
  TCP_RTO_MIN,
  TCP_THIN_LINEAR_RETRIES,
  TCP_TIMEWAIT_LEN,
  USEC_PER_MSEC,
  __tcp_set_rto,
  inet_csk_ack_scheduled,
  inet_csk_exit_pingpong_mode,
  inet_csk_in_pingpong_mode,
  inet_csk_rto_backoff,
  jiffies_to_msecs,
  jiffies_to_usecs,
  keepalive_intvl_when,
  keepalive_probes,
  keepalive_time_when,
  msecs_to_jiffies,
  sock_flag,
  tcp_fin_time,
  tcp_is_sack,
  tcp_jiffies32,
  tcp_mstamp_refresh,
  tcp_rto_min,
  tcp_rtx_queue_head,
  tcp_send_head,
  tcp_skb_timestamp_ts,
  tcp_skb_timestamp_us,
  tcp_stream_is_thin,
  tcp_time_stamp_ms,
  tcp_time_stamp_ts,
  tcp_write_queue_empty,
} from '../../include/net/tcp';
import {
  TCPF_CLOSE,
  TCPF_LISTEN,
  TCPF_SYN_RECV,
  TCPF_SYN_SENT,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT2,
  TCP_LISTEN,
  TCP_SYN_SENT,
} from '../../include/net/tcp_states';
import { LINUX_MIB } from '../../include/net/snmp';
import { kfn } from '../../include/net/trace';
import { ETIMEDOUT } from '../../include/linux/errno';
import { jiffies, mod_timer, timer_setup } from '../../kernel/time/timer';
import {
  inet_csk_delete_keepalive_timer,
  inet_csk_init_xmit_timers,
  inet_csk_reset_keepalive_timer,
  inet_csk_reset_xmit_timer,
  inet_rtx_syn_ack,
} from './inet_connection_sock';
import {
  tcp_mss_to_mtu,
  tcp_mtu_to_mss,
  tcp_pace_kick,
  tcp_retransmit_skb,
  tcp_send_ack,
  tcp_send_active_reset,
  tcp_send_loss_probe,
  tcp_send_probe0,
  tcp_sync_mss,
  tcp_timeout_init,
  tcp_write_wakeup,
} from './tcp_output';
import { tcp_rack_reo_timeout } from './tcp_recovery';
import { tcp_done_with_error, tcp_enter_loss, tcp_sack_compress_send_ack } from './tcp_input';
import { tcp_check_oom, tcp_done } from './tcp';
import { tcp_time_wait } from './tcp_minisocks';
import { tcp_fastopen_active_detect_blackhole } from './tcp_fastopen';

const F = {
  retransmitTimer: kfn('tcp_retransmit_timer', 'net/ipv4/tcp_timer.c', 'tcp', (o: string) => o),
  probeTimer: kfn('tcp_probe_timer', 'net/ipv4/tcp_timer.c', 'tcp', (o: string) => o),
  writeErr: kfn('tcp_write_err', 'net/ipv4/tcp_timer.c', 'tcp', (o: string) => o),
};

/** time_after(a, b) on jiffies */
function time_after(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

/** ilog2 */
function ilog2(n: number): number {
  return 31 - Math.clz32(n);
}

/**
 * tcp_rto_delta_us (include/net/tcp.h): how long until the RTO of the oldest outstanding segment fires.
 */
export function tcp_rto_delta_us(_ctx: KernelCtx, sk: TcpSock): number {
  const skb = tcp_rtx_queue_head(sk);
  const rto = sk.icskRto;
  if (skb) {
    const rtoTimeStampUs = tcp_skb_timestamp_us(skb) + jiffies_to_usecs(rto);
    return rtoTimeStampUs - sk.tcpMstamp;
  }
  // WARN_ONCE("rtx queue empty")
  return jiffies_to_usecs(rto);
}

/** keepalive_time_elapsed (include/net/tcp.h) */
function keepalive_time_elapsed(ctx: KernelCtx, tp: TcpSock): number {
  // TODO(contract): move to include/net/tcp.ts
  const now = tcp_jiffies32(ctx);
  return Math.min((now - tp.icskAck.lrcvtime) >>> 0, (now - tp.rcvTstamp) >>> 0);
}

/** tcp_clamp_rto_to_user_timeout: an RTO that does not outlive TCP_USER_TIMEOUT. */
export function tcp_clamp_rto_to_user_timeout(sk: TcpSock): number {
  const userTimeout = sk.icskUserTimeout;
  if (!userTimeout) return sk.icskRto;
  let elapsed = (tcp_time_stamp_ts(sk) - sk.retransStamp) >>> 0;
  if (sk.tcpUsecTs) elapsed = Math.floor(elapsed / USEC_PER_MSEC);
  const remaining = (userTimeout - elapsed) | 0;
  if (remaining <= 0) return 1; // user timeout has passed; fire ASAP
  return Math.min(sk.icskRto, msecs_to_jiffies(remaining));
}

/** tcp_write_err: close the socket and save the error (the soft error an ICMP left, else ETIMEDOUT). */
export function tcp_write_err(ctx: KernelCtx, sk: TcpSock): void {
  // The trace shows it on the segment that was never acknowledged, before the purge frees it.
  const skb = tcp_rtx_queue_head(sk) ?? tcp_send_head(sk);
  if (skb) ctx.step(skb, F.writeErr, `${sk.errSoft ? 'soft error' : 'ETIMEDOUT'}, TCPAbortOnTimeout++`);
  tcp_done_with_error(ctx, sk, sk.errSoft || ETIMEDOUT);
  sk.net.linuxMib[LINUX_MIB.TCPAbortOnTimeout]++;
}

/**
 * tcp_out_of_resources: an orphan whose retransmits or probes time out is killed early when orphans are too
 * many or memory is short (tcp_check_oom), or when its namespace is going away.
 */
export function tcp_out_of_resources(ctx: KernelCtx, sk: TcpSock, doReset: boolean): boolean {
  let shift = 0;
  // If peer does not open window for long time, or did not transmit anything for long time, penalize it.
  if (((tcp_jiffies32(ctx) - sk.lsndtime) | 0) > 2 * TCP_RTO_MAX || !doReset) shift++;
  // If some dubious ICMP arrived, penalize even more.
  if (sk.errSoft) shift++;
  if (tcp_check_oom(sk, shift)) {
    // Catch exceptional cases, when connection requires reset: 1. last segment was sent recently,
    // 2. window is closed.
    if (((tcp_jiffies32(ctx) - sk.lsndtime) | 0) <= TCP_TIMEWAIT_LEN || (!sk.sndWnd && !sk.packetsOut))
      doReset = true;
    if (doReset) tcp_send_active_reset(ctx, sk, 'TCP_ABORT_ON_MEMORY');
    tcp_done(ctx, sk);
    sk.net.linuxMib[LINUX_MIB.TCPAbortOnMemory]++;
    return true;
  }
  if (!sk.net.alive) {
    // Not possible to send reset; just close.
    tcp_done(ctx, sk);
    return true;
  }
  return false;
}

/** tcp_orphan_retries: how many retries an orphan gets (net.ipv4.tcp_orphan_retries, 0 meaning 8). */
function tcp_orphan_retries(sk: TcpSock, alive: boolean): number {
  let retries = sk.net.sysctl.tcp.orphanRetries; // May be zero.
  // We know from an ICMP that something is wrong.
  if (sk.errSoft && !alive) retries = 0;
  // However, if socket sent something recently, select some safe number of retries. 8 corresponds to
  // >100 seconds with minimal RTO of 200msec.
  if (retries === 0 && alive) retries = 8;
  return retries;
}

/** tcp_mtu_probing: black hole detection after tcp_retries1 timeouts (net.ipv4.tcp_mtu_probing). */
function tcp_mtu_probing(ctx: KernelCtx, sk: TcpSock): void {
  const tcp = sk.net.sysctl.tcp;
  if (!tcp.mtuProbing) return;
  if (!sk.icskMtup.enabled) {
    sk.icskMtup.enabled = true;
    sk.icskMtup.probeTimestamp = tcp_jiffies32(ctx);
  } else {
    let mss = tcp_mtu_to_mss(sk, sk.icskMtup.searchLow) >> 1;
    mss = Math.min(tcp.baseMss, mss);
    mss = Math.max(mss, tcp.mtuProbeFloor);
    mss = Math.max(mss, tcp.minSndMss);
    sk.icskMtup.searchLow = tcp_mss_to_mtu(sk, mss);
  }
  tcp_sync_mss(sk, sk.icskPmtuCookie);
}

/** tcp_model_timeout: the time (ms) `boundary` exponentially backed-off retransmits take from `rtoBase`. */
function tcp_model_timeout(boundary: number, rtoBase: number): number {
  const linearBackoffThresh = ilog2(Math.floor(TCP_RTO_MAX / rtoBase));
  let timeout: number;
  if (boundary <= linearBackoffThresh) timeout = ((2 << boundary) - 1) * rtoBase;
  else timeout = ((2 << linearBackoffThresh) - 1) * rtoBase + (boundary - linearBackoffThresh) * TCP_RTO_MAX;
  return jiffies_to_msecs(timeout);
}

/**
 * retransmits_timed_out: has the connection been retransmitting for as long as `boundary` backed-off
 * retransmits from TCP_RTO_MIN (or from the initial RTO, for SYNs) take? `timeout` (ms) overrides that.
 */
export function retransmits_timed_out(sk: TcpSock, boundary: number, timeout: number): boolean {
  if (!sk.icskRetransmits) return false;
  const startTs = sk.retransStamp;
  if (timeout === 0) {
    let rtoBase = TCP_RTO_MIN;
    if ((1 << sk.state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) rtoBase = tcp_timeout_init(sk);
    timeout = tcp_model_timeout(boundary, rtoBase);
  }
  if (sk.tcpUsecTs) {
    // delta maybe off up to a jiffy due to timer granularity.
    const delta = (sk.tcpMstamp - startTs + jiffies_to_usecs(1)) >>> 0;
    return ((delta - timeout * USEC_PER_MSEC) | 0) >= 0;
  }
  return ((tcp_time_stamp_ts(sk) - startTs - timeout) | 0) >= 0;
}

/** __dst_negative_advice → ipv4_negative_advice: drop a cached route that is stale. */
function __dst_negative_advice(sk: TcpSock): void {
  const dst = sk.dstCache;
  // dst->obsolete > 0: the FIB changed since the route was cached.
  if (dst && dst.genid !== sk.net.rtGenid) sk.dstCache = null;
}

/** __sk_dst_reset */
function __sk_dst_reset(sk: TcpSock): void {
  sk.dstCache = null;
}

/**
 * tcp_write_timeout: a write timeout has occurred; true when the connection is now dead (SYN retries,
 * tcp_retries2 or TCP_USER_TIMEOUT exhausted, or an orphan killed).
 */
export function tcp_write_timeout(ctx: KernelCtx, sk: TcpSock): boolean {
  const net = sk.net;
  let expired = false;
  let retryUntil: number;
  if ((1 << sk.state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
    if (sk.icskRetransmits) __dst_negative_advice(sk);
    retryUntil = sk.icskSynRetries || net.sysctl.tcp.synRetries;
    let maxRetransmits = retryUntil;
    if (sk.state === TCP_SYN_SENT) maxRetransmits += net.sysctl.tcp.synLinearTimeouts;
    expired = sk.icskRetransmits >= maxRetransmits;
  } else {
    if (retransmits_timed_out(sk, net.sysctl.tcp.retries1, 0)) {
      // Black hole detection
      tcp_mtu_probing(ctx, sk);
      __dst_negative_advice(sk);
    }
    retryUntil = net.sysctl.tcp.retries2;
    if (sock_flag(sk, SOCK_DEAD)) {
      const alive = sk.icskRto < TCP_RTO_MAX;
      retryUntil = tcp_orphan_retries(sk, alive);
      const doReset = alive || !retransmits_timed_out(sk, retryUntil, 0);
      if (tcp_out_of_resources(ctx, sk, doReset)) return true;
    }
  }
  if (!expired) expired = retransmits_timed_out(sk, retryUntil, sk.icskUserTimeout);
  tcp_fastopen_active_detect_blackhole(ctx, sk, expired);
  if (expired) {
    // Has it gone just too far?
    tcp_write_err(ctx, sk);
    return true;
  }
  // sk_rethink_txhash: every TCP socket has a txhash and net.core.txrehash is on by default.
  sk.timeoutRehash++;
  net.linuxMib[LINUX_MIB.TcpTimeoutRehash]++;
  return false;
}

/** tcp_delack_timer_handler: the delayed ACK is due: send it, and widen the ACK timeout (ato). */
export function tcp_delack_timer_handler(ctx: KernelCtx, sk: TcpSock): void {
  if ((1 << sk.state) & (TCPF_CLOSE | TCPF_LISTEN)) return;
  // Handling the sack compression case
  if (sk.compressedAck) {
    tcp_mstamp_refresh(ctx, sk);
    tcp_sack_compress_send_ack(ctx, sk);
    return;
  }
  if (!(sk.icskAck.pending & ICSK_ACK_TIMER)) return;
  if (time_after(sk.icskAck.timeout, jiffies(ctx))) {
    mod_timer(ctx, sk.icskDelackTimer, sk.icskAck.timeout);
    return;
  }
  sk.icskAck.pending &= ~ICSK_ACK_TIMER;
  if (inet_csk_ack_scheduled(sk)) {
    if (!inet_csk_in_pingpong_mode(sk)) {
      // Delayed ACK missed: inflate ATO.
      sk.icskAck.ato = Math.min(sk.icskAck.ato << 1, sk.icskRto, TCP_DELACK_MAX);
    } else {
      // Delayed ACK missed: leave pingpong mode and deflate ATO.
      inet_csk_exit_pingpong_mode(sk);
      sk.icskAck.ato = TCP_ATO_MIN;
    }
    tcp_mstamp_refresh(ctx, sk);
    tcp_send_ack(ctx, sk);
    sk.net.linuxMib[LINUX_MIB.DelayedACKs]++;
  }
}

/** tcp_delack_timer: run the handler, or leave it to release_sock (tcp_release_cb) if the socket is owned. */
export function tcp_delack_timer(ctx: KernelCtx, sk: TcpSock): void {
  if (!sk.owned) {
    tcp_delack_timer_handler(ctx, sk);
  } else {
    sk.net.linuxMib[LINUX_MIB.DelayedACKLocked]++;
    // deleguate our work to tcp_release_cb()
    sk.tsqFlags |= TCPF_DELACK_TIMER_DEFERRED;
  }
}

/**
 * tcp_probe_timer: the zero-window probe timer. RFC 1122 4.2.2.17: probe for as long as the receiver answers;
 * only an orphan or TCP_USER_TIMEOUT gives up.
 */
export function tcp_probe_timer(ctx: KernelCtx, sk: TcpSock): void {
  const skb = tcp_send_head(sk);
  if (sk.packetsOut || !skb) {
    sk.icskProbesOut = 0;
    sk.icskProbesTstamp = 0;
    return;
  }
  let abort = false;
  if (!sk.icskProbesTstamp) {
    sk.icskProbesTstamp = tcp_jiffies32(ctx);
  } else {
    const userTimeout = sk.icskUserTimeout;
    if (userTimeout && ((tcp_jiffies32(ctx) - sk.icskProbesTstamp) | 0) >= msecs_to_jiffies(userTimeout))
      abort = true;
  }
  let maxProbes = sk.net.sysctl.tcp.retries2;
  if (!abort && sock_flag(sk, SOCK_DEAD)) {
    const alive = inet_csk_rto_backoff(sk, TCP_RTO_MAX) < TCP_RTO_MAX;
    maxProbes = tcp_orphan_retries(sk, alive);
    if (!alive && sk.icskBackoff >= maxProbes) abort = true;
    else if (tcp_out_of_resources(ctx, sk, true)) return;
  }
  if (abort || sk.icskProbesOut >= maxProbes) {
    tcp_write_err(ctx, sk);
  } else {
    // Only send another probe if we didn't close things up.
    ctx.step(skb, F.probeTimer, `zero window: probe ${sk.icskProbesOut + 1}`);
    tcp_send_probe0(ctx, sk);
  }
}

/** tcp_update_rto_stats: ss -i's rto counters (icsk_retransmits, total_rto, total_rto_recoveries). */
function tcp_update_rto_stats(sk: TcpSock): void {
  if (!sk.icskRetransmits) {
    sk.totalRtoRecoveries++;
    sk.rtoStamp = tcp_time_stamp_ms(sk);
  }
  sk.icskRetransmits++;
  sk.totalRto++;
}

/**
 * tcp_fastopen_synack_timer: retransmit the SYN-ACK of a passive Fast Open child (sk is the child, not the
 * listener: the request sock is not in the SYN queue).
 */
export function tcp_fastopen_synack_timer(ctx: KernelCtx, sk: TcpSock, req: RequestSock): void {
  tcp_syn_ack_timeout(req);
  // Add one more retry for fastopen.
  const maxRetries = sk.icskSynRetries || sk.net.sysctl.tcp.synackRetries + 1;
  if (req.numTimeout >= maxRetries) {
    tcp_write_err(ctx, sk);
    return;
  }
  // Lower cwnd after certain SYNACK timeout like tcp_init_transfer()
  if (sk.icskRetransmits === 1) tcp_enter_loss(ctx, sk);
  // XXX (TFO) - Unlike regular SYN-ACK retransmit, we ignore error returned from rtx_syn_ack() to make it
  // more persistent like regular retransmit because if the child socket has been accepted it's not good to
  // give up too easily.
  inet_rtx_syn_ack(ctx, sk, req);
  req.numTimeout++;
  tcp_update_rto_stats(sk);
  if (!sk.retransStamp) sk.retransStamp = tcp_time_stamp_ts(sk);
  inet_csk_reset_xmit_timer(ctx, sk, ICSK_TIME_RETRANS, req.timeout * 2 ** req.numTimeout, TCP_RTO_MAX);
}

/** tcp_rtx_probe0_timed_out: a zero window that has not opened for too long (rtxDelta in ms). */
function tcp_rtx_probe0_timed_out(sk: TcpSock, rtxDelta: number): boolean {
  const userTimeout = sk.icskUserTimeout;
  let timeout = TCP_RTO_MAX * 2;
  if (userTimeout) {
    // If user application specified a TCP_USER_TIMEOUT, it does not want win 0 packets to 'reset the timer'
    // while retransmits are not making progress.
    if (rtxDelta > userTimeout) return true;
    timeout = Math.min(timeout, msecs_to_jiffies(userTimeout));
  }
  // Note: timer interrupt might have been delayed by at least one jiffy, and tp->rcv_tstamp might very well
  // have been written recently. rcv_delta can thus be negative.
  const rcvDelta = (sk.icskTimeout - sk.rcvTstamp) | 0;
  if (rcvDelta <= timeout) return false;
  return msecs_to_jiffies(rtxDelta) > timeout;
}

/**
 * tcp_retransmit_timer: the RTO fired. Enter Loss, resend the head of the retransmit queue and back the
 * timer off (double the RTO, up to TCP_RTO_MAX); or give up (tcp_write_timeout).
 */
export function tcp_retransmit_timer(ctx: KernelCtx, sk: TcpSock): void {
  const net = sk.net;
  const req = sk.fastopenRsk;
  if (req) {
    // WARN_ON_ONCE(state != SYN_RECV && state != FIN_WAIT1)
    tcp_fastopen_synack_timer(ctx, sk, req);
    // Before we receive ACK to our SYN-ACK don't retransmit anything else (e.g., data or FIN segments).
    return;
  }
  if (!sk.packetsOut) return;
  const skb = tcp_rtx_queue_head(sk);
  if (!skb) return; // WARN_ON_ONCE

  let resetTimer = true;
  if (!sk.sndWnd && !sock_flag(sk, SOCK_DEAD) && !((1 << sk.state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))) {
    // Receiver dastardly shrinks window. Our retransmits become zero probes, but we should not timeout this
    // connection. If the socket is an orphan, time it out, we cannot allow such beasts to hang infinitely.
    let rtxDelta =
      (tcp_time_stamp_ts(sk) - (sk.retransStamp || tcp_skb_timestamp_ts(sk.tcpUsecTs, skb))) >>> 0;
    if (sk.tcpUsecTs) rtxDelta = Math.floor(rtxDelta / USEC_PER_MSEC);
    if (tcp_rtx_probe0_timed_out(sk, rtxDelta)) {
      tcp_write_err(ctx, sk);
      return;
    }
    ctx.step(skb, F.retransmitTimer, `probing zero window, lasting ${rtxDelta} ms`);
    tcp_enter_loss(ctx, sk);
    tcp_retransmit_skb(ctx, sk, skb, 1);
    __sk_dst_reset(sk);
  } else {
    net.linuxMib[LINUX_MIB.TCPTimeouts]++;
    if (tcp_write_timeout(ctx, sk)) return;
    if (sk.icskRetransmits === 0) {
      let mibIdx = -1;
      if (sk.icskCaState === TCP_CA_Recovery) {
        mibIdx = tcp_is_sack(sk) ? LINUX_MIB.TCPSackRecoveryFail : LINUX_MIB.TCPRenoRecoveryFail;
      } else if (sk.icskCaState === TCP_CA_Loss) {
        mibIdx = LINUX_MIB.TCPLossFailures;
      } else if (sk.icskCaState === TCP_CA_Disorder || sk.sackedOut) {
        mibIdx = tcp_is_sack(sk) ? LINUX_MIB.TCPSackFailures : LINUX_MIB.TCPRenoFailures;
      }
      if (mibIdx >= 0) net.linuxMib[mibIdx]++;
    }
    tcp_enter_loss(ctx, sk);
    tcp_update_rto_stats(sk);
    const head = tcp_rtx_queue_head(sk)!;
    ctx.step(
      head,
      F.retransmitTimer,
      `RTO #${sk.icskRetransmits} (rto ${jiffies_to_msecs(sk.icskRto)} ms), TCPTimeouts++, enter Loss`,
    );
    if (tcp_retransmit_skb(ctx, sk, head, 1) > 0) {
      // Retransmission failed because of local congestion, Let senders fight for local resources
      // conservatively.
      inet_csk_reset_xmit_timer(ctx, sk, ICSK_TIME_RETRANS, TCP_RESOURCE_PROBE_INTERVAL, TCP_RTO_MAX);
      resetTimer = false;
    }
  }
  if (!resetTimer) return;

  // out_reset_timer: if stream is thin, use linear timeouts (up to TCP_THIN_LINEAR_RETRIES); else back off
  // exponentially, unless a SYN still has its tcp_syn_linear_timeouts to go.
  if (
    sk.state === TCP_ESTABLISHED &&
    (sk.thinLto || net.sysctl.tcp.thinLinearTimeouts) &&
    tcp_stream_is_thin(sk) &&
    sk.icskRetransmits <= TCP_THIN_LINEAR_RETRIES
  ) {
    sk.icskBackoff = 0;
    sk.icskRto = Math.min(Math.max(__tcp_set_rto(sk), tcp_rto_min(sk)), TCP_RTO_MAX);
  } else if (sk.state !== TCP_SYN_SENT || sk.totalRto > net.sysctl.tcp.synLinearTimeouts) {
    // Use normal (exponential) backoff unless linear timeouts are activated.
    sk.icskBackoff++;
    sk.icskRto = Math.min(sk.icskRto << 1, TCP_RTO_MAX);
  }
  inet_csk_reset_xmit_timer(ctx, sk, ICSK_TIME_RETRANS, tcp_clamp_rto_to_user_timeout(sk), TCP_RTO_MAX);
  if (retransmits_timed_out(sk, net.sysctl.tcp.retries1 + 1, 0)) __sk_dst_reset(sk);
}

/** tcp_write_timer_handler: dispatch the retransmit timer's pending event. */
export function tcp_write_timer_handler(ctx: KernelCtx, sk: TcpSock): void {
  if ((1 << sk.state) & (TCPF_CLOSE | TCPF_LISTEN) || !sk.icskPending) return;
  if (time_after(sk.icskTimeout, jiffies(ctx))) {
    mod_timer(ctx, sk.icskRetransmitTimer, sk.icskTimeout);
    return;
  }
  tcp_mstamp_refresh(ctx, sk);
  const event = sk.icskPending;
  switch (event) {
    case ICSK_TIME_REO_TIMEOUT:
      tcp_rack_reo_timeout(ctx, sk);
      break;
    case ICSK_TIME_LOSS_PROBE:
      tcp_send_loss_probe(ctx, sk);
      break;
    case ICSK_TIME_RETRANS:
      sk.icskPending = 0;
      tcp_retransmit_timer(ctx, sk);
      break;
    case ICSK_TIME_PROBE0:
      sk.icskPending = 0;
      tcp_probe_timer(ctx, sk);
      break;
  }
}

/** tcp_write_timer: icsk_retransmit_timer's function. */
export function tcp_write_timer(ctx: KernelCtx, sk: TcpSock): void {
  if (!sk.owned) tcp_write_timer_handler(ctx, sk);
  // delegate our work to tcp_release_cb()
  else sk.tsqFlags |= TCPF_WRITE_TIMER_DEFERRED;
}

/** tcp_syn_ack_timeout: a request's SYN-ACK timed out (reqsk_timer_handler). */
export function tcp_syn_ack_timeout(req: RequestSock): void {
  req.net.linuxMib[LINUX_MIB.TCPTimeouts]++;
}

/** tcp_set_keepalive: SO_KEEPALIVE on or off. */
export function tcp_set_keepalive(ctx: KernelCtx, sk: TcpSock, val: number | boolean): void {
  if ((1 << sk.state) & (TCPF_CLOSE | TCPF_LISTEN)) return;
  if (val && !sock_flag(sk, SOCK_KEEPOPEN)) inet_csk_reset_keepalive_timer(ctx, sk, keepalive_time_when(sk));
  else if (!val) inet_csk_delete_keepalive_timer(ctx, sk);
}

/**
 * tcp_keepalive_timer: sk_timer. For an orphan in FIN_WAIT2: its tcp_fin_timeout is up (or it moves to a
 * FIN_WAIT2 timewait bucket for the rest). Otherwise SO_KEEPALIVE: after keepalive_time idle, probe every
 * keepalive_intvl, and reset after keepalive_probes unanswered ones.
 */
export function tcp_keepalive_timer(ctx: KernelCtx, sk: TcpSock): void {
  // Only process if socket is not in use.
  if (sk.owned) {
    // Try again later.
    inet_csk_reset_keepalive_timer(ctx, sk, HZ / 20);
    return;
  }
  if (sk.state === TCP_LISTEN) return; // "Hmm... keepalive on a LISTEN ???"
  tcp_mstamp_refresh(ctx, sk);
  if (sk.state === TCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)) {
    if (sk.linger2 >= 0) {
      const tmo = tcp_fin_time(sk) - TCP_TIMEWAIT_LEN;
      if (tmo > 0) {
        tcp_time_wait(ctx, sk, TCP_FIN_WAIT2, tmo);
        return;
      }
    }
    tcp_send_active_reset(ctx, sk, 'TCP_STATE');
    tcp_done(ctx, sk);
    return;
  }
  if (!sock_flag(sk, SOCK_KEEPOPEN) || (1 << sk.state) & (TCPF_CLOSE | TCPF_SYN_SENT)) return;

  let elapsed = keepalive_time_when(sk);
  // It is alive without keepalive 8)
  if (!(sk.packetsOut || !tcp_write_queue_empty(sk))) {
    elapsed = keepalive_time_elapsed(ctx, sk);
    if (elapsed >= keepalive_time_when(sk)) {
      const userTimeout = sk.icskUserTimeout;
      // If the TCP_USER_TIMEOUT option is enabled, use that to determine when to timeout instead.
      if (
        (userTimeout !== 0 && elapsed >= msecs_to_jiffies(userTimeout) && sk.icskProbesOut > 0) ||
        (userTimeout === 0 && sk.icskProbesOut >= keepalive_probes(sk))
      ) {
        tcp_send_active_reset(ctx, sk, 'TCP_KEEPALIVE_TIMEOUT');
        tcp_write_err(ctx, sk);
        return;
      }
      if (tcp_write_wakeup(ctx, sk, LINUX_MIB.TCPKeepAlive) <= 0) {
        sk.icskProbesOut++;
        elapsed = keepalive_intvl_when(sk);
      } else {
        // If keepalive was lost due to local congestion, try harder.
        elapsed = TCP_RESOURCE_PROBE_INTERVAL;
      }
    } else {
      // It is tp->rcv_tstamp + keepalive_time_when(tp)
      elapsed = keepalive_time_when(sk) - elapsed;
    }
  }
  // resched:
  inet_csk_reset_keepalive_timer(ctx, sk, elapsed);
}

/** tcp_compressed_ack_kick: the SACK compression timer (an hrtimer in the kernel) sends the held ACK. */
export function tcp_compressed_ack_kick(ctx: KernelCtx, sk: TcpSock): void {
  if (!sk.owned) {
    if (sk.compressedAck) {
      // Since we have to send one ack finally, subtract one from tp->compressed_ack to keep
      // LINUX_MIB_TCPACKCOMPRESSED accurate.
      sk.compressedAck--;
      tcp_send_ack(ctx, sk);
    }
  } else {
    sk.tsqFlags |= TCPF_DELACK_TIMER_DEFERRED;
  }
}

/** tcp_init_xmit_timers: the three icsk timers, the pacing timer and the SACK compression timer. */
export function tcp_init_xmit_timers(sk: TcpSock): void {
  inet_csk_init_xmit_timers(sk);
  const host = sk.net.host;
  sk.pacingTimer = timer_setup(host, tcp_pace_kick, sk);
  sk.compressedAckTimer = timer_setup(host, tcp_compressed_ack_kick, sk);
}

// tcp_clamp_probe0_to_user_timeout (tcp_timer.c) lives in tcp_output.ts, next to its only caller.
