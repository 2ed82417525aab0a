/**
 * net/core/sock_map.c: sockmap (an array of sockets) and sockhash (sockets by a key of the program's
 * choosing). Adding a socket links it to the map (sock_map_link): it gets an sk_psock holding the map's
 * programs, and its proto becomes tcp_bpf's (tcp_bpf_update_proto), so its sendmsg runs the map's sk_msg
 * verdict and its recvmsg reads the psock's ingress queue too. A socket leaves its maps when it is
 * closed or destroyed (sock_map_close, sock_map_destroy), and gets tcp_prot back.
 *
 * The hash walks its elements in the order they were added (the kernel walks its buckets in jhash order,
 * with a random seed per map, so no two runs agree anyway).
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { TcpSock } from '../../include/linux/tcp';
import {
  BPF_EXIST,
  BPF_F_INGRESS,
  BPF_MAP_TYPE_SOCKHASH,
  BPF_NOEXIST,
  BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB,
  BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB,
  E2BIG,
  EBUSY,
  ENOSPC,
  SK_DROP,
  SK_PASS,
  type BpfMap,
  type BpfProg,
  type BpfSockOpsKern,
} from '../../include/linux/bpf';
import type { SkMsg, SkPsock } from '../../include/linux/skmsg';
import { EEXIST, EINVAL, ENOENT, EOPNOTSUPP } from '../../include/linux/errno';
import { TCP_ESTABLISHED, TCP_LISTEN } from '../../include/net/tcp_states';
import { kfn } from '../../include/net/trace';
import { sk_psock_drop, sk_psock_init } from './skmsg';
import { tcp_bpf_update_proto } from '../ipv4/tcp_bpf';

const FILE = 'net/core/sock_map.c';

export const F_SOCK_MAP = {
  hashUpdate: kfn('sock_hash_update_common', FILE, 'socket', (o: { map: BpfMap; key: string }, ret, n) =>
    ret < 0
      ? `${o.map.name}[${o.key}]: error ${ret}`
      : `${o.map.name}[${o.key}] = this socket (${n} in the map), sock_map_link: sk_psock with the map's programs`,
  ),
  redirectHash: kfn(
    'bpf_msg_redirect_hash',
    FILE,
    'socket',
    (o: { map: BpfMap; key: string; to: TcpSock | null }, verdict) =>
      o.to
        ? `${o.map.name}[${o.key}] → the socket of ${o.to.comm} ${hostPort(o.to)}: ${verdict === SK_PASS ? 'SK_PASS, redirect to its ingress' : 'SK_DROP'}`
        : `${o.map.name}[${o.key}]: no such key, SK_DROP`,
  ),
  close: kfn(
    'sock_map_close',
    FILE,
    'socket',
    (o: { links: number; unread: number }) =>
      `leaves ${o.links} map${o.links === 1 ? '' : 's'}, tcp_prot restored${o.unread ? `, ${o.unread} unread bytes of ingress_msg freed` : ''}; then tcp_close`,
  ),
};

function hostPort(sk: TcpSock): string {
  const a = sk.rcvSaddr || sk.saddr;
  return `${a >>> 24}.${(a >> 16) & 255}.${(a >> 8) & 255}.${a & 255}:${sk.sport}`;
}

/** The hash's key as text (its bytes in hex), how the model indexes it. */
export function keyHex(key: Uint8Array): string {
  return Array.from(key, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** MAX_BPF_STACK: a sockhash key must fit on a program's stack. */
const MAX_BPF_STACK = 512;
/** SOCK_CREATE_FLAG_MASK: BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY */
const SOCK_CREATE_FLAG_MASK = 0x4 | 0x8 | 0x10;

/** What BPF_MAP_CREATE gives a sockmap or sockhash (union bpf_attr's map fields). */
export interface SockMapAttr {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
}

function newMap(attr: SockMapAttr): BpfMap {
  return {
    id: 0,
    type: attr.type,
    name: '',
    keySize: attr.keySize,
    valueSize: attr.valueSize,
    maxEntries: attr.maxEntries,
    flags: attr.flags,
    hash: new Map(),
    slots: [],
    progs: { msgParser: null },
    refcnt: 0,
  };
}

/** sock_hash_alloc: any key size up to the BPF stack; a value is a socket fd (4) or cookie (8). */
export function sock_hash_alloc(attr: SockMapAttr): BpfMap | number {
  if (
    attr.maxEntries === 0 ||
    attr.keySize === 0 ||
    (attr.valueSize !== 4 && attr.valueSize !== 8) ||
    attr.flags & ~SOCK_CREATE_FLAG_MASK
  )
    return -EINVAL;
  if (attr.keySize > MAX_BPF_STACK) return -E2BIG;
  return newMap(attr);
}

/** sock_map_alloc: an array indexed by a u32. */
export function sock_map_alloc(attr: SockMapAttr): BpfMap | number {
  if (
    attr.maxEntries === 0 ||
    attr.maxEntries > 0x7fffffff ||
    attr.keySize !== 4 ||
    (attr.valueSize !== 4 && attr.valueSize !== 8) ||
    attr.flags & ~SOCK_CREATE_FLAG_MASK
  )
    return -EINVAL;
  const m = newMap(attr);
  m.slots = new Array<TcpSock | null>(attr.maxEntries).fill(null);
  return m;
}

/**
 * The memory `map show` reports (map_mem_usage): sock_hash_mem_usage is the table, a bucket per
 * power-of-two entry and an element per socket; sock_map_mem_usage the table and a pointer per slot.
 * The struct sizes are x86-64's, as bpftool shows them on the kernel the lab was checked against.
 */
export function sock_map_mem_usage(map: BpfMap): number {
  if (map.type === BPF_MAP_TYPE_SOCKHASH) {
    let buckets = 1;
    while (buckets < map.maxEntries) buckets *= 2;
    const elemSize = 48 + ((map.keySize + 7) & ~7);
    return 384 + buckets * 16 + map.hash.size * elemSize;
  }
  return 376 + map.maxEntries * 8;
}

/** sock_map_sk_state_allowed: what bpf(2)'s update from user space accepts: established or listening. */
export function sock_map_sk_state_allowed(sk: TcpSock): boolean {
  return sk.state === TCP_ESTABLISHED || sk.state === TCP_LISTEN;
}

/** sock_map_op_okay: the sock_ops callbacks that may add their socket to a map. */
function sock_map_op_okay(ops: BpfSockOpsKern): boolean {
  return ops.op === BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB || ops.op === BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB;
}

/** sock_map_redirect_allowed: a listener is no target. */
function sock_map_redirect_allowed(sk: TcpSock): boolean {
  return sk.state !== TCP_LISTEN;
}

/**
 * sock_map_link: the socket's psock (made if it has none) takes the map's programs, and
 * sock_map_init_proto switches its proto to tcp_bpf's. A psock can hold one sk_msg program: if it has one
 * and this map has one too (even the same program, even the same map under another key), EBUSY.
 */
function sock_map_link(map: BpfMap, sk: TcpSock): SkPsock | number {
  const msgParser = map.progs.msgParser;
  let psock = sk.psock;
  if (psock) {
    if (msgParser && psock.progs.msgParser) return -EBUSY;
  } else psock = sk_psock_init(sk);
  if (msgParser) psock.progs.msgParser = msgParser;
  tcp_bpf_update_proto(sk, psock);
  return psock;
}

/**
 * sock_hash_update_common: the element for `key` is now `sk` (BPF_NOEXIST: EEXIST if the key is taken;
 * BPF_EXIST: ENOENT if not). A replaced element's socket leaves the map.
 */
export function sock_hash_update_common(
  ctx: KernelCtx,
  map: BpfMap,
  key: Uint8Array,
  sk: TcpSock,
  flags: number,
): number {
  if (flags > BPF_EXIST) return -EINVAL;
  // No state check here: a sock_ops program adds a passive socket still in SYN_RECV (tcp_init_transfer runs
  // before tcp_set_state(TCP_ESTABLISHED)); sock_map_sk_state_allowed guards the bpf(2) update only.
  const k = keyHex(key);
  const elem = map.hash.get(k);
  if (elem && flags === BPF_NOEXIST) return -EEXIST;
  if (!elem && flags === BPF_EXIST) return -ENOENT;
  // sock_hash_alloc_elem: a full map refuses a new key.
  if (!elem && map.hash.size >= map.maxEntries) return -E2BIG;
  const psock = sock_map_link(map, sk);
  if (typeof psock === 'number') return psock;
  psock.links.push({ map, key: k });
  if (elem && elem.sk !== sk) sock_map_unref(ctx, elem.sk, map, k);
  map.hash.set(k, { key: new Uint8Array(key), sk });
  return 0;
}

/** sock_map_update_common: slot `idx` of a sockmap is now `sk`. */
export function sock_map_update_common(
  ctx: KernelCtx,
  map: BpfMap,
  idx: number,
  sk: TcpSock,
  flags: number,
): number {
  if (flags > BPF_EXIST) return -EINVAL;
  if (idx >= map.maxEntries) return -E2BIG;
  const old = map.slots[idx];
  if (old && flags === BPF_NOEXIST) return -EEXIST;
  if (!old && flags === BPF_EXIST) return -ENOENT;
  const psock = sock_map_link(map, sk);
  if (typeof psock === 'number') return psock;
  psock.links.push({ map, key: idx });
  if (old && old !== sk) sock_map_unref(ctx, old, map, idx);
  map.slots[idx] = sk;
  return 0;
}

/**
 * sock_map_unref: the socket's link to one map element goes; with its last link, its psock goes
 * (sk_psock_put → sk_psock_drop), and with it what ingress_msg still held.
 */
function sock_map_unref(ctx: KernelCtx, sk: TcpSock, map: BpfMap, key: string | number): void {
  const psock = sk.psock;
  if (!psock) return;
  psock.links = psock.links.filter((l) => !(l.map === map && l.key === key));
  if (!psock.links.length) sk_psock_drop(ctx, sk, psock);
}

/** sock_map_remove_links: take the socket out of every map element that holds it. */
export function sock_map_remove_links(sk: TcpSock, psock: SkPsock): number {
  const n = psock.links.length;
  for (const l of psock.links) {
    if (typeof l.key === 'number') {
      if (l.map.slots[l.key] === sk) l.map.slots[l.key] = null;
    } else if (l.map.hash.get(l.key)?.sk === sk) l.map.hash.delete(l.key);
  }
  psock.links = [];
  return n;
}

/** __sock_hash_lookup_elem */
export function __sock_hash_lookup_elem(map: BpfMap, key: Uint8Array): TcpSock | null {
  return map.hash.get(keyHex(key))?.sk ?? null;
}

/** sock_hash_get_next_key: the key after `key` (the first for null); ENOENT at the end. */
export function sock_hash_get_next_key(map: BpfMap, key: Uint8Array | null): Uint8Array | number {
  const keys = [...map.hash.values()];
  if (!keys.length) return -ENOENT;
  if (!key) return keys[0].key;
  const i = keys.findIndex((e) => keyHex(e.key) === keyHex(key));
  // A key not in the map: start over from the first (find_first_elem).
  if (i < 0) return keys[0].key;
  return i + 1 < keys.length ? keys[i + 1].key : -ENOENT;
}

/** sock_map_get_next_key: the next index; ENOENT past the last slot. */
export function sock_map_get_next_key(map: BpfMap, key: Uint8Array | null): Uint8Array | number {
  const i = key ? new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true) : 0xffffffff;
  const next = i >= map.maxEntries ? 0 : i + 1;
  if (next >= map.maxEntries) return -ENOENT;
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, next, true);
  return out;
}

/** Socket cookies (sock_gen_cookie), for the lookups a u64-valued map answers. */
const COOKIES = new WeakMap<TcpSock, number>();
let cookieSeq = 0x1000;

function sock_gen_cookie(sk: TcpSock): number {
  let c = COOKIES.get(sk);
  if (c === undefined) COOKIES.set(sk, (c = ++cookieSeq));
  return c;
}

function cookieBytes(sk: TcpSock): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(sock_gen_cookie(sk)), true);
  return out;
}

/** sock_hash_lookup_sys: user space gets the socket's cookie, and only from a map with 8-byte values. */
export function sock_hash_lookup_sys(map: BpfMap, key: Uint8Array): Uint8Array | number {
  if (map.valueSize !== 8) return -ENOSPC;
  const sk = __sock_hash_lookup_elem(map, key);
  return sk ? cookieBytes(sk) : -ENOENT;
}

/** sock_map_lookup_sys */
export function sock_map_lookup_sys(map: BpfMap, key: Uint8Array): Uint8Array | number {
  if (map.valueSize !== 8) return -ENOSPC;
  const i = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  const sk = i < map.maxEntries ? map.slots[i] : null;
  return sk ? cookieBytes(sk) : -ENOENT;
}

/** sock_map_get_from_fd → sock_map_prog_update: the map's sk_msg verdict program (for sockets added from now on). */
export function sock_map_prog_attach(map: BpfMap, prog: BpfProg): number {
  if (map.progs.msgParser) map.progs.msgParser.refcnt--;
  map.progs.msgParser = prog;
  prog.refcnt++;
  return 0;
}

/**
 * sock_map_prog_detach → psock_replace_prog: ENOENT unless `prog` is the one attached. Sockets already in
 * the map keep the program their psock took when they were added; new ones get none.
 */
export function sock_map_prog_detach(map: BpfMap, prog: BpfProg): number {
  if (map.progs.msgParser !== prog) return -ENOENT;
  map.progs.msgParser = null;
  prog.refcnt--;
  return 0;
}

/**
 * BPF_CALL_4(bpf_sock_hash_update): a sock_ops program adds its socket, from the callbacks that allow it
 * (sock_map_op_okay), else EOPNOTSUPP.
 */
export function bpf_sock_hash_update(
  ctx: KernelCtx,
  ops: BpfSockOpsKern,
  map: BpfMap,
  key: Uint8Array,
  flags: number,
): number {
  const ret = sock_map_op_okay(ops) ? sock_hash_update_common(ctx, map, key, ops.sk, flags) : -EOPNOTSUPP;
  if (ops.trace) ctx.step(ops.trace, F_SOCK_MAP.hashUpdate, { map, key: keyHex(key) }, ret, map.hash.size);
  return ret;
}

/**
 * BPF_CALL_4(bpf_msg_redirect_hash): the message goes to the socket under `key` (BPF_F_INGRESS: to its
 * receive side); SK_DROP if there is none, it listens, or a flag is unknown.
 */
export function bpf_msg_redirect_hash(
  ctx: KernelCtx,
  msg: SkMsg,
  map: BpfMap,
  key: Uint8Array,
  flags: number,
): number {
  let verdict = SK_DROP;
  const sk = flags & ~BPF_F_INGRESS ? null : __sock_hash_lookup_elem(map, key);
  if (sk && sock_map_redirect_allowed(sk)) {
    msg.flags = flags;
    msg.skRedir = sk;
    verdict = SK_PASS;
  }
  ctx.step(msg.trace, F_SOCK_MAP.redirectHash, { map, key: keyHex(key), to: sk }, verdict);
  return verdict;
}

/**
 * sock_map_close (sk_prot->close while in a map): leave every map, drop the psock (tcp_prot comes back;
 * what ingress_msg still holds is freed), and close as tcp_prot's close (tcp_close: the FIN goes the normal
 * way). The unread ingress bytes are not in sk_receive_queue, so tcp_close sees no unread data: a FIN, not
 * the RST an unread receive queue gets.
 */
export function sock_map_close(
  ctx: KernelCtx,
  sk: TcpSock,
  timeout: number,
  saved: (ctx: KernelCtx, sk: TcpSock, timeout: number) => void,
): void {
  const psock = sk.psock;
  if (psock) {
    // The close has no skb of its own: the first unread message, if any, carries its trace.
    const trace = psock.ingressMsg[0]?.trace ?? null;
    if (trace) ctx.step(trace, F_SOCK_MAP.close, { links: psock.links.length, unread: psock.msgTotLen });
    sock_map_remove_links(sk, psock);
    sk_psock_drop(ctx, sk, psock);
  }
  saved(ctx, sk, timeout);
}

/** sock_map_destroy (sk_prot->destroy): a socket destroyed without a close (an unaccepted child) leaves its maps. */
export function sock_map_destroy(ctx: KernelCtx, sk: TcpSock): void {
  const psock = sk.psock;
  if (!psock) return;
  sock_map_remove_links(sk, psock);
  sk_psock_drop(ctx, sk, psock);
}
