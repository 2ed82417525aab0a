/**
 * net/ipv4/tcp_recovery.c: RACK-TLP loss detection (RFC 8985): a segment is lost when one sent after it was
 * (S)ACKed and more than an RTT plus a reordering window has passed since it was sent; NewReno's marking
 * for connections without SACK.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import type { TcpSock } from '../../include/linux/tcp';
import {
  ICSK_TIME_REO_TIMEOUT,
  ICSK_TIME_RETRANS,
  TCPCB_LOST,
  TCPCB_RETRANS,
  TCPCB_SACKED_RETRANS,
  TCP_CA_Recovery,
  TCP_RACK_NO_DUPTHRESH,
  TCP_RACK_RECOVERY_THRESH,
  TCP_RACK_STATIC_REO_WND,
  TCP_SKB_CB,
  TCP_TIMEOUT_MIN_US,
  before,
  tcp_min_rtt,
  tcp_packets_in_flight,
  tcp_rtx_queue_head,
  tcp_skb_mss,
  tcp_skb_pcount,
  tcp_skb_sent_after,
  tcp_skb_timestamp_us,
  tcp_stamp_us_delta,
  usecs_to_jiffies,
} from '../../include/net/tcp';
import { inet_csk_reset_xmit_timer } from './inet_connection_sock';
import { tcp_cwnd_reduction, tcp_enter_recovery, tcp_mark_skb_lost, tcp_rearm_rto } from './tcp_input';
import { TCP_FRAG_IN_RTX_QUEUE, tcp_fragment, tcp_xmit_retransmit_queue } from './tcp_output';
import type { RateSample } from './tcp_rate';

/** tcp_rack_reo_wnd: the reordering window: 0 until reordering is seen (then min_rtt/4 steps). */
function tcp_rack_reo_wnd(sk: TcpSock): number {
  if (!sk.reordSeen) {
    // If reordering has not been observed, be aggressive during the recovery or starting the recovery by
    // DUPACK threshold.
    if (sk.icskCaState >= TCP_CA_Recovery) return 0;
    if (sk.sackedOut >= sk.reordering && !(sk.net.sysctl.tcp.recovery & TCP_RACK_NO_DUPTHRESH)) return 0;
  }
  // To be more reordering resilient, allow min_rtt/4 settling delay. Use min_rtt instead of the smoothed
  // RTT because reordering is often a path property and less related to queuing or delayed ACKs.
  return Math.min((tcp_min_rtt(sk) >>> 2) * sk.rackReoWndSteps, sk.srttUs >>> 3);
}

/** tcp_rack_skb_timeout: how long until `skb` counts as lost (<= 0: now). */
export function tcp_rack_skb_timeout(tp: TcpSock, skb: SkBuff, reoWnd: number): number {
  return tp.rackRttUs + reoWnd - tcp_stamp_us_delta(tp.tcpMstamp, tcp_skb_timestamp_us(skb));
}

/** tcp_rack_detect_loss: walk the time-sorted sent skbs older than the latest (S)ACKed one. */
function tcp_rack_detect_loss(sk: TcpSock): number {
  let reoTimeout = 0;
  const reoWnd = tcp_rack_reo_wnd(sk);
  for (const skb of [...sk.tsortedSentQueue]) {
    const scb = TCP_SKB_CB(skb);
    // Skip ones marked lost but not yet retransmitted.
    if (scb.sacked & TCPCB_LOST && !(scb.sacked & TCPCB_SACKED_RETRANS)) continue;
    if (!tcp_skb_sent_after(sk.rackMstamp, tcp_skb_timestamp_us(skb), sk.rackEndSeq, scb.endSeq)) break;
    // A packet is lost if it has not been s/acked beyond the recent RTT plus the reordering window.
    const remaining = tcp_rack_skb_timeout(sk, skb, reoWnd);
    if (remaining <= 0) {
      tcp_mark_skb_lost(sk, skb);
      const i = sk.tsortedSentQueue.indexOf(skb);
      if (i >= 0) sk.tsortedSentQueue.splice(i, 1);
    } else {
      // Record maximum wait time.
      reoTimeout = Math.max(reoTimeout, remaining);
    }
  }
  return reoTimeout;
}

/** tcp_rack_mark_lost: true if it armed the reordering timer. */
export function tcp_rack_mark_lost(ctx: KernelCtx, sk: TcpSock): boolean {
  if (!sk.rackAdvanced) return false;
  // Reset the advanced flag to avoid unnecessary queue scanning.
  sk.rackAdvanced = 0;
  let timeout = tcp_rack_detect_loss(sk);
  if (timeout) {
    timeout = usecs_to_jiffies(timeout + TCP_TIMEOUT_MIN_US);
    inet_csk_reset_xmit_timer(ctx, sk, ICSK_TIME_REO_TIMEOUT, timeout, sk.icskRto);
  }
  return !!timeout;
}

/** tcp_rack_advance: record the most recently (re)sent skb that was (S)ACKed. */
export function tcp_rack_advance(tp: TcpSock, sacked: number, endSeq: number, xmitTime: number): void {
  const rttUs = tcp_stamp_us_delta(tp.tcpMstamp, xmitTime);
  if (rttUs < tcp_min_rtt(tp) && sacked & TCPCB_RETRANS) {
    // If the sacked packet was retransmitted, it's ambiguous whether the retransmission or the original
    // (or the prior retransmission) was sacked.
    return;
  }
  tp.rackAdvanced = 1;
  tp.rackRttUs = rttUs;
  if (tcp_skb_sent_after(xmitTime, tp.rackMstamp, endSeq, tp.rackEndSeq)) {
    tp.rackMstamp = xmitTime;
    tp.rackEndSeq = endSeq;
  }
}

/** tcp_rack_reo_timeout: the reordering timer fired: mark what is now lost and retransmit it. */
export function tcp_rack_reo_timeout(ctx: KernelCtx, sk: TcpSock): void {
  const lost = sk.lost;
  const priorInflight = tcp_packets_in_flight(sk);
  tcp_rack_detect_loss(sk);
  if (priorInflight !== tcp_packets_in_flight(sk)) {
    if (sk.icskCaState !== TCP_CA_Recovery) {
      tcp_enter_recovery(ctx, sk, false);
      tcp_cwnd_reduction(sk, 1, sk.lost - lost, 0);
    }
    tcp_xmit_retransmit_queue(ctx, sk);
  }
  if (sk.icskPending !== ICSK_TIME_RETRANS) tcp_rearm_rto(ctx, sk);
}

/** tcp_rack_update_reo_wnd: widen the reordering window after a DSACK, for 16 recoveries. */
export function tcp_rack_update_reo_wnd(sk: TcpSock, rs: RateSample): void {
  if (sk.net.sysctl.tcp.recovery & TCP_RACK_STATIC_REO_WND || !rs.priorDelivered) return;
  // Disregard DSACK if a rtt has not passed since we adjusted reo_wnd.
  if (before(rs.priorDelivered, sk.rackLastDelivered)) sk.rackDsackSeen = 0;
  // Adjust the reo_wnd if update is pending.
  if (sk.rackDsackSeen) {
    sk.rackReoWndSteps = Math.min(0xff, sk.rackReoWndSteps + 1);
    sk.rackDsackSeen = 0;
    sk.rackLastDelivered = sk.delivered;
    sk.rackReoWndPersist = TCP_RACK_RECOVERY_THRESH;
  } else if (!sk.rackReoWndPersist) {
    sk.rackReoWndSteps = 1;
  }
}

/** tcp_newreno_mark_lost: without SACK, the head is lost after dupthresh dupacks or a partial ACK. */
export function tcp_newreno_mark_lost(ctx: KernelCtx, sk: TcpSock, sndUnaAdvanced: boolean): void {
  const state = sk.icskCaState;
  if (
    (state < TCP_CA_Recovery && sk.sackedOut >= sk.reordering) ||
    (state === TCP_CA_Recovery && sndUnaAdvanced)
  ) {
    const skb = tcp_rtx_queue_head(sk)!;
    if (TCP_SKB_CB(skb).sacked & TCPCB_LOST) return;
    const mss = tcp_skb_mss(skb);
    if (tcp_skb_pcount(skb) > 1 && skb.len > mss) tcp_fragment(ctx, sk, TCP_FRAG_IN_RTX_QUEUE, skb, mss, mss);
    tcp_mark_skb_lost(sk, skb);
  }
}
