/**
 * net/unix/diag.c: what NETLINK_SOCK_DIAG answers ss for AF_UNIX (unix_diag_dump → sk_diag_fill): each
 * socket of the namespace in one of the asked states, with its name, peer, queue lengths and, for -e, its
 * shutdown mask, path inode and a listener's pending connections.
 */
import type { Net } from '../../include/net/net_namespace';
import { TCP_LISTEN } from '../../include/net/tcp_states';
import type { UnixSock } from '../../include/net/af_unix';
import { unix_inq_len, unix_outq_len } from './af_unix';
import { sock_i_ino } from '../ipv4/proc';

/** sock_i_ino of an AF_UNIX socket: 0 once no file holds it (an embryo not yet accepted, a closed peer). */
const ino = (sk: UnixSock): number => (sk.hasSocket ? sock_i_ino(sk) : 0);

/** struct unix_diag_msg with the attributes ss asks for. */
export interface UnixDiagMsg {
  sk: UnixSock;
  type: number;
  state: number;
  ino: number;
  /** UNIX_DIAG_NAME: sun_path as bound (an abstract name with its leading NUL), absent when unbound. */
  name?: string;
  /** UNIX_DIAG_PEER: the peer's inode. */
  peer?: number;
  /** UNIX_DIAG_RQLEN: a listener's queue and backlog, else unread bytes and sk_wmem_alloc. */
  rqueue: number;
  wqueue: number;
  /** UNIX_DIAG_VFS: the inode of the socket's path. */
  vfsIno?: number;
  /** UNIX_DIAG_ICONS: a listener's pending connections, by their client's inode. */
  icons?: number[];
  /** UNIX_DIAG_SHUTDOWN */
  shutdown: number;
}

/** sk_diag_fill: one socket's message. */
function sk_diag_fill(sk: UnixSock): UnixDiagMsg {
  const listening = sk.state === TCP_LISTEN;
  return {
    sk,
    type: sk.type,
    state: sk.state,
    ino: ino(sk),
    name: sk.addr?.name,
    peer: sk.peer ? ino(sk.peer) : undefined,
    rqueue: listening ? sk.receiveQueue.length : Math.max(0, unix_inq_len(sk)),
    wqueue: listening ? sk.maxAckBacklog : unix_outq_len(sk),
    vfsIno: sk.path?.ino,
    icons: listening
      ? sk.receiveQueue.map((skb) => {
          const embryo = skb.sk as UnixSock;
          return embryo.peer ? ino(embryo.peer) : 0;
        })
      : undefined,
    shutdown: sk.shutdown,
  };
}

/** unix_diag_dump: the namespace's sockets whose state is in `states` (a mask of 1 << state). */
export function unix_diag_dump(net: Net, states: number): UnixDiagMsg[] {
  const out: UnixDiagMsg[] = [];
  // A socket no file holds (a connection not yet accepted) has no inode, and is left out.
  for (const sk of net.unx.table) if (states & (1 << sk.state) && ino(sk)) out.push(sk_diag_fill(sk));
  return out;
}
