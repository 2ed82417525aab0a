/**
 * net/core/skbuff.c: MSG_ZEROCOPY's notification ranges (struct ubuf_info_msgzc): msg_zerocopy_alloc /
 * msg_zerocopy_realloc give each zerocopy sendmsg an id from sk_zckey (consecutive calls that append to the
 * same skb share one range), every skb that points at the user pages holds a reference, and the last put
 * (__msg_zerocopy_callback) queues [ee_info = first id, ee_data = last id] on sk_error_queue, merged into
 * the queue's tail when the ids follow on. An skb that had to copy the pages (skb_copy_ubufs: tun, veth and
 * loopback paths call skb_orphan_frags_rx) marks its range SO_EE_CODE_ZEROCOPY_COPIED. Also
 * sock_dequeue_err_skb, what recvmsg(MSG_ERRQUEUE) takes entries with.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff, SkbFrag, UbufInfoMsgzc } from '../../include/linux/skbuff';
import {
  MAX_SKB_FRAGS,
  SKBTX_HW_TSTAMP,
  SKBTX_HW_TSTAMP_USE_CYCLES,
  SKBTX_IN_PROGRESS,
  SKBTX_SCHED_TSTAMP,
  SKBTX_SW_TSTAMP,
  allocSkb,
  skbTruesize,
} from '../../include/linux/skbuff';
import {
  SCM_TSTAMP_SND,
  SOF_TIMESTAMPING_BIND_PHC,
  SOF_TIMESTAMPING_OPT_ID,
  SOF_TIMESTAMPING_OPT_TSONLY,
  SOF_TIMESTAMPING_OPT_TX_SWHW,
  SOF_TIMESTAMPING_TX_HARDWARE,
  SOF_TIMESTAMPING_TX_SCHED,
  SOF_TIMESTAMPING_TX_SOFTWARE,
} from '../../include/linux/net_tstamp';
import type { TcpSock } from '../../include/linux/tcp';
import type { Sock, SockExtendedErr } from '../../include/net/sock';
import { SOCK_STREAM, SO_EE_CODE_ZEROCOPY_COPIED } from '../../include/net/sock';
import { sk_error_report, sock_flag_dead } from './sock';
import { EEXIST, EMSGSIZE, ENOMEM, ENOMSG } from '../../include/linux/errno';

export const PAGE_SIZE = 4096;
const USHRT_MAX = 0xffff;

/**
 * mm_account_pinned_pages: pinned pages count against RLIMIT_MEMLOCK unless the task has CAP_IPC_LOCK.
 * The lab's processes run as root, so nothing is charged and it never fails.
 */
function mm_account_pinned_pages(_size: number): number {
  return 0;
}

/**
 * msg_zerocopy_alloc: a new range for one sendmsg: the next id of sk_zckey, one call long, one reference
 * (the caller's). sock_omalloc's option-memory limit is not modelled.
 */
export function msg_zerocopy_alloc(sk: TcpSock, size: number): UbufInfoMsgzc | null {
  if (mm_account_pinned_pages(size)) return null;
  const id = sk.zckey >>> 0;
  sk.zckey = (sk.zckey + 1) >>> 0;
  return { id, len: 1, bytelen: size, zerocopy: true, refcnt: 1, sk };
}

/**
 * msg_zerocopy_realloc: a sendmsg that appends to an skb already pointing at a range extends that range
 * (one more id, and a reference for this call) if its ids are still the latest; past 512 KB or 65534 calls,
 * or when another range came since, a stream gets a new range (which cannot share the skb: the append then
 * starts a new skb, skb_zerocopy_iter_stream's -EEXIST).
 */
export function msg_zerocopy_realloc(
  sk: TcpSock,
  size: number,
  uarg: UbufInfoMsgzc | null,
): UbufInfoMsgzc | null {
  if (uarg) {
    const byteLimit = 1 << 19; // limit to a few TSO
    const bytelen = uarg.bytelen + size;
    if (!(uarg.len === USHRT_MAX - 1 || bytelen > byteLimit)) {
      const next = sk.zckey >>> 0;
      if ((uarg.id + uarg.len) >>> 0 === next) {
        if (mm_account_pinned_pages(size)) return null;
        uarg.len++;
        uarg.bytelen = bytelen;
        sk.zckey = (next + 1) >>> 0;
        // no extra ref when appending to datagram (MSG_MORE); a stream's call holds one
        if (sk.type === SOCK_STREAM) net_zcopy_get(uarg);
        return uarg;
      }
    }
  }
  return msg_zerocopy_alloc(sk, size);
}

/** skb_zerocopy_notify_extend: merge ids lo..lo+len-1 into the queued notification if they follow on. */
function skb_zerocopy_notify_extend(serr: SockExtendedErr, lo: number, len: number): boolean {
  const oldLo = serr.info;
  const oldHi = serr.data;
  const sumLen = ((oldHi - oldLo) >>> 0) + 1 + len;
  if (sumLen >= 2 ** 32) return false;
  if (lo !== (oldHi + 1) >>> 0) return false;
  serr.data = (serr.data + len) >>> 0;
  return true;
}

/**
 * __msg_zerocopy_callback: the range's last reference is gone: queue its notification (ee_errno 0,
 * SO_EE_ORIGIN_ZEROCOPY, ee_info..ee_data the ids, SO_EE_CODE_ZEROCOPY_COPIED if any skb copied), merged
 * into the queue's tail notification when possible, and sk_error_report. A range emptied by an aborted
 * call, or a dead socket's, queues nothing.
 */
export function __msg_zerocopy_callback(uarg: UbufInfoMsgzc): void {
  const sk = uarg.sk;
  if (!uarg.len || sock_flag_dead(sk)) return;
  const len = uarg.len;
  const lo = uarg.id;
  const hi = (uarg.id + len - 1) >>> 0;
  const serr: SockExtendedErr = {
    errno: 0,
    origin: 'zerocopy',
    type: 0,
    code: uarg.zerocopy ? 0 : SO_EE_CODE_ZEROCOPY_COPIED,
    offender: 0,
    info: lo,
    data: hi,
    seq: 0,
    id: 0,
    tstamp: 0,
  };
  const q = sk.errorQueue;
  const tail = q[q.length - 1];
  if (!tail || tail.origin !== 'zerocopy' || !skb_zerocopy_notify_extend(tail, lo, len)) q.push(serr);
  sk_error_report(sk);
}

/** msg_zerocopy_complete (ubuf_info_ops.complete): drop a reference; `success` false marks the range copied. */
export function msg_zerocopy_complete(uarg: UbufInfoMsgzc, success: boolean): void {
  uarg.zerocopy = uarg.zerocopy && success;
  if (--uarg.refcnt === 0) __msg_zerocopy_callback(uarg);
}

/** msg_zerocopy_put_abort: the call sent nothing: give its id back, and its reference if it holds one. */
export function msg_zerocopy_put_abort(uarg: UbufInfoMsgzc, haveUref: boolean): void {
  const sk = uarg.sk;
  sk.zckey = (sk.zckey - 1) >>> 0;
  uarg.len--;
  if (haveUref) msg_zerocopy_complete(uarg, true);
}

/** net_zcopy_get */
export function net_zcopy_get(uarg: UbufInfoMsgzc): void {
  uarg.refcnt++;
}

/** net_zcopy_put: the caller's reference, completed as a success. */
export function net_zcopy_put(uarg: UbufInfoMsgzc | null): void {
  if (uarg) msg_zerocopy_complete(uarg, true);
}

/** net_zcopy_put_abort */
export function net_zcopy_put_abort(uarg: UbufInfoMsgzc | null, haveUref: boolean): void {
  if (uarg) msg_zerocopy_put_abort(uarg, haveUref);
}

/** skb_zcopy: the range the skb's frags belong to, or null. */
export function skb_zcopy(skb: SkBuff | null | undefined): UbufInfoMsgzc | null {
  return skb ? skb.zcopy : null;
}

/** skb_zcopy_pure */
export function skb_zcopy_pure(skb: SkBuff): boolean {
  return skb.zcopyPure;
}

/** skb_zcopy_set: point an skb without a range at `uarg`, taking a reference. */
export function skb_zcopy_set(skb: SkBuff | null, uarg: UbufInfoMsgzc | null): void {
  if (skb && uarg && !skb_zcopy(skb)) {
    net_zcopy_get(uarg);
    skb.zcopy = uarg;
  }
}

/**
 * skb_zcopy_clear: the skb lets go of its range (skb_release_data when it is freed: a success; after
 * skb_copy_ubufs: a copy).
 */
export function skb_zcopy_clear(skb: SkBuff, zerocopySuccess: boolean): void {
  const uarg = skb_zcopy(skb);
  if (uarg) {
    msg_zerocopy_complete(uarg, zerocopySuccess);
    skb.zcopy = null;
    skb.zcopyPure = false;
  }
}

/**
 * skb_copy_ubufs: copy the pinned user pages into kernel pages, so the user may reuse them. The skb here is
 * a clone of the write-queue skb: skb_unclone gives it its own shared info (pskb_expand_head takes a
 * reference on the range), and skb_zcopy_clear(skb, false) drops that reference again, marking the range
 * copied. The model's bytes are already in the skb, so only the marking is left.
 */
export function skb_copy_ubufs(skb: SkBuff): number {
  const uarg = skb_zcopy(skb);
  if (!uarg) return 0;
  uarg.zerocopy = false;
  skb.zcopy = null;
  skb.zcopyPure = false;
  skb.frags = skb.frags.map((f) => ({ size: f.size, user: false }));
  return 0;
}

/** skb_orphan_frags_rx: frags must be orphaned, even if refcounted, if skb might loop to rx path. */
export function skb_orphan_frags_rx(skb: SkBuff): number {
  if (!skb_zcopy(skb)) return 0;
  return skb_copy_ubufs(skb);
}

/**
 * skb_zerocopy_iter_stream → __zerocopy_sg_from_iter → zerocopy_fill_skb_from_iter: point the skb at up
 * to `len` bytes of the user's iovec from `off` (the model copies the bytes, and counts the frags): each
 * iovec element is its own buffer (the model takes it as starting a page), so it adds one frag per page it
 * spans, and a frag costs truesize PAGE_ALIGN(bytes). With MAX_SKB_FRAGS frags the skb is full: -EMSGSIZE if
 * nothing was added. An skb pointing at another range gives -EEXIST. Returns the bytes added.
 */
export function skb_zerocopy_iter_stream(
  sk: TcpSock,
  skb: SkBuff,
  data: Uint8Array,
  iov: readonly number[],
  off: number,
  len: number,
  uarg: UbufInfoMsgzc,
): { copied: number; truesize: number } | number {
  const origUarg = skb_zcopy(skb);
  // An skb can only point to one uarg. This edge case happens when TCP appends to an skb, but
  // zerocopy_realloc triggered a new alloc.
  if (origUarg && uarg !== origUarg) return -EEXIST;
  let copied = 0;
  let truesize = 0;
  let err = 0;
  // Walk the iovec to `off`, then take pages while frags are left.
  let base = 0;
  const frags = skb.frags.slice();
  for (const l of iov) {
    if (copied >= len) break;
    const end = base + l;
    if (end > off + copied && l > 0) {
      const at = off + copied - base;
      const want = Math.min(l - at, len - copied);
      let took = 0;
      while (took < want) {
        if (frags.length === MAX_SKB_FRAGS) {
          err = -EMSGSIZE;
          break;
        }
        const pageOff = (at + took) % PAGE_SIZE;
        const size = Math.min(want - took, PAGE_SIZE - pageOff);
        frags.push({ size, user: true } satisfies SkbFrag);
        truesize += PAGE_SIZE * Math.ceil((size + pageOff) / PAGE_SIZE);
        took += size;
      }
      copied += took;
      if (err) break;
    }
    base = end;
  }
  if (err && copied === 0) return err;
  skb.frags = frags;
  skb_put_data(skb, data.subarray(off, off + copied));
  skb.zcTruesize += truesize;
  skb_zcopy_set(skb, uarg);
  return { copied, truesize };
}

/** skb_put_data: append bytes to the model's copy of the payload. */
function skb_put_data(skb: SkBuff, bytes: Uint8Array): void {
  const at = skb.data + skb.len;
  if (at + bytes.length > skb.buf.length) {
    const nb = new Uint8Array(Math.max(at + bytes.length, skb.buf.length * 2));
    nb.set(skb.buf);
    skb.buf = nb;
  }
  skb.buf.set(bytes, at);
  skb.len += bytes.length;
}

/**
 * skb_split's frags (skb_split_no_header), with skb_zerocopy_clone: the tail part takes the frags past
 * `len` (a frag across `len` is shared, as both halves point into its page) and a reference on the range.
 */
export function skb_split_frags(skb: SkBuff, buff: SkBuff, len: number): void {
  if (!skb.frags.length && !skb.zcopy) return;
  const linear = skb.len - skb.frags.reduce((a, f) => a + f.size, 0);
  let pos = linear;
  const keep: SkbFrag[] = [];
  const move: SkbFrag[] = [];
  for (const f of skb.frags) {
    const end = pos + f.size;
    if (end <= len) keep.push(f);
    else if (pos >= len) move.push(f);
    else {
      keep.push({ size: len - pos, user: f.user });
      move.push({ size: end - len, user: f.user });
    }
    pos = end;
  }
  skb.frags = keep;
  buff.frags = move;
  buff.zcopyPure = skb.zcopyPure;
  skb_zcopy_set(buff, skb.zcopy);
}

/** __pskb_trim_head's frags: `len` bytes are about to leave the front (the linear part goes first). */
export function skb_trim_head_frags(skb: SkBuff, len: number): void {
  if (!skb.frags.length) return;
  const frags = skb.frags.slice();
  const linear = skb.len - frags.reduce((a, f) => a + f.size, 0);
  let eat = Math.max(0, len - linear);
  while (eat > 0 && frags.length) {
    const f = frags[0];
    if (f.size <= eat) {
      eat -= f.size;
      frags.shift();
    } else {
      frags[0] = { size: f.size - eat, user: f.user };
      eat = 0;
    }
  }
  skb.frags = frags;
}

/**
 * sock_dequeue_err_skb: take the error queue's head. If the next one is an ICMP error its errno becomes
 * sk_err (else an ICMP error taken clears it), and a queue left non-empty reports again.
 */
export function sock_dequeue_err_skb(sk: Sock): SockExtendedErr | null {
  const q = sk.errorQueue;
  if (!q.length) return null;
  const skb = q.shift()!;
  const next = q[0];
  const icmpNext = !!next && is_icmp_err_skb(next);
  if (icmpNext) sk.skErr = next.errno;
  if (is_icmp_err_skb(skb) && !icmpNext) sk.skErr = 0;
  if (next) sk_error_report(sk);
  return skb;
}

/** is_icmp_err_skb (ICMP and ICMPv6 errors) */
function is_icmp_err_skb(serr: SockExtendedErr): boolean {
  return serr.origin === 'icmp';
}

// ---- transmit timestamps (SO_TIMESTAMPING) ----------------------------------------------------------------

/**
 * sock_queue_err_skb: queue an error-queue entry charged to sk_rmem_alloc (none past sk_rcvbuf: -ENOMEM),
 * and sk_error_report unless the socket is dead.
 */
export function sock_queue_err_skb(sk: Sock, serr: SockExtendedErr, truesize: number): number {
  if (sk.rmemAlloc + truesize >= sk.rcvbuf) return -ENOMEM;
  sk.rmemAlloc += truesize;
  serr.truesize = truesize;
  sk.errorQueue.push(serr);
  if (!sock_flag_dead(sk)) sk_error_report(sk);
  return 0;
}

/**
 * __skb_complete_tx_timestamp: the timestamped clone goes on the error queue: ENOMSG, origin
 * SO_EE_ORIGIN_TIMESTAMPING, ee_info the tstype, and with SOF_TIMESTAMPING_OPT_ID ee_data the skb's key
 * (a TCP socket's counted from sk_tskey).
 */
function __skb_complete_tx_timestamp(
  sk: Sock,
  bytes: Uint8Array,
  tskey: number,
  tstamp: number,
  tstype: number,
  truesize: number,
): void {
  let data = 0;
  if (sk.tsflags & SOF_TIMESTAMPING_OPT_ID) {
    data = tskey;
    if (sk.type === SOCK_STREAM) data = (data - sk.tskey) >>> 0;
  }
  const serr: SockExtendedErr = {
    errno: ENOMSG,
    origin: 'timestamping',
    type: 0,
    code: 0,
    offender: 0,
    info: tstype,
    data,
    seq: 0,
    id: 0,
    tstamp,
    payload: bytes,
  };
  sock_queue_err_skb(sk, serr, truesize);
}

/**
 * __skb_tstamp_tx: a software timestamp of `origSkb` now (__net_timestamp): a clone of it (the bytes it
 * holds now) or, with SOF_TIMESTAMPING_OPT_TSONLY, an empty skb, goes to its socket's error queue.
 * sysctl_tstamp_allow_data is 1, so skb_may_tx_timestamp allows the data.
 */
export function __skb_tstamp_tx(ctx: KernelCtx, origSkb: SkBuff, sk: Sock | null, tstype: number): void {
  if (!sk) return;
  const tsflags = sk.tsflags;
  if (!(tsflags & SOF_TIMESTAMPING_OPT_TX_SWHW) && origSkb.txFlags & SKBTX_IN_PROGRESS) return;
  const tsonly = (tsflags & SOF_TIMESTAMPING_OPT_TSONLY) !== 0;
  const bytes = tsonly ? new Uint8Array(0) : origSkb.buf.slice(origSkb.data, origSkb.data + origSkb.len);
  const truesize = tsonly ? skbTruesize(allocSkb(0, sk.net, 0)) : skbTruesize(origSkb);
  __skb_complete_tx_timestamp(sk, bytes, origSkb.tskey, ctx.now(), tstype, truesize);
}

/** skb_tstamp_tx: the driver's SCM_TSTAMP_SND for the skb's socket. */
export function skb_tstamp_tx(ctx: KernelCtx, skb: SkBuff): void {
  __skb_tstamp_tx(ctx, skb, skb.sk, SCM_TSTAMP_SND);
}

/** skb_tx_timestamp (skbuff.h): drivers call it as they hand the packet on (no PHC clone here). */
export function skb_tx_timestamp(ctx: KernelCtx, skb: SkBuff): void {
  if (skb.txFlags & SKBTX_SW_TSTAMP) skb_tstamp_tx(ctx, skb);
}

/**
 * __sock_tx_timestamp / sock_tx_timestamp (net/socket.c, sock.h): the SKBTX_* flags SO_TIMESTAMPING's
 * flags ask of an skb.
 */
export function sock_tx_timestamp(tsflags: number, txFlags: number): number {
  let flags = txFlags;
  if (tsflags & SOF_TIMESTAMPING_TX_HARDWARE) {
    flags |= SKBTX_HW_TSTAMP;
    if (tsflags & SOF_TIMESTAMPING_BIND_PHC) flags |= SKBTX_HW_TSTAMP_USE_CYCLES;
  }
  if (tsflags & SOF_TIMESTAMPING_TX_SOFTWARE) flags |= SKBTX_SW_TSTAMP;
  if (tsflags & SOF_TIMESTAMPING_TX_SCHED) flags |= SKBTX_SCHED_TSTAMP;
  return flags;
}
