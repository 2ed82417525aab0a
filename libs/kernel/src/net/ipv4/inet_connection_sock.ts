/**
 * net/ipv4/inet_connection_sock.c and include/net/inet_connection_sock.h: a connection socket's timers
 * (retransmit, delayed ACK, keepalive), the listener's request socks and accept queue, listen and its end.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { RequestSock, TcpSock } from '../../include/linux/tcp';
import {
  ICSK_ACK_TIMER,
  ICSK_TIME_DACK,
  ICSK_TIME_LOSS_PROBE,
  ICSK_TIME_PROBE0,
  ICSK_TIME_REO_TIMEOUT,
  ICSK_TIME_RETRANS,
  SOCK_DEAD,
  TCP_RTO_MAX,
  inet_csk_delack_init,
  sock_set_flag,
} from '../../include/net/tcp';
import { TCP_CLOSE, TCP_LISTEN } from '../../include/net/tcp_states';
import { EADDRINUSE, EAGAIN, EINVAL } from '../../include/linux/errno';
import { jiffies, mod_timer, del_timer, timer_setup } from '../../kernel/time/timer';
import { inet_csk_get_port, inet_hash } from './inet_hashtables';
import { tcp_rtx_synack } from './tcp_output';
import { tcp_syn_ack_timeout, tcp_write_timer, tcp_delack_timer, tcp_keepalive_timer } from './tcp_timer';
import { tcp_disconnect } from './tcp';
import { tcp_v4_destroy_sock } from './tcp_ipv4';
import { sockDefReadable } from '../../include/net/sock';

/** inet_csk_init_xmit_timers */
export function inet_csk_init_xmit_timers(sk: TcpSock): void {
  const host = sk.net.host;
  sk.icskRetransmitTimer = timer_setup(host, tcp_write_timer, sk);
  sk.icskDelackTimer = timer_setup(host, tcp_delack_timer, sk);
  sk.keepaliveTimer = timer_setup(host, tcp_keepalive_timer, sk);
  sk.icskPending = 0;
  sk.icskAck.pending = 0;
}

/** inet_csk_clear_xmit_timers: stop them all. */
export function inet_csk_clear_xmit_timers(ctx: KernelCtx, sk: TcpSock): void {
  sk.icskPending = 0;
  sk.icskAck.pending = 0;
  del_timer(ctx, sk.icskRetransmitTimer);
  del_timer(ctx, sk.icskDelackTimer);
  del_timer(ctx, sk.keepaliveTimer);
}

/**
 * inet_csk_clear_xmit_timer: forget the event; the timer itself stays armed and finds nothing to do
 * (INET_CSK_CLEAR_TIMERS is not defined).
 */
export function inet_csk_clear_xmit_timer(sk: TcpSock, what: number): void {
  if (what === ICSK_TIME_RETRANS || what === ICSK_TIME_PROBE0) {
    sk.icskPending = 0;
  } else if (what === ICSK_TIME_DACK) {
    sk.icskAck.pending = 0;
    sk.icskAck.retry = 0;
  }
}

/** inet_csk_reset_xmit_timer: arm the retransmit timer for `what`, or the delayed-ACK timer. */
export function inet_csk_reset_xmit_timer(
  ctx: KernelCtx,
  sk: TcpSock,
  what: number,
  when: number,
  maxWhen: number,
): void {
  if (when > maxWhen) when = maxWhen;
  const now = jiffies(ctx);
  if (
    what === ICSK_TIME_RETRANS ||
    what === ICSK_TIME_PROBE0 ||
    what === ICSK_TIME_LOSS_PROBE ||
    what === ICSK_TIME_REO_TIMEOUT
  ) {
    sk.icskPending = what;
    sk.icskTimeout = now + when;
    mod_timer(ctx, sk.icskRetransmitTimer, sk.icskTimeout);
  } else if (what === ICSK_TIME_DACK) {
    sk.icskAck.pending |= ICSK_ACK_TIMER;
    sk.icskAck.timeout = now + when;
    mod_timer(ctx, sk.icskDelackTimer, sk.icskAck.timeout);
  }
}

/** inet_csk_reset_keepalive_timer */
export function inet_csk_reset_keepalive_timer(ctx: KernelCtx, sk: TcpSock, len: number): void {
  mod_timer(ctx, sk.keepaliveTimer, jiffies(ctx) + len);
}

/** inet_csk_delete_keepalive_timer */
export function inet_csk_delete_keepalive_timer(ctx: KernelCtx, sk: TcpSock): void {
  del_timer(ctx, sk.keepaliveTimer);
}

// ---- the listener's queues ---------------------------------------------------------------------------

/** reqsk_timeout: the request's next SYN-ACK timeout, backed off per timeout. */
export function reqsk_timeout(req: RequestSock, maxTimeout: number): number {
  return Math.min(req.timeout * 2 ** req.numTimeout, maxTimeout);
}

/**
 * inet_csk_reqsk_queue_hash_add → reqsk_queue_hash_req: the request sock joins the established hash (as
 * TCP_NEW_SYN_RECV) and the SYN queue, with its SYN-ACK timer.
 */
export function inet_csk_reqsk_queue_hash_add(
  ctx: KernelCtx,
  sk: TcpSock,
  req: RequestSock,
  timeout: number,
): boolean {
  if (sk.net.tcpEhash.has(req.locAddr, req.num, req.rmtAddr, req.rmtPort)) return false;
  sk.net.tcpEhash.set(req.locAddr, req.num, req.rmtAddr, req.rmtPort, req);
  req.hashed = true;
  req.timer = timer_setup(sk.net.host, reqsk_timer_handler, req);
  mod_timer(ctx, req.timer, jiffies(ctx) + timeout);
  // inet_csk_reqsk_queue_added
  sk.synQueueLen++;
  sk.synQueueYoung++;
  return true;
}

/** reqsk_queue_unlink: out of the established hash. */
function reqsk_queue_unlink(req: RequestSock): boolean {
  if (!req.hashed) return false;
  req.net.tcpEhash.deleteIf(req.locAddr, req.num, req.rmtAddr, req.rmtPort, req);
  req.hashed = false;
  return true;
}

/** reqsk_queue_removed */
function reqsk_queue_removed(sk: TcpSock, req: RequestSock): void {
  if (req.numTimeout === 0) sk.synQueueYoung--;
  sk.synQueueLen--;
}

/** __inet_csk_reqsk_queue_drop: the request leaves the hash and the SYN queue; its timer stops. */
export function inet_csk_reqsk_queue_drop(ctx: KernelCtx, sk: TcpSock, req: RequestSock): boolean {
  const unlinked = reqsk_queue_unlink(req);
  if (unlinked) {
    reqsk_queue_removed(sk, req);
    if (req.timer) del_timer(ctx, req.timer);
  }
  return unlinked;
}

/** syn_ack_recalc */
function syn_ack_recalc(
  req: RequestSock,
  maxRetries: number,
  deferAccept: number,
): { expire: boolean; resend: boolean } {
  if (!deferAccept) return { expire: req.numTimeout >= maxRetries, resend: true };
  return {
    expire: req.numTimeout >= maxRetries && (!req.acked || req.numTimeout >= deferAccept),
    resend: !req.acked || req.numTimeout >= deferAccept - 1,
  };
}

/**
 * reqsk_timer_handler: no ACK yet: resend the SYN-ACK with the timeout doubled, up to tcp_synack_retries
 * (fewer when the SYN queue is more than half full of old requests), then drop the request.
 */
function reqsk_timer_handler(ctx: KernelCtx, req: RequestSock): void {
  const sk = req.listener;
  if (sk.state !== TCP_LISTEN) {
    inet_csk_reqsk_queue_drop(ctx, sk, req);
    return;
  }
  const net = sk.net;
  let maxRetries = sk.icskSynRetries || net.sysctl.tcp.synackRetries;
  const qlen = sk.synQueueLen;
  if (qlen << 1 > Math.max(8, sk.maxAckBacklog)) {
    let young = sk.synQueueYoung << 1;
    while (maxRetries > 2) {
      if (qlen < young) break;
      maxRetries--;
      young <<= 1;
    }
  }
  const { expire, resend } = syn_ack_recalc(req, maxRetries, sk.deferAccept);
  tcp_syn_ack_timeout(req);
  if (!expire && (!resend || !inet_rtx_syn_ack(ctx, sk, req) || req.acked)) {
    if (req.numTimeout++ === 0) sk.synQueueYoung--;
    mod_timer(ctx, req.timer, jiffies(ctx) + reqsk_timeout(req, TCP_RTO_MAX));
    return;
  }
  inet_csk_reqsk_queue_drop(ctx, sk, req);
}

/** inet_rtx_syn_ack: 0 when the SYN-ACK went out again (true here means an error, as the kernel's int). */
export function inet_rtx_syn_ack(ctx: KernelCtx, sk: TcpSock, req: RequestSock): boolean {
  const err = tcp_rtx_synack(ctx, sk, req);
  if (!err) req.numRetrans++;
  return err !== 0;
}

/** inet_csk_reqsk_queue_add: the child joins the accept queue. */
export function inet_csk_reqsk_queue_add(
  ctx: KernelCtx,
  sk: TcpSock,
  req: RequestSock,
  child: TcpSock,
): TcpSock | null {
  if (sk.state !== TCP_LISTEN) {
    inet_child_forget(ctx, sk, req, child);
    return null;
  }
  req.sk = child;
  child.parent = sk;
  sk.acceptQueue.push(req);
  sk.ackBacklog++;
  return child;
}

/** inet_csk_complete_hashdance: the request is done; its child waits in the accept queue. */
export function inet_csk_complete_hashdance(
  ctx: KernelCtx,
  sk: TcpSock,
  child: TcpSock,
  req: RequestSock,
  ownReq: boolean,
): TcpSock | null {
  if (ownReq) {
    inet_csk_reqsk_queue_drop(ctx, req.listener, req);
    if (inet_csk_reqsk_queue_add(ctx, sk, req, child)) return child;
  }
  return null;
}

/** reqsk_queue_remove: accept() takes the oldest child. */
export function reqsk_queue_remove(sk: TcpSock): RequestSock | null {
  const req = sk.acceptQueue.shift() ?? null;
  if (req) sk.ackBacklog--;
  return req;
}

/** inet_child_forget: a child nobody will accept: disconnect (RST) and destroy it. */
export function inet_child_forget(ctx: KernelCtx, sk: TcpSock, req: RequestSock, child: TcpSock): void {
  tcp_disconnect(ctx, child, 0);
  sock_orphan(child);
  if (req.tfoListener) child.fastopenRsk = null;
  inet_csk_destroy_sock(ctx, child);
}

/** sock_orphan: the file is gone; the socket lives on in the kernel only. */
export function sock_orphan(sk: TcpSock): void {
  sock_set_flag(sk, SOCK_DEAD);
  sk.orphan = true;
  sk.hasSocket = false;
  // Anyone still waiting (a blocked call of the process that closed it) must look again.
  sockDefReadable(sk);
}

/** inet_csk_destroy_sock: a closed, orphaned, unhashed socket is freed. */
export function inet_csk_destroy_sock(ctx: KernelCtx, sk: TcpSock): void {
  tcp_v4_destroy_sock(ctx, sk);
  sk.closed = true;
  sk.net.tcpSockets.delete(sk);
}

/** inet_csk_listen_start */
export function inet_csk_listen_start(ctx: KernelCtx, sk: TcpSock): number {
  sk.acceptQueue = [];
  sk.ackBacklog = 0;
  inet_csk_delack_init(sk);
  const prev = sk.state;
  sk.state = TCP_LISTEN;
  const err = sk.bound ? relisten_port_check(sk) : inet_csk_get_port(ctx, sk, sk.num);
  if (!err) {
    sk.sport = sk.num;
    sk.dstCache = null;
    inet_hash(sk);
    return 0;
  }
  sk.state = prev === TCP_LISTEN ? TCP_CLOSE : prev;
  return err;
}

/** The port check inet_csk_get_port repeats at listen(): another listener on it is a conflict. */
function relisten_port_check(sk: TcpSock): number {
  const owners = sk.net.tcpBhash.get(sk.num) ?? [];
  for (const o of owners) {
    if (o === sk || (o as TcpSock).kind !== undefined) continue;
    const other = o as TcpSock;
    if (other.state !== TCP_LISTEN) continue;
    if (sk.reuseport && other.reuseport) continue;
    if (!sk.rcvSaddr || !other.rcvSaddr || sk.rcvSaddr === other.rcvSaddr) return -EADDRINUSE;
  }
  return 0;
}

/** inet_csk_listen_stop: children never accepted are reset and destroyed; pending requests dropped. */
export function inet_csk_listen_stop(ctx: KernelCtx, sk: TcpSock): void {
  let req: RequestSock | null;
  while ((req = reqsk_queue_remove(sk)) !== null) {
    const child = req.sk!;
    inet_child_forget(ctx, sk, req, child);
  }
  // The SYN queue: request socks still waiting for their ACK go with their listener.
  for (const e of sk.net.tcpEhash.values()) {
    const r = e as RequestSock;
    if (r.kind === 'request' && r.listener === sk) {
      sk.net.tcpEhash.delete(r.locAddr, r.num, r.rmtAddr, r.rmtPort);
      r.hashed = false;
      if (r.timer) del_timer(ctx, r.timer);
    }
  }
  sk.synQueueLen = sk.synQueueYoung = 0;
}

/** inet_csk_accept's core: -EINVAL unless listening; -EAGAIN if empty; else the child. */
export function inet_csk_accept_one(sk: TcpSock): TcpSock | number {
  if (sk.state !== TCP_LISTEN) return -EINVAL;
  const req = reqsk_queue_remove(sk);
  if (!req) return -EAGAIN;
  const child = req.sk!;
  child.parent = null;
  child.hasSocket = true;
  if (req.tfoListener) req.sk = null;
  return child;
}
