/**
 * kernel/bpf/syscall.c: the bpf(2) commands bpftool uses for the side-car bypass: BPF_MAP_CREATE,
 * BPF_PROG_LOAD, BPF_OBJ_PIN / BPF_OBJ_GET (bpffs at /sys/fs/bpf), BPF_MAP_GET_NEXT_KEY,
 * BPF_MAP_LOOKUP_ELEM, BPF_PROG_ATTACH / BPF_PROG_DETACH, and the id walks behind `prog show` and `map show`.
 * Map and program ids are the kernel's (one idr each, per host: the lab's hosts are separate kernels).
 */
import type { Host } from '../../include/net/net_namespace';
import type { KernelCtx } from '../../include/net/kctx';
import {
  BPF_CGROUP_SOCK_OPS,
  BPF_MAP_TYPE_SOCKHASH,
  BPF_MAP_TYPE_SOCKMAP,
  BPF_PROG_TYPE_SK_MSG,
  BPF_PROG_TYPE_SOCK_OPS,
  BPF_SK_MSG_VERDICT,
  type BpfMap,
  type BpfObject,
  type BpfProg,
  type BpfProgBehaviour,
} from '../../include/linux/bpf';
import { EBADF, EEXIST, EINVAL, ENOENT, EPERM } from '../../include/linux/errno';
import {
  sock_hash_alloc,
  sock_hash_get_next_key,
  sock_hash_lookup_sys,
  sock_map_alloc,
  sock_map_get_next_key,
  sock_map_lookup_sys,
  sock_map_prog_attach,
  sock_map_prog_detach,
} from '../../net/core/sock_map';
import { cgroup_bpf_prog_attach, cgroup_bpf_prog_detach } from './cgroup';

/** Where bpffs is mounted in the lab (BPF_OBJ_PIN outside it is EPERM: not a bpffs path). */
export const BPFFS = '/sys/fs/bpf';

/** A host's BPF objects: the map and program idrs, and bpffs's pins. */
export interface BpfState {
  maps: Map<number, BpfMap>;
  progs: Map<number, BpfProg>;
  nextMapId: number;
  nextProgId: number;
  nextBtfId: number;
  pins: Map<string, BpfObject>;
}

const STATE = new WeakMap<Host, BpfState>();

/** The host's BPF state (made on first use: a lab host boots with none). */
export function bpf_state(host: Host): BpfState {
  let s = STATE.get(host);
  if (!s) {
    s = { maps: new Map(), progs: new Map(), nextMapId: 1, nextProgId: 1, nextBtfId: 1, pins: new Map() };
    STATE.set(host, s);
  }
  return s;
}

/** The name the kernel keeps: BPF_OBJ_NAME_LEN 16, NUL included; only [A-Za-z0-9_.] (bpf_obj_name_cpy). */
function bpf_obj_name_cpy(name: string): string | number {
  if (name.length > 15) return -EINVAL;
  if (!/^[A-Za-z0-9_.]*$/.test(name)) return -EINVAL;
  return name;
}

export interface MapCreateAttr {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  name: string;
}

/** map_create: BPF_MAP_CREATE, checked by the map type's alloc_check. */
export function map_create(host: Host, attr: MapCreateAttr): BpfMap | number {
  const name = bpf_obj_name_cpy(attr.name);
  if (typeof name === 'number') return name;
  let map: BpfMap | number;
  if (attr.type === BPF_MAP_TYPE_SOCKHASH) map = sock_hash_alloc(attr);
  else if (attr.type === BPF_MAP_TYPE_SOCKMAP) map = sock_map_alloc(attr);
  else return -EINVAL;
  if (typeof map === 'number') return map;
  const s = bpf_state(host);
  map.id = s.nextMapId++;
  map.name = name;
  s.maps.set(map.id, map);
  return map;
}

/** bpf_prog_load: BPF_PROG_LOAD of a shipped program (its behaviour stands for the verified bytecode). */
export function bpf_prog_load(
  ctx: KernelCtx,
  host: Host,
  behaviour: BpfProgBehaviour,
  maps: BpfMap[],
): BpfProg | number {
  if (behaviour.type !== BPF_PROG_TYPE_SOCK_OPS && behaviour.type !== BPF_PROG_TYPE_SK_MSG) return -EINVAL;
  const name = bpf_obj_name_cpy(behaviour.name.slice(0, 15));
  if (typeof name === 'number') return name;
  const s = bpf_state(host);
  for (const m of maps) m.refcnt++;
  const prog: BpfProg = {
    id: s.nextProgId++,
    type: behaviour.type,
    name,
    behaviour,
    maps,
    loadedAt: ctx.now(),
    refcnt: 0,
    btfId: s.nextBtfId++,
  };
  s.progs.set(prog.id, prog);
  return prog;
}

/**
 * bpf_obj_pin: a name in bpffs for a map or a program (EEXIST if taken; EPERM outside bpffs). bpffs
 * directories are not modelled: a name under a subdirectory pins as if libbpf's make_parent_dir had made
 * it (what `prog loadall OBJ /sys/fs/bpf/DIR` relies on).
 */
export function bpf_obj_pin(host: Host, path: string, obj: BpfObject): number {
  const p = path.replace(/\/+$/, '');
  if (!p.startsWith(BPFFS + '/') || p.split('/').includes('..')) return -EPERM;
  const s = bpf_state(host);
  if (s.pins.has(p)) return -EEXIST;
  s.pins.set(p, obj);
  if (obj.kind === 'map') obj.map.refcnt++;
  else obj.prog.refcnt++;
  return 0;
}

/** bpf_obj_get: what a bpffs path holds (ENOENT if nothing). */
export function bpf_obj_get(host: Host, path: string): BpfObject | number {
  return bpf_state(host).pins.get(path.replace(/\/+$/, '')) ?? -ENOENT;
}

/** bpf_obj_unpin (unlink on bpffs): the object goes once nothing else holds it. */
export function bpf_obj_unpin(host: Host, path: string): number {
  const s = bpf_state(host);
  const p = path.replace(/\/+$/, '');
  const obj = s.pins.get(p);
  if (!obj) return -ENOENT;
  s.pins.delete(p);
  if (obj.kind === 'map') bpf_map_put(host, obj.map);
  else bpf_prog_put(host, obj.prog);
  return 0;
}

/**
 * bpf_map_put: the last reference frees the map. The kernel's sock_hash_free / sock_map_free would take its
 * sockets out first; that is not modelled, as nothing in the lab can drop the last reference of a map that
 * holds sockets (its pin and its programs' references stay: bpffs has no unlink here).
 */
export function bpf_map_put(host: Host, map: BpfMap): void {
  if (--map.refcnt > 0) return;
  bpf_state(host).maps.delete(map.id);
}

/** bpf_prog_put */
export function bpf_prog_put(host: Host, prog: BpfProg): void {
  if (--prog.refcnt > 0) return;
  bpf_state(host).progs.delete(prog.id);
  for (const m of prog.maps) bpf_map_put(host, m);
}

/** map_get_next_key: BPF_MAP_GET_NEXT_KEY (null key: the first). */
export function map_get_next_key(map: BpfMap, key: Uint8Array | null): Uint8Array | number {
  return map.type === BPF_MAP_TYPE_SOCKHASH
    ? sock_hash_get_next_key(map, key)
    : sock_map_get_next_key(map, key);
}

/** map_lookup_elem: BPF_MAP_LOOKUP_ELEM from user space (map_lookup_elem_sys_only). */
export function map_lookup_elem(map: BpfMap, key: Uint8Array): Uint8Array | number {
  return map.type === BPF_MAP_TYPE_SOCKHASH ? sock_hash_lookup_sys(map, key) : sock_map_lookup_sys(map, key);
}

/**
 * bpf_prog_attach: BPF_PROG_ATTACH. sock_ops attaches to a cgroup (`target` a cgroup path), sk_msg
 * verdicts to a sockmap or sockhash; a program of the wrong type for the attach type is EINVAL
 * (attach_type_to_prog_type).
 */
export function bpf_prog_attach(
  host: Host,
  prog: BpfProg,
  attachType: number,
  target: { cgroup: string } | { map: BpfMap },
): number {
  if (attachType === BPF_CGROUP_SOCK_OPS) {
    if (prog.type !== BPF_PROG_TYPE_SOCK_OPS || !('cgroup' in target)) return -EINVAL;
    return cgroup_bpf_prog_attach(host, target.cgroup, prog);
  }
  if (attachType === BPF_SK_MSG_VERDICT) {
    if (prog.type !== BPF_PROG_TYPE_SK_MSG || !('map' in target)) return -EINVAL;
    return sock_map_prog_attach(target.map, prog);
  }
  return -EINVAL;
}

/** bpf_prog_detach: BPF_PROG_DETACH (ENOENT when that program is not attached there). */
export function bpf_prog_detach(
  host: Host,
  prog: BpfProg,
  attachType: number,
  target: { cgroup: string } | { map: BpfMap },
): number {
  if (attachType === BPF_CGROUP_SOCK_OPS) {
    if (!('cgroup' in target)) return -EBADF;
    return cgroup_bpf_prog_detach(host, target.cgroup, prog);
  }
  if (attachType === BPF_SK_MSG_VERDICT) {
    if (!('map' in target)) return -EINVAL;
    return sock_map_prog_detach(target.map, prog);
  }
  return -EINVAL;
}
