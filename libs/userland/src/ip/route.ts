/**
 * `ip route`: list/show (the kernel's dump order), add/change/replace/append/prepend/del, flush and get,
 * as ip/iproute.c parses and prints them.
 */
import {
  EINVAL,
  ENETUNREACH,
  IFF_UP,
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_UNICAST,
  RTPROT_BOOT,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  dev_get_by_name,
  fibLookup,
  ipRouteInputNoref,
  ipRouteOutputKey,
  isRouteError,
  type FibEntry,
  type NetDevice,
  type NewRouteMode,
  type RouteMsg,
  type RouteSpec,
  RTAX_ADVMSS,
  RTAX_INITCWND,
  RTAX_MTU,
  type Rtable,
} from '@skblab/kernel';
import { ipv4ToString, prefixMask } from '@skblab/wire/address';
import {
  duparg2,
  fail,
  invarg,
  matches,
  nextArg,
  nodev,
  printJson,
  rtnlCheck,
  rtnlMessage,
  type Ip,
} from './common';
import {
  getAddr,
  getPrefix,
  getUnsigned,
  protoId,
  protoName,
  rtnTypeId,
  rtnTypeName,
  scopeId,
  scopeName,
  tableId,
  tableName,
  type Prefix,
} from './parse';
import { tableExists } from './state';
import { ROUTE_USAGE } from './usage';

function usage(ip: Ip): never {
  fail(ip, ROUTE_USAGE, 255);
}

const RTNH_F_LINKDOWN = 'linkdown';

/** The route filter of iproute_list_flush_or_save; a set field also hides that field in the output. */
interface RouteFilter {
  /** 0: all tables. */
  tb: number;
  cloned: boolean;
  oif?: NetDevice;
  type?: number;
  protocol?: number;
  scope?: number;
  metric?: number;
  via?: Prefix;
  src?: Prefix;
  rdst?: Prefix;
  mdst?: Prefix;
}

function prefixMatch(addr: number, p: Prefix, bits: number): boolean {
  if (p.addr === null) return true;
  const m = prefixMask(bits);
  return ((addr ^ p.addr) & m) >>> 0 === 0;
}

function filterRoute(f: RouteFilter, e: FibEntry): boolean {
  if (f.tb && e.table !== f.tb) return false;
  if (f.type !== undefined && e.type !== f.type) return false;
  if (f.protocol !== undefined && e.protocol !== f.protocol) return false;
  if (f.scope !== undefined && e.scope !== f.scope) return false;
  if (f.metric !== undefined && e.priority !== f.metric) return false;
  if (f.oif && e.dev !== f.oif) return false;
  // root PREFIX: routes at least as long, inside it; match PREFIX: routes at most as long, covering it.
  // "default" (no address) keeps only the length test, so `ip route show default` lists the /0 routes.
  if (f.rdst && (f.rdst.plen > e.plen || (f.rdst.addr !== null && !prefixMatch(e.dst, f.rdst, f.rdst.plen))))
    return false;
  if (
    f.mdst &&
    (f.mdst.plen < e.plen ||
      (f.mdst.addr !== null && !prefixMatch(f.mdst.addr, { ...f.mdst, addr: e.dst }, e.plen)))
  )
    return false;
  if (f.via && f.via.addr !== null && (!e.gw || !prefixMatch(e.gw, f.via, f.via.plen))) return false;
  if (f.src && f.src.addr !== null && (!e.prefsrc || !prefixMatch(e.prefsrc, f.src, f.src.plen)))
    return false;
  return true;
}

/** The kernel's dump order: table by table (hash bucket order), each in trie order (key, then longer first). */
export function dumpOrder(entries: FibEntry[]): FibEntry[] {
  const idx = new Map(entries.map((e, i) => [e, i]));
  return [...entries].sort(
    (a, b) =>
      (a.table & 0xff) - (b.table & 0xff) ||
      a.dst - b.dst ||
      b.plen - a.plen ||
      a.priority - b.priority ||
      idx.get(a)! - idx.get(b)!,
  );
}

function dstText(dst: number, plen: number): string {
  if (plen === 0) return 'default';
  return plen === 32 ? ipv4ToString(dst) : `${ipv4ToString(dst)}/${plen}`;
}

/** print_route for a FIB entry: the text line (with its trailing space) and the JSON object. */
function printRoute(f: RouteFilter | null, e: FibEntry): { text: string; json: Record<string, unknown> } {
  const j: Record<string, unknown> = {};
  let t = '';
  if (e.type !== RTN_UNICAST) {
    j.type = rtnTypeName(e.type);
    t += `${j.type} `;
  }
  j.dst = dstText(e.dst, e.plen);
  t += `${j.dst} `;
  if (e.gw && !(f?.via && f.via.plen === 32)) {
    j.gateway = ipv4ToString(e.gw);
    t += `via ${j.gateway} `;
  }
  if (e.dev && !f?.oif) {
    j.dev = e.dev.name;
    t += `dev ${j.dev} `;
  }
  if (e.table !== RT_TABLE_MAIN && (!f || !f.tb)) {
    j.table = tableName(e.table);
    t += `table ${j.table} `;
  }
  if (e.protocol !== RTPROT_BOOT && f?.protocol === undefined) {
    j.protocol = protoName(e.protocol);
    t += `proto ${j.protocol} `;
  }
  if (e.scope !== RT_SCOPE_UNIVERSE && f?.scope === undefined) {
    j.scope = scopeName(e.scope);
    t += `scope ${j.scope} `;
  }
  if (e.prefsrc && !(f?.src && f.src.plen === 32)) {
    j.prefsrc = ipv4ToString(e.prefsrc);
    t += `src ${j.prefsrc} `;
  }
  if (e.priority && f?.metric === undefined) {
    j.metric = e.priority;
    t += `metric ${e.priority} `;
  }
  const flags: string[] = [];
  // RTNH_F_LINKDOWN: a nexthop whose device is up without carrier (host-scope nexthops never are).
  if (e.dev && e.scope !== RT_SCOPE_HOST && e.dev.flags & IFF_UP && !e.dev.carrier)
    flags.push(RTNH_F_LINKDOWN);
  j.flags = flags;
  for (const fl of flags) t += `${fl} `;
  // print_rta_metrics: RTAX_MTU, RTAX_ADVMSS, RTAX_INITCWND in that order, `lock` after a locked one's name.
  const metrics: Record<string, number> = {};
  for (const [name, rtax, v] of [
    ['mtu', RTAX_MTU, e.mtu],
    ['advmss', RTAX_ADVMSS, e.advmss],
    ['initcwnd', RTAX_INITCWND, e.initcwnd],
  ] as const) {
    const locked = (e.locks & (1 << rtax)) !== 0;
    if (!v && !locked) continue;
    metrics[name] = v;
    t += `${name} ${locked ? 'lock ' : ''}${v} `;
  }
  if (Object.keys(metrics).length) j.metrics = [metrics];
  return { text: t + '\n', json: j };
}

function parseListArgs(ip: Ip, args: string[]): RouteFilter {
  const f: RouteFilter = { tb: RT_TABLE_MAIN, cloned: false };
  let devName: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (matches(a, 'table')) {
      const v = nextArg(ip, args, i++);
      const t = tableId(v);
      if (t === null) {
        if (v === 'all') f.tb = 0;
        else if (v === 'cache') f.cloned = true;
        else if (v === 'help') usage(ip);
        else invarg(ip, 'table id value is invalid\n', v);
      } else f.tb = t;
    } else if (matches(a, 'cached') || matches(a, 'cloned')) f.cloned = true;
    else if (matches(a, 'protocol')) {
      const v = nextArg(ip, args, i++);
      const p = protoId(v);
      if (p === null) {
        if (v !== 'all') invarg(ip, 'invalid "protocol"\n', v);
      } else f.protocol = p;
    } else if (matches(a, 'scope')) {
      const v = nextArg(ip, args, i++);
      const s = scopeId(v);
      if (s === null) {
        if (v !== 'all') invarg(ip, 'invalid "scope"\n', v);
      } else f.scope = s;
    } else if (matches(a, 'type')) {
      const v = nextArg(ip, args, i++);
      const t = rtnTypeId(v);
      if (t === null) invarg(ip, 'node type value is invalid\n', v);
      f.type = t;
    } else if (a === 'dev' || a === 'oif') devName = nextArg(ip, args, i++);
    else if (matches(a, 'metric') || matches(a, 'priority') || a === 'preference') {
      const v = nextArg(ip, args, i++);
      const m = getUnsigned(v);
      if (m === null) invarg(ip, '"metric" value is invalid\n', v);
      f.metric = m;
    } else if (a === 'via') f.via = getPrefix(ip, nextArg(ip, args, i++));
    else if (a === 'src') f.src = getPrefix(ip, nextArg(ip, args, i++));
    else {
      let v = a;
      if (matches(v, 'to')) v = nextArg(ip, args, i++);
      if (matches(v, 'root')) f.rdst = getPrefix(ip, nextArg(ip, args, i++));
      else if (matches(v, 'match')) f.mdst = getPrefix(ip, nextArg(ip, args, i++));
      else {
        if (matches(v, 'exact')) v = nextArg(ip, args, i++);
        else if (matches(v, 'help')) usage(ip);
        f.mdst = getPrefix(ip, v);
        f.rdst = f.mdst;
      }
    }
  }
  if (devName !== undefined) {
    const dev = dev_get_by_name(ip.net, devName);
    if (!dev) nodev(ip, devName);
    f.oif = dev;
  }
  return f;
}

/** `ip route [list|show] SELECTOR`. */
function routeList(ip: Ip, args: string[]): number {
  const f = parseListArgs(ip, args);
  if (ip.opts.family === 'inet6') {
    // IPv6 is off in the lab: no IPv6 route to list.
    if (ip.opts.json) ip.out('[]\n');
    return 0;
  }
  if (ip.opts.json) ip.out('[');
  if (f.tb && !tableExists(ip.net, f.tb)) {
    ip.err('Error: ipv4: FIB table does not exist.\nDump terminated\n');
    return 2;
  }
  const rows = f.cloned
    ? []
    : dumpOrder(ip.net.fib.filter((e) => filterRoute(f, e))).map((e) => printRoute(f, e));
  if (ip.opts.json) ip.out(JSON.stringify(rows.map((r) => r.json)).slice(1) + '\n');
  else ip.out(rows.map((r) => r.text).join(''));
  return 0;
}

/** `ip route flush SELECTOR`: delete what the selector lists. */
function routeFlush(ip: Ip, args: string[]): number {
  if (!args.length) fail(ip, '"ip route flush" requires arguments.\n', 1);
  const f = parseListArgs(ip, args);
  if (f.cloned) return 0;
  if (f.tb && !tableExists(ip.net, f.tb)) {
    ip.err('Error: ipv4: FIB table does not exist.\nFlush terminated\n');
    return 2;
  }
  const victims = new Set(ip.net.fib.filter((e) => filterRoute(f, e)));
  for (const e of victims)
    delRoute(ip, {
      dst: e.dst,
      plen: e.plen,
      table: e.table,
      type: e.type,
      scope: e.scope,
      protocol: e.protocol,
      metric: e.priority,
      dev: e.dev,
      gw: e.gw,
      prefsrc: e.prefsrc,
      mtu: 0,
      advmss: 0,
      initcwnd: 0,
      locks: 0,
    });
  return 0;
}

/** A route as a request carries it: the device by name. */
function routeMsg(r: RouteSpec): RouteMsg {
  return { ...r, dev: r.dev ? r.dev.name : null };
}

/** RTM_DELROUTE: the first route matching every attribute given (0 or null: any). */
function delRoute(ip: Ip, r: RouteSpec) {
  return ip.lab.configure(ip.host, { op: 'route.del', netns: ip.net.name, route: routeMsg(r) });
}

/** iproute_modify: RTM_NEWROUTE with the NLM_F_* of add/change/replace/append/prepend, or RTM_DELROUTE. */
function routeModify(ip: Ip, cmd: NewRouteMode | 'del', args: string[]): number {
  let dst: Prefix | undefined;
  let type: number | undefined;
  let gw = 0;
  let gwSeen = false;
  let devName: string | undefined;
  let prefsrc = 0;
  let metric: number | undefined;
  let table: number | undefined;
  let protocol: number | undefined;
  let scope: number | undefined;
  let mtu = 0;
  let advmss = 0;
  let initcwnd = 0;
  /** mxlock: RTAX_LOCK's bits, a `lock` before a metric's value. */
  let locks = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === 'src') prefsrc = getAddr(ip, nextArg(ip, args, i++), dst ? 'inet' : null);
    else if (a === 'via') {
      if (gwSeen) invarg(ip, 'use nexthop syntax to specify multiple via\n', a);
      gwSeen = true;
      let v = nextArg(ip, args, i++);
      if (v === 'inet') v = nextArg(ip, args, i++);
      gw = getAddr(ip, v, dst ? 'inet' : null);
    } else if (matches(a, 'metric') || matches(a, 'priority') || a === 'preference') {
      const v = nextArg(ip, args, i++);
      const m = getUnsigned(v);
      if (m === null) invarg(ip, '"metric" value is invalid\n', v);
      metric = m;
    } else if (a === 'scope') {
      const v = nextArg(ip, args, i++);
      const s = scopeId(v);
      if (s === null) invarg(ip, 'invalid "scope" value\n', v);
      scope = s;
    } else if (a === 'mtu' || a === 'advmss' || a === 'initcwnd') {
      // iproute_modify: [lock] VALUE; a lock sets the metric's bit of RTAX_LOCK.
      let v = nextArg(ip, args, i++);
      const bit = 1 << { mtu: RTAX_MTU, advmss: RTAX_ADVMSS, initcwnd: RTAX_INITCWND }[a];
      if (v === 'lock') {
        locks |= bit;
        v = nextArg(ip, args, i++);
      }
      const m = getUnsigned(v);
      if (m === null) invarg(ip, `"${a === 'advmss' ? 'mss' : a}" value is invalid\n`, v);
      if (a === 'mtu') mtu = m;
      else if (a === 'advmss') advmss = m;
      else initcwnd = m;
    } else if (matches(a, 'table')) {
      const v = nextArg(ip, args, i++);
      const t = tableId(v);
      if (t === null) invarg(ip, '"table" value is invalid\n', v);
      table = t;
    } else if (a === 'dev' || a === 'oif') devName = nextArg(ip, args, i++);
    else if (matches(a, 'protocol')) {
      const v = nextArg(ip, args, i++);
      const p = protoId(v);
      if (p === null) invarg(ip, '"protocol" value is invalid\n', v);
      protocol = p;
    } else if (a === 'onlink' || a === 'pervasive') {
      // nexthop flags: accepted, not modelled
    } else if (['hoplimit', 'window', 'cwnd', 'initrwnd', 'reordering', 'realms'].includes(a)) {
      i++;
    } else {
      let v = a;
      if (v === 'to') v = nextArg(ip, args, i++);
      const t = !/^[0-9]/.test(v) ? rtnTypeId(v) : null;
      if (t !== null) {
        v = nextArg(ip, args, i++);
        type = t;
      }
      if (matches(v, 'help')) usage(ip);
      if (dst) duparg2(ip, 'to', v);
      dst = getPrefix(ip, v);
    }
  }
  if (!dst) usage(ip);
  let dev: NetDevice | null = null;
  if (devName !== undefined) {
    const d = dev_get_by_name(ip.net, devName);
    if (!d) nodev(ip, devName);
    dev = d;
  }
  const dstAddr = dst.addr ?? 0;
  const rtype = type ?? RTN_UNICAST;
  // iproute2 puts local, broadcast, nat and anycast routes in the local table unless told otherwise.
  const defTable = [RTN_LOCAL, RTN_BROADCAST, 4, 10].includes(rtype) ? RT_TABLE_LOCAL : RT_TABLE_MAIN;
  if (cmd === 'del') {
    rtnlCheck(
      ip,
      delRoute(ip, {
        dst: dstAddr,
        plen: dst.plen,
        table: table ?? defTable,
        type: type ?? 0,
        scope: scope ?? null,
        protocol: protocol ?? 0,
        metric: metric ?? 0,
        gw,
        dev,
        prefsrc,
        mtu: 0,
        advmss: 0,
        initcwnd: 0,
        locks: 0,
      }),
    );
    return 0;
  }
  const rscope =
    scope ??
    (rtype === RTN_LOCAL
      ? RT_SCOPE_HOST
      : rtype === RTN_BROADCAST || rtype === 4 || rtype === 5
        ? RT_SCOPE_LINK
        : rtype === RTN_UNICAST && !gwSeen
          ? RT_SCOPE_LINK
          : RT_SCOPE_UNIVERSE);
  const spec: RouteSpec = {
    dst: dstAddr,
    plen: dst.plen,
    gw,
    dev,
    metric: metric ?? 0,
    type: rtype,
    protocol: protocol ?? RTPROT_BOOT,
    scope: rscope,
    table: table ?? defTable,
    prefsrc,
    mtu,
    advmss,
    initcwnd,
    locks,
  };
  rtnlCheck(
    ip,
    ip.lab.configure(ip.host, { op: 'route.add', netns: ip.net.name, mode: cmd, route: routeMsg(spec) }),
  );
  return 0;
}

/** inet_proto_a2n (lib/utils.c): the names iproute2 knows, or a number up to 255. */
function inetProtoA2n(s: string): number | null {
  const names: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, dccp: 33, icmp: 1, 'ipv6-icmp': 58 };
  if (Object.prototype.hasOwnProperty.call(names, s)) return names[s];
  const v = getUnsigned(s);
  return v !== null && v <= 255 ? v : null;
}

/**
 * iproute_get: `ip route get ADDR [from ADDR] [iif DEV] [oif DEV] [mark N] [tos T] [fibmatch]`, answered
 * as inet_rtm_getroute does: an output lookup, or with iif the input lookup of a packet arriving there.
 */
function routeGet(ip: Ip, args: string[]): number {
  let daddr: number | null = null;
  let saddr = 0;
  let fromGiven = false;
  let odev: string | undefined;
  let idev: string | undefined;
  let mark = 0;
  let tos = 0;
  let uid = 0;
  let sport = 0;
  let dport = 0;
  let ipproto = 0;
  let fibmatch = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === 'tos' || matches(a, 'dsfield')) {
      const v = nextArg(ip, args, i++);
      const n = /^(0[xX])?[0-9a-fA-F]+$/.test(v) ? parseInt(v.replace(/^0[xX]/, ''), 16) : NaN;
      if (Number.isNaN(n) || n > 255) invarg(ip, 'TOS value is invalid\n', v);
      tos = n;
    } else if (matches(a, 'mark')) {
      const v = nextArg(ip, args, i++);
      const n = getUnsigned(v);
      if (n === null) invarg(ip, 'mark value is invalid\n', v);
      mark = n;
    } else if (matches(a, 'uid')) {
      const v = nextArg(ip, args, i++);
      const n = getUnsigned(v);
      if (n === null) invarg(ip, 'invalid UID\n', v);
      uid = n;
    } else if (matches(a, 'vrf')) i++;
    else if (matches(a, 'from')) {
      const v = nextArg(ip, args, i++);
      if (matches(v, 'help')) usage(ip);
      saddr = getPrefix(ip, v).addr ?? 0;
      fromGiven = true;
    } else if (matches(a, 'iif')) idev = nextArg(ip, args, i++);
    else if (matches(a, 'oif') || a === 'dev') odev = nextArg(ip, args, i++);
    else if (matches(a, 'connected') || matches(a, 'notify')) {
      // flags without effect here
    } else if (matches(a, 'fibmatch')) fibmatch = true;
    else if (a === 'sport' || a === 'dport') {
      const v = nextArg(ip, args, i++);
      const n = getUnsigned(v);
      if (n === null || n > 0xffff) invarg(ip, `invalid ${a}\n`, v);
      if (a === 'sport') sport = n;
      else dport = n;
    } else if (matches(a, 'ipproto')) {
      const v = nextArg(ip, args, i++);
      const p = inetProtoA2n(v);
      if (p === null) invarg(ip, 'Invalid "ipproto" value\n', v);
      ipproto = p;
    } else if (a === 'as') i++;
    else {
      let v = a;
      if (v === 'to') v = nextArg(ip, args, i++);
      if (matches(v, 'help')) usage(ip);
      // An IPv6 destination: IPv6 is off in the lab, as on the box the captures come from.
      if (v.includes(':') && /^[0-9a-fA-F:.]+(\/\d+)?$/.test(v)) fail(ip, rtnlMessage(-ENETUNREACH), 2);
      const p = getPrefix(ip, v);
      if (p.addr !== null && p.plen !== 32)
        ip.err(`Warning: /${p.plen} as prefix is invalid, only /32 (or none) is supported.\n`);
      daddr = p.addr ?? 0;
    }
  }
  if (daddr === null) fail(ip, 'need at least a destination address\n', 1);
  let oif = 0;
  if (odev !== undefined) {
    const d = dev_get_by_name(ip.net, odev);
    if (!d) nodev(ip, odev);
    oif = d.ifindex;
  }
  let rt: Rtable;
  if (idev !== undefined) {
    const d = dev_get_by_name(ip.net, idev);
    if (!d) nodev(ip, idev);
    // ip_route_input_slow: a zero, multicast or limited broadcast source is martian, and so is one of
    // our own addresses (fib_validate_source finds it local): -EINVAL.
    const ours = ip.net.ifaddrs.some((i) => i.local === saddr);
    if (!saddr || saddr >>> 28 === 0xe || saddr === 0xffffffff || ours) fail(ip, rtnlMessage(-EINVAL), 2);
    const r = ipRouteInputNoref(ip.net, daddr, saddr, d, tos, mark);
    if (isRouteError(r)) fail(ip, rtnlMessage(r.error), 2);
    // inet_rtm_getroute: a route whose input is ip_error answers its dst.error.
    if (r.error) fail(ip, rtnlMessage(r.error), 2);
    rt = r;
  } else {
    // ip_route_output_key_hash_rcu: a source must be a unicast address (-EINVAL) of ours (-ENETUNREACH).
    if (saddr) {
      if (saddr >>> 28 === 0xe || saddr === 0xffffffff || saddr >>> 24 === 0)
        fail(ip, rtnlMessage(-EINVAL), 2);
      if (!ip.net.ifaddrs.some((i) => i.local === saddr)) fail(ip, rtnlMessage(-ENETUNREACH), 2);
    }
    const r = ipRouteOutputKey(ip.net, { daddr, saddr, oif, tos, proto: ipproto, mark, uid, sport, dport });
    if (isRouteError(r)) fail(ip, rtnlMessage(r.error), 2);
    rt = r;
  }
  // rt_fill_info: res.table's id (main while local is merged into it), printed unless main.
  const table = rt.table ?? RT_TABLE_MAIN;
  if (fibmatch) {
    const e = rt.fib ?? fibLookup(ip.net, daddr, oif);
    if (!e) fail(ip, rtnlMessage(-ENETUNREACH), 2);
    const r = printRoute(null, { ...e, table });
    if (ip.opts.json) printJson(ip, [r.json]);
    else ip.out(r.text);
    return 0;
  }
  const j: Record<string, unknown> = {};
  let t = '';
  if (rt.type !== RTN_UNICAST) {
    j.type = rtnTypeName(rt.type);
    t += `${j.type} `;
  }
  j.dst = ipv4ToString(daddr);
  t += `${j.dst} `;
  if (fromGiven) {
    j.from = ipv4ToString(saddr);
    t += `from ${j.from} `;
  }
  if (rt.gw) {
    j.gateway = ipv4ToString(rt.gw);
    t += `via ${j.gateway} `;
  }
  j.dev = rt.dev.name;
  t += `dev ${j.dev} `;
  if (table && table !== RT_TABLE_MAIN) {
    j.table = tableName(table);
    t += `table ${j.table} `;
  }
  if (!fromGiven && idev === undefined) {
    j.prefsrc = ipv4ToString(rt.src);
    t += `src ${j.prefsrc} `;
  }
  if (mark) {
    j.mark = mark;
    t += `mark 0x${mark.toString(16)} `;
  }
  j.flags = [];
  if (idev === undefined) {
    j.uid = uid;
    t += `uid ${uid} `;
  }
  const cache: string[] = [];
  if (rt.type === RTN_LOCAL || rt.type === RTN_BROADCAST) cache.push('local');
  if (rt.type === RTN_BROADCAST) cache.push('brd');
  j.cache = cache;
  t += `${ip.opts.oneline ? '\\' : '\n'}    cache ` + (cache.length ? `<${cache.join(',')}> ` : '');
  if (idev !== undefined) {
    j.iif = idev;
    t += `iif ${idev} `;
  }
  const ex = ip.net.fnhe.get(daddr);
  const now = ip.lab.now();
  if (ex && rt.pmtu && ex.mtu === rt.pmtu && ex.expires > now) {
    j.expires = Math.floor((ex.expires - now) / 1_000_000_000);
    t += `expires ${j.expires}sec `;
  }
  if (rt.pmtu) {
    j.metrics = [{ mtu: rt.pmtu }];
    t += `mtu ${rt.pmtu} `;
  }
  if (ip.opts.json) printJson(ip, [j]);
  else ip.out(t + '\n');
  return 0;
}

export async function doIpRoute(ip: Ip, args: string[]): Promise<number> {
  if (!args.length) return routeList(ip, []);
  const [c, ...rest] = args;
  if (matches(c, 'add')) return routeModify(ip, 'add', rest);
  if (matches(c, 'change') || c === 'chg') return routeModify(ip, 'change', rest);
  if (matches(c, 'replace')) return routeModify(ip, 'replace', rest);
  if (matches(c, 'prepend')) return routeModify(ip, 'prepend', rest);
  if (matches(c, 'append')) return routeModify(ip, 'append', rest);
  if (matches(c, 'delete')) return routeModify(ip, 'del', rest);
  if (matches(c, 'list') || matches(c, 'show') || matches(c, 'lst')) return routeList(ip, rest);
  if (matches(c, 'get')) return routeGet(ip, rest);
  if (matches(c, 'flush')) return routeFlush(ip, rest);
  if (matches(c, 'help')) usage(ip);
  fail(ip, `Command "${c}" is unknown, try "ip route help".\n`, 255);
}
