/**
 * include/linux/bpf.h and include/uapi/linux/bpf.h, reduced to what the side-car bypass needs: BPF maps
 * (sockhash, sockmap), programs (sock_ops, sk_msg) and their attach points. A program is not bytecode here:
 * the lab ships a small named set of programs whose behaviour is TypeScript (`run`), which the object loader
 * (userland's bpftool/libbpf) hands to the kernel with the maps it uses, as a verified program would be.
 */
import type { TcpSock } from './tcp';
import type { SkMsg } from './skmsg';
import type { SkBuff } from './skbuff';
import type { KernelCtx } from '../net/kctx';

// enum bpf_map_type (the ones modelled)
export const BPF_MAP_TYPE_SOCKMAP = 15;
export const BPF_MAP_TYPE_SOCKHASH = 18;

// enum bpf_prog_type
export const BPF_PROG_TYPE_SOCK_OPS = 13;
export const BPF_PROG_TYPE_SK_MSG = 16;

// enum bpf_attach_type
export const BPF_CGROUP_SOCK_OPS = 3;
export const BPF_SK_MSG_VERDICT = 7;

// map update flags
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;
/** bpf_msg_redirect_*: queue to the target's ingress (its receive side) rather than its egress. */
export const BPF_F_INGRESS = 1;

// enum sk_action
export const SK_DROP = 0;
export const SK_PASS = 1;

// enum bpf_sock_ops_cb (the ones the model calls programs for)
export const BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB = 4;
export const BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB = 5;

/** ENOSPC: a sockmap looked up from user space with a 4-byte value (sock_hash_lookup_sys). */
export const ENOSPC = 28;
/** E2BIG: a full map, a key too big for the BPF stack. */
export const E2BIG = 7;
/** EBUSY: a socket whose psock already has another map's sk_msg program. */
export const EBUSY = 16;
/** ENOTSUPP (kernel-internal 524): what bpftool prints as "Unknown error 524". */
export const ENOTSUPP = 524;

/** struct bpf_map (sockhash and sockmap are the types modelled). */
export interface BpfMap {
  id: number;
  type: number;
  name: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** sockhash: its elements by the key's bytes (hex), in the order sock_hash_get_next_key walks them. */
  hash: Map<string, { key: Uint8Array; sk: TcpSock }>;
  /** sockmap: one slot per index. */
  slots: Array<TcpSock | null>;
  /** struct sk_psock_progs of the map: what sock_map_link gives each socket added. */
  progs: { msgParser: BpfProg | null };
  /** References: pins, loaded programs that use the map, fds (none outlive a bpftool run). */
  refcnt: number;
}

/** What a sock_ops program sees (struct bpf_sock_ops_kern, read through the bpf_sock_ops context). */
export interface BpfSockOpsKern {
  sk: TcpSock;
  op: number;
  family: number;
  /** Addresses in network byte order as a u32 read on little-endian x86 would give them. */
  localIp4: number;
  remoteIp4: number;
  /** local_port in host order; remote_port in network order, shifted into the upper half (sock_ops_convert_ctx_access). */
  localPort: number;
  remotePort: number;
  /** bpf_sock_ops's reply field. */
  reply: number;
  /** The skb that made the callback happen (bpf_skops_established's), for the trace; null if none. */
  trace: SkBuff | null;
}

/** What an sk_msg program sees (struct sk_msg through struct sk_msg_md). */
export interface SkMsgMd {
  msg: SkMsg;
  family: number;
  localIp4: number;
  remoteIp4: number;
  localPort: number;
  remotePort: number;
  size: number;
}

/** The behaviour of a shipped program: what its instructions would do, as TypeScript. */
export interface BpfProgBehaviour {
  type: number;
  /** Its function name (bpftool prog show's name, the ELF symbol). */
  name: string;
  /** The ELF section libbpf takes the type from ("sockops", "sk_msg"). */
  section: string;
  /** The maps the program references, by their name in the object. */
  maps: string[];
  /** The program's tag and sizes as the real kernel reports them for its compiled C. */
  tag: string;
  xlated: number;
  jited: number;
  /**
   * Runs the program: c is a BpfSockOpsKern or an SkMsgMd; maps in the order of `maps`. kctx is what the
   * helpers it calls record their trace steps with.
   */
  run(kctx: KernelCtx, c: BpfSockOpsKern | SkMsgMd, maps: BpfMap[]): number;
}

/** struct bpf_prog */
export interface BpfProg {
  id: number;
  type: number;
  name: string;
  behaviour: BpfProgBehaviour;
  maps: BpfMap[];
  /** When it was loaded (ns of simulated time), for loaded_at. */
  loadedAt: number;
  refcnt: number;
  btfId: number;
}

export type BpfObject = { kind: 'map'; map: BpfMap } | { kind: 'prog'; prog: BpfProg };
