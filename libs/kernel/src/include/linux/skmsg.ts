/**
 * include/linux/skmsg.h: struct sk_msg (the bytes of a sendmsg, in page fragments, without an skb) and
 * struct sk_psock (what a socket in a sockmap carries: the map's programs, its ingress_msg queue, the
 * proto it had before).
 */
import type { SkBuff } from './skbuff';
import type { KernelCtx } from '../net/kctx';
import type { TcpSock } from './tcp';
import type { BpfMap, BpfProg } from './bpf';

/** MAX_MSG_FRAGS (MAX_SKB_FRAGS): the scatterlist entries of one sk_msg. */
export const MAX_MSG_FRAGS = 17;
/** sk_page_frag_refill's 32 KB compound pages: what one entry holds at most. */
export const SK_MSG_FRAG_SIZE = 32768;

/** struct sk_msg: the data (one buffer stands for the scatterlist) and where it is going. */
export interface SkMsg {
  data: Uint8Array;
  /** sg.start's offset into data: what a reader has taken. */
  off: number;
  /** The socket that sent it (msg->sk). */
  sk: TcpSock;
  /** bpf_msg_redirect_*'s target and flags (BPF_F_INGRESS). */
  skRedir: TcpSock | null;
  flags: number;
  /**
   * The trace's handle: an skb-shaped record keyed by a fresh id so skbtrace can show the message's
   * journey. It is never queued, never goes through a hop, and carries no headers: the data has no skb.
   */
  trace: SkBuff;
}

/** What a recvmsg returns (net/ipv4/tcp.ts's TcpRecvResult has this shape). */
export interface SkProtRecvResult {
  data: Uint8Array;
  copied: number;
  msgFlags: number;
  wouldBlock: boolean;
  inq?: number;
}

/**
 * The socket's struct proto while it is in a sockmap (tcp_bpf_prots[TCP_BPF_IPV4][config]): what
 * tcp_sendmsg, tcp_recvmsg, tcp_close, tcp_poll and tcp_v4_destroy_sock hand over to, as inet_sendmsg,
 * inet_recvmsg, inet_release and the others reach sk->sk_prot. sendmsg is null in TCP_BPF_BASE (no sk_msg
 * program: tcp_sendmsg's own).
 */
export interface SkProt {
  config: 'base' | 'tx';
  sendmsg: ((ctx: KernelCtx, sk: TcpSock, data: Uint8Array, flags: number) => number) | null;
  recvmsg: (ctx: KernelCtx, sk: TcpSock, len: number, flags: number) => SkProtRecvResult | number;
  close: (ctx: KernelCtx, sk: TcpSock, timeout: number) => void;
  destroy: (ctx: KernelCtx, sk: TcpSock) => void;
  sockIsReadable: (sk: TcpSock) => boolean;
}

/** struct sk_psock_link: one map the socket is in, under which key. */
export interface SkPsockLink {
  map: BpfMap;
  key: string | number;
}

/** struct sk_psock */
export interface SkPsock {
  sk: TcpSock;
  progs: { msgParser: BpfProg | null };
  /** ingress_msg: what was redirected to this socket, for tcp_bpf_recvmsg. */
  ingressMsg: SkMsg[];
  /** msg_tot_len */
  msgTotLen: number;
  links: SkPsockLink[];
  /** SK_PSOCK_TX_ENABLED: cleared by sk_psock_stop. */
  txEnabled: boolean;
  refcnt: number;
}
