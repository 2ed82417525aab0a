/**
 * The BPF objects the lab ships in /usr/lib/skblab/bpf: the two programs of a Cilium-style side-car
 * accelerator, each with the sockhash it shares with the other. Their behaviour is written here in
 * TypeScript, line for line what test/bpf/sockops.c and test/bpf/redir.c do (the real-kernel test compiles
 * those with clang); the tags and sizes are what the real kernel reports for that C. Other objects are out
 * of scope: the lab does not run BPF bytecode.
 */
import {
  BPF_F_INGRESS,
  BPF_MAP_TYPE_SOCKHASH,
  BPF_NOEXIST,
  BPF_PROG_TYPE_SK_MSG,
  BPF_PROG_TYPE_SOCK_OPS,
  BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB,
  BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB,
  bpf_msg_redirect_hash,
  bpf_sock_hash_update,
  type BpfProgBehaviour,
  type BpfSockOpsKern,
  type SkMsgMd,
} from '@skblab/kernel';

/** A map an object defines (a BTF-defined map in its .maps section, pinned by name). */
export interface ObjectMap {
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  pinByName: boolean;
}

export interface BpfObjectFile {
  path: string;
  maps: ObjectMap[];
  progs: BpfProgBehaviour[];
}

/** The directory the objects are shipped in. */
export const SKBLAB_BPF_DIR = '/usr/lib/skblab/bpf';

/** struct { sockhash, key struct sock_key (16 bytes), value u32, 65535 entries, LIBBPF_PIN_BY_NAME } sock_ops_map */
const SOCK_OPS_MAP: ObjectMap = {
  name: 'sock_ops_map',
  type: BPF_MAP_TYPE_SOCKHASH,
  keySize: 16,
  valueSize: 4,
  maxEntries: 65535,
  pinByName: true,
};

/** bpf_htonl(0x7f000001) as the program compares it: 127.0.0.1's bytes loaded as a little-endian u32. */
const LOOPBACK_BE = 0x0100007f;

/** bpf_ntohl */
function ntohl(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** struct sock_key { u32 sip, dip, sport, dport } on the program's stack (little-endian stores). */
function sockKey(sip: number, dip: number, sport: number, dport: number): Uint8Array {
  const k = new Uint8Array(16);
  const v = new DataView(k.buffer);
  v.setUint32(0, sip >>> 0, true);
  v.setUint32(4, dip >>> 0, true);
  v.setUint32(8, sport >>> 0, true);
  v.setUint32(12, dport >>> 0, true);
  return k;
}

/** bpf_sockops (SEC("sockops")): add each established socket on 127.0.0.1 to sock_ops_map under its own tuple. */
const bpf_sockops: BpfProgBehaviour = {
  type: BPF_PROG_TYPE_SOCK_OPS,
  name: 'bpf_sockops',
  section: 'sockops',
  maps: ['sock_ops_map'],
  tag: 'c6d531ab3dc1a8a4',
  xlated: 264,
  jited: 163,
  run(kctx, c, maps) {
    const skops = c as BpfSockOpsKern;
    if (skops.family !== 2) return 0;
    if (skops.op !== BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB && skops.op !== BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
      return 0;
    if (skops.localIp4 !== LOOPBACK_BE || skops.remoteIp4 !== LOOPBACK_BE) return 0;
    const key = sockKey(skops.localIp4, skops.remoteIp4, skops.localPort, ntohl(skops.remotePort));
    bpf_sock_hash_update(kctx, skops, maps[0], key, BPF_NOEXIST);
    return 0;
  },
};

/** bpf_redir (SEC("sk_msg")): redirect each message to the ingress of the socket under the reversed tuple. */
const bpf_redir: BpfProgBehaviour = {
  type: BPF_PROG_TYPE_SK_MSG,
  name: 'bpf_redir',
  section: 'sk_msg',
  maps: ['sock_ops_map'],
  tag: 'c1115a7217afa951',
  xlated: 168,
  jited: 113,
  run(kctx, c, maps) {
    const msg = c as SkMsgMd;
    const key = sockKey(msg.remoteIp4, msg.localIp4, ntohl(msg.remotePort), msg.localPort);
    return bpf_msg_redirect_hash(kctx, msg.msg, maps[0], key, BPF_F_INGRESS);
  },
};

/** The shipped objects, by path. */
export const SHIPPED_OBJECTS: ReadonlyMap<string, BpfObjectFile> = new Map(
  [
    { path: `${SKBLAB_BPF_DIR}/sockops.o`, maps: [SOCK_OPS_MAP], progs: [bpf_sockops] },
    { path: `${SKBLAB_BPF_DIR}/redir.o`, maps: [SOCK_OPS_MAP], progs: [bpf_redir] },
  ].map((o) => [o.path, o]),
);
