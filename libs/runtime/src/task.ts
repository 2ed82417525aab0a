/**
 * A user-space process in a simulated host: its namespace, the CPU it runs on (taskset), its file
 * descriptors, and the system calls the tools use. Blocking calls wait in simulated time.
 *
 * Datagram sockets (UDP, ping, raw) keep their synchronous calls. Stream sockets (TCP) go through the
 * kernel's socket layer (af_inet.c's inet_stream_connect, inet_accept, inet_listen, inet_shutdown and
 * tcp.c's tcp_sendmsg, tcp_recvmsg, tcp_close, tcp_poll), which never sleeps here: where Linux would wait
 * in the kernel (inet_wait_for_connect, inet_csk_wait_for_connect, sk_stream_wait_memory, sk_wait_data),
 * the call returns -EAGAIN / -EINPROGRESS and the Task waits on the socket's wait queue (sk.wq, which
 * sock_def_readable and friends wake), then calls again: the blocking variants are async (connectWait,
 * accept, send, recv, poll).
 *
 * AF_UNIX sockets (socket(AF_UNIX, ...)) take a sun_path string where AF_INET takes an address and port:
 * "/tmp/x.sock", or "\0name" for an abstract name (the length passed is what netcat passes: the path and its
 * NUL, or the abstract name's bytes; "" is sun_family alone, autobind). They go through net/unix/af_unix.c's
 * model, which never sleeps either: the Task waits on the socket's wait queue, or on a peer's peer_wait.
 */
import {
  iov_iter_advance,
  AF_INET,
  RCV_SHUTDOWN,
  EACCES,
  EAGAIN,
  EBADF,
  EEXIST,
  ENOENT,
  EINPROGRESS,
  EALREADY,
  EINTR,
  EINVAL,
  ENOPROTOOPT,
  EOPNOTSUPP,
  EPROTONOSUPPORT,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  newSock,
  ping_recvmsg,
  ping_get_port,
  ping_v4_sendmsg,
  udp_lib_get_port,
  udp_lib_unhash,
  udp_recvmsg,
  udp_sendmsg,
  ip4_datagram_connect,
  raw_sendmsg,
  raw_recvmsg,
  __ip_sock_set_tos,
  ip_sock_set_mtu_discover,
  path_openat,
  do_unlinkat,
  do_mkdirat,
  do_rmdir,
  lookup_inode,
  S_ISREG,
  O_CREAT,
  O_TRUNC,
  vfs_read,
  vfs_write,
  do_sendfile,
  type File,
  ip_recv_error,
  type IpRecvErr,
  type Host,
  type KTimer,
  type Net,
  type SkBuff,
  type Sock,
  type SockExtendedErr,
  SOL_TCP,
  TCP_INFO,
  TCP_CONGESTION,
  SIOCINQ,
  SIOCOUTQ,
  SIOCOUTQNSD,
  SOL_SOCKET,
  SO_REUSEADDR,
  SO_ERROR,
  SO_BROADCAST,
  SO_SNDBUF,
  SO_RCVBUF,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_REUSEPORT,
  SO_RCVLOWAT,
  SO_ZEROCOPY,
} from '@skblab/kernel';
import type { TcpSock } from '@skblab/kernel/include/linux/tcp';
import { TCP_CLOSE, TCP_LISTEN, TCPF_SYN_RECV, TCPF_SYN_SENT } from '@skblab/kernel/include/net/tcp_states';
import {
  MSG_DONTWAIT,
  MSG_ERRQUEUE,
  MSG_FASTOPEN,
  MSG_PEEK,
  MSG_WAITALL,
  SEND_SHUTDOWN,
} from '@skblab/kernel/include/net/tcp';
import {
  newTcpSock,
  tcp_sendmsg,
  tcp_sendmsg_end,
  newTcpSendmsgCall,
  tcp_recvmsg,
  tcp_poll,
  tcp_ioctl,
  tcp_setsockopt,
  tcp_getsockopt,
  type Linger,
} from '@skblab/kernel/net/ipv4/tcp';
import {
  inet_accept,
  inet_bind,
  inet_listen,
  inet_release,
  inet_shutdown,
  __inet_stream_connect,
  inet_stream_connect,
} from '@skblab/kernel/net/ipv4/af_inet';
import { sock_alloc_inode, sock_i_ino } from '@skblab/kernel/net/ipv4/proc';
import {
  unix_accept,
  unix_bind,
  unix_create,
  unix_dgram_connect,
  unix_dgram_poll,
  unix_dgram_recvmsg,
  unix_dgram_sendmsg,
  unix_inq_len,
  unix_listen,
  unix_outq_len,
  unix_poll,
  unix_release,
  unix_shutdown,
  unix_socketpair,
  unix_stream_connect,
  unix_stream_recvmsg,
  unix_stream_sendmsg,
  type UnixReadResult,
} from '@skblab/kernel/net/unix/af_unix';
import { AF_UNIX, SUN_PATH_OFFSET, unix_sk, type UnixSock } from '@skblab/kernel/include/net/af_unix';
import type { Lab } from './lab';

export interface RecvResult {
  data: Uint8Array;
  from: number;
  port: number;
  ttl: number;
  /** The header's TOS byte (the IP_TOS control message a reader asks for with IP_RECVTOS). */
  tos: number;
  /** The skb id, so a tool can point at its journey. */
  skbId: number;
  /** AF_UNIX: the sender's sun_path (recvfrom's address), null when it is unbound. */
  path?: string | null;
}

// ---- the user-space ABI (glibc's headers) ------------------------------------------------------------

export const SOCK_NONBLOCK = 0o4000;
export const O_NONBLOCK = 0o4000;
export const F_GETFL = 3;
export const F_SETFL = 4;

export const POLLIN = 0x1;
export const POLLPRI = 0x2;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;
export const POLLRDNORM = 0x40;
export const POLLRDBAND = 0x80;
export const POLLWRNORM = 0x100;
export const POLLWRBAND = 0x200;
export const POLLRDHUP = 0x2000;

export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;

// SO_RCVTIMEO and SO_SNDTIMEO are the runtime's (the kernel never sleeps); the rest are sock.c's.
export const SO_RCVTIMEO = 20;
export const SO_SNDTIMEO = 21;

export const SOL_IP = 0;
export const IP_TOS = 1;
export const IP_TTL = 2;
export const IP_MTU_DISCOVER = 10;

// The socket options and ioctls of tcp.c, for the tools that import them from here.
export {
  SOL_TCP,
  TCP_INFO,
  TCP_CONGESTION,
  SIOCINQ,
  SIOCOUTQ,
  SIOCOUTQNSD,
  SOL_SOCKET,
  SO_REUSEADDR,
  SO_ERROR,
  SO_BROADCAST,
  SO_SNDBUF,
  SO_RCVBUF,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_REUSEPORT,
  SO_RCVLOWAT,
};
export {
  TCP_NODELAY,
  TCP_MAXSEG,
  TCP_CORK,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  TCP_KEEPCNT,
  TCP_SYNCNT,
  TCP_LINGER2,
  TCP_DEFER_ACCEPT,
  TCP_WINDOW_CLAMP,
  TCP_QUICKACK,
  TCP_USER_TIMEOUT,
  TCP_NOTSENT_LOWAT,
} from '@skblab/kernel';

/** sysctl_rmem_max (net.core.rmem_max) */
const RMEM_MAX = 212992;

/** ip_cmsg_recv's IP_TOS: ip_hdr(skb)->tos. */
function tosOf(skb: SkBuff): number {
  return skb.buf[skb.networkHeader + 1];
}

/** A TCP socket (AF_UNIX stream sockets are SOCK_STREAM too, and go through af_unix instead). */
const isStream = (sk: Sock): sk is TcpSock => sk.type === SOCK_STREAM && !unix_sk(sk);

/**
 * The address length a caller passes with a sun_path: a path with its NUL (netcat's strlen + 1), an
 * abstract name's bytes, or sun_family alone ("": autobind).
 */
function sunLen(path: string): number {
  if (path === '') return SUN_PATH_OFFSET;
  return SUN_PATH_OFFSET + path.length + (path[0] === '\0' ? 0 : 1);
}

/** A wait queue head: a socket's sk_wq, or an AF_UNIX peer_wait. */
interface WaitQueueHead {
  wq: Array<() => void>;
}

/** struct file of a socket: the socket and its O_NONBLOCK flag; SO_RCVTIMEO / SO_SNDTIMEO (ns). */
interface SockFile {
  sk: Sock;
  nonblock: boolean;
  rcvtimeo: number;
  sndtimeo: number;
}

/** epoll(7) (uapi/linux/eventpoll.h) */
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
export const EPOLLIN = 0x001;
export const EPOLLPRI = 0x002;
export const EPOLLOUT = 0x004;
export const EPOLLERR = 0x008;
export const EPOLLHUP = 0x010;
export const EPOLLRDNORM = 0x040;
export const EPOLLRDBAND = 0x080;
export const EPOLLWRNORM = 0x100;
export const EPOLLWRBAND = 0x200;
export const EPOLLMSG = 0x400;
export const EPOLLRDHUP = 0x2000;
export const EPOLLEXCLUSIVE = 1 << 28;
export const EPOLLWAKEUP = 1 << 29;
export const EPOLLONESHOT = 1 << 30;
export const EPOLLET = 1 << 31;
/** Epoll private bits inside the event mask: an EPOLLONESHOT item that fired keeps only these. */
const EP_PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;

/** struct epitem: one watched file of an epoll instance, hooked on the socket's wait queue. */
interface Epitem {
  fd: number;
  sk: Sock;
  events: number;
  data: number;
  /** ep_poll_callback, re-armed after each wakeup (sock_def_readable empties the queue). */
  wait: () => void;
}

/** struct eventpoll: the watched items and the ready list (rdllist). */
interface EventPoll {
  items: Map<number, Epitem>;
  rdllist: Epitem[];
}

/** ep_remove: unhook the item from its socket's wait queue and the ready list. */
function ep_remove(ep: EventPoll, epi: Epitem): void {
  ep.items.delete(epi.fd);
  epi.sk.wq = epi.sk.wq.filter((w) => w !== epi.wait);
  ep.rdllist = ep.rdllist.filter((x) => x !== epi);
}

/** The live tasks of each lab (ss -p looks for a socket's owners among them, as it reads /proc/PID/fd). */
const TASKS = new WeakMap<Lab, Set<Task>>();

/** recvmsg(2)'s result: the bytes, msg_flags and the control messages the kernel put. */
export interface RecvmsgResult {
  data: Uint8Array;
  msgFlags: number;
  /** TCP_CM_INQ (SOL_TCP) */
  inq?: number;
  /** SCM_TIMESTAMPING (SOL_SOCKET): struct scm_timestamping's ts[0..2], in ns. */
  timestamping?: [number, number, number];
  /** IP_RECVERR (SOL_IP): a MSG_ERRQUEUE read's sock_extended_err and offender. */
  recverr?: IpRecvErr;
}

/** What a wait ended on. */
export type WaitResult = 'ready' | 'timeout' | 'intr';

let nextPid = 1000;

export class Task {
  readonly pid = nextPid++;
  private files = new Map<number, SockFile>();
  /** Open regular files and devices of the host's file store (sharing the fd space with the sockets). */
  private regular = new Map<number, File>();
  /** epoll instances (anonymous inode files sharing the fd space with the sockets). */
  private epolls = new Map<number, EventPoll>();
  private nextFd = 3;
  /** A signal is pending (the job was stopped, as by Ctrl-C): blocking calls return -EINTR. */
  private signalled = false;
  private readonly wakers = new Set<() => void>();

  constructor(
    readonly lab: Lab,
    readonly host: Host,
    public net: Net,
    readonly comm: string,
    public cpu: number,
  ) {
    let set = TASKS.get(lab);
    if (!set) TASKS.set(lab, (set = new Set()));
    set.add(this);
  }

  /** Every task of the lab that still has files open. */
  static all(lab: Lab): Task[] {
    return [...(TASKS.get(lab) ?? [])];
  }

  /** The task's open sockets: fd and socket (/proc/PID/fd, for ss -p). */
  fdEntries(): Array<[number, Sock]> {
    return [...this.files].map(([fd, f]) => [fd, f.sk]);
  }

  /** Kernel work on behalf of this task: process context on its CPU, softirqs at the end. */
  private syscall<T>(fn: () => T): T {
    return this.lab.inProcess(this.comm, fn, this.cpu);
  }

  private sock(fd: number): Sock | null {
    return this.files.get(fd)?.sk ?? null;
  }

  private file(fd: number): SockFile | null {
    return this.files.get(fd) ?? null;
  }

  private install(sk: Sock, nonblock: boolean): number {
    const fd = this.nextFd++;
    // sock_alloc(): the socket's inode in sockfs, what /proc/net/tcp and ss -e show.
    sock_alloc_inode(this.host, sk);
    this.files.set(fd, { sk, nonblock, rcvtimeo: Infinity, sndtimeo: Infinity });
    TASKS.get(this.lab)?.add(this);
    return fd;
  }

  // ---- signals and waiting ----------------------------------------------------------------------------

  /** A signal arrives (SIGINT when the job is stopped): every blocking call returns -EINTR. */
  interrupt(): void {
    this.signalled = true;
    for (const w of [...this.wakers]) w();
  }

  get interrupted(): boolean {
    return this.signalled;
  }

  /**
   * Sleep on the wait queues of `socks` until `ready()` holds, the simulated `deadline` passes, or a signal
   * comes: prepare_to_wait / schedule_timeout / finish_wait. Every wakeup re-checks the condition.
   */
  waitFor(
    socks: WaitQueueHead[],
    ready: () => boolean,
    deadline: number,
    interruptible = true,
  ): Promise<WaitResult> {
    const now = this.waitState(ready, deadline, interruptible);
    if (now !== null) return Promise.resolve(now);
    return new Promise((resolve) => {
      let settled = false;
      let timer: KTimer<null> | null = null;
      const finish = (r: WaitResult) => {
        if (settled) return;
        settled = true;
        for (const sk of socks) {
          const i = sk.wq.indexOf(wake);
          if (i >= 0) sk.wq.splice(i, 1);
        }
        if (interruptible) this.wakers.delete(onSignal);
        if (timer) this.lab.delTimer(timer);
        resolve(r);
      };
      // One waker on every socket's queue. sock_def_readable empties a queue as it wakes: unless the wait
      // is over, the waker goes back on each queue that no longer holds it.
      const wake = () => {
        if (settled) return;
        const r = this.waitState(ready, deadline, interruptible);
        if (r !== null) return finish(r);
        for (const sk of socks) if (!sk.wq.includes(wake)) sk.wq.push(wake);
      };
      const onSignal = () => finish('intr');
      if (interruptible) this.wakers.add(onSignal);
      for (const sk of socks) if (!sk.wq.includes(wake)) sk.wq.push(wake);
      if (deadline !== Infinity) {
        timer = {
          fn: () => {
            timer = null;
            finish(this.waitState(ready, deadline, interruptible) ?? 'timeout');
          },
          arg: null,
          expires: deadline,
          pending: false,
          host: this.host,
          cpu: this.cpu,
          seq: 0,
        };
        this.lab.modTimer(timer, deadline);
      }
    });
  }

  /** What ends a wait now: the condition, a signal, the deadline; null to go on waiting. */
  private waitState(ready: () => boolean, deadline: number, interruptible: boolean): WaitResult | null {
    if (ready()) return 'ready';
    if (interruptible && this.signalled) return 'intr';
    if (deadline !== Infinity && this.lab.now() >= deadline) return 'timeout';
    return null;
  }

  // ---- socket(2), bind(2), listen(2) ------------------------------------------------------------------

  /**
   * socket(2): TCP, UDP, ping (ICMP datagram, if ping_group_range allows root's gid 0) and raw ICMP, and
   * AF_UNIX stream and datagram sockets.
   */
  socket(family: number, type: number, protocol: number): number {
    if (family !== AF_INET && family !== AF_UNIX) return -EINVAL;
    const nonblock = (type & SOCK_NONBLOCK) !== 0;
    type &= ~(SOCK_NONBLOCK | 0o2000000); // SOCK_CLOEXEC
    if (family === AF_UNIX) {
      const sk = unix_create(this.net, type, protocol, this.comm);
      return typeof sk === 'number' ? sk : this.install(sk, nonblock);
    }
    if (type === SOCK_STREAM) {
      if (protocol !== 0 && protocol !== IPPROTO_TCP) return -EPROTONOSUPPORT;
      const sk = newTcpSock(this.net, this.comm);
      sk.hasSocket = true;
      return this.install(sk, nonblock);
    }
    if (type === SOCK_DGRAM && (protocol === 0 || protocol === IPPROTO_UDP)) protocol = IPPROTO_UDP;
    else if (type === SOCK_DGRAM && protocol === IPPROTO_ICMP) {
      const [lo, hi] = this.net.sysctl.pingGroupRange;
      if (!(lo <= 0 && 0 <= hi)) return -EACCES;
    } else if (type === SOCK_RAW && protocol === IPPROTO_ICMP) {
      // root has CAP_NET_RAW
    } else return -EPROTONOSUPPORT;
    const sk = newSock(this.net, type, protocol, this.comm);
    // sk_alloc of a user socket: sock_inuse_add (TCP's are counted by net.tcpSockets).
    this.net.sockInuse++;
    if (type === SOCK_RAW) this.net.rawSocks.push(sk);
    return this.install(sk, nonblock);
  }

  /** socketpair(2): two connected AF_UNIX sockets (unix_socketpair). */
  socketpair(family: number, type: number, protocol: number): [number, number] | number {
    if (family !== AF_UNIX) return -95; // EOPNOTSUPP: AF_INET has no socketpair
    const nonblock = (type & SOCK_NONBLOCK) !== 0;
    type &= ~(SOCK_NONBLOCK | 0o2000000);
    const a = unix_create(this.net, type, protocol, this.comm);
    if (typeof a === 'number') return a;
    const b = unix_create(this.net, type, protocol, this.comm) as UnixSock;
    unix_socketpair(a, b);
    return [this.install(a, nonblock), this.install(b, nonblock)];
  }

  /** bind(2): an IPv4 address and port, or an AF_UNIX socket's sun_path. */
  bind(fd: number, addr: number | string, port = 0): number {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
    const u = unix_sk(sk);
    if (u || typeof addr === 'string') {
      // A sockaddr of the other family: unix_bind's sun_family check, inet_bind's.
      if (!u) return -97; // EAFNOSUPPORT
      if (typeof addr !== 'string') return -EINVAL;
      return this.syscall(() => unix_bind(this.lab, u, addr, sunLen(addr)));
    }
    if (isStream(sk)) return this.syscall(() => inet_bind(this.lab, sk, addr, port));
    if (addr && !this.net.ifaddrs.some((i) => i.local === addr) && addr >>> 24 !== 127) return -99; // EADDRNOTAVAIL
    sk.rcvSaddr = addr;
    sk.saddr = addr;
    if (sk.protocol === IPPROTO_UDP) return this.syscall(() => udp_lib_get_port(this.lab, sk, port));
    return 0;
  }

  /** listen(2) */
  listen(fd: number, backlog: number): number {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
    const u = unix_sk(sk);
    if (u) return unix_listen(u, backlog);
    if (!isStream(sk)) return -EOPNOTSUPP;
    return this.syscall(() => inet_listen(this.lab, sk, backlog));
  }

  // ---- connect(2) --------------------------------------------------------------------------------------

  /**
   * connect(2) without sleeping. Datagram sockets connect at once. A stream socket sends its SYN and
   * returns -EINPROGRESS, then -EALREADY while the handshake runs, 0 once connected (after which
   * -EISCONN), or the error that ended it (sock_error: ECONNREFUSED, ETIMEDOUT, ...).
   */
  connect(fd: number, addr: number | string | null, port = 0): number {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
    const u = unix_sk(sk);
    if (u) {
      if (typeof addr === 'number') return -EINVAL;
      if (u.type === SOCK_DGRAM)
        return this.syscall(() => unix_dgram_connect(this.lab, u, addr, addr === null ? 0 : sunLen(addr)));
      if (addr === null) return -EINVAL;
      const r = this.syscall(() => unix_stream_connect(this.lab, u, addr, sunLen(addr), false));
      return typeof r === 'number' ? r : -EAGAIN;
    }
    if (typeof addr !== 'number') return addr === null ? -EINVAL : -97; // EAFNOSUPPORT
    if (isStream(sk)) return this.syscall(() => inet_stream_connect(this.lab, sk, addr, port, O_NONBLOCK));
    const err = ip4_datagram_connect(sk, addr, port);
    if (err) return err;
    if (sk.protocol === IPPROTO_UDP && !sk.num) {
      const err = udp_lib_get_port(this.lab, sk, 0);
      if (err) return err;
    }
    return 0;
  }

  /**
   * connect(2) on a blocking socket: __inet_stream_connect's inet_wait_for_connect, until the state leaves
   * SYN_SENT / SYN_RECV, the SO_SNDTIMEO (or `deadline`) passes (-EINPROGRESS) or a signal comes (-EINTR).
   * An O_NONBLOCK file does not wait.
   */
  async connectWait(fd: number, addr: number | string, port = 0, deadline = Infinity): Promise<number> {
    const f = this.file(fd);
    if (!f) return -EBADF;
    const sk = f.sk;
    const u = unix_sk(sk);
    if (u && typeof addr === 'string' && u.type === SOCK_STREAM) {
      // unix_stream_connect sleeps (unix_wait_for_peer) while the listener's queue is full.
      const until = Math.min(deadline, f.sndtimeo === Infinity ? Infinity : this.lab.now() + f.sndtimeo);
      for (;;) {
        const r = this.syscall(() => unix_stream_connect(this.lab, u, addr, sunLen(addr), !f.nonblock));
        if (typeof r === 'number') return r;
        const w = await this.waitFor(
          [r.wait.peerWait],
          // Room in its queue, or the listener gone: either way unix_find_other is tried again (a closed
          // listener gives ECONNREFUSED).
          () =>
            r.wait.dead || r.wait.state !== TCP_LISTEN || r.wait.receiveQueue.length <= r.wait.maxAckBacklog,
          until,
        );
        if (w === 'intr') return -EINTR;
        if (w === 'timeout') return -EAGAIN;
      }
    }
    if (typeof addr !== 'number') return this.connect(fd, addr, port);
    const rc = this.connect(fd, addr, port);
    if (!isStream(sk) || f.nonblock || (rc !== -EINPROGRESS && rc !== -EALREADY)) return rc;
    const until = Math.min(deadline, f.sndtimeo === Infinity ? Infinity : this.lab.now() + f.sndtimeo);
    const w = await this.waitFor([sk], () => !((1 << sk.state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)), until);
    if (w === 'intr') return -EINTR;
    if (w === 'timeout') return -EINPROGRESS;
    // The handshake is over: the socket layer reports how (0, or sock_error's errno).
    const again = this.syscall(() => inet_stream_connect(this.lab, sk, addr, port, O_NONBLOCK));
    return again === -EALREADY || again === -EINPROGRESS ? 0 : again;
  }

  // ---- accept(2) ---------------------------------------------------------------------------------------

  /**
   * accept4(2): the next connection of a listener, as a new fd with its peer's address. Blocks (on the
   * listener's wait queue) unless the listener is O_NONBLOCK; `flags` may give the new file SOCK_NONBLOCK.
   */
  async accept(
    fd: number,
    flags = 0,
    deadline = Infinity,
  ): Promise<{ fd: number; addr: number; port: number } | number> {
    const f = this.file(fd);
    if (!f) return -EBADF;
    const sk = f.sk;
    const u = unix_sk(sk);
    if (u) return this.acceptUnix(f, u, flags, deadline);
    if (!isStream(sk)) return -EOPNOTSUPP;
    for (;;) {
      const r = this.syscall(() => inet_accept(this.lab, sk, O_NONBLOCK, this.comm));
      if (typeof r !== 'number') {
        const nfd = this.install(r, (flags & SOCK_NONBLOCK) !== 0);
        return { fd: nfd, addr: r.daddr, port: r.dport };
      }
      if (r !== -EAGAIN || f.nonblock) return r;
      const until = Math.min(deadline, f.rcvtimeo === Infinity ? Infinity : this.lab.now() + f.rcvtimeo);
      const w = await this.waitFor(
        [sk],
        () => sk.acceptQueue.length > 0 || sk.state !== TCP_LISTEN || sk.skErr !== 0,
        until,
      );
      if (w === 'intr') return -EINTR;
      if (w === 'timeout') return -EAGAIN;
    }
  }

  /** accept4(2) on an AF_UNIX listener (unix_accept): its peer's address is none, as for an unbound client. */
  private async acceptUnix(
    f: SockFile,
    sk: UnixSock,
    flags: number,
    deadline: number,
  ): Promise<{ fd: number; addr: number; port: number } | number> {
    for (;;) {
      const r = this.syscall(() => unix_accept(this.lab, sk, this.comm));
      if (typeof r !== 'number')
        return { fd: this.install(r, (flags & SOCK_NONBLOCK) !== 0), addr: 0, port: 0 };
      if (r !== -EAGAIN || f.nonblock) return r;
      const until = Math.min(deadline, f.rcvtimeo === Infinity ? Infinity : this.lab.now() + f.rcvtimeo);
      const w = await this.waitFor(
        [sk],
        () => sk.receiveQueue.length > 0 || sk.state !== TCP_LISTEN || (sk.shutdown & RCV_SHUTDOWN) !== 0,
        until,
      );
      if (w === 'intr') return -EINTR;
      if (w === 'timeout') return -EAGAIN;
      // skb_recv_datagram woke for a receive shutdown with nothing queued: unix_accept's -EINVAL.
      if (!sk.receiveQueue.length && sk.shutdown & RCV_SHUTDOWN) return -EINVAL;
    }
  }

  // ---- sending -----------------------------------------------------------------------------------------

  /** sendto(2) without sleeping: the whole transmit path runs now, and the receive path at local_bh_enable. */
  sendto(fd: number, data: Uint8Array, addr: number | string | null, port: number, flags = 0): number {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
    const u = unix_sk(sk);
    if (u) {
      const r = this.unixSend(u, data, typeof addr === 'string' ? addr : null, flags, false);
      return typeof r === 'number' ? r : -EAGAIN;
    }
    if (typeof addr === 'string') return -97; // EAFNOSUPPORT
    if (isStream(sk)) return this.syscall(() => tcp_sendmsg(this.lab, sk, data, flags | MSG_DONTWAIT));
    if (sk.skErr) {
      const e = sk.skErr;
      sk.skErr = 0;
      return -e;
    }
    return this.syscall(() => {
      if (sk.protocol === IPPROTO_UDP) return udp_sendmsg(this.lab, sk, data, addr, port, this.cpu);
      if (sk.type === SOCK_RAW) return raw_sendmsg(this.lab, sk, data, addr ?? sk.daddr, this.cpu);
      if (sk.protocol === IPPROTO_ICMP) {
        ping_get_port(this.lab, sk);
        return ping_v4_sendmsg(this.lab, sk, data, addr ?? sk.daddr, this.cpu);
      }
      return -EINVAL;
    });
  }

  /**
   * send(2) / sendmsg(2) on a stream socket: tcp_sendmsg copies what the send buffer takes; a blocking
   * socket then waits for space (sk_stream_wait_memory: the wait queue, woken by tcp_check_space) and goes
   * on until everything is queued. Returns the bytes queued, or an error if none were (EPIPE, ECONNRESET,
   * EAGAIN for a non-blocking socket, EINTR).
   */
  async send(fd: number, data: Uint8Array, flags = 0, iov: readonly number[] | null = null): Promise<number> {
    const f = this.file(fd);
    if (!f) return -EBADF;
    const sk = f.sk;
    const u = unix_sk(sk);
    if (u) return this.sendUnix(f, u, data, null, flags);
    if (!isStream(sk)) return this.sendto(fd, data, null, 0, flags);
    // TCP_FASTOPEN_CONNECT deferred the SYN to this write: it connects as sendto(MSG_FASTOPEN) does.
    if (sk.deferConnect) return this.sendtoStream(fd, data, null, 0, flags);
    const nonblock = f.nonblock || (flags & MSG_DONTWAIT) !== 0;
    const until = f.sndtimeo === Infinity ? Infinity : this.lab.now() + f.sndtimeo;
    // A blocking send is one kernel call that sleeps for space: it is resumed after each wait.
    const call = nonblock ? null : newTcpSendmsgCall();
    let sent = 0;
    for (;;) {
      const rest = sent ? data.subarray(sent) : data;
      const restIov = iov && iov_iter_advance(iov, sent);
      const rc = this.syscall(() =>
        tcp_sendmsg(this.lab, sk, rest, flags | MSG_DONTWAIT, null, 0, restIov, call),
      );
      if (rc > 0) sent += rc;
      if (sent >= data.length) return sent;
      if (rc < 0 && rc !== -EAGAIN) return sent > 0 ? sent : rc;
      if (nonblock) return sent > 0 ? sent : -EAGAIN;
      // sk_stream_wait_memory: space, sk_err or a shutdown end the wait (not the error queue's POLLERR).
      const w = await this.waitFor(
        [sk],
        () =>
          (tcp_poll(sk) & (POLLOUT | POLLHUP)) !== 0 || sk.skErr !== 0 || (sk.shutdown & SEND_SHUTDOWN) !== 0,
        until,
      );
      if (w !== 'ready') {
        const err = w === 'intr' ? -EINTR : -EAGAIN;
        // sk_stream_wait_memory's error ends the call (do_error).
        if (call?.sleeping)
          this.syscall(() => tcp_sendmsg_end(this.lab, sk, call, flags | MSG_DONTWAIT, err));
        return sent > 0 ? sent : err;
      }
    }
  }

  /**
   * One call into af_unix's sendmsg: unix_stream_sendmsg (an address on a stream socket is EISCONN once
   * connected, else EOPNOTSUPP), or unix_dgram_sendmsg; `{ wait }` names the receiver to sleep on.
   */
  private unixSend(
    u: UnixSock,
    data: Uint8Array,
    addr: string | null,
    flags: number,
    blocking: boolean,
  ): number | { wait: UnixSock } {
    const oob = (flags & 1) !== 0; // MSG_OOB
    if (u.type === SOCK_STREAM) {
      if (addr !== null) return u.state === 1 /* TCP_ESTABLISHED */ ? -106 /* EISCONN */ : -EOPNOTSUPP;
      return this.syscall(() => unix_stream_sendmsg(this.lab, u, data, oob));
    }
    return this.syscall(() =>
      unix_dgram_sendmsg(this.lab, u, data, addr, addr === null ? 0 : sunLen(addr), blocking, oob),
    );
  }

  /**
   * send(2) / sendto(2) on an AF_UNIX socket: a blocking stream send waits for send space
   * (sock_alloc_send_pskb's sock_wait_for_wmem, woken by unix_write_space) until every byte is queued; a
   * blocking datagram waits on a full receiver's peer_wait (unix_wait_for_peer).
   */
  async sendUnix(
    f: SockFile,
    u: UnixSock,
    data: Uint8Array,
    addr: string | null,
    flags = 0,
  ): Promise<number> {
    const nonblock = f.nonblock || (flags & MSG_DONTWAIT) !== 0;
    const until = f.sndtimeo === Infinity ? Infinity : this.lab.now() + f.sndtimeo;
    let sent = 0;
    for (;;) {
      const r = this.unixSend(u, sent ? data.subarray(sent) : data, addr, flags, !nonblock);
      if (typeof r === 'number') {
        if (r > 0) sent += r;
        if (sent >= data.length || (r < 0 && r !== -EAGAIN)) return sent > 0 ? sent : r;
        if (nonblock) return sent > 0 ? sent : -EAGAIN;
      }
      const w =
        typeof r === 'number'
          ? await this.waitFor([u], () => u.wmemAlloc < u.sndbuf || u.skErr !== 0 || !u.peer, until)
          : await this.waitFor(
              [r.wait.peerWait],
              () => r.wait.dead || r.wait.receiveQueue.length <= r.wait.maxAckBacklog,
              until,
            );
      if (w !== 'ready') return sent > 0 ? sent : w === 'intr' ? -EINTR : -EAGAIN;
    }
  }

  /**
   * sendto(2) with an address on a stream socket: MSG_FASTOPEN's connect with data on the SYN
   * (tcp_sendmsg_fastopen). A blocking socket waits, as __inet_stream_connect does, for the handshake to
   * end, then sends the rest as send(2) would; the result is every byte taken, or the connect's error.
   */
  async sendtoStream(
    fd: number,
    data: Uint8Array,
    addr: number | null,
    port: number,
    flags = 0,
  ): Promise<number> {
    const f = this.file(fd);
    if (!f) return -EBADF;
    const sk = f.sk;
    if (!isStream(sk)) return this.sendto(fd, data, addr, port, flags);
    const nonblock = f.nonblock || (flags & MSG_DONTWAIT) !== 0;
    const fastopen = (flags & MSG_FASTOPEN) !== 0 || sk.deferConnect;
    // Without Fast Open, tcp_sendmsg ignores the address: a plain send (a passive Fast Open child in
    // SYN_RECV may send at once).
    if (!fastopen) return this.send(fd, data, flags);
    const rc = this.syscall(() => tcp_sendmsg(this.lab, sk, data, flags | MSG_DONTWAIT, addr, port));
    const connecting = () => ((1 << sk.state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) !== 0;
    if (nonblock || !connecting() || (rc < 0 && rc !== -EINPROGRESS)) {
      if (rc >= 0 || nonblock || rc !== -EAGAIN) return rc;
    }
    const copied = rc > 0 ? rc : 0;
    // inet_wait_for_connect's writebias: a Fast Open sender with data left after the SYN's (fo->data still
    // set) waits as a pending writer, so the SYN-ACK's ACK is saved for that data
    // (tcp_rcv_synsent_state_process).
    const writebias = fastopen && copied < data.length ? 1 : 0;
    sk.writePending += writebias;
    const w = await this.waitFor([sk], () => !connecting(), Infinity);
    sk.writePending -= writebias;
    if (w === 'intr') return copied > 0 ? copied : -EINTR;
    // The handshake is over: __inet_stream_connect's verdict after inet_wait_for_connect. A failed connect
    // frees the request with its copied count (tcp_disconnect), so the call fails even if the SYN had data.
    const again = this.syscall(() => __inet_stream_connect(this.lab, sk, addr, port, 0, true));
    if (again && again !== -EALREADY && again !== -EINPROGRESS) return again;
    if (copied >= data.length) return copied;
    const more = await this.send(fd, data.subarray(copied), flags & ~MSG_FASTOPEN);
    return more < 0 ? (copied > 0 ? copied : more) : copied + more;
  }

  // ---- receiving ---------------------------------------------------------------------------------------

  /** recvfrom(2) without waiting: a datagram (or a stream's bytes), or -EAGAIN. A pending hard error comes first. */
  tryRecv(fd: number, len = 65536, flags = 0): RecvResult | number {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
    const u = unix_sk(sk);
    if (u) {
      const r = this.unixRecv(u, len, flags);
      if (typeof r === 'number') return r;
      return { data: r.data, from: 0, port: 0, ttl: 0, tos: 0, skbId: 0, path: r.from?.name ?? null };
    }
    if (isStream(sk)) {
      const r = this.syscall(() => tcp_recvmsg(this.lab, sk, len, flags | MSG_DONTWAIT));
      if (typeof r === 'number') return r;
      return {
        data: r.copied ? r.data : new Uint8Array(0),
        from: sk.daddr,
        port: sk.dport,
        ttl: 0,
        tos: 0,
        skbId: 0,
      };
    }
    return this.syscall(() => {
      // __skb_recv_udp: a pending socket error is reported before any queued datagram.
      if (sk.skErr) {
        const e = sk.skErr;
        sk.skErr = 0;
        return -e;
      }
      if (sk.protocol === IPPROTO_UDP) {
        const r = udp_recvmsg(this.lab, sk);
        if (r)
          return { data: r.data, from: r.from, port: r.port, ttl: 0, tos: tosOf(r.skb), skbId: r.skb.id };
      } else if (sk.type === SOCK_RAW) {
        const r = raw_recvmsg(this.lab, sk);
        if (r) return { data: r.data, from: r.from, port: 0, ttl: r.ttl, tos: tosOf(r.skb), skbId: r.skb.id };
      } else {
        const r = ping_recvmsg(this.lab, sk);
        if (r) return { data: r.data, from: r.from, port: 0, ttl: r.ttl, tos: tosOf(r.skb), skbId: r.skb.id };
      }
      return -EAGAIN;
    });
  }

  /**
   * recv(2) / recvmsg(2) on a stream socket: up to `len` bytes; an empty array at end of stream. Blocks
   * (sk_wait_data) unless O_NONBLOCK or MSG_DONTWAIT; MSG_WAITALL keeps reading until `len` bytes, EOF,
   * an error or a signal; MSG_PEEK leaves the data queued.
   */
  async recv(fd: number, len: number, flags = 0): Promise<Uint8Array | number> {
    const r = await this.recvmsg(fd, len, flags);
    return typeof r === 'number' ? r : r.data;
  }

  /**
   * recvmsg(2): recv's bytes and msg_flags, with the TCP_CM_INQ control message (`inq`) of a TCP_INQ
   * socket. MSG_ERRQUEUE reads the error queue instead (ip_recv_error, for TCP through inet_recv_error):
   * never waits, -EAGAIN when empty, else the IP_RECVERR control message (`recverr`).
   */
  async recvmsg(fd: number, len: number, flags = 0): Promise<RecvmsgResult | number> {
    const f = this.file(fd);
    if (!f) return -EBADF;
    const sk = f.sk;
    const u = unix_sk(sk);
    if (u) return this.recvUnix(f, u, len, flags);
    if (flags & MSG_ERRQUEUE) {
      const r = this.syscall(() => ip_recv_error(sk, len));
      if (typeof r === 'number') return r;
      return { data: r.data, msgFlags: r.msgFlags, timestamping: r.timestamping, recverr: r };
    }
    if (!isStream(sk)) {
      const r = this.tryRecv(fd);
      return typeof r === 'number' ? r : { data: r.data.subarray(0, len), msgFlags: 0 };
    }
    const nonblock = f.nonblock || (flags & MSG_DONTWAIT) !== 0;
    const waitall = (flags & MSG_WAITALL) !== 0 && (flags & MSG_PEEK) === 0;
    const until = f.rcvtimeo === Infinity ? Infinity : this.lab.now() + f.rcvtimeo;
    const chunks: Uint8Array[] = [];
    let got = 0;
    let inq: number | undefined;
    let msgFlags = 0;
    const result = (): RecvmsgResult => ({ data: bytes(), inq, msgFlags });
    const bytes = (): Uint8Array => {
      if (chunks.length === 1) return chunks[0];
      const out = new Uint8Array(got);
      let o = 0;
      for (const c of chunks) {
        out.set(c, o);
        o += c.length;
      }
      return out;
    };
    for (;;) {
      const r = this.syscall(() => tcp_recvmsg(this.lab, sk, len - got, flags | MSG_DONTWAIT));
      if (typeof r !== 'number') {
        inq = r.inq;
        msgFlags |= r.msgFlags;
        if (r.data.length) {
          chunks.push(r.data);
          got += r.data.length;
        }
        // End of stream, or enough: return what there is.
        if (r.copied === 0 || !waitall || got >= len) return result();
        continue;
      }
      if (r !== -EAGAIN) return got > 0 ? result() : r;
      if (nonblock) return got > 0 ? result() : -EAGAIN;
      // sk_wait_data: data, sk_err, a shutdown or close end the wait (not the error queue's POLLERR).
      const w = await this.waitFor(
        [sk],
        () => (tcp_poll(sk) & (POLLIN | POLLRDNORM | POLLHUP | POLLRDHUP)) !== 0 || sk.skErr !== 0,
        until,
      );
      if (w !== 'ready') return got > 0 ? result() : w === 'intr' ? -EINTR : -EAGAIN;
    }
  }

  /** One call into af_unix's recvmsg (unix_stream_recvmsg or unix_dgram_recvmsg), without sleeping. */
  private unixRecv(u: UnixSock, len: number, flags: number): UnixReadResult | number {
    const peek = (flags & MSG_PEEK) !== 0;
    const oob = (flags & 1) !== 0; // MSG_OOB
    return this.syscall(() =>
      u.type === SOCK_STREAM
        ? unix_stream_recvmsg(this.lab, u, len, peek, oob)
        : unix_dgram_recvmsg(this.lab, u, len, peek, oob),
    );
  }

  /**
   * recv(2) / recvmsg(2) on an AF_UNIX socket: unix_stream_data_wait (or the datagram wait) until data, an
   * error, or the end of the stream; MSG_WAITALL reads a stream until `len` bytes, its end, or an error.
   */
  private async recvUnix(
    f: SockFile,
    u: UnixSock,
    len: number,
    flags: number,
  ): Promise<RecvmsgResult | number> {
    const nonblock = f.nonblock || (flags & MSG_DONTWAIT) !== 0;
    const waitall = u.type === SOCK_STREAM && (flags & MSG_WAITALL) !== 0 && (flags & MSG_PEEK) === 0;
    const until = f.rcvtimeo === Infinity ? Infinity : this.lab.now() + f.rcvtimeo;
    const chunks: Uint8Array[] = [];
    let got = 0;
    let msgFlags = 0;
    const result = (): RecvmsgResult => {
      const data = new Uint8Array(got);
      let o = 0;
      for (const c of chunks) {
        data.set(c, o);
        o += c.length;
      }
      return { data, msgFlags };
    };
    for (;;) {
      const r = this.unixRecv(u, len - got, flags);
      if (typeof r !== 'number') {
        msgFlags |= r.msgFlags;
        chunks.push(r.data);
        got += r.data.length;
        if (r.copied === 0 || !waitall || got >= len) return result();
        continue;
      }
      if (r !== -EAGAIN) return got > 0 ? result() : r;
      if (nonblock) return got > 0 ? result() : -EAGAIN;
      const mask = () => (u.type === SOCK_STREAM ? unix_poll(u) : unix_dgram_poll(u));
      const w = await this.waitFor([u], () => (mask() & (POLLIN | POLLERR | POLLHUP)) !== 0, until);
      if (w !== 'ready') return got > 0 ? result() : w === 'intr' ? -EINTR : -EAGAIN;
    }
  }

  // ---- epoll(7) (fs/eventpoll.c) ----------------------------------------------------------------------

  /** epoll_create(2): a new epoll instance; `size` only has to be positive. */
  epollCreate(size: number): number {
    if (size <= 0) return -EINVAL;
    const fd = this.nextFd++;
    this.epolls.set(fd, { items: new Map(), rdllist: [] });
    return fd;
  }

  /** ep_item_poll: the file's poll mask restricted to the item's events. */
  private ep_item_poll(epi: Epitem): number {
    return this.pollMask(epi.fd) & epi.events;
  }

  /**
   * epoll_ctl(2) (do_epoll_ctl): add, modify or delete a watched socket. ADD and MOD always watch
   * EPOLLERR | EPOLLHUP, and queue the item at once if it is already ready (ep_insert / ep_modify).
   */
  epollCtl(epfd: number, op: number, fd: number, events: number, data: number): number {
    const ep = this.epolls.get(epfd);
    const sk = this.sock(fd);
    if (!ep || (!sk && !this.epolls.has(fd))) return -EBADF;
    // The target file must support poll; an epoll watching itself is refused.
    if (!sk || fd === epfd) return -EINVAL;
    if (op !== EPOLL_CTL_DEL) events |= EPOLLERR | EPOLLHUP;
    let epi = ep.items.get(fd);
    switch (op) {
      case EPOLL_CTL_ADD: {
        if (epi) return -EEXIST;
        // ep_insert: hook ep_poll_callback on the socket's wait queue, then poll once.
        const item: Epitem = { fd, sk, events, data, wait: () => undefined };
        item.wait = () => {
          if (ep.items.get(fd) !== item) return;
          sk.wq.push(item.wait);
          // ep_poll_callback: a disabled EPOLLONESHOT item stays quiet until EPOLL_CTL_MOD.
          if (!(item.events & ~EP_PRIVATE_BITS)) return;
          if (!ep.rdllist.includes(item)) ep.rdllist.push(item);
        };
        ep.items.set(fd, item);
        sk.wq.push(item.wait);
        if (this.ep_item_poll(item) && !ep.rdllist.includes(item)) ep.rdllist.push(item);
        return 0;
      }
      case EPOLL_CTL_DEL:
        if (!epi) return -ENOENT;
        ep_remove(ep, epi);
        return 0;
      case EPOLL_CTL_MOD:
        if (!epi) return -ENOENT;
        epi = epi as Epitem;
        epi.events = events;
        epi.data = data;
        if (this.ep_item_poll(epi) && !ep.rdllist.includes(epi)) ep.rdllist.push(epi);
        return 0;
      default:
        return -EINVAL;
    }
  }

  /**
   * epoll_wait(2) (ep_poll / ep_send_events): up to `maxevents` ready items, each polled again and
   * reported only if still ready. An edge-triggered item leaves the ready list until its socket's next
   * wakeup; a level-triggered one stays. Waits until something is reported or `deadline` passes.
   */
  async epollWait(
    epfd: number,
    maxevents: number,
    deadline = Infinity,
  ): Promise<Array<{ events: number; data: number }> | number> {
    const ep = this.epolls.get(epfd);
    if (!ep) return -EBADF;
    if (maxevents <= 0) return -EINVAL;
    for (;;) {
      const out: Array<{ events: number; data: number }> = [];
      const requeue: Epitem[] = [];
      while (ep.rdllist.length && out.length < maxevents) {
        const epi = ep.rdllist.shift()!;
        const revents = this.ep_item_poll(epi);
        if (!revents) continue;
        out.push({ events: revents >>> 0, data: epi.data });
        if (epi.events & EPOLLONESHOT) epi.events &= EP_PRIVATE_BITS;
        else if (!(epi.events & EPOLLET)) requeue.push(epi);
      }
      ep.rdllist.push(...requeue);
      if (out.length) return out;
      const socks = [...ep.items.values()].map((epi) => epi.sk);
      const w = await this.waitFor(socks, () => ep.rdllist.length > 0, deadline);
      if (w === 'intr') return -EINTR;
      if (w === 'timeout') return [];
    }
  }

  /** recvmsg(MSG_ERRQUEUE) */
  recvErr(fd: number): SockExtendedErr | null {
    const sk = this.sock(fd);
    return sk?.errorQueue.shift() ?? null;
  }

  // ---- poll(2) -----------------------------------------------------------------------------------------

  /** The poll mask of a socket now: tcp_poll for streams, datagram_poll's IN/OUT/ERR for the others. */
  pollMask(fd: number): number {
    const sk = this.sock(fd);
    if (!sk) return POLLNVAL;
    const u = unix_sk(sk);
    if (u) return u.type === SOCK_STREAM ? unix_poll(u) : unix_dgram_poll(u);
    if (isStream(sk)) return tcp_poll(sk);
    let mask = POLLOUT | POLLWRNORM;
    if (sk.receiveQueue.length) mask |= POLLIN | POLLRDNORM;
    if (sk.skErr || sk.errorQueue.length) mask |= POLLERR;
    return mask;
  }

  /**
   * poll(2): the revents of each entry (events plus POLLERR | POLLHUP | POLLNVAL), waiting until one is
   * ready, the simulated deadline passes (all zero), or a signal comes (-EINTR).
   */
  async poll(fds: Array<{ fd: number; events: number }>, deadline = Infinity): Promise<number[] | number> {
    const revents = () =>
      fds.map(({ fd, events }) => (fd < 0 ? 0 : this.pollMask(fd) & (events | POLLERR | POLLHUP | POLLNVAL)));
    const socks = fds.map(({ fd }) => this.sock(fd)).filter((s): s is Sock => s !== null);
    const w = await this.waitFor(socks, () => revents().some((r) => r !== 0), deadline);
    if (w === 'intr') return -EINTR;
    return revents();
  }

  /**
   * poll(2) for readability (data, an error-queue entry, or a pending error) until the simulated
   * deadline; resolves true when readable.
   */
  async waitReadable(fd: number, deadline: number): Promise<boolean> {
    const sk = this.sock(fd);
    if (!sk) return false;
    const u = unix_sk(sk);
    const ready = u
      ? () =>
          ((u.type === SOCK_STREAM ? unix_poll(u) : unix_dgram_poll(u)) & (POLLIN | POLLERR | POLLHUP)) !== 0
      : isStream(sk)
        ? () => (tcp_poll(sk) & (POLLIN | POLLRDNORM | POLLERR | POLLHUP | POLLRDHUP)) !== 0
        : () => sk.receiveQueue.length > 0 || sk.errorQueue.length > 0 || sk.skErr !== 0;
    // A signal does not end this wait: its callers watch their job themselves.
    return (await this.waitFor([sk], ready, deadline, false)) === 'ready' || ready();
  }

  // ---- shutdown(2), close(2) ---------------------------------------------------------------------------

  /** shutdown(2): SHUT_RD, SHUT_WR (the FIN), SHUT_RDWR. */
  shutdown(fd: number, how: number): number {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
    const u = unix_sk(sk);
    if (u) return unix_shutdown(u, how);
    if (!isStream(sk)) return -EOPNOTSUPP;
    return this.syscall(() => inet_shutdown(this.lab, sk, how));
  }

  close(fd: number): number {
    if (this.epolls.delete(fd) || this.regular.delete(fd)) return 0;
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
    this.files.delete(fd);
    // eventpoll_release: the closed file leaves every epoll set that watched it.
    for (const ep of this.epolls.values()) {
      const epi = ep.items.get(fd);
      if (epi) ep_remove(ep, epi);
    }
    const u = unix_sk(sk);
    if (u) {
      // sock_close → unix_release
      this.syscall(() => unix_release(this.lab, u));
      if (!this.files.size) TASKS.get(this.lab)?.delete(this);
      return 0;
    }
    if (isStream(sk)) {
      // sock_close → inet_release → tcp_close(sk, SO_LINGER ? lingertime : 0)
      this.syscall(() => inet_release(this.lab, sk));
      if (!this.files.size) TASKS.get(this.lab)?.delete(this);
      return 0;
    }
    sk.closed = true;
    sk.net.sockInuse--;
    if (sk.protocol === IPPROTO_UDP && sk.num) udp_lib_unhash(sk);
    if (sk.type === SOCK_RAW) sk.net.rawSocks = sk.net.rawSocks.filter((s) => s !== sk);
    else if (sk.protocol === IPPROTO_ICMP && sk.num) sk.net.pingHash.delete(sk.num);
    if (!this.files.size) TASKS.get(this.lab)?.delete(this);
    return 0;
  }

  closeAll(): void {
    for (const fd of [...this.files.keys()]) this.close(fd);
    TASKS.get(this.lab)?.delete(this);
  }

  sockOf(fd: number): Sock | null {
    return this.sock(fd);
  }

  /** The stream socket behind an fd, or null. */
  tcpSockOf(fd: number): TcpSock | null {
    const sk = this.sock(fd);
    return sk && isStream(sk) ? sk : null;
  }

  /** The inode of the socket behind an fd (sockfs), as /proc/PID/fd's "socket:[N]" names it. */
  inodeOf(fd: number): number {
    const sk = this.sock(fd);
    return sk ? sock_i_ino(sk) : 0;
  }

  // ---- files of the host's store: open(2), read(2), write(2), unlink(2), sendfile(2) ------------------

  /** open(2): a file of the host's store (fs/namei.c's path_openat), as a new fd. */
  open(path: string, flags: number, mode = 0o644): number {
    const created = flags & O_CREAT && !lookup_inode(this.host.fs, path);
    const f = path_openat(this.host.fs, path, flags, mode);
    if (typeof f === 'number') return f;
    // current_time: a new name changes its directory; O_TRUNC of a file changes the file.
    if (created) this.stamp(f.path, true);
    else if (flags & O_TRUNC && f.fMode & 2 /* FMODE_WRITE */) f.inode.mtime = this.lab.now();
    const fd = this.nextFd++;
    this.regular.set(fd, f);
    return fd;
  }

  /** Whether an fd is a file of the store (not a socket). */
  isFile(fd: number): boolean {
    return this.regular.has(fd);
  }

  /** read(2) on a file: up to `len` bytes from its offset (vfs_read), or an errno. */
  readFile(fd: number, len: number): Uint8Array | number {
    const f = this.regular.get(fd);
    return f ? vfs_read(f, len) : -EBADF;
  }

  /** write(2) on a file (vfs_write). */
  writeFile(fd: number, data: Uint8Array): number {
    const f = this.regular.get(fd);
    if (!f) return -EBADF;
    const n = vfs_write(f, data);
    // file_update_time, for the store's own files (not /dev's).
    if (n > 0 && S_ISREG(f.inode.mode)) f.inode.mtime = this.lab.now();
    return n;
  }

  /** The file at `path` (and, with `parent`, its directory: an entry came or went) modified now. */
  private stamp(path: string, parent: boolean): void {
    const now = this.lab.now();
    const inode = lookup_inode(this.host.fs, path);
    if (inode) inode.mtime = now;
    if (!parent) return;
    const dir = lookup_inode(this.host.fs, path.replace(/\/+[^/]*\/*$/, '') || '/');
    if (dir) dir.mtime = now;
  }

  /** lseek(2) with SEEK_SET. */
  lseek(fd: number, off: number): number {
    const f = this.regular.get(fd);
    if (!f) return -EBADF;
    if (off < 0) return -EINVAL;
    return (f.fPos = off);
  }

  /** unlink(2) (do_unlinkat). */
  unlink(path: string): number {
    const rc = do_unlinkat(this.host.fs, path);
    if (rc === 0) this.stamp(path, true);
    return rc;
  }

  /** mkdir(2) (do_mkdirat). */
  mkdir(path: string, mode = 0o777): number {
    const rc = do_mkdirat(this.host.fs, path, mode & ~0o022);
    if (rc === 0) this.stamp(path, true);
    return rc;
  }

  /** rmdir(2) (do_rmdir). */
  rmdir(path: string): number {
    const rc = do_rmdir(this.host.fs, path);
    if (rc === 0) this.stamp(path, true);
    return rc;
  }

  /**
   * sendfile(2): `count` bytes of file `inFd` from `offset` (its value moves; null: the file's offset) to
   * the stream socket `outFd` (do_sendfile → splice_direct_to_actor → splice_to_socket → tcp_sendmsg with
   * MSG_SPLICE_PAGES). A blocking socket waits for send space, as splice_to_socket's sock_sendmsg sleeps in
   * sk_stream_wait_memory, until every byte went or the file ended.
   */
  async sendfile(outFd: number, inFd: number, offset: { v: number } | null, count: number): Promise<number> {
    const inFile = this.regular.get(inFd);
    if (!inFile) return -EBADF;
    const out = this.file(outFd);
    if (!out) return this.regular.has(outFd) ? -EINVAL : -EBADF;
    const sk = out.sk;
    if (!isStream(sk)) return -EINVAL;
    const until = out.sndtimeo === Infinity ? Infinity : this.lab.now() + out.sndtimeo;
    let sent = 0;
    for (;;) {
      const rc = this.syscall(() => do_sendfile(this.lab, inFile, sk, offset, count - sent));
      if (rc > 0) sent += rc;
      if (sent >= count || rc === 0) return sent;
      if (rc < 0 && rc !== -EAGAIN) return sent > 0 ? sent : rc;
      if (rc > 0) continue;
      if (out.nonblock) return sent > 0 ? sent : -EAGAIN;
      const w = await this.waitFor([sk], () => (tcp_poll(sk) & (POLLOUT | POLLERR | POLLHUP)) !== 0, until);
      if (w !== 'ready') return sent > 0 ? sent : w === 'intr' ? -EINTR : -EAGAIN;
    }
  }

  // ---- fcntl(2), ioctl(2) ------------------------------------------------------------------------------

  fcntl(fd: number, cmd: number, arg = 0): number {
    const f = this.file(fd);
    if (!f) return -EBADF;
    if (cmd === F_GETFL) return 2 /* O_RDWR */ | (f.nonblock ? O_NONBLOCK : 0);
    if (cmd === F_SETFL) {
      f.nonblock = (arg & O_NONBLOCK) !== 0;
      return 0;
    }
    return -EINVAL;
  }

  /** ioctl(2): SIOCINQ (FIONREAD), SIOCOUTQ, SIOCOUTQNSD on a stream socket (tcp_ioctl); FIONREAD for UDP. */
  ioctl(fd: number, cmd: number): number {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
    const u = unix_sk(sk);
    if (u) return cmd === SIOCINQ ? unix_inq_len(u) : cmd === SIOCOUTQ ? unix_outq_len(u) : -ENOPROTOOPT;
    if (isStream(sk)) return tcp_ioctl(sk, cmd);
    if (cmd === SIOCINQ) return sk.receiveQueue[0] ? sk.receiveQueue[0].len : 0;
    return -ENOPROTOOPT;
  }

  // ---- setsockopt(2), getsockopt(2) --------------------------------------------------------------------

  /** The options the datagram tools set by name (kept for ping, traceroute, nc -u, iperf -u). */
  setsockopt(
    fd: number,
    opt: 'ttl' | 'tos' | 'mtu_discover' | 'recverr' | 'rcvbuf' | 'broadcast' | 'icmp_filter',
    value: number,
  ): number {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
    if (opt === 'ttl') return this.setsockoptLevel(fd, SOL_IP, IP_TTL, value);
    if (opt === 'tos') return this.setsockoptLevel(fd, SOL_IP, IP_TOS, value);
    if (opt === 'rcvbuf') return this.setsockoptLevel(fd, SOL_SOCKET, SO_RCVBUF, value);
    if (opt === 'broadcast') return this.setsockoptLevel(fd, SOL_SOCKET, SO_BROADCAST, value);
    if (opt === 'mtu_discover') return this.setsockoptLevel(fd, SOL_IP, IP_MTU_DISCOVER, value);
    if (opt === 'recverr') sk.recverr = !!value;
    else if (opt === 'icmp_filter') sk.icmpFilter = value >>> 0;
    return 0;
  }

  /**
   * setsockopt(2) by level and name. A stream socket's SOL_SOCKET and SOL_TCP options go to the kernel's
   * sk_setsockopt / do_tcp_setsockopt (TCP_CONGESTION takes a name, SO_LINGER {onoff, linger} or
   * [onoff, seconds]); SOL_IP's TTL and TOS are ip_setsockopt's, for every socket. SO_RCVTIMEO and
   * SO_SNDTIMEO (nanoseconds here, 0 for none) live with the file.
   */
  setsockoptLevel(
    fd: number,
    level: number,
    name: number,
    value: number | string | Linger | [number, number],
  ): number {
    const f = this.file(fd);
    if (!f) return -EBADF;
    const sk = f.sk;
    const v = typeof value === 'number' ? value : 0;
    if (level === SOL_SOCKET && (name === SO_RCVTIMEO || name === SO_SNDTIMEO)) {
      if (name === SO_RCVTIMEO) f.rcvtimeo = v > 0 ? v : Infinity;
      else f.sndtimeo = v > 0 ? v : Infinity;
      return 0;
    }
    // AF_UNIX has only SOL_SOCKET options (its proto_ops have no setsockopt).
    if (unix_sk(sk) && level !== SOL_SOCKET) return -EOPNOTSUPP;
    if (level === SOL_IP) {
      if (name === IP_TTL) {
        if (v < -1 || v > 255 || v === 0) return -EINVAL;
        sk.ttl = v;
        return 0;
      }
      if (name === IP_TOS) {
        __ip_sock_set_tos(sk, v);
        return 0;
      }
      if (name === IP_MTU_DISCOVER) return ip_sock_set_mtu_discover(sk, v);
      return -ENOPROTOOPT;
    }
    if (isStream(sk)) {
      const val = Array.isArray(value) ? { onoff: value[0], linger: value[1] } : value;
      return this.syscall(() => tcp_setsockopt(this.lab, sk, level, name, val));
    }
    if (level !== SOL_SOCKET) return -ENOPROTOOPT;
    switch (name) {
      case SO_BROADCAST:
        sk.broadcast = !!v;
        return 0;
      case SO_RCVBUF:
        sk.rcvbuf = Math.max(2304, Math.min(v, RMEM_MAX) * 2);
        return 0;
      case SO_SNDBUF:
      case SO_REUSEADDR:
      case SO_REUSEPORT:
        return 0;
      case SO_ZEROCOPY:
        // sk_setsockopt takes it only on TCP and UDP sockets; UDP's MSG_ZEROCOPY is not modelled.
        return sk.protocol === IPPROTO_UDP ? -ENOPROTOOPT : -EOPNOTSUPP;
    }
    return -ENOPROTOOPT;
  }

  /**
   * getsockopt(2): a stream socket's through the kernel's sk_getsockopt / do_tcp_getsockopt (SO_ERROR is
   * sock_error's errno, and clears it; TCP_INFO is tcp_get_info's struct tcp_info); a datagram socket's
   * SO_ERROR, SO_RCVBUF, SO_SNDBUF.
   */
  getsockopt(fd: number, level: number, name: number): unknown {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
    if (isStream(sk)) {
      const v = this.syscall(() => tcp_getsockopt(this.lab, sk, level, name));
      return typeof v === 'number' ? v + 0 : v; // sk_getsockopt's -sock_error() is -0 without an error
    }
    if (level === SOL_SOCKET) {
      switch (name) {
        case SO_ERROR: {
          const e = sk.skErr;
          sk.skErr = 0;
          return e;
        }
        case SO_SNDBUF:
          return 212992;
        case SO_RCVBUF:
          return sk.rcvbuf;
      }
    }
    return -ENOPROTOOPT;
  }

  /** Whether a stream socket's connect has ended in a closed state (the peer refused, or it timed out). */
  static isClosed(sk: Sock): boolean {
    return isStream(sk) && sk.state === TCP_CLOSE;
  }
}
