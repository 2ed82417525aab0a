/**
 * net/ipv4/inet_hashtables.c and the port allocation of inet_connection_sock.c: TCP's three tables, kept per
 * namespace. The established hash holds full sockets, request socks (TCP_NEW_SYN_RECV) and TIME_WAIT
 * buckets by their 4-tuple; listeners are found by port; bind buckets say who uses a local port.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { Host, Net } from '../../include/net/net_namespace';
import { secure_ipv4_port_ephemeral } from '../core/secure_seq';
import type { RequestSock, TcpSock, TimewaitSock } from '../../include/linux/tcp';
import type { EhashEntry } from '../../include/net/inet_hashtables';
import { TCP_LISTEN, TCP_TIME_WAIT } from '../../include/net/tcp_states';
import { EADDRINUSE, EADDRNOTAVAIL } from '../../include/linux/errno';
import { SOCK_BINDPORT_LOCK } from '../../include/net/tcp';
import { LINUX_MIB } from '../../include/net/snmp';
import { tcp_twsk_unique } from './tcp_ipv4';
import { inet_twsk_deschedule_put } from './inet_timewait_sock';

export type { EhashEntry };

export function isTimewait(e: EhashEntry): e is TimewaitSock {
  return (e as TimewaitSock).kind === 'timewait';
}
export function isRequest(e: EhashEntry): e is RequestSock {
  return (e as RequestSock).kind === 'request';
}
export function isFullSock(e: EhashEntry | null): e is TcpSock {
  return !!e && (e as { kind?: string }).kind === undefined;
}

/** __inet_lookup_established: the 4-tuple's socket, request sock or TIME_WAIT bucket. */
export function __inet_lookup_established(
  net: Net,
  saddr: number,
  sport: number,
  daddr: number,
  dport: number,
): EhashEntry | null {
  return net.tcpEhash.get(daddr, dport, saddr, sport);
}

/**
 * __inet_lookup_listener: a listener on the port, one bound to the packet's destination address before one
 * bound to any address (inet_lhash2_lookup on (daddr, port), then on (INADDR_ANY, port)); with
 * SO_REUSEPORT, the group member the flow hashes to.
 */
export function __inet_lookup_listener(
  net: Net,
  saddr: number,
  sport: number,
  daddr: number,
  dport: number,
  dif: number,
): TcpSock | null {
  const list = net.tcpLhash.get(dport);
  if (!list) return null;
  for (const want of [daddr >>> 0, 0]) {
    const group = list.filter(
      (sk) =>
        sk.state === TCP_LISTEN && sk.rcvSaddr >>> 0 === want && (!sk.boundDevIf || sk.boundDevIf === dif),
    );
    if (!group.length) continue;
    if (group.length === 1 || !group[0].reuseport) return group[0];
    // reuseport_select_sock: the flow's hash picks one of the group.
    const h = (Math.imul(saddr ^ (sport << 16) ^ daddr ^ dport, 0x9e3779b1) >>> 0) % group.length;
    return group[h];
  }
  return null;
}

/** __inet_lookup_skb: established first, then a listener. */
export function __inet_lookup(
  net: Net,
  saddr: number,
  sport: number,
  daddr: number,
  dport: number,
  dif: number,
): EhashEntry | null {
  return (
    __inet_lookup_established(net, saddr, sport, daddr, dport) ??
    __inet_lookup_listener(net, saddr, sport, daddr, dport, dif)
  );
}

/** inet_ehash_insert: into the established hash (a child, a request sock, a TIME_WAIT bucket). */
export function inet_ehash_insert(net: Net, sk: TcpSock): boolean {
  const old = net.tcpEhash.get(sk.rcvSaddr, sk.num, sk.daddr, sk.dport);
  if (old && old !== sk && !isRequest(old)) return false;
  net.tcpEhash.set(sk.rcvSaddr, sk.num, sk.daddr, sk.dport, sk);
  return true;
}

/** inet_hash: a listener goes to the listening hash (tcp_v4_hash → inet_hash → __inet_hash). */
export function inet_hash(sk: TcpSock): number {
  if (sk.state !== TCP_LISTEN) {
    // inet_ehash_nolisten
    inet_ehash_insert(sk.net, sk);
    sk.hashed = 'established';
    return 0;
  }
  const list = sk.net.tcpLhash.get(sk.num) ?? [];
  // Listeners bound to an address are looked up first; order within a port is insertion order, as
  // __inet_hash's hlist_add_tail_rcu for reuseport groups keeps it.
  list.push(sk);
  sk.net.tcpLhash.set(sk.num, list);
  sk.hashed = 'listen';
  return 0;
}

/** inet_unhash */
export function inet_unhash(sk: TcpSock): void {
  const net = sk.net;
  if (sk.hashed === 'listen') {
    const list = net.tcpLhash.get(sk.num);
    if (list) {
      const rest = list.filter((s) => s !== sk);
      if (rest.length) net.tcpLhash.set(sk.num, rest);
      else net.tcpLhash.delete(sk.num);
    }
  } else if (sk.hashed === 'established') {
    net.tcpEhash.deleteIf(sk.rcvSaddr, sk.num, sk.daddr, sk.dport, sk);
  }
  sk.hashed = 'none';
}

/** inet_bind_hash: the socket takes (a share of) the port's bind bucket. */
export function inet_bind_hash(sk: TcpSock | TimewaitSock, port: number): void {
  const net = sk.net;
  const owners = net.tcpBhash.get(port) ?? [];
  owners.push(sk);
  net.tcpBhash.set(port, owners);
  if ((sk as TcpSock).kind === undefined) {
    (sk as TcpSock).bound = true;
    (sk as TcpSock).num = port;
  }
}

/** inet_put_port / __inet_put_port: leave the port's bind bucket (freed with its last owner). */
export function inet_put_port(sk: TcpSock | TimewaitSock): void {
  const net = sk.net;
  const port = sk.num;
  const owners = net.tcpBhash.get(port);
  if (owners) {
    const rest = owners.filter((s) => s !== sk);
    if (rest.length) net.tcpBhash.set(port, rest);
    else net.tcpBhash.delete(port);
  }
  if ((sk as TcpSock).kind === undefined) {
    (sk as TcpSock).bound = false;
    // inet_put_port keeps inet_num only for a port the user bound (SOCK_BINDPORT_LOCK).
    if (!((sk as TcpSock).userlocks & SOCK_BINDPORT_LOCK)) (sk as TcpSock).num = 0;
  }
}

/** __inet_inherit_port: a child shares its listener's bind bucket. */
export function __inet_inherit_port(sk: TcpSock, child: TcpSock): number {
  inet_bind_hash(child, sk.num);
  return 0;
}

/** The owners of a port that another socket's address would clash with (inet_bind_conflict). */
function addrsOverlap(a: number, b: number): boolean {
  return a === 0 || b === 0 || a >>> 0 === b >>> 0;
}

/**
 * inet_csk_bind_conflict: another user of the port whose address overlaps, unless both set SO_REUSEADDR and
 * it is not listening, or both set SO_REUSEPORT.
 */
function inet_csk_bind_conflict(sk: TcpSock, owners: Array<TcpSock | TimewaitSock>, relax: boolean): boolean {
  for (const o of owners) {
    if (o === sk) continue;
    const tw = (o as TimewaitSock).kind === 'timewait';
    const oState = tw ? TCP_TIME_WAIT : (o as TcpSock).state;
    const oReuse = o.reuse;
    const oReuseport = tw ? false : (o as TcpSock).reuseport;
    const oAddr = o.rcvSaddr;
    if (sk.boundDevIf && !tw && (o as TcpSock).boundDevIf && (o as TcpSock).boundDevIf !== sk.boundDevIf)
      continue;
    if (sk.reuse && oReuse && oState !== TCP_LISTEN && relax) continue;
    if (sk.reuseport && oReuseport && (oState !== TCP_LISTEN || sk.state === TCP_LISTEN)) continue;
    if (addrsOverlap(sk.rcvSaddr, oAddr)) return true;
  }
  return false;
}

/**
 * inet_csk_get_port: bind(2)'s port. 0 picks a free one from ip_local_port_range, odd ports first
 * (inet_csk_find_open_port leaves the other parity to connect()).
 */
export function inet_csk_get_port(ctx: KernelCtx, sk: TcpSock, snum: number): number {
  const net = sk.net;
  if (snum) {
    const owners = net.tcpBhash.get(snum) ?? [];
    if (owners.length && inet_csk_bind_conflict(sk, owners, true)) return -EADDRINUSE;
    inet_bind_hash(sk, snum);
    return 0;
  }
  const [lo, hiIncl] = net.sysctl.ipLocalPortRange;
  const high = hiIncl + 1;
  let remaining = high - lo;
  if (remaining > 1) remaining &= ~1;
  let offset = (ctx.random32() >>> 0) % Math.max(remaining, 1) | 1;
  for (let pass = 0; pass < 2; pass++) {
    let port = lo + offset;
    for (let i = 0; i < remaining; i += 2, port += 2) {
      if (port >= high) port -= remaining;
      const owners = net.tcpBhash.get(port);
      if (!owners || !inet_csk_bind_conflict(sk, owners, false)) {
        inet_bind_hash(sk, port);
        return 0;
      }
    }
    offset--;
    if (offset & 1) break;
  }
  return -EADDRINUSE;
}

/**
 * __inet_check_established: is the 4-tuple free for a connect()? A TIME_WAIT bucket may be reused
 * (tcp_twsk_unique, net.ipv4.tcp_tw_reuse), and then it dies (TWRecycled).
 */
function __inet_check_established(ctx: KernelCtx, sk: TcpSock, lport: number): boolean {
  const e = sk.net.tcpEhash.get(sk.rcvSaddr, lport, sk.daddr, sk.dport);
  if (!e) return true;
  if (isTimewait(e) && tcp_twsk_unique(ctx, sk, e)) {
    sk.net.linuxMib[LINUX_MIB.TWRecycled]++;
    inet_twsk_deschedule_put(ctx, e);
    return true;
  }
  return false;
}

/** INET_TABLE_PERTURB_SIZE: 1 << CONFIG_INET_TABLE_PERTURB_ORDER (16). */
const INET_TABLE_PERTURB_SIZE = 1 << 16;
const perturbTables = new WeakMap<Host, Uint32Array>();

/** table_perturb: one per kernel, random from its first use (get_random_sleepable_once). */
function table_perturb(ctx: KernelCtx, host: Host): Uint32Array {
  let t = perturbTables.get(host);
  if (!t) {
    t = new Uint32Array(INET_TABLE_PERTURB_SIZE);
    // One draw from the kernel's generator, spread over the table by a xorshift (cheaper than 65,536 draws).
    let x = ctx.random32() >>> 0 || 1;
    for (let i = 0; i < t.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      t[i] = x >>> 0;
    }
    perturbTables.set(host, t);
  }
  return t;
}

/**
 * __inet_hash_connect: the local port of a connect() on an unbound socket. Even ports first (bind takes the
 * odd ones), from a per-destination offset; a port someone bound is skipped, one used only by connections is
 * shared if the 4-tuple is free. Then the socket joins the established hash.
 */
export function inet_hash_connect(ctx: KernelCtx, sk: TcpSock): number {
  const net = sk.net;
  if (sk.num) {
    // bind() chose the port: the 4-tuple must be free.
    if (!__inet_check_established(ctx, sk, sk.num)) return -EADDRNOTAVAIL;
    inet_hash(sk);
    return 0;
  }
  const [lo, hiIncl] = net.sysctl.ipLocalPortRange;
  // No IP_LOCAL_PORT_RANGE on the socket: ports of lo's parity first, step 2.
  const step = 2;
  const high = hiIncl + 1; // [32768, 60999] -> [32768, 61000[
  let remaining = high - lo;
  if (remaining > 1) remaining &= ~1;
  // The destination picks a slot of the perturbation table; the slot says how far its previous connects
  // went, so successive connects to one destination take successive ports (RFC 6056, algorithm 4).
  const portOffset = secure_ipv4_port_ephemeral(ctx, net, sk.rcvSaddr, sk.daddr, sk.dport);
  const table = table_perturb(ctx, net.host);
  const index = portOffset.lo & (INET_TABLE_PERTURB_SIZE - 1);
  let offset = ((table[index] + portOffset.hi) >>> 0) % Math.max(remaining, 1);
  offset &= ~1;
  for (;;) {
    let port = lo + offset;
    for (let i = 0; i < remaining; i += step, port += step) {
      if (port >= high) port -= remaining;
      const owners = net.tcpBhash.get(port);
      if (owners) {
        // A bucket made by bind() (fastreuse >= 0) is not shared with connect().
        if (
          owners.some(
            (o) => (o as TcpSock).kind === undefined && (o as TcpSock).userlocks & SOCK_BINDPORT_LOCK,
          )
        )
          continue;
        if (!__inet_check_established(ctx, sk, port)) continue;
      }
      // A little randomness for the next connect: up to 7 ports further on when contention is low.
      const advance = Math.max(i, ((ctx.random32() >>> 0) % 8) * step);
      table[index] = (table[index] + advance + step) >>> 0;
      inet_bind_hash(sk, port);
      sk.sport = port;
      inet_hash(sk);
      return 0;
    }
    offset++;
    if (!(offset & 1) || remaining <= 1) break;
  }
  return -EADDRNOTAVAIL;
}
