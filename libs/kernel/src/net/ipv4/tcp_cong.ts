/**
 * net/ipv4/tcp_cong.c: pluggable congestion control (the registered algorithms, the default from
 * net.ipv4.tcp_congestion_control, TCP_CONGESTION) and Reno, whose slow start and additive increase the
 * others reuse.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { TcpCongestionOps, TcpSock } from '../../include/linux/tcp';
import {
  TCP_INIT_CWND,
  tcp_in_slow_start,
  tcp_is_cwnd_limited,
  tcp_snd_cwnd,
  tcp_snd_cwnd_set,
} from '../../include/net/tcp';
import { ENOENT } from '../../include/linux/errno';
import { TCPF_CLOSE, TCPF_LISTEN } from '../../include/net/tcp_states';
import { cubictcp } from './tcp_cubic';
import type { Rtable } from '../../include/net/route';
import { dst_metric_initcwnd } from './route';

/** tcp_slow_start: cwnd grows by what was acknowledged, up to ssthresh; returns what is left over. */
export function tcp_slow_start(tp: TcpSock, acked: number): number {
  const cwnd = Math.min(tcp_snd_cwnd(tp) + acked, tp.sndSsthresh);
  acked -= cwnd - tcp_snd_cwnd(tp);
  tcp_snd_cwnd_set(tp, Math.min(cwnd, tp.sndCwndClamp));
  return acked;
}

/** tcp_cong_avoid_ai: one more segment per `w` acknowledged. */
export function tcp_cong_avoid_ai(tp: TcpSock, w: number, acked: number): void {
  // If credits accumulated at a higher w, apply them gently now.
  if (tp.sndCwndCnt >= w) {
    tp.sndCwndCnt = 0;
    tcp_snd_cwnd_set(tp, tcp_snd_cwnd(tp) + 1);
  }
  tp.sndCwndCnt += acked;
  if (tp.sndCwndCnt >= w) {
    const delta = Math.floor(tp.sndCwndCnt / w);
    tp.sndCwndCnt -= delta * w;
    tcp_snd_cwnd_set(tp, tcp_snd_cwnd(tp) + delta);
  }
  tcp_snd_cwnd_set(tp, Math.min(tcp_snd_cwnd(tp), tp.sndCwndClamp));
}

/** tcp_reno_cong_avoid */
function tcp_reno_cong_avoid(_ctx: KernelCtx, sk: TcpSock, _ack: number, acked: number): void {
  if (!tcp_is_cwnd_limited(sk)) return;
  // In "safe" area, increase.
  if (tcp_in_slow_start(sk)) {
    acked = tcp_slow_start(sk, acked);
    if (!acked) return;
  }
  // In dangerous area, increase slowly.
  tcp_cong_avoid_ai(sk, tcp_snd_cwnd(sk), acked);
}

/** tcp_reno_ssthresh: slow start threshold is half the congestion window (min 2). */
export function tcp_reno_ssthresh(sk: TcpSock): number {
  return Math.max(tcp_snd_cwnd(sk) >>> 1, 2);
}

/** tcp_reno_undo_cwnd */
export function tcp_reno_undo_cwnd(sk: TcpSock): number {
  return Math.max(tcp_snd_cwnd(sk), sk.priorCwnd);
}

export const tcp_reno: TcpCongestionOps = {
  name: 'reno',
  key: 1,
  flags: 1,
  ssthresh: tcp_reno_ssthresh,
  congAvoid: tcp_reno_cong_avoid,
  undoCwnd: tcp_reno_undo_cwnd,
};

/** The algorithms built in (Debian's 6.12 builds cubic in; reno is always there). */
export const TCP_CONG_LIST: Record<string, TcpCongestionOps> = { reno: tcp_reno, cubic: cubictcp };

/** net.ipv4.tcp_available_congestion_control */
export function tcp_get_available_congestion_control(): string {
  return Object.keys(TCP_CONG_LIST).join(' ');
}

/** tcp_ca_find */
export function tcp_ca_find(name: string): TcpCongestionOps | null {
  return TCP_CONG_LIST[name] ?? null;
}

/** tcp_assign_congestion_control: the namespace's default. */
export function tcp_assign_congestion_control(sk: TcpSock): void {
  sk.icskCaOps = tcp_ca_find(sk.net.sysctl.tcp.congestionControl) ?? tcp_reno;
  sk.icskCaPriv = null;
}

/** tcp_init_congestion_control */
export function tcp_init_congestion_control(ctx: KernelCtx, sk: TcpSock): void {
  sk.priorSsthresh = 0;
  sk.icskCaOps.init?.(ctx, sk);
  sk.icskCaInitialized = true;
}

/** tcp_set_congestion_control (TCP_CONGESTION): 0, -ENOENT for an unknown name. */
export function tcp_set_congestion_control(ctx: KernelCtx, sk: TcpSock, name: string): number {
  const ca = tcp_ca_find(name);
  if (!ca) return -ENOENT;
  if (sk.icskCaOps === ca) return 0;
  // Changing after the connection began: release the old one and start the new.
  sk.icskCaOps.release?.(sk);
  sk.icskCaOps = ca;
  sk.icskCaSetsockopt = true;
  sk.icskCaPriv = null;
  // Already connected: the new algorithm starts now (tcp_reinit_congestion_control).
  if ((1 << sk.state) & ~(TCPF_CLOSE | TCPF_LISTEN)) tcp_init_congestion_control(ctx, sk);
  return 0;
}

/** tcp_set_ca_state */
export function tcp_set_ca_state(ctx: KernelCtx, sk: TcpSock, caState: number): void {
  sk.icskCaOps.setState?.(ctx, sk, caState);
  sk.icskCaState = caState;
}

/** tcp_ca_event */
export function tcp_ca_event(ctx: KernelCtx, sk: TcpSock, event: number): void {
  sk.icskCaOps.cwndEvent?.(ctx, sk, event);
}

/** tcp_init_cwnd: the initial window (the route's initcwnd, else 10), within the clamp. */
export function tcp_init_cwnd(tp: TcpSock, dst: Rtable | null): number {
  const cwnd = dst_metric_initcwnd(dst) || TCP_INIT_CWND;
  return Math.min(cwnd, tp.sndCwndClamp);
}
