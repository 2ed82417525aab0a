/**
 * drivers/net/ethernet/intel/igb/igb_main.c: a NAPI driver for Intel's 1 Gbit/s NICs (82575/82576/i350),
 * the one the reference paths follow. Transmit fills a TX descriptor and rings the doorbell (igb_tx_map);
 * the MAC sends frames one after the other at the wire's rate and writes each descriptor back. Both that
 * and a received frame DMA'd into a posted RX buffer raise the queue's MSI-X vector (igb_msix_ring), which
 * schedules NAPI on the CPU the IRQ is bound to; igb_poll then cleans the TX ring (igb_clean_tx_irq) and
 * the RX ring (igb_clean_rx_irq → napi_gro_receive) within the weight NAPI gives it.
 */
import type { KernelCtx, KTimer } from '../../../../../include/net/kctx';
import { allocSkb, skbPut, CHECKSUM_PARTIAL, type SkBuff } from '../../../../../include/linux/skbuff';
import type { Host, IrqDesc, Net } from '../../../../../include/net/net_namespace';
import {
  ARPHRD_ETHER,
  IFF_BROADCAST,
  IFF_MULTICAST,
  IFF_UP,
  newLinkStats,
  type LinkStats,
  type NapiStruct,
  type NetDevice,
  type NetdevQueue,
} from '../../../../../include/linux/netdevice';
import {
  dql_avail,
  dql_completed,
  dql_init,
  dql_queued,
  dql_reset,
} from '../../../../../lib/dynamic_queue_limits';
import { kfn } from '../../../../../include/net/trace';
import { SKB_DROP_REASON } from '../../../../../include/net/dropreason-core';
import { queued, txBusy, type Verdict } from '../../../../../include/net/verdict';
import { eth_type_trans } from '../../../../../net/ethernet/eth';
import { napi_complete_done, napi_schedule, trace_net_rx_action } from '../../../../../net/core/dev';
import { napi_gro_receive } from '../../../../../net/core/gro';
import { neigh_ifdown } from '../../../../../net/core/neighbour';
import { reciprocal_scale, skb_get_hash } from '../../../../../net/core/flow_dissector';
import { netif_schedule_queue, noop_qdisc } from '../../../../../net/sched/sch_generic';
import { newWire, serialisationNs, wirePeer, ETH_FCS_LEN, type Wire } from '../../../../../hw/wire';
import {
  DESC_NEEDED,
  IGB_DEFAULT_RXD,
  IGB_DEFAULT_TXD,
  IGB_DEFAULT_TX_WORK,
  TX_WAKE_THRESHOLD,
  igb_adapter,
  type IgbAdapter,
  type IgbQVector,
  type IgbRing,
  type IgbTxBuffer,
} from './igb';
import * as ip from '@skblab/wire/ipv4';
import * as udp from '@skblab/wire/udp';
import * as tcp from '@skblab/wire/tcp';
import { ETH_HLEN, ETH_P_IP } from '@skblab/wire/ethernet';

const FILE = 'drivers/net/ethernet/intel/igb/igb_main.c';
const F = {
  xmitFrame: kfn(
    'igb_xmit_frame',
    FILE,
    'driver',
    (r: IgbRing, used, stopped, limit) =>
      `igb_xmit_frame_ring → igb_tx_map: tx ring ${r.index} ${used}/${r.count}, doorbell` +
      (stopped & 1 ? '; igb_maybe_stop_tx: fewer than DESC_NEEDED free, queue stopped' : '') +
      (stopped & 2
        ? `; netdev_tx_sent_queue: BQL limit ${limit} bytes in flight, queue stopped (STACK_XOFF)`
        : ''),
  ),
  xmitBusy: kfn(
    'igb_xmit_frame',
    FILE,
    'driver',
    (r: IgbRing) => `igb_xmit_frame_ring: tx ring ${r.index} full: NETDEV_TX_BUSY`,
  ),
  wire: kfn('hw:wire', 'hardware: the MAC and the link', 'hw', (o: string) => o),
  rxDma: kfn('hw:rx_dma', 'hardware: the receiving MAC', 'hw', (o: string) => o),
  msixRing: kfn(
    'igb_msix_ring',
    FILE,
    'driver',
    (q: IgbQVector, cpu, cause) =>
      `hard IRQ ${q.irq.irq} ${q.irq.name} on CPU ${cpu} (${cause ? 'TX done' : 'RX'}): napi_schedule`,
  ),
  poll: kfn(
    'igb_poll',
    FILE,
    'driver',
    (q: IgbQVector, budget) => `q_vector ${q.index}, budget ${budget}: igb_clean_tx_irq, igb_clean_rx_irq`,
  ),
  cleanTx: kfn(
    'igb_clean_tx_irq',
    FILE,
    'driver',
    (r: IgbRing, left) => `tx ring ${r.index}: descriptor done, ${left} still in use`,
  ),
  consume: kfn('napi_consume_skb', 'net/core/skbuff.c', 'driver'),
  cleanRx: kfn(
    'igb_clean_rx_irq',
    FILE,
    'driver',
    (r: IgbRing, left) =>
      `rx ring ${r.index}: igb_build_skb, igb_process_skb_fields (eth_type_trans), ${left} more waiting`,
  ),
  wake: kfn(
    'netif_wake_subqueue',
    'include/linux/netdevice.h',
    'driver',
    (_o, q) => `tx ring ${q} has room again: queue woken (restart_queue++)`,
  ),
};

/** PCI slot of a host's n-th NIC (ethtool -i's bus-info). */
function busInfo(n: number): string {
  return `0000:${(n + 1).toString(16).padStart(2, '0')}:00.0`;
}

export interface IgbOptions {
  queues: number;
  txRing: number;
  rxRing: number;
  mtu: number;
  /** CPU per queue vector; default queue i → CPU i mod nr_cpus. */
  irqAffinity: number[] | null;
}

/**
 * igb_probe + igb_sw_init + igb_request_msix: a registered, down NIC with its queue vectors, each with
 * an MSI-X IRQ named NAME-TxRx-N, and one more vector named NAME for link events.
 */
export function igb_probe(
  net: Net,
  name: string,
  ifindex: number,
  mac: Uint8Array,
  o: IgbOptions,
): NetDevice {
  const host = net.host;
  const dev: NetDevice = {
    name,
    ifindex,
    net,
    type: ARPHRD_ETHER,
    flags: IFF_BROADCAST | IFF_MULTICAST,
    mtu: o.mtu,
    minMtu: 68,
    maxMtu: 9216,
    addr: mac,
    broadcast: new Uint8Array([255, 255, 255, 255, 255, 255]),
    hardHeaderLen: ETH_HLEN,
    txQueueLen: 1000,
    qdisc: null as never,
    txqs: [],
    ops: {
      ndoStartXmit: 'igb_xmit_frame',
      kind: 'igb',
      ndoOpen: igb_open,
      ndoStop: igb_close,
      ndoGetStats64: igb_get_stats64,
      setRingparam: igb_set_ringparam,
    },
    hwCsum: true,
    carrier: false,
    stats: newLinkStats(),
    peer: null,
    lltx: false,
    priv: null,
  };
  // Until the first open the device has the noop qdisc ("qdisc noop"); dev_activate attaches the defaults.
  dev.qdisc = noop_qdisc(dev);
  const nics = host.irqs.filter((i) => /^[^-]+$/.test(i.name)).length;
  const pci = busInfo(nics);
  let irqNo = 120 + host.irqs.length;
  const irq = (nm: string, hwirq: number, cpu: number): IrqDesc => {
    const d: IrqDesc = {
      irq: irqNo++,
      name: nm,
      chip: `IR-PCI-MSIX-${pci}`,
      hwirq,
      counts: new Array(host.nrCpus).fill(0),
      affinity: cpu,
    };
    host.irqs.push(d);
    return d;
  };
  const adapter: IgbAdapter = {
    dev,
    qVectors: [],
    // request_irq(..., netdev->name, adapter) keeps the pointer (action->name = devname): the link
    // vector's name is the device's, renamed with it at once.
    otherIrq: Object.defineProperty(irq(name, 0, 0), 'name', { get: () => dev.name, enumerable: true }),
    hw: {
      gprc: 0,
      gptc: 0,
      gorc: 0,
      gotc: 0,
      bprc: 0,
      bptc: 0,
      mprc: 0,
      mptc: 0,
      mpc: 0,
      rnbc: 0,
      crcerrs: 0,
    },
    txRingCount: o.txRing || IGB_DEFAULT_TXD,
    rxRingCount: o.rxRing || IGB_DEFAULT_RXD,
    txWorkLimit: IGB_DEFAULT_TX_WORK,
    wire: null,
    txBusyUntil: 0,
    busInfo: pci,
  };
  for (let i = 0; i < o.queues; i++) {
    const cpu = o.irqAffinity?.[i] ?? i % host.nrCpus;
    const ring = (): IgbRing => ({
      index: i,
      count: 0,
      tx: [],
      rx: [],
      stats: { packets: 0, bytes: 0, restartQueue: 0, drops: 0, csumErr: 0, allocFailed: 0 },
    });
    const qv: IgbQVector = {
      index: i,
      adapter,
      napi: null as never,
      txRing: { ...ring(), count: adapter.txRingCount },
      rxRing: { ...ring(), count: adapter.rxRingCount },
      irq: irq(`${name}-TxRx-${i}`, i + 1, cpu),
    };
    qv.napi = {
      name: qv.irq.name,
      weight: 64,
      scheduled: false,
      poll: igb_poll,
      dev,
      cpu,
      rxList: [],
      priv: qv,
    };
    adapter.qVectors.push(qv);
    // netdev_init_one_queue: Byte Queue Limits with a hold time of HZ (one second).
    dev.txqs.push({ index: i, qdisc: dev.qdisc, stopped: false, stackXoff: false, dql: dql_init(HZ, 0) });
  }
  dev.priv = adapter;
  return dev;
}

/**
 * igb_request_msix (igb_main.c:920): the queue vectors' names are copies of the device's name made when
 * their interrupts are requested, at open, so after a rename /proc/interrupts shows the new one from the next
 * `ip link set up` on, as on Linux. (The link vector's is netdev->name itself: see igb_probe.)
 */
function igb_request_msix(dev: NetDevice): void {
  const a = igb_adapter(dev)!;
  for (const q of a.qVectors) q.irq.name = q.napi.name = `${dev.name}-TxRx-${q.index}`;
}

/** Two NIC ports joined by a wire (hardware): carrier follows both ends and the link state. */
export function wire_connect(
  a: NetDevice,
  b: NetDevice,
  w: Omit<Partial<Wire>, 'a' | 'b' | 'stats'> = {},
): Wire {
  const wire = newWire(a, b, w);
  igb_adapter(a)!.wire = wire;
  igb_adapter(b)!.wire = wire;
  igb_update_carrier(a);
  return wire;
}

/** The wire's link state changes (the cable is pulled or plugged back): NETDEV_CHANGE on both ends. */
export function wire_set_up(ctx: KernelCtx, w: Wire, up: boolean): void {
  w.up = up;
  igb_update_carrier(w.a);
  if (!up) for (const d of [w.a, w.b]) neigh_ifdown(ctx, d.net, d);
}

/** Carrier: the link is up when the wire is and the port at its other end is powered (up). */
export function igb_update_carrier(dev: NetDevice): void {
  const w = igb_adapter(dev)?.wire;
  const peer = w ? wirePeer(w, dev) : null;
  const ok = !!w && w.up && !!peer && (dev.flags & IFF_UP) !== 0 && (peer.flags & IFF_UP) !== 0;
  dev.carrier = ok;
  if (peer) peer.carrier = ok && (peer.flags & IFF_UP) !== 0;
}

function descUnused(r: IgbRing): number {
  return r.count - 1 - r.tx.length;
}

/**
 * igb_xmit_frame (igb_main.c:6543) → igb_xmit_frame_ring → igb_tx_map: one descriptor for our linear
 * skbs; stop the queue when fewer than DESC_NEEDED remain (the qdisc stops dequeuing). The MAC takes the
 * frame from there.
 */
export function igb_xmit_frame(ctx: KernelCtx, skb: SkBuff): Verdict {
  const dev = skb.dev!;
  const a = igb_adapter(dev)!;
  const qv = a.qVectors[skb.queueMapping % a.qVectors.length];
  const ring = qv.txRing;
  const txq = dev.txqs[qv.index];
  // igb_maybe_stop_tx(tx_ring, count + 3): a linear skb needs one data descriptor, plus a context
  // descriptor and two of slack.
  if (descUnused(ring) < 1 + 3) {
    ctx.step(skb, F.xmitBusy, ring);
    txq.stopped = true;
    return txBusy(skb);
  }
  // skb_put_padto(skb, 17): the MAC pads short frames to 64 bytes on the wire itself (TCTL.PSP).
  // igb_tso: a TSO skb's bytecount counts the headers each segment repeats.
  const segs = skb.gsoSize && skb.gsoSegs > 1 ? skb.gsoSegs : 1;
  const hdrLen =
    segs > 1 ? skb.transportHeader - skb.data + tcp.headerLength(skb.buf, skb.transportHeader) : 0;
  const buf: IgbTxBuffer = { skb, bytecount: skb.len + (segs - 1) * hdrLen, done: false };
  ring.tx.push(buf);
  let stopped = 0;
  if (descUnused(ring) < DESC_NEEDED) {
    // igb_maybe_stop_tx → netif_stop_subqueue
    txq.stopped = true;
    stopped = 1;
  }
  // igb_tx_map → netdev_tx_sent_queue: Byte Queue Limits may stop the queue for the stack (STACK_XOFF).
  netdev_tx_sent_queue(txq, buf.bytecount);
  ctx.step(skb, F.xmitFrame, ring, ring.tx.length, stopped | (txq.stackXoff ? 2 : 0), txq.dql!.limit);
  igb_hw_transmit(ctx, a, qv, buf);
  return queued(skb, `${dev.name} tx ring ${ring.index}`);
}

/** Debian's kernels tick at 250 Hz: BQL's slack hold time is HZ jiffies. */
const HZ = 250;
const jiffies = (ctx: KernelCtx): number => Math.floor(ctx.now() / (1e9 / HZ));

/** netdev_tx_sent_queue (netdevice.h:3537): account the bytes; over the limit, STACK_XOFF. */
function netdev_tx_sent_queue(txq: NetdevQueue, bytes: number): void {
  const d = txq.dql!;
  dql_queued(d, bytes);
  if (dql_avail(d) < 0) txq.stackXoff = true;
}

/** netdev_tx_completed_queue (netdevice.h:3619): completions move the limit; room again wakes the qdisc. */
function netdev_tx_completed_queue(ctx: KernelCtx, txq: NetdevQueue, _pkts: number, bytes: number): void {
  if (!bytes) return;
  dql_completed(txq.dql!, bytes, jiffies(ctx));
  if (dql_avail(txq.dql!) < 0) return;
  if (txq.stackXoff) {
    txq.stackXoff = false;
    netif_schedule_queue(ctx, txq);
  }
}

/** netdev_tx_reset_queue: a ring cleaned at ifdown starts BQL over. */
export function netdev_tx_reset_queue(ctx: KernelCtx, txq: NetdevQueue): void {
  txq.stackXoff = false;
  if (txq.dql) dql_reset(txq.dql, jiffies(ctx));
}

function timer<T>(host: Host, cpu: number, fn: (ctx: KernelCtx, arg: T) => void, arg: T): KTimer<T> {
  return { fn, arg, expires: 0, pending: false, host, cpu, seq: 0, pinned: true, inflight: true };
}

/**
 * The MAC (hardware): send the frame after those before it, at the wire's rate; write the descriptor back
 * and raise the vector when done; the frame reaches the other port after the wire's delay.
 */
function igb_hw_transmit(ctx: KernelCtx, a: IgbAdapter, qv: IgbQVector, buf: IgbTxBuffer): void {
  const w = a.wire;
  const host = a.dev.net.host;
  const start = Math.max(ctx.now(), a.txBusyUntil);
  const end = start + (w ? serialisationNs(w, buf.bytecount) : 0);
  a.txBusyUntil = end;
  // The frames as they leave: the MAC fills the checksum the stack left to it (CHECKSUM_PARTIAL) and cuts a
  // TSO skb into MSS-sized segments.
  const frames = frameBytes(buf.skb);
  let at = start;
  frames.forEach((frame, i) => {
    const last = i === frames.length - 1;
    at = last ? end : at + (w ? serialisationNs(w, frame.length) : 0);
    const sent = at;
    a.hw.gptc++;
    a.hw.gotc += Math.max(frame.length + ETH_FCS_LEN, 64);
    if (frame[0] === 0xff) a.hw.bptc++;
    else if (frame[0] & 1) a.hw.mptc++;
    ctx.modTimer(
      timer(
        host,
        qv.irq.affinity,
        (c: KernelCtx) => {
          // igb_down reset the MAC meanwhile: what it was sending is gone (the driver freed it).
          if (!qv.txRing.tx.includes(buf)) return;
          if (w) wire_transmit(c, w, a.dev, buf.skb, frame, sent);
          if (!last) return;
          buf.done = true;
          igb_msix_ring(c, qv, buf.skb, 1);
        },
        null,
      ),
      sent,
    );
  });
}

/** The bytes on the wire: the frame from its MAC header, with the transport checksum filled if offloaded. */
function frameBytes(skb: SkBuff): Uint8Array[] {
  const f = skb.buf.slice(skb.data, skb.data + skb.len);
  if (skb.ipSummed === CHECKSUM_PARTIAL && ((f[12] << 8) | f[13]) === ETH_P_IP) {
    const nh = ETH_HLEN;
    const th = nh + ip.headerLength(f, nh);
    if (ip.protocol(f, nh) === 17 && !ip.isFragment(f, nh)) {
      udp.fillChecksum(f, th, ip.src(f, nh), ip.dst(f, nh), 'full');
    } else if (ip.protocol(f, nh) === 6 && !ip.isFragment(f, nh)) {
      if (skb.gsoSize && f.length - th - tcp.headerLength(f, th) > skb.gsoSize)
        return igbTso(f, th, skb.gsoSize);
      tcp.fillChecksum(f, th, f.length - th, ip.src(f, nh), ip.dst(f, nh), 'full');
    }
  }
  return [f];
}

/**
 * TCP segmentation offload (the 82576's TSO context, igb_tso): every segment gets the headers with its own
 * sequence number, IP total length, ID (incremented per segment) and checksums; CWR stays on the first
 * segment, FIN and PSH on the last.
 */
function igbTso(f: Uint8Array, th: number, mss: number): Uint8Array[] {
  const nh = ETH_HLEN;
  const hdrs = th + tcp.headerLength(f, th);
  const payload = f.length - hdrs;
  const seq = tcp.seqNumber(f, th);
  const id = ip.ident(f, nh);
  const flags = tcp.flags(f, th);
  const out: Uint8Array[] = [];
  for (let off = 0, i = 0; off < payload; off += mss, i++) {
    const len = Math.min(mss, payload - off);
    const seg = new Uint8Array(hdrs + len);
    seg.set(f.subarray(0, hdrs));
    seg.set(f.subarray(hdrs + off, hdrs + off + len), hdrs);
    ip.setTotalLength(seg, nh, hdrs - nh + len);
    ip.setIdent(seg, nh, (id + i) & 0xffff);
    ip.fillHeaderChecksum(seg, nh);
    tcp.setSeqNumber(seg, th, (seq + off) >>> 0);
    let fl = flags;
    if (i > 0) fl &= ~tcp.TCP_CWR;
    if (off + len < payload) fl &= ~(tcp.TCP_FIN | tcp.TCP_PSH);
    tcp.setFlags(seg, th, fl);
    tcp.fillChecksum(seg, th, seg.length - th, ip.src(seg, nh), ip.dst(seg, nh), 'full');
    out.push(seg);
  }
  return out;
}

/** The wire (hardware): impairments one way, then the frame lands in the other port's MAC. */
function wire_transmit(
  ctx: KernelCtx,
  w: Wire,
  from: NetDevice,
  skb: SkBuff,
  frame: Uint8Array,
  at: number,
): void {
  const to = wirePeer(w, from);
  const r = (): number => (ctx.random32() >>> 0) / 0x100000000;
  w.stats.frames++;
  const where = `${from.net.host.name} ${from.name} → ${to.net.host.name} ${to.name}`;
  if (!w.up) {
    ctx.step(skb, F.wire, `${where}: the link is down, the frame is lost`);
    return;
  }
  let copies = 1;
  if (w.duplicate && r() < w.duplicate) copies++;
  if (w.loss && r() < w.loss) copies--;
  if (copies === 0) {
    w.stats.lost++;
    ctx.step(skb, F.wire, `${where}: lost on the wire (loss ${w.loss * 100}%)`);
    return;
  }
  if (copies > 1) w.stats.duplicated++;
  for (let i = 0; i < copies; i++) {
    const bytes = i ? frame.slice() : frame;
    let note = '';
    if (w.corrupt && r() < w.corrupt) {
      const k = (ctx.random32() >>> 0) % bytes.length;
      bytes[k] ^= 1 << (ctx.random32() >>> 0) % 8;
      w.stats.corrupted++;
      note += `, bit flipped in byte ${k}`;
    }
    let delay = w.delay;
    if (w.jitter) delay = Math.max(0, delay - w.jitter + ((ctx.random32() >>> 0) % (2 * w.jitter)));
    if (w.reorder && w.delay && r() < w.reorder) {
      delay = 0;
      w.stats.reordered++;
      note += ', reordered (no delay)';
    }
    const arrive = at + delay;
    ctx.step(
      skb,
      F.wire,
      `${where}: ${frame.length} bytes${w.rate ? ` at ${w.rate / 1e6} Mbit/s` : ''}, arrives +${(arrive - at) / 1000} us${copies > 1 ? ' (duplicated)' : ''}${note}`,
    );
    const pa = igb_adapter(to);
    if (!pa) continue;
    const q = igb_rss_queue(pa, bytes);
    ctx.modTimer(
      timer(
        to.net.host,
        q.irq.affinity,
        (c: KernelCtx) => {
          // The runtime carries it to the process that runs the far host's NIC, if that is not this one.
          c.run('hw_rx_dma', rxFrame(c, to, q, bytes));
        },
        null,
      ),
      arrive,
    );
  }
}

/** The frame as the receiving MAC has it: an skb on the port's device, on the RSS queue. */
function rxFrame(ctx: KernelCtx, dev: NetDevice, qv: IgbQVector, frame: Uint8Array): SkBuff {
  const skb = allocSkb(ctx.newSkbId(), dev.net, frame.length + ETH_FCS_LEN, 64);
  // The MAC pads short frames to 60 bytes (plus FCS, stripped by SECRC) before they reach the wire.
  skbPut(skb, Math.max(frame.length, 60));
  skb.buf.set(frame, skb.data);
  skb.dev = dev;
  skb.queueMapping = qv.index;
  return skb;
}

/** RSS: the MAC hashes the flow onto one of the RX queues (the redirection table). */
function igb_rss_queue(a: IgbAdapter, frame: Uint8Array): IgbQVector {
  if (a.qVectors.length === 1) return a.qVectors[0];
  const probe = allocSkb(0, a.dev.net, frame.length, 0);
  probe.buf.set(frame);
  probe.len = frame.length;
  probe.networkHeader = ETH_HLEN;
  probe.protocol = (frame[12] << 8) | frame[13];
  return a.qVectors[reciprocal_scale(skb_get_hash(probe), a.qVectors.length)];
}

/**
 * hw_rx_dma, the receiving MAC (hardware; a hop so that a frame can reach the process that owns its host):
 * DMA the frame into the next posted buffer of the queue's ring and raise its
 * vector. With no buffer free the frame is dropped in the NIC: RNBC and, with one queue, MPC (missed);
 * with several queues igb sets SRRCTL.DROP_EN and the queue's RQDPC counts it. Either is rx_fifo_errors.
 */
export function hw_rx_dma(ctx: KernelCtx, skb: SkBuff): Verdict {
  const dev = skb.dev!;
  const a = igb_adapter(dev)!;
  const qv = a.qVectors[skb.queueMapping % a.qVectors.length];
  const ring = qv.rxRing;
  const frame = skb.buf;
  const len = skb.len;
  if ((dev.flags & IFF_UP) === 0) {
    ctx.step(skb, F.rxDma, `${dev.name} is down: the MAC does not receive`);
    return queued(skb, `${dev.name}: not received`);
  }
  a.hw.gprc++;
  a.hw.gorc += len + ETH_FCS_LEN;
  if (frame[skb.data] === 0xff) a.hw.bprc++;
  else if (frame[skb.data] & 1) a.hw.mprc++;
  if (ring.rx.length >= ring.count - 1) {
    a.hw.rnbc++;
    if (a.qVectors.length > 1) ring.stats.drops++;
    else a.hw.mpc++;
    ctx.step(
      skb,
      F.rxDma,
      `${dev.name} rx ring ${ring.index} full (${ring.rx.length}/${ring.count}): dropped by the NIC (${a.qVectors.length > 1 ? 'rx_queue_' + ring.index + '_drops' : 'rx_missed_errors'})`,
    );
    return queued(skb, `${dev.name} rx ring ${ring.index} full`);
  }
  ring.rx.push(skb);
  ctx.step(
    skb,
    F.rxDma,
    `${dev.name} rx ring ${ring.index}: descriptor ${ring.rx.length}/${ring.count} written`,
  );
  igb_msix_ring(ctx, qv, skb, 0);
  return queued(skb, `${dev.name} rx ring ${ring.index}`);
}

/**
 * igb_msix_ring (igb_main.c:7068): the queue vector's hard IRQ, on the CPU it is bound to. NAPI already
 * scheduled means the vector is masked: no interrupt, the running poll will find the work.
 */
export function igb_msix_ring(ctx: KernelCtx, qv: IgbQVector, skb: SkBuff, txDone: number): void {
  if (qv.napi.scheduled) return;
  const cpu = ctx.cpu();
  qv.irq.counts[cpu]++;
  ctx.step(skb, F.msixRing, qv, cpu, txDone);
  napi_schedule(ctx, qv.napi, cpu);
}

/**
 * igb_poll (igb_main.c:8193): clean the TX ring, then receive up to `budget` frames; done early means
 * napi_complete_done and the vector unmasked (igb_ring_irq_enable), which fires again at once if the
 * hardware wrote more meanwhile.
 */
export function igb_poll(ctx: KernelCtx, napi: NapiStruct, budget: number): number {
  const qv = napi.priv as IgbQVector;
  const first = qv.txRing.tx[0]?.done ? qv.txRing.tx[0].skb : qv.rxRing.rx[0];
  if (first) {
    trace_net_rx_action(ctx, first);
    ctx.step(first, F.poll, qv, budget);
  }
  let clean = igb_clean_tx_irq(ctx, qv, budget);
  const work = igb_clean_rx_irq(ctx, qv, budget);
  if (work >= budget) clean = false;
  if (!clean) return budget;
  napi_complete_done(ctx, napi, work);
  const pending = qv.rxRing.rx[0] ?? (qv.txRing.tx[0]?.done ? qv.txRing.tx[0].skb : null);
  if (pending) igb_msix_ring(ctx, qv, pending, qv.rxRing.rx.length ? 0 : 1);
  return work;
}

/** igb_clean_tx_irq (igb_main.c:8236): free what the hardware sent, count it, wake a stopped queue. */
function igb_clean_tx_irq(ctx: KernelCtx, qv: IgbQVector, budget: number): boolean {
  const a = qv.adapter;
  const ring = qv.txRing;
  let n = 0;
  let bytes = 0;
  while (ring.tx.length && ring.tx[0].done && n < a.txWorkLimit) {
    const b = ring.tx.shift()!;
    n++;
    bytes += b.bytecount;
    ring.stats.packets++;
    ring.stats.bytes += b.bytecount;
    ctx.step(b.skb, F.cleanTx, ring, ring.tx.length);
    ctx.step(b.skb, F.consume, budget ? 'napi_budget: freed in NAPI context' : '');
  }
  const txq = a.dev.txqs[qv.index];
  netdev_tx_completed_queue(ctx, txq, n, bytes);
  if (n && txq.stopped && descUnused(ring) >= TX_WAKE_THRESHOLD) {
    txq.stopped = false;
    ring.stats.restartQueue++;
    // netif_wake_subqueue → netif_tx_wake_queue: the qdisc runs again from NET_TX.
    const q = txq.qdisc;
    if (q.gsoSkb.length) ctx.step(q.gsoSkb[0], F.wake, null, ring.index);
    netif_schedule_queue(ctx, txq);
  }
  return !(ring.tx.length && ring.tx[0].done);
}

/** igb_clean_rx_irq (igb_main.c:8873): build skbs from the filled buffers and hand them to GRO. */
function igb_clean_rx_irq(ctx: KernelCtx, qv: IgbQVector, budget: number): number {
  const ring = qv.rxRing;
  let n = 0;
  while (n < budget && ring.rx.length) {
    const skb = ring.rx.shift()!;
    n++;
    ring.stats.packets++;
    // total_bytes += skb->len before eth_type_trans: the frame with its header, without FCS.
    ring.stats.bytes += skb.len;
    skb.cpu = ctx.cpu();
    skb.comm = ctx.comm();
    ctx.step(skb, F.cleanRx, ring, ring.rx.length);
    skb.protocol = eth_type_trans(skb, skb.dev!);
    napi_gro_receive(ctx, qv.napi, skb);
  }
  // igb_alloc_rx_buffers: every cleaned buffer is posted again.
  return n;
}

/** igb_open: the MAC starts; the link comes up if the wire and the port at its other end are. */
export function igb_open(_ctx: KernelCtx, dev: NetDevice): void {
  igb_request_msix(dev);
  igb_update_carrier(dev);
}

/** igb_close → igb_down: the rings empty; the link partner loses carrier and, with it, its neighbours. */
export function igb_close(ctx: KernelCtx, dev: NetDevice): void {
  igb_down(ctx, dev);
  const w = igb_adapter(dev)!.wire;
  const peer = w ? wirePeer(w, dev) : null;
  igb_update_carrier(dev);
  if (peer) neigh_ifdown(ctx, peer.net, peer);
}

/**
 * igb_down (igb_main.c:2098) at ifdown: the MAC stops; igb_clean_tx_ring frees what the TX ring still held
 * (dev_kfree_skb_any) and resets BQL; igb_clean_rx_ring drops the frames not yet polled.
 */
export function igb_down(ctx: KernelCtx, dev: NetDevice): void {
  const a = igb_adapter(dev)!;
  for (const qv of a.qVectors) {
    for (const b of qv.txRing.tx.splice(0)) {
      b.skb.dropReason = SKB_DROP_REASON.NOT_SPECIFIED;
      ctx.free(b.skb);
    }
    for (const skb of qv.rxRing.rx.splice(0)) {
      skb.dropReason = SKB_DROP_REASON.NOT_SPECIFIED;
      ctx.free(skb);
    }
    const txq = dev.txqs[qv.index];
    txq.stopped = false;
    netdev_tx_reset_queue(ctx, txq);
  }
  a.txBusyUntil = 0;
}

/** igb_get_stats64 → igb_update_stats: ring counters for packets and bytes, MAC registers for errors. */
export function igb_get_stats64(dev: NetDevice): LinkStats {
  const a = igb_adapter(dev)!;
  const s = { ...dev.stats };
  s.rxPackets = s.rxBytes = s.txPackets = s.txBytes = 0;
  let rqdpc = 0;
  for (const q of a.qVectors) {
    s.rxPackets += q.rxRing.stats.packets;
    s.rxBytes += q.rxRing.stats.bytes;
    s.txPackets += q.txRing.stats.packets;
    s.txBytes += q.txRing.stats.bytes;
    rqdpc += q.rxRing.stats.drops;
  }
  s.multicast = a.hw.mprc;
  s.rxMissed = a.hw.mpc;
  s.rxFifoErrors = a.hw.mpc + rqdpc;
  return s;
}

/** igb_get_ethtool_stats: the names and values `ethtool -S` prints, in igb_gstrings order. */
export function igb_get_ethtool_stats(dev: NetDevice): Array<[string, number]> {
  const a = igb_adapter(dev)!;
  const ns = igb_get_stats64(dev);
  const h = a.hw;
  const out: Array<[string, number]> = [
    ['rx_packets', h.gprc],
    ['tx_packets', h.gptc],
    ['rx_bytes', h.gorc],
    ['tx_bytes', h.gotc],
    ['rx_broadcast', h.bprc],
    ['tx_broadcast', h.bptc],
    ['rx_multicast', h.mprc],
    ['tx_multicast', h.mptc],
    ['multicast', h.mprc],
    ['collisions', 0],
    ['rx_crc_errors', h.crcerrs],
    ['rx_no_buffer_count', h.rnbc],
    ['rx_missed_errors', h.mpc],
  ];
  for (const k of [
    'tx_aborted_errors',
    'tx_carrier_errors',
    'tx_window_errors',
    'tx_abort_late_coll',
    'tx_deferred_ok',
    'tx_single_coll_ok',
    'tx_multi_coll_ok',
    'tx_timeout_count',
    'rx_long_length_errors',
    'rx_short_length_errors',
    'rx_align_errors',
    'tx_tcp_seg_good',
    'tx_tcp_seg_failed',
    'rx_flow_control_xon',
    'rx_flow_control_xoff',
    'tx_flow_control_xon',
    'tx_flow_control_xoff',
  ])
    out.push([k, 0]);
  out.push(['rx_long_byte_count', h.gorc]);
  for (const k of [
    'tx_dma_out_of_sync',
    'tx_smbus',
    'rx_smbus',
    'dropped_smbus',
    'os2bmc_rx_by_bmc',
    'os2bmc_tx_by_bmc',
    'os2bmc_tx_by_host',
    'os2bmc_rx_by_host',
    'tx_hwtstamp_timeouts',
    'tx_hwtstamp_skipped',
    'rx_hwtstamp_cleared',
  ])
    out.push([k, 0]);
  out.push(
    ['rx_errors', ns.rxErrors],
    ['tx_errors', ns.txErrors],
    ['tx_dropped', ns.txDropped],
    ['rx_length_errors', 0],
    ['rx_over_errors', 0],
    ['rx_frame_errors', 0],
    ['rx_fifo_errors', ns.rxFifoErrors],
    ['tx_fifo_errors', 0],
    ['tx_heartbeat_errors', 0],
  );
  for (const q of a.qVectors) {
    const t = q.txRing.stats;
    out.push(
      [`tx_queue_${q.index}_packets`, t.packets],
      [`tx_queue_${q.index}_bytes`, t.bytes],
      [`tx_queue_${q.index}_restart`, t.restartQueue],
    );
  }
  for (const q of a.qVectors) {
    const r = q.rxRing.stats;
    out.push(
      [`rx_queue_${q.index}_packets`, r.packets],
      [`rx_queue_${q.index}_bytes`, r.bytes],
      [`rx_queue_${q.index}_drops`, r.drops],
      [`rx_queue_${q.index}_csum_err`, r.csumErr],
      [`rx_queue_${q.index}_alloc_failed`, r.allocFailed],
    );
  }
  return out;
}

/** igb_set_ringparam (ethtool -G): new ring sizes, rounded to a multiple of 8 within 64..4096. */
export function igb_set_ringparam(dev: NetDevice, rx: number | null, tx: number | null): void {
  const a = igb_adapter(dev)!;
  const fix = (n: number): number => Math.min(4096, Math.max(64, Math.ceil(n / 8) * 8));
  if (rx !== null) a.rxRingCount = fix(rx);
  if (tx !== null) a.txRingCount = fix(tx);
  for (const q of a.qVectors) {
    q.rxRing.count = a.rxRingCount;
    q.txRing.count = a.txRingCount;
  }
}

export type { Wire };
