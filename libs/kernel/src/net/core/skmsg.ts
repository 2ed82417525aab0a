/**
 * net/core/skmsg.c: the sk_psock of a socket in a sockmap (its programs and its ingress_msg queue) and
 * sk_msg, the skb-less message a redirected sendmsg becomes: the verdict program runs on it, and the
 * receiving socket's reader copies it out of ingress_msg.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { TcpSock } from '../../include/linux/tcp';
import { allocSkb } from '../../include/linux/skbuff';
import { SK_DROP, SK_PASS, type SkMsgMd } from '../../include/linux/bpf';
import type { SkMsg, SkPsock } from '../../include/linux/skmsg';
import { sk_mem_uncharge, sockDefReadable } from '../../include/net/sock';
import { kfn } from '../../include/net/trace';

const FILE = 'net/core/skmsg.c';

/** __SK_DROP, __SK_PASS, __SK_REDIRECT: what sk_psock_msg_verdict makes of a program's answer. */
export const __SK_DROP = 0;
export const __SK_PASS = 1;
export const __SK_REDIRECT = 2;

export const F_SKMSG = {
  msgVerdict: kfn('sk_psock_msg_verdict', FILE, 'socket', (o: SkMsg, ret, verdict) => {
    const v = verdict === __SK_REDIRECT ? '__SK_REDIRECT' : verdict === __SK_PASS ? '__SK_PASS' : '__SK_DROP';
    return `sk_msg program of ${o.sk.comm} on ${o.data.length} bytes: ${ret === SK_PASS ? 'SK_PASS' : 'SK_DROP'} → ${v}`;
  }),
  recvmsg: kfn(
    'sk_msg_recvmsg',
    FILE,
    'socket',
    (o: SkMsg, copy, left) =>
      `read by ${o.skRedir?.comm ?? '?'} from ingress_msg: ${copy} bytes${left ? `, ${left} left in this sk_msg` : ', sk_msg freed'}`,
  ),
  purgeIngress: kfn(
    '__sk_psock_purge_ingress_msg',
    FILE,
    'socket',
    (o: SkMsg) => `${o.data.length - o.off} unread bytes freed with the psock (sk_psock_destroy)`,
  ),
};

/** sk_psock_init: the socket's psock, with no programs yet, and its saved proto (tcp_prot: none here). */
export function sk_psock_init(sk: TcpSock): SkPsock {
  const psock: SkPsock = {
    sk,
    progs: { msgParser: null },
    ingressMsg: [],
    msgTotLen: 0,
    links: [],
    txEnabled: true,
    refcnt: 1,
  };
  sk.psock = psock;
  return psock;
}

/**
 * sk_psock_drop: the socket gets its proto back (sk_psock_restore_proto: tcp_prot) and no longer has a
 * psock; sk_psock_stop ends transmits, and sk_psock_destroy (an RCU work item in the kernel, run here at
 * once) frees what ingress_msg still holds. Whoever drops the last link loses the unread bytes.
 */
export function sk_psock_drop(ctx: KernelCtx, sk: TcpSock, psock: SkPsock): void {
  if (sk.psock !== psock) return;
  sk.skProt = null;
  sk.psock = null;
  sk_psock_stop(psock);
  __sk_psock_purge_ingress_msg(ctx, psock);
  psock.progs.msgParser = null;
}

/** sk_psock_stop: no more transmits to this psock (bpf_tcp_ingress's sk_psock_queue_msg refuses). */
export function sk_psock_stop(psock: SkPsock): void {
  psock.txEnabled = false;
}

/** __sk_psock_purge_ingress_msg: free what was not read, giving back its receive memory. */
function __sk_psock_purge_ingress_msg(ctx: KernelCtx, psock: SkPsock): void {
  const sk = psock.sk;
  for (const m of psock.ingressMsg) {
    const left = m.data.length - m.off;
    ctx.step(m.trace, F_SKMSG.purgeIngress, m);
    sk_mem_uncharge(sk, left);
    sk.rmemAlloc -= left;
    ctx.free(m.trace);
  }
  psock.ingressMsg = [];
  psock.msgTotLen = 0;
}

/** A new sk_msg for `len` bytes sent by `sk` (sk_msg_init + sk_msg_alloc + sk_msg_memcopy_from_iter). */
export function sk_msg_alloc(ctx: KernelCtx, sk: TcpSock, data: Uint8Array): SkMsg {
  const trace = allocSkb(ctx.newSkbId(), sk.net, 0, 0);
  trace.len = data.length;
  return { data, off: 0, sk, skRedir: null, flags: 0, trace };
}

/**
 * sk_psock_msg_verdict: run the psock's sk_msg program (sk_msg_convert_ctx_access gives it the sender's
 * addresses); SK_PASS with a redirect set is __SK_REDIRECT, without one __SK_PASS; no program passes.
 */
export function sk_psock_msg_verdict(ctx: KernelCtx, sk: TcpSock, psock: SkPsock, msg: SkMsg): number {
  const prog = psock.progs.msgParser;
  if (!prog) return __SK_PASS;
  msg.sk = sk;
  const md: SkMsgMd = {
    msg,
    family: 2,
    localIp4: htonl(sk.rcvSaddr || sk.saddr),
    remoteIp4: htonl(sk.daddr),
    localPort: sk.sport,
    // remote_port: the network-order port in the upper half, as sk_msg_convert_ctx_access loads it.
    remotePort: htonl(sk.dport) >>> 0,
    size: msg.data.length - msg.off,
  };
  const ret = prog.behaviour.run(ctx, md, prog.maps);
  const verdict = ret === SK_PASS ? (msg.skRedir ? __SK_REDIRECT : __SK_PASS) : __SK_DROP;
  if (ret !== SK_PASS) msg.skRedir = null;
  ctx.step(msg.trace, F_SKMSG.msgVerdict, msg, ret === SK_PASS ? SK_PASS : SK_DROP, verdict);
  return verdict;
}

/** The u32 a program reads for an address held in host order: its network-order bytes, as a little-endian load. */
function htonl(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** sk_psock_queue_msg: onto ingress_msg (false if the psock is being torn down: the caller frees it). */
export function sk_psock_queue_msg(psock: SkPsock, msg: SkMsg): boolean {
  if (!psock.txEnabled) return false;
  psock.ingressMsg.push(msg);
  psock.msgTotLen += msg.data.length - msg.off;
  return true;
}

/** sk_psock_data_ready: sk_data_ready (sock_def_readable) wakes the reader. */
export function sk_psock_data_ready(sk: TcpSock): void {
  sockDefReadable(sk);
}

/** sk_msg_is_readable (sk_prot->sock_is_readable): anything on ingress_msg. */
export function sk_msg_is_readable(sk: TcpSock): boolean {
  return !!sk.psock && sk.psock.ingressMsg.length > 0;
}

/**
 * sk_msg_recvmsg: copy up to `len` bytes from ingress_msg, giving back the receive memory each copy was
 * charged (sk_mem_uncharge, sk_rmem_alloc). With MSG_PEEK nothing is taken.
 */
export function sk_msg_recvmsg(
  ctx: KernelCtx,
  sk: TcpSock,
  psock: SkPsock,
  len: number,
  peek: boolean,
): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let copied = 0;
  let i = 0;
  while (copied < len && i < psock.ingressMsg.length) {
    const m = psock.ingressMsg[i];
    const off = m.off;
    const copy = Math.min(m.data.length - off, len - copied);
    chunks.push(m.data.subarray(off, off + copy));
    copied += copy;
    if (peek) {
      i++;
      continue;
    }
    m.off += copy;
    sk_mem_uncharge(sk, copy);
    sk.rmemAlloc -= copy;
    psock.msgTotLen -= copy;
    const left = m.data.length - m.off;
    ctx.step(m.trace, F_SKMSG.recvmsg, m, copy, left);
    if (!left) {
      psock.ingressMsg.shift();
      ctx.free(m.trace);
    }
  }
  return chunks;
}
