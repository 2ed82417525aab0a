/**
 * struct sk_buff (include/linux/skbuff.h), reduced to what the model reads.
 *
 *   buf:  |<-- headroom -->|<------ data (len bytes) ------>|<-- tailroom -->|
 *         0               data                         data+len          buf.length
 *
 * `buf` holds the real wire bytes: after `eth_header` the bytes from `data` are exactly what Linux would
 * put on the wire. Header offsets are absolute offsets into `buf` (-1 when unset), as skb->mac_header etc.
 */
import type { SkbDropReason } from '../net/dropreason-core';
import type { NetDevice } from './netdevice';
import type { Rtable } from '../net/route';
import type { Sock } from '../net/sock';
import type { Net } from '../net/net_namespace';
import type { TcpSkbCb } from '../net/tcp';
import type { TcpSock } from './tcp';
import type { UnixSkbParms } from '../net/af_unix';

/** skb_shinfo(skb)->tx_flags: what transmit timestamps the skb asks for (skbuff.h). */
export const SKBTX_HW_TSTAMP = 1 << 0;
export const SKBTX_SW_TSTAMP = 1 << 1;
export const SKBTX_IN_PROGRESS = 1 << 2;
export const SKBTX_HW_TSTAMP_USE_CYCLES = 1 << 3;
export const SKBTX_SCHED_TSTAMP = 1 << 6;
export const SKBTX_ANY_SW_TSTAMP = SKBTX_SW_TSTAMP | SKBTX_SCHED_TSTAMP;
export const SKBTX_ANY_TSTAMP = SKBTX_HW_TSTAMP | SKBTX_HW_TSTAMP_USE_CYCLES | SKBTX_ANY_SW_TSTAMP;

/** MAX_SKB_FRAGS (CONFIG_MAX_SKB_FRAGS, 17 by default): the page fragments one skb can point to. */
export const MAX_SKB_FRAGS = 17;

/**
 * struct ubuf_info_msgzc: one MSG_ZEROCOPY notification range (net/core/skbuff.c's msg_zerocopy_alloc keeps
 * it in an skb's cb, the skb that later goes on sk_error_queue). `id`..`id + len - 1` are the sendmsg calls
 * it covers; `zerocopy` stays true only if no skb that pointed at the user pages had to copy them
 * (skb_copy_ubufs), else the notification says SO_EE_CODE_ZEROCOPY_COPIED. Every skb that points at it
 * holds a reference (`refcnt`), and so does the sendmsg call while it runs; the last put queues the
 * notification.
 */
export interface UbufInfoMsgzc {
  id: number;
  len: number;
  bytelen: number;
  zerocopy: boolean;
  refcnt: number;
  sk: TcpSock;
}

/** A page fragment of skb_shinfo(skb)->frags: its size, and whether it is a pinned user page (zerocopy). */
export interface SkbFrag {
  readonly size: number;
  readonly user: boolean;
}

/** The frags of every skb without zerocopy data: one shared empty list (frag lists are replaced, never edited). */
export const NO_FRAGS: readonly SkbFrag[] = Object.freeze([]);

export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;
export const PACKET_OUTGOING = 4;
export const PACKET_LOOPBACK = 5;

export const CHECKSUM_NONE = 0;
export const CHECKSUM_UNNECESSARY = 1;
export const CHECKSUM_COMPLETE = 2;
export const CHECKSUM_PARTIAL = 3;

/**
 * What a driver counts once the backlog has taken the packet (dev_lstats_add for lo, dev_sw_netstats_tx_add
 * for veth: `len` bytes on `dev`'s TX counters). The driver hands the skb on to the __netif_rx hop, so the
 * count travels with the skb; enqueue_to_backlog applies it (or, for veth, counts tx_dropped and returns
 * NET_XMIT_DROP) and clears it.
 */
export interface TxAccount {
  dev: NetDevice;
  len: number;
  kind: 'loopback' | 'veth';
}

/** LL_MAX_HEADER-ish headroom every locally built skb reserves, so pushing L2 headers never reallocates. */
export const SKB_HEADROOM = 32;

export interface SkBuff {
  /** A lab-wide id; pwru's SKB column. */
  id: number;
  buf: Uint8Array;
  data: number;
  len: number;
  macHeader: number;
  networkHeader: number;
  transportHeader: number;
  /** skb->protocol, the ethertype (host byte order). */
  protocol: number;
  pktType: number;
  ipSummed: number;
  dev: NetDevice | null;
  /** The namespace the skb is in now (dev_net(skb->dev), or the socket's before a device is set). */
  net: Net;
  cpu: number;
  dst: Rtable | null;
  sk: Sock | null;
  /** IPCB(skb)->frag_max_size style scratch for fragmentation and reassembly. */
  fragMaxSize: number;
  /** True when the skb is an ICMP error we must not answer with another error. */
  ignoreDf: boolean;
  mark: number;
  dropReason: SkbDropReason | null;
  /**
   * The journey is recorded through KernelCtx.step (a trace ring, or a stream in distributed mode): the
   * runtime's number for this skb's journey, 0 until its first traced step.
   */
  traced: number;
  /** The process that caused the skb (pwru's PROCESS column): "ping", "<softirq>" ... */
  comm: string;
  /** Set by a driver between its ndo_start_xmit and enqueue_to_backlog; null everywhere else. */
  txAccount: TxAccount | null;
  /** skb_get_queue_mapping: the TX queue picked for it (netdev_core_pick_tx), or its RX queue. */
  queueMapping: number;
  /** skb->priority: the socket's sk_priority (IP_TOS sets it), or the TOS of a forwarded header. */
  priority: number;
  /** TCP_SKB_CB(skb): TCP's control block while TCP owns the skb (write, retransmit and receive queues). */
  tcb: TcpSkbCb | null;
  /** skb_shinfo(skb)->gso_segs / gso_size: a TSO/GSO skb's segments and their size (0 when not GSO). */
  gsoSegs: number;
  gsoSize: number;
  /**
   * skb->tstamp as a delivery time (skb_set_delivery_time, CLOCK_MONOTONIC ns): TCP's Earliest Departure
   * Time (tp->tcp_wstamp_ns), which sch_fq holds the skb until. 0 or absent: none.
   */
  tstamp?: number;
  /** skb->truesize when the owner set it (TCP charges its stream skbs so); 0: SKB_TRUESIZE of the buffer. */
  truesize: number;
  /**
   * skb_shinfo(skb)->destructor_arg with SKBFL_ZEROCOPY_ENABLE (skb_zcopy): the MSG_ZEROCOPY range whose
   * user pages this skb points at. Clones share it (one shared info), and only the original holds a ref.
   */
  zcopy: UbufInfoMsgzc | null;
  /** SKBFL_PURE_ZEROCOPY (skb_zcopy_pure): every byte is in pinned user pages, none charged to sk memory. */
  zcopyPure: boolean;
  /**
   * skb_shinfo(skb)->frags of an skb that took MSG_ZEROCOPY data (the model keeps every byte in `buf`; the
   * frags only count what MAX_SKB_FRAGS limits). NO_FRAGS for other skbs. Clones share the list, so it is
   * replaced, never edited.
   */
  frags: readonly SkbFrag[];
  /** What the pinned user pages added to truesize (PAGE_ALIGN per frag), not charged while zcopyPure. */
  zcTruesize: number;
  /** skb_shinfo(skb)->tx_flags (SKBTX_*) and ->tskey: transmit timestamps asked for, and their key. */
  txFlags: number;
  tskey: number;
  /** UNIXCB(skb): an AF_UNIX stream skb's read progress (absent on every other skb). */
  unixCb?: UnixSkbParms;
}

/**
 * Small skb data areas come from shared slabs, as the kernel's come from kmalloc caches: a zeroed view into
 * a 16 KiB ArrayBuffer costs a fraction of a fresh ArrayBuffer, whose backing store V8 allocates, tracks and
 * sweeps one by one (that cost dominated a 1-byte TCP round trip). Views keep exactly the length asked for
 * (skbTruesize reads it); a slab is never reused, so every view starts zeroed, and it is freed once no view
 * of it is left. Larger areas get their own buffer.
 */
const SLAB_SIZE = 1 << 14;
const SLAB_MAX_OBJ = 2048;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabOff = 0;

/** A zeroed data area of `n` bytes (kmalloc_reserve). */
export function skbDataAlloc(n: number): Uint8Array {
  if (n > SLAB_MAX_OBJ) return new Uint8Array(n);
  if (slabOff + n > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabOff = 0;
  }
  const u = new Uint8Array(slab, slabOff, n);
  slabOff += (n + 7) & ~7;
  return u;
}

/** alloc_skb + skb_reserve(headroom). `id` comes from the runtime (KernelCtx.newSkbId). */
export function allocSkb(id: number, net: Net, size: number, headroom = SKB_HEADROOM): SkBuff {
  return {
    id,
    buf: skbDataAlloc(headroom + size),
    data: headroom,
    len: 0,
    macHeader: -1,
    networkHeader: -1,
    transportHeader: -1,
    protocol: 0,
    pktType: PACKET_HOST,
    ipSummed: CHECKSUM_NONE,
    dev: null,
    net,
    cpu: 0,
    dst: null,
    sk: null,
    fragMaxSize: 0,
    ignoreDf: false,
    mark: 0,
    dropReason: null,
    traced: 0,
    comm: '',
    txAccount: null,
    queueMapping: 0,
    priority: 0,
    tcb: null,
    gsoSegs: 0,
    gsoSize: 0,
    truesize: 0,
    zcopy: null,
    zcopyPure: false,
    frags: NO_FRAGS,
    zcTruesize: 0,
    txFlags: 0,
    tskey: 0,
  };
}

/** skb_put: extend the data area at the tail; returns the offset of the new bytes. */
export function skbPut(skb: SkBuff, n: number): number {
  const off = skb.data + skb.len;
  if (off + n > skb.buf.length) {
    const nb = skbDataAlloc(Math.max(off + n, skb.buf.length * 2));
    nb.set(skb.buf);
    skb.buf = nb;
  }
  skb.len += n;
  return off;
}

/** skb_push: prepend n bytes of header room; returns the new data offset. */
export function skbPush(skb: SkBuff, n: number): number {
  if (skb.data < n) {
    // pskb_expand_head: keep offsets meaningful by shifting them.
    const grow = n - skb.data + SKB_HEADROOM;
    const nb = skbDataAlloc(skb.buf.length + grow);
    nb.set(skb.buf, grow);
    skb.buf = nb;
    skb.data += grow;
    if (skb.macHeader >= 0) skb.macHeader += grow;
    if (skb.networkHeader >= 0) skb.networkHeader += grow;
    if (skb.transportHeader >= 0) skb.transportHeader += grow;
  }
  skb.data -= n;
  skb.len += n;
  return skb.data;
}

/** skb_pull: consume n bytes at the head. */
export function skbPull(skb: SkBuff, n: number): number {
  skb.data += n;
  skb.len -= n;
  return skb.data;
}

/** skb_trim */
export function skbTrim(skb: SkBuff, len: number): void {
  if (len < skb.len) skb.len = len;
}

/** The bytes from data, a view (no copy). */
export function skbBytes(skb: SkBuff): Uint8Array {
  return skb.buf.subarray(skb.data, skb.data + skb.len);
}

/** skb_clone/skb_copy: a deep copy with a new id, sharing nothing mutable. */
export function skbCopy(id: number, skb: SkBuff): SkBuff {
  return {
    ...skb,
    id,
    buf: copyOf(skb.buf),
    traced: 0,
    dropReason: null,
    txAccount: null,
    tcb: skb.tcb && { ...skb.tcb, tx: { ...skb.tcb.tx } },
  };
}

/** A copy of `b` in a fresh data area (copy_to_user's destination, skb_copy's data). */
export function copyOf(b: Uint8Array): Uint8Array {
  const c = skbDataAlloc(b.length);
  c.set(b);
  return c;
}

/**
 * __skb_unlink by position: out of a queue (an array) without splice's array of removed elements; the
 * head, where a queue is usually consumed, leaves by shift.
 */
export function queueDelAt<T>(q: T[], i: number): void {
  if (i === 0) q.shift();
  else if (i > 0) q.splice(i, 1);
}

/** SKB_TRUESIZE: what an skb costs a socket's or arp_queue's memory budget. */
export function skbTruesize(skb: SkBuff): number {
  if (skb.truesize) return skb.truesize;
  let sz = 512;
  while (sz < skb.buf.length + 320) sz <<= 1;
  return sz + 256;
}
