/**
 * net/ipv4/tcp_cubic.c: CUBIC, Linux's default congestion control: the window grows as a cubic function of
 * the time since the last reduction (K: when it regains the last maximum), TCP-friendly, with HyStart
 * leaving slow start early on an ACK train or an RTT increase.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { AckSample, TcpCongestionOps, TcpSock } from '../../include/linux/tcp';
import {
  CA_EVENT_TX_START,
  HZ,
  SK_PACING_NONE,
  TCP_CA_Loss,
  USEC_PER_MSEC,
  USEC_PER_SEC,
  after,
  tcp_in_slow_start,
  tcp_is_cwnd_limited,
  tcp_jiffies32,
  tcp_snd_cwnd,
  usecs_to_jiffies,
} from '../../include/net/tcp';
import { LINUX_MIB } from '../../include/net/snmp';
import { tcp_cong_avoid_ai, tcp_reno_undo_cwnd, tcp_slow_start } from './tcp_cong';

const BICTCP_BETA_SCALE = 1024;
const BICTCP_HZ = 10;
const HYSTART_ACK_TRAIN = 0x1;
const HYSTART_DELAY = 0x2;
const HYSTART_MIN_SAMPLES = 8;
const HYSTART_DELAY_MIN = 4000;
const HYSTART_DELAY_MAX = 16000;

// Module parameters, at their defaults.
const fastConvergence = 1;
const beta = 717;
const bicScale = 41;
const tcpFriendliness = 1;
const hystart = 1;
const hystartDetect = HYSTART_ACK_TRAIN | HYSTART_DELAY;
const hystartLowWindow = 16;
const hystartAckDeltaUs = 2000;

// cubictcp_register
const betaScale = Math.floor(Math.floor((8 * (BICTCP_BETA_SCALE + beta)) / 3) / (BICTCP_BETA_SCALE - beta));
const cubeRttScale = bicScale * 10;
const cubeFactor = Math.floor(2 ** (10 + 3 * BICTCP_HZ) / (bicScale * 10));

/** struct bictcp */
interface Bictcp {
  cnt: number;
  lastMaxCwnd: number;
  lastCwnd: number;
  lastTime: number;
  bicOriginPoint: number;
  bicK: number;
  delayMin: number;
  epochStart: number;
  ackCnt: number;
  tcpCwnd: number;
  sampleCnt: number;
  found: number;
  roundStart: number;
  endSeq: number;
  lastAck: number;
  currRtt: number;
}

function ca(sk: TcpSock): Bictcp {
  if (!sk.icskCaPriv) {
    const c: Bictcp = {
      cnt: 0,
      lastMaxCwnd: 0,
      lastCwnd: 0,
      lastTime: 0,
      bicOriginPoint: 0,
      bicK: 0,
      delayMin: 0,
      epochStart: 0,
      ackCnt: 0,
      tcpCwnd: 0,
      sampleCnt: 0,
      found: 0,
      roundStart: 0,
      endSeq: 0,
      lastAck: 0,
      currRtt: 0,
    };
    sk.icskCaPriv = c;
  }
  return sk.icskCaPriv as Bictcp;
}

function bictcp_reset(c: Bictcp): void {
  c.cnt = c.lastMaxCwnd = c.lastCwnd = c.lastTime = c.bicOriginPoint = c.bicK = 0;
  c.delayMin = c.epochStart = c.ackCnt = c.tcpCwnd = 0;
  c.found = 0;
}

function bictcp_clock_us(sk: TcpSock): number {
  return sk.tcpMstamp >>> 0;
}

function bictcp_hystart_reset(sk: TcpSock): void {
  const c = ca(sk);
  c.roundStart = c.lastAck = bictcp_clock_us(sk);
  c.endSeq = sk.sndNxt;
  c.currRtt = 0xffffffff;
  c.sampleCnt = 0;
}

function cubictcp_init(_ctx: KernelCtx, sk: TcpSock): void {
  bictcp_reset(ca(sk));
  if (hystart) bictcp_hystart_reset(sk);
}

function cubictcp_cwnd_event(ctx: KernelCtx, sk: TcpSock, event: number): void {
  if (event === CA_EVENT_TX_START) {
    const c = ca(sk);
    const now = tcp_jiffies32(ctx);
    // We were application limited (idle) for a while. Shift epoch_start to keep cwnd growth to cubic
    // curve.
    const delta = (now - sk.lsndtime) | 0;
    if (c.epochStart && delta > 0) {
      c.epochStart = (c.epochStart + delta) >>> 0;
      if (after(c.epochStart, now)) c.epochStart = now;
    }
  }
}

const V = [
  0, 54, 54, 54, 118, 118, 118, 118, 123, 129, 134, 138, 143, 147, 151, 156, 157, 161, 164, 168, 170, 173,
  176, 179, 181, 185, 187, 190, 192, 194, 197, 199, 200, 202, 204, 206, 209, 211, 213, 215, 217, 219, 221,
  222, 224, 225, 227, 229, 231, 232, 234, 236, 237, 239, 240, 242, 244, 245, 246, 248, 250, 251, 252, 254,
];

/** fls64 */
function fls64(a: number): number {
  return a === 0 ? 0 : Math.floor(Math.log2(a)) + 1;
}

/** cubic_root: a table lookup and one Newton-Raphson iteration, as the kernel computes it. */
function cubic_root(a: number): number {
  let b = fls64(a);
  if (b < 7) return ((V[a] + 35) >>> 6) >>> 0;
  b = ((b * 84) >> 8) - 1;
  const shift = Math.floor(a / 2 ** (b * 3));
  let x = ((((V[shift] + 10) << b) >>> 0) >>> 6) >>> 0;
  x = (2 * x + Math.floor(a / (x * (x - 1)))) >>> 0;
  x = ((x * 341) >>> 10) >>> 0;
  return x;
}

function bictcp_update(ctx: KernelCtx, sk: TcpSock, c: Bictcp, cwnd: number, acked: number): void {
  const now = tcp_jiffies32(ctx);
  c.ackCnt += acked;
  if (c.lastCwnd === cwnd && ((now - c.lastTime) | 0) <= HZ / 32) return;
  // The CUBIC function can update ca->cnt at most once per jiffy.
  if (!(c.epochStart && now === c.lastTime)) {
    c.lastCwnd = cwnd;
    c.lastTime = now;
    if (c.epochStart === 0) {
      c.epochStart = now;
      c.ackCnt = acked;
      c.tcpCwnd = cwnd;
      if (c.lastMaxCwnd <= cwnd) {
        c.bicK = 0;
        c.bicOriginPoint = cwnd;
      } else {
        // Compute new K based on (wmax-cwnd) * (srtt>>3 / HZ) / c * 2^(3*bictcp_HZ)
        c.bicK = cubic_root(cubeFactor * (c.lastMaxCwnd - cwnd));
        c.bicOriginPoint = c.lastMaxCwnd;
      }
    }
    let t = (now - c.epochStart) | 0;
    t += usecs_to_jiffies(c.delayMin);
    // change the unit from HZ to bictcp_HZ
    t = Math.floor((t * 2 ** BICTCP_HZ) / HZ);
    const offs = t < c.bicK ? c.bicK - t : t - c.bicK;
    // c/rtt * (t-K)^3
    const delta =
      offs < 1 << 14
        ? Math.floor((cubeRttScale * offs * offs * offs) / 2 ** (10 + 3 * BICTCP_HZ))
        : Number(((BigInt(cubeRttScale) * BigInt(offs) ** 3n) & ((1n << 64n) - 1n)) >> 40n);
    const bicTarget = t < c.bicK ? c.bicOriginPoint - delta : c.bicOriginPoint + delta;
    // cubic function - calc bictcp_cnt
    if (bicTarget > cwnd) c.cnt = Math.floor(cwnd / (bicTarget - cwnd));
    else c.cnt = 100 * cwnd; // very small increment
    // The initial growth of cubic function may be too conservative when the available bandwidth is still
    // unknown.
    if (c.lastMaxCwnd === 0 && c.cnt > 20) c.cnt = 20; // increase cwnd 5% per RTT
  }
  // tcp_friendliness:
  if (tcpFriendliness) {
    const delta = (cwnd * betaScale) >>> 3;
    while (c.ackCnt > delta) {
      c.ackCnt -= delta;
      c.tcpCwnd++;
    }
    if (c.tcpCwnd > cwnd) {
      const maxCnt = Math.floor(cwnd / (c.tcpCwnd - cwnd));
      if (c.cnt > maxCnt) c.cnt = maxCnt;
    }
  }
  // The maximum rate of cwnd increase CUBIC allows is 1 packet per 2 packets ACKed, meaning cwnd grows at
  // 1.5x per RTT.
  c.cnt = Math.max(c.cnt, 2);
  void sk;
}

function cubictcp_cong_avoid(ctx: KernelCtx, sk: TcpSock, _ack: number, acked: number): void {
  const c = ca(sk);
  if (!tcp_is_cwnd_limited(sk)) return;
  if (tcp_in_slow_start(sk)) {
    acked = tcp_slow_start(sk, acked);
    if (!acked) return;
  }
  bictcp_update(ctx, sk, c, tcp_snd_cwnd(sk), acked);
  tcp_cong_avoid_ai(sk, c.cnt, acked);
}

function cubictcp_recalc_ssthresh(sk: TcpSock): number {
  const c = ca(sk);
  c.epochStart = 0; // end of epoch
  // Wmax and fast convergence
  if (tcp_snd_cwnd(sk) < c.lastMaxCwnd && fastConvergence)
    c.lastMaxCwnd = Math.floor((tcp_snd_cwnd(sk) * (BICTCP_BETA_SCALE + beta)) / (2 * BICTCP_BETA_SCALE));
  else c.lastMaxCwnd = tcp_snd_cwnd(sk);
  return Math.max(Math.floor((tcp_snd_cwnd(sk) * beta) / BICTCP_BETA_SCALE), 2);
}

function cubictcp_state(_ctx: KernelCtx, sk: TcpSock, newState: number): void {
  if (newState === TCP_CA_Loss) {
    bictcp_reset(ca(sk));
    bictcp_hystart_reset(sk);
  }
}

/** hystart_ack_delay: account for TSO/GRO delays (pacing_rate permitting). */
function hystart_ack_delay(sk: TcpSock): number {
  const rate = sk.pacingRate;
  if (!rate || rate === Infinity) return 0;
  return Math.min(USEC_PER_MSEC, Math.floor((sk.gsoMaxSize * 4 * USEC_PER_SEC) / rate));
}

function hystart_update(sk: TcpSock, delay: number): void {
  const c = ca(sk);
  const net = sk.net;
  if (after(sk.sndUna, c.endSeq)) bictcp_hystart_reset(sk);
  // hystart triggers when cwnd is larger than some threshold
  if (tcp_snd_cwnd(sk) < hystartLowWindow) return;
  if (hystartDetect & HYSTART_ACK_TRAIN) {
    const now = bictcp_clock_us(sk);
    // first detection parameter - ack-train detection
    if (((now - c.lastAck) | 0) <= hystartAckDeltaUs) {
      c.lastAck = now;
      let threshold = c.delayMin + hystart_ack_delay(sk);
      // Hystart ack train triggers if we get ack past ca->delay_min/2. Pacing might have delayed packets
      // up to RTT/2 during slow start.
      if (sk.pacingStatus === SK_PACING_NONE) threshold >>>= 1;
      if (((now - c.roundStart) | 0) > threshold) {
        c.found = 1;
        net.linuxMib[LINUX_MIB.TCPHystartTrainDetect]++;
        net.linuxMib[LINUX_MIB.TCPHystartTrainCwnd] += tcp_snd_cwnd(sk);
        sk.sndSsthresh = tcp_snd_cwnd(sk);
      }
    }
  }
  if (hystartDetect & HYSTART_DELAY) {
    // obtain the minimum delay of more than sampling packets
    if (c.currRtt > delay) c.currRtt = delay;
    if (c.sampleCnt < HYSTART_MIN_SAMPLES) {
      c.sampleCnt++;
    } else {
      const thresh = Math.min(Math.max(c.delayMin >>> 3, HYSTART_DELAY_MIN), HYSTART_DELAY_MAX);
      if (c.currRtt > c.delayMin + thresh) {
        c.found = 1;
        net.linuxMib[LINUX_MIB.TCPHystartDelayDetect]++;
        net.linuxMib[LINUX_MIB.TCPHystartDelayCwnd] += tcp_snd_cwnd(sk);
        sk.sndSsthresh = tcp_snd_cwnd(sk);
      }
    }
  }
}

function cubictcp_acked(ctx: KernelCtx, sk: TcpSock, sample: AckSample): void {
  const c = ca(sk);
  // Some calls are for duplicates without timestamps.
  if (sample.rttUs < 0) return;
  // Discard delay samples right after fast recovery.
  if (c.epochStart && ((tcp_jiffies32(ctx) - c.epochStart) | 0) < HZ) return;
  let delay = sample.rttUs;
  if (delay === 0) delay = 1;
  // first time call or link delay decreases
  if (c.delayMin === 0 || c.delayMin > delay) c.delayMin = delay;
  if (!c.found && tcp_in_slow_start(sk) && hystart) hystart_update(sk, delay);
}

export const cubictcp: TcpCongestionOps = {
  name: 'cubic',
  key: 2,
  flags: 1,
  init: cubictcp_init,
  ssthresh: cubictcp_recalc_ssthresh,
  congAvoid: cubictcp_cong_avoid,
  setState: cubictcp_state,
  undoCwnd: tcp_reno_undo_cwnd,
  cwndEvent: cubictcp_cwnd_event,
  pktsAcked: cubictcp_acked,
};
