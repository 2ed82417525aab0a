/**
 * The journey record: one TraceStep per kernel function an skb passes, naming the real function and source
 * file, where it ran, and what state it consulted. Drops carry the kernel's drop reason.
 */
export type Layer =
  | 'syscall'
  | 'socket'
  | 'udp'
  | 'icmp'
  | 'ip'
  | 'route'
  | 'neigh'
  | 'dev'
  | 'driver'
  | 'softirq'
  | 'rx';

/** A modelled kernel function: its real name, source file, and layer. */
export interface KernelFn {
  name: string;
  file: string;
  layer: Layer;
}

export function kfn(name: string, file: string, layer: Layer): KernelFn {
  return { name, file, layer };
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
