/**
 * net/ipv4/af_inet.c: the AF_INET socket layer between the system call and the protocol (udp_sendmsg,
 * ping_v4_sendmsg, raw_sendmsg, tcp_sendmsg), and the stream socket calls: connect, listen, accept, bind,
 * shutdown, release.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import type { Sock } from '../../include/net/sock';
import {
  TFO_SERVER_ENABLE,
  TFO_SERVER_WO_SOCKOPT1,
  fastopen_queue_tune,
  tcp_fastopen_init_key_once,
} from './tcp_fastopen';
import { SOCK_STREAM, sockDefReadable } from '../../include/net/sock';
import type { TcpSock } from '../../include/linux/tcp';
import { kfn } from '../../include/net/trace';
import { SYS_SENDTO } from '../socket';
import {
  EADDRNOTAVAIL,
  EALREADY,
  ECONNABORTED,
  EINPROGRESS,
  EINVAL,
  EISCONN,
  ENOTCONN,
} from '../../include/linux/errno';
import {
  RCV_SHUTDOWN,
  SHUTDOWN_MASK,
  SOCK_BINDADDR_LOCK,
  SOCK_BINDPORT_LOCK,
  SOCK_LINGER,
  sock_flag,
} from '../../include/net/tcp';
import {
  TCP_CLOSE,
  TCP_LISTEN,
  TCP_SYN_SENT,
  TCPF_CLOSE,
  TCPF_LISTEN,
  TCPF_SYN_RECV,
  TCPF_SYN_SENT,
} from '../../include/net/tcp_states';
import { RTN_BROADCAST, RTN_LOCAL, RTN_UNICAST } from '../../include/net/route';
import { fibLookup } from './route';
import { inet_csk_accept_one, inet_csk_listen_start } from './inet_connection_sock';
import { inet_csk_get_port } from './inet_hashtables';
import { tcp_v4_connect } from './tcp_ipv4';
import { O_NONBLOCK, lock_sock, release_sock, tcp_close, tcp_disconnect, tcp_shutdown } from './tcp';
import { sock_error } from '../core/stream';

/** RTN_MULTICAST (include/uapi/linux/rtnetlink.h) */
const RTN_MULTICAST = 5;

/** inet_sendmsg (af_inet.c:844): sk->sk_prot->sendmsg through INDIRECT_CALL_2. */
export const INET_SENDMSG = kfn('inet_sendmsg', 'net/ipv4/af_inet.c', 'socket');

/** The steps every send shares before the protocol's own: __sys_sendto, then inet_sendmsg. */
export function trace_sendmsg(
  ctx: KernelCtx,
  skb: SkBuff,
  sk: Sock,
  len: number,
  daddr: number,
  dport: number,
): void {
  ctx.step(skb, SYS_SENDTO, sk, len, daddr, dport);
  ctx.step(skb, INET_SENDMSG, 'sk->sk_prot->sendmsg');
}

// ---- SOCK_STREAM (inet_stream_ops) -----------------------------------------------------------------------

/** socket->state (enum socket_state) */
export const SS_FREE = 0;
export const SS_UNCONNECTED = 1;
export const SS_CONNECTING = 2;
export const SS_CONNECTED = 3;
export const SS_DISCONNECTING = 4;

/** net.core.somaxconn: __sys_listen's cap on the backlog. */
export const SOMAXCONN = 4096;

/** socket->state (struct socket's state lives on the sock here); socket(2) makes it SS_UNCONNECTED. */
export function inet_sock_state(sk: TcpSock): number {
  return sk.sockState;
}

function set_sock_state(sk: TcpSock, state: number): void {
  sk.sockState = state;
}

/**
 * __inet_stream_connect with a zero timeout (the model never sleeps). `daddr` null is AF_UNSPEC
 * (disconnect). Returns 0 (connected), -EINPROGRESS (SYN sent), -EALREADY (still in progress), -EISCONN,
 * or the connection's error. A blocking connect(2) calls again after each wakeup on sk.wq while it gets
 * -EINPROGRESS or -EALREADY: once the handshake ends, the call returns 0 or the error, as the kernel's
 * blocking connect does after inet_wait_for_connect.
 */
export function __inet_stream_connect(
  ctx: KernelCtx,
  sk: TcpSock,
  daddr: number | null,
  dport: number,
  flags: number,
  isSendmsg: boolean,
): number {
  let err: number;
  if (daddr === null && !isSendmsg) {
    err = tcp_disconnect(ctx, sk, flags);
    set_sock_state(sk, err ? SS_DISCONNECTING : SS_UNCONNECTED);
    return err;
  }
  switch (inet_sock_state(sk)) {
    default:
      return -EINVAL;
    case SS_CONNECTED:
      return -EISCONN;
    case SS_CONNECTING:
      if (sk.deferConnect) err = isSendmsg ? -EINPROGRESS : -EISCONN;
      else err = -EALREADY;
      break;
    case SS_UNCONNECTED:
      if (sk.state !== TCP_CLOSE) return -EISCONN;
      err = tcp_v4_connect(ctx, sk, daddr ?? 0, dport);
      if (err < 0) return err;
      set_sock_state(sk, SS_CONNECTING);
      // TCP_FASTOPEN_CONNECT with a cached cookie: the SYN waits for the first write (goto out).
      if (!err && sk.deferConnect) return 0;
      // Just entered SS_CONNECTING state; the only difference is that return value in non-blocking case
      // is EINPROGRESS, rather than EALREADY.
      err = -EINPROGRESS;
      break;
  }
  // timeo is zero: still in the handshake, say so (inet_wait_for_connect is the runtime's wait).
  if ((1 << sk.state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) return err;
  // Connection was closed by RST, timeout, ICMP error or another process disconnected us.
  if (sk.state === TCP_CLOSE) {
    err = sock_error(sk) || -ECONNABORTED;
    set_sock_state(sk, SS_UNCONNECTED);
    if (tcp_disconnect(ctx, sk, flags)) set_sock_state(sk, SS_DISCONNECTING);
    return err;
  }
  // sk->sk_err may be not zero now, if RECVERR was ordered by user and error was received after socket
  // entered established state. Hence, it is handled normally after connect() return successfully.
  set_sock_state(sk, SS_CONNECTED);
  sk.connected = true;
  return 0;
}

/** inet_stream_connect: connect(2) on a TCP socket (see __inet_stream_connect). */
export function inet_stream_connect(
  ctx: KernelCtx,
  sk: TcpSock,
  daddr: number | null,
  dport: number,
  flags: number,
): number {
  lock_sock(sk);
  const err = __inet_stream_connect(ctx, sk, daddr, dport, flags, false);
  release_sock(ctx, sk);
  return err;
}

/**
 * inet_accept → inet_csk_accept with a zero timeout: the oldest child of the accept queue, -EAGAIN when
 * there is none (a blocking accept(2) waits on the listener's sk.wq and calls again), -EINVAL unless
 * listening. The child is grafted to the new socket (SS_CONNECTED) and owned by `comm`.
 */
export function inet_accept(ctx: KernelCtx, sk: TcpSock, _flags: number, comm?: string): TcpSock | number {
  lock_sock(sk);
  const child = inet_csk_accept_one(sk);
  release_sock(ctx, sk);
  if (typeof child === 'number') return child;
  // __inet_accept: sock_graft, newsock->state = SS_CONNECTED
  child.hasSocket = true;
  if (comm !== undefined) child.comm = comm;
  set_sock_state(child, SS_CONNECTED);
  child.connected = true;
  return child;
}

/** __inet_listen_sk */
export function __inet_listen_sk(ctx: KernelCtx, sk: TcpSock, backlog: number): number {
  const oldState = sk.state;
  if (!((1 << oldState) & (TCPF_CLOSE | TCPF_LISTEN))) return -EINVAL;
  sk.maxAckBacklog = backlog;
  // Really, if the socket is already in listen state we can only allow the backlog to be adjusted.
  if (oldState !== TCP_LISTEN) {
    // Enable TFO w/o requiring TCP_FASTOPEN socket option. The fastopen backlog may already have been set
    // via the option because the socket was in TCP_LISTEN state previously but was shutdown().
    const tcpFastopen = sk.net.sysctl.tcp.fastopen;
    if (tcpFastopen & TFO_SERVER_WO_SOCKOPT1 && tcpFastopen & TFO_SERVER_ENABLE && !sk.fastopenMaxQlen) {
      fastopen_queue_tune(sk, backlog);
      tcp_fastopen_init_key_once(ctx, sk.net);
    }
    const err = inet_csk_listen_start(ctx, sk);
    if (err) return err;
  }
  return 0;
}

/** inet_listen: listen(2). The backlog is first capped at net.core.somaxconn as __sys_listen does. */
export function inet_listen(ctx: KernelCtx, sk: TcpSock, backlog: number): number {
  if (backlog >>> 0 > SOMAXCONN) backlog = SOMAXCONN;
  lock_sock(sk);
  let err = -EINVAL;
  if (inet_sock_state(sk) === SS_UNCONNECTED && sk.type === SOCK_STREAM)
    err = __inet_listen_sk(ctx, sk, backlog);
  release_sock(ctx, sk);
  return err;
}

/**
 * __inet_bind for a TCP socket: the address must be local (or broadcast/multicast, or INADDR_ANY); the
 * port comes from inet_csk_get_port (0 picks one). 0, -EADDRNOTAVAIL, -EINVAL (already bound or not
 * closed), -EADDRINUSE.
 */
export function inet_bind(ctx: KernelCtx, sk: TcpSock, addr: number, port: number): number {
  const net = sk.net;
  addr >>>= 0;
  // inet_addr_type_table(net, addr, RT_TABLE_LOCAL)
  const fib = addr ? fibLookup(net, addr) : null;
  const multicast = addr >>> 28 === 14;
  const chkAddrRet = multicast ? RTN_MULTICAST : (fib?.type ?? RTN_UNICAST);
  // inet_addr_valid_or_nonlocal (ip_nonlocal_bind is 0)
  if (addr && chkAddrRet !== RTN_LOCAL && chkAddrRet !== RTN_MULTICAST && chkAddrRet !== RTN_BROADCAST)
    return -EADDRNOTAVAIL;
  // Ports below 1024 need CAP_NET_BIND_SERVICE, which root has.
  lock_sock(sk);
  let err = -EINVAL;
  // Check these errors (active socket, double bind).
  if (sk.state === TCP_CLOSE && !sk.num) {
    sk.rcvSaddr = sk.saddr = addr;
    // Use device
    if (chkAddrRet === RTN_MULTICAST || chkAddrRet === RTN_BROADCAST) sk.saddr = 0;
    err = inet_csk_get_port(ctx, sk, port);
    if (err) {
      sk.saddr = sk.rcvSaddr = 0;
    } else {
      if (sk.rcvSaddr) sk.userlocks |= SOCK_BINDADDR_LOCK;
      if (port) sk.userlocks |= SOCK_BINDPORT_LOCK;
      sk.sport = sk.num;
      sk.daddr = 0;
      sk.dport = 0;
      sk.dstCache = null;
    }
  }
  release_sock(ctx, sk);
  return err;
}

/**
 * inet_shutdown: shutdown(2). `how` is SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2. 0, -EINVAL, or -ENOTCONN on a
 * closed socket (which still records the shutdown and wakes pollers).
 */
export function inet_shutdown(ctx: KernelCtx, sk: TcpSock, how: number): number {
  let err = 0;
  // maps 0->1 has the advantage of making bit 1 rcvs and 1->2 bit 2 snds. 2->3
  how++;
  if (how & ~SHUTDOWN_MASK || !how) return -EINVAL;
  lock_sock(sk);
  if (inet_sock_state(sk) === SS_CONNECTING) {
    if ((1 << sk.state) & (TCPF_SYN_SENT | TCPF_SYN_RECV | TCPF_CLOSE)) set_sock_state(sk, SS_DISCONNECTING);
    else set_sock_state(sk, SS_CONNECTED);
  }
  if ((sk.state === TCP_LISTEN && how & RCV_SHUTDOWN) || sk.state === TCP_SYN_SENT) {
    err = tcp_disconnect(ctx, sk, O_NONBLOCK);
    set_sock_state(sk, err ? SS_DISCONNECTING : SS_UNCONNECTED);
  } else if (sk.state !== TCP_LISTEN) {
    // On TCP_CLOSE: -ENOTCONN, and still the hack to wake up other listeners, who can poll for EPOLLHUP,
    // even on eg. unconnected UDP sockets.
    if (sk.state === TCP_CLOSE) err = -ENOTCONN;
    sk.shutdown |= how;
    tcp_shutdown(ctx, sk, how);
  }
  // Wake up anyone sleeping in poll.
  sockDefReadable(sk);
  release_sock(ctx, sk);
  return err;
}

/**
 * inet_release: the last close(2) of the file. With SO_LINGER the kernel's close waits up to the linger
 * time for the FIN to be acknowledged; here tcp_close does not wait (see tcp_close_start for a runtime
 * that wants the linger wait). `exiting`: the process is exiting, which never lingers.
 */
export function inet_release(ctx: KernelCtx, sk: TcpSock, exiting = false): void {
  let timeout = 0;
  if (sock_flag(sk, SOCK_LINGER) && !exiting) timeout = sk.lingertime;
  tcp_close(ctx, sk, timeout);
  set_sock_state(sk, SS_FREE);
}

/** inet_getname: getsockname (peer false) / getpeername (peer true): the address, or -ENOTCONN. */
export function inet_getname(sk: TcpSock, peer: boolean): { addr: number; port: number } | number {
  if (peer) {
    if (!sk.dport || (1 << sk.state) & (TCPF_CLOSE | TCPF_SYN_SENT)) return -ENOTCONN;
    return { addr: sk.daddr, port: sk.dport };
  }
  return { addr: sk.rcvSaddr || sk.saddr, port: sk.sport };
}
