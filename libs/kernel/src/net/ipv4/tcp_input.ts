/**
 * net/ipv4/tcp_input.c: what TCP does with a segment that reached its socket. The RFC 793 state machine
 * (tcp_rcv_state_process, tcp_rcv_synsent_state_process), the established fast and slow paths
 * (tcp_rcv_established), acknowledgment processing (tcp_ack: window update, SACK scoreboard, the
 * retransmit queue's cleaning, RTT samples, loss recovery and the congestion control's hooks), the receive
 * queue and its out-of-order queue, and when to acknowledge (delayed or now).
 *
 * A received skb arrives with skb.data at its TCP header (tcp_v4_rcv pulled the IP header) and its
 * TCP_SKB_CB filled by tcp_v4_fill_cb; data kept for the reader is pulled to its payload first.
 */
import { __skb_tstamp_tx } from '../core/skbuff';
import { SCM_TSTAMP_ACK } from '../../include/linux/net_tstamp';
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { skbPull, skbTruesize } from '../../include/linux/skbuff';
import type { Net } from '../../include/net/net_namespace';
import type {
  RequestSock,
  TcpFastopenCookie,
  TcpOptionsReceived,
  TcpSackBlock,
  TcpSock,
} from '../../include/linux/tcp';
import { newOptionsReceived } from '../../include/linux/tcp';
import * as T from '../../include/net/tcp';
import {
  TCP_SKB_CB,
  after,
  before,
  between,
  tcp_jiffies32,
  tcp_mstamp_refresh,
  tcp_packets_in_flight,
  tcp_skb_pcount,
  tcp_snd_cwnd,
  tcp_snd_cwnd_set,
  tcp_is_reno,
  tcp_is_sack,
  tcp_left_out,
  tcp_in_cwnd_reduction,
  tcp_receive_window,
  tcp_space,
  tcp_full_space,
  tcp_win_from_space,
  tcp_rtx_queue_head,
  tcp_rtx_queue_empty,
  tcp_write_queue_empty,
  tcp_send_head,
  tcp_skb_timestamp_us,
  tcp_stamp_us_delta,
  tcp_min_rtt,
  tcp_rto_min_us,
  tcp_bound_rto,
  __tcp_set_rto,
  tcp_update_wl,
  tcp_init_wl,
  tcp_highest_sack_seq,
  tcp_current_ssthresh,
  inet_csk_schedule_ack,
  inet_csk_ack_scheduled,
  inet_csk_in_pingpong_mode,
  inet_csk_exit_pingpong_mode,
  tcp_sack_reset,
  tcp_clear_options,
  tcp_paws_check,
  tcp_paws_reject,
  sock_flag,
  sock_set_flag,
  tcp_fin_time,
  keepalive_time_when,
  tcp_epollin_ready,
  __sk_stream_is_writeable,
  jiffies_to_usecs,
  usecs_to_jiffies,
  tcp_time_stamp_ts,
} from '../../include/net/tcp';
import {
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_CLOSING,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_LAST_ACK,
  TCP_LISTEN,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
  TCP_TIME_WAIT,
} from '../../include/net/tcp_states';
import { LINUX_MIB, TCP_MIB } from '../../include/net/snmp';
import { SKB_DROP_REASON, type SkbDropReason } from '../../include/net/dropreason-core';
import { kfn } from '../../include/net/trace';
import {
  sk_forced_mem_schedule,
  sk_mem_charge,
  sk_mem_uncharge,
  sk_rmem_schedule,
  sockDefReadable,
} from '../../include/net/sock';
import { ECONNREFUSED, ECONNRESET, EPIPE } from '../../include/linux/errno';
import * as tcpw from '@skblab/wire/tcp';
import { minmax_running_min } from '../../lib/win_minmax';
import { jiffies } from '../../kernel/time/timer';
import {
  inet_csk_clear_xmit_timer,
  inet_csk_reset_keepalive_timer,
  inet_csk_reset_xmit_timer,
  inet_csk_reqsk_queue_hash_add,
  inet_csk_reqsk_queue_add,
} from './inet_connection_sock';
import {
  __tcp_send_ack,
  tcp_send_ack,
  tcp_send_delayed_ack,
  tcp_sync_mss,
  tcp_mss_to_mtu,
  tcp_mtup_init,
  tcp_current_mss,
  tcp_push_pending_frames,
  tcp_xmit_retransmit_queue,
  tcp_rtx_queue_unlink_and_free,
  tcp_highest_sack_replace,
  tcp_trim_head,
  tcp_send_synack,
  tcp_write_queue_purge,
  tcp_schedule_loss_probe,
  tcp_reset_xmit_timer,
  __tcp_push_pending_frames,
  tcp_fragment,
  TCP_FRAG_IN_RTX_QUEUE,
  __tcp_select_window,
  tcp_timeout_init,
  tcp_v4_send_synack,
} from './tcp_output';
import { tcp_ca_event, tcp_init_congestion_control, tcp_set_ca_state } from './tcp_cong';
import { newRateSample, tcp_rate_gen, tcp_rate_skb_delivered, type RateSample } from './tcp_rate';
import {
  tcp_rack_advance,
  tcp_rack_mark_lost,
  tcp_rack_update_reo_wnd,
  tcp_newreno_mark_lost,
} from './tcp_recovery';
import { tcp_chrono_stop, tcp_done, tcp_set_state, tcp_shutdown } from './tcp';
import { tcp_fastopen_add_skb, tcp_fastopen_cache_set, tcp_try_fastopen } from './tcp_fastopen';
import { reqsk_fastopen_remove, tcp_check_req, tcp_openreq_init_rwin, tcp_time_wait } from './tcp_minisocks';
import { tcp_rto_delta_us } from './tcp_timer';
import {
  __sk_dst_get,
  inet_sk_rebuild_header,
  inet_sk_rx_dst_set,
  tcp_v4_conn_request,
  tcp_v4_init_seq_and_ts_off,
  tcp_v4_route_req,
  tcp_v4_reqsk_send_ack,
} from './tcp_ipv4';
import { cookie_v4_init_sequence } from './syncookies';
import { ipv4ToString } from '@skblab/wire/address';
import { tcp_init_cwnd } from './tcp_cong';
import {
  BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB,
  BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB,
  type BpfSockOpsKern,
} from '../../include/linux/bpf';
import { __cgroup_bpf_run_filter_sock_ops, cgroup_bpf_enabled } from '../../kernel/bpf/cgroup';
import { consumed, drop, queued, type Verdict } from '../../include/net/verdict';

// ---- trace ----------------------------------------------------------------------------------------------------

const F = {
  // Hot steps record numbers (o null) and render their text when read; rarer ones pass their text.
  rcvEstablished: kfn('tcp_rcv_established', 'net/ipv4/tcp_input.c', 'tcp', (o, bytes) =>
    typeof o === 'string' ? o : `fast path: ${bytes} bytes in order`,
  ),
  rcvStateProcess: kfn('tcp_rcv_state_process', 'net/ipv4/tcp_input.c', 'tcp'),
  rcvSynsent: kfn('tcp_rcv_synsent_state_process', 'net/ipv4/tcp_input.c', 'tcp'),
  validateIncoming: kfn('tcp_validate_incoming', 'net/ipv4/tcp_input.c', 'tcp'),
  ack: kfn('tcp_ack', 'net/ipv4/tcp_input.c', 'tcp', (o, una0, una, wnd, cwnd) =>
    typeof o === 'string' ? o : `snd_una ${una0} → ${una}, snd_wnd ${wnd}, cwnd ${cwnd}`,
  ),
  cleanRtxQueue: kfn(
    'tcp_clean_rtx_queue',
    'net/ipv4/tcp_input.c',
    'tcp',
    (_o, acked, out, srtt, rto) =>
      `${acked} packet(s) acked, packets_out ${out}, srtt ${srtt}us rto ${rto}ms`,
  ),
  sacktag: kfn('tcp_sacktag_write_queue', 'net/ipv4/tcp_input.c', 'tcp'),
  fastretransAlert: kfn('tcp_fastretrans_alert', 'net/ipv4/tcp_input.c', 'tcp'),
  dataQueue: kfn('tcp_data_queue', 'net/ipv4/tcp_input.c', 'tcp'),
  queueRcv: kfn(
    'tcp_queue_rcv',
    'net/ipv4/tcp_input.c',
    'tcp',
    (_o, nxt, qlen, rmem, rcvbuf) => `rcv_nxt ${nxt}, ${qlen} skb(s) queued, rmem ${rmem}/${rcvbuf}`,
  ),
  dataQueueOfo: kfn('tcp_data_queue_ofo', 'net/ipv4/tcp_input.c', 'tcp'),
  ofoQueue: kfn('tcp_ofo_queue', 'net/ipv4/tcp_input.c', 'tcp'),
  fin: kfn('tcp_fin', 'net/ipv4/tcp_input.c', 'tcp'),
  reset: kfn('tcp_reset', 'net/ipv4/tcp_input.c', 'tcp'),
  connRequest: kfn('tcp_conn_request', 'net/ipv4/tcp_input.c', 'tcp'),
  dataReady: kfn('tcp_data_ready', 'net/ipv4/tcp_input.c', 'tcp'),
  ackSndCheck: kfn('__tcp_ack_snd_check', 'net/ipv4/tcp_input.c', 'tcp'),
  challengeAck: kfn('tcp_send_challenge_ack', 'net/ipv4/tcp_input.c', 'tcp'),
  finishConnect: kfn('tcp_finish_connect', 'net/ipv4/tcp_input.c', 'tcp'),
  skopsEstablished: kfn(
    'bpf_skops_established',
    'net/ipv4/tcp_input.c',
    'tcp',
    (o: string) => `${o}: the cgroup's sock_ops program runs (BPF_CGROUP_RUN_PROG_SOCK_OPS)`,
  ),
  dropReason: kfn('tcp_drop_reason', 'net/ipv4/tcp_input.c', 'tcp'),
  sendDupack: kfn('tcp_send_dupack', 'net/ipv4/tcp_input.c', 'tcp'),
};

// ---- tcp_ack's flags ------------------------------------------------------------------------------------------

export const FLAG_DATA = 0x01;
export const FLAG_WIN_UPDATE = 0x02;
export const FLAG_DATA_ACKED = 0x04;
export const FLAG_RETRANS_DATA_ACKED = 0x08;
export const FLAG_SYN_ACKED = 0x10;
export const FLAG_DATA_SACKED = 0x20;
export const FLAG_ECE = 0x40;
export const FLAG_LOST_RETRANS = 0x80;
export const FLAG_SLOWPATH = 0x100;
export const FLAG_ORIG_SACK_ACKED = 0x200;
export const FLAG_SND_UNA_ADVANCED = 0x400;
export const FLAG_DSACKING_ACK = 0x800;
export const FLAG_SET_XMIT_TIMER = 0x1000;
export const FLAG_SACK_RENEGING = 0x2000;
export const FLAG_UPDATE_TS_RECENT = 0x4000;
export const FLAG_NO_CHALLENGE_ACK = 0x8000;
export const FLAG_ACK_MAYBE_DELAYED = 0x10000;
export const FLAG_DSACK_TLP = 0x20000;

const FLAG_ACKED = FLAG_DATA_ACKED | FLAG_SYN_ACKED;
const FLAG_NOT_DUP = FLAG_DATA | FLAG_WIN_UPDATE | FLAG_ACKED;
const FLAG_CA_ALERT = FLAG_DATA_SACKED | FLAG_ECE | FLAG_DSACKING_ACK;
const FLAG_FORWARD_PROGRESS = FLAG_ACKED | FLAG_DATA_SACKED;

const REXMIT_NONE = 0;
const REXMIT_LOST = 1;
const REXMIT_NEW = 2;

/** BPF_SOCK_OPS_*_ESTABLISHED_CB: which side's tcp_init_transfer runs the cgroup's sock_ops program. */
export { BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB };

function NET_INC_STATS(net: Net, mib: number, n = 1): void {
  net.linuxMib[mib] += n;
}
function TCP_INC_STATS(net: Net, mib: number, n = 1): void {
  net.mib.tcp[mib] += n;
}

/** tcp_hdr(skb): the TCP header's offset in skb.buf. */
function th(skb: SkBuff): number {
  return skb.transportHeader;
}

// ---- options ----------------------------------------------------------------------------------------------

/**
 * tcp_parse_options: look for tcp options. Normally only called on SYN and SYNACK packets, but also
 * called on packets in the established flow when the fast version below fails.
 */
export function tcp_parse_options(
  net: Net,
  skb: SkBuff,
  optRx: TcpOptionsReceived,
  estab: boolean,
  foc: TcpFastopenCookie | null,
): void {
  const b = skb.buf;
  const h = th(skb);
  const synFlag = (tcpw.flags(b, h) & tcpw.TCP_SYN) !== 0;
  let ptr = h + tcpw.TCP_HLEN;
  let length = tcpw.headerLength(b, h) - tcpw.TCP_HLEN;
  optRx.sawTstamp = 0;
  TCP_SKB_CB(skb).sackOff = 0;
  while (length > 0) {
    const opcode = b[ptr++];
    if (opcode === tcpw.TCPOPT_EOL) return;
    if (opcode === tcpw.TCPOPT_NOP) {
      length--;
      continue;
    }
    if (length < 2) return;
    const opsize = b[ptr++];
    if (opsize < 2) return; // "silly options"
    if (opsize > length) return; // don't parse partial options
    switch (opcode) {
      case tcpw.TCPOPT_MSS:
        if (opsize === T.TCPOLEN_MSS && synFlag && !estab) {
          let inMss = (b[ptr] << 8) | b[ptr + 1];
          if (inMss) {
            if (optRx.userMss && optRx.userMss < inMss) inMss = optRx.userMss;
            optRx.mssClamp = inMss;
          }
        }
        break;
      case tcpw.TCPOPT_WINDOW:
        if (opsize === T.TCPOLEN_WINDOW && synFlag && !estab && net.sysctl.tcp.windowScaling) {
          let snd = b[ptr];
          optRx.wscaleOk = 1;
          if (snd > T.TCP_MAX_WSCALE) snd = T.TCP_MAX_WSCALE; // RFC 7323: log and clamp to 14
          optRx.sndWscale = snd;
        }
        break;
      case tcpw.TCPOPT_TIMESTAMP:
        if (
          opsize === T.TCPOLEN_TIMESTAMP &&
          ((estab && optRx.tstampOk) || (!estab && net.sysctl.tcp.timestamps))
        ) {
          optRx.sawTstamp = 1;
          optRx.rcvTsval = readU32(b, ptr);
          optRx.rcvTsecr = readU32(b, ptr + 4);
        }
        break;
      case tcpw.TCPOPT_SACK_PERM:
        if (opsize === T.TCPOLEN_SACK_PERM && synFlag && !estab && net.sysctl.tcp.sack) {
          optRx.sackOk = T.TCP_SACK_SEEN;
          tcp_sack_reset_rx(optRx);
        }
        break;
      case tcpw.TCPOPT_SACK:
        if (
          opsize >= T.TCPOLEN_SACK_BASE + T.TCPOLEN_SACK_PERBLOCK &&
          !((opsize - T.TCPOLEN_SACK_BASE) % T.TCPOLEN_SACK_PERBLOCK) &&
          optRx.sackOk
        )
          TCP_SKB_CB(skb).sackOff = ptr - 2 - h;
        break;
      case tcpw.TCPOPT_FASTOPEN:
        tcp_parse_fastopen_option(opsize - T.TCPOLEN_FASTOPEN_BASE, b, ptr, synFlag, foc, false);
        break;
      case tcpw.TCPOPT_EXP:
        // Fast Open option shares code 254 using a 16 bits magic number.
        if (opsize >= T.TCPOLEN_EXP_FASTOPEN_BASE && ((b[ptr] << 8) | b[ptr + 1]) === T.TCPOPT_FASTOPEN_MAGIC)
          tcp_parse_fastopen_option(opsize - T.TCPOLEN_EXP_FASTOPEN_BASE, b, ptr + 2, synFlag, foc, true);
        break;
      default:
        optRx.sawUnknown = 1;
    }
    ptr += opsize - 2;
    length -= opsize;
  }
}

function readU32(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

function tcp_sack_reset_rx(rx: TcpOptionsReceived): void {
  rx.dsack = 0;
  rx.numSacks = 0;
}

/** tcp_parse_fastopen_option */
function tcp_parse_fastopen_option(
  len: number,
  b: Uint8Array,
  off: number,
  synFlag: boolean,
  foc: TcpFastopenCookie | null,
  exp: boolean,
): void {
  if (!foc || !synFlag || len < 0 || len % 2 !== 0) return;
  if (len >= T.TCP_FASTOPEN_COOKIE_MIN && len <= T.TCP_FASTOPEN_COOKIE_MAX) foc.val = b.slice(off, off + len);
  else if (len !== 0) len = -1;
  foc.len = len;
  foc.exp = exp;
}

/** tcp_parse_aligned_timestamp: the NOP NOP TS layout every Linux peer sends. */
function tcp_parse_aligned_timestamp(tp: TcpSock, skb: SkBuff): boolean {
  const b = skb.buf;
  const p = th(skb) + tcpw.TCP_HLEN;
  if (
    b[p] === tcpw.TCPOPT_NOP &&
    b[p + 1] === tcpw.TCPOPT_NOP &&
    b[p + 2] === tcpw.TCPOPT_TIMESTAMP &&
    b[p + 3] === T.TCPOLEN_TIMESTAMP
  ) {
    tp.rxOpt.sawTstamp = 1;
    tp.rxOpt.rcvTsval = readU32(b, p + 4);
    tp.rxOpt.rcvTsecr = readU32(b, p + 8);
    if (tp.rxOpt.rcvTsecr) tp.rxOpt.rcvTsecr = (tp.rxOpt.rcvTsecr - tp.tsoffset) >>> 0;
    return true;
  }
  return false;
}

/** tcp_fast_parse_options: fast parse options. This hopes to only see timestamps. */
function tcp_fast_parse_options(net: Net, skb: SkBuff, tp: TcpSock): boolean {
  const doff = tcpw.headerLength(skb.buf, th(skb));
  if (doff === tcpw.TCP_HLEN) {
    tp.rxOpt.sawTstamp = 0;
    return false;
  } else if (tp.rxOpt.tstampOk && doff === tcpw.TCP_HLEN + T.TCPOLEN_TSTAMP_ALIGNED) {
    if (tcp_parse_aligned_timestamp(tp, skb)) return true;
  }
  tcp_parse_options(net, skb, tp.rxOpt, true, null);
  if (tp.rxOpt.sawTstamp && tp.rxOpt.rcvTsecr) tp.rxOpt.rcvTsecr = (tp.rxOpt.rcvTsecr - tp.tsoffset) >>> 0;
  return true;
}

// ---- RTT -------------------------------------------------------------------------------------------------

/**
 * tcp_rtt_estimator: Jacobson's SRTT/RTTVAR (srtt kept <<3, mdev <<2) with Linux's twist: mdev_max
 * tracks the max deviation over the last RTT, and rttvar decays only once per RTT.
 */
function tcp_rtt_estimator(tp: TcpSock, mrttUs: number): void {
  let m = mrttUs;
  let srtt = tp.srttUs;
  if (srtt !== 0) {
    m -= srtt >>> 3; // m is now error in rtt est
    srtt += m; // rtt = 7/8 rtt + 1/8 new
    if (m < 0) {
      m = -m; // m is now abs(error)
      m -= tp.mdevUs >>> 2; // similar update on mdev
      // This is similar to one of Eifel findings: do not let a falling RTT inflate mdev.
      if (m > 0) m >>= 3;
    } else {
      m -= tp.mdevUs >>> 2;
    }
    tp.mdevUs += m; // mdev = 3/4 mdev + 1/4 new
    if (tp.mdevUs > tp.mdevMaxUs) {
      tp.mdevMaxUs = tp.mdevUs;
      if (tp.mdevMaxUs > tp.rttvarUs) tp.rttvarUs = tp.mdevMaxUs;
    }
    if (after(tp.sndUna, tp.rttSeq)) {
      if (tp.mdevMaxUs < tp.rttvarUs) tp.rttvarUs -= (tp.rttvarUs - tp.mdevMaxUs) >>> 2;
      tp.rttSeq = tp.sndNxt;
      tp.mdevMaxUs = tcp_rto_min_us(tp);
    }
  } else {
    // no previous measure.
    srtt = m << 3; // take the measured time to be rtt
    tp.mdevUs = m << 1; // make sure rto = 3*rtt
    tp.rttvarUs = Math.max(tp.mdevUs, tcp_rto_min_us(tp));
    tp.mdevMaxUs = tp.rttvarUs;
    tp.rttSeq = tp.sndNxt;
  }
  tp.srttUs = Math.max(1, srtt);
}

/** tcp_update_pacing_rate: twice the current rate in slow start, 1.2 times in congestion avoidance. */
export function tcp_update_pacing_rate(sk: TcpSock): void {
  const tp = sk;
  // set sk_pacing_rate to 200 % of current rate (mss * cwnd / srtt)
  let rate = tp.mssCache * (1e6 /* USEC_PER_SEC */ / 100) * 8; // << 3 as srtt is <<3
  if (tcp_snd_cwnd(tp) < tp.sndSsthresh / 2) rate *= sk.net.sysctl.tcp.pacingSsRatio;
  else rate *= sk.net.sysctl.tcp.pacingCaRatio;
  rate *= Math.max(tcp_snd_cwnd(tp), tp.packetsOut);
  if (tp.srttUs) rate = Math.floor(rate / tp.srttUs);
  sk.pacingRate = Math.min(rate, sk.maxPacingRate);
}

/** tcp_set_rto: calculate rto without backoff. This is the second half of Van Jacobson's routine. */
function tcp_set_rto(sk: TcpSock): void {
  sk.icskRto = __tcp_set_rto(sk);
  tcp_bound_rto(sk);
}

/** tcp_update_rtt_min */
function tcp_update_rtt_min(ctx: KernelCtx, sk: TcpSock, rttUs: number, flag: number): void {
  const wlen = sk.net.sysctl.tcp.minRttWlen * HZ_J;
  if (flag & FLAG_ACK_MAYBE_DELAYED && rttUs > tcp_min_rtt(sk)) {
    // If the remote keeps returning delayed ACKs, eventually the min filter would pick it up and
    // overestimate the prop. delay when it expires. Skip suspected delayed ACKs.
    return;
  }
  minmax_running_min(sk.rttMin, wlen, tcp_jiffies32(ctx), rttUs ? rttUs : jiffies_to_usecs(1));
}
const HZ_J = T.HZ;

/** tcp_ack_update_rtt */
function tcp_ack_update_rtt(
  ctx: KernelCtx,
  sk: TcpSock,
  flag: number,
  seqRttUs: number,
  sackRttUs: number,
  caRttUs: number,
  rs: RateSample,
): boolean {
  const tp = sk;
  // Prefer RTT measured from ACK's timing to TS-ECR. This is because broken middle-boxes or peers may
  // corrupt TS-ECR fields. But RTT may be sampled from TS-ECR when there is no usable other sample.
  if (seqRttUs < 0) seqRttUs = sackRttUs;
  // RTTM Rule: A TSecr value received in a segment is used to update the averaged RTT measurement
  // only if the segment acknowledges some new data.
  if (seqRttUs < 0 && tp.rxOpt.sawTstamp && tp.rxOpt.rcvTsecr && flag & FLAG_ACKED) {
    const delta = (tcp_time_stamp_ts(tp) - tp.rxOpt.rcvTsecr) | 0;
    if (delta > 0) {
      if (!delta) caRttUs = seqRttUs = 1;
      else caRttUs = seqRttUs = tp.tcpUsecTs ? delta : delta * 1000;
    }
  }
  rs.rttUs = caRttUs; // RTT of last (S)ACKed packet (or -1)
  if (seqRttUs < 0) return false;
  // ca_rtt_us >= 0 is counting on the invariant that ca_rtt_us is always taken together with
  // ACK, SACK, or TS-opts. This usually holds, except for some middleboxes.
  tcp_update_rtt_min(ctx, sk, caRttUs, flag);
  tcp_rtt_estimator(tp, seqRttUs);
  tcp_set_rto(sk);
  // RFC6298: only reset backoff on valid RTT measurement.
  sk.icskBackoff = 0;
  return true;
}

/** tcp_synack_rtt_meas: compute time elapsed between (last) SYNACK and the ACK completing 3WHS. */
export function tcp_synack_rtt_meas(ctx: KernelCtx, sk: TcpSock, req: RequestSock): void {
  const rs = newRateSample();
  let rttUs = -1;
  if (req && !req.numRetrans && req.sntSynack) rttUs = tcp_stamp_us_delta(T.tcp_clock_us(ctx), req.sntSynack);
  tcp_ack_update_rtt(ctx, sk, FLAG_SYN_ACKED, rttUs, -1, rttUs, rs);
}

/** tcp_rcv_rtt_update: receiver-side RTT (DRS), for autotuning the receive buffer. */
function tcp_rcv_rtt_update(tp: TcpSock, sample: number, winDep: number): void {
  let newSample = tp.rcvRttEst.rttUs;
  let m = sample;
  if (newSample !== 0) {
    // If we sample in larger samples in the non-timestamp case, we could grossly overestimate the
    // RTT especially with chatty applications or bulk transfer apps which are stalled on filesystem I/O.
    if (!winDep) {
      m -= newSample >>> 3;
      newSample += m;
    } else {
      m <<= 3;
      if (m < newSample) newSample = m;
    }
  } else {
    // No previous measure.
    newSample = m << 3;
  }
  tp.rcvRttEst.rttUs = newSample;
}

function tcp_rcv_rtt_measure(ctx: KernelCtx, tp: TcpSock): void {
  if (tp.rcvRttEst.time === 0) {
    tp.rcvRttEst.seq = (tp.rcvNxt + tp.rcvWnd) >>> 0;
    tp.rcvRttEst.time = tp.tcpMstamp;
    return;
  }
  if (before(tp.rcvNxt, tp.rcvRttEst.seq)) return;
  const deltaUs = tcp_stamp_us_delta(tp.tcpMstamp, tp.rcvRttEst.time);
  if (!deltaUs) return;
  tcp_rcv_rtt_update(tp, deltaUs, 1);
  tp.rcvRttEst.seq = (tp.rcvNxt + tp.rcvWnd) >>> 0;
  tp.rcvRttEst.time = tp.tcpMstamp;
  void ctx;
}

function tcp_rtt_tsopt_us(tp: TcpSock): number {
  const delta = (tcp_time_stamp_ts(tp) - tp.rxOpt.rcvTsecr) | 0;
  if (tp.tcpUsecTs) return delta;
  if (delta >= 0 && delta < 0x7fffffff / 1000) return delta ? delta * 1000 : 1;
  return -1;
}

function tcp_rcv_rtt_measure_ts(sk: TcpSock, skb: SkBuff): void {
  const tp = sk;
  if (tp.rxOpt.rcvTsecr === tp.rcvRttLastTsecr) return;
  tp.rcvRttLastTsecr = tp.rxOpt.rcvTsecr;
  if (skb.len - tcpw.headerLength(skb.buf, th(skb)) >= sk.icskAck.rcvMss) {
    const delta = tcp_rtt_tsopt_us(tp);
    if (delta > 0) tcp_rcv_rtt_update(tp, delta, 0);
  }
}

// ---- receive buffer and window -----------------------------------------------------------------------------

/**
 * tcp_measure_rcv_mss: adapt the MSS value used to make delayed ack decision to the real world; and
 * learn the payload-to-truesize ratio the advertised window is computed with.
 */
function tcp_measure_rcv_mss(sk: TcpSock, skb: SkBuff): void {
  const icsk = sk.icskAck;
  const lss = icsk.lastSegSize;
  icsk.lastSegSize = 0;
  let len = skb.gsoSize || skb.len;
  if (len >= icsk.rcvMss) {
    if (len !== icsk.rcvMss) {
      const val = Math.floor((skb.len << T.TCP_RMEM_TO_WIN_SCALE) / skbTruesize(skb));
      const oldRatio = sk.scalingRatio;
      sk.scalingRatio = Math.min(255, val ? val : 1);
      if (oldRatio !== sk.scalingRatio) {
        sk.windowClamp = tcp_win_from_space(sk, sk.rcvbuf);
        if (sk.windowClamp < sk.rcvqSpace.space) sk.rcvqSpace.space = sk.windowClamp;
      }
    }
    icsk.rcvMss = Math.min(len, sk.advmss);
    if (TCP_SKB_CB(skb).tcpFlags & T.TCPHDR_PSH) icsk.pending |= T.ICSK_ACK_PUSHED;
  } else {
    // Otherwise, we make more careful check taking into account, that SACKs block is variable.
    len += skb.data - th(skb);
    const remnant =
      tcpw.flags(skb.buf, th(skb)) &
      (tcpw.TCP_URG | tcpw.TCP_PSH | tcpw.TCP_FIN | tcpw.TCP_SYN | tcpw.TCP_RST);
    if (len >= T.TCP_MSS_DEFAULT + tcpw.TCP_HLEN || (len >= T.TCP_MIN_MSS + tcpw.TCP_HLEN && !remnant)) {
      // Subtract also invariant (if peer is RFC compliant), tcp header plus fixed timestamp option length.
      len -= sk.tcpHeaderLen;
      icsk.lastSegSize = len;
      if (len === lss) {
        icsk.rcvMss = len;
        return;
      }
    }
    if (icsk.pending & T.ICSK_ACK_PUSHED) icsk.pending |= T.ICSK_ACK_PUSHED2;
    icsk.pending |= T.ICSK_ACK_PUSHED;
  }
}

/** tcp_incr_quickack */
function tcp_incr_quickack(sk: TcpSock, maxQuickacks: number): void {
  let quickacks = Math.floor(sk.rcvWnd / (2 * sk.icskAck.rcvMss));
  if (quickacks === 0) quickacks = 2;
  quickacks = Math.min(quickacks, maxQuickacks);
  if (quickacks > sk.icskAck.quick) sk.icskAck.quick = quickacks;
}

/** tcp_enter_quickack_mode */
export function tcp_enter_quickack_mode(sk: TcpSock, maxQuickacks: number): void {
  tcp_incr_quickack(sk, maxQuickacks);
  inet_csk_exit_pingpong_mode(sk);
  sk.icskAck.ato = T.TCP_ATO_MIN;
}

/** tcp_in_quickack_mode: send ACKs quickly, if "quick" count is not exhausted and the session is not interactive. */
function tcp_in_quickack_mode(sk: TcpSock): boolean {
  return sk.icskAck.dstQuickAck !== 0 || (sk.icskAck.quick !== 0 && !inet_csk_in_pingpong_mode(sk));
}

/** tcp_sndbuf_expand: buffer size and advertised window tuning. */
function tcp_sndbuf_expand(sk: TcpSock): void {
  const tp = sk;
  // Worst case is non GSO/TSO: each frame consumes one skb and skb->head is kmalloced using power of two area of memory
  const perMss = roundupPow2(Math.max(tp.rxOpt.mssClamp, tp.mssCache) + T.MAX_TCP_HEADER + 320) + 256;
  // Current cwnd can be used to estimate the minimum size of sndbuf.
  let nrSegs = Math.max(T.TCP_INIT_CWND, tcp_snd_cwnd(tp));
  nrSegs = Math.max(nrSegs, tp.reordering + 1);
  // room for fast recovery (including reordering) and a slow start doubling the cwnd on the next RTT.
  const sndmem = 2 * nrSegs * perMss;
  if (sk.sndbuf < sndmem) sk.sndbuf = Math.min(sndmem, sk.net.sysctl.tcp.wmem[2]);
}

function roundupPow2(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

/** __tcp_grow_window: slow part of check#2. */
function __tcp_grow_window(sk: TcpSock, skb: SkBuff, skbtruesize: number): number {
  let truesize = tcp_win_from_space(sk, skbtruesize) >> 1;
  let window = tcp_win_from_space(sk, sk.net.sysctl.tcp.rmem[2]) >> 1;
  while (sk.rcvSsthresh <= window) {
    if (truesize <= skb.len) return 2 * sk.icskAck.rcvMss;
    truesize >>= 1;
    window >>= 1;
  }
  return 0;
}

/**
 * tcp_grow_window: the receiver's window (rcv_ssthresh) grows only as fast as the sender proves its
 * segments are worth their memory (payload vs truesize), so a peer sending tiny segments cannot make us
 * promise more buffer than we have.
 */
function tcp_grow_window(sk: TcpSock, skb: SkBuff): void {
  const room = Math.min(sk.windowClamp, tcp_space(sk)) - sk.rcvSsthresh;
  if (room <= 0) return;
  const truesize = skbTruesize(skb);
  let incr: number;
  if (tcp_win_from_space(sk, truesize) <= skb.len) incr = 2 * sk.advmss;
  else incr = __tcp_grow_window(sk, skb, truesize);
  if (incr) {
    incr = Math.max(incr, 2 * skb.len);
    sk.rcvSsthresh += Math.min(room, incr);
    sk.icskAck.quick |= 1;
  }
}

/** tcp_init_buffer_space: 3. Try to fixup all. It is made immediately after connection enters established state. */
export function tcp_init_buffer_space(ctx: KernelCtx, sk: TcpSock): void {
  const tp = sk;
  const tcpAppWin = sk.net.sysctl.tcp.appWin;
  if (!(sk.userlocks & T.SOCK_SNDBUF_LOCK)) tcp_sndbuf_expand(sk);
  tcp_mstamp_refresh(ctx, tp);
  tp.rcvqSpace.time = tp.tcpMstamp;
  tp.rcvqSpace.seq = tp.copiedSeq;
  const maxwin = tcp_full_space(sk);
  if (tp.windowClamp >= maxwin) {
    tp.windowClamp = maxwin;
    if (tcpAppWin && maxwin > 4 * tp.advmss)
      tp.windowClamp = Math.max(maxwin - (maxwin >> tcpAppWin), 4 * tp.advmss);
  }
  // Force reservation of one segment.
  if (tcpAppWin && tp.windowClamp > 2 * tp.advmss && tp.windowClamp + tp.advmss > maxwin)
    tp.windowClamp = Math.max(2 * tp.advmss, maxwin - tp.advmss);
  tp.rcvSsthresh = Math.min(tp.rcvSsthresh, tp.windowClamp);
  tp.sndCwndStamp = tcp_jiffies32(ctx);
  tp.rcvqSpace.space = Math.min(tp.rcvSsthresh, tp.rcvWnd, T.TCP_INIT_CWND * tp.advmss);
}

/** tcp_clamp_window: 4. Recalculate window clamp after socket hit its memory bounds. */
function tcp_clamp_window(sk: TcpSock): void {
  const tp = sk;
  sk.icskAck.quick = 0;
  const rmem2 = sk.net.sysctl.tcp.rmem[2];
  if (sk.rcvbuf < rmem2 && !(sk.userlocks & T.SOCK_RCVBUF_LOCK)) sk.rcvbuf = Math.min(sk.rmemAlloc, rmem2);
  if (sk.rmemAlloc > sk.rcvbuf) tp.rcvSsthresh = Math.min(tp.windowClamp, 2 * tp.advmss);
}

/**
 * tcp_rcv_space_adjust: receiver "autotuning" (DRS): every RTT, if the reader consumed more than last
 * time, grow sk_rcvbuf so the window can cover twice what was copied.
 */
export function tcp_rcv_space_adjust(ctx: KernelCtx, sk: TcpSock): void {
  const tp = sk;
  tcp_mstamp_refresh(ctx, tp);
  const time = tcp_stamp_us_delta(tp.tcpMstamp, tp.rcvqSpace.time);
  if (time < tp.rcvRttEst.rttUs >>> 3 || tp.rcvRttEst.rttUs === 0) return;
  // Number of bytes copied to user in last RTT
  let copied = (tp.copiedSeq - tp.rcvqSpace.seq) | 0;
  // Number of bytes in receive queue.
  const inq = (tp.rcvNxt - tp.copiedSeq) | 0;
  copied -= inq;
  if (copied > tp.rcvqSpace.space) {
    if (sk.net.sysctl.tcp.moderateRcvbuf && !(sk.userlocks & T.SOCK_RCVBUF_LOCK)) {
      let rcvwin = copied * 2 + 16 * tp.advmss;
      const grow = Math.floor((rcvwin * (copied - tp.rcvqSpace.space)) / tp.rcvqSpace.space);
      rcvwin += grow << 1;
      const rcvbuf = Math.min(T.tcp_space_from_win(sk, rcvwin), sk.net.sysctl.tcp.rmem[2]);
      if (rcvbuf > sk.rcvbuf) {
        sk.rcvbuf = rcvbuf;
        // Make the window clamp follow along.
        tp.windowClamp = tcp_win_from_space(sk, rcvbuf);
      }
    }
    tp.rcvqSpace.space = copied;
  }
  tp.rcvqSpace.seq = tp.copiedSeq;
  tp.rcvqSpace.time = tp.tcpMstamp;
}

/**
 * tcp_event_data_recv: there is something which you must keep in mind when you analyze the behavior of
 * the tp->ato delayed ack timeout interval: it adapts to the peer's sending pattern.
 */
function tcp_event_data_recv(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): void {
  const icsk = sk.icskAck;
  inet_csk_schedule_ack(sk);
  tcp_measure_rcv_mss(sk, skb);
  tcp_rcv_rtt_measure(ctx, sk);
  const now = tcp_jiffies32(ctx);
  if (!icsk.ato) {
    // The _first_ data packet received, initialize delayed ACK engine.
    tcp_incr_quickack(sk, T.TCP_MAX_QUICKACKS);
    icsk.ato = T.TCP_ATO_MIN;
  } else {
    const m = (now - icsk.lrcvtime) | 0;
    if (m <= T.TCP_ATO_MIN / 2) {
      // The fastest case is the first.
      icsk.ato = (icsk.ato >> 1) + T.TCP_ATO_MIN / 2;
    } else if (m < icsk.ato) {
      icsk.ato = Math.min((icsk.ato >> 1) + m, sk.icskRto, T.TCP_DELACK_MAX);
    } else if (m > sk.icskRto) {
      // Too long gap. Apparently sender failed to restart window, so that we send ACKs quickly.
      tcp_incr_quickack(sk, T.TCP_MAX_QUICKACKS);
    }
  }
  icsk.lrcvtime = now;
  if (skb.len >= 128) tcp_grow_window(sk, skb);
}

/** tcp_initialize_rcv_mss: initialize RCV_MSS value. RCV_MSS is an our guess about MSS used by the peer. */
export function tcp_initialize_rcv_mss(sk: TcpSock): void {
  const tp = sk;
  let hint = Math.min(tp.advmss, tp.mssCache);
  hint = Math.min(hint, tp.rcvWnd >>> 1);
  hint = Math.min(hint, T.TCP_MSS_DEFAULT);
  hint = Math.max(hint, T.TCP_MIN_MSS);
  sk.icskAck.rcvMss = hint;
}

// ---- loss recovery: the scoreboard and the congestion state machine --------------------------------------

function tcp_is_rack(sk: TcpSock): boolean {
  return (sk.net.sysctl.tcp.recovery & T.TCP_RACK_LOSS_DETECTION) !== 0;
}

/** tcp_count_delivered: packets delivered to the peer, for rate sampling and TCPDelivered. */
function tcp_count_delivered(tp: TcpSock, delivered: number, eceAck: boolean): void {
  tp.delivered += delivered;
  if (eceAck) tp.deliveredCe += delivered;
}

function tcp_clear_all_retrans_hints(tp: TcpSock): void {
  tp.lostSkbHint = null;
  tp.retransmitSkbHint = null;
}

function tcp_verify_retransmit_hint(tp: TcpSock, skb: SkBuff): void {
  // Points to the first skb to be retransmitted: keep the lowest.
  if (!tp.retransmitSkbHint || before(TCP_SKB_CB(skb).seq, TCP_SKB_CB(tp.retransmitSkbHint).seq))
    tp.retransmitSkbHint = skb;
}

/** tcp_mark_skb_lost: mark an skb lost, or un-count its retransmission that was itself lost. */
export function tcp_mark_skb_lost(sk: TcpSock, skb: SkBuff): void {
  const tp = sk;
  const sacked = TCP_SKB_CB(skb).sacked;
  if (sacked & T.TCPCB_SACKED_ACKED) return;
  tcp_verify_retransmit_hint(tp, skb);
  if (sacked & T.TCPCB_LOST) {
    if (sacked & T.TCPCB_SACKED_RETRANS) {
      // Account for retransmits that are lost again
      TCP_SKB_CB(skb).sacked &= ~T.TCPCB_SACKED_RETRANS;
      tp.retransOut -= tcp_skb_pcount(skb);
      NET_INC_STATS(sk.net, LINUX_MIB.TCPLostRetransmit, tcp_skb_pcount(skb));
      tp.lost += tcp_skb_pcount(skb);
    }
  } else {
    tp.lostOut += tcp_skb_pcount(skb);
    TCP_SKB_CB(skb).sacked |= T.TCPCB_LOST;
    tp.lost += tcp_skb_pcount(skb);
  }
}

/** tcp_clear_retrans: forget the scoreboard. */
export function tcp_clear_retrans(tp: TcpSock): void {
  tp.retransOut = 0;
  tp.lostOut = 0;
  tp.undoMarker = 0;
  tp.undoRetrans = -1;
  tp.sackedOut = 0;
  tp.rtoStamp = 0;
  tp.totalRto = 0;
  tp.totalRtoRecoveries = 0;
  tp.totalRtoTime = 0;
}

/** tcp_init_undo: remember where recovery started, and how many retransmissions DSACKs may undo. */
function tcp_init_undo(tp: TcpSock): void {
  tp.undoMarker = tp.sndUna;
  // Retransmissions still in flight may cause DSACKs later.
  tp.undoRetrans = tp.retransOut;
  if (tp.tlpHighSeq && tp.tlpRetrans) tp.undoRetrans++;
  if (!tp.undoRetrans) tp.undoRetrans = -1;
}

function tcp_is_non_sack_preventing_reopen(sk: TcpSock): boolean {
  const tp = sk;
  if (tp.sndUna === tp.highSeq && tcp_is_reno(tp)) {
    // Hold old state until something *above* high_seq is ACKed. RFC 6582 §3.2 step 1.
    if (!tcp_any_retrans_done(sk)) tp.retransStamp = 0;
    return true;
  }
  return false;
}

/** tcp_timeout_mark_lost: an RTO marks every outstanding segment lost (RACK spares the recently sent). */
function tcp_timeout_mark_lost(sk: TcpSock): void {
  const tp = sk;
  const head = tcp_rtx_queue_head(sk);
  const isReneg = head !== null && (TCP_SKB_CB(head).sacked & T.TCPCB_SACKED_ACKED) !== 0;
  if (isReneg) {
    NET_INC_STATS(sk.net, LINUX_MIB.TCPSACKReneging);
    tp.sackedOut = 0;
    // Mark SACK reneging until we recover from this loss event.
    tp.isSackReneg = 1;
  } else if (tcp_is_reno(tp)) {
    tcp_reset_reno_sack(tp);
  }
  for (const skb of sk.rtxQueue) {
    if (isReneg) TCP_SKB_CB(skb).sacked &= ~T.TCPCB_SACKED_ACKED;
    else if (tcp_is_rack(sk) && skb !== head && rackSkbTimeout(tp, skb) > 0) continue; // not yet
    tcp_mark_skb_lost(sk, skb);
  }
  tcp_clear_all_retrans_hints(tp);
}

/** tcp_rack_skb_timeout(tp, skb, 0): how long until RACK would call it lost (tcp_recovery.c). */
function rackSkbTimeout(tp: TcpSock, skb: SkBuff): number {
  return tp.rackRttUs - tcp_stamp_us_delta(tp.tcpMstamp, tcp_skb_timestamp_us(skb));
}

/** tcp_enter_loss: enter Loss state after an RTO; cwnd drops to one more than what is in flight. */
export function tcp_enter_loss(ctx: KernelCtx, sk: TcpSock): void {
  const tp = sk;
  const newRecovery = sk.icskCaState < T.TCP_CA_Recovery;
  tcp_timeout_mark_lost(sk);
  // Reduce ssthresh if it has not yet been made inside this window.
  if (
    sk.icskCaState <= T.TCP_CA_Disorder ||
    !after(tp.highSeq, tp.sndUna) ||
    (sk.icskCaState === T.TCP_CA_Loss && !sk.icskRetransmits)
  ) {
    tp.priorSsthresh = tcp_current_ssthresh(sk);
    tp.priorCwnd = tcp_snd_cwnd(tp);
    tp.sndSsthresh = sk.icskCaOps.ssthresh(sk);
    tcp_ca_event(ctx, sk, T.CA_EVENT_LOSS);
    tcp_init_undo(tp);
  }
  tcp_snd_cwnd_set(tp, tcp_packets_in_flight(tp) + 1);
  tp.sndCwndCnt = 0;
  tp.sndCwndStamp = tcp_jiffies32(ctx);
  // Timeout in disordered state after receiving substantial DUPACKs suggests that the degree of
  // reordering is over-estimated.
  const reordering = sk.net.sysctl.tcp.reordering;
  if (sk.icskCaState <= T.TCP_CA_Disorder && tp.sackedOut >= reordering)
    tp.reordering = Math.min(tp.reordering, reordering);
  tcp_set_ca_state(ctx, sk, T.TCP_CA_Loss);
  tp.highSeq = tp.sndNxt;
  tp.tlpHighSeq = 0;
  // F-RTO RFC5682 sec 3.1 step 1: retransmit SND.UNA if no previous F-RTO was in progress.
  tp.frto = sk.net.sysctl.tcp.frto && (newRecovery || sk.icskRetransmits) && !sk.icskMtup.probeSize ? 1 : 0;
}

/** tcp_check_sack_reneging: a SACKed head later un-SACKed: wait a little for an ACK, then RTO. */
function tcp_check_sack_reneging(ctx: KernelCtx, sk: TcpSock, flag: { v: number }): boolean {
  if (flag.v & FLAG_SACK_RENEGING && flag.v & FLAG_SND_UNA_ADVANCED) {
    const delay = Math.max(usecs_to_jiffies(sk.srttUs >>> 4), T.msecs_to_jiffies(10));
    inet_csk_reset_xmit_timer(ctx, sk, T.ICSK_TIME_RETRANS, delay, T.TCP_RTO_MAX);
    flag.v &= ~FLAG_SET_XMIT_TIMER;
    return true;
  }
  return false;
}

/** tcp_dupack_heuristics: the number of packets the (non-RACK) loss detection thinks arrived out of order. */
function tcp_dupack_heuristics(tp: TcpSock): number {
  return tp.sackedOut + 1;
}

function tcp_time_to_recover(sk: TcpSock): boolean {
  // Trick#1: The loss is proven.
  if (sk.lostOut) return true;
  // Not-A-Trick#2 : Classic rule...
  if (!tcp_is_rack(sk) && tcp_dupack_heuristics(sk) > sk.reordering) return true;
  return false;
}

/** tcp_mark_head_lost: RFC 6675's "lost" marking for non-RACK SACK senders. */
function tcp_mark_head_lost(sk: TcpSock, packets: number, markHead: boolean): void {
  const tp = sk;
  const lossHigh = tp.sndNxt;
  let start = 0;
  let cnt = 0;
  if (tp.lostSkbHint) {
    if (markHead && after(TCP_SKB_CB(tp.lostSkbHint).seq, tp.sndUna)) return;
    cnt = tp.lostCntHint;
    start = Math.max(0, sk.rtxQueue.indexOf(tp.lostSkbHint));
  }
  for (let i = start; i < sk.rtxQueue.length; i++) {
    const skb = sk.rtxQueue[i];
    tp.lostSkbHint = skb;
    tp.lostCntHint = cnt;
    if (after(TCP_SKB_CB(skb).endSeq, lossHigh)) break;
    if (TCP_SKB_CB(skb).sacked & T.TCPCB_SACKED_ACKED) cnt += tcp_skb_pcount(skb);
    if (cnt > packets) break;
    if (!(TCP_SKB_CB(skb).sacked & T.TCPCB_LOST)) tcp_mark_skb_lost(sk, skb);
    if (markHead) break;
  }
}

function tcp_update_scoreboard(sk: TcpSock, fastRexmit: boolean): void {
  if (tcp_is_sack(sk)) {
    const sackedUpto = sk.sackedOut - sk.reordering;
    if (sackedUpto >= 0) tcp_mark_head_lost(sk, sackedUpto, false);
    else if (fastRexmit) tcp_mark_head_lost(sk, 1, true);
  }
}

/** tcp_tsopt_ecr_before: the peer's echoed timestamp says it saw a packet sent before `when`. */
function tcp_tsopt_ecr_before(tp: TcpSock, when: number): boolean {
  return tp.rxOpt.sawTstamp !== 0 && tp.rxOpt.rcvTsecr !== 0 && ((tp.rxOpt.rcvTsecr - when) | 0) < 0;
}

/** tcp_packet_delayed: nothing was lost; the original arrived late (the ACK echoes a pre-retransmit TS). */
function tcp_packet_delayed(tp: TcpSock): boolean {
  if (tp.retransStamp) return tcp_tsopt_ecr_before(tp, tp.retransStamp);
  // Either no retransmit happened, or the TS was not usable: when in doubt, undo only with SACK.
  if (!tcp_is_sack(tp) && !before(tp.sndUna, tp.highSeq)) return false;
  if (tp.state === TCP_SYN_SENT) return false;
  return true;
}

function tcp_may_undo(tp: TcpSock): boolean {
  return tp.undoMarker !== 0 && (!tp.undoRetrans || tcp_packet_delayed(tp));
}

function tcp_any_retrans_done(sk: TcpSock): boolean {
  if (sk.retransOut) return true;
  const skb = tcp_rtx_queue_head(sk);
  return skb !== null && (TCP_SKB_CB(skb).sacked & T.TCPCB_EVER_RETRANS) !== 0;
}

/** tcp_undo_cwnd_reduction: the reduction was spurious: restore cwnd and ssthresh. */
function tcp_undo_cwnd_reduction(ctx: KernelCtx, sk: TcpSock, unmarkLoss: boolean): void {
  const tp = sk;
  if (unmarkLoss) {
    for (const skb of sk.rtxQueue) TCP_SKB_CB(skb).sacked &= ~T.TCPCB_LOST;
    tp.lostOut = 0;
    tcp_clear_all_retrans_hints(tp);
  }
  if (tp.priorSsthresh) {
    tcp_snd_cwnd_set(tp, sk.icskCaOps.undoCwnd(sk));
    if (tp.priorSsthresh > tp.sndSsthresh) {
      tp.sndSsthresh = tp.priorSsthresh;
      tp.ecnFlags &= ~T.TCP_ECN_QUEUE_CWR;
    }
  }
  tp.sndCwndStamp = tcp_jiffies32(ctx);
  tp.undoMarker = 0;
  tp.rackAdvanced = 1; // Force RACK to re-exam losses
}

function tcp_try_undo_recovery(ctx: KernelCtx, sk: TcpSock): boolean {
  const tp = sk;
  if (tcp_may_undo(tp)) {
    // Happy end! We did not retransmit anything or our original transmission succeeded.
    tcp_undo_cwnd_reduction(ctx, sk, false);
    NET_INC_STATS(sk.net, sk.icskCaState === T.TCP_CA_Loss ? LINUX_MIB.TCPLossUndo : LINUX_MIB.TCPFullUndo);
  } else if (tp.rackReoWndPersist) {
    tp.rackReoWndPersist--;
  }
  if (tcp_is_non_sack_preventing_reopen(sk)) return true;
  tcp_set_ca_state(ctx, sk, T.TCP_CA_Open);
  tp.isSackReneg = 0;
  return false;
}

function tcp_try_undo_dsack(ctx: KernelCtx, sk: TcpSock): boolean {
  const tp = sk;
  if (tp.undoMarker && !tp.undoRetrans) {
    tp.rackReoWndPersist = Math.min(T.TCP_RACK_RECOVERY_THRESH, tp.rackReoWndPersist + 1);
    tcp_undo_cwnd_reduction(ctx, sk, false);
    NET_INC_STATS(sk.net, LINUX_MIB.TCPDSACKUndo);
    return true;
  }
  return false;
}

function tcp_try_undo_loss(ctx: KernelCtx, sk: TcpSock, frtoUndo: boolean): boolean {
  const tp = sk;
  if (frtoUndo || tcp_may_undo(tp)) {
    tcp_undo_cwnd_reduction(ctx, sk, true);
    NET_INC_STATS(sk.net, LINUX_MIB.TCPLossUndo);
    if (frtoUndo) NET_INC_STATS(sk.net, LINUX_MIB.TCPSpuriousRTOs);
    sk.icskRetransmits = 0;
    if (tcp_is_non_sack_preventing_reopen(sk)) return true;
    if (frtoUndo || tcp_is_sack(tp)) {
      tcp_set_ca_state(ctx, sk, T.TCP_CA_Open);
      tp.isSackReneg = 0;
    }
    return true;
  }
  return false;
}

function tcp_try_undo_partial(ctx: KernelCtx, sk: TcpSock, priorSndUna: number): boolean {
  const tp = sk;
  if (tp.undoMarker && tcp_packet_delayed(tp)) {
    // Plain luck! Hole is filled with delayed packet, rather than with a retransmit.
    tcp_check_sack_reordering(sk, priorSndUna, 1);
    // We are getting evidence that the reordering degree is higher than we realized. If there are
    // no retransmits out then we can undo. Otherwise we clock out new packets but do not mark more
    // packets lost or retransmit more.
    if (tp.retransOut) return true;
    if (!tcp_any_retrans_done(sk)) tp.retransStamp = 0;
    tcp_undo_cwnd_reduction(ctx, sk, true);
    NET_INC_STATS(sk.net, LINUX_MIB.TCPPartialUndo);
    tcp_try_keep_open(ctx, sk);
  }
  return false;
}

/** tcp_init_cwnd_reduction: PRR (RFC 6937) starts: ssthresh from the congestion control. */
function tcp_init_cwnd_reduction(sk: TcpSock): void {
  const tp = sk;
  tp.highSeq = tp.sndNxt;
  tp.tlpHighSeq = 0;
  tp.sndCwndCnt = 0;
  tp.priorCwnd = tcp_snd_cwnd(tp);
  tp.prrDelivered = 0;
  tp.prrOut = 0;
  tp.sndSsthresh = sk.icskCaOps.ssthresh(sk);
  if (tp.ecnFlags & T.TCP_ECN_OK) tp.ecnFlags |= T.TCP_ECN_QUEUE_CWR;
}

/** tcp_cwnd_reduction: Proportional Rate Reduction: send in proportion to what was delivered. */
export function tcp_cwnd_reduction(
  sk: TcpSock,
  newlyAckedSacked: number,
  newlyLost: number,
  flag: number,
): void {
  const tp = sk;
  let sndcnt = 0;
  const delta = tp.sndSsthresh - tcp_packets_in_flight(tp);
  if (newlyAckedSacked <= 0 || !tp.priorCwnd) return;
  tp.prrDelivered += newlyAckedSacked;
  if (delta < 0) {
    const dividend = tp.sndSsthresh * tp.prrDelivered + tp.priorCwnd - 1;
    sndcnt = Math.floor(dividend / tp.priorCwnd) - tp.prrOut;
  } else {
    sndcnt = Math.max(tp.prrDelivered - tp.prrOut, newlyAckedSacked);
    if (flag & FLAG_SND_UNA_ADVANCED && !newlyLost) sndcnt++;
    sndcnt = Math.min(delta, sndcnt);
  }
  // Force a fast retransmit upon entering fast recovery
  sndcnt = Math.max(sndcnt, tp.prrOut ? 0 : 1);
  tcp_snd_cwnd_set(tp, tcp_packets_in_flight(tp) + sndcnt);
}

function tcp_end_cwnd_reduction(ctx: KernelCtx, sk: TcpSock): void {
  const tp = sk;
  // Reset cwnd to ssthresh in CWR or Recovery (unless it's undone)
  if (tp.sndSsthresh < T.TCP_INFINITE_SSTHRESH && (sk.icskCaState === T.TCP_CA_CWR || tp.undoMarker)) {
    tcp_snd_cwnd_set(tp, tp.sndSsthresh);
    tp.sndCwndStamp = tcp_jiffies32(ctx);
  }
  tcp_ca_event(ctx, sk, T.CA_EVENT_COMPLETE_CWR);
}

/** tcp_enter_cwr: enter CWR state. Disable cwnd undo since congestion is proven with ECN or local qdisc drop. */
export function tcp_enter_cwr(ctx: KernelCtx, sk: TcpSock): void {
  const tp = sk;
  tp.priorSsthresh = 0;
  if (sk.icskCaState < T.TCP_CA_CWR) {
    tp.undoMarker = 0;
    tcp_init_cwnd_reduction(sk);
    tcp_set_ca_state(ctx, sk, T.TCP_CA_CWR);
  }
}

function tcp_try_keep_open(ctx: KernelCtx, sk: TcpSock): void {
  const tp = sk;
  let state = T.TCP_CA_Open;
  if (tcp_left_out(tp) || tcp_any_retrans_done(sk)) state = T.TCP_CA_Disorder;
  if (sk.icskCaState !== state) {
    tcp_set_ca_state(ctx, sk, state);
    tp.highSeq = tp.sndNxt;
  }
}

function tcp_try_to_open(ctx: KernelCtx, sk: TcpSock, flag: number): void {
  const tp = sk;
  if (!tcp_any_retrans_done(sk)) tp.retransStamp = 0;
  if (flag & FLAG_ECE) tcp_enter_cwr(ctx, sk);
  if (sk.icskCaState !== T.TCP_CA_CWR) tcp_try_keep_open(ctx, sk);
}

/** tcp_enter_recovery: fast recovery starts (TCPSackRecovery or TCPRenoRecovery). */
export function tcp_enter_recovery(ctx: KernelCtx, sk: TcpSock, eceAck: boolean): void {
  const tp = sk;
  // Start the clock with our fast retransmit, for undo and ETIMEDOUT.
  tcp_retrans_stamp_cleanup(sk);
  NET_INC_STATS(sk.net, tcp_is_reno(tp) ? LINUX_MIB.TCPRenoRecovery : LINUX_MIB.TCPSackRecovery);
  tp.priorSsthresh = 0;
  tcp_init_undo(tp);
  if (!tcp_in_cwnd_reduction(sk)) {
    if (!eceAck) tp.priorSsthresh = tcp_current_ssthresh(sk);
    tcp_init_cwnd_reduction(sk);
  }
  tcp_set_ca_state(ctx, sk, T.TCP_CA_Recovery);
}

function tcp_update_rto_time(tp: TcpSock): void {
  if (tp.rtoStamp) {
    tp.totalRtoTime += T.tcp_time_stamp_ms(tp) - tp.rtoStamp;
    tp.rtoStamp = 0;
  }
}

/** tcp_process_loss: process an ACK in CA_Loss state (F-RTO, RFC 5682). */
function tcp_process_loss(
  ctx: KernelCtx,
  sk: TcpSock,
  flag: number,
  numDupack: number,
  rexmit: { v: number },
): void {
  const tp = sk;
  const recovered = !before(tp.sndUna, tp.highSeq);
  if ((flag & FLAG_SND_UNA_ADVANCED || tp.fastopenRsk) && tcp_try_undo_loss(ctx, sk, false)) return;
  if (tp.frto) {
    // F-RTO RFC5682 sec 3.1 (sack enhanced version).
    if (flag & FLAG_ORIG_SACK_ACKED && tcp_try_undo_loss(ctx, sk, true)) return;
    if (after(tp.sndNxt, tp.highSeq)) {
      if (flag & FLAG_DATA_SACKED || numDupack) tp.frto = 0; // Step 3.a. loss was real
    } else if (flag & FLAG_SND_UNA_ADVANCED && !recovered) {
      tp.highSeq = tp.sndNxt;
      // Step 2.b. Try send new data (but deferred until cwnd is updated in tcp_fastretrans_alert()).
      if (!tcp_write_queue_empty(sk) && after(T.tcp_wnd_end(tp), tp.sndNxt)) {
        rexmit.v = REXMIT_NEW;
        return;
      }
      tp.frto = 0;
    }
  }
  if (recovered) {
    // F-RTO RFC5682 sec 3.1 step 2.a and 1st part of step 3.a
    tcp_try_undo_recovery(ctx, sk);
    return;
  }
  if (tcp_is_reno(tp)) {
    // A Reno DUPACK means new data in F-RTO step 2.b above are delivered.
    if (after(tp.sndNxt, tp.highSeq) && numDupack) tcp_add_reno_sack(sk, numDupack, (flag & FLAG_ECE) !== 0);
    else if (flag & FLAG_SND_UNA_ADVANCED) tcp_reset_reno_sack(tp);
  }
  rexmit.v = REXMIT_LOST;
}

function tcp_identify_packet_loss(ctx: KernelCtx, sk: TcpSock, flag: { v: number }): void {
  const tp = sk;
  if (tcp_rtx_queue_empty(sk)) return;
  if (tcp_is_reno(tp)) {
    tcp_newreno_mark_lost(ctx, sk, (flag.v & FLAG_SND_UNA_ADVANCED) !== 0);
  } else if (tcp_is_rack(sk)) {
    const priorRetrans = tp.retransOut;
    if (tcp_rack_mark_lost(ctx, sk)) flag.v &= ~FLAG_SET_XMIT_TIMER;
    if (priorRetrans > tp.retransOut) flag.v |= FLAG_LOST_RETRANS;
  }
}

function tcp_force_fast_retransmit(sk: TcpSock): boolean {
  return after(tcp_highest_sack_seq(sk), (sk.sndUna + sk.reordering * sk.mssCache) >>> 0);
}

/** tcp_mtup_probe_failed: the probe was lost: search below it. */
function tcp_mtup_probe_failed(sk: TcpSock): void {
  sk.icskMtup.searchHigh = sk.icskMtup.probeSize - 1;
  sk.icskMtup.probeSize = 0;
  sk.net.linuxMib[LINUX_MIB.TCPMTUPFail]++;
}

/**
 * tcp_mtup_probe_success: the probe got through: cwnd keeps its bytes in larger segments, the search goes on
 * from the probe's size, and the MSS grows to it (tcp_sync_mss).
 */
function tcp_mtup_probe_success(ctx: KernelCtx, sk: TcpSock): void {
  const tp = sk;
  tp.priorSsthresh = tcp_current_ssthresh(sk);
  const val = Math.floor((tcp_snd_cwnd(tp) * tcp_mss_to_mtu(sk, tp.mssCache)) / sk.icskMtup.probeSize);
  tcp_snd_cwnd_set(tp, Math.max(1, val));
  tp.sndCwndCnt = 0;
  tp.sndCwndStamp = tcp_jiffies32(ctx);
  tp.sndSsthresh = tcp_current_ssthresh(sk);
  sk.icskMtup.searchLow = sk.icskMtup.probeSize;
  sk.icskMtup.probeSize = 0;
  tcp_sync_mss(sk, sk.icskPmtuCookie);
  sk.net.linuxMib[LINUX_MIB.TCPMTUPSuccess]++;
}

/** tcp_fastretrans_alert's default case: Open/Disorder/CWR: is it time to enter Recovery? */
function tcp_fastretrans_open(
  ctx: KernelCtx,
  sk: TcpSock,
  flag: number,
  numDupack: number,
  eceAck: boolean,
  ackFlag: { v: number },
): boolean {
  const tp = sk;
  if (tcp_is_reno(tp)) {
    if (flag & FLAG_SND_UNA_ADVANCED) tcp_reset_reno_sack(tp);
    tcp_add_reno_sack(sk, numDupack, eceAck);
  }
  if (sk.icskCaState <= T.TCP_CA_Disorder) tcp_try_undo_dsack(ctx, sk);
  tcp_identify_packet_loss(ctx, sk, ackFlag);
  if (!tcp_time_to_recover(sk)) {
    tcp_try_to_open(ctx, sk, flag);
    return false;
  }
  // MTU probe failure: don't reduce cwnd
  if (sk.icskCaState < T.TCP_CA_CWR && sk.icskMtup.probeSize && tp.sndUna === tp.mtuProbe.probeSeqStart) {
    tcp_mtup_probe_failed(sk);
    // Restores the reduction we did in tcp_mtu_probe()
    tcp_snd_cwnd_set(tp, tcp_snd_cwnd(tp) + 1);
    tcp_simple_retransmit(ctx, sk);
    return false;
  }
  // Otherwise enter Recovery state
  tcp_enter_recovery(ctx, sk, eceAck);
  return true;
}

/**
 * tcp_fastretrans_alert: process an event which can update packets-in-flight not trivially: the
 * congestion state machine (Open, Disorder, CWR, Recovery, Loss) and what to retransmit.
 */
function tcp_fastretrans_alert(
  ctx: KernelCtx,
  sk: TcpSock,
  priorSndUna: number,
  numDupack: number,
  ackFlag: { v: number },
  rexmit: { v: number },
): void {
  const tp = sk;
  let fastRexmit = false;
  const flag = ackFlag.v;
  const eceAck = (flag & FLAG_ECE) !== 0;
  const doLost = numDupack > 0 || ((flag & FLAG_DATA_SACKED) !== 0 && tcp_force_fast_retransmit(sk));
  if (!tp.packetsOut && tp.sackedOut) tp.sackedOut = 0;
  // Now state machine starts. A. ECE, hence prohibit cwnd undoing, the reduction is required.
  if (eceAck) tp.priorSsthresh = 0;
  // B. In all the states check for reneging SACKs.
  if (tcp_check_sack_reneging(ctx, sk, ackFlag)) return;
  // D. Check state exit conditions. State can be terminated when high_seq is ACKed.
  if (sk.icskCaState === T.TCP_CA_Open) {
    tp.retransStamp = 0;
  } else if (!before(tp.sndUna, tp.highSeq)) {
    switch (sk.icskCaState) {
      case T.TCP_CA_CWR:
        // CWR is to be held something *above* high_seq is ACKed for CWR bit to reach receiver.
        if (tp.sndUna !== tp.highSeq) {
          tcp_end_cwnd_reduction(ctx, sk);
          tcp_set_ca_state(ctx, sk, T.TCP_CA_Open);
        }
        break;
      case T.TCP_CA_Recovery:
        if (tcp_is_reno(tp)) tcp_reset_reno_sack(tp);
        if (tcp_try_undo_recovery(ctx, sk)) return;
        tcp_end_cwnd_reduction(ctx, sk);
        break;
    }
  }
  // E. Process state.
  switch (sk.icskCaState) {
    case T.TCP_CA_Recovery:
      if (!(flag & FLAG_SND_UNA_ADVANCED)) {
        if (tcp_is_reno(tp)) tcp_add_reno_sack(sk, numDupack, eceAck);
      } else if (tcp_try_undo_partial(ctx, sk, priorSndUna)) return;
      if (tcp_try_undo_dsack(ctx, sk)) tcp_try_to_open(ctx, sk, flag);
      tcp_identify_packet_loss(ctx, sk, ackFlag);
      if (sk.icskCaState !== T.TCP_CA_Recovery) {
        if (!tcp_time_to_recover(sk)) return;
        // Undo reverts the recovery state. If loss is evident, starts a new recovery (e.g. reordering
        // then loss);
        tcp_enter_recovery(ctx, sk, eceAck);
      }
      break;
    case T.TCP_CA_Loss:
      tcp_process_loss(ctx, sk, flag, numDupack, rexmit);
      if ((sk.icskCaState as number) !== T.TCP_CA_Loss) tcp_update_rto_time(tp);
      tcp_identify_packet_loss(ctx, sk, ackFlag);
      // Change state if cwnd is undone or retransmits are lost
      if (!((sk.icskCaState as number) === T.TCP_CA_Open || ackFlag.v & FLAG_LOST_RETRANS)) return;
      if (!tcp_fastretrans_open(ctx, sk, flag, numDupack, eceAck, ackFlag)) return;
      fastRexmit = true;
      break;
    default:
      if (!tcp_fastretrans_open(ctx, sk, flag, numDupack, eceAck, ackFlag)) return;
      fastRexmit = true;
  }
  if (!tcp_is_rack(sk) && doLost) tcp_update_scoreboard(sk, fastRexmit);
  rexmit.v = REXMIT_LOST;
}

// ---- Reno's emulated SACK ------------------------------------------------------------------------------

function tcp_limit_reno_sacked(tp: TcpSock): boolean {
  let holes = Math.max(tp.lostOut, 1);
  holes = Math.min(holes, tp.packetsOut);
  if (tp.sackedOut + holes > tp.packetsOut) {
    tp.sackedOut = tp.packetsOut - holes;
    return true;
  }
  return false;
}

function tcp_check_reno_reordering(sk: TcpSock, addend: number): void {
  const tp = sk;
  if (!tcp_limit_reno_sacked(tp)) return;
  tp.reordering = Math.min(tp.packetsOut + addend, sk.net.sysctl.tcp.maxReordering);
  tp.reordSeen++;
  NET_INC_STATS(sk.net, LINUX_MIB.TCPRenoReorder);
}

function tcp_add_reno_sack(sk: TcpSock, numDupack: number, eceAck: boolean): void {
  if (numDupack) {
    const tp = sk;
    const priorSacked = tp.sackedOut;
    tp.sackedOut += numDupack;
    tcp_check_reno_reordering(sk, 0);
    const delivered = tp.sackedOut - priorSacked;
    if (delivered > 0) tcp_count_delivered(tp, delivered, eceAck);
  }
}

function tcp_remove_reno_sacks(sk: TcpSock, acked: number, eceAck: boolean): void {
  const tp = sk;
  if (acked > 0) {
    // One ACK acked hole. The rest eat duplicate ACKs.
    tcp_count_delivered(tp, Math.max(acked - tp.sackedOut, 1), eceAck);
    if (acked - 1 >= tp.sackedOut) tp.sackedOut = 0;
    else tp.sackedOut -= acked - 1;
  }
  tcp_check_reno_reordering(sk, acked);
}

function tcp_reset_reno_sack(tp: TcpSock): void {
  tp.sackedOut = 0;
}

/** tcp_check_sack_reordering: a SACK below the highest SACKed: reordering, not loss. */
function tcp_check_sack_reordering(sk: TcpSock, lowSeq: number, ts: number): void {
  const tp = sk;
  const mss = tp.mssCache;
  const fack = tcp_highest_sack_seq(tp);
  if (!before(lowSeq, fack)) return;
  const metric = (fack - lowSeq) >>> 0;
  if (metric > tp.reordering * mss && mss)
    tp.reordering = Math.min(Math.floor((metric + mss - 1) / mss), sk.net.sysctl.tcp.maxReordering);
  // This exciting event is worth to be remembered. 8)
  tp.reordSeen++;
  NET_INC_STATS(sk.net, ts ? LINUX_MIB.TCPTSReorder : LINUX_MIB.TCPSACKReorder);
}

function tcp_retrans_stamp_cleanup(sk: TcpSock): void {
  if (!tcp_any_retrans_done(sk)) sk.retransStamp = 0;
}

// ---- SACK ----------------------------------------------------------------------------------------------

/** struct tcp_sacktag_state */
interface SacktagState {
  firstSackt: number;
  lastSackt: number;
  reord: number;
  sackDelivered: number;
  flag: number;
  mssNow: number;
  rate: RateSample;
}

/** tcp_dsack_seen: account a DSACK; 0 if it is dubious. */
function tcp_dsack_seen(tp: TcpSock, startSeq: number, endSeq: number, state: SacktagState): number {
  let dupSegs = 1;
  if (!before(startSeq, endSeq)) return 0;
  const seqLen = (endSeq - startSeq) >>> 0;
  // Dubious DSACK: DSACKed range greater than maximum advertised rwnd
  if (seqLen > tp.maxWindow) return 0;
  if (seqLen > tp.mssCache) dupSegs = Math.ceil(seqLen / tp.mssCache);
  else if (tp.tlpHighSeq && tp.tlpHighSeq === endSeq) state.flag |= FLAG_DSACK_TLP;
  tp.dsackDups += dupSegs;
  // Skip the DSACK if dup segs weren't retransmitted by sender
  if (tp.dsackDups > tp.totalRetrans) return 0;
  tp.rxOpt.sackOk |= T.TCP_DSACK_SEEN;
  if (tp.reordSeen && !(state.flag & FLAG_DSACK_TLP)) tp.rackDsackSeen = 1;
  state.flag |= FLAG_DSACKING_ACK;
  // A spurious retransmission is delivered
  state.sackDelivered += dupSegs;
  return dupSegs;
}

/** tcp_check_dsack: is the first SACK block a D-SACK (RFC 2883)? */
function tcp_check_dsack(
  sk: TcpSock,
  ackSkb: SkBuff,
  sp: TcpSackBlock[],
  priorSndUna: number,
  state: SacktagState,
): boolean {
  const tp = sk;
  const s0 = sp[0].startSeq;
  const e0 = sp[0].endSeq;
  if (before(s0, TCP_SKB_CB(ackSkb).ackSeq)) {
    NET_INC_STATS(sk.net, LINUX_MIB.TCPDSACKRecv);
  } else if (sp.length > 1) {
    if (after(e0, sp[1].endSeq) || before(s0, sp[1].startSeq)) return false;
    NET_INC_STATS(sk.net, LINUX_MIB.TCPDSACKOfoRecv);
  } else {
    return false;
  }
  const dupSegs = tcp_dsack_seen(tp, s0, e0, state);
  if (!dupSegs) {
    NET_INC_STATS(sk.net, LINUX_MIB.TCPDSACKIgnoredDubious);
    return false;
  }
  NET_INC_STATS(sk.net, LINUX_MIB.TCPDSACKRecvSegs, dupSegs);
  // D-SACK for already forgotten data... Do dumb counting.
  if (tp.undoMarker && tp.undoRetrans > 0 && !after(e0, priorSndUna) && after(e0, tp.undoMarker))
    tp.undoRetrans = Math.max(0, tp.undoRetrans - dupSegs);
  return true;
}

/** tcp_is_sackblock_valid: SACK block range validation checks (RFC 2018, and old D-SACKs). */
function tcp_is_sackblock_valid(tp: TcpSock, isDsack: boolean, startSeq: number, endSeq: number): boolean {
  // Too far in future, or reversed (interpretation is ambiguous)
  if (after(endSeq, tp.sndNxt) || !before(startSeq, endSeq)) return false;
  // Nasty start_seq wrap-around check (see comments above)
  if (!before(startSeq, tp.sndNxt)) return false;
  // In outstanding window? ...This is valid exit for D-SACKs too. start_seq == snd_una is non-sensical (see comments above)
  if (after(startSeq, tp.sndUna)) return true;
  if (!isDsack || !tp.undoMarker) return false;
  // ...Then it's D-SACK, and must reside below snd_una completely
  if (after(endSeq, tp.sndUna)) return false;
  if (!before(startSeq, tp.undoMarker)) return true;
  // Too old
  if (!after(endSeq, tp.undoMarker)) return false;
  // Undo_marker boundary crossing (overestimates a lot). Known already: start_seq < undo_marker and end_seq >= undo_marker.
  return !before(startSeq, (endSeq - tp.maxWindow) >>> 0);
}

/** tcp_sacktag_one: mark the given newly-SACKed range as such, adjusting counters and hints. */
function tcp_sacktag_one(
  sk: TcpSock,
  state: SacktagState,
  sacked: number,
  startSeq: number,
  endSeq: number,
  dupSack: boolean,
  pcount: number,
  xmitTime: number,
): number {
  const tp = sk;
  // Account D-SACK for retransmitted packet.
  if (dupSack && sacked & T.TCPCB_RETRANS) {
    if (tp.undoMarker && tp.undoRetrans > 0 && after(endSeq, tp.undoMarker))
      tp.undoRetrans = Math.max(0, tp.undoRetrans - pcount);
    if (sacked & T.TCPCB_SACKED_ACKED && before(startSeq, state.reord)) state.reord = startSeq;
  }
  // Nothing to do; acked frame is about to be dropped (was ACKed).
  if (!after(endSeq, tp.sndUna)) return sacked;
  if (!(sacked & T.TCPCB_SACKED_ACKED)) {
    tcp_rack_advance(tp, sacked, endSeq, xmitTime);
    if (sacked & T.TCPCB_SACKED_RETRANS) {
      // If the segment is not tagged as lost, we do not clear RETRANS, believing that retransmission
      // is still in flight.
      if (sacked & T.TCPCB_LOST) {
        sacked &= ~(T.TCPCB_LOST | T.TCPCB_SACKED_RETRANS);
        tp.lostOut -= pcount;
        tp.retransOut -= pcount;
      }
    } else {
      if (!(sacked & T.TCPCB_RETRANS)) {
        // New sack for not retransmitted frame, which was in hole. It is reordering.
        if (before(startSeq, tcp_highest_sack_seq(tp)) && before(startSeq, state.reord))
          state.reord = startSeq;
        if (!after(endSeq, tp.highSeq)) state.flag |= FLAG_ORIG_SACK_ACKED;
        if (state.firstSackt === 0) state.firstSackt = xmitTime;
        state.lastSackt = xmitTime;
      }
      if (sacked & T.TCPCB_LOST) {
        sacked &= ~T.TCPCB_LOST;
        tp.lostOut -= pcount;
      }
    }
    sacked |= T.TCPCB_SACKED_ACKED;
    state.flag |= FLAG_DATA_SACKED;
    tp.sackedOut += pcount;
    // Out-of-order packets delivered
    state.sackDelivered += pcount;
    // Lost marker hint past SACKed? Tweak RFC3517 cnt
    if (tp.lostSkbHint && before(startSeq, TCP_SKB_CB(tp.lostSkbHint).seq)) tp.lostCntHint += pcount;
  }
  // D-SACK. We can detect redundant retransmission in S|R and plain R frames and clear it.
  if (dupSack && sacked & T.TCPCB_SACKED_RETRANS) {
    sacked &= ~T.TCPCB_SACKED_RETRANS;
    tp.retransOut -= pcount;
  }
  return sacked;
}

/**
 * tcp_sacktag_walk over the retransmit queue for one block. An skb the block covers only partly is split
 * at the block's edge first (tcp_match_skb_to_sack); the kernel's shifting and merging of SACKed skbs
 * (TCPSackShifted, TCPSackMerged) is not modelled: the scoreboard ends the same.
 */
function tcp_sacktag_walk(
  ctx: KernelCtx,
  sk: TcpSock,
  state: SacktagState,
  startSeq: number,
  endSeq: number,
  dupSack: boolean,
): void {
  const tp = sk;
  for (let i = 0; i < sk.rtxQueue.length; i++) {
    let skb = sk.rtxQueue[i];
    const cb = TCP_SKB_CB(skb);
    if (!before(cb.seq, endSeq)) break;
    if (!after(cb.endSeq, startSeq)) continue;
    let inSack = !after(cb.endSeq, endSeq) && !before(cb.seq, startSeq);
    if (!inSack && tcp_skb_pcount(skb) > 1) {
      // tcp_match_skb_to_sack: split at MSS-aligned edges so the SACKed part is an skb of its own.
      const mss = tcp_skb_mss(skb);
      if (after(startSeq, cb.seq)) {
        let pkt = (startSeq - cb.seq) >>> 0;
        if (pkt < mss) pkt = mss;
        pkt = Math.floor(pkt / mss) * mss;
        if (pkt < skb.len && tcp_fragment(ctx, sk, TCP_FRAG_IN_RTX_QUEUE, skb, pkt, mss) === 0) continue;
      } else {
        let pkt = (endSeq - cb.seq) >>> 0;
        pkt = Math.floor(pkt / mss) * mss;
        if (pkt > 0 && pkt < skb.len && tcp_fragment(ctx, sk, TCP_FRAG_IN_RTX_QUEUE, skb, pkt, mss) === 0) {
          skb = sk.rtxQueue[i];
          inSack = !after(TCP_SKB_CB(skb).endSeq, endSeq) && !before(TCP_SKB_CB(skb).seq, startSeq);
        }
      }
    }
    if (!inSack) continue;
    const scb = TCP_SKB_CB(skb);
    scb.sacked = tcp_sacktag_one(
      sk,
      state,
      scb.sacked,
      scb.seq,
      scb.endSeq,
      dupSack,
      tcp_skb_pcount(skb),
      tcp_skb_timestamp_us(skb),
    );
    if (dupSack && scb.sacked & T.TCPCB_SACKED_ACKED) continue;
    tcp_rate_skb_delivered(sk, skb, state.rate);
    if (scb.sacked & T.TCPCB_SACKED_ACKED && !before(scb.seq, tcp_highest_sack_seq(tp)))
      tp.highestSack = sk.rtxQueue[i + 1] ?? null; // tcp_advance_highest_sack
  }
}

function tcp_skb_mss(skb: SkBuff): number {
  return TCP_SKB_CB(skb).tcpGsoSize || skb.len;
}

/** tcp_sacktag_write_queue: apply the SACK option of an ACK to the retransmit queue's scoreboard. */
function tcp_sacktag_write_queue(
  ctx: KernelCtx,
  sk: TcpSock,
  ackSkb: SkBuff,
  priorSndUna: number,
  state: SacktagState,
): number {
  const tp = sk;
  const b = ackSkb.buf;
  const off = th(ackSkb) + TCP_SKB_CB(ackSkb).sackOff;
  const numSacks = Math.min(T.TCP_NUM_SACKS, (b[off + 1] - T.TCPOLEN_SACK_BASE) >> 3);
  const spWire: TcpSackBlock[] = [];
  for (let i = 0; i < numSacks; i++)
    spWire.push({ startSeq: readU32(b, off + 2 + 8 * i), endSeq: readU32(b, off + 6 + 8 * i) });
  state.flag = 0;
  state.reord = tp.sndNxt;
  if (!tp.sackedOut) tp.highestSack = tcp_rtx_queue_head(sk); // tcp_highest_sack_reset
  const foundDupSack = tcp_check_dsack(sk, ackSkb, spWire, priorSndUna, state);
  if (foundDupSack) state.flag |= FLAG_DSACKING_ACK;
  // Eliminate too old ACKs, but take into account more or less fresh ones, they can contain valid SACK info.
  if (before(TCP_SKB_CB(ackSkb).ackSeq, (priorSndUna - tp.maxWindow) >>> 0)) return 0;
  if (!tp.packetsOut) return state.flag;
  const used: Array<TcpSackBlock & { dup: boolean }> = [];
  for (let i = 0; i < numSacks; i++) {
    const dupSack = foundDupSack && i === 0;
    const sp = spWire[i];
    if (!tcp_is_sackblock_valid(tp, dupSack, sp.startSeq, sp.endSeq)) {
      let mib: number;
      if (dupSack) {
        mib = tp.undoMarker ? LINUX_MIB.TCPDSACKIgnoredOld : LINUX_MIB.TCPDSACKIgnoredNoUndo;
      } else {
        // Don't count olds caused by ACK reordering
        if (TCP_SKB_CB(ackSkb).ackSeq !== tp.sndUna && !after(sp.endSeq, tp.sndUna)) continue;
        mib = LINUX_MIB.TCPSACKDiscard;
      }
      NET_INC_STATS(sk.net, mib);
      continue;
    }
    // Ignore very old stuff early
    if (!after(sp.endSeq, priorSndUna)) continue;
    used.push({ ...sp, dup: dupSack });
  }
  // order SACK blocks to allow in order walk of the retrans queue
  used.sort((x, y) => (after(x.startSeq, y.startSeq) ? 1 : -1));
  state.mssNow = tcp_current_mss(sk);
  for (const blk of used) tcp_sacktag_walk(ctx, sk, state, blk.startSeq, blk.endSeq, blk.dup);
  tp.recvSackCache = used.map((x) => ({ startSeq: x.startSeq, endSeq: x.endSeq }));
  if (sk.icskCaState !== T.TCP_CA_Loss || tp.undoMarker) tcp_check_sack_reordering(sk, state.reord, 0);
  ctx.step(ackSkb, F.sacktag, `${used.length} block(s), sacked_out ${tp.sackedOut}, lost_out ${tp.lostOut}`);
  return state.flag;
}

// ---- ACK processing ---------------------------------------------------------------------------------------

/** tcp_tso_acked: if we get here, the whole TSO packet has not been acked: trim what was. */
function tcp_tso_acked(sk: TcpSock, skb: SkBuff): number {
  let packetsAcked = tcp_skb_pcount(skb);
  if (tcp_trim_head(sk, skb, (sk.sndUna - TCP_SKB_CB(skb).seq) >>> 0)) return 0;
  packetsAcked -= tcp_skb_pcount(skb);
  return packetsAcked;
}

/**
 * tcp_ack_tstamp: SOF_TIMESTAMPING_TX_ACK's SCM_TSTAMP_ACK once the byte the skb's key names is
 * acknowledged by this ACK.
 */
function tcp_ack_tstamp(ctx: KernelCtx, sk: TcpSock, skb: SkBuff, priorSndUna: number): void {
  if (!TCP_SKB_CB(skb).txstampAck) return;
  if (!before(skb.tskey, priorSndUna) && before(skb.tskey, sk.sndUna))
    __skb_tstamp_tx(ctx, skb, sk, SCM_TSTAMP_ACK);
}

/**
 * tcp_clean_rtx_queue: remove acknowledged frames from the retransmission queue. If our packet is
 * before the ack sequence we can discard it as it's confirmed to have arrived at the other end.
 */
function tcp_clean_rtx_queue(
  ctx: KernelCtx,
  sk: TcpSock,
  ackSkb: SkBuff,
  priorFack: number,
  priorSndUna: number,
  sack: SacktagState,
  eceAck: boolean,
): number {
  const tp = sk;
  let firstAckt = 0;
  let lastAckt = 0;
  const priorSacked = tp.sackedOut;
  let reord = tp.sndNxt; // lowest acked un-retx un-sacked seq
  let fullyAcked = true;
  let sackRttUs = -1;
  let seqRttUs = -1;
  let caRttUs = -1;
  let pktsAcked = 0;
  let flag = 0;
  let skb: SkBuff | null = null;
  while ((skb = tcp_rtx_queue_head(sk)) !== null) {
    const scb = TCP_SKB_CB(skb);
    const startSeq = scb.seq;
    const sacked = scb.sacked;
    let ackedPcount: number;
    // Determine how many packets and what bytes were acked, tso and else
    if (after(scb.endSeq, tp.sndUna)) {
      if (tcp_skb_pcount(skb) === 1 || !after(tp.sndUna, scb.seq)) break;
      ackedPcount = tcp_tso_acked(sk, skb);
      if (!ackedPcount) break;
      fullyAcked = false;
    } else {
      ackedPcount = tcp_skb_pcount(skb);
    }
    if (sacked & T.TCPCB_RETRANS) {
      if (sacked & T.TCPCB_SACKED_RETRANS) tp.retransOut -= ackedPcount;
      flag |= FLAG_RETRANS_DATA_ACKED;
    } else if (!(sacked & T.TCPCB_SACKED_ACKED)) {
      lastAckt = tcp_skb_timestamp_us(skb);
      if (!firstAckt) firstAckt = lastAckt;
      if (before(startSeq, reord)) reord = startSeq;
      if (!after(scb.endSeq, tp.highSeq)) flag |= FLAG_ORIG_SACK_ACKED;
    }
    if (sacked & T.TCPCB_SACKED_ACKED) {
      tp.sackedOut -= ackedPcount;
    } else if (tcp_is_sack(tp)) {
      tcp_count_delivered(tp, ackedPcount, eceAck);
      if (!tcp_skb_spurious_retrans(tp, skb))
        tcp_rack_advance(tp, sacked, scb.endSeq, tcp_skb_timestamp_us(skb));
    }
    if (sacked & T.TCPCB_LOST) tp.lostOut -= ackedPcount;
    tp.packetsOut -= ackedPcount;
    pktsAcked += ackedPcount;
    tcp_rate_skb_delivered(sk, skb, sack.rate);
    // Initial outgoing SYN's get put onto the write_queue just like anything else we transmit. It is
    // not true data, and if we misinform our callers that this ACK acks real data, we will erroneously
    // exit connection startup slow start one packet too quickly.
    if (!(scb.tcpFlags & T.TCPHDR_SYN)) {
      flag |= FLAG_DATA_ACKED;
    } else {
      flag |= FLAG_SYN_ACKED;
      tp.retransStamp = 0;
    }
    if (!fullyAcked) break;
    tcp_ack_tstamp(ctx, sk, skb, priorSndUna);
    const next = sk.rtxQueue[1] ?? null;
    if (skb === tp.retransmitSkbHint) tp.retransmitSkbHint = null;
    if (skb === tp.lostSkbHint) tp.lostSkbHint = null;
    tcp_highest_sack_replace(sk, skb, next);
    tcp_rtx_queue_unlink_and_free(sk, skb);
  }
  if (!skb) tcp_chrono_stop(ctx, sk, T.TCP_CHRONO_BUSY);
  if (between(tp.sndUp, priorSndUna, tp.sndUna)) tp.sndUp = tp.sndUna;
  if (skb) {
    tcp_ack_tstamp(ctx, sk, skb, priorSndUna);
    if (TCP_SKB_CB(skb).sacked & T.TCPCB_SACKED_ACKED) flag |= FLAG_SACK_RENEGING;
  }
  if (firstAckt && !(flag & FLAG_RETRANS_DATA_ACKED)) {
    seqRttUs = tcp_stamp_us_delta(tp.tcpMstamp, firstAckt);
    caRttUs = tcp_stamp_us_delta(tp.tcpMstamp, lastAckt);
    if (
      pktsAcked === 1 &&
      fullyAcked &&
      !priorSacked &&
      (tp.sndUna - priorSndUna) >>> 0 < tp.mssCache &&
      sack.rate.priorDelivered + 1 === tp.delivered &&
      !(flag & (FLAG_CA_ALERT | FLAG_SYN_ACKED))
    ) {
      // Conservatively mark a delayed ACK. It's typically from a lone runt packet over the
      // round-trip to a receiver w/o out-of-order or CE events.
      flag |= FLAG_ACK_MAYBE_DELAYED;
    }
  }
  if (sack.firstSackt) {
    sackRttUs = tcp_stamp_us_delta(tp.tcpMstamp, sack.firstSackt);
    caRttUs = tcp_stamp_us_delta(tp.tcpMstamp, sack.lastSackt);
  }
  const rttUpdate = tcp_ack_update_rtt(ctx, sk, flag, seqRttUs, sackRttUs, caRttUs, sack.rate);
  if (flag & FLAG_ACKED) {
    flag |= FLAG_SET_XMIT_TIMER; // set TLP or RTO timer
    if (sk.icskMtup.probeSize && !after(tp.mtuProbe.probeSeqEnd, tp.sndUna)) tcp_mtup_probe_success(ctx, sk);
    if (tcp_is_reno(tp)) {
      tcp_remove_reno_sacks(sk, pktsAcked, eceAck);
      // If any of the cumulatively ACKed segments was retransmitted, non-SACK case cannot confirm
      // that progress was due to original transmission due to lack of TCPCB_SACKED_ACKED bits.
      if (flag & FLAG_RETRANS_DATA_ACKED) flag &= ~FLAG_ORIG_SACK_ACKED;
    } else {
      // Non-retransmitted hole got filled? That's reordering
      if (before(reord, priorFack)) tcp_check_sack_reordering(sk, reord, 0);
      const delta = priorSacked - tp.sackedOut;
      tp.lostCntHint -= Math.min(tp.lostCntHint, delta);
    }
  } else if (
    skb &&
    rttUpdate &&
    sackRttUs >= 0 &&
    sackRttUs > tcp_stamp_us_delta(tp.tcpMstamp, tcp_skb_timestamp_us(skb))
  ) {
    // Do not re-arm RTO if the sack RTT is measured from data sent after SND.UNA was sent.
    flag |= FLAG_SET_XMIT_TIMER;
  }
  if (sk.icskCaOps.pktsAcked) {
    sk.icskCaOps.pktsAcked(ctx, sk, {
      pktsAcked,
      rttUs: sack.rate.rttUs,
      inFlight: tp.mssCache * (tp.delivered - sack.rate.priorDelivered),
    });
  }
  ctx.step(
    ackSkb,
    F.cleanRtxQueue,
    null,
    pktsAcked,
    tp.packetsOut,
    tp.srttUs >>> 3,
    T.jiffies_to_msecs(sk.icskRto),
  );
  return flag;
}

/** tcp_skb_spurious_retrans: the skb was retransmitted but the original arrived (TSecr older than the retransmit). */
function tcp_skb_spurious_retrans(tp: TcpSock, skb: SkBuff): boolean {
  return (
    (TCP_SKB_CB(skb).sacked & T.TCPCB_RETRANS) !== 0 &&
    tcp_tsopt_ecr_before(tp, T.tcp_skb_timestamp_ts(tp.tcpUsecTs, skb))
  );
}

/** tcp_ack_probe: a zero-window probe's answer: stop probing if the window opened. */
function tcp_ack_probe(ctx: KernelCtx, sk: TcpSock): void {
  const head = tcp_send_head(sk);
  if (!head) return;
  if (!after(TCP_SKB_CB(head).endSeq, T.tcp_wnd_end(sk))) {
    sk.icskBackoff = 0;
    sk.icskProbesTstamp = 0;
    inet_csk_clear_xmit_timer(sk, T.ICSK_TIME_PROBE0);
    // Socket must be waked up by subsequent tcp_data_snd_check(). This function is not for random using!
  } else {
    const when = T.tcp_probe0_when(sk, T.TCP_RTO_MAX);
    tcp_reset_xmit_timer(ctx, sk, T.ICSK_TIME_PROBE0, when, T.TCP_RTO_MAX);
  }
}

function tcp_ack_is_dubious(sk: TcpSock, flag: number): boolean {
  return !(flag & FLAG_NOT_DUP) || (flag & FLAG_CA_ALERT) !== 0 || sk.icskCaState !== T.TCP_CA_Open;
}

/** tcp_may_raise_cwnd: decide whether to run the increase function of congestion control. */
function tcp_may_raise_cwnd(sk: TcpSock, flag: number): boolean {
  // If reordering is high then always grow cwnd whenever data is delivered regardless of its ordering.
  if (sk.reordering > sk.net.sysctl.tcp.reordering) return (flag & FLAG_FORWARD_PROGRESS) !== 0;
  return (flag & FLAG_DATA_ACKED) !== 0;
}

/** tcp_cong_control: the "main" congestion control hook: PRR while reducing, else the CC's cong_avoid. */
function tcp_cong_control(
  ctx: KernelCtx,
  sk: TcpSock,
  ack: number,
  ackedSacked: number,
  flag: number,
  rs: RateSample,
): void {
  if (tcp_in_cwnd_reduction(sk)) {
    // Reduce cwnd if state mandates
    tcp_cwnd_reduction(sk, ackedSacked, rs.losses, flag);
  } else if (tcp_may_raise_cwnd(sk, flag)) {
    // Advance cwnd if state allows
    sk.icskCaOps.congAvoid(ctx, sk, ack, ackedSacked);
    sk.sndCwndStamp = tcp_jiffies32(ctx);
  }
  tcp_update_pacing_rate(sk);
}

/** tcp_may_update_window: check that window update is acceptable. */
function tcp_may_update_window(tp: TcpSock, ack: number, ackSeq: number, nwin: number): boolean {
  return (
    after(ack, tp.sndUna) || after(ackSeq, tp.sndWl1) || (ackSeq === tp.sndWl1 && (nwin > tp.sndWnd || !nwin))
  );
}

function tcp_snd_una_update(tp: TcpSock, ack: number): void {
  const delta = (ack - tp.sndUna) >>> 0;
  tp.bytesAcked += delta;
  tp.sndUna = ack;
}

function tcp_rcv_nxt_update(tp: TcpSock, seq: number): void {
  const delta = (seq - tp.rcvNxt) >>> 0;
  tp.bytesReceived += delta;
  tp.rcvNxt = seq;
}

/**
 * tcp_ack_update_window: update our send window. Window update algorithm, described in RFC793/RFC1122
 * (duplicated in tcp_may_update_window).
 */
function tcp_ack_update_window(
  ctx: KernelCtx,
  sk: TcpSock,
  skb: SkBuff,
  ack: number,
  ackSeq: number,
): number {
  const tp = sk;
  let flag = 0;
  let nwin = tcpw.window(skb.buf, th(skb));
  if (!(tcpw.flags(skb.buf, th(skb)) & tcpw.TCP_SYN)) nwin <<= tp.rxOpt.sndWscale;
  if (tcp_may_update_window(tp, ack, ackSeq, nwin)) {
    flag |= FLAG_WIN_UPDATE;
    tcp_update_wl(tp, ackSeq);
    if (tp.sndWnd !== nwin) {
      tp.sndWnd = nwin;
      // Note, it is the only place, where fast path is recovered for sending TCP.
      tp.predFlags = 0;
      tcp_fast_path_check(sk);
      if (nwin > tp.maxWindow) {
        tp.maxWindow = nwin;
        tcp_sync_mss(sk, sk.icskPmtuCookie);
      }
    }
  }
  tcp_snd_una_update(tp, ack);
  void ctx;
  return flag;
}

/** tcp_rearm_rto: restart the retransmit timer after new data is acked or sent. */
export function tcp_rearm_rto(ctx: KernelCtx, sk: TcpSock): void {
  const tp = sk;
  // If the retrans timer is currently being used by Fast Open for SYN-ACK retrans purpose, stay put.
  if (tp.fastopenRsk) return;
  if (!tp.packetsOut) {
    inet_csk_clear_xmit_timer(sk, T.ICSK_TIME_RETRANS);
  } else {
    let rto = sk.icskRto;
    // Offset the time elapsed after installing regular RTO
    if (sk.icskPending === T.ICSK_TIME_REO_TIMEOUT || sk.icskPending === T.ICSK_TIME_LOSS_PROBE) {
      const deltaUs = tcp_rto_delta_us(ctx, sk);
      // delta_us may not be positive if the socket is locked when the retrans timer fires and is rescheduled.
      rto = usecs_to_jiffies(Math.max(deltaUs, 1));
    }
    tcp_reset_xmit_timer(ctx, sk, T.ICSK_TIME_RETRANS, rto, T.TCP_RTO_MAX);
  }
}

/** tcp_set_xmit_timer: try to schedule a loss probe; if that doesn't work, then schedule an RTO. */
function tcp_set_xmit_timer(ctx: KernelCtx, sk: TcpSock): void {
  if (!tcp_schedule_loss_probe(ctx, sk, true)) tcp_rearm_rto(ctx, sk);
}

/** tcp_process_tlp_ack: this routine deals with acks during a TLP episode and ends an episode by resetting tlp_high_seq. */
function tcp_process_tlp_ack(ctx: KernelCtx, sk: TcpSock, ack: number, flag: number): void {
  const tp = sk;
  if (before(ack, tp.tlpHighSeq)) return;
  if (!tp.tlpRetrans) {
    // TLP of new data has been acknowledged
    tp.tlpHighSeq = 0;
  } else if (flag & FLAG_DSACK_TLP) {
    // This DSACK means original and TLP probe arrived; no loss
    tp.tlpHighSeq = 0;
  } else if (after(ack, tp.tlpHighSeq)) {
    // ACK advances: there was a loss, so reduce cwnd. Reset tlp_high_seq in tcp_init_cwnd_reduction()
    tcp_init_cwnd_reduction(sk);
    tcp_set_ca_state(ctx, sk, T.TCP_CA_CWR);
    tcp_end_cwnd_reduction(ctx, sk);
    tcp_try_keep_open(ctx, sk);
    NET_INC_STATS(sk.net, LINUX_MIB.TCPLossProbeRecovery);
  } else if (!(flag & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DATA_SACKED))) {
    // Pure dupack: original and TLP probe arrived; no loss
    tp.tlpHighSeq = 0;
  }
}

function tcp_in_ack_event(sk: TcpSock, flag: number): void {
  if (sk.icskCaOps.inAckEvent) {
    let ev = 0;
    if (flag & FLAG_WIN_UPDATE) ev |= 0x1; // CA_ACK_WIN_UPDATE
    if (flag & FLAG_SLOWPATH) {
      ev |= 0x2; // CA_ACK_SLOWPATH
      if (flag & FLAG_ECE) ev |= 0x4; // CA_ACK_ECE
    }
    sk.icskCaOps.inAckEvent(sk, ev);
  }
}

/** tcp_xmit_recovery: send what recovery decided, after cwnd was updated. */
function tcp_xmit_recovery(ctx: KernelCtx, sk: TcpSock, rexmit: number): void {
  const tp = sk;
  if (rexmit === REXMIT_NONE || sk.state === TCP_SYN_SENT) return;
  if (rexmit === REXMIT_NEW) {
    __tcp_push_pending_frames(ctx, sk, tcp_current_mss(sk), T.TCP_NAGLE_OFF);
    if (after(tp.sndNxt, tp.highSeq)) return;
    tp.frto = 0;
  }
  tcp_xmit_retransmit_queue(ctx, sk);
}

/** tcp_newly_delivered: returns the number of packets newly acked or sacked by the current ACK. */
function tcp_newly_delivered(sk: TcpSock, priorDelivered: number, flag: number): number {
  const delivered = sk.delivered - priorDelivered;
  NET_INC_STATS(sk.net, LINUX_MIB.TCPDelivered, delivered);
  if (flag & FLAG_ECE) NET_INC_STATS(sk.net, LINUX_MIB.TCPDeliveredCE, delivered);
  return delivered;
}

/** tcp_ack: this routine deals with incoming acks, but not outgoing ones. Returns >0 ok, 0 old, <0 a drop. */
function tcp_ack(ctx: KernelCtx, sk: TcpSock, skb: SkBuff, flagIn: number): number | SkbDropReason {
  const tp = sk;
  const rs = newRateSample();
  rs.priorDelivered = 0;
  const sackState: SacktagState = {
    firstSackt: 0,
    lastSackt: 0,
    reord: 0,
    sackDelivered: 0,
    flag: 0,
    mssNow: 0,
    rate: rs,
  };
  const priorSndUna = tp.sndUna;
  const isSackReneg = tp.isSackReneg !== 0;
  const ackSeq = TCP_SKB_CB(skb).seq;
  const ack = TCP_SKB_CB(skb).ackSeq;
  let numDupack = 0;
  const priorPackets = tp.packetsOut;
  let delivered = tp.delivered;
  let lost = tp.lost;
  const rexmit = { v: REXMIT_NONE };
  const flag = { v: flagIn };

  // If the ack is older than previous acks then we can probably ignore it.
  if (before(ack, priorSndUna)) {
    // do not accept ACK for bytes we never sent.
    const maxWindow = Math.min(tp.maxWindow, tp.bytesAcked);
    // RFC 5961 5.2 [Blind Data Injection Attack].[Mitigation]
    if (before(ack, (priorSndUna - maxWindow) >>> 0)) {
      if (!(flag.v & FLAG_NO_CHALLENGE_ACK)) tcp_send_challenge_ack(ctx, sk);
      ctx.step(skb, F.ack, `ack ${ack} below snd_una - max_window: too old`);
      return SKB_DROP_REASON.TCP_TOO_OLD_ACK;
    }
    // old_ack: An old ACK can carry new data. Update TS.Recent before SACK processing can trigger a retransmission.
    if (flag.v & FLAG_UPDATE_TS_RECENT) tcp_replace_ts_recent(ctx, tp, TCP_SKB_CB(skb).seq);
    // If data was SACKed, tag it and see if we should send more data. If data was DSACKed, see if we
    // can undo a cwnd reduction.
    if (TCP_SKB_CB(skb).sackOff) {
      flag.v |= tcp_sacktag_write_queue(ctx, sk, skb, priorSndUna, sackState);
      tcp_fastretrans_alert(ctx, sk, priorSndUna, numDupack, flag, rexmit);
      tcp_newly_delivered(sk, delivered, flag.v);
      tcp_xmit_recovery(ctx, sk, rexmit.v);
    }
    ctx.step(skb, F.ack, `old ack ${ack} < snd_una ${priorSndUna}`);
    return 0;
  }
  // If the ack includes data we haven't sent yet, discard this segment (RFC793 Section 3.9).
  if (after(ack, tp.sndNxt)) {
    ctx.step(skb, F.ack, `ack ${ack} > snd_nxt ${tp.sndNxt}: acks unsent data`);
    return SKB_DROP_REASON.TCP_ACK_UNSENT_DATA;
  }
  if (after(ack, priorSndUna)) {
    flag.v |= FLAG_SND_UNA_ADVANCED;
    sk.icskRetransmits = 0;
  }
  const priorFack = tcp_is_sack(tp) ? tcp_highest_sack_seq(tp) : tp.sndUna;
  rs.priorInFlight = tcp_packets_in_flight(tp);
  // ts_recent update must be made after we are sure that the packet is in window.
  if (flag.v & FLAG_UPDATE_TS_RECENT) tcp_replace_ts_recent(ctx, tp, TCP_SKB_CB(skb).seq);
  if ((flag.v & (FLAG_SLOWPATH | FLAG_SND_UNA_ADVANCED)) === FLAG_SND_UNA_ADVANCED) {
    // Window is constant, pure forward advance. No more checks are required.
    tcp_update_wl(tp, ackSeq);
    tcp_snd_una_update(tp, ack);
    flag.v |= FLAG_WIN_UPDATE;
    NET_INC_STATS(sk.net, LINUX_MIB.TCPHPAcks);
  } else {
    if (ackSeq !== TCP_SKB_CB(skb).endSeq) flag.v |= FLAG_DATA;
    else NET_INC_STATS(sk.net, LINUX_MIB.TCPPureAcks);
    flag.v |= tcp_ack_update_window(ctx, sk, skb, ack, ackSeq);
    if (TCP_SKB_CB(skb).sackOff) flag.v |= tcp_sacktag_write_queue(ctx, sk, skb, priorSndUna, sackState);
    if (tcp_ecn_rcv_ecn_echo(tp, skb)) flag.v |= FLAG_ECE;
    if (sackState.sackDelivered) tcp_count_delivered(tp, sackState.sackDelivered, (flag.v & FLAG_ECE) !== 0);
  }
  // We passed data and got it acked, remove any soft error log. Something worked...
  sk.errSoft = 0;
  sk.icskProbesOut = 0;
  tp.rcvTstamp = tcp_jiffies32(ctx);
  ctx.step(skb, F.ack, null, priorSndUna, tp.sndUna, tp.sndWnd, tcp_snd_cwnd(tp));
  if (!priorPackets) {
    // no_queue:
    tcp_in_ack_event(sk, flag.v);
    // If data was DSACKed, see if we can undo a cwnd reduction.
    if (flag.v & FLAG_DSACKING_ACK) {
      tcp_fastretrans_alert(ctx, sk, priorSndUna, numDupack, flag, rexmit);
      tcp_newly_delivered(sk, delivered, flag.v);
    }
    // If this ack opens up a zero window, clear backoff. It was being used to time the probes, and is
    // probably far higher than it needs to be for normal retransmission.
    tcp_ack_probe(ctx, sk);
    if (tp.tlpHighSeq) tcp_process_tlp_ack(ctx, sk, ack, flag.v);
    return 1;
  }
  // See if we can take anything off of the retransmit queue.
  flag.v |= tcp_clean_rtx_queue(ctx, sk, skb, priorFack, priorSndUna, sackState, (flag.v & FLAG_ECE) !== 0);
  tcp_rack_update_reo_wnd(sk, rs);
  tcp_in_ack_event(sk, flag.v);
  if (tp.tlpHighSeq) tcp_process_tlp_ack(ctx, sk, ack, flag.v);
  if (tcp_ack_is_dubious(sk, flag.v)) {
    if (!(flag.v & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DSACKING_ACK))) {
      numDupack = 1;
      // Consider if pure acks were aggregated in tcp_add_backlog()
      if (!(flag.v & FLAG_DATA)) numDupack = Math.max(1, skb.gsoSegs);
    }
    tcp_fastretrans_alert(ctx, sk, priorSndUna, numDupack, flag, rexmit);
  }
  // If needed, reset TLP/RTO timer when RACK doesn't set.
  if (flag.v & FLAG_SET_XMIT_TIMER) tcp_set_xmit_timer(ctx, sk);
  delivered = tcp_newly_delivered(sk, delivered, flag.v);
  lost = tp.lost - lost; // freshly marked lost
  rs.isAckDelayed = flag.v & FLAG_ACK_MAYBE_DELAYED ? 1 : 0;
  tcp_rate_gen(sk, delivered, lost, isSackReneg, sackState.rate);
  tcp_cong_control(ctx, sk, ack, delivered, flag.v, sackState.rate);
  tcp_xmit_recovery(ctx, sk, rexmit.v);
  return 1;
}

/** tcp_ecn_rcv_ecn_echo */
function tcp_ecn_rcv_ecn_echo(tp: TcpSock, skb: SkBuff): boolean {
  const f = tcpw.flags(skb.buf, th(skb));
  if (f & tcpw.TCP_ECE && !(f & tcpw.TCP_SYN) && tp.ecnFlags & T.TCP_ECN_OK) return true;
  return false;
}

// ---- timestamps and sequence validation ---------------------------------------------------------------

function nowSeconds(ctx: KernelCtx): number {
  return T.ktime_get_seconds(ctx);
}

function tcp_store_ts_recent(ctx: KernelCtx, tp: TcpSock): void {
  tp.rxOpt.tsRecent = tp.rxOpt.rcvTsval;
  tp.rxOpt.tsRecentStamp = nowSeconds(ctx);
}

function tcp_replace_ts_recent(ctx: KernelCtx, tp: TcpSock, seq: number): void {
  if (tp.rxOpt.sawTstamp && !after(seq, tp.rcvWup)) {
    // PAWS bug workaround wrt. ACK frames, the PAWS discard extra check below makes sure this can only
    // happen for pure ACK frames.
    if (tcp_paws_check(tp.rxOpt, 0, nowSeconds(ctx))) tcp_store_ts_recent(ctx, tp);
  }
}

/** tcp_disordered_ack: a pure duplicate ACK inside the replay window: PAWS must not drop it. */
function tcp_disordered_ack(sk: TcpSock, skb: SkBuff): boolean {
  const tp = sk;
  const seq = TCP_SKB_CB(skb).seq;
  const ack = TCP_SKB_CB(skb).ackSeq;
  const f = tcpw.flags(skb.buf, th(skb));
  return (
    // 1. Pure ACK with correct sequence number.
    (f & tcpw.TCP_ACK) !== 0 &&
    seq === TCP_SKB_CB(skb).endSeq &&
    seq === tp.rcvNxt &&
    // 2. ... and duplicate ACK.
    ack === tp.sndUna &&
    // 3. ... and does not update window.
    !tcp_may_update_window(tp, ack, seq, tcpw.window(skb.buf, th(skb)) << tp.rxOpt.sndWscale) &&
    // 4. ... and sits in replay window.
    ((tp.rxOpt.tsRecent - tp.rxOpt.rcvTsval) | 0) <= Math.floor((sk.icskRto * 1200) / T.HZ)
  );
}

function tcp_paws_discard(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): boolean {
  return !tcp_paws_check(sk.rxOpt, T.TCP_PAWS_WINDOW, nowSeconds(ctx)) && !tcp_disordered_ack(sk, skb);
}

/**
 * tcp_sequence: check segment sequence number for validity. Segment controls are considered valid, if
 * the segment fits to the window after truncation to the window.
 */
function tcp_sequence(tp: TcpSock, seq: number, endSeq: number): SkbDropReason | null {
  if (before(endSeq, tp.rcvWup)) return SKB_DROP_REASON.TCP_OLD_SEQUENCE;
  if (after(seq, (tp.rcvNxt + tcp_receive_window(tp)) >>> 0)) return SKB_DROP_REASON.TCP_INVALID_SEQUENCE;
  return null;
}

function tcp_reset_check(sk: TcpSock, skb: SkBuff): boolean {
  return (
    TCP_SKB_CB(skb).seq === (sk.rcvNxt - 1) >>> 0 &&
    (sk.state === TCP_CLOSE_WAIT || sk.state === TCP_LAST_ACK || sk.state === TCP_CLOSING)
  );
}

/** __tcp_oow_rate_limited: at most one out-of-window dupack per tcp_invalid_ratelimit. */
export function __tcp_oow_rate_limited(
  ctx: KernelCtx,
  net: Net,
  mib: number,
  holder: { lastOowAckTime: number },
): boolean {
  const val = holder.lastOowAckTime;
  const now = tcp_jiffies32(ctx);
  if (val) {
    const elapsed = (now - val) | 0;
    if (elapsed >= 0 && elapsed < net.sysctl.tcp.invalidRatelimit) {
      NET_INC_STATS(net, mib);
      return true; // rate-limited: don't send yet!
    }
  }
  holder.lastOowAckTime = now;
  return false; // not rate-limited: go ahead, send dupack now!
}

/**
 * tcp_oow_rate_limited: return true if we're currently rate-limiting out-of-window ACKs and thus
 * shouldn't send a dupack right now (avoids infinite dupack loops with a peer that is confused).
 */
export function tcp_oow_rate_limited(
  ctx: KernelCtx,
  net: Net,
  skb: SkBuff,
  mib: number,
  holder: { lastOowAckTime: number },
): boolean {
  // Data packets without SYNs are not likely part of an ACK loop.
  if (TCP_SKB_CB(skb).seq !== TCP_SKB_CB(skb).endSeq && !(tcpw.flags(skb.buf, th(skb)) & tcpw.TCP_SYN))
    return false;
  return __tcp_oow_rate_limited(ctx, net, mib, holder);
}

/** tcp_challenge_ack_allowed: one slot of the per-netns RFC 5961 challenge ACK quota (unlimited by default). */
function tcp_challenge_ack_allowed(ctx: KernelCtx, net: Net): boolean {
  const tcp = net.sysctl.tcp;
  const ackLimit = tcp.challengeAckLimit;
  if (ackLimit === 0x7fffffff) return true;
  // Then check host-wide RFC 5961 rate limit.
  const now = Math.floor(jiffies(ctx) / T.HZ);
  if (now !== tcp.challengeTimestamp) {
    const half = (ackLimit + 1) >> 1;
    tcp.challengeTimestamp = now;
    // get_random_u32_inclusive(half, ack_limit + half - 1)
    tcp.challengeCount = ackLimit ? half + ((ctx.random32() >>> 0) % ackLimit) : 0;
  }
  const count = tcp.challengeCount;
  if (count > 0) {
    tcp.challengeCount = count - 1;
    return true;
  }
  return false;
}

/** tcp_send_challenge_ack: RFC 5961 7 [ACK Throttling] */
export function tcp_send_challenge_ack(ctx: KernelCtx, sk: TcpSock): void {
  const net = sk.net;
  // First check our per-socket dupack rate limit.
  if (__tcp_oow_rate_limited(ctx, net, LINUX_MIB.TCPACKSkippedChallenge, sk)) return;
  if (!tcp_challenge_ack_allowed(ctx, net)) return;
  NET_INC_STATS(net, LINUX_MIB.TCPChallengeACK);
  tcp_send_ack(ctx, sk);
}

/**
 * tcp_reqsk_send_challenge_ack: RFC 5961: a challenge ACK from a SYN-RECEIVED request for a non-exact
 * in-window RST (the rate limit applies even to an RST carrying payload).
 */
export function tcp_reqsk_send_challenge_ack(
  ctx: KernelCtx,
  sk: TcpSock,
  skb: SkBuff,
  req: RequestSock,
): void {
  const net = sk.net;
  if (__tcp_oow_rate_limited(ctx, net, LINUX_MIB.TCPACKSkippedChallenge, req)) return;
  if (tcp_challenge_ack_allowed(ctx, net)) {
    NET_INC_STATS(net, LINUX_MIB.TCPChallengeACK);
    tcp_v4_reqsk_send_ack(ctx, sk, skb, req);
  }
}

/** tcp_sack_compress_send_ack: send the one ACK that stands for the SACKs compressed so far. */
export function tcp_sack_compress_send_ack(ctx: KernelCtx, sk: TcpSock): void {
  if (!sk.compressedAck) return;
  ctx.delTimer(sk.compressedAckTimer);
  // Since we have to send one ack finally, subtract one from tp->compressed_ack to keep
  // LINUX_MIB_TCPACKCOMPRESSED accurate.
  NET_INC_STATS(sk.net, LINUX_MIB.TCPAckCompressed, sk.compressedAck - 1);
  sk.compressedAck = 0;
  tcp_send_ack(ctx, sk);
}

/** tcp_reset: we got a reset. Record the error the process will see and close. */
export function tcp_reset(ctx: KernelCtx, sk: TcpSock, skb: SkBuff | null): void {
  let err: number;
  // We want the right error as BSD sees it (and indeed as we do).
  switch (sk.state) {
    case TCP_SYN_SENT:
      err = ECONNREFUSED;
      break;
    case TCP_CLOSE_WAIT:
      err = EPIPE;
      break;
    case TCP_CLOSE:
      return;
    default:
      err = ECONNRESET;
  }
  if (skb) ctx.step(skb, F.reset, `${tcpStateName(sk.state)}: sk_err = ${errName(err)}`);
  tcp_write_queue_purge(ctx, sk);
  tcp_done_with_error(ctx, sk, err);
}

/** tcp_done_with_error: record the error for the process (sk_err), purge, close, and report it. */
export function tcp_done_with_error(ctx: KernelCtx, sk: TcpSock, err: number): void {
  // This barrier is coupled with smp_rmb() in tcp_poll()
  sk.skErr = err;
  tcp_write_queue_purge(ctx, sk);
  tcp_done(ctx, sk);
  if (!sock_flag(sk, T.SOCK_DEAD)) sockDefReadable(sk); // sk_error_report
}

/**
 * tcp_simple_retransmit: the path MTU shrank: every queued segment bigger than the new MSS is lost;
 * retransmit without touching the congestion window (units changed, not the amount of data in flight).
 */
export function tcp_simple_retransmit(ctx: KernelCtx, sk: TcpSock): void {
  const tp = sk;
  // A fastopen SYN request is stored as two separate packets within the retransmit queue: mark all lost.
  const mss = tp.synData && sk.state === TCP_SYN_SENT ? -1 : tcp_current_mss(sk);
  for (const skb of sk.rtxQueue)
    if (TCP_SKB_CB(skb).endSeq - TCP_SKB_CB(skb).seq > mss) tcp_mark_skb_lost(sk, skb);
  tp.retransmitSkbHint = null; // tcp_clear_retrans_hints_partial
  if (!tp.lostOut) return;
  if (tcp_is_reno(tp)) tcp_limit_reno_sacked(tp);
  // Don't muck with the congestion window here.
  tcp_non_congestion_loss_retransmit(ctx, sk);
}

/** tcp_non_congestion_loss_retransmit: retransmit in Loss state without reducing ssthresh below what it is. */
export function tcp_non_congestion_loss_retransmit(ctx: KernelCtx, sk: TcpSock): void {
  const tp = sk;
  if (sk.icskCaState !== T.TCP_CA_Loss) {
    tp.highSeq = tp.sndNxt;
    tp.sndSsthresh = tcp_current_ssthresh(sk);
    tp.priorSsthresh = 0;
    tp.undoMarker = 0;
    tcp_set_ca_state(ctx, sk, T.TCP_CA_Loss);
  }
  tcp_xmit_retransmit_queue(ctx, sk);
}

function errName(err: number): string {
  return err === ECONNREFUSED ? 'ECONNREFUSED' : err === EPIPE ? 'EPIPE' : 'ECONNRESET';
}

const STATE_NAMES = [
  '',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
];
function tcpStateName(s: number): string {
  return STATE_NAMES[s] ?? String(s);
}

/** tcp_send_dupack: an out-of-window or duplicate segment: ACK it now (DSACK if it was old data). */
function tcp_send_dupack(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): void {
  const tp = sk;
  const cb = TCP_SKB_CB(skb);
  if (cb.endSeq !== cb.seq && before(cb.seq, tp.rcvNxt)) {
    NET_INC_STATS(sk.net, LINUX_MIB.DelayedACKLost);
    tcp_enter_quickack_mode(sk, T.TCP_MAX_QUICKACKS);
    if (tcp_is_sack(tp) && sk.net.sysctl.tcp.dsack) {
      let endSeq = cb.endSeq;
      if (after(cb.endSeq, tp.rcvNxt)) endSeq = tp.rcvNxt;
      tcp_dsack_set(sk, cb.seq, endSeq);
    }
  }
  ctx.step(skb, F.sendDupack);
  tcp_send_ack(ctx, sk);
}

/**
 * tcp_validate_incoming: does PAWS and seqno based validation of an incoming segment, flags will play a
 * role here as well. Returns null when the segment passes, else the verdict it got (dropped or reset).
 */
function tcp_validate_incoming(ctx: KernelCtx, sk: TcpSock, skb: SkBuff, synInerr: boolean): Verdict | null {
  const tp = sk;
  const f = tcpw.flags(skb.buf, th(skb));
  const rst = (f & tcpw.TCP_RST) !== 0;
  const syn = (f & tcpw.TCP_SYN) !== 0;
  let reason: SkbDropReason = SKB_DROP_REASON.NOT_SPECIFIED;
  const synChallenge = (): Verdict => {
    if (synInerr) TCP_INC_STATS(sk.net, TCP_MIB.InErrs);
    NET_INC_STATS(sk.net, LINUX_MIB.TCPSYNChallenge);
    tcp_send_challenge_ack(ctx, sk);
    ctx.step(skb, F.validateIncoming, 'SYN in window: challenge ACK (RFC 5961 4.2)');
    return tcp_drop_reason(sk, skb, SKB_DROP_REASON.TCP_INVALID_SYN);
  };
  const reset = (): Verdict => {
    ctx.step(skb, F.validateIncoming, 'RST in window');
    tcp_reset(ctx, sk, skb);
    return consumed(skb);
  };
  // RFC1323: H1. Apply PAWS check first.
  if (tcp_fast_parse_options(sk.net, skb, tp) && tp.rxOpt.sawTstamp && tcp_paws_discard(ctx, sk, skb)) {
    if (!rst) {
      if (syn) return synChallenge();
      NET_INC_STATS(sk.net, LINUX_MIB.PAWSEstab);
      if (!tcp_oow_rate_limited(ctx, sk.net, skb, LINUX_MIB.TCPACKSkippedPAWS, tp))
        tcp_send_dupack(ctx, sk, skb);
      ctx.step(skb, F.validateIncoming, `PAWS: tsval ${tp.rxOpt.rcvTsval} < ts_recent ${tp.rxOpt.tsRecent}`);
      return tcp_drop_reason(sk, skb, SKB_DROP_REASON.TCP_RFC7323_PAWS);
    }
    // Reset is accepted even if it did not pass PAWS.
  }
  // Step 1: check sequence number
  const seqReason = tcp_sequence(tp, TCP_SKB_CB(skb).seq, TCP_SKB_CB(skb).endSeq);
  if (seqReason) {
    // RFC793, page 37: "In all states except SYN-SENT, all reset (RST) segments are validated by
    // checking their SEQ-fields." And page 69: "If an incoming segment is not acceptable, an
    // acknowledgment should be sent in reply (unless the RST bit is set, if so drop the segment and return)".
    if (!rst) {
      if (syn) return synChallenge();
      if (!tcp_oow_rate_limited(ctx, sk.net, skb, LINUX_MIB.TCPACKSkippedSeq, tp))
        tcp_send_dupack(ctx, sk, skb);
    } else if (tcp_reset_check(sk, skb)) {
      return reset();
    }
    ctx.step(
      skb,
      F.validateIncoming,
      `seq ${TCP_SKB_CB(skb).seq} outside rcv_nxt ${tp.rcvNxt} + window ${tcp_receive_window(tp)}`,
    );
    return tcp_drop_reason(sk, skb, seqReason);
  }
  // Step 2: check RST bit
  if (rst) {
    // RFC 5961 3.2 (extend to match against (RCV.NXT - 1) after a FIN and SACK too if available):
    // If seq num matches RCV.NXT or (RCV.NXT - 1) after a FIN, or the right-most SACK block, then
    // reset the connection. Otherwise send a challenge ACK.
    if (TCP_SKB_CB(skb).seq === tp.rcvNxt || tcp_reset_check(sk, skb)) return reset();
    if (tcp_is_sack(tp) && tp.rxOpt.numSacks > 0) {
      let maxSack = tp.selectiveAcks[0].endSeq;
      for (let i = 1; i < tp.rxOpt.numSacks; i++)
        if (after(tp.selectiveAcks[i].endSeq, maxSack)) maxSack = tp.selectiveAcks[i].endSeq;
      if (TCP_SKB_CB(skb).seq === maxSack) return reset();
    }
    // Disable TFO if RST is out-of-order and no data has been received for current active TFO socket
    tcp_send_challenge_ack(ctx, sk);
    reason = SKB_DROP_REASON.TCP_RESET;
    ctx.step(
      skb,
      F.validateIncoming,
      `RST seq ${TCP_SKB_CB(skb).seq} != rcv_nxt ${tp.rcvNxt}: challenge ACK (RFC 5961 3.2)`,
    );
    return tcp_drop_reason(sk, skb, reason);
  }
  // step 3: check security and precedence [ignored]
  // step 4: Check for a SYN. RFC 5961 4.2 : Send a challenge ack
  if (syn) {
    if (
      sk.state === TCP_SYN_RECV &&
      sk.hasSocket &&
      f & tcpw.TCP_ACK &&
      (TCP_SKB_CB(skb).seq + 1) >>> 0 === TCP_SKB_CB(skb).endSeq &&
      (TCP_SKB_CB(skb).seq + 1) >>> 0 === tp.rcvNxt &&
      TCP_SKB_CB(skb).ackSeq === tp.sndNxt
    ) {
      // pass: a retransmitted SYN-ACK of a simultaneous open
    } else {
      return synChallenge();
    }
  }
  return null;
}

/** tcp_drop_reason: count the drop on the socket and free the skb with its reason. */
function tcp_drop_reason(sk: TcpSock, skb: SkBuff, reason: SkbDropReason): Verdict {
  sk.drops++;
  return drop(skb, reason);
}

/** Free an skb TCP had queued on the socket (out-of-order merges, purges): uncharge it, then free. */
function tcp_free_queued(ctx: KernelCtx, sk: TcpSock, skb: SkBuff, reason: SkbDropReason | null): void {
  sk.rmemAlloc -= skbTruesize(skb);
  sk_mem_uncharge(sk, skbTruesize(skb));
  if (reason) {
    sk.drops++;
    skb.dropReason = reason;
  }
  ctx.free(skb);
}

// ---- the receive queue -----------------------------------------------------------------------------------

/** tcp_dsack_set: remember a D-SACK block (RFC 2883) for the next ACK. */
function tcp_dsack_set(sk: TcpSock, seq: number, endSeq: number): void {
  const tp = sk;
  if (tcp_is_sack(tp) && sk.net.sysctl.tcp.dsack) {
    NET_INC_STATS(sk.net, before(seq, tp.rcvNxt) ? LINUX_MIB.TCPDSACKOldSent : LINUX_MIB.TCPDSACKOfoSent);
    tp.rxOpt.dsack = 1;
    tp.duplicateSack[0].startSeq = seq;
    tp.duplicateSack[0].endSeq = endSeq;
  }
}

function tcp_sack_extend(sp: TcpSackBlock, seq: number, endSeq: number): boolean {
  if (!after(seq, sp.endSeq) && !after(sp.startSeq, endSeq)) {
    if (before(seq, sp.startSeq)) sp.startSeq = seq;
    if (after(endSeq, sp.endSeq)) sp.endSeq = endSeq;
    return true;
  }
  return false;
}

function tcp_dsack_extend(sk: TcpSock, seq: number, endSeq: number): void {
  const tp = sk;
  if (!tp.rxOpt.dsack) tcp_dsack_set(sk, seq, endSeq);
  else tcp_sack_extend(tp.duplicateSack[0], seq, endSeq);
}

/** tcp_sack_maybe_coalesce: check if we can coalesce the first SACK block with the others. */
function tcp_sack_maybe_coalesce(tp: TcpSock): void {
  const sp = tp.selectiveAcks;
  for (let i = 1; i < tp.rxOpt.numSacks; ) {
    if (tcp_sack_extend(sp[0], sp[i].startSeq, sp[i].endSeq)) {
      // Zap SWALK, by moving every further SACK up by one slot.
      sp.splice(i, 1);
      tp.rxOpt.numSacks--;
      continue;
    }
    i++;
  }
}

/** tcp_sack_new_ofo_skb: the first SACK block reports the newest out-of-order data (RFC 2018). */
function tcp_sack_new_ofo_skb(ctx: KernelCtx, sk: TcpSock, seq: number, endSeq: number): void {
  const tp = sk;
  const sp = tp.selectiveAcks;
  if (!tp.rxOpt.numSacks) {
    sp.length = 0;
    sp.push({ startSeq: seq, endSeq });
    tp.rxOpt.numSacks = 1;
    return;
  }
  for (let i = 0; i < tp.rxOpt.numSacks; i++) {
    if (tcp_sack_extend(sp[i], seq, endSeq)) {
      // Rotate this_sack to the first one.
      const [blk] = sp.splice(i, 1);
      sp.unshift(blk);
      if (tp.rxOpt.numSacks > 1) tcp_sack_maybe_coalesce(tp);
      return;
    }
  }
  if (tp.rxOpt.numSacks >= T.TCP_NUM_SACKS) {
    // Could not find an adjacent existing SACK, build a new one, put it at the front, and shift
    // everyone else down. We always know there is at least one SACK present already here.
    if (tp.compressedAck > 1) tcp_sack_compress_send_ack(ctx, sk);
    tp.rxOpt.numSacks--;
    sp.length = tp.rxOpt.numSacks;
  }
  sp.unshift({ startSeq: seq, endSeq });
  sp.length = Math.min(sp.length, T.TCP_NUM_SACKS);
  tp.rxOpt.numSacks++;
}

/** tcp_sack_remove: RCV.NXT advances, some SACKs should be eaten. */
function tcp_sack_remove(tp: TcpSock): void {
  // Empty ofo queue, hence, all the SACKs are eaten. Clear.
  if (!tp.outOfOrderQueue.length) {
    tp.rxOpt.numSacks = 0;
    tp.selectiveAcks.length = 0;
    return;
  }
  for (let i = 0; i < tp.rxOpt.numSacks; ) {
    // Check if the start of the sack is covered by RCV.NXT.
    if (!before(tp.rcvNxt, tp.selectiveAcks[i].startSeq)) {
      tp.selectiveAcks.splice(i, 1);
      tp.rxOpt.numSacks--;
      continue;
    }
    i++;
  }
}

/** tcp_rbtree_insert: keep a queue in sequence order (the kernel's rb-tree keyed by seq). */
export function tcp_rbtree_insert(queue: SkBuff[], skb: SkBuff): void {
  const seq = TCP_SKB_CB(skb).seq;
  let i = queue.length;
  while (i > 0 && before(seq, TCP_SKB_CB(queue[i - 1]).seq)) i--;
  queue.splice(i, 0, skb);
}

/**
 * tcp_try_rmem_schedule: room for the skb in sk_rcvbuf? If not, tcp_prune_queue: clamp the window and,
 * as a last resort, drop the out-of-order queue (OfoPruned) or refuse the skb (RcvPruned). The kernel's
 * collapsing of the receive queue (TCPRcvCollapsed) is not modelled: skbs here carry no slack to squeeze.
 */
function tcp_try_rmem_schedule(ctx: KernelCtx, sk: TcpSock, skb: SkBuff, size: number): number {
  // sk_rmem_schedule reserves the pages in sk_forward_alloc; without memory pressure it always succeeds.
  if (sk.rmemAlloc > sk.rcvbuf || !sk_rmem_schedule(sk, size)) {
    if (tcp_prune_queue(ctx, sk, skb) < 0) return -1;
  }
  return 0;
}

function tcp_prune_queue(ctx: KernelCtx, sk: TcpSock, inSkb: SkBuff): number {
  NET_INC_STATS(sk.net, LINUX_MIB.PruneCalled);
  if (sk.rmemAlloc >= sk.rcvbuf) tcp_clamp_window(sk);
  if (sk.rmemAlloc <= sk.rcvbuf) return 0;
  // Collapsing did not help, destructive actions follow. This must not ever occur.
  tcp_prune_ofo_queue(ctx, sk, inSkb);
  if (sk.rmemAlloc <= sk.rcvbuf) return 0;
  // If we are really being abused, tell the caller to silently drop receive data on the floor. It will
  // get retransmitted and hopefully then we'll have sufficient space.
  NET_INC_STATS(sk.net, LINUX_MIB.RcvPruned);
  // Massive buffer overcommit.
  sk.predFlags = 0;
  return -1;
}

/** tcp_prune_ofo_queue: drop out-of-order skbs from the highest sequence down until rmem fits. */
function tcp_prune_ofo_queue(ctx: KernelCtx, sk: TcpSock, inSkb: SkBuff): boolean {
  const tp = sk;
  if (!tp.outOfOrderQueue.length) return false;
  NET_INC_STATS(sk.net, LINUX_MIB.OfoPruned);
  let pruned = false;
  while (tp.outOfOrderQueue.length) {
    const last = tp.outOfOrderQueue[tp.outOfOrderQueue.length - 1];
    // Don't prune the ofo segments that are within the range the incoming skb would fill.
    if (!after(TCP_SKB_CB(last).seq, TCP_SKB_CB(inSkb).seq)) break;
    tp.outOfOrderQueue.pop();
    tcp_free_queued(ctx, sk, last, SKB_DROP_REASON.TCP_OFO_QUEUE_PRUNE);
    pruned = true;
    if (sk.rmemAlloc <= sk.rcvbuf && !tcp_under_memory_pressure()) break;
  }
  tp.ooLastSkb = tp.outOfOrderQueue[tp.outOfOrderQueue.length - 1] ?? null;
  // Reset SACK state. A conforming SACK implementation will do the same at a timeout based retransmit.
  if (tp.rxOpt.sackOk) tcp_sack_reset(tp);
  return pruned;
}

function tcp_under_memory_pressure(): boolean {
  return false;
}

/** skb_set_owner_r: the socket's receive memory is charged with the skb. */
function skb_set_owner_r(sk: TcpSock, skb: SkBuff): void {
  sk.rmemAlloc += skbTruesize(skb);
  sk_mem_charge(sk, skbTruesize(skb));
}

/**
 * tcp_queue_rcv: in-sequence data for the reader. The kernel first tries to append it to the tail skb
 * (tcp_try_coalesce, TCPRcvCoalesce); this model queues each skb, so the reader's journey shows every one.
 */
function tcp_queue_rcv(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): void {
  tcp_rcv_nxt_update(sk, TCP_SKB_CB(skb).endSeq);
  skb_set_owner_r(sk, skb);
  sk.receiveQueue.push(skb);
  ctx.step(skb, F.queueRcv, null, sk.rcvNxt, sk.receiveQueue.length, sk.rmemAlloc, sk.rcvbuf);
}

/** tcp_data_ready: wake the reader (sk_data_ready) if enough is there (SO_RCVLOWAT). */
function tcp_data_ready(sk: TcpSock): void {
  if (tcp_epollin_ready(sk, sk.rcvlowat) || sock_flag(sk, T.SOCK_DONE)) sockDefReadable(sk);
}

/**
 * tcp_fin: process the FIN bit. This now behaves as it is supposed to work and the FIN takes effect
 * when it is validly part of sequence space. Not before when we get holes.
 */
export function tcp_fin(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): void {
  const tp = sk;
  inet_csk_schedule_ack(sk);
  sk.shutdown |= T.RCV_SHUTDOWN;
  sock_set_flag(sk, T.SOCK_DONE);
  const was = sk.state;
  switch (sk.state) {
    case TCP_SYN_RECV:
    case TCP_ESTABLISHED:
      // Move to CLOSE_WAIT
      tcp_set_state(ctx, sk, TCP_CLOSE_WAIT);
      T.inet_csk_enter_pingpong_mode(sk);
      break;
    case TCP_CLOSE_WAIT:
    case TCP_CLOSING:
      // Received a retransmission of the FIN, do nothing.
      break;
    case TCP_LAST_ACK:
      // RFC793: Remain in the LAST-ACK state.
      break;
    case TCP_FIN_WAIT1:
      // This case occurs when a simultaneous close happens, we must ack the received FIN and enter the
      // CLOSING state.
      tcp_send_ack(ctx, sk);
      tcp_set_state(ctx, sk, TCP_CLOSING);
      break;
    case TCP_FIN_WAIT2:
      // Received a FIN -- send ACK and enter TIME_WAIT.
      tcp_send_ack(ctx, sk);
      tcp_time_wait(ctx, sk, TCP_TIME_WAIT, 0);
      break;
  }
  ctx.step(skb, F.fin, `${tcpStateName(was)} → ${tcpStateName(sk.state)}`);
  // It _is_ possible, that we have something out-of-order _after_ FIN. Probably, we should reset in
  // this case. For now drop them.
  for (const o of tp.outOfOrderQueue) tcp_free_queued(ctx, sk, o, SKB_DROP_REASON.NOT_SPECIFIED);
  tp.outOfOrderQueue.length = 0;
  tp.ooLastSkb = null;
  if (tcp_is_sack(tp)) tcp_sack_reset(tp);
  if (!sock_flag(sk, T.SOCK_DEAD)) sockDefReadable(sk); // sk_state_change
}

/** tcp_ofo_queue: this one checks to see if we can put data from the out_of_order queue into the receive_queue. */
function tcp_ofo_queue(ctx: KernelCtx, sk: TcpSock): void {
  const tp = sk;
  let dsackHigh = tp.rcvNxt;
  while (tp.outOfOrderQueue.length) {
    const skb = tp.outOfOrderQueue[0];
    if (after(TCP_SKB_CB(skb).seq, tp.rcvNxt)) break;
    if (before(TCP_SKB_CB(skb).seq, dsackHigh)) {
      const dsack = dsackHigh;
      if (before(TCP_SKB_CB(skb).endSeq, dsackHigh)) dsackHigh = TCP_SKB_CB(skb).endSeq;
      tcp_dsack_extend(sk, TCP_SKB_CB(skb).seq, dsack);
    }
    tp.outOfOrderQueue.shift();
    if (!after(TCP_SKB_CB(skb).endSeq, tp.rcvNxt)) {
      tcp_free_queued(ctx, sk, skb, SKB_DROP_REASON.TCP_OFO_DROP);
      continue;
    }
    // Already charged by tcp_data_queue_ofo: move it without charging again.
    tcp_rcv_nxt_update(tp, TCP_SKB_CB(skb).endSeq);
    sk.receiveQueue.push(skb);
    ctx.step(skb, F.ofoQueue, `hole filled: rcv_nxt ${tp.rcvNxt}`);
    if (TCP_SKB_CB(skb).tcpFlags & T.TCPHDR_FIN) {
      tcp_fin(ctx, sk, skb);
      // tcp_fin() purges whole OFO queue, so we must end this loop right now.
      break;
    }
  }
  if (!tp.outOfOrderQueue.length) tp.ooLastSkb = null;
}

/** tcp_data_queue_ofo: data beyond rcv_nxt waits in the out-of-order queue; SACK tells the sender. */
function tcp_data_queue_ofo(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): Verdict {
  const tp = sk;
  if (tcp_try_rmem_schedule(ctx, sk, skb, skbTruesize(skb))) {
    NET_INC_STATS(sk.net, LINUX_MIB.TCPOFODrop);
    sockDefReadable(sk);
    ctx.step(skb, F.dataQueueOfo, `rmem ${sk.rmemAlloc} > rcvbuf ${sk.rcvbuf}`);
    return tcp_drop_reason(sk, skb, SKB_DROP_REASON.PROTO_MEM);
  }
  // Disable header prediction.
  tp.predFlags = 0;
  inet_csk_schedule_ack(sk);
  tp.rcvOoopack += Math.max(1, skb.gsoSegs);
  NET_INC_STATS(sk.net, LINUX_MIB.TCPOFOQueue);
  const seq = TCP_SKB_CB(skb).seq;
  let endSeq = TCP_SKB_CB(skb).endSeq;
  const q = tp.outOfOrderQueue;
  let verdict: Verdict = queued(skb, 'out_of_order_queue');
  let kept = true;
  if (!q.length) {
    // Initial out of order segment, build 1 SACK.
    if (tcp_is_sack(tp)) {
      tp.rxOpt.numSacks = 1;
      tp.selectiveAcks.length = 0;
      tp.selectiveAcks.push({ startSeq: seq, endSeq });
    }
    q.push(skb);
    tp.ooLastSkb = skb;
    ctx.step(skb, F.dataQueueOfo, `seq ${seq} > rcv_nxt ${tp.rcvNxt}: first out-of-order segment`);
    skb_set_owner_r(sk, skb);
    if (tcp_is_sack(tp)) tcp_grow_window(sk, skb);
    return verdict;
  }
  // Find place to insert this segment. Handle overlaps on the way.
  let i = 0;
  let replaced = false;
  for (; i < q.length; i++) {
    const skb1 = q[i];
    if (before(seq, TCP_SKB_CB(skb1).seq)) break;
    if (before(seq, TCP_SKB_CB(skb1).endSeq)) {
      if (!after(endSeq, TCP_SKB_CB(skb1).endSeq)) {
        // All the bits are present. Drop.
        NET_INC_STATS(sk.net, LINUX_MIB.TCPOFOMerge);
        verdict = tcp_drop_reason(sk, skb, SKB_DROP_REASON.TCP_OFOMERGE);
        kept = false;
        tcp_dsack_set(sk, seq, endSeq);
        break;
      }
      if (after(seq, TCP_SKB_CB(skb1).seq)) {
        // Partial overlap.
        tcp_dsack_set(sk, seq, TCP_SKB_CB(skb1).endSeq);
      } else {
        // skb's seq == skb1's seq and skb covers skb1. Replace skb1 with skb.
        q[i] = skb;
        replaced = true;
        tcp_dsack_extend(sk, TCP_SKB_CB(skb1).seq, TCP_SKB_CB(skb1).endSeq);
        NET_INC_STATS(sk.net, LINUX_MIB.TCPOFOMerge);
        tcp_free_queued(ctx, sk, skb1, SKB_DROP_REASON.TCP_OFOMERGE);
        break;
      }
    }
  }
  if (kept) {
    if (!replaced) q.splice(i, 0, skb);
    // merge_right: Remove other segments covered by skb.
    const at = q.indexOf(skb);
    while (at + 1 < q.length) {
      const skb1 = q[at + 1];
      if (!after(endSeq, TCP_SKB_CB(skb1).seq)) break;
      if (before(endSeq, TCP_SKB_CB(skb1).endSeq)) {
        tcp_dsack_extend(sk, TCP_SKB_CB(skb1).seq, endSeq);
        break;
      }
      q.splice(at + 1, 1);
      tcp_dsack_extend(sk, TCP_SKB_CB(skb1).seq, TCP_SKB_CB(skb1).endSeq);
      NET_INC_STATS(sk.net, LINUX_MIB.TCPOFOMerge);
      tcp_free_queued(ctx, sk, skb1, SKB_DROP_REASON.TCP_OFOMERGE);
    }
    // If there is no skb after us, we are the last_skb !
    if (at === q.length - 1) tp.ooLastSkb = skb;
    ctx.step(skb, F.dataQueueOfo, `seq ${seq} > rcv_nxt ${tp.rcvNxt}: ${q.length} skb(s) out of order`);
  }
  // add_sack:
  if (tcp_is_sack(tp)) tcp_sack_new_ofo_skb(ctx, sk, seq, endSeq);
  if (kept) {
    // For non sack flows, do not grow window to force DUPACK and trigger fast retransmit.
    if (tcp_is_sack(tp)) tcp_grow_window(sk, skb);
    skb_set_owner_r(sk, skb);
  }
  endSeq = 0;
  return verdict;
}

/** tcp_data_queue: step 7 of RFC 793: process the segment text. */
function tcp_data_queue(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): Verdict {
  const tp = sk;
  const cb = TCP_SKB_CB(skb);
  if (cb.seq === cb.endSeq) return consumed(skb);
  skbPull(skb, tcpw.headerLength(skb.buf, th(skb)));
  tp.rxOpt.dsack = 0;
  let reason: SkbDropReason = SKB_DROP_REASON.NOT_SPECIFIED;
  // Queue data for delivery to the user. Packets in sequence go to the receive queue. Out of sequence
  // packets to the out_of_order_queue.
  const queueAndOut = (): Verdict => {
    if (tcp_try_rmem_schedule(ctx, sk, skb, skbTruesize(skb))) {
      // TODO: maybe ratelimit these WIN 0 ACK ?
      sk.icskAck.pending |= T.ICSK_ACK_NOMEM | T.ICSK_ACK_NOW;
      inet_csk_schedule_ack(sk);
      sockDefReadable(sk);
      if (sk.receiveQueue.length && skb.len) {
        NET_INC_STATS(sk.net, LINUX_MIB.TCPRcvQDrop);
        ctx.step(skb, F.dataQueue, `rmem ${sk.rmemAlloc} > rcvbuf ${sk.rcvbuf}`);
        return tcp_drop_reason(sk, skb, SKB_DROP_REASON.PROTO_MEM);
      }
      sk_forced_mem_schedule(sk, skbTruesize(skb));
    }
    tcp_queue_rcv(ctx, sk, skb);
    if (skb.len) tcp_event_data_recv(ctx, sk, skb);
    if (cb.tcpFlags & T.TCPHDR_FIN) tcp_fin(ctx, sk, skb);
    if (tp.outOfOrderQueue.length) {
      tcp_ofo_queue(ctx, sk);
      // RFC5681. 4.2. SHOULD send immediate ACK, when gap in queue is filled.
      if (!tp.outOfOrderQueue.length) sk.icskAck.pending |= T.ICSK_ACK_NOW;
    }
    if (tp.rxOpt.numSacks) tcp_sack_remove(tp);
    tcp_fast_path_check(sk);
    if (!sock_flag(sk, T.SOCK_DEAD)) tcp_data_ready(sk);
    return queued(skb, 'sk_receive_queue');
  };
  const outOfWindow = (): Verdict => {
    tcp_enter_quickack_mode(sk, T.TCP_MAX_QUICKACKS);
    inet_csk_schedule_ack(sk);
    return tcp_drop_reason(sk, skb, reason);
  };
  if (cb.seq === tp.rcvNxt) {
    if (tcp_receive_window(tp) === 0) {
      // Some stacks are known to send bare FIN packets in a loop even if we send RWIN 0 in our ACK.
      // Accepting this FIN does not hurt memory pressure because the FIN flag will simply be merged.
      if (!skb.len && cb.tcpFlags & T.TCPHDR_FIN) return queueAndOut();
      reason = SKB_DROP_REASON.TCP_ZEROWINDOW;
      NET_INC_STATS(sk.net, LINUX_MIB.TCPZeroWindowDrop);
      ctx.step(skb, F.dataQueue, 'receive window is 0');
      return outOfWindow();
    }
    return queueAndOut();
  }
  if (!after(cb.endSeq, tp.rcvNxt)) {
    // A retransmit, 2nd most common case. Force an immediate ack.
    reason = SKB_DROP_REASON.TCP_OLD_DATA;
    NET_INC_STATS(sk.net, LINUX_MIB.DelayedACKLost);
    tcp_dsack_set(sk, cb.seq, cb.endSeq);
    ctx.step(skb, F.dataQueue, `end_seq ${cb.endSeq} <= rcv_nxt ${tp.rcvNxt}: old data, D-SACK`);
    return outOfWindow();
  }
  // Out of window. F.e. zero window probe.
  if (!before(cb.seq, (tp.rcvNxt + tcp_receive_window(tp)) >>> 0)) {
    reason = SKB_DROP_REASON.TCP_OVERWINDOW;
    ctx.step(skb, F.dataQueue, `seq ${cb.seq} beyond the window`);
    return outOfWindow();
  }
  if (before(cb.seq, tp.rcvNxt)) {
    // Partial packet, seq < rcv_next < end_seq
    tcp_dsack_set(sk, cb.seq, tp.rcvNxt);
    // If window is closed, drop tail of packet. But after remembering D-SACK for its head made in previous line.
    if (!tcp_receive_window(tp)) {
      reason = SKB_DROP_REASON.TCP_ZEROWINDOW;
      NET_INC_STATS(sk.net, LINUX_MIB.TCPZeroWindowDrop);
      return outOfWindow();
    }
    return queueAndOut();
  }
  return tcp_data_queue_ofo(ctx, sk, skb);
}

/** tcp_fast_path_check: header prediction is on when nothing unusual is pending. */
function tcp_fast_path_check(sk: TcpSock): void {
  const tp = sk;
  if (!tp.outOfOrderQueue.length && tp.rcvWnd && sk.rmemAlloc < sk.rcvbuf && !tp.urgData)
    tcp_fast_path_on(tp);
}

/** __tcp_fast_path_on: pred_flags = doff | ACK | the window we expect, as tcp_flag_word() reads them. */
function __tcp_fast_path_on(tp: TcpSock, sndWnd: number): void {
  tp.predFlags = ((tp.tcpHeaderLen << 26) | 0x00100000 | (sndWnd & 0xffff)) >>> 0;
}

export function tcp_fast_path_on(tp: TcpSock): void {
  __tcp_fast_path_on(tp, tp.sndWnd >>> tp.rxOpt.sndWscale);
}

/** tcp_flag_word(th) & TCP_HP_BITS: the header's 4th word without the reserved bits and PSH. */
function tcpHpWord(skb: SkBuff): number {
  const h = th(skb);
  return (readU32(skb.buf, h + 12) & ~0x0f080000) >>> 0;
}

// ---- sending what the segment allows --------------------------------------------------------------------

function tcp_should_expand_sndbuf(sk: TcpSock): boolean {
  // If the user specified a specific send buffer setting, do not modify it.
  if (sk.userlocks & T.SOCK_SNDBUF_LOCK) return false;
  // If we filled the congestion window, do not expand.
  if (tcp_packets_in_flight(sk) >= tcp_snd_cwnd(sk)) return false;
  return true;
}

function tcp_new_space(ctx: KernelCtx, sk: TcpSock): void {
  if (tcp_should_expand_sndbuf(sk)) {
    tcp_sndbuf_expand(sk);
    sk.sndCwndStamp = tcp_jiffies32(ctx);
  }
  // sk_stream_write_space
  if (__sk_stream_is_writeable(sk, 1)) {
    sk.nospace = false;
    sockDefReadable(sk);
  }
}

/** tcp_check_space: a writer waits for room (SOCK_NOSPACE): wake it once ACKs freed enough. */
export function tcp_check_space(ctx: KernelCtx, sk: TcpSock): void {
  if (sk.hasSocket && sk.nospace) {
    tcp_new_space(ctx, sk);
    if (!sk.nospace) tcp_chrono_stop(ctx, sk, T.TCP_CHRONO_SNDBUF_LIMITED);
  }
}

function tcp_data_snd_check(ctx: KernelCtx, sk: TcpSock): void {
  tcp_push_pending_frames(ctx, sk);
  tcp_check_space(ctx, sk);
}

/** __tcp_ack_snd_check: check if sending an ack is needed. */
function __tcp_ack_snd_check(ctx: KernelCtx, sk: TcpSock, ofoPossible: boolean): void {
  const tp = sk;
  if (
    // More than one full frame received...
    ((tp.rcvNxt - tp.rcvWup) >>> 0 > sk.icskAck.rcvMss &&
      // ... and right edge of window advances far enough. (tcp_recvmsg() will send ACK otherwise).
      __tcp_select_window(sk) >= tp.rcvWnd) ||
    // We ACK each frame or...
    tcp_in_quickack_mode(sk) ||
    // Protocol state mandates a one-time immediate ACK
    sk.icskAck.pending & T.ICSK_ACK_NOW
  ) {
    tcp_send_ack(ctx, sk);
    return;
  }
  if (!ofoPossible || !tp.outOfOrderQueue.length) {
    tcp_send_delayed_ack(ctx, sk);
    return;
  }
  if (!tcp_is_sack(tp) || tp.compressedAck >= sk.net.sysctl.tcp.compSackNr) {
    tcp_send_ack(ctx, sk);
    return;
  }
  if (tp.compressedAckRcvNxt !== tp.rcvNxt) {
    tp.compressedAckRcvNxt = tp.rcvNxt;
    tp.dupAckCounter = 0;
  }
  if (tp.dupAckCounter < T.TCP_FASTRETRANS_THRESH) {
    tp.dupAckCounter++;
    tcp_send_ack(ctx, sk);
    return;
  }
  tp.compressedAck++;
  if (tp.compressedAckTimer.pending) return;
  // compress ack timer : 5 % of rtt, but no more than tcp_comp_sack_delay_ns
  let rtt = tp.rcvRttEst.rttUs;
  if (tp.srttUs && tp.srttUs < rtt) rtt = tp.srttUs;
  const delay = Math.min(sk.net.sysctl.tcp.compSackDelayNs, Math.floor((rtt * (1000 >> 3)) / 20));
  ctx.modTimer(tp.compressedAckTimer, ctx.now() + delay);
}

function tcp_ack_snd_check(ctx: KernelCtx, sk: TcpSock): void {
  if (!inet_csk_ack_scheduled(sk)) {
    // We sent a data segment already.
    return;
  }
  __tcp_ack_snd_check(ctx, sk, true);
}

/** tcp_urg: urgent data is not modelled beyond remembering the pointer (no SIGURG, no OOB byte). */
function tcp_urg(sk: TcpSock, skb: SkBuff): void {
  const f = tcpw.flags(skb.buf, th(skb));
  if (f & tcpw.TCP_URG && sk.net.sysctl.tcp.stdurg === 0) {
    const ptr = (tcpw.urgentPointer(skb.buf, th(skb)) + TCP_SKB_CB(skb).seq - 1) >>> 0;
    if (after(ptr, sk.copiedSeq)) sk.urgSeq = ptr;
  }
}

// ---- connection set-up -------------------------------------------------------------------------------------

/** tcp_init_transfer: the connection is established: initial cwnd, congestion control, buffers. */
export function tcp_init_transfer(ctx: KernelCtx, sk: TcpSock, bpfOp: number, skb: SkBuff | null): void {
  const tp = sk;
  tcp_mtup_init(ctx, sk);
  inet_sk_rebuild_header(ctx, sk);
  if (tp.totalRetrans > 1 && tp.undoMarker) tcp_snd_cwnd_set(tp, 1);
  else tcp_snd_cwnd_set(tp, tcp_init_cwnd(tp, __sk_dst_get(sk)));
  tp.sndCwndStamp = tcp_jiffies32(ctx);
  bpf_skops_established(ctx, sk, bpfOp, skb);
  if (!sk.icskCaInitialized) tcp_init_congestion_control(ctx, sk);
  tcp_init_buffer_space(ctx, sk);
}

/**
 * bpf_skops_established: the cgroup's sock_ops program (if one is attached) sees the socket established,
 * ACTIVE (connect) or PASSIVE (the handshake's last ACK): where a side-car accelerator adds it to a
 * sockhash. The skb that completed the handshake carries the trace.
 */
function bpf_skops_established(ctx: KernelCtx, sk: TcpSock, bpfOp: number, skb: SkBuff | null): void {
  // BPF_CGROUP_RUN_PROG_SOCK_OPS's static key: with no sock_ops program anywhere, nothing runs.
  if (!cgroup_bpf_enabled(sk.net.host)) return;
  const ops: BpfSockOpsKern = {
    sk,
    op: bpfOp,
    family: 2,
    localIp4: htonl(sk.rcvSaddr || sk.saddr),
    remoteIp4: htonl(sk.daddr),
    localPort: sk.sport,
    // remote_port: the network-order port in the upper half (sock_ops_convert_ctx_access).
    remotePort: htonl(sk.dport),
    reply: 0,
    trace: skb,
  };
  if (skb)
    ctx.step(
      skb,
      F.skopsEstablished,
      bpfOp === BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB ? 'ACTIVE_ESTABLISHED' : 'PASSIVE_ESTABLISHED',
    );
  __cgroup_bpf_run_filter_sock_ops(ctx, sk.net.host, ops, skb);
}

/** A host-order u32 as a program loads the network-order field. */
function htonl(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** tcp_finish_connect: the client's SYN was answered: ESTABLISHED. */
export function tcp_finish_connect(ctx: KernelCtx, sk: TcpSock, skb: SkBuff | null): void {
  const tp = sk;
  tcp_set_state(ctx, sk, TCP_ESTABLISHED);
  sk.icskAck.lrcvtime = tcp_jiffies32(ctx);
  if (skb) {
    inet_sk_rx_dst_set(sk, skb);
    ctx.step(skb, F.finishConnect, 'SYN_SENT → ESTABLISHED');
  }
  tcp_init_transfer(ctx, sk, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, skb);
  // Prevent spurious tcp_cwnd_restart() on first data packet.
  tp.lsndtime = tcp_jiffies32(ctx);
  if (sock_flag(sk, T.SOCK_KEEPOPEN)) inet_csk_reset_keepalive_timer(ctx, sk, keepalive_time_when(tp));
  if (!tp.rxOpt.sndWscale) __tcp_fast_path_on(tp, tp.sndWnd);
  else tp.predFlags = 0;
}

/** tcp_try_undo_spurious_syn: the SYN(-ACK) retransmission was spurious: undo the cwnd collapse. */
function tcp_try_undo_spurious_syn(sk: TcpSock): void {
  const tp = sk;
  // undo_marker is set to snd_una when a SYN or SYN-ACK is (re)sent; retrans_stamp the first one's TS.
  const synStamp = tp.retransStamp;
  if (tp.undoMarker && synStamp && tp.rxOpt.sawTstamp && synStamp === tp.rxOpt.rcvTsecr) tp.undoMarker = 0;
}

/** tcp_rcv_fastopen_synack: the server's answer to our Fast Open SYN: cache the cookie, resend unacked data. */
function tcp_rcv_fastopen_synack(
  ctx: KernelCtx,
  sk: TcpSock,
  synack: SkBuff,
  cookie: TcpFastopenCookie,
): boolean {
  const tp = sk;
  let mss = tp.rxOpt.mssClamp;
  const data: SkBuff | null = tp.synData ? tcp_rtx_queue_head(sk) : null;
  let tryExp = 0;
  let synDrop = false;
  if (mss === tp.rxOpt.userMss) {
    const opt = newOptionsReceived();
    // Get original SYNACK MSS value if user MSS sets mss_clamp
    tcp_parse_options(sk.net, synack, opt, false, null);
    mss = opt.mssClamp;
  }
  if (!tp.synFastopen) {
    // Ignore an unsolicited cookie
    cookie.len = -1;
  } else if (tp.totalRetrans) {
    // SYN timed out and the SYN-ACK neither has a cookie nor acknowledges data. Presumably the remote
    // received only the retransmitted (regular) SYNs: either the original SYN-data or the corresponding
    // SYN-ACK was dropped.
    synDrop = cookie.len < 0 && data !== null;
  } else if (cookie.len < 0 && !tp.synData) {
    // We requested a cookie but didn't get it. If we did not use the (old) exp opt format then try so next
    // time (try_exp=1). Otherwise we go back to use the RFC7413 opt (try_exp=2).
    tryExp = tp.synFastopenExp ? 2 : 1;
  }
  tcp_fastopen_cache_set(sk, mss, cookie, synDrop, tryExp);
  if (data) {
    // Retransmit unacked data in SYN
    if (tp.totalRetrans)
      tp.fastopenClientFail = 2; // TFO_SYN_RETRANSMITTED
    else tp.fastopenClientFail = 1; // TFO_DATA_NOT_ACKED
    // skb_rbtree_walk_from(data): the data and everything after it is lost; retransmit it in Loss state
    // without touching the congestion window.
    for (let i = sk.rtxQueue.indexOf(data); i >= 0 && i < sk.rtxQueue.length; i++)
      tcp_mark_skb_lost(sk, sk.rtxQueue[i]);
    tcp_non_congestion_loss_retransmit(ctx, sk);
    NET_INC_STATS(sk.net, LINUX_MIB.TCPFastOpenActiveFail);
    return true;
  }
  tp.synDataAcked = tp.synData;
  if (tp.synDataAcked) {
    NET_INC_STATS(sk.net, LINUX_MIB.TCPFastOpenActive);
    // SYN-data is counted as two separate packets in tcp_ack()
    if (tp.delivered > 1) --tp.delivered;
  }
  tcp_fastopen_add_skb(ctx, sk, synack);
  return false;
}

/**
 * tcp_rcv_synsent_state_process: the answer to our SYN. A SYN-ACK acknowledging it establishes the
 * connection; a bare SYN means a simultaneous open (SYN_RECV); an acceptable RST refuses the connection.
 * Returns a drop reason to answer with a RST, -1 when the caller should go on (urgent data, send check),
 * or 0 when the segment was consumed or dropped (skb.dropReason says which).
 */
function tcp_rcv_synsent_state_process(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): SkbDropReason | 0 | -1 {
  const tp = sk;
  const foc: TcpFastopenCookie = { val: new Uint8Array(0), len: -1, exp: false };
  const savedClamp = tp.rxOpt.mssClamp;
  const f = tcpw.flags(skb.buf, th(skb));
  let reason: SkbDropReason = SKB_DROP_REASON.NOT_SPECIFIED;
  tcp_parse_options(sk.net, skb, tp.rxOpt, false, foc);
  if (tp.rxOpt.sawTstamp && tp.rxOpt.rcvTsecr) tp.rxOpt.rcvTsecr = (tp.rxOpt.rcvTsecr - tp.tsoffset) >>> 0;
  const discardAndUndo = (): 0 => {
    tcp_clear_options(tp.rxOpt);
    tp.rxOpt.mssClamp = savedClamp;
    sk.drops++;
    skb.dropReason = reason;
    return 0;
  };
  const resetAndUndo = (): SkbDropReason => {
    tcp_clear_options(tp.rxOpt);
    tp.rxOpt.mssClamp = savedClamp;
    return reason;
  };
  if (f & tcpw.TCP_ACK) {
    // rfc793: "If the state is SYN-SENT then first check the ACK bit: If the ACK bit is set, If
    // SEG.ACK =< ISS, or SEG.ACK > SND.NXT, send a reset (unless the RST bit is set, if so drop the
    // segment and return)"
    if (!after(TCP_SKB_CB(skb).ackSeq, tp.sndUna) || after(TCP_SKB_CB(skb).ackSeq, tp.sndNxt)) {
      // Previous FIN/ACK or RST/ACK might be ignored.
      if (sk.icskRetransmits === 0)
        inet_csk_reset_xmit_timer(ctx, sk, T.ICSK_TIME_RETRANS, T.TCP_TIMEOUT_MIN, T.TCP_RTO_MAX);
      reason = SKB_DROP_REASON.TCP_INVALID_ACK_SEQUENCE;
      ctx.step(skb, F.rcvSynsent, `ack ${TCP_SKB_CB(skb).ackSeq} not in (iss, snd_nxt]`);
      return resetAndUndo();
    }
    if (
      tp.rxOpt.sawTstamp &&
      tp.rxOpt.rcvTsecr &&
      !between(tp.rxOpt.rcvTsecr, tp.retransStamp, tcp_time_stamp_ts(tp))
    ) {
      NET_INC_STATS(sk.net, LINUX_MIB.PAWSActive);
      reason = SKB_DROP_REASON.TCP_RFC7323_PAWS;
      return resetAndUndo();
    }
    // Now ACK is acceptable. "If the RST bit is set If the ACK was acceptable then signal the user
    // "error: connection reset", drop the segment, enter CLOSED state, delete TCB, and return."
    if (f & tcpw.TCP_RST) {
      tcp_reset(ctx, sk, skb);
      return 0; // consume
    }
    // rfc793: "fifth, if neither of the SYN or RST bits is set then drop the segment and return."
    if (!(f & tcpw.TCP_SYN)) {
      reason = SKB_DROP_REASON.TCP_FLAGS;
      return discardAndUndo();
    }
    // rfc793: "If the SYN bit is on ... are acceptable then ... (our SYN has been ACKed), change the
    // connection state to ESTABLISHED..."
    tcp_ecn_rcv_synack(tp, f);
    tcp_init_wl(tp, TCP_SKB_CB(skb).seq);
    tcp_try_undo_spurious_syn(sk);
    tcp_ack(ctx, sk, skb, FLAG_SLOWPATH);
    // Ok.. it's good. Set up sequence numbers and move to established.
    tp.rcvNxt = (TCP_SKB_CB(skb).seq + 1) >>> 0;
    tp.rcvWup = tp.rcvNxt;
    // RFC1323: The window in SYN & SYN/ACK segments is never scaled.
    tp.sndWnd = tcpw.window(skb.buf, th(skb));
    if (!tp.rxOpt.wscaleOk) {
      tp.rxOpt.sndWscale = tp.rxOpt.rcvWscale = 0;
      tp.windowClamp = Math.min(tp.windowClamp, 65535);
    }
    if (tp.rxOpt.sawTstamp) {
      tp.rxOpt.tstampOk = 1;
      tp.tcpHeaderLen = tcpw.TCP_HLEN + T.TCPOLEN_TSTAMP_ALIGNED;
      tp.advmss -= T.TCPOLEN_TSTAMP_ALIGNED;
      tcp_store_ts_recent(ctx, tp);
    } else {
      tp.tcpHeaderLen = tcpw.TCP_HLEN;
    }
    tcp_sync_mss(sk, sk.icskPmtuCookie);
    tcp_initialize_rcv_mss(sk);
    // Remember, tcp_poll() does not lock socket! Change state from SYN-SENT only after copied_seq is
    // initialized.
    tp.copiedSeq = tp.rcvNxt;
    tcp_finish_connect(ctx, sk, skb);
    const fastopenFail = (tp.synFastopen || tp.synData) && tcp_rcv_fastopen_synack(ctx, sk, skb, foc);
    if (!sock_flag(sk, T.SOCK_DEAD)) sockDefReadable(sk); // sk_state_change, POLL_OUT
    if (fastopenFail) return -1;
    if (sk.writePending || sk.deferAccept || inet_csk_in_pingpong_mode(sk)) {
      // Save one ACK. Data will be ready after several ticks, if write_pending is set.
      inet_csk_schedule_ack(sk);
      tcp_enter_quickack_mode(sk, T.TCP_MAX_QUICKACKS);
      inet_csk_reset_xmit_timer(ctx, sk, T.ICSK_TIME_DACK, T.TCP_DELACK_MAX, T.TCP_RTO_MAX);
      return 0;
    }
    tcp_send_ack(ctx, sk);
    return -1;
  }
  // No ACK in the segment
  if (f & tcpw.TCP_RST) {
    // rfc793: "If the RST bit is set: Otherwise (no ACK) drop the segment and return."
    reason = SKB_DROP_REASON.TCP_RESET;
    return discardAndUndo();
  }
  // PAWS check.
  if (tp.rxOpt.tsRecentStamp && tp.rxOpt.sawTstamp && tcp_paws_reject(tp.rxOpt, false, nowSeconds(ctx))) {
    reason = SKB_DROP_REASON.TCP_RFC7323_PAWS;
    return discardAndUndo();
  }
  if (f & tcpw.TCP_SYN) {
    // We see SYN without ACK. It is attempt of simultaneous connect with crossed SYNs. Particularly,
    // it can be connect to self.
    tcp_set_state(ctx, sk, TCP_SYN_RECV);
    ctx.step(skb, F.rcvSynsent, 'SYN without ACK: simultaneous open → SYN_RECV');
    if (tp.rxOpt.sawTstamp) {
      tp.rxOpt.tstampOk = 1;
      tcp_store_ts_recent(ctx, tp);
      tp.tcpHeaderLen = tcpw.TCP_HLEN + T.TCPOLEN_TSTAMP_ALIGNED;
    } else {
      tp.tcpHeaderLen = tcpw.TCP_HLEN;
    }
    tp.rcvNxt = (TCP_SKB_CB(skb).seq + 1) >>> 0;
    tp.copiedSeq = tp.rcvNxt;
    tp.rcvWup = tp.rcvNxt;
    // RFC1323: The window in SYN & SYN/ACK segments is never scaled.
    tp.sndWnd = tcpw.window(skb.buf, th(skb));
    tp.sndWl1 = TCP_SKB_CB(skb).seq;
    tp.maxWindow = tp.sndWnd;
    tcp_ecn_rcv_syn(tp, f);
    tcp_mtup_init(ctx, sk);
    tcp_sync_mss(sk, sk.icskPmtuCookie);
    tcp_initialize_rcv_mss(sk);
    tcp_send_synack(ctx, sk);
    return 0; // consume
  }
  // "fifth, if neither of the SYN or RST bits is set then drop the segment and return."
  return discardAndUndo();
}

function tcp_ecn_rcv_synack(tp: TcpSock, f: number): void {
  if (tp.ecnFlags & T.TCP_ECN_OK && (!(f & tcpw.TCP_ECE) || f & tcpw.TCP_CWR)) tp.ecnFlags &= ~T.TCP_ECN_OK;
}

function tcp_ecn_rcv_syn(tp: TcpSock, f: number): void {
  if (tp.ecnFlags & T.TCP_ECN_OK && (!(f & tcpw.TCP_ECE) || !(f & tcpw.TCP_CWR)))
    tp.ecnFlags &= ~T.TCP_ECN_OK;
}

/** tcp_rcv_synrecv_state_fastopen: a passive Fast Open child's handshake completes. */
function tcp_rcv_synrecv_state_fastopen(ctx: KernelCtx, sk: TcpSock): void {
  const tp = sk;
  if (sk.icskCaState === T.TCP_CA_Loss && !tp.packetsOut) tcp_try_undo_recovery(ctx, sk);
  tp.retransStamp = 0;
  sk.icskRetransmits = 0;
  // Once we leave TCP_SYN_RECV or TCP_FIN_WAIT_1, we no longer need req so release it.
  if (tp.fastopenRsk) reqsk_fastopen_remove(sk, tp.fastopenRsk, false);
  // Re-arm the timer because data may have been sent out. This is similar to the regular data
  // transmission case.
  tcp_rearm_rto(ctx, sk);
}

/** Turn a sub-step's verdict into tcp_rcv_state_process's convention: a drop leaves skb.dropReason. */
function fate(sk: TcpSock, v: Verdict): 0 {
  if (v.kind === 'drop') v.skb.dropReason = v.reason;
  void sk;
  return 0;
}

/**
 * tcp_rcv_state_process: this function implements the receiving procedure of RFC 793 for all states
 * except ESTABLISHED and TIME_WAIT. It's called from both tcp_v4_rcv and tcp_v6_rcv and should be
 * address independent. Returns a drop reason when the caller must answer with a RST, else 0 (the skb was
 * queued, consumed, or discarded without a RST: skb.dropReason is then set).
 */
export function tcp_rcv_state_process(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): SkbDropReason | 0 {
  const tp = sk;
  const f = tcpw.flags(skb.buf, th(skb));
  let reason: SkbDropReason = SKB_DROP_REASON.NOT_SPECIFIED;
  const discard = (r: SkbDropReason): 0 => {
    sk.drops++;
    skb.dropReason = r;
    return 0;
  };
  ctx.step(skb, F.rcvStateProcess, tcpStateName(sk.state));
  switch (sk.state) {
    case TCP_CLOSE:
      return discard(SKB_DROP_REASON.TCP_CLOSE);
    case TCP_LISTEN:
      if (f & tcpw.TCP_ACK) return SKB_DROP_REASON.TCP_FLAGS;
      if (f & tcpw.TCP_RST) return discard(SKB_DROP_REASON.TCP_RESET);
      if (f & tcpw.TCP_SYN) {
        if (f & tcpw.TCP_FIN) return discard(SKB_DROP_REASON.TCP_FLAGS);
        // It is possible that we process SYN packets from backlog, so we need to make sure to disable
        // BH and RCU right there.
        tcp_v4_conn_request(ctx, sk, skb);
        return 0; // consume_skb
      }
      return discard(SKB_DROP_REASON.TCP_FLAGS);
    case TCP_SYN_SENT: {
      tp.rxOpt.sawTstamp = 0;
      tcp_mstamp_refresh(ctx, tp);
      const q = tcp_rcv_synsent_state_process(ctx, sk, skb);
      if (q !== -1) return q;
      // Do step6 onward by hand.
      tcp_urg(sk, skb);
      tcp_data_snd_check(ctx, sk);
      return 0;
    }
  }
  tcp_mstamp_refresh(ctx, tp);
  tp.rxOpt.sawTstamp = 0;
  const req = tp.fastopenRsk;
  if (req) {
    const reqStolen = { v: false };
    if (!tcp_check_req(ctx, sk, skb, req, true, reqStolen)) return discard(SKB_DROP_REASON.TCP_FASTOPEN);
  }
  if (!(f & (tcpw.TCP_ACK | tcpw.TCP_RST | tcpw.TCP_SYN))) return discard(SKB_DROP_REASON.TCP_FLAGS);
  const v = tcp_validate_incoming(ctx, sk, skb, false);
  if (v) return fate(sk, v);
  // step 5: check the ACK field
  const acked = tcp_ack(ctx, sk, skb, FLAG_SLOWPATH | FLAG_UPDATE_TS_RECENT | FLAG_NO_CHALLENGE_ACK);
  if (typeof acked === 'string' || acked === 0) {
    if (sk.state === TCP_SYN_RECV) {
      // send one RST
      if (!acked) return SKB_DROP_REASON.TCP_OLD_ACK;
      return acked;
    }
    // accept old ack during closing
    if (typeof acked === 'string') {
      tcp_send_challenge_ack(ctx, sk);
      return discard(acked);
    }
  }
  reason = SKB_DROP_REASON.NOT_SPECIFIED;
  switch (sk.state) {
    case TCP_SYN_RECV:
      tp.delivered++; // SYN-ACK delivery isn't tracked in tcp_ack
      if (!tp.srttUs) tcp_synack_rtt_meas(ctx, sk, req!);
      if (tp.rxOpt.tstampOk) tp.advmss -= T.TCPOLEN_TSTAMP_ALIGNED;
      if (req) {
        tcp_rcv_synrecv_state_fastopen(ctx, sk);
      } else {
        tcp_try_undo_spurious_syn(sk);
        tp.retransStamp = 0;
        tcp_init_transfer(ctx, sk, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, skb);
        tp.copiedSeq = tp.rcvNxt;
      }
      tcp_set_state(ctx, sk, TCP_ESTABLISHED);
      sockDefReadable(sk); // sk_state_change
      // Note, that this wakeup is only for marginal crossed SYN case. Passively open sockets are not
      // waked up, because sk->sk_sleep == NULL and sk->sk_socket == NULL.
      tp.sndUna = TCP_SKB_CB(skb).ackSeq;
      tp.sndWnd = tcpw.window(skb.buf, th(skb)) << tp.rxOpt.sndWscale;
      tcp_init_wl(tp, TCP_SKB_CB(skb).seq);
      tcp_update_pacing_rate(sk);
      // Prevent spurious tcp_cwnd_restart() on first data packet.
      tp.lsndtime = tcp_jiffies32(ctx);
      tcp_initialize_rcv_mss(sk);
      tcp_fast_path_on(tp);
      if (sk.shutdown & T.SEND_SHUTDOWN) tcp_shutdown(ctx, sk, T.SEND_SHUTDOWN);
      break;
    case TCP_FIN_WAIT1: {
      if (req) tcp_rcv_synrecv_state_fastopen(ctx, sk);
      if (tp.sndUna !== tp.writeSeq) break;
      tcp_set_state(ctx, sk, TCP_FIN_WAIT2);
      sk.shutdown |= T.SEND_SHUTDOWN;
      if (!sock_flag(sk, T.SOCK_DEAD)) {
        // Wake up lingering close()
        sockDefReadable(sk);
        break;
      }
      if (tp.linger2 < 0) {
        tcp_done(ctx, sk);
        NET_INC_STATS(sk.net, LINUX_MIB.TCPAbortOnData);
        return SKB_DROP_REASON.TCP_ABORT_ON_DATA;
      }
      const finBit = f & tcpw.TCP_FIN ? 1 : 0;
      if (
        TCP_SKB_CB(skb).endSeq !== TCP_SKB_CB(skb).seq &&
        after((TCP_SKB_CB(skb).endSeq - finBit) >>> 0, tp.rcvNxt)
      ) {
        // Receive out of order FIN after close()
        tcp_done(ctx, sk);
        NET_INC_STATS(sk.net, LINUX_MIB.TCPAbortOnData);
        return SKB_DROP_REASON.TCP_ABORT_ON_DATA;
      }
      const tmo = tcp_fin_time(sk);
      if (tmo > T.TCP_TIMEWAIT_LEN) {
        inet_csk_reset_keepalive_timer(ctx, sk, tmo - T.TCP_TIMEWAIT_LEN);
      } else if (finBit || sk.owned) {
        // Bad case. We could lose such FIN otherwise. It is not a big problem, but it looks confusing and
        // not so rare event. We still can lose it now, if it spins in bh_lock_sock(), but it is really
        // marginal case.
        inet_csk_reset_keepalive_timer(ctx, sk, tmo);
      } else {
        tcp_time_wait(ctx, sk, TCP_FIN_WAIT2, tmo);
        return 0; // consume
      }
      break;
    }
    case TCP_CLOSING:
      if (tp.sndUna === tp.writeSeq) {
        tcp_time_wait(ctx, sk, TCP_TIME_WAIT, 0);
        return 0; // consume
      }
      break;
    case TCP_LAST_ACK:
      if (tp.sndUna === tp.writeSeq) {
        tcp_done(ctx, sk);
        return 0; // consume
      }
      break;
  }
  // step 6: check the URG bit
  tcp_urg(sk, skb);
  let queuedIt = false;
  // step 7: process the segment text
  const st = sk.state;
  const closingSide = st === TCP_CLOSE_WAIT || st === TCP_CLOSING || st === TCP_LAST_ACK;
  const finWait = st === TCP_FIN_WAIT1 || st === TCP_FIN_WAIT2;
  // Past our peer's FIN only a retransmission (below rcv_nxt) is still data to look at.
  if ((closingSide && before(TCP_SKB_CB(skb).seq, tp.rcvNxt)) || finWait || st === TCP_ESTABLISHED) {
    // RFC 793 says to queue data in these states, RFC 1122 says we MUST send a reset. BSD 4.4 also does reset.
    if (st !== TCP_ESTABLISHED && sk.shutdown & T.RCV_SHUTDOWN) {
      const finBit = f & tcpw.TCP_FIN ? 1 : 0;
      if (
        TCP_SKB_CB(skb).endSeq !== TCP_SKB_CB(skb).seq &&
        after((TCP_SKB_CB(skb).endSeq - finBit) >>> 0, tp.rcvNxt)
      ) {
        NET_INC_STATS(sk.net, LINUX_MIB.TCPAbortOnData);
        tcp_reset(ctx, sk, skb);
        return SKB_DROP_REASON.TCP_ABORT_ON_DATA;
      }
    }
    fate(sk, tcp_data_queue(ctx, sk, skb));
    queuedIt = true;
  }
  // tcp_data could move socket to TIME-WAIT
  if (sk.state !== TCP_CLOSE) {
    tcp_data_snd_check(ctx, sk);
    tcp_ack_snd_check(ctx, sk);
  }
  if (!queuedIt) {
    // A pure ACK: consumed unless a reason was set above.
    if (reason !== SKB_DROP_REASON.NOT_SPECIFIED) return discard(reason);
  }
  return 0;
}

/**
 * tcp_rcv_established: TCP receive function for the ESTABLISHED state. It is split into a fast path and
 * a slow path. The fast path is disabled when: a zero window was announced from us, zero window probing
 * is only handled properly in the slow path; out of order segments arrived; urgent data is expected;
 * there is no buffer space left; unexpected TCP flags/window values/header lengths are received; data is
 * sent in both directions (the fast path only supports pure senders or pure receivers: either the
 * sequence number or the ack value must stay constant); an unexpected TCP option.
 */
export function tcp_rcv_established(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): Verdict {
  const tp = sk;
  const len = skb.len;
  tcp_mstamp_refresh(ctx, tp);
  if (!sk.rxDst) inet_sk_rx_dst_set(sk, skb);
  tp.rxOpt.sawTstamp = 0;
  const cb = TCP_SKB_CB(skb);
  let step5 = false;
  // Header prediction. The code loosely follows the one in the famous "30 instruction TCP receive"
  // Van Jacobson mail.
  if (tcpHpWord(skb) === tp.predFlags && cb.seq === tp.rcvNxt && !after(cb.ackSeq, tp.sndNxt)) {
    const tcpHeaderLen = tp.tcpHeaderLen;
    let slow = false;
    // Timestamp header prediction: tcp_header_len is automatically equal to th->doff*4 due to pred_flags match.
    if (tcpHeaderLen === tcpw.TCP_HLEN + T.TCPOLEN_TSTAMP_ALIGNED) {
      // No? Slow path!
      if (!tcp_parse_aligned_timestamp(tp, skb)) slow = true;
      // If PAWS failed, check it more carefully in slow path
      else if (((tp.rxOpt.rcvTsval - tp.rxOpt.tsRecent) | 0) < 0) slow = true;
      // DO NOT update ts_recent here, if checksum fails and timestamp was corrupted part, it will result
      // in a hung connection since we will drop all future packets due to the PAWS test.
    }
    // The segment would be queued with what sk_forward_alloc holds: without that reserve (a fresh socket,
    // or one whose reader gave every page back) it goes to step5, tcp_data_queue, which reserves more.
    if (!slow && len > tcpHeaderLen && skbTruesize(skb) > sk.forwardAlloc) step5 = true;
    if (!slow && !step5) {
      if (len <= tcpHeaderLen) {
        // Bulk data transfer: sender
        if (len === tcpHeaderLen) {
          // Predicted packet is in window by definition. seq == rcv_nxt and rcv_wup <= rcv_nxt. Hence,
          // check seq<=rcv_wup reduces to:
          if (tcpHeaderLen === tcpw.TCP_HLEN + T.TCPOLEN_TSTAMP_ALIGNED && tp.rcvNxt === tp.rcvWup)
            tcp_store_ts_recent(ctx, tp);
          ctx.step(skb, F.rcvEstablished, 'fast path: pure ACK');
          // We know that such packets are checksummed on entry.
          tcp_ack(ctx, sk, skb, 0);
          tcp_data_snd_check(ctx, sk);
          // When receiving pure ack in fast path, update last ts ecr directly instead of calling
          // tcp_rcv_rtt_measure_ts()
          tp.rcvRttLastTsecr = tp.rxOpt.rcvTsecr;
          return consumed(skb);
        }
        // Header too small
        TCP_INC_STATS(sk.net, TCP_MIB.InErrs);
        ctx.step(skb, F.rcvEstablished, 'header too small');
        return tcp_drop_reason(sk, skb, SKB_DROP_REASON.PKT_TOO_SMALL);
      }
      // Predicted packet is in window by definition. seq == rcv_nxt and rcv_wup <= rcv_nxt. Hence,
      // check seq<=rcv_wup reduces to:
      if (tcpHeaderLen === tcpw.TCP_HLEN + T.TCPOLEN_TSTAMP_ALIGNED && tp.rcvNxt === tp.rcvWup)
        tcp_store_ts_recent(ctx, tp);
      tcp_rcv_rtt_measure_ts(sk, skb);
      NET_INC_STATS(sk.net, LINUX_MIB.TCPHPHits);
      ctx.step(skb, F.rcvEstablished, null, len - tcpHeaderLen);
      // Bulk data transfer: receiver
      skbPull(skb, tcpHeaderLen);
      tcp_queue_rcv(ctx, sk, skb);
      tcp_event_data_recv(ctx, sk, skb);
      let ackIt = true;
      if (cb.ackSeq !== tp.sndUna) {
        // Well, only one small jumplet in fast path...
        tcp_ack(ctx, sk, skb, FLAG_DATA);
        tcp_data_snd_check(ctx, sk);
        if (!inet_csk_ack_scheduled(sk)) ackIt = false;
      } else {
        tcp_update_wl(tp, cb.seq);
      }
      if (ackIt) __tcp_ack_snd_check(ctx, sk, false);
      tcp_data_ready(sk);
      return queued(skb, 'sk_receive_queue');
    }
  }
  if (step5) {
    ctx.step(skb, F.rcvEstablished, `predicted, but truesize > sk_forward_alloc ${sk.forwardAlloc}: step5`);
  } else {
    // slow_path:
    const f = tcpw.flags(skb.buf, th(skb));
    if (len < tcpw.headerLength(skb.buf, th(skb))) {
      TCP_INC_STATS(sk.net, TCP_MIB.InCsumErrors);
      TCP_INC_STATS(sk.net, TCP_MIB.InErrs);
      return tcp_drop_reason(sk, skb, SKB_DROP_REASON.TCP_CSUM);
    }
    if (!(f & (tcpw.TCP_ACK | tcpw.TCP_RST | tcpw.TCP_SYN))) {
      ctx.step(skb, F.rcvEstablished, 'no ACK, RST or SYN');
      return tcp_drop_reason(sk, skb, SKB_DROP_REASON.TCP_FLAGS);
    }
    ctx.step(skb, F.rcvEstablished, 'slow path');
    // Standard slow path.
    const v = tcp_validate_incoming(ctx, sk, skb, true);
    if (v) return v;
  }
  // step5:
  const acked = tcp_ack(ctx, sk, skb, FLAG_SLOWPATH | FLAG_UPDATE_TS_RECENT);
  if (typeof acked === 'string') return tcp_drop_reason(sk, skb, acked);
  tcp_rcv_rtt_measure_ts(sk, skb);
  // Process urgent data.
  tcp_urg(sk, skb);
  // step 7: process the segment text
  const verdict = tcp_data_queue(ctx, sk, skb);
  tcp_data_snd_check(ctx, sk);
  tcp_ack_snd_check(ctx, sk);
  return verdict;
}

/** inet_reqsk_alloc: a request sock for a SYN the listener answers (or a cookie's ACK rebuilds). */
export function inet_reqsk_alloc(sk: TcpSock, skb: SkBuff): RequestSock {
  const ipOff = skb.networkHeader;
  const b = skb.buf;
  const saddr = ((b[ipOff + 12] << 24) | (b[ipOff + 13] << 16) | (b[ipOff + 14] << 8) | b[ipOff + 15]) >>> 0;
  const daddr = ((b[ipOff + 16] << 24) | (b[ipOff + 17] << 16) | (b[ipOff + 18] << 8) | b[ipOff + 19]) >>> 0;
  return {
    kind: 'request',
    listener: sk,
    net: sk.net,
    locAddr: daddr,
    rmtAddr: saddr,
    num: 0,
    rmtPort: 0,
    rcvIsn: 0,
    sntIsn: 0,
    rcvNxt: 0,
    sntSynack: 0,
    lastOowAckTime: 0,
    mss: 0,
    tsRecent: 0,
    tsOff: 0,
    reqUsecTs: false,
    tstampOk: 0,
    sackOk: 0,
    wscaleOk: 0,
    ecnOk: 0,
    acked: 0,
    sndWscale: 0,
    rcvWscale: 0,
    rcvWnd: 0,
    windowClamp: 0,
    numRetrans: 0,
    numTimeout: 0,
    timeout: 0,
    synTos: 0,
    synTtl: 0,
    tfoListener: false,
    syncookie: false,
    timer: null as unknown as RequestSock['timer'],
    sk: null,
    hashed: false,
    dst: null,
  };
}

/** tcp_openreq_init: the request remembers what the SYN offered. */
function tcp_openreq_init(req: RequestSock, rxOpt: TcpOptionsReceived, skb: SkBuff): void {
  req.rcvWnd = 0; // So that tcp_send_synack() knows!
  req.rcvIsn = TCP_SKB_CB(skb).seq;
  req.rcvNxt = (TCP_SKB_CB(skb).seq + 1) >>> 0;
  req.sntSynack = 0;
  req.lastOowAckTime = 0;
  req.mss = rxOpt.mssClamp;
  req.tsRecent = rxOpt.sawTstamp ? rxOpt.rcvTsval : 0;
  req.tstampOk = rxOpt.tstampOk;
  req.sackOk = rxOpt.sackOk;
  req.sndWscale = rxOpt.sndWscale;
  req.wscaleOk = rxOpt.wscaleOk;
  req.acked = 0;
  req.ecnOk = 0;
  req.rmtPort = tcpw.srcPort(skb.buf, th(skb));
  req.num = tcpw.dstPort(skb.buf, th(skb));
}

/**
 * tcp_ecn_create_request: a SYN with ECE and CWR asks for ECN; a listener agrees (the SYN-ACK's ECE) when
 * net.ipv4.tcp_ecn is set, unless the SYN itself arrived ECT without reserved bits (RFC 3168 6.1.1: a
 * non-compliant peer). No congestion control here needs ECN (DCTCP) and routes carry no ECN features.
 */
function tcp_ecn_create_request(req: RequestSock, skb: SkBuff, listenSk: TcpSock): void {
  const f = tcpw.flags(skb.buf, th(skb));
  const thEcn = f & tcpw.TCP_ECE && f & tcpw.TCP_CWR;
  if (!thEcn) return;
  const ect = (TCP_SKB_CB(skb).ipDsfield & 3) !== 0; // !INET_ECN_is_not_ect
  const res1 = skb.buf[th(skb) + 12] & 0x0f;
  const ecnOk = listenSk.net.sysctl.tcp.ecn !== 0;
  if ((!ect || res1) && ecnOk) req.ecnOk = 1;
}

/**
 * tcp_syn_flood_action: the SYN queue is full (or tcp_syncookies is 2): with net.ipv4.tcp_syncookies, answer
 * with a cookie (TCPReqQFullDoCookies), else drop (TCPReqQFullDrop). The kernel says so once per listener
 * (net_info_ratelimited: "Possible SYN flooding on port ...").
 */
function tcp_syn_flood_action(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): boolean {
  const syncookies = sk.net.sysctl.tcp.syncookies;
  const wantCookie = syncookies !== 0;
  NET_INC_STATS(sk.net, wantCookie ? LINUX_MIB.TCPReqQFullDoCookies : LINUX_MIB.TCPReqQFullDrop);
  if (!sk.synfloodWarned && syncookies !== 2) {
    sk.synfloodWarned = true;
    ctx.step(
      skb,
      F.connRequest,
      `TCP: request_sock_TCP: Possible SYN flooding on port ${ipv4ToString(sk.rcvSaddr)}:${sk.num}. ` +
        `${wantCookie ? 'Sending cookies' : 'Dropping request'}.  Check SNMP counters.`,
    );
  }
  return wantCookie;
}

/** tcp_listendrop: ListenDrops counts every SYN or handshake ACK a listener could not take. */
function tcp_listendrop(sk: TcpSock): void {
  sk.drops++;
  NET_INC_STATS(sk.net, LINUX_MIB.ListenDrops);
}

/**
 * tcp_conn_request: a listener got a SYN: check the SYN and accept queues, make a request sock (the
 * NEW_SYN_RECV mini socket in the established hash), choose the ISN and answer with a SYN-ACK.
 */
export function tcp_conn_request(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): number {
  const tp = sk;
  const net = sk.net;
  const foc: TcpFastopenCookie = { val: new Uint8Array(0), len: -1, exp: false };
  let isn = TCP_SKB_CB(skb).tcpTwIsn;
  const syncookies = net.sysctl.tcp.syncookies;
  let wantCookie = false;
  if (!isn) {
    // TW buckets are converted to open requests without limitations, they conserve resources and peer
    // is evidently real one.
    if (syncookies === 2 || T.inet_csk_reqsk_queue_is_full(sk)) {
      ctx.step(skb, F.connRequest, `SYN queue full (${sk.synQueueLen}/${sk.maxAckBacklog})`);
      wantCookie = tcp_syn_flood_action(ctx, sk, skb);
      if (!wantCookie) {
        tcp_listendrop(sk);
        return 0;
      }
    }
  }
  if (T.sk_acceptq_is_full(sk)) {
    NET_INC_STATS(net, LINUX_MIB.ListenOverflows);
    ctx.step(
      skb,
      F.connRequest,
      `accept queue full (${sk.ackBacklog} > ${sk.maxAckBacklog}): ListenOverflows`,
    );
    tcp_listendrop(sk);
    return 0;
  }
  const req = inet_reqsk_alloc(sk, skb);
  req.syncookie = wantCookie;
  const tmpOpt = newOptionsReceived();
  tcp_clear_options(tmpOpt);
  tmpOpt.mssClamp = 65535 - 40; // af_ops->mss_clamp: tcp_request_sock_ipv4_ops
  tmpOpt.userMss = tp.rxOpt.userMss;
  tcp_parse_options(net, skb, tmpOpt, false, wantCookie ? null : foc);
  // A cookie carries the SYN's options in the timestamp: without one, none of them.
  if (wantCookie && !tmpOpt.sawTstamp) tcp_clear_options(tmpOpt);
  tmpOpt.tstampOk = tmpOpt.sawTstamp;
  tcp_openreq_init(req, tmpOpt, skb);
  const dst = tcp_v4_route_req(ctx, sk, skb, req);
  if (!dst) {
    tcp_listendrop(sk);
    return 0;
  }
  req.dst = dst;
  let st: { seq: number; tsOff: number } | null = null;
  if (tmpOpt.tstampOk || (!wantCookie && !isn)) st = tcp_v4_init_seq_and_ts_off(ctx, net, skb);
  if (tmpOpt.tstampOk) req.tsOff = st!.tsOff;
  if (!wantCookie && !isn) {
    const maxSynBacklog = net.sysctl.tcp.maxSynBacklog;
    // Kill the following clause, if you dislike this way. Without syncookies, the last quarter of the
    // backlog is kept for destinations proven to be alive.
    if (!syncookies && maxSynBacklog - sk.synQueueLen < maxSynBacklog >> 2) {
      ctx.step(skb, F.connRequest, 'drop open request: SYN backlog three quarters full');
      tcp_listendrop(sk);
      return 0;
    }
    isn = st!.seq;
  }
  tcp_ecn_create_request(req, skb, sk);
  if (wantCookie) {
    isn = cookie_v4_init_sequence(ctx, sk, skb, req);
    if (!tmpOpt.tstampOk) req.ecnOk = 0;
  }
  req.sntIsn = isn;
  req.synTos = TCP_SKB_CB(skb).ipDsfield;
  tcp_openreq_init_rwin(req, sk, dst);
  const fastopenSk = wantCookie ? null : tcp_try_fastopen(ctx, sk, skb, req, foc, dst);
  if (fastopenSk) {
    tcp_v4_send_synack(ctx, fastopenSk, req, foc, false);
    if (!inet_csk_reqsk_queue_add(ctx, sk, req, fastopenSk)) {
      tcp_listendrop(sk);
      return 0;
    }
    sockDefReadable(sk);
  } else {
    req.tfoListener = false;
    if (!wantCookie) {
      req.timeout = tcp_timeout_init(sk);
      if (!inet_csk_reqsk_queue_hash_add(ctx, sk, req, req.timeout)) return 0;
      ctx.step(
        skb,
        F.connRequest,
        `request sock for ${tcpw.srcPort(skb.buf, th(skb))} → NEW_SYN_RECV, isn ${isn}, SYN-ACK`,
      );
    }
    // A cookie's request is not kept: the SYN-ACK is all that remains of it (reqsk_free).
    tcp_v4_send_synack(ctx, sk, req, foc, wantCookie);
  }
  return 0;
}
