/**
 * net/unix/af_unix.c: Unix domain sockets, stream and datagram. A write allocates an skb charged to the
 * writer (sock_alloc_send_pskb) and puts it straight on the peer's sk_receive_queue: no IP header, no
 * route, no device, no softirq, and no IP, TCP or UDP counter moves. Names are a path in the host's file
 * system (bind makes a socket inode there; connect finds the socket by that inode, in any namespace of the
 * host) or an abstract name (a leading NUL) in the namespace's table.
 *
 * Like the TCP model, nothing here sleeps: where Linux waits (a full listener queue, a full send buffer, an
 * empty receive queue) the call returns -EAGAIN, or says whose peer_wait to sleep on, and the runtime's
 * Task waits on the wait queue and calls again.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { allocSkb, skbPut } from '../../include/linux/skbuff';
import type { Net } from '../../include/net/net_namespace';
import { newSock, sockDefReadable, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM } from '../../include/net/sock';
import {
  AF_UNIX,
  SOCK_SEQPACKET,
  SUN_PATH_OFFSET,
  UNIX_PATH_MAX,
  unix_addr_text,
  type UnixAddress,
  type UnixSock,
} from '../../include/net/af_unix';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_LISTEN } from '../../include/net/tcp_states';
import { RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK } from '../../include/net/tcp';
import {
  EADDRINUSE,
  EAGAIN,
  ECONNREFUSED,
  ECONNRESET,
  EEXIST,
  EINVAL,
  EISCONN,
  EMSGSIZE,
  ENOTCONN,
  EOPNOTSUPP,
  EPERM,
  EPIPE,
  EPROTONOSUPPORT,
  EPROTOTYPE,
  ESOCKTNOSUPPORT,
} from '../../include/linux/errno';
import { S_IFSOCK, S_ISSOCK, type Inode } from '../../include/linux/fs';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import { kfn } from '../../include/net/trace';
import { do_unlinkat, kern_path, vfs_mknod } from '../../fs/namei';
import { SYS_SENDTO } from '../socket';
import { hashed_pointer, sock_i_ino } from '../ipv4/proc';

const FILE = 'net/unix/af_unix.c';

const F = {
  streamConnect: kfn('unix_stream_connect', FILE, 'socket', (o: UnixSock, qlen, max) =>
    o.addr
      ? `unix_find_other ${unix_addr_text(o.addr)} → listener of ${o.comm}, sk_receive_queue ${qlen}/${max}, sk_data_ready`
      : '',
  ),
  accept: kfn(
    'unix_accept',
    FILE,
    'socket',
    (o: UnixSock) => `skb_recv_datagram: the new socket, grafted for ${o.comm}`,
  ),
  streamSendmsg: kfn(
    'unix_stream_sendmsg',
    FILE,
    'socket',
    (o: UnixSock, len, qlen) =>
      `${len} bytes onto sk_receive_queue of ${o.comm} (${qlen} skbs), sk_data_ready: no IP, no device, no softirq`,
  ),
  streamRead: kfn(
    'unix_stream_read_generic',
    FILE,
    'socket',
    (o: UnixSock, chunk, left) =>
      `read by ${o.comm}: ${chunk} bytes${left ? `, ${left} left in the skb` : ', consume_skb'}`,
  ),
  dgramSendmsg: kfn(
    'unix_dgram_sendmsg',
    FILE,
    'socket',
    (o: UnixSock, len, qlen, max) =>
      `${len} bytes onto sk_receive_queue of ${o.comm} (${qlen}/${max + 1}), sk_data_ready: no IP, no device, no softirq`,
  ),
  dgramRecvmsg: kfn(
    '__unix_dgram_recvmsg',
    FILE,
    'socket',
    (o: UnixSock, len) => `read by ${o.comm}: ${len} bytes`,
  ),
  releaseSock: kfn(
    'unix_release_sock',
    FILE,
    'socket',
    (o: UnixSock) => `${o.comm} closed the socket: its sk_receive_queue is purged`,
  ),
};

// ---- sizes ------------------------------------------------------------------------------------------

/** The default sk_sndbuf (net.core.wmem_default). */
const SK_WMEM_DEFAULT = 212992;
const PAGE_SIZE = 4096;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) and SKB_DATA_ALIGN(sizeof(struct sk_buff)) on x86-64. */
const SHINFO = 320;
const SKBUFF = 256;
/** SKB_MAX_HEAD(0): what fits in a page's head. */
const SKB_MAX_HEAD0 = PAGE_SIZE - SHINFO;
/** UNIX_SKB_FRAGS_SZ: a stream skb's page frags hold up to 32 KB. */
const UNIX_SKB_FRAGS_SZ = 32768;
/** net.core.somaxconn: __sys_listen's cap on the backlog. */
const SOMAXCONN = 4096;

/**
 * skb->truesize of what sock_alloc_send_pskb allocates for `size` bytes with `dataLen` of them in pages:
 * the kmalloc'd head (a power of two) with the sk_buff, plus the pages. It is what the writer's sk_wmem_alloc
 * (its Send-Q in ss) carries until the reader frees the skb.
 */
function unix_skb_truesize(size: number, dataLen: number): number {
  let head = 64;
  while (head < ((size - dataLen + 63) & ~63) + SHINFO) head <<= 1;
  return head + SKBUFF + dataLen;
}

// ---- the tables -------------------------------------------------------------------------------------

/**
 * bsd_socket_buckets: the sockets bound to a path, by their inode. Global like the kernel's: a path is
 * found from any namespace of the host (its file system is the host's).
 */
const BSD_SOCKETS = new WeakMap<Inode, UnixSock>();

/** unix_find_socket_byinode */
function unix_find_socket_byinode(i: Inode): UnixSock | null {
  return BSD_SOCKETS.get(i) ?? null;
}

/**
 * __unix_find_socket_byname: a socket whose name (abstract, or autobind's) is `name`. The kernel's hash of
 * an abstract name includes the socket type, so a stream and a datagram socket may share a name.
 */
function __unix_find_socket_byname(net: Net, name: string, len: number, type: number): UnixSock | null {
  for (const s of net.unx.table)
    if (s.addrHashed && s.type === type && s.addr && s.addr.len === len && s.addr.name === name) return s;
  return null;
}

// ---- creation and release ---------------------------------------------------------------------------

/** unix_create1: a new socket in the namespace's table (sk_alloc counts it in sockets: used). */
function unix_create1(net: Net, type: number, comm: string): UnixSock {
  const sk: UnixSock = {
    ...newSock(net, type, 0, comm),
    family: AF_UNIX,
    state: TCP_CLOSE,
    shutdown: 0,
    peer: null,
    addr: null,
    addrHashed: false,
    path: null,
    maxAckBacklog: net.unx.sysctlMaxDgramQlen,
    sndbuf: SK_WMEM_DEFAULT,
    dead: false,
    hasSocket: false,
    peerWait: { wq: [] },
  };
  net.unx.table.add(sk);
  net.sockInuse++;
  return sk;
}

/** unix_create: socket(AF_UNIX, type, protocol). SOCK_RAW is a datagram socket, as in BSD. */
export function unix_create(net: Net, type: number, protocol: number, comm: string): UnixSock | number {
  if (protocol && protocol !== AF_UNIX) return -EPROTONOSUPPORT;
  if (type === SOCK_RAW) type = SOCK_DGRAM;
  // SOCK_SEQPACKET is not modelled (Linux has it): refused with EPROTONOSUPPORT, so a program sees a clear
  // "Protocol not supported" rather than the ESOCKTNOSUPPORT Linux gives a type it does not know.
  if (type !== SOCK_STREAM && type !== SOCK_DGRAM)
    return type === SOCK_SEQPACKET ? -EPROTONOSUPPORT : -ESOCKTNOSUPPORT;
  const sk = unix_create1(net, type, comm);
  sk.hasSocket = true;
  return sk;
}

/** wake_up_interruptible_all */
function wake_up_interruptible_all(q: { wq: Array<() => void> }): void {
  const waiters = q.wq;
  q.wq = [];
  for (const w of waiters) w();
}

/** unix_writable: not a listener, and no more than a quarter of the send buffer in flight. */
export function unix_writable(sk: UnixSock, state: number): boolean {
  return state !== TCP_LISTEN && sk.wmemAlloc << 2 <= sk.sndbuf;
}

/** unix_write_space: the reader freed the writer's memory; wake writers once it is writable again. */
function unix_write_space(sk: UnixSock): void {
  if (unix_writable(sk, sk.state)) sockDefReadable(sk);
}

/** unix_wfree (skb->destructor of every AF_UNIX skb): sock_wfree gives the writer its memory back. */
function unix_wfree(skb: SkBuff): void {
  const w = skb.sk as UnixSock | null;
  if (!w || !skb.truesize) return;
  w.wmemAlloc -= skb.truesize;
  skb.truesize = 0;
  unix_write_space(w);
}

/** consume_skb / kfree_skb_reason: the destructor, then the end of the journey. */
function free_skb(ctx: KernelCtx, skb: SkBuff, reason: keyof typeof SKB_DROP_REASON | null): void {
  unix_wfree(skb);
  if (reason) skb.dropReason = SKB_DROP_REASON[reason];
  ctx.free(skb);
}

/**
 * unix_release_sock: the socket leaves its tables (a path name's inode stays in the file system), its
 * stream peer sees the end of the stream (ECONNRESET if this side left data unread), and what was queued
 * for it is freed, a listener's waiting connections with it.
 */
export function unix_release_sock(ctx: KernelCtx, sk: UnixSock, embrion: boolean): void {
  sk.net.unx.table.delete(sk);
  if (sk.path && BSD_SOCKETS.get(sk.path) === sk) BSD_SOCKETS.delete(sk.path);
  sk.dead = true;
  sk.hasSocket = false;
  sk.shutdown = SHUTDOWN_MASK;
  sk.path = null;
  const state = sk.state;
  sk.state = TCP_CLOSE;
  const skpair = sk.peer;
  sk.peer = null;
  wake_up_interruptible_all(sk.peerWait);
  if (skpair) {
    if (sk.type === SOCK_STREAM) {
      const unread = sk.receiveQueue.length > 0;
      skpair.shutdown = SHUTDOWN_MASK;
      if (unread || embrion) skpair.skErr = ECONNRESET;
      // sk_state_change: readers and pollers of the peer wake to the end of the stream.
      sockDefReadable(skpair);
    }
    // A datagram sender blocked on our queue gets to find us dead.
    wake_up_interruptible_all(skpair.peerWait);
  }
  for (let skb = sk.receiveQueue.shift(); skb; skb = sk.receiveQueue.shift()) {
    if (state === TCP_LISTEN && skb.sk) unix_release_sock(ctx, skb.sk as UnixSock, true);
    ctx.step(skb, F.releaseSock, sk);
    free_skb(ctx, skb, 'SOCKET_CLOSE');
  }
  sk.closed = true;
  // unix_sock_destructor, once the last reference goes.
  sk.net.sockInuse--;
}

/** unix_release: close(2) of the socket's last file. */
export function unix_release(ctx: KernelCtx, sk: UnixSock): number {
  unix_release_sock(ctx, sk, false);
  return 0;
}

// ---- names ------------------------------------------------------------------------------------------

/** unix_validate_addr */
function unix_validate_addr(addrLen: number): number {
  if (addrLen <= SUN_PATH_OFFSET || addrLen > SUN_PATH_OFFSET + UNIX_PATH_MAX) return -EINVAL;
  return 0;
}

/** unix_mkname_bsd: the path up to its NUL within addr_len, and the length bind records for it. */
function unix_mkname_bsd(sunPath: string, addrLen: number): { path: string; len: number } {
  const raw = sunPath.slice(0, addrLen - SUN_PATH_OFFSET);
  const nul = raw.indexOf('\0');
  const path = nul < 0 ? raw : raw.slice(0, nul);
  return { path, len: path.length + SUN_PATH_OFFSET + 1 };
}

/** The address a caller passed: sun_path cut at addr_len (an abstract name may hold NULs). */
function unix_create_addr(sunPath: string, addrLen: number): UnixAddress {
  return {
    name: sunPath.slice(0, addrLen - SUN_PATH_OFFSET).padEnd(addrLen - SUN_PATH_OFFSET, '\0'),
    len: addrLen,
  };
}

/** unix_find_bsd: the socket bound to a path (ENOENT, ENOTDIR from the walk; not a socket: ECONNREFUSED). */
function unix_find_bsd(net: Net, sunPath: string, addrLen: number, type: number): UnixSock | number {
  const { path } = unix_mkname_bsd(sunPath, addrLen);
  const inode = kern_path(net.host.fs, path);
  if (typeof inode === 'number') return inode;
  if (!S_ISSOCK(inode.mode)) return -ECONNREFUSED;
  const sk = unix_find_socket_byinode(inode);
  if (!sk) return -ECONNREFUSED;
  if (sk.type !== type) return -EPROTOTYPE;
  return sk;
}

/** unix_find_abstract */
function unix_find_abstract(net: Net, sunPath: string, addrLen: number, type: number): UnixSock | number {
  const a = unix_create_addr(sunPath, addrLen);
  return __unix_find_socket_byname(net, a.name, a.len, type) ?? -ECONNREFUSED;
}

/** unix_find_other: the socket a name stands for. */
function unix_find_other(net: Net, sunPath: string, addrLen: number, type: number): UnixSock | number {
  return sunPath[0] && sunPath[0] !== '\0'
    ? unix_find_bsd(net, sunPath, addrLen, type)
    : unix_find_abstract(net, sunPath, addrLen, type);
}

/** unix_autobind: an abstract name of five hex digits, from a random start ("@0001f" in ss). */
function unix_autobind(ctx: KernelCtx, sk: UnixSock): number {
  if (sk.addr) return 0;
  let ordernum = ctx.random32() >>> 0;
  const lastnum = ordernum & 0xfffff;
  for (;;) {
    ordernum = (ordernum + 1) & 0xfffff;
    const name = '\0' + ordernum.toString(16).padStart(5, '0');
    if (!__unix_find_socket_byname(sk.net, name, SUN_PATH_OFFSET + 6, sk.type)) {
      sk.addr = { name, len: SUN_PATH_OFFSET + 6 };
      sk.addrHashed = true;
      return 0;
    }
    // Give up if all names seem to be in use.
    if (ordernum === lastnum) return -28; // ENOSPC
  }
}

/**
 * unix_bind_bsd: mknod the path as a socket (mode 0755 under root's umask 022, as `ls -l` shows
 * srwxr-xr-x); an existing name is EADDRINUSE, whatever it is.
 */
function unix_bind_bsd(sk: UnixSock, sunPath: string, addrLen: number): number {
  const { path, len } = unix_mkname_bsd(sunPath, addrLen);
  const sb = sk.net.host.fs;
  const inode = vfs_mknod(sb, path, S_IFSOCK | 0o755);
  if (typeof inode === 'number') return inode === -EEXIST ? -EADDRINUSE : inode;
  if (sk.addr) {
    // Bound already: unlink what was just made.
    do_unlinkat(sb, path);
    return -EINVAL;
  }
  sk.path = inode;
  sk.addr = { name: path, len };
  BSD_SOCKETS.set(inode, sk);
  return 0;
}

/** unix_bind_abstract: a name in the namespace's table; taken is EADDRINUSE. */
function unix_bind_abstract(sk: UnixSock, sunPath: string, addrLen: number): number {
  const addr = unix_create_addr(sunPath, addrLen);
  if (sk.addr) return -EINVAL;
  if (__unix_find_socket_byname(sk.net, addr.name, addr.len, sk.type)) return -EADDRINUSE;
  sk.addr = addr;
  sk.addrHashed = true;
  return 0;
}

/**
 * unix_bind: bind(2). `sunPath` is sun_path (an abstract name begins with a NUL) and `addrLen` the length
 * passed, sun_family included; sun_family alone asks for autobind.
 */
export function unix_bind(ctx: KernelCtx, sk: UnixSock, sunPath: string, addrLen: number): number {
  if (addrLen === SUN_PATH_OFFSET) return unix_autobind(ctx, sk);
  const err = unix_validate_addr(addrLen);
  if (err) return err;
  return sunPath[0] && sunPath[0] !== '\0'
    ? unix_bind_bsd(sk, sunPath, addrLen)
    : unix_bind_abstract(sk, sunPath, addrLen);
}

/** unix_listen: listen(2), the backlog first capped at net.core.somaxconn as __sys_listen does. */
export function unix_listen(sk: UnixSock, backlog: number): number {
  if (sk.type !== SOCK_STREAM) return -EOPNOTSUPP;
  if (!sk.addr) return -EINVAL;
  if (sk.state !== TCP_CLOSE && sk.state !== TCP_LISTEN) return -EINVAL;
  backlog = Math.min(backlog >>> 0, SOMAXCONN);
  if (backlog > sk.maxAckBacklog) wake_up_interruptible_all(sk.peerWait);
  sk.maxAckBacklog = backlog;
  sk.state = TCP_LISTEN;
  return 0;
}

/** unix_recvq_full_lockless: more queued than the backlog (a listener's) or max_dgram_qlen. */
function unix_recvq_full(sk: UnixSock): boolean {
  return sk.receiveQueue.length > sk.maxAckBacklog;
}

// ---- SOCK_STREAM ------------------------------------------------------------------------------------

/**
 * unix_stream_connect: connect(2). A new socket is made for the server's side, joined to ours, and queued
 * (in an skb) on the listener for accept. No handshake: the connection is established at once. A full
 * listener queue is EAGAIN, or (blocking) `{ wait }`: sleep on that listener's peer_wait, then call again.
 */
export function unix_stream_connect(
  ctx: KernelCtx,
  sk: UnixSock,
  sunPath: string,
  addrLen: number,
  blocking: boolean,
): number | { wait: UnixSock } {
  const err = unix_validate_addr(addrLen);
  if (err) return err;
  const other = unix_find_other(sk.net, sunPath, addrLen, sk.type);
  if (typeof other === 'number') return other;
  if (other.state !== TCP_LISTEN || other.shutdown & RCV_SHUTDOWN) return -ECONNREFUSED;
  if (unix_recvq_full(other)) return blocking ? { wait: other } : -EAGAIN;
  // Self connect and simultaneous connect are ruled out by refusing anything but an unconnected socket.
  if (sk.state !== TCP_CLOSE) return sk.state === TCP_ESTABLISHED ? -EISCONN : -EINVAL;
  const newsk = unix_create1(sk.net, sk.type, other.comm);
  newsk.peer = sk;
  newsk.state = TCP_ESTABLISHED;
  // The server's side has the listener's name (and path), shared.
  newsk.path = other.path;
  newsk.addr = other.addr;
  sk.state = TCP_ESTABLISHED;
  sk.peer = newsk;
  // sock_wmalloc(newsk, 1): the skb that carries the new socket to accept.
  const skb = allocSkb(ctx.newSkbId(), sk.net, 0);
  skb.sk = newsk;
  skb.comm = ctx.comm();
  other.receiveQueue.push(skb);
  ctx.step(skb, F.streamConnect, other, other.receiveQueue.length, other.maxAckBacklog);
  sockDefReadable(other);
  return 0;
}

/** unix_socketpair: two sockets joined back to back (each already made by unix_create). */
export function unix_socketpair(a: UnixSock, b: UnixSock): number {
  a.peer = b;
  b.peer = a;
  a.state = TCP_ESTABLISHED;
  b.state = TCP_ESTABLISHED;
  return 0;
}

/** unix_accept: the next connection's socket, or -EAGAIN (the caller sleeps on the listener's queue). */
export function unix_accept(ctx: KernelCtx, sk: UnixSock, comm: string): UnixSock | number {
  if (sk.type !== SOCK_STREAM) return -EOPNOTSUPP;
  if (sk.state !== TCP_LISTEN) return -EINVAL;
  const skb = sk.receiveQueue.shift();
  if (!skb) return -EAGAIN;
  const tsk = skb.sk as UnixSock;
  tsk.comm = comm;
  ctx.step(skb, F.accept, tsk);
  free_skb(ctx, skb, null);
  // Room in the queue: a connect waiting for it may go on.
  wake_up_interruptible_all(sk.peerWait);
  tsk.hasSocket = true;
  return tsk;
}

/**
 * unix_stream_sendmsg: the bytes in skbs of up to 36 KB (and half the send buffer), each put on the peer's
 * receive queue. Returns what was queued, or -ENOTCONN, -EPIPE (the peer is gone or shut reading; the
 * kernel also sends SIGPIPE), or -EAGAIN when the send buffer is full (sock_alloc_send_pskb would sleep).
 */
export function unix_stream_sendmsg(ctx: KernelCtx, sk: UnixSock, data: Uint8Array, oob = false): number {
  if (oob) return -EOPNOTSUPP;
  const other = sk.peer;
  if (!other) return -ENOTCONN;
  if (sk.shutdown & SEND_SHUTDOWN) return -EPIPE;
  let sent = 0;
  while (sent < data.length) {
    let size = data.length - sent;
    size = Math.min(size, (sk.sndbuf >> 1) - 64, SKB_MAX_HEAD0 + UNIX_SKB_FRAGS_SZ);
    const dataLen = Math.min(size, Math.max(0, (size - SKB_MAX_HEAD0 + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)));
    // sock_alloc_send_pskb: only while sk_wmem_alloc is below sk_sndbuf.
    if (sk.wmemAlloc >= sk.sndbuf) return sent || -EAGAIN;
    if (other.dead || other.shutdown & RCV_SHUTDOWN) return sent || -EPIPE;
    const skb = allocSkb(ctx.newSkbId(), sk.net, size, 0);
    skb.buf.set(data.subarray(sent, sent + size), skbPut(skb, size));
    skb.sk = sk;
    skb.comm = ctx.comm();
    skb.truesize = unix_skb_truesize(size, dataLen);
    skb.unixCb = { consumed: 0 };
    sk.wmemAlloc += skb.truesize;
    ctx.step(skb, SYS_SENDTO, sk, data.length, 0, 0);
    other.receiveQueue.push(skb);
    ctx.step(skb, F.streamSendmsg, other, size, other.receiveQueue.length);
    sockDefReadable(other);
    sent += size;
  }
  return sent;
}

/** What a stream read took: the bytes, and 0 copied at the end of the stream. */
export interface UnixReadResult {
  data: Uint8Array;
  copied: number;
  msgFlags: number;
  /** The sender's name (recvfrom's address): its own, or null when unbound. */
  from: UnixAddress | null;
}

/** sock_error: the pending error, cleared. */
function sock_error(sk: UnixSock): number {
  const e = sk.skErr;
  sk.skErr = 0;
  return e;
}

/**
 * unix_stream_read_generic (unix_stream_recvmsg): up to `size` bytes across the queued skbs, a partly read
 * skb keeping its place (UNIXCB(skb).consumed). An empty queue is the end of the stream once the peer shut
 * down or closed, else a pending error, else -EAGAIN (the caller sleeps in unix_stream_data_wait).
 */
export function unix_stream_recvmsg(
  ctx: KernelCtx,
  sk: UnixSock,
  size: number,
  peek: boolean,
  oob = false,
): UnixReadResult | number {
  if (sk.state !== TCP_ESTABLISHED) return -EINVAL;
  if (oob) return -EOPNOTSUPP;
  const out: Uint8Array[] = [];
  let copied = 0;
  let i = 0;
  while (size > 0) {
    const skb = sk.receiveQueue[i];
    if (!skb) {
      if (copied) break;
      const err = sock_error(sk);
      if (err) return -err;
      if (sk.shutdown & RCV_SHUTDOWN) break;
      return -EAGAIN;
    }
    const cb = skb.unixCb ?? (skb.unixCb = { consumed: 0 });
    const avail = skb.len - cb.consumed;
    const chunk = Math.min(avail, size);
    out.push(skb.buf.slice(skb.data + cb.consumed, skb.data + cb.consumed + chunk));
    copied += chunk;
    size -= chunk;
    if (peek) {
      i++;
      continue;
    }
    cb.consumed += chunk;
    ctx.step(skb, F.streamRead, sk, chunk, skb.len - cb.consumed);
    if (cb.consumed < skb.len) break;
    sk.receiveQueue.shift();
    free_skb(ctx, skb, null);
  }
  const data = new Uint8Array(copied);
  let o = 0;
  for (const c of out) {
    data.set(c, o);
    o += c.length;
  }
  return { data, copied, msgFlags: 0, from: null };
}

/**
 * unix_shutdown: shut this side, and the mirror on a stream peer (our SHUT_WR is its end of stream). Both
 * sides' waiters wake.
 */
export function unix_shutdown(sk: UnixSock, how: number): number {
  if (how < 0 || how > 2) return -EINVAL;
  const mode = how + 1;
  sk.shutdown |= mode;
  const other = sk.peer;
  sockDefReadable(sk);
  if (other && sk.type === SOCK_STREAM) {
    let peerMode = 0;
    if (mode & RCV_SHUTDOWN) peerMode |= SEND_SHUTDOWN;
    if (mode & SEND_SHUTDOWN) peerMode |= RCV_SHUTDOWN;
    other.shutdown |= peerMode;
    sockDefReadable(other);
  }
  return 0;
}

/** unix_inq_len (SIOCINQ): unread stream bytes, or the next datagram's length; a listener is EINVAL. */
export function unix_inq_len(sk: UnixSock): number {
  if (sk.state === TCP_LISTEN) return -EINVAL;
  if (sk.type === SOCK_STREAM)
    return sk.receiveQueue.reduce((n, s) => n + s.len - (s.unixCb?.consumed ?? 0), 0);
  return sk.receiveQueue[0]?.len ?? 0;
}

/** unix_outq_len (SIOCOUTQ): sk_wmem_alloc, the truesize of what the peer has not read yet. */
export function unix_outq_len(sk: UnixSock): number {
  return sk.wmemAlloc;
}

// poll masks (uapi/linux/eventpoll.h)
const EPOLLIN = 0x1;
const EPOLLOUT = 0x4;
const EPOLLERR = 0x8;
const EPOLLHUP = 0x10;
const EPOLLRDNORM = 0x40;
const EPOLLWRNORM = 0x100;
const EPOLLWRBAND = 0x200;
const EPOLLRDHUP = 0x2000;

/** unix_poll: a stream socket's mask. */
export function unix_poll(sk: UnixSock): number {
  let mask = 0;
  if (sk.skErr) mask |= EPOLLERR;
  if (sk.shutdown === SHUTDOWN_MASK) mask |= EPOLLHUP;
  if (sk.shutdown & RCV_SHUTDOWN) mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
  if (sk.receiveQueue.length) mask |= EPOLLIN | EPOLLRDNORM;
  if (sk.type === SOCK_STREAM && sk.state === TCP_CLOSE) mask |= EPOLLHUP;
  // Writable also when the peer has shut down: a write then fails with EPIPE instead of hanging.
  if (unix_writable(sk, sk.state)) mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
  return mask;
}

/** unix_dgram_poll: a datagram socket's mask; not writable while a connected peer's queue is full. */
export function unix_dgram_poll(sk: UnixSock): number {
  let mask = 0;
  if (sk.skErr || sk.errorQueue.length) mask |= EPOLLERR;
  if (sk.shutdown & RCV_SHUTDOWN) mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
  if (sk.shutdown === SHUTDOWN_MASK) mask |= EPOLLHUP;
  if (sk.receiveQueue.length) mask |= EPOLLIN | EPOLLRDNORM;
  let writable = unix_writable(sk, sk.state);
  const other = sk.peer;
  if (writable && other && other.peer !== sk && unix_recvq_full(other)) writable = false;
  if (writable) mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
  return mask;
}

// ---- SOCK_DGRAM -------------------------------------------------------------------------------------

/** unix_may_send: the receiver is unconnected, or connected to us. */
function unix_may_send(sk: UnixSock, osk: UnixSock): boolean {
  return osk.peer === null || osk.peer === sk;
}

/**
 * unix_dgram_disconnected: a datagram socket that changes or loses its peer drops what that peer sent; if
 * the peer was connected back to us, it learns with ECONNRESET.
 */
function unix_dgram_disconnected(ctx: KernelCtx, sk: UnixSock, other: UnixSock): void {
  if (!sk.receiveQueue.length) return;
  // skb_queue_purge: kfree_skb, whose reason is NOT_SPECIFIED (only unix_release_sock says SOCKET_CLOSE).
  for (let skb = sk.receiveQueue.shift(); skb; skb = sk.receiveQueue.shift())
    free_skb(ctx, skb, 'NOT_SPECIFIED');
  wake_up_interruptible_all(sk.peerWait);
  if (!other.dead && other.peer === sk) {
    other.skErr = ECONNRESET;
    sockDefReadable(other);
  }
}

/**
 * unix_dgram_connect: connect(2) of a datagram socket: it sends to, and only hears from, that peer.
 * `sunPath` null is AF_UNSPEC: disconnect.
 */
export function unix_dgram_connect(
  ctx: KernelCtx,
  sk: UnixSock,
  sunPath: string | null,
  addrLen: number,
): number {
  let other: UnixSock | null = null;
  if (sunPath !== null) {
    const err = unix_validate_addr(addrLen);
    if (err) return err;
    const o = unix_find_other(sk.net, sunPath, addrLen, sk.type);
    if (typeof o === 'number') return o;
    if (!unix_may_send(sk, o)) return -EPERM;
    other = o;
    sk.state = TCP_ESTABLISHED;
    other.state = TCP_ESTABLISHED;
  }
  const old = sk.peer;
  sk.peer = other;
  if (old) {
    if (!other) sk.state = TCP_CLOSE;
    if (other !== old) {
      unix_dgram_disconnected(ctx, sk, old);
      if (!old.peer) old.state = TCP_CLOSE;
    }
  }
  return 0;
}

/**
 * unix_dgram_sendmsg: one datagram onto the receiver's queue: to `sunPath`, or to the connected peer.
 * A receiver whose queue holds more than max_dgram_qlen is EAGAIN, or (blocking) `{ wait }` on its
 * peer_wait; a dead connected peer is ECONNREFUSED (and the socket is disconnected).
 */
export function unix_dgram_sendmsg(
  ctx: KernelCtx,
  sk: UnixSock,
  data: Uint8Array,
  sunPath: string | null,
  addrLen: number,
  blocking: boolean,
  oob = false,
): number | { wait: UnixSock } {
  if (oob) return -EOPNOTSUPP;
  let other: UnixSock | null = null;
  if (sunPath !== null) {
    const err = unix_validate_addr(addrLen);
    if (err) return err;
  } else {
    other = sk.peer;
    if (!other) return -ENOTCONN;
  }
  if (data.length > sk.sndbuf - 32) return -EMSGSIZE;
  if (sk.wmemAlloc >= sk.sndbuf) return -EAGAIN;
  if (!other) {
    const o = unix_find_other(sk.net, sunPath!, addrLen, sk.type);
    if (typeof o === 'number') return o;
    other = o;
  }
  if (!unix_may_send(sk, other)) return -EPERM;
  if (other.dead) {
    // The connected peer closed: disconnect, and say so once.
    if (sk.peer === other) {
      sk.peer = null;
      sk.state = TCP_CLOSE;
      unix_dgram_disconnected(ctx, sk, other);
      return -ECONNREFUSED;
    }
    return -ECONNREFUSED;
  }
  if (other.shutdown & RCV_SHUTDOWN) return -EPIPE;
  if (other !== sk && other.peer !== sk && unix_recvq_full(other))
    return blocking ? { wait: other } : -EAGAIN;
  const skb = allocSkb(ctx.newSkbId(), sk.net, data.length, 0);
  skb.buf.set(data, skbPut(skb, data.length));
  skb.sk = sk;
  skb.comm = ctx.comm();
  skb.truesize = unix_skb_truesize(data.length, 0);
  sk.wmemAlloc += skb.truesize;
  ctx.step(skb, SYS_SENDTO, sk, data.length, 0, 0);
  other.receiveQueue.push(skb);
  ctx.step(skb, F.dgramSendmsg, other, data.length, other.receiveQueue.length, other.maxAckBacklog);
  sockDefReadable(other);
  return data.length;
}

/**
 * __unix_dgram_recvmsg: the next datagram (cut to `size`, MSG_TRUNC then set) and its sender's name. A
 * pending error comes first; an empty queue is -EAGAIN (0 once shut down for reading).
 */
export function unix_dgram_recvmsg(
  ctx: KernelCtx,
  sk: UnixSock,
  size: number,
  peek: boolean,
  oob = false,
): UnixReadResult | number {
  if (oob) return -EOPNOTSUPP;
  const err = sock_error(sk);
  if (err) return -err;
  const skb = sk.receiveQueue[0];
  if (!skb)
    return sk.shutdown & RCV_SHUTDOWN
      ? { data: new Uint8Array(0), copied: 0, msgFlags: 0, from: null }
      : -EAGAIN;
  const MSG_TRUNC = 0x20;
  const n = Math.min(size, skb.len);
  const data = skb.buf.slice(skb.data, skb.data + n);
  const from = (skb.sk as UnixSock | null)?.addr ?? null;
  if (!peek) {
    sk.receiveQueue.shift();
    // Room in our queue: a sender sleeping on it may go on.
    wake_up_interruptible_all(sk.peerWait);
    ctx.step(skb, F.dgramRecvmsg, sk, n);
    free_skb(ctx, skb, null);
  }
  return { data, copied: n, msgFlags: n < skb.len ? MSG_TRUNC : 0, from };
}

// ---- /proc/net/unix ---------------------------------------------------------------------------------

/** __SO_ACCEPTCON: a listener's flag in /proc/net/unix. */
const SO_ACCEPTCON = 1 << 16;
/** socket->state as unix_seq_show reports it (SS_UNCONNECTED ... SS_DISCONNECTING). */
const SS_UNCONNECTED = 1;
const SS_CONNECTING = 2;
const SS_CONNECTED = 3;
const SS_DISCONNECTING = 4;

/** refcount_read(&sk->sk_refcnt): the table's, the file's, and one per socket that has us as its peer. */
function unix_refcnt(sk: UnixSock): number {
  let n = 1 + (sk.hasSocket ? 1 : 0);
  for (const s of sk.net.unx.table) if (s.peer === sk) n++;
  return n;
}

const hex = (n: number, w: number) => (n >>> 0).toString(16).toUpperCase().padStart(w, '0');

/** unix_seq_show: /proc/net/unix, one line per socket of the namespace. */
export function unix_seq_show(net: Net): string {
  let s = 'Num       RefCount Protocol Flags    Type St Inode Path\n';
  for (const sk of net.unx.table) {
    const st = sk.hasSocket
      ? sk.state === TCP_ESTABLISHED
        ? SS_CONNECTED
        : SS_UNCONNECTED
      : sk.state === TCP_ESTABLISHED
        ? SS_CONNECTING
        : SS_DISCONNECTING;
    s +=
      `${hashed_pointer(sk)}: ${hex(unix_refcnt(sk), 8)} ${hex(0, 8)} ${hex(sk.state === TCP_LISTEN ? SO_ACCEPTCON : 0, 8)}` +
      ` ${hex(sk.type, 4)} ${hex(st, 2)} ${String(sk.hasSocket ? sock_i_ino(sk) : 0).padStart(5)}`;
    if (sk.addr)
      s += ' ' + (sk.addr.name[0] === '\0' ? '@' + sk.addr.name.slice(1).replace(/\0/g, '@') : sk.addr.name);
    s += '\n';
  }
  return s;
}
