/**
 * The embedded trace sink: a ring of the latest kernel steps stored column by column, so recording a step
 * allocates nothing. Steps keep raw values; their text is rendered only when someone reads the trace.
 */
import {
  renderInfo,
  type KernelFn,
  type Net,
  type NetDevice,
  type SkBuff,
  type TraceStep,
} from '@skblab/kernel';

export class TraceRing {
  /** Steps ever written; the next step's sequence number. */
  written = 0;
  private readonly mask: number;
  private readonly skbId: Float64Array;
  private readonly t: Float64Array;
  private readonly cpu: Int16Array;
  private readonly len: Int32Array;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private readonly c: Float64Array;
  private readonly d: Float64Array;
  private readonly fn: (KernelFn | undefined)[];
  private readonly dev: (NetDevice | null)[];
  private readonly net: (Net | undefined)[];
  private readonly comm: string[];
  private readonly o: unknown[];
  private readonly drop: (string | null)[];
  private readonly service: string[];
  /** Steps recorded in another service arrive with their text already rendered (distributed mode). */
  private readonly text: (string | null)[];
  /** Whether any step came from another service: then the order of events is their time, not arrival. */
  private imported = false;

  /** `capacity` is rounded up to a power of two. */
  constructor(capacity = 1 << 17) {
    let cap = 1;
    while (cap < capacity) cap <<= 1;
    this.mask = cap - 1;
    this.skbId = new Float64Array(cap);
    this.t = new Float64Array(cap);
    this.cpu = new Int16Array(cap);
    this.len = new Int32Array(cap);
    this.a = new Float64Array(cap);
    this.b = new Float64Array(cap);
    this.c = new Float64Array(cap);
    this.d = new Float64Array(cap);
    this.fn = new Array(cap);
    this.dev = new Array(cap).fill(null);
    this.net = new Array(cap);
    this.comm = new Array(cap).fill('');
    this.o = new Array(cap).fill(null);
    this.drop = new Array(cap).fill(null);
    this.service = new Array(cap).fill('');
    this.text = new Array(cap).fill(null);
  }

  get capacity(): number {
    return this.mask + 1;
  }

  push(
    skb: SkBuff,
    fn: KernelFn,
    t: number,
    comm: string,
    service: string,
    o: unknown,
    a: number,
    b: number,
    c: number,
    d: number,
  ): number {
    const seq = this.written++;
    const i = seq & this.mask;
    this.skbId[i] = skb.id;
    this.t[i] = t;
    this.cpu[i] = skb.cpu;
    this.len[i] = skb.len;
    this.a[i] = a;
    this.b[i] = b;
    this.c[i] = c;
    this.d[i] = d;
    this.fn[i] = fn;
    this.dev[i] = skb.dev;
    this.net[i] = skb.net;
    this.comm[i] = comm;
    this.o[i] = o;
    this.drop[i] = null;
    this.service[i] = service;
    this.text[i] = null;
    return seq;
  }

  /**
   * The steps written since `seq` (and before `until`), rendered, for another process (distributed mode
   * ships them) or an OTLP collector.
   */
  exportSince(seq: number, until = this.written): ExportedStep[] {
    const out: ExportedStep[] = [];
    for (let s = Math.max(seq, this.written - this.capacity); s < until; s++) {
      const i = s & this.mask;
      if (this.text[i] !== null) continue; // not ours to ship
      const fn = this.fn[i]!;
      const net = this.net[i]!;
      out.push({
        skbId: this.skbId[i],
        fn: fn.name,
        t: this.t[i],
        cpu: this.cpu[i],
        len: this.len[i],
        host: net.host.name,
        netns: net.name,
        ifindex: this.dev[i]?.ifindex ?? 0,
        comm: this.comm[i],
        service: this.service[i],
        info: renderInfo(fn, this.o[i], this.a[i], this.b[i], this.c[i], this.d[i]),
        drop: this.drop[i] ?? '',
      });
    }
    return out;
  }

  /** A step another service recorded, with its function, namespace and device resolved here. */
  pushImported(e: ExportedStep, fn: KernelFn, net: Net, dev: NetDevice | null): void {
    const seq = this.written++;
    const i = seq & this.mask;
    this.imported = true;
    this.skbId[i] = e.skbId;
    this.t[i] = e.t;
    this.cpu[i] = e.cpu;
    this.len[i] = e.len;
    this.fn[i] = fn;
    this.dev[i] = dev;
    this.net[i] = net;
    this.comm[i] = e.comm;
    this.o[i] = null;
    this.drop[i] = e.drop || null;
    this.service[i] = e.service;
    this.text[i] = e.info;
  }

  /** Mark step `seq` as the one that freed its skb with `reason`. */
  setDrop(seq: number, reason: string): void {
    if (this.written - seq <= this.capacity) this.drop[seq & this.mask] = reason;
  }

  /** The steps of the given skbs still in the ring, in the order they happened. */
  stepsOf(ids: Set<number>): Array<{ skbId: number; step: TraceStep }> {
    const out: Array<{ skbId: number; step: TraceStep }> = [];
    const start = Math.max(0, this.written - this.capacity);
    for (let seq = start; seq < this.written; seq++) {
      const i = seq & this.mask;
      const id = this.skbId[i];
      if (!ids.has(id)) continue;
      const fn = this.fn[i]!;
      const net = this.net[i]!;
      out.push({
        skbId: id,
        step: {
          fn,
          t: this.t[i],
          seq,
          host: net.host.name,
          netns: net.name,
          netnsId: net.inum,
          cpu: this.cpu[i],
          dev: this.dev[i]?.name ?? '',
          len: this.len[i],
          info: this.text[i] ?? renderInfo(fn, this.o[i], this.a[i], this.b[i], this.c[i], this.d[i]),
          drop: this.drop[i] ?? '',
          comm: this.comm[i],
          service: this.service[i],
        },
      });
    }
    // Steps from other services arrive after the fact; each chain's clock only moves forward, so time
    // order is the order things happened (a stable sort keeps same-time steps in recorded order).
    if (this.imported) out.sort((x, y) => x.step.t - y.step.t);
    return out;
  }
}

/** A step as it travels between processes. */
export interface ExportedStep {
  skbId: number;
  fn: string;
  t: number;
  cpu: number;
  len: number;
  host: string;
  netns: string;
  ifindex: number;
  comm: string;
  service: string;
  info: string;
  drop: string;
}
