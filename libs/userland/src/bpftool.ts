/**
 * bpftool (v7.1, as Debian 12 ships it): the commands a side-car accelerator is set up with.
 *   map create PATH type TYPE key K value V entries N name NAME [flags F]
 *   map { show | list } [MAP]           map dump MAP
 *   prog load OBJ PATH [type TYPE] [map { idx I | name N } MAP]... [pinmaps DIR]
 *   prog loadall OBJ DIR [pinmaps DIR]  prog { show | list } [PROG]
 *   prog { attach | detach } PROG msg_verdict MAP
 *   cgroup { attach | detach } CGROUP sock_ops PROG [multi | override]    cgroup { show | list } CGROUP
 * PROG and MAP are `id N`, `pinned PATH` or `name NAME`. Output, errors and exit statuses are bpftool's
 * (it exits with -1, or with the -errno some commands return, modulo 256). Objects are the lab's shipped
 * set (bpftool-objects.ts): anything else is refused, since the lab does not run BPF bytecode.
 */
import {
  BPF_CGROUP_SOCK_OPS,
  BPF_MAP_TYPE_SOCKHASH,
  BPF_MAP_TYPE_SOCKMAP,
  BPF_PROG_TYPE_SK_MSG,
  BPF_PROG_TYPE_SOCK_OPS,
  BPF_SK_MSG_VERDICT,
  BPFFS,
  ENOSPC,
  STRERROR,
  bpf_map_put,
  bpf_obj_get,
  bpf_obj_pin,
  bpf_prog_attach,
  bpf_prog_detach,
  bpf_prog_load,
  bpf_prog_put,
  bpf_state,
  cgroup_bpf_prog_query,
  cgroup_get_from_path,
  kern_path,
  map_create,
  map_get_next_key,
  map_lookup_elem,
  sock_map_mem_usage,
  type BpfMap,
  type BpfProg,
} from '@skblab/kernel';
import type { Command, CommandContext } from './command';
import { SHIPPED_OBJECTS, SKBLAB_BPF_DIR, type BpfObjectFile } from './bpftool-objects';

const MAP_TYPES: Record<string, number> = { sockmap: BPF_MAP_TYPE_SOCKMAP, sockhash: BPF_MAP_TYPE_SOCKHASH };
/** The map types bpftool knows but the lab does not model (map create says so). */
const OTHER_MAP_TYPES = new Set([
  'hash',
  'array',
  'prog_array',
  'perf_event_array',
  'percpu_hash',
  'percpu_array',
  'stack_trace',
  'cgroup_array',
  'lru_hash',
  'lru_percpu_hash',
  'lpm_trie',
  'array_of_maps',
  'hash_of_maps',
  'devmap',
  'cpumap',
  'xskmap',
  'devmap_hash',
  'reuseport_sockarray',
  'queue',
  'stack',
  'sk_storage',
  'struct_ops',
  'ringbuf',
  'inode_storage',
  'task_storage',
  'bloom_filter',
  'user_ringbuf',
  'cgrp_storage',
]);
const PROG_TYPE_NAME: Record<number, string> = {
  [BPF_PROG_TYPE_SOCK_OPS]: 'sock_ops',
  [BPF_PROG_TYPE_SK_MSG]: 'sk_msg',
};
const MAP_TYPE_NAME: Record<number, string> = {
  [BPF_MAP_TYPE_SOCKMAP]: 'sockmap',
  [BPF_MAP_TYPE_SOCKHASH]: 'sockhash',
};
/** bpftool's attach type names (prefixes accepted, as is_prefix does). */
const PROG_ATTACH_TYPES = ['sk_msg_verdict', 'msg_verdict'];
const CGROUP_ATTACH_TYPES: Record<string, number> = {
  sock_ops: BPF_CGROUP_SOCK_OPS,
  cgroup_sock_ops: BPF_CGROUP_SOCK_OPS,
};
/** Attach types bpftool knows that the lab's kernel has no program for. */
const OTHER_ATTACH_TYPES = new Set([
  'stream_verdict',
  'sk_skb_stream_verdict',
  'stream_parser',
  'sk_skb_stream_parser',
  'skb_verdict',
  'sk_skb_verdict',
  'flow_dissector',
  'ingress',
  'egress',
  'sock_create',
  'device',
  'bind4',
  'connect4',
]);

/** The -errno a command returns, as the process's exit status. */
const status = (err: number) => err & 0xff;
const strerror = (err: number) =>
  err === ENOSPC ? 'No space left on device' : (STRERROR[err] ?? `Unknown error ${err}`);

class BpftoolError extends Error {
  constructor(
    msg: string,
    readonly code = 255,
    /** What bpftool prints after the error (p_info lines). */
    readonly after = '',
  ) {
    super(msg);
  }
}

function fail(msg: string, code = 255, after = ''): never {
  throw new BpftoolError(msg, code, after);
}

/** REQ_ARGS(n): `prev` is the word before the arguments (argv[-1]). */
function reqArgs(args: string[], n: number, prev: string, code = 255): void {
  if (args.length < n) fail(`'${prev}' needs at least ${n} arguments, ${args.length} found`, code);
}

/** What load_with_options prints (p_info) after a failure once the object is open (its err_close_obj). */
const STRICT_WARNING =
  'Warning: bpftool is now running in libbpf strict mode and has more stringent requirements about BPF programs.\n' +
  "If it used to work for this object file but now doesn't, see --legacy option for more details.\n\n";

/** libbpf's section names, as libbpf_prog_type_by_name lists them when `type` names none (libbpf 1.1). */
const LIBBPF_SECTIONS =
  'socket sk_reuseport/migrate sk_reuseport kprobe+ uprobe+ uprobe.s+ kretprobe+ uretprobe+ uretprobe.s+ ' +
  'kprobe.multi+ kretprobe.multi+ ksyscall+ kretsyscall+ usdt+ tc classifier action tracepoint+ tp+ ' +
  'raw_tracepoint+ raw_tp+ raw_tracepoint.w+ raw_tp.w+ tp_btf+ fentry+ fmod_ret+ fexit+ fentry.s+ fmod_ret.s+ ' +
  'fexit.s+ freplace+ lsm+ lsm.s+ lsm_cgroup+ iter+ iter.s+ syscall xdp.frags/devmap xdp/devmap ' +
  'xdp.frags/cpumap xdp/cpumap xdp.frags xdp perf_event lwt_in lwt_out lwt_xmit lwt_seg6local sockops ' +
  'sk_skb/stream_parser sk_skb/stream_verdict sk_skb sk_msg lirc_mode2 flow_dissector cgroup_skb/ingress ' +
  'cgroup_skb/egress cgroup/skb cgroup/sock_create cgroup/sock_release cgroup/sock cgroup/post_bind4 ' +
  'cgroup/post_bind6 cgroup/bind4 cgroup/bind6 cgroup/connect4 cgroup/connect6 cgroup/sendmsg4 ' +
  'cgroup/sendmsg6 cgroup/recvmsg4 cgroup/recvmsg6 cgroup/getpeername4 cgroup/getpeername6 ' +
  'cgroup/getsockname4 cgroup/getsockname6 cgroup/sysctl cgroup/getsockopt cgroup/setsockopt cgroup/dev ' +
  'struct_ops+ sk_lookup';

/** fprint_hex: bytes in hex, two spaces after each 8, a new line after each 16. */
function fprintHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const pfx = !i ? '' : !(i % 16) ? '\n' : !(i % 8) ? '  ' : ' ';
    s += pfx + b[i].toString(16).padStart(2, '0');
  }
  return s;
}

function isPrefix(arg: string, word: string): boolean {
  return arg.length > 0 && word.startsWith(arg);
}

/** The lab's time as bpftool prints loaded_at (the lab's clock starts at the epoch). */
function loadedAt(ns: number): string {
  return new Date(Math.floor(ns / 1e6)).toISOString().replace(/\.\d+Z$/, '+0000');
}

class Bpftool {
  constructor(private readonly ctx: CommandContext) {}

  private get state() {
    return bpf_state(this.ctx.host);
  }

  /** prog_parse_fd: `id N`, `pinned PATH`, `name NAME`, `tag TAG`. */
  private parseProg(args: string[]): BpfProg {
    const [kw, val] = args.splice(0, 2);
    if (kw === undefined) fail("expected 'id', 'tag', 'name' or 'pinned', got: ''?");
    if (val === undefined) fail(`expected 'id', 'tag', 'name' or 'pinned', got: '${kw}'?`);
    if (isPrefix(kw, 'id')) {
      const id = Number(val);
      if (!/^\d+$/.test(val)) fail(`can't parse ${val} as ID`);
      const p = this.state.progs.get(id);
      if (!p) fail(`get by id (${id}): No such file or directory`);
      return p;
    }
    if (isPrefix(kw, 'pinned')) {
      const o = bpf_obj_get(this.ctx.host, val);
      if (typeof o === 'number') fail(`bpf obj get (${val}): ${strerror(-o)}`);
      if (o.kind !== 'prog') fail('incorrect object type: map');
      return o.prog;
    }
    if (isPrefix(kw, 'name')) {
      const found = [...this.state.progs.values()].filter((p) => p.name === val);
      if (!found.length) fail(`no program with name ${val} found`);
      return found[0];
    }
    if (isPrefix(kw, 'tag')) {
      const found = [...this.state.progs.values()].filter((p) => p.behaviour.tag === val);
      if (!found.length) fail(`no program with tag ${val} found`);
      return found[0];
    }
    return fail(`expected 'id', 'tag', 'name' or 'pinned', got: '${kw}'?`);
  }

  /** map_parse_fd: `id N`, `pinned PATH`, `name NAME`. */
  private parseMap(args: string[]): BpfMap {
    const [kw, val] = args.splice(0, 2);
    if (kw === undefined || val === undefined) fail(`expected 'id', 'name' or 'pinned', got: '${kw ?? ''}'?`);
    if (isPrefix(kw, 'id')) {
      if (!/^\d+$/.test(val)) fail(`can't parse ${val} as ID`);
      const m = this.state.maps.get(Number(val));
      if (!m) fail(`get map by id (${val}): No such file or directory`);
      return m;
    }
    if (isPrefix(kw, 'pinned')) {
      const o = bpf_obj_get(this.ctx.host, val);
      if (typeof o === 'number') fail(`bpf obj get (${val}): ${strerror(-o)}`);
      if (o.kind !== 'map') fail('incorrect object type: prog');
      return o.map;
    }
    if (isPrefix(kw, 'name')) {
      const found = [...this.state.maps.values()].filter((m) => m.name === val);
      if (!found.length) fail(`no map with name ${val} found`);
      return found[0];
    }
    return fail(`expected 'id', 'name' or 'pinned', got: '${kw}'?`);
  }

  // ---- map ---------------------------------------------------------------------------------------------

  map(args: string[]): number {
    const cmd = args.shift() ?? 'show';
    if (isPrefix(cmd, 'show') || isPrefix(cmd, 'list')) return this.mapShow(args);
    if (isPrefix(cmd, 'create')) return this.mapCreate(args);
    if (isPrefix(cmd, 'dump')) return this.mapDump(args);
    if (isPrefix(cmd, 'help')) return this.help('map');
    return fail(`unknown command '${cmd}'`);
  }

  private mapCreate(args: string[]): number {
    const path = args.shift();
    if (!path) fail('too few arguments to create a map');
    let type: number | null = null;
    let key = -1;
    let value = -1;
    let entries = -1;
    let name: string | null = null;
    let flags = 0;
    while (args.length) {
      const kw = args.shift()!;
      const v = args.shift();
      if (v === undefined) fail(`'${kw}' needs an argument`);
      if (isPrefix(kw, 'type')) {
        if (type !== null) fail('map type already specified');
        if (MAP_TYPES[v] === undefined) {
          if (OTHER_MAP_TYPES.has(v))
            fail(
              `map type ${v} is not modelled: the lab's kernel has sockmap and sockhash (docs/sockmap.md)`,
            );
          fail(`unrecognized map type: ${v}`);
        }
        type = MAP_TYPES[v];
      } else if (isPrefix(kw, 'name')) name = v;
      else if (isPrefix(kw, 'key')) key = this.u32(v, 'key size');
      else if (isPrefix(kw, 'value')) value = this.u32(v, 'value size');
      else if (isPrefix(kw, 'entries')) entries = this.u32(v, 'max entries');
      else if (isPrefix(kw, 'flags')) flags = this.u32(v, 'flags');
      else fail(`unknown arg ${kw}`);
    }
    if (name === null) fail('map name not specified');
    if (type === null) fail('map type not specified');
    const map = map_create(this.ctx.host, {
      type,
      keySize: Math.max(key, 0),
      valueSize: Math.max(value, 0),
      maxEntries: Math.max(entries, 0),
      flags,
      name,
    });
    if (typeof map === 'number') fail(`map create failed: ${strerror(-map)}`);
    const err = bpf_obj_pin(this.ctx.host, path, { kind: 'map', map });
    if (err) {
      bpf_map_put(this.ctx.host, map);
      fail(`can't pin the object (${path}): ${strerror(-err)}`, status(err));
    }
    return 0;
  }

  private u32(v: string, what: string): number {
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(v)) fail(`can't parse ${what}`);
    return Number(v);
  }

  private mapLine(m: BpfMap): string {
    return (
      `${m.id}: ${MAP_TYPE_NAME[m.type]}  name ${m.name}  flags 0x${m.flags.toString(16)}\n` +
      `\tkey ${m.keySize}B  value ${m.valueSize}B  max_entries ${m.maxEntries}  memlock ${sock_map_mem_usage(m)}B\n`
    );
  }

  private mapShow(args: string[]): number {
    if (args.length) {
      const m = this.parseMap(args);
      this.ctx.out(this.mapLine(m));
      return 0;
    }
    for (const m of [...this.state.maps.values()].sort((a, b) => a.id - b.id)) this.ctx.out(this.mapLine(m));
    return 0;
  }

  /** map dump: every key, and its value or why it cannot be read (print_entry_error_msg). */
  private mapDump(args: string[]): number {
    if (args.length !== 2) return this.usage();
    const m = this.parseMap(args);
    let key: Uint8Array | null = null;
    let n = 0;
    for (;;) {
      const next = map_get_next_key(m, key);
      if (typeof next === 'number') break;
      key = next;
      const v = map_lookup_elem(m, key);
      if (typeof v === 'number') {
        const msg = strerror(-v);
        const breakNames = m.keySize > 16 || msg.length > 16;
        const single = m.keySize + msg.length <= 24 && !breakNames;
        const sep = breakNames ? '\n' : ' ';
        this.ctx.out(`key:${sep}${fprintHex(key)}${single ? '  ' : '\n'}value:${sep}${msg}\n`);
        continue;
      }
      const breakNames = m.keySize > 16 || m.valueSize > 16;
      const single = m.keySize + m.valueSize <= 24 && !breakNames;
      const sep = breakNames ? '\n' : ' ';
      this.ctx.out(`key:${sep}${fprintHex(key)}${single ? '  ' : '\n'}value:${sep}${fprintHex(v)}\n`);
      n++;
    }
    this.ctx.out(`Found ${n} element${n !== 1 ? 's' : ''}\n`);
    return 0;
  }

  // ---- prog --------------------------------------------------------------------------------------------

  prog(args: string[]): number {
    const cmd = args.shift() ?? 'show';
    if (isPrefix(cmd, 'show') || isPrefix(cmd, 'list')) return this.progShow(args);
    if (cmd === 'load') return this.progLoad(args, false);
    if (cmd === 'loadall') return this.progLoad(args, true);
    if (isPrefix(cmd, 'attach')) return this.progAttach(args, true, cmd);
    if (isPrefix(cmd, 'detach')) return this.progAttach(args, false, cmd);
    if (isPrefix(cmd, 'help')) return this.help('prog');
    return fail(`unknown command '${cmd}'`);
  }

  private progLines(p: BpfProg): string {
    return (
      `${p.id}: ${PROG_TYPE_NAME[p.type]}  name ${p.name}  tag ${p.behaviour.tag}  gpl\n` +
      `\tloaded_at ${loadedAt(p.loadedAt)}  uid 0\n` +
      `\txlated ${p.behaviour.xlated}B  jited ${p.behaviour.jited}B  memlock 4096B` +
      (p.maps.length ? `  map_ids ${p.maps.map((m) => m.id).join(',')}` : '') +
      `\n\tbtf_id ${p.btfId}\n`
    );
  }

  private progShow(args: string[]): number {
    if (args.length) {
      this.ctx.out(this.progLines(this.parseProg(args)));
      return 0;
    }
    for (const p of [...this.state.progs.values()].sort((a, b) => a.id - b.id))
      this.ctx.out(this.progLines(p));
    return 0;
  }

  /** The object at `path`: one the lab ships, else libbpf's errors (and why the lab cannot run it). */
  private openObject(path: string): BpfObjectFile {
    const obj = SHIPPED_OBJECTS.get(path);
    if (obj) return obj;
    const inode = kern_path(this.ctx.host.fs, path);
    if (typeof inode === 'number') {
      this.ctx.err(`libbpf: elf: failed to open ${path}: ${strerror(-inode)}\n`);
      fail('failed to open object file');
    }
    this.ctx.err(
      `libbpf: elf: '${path}' is not a proper ELF object\n` +
        `skblab: arbitrary BPF bytecode is out of scope: the lab runs only the programs it ships (${[...SHIPPED_OBJECTS.keys()].join(', ')})\n`,
    );
    return fail('failed to open object file');
  }

  private progLoad(args: string[], all: boolean): number {
    const objPath = args.shift();
    const pinPath = args.shift();
    if (!objPath || !pinPath) return this.usage();
    const reuse = new Map<string, BpfMap>();
    let pinmaps: string | null = null;
    while (args.length) {
      const kw = args.shift()!;
      if (isPrefix(kw, 'type')) {
        const t = args.shift();
        if (t === undefined) fail('expected program type');
        if (!['sockops', 'sk_msg'].includes(t)) {
          // get_prog_type_by_name: libbpf says why, bpftool adds no error of its own.
          this.ctx.err(
            `libbpf: failed to guess program type from ELF section '${t}/'\n` +
              `libbpf: supported section(type) names are: ${LIBBPF_SECTIONS}\n`,
          );
          return 255;
        }
      } else if (isPrefix(kw, 'map')) {
        const how = args.shift();
        const which = args.shift();
        if (how === undefined || which === undefined) fail("expected 'idx' or 'name', got: ''?");
        if (!isPrefix(how, 'idx') && !isPrefix(how, 'name')) fail(`expected 'idx' or 'name', got: '${how}'?`);
        const m = this.parseMap(args);
        reuse.set(isPrefix(how, 'idx') ? `#${which}` : which, m);
      } else if (isPrefix(kw, 'pinmaps')) {
        pinmaps = args.shift() ?? fail('expected pinmaps directory');
      } else fail(`expected no more arguments, 'type', 'map' or 'dev', got: '${kw}'?`);
    }
    const obj = this.openObject(objPath);
    const host = this.ctx.host;
    for (const k of reuse.keys()) {
      if (k.startsWith('#')) {
        if (Number(k.slice(1)) >= obj.maps.length)
          fail(`map idx '${k.slice(1)}' not used`, 255, STRICT_WARNING);
      } else if (!obj.maps.some((om) => om.name === k))
        fail(`unable to find map '${k}'`, 255, STRICT_WARNING);
    }
    // bpf_object__load: each map of the object is reused (`map name|idx ... MAP`, or a compatible map
    // pinned by name under /sys/fs/bpf), else created (and pinned by name).
    const maps = new Map<string, BpfMap>();
    obj.maps.forEach((om, i) => {
      let m = reuse.get(om.name) ?? reuse.get(`#${i}`) ?? null;
      const pinAt = `${BPFFS}/${om.name}`;
      if (!m && om.pinByName) {
        const pinned = bpf_obj_get(host, pinAt);
        if (typeof pinned !== 'number') {
          const ok =
            pinned.kind === 'map' &&
            pinned.map.type === om.type &&
            pinned.map.keySize === om.keySize &&
            pinned.map.valueSize === om.valueSize &&
            pinned.map.maxEntries === om.maxEntries;
          if (!ok) {
            this.ctx.err(`libbpf: couldn't reuse pinned map at '${pinAt}': parameter mismatch\n`);
            this.ctx.err(`libbpf: map '${om.name}': error reusing pinned map\n`);
            this.ctx.err(`libbpf: map '${om.name}': failed to create: Invalid argument(-22)\n`);
            this.ctx.err(`libbpf: failed to load object '${objPath}'\n`);
            fail('failed to load object file', 255, STRICT_WARNING);
          }
          m = pinned.map;
        }
      }
      if (!m) {
        const created = map_create(host, { ...om, flags: 0, name: om.name });
        if (typeof created === 'number') fail(`map create failed: ${strerror(-created)}`);
        m = created;
        if (om.pinByName) bpf_obj_pin(host, pinAt, { kind: 'map', map: m });
      }
      maps.set(om.name, m);
    });
    const loaded: BpfProg[] = [];
    for (const b of obj.progs) {
      const p = bpf_prog_load(
        this.ctx.lab,
        host,
        b,
        b.maps.map((n) => maps.get(n)!),
      );
      if (typeof p === 'number') fail(`failed to load program: ${strerror(-p)}`);
      loaded.push(p);
    }
    // The maps it created are held by their bpffs pin and its programs (bpf_prog_load took those).
    const unload = () => {
      for (const p of loaded) {
        p.refcnt++;
        bpf_prog_put(host, p);
      }
    };
    if (all) {
      for (const p of loaded) {
        const err = bpf_obj_pin(host, `${pinPath.replace(/\/+$/, '')}/${p.name}`, { kind: 'prog', prog: p });
        if (err) {
          unload();
          this.ctx.err(
            `libbpf: prog '${p.name}': failed to pin at '${pinPath.replace(/\/+$/, '')}/${p.name}': ${strerror(-err)}\n`,
          );
          fail('failed to pin all programs', 255, STRICT_WARNING);
        }
      }
    } else {
      const err = bpf_obj_pin(host, pinPath, { kind: 'prog', prog: loaded[0] });
      if (err) {
        unload();
        fail(`failed to pin program ${obj.progs[0].section}`, 255, STRICT_WARNING);
      }
    }
    if (pinmaps) {
      for (const [name, m] of maps) {
        const at = `${pinmaps.replace(/\/+$/, '')}/${name}`;
        const held = bpf_obj_get(host, at);
        if (typeof held !== 'number' && held.kind === 'map' && held.map === m) continue;
        const err = bpf_obj_pin(host, at, { kind: 'map', map: m });
        if (err && err !== -17) fail(`failed to pin all maps`);
      }
    }
    return 0;
  }

  /** do_attach / do_detach: parse_attach_detach_args, then BPF_PROG_ATTACH / BPF_PROG_DETACH. */
  private progAttach(args: string[], attach: boolean, cmd: string): number {
    reqArgs(args, 3, cmd, status(-22));
    const prog = this.parseProg(args);
    const type = args.shift() ?? '';
    if (!PROG_ATTACH_TYPES.some((t) => isPrefix(type, t)) || !type) {
      if (OTHER_ATTACH_TYPES.has(type))
        fail(
          `attach type ${type} is not modelled: the lab's sockmaps take msg_verdict programs`,
          status(-22),
        );
      fail('invalid attach/detach type', status(-22));
    }
    reqArgs(args, 2, type, status(-22));
    const map = this.parseMap(args);
    const fn = attach ? bpf_prog_attach : bpf_prog_detach;
    const err = fn(this.ctx.host, prog, BPF_SK_MSG_VERDICT, { map });
    if (err) fail(attach ? 'failed prog attach to map' : 'failed prog detach from map', status(-22));
    return 0;
  }

  // ---- cgroup ------------------------------------------------------------------------------------------

  cgroup(args: string[]): number {
    // cmd_select: no command is `show` with no arguments, which then names `cgroup` in its complaint.
    if (!args.length) return this.cgroupShow(args, 'cgroup');
    const cmd = args.shift()!;
    if (isPrefix(cmd, 'show') || isPrefix(cmd, 'list')) return this.cgroupShow(args, cmd);
    if (isPrefix(cmd, 'attach')) return this.cgroupAttach(args, true);
    if (isPrefix(cmd, 'detach')) return this.cgroupAttach(args, false);
    if (isPrefix(cmd, 'help')) return this.help('cgroup');
    return fail(`unknown command '${cmd}'`);
  }

  private cgroupAttach(args: string[], attach: boolean): number {
    if (args.length < 4) fail(`too few parameters for cgroup ${attach ? 'attach' : 'detach'}`);
    const cg = args.shift()!;
    if (typeof cgroup_get_from_path(cg) === 'number') fail(`can't open cgroup ${cg}`);
    const t = args.shift()!;
    const type = CGROUP_ATTACH_TYPES[t];
    if (type === undefined) fail('invalid attach type');
    const prog = this.parseProg(args);
    // do_attach parses the flags; do_detach ignores what follows the program.
    if (attach)
      for (const a of args)
        if (!isPrefix(a, 'multi') && !isPrefix(a, 'override')) fail(`unknown option: ${a}`);
    const err = (attach ? bpf_prog_attach : bpf_prog_detach)(this.ctx.host, prog, type, { cgroup: cg });
    if (err) fail(attach ? 'failed to attach program' : 'failed to detach program');
    return 0;
  }

  private cgroupShow(args: string[], cmd: string): number {
    reqArgs(args, 1, cmd);
    const cg = args.shift()!;
    if (args.length && !isPrefix(args[0], 'effective'))
      fail(`expected no more arguments, 'effective', got: '${args[0]}'?`);
    if (typeof cgroup_get_from_path(cg) === 'number') fail(`can't open cgroup ${cg}`);
    const progs = cgroup_bpf_prog_query(this.ctx.host);
    if (!progs.length) return 0;
    this.ctx.out(
      `${'ID'.padEnd(8)} ${'AttachType'.padEnd(15)} ${'AttachFlags'.padEnd(15)} ${'Name'.padEnd(15)}\n`,
    );
    for (const p of progs)
      this.ctx.out(
        `${String(p.id).padEnd(8)} ${'cgroup_sock_ops'.padEnd(15)} ${''.padEnd(15)} ${p.name.padEnd(15)} ${''.padEnd(15)}\n`,
      );
    return 0;
  }

  // ---- help --------------------------------------------------------------------------------------------

  usage(): number {
    this.ctx.err(
      'Usage: bpftool [OPTIONS] OBJECT { COMMAND | help }\n' +
        '       bpftool batch file FILE\n' +
        '       bpftool version\n\n' +
        '       OBJECT := { prog | map | link | cgroup | perf | net | feature | btf | gen | struct_ops | iter }\n' +
        '       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} |\n' +
        '                    {-V|--version} }\n',
    );
    return 255;
  }

  private help(obj: string): number {
    const lines: Record<string, string> = {
      map:
        'Usage: bpftool map { show | list }   [MAP]\n' +
        '       bpftool map create     FILE type TYPE key KEY_SIZE value VALUE_SIZE \\\n' +
        '                                  entries MAX_ENTRIES name NAME [flags FLAGS]\n' +
        '       bpftool map dump       MAP\n' +
        '       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }\n' +
        `       TYPE := { sockmap | sockhash }   (the lab's kernel models these)\n`,
      prog:
        'Usage: bpftool prog { show | list } [PROG]\n' +
        '       bpftool prog { load | loadall } OBJ  PATH \\\n' +
        '                         [type TYPE] [map { idx IDX | name NAME } MAP] [pinmaps MAP_DIR]\n' +
        '       bpftool prog attach PROG ATTACH_TYPE [MAP]\n' +
        '       bpftool prog detach PROG ATTACH_TYPE [MAP]\n' +
        '       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }\n' +
        '       ATTACH_TYPE := { sk_msg_verdict }\n' +
        `       OBJ := the lab's objects in ${SKBLAB_BPF_DIR}: sockops.o, redir.o\n`,
      cgroup:
        'Usage: bpftool cgroup { show | list } CGROUP\n' +
        '       bpftool cgroup attach CGROUP ATTACH_TYPE PROG [ATTACH_FLAGS]\n' +
        '       bpftool cgroup detach CGROUP ATTACH_TYPE PROG\n' +
        '       ATTACH_TYPE := { cgroup_sock_ops }   CGROUP := /sys/fs/cgroup\n' +
        '       ATTACH_FLAGS := { multi | override }\n',
    };
    this.ctx.err(lines[obj]);
    return 0;
  }
}

export const bpftool: Command = async (ctx) => {
  const args = ctx.argv.slice(1);
  const t = new Bpftool(ctx);
  while (args[0]?.startsWith('-')) {
    const o = args.shift()!;
    if (o === '-V' || o === '--version') {
      ctx.out('bpftool v7.1.0\nusing libbpf v1.1\nfeatures: libbpf_strict\n');
      return 0;
    }
    if (o === '-j' || o === '--json' || o === '-p' || o === '--pretty') {
      ctx.err('Error: JSON output is not modelled by the lab\n');
      return 255;
    }
    ctx.err(`bpftool: unrecognized option '${o}'\n`);
    return t.usage();
  }
  const obj = args.shift();
  // cmd_select with no object runs do_help: the usage, and success.
  if (!obj) {
    t.usage();
    return 0;
  }
  try {
    if (obj === 'version') {
      ctx.out('bpftool v7.1.0\nusing libbpf v1.1\nfeatures: libbpf_strict\n');
      return 0;
    }
    if (isPrefix(obj, 'map')) return t.map(args);
    if (isPrefix(obj, 'prog')) return t.prog(args);
    if (isPrefix(obj, 'cgroup')) return t.cgroup(args);
    if (isPrefix(obj, 'help')) return t.usage();
    if (
      ['link', 'perf', 'net', 'feature', 'btf', 'gen', 'struct_ops', 'iter', 'batch'].some((o) =>
        isPrefix(obj, o),
      )
    )
      fail(`'${obj}' is not modelled by the lab: bpftool here has map, prog and cgroup`);
    // cmd_select: an unknown object prints the usage and fails.
    return t.usage();
  } catch (e) {
    if (!(e instanceof BpftoolError)) throw e;
    ctx.err(`Error: ${e.message}\n${e.after}`);
    return e.code;
  }
};
