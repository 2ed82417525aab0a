/**
 * The simulated clock and its timer queue (a binary heap ordered by expiry, then by arming order so
 * timers due at the same instant fire in the order they were armed, as on one CPU's timer wheel).
 */
import type { KTimer } from '@skblab/kernel';

export class TimerQueue {
  private heap: KTimer[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  add(t: KTimer): void {
    if (t.pending) this.remove(t);
    t.pending = true;
    t.seq = ++this.seq;
    t.heapIndex = this.heap.length;
    this.heap.push(t);
    this.up(this.heap.length - 1);
  }

  remove(t: KTimer): void {
    if (!t.pending) return;
    t.pending = false;
    const i = this.heap[t.heapIndex ?? -1] === t ? t.heapIndex! : this.heap.indexOf(t);
    if (i < 0) return;
    const last = this.heap.pop()!;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(i);
    }
  }

  /** The latest expiry among pending timers that hold a packet in flight, or -Infinity. */
  lastInFlight(): number {
    let last = -Infinity;
    for (const t of this.heap) if (t.inflight && t.expires > last) last = t.expires;
    return last;
  }

  peek(): KTimer | undefined {
    return this.heap[0];
  }

  pop(): KTimer | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    const last = this.heap.pop()!;
    if (this.heap.length) {
      this.heap[0] = last;
      last.heapIndex = 0;
      this.down(0);
    }
    top.pending = false;
    return top;
  }

  private less(a: KTimer, b: KTimer): boolean {
    return a.expires < b.expires || (a.expires === b.expires && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const h = this.heap;
    const t = h[i];
    h[i] = h[j];
    h[j] = t;
    h[i].heapIndex = i;
    t.heapIndex = j;
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

/** xorshift32: a small seeded generator, so every run of a lab is reproducible. */
export class Rng {
  constructor(private s: number = 0x9e3779b9) {
    if (this.s === 0) this.s = 1;
  }
  next32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** The generator's state (distributed mode replays a command from the same state in every service). */
  get state(): number {
    return this.s;
  }
  set state(s: number) {
    this.s = s >>> 0 || 1;
  }
}
