/**
 * net/ipv4/tcp_rate.c: delivery rate sampling. Each sent skb remembers how much had been delivered and
 * when; its (S)ACK gives a rate sample (delivered / interval), which TCP_INFO reports (tcpi_delivery_rate)
 * and congestion control may use.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import type { TcpSock } from '../../include/linux/tcp';
import {
  TCPCB_RETRANS,
  TCPCB_SACKED_ACKED,
  TCP_SKB_CB,
  after,
  tcp_min_rtt,
  tcp_packets_in_flight,
  tcp_skb_sent_after,
  tcp_skb_timestamp_us,
  tcp_snd_cwnd,
  tcp_stamp_us_delta,
} from '../../include/net/tcp';

/** struct rate_sample */
export interface RateSample {
  priorMstamp: number;
  priorDelivered: number;
  priorDeliveredCe: number;
  delivered: number;
  deliveredCe: number;
  intervalUs: number;
  sndIntervalUs: number;
  rcvIntervalUs: number;
  rttUs: number;
  losses: number;
  ackedSacked: number;
  priorInFlight: number;
  lastEndSeq: number;
  isAppLimited: number;
  isRetrans: number;
  isAckDelayed: number;
}

export function newRateSample(): RateSample {
  return {
    priorMstamp: 0,
    priorDelivered: 0,
    priorDeliveredCe: 0,
    delivered: 0,
    deliveredCe: 0,
    intervalUs: 0,
    sndIntervalUs: 0,
    rcvIntervalUs: 0,
    rttUs: -1,
    losses: 0,
    ackedSacked: 0,
    priorInFlight: 0,
    lastEndSeq: 0,
    isAppLimited: 0,
    isRetrans: 0,
    isAckDelayed: 0,
  };
}

/** tcp_rate_skb_sent: snapshot the connection's delivery state on the skb being sent. */
export function tcp_rate_skb_sent(_ctx: KernelCtx, sk: TcpSock, skb: SkBuff): void {
  const tcb = TCP_SKB_CB(skb);
  // In general we need to start delivery rate samples from the time we received the most recent ACK, to
  // ensure we include the full time the network needs to deliver all in-flight packets. If there are no
  // packets in flight yet, then we know that any ACKs after now indicate that the network was able to
  // deliver those packets completely in the sampling interval between now and the next ACK.
  if (!sk.packetsOut) {
    const tstampUs = tcp_skb_timestamp_us(skb);
    sk.firstTxMstamp = tstampUs;
    sk.deliveredMstamp = tstampUs;
  }
  tcb.tx.firstTxMstamp = sk.firstTxMstamp;
  tcb.tx.deliveredMstamp = sk.deliveredMstamp;
  tcb.tx.delivered = sk.delivered;
  tcb.tx.deliveredCe = sk.deliveredCe;
  tcb.tx.isAppLimited = sk.appLimited ? 1 : 0;
}

/** tcp_rate_skb_delivered: an skb is (S)ACKed: keep the latest-sent one's snapshot for the sample. */
export function tcp_rate_skb_delivered(sk: TcpSock, skb: SkBuff, rs: RateSample): void {
  const scb = TCP_SKB_CB(skb);
  if (!scb.tx.deliveredMstamp) return;
  const txTstamp = tcp_skb_timestamp_us(skb);
  if (!rs.priorDelivered || tcp_skb_sent_after(txTstamp, sk.firstTxMstamp, scb.endSeq, rs.lastEndSeq)) {
    rs.priorDeliveredCe = scb.tx.deliveredCe;
    rs.priorDelivered = scb.tx.delivered;
    rs.priorMstamp = scb.tx.deliveredMstamp;
    rs.isAppLimited = scb.tx.isAppLimited;
    rs.isRetrans = scb.sacked & TCPCB_RETRANS;
    rs.lastEndSeq = scb.endSeq;
    // Record send time of most recently ACKed packet:
    sk.firstTxMstamp = txTstamp;
    // Find the duration of the "send phase" of this window:
    rs.intervalUs = tcp_stamp_us_delta(sk.firstTxMstamp, scb.tx.firstTxMstamp);
  }
  // Mark off the skb delivered once it's sacked to avoid being used again when it's cumulatively acked.
  if (scb.sacked & TCPCB_SACKED_ACKED) scb.tx.deliveredMstamp = 0;
}

/** tcp_rate_gen: the sample for this ACK. */
export function tcp_rate_gen(
  sk: TcpSock,
  delivered: number,
  lost: number,
  isSackReneg: boolean,
  rs: RateSample,
): void {
  // Clear app limited if bubble is acked and gone.
  if (sk.appLimited && after(sk.delivered, sk.appLimited)) sk.appLimited = 0;
  if (delivered) sk.deliveredMstamp = sk.tcpMstamp;
  rs.ackedSacked = delivered;
  rs.losses = lost;
  // Return an invalid sample if no timing information is available or in recovery from loss with SACK
  // reneging.
  if (!rs.priorMstamp || isSackReneg) {
    rs.delivered = -1;
    rs.intervalUs = -1;
    return;
  }
  rs.delivered = sk.delivered - rs.priorDelivered;
  rs.deliveredCe = (sk.deliveredCe - rs.priorDeliveredCe) & ((1 << 20) - 1);
  const sndUs = rs.intervalUs;
  const ackUs = tcp_stamp_us_delta(sk.tcpMstamp, rs.priorMstamp);
  rs.intervalUs = Math.max(sndUs, ackUs);
  rs.sndIntervalUs = sndUs;
  rs.rcvIntervalUs = ackUs;
  // Normally we expect interval_us >= min-rtt. Note that rate may still be over-estimated when a spuriously
  // retransmistted skb was first (s)acked because "interval_us" is under-estimated (up to an RTT).
  if (rs.intervalUs < tcp_min_rtt(sk)) {
    rs.intervalUs = -1;
    return;
  }
  // Record the last non-app-limited or the highest app-limited bw.
  if (!rs.isAppLimited || rs.delivered * sk.rateIntervalUs >= sk.rateDelivered * rs.intervalUs) {
    sk.rateDelivered = rs.delivered;
    sk.rateIntervalUs = rs.intervalUs;
    sk.rateAppLimited = rs.isAppLimited;
  }
}

/** tcp_rate_check_app_limited: if the application is not filling the pipe, mark the bubble. */
export function tcp_rate_check_app_limited(sk: TcpSock): void {
  if (
    // We have less than one packet to send.
    (sk.writeSeq - sk.sndNxt) >>> 0 < sk.mssCache &&
    // Nothing in sending host's qdisc queues or NIC tx queue.
    sk.wmemAlloc < 1 &&
    // We are not limited by CWND.
    tcp_packets_in_flight(sk) < tcp_snd_cwnd(sk) &&
    // All lost packets have been retransmitted.
    sk.lostOut <= sk.retransOut
  )
    sk.appLimited = sk.delivered + tcp_packets_in_flight(sk) || 1;
}
