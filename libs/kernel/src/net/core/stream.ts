/**
 * net/core/stream.c: the generic stream-socket helpers TCP's sendmsg and close use. The kernel sleeps in
 * sk_stream_wait_connect / sk_stream_wait_memory / sk_stream_wait_close; the model never sleeps: each is a
 * check that returns at once (-EAGAIN where the kernel would sleep), and the runtime blocks a task by
 * waiting on sk.wq and calling the system call again.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { TcpSock } from '../../include/linux/tcp';
import { sockDefReadable } from '../../include/net/sock';
import { EAGAIN, EPIPE } from '../../include/linux/errno';
import { SEND_SHUTDOWN, __sk_stream_is_writeable, sk_stream_memory_free } from '../../include/net/tcp';
import {
  TCPF_CLOSING,
  TCPF_FIN_WAIT1,
  TCPF_LAST_ACK,
  TCPF_SYN_RECV,
  TCPF_SYN_SENT,
} from '../../include/net/tcp_states';

/** sock_error (include/net/sock.h): the pending error, negated, and cleared. */
export function sock_error(sk: TcpSock): number {
  const err = sk.skErr;
  if (!err) return 0;
  sk.skErr = 0;
  return -err;
}

/** sock_rcvlowat (include/net/sock.h): bytes a read waits for (len with MSG_WAITALL, else SO_RCVLOWAT). */
export function sock_rcvlowat(sk: TcpSock, waitall: boolean, len: number): number {
  const v = waitall ? len : Math.min(sk.rcvlowat, len);
  return v || 1;
}

/** sk_stream_write_space: TCP's sk_write_space: room again, wake the writers (EPOLLOUT). */
export function sk_stream_write_space(sk: TcpSock): void {
  if (__sk_stream_is_writeable(sk, 1) && sk.hasSocket) {
    sk.nospace = false;
    sockDefReadable(sk);
  }
}

/**
 * sk_stream_wait_connect with a zero timeout: a pending error, -EPIPE unless the handshake is still under
 * way, else -EAGAIN (the runtime waits on sk.wq for ESTABLISHED/CLOSE_WAIT or an error and calls again).
 */
export function sk_stream_wait_connect(sk: TcpSock): number {
  const err = sock_error(sk);
  if (err) return err;
  if ((1 << sk.state) & ~(TCPF_SYN_SENT | TCPF_SYN_RECV)) return -EPIPE;
  return -EAGAIN;
}

/** sk_stream_closing: still something to send before the close completes. */
export function sk_stream_closing(sk: TcpSock): boolean {
  return ((1 << sk.state) & (TCPF_FIN_WAIT1 | TCPF_CLOSING | TCPF_LAST_ACK)) !== 0;
}

/**
 * sk_stream_wait_close's condition: true when close() need not wait (no linger time, or the FIN has been
 * acknowledged). A lingering close (SO_LINGER with a time) waits on sk.wq until this holds or time is up.
 */
export function sk_stream_wait_close(sk: TcpSock, timeout: number): boolean {
  return !timeout || !sk_stream_closing(sk);
}

/**
 * sk_stream_wait_memory with a zero timeout: -EPIPE after an error or shutdown, 0 if there is room,
 * else SOCK_NOSPACE and -EAGAIN (tcp_check_space only wakes writers that set SOCK_NOSPACE).
 */
export function sk_stream_wait_memory(sk: TcpSock): number {
  if (sk.skErr || sk.shutdown & SEND_SHUTDOWN) return -EPIPE;
  if (sk_stream_memory_free(sk, 0)) return 0;
  sk.nospace = true;
  return -EAGAIN;
}

/**
 * sk_stream_error: EPIPE becomes the pending socket error if there is one. The kernel also sends SIGPIPE
 * unless MSG_NOSIGNAL; signals are the runtime's (it sees -EPIPE and the flags).
 */
export function sk_stream_error(sk: TcpSock, _flags: number, err: number): number {
  if (err === -EPIPE) err = sock_error(sk) || -EPIPE;
  return err;
}

/** sk_stream_kill_queues: free what is left to read and the error queue of a dying socket. */
export function sk_stream_kill_queues(ctx: KernelCtx, sk: TcpSock): void {
  for (const skb of sk.receiveQueue) ctx.free(skb);
  sk.receiveQueue = [];
  sk.rmemAlloc = 0;
  sk.errorQueue = [];
}
