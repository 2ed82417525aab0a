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
  private readonly skbId: Int32Array;
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

  /** `capacity` is rounded up to a power of two. */
  constructor(capacity = 1 << 17) {
    let cap = 1;
    while (cap < capacity) cap <<= 1;
    this.mask = cap - 1;
    this.skbId = new Int32Array(cap);
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
    return seq;
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
          info: renderInfo(fn, this.o[i], this.a[i], this.b[i], this.c[i], this.d[i]),
          drop: this.drop[i] ?? '',
          comm: this.comm[i],
          service: this.service[i],
        },
      });
    }
    return out;
  }
}
