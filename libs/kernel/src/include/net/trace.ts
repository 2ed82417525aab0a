/**
 * The journey record: one TraceStep per kernel function an skb passes, naming the real function and source
 * file, where it ran, and what state it consulted. Drops carry the kernel's drop reason.
 */
export type Layer =
  | 'syscall'
  | 'socket'
  | 'udp'
  | 'tcp'
  | 'icmp'
  | 'ip'
  | 'route'
  | 'neigh'
  | 'dev'
  | 'driver'
  | 'softirq'
  | 'rx'
  /** Not kernel code: what the simulated NIC hardware and the wire do (DMA, serialisation, the link). */
  | 'hw';

/**
 * Renders what a step consulted from the raw values it recorded. Steps record numbers and references,
 * not text, so tracing every step costs no string building on the hot path; text is made when read.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TraceFmt = (o: any, a: number, b: number, c: number, d: number) => string;

/** A modelled kernel function: its real name, source file, layer, and how to render its trace state. */
export interface KernelFn {
  name: string;
  file: string;
  layer: Layer;
  fmt?: TraceFmt;
}

/** Every modelled kernel function, in the order the modules declared them (docs/kernel-map.md lists them). */
export const KERNEL_FNS: KernelFn[] = [];

export function kfn(name: string, file: string, layer: Layer, fmt?: TraceFmt): KernelFn {
  const f = { name, file, layer, fmt };
  KERNEL_FNS.push(f);
  return f;
}

/** The text a step's recorded values stand for. */
export function renderInfo(fn: KernelFn, o: unknown, a: number, b: number, c: number, d: number): string {
  if (fn.fmt) return fn.fmt(o, a, b, c, d);
  return typeof o === 'string' ? o : '';
}

export interface TraceStep {
  fn: KernelFn;
  /** Simulated time (ns). */
  t: number;
  /** Lab-wide order, for interleaving journeys exactly as they happened. */
  seq: number;
  host: string;
  netns: string;
  /** The inode-like netns id pwru prints. */
  netnsId: number;
  cpu: number;
  dev: string;
  len: number;
  /** What the step consulted: the route that matched, the neighbour's state, the backlog length ... */
  info: string;
  /** Set on the step that freed the skb with a reason. */
  drop: string;
  /** The process (or softirq) context, pwru's PROCESS column. */
  comm: string;
  /** The service that ran the step (distributed mode); "embedded" in one process. */
  service: string;
}
