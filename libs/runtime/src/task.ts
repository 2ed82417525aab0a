/**
 * A user-space process in a simulated host: its namespace, the CPU it runs on (taskset), its file
 * descriptors, and the system calls the tools use. Blocking calls wait in simulated time.
 */
import {
  AF_INET,
  EACCES,
  EAGAIN,
  EBADF,
  EINVAL,
  EPROTONOSUPPORT,
  IPPROTO_ICMP,
  IPPROTO_UDP,
  SOCK_DGRAM,
  SOCK_RAW,
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
  type Host,
  type Net,
  type SkBuff,
  type Sock,
  type SockExtendedErr,
} from '@skblab/kernel';
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
}

/** ip_cmsg_recv's IP_TOS: ip_hdr(skb)->tos. */
function tosOf(skb: SkBuff): number {
  return skb.buf[skb.networkHeader + 1];
}

let nextPid = 1000;

export class Task {
  readonly pid = nextPid++;
  private fds = new Map<number, Sock>();
  private nextFd = 3;

  constructor(
    readonly lab: Lab,
    readonly host: Host,
    public net: Net,
    readonly comm: string,
    public cpu: number,
  ) {}

  /** Kernel work on behalf of this task: process context on its CPU, softirqs at the end. */
  private syscall<T>(fn: () => T): T {
    return this.lab.inProcess(this.comm, fn, this.cpu);
  }

  private sock(fd: number): Sock | null {
    return this.fds.get(fd) ?? null;
  }

  /** socket(2): UDP, ping (ICMP datagram, if ping_group_range allows root's gid 0) sockets. */
  socket(family: number, type: number, protocol: number): number {
    if (family !== AF_INET) return -EINVAL;
    if (type === SOCK_DGRAM && (protocol === 0 || protocol === IPPROTO_UDP)) protocol = IPPROTO_UDP;
    else if (type === SOCK_DGRAM && protocol === IPPROTO_ICMP) {
      const [lo, hi] = this.net.sysctl.pingGroupRange;
      if (!(lo <= 0 && 0 <= hi)) return -EACCES;
    } else if (type === SOCK_RAW && protocol === IPPROTO_ICMP) {
      // root has CAP_NET_RAW
    } else return -EPROTONOSUPPORT;
    const sk = newSock(this.net, type, protocol, this.comm);
    if (type === SOCK_RAW) this.net.rawSocks.push(sk);
    const fd = this.nextFd++;
    this.fds.set(fd, sk);
    return fd;
  }

  bind(fd: number, addr: number, port: number): number {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
    if (addr && !this.net.ifaddrs.some((i) => i.local === addr) && addr >>> 24 !== 127) return -99; // EADDRNOTAVAIL
    sk.rcvSaddr = addr;
    sk.saddr = addr;
    if (sk.protocol === IPPROTO_UDP) return this.syscall(() => udp_lib_get_port(this.lab, sk, port));
    return 0;
  }

  connect(fd: number, addr: number, port: number): number {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
    const err = ip4_datagram_connect(sk, addr, port);
    if (err) return err;
    if (sk.protocol === IPPROTO_UDP && !sk.num) {
      const err = udp_lib_get_port(this.lab, sk, 0);
      if (err) return err;
    }
    return 0;
  }

  setsockopt(
    fd: number,
    opt: 'ttl' | 'tos' | 'mtu_discover' | 'recverr' | 'rcvbuf' | 'broadcast' | 'icmp_filter',
    value: number,
  ): number {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
    if (opt === 'ttl') {
      if (value < -1 || value > 255 || value === 0) return -EINVAL;
      sk.ttl = value;
    } else if (opt === 'tos') __ip_sock_set_tos(sk, value);
    else if (opt === 'mtu_discover') sk.pmtudisc = value;
    else if (opt === 'recverr') sk.recverr = !!value;
    else if (opt === 'rcvbuf') sk.rcvbuf = Math.max(2304, value * 2);
    else if (opt === 'broadcast') sk.broadcast = !!value;
    else if (opt === 'icmp_filter') sk.icmpFilter = value >>> 0;
    return 0;
  }

  /** sendto(2): the whole transmit path runs now, and the receive path at local_bh_enable. */
  sendto(fd: number, data: Uint8Array, addr: number | null, port: number): number {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
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

  /** recvfrom(2) without waiting: a datagram, or -EAGAIN. A pending hard error comes first. */
  tryRecv(fd: number): RecvResult | number {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
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

  /** recvmsg(MSG_ERRQUEUE) */
  recvErr(fd: number): SockExtendedErr | null {
    const sk = this.sock(fd);
    return sk?.errorQueue.shift() ?? null;
  }

  /**
   * poll(2) for readability (data, an error-queue entry, or a pending error) until the simulated
   * deadline; resolves true when readable.
   */
  waitReadable(fd: number, deadline: number): Promise<boolean> {
    const sk = this.sock(fd);
    if (!sk) return Promise.resolve(false);
    const ready = () => sk.receiveQueue.length > 0 || sk.errorQueue.length > 0 || sk.skErr !== 0;
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let settled = false;
      const waiter = () => {
        if (settled) return;
        settled = true;
        resolve(true);
      };
      sk.wq.push(waiter);
      if (deadline !== Infinity)
        this.lab.sleepUntil(deadline, this.host).then(() => {
          if (settled) return;
          settled = true;
          sk.wq = sk.wq.filter((w) => w !== waiter);
          resolve(ready());
        });
    });
  }

  close(fd: number): number {
    const sk = this.sock(fd);
    if (!sk) return -EBADF;
    sk.closed = true;
    if (sk.protocol === IPPROTO_UDP && sk.num) udp_lib_unhash(sk);
    if (sk.type === SOCK_RAW) sk.net.rawSocks = sk.net.rawSocks.filter((s) => s !== sk);
    else if (sk.protocol === IPPROTO_ICMP && sk.num) sk.net.pingHash.delete(sk.num);
    this.fds.delete(fd);
    return 0;
  }

  closeAll(): void {
    for (const fd of [...this.fds.keys()]) this.close(fd);
  }

  sockOf(fd: number): Sock | null {
    return this.sock(fd);
  }
}
