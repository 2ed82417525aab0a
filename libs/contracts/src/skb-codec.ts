/**
 * The skb on the wire between services (distributed mode): a versioned binary envelope that keeps the
 * packet's bytes exactly as they are and carries the kernel metadata a step reads. References to state
 * (device, namespace, route, socket) travel as names and numbers and are resolved by the receiving
 * service against its own view of the lab.
 *
 *   0      4   'SKB' + version (5)
 *   4      4   envelope length (bytes, including this header)
 *   8      8   skb id (f64: unique across producers)
 *   16     8   simulated time (ns, f64) at which the sender handed the skb on
 *   24     ... fields in the order of encodeEnvelope, strings as u16 length + UTF-8
 *
 * Version 2 added the simulated time and the context the sender ran in (task name and executing CPU), so
 * the receiver carries on in the same context at the same moment; version 3 the queue mapping (u16 after
 * ignore_df), for multiqueue NICs; version 4 skb->priority (u32 after the queue mapping), which picks a
 * pfifo_fast band; version 5 the GSO geometry (gso_size u32, gso_segs u16 after the priority): a TCP
 * sender's super-packet is cut into segments by the device that sends it (igb's TSO).
 *   end-n  n   the packet bytes from skb->data (len of them)
 */
import type { SkBuff } from '@skblab/kernel/include/linux/skbuff';

export const SKB_CODEC_MAGIC = 0x534b42; // "SKB"
export const SKB_CODEC_VERSION = 5;
/** Refuse envelopes past this size: a 64 KiB datagram plus metadata fits easily. */
export const SKB_CODEC_MAX = 70 * 1024;

/** What an envelope says about an skb, with its state references as names (resolved by the receiver). */
export interface SkbEnvelope {
  hop: string;
  id: number;
  /** Simulated time (ns) when the skb was handed on. */
  clock: number;
  /** The context the sender ran in: the task (or swapper/N) and the executing CPU. */
  task: string;
  execCpu: number;
  host: string;
  netns: string;
  ifindex: number;
  cpu: number;
  protocol: number;
  pktType: number;
  ipSummed: number;
  /** Header offsets relative to skb->data; -32768 when unset. */
  macHeader: number;
  networkHeader: number;
  transportHeader: number;
  mark: number;
  fragMaxSize: number;
  ignoreDf: boolean;
  /** The TX queue picked (netdev_core_pick_tx) or the RX queue it came in on (since version 3). */
  queueMapping: number;
  /** skb->priority (since version 4): from the socket's IP_TOS, or the forwarded header's TOS. */
  priority: number;
  /** skb_shinfo(skb)->gso_size / gso_segs (since version 5): 0 when the skb is not GSO. */
  gsoSize: number;
  gsoSegs: number;
  comm: string;
  dropReason: string;
  /** The route the skb carries (skb_dst), or null. */
  dst: {
    type: number;
    flags: number;
    ifindex: number;
    origIfindex: number;
    gw: number;
    dst: number;
    src: number;
    input: string;
    pmtu: number;
    error: number;
  } | null;
  /** The owning socket, by protocol and local port/identifier, or null. */
  sk: { protocol: number; num: number } | null;
  /** The driver's TX accounting that __netif_rx settles (device by ifindex in the skb's namespace). */
  txAccount: { netns: string; ifindex: number; len: number; kind: 'loopback' | 'veth' } | null;
  data: Uint8Array;
}

export class SkbCodecError extends Error {
  constructor(
    readonly reason: 'truncated' | 'bad-magic' | 'unknown-version' | 'oversize' | 'bad-field',
    message: string,
  ) {
    super(message);
  }
}

const UNSET = -32768;
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

class Writer {
  buf: Uint8Array;
  view: DataView;
  off = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }
  ensure(n: number) {
    if (this.off + n <= this.buf.length) return;
    const nb = new Uint8Array(Math.max(this.buf.length * 2, this.off + n));
    nb.set(this.buf);
    this.buf = nb;
    this.view = new DataView(nb.buffer);
  }
  u8(v: number) {
    this.ensure(1);
    this.view.setUint8(this.off, v);
    this.off += 1;
  }
  u16(v: number) {
    this.ensure(2);
    this.view.setUint16(this.off, v);
    this.off += 2;
  }
  i16(v: number) {
    this.ensure(2);
    this.view.setInt16(this.off, v);
    this.off += 2;
  }
  u32(v: number) {
    this.ensure(4);
    this.view.setUint32(this.off, v >>> 0);
    this.off += 4;
  }
  i32(v: number) {
    this.ensure(4);
    this.view.setInt32(this.off, v);
    this.off += 4;
  }
  f64(v: number) {
    this.ensure(8);
    this.view.setFloat64(this.off, v);
    this.off += 8;
  }
  str(s: string) {
    const b = enc.encode(s);
    if (b.length > 0xffff) throw new SkbCodecError('bad-field', 'string too long');
    this.u16(b.length);
    this.bytes(b);
  }
  bytes(b: Uint8Array) {
    this.ensure(b.length);
    this.buf.set(b, this.off);
    this.off += b.length;
  }
}

class Reader {
  view: DataView;
  off = 0;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number) {
    if (this.off + n > this.buf.length)
      throw new SkbCodecError('truncated', `envelope truncated at byte ${this.off}`);
  }
  u8() {
    this.need(1);
    return this.view.getUint8(this.off++);
  }
  u16() {
    this.need(2);
    const v = this.view.getUint16(this.off);
    this.off += 2;
    return v;
  }
  i16() {
    this.need(2);
    const v = this.view.getInt16(this.off);
    this.off += 2;
    return v;
  }
  u32() {
    this.need(4);
    const v = this.view.getUint32(this.off);
    this.off += 4;
    return v;
  }
  i32() {
    this.need(4);
    const v = this.view.getInt32(this.off);
    this.off += 4;
    return v;
  }
  f64() {
    this.need(8);
    const v = this.view.getFloat64(this.off);
    this.off += 8;
    return v;
  }
  str() {
    const n = this.u16();
    this.need(n);
    try {
      return dec.decode(this.buf.subarray(this.off, (this.off += n)));
    } catch {
      throw new SkbCodecError('bad-field', 'string is not UTF-8');
    }
  }
  bytes(n: number) {
    this.need(n);
    const b = this.buf.slice(this.off, this.off + n);
    this.off += n;
    return b;
  }
}

const rel = (abs: number, data: number) => (abs < 0 ? UNSET : abs - data);

/** Build the envelope of `skb` bound for `hop`. */
export function envelopeOf(
  hop: string,
  skb: SkBuff,
  context: { clock: number; task: string; execCpu: number } = { clock: 0, task: '', execCpu: 0 },
): SkbEnvelope {
  const d = skb.dst;
  return {
    hop,
    id: skb.id,
    clock: context.clock,
    task: context.task,
    execCpu: context.execCpu,
    host: skb.net.host.name,
    netns: skb.net.name,
    ifindex: skb.dev ? skb.dev.ifindex : 0,
    cpu: skb.cpu,
    protocol: skb.protocol,
    pktType: skb.pktType,
    ipSummed: skb.ipSummed,
    macHeader: rel(skb.macHeader, skb.data),
    networkHeader: rel(skb.networkHeader, skb.data),
    transportHeader: rel(skb.transportHeader, skb.data),
    mark: skb.mark,
    fragMaxSize: skb.fragMaxSize,
    ignoreDf: skb.ignoreDf,
    queueMapping: skb.queueMapping,
    priority: skb.priority,
    gsoSize: skb.gsoSize,
    gsoSegs: skb.gsoSegs,
    comm: skb.comm,
    dropReason: skb.dropReason ?? '',
    dst: d
      ? {
          type: d.type,
          flags: d.flags,
          ifindex: d.dev.ifindex,
          origIfindex: d.origDev ? d.origDev.ifindex : 0,
          gw: d.gw,
          dst: d.dst,
          src: d.src,
          input: d.input,
          pmtu: d.pmtu,
          error: d.error,
        }
      : null,
    sk: skb.sk ? { protocol: skb.sk.protocol, num: skb.sk.num } : null,
    txAccount: skb.txAccount
      ? {
          // The sending device: for veth, in the namespace the skb has just left.
          netns: skb.txAccount.dev.net.name,
          ifindex: skb.txAccount.dev.ifindex,
          len: skb.txAccount.len,
          kind: skb.txAccount.kind,
        }
      : null,
    data: skb.buf.subarray(skb.data, skb.data + skb.len),
  };
}

export function encodeEnvelope(e: SkbEnvelope): Uint8Array {
  const w = new Writer(128 + e.data.length);
  w.u32((SKB_CODEC_MAGIC << 8) | SKB_CODEC_VERSION);
  w.u32(0); // length, patched below
  w.f64(e.id);
  w.f64(e.clock);
  w.str(e.hop);
  w.str(e.task);
  w.u16(e.execCpu);
  w.str(e.host);
  w.str(e.netns);
  w.i32(e.ifindex);
  w.u16(e.cpu);
  w.u16(e.protocol);
  w.u8(e.pktType);
  w.u8(e.ipSummed);
  w.i16(e.macHeader);
  w.i16(e.networkHeader);
  w.i16(e.transportHeader);
  w.u32(e.mark);
  w.u32(e.fragMaxSize);
  w.u8(e.ignoreDf ? 1 : 0);
  w.u16(e.queueMapping);
  w.u32(e.priority);
  w.u32(e.gsoSize);
  w.u16(e.gsoSegs);
  w.str(e.comm);
  w.str(e.dropReason);
  if (e.dst) {
    w.u8(1);
    w.u16(e.dst.type);
    w.u32(e.dst.flags);
    w.i32(e.dst.ifindex);
    w.i32(e.dst.origIfindex);
    w.u32(e.dst.gw);
    w.u32(e.dst.dst);
    w.u32(e.dst.src);
    w.str(e.dst.input);
    w.u32(e.dst.pmtu);
    w.i32(e.dst.error);
  } else w.u8(0);
  if (e.sk) {
    w.u8(1);
    w.u16(e.sk.protocol);
    w.u32(e.sk.num);
  } else w.u8(0);
  if (e.txAccount) {
    w.u8(e.txAccount.kind === 'loopback' ? 1 : 2);
    w.str(e.txAccount.netns);
    w.i32(e.txAccount.ifindex);
    w.u32(e.txAccount.len);
  } else w.u8(0);
  w.u32(e.data.length);
  w.bytes(e.data);
  const out = w.buf.subarray(0, w.off);
  new DataView(out.buffer, out.byteOffset).setUint32(4, out.length);
  return out;
}

/** Decode an envelope; throws SkbCodecError with a reason for anything that is not one. */
export function decodeEnvelope(b: Uint8Array): SkbEnvelope {
  if (b.length > SKB_CODEC_MAX)
    throw new SkbCodecError('oversize', `envelope of ${b.length} bytes exceeds ${SKB_CODEC_MAX}`);
  const r = new Reader(b);
  const head = r.u32();
  if (head >>> 8 !== SKB_CODEC_MAGIC) throw new SkbCodecError('bad-magic', 'not an skb envelope');
  const version = head & 0xff;
  if (version !== SKB_CODEC_VERSION)
    throw new SkbCodecError('unknown-version', `unknown skb codec version ${version}`);
  const len = r.u32();
  if (len !== b.length) throw new SkbCodecError('truncated', `envelope says ${len} bytes, got ${b.length}`);
  const id = r.f64();
  const clock = r.f64();
  const hop = r.str();
  const task = r.str();
  const execCpu = r.u16();
  const host = r.str();
  const netns = r.str();
  const ifindex = r.i32();
  const cpu = r.u16();
  const protocol = r.u16();
  const pktType = r.u8();
  const ipSummed = r.u8();
  const macHeader = r.i16();
  const networkHeader = r.i16();
  const transportHeader = r.i16();
  const mark = r.u32();
  const fragMaxSize = r.u32();
  const ignoreDf = r.u8() === 1;
  const queueMapping = r.u16();
  const priority = r.u32();
  const gsoSize = r.u32();
  const gsoSegs = r.u16();
  const comm = r.str();
  const dropReason = r.str();
  let dst: SkbEnvelope['dst'] = null;
  if (r.u8()) {
    dst = {
      type: r.u16(),
      flags: r.u32(),
      ifindex: r.i32(),
      origIfindex: r.i32(),
      gw: r.u32(),
      dst: r.u32(),
      src: r.u32(),
      input: r.str(),
      pmtu: r.u32(),
      error: r.i32(),
    };
  }
  let sk: SkbEnvelope['sk'] = null;
  if (r.u8()) sk = { protocol: r.u16(), num: r.u32() };
  let txAccount: SkbEnvelope['txAccount'] = null;
  const tk = r.u8();
  if (tk > 2) throw new SkbCodecError('bad-field', `unknown tx account kind ${tk}`);
  if (tk)
    txAccount = { kind: tk === 1 ? 'loopback' : 'veth', netns: r.str(), ifindex: r.i32(), len: r.u32() };
  const dlen = r.u32();
  const data = r.bytes(dlen);
  if (r.off !== b.length) throw new SkbCodecError('bad-field', `${b.length - r.off} trailing bytes`);
  if (!Number.isFinite(id) || id < 0) throw new SkbCodecError('bad-field', 'bad skb id');
  if (!Number.isFinite(clock) || clock < 0) throw new SkbCodecError('bad-field', 'bad clock');
  return {
    hop,
    id,
    clock,
    task,
    execCpu,
    host,
    netns,
    ifindex,
    cpu,
    protocol,
    pktType,
    ipSummed,
    macHeader,
    networkHeader,
    transportHeader,
    mark,
    fragMaxSize,
    ignoreDf,
    queueMapping,
    priority,
    gsoSize,
    gsoSegs,
    comm,
    dropReason,
    dst,
    sk,
    txAccount,
    data,
  };
}
