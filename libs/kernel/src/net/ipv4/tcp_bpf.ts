/**
 * net/ipv4/tcp_bpf.c: TCP's proto while the socket is in a sockmap. With an sk_msg program (TCP_BPF_TX),
 * each sendmsg becomes an sk_msg the program judges: redirected with BPF_F_INGRESS, the bytes go straight
 * onto the target socket's psock ingress_msg (bpf_tcp_ingress), and the target's reader takes them from
 * there (tcp_bpf_recvmsg). No skb is built, nothing goes through TCP's output, IP, a device or the NET_RX
 * softirq: no segment, packet or softnet counter moves, and sequence numbers stay where they were.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { TcpSock } from '../../include/linux/tcp';
import { BPF_F_INGRESS } from '../../include/linux/bpf';
import {
  MAX_MSG_FRAGS,
  SK_MSG_FRAG_SIZE,
  type SkMsg,
  type SkProt,
  type SkProtRecvResult,
  type SkPsock,
} from '../../include/linux/skmsg';
import { EACCES, EPIPE, EAGAIN } from '../../include/linux/errno';
import { MSG_PEEK, RCV_SHUTDOWN } from '../../include/net/tcp';
import { sk_mem_charge, sk_rmem_schedule } from '../../include/net/sock';
import { kfn } from '../../include/net/trace';
import {
  __SK_DROP,
  __SK_PASS,
  __SK_REDIRECT,
  sk_msg_alloc,
  sk_msg_is_readable,
  sk_msg_recvmsg,
  sk_psock_data_ready,
  sk_psock_msg_verdict,
  sk_psock_queue_msg,
} from '../core/skmsg';
import { sock_map_close, sock_map_destroy } from '../core/sock_map';
import { sk_stream_error } from '../core/stream';
import { tcp_close, tcp_recvmsg, tcp_sendmsg, tcp_sendmsg_locked, type TcpRecvResult } from './tcp';
import { tcp_v4_destroy_sock } from './tcp_ipv4';
import { trace_sendmsg } from './af_inet';

const FILE = 'net/ipv4/tcp_bpf.c';

export const F_TCP_BPF = {
  sendmsg: kfn(
    'tcp_bpf_sendmsg',
    FILE,
    'tcp',
    (o: SkMsg) => `${o.sk.comm}'s sendmsg of ${o.data.length} bytes as an sk_msg: no skb, no tcp_sendmsg`,
  ),
  sendVerdict: kfn('tcp_bpf_send_verdict', FILE, 'tcp', (o: SkMsg, verdict) =>
    verdict === __SK_REDIRECT
      ? `__SK_REDIRECT${o.flags & BPF_F_INGRESS ? ' to the ingress' : ' to the egress'} of ${o.skRedir?.comm ?? '?'}'s socket`
      : verdict === __SK_PASS
        ? '__SK_PASS: tcp_bpf_push → tcp_sendmsg_locked, the normal TCP path'
        : '__SK_DROP: the sendmsg fails with EACCES',
  ),
  sendmsgRedir: kfn('tcp_bpf_sendmsg_redir', FILE, 'tcp', (o: SkMsg, ret) =>
    ret < 0 ? `target has no psock: ${ret}` : `sk_psock_get of the target`,
  ),
  ingress: kfn(
    'bpf_tcp_ingress',
    FILE,
    'tcp',
    (o: SkMsg, size, qlen, rmem) =>
      `${size} bytes onto ingress_msg of ${o.skRedir?.comm ?? '?'}'s socket (${qlen} sk_msgs, rmem ${rmem}), sk_psock_data_ready: no IP, no device, no softirq`,
  ),
  recvmsg: kfn(
    'tcp_bpf_recvmsg',
    FILE,
    'tcp',
    (o: SkMsg, len) => `recvmsg of up to ${len} bytes: the psock's ingress_msg first`,
  ),
};

// tcp_bpf_prots[TCP_BPF_IPV4]: tcp_prot with these overrides (tcp_bpf_rebuild_protos).
const TCP_BPF_BASE: SkProt = {
  config: 'base',
  sendmsg: null,
  recvmsg: tcp_bpf_recvmsg,
  close: tcp_bpf_close,
  destroy: tcp_bpf_destroy,
  sockIsReadable: sk_msg_is_readable,
};
const TCP_BPF_TX: SkProt = { ...TCP_BPF_BASE, config: 'tx', sendmsg: tcp_bpf_sendmsg };

/** tcp_bpf_update_proto: TCP_BPF_TX when the psock has an sk_msg program, else TCP_BPF_BASE. */
export function tcp_bpf_update_proto(sk: TcpSock, psock: SkPsock): void {
  sk.skProt = psock.progs.msgParser ? TCP_BPF_TX : TCP_BPF_BASE;
}

/** sk_prot->close: sock_map_close, then tcp_prot's close. */
function tcp_bpf_close(ctx: KernelCtx, sk: TcpSock, timeout: number): void {
  sock_map_close(ctx, sk, timeout, tcp_close);
}

/** sk_prot->destroy: sock_map_destroy, then tcp_v4_destroy_sock. */
function tcp_bpf_destroy(ctx: KernelCtx, sk: TcpSock): void {
  sock_map_destroy(ctx, sk);
  tcp_v4_destroy_sock(ctx, sk);
}

/**
 * bpf_tcp_ingress: charge the target's receive memory (sk_rmem_schedule, sk_mem_charge, sk_rmem_alloc),
 * move the message onto its ingress_msg and wake its reader. tcp_mem pressure is not modelled, so the
 * charge never fails (the kernel's -ENOMEM).
 */
function bpf_tcp_ingress(ctx: KernelCtx, sk: TcpSock, psock: SkPsock, msg: SkMsg): number {
  const size = msg.data.length - msg.off;
  sk_rmem_schedule(sk, size);
  sk_mem_charge(sk, size);
  sk.rmemAlloc += size;
  if (!sk_psock_queue_msg(psock, msg)) sk.rmemAlloc -= size;
  ctx.step(msg.trace, F_TCP_BPF.ingress, msg, size, psock.ingressMsg.length, sk.rmemAlloc);
  sk_psock_data_ready(sk);
  return 0;
}

/**
 * tcp_bpf_sendmsg_redir: to the target's ingress (bpf_tcp_ingress) or egress (tcp_bpf_push_locked: its
 * own tcp_sendmsg_locked). A target that left its maps has no psock: EPIPE.
 */
export function tcp_bpf_sendmsg_redir(ctx: KernelCtx, sk: TcpSock, ingress: boolean, msg: SkMsg): number {
  const psock = sk.psock;
  ctx.step(msg.trace, F_TCP_BPF.sendmsgRedir, msg, psock ? 0 : -EPIPE);
  if (!psock) return -EPIPE;
  if (ingress) return bpf_tcp_ingress(ctx, sk, psock, msg);
  const ret = tcp_sendmsg_locked(ctx, sk, msg.data.subarray(msg.off), 0);
  ctx.free(msg.trace);
  return ret < 0 ? ret : 0;
}

/**
 * tcp_bpf_send_verdict: run the verdict (sk_psock_msg_verdict) and act on it. Returns 0, or a negative
 * errno with `copied` (what the caller reports) reduced by what was not sent.
 */
function tcp_bpf_send_verdict(ctx: KernelCtx, sk: TcpSock, psock: SkPsock, msg: SkMsg): number {
  const verdict = sk_psock_msg_verdict(ctx, sk, psock, msg);
  ctx.step(msg.trace, F_TCP_BPF.sendVerdict, msg, verdict);
  switch (verdict) {
    case __SK_PASS: {
      // tcp_bpf_push: the bytes go to this socket's own tcp_sendmsg_locked.
      const ret = tcp_sendmsg_locked(ctx, sk, msg.data.subarray(msg.off), 0);
      ctx.free(msg.trace);
      return ret < 0 ? ret : 0;
    }
    case __SK_REDIRECT: {
      const target = msg.skRedir!;
      return tcp_bpf_sendmsg_redir(ctx, target, (msg.flags & BPF_F_INGRESS) !== 0, msg);
    }
    case __SK_DROP:
    default:
      ctx.free(msg.trace);
      return -EACCES;
  }
}

/**
 * tcp_bpf_sendmsg (sk_prot->sendmsg with an sk_msg program): the data, in sk_msgs of up to MAX_MSG_FRAGS
 * 32 KB page fragments each, through the verdict. Returns the bytes taken, or an error if none were.
 * The sender's own memory (sk_msg_alloc's charge) is given back as each message is handed on, so it is
 * not modelled.
 */
export function tcp_bpf_sendmsg(ctx: KernelCtx, sk: TcpSock, data: Uint8Array, flags: number): number {
  const psock = sk.psock;
  if (!psock) return tcp_sendmsg(ctx, sk, data, flags);
  let copied = 0;
  let err = 0;
  const max = MAX_MSG_FRAGS * SK_MSG_FRAG_SIZE;
  while (copied < data.length) {
    if (sk.skErr) {
      err = -sk.skErr;
      break;
    }
    const copy = Math.min(data.length - copied, max);
    // sk_msg_memcopy_from_iter: the user's bytes are copied into the message's pages.
    const msg = sk_msg_alloc(ctx, sk, data.slice(copied, copied + copy));
    // The system call's steps on the first message, as tcp_sendmsg_locked puts them on its first skb.
    if (copied === 0) trace_sendmsg(ctx, msg.trace, sk, data.length, sk.daddr, sk.dport);
    ctx.step(msg.trace, F_TCP_BPF.sendmsg, msg);
    copied += copy;
    err = tcp_bpf_send_verdict(ctx, sk, psock, msg);
    if (err < 0) {
      copied -= copy;
      break;
    }
  }
  if (err < 0) err = sk_stream_error(sk, flags, err);
  return copied > 0 ? copied : err;
}

/**
 * tcp_bpf_recvmsg (sk_prot->recvmsg in a sockmap): the psock's ingress_msg, or tcp_recvmsg when only the
 * receive queue has something (data that came over TCP before the socket joined the map) or the peer
 * shut down (tcp_msg_wait_data's end of stream). Callers pass MSG_DONTWAIT (the runtime sleeps and calls
 * again), so an empty queue is EAGAIN.
 */
export function tcp_bpf_recvmsg(
  ctx: KernelCtx,
  sk: TcpSock,
  len: number,
  flags: number,
): TcpRecvResult | SkProtRecvResult | number {
  if (!len) return { data: new Uint8Array(0), copied: 0, msgFlags: 0, wouldBlock: false };
  const psock = sk.psock;
  if (!psock) return tcp_recvmsg(ctx, sk, len, flags);
  if (sk.receiveQueue.length && !psock.ingressMsg.length) return tcp_recvmsg(ctx, sk, len, flags);
  const first = psock.ingressMsg[0];
  if (first) ctx.step(first.trace, F_TCP_BPF.recvmsg, first, len);
  const chunks = sk_msg_recvmsg(ctx, sk, psock, len, (flags & MSG_PEEK) !== 0);
  const copied = chunks.reduce((n, c) => n + c.length, 0);
  if (!copied) {
    // tcp_msg_wait_data with no time to wait: only a shut-down receive side says "data".
    if (sk.shutdown & RCV_SHUTDOWN) return tcp_recvmsg(ctx, sk, len, flags);
    if (sk.skErr) return tcp_recvmsg(ctx, sk, len, flags);
    return -EAGAIN;
  }
  const out = new Uint8Array(copied);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return { data: out, copied, msgFlags: 0, wouldBlock: false };
}
