/**
 * net/core/sock.c: queueing a datagram on a socket for its reader (ping and raw sockets; UDP has its own
 * __udp_enqueue_schedule_skb), and SO_TIMESTAMPING's sock_set_timestamping.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { skbTruesize } from '../../include/linux/skbuff';
import type { Sock } from '../../include/net/sock';
import { sockDefReadable } from '../../include/net/sock';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import type { KernelFn } from '../../include/net/trace';
import { drop, queued, type Verdict } from '../../include/net/verdict';
import type { TcpSock } from '../../include/linux/tcp';
import { EINVAL } from '../../include/linux/errno';
import { SOCK_STREAM } from '../../include/net/sock';
import { SOCK_DEAD } from '../../include/net/tcp';
import { EOPNOTSUPP } from '../../include/linux/errno';
import { TCPF_CLOSE, TCPF_LISTEN } from '../../include/net/tcp_states';
import {
  SOF_TIMESTAMPING_BIND_PHC,
  SOF_TIMESTAMPING_MASK,
  SOF_TIMESTAMPING_OPT_ID,
  SOF_TIMESTAMPING_OPT_ID_TCP,
  SOF_TIMESTAMPING_OPT_STATS,
  SOF_TIMESTAMPING_OPT_TSONLY,
} from '../../include/linux/net_tstamp';

/**
 * sock_queue_rcv_skb_reason: past sk_rcvbuf the skb is dropped (sk_drops); otherwise it joins the receive
 * queue and sock_def_readable wakes the reader. `fn` is the caller's step (__ping_queue_rcv_skb, raw_rcv_skb).
 */
export function sock_queue_rcv_skb(ctx: KernelCtx, sk: Sock, skb: SkBuff, fn: KernelFn): Verdict {
  if (sk.rmemAlloc >= sk.rcvbuf) {
    sk.drops++;
    ctx.step(skb, fn, `sk_rmem_alloc ${sk.rmemAlloc} >= sk_rcvbuf ${sk.rcvbuf}`);
    return drop(skb, SKB_DROP_REASON.SOCKET_RCVBUFF);
  }
  sk.rmemAlloc += skbTruesize(skb);
  sk.receiveQueue.push(skb);
  ctx.step(skb, fn, `sk_receive_queue ${sk.receiveQueue.length}, sock_def_readable`);
  sockDefReadable(sk);
  return queued(skb, 'sk_receive_queue');
}

/**
 * sock_set_timestamping (sock.c:898): SO_TIMESTAMPING's flags. Turning SOF_TIMESTAMPING_OPT_ID on starts
 * the keys: a TCP socket's count bytes from snd_una (write_seq with OPT_ID_TCP), and it must be connected
 * or connecting; others count from 0. OPT_STATS needs OPT_TSONLY; a PHC to bind to (BIND_PHC) there is not.
 */
export function sock_set_timestamping(sk: Sock, val: number): number {
  if (val & ~SOF_TIMESTAMPING_MASK) return -EINVAL;
  if (val & SOF_TIMESTAMPING_OPT_ID_TCP && !(val & SOF_TIMESTAMPING_OPT_ID)) return -EINVAL;
  if (val & SOF_TIMESTAMPING_OPT_ID && !(sk.tsflags & SOF_TIMESTAMPING_OPT_ID)) {
    if (sk.type === SOCK_STREAM) {
      const tp = sk as TcpSock;
      if ((1 << tp.state) & (TCPF_CLOSE | TCPF_LISTEN)) return -EINVAL;
      sk.tskey = val & SOF_TIMESTAMPING_OPT_ID_TCP ? tp.writeSeq : tp.sndUna;
    } else {
      sk.tskey = 0;
    }
  }
  if (val & SOF_TIMESTAMPING_OPT_STATS && !(val & SOF_TIMESTAMPING_OPT_TSONLY)) return -EINVAL;
  // sock_timestamping_bind_phc: a socket bound to a device (whose PTP virtual clocks, none modelled, do
  // not match), or -EOPNOTSUPP for one that is not.
  if (val & SOF_TIMESTAMPING_BIND_PHC) return (sk as Partial<TcpSock>).boundDevIf ? -EINVAL : -EOPNOTSUPP;
  sk.tsflags = val;
  return 0;
}

/**
 * sk_error_report → sock_def_error_report: wake the socket's waiters with EPOLLERR (poll and epoll then see
 * the socket's sk_err or its non-empty error queue).
 */
export function sk_error_report(sk: Sock): void {
  sockDefReadable(sk);
}

/** sock_flag(sk, SOCK_DEAD): a TCP socket's flag; a datagram socket's file is closed. */
export function sock_flag_dead(sk: Sock): boolean {
  return sk.type === SOCK_STREAM ? ((sk as TcpSock).flags & SOCK_DEAD) !== 0 : sk.closed;
}
