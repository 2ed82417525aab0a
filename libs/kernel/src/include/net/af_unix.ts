/**
 * include/net/af_unix.h: struct unix_sock, its address and the skb control block (UNIXCB). An AF_UNIX
 * socket is a struct sock like the others (receive queue, wait queue, sk_err), plus its peer, its name and
 * the inode a path name made; its skbs go straight from the writer to the peer's sk_receive_queue.
 */
import type { Inode } from '../linux/fs';
import type { Sock } from './sock';

export const AF_UNIX = 1;
export const SOCK_SEQPACKET = 5;

/** offsetof(struct sockaddr_un, sun_path): sun_family's two bytes. */
export const SUN_PATH_OFFSET = 2;
/** sizeof(sun_path) */
export const UNIX_PATH_MAX = 108;

/** struct unix_address: the name as bound, sun_path's bytes (an abstract name begins with a NUL). */
export interface UnixAddress {
  /** sun_path up to addr->len (a path name without its terminating NUL: unix_mkname_bsd's length). */
  name: string;
  /** The address length, sun_family included. */
  len: number;
}

/** struct unix_skb_parms (UNIXCB(skb)): how much of a stream skb the reader has taken. */
export interface UnixSkbParms {
  consumed: number;
}

/** struct unix_sock */
export interface UnixSock extends Sock {
  family: typeof AF_UNIX;
  /** sk_state: TCP_CLOSE, TCP_LISTEN or TCP_ESTABLISHED (the states AF_UNIX borrows from TCP). */
  state: number;
  /** sk_shutdown: RCV_SHUTDOWN | SEND_SHUTDOWN */
  shutdown: number;
  /** unix_peer(sk) */
  peer: UnixSock | null;
  addr: UnixAddress | null;
  /**
   * sk_hash is its name's (bind of an abstract name, or autobind): what unix_find_socket_byname finds. A
   * socket bound to a path is found by its inode instead, and an accepted one only shares its listener's.
   */
  addrHashed: boolean;
  /** u->path: the socket inode a path name's bind made (an accepted socket shares its listener's). */
  path: Inode | null;
  /** sk_max_ack_backlog: listen's backlog, or net.unix.max_dgram_qlen for a datagram receiver. */
  maxAckBacklog: number;
  sndbuf: number;
  /** SOCK_DEAD: released (sock_orphan). */
  dead: boolean;
  /** sk->sk_socket is set: a file holds it (not an embryo waiting in a listener's queue). */
  hasSocket: boolean;
  /** u->peer_wait: connects waiting for room in this listener's queue, senders for this receiver's. */
  peerWait: { wq: Array<() => void> };
}

/** struct netns_unix */
export interface NetnsUnix {
  /** unix_table: the namespace's sockets, bound or not (what /proc/net/unix and unix_diag walk). */
  table: Set<UnixSock>;
  /** net.unix.max_dgram_qlen */
  sysctlMaxDgramQlen: number;
}

export function unix_sk(sk: Sock): UnixSock | null {
  return (sk as Partial<UnixSock>).family === AF_UNIX ? (sk as UnixSock) : null;
}

/** unix_peer(sk) */
export function unix_peer(sk: UnixSock): UnixSock | null {
  return sk.peer;
}

/**
 * The sun_path a tool prints for an address: a path as it is, an abstract name with '@' for its leading NUL
 * (and any other NUL), as ss and /proc/net/unix show it.
 */
export function unix_addr_text(addr: UnixAddress): string {
  return addr.name.replace(/\0/g, '@');
}
