/**
 * net/ipv4/route.c: output and input route lookups. There is no global route cache since 3.6; the model
 * builds an rtable per lookup (the kernel reuses a per-CPU cached one, which changes nothing observable).
 */
import type { Net } from '../../include/net/net_namespace';
import type { NetDevice } from '../../include/linux/netdevice';
import { IFF_UP } from '../../include/linux/netdevice';
import {
  RTCF_BROADCAST,
  RTCF_LOCAL,
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_UNREACHABLE,
  RTN_UNICAST,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RTAX_MTU,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  type FibEntry,
  type Rtable,
} from '../../include/net/route';
import { EAGAIN, EHOSTUNREACH, EINVAL, ENETUNREACH } from '../../include/linux/errno';
import { fib_table_lookup, fibTableLookup } from './fib_trie';
import { fib_get_table } from './fib_frontend';
import { __fib_lookup, type FibLookupResult } from './fib_rules';
import {
  FR_ACT_PROHIBIT,
  FR_ACT_TO_TBL,
  FR_ACT_UNREACHABLE,
  RT_TABLE_DEFAULT,
  type FibRule,
} from '../../include/net/fib_rules';
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { inetSelectAddr } from './devinet';
import { ipv4ToString as formatIpv4 } from '@skblab/wire/address';
import { kfn } from '../../include/net/trace';

/** struct flowi4, reduced. */
export interface Flowi4 {
  daddr: number;
  saddr: number;
  oif: number;
  tos: number;
  proto: number;
  /** The lookup's time, so a learned path MTU past its expiry is forgotten (route.c:1423). */
  now?: number;
  /** fl4_sport / fl4_dport: the flow's ports (host order), for rules with sport/dport. */
  sport?: number;
  dport?: number;
  /** flowi4_iif (an output lookup sets LOOPBACK_IFINDEX) and flowi4_mark (the socket's SO_MARK). */
  iif?: number;
  mark?: number;
  /** flowi4_uid: the sending task's uid (0: root, what the lab's tasks are). */
  uid?: number;
}

/** A failed lookup: -errno. (An Rtable has a dev; an error never does.) */
export interface RouteError {
  error: number;
  dev?: never;
  /** The rule that answered with the error (unreachable, prohibit, blackhole), for the trace. */
  rule?: FibRule | null;
}

export type RouteResult = Rtable | RouteError;

export function isRouteError(r: RouteResult): r is RouteError {
  return !('dev' in r);
}

/** The local and main tables as one longest-prefix match: what an address is (inet_addr_type, ARP). */
export function fibLookup(net: Net, daddr: number, oif = 0): FibEntry | null {
  return fibTableLookup(net, daddr, oif);
}

const LOOPBACK_IFINDEX = 1;

/**
 * fib_lookup (include/net/ip_fib.h:372): through the rules once they were ever changed; before that main
 * (local merged into it), then default. No match is -ENETUNREACH.
 */
export function fib_lookup(net: Net, fl4: Flowi4): FibLookupResult {
  if (net.fibHasCustomRules)
    return __fib_lookup(net, {
      daddr: fl4.daddr,
      saddr: fl4.saddr,
      iif: fl4.iif ?? 0,
      oif: fl4.oif,
      mark: fl4.mark ?? 0,
      uid: fl4.uid ?? 0,
      tos: fl4.tos,
      proto: fl4.proto,
      sport: fl4.sport ?? 0,
      dport: fl4.dport ?? 0,
    });
  for (const table of [RT_TABLE_MAIN, RT_TABLE_DEFAULT]) {
    if (!fib_get_table(net, table)) continue;
    const r = fib_table_lookup(net, table, fl4.daddr, fl4.oif);
    if (r.err !== -EAGAIN) return { ...r, table, rule: null };
  }
  return { err: -ENETUNREACH, res: null, table: 0, rule: null };
}

/** fib_rules_lookup's step in a trace: the rule that answered, and the table it named. */
export const FIB_RULES_LOOKUP = kfn('fib_rules_lookup', 'net/core/fib_rules.c', 'route', (r: RouteResult) =>
  describeRule(r),
);

function describeRule(r: RouteResult): string {
  const rule = r.rule;
  if (!rule) return '';
  const act =
    rule.action === FR_ACT_TO_TBL
      ? `lookup ${tableName(rule.table)}`
      : rule.action === FR_ACT_UNREACHABLE
        ? 'unreachable'
        : rule.action === FR_ACT_PROHIBIT
          ? 'prohibit'
          : 'blackhole';
  const res = isRouteError(r) ? `error ${r.error}` : `table ${tableName(r.table ?? 0)}`;
  return `rule ${rule.pref}: ${act} → ${res}`;
}

function tableName(t: number): string {
  return t === RT_TABLE_LOCAL
    ? 'local'
    : t === RT_TABLE_MAIN
      ? 'main'
      : t === RT_TABLE_DEFAULT
        ? 'default'
        : String(t);
}

/** Record fib_rules_lookup when the lookup went through the rules (the step before the route's own). */
export function trace_fib_rules(ctx: KernelCtx, skb: SkBuff, r: RouteResult): void {
  if (r.rule) ctx.step(skb, FIB_RULES_LOOKUP, r);
}

/** A one-line description of a FIB entry for traces: the route that matched, as `ip route` prints it. */
export function describeFib(e: FibEntry): string {
  const type = e.type === RTN_LOCAL ? 'local ' : e.type === RTN_BROADCAST ? 'broadcast ' : '';
  const dst = e.plen === 0 ? 'default' : e.plen === 32 ? formatIpv4(e.dst) : `${formatIpv4(e.dst)}/${e.plen}`;
  const via = e.gw ? ` via ${formatIpv4(e.gw)}` : '';
  return `${type}${dst}${via} dev ${e.dev?.name ?? '?'} table ${tableName(e.table)}`;
}

/** ip_route_output_flow (route.c:2916): the output lookup as traces show it, with the route it chose. */
export const IP_ROUTE_OUTPUT_FLOW = kfn('ip_route_output_flow', 'net/ipv4/route.c', 'route', (rt: Rtable) =>
  describeRt(rt),
);

/** The route lookup's answer for traces: the route that matched, then device and source chosen. */
export function describeRt(rt: Rtable): string {
  return (rt.fib ? describeFib(rt.fib) + ' → ' : '') + `dev ${rt.dev.name} src ${formatIpv4(rt.src)}`;
}

/**
 * ip_route_output_key_hash_rcu (route.c:2698): pick the route, the output device and the source address.
 * A local destination goes out through lo whatever device owns the address (route.c:2835-2855).
 */
export function ipRouteOutputKey(net: Net, fl: Flowi4): RouteResult {
  if (fl.daddr === 0xffffffff) return { error: -ENETUNREACH };
  let oifDev: NetDevice | null = null;
  if (fl.oif) {
    oifDev = net.devices.find((d) => d.ifindex === fl.oif) ?? null;
    if (!oifDev) return { error: -EINVAL };
    if ((oifDev.flags & IFF_UP) === 0) return { error: -ENETUNREACH };
  }
  if (fl.daddr === 0) {
    // Sending to 0.0.0.0 means "this host": route.c picks lo and the source as destination.
    const src = fl.saddr || 0x7f000001;
    return mkRt(net, RTN_LOCAL, RTCF_LOCAL, net.loopbackDev, null, 0, src, src, null);
  }
  // ip_route_output_key_hash: an output lookup comes from the host itself (flowi4_iif = LOOPBACK_IFINDEX).
  const look = fib_lookup(net, { ...fl, iif: LOOPBACK_IFINDEX });
  // A route type's error (blackhole -EINVAL, unreachable -EHOSTUNREACH, prohibit -EACCES), a rule's, or no route.
  if (look.err) return { error: look.err, rule: look.rule };
  const res = look.res!;
  const via = (rt: Rtable) => ((rt.table = look.table), (rt.rule = look.rule), rt);
  if (res.type === RTN_LOCAL) {
    const src = fl.saddr || res.prefsrc || fl.daddr;
    return via(mkRt(net, RTN_LOCAL, RTCF_LOCAL, net.loopbackDev, res.dev, 0, fl.daddr, src, res));
  }
  if (res.type === RTN_BROADCAST) {
    const dev = res.dev!;
    const src = fl.saddr || res.prefsrc || inetSelectAddr(net, dev, 0, RT_SCOPE_LINK);
    return via(mkRt(net, RTN_BROADCAST, RTCF_BROADCAST | RTCF_LOCAL, dev, dev, 0, fl.daddr, src, res));
  }
  const dev = res.dev!;
  const src =
    fl.saddr ||
    res.prefsrc ||
    inetSelectAddr(net, dev, res.gw || fl.daddr, res.gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
  const rt = via(mkRt(net, RTN_UNICAST, 0, dev, dev, res.gw, fl.daddr, src, res));
  rt.pmtu = res.mtu;
  const ex = net.fnhe.get(fl.daddr);
  if (ex && fl.now !== undefined && ex.expires <= fl.now) net.fnhe.delete(fl.daddr);
  else if (ex && (!rt.pmtu || ex.mtu < rt.pmtu)) rt.pmtu = ex.mtu;
  return rt;
}

/**
 * ip_route_output_flow (route.c:2916): the output lookup for a socket's flow. As ip_route_output_key_hash
 * does, the flow learns the source address chosen (and the destination, for 0.0.0.0).
 */
export function ip_route_output_flow(net: Net, fl4: Flowi4): RouteResult {
  const rt = ipRouteOutputKey(net, fl4);
  if (!isRouteError(rt)) {
    fl4.saddr = rt.src;
    if (!fl4.daddr) fl4.daddr = rt.dst;
  }
  return rt;
}

/** ip_route_output_ports (include/net/route.h:180): flowi4_init_output with the ports, then the lookup. */
export function ip_route_output_ports(
  net: Net,
  fl4: Flowi4,
  daddr: number,
  saddr: number,
  dport: number,
  sport: number,
  proto: number,
  tos: number,
  oif: number,
): RouteResult {
  fl4.daddr = daddr;
  fl4.saddr = saddr;
  fl4.dport = dport;
  fl4.sport = sport;
  fl4.proto = proto;
  fl4.tos = tos;
  fl4.oif = oif;
  return ip_route_output_flow(net, fl4);
}

/**
 * ip_route_connect (include/net/route.h:330): connect()'s lookup. Without a destination or source the
 * first lookup picks them (ip_route_connect_init, __ip_route_output_key), then the flow is looked up as
 * the socket will send it.
 */
export function ip_route_connect(
  net: Net,
  fl4: Flowi4,
  dst: number,
  src: number,
  oif: number,
  protocol: number,
  sport: number,
  dport: number,
): RouteResult {
  fl4.daddr = dst;
  fl4.saddr = src;
  fl4.oif = oif;
  fl4.proto = protocol;
  fl4.sport = sport;
  fl4.dport = dport;
  if (!dst || !src) {
    const rt = ipRouteOutputKey(net, fl4);
    if (isRouteError(rt)) return rt;
    fl4.saddr = rt.src;
    if (!fl4.daddr) fl4.daddr = rt.dst;
  }
  return ip_route_output_flow(net, fl4);
}

/**
 * ip_route_input_noref -> ip_route_input_slow (route.c:2531): route a received packet. Local destinations
 * get dst.input = ip_local_deliver, forwarded ones ip_forward, the rest ip_error.
 */
export function ipRouteInputNoref(
  net: Net,
  daddr: number,
  saddr: number,
  dev: NetDevice,
  tos = 0,
  mark = 0,
): RouteResult {
  if (daddr === 0xffffffff)
    return mkRt(net, RTN_BROADCAST, RTCF_BROADCAST | RTCF_LOCAL, net.loopbackDev, dev, 0, daddr, saddr, null);
  const look = fib_lookup(net, { daddr, saddr, iif: dev.ifindex, oif: 0, mark, tos, proto: 0 });
  const res = look.res;
  const via = (rt: Rtable) => ((rt.table = look.table), (rt.rule = look.rule), rt);
  // no_route (route.c:2449): without forwarding every failure is -EHOSTUNREACH (route.c:2350).
  const unreachable = (err: number) => {
    const rt = via(mkRt(net, RTN_UNREACHABLE, 0, net.loopbackDev, dev, 0, daddr, saddr, res));
    rt.input = 'ip_error';
    rt.error = net.sysctl.ipForward ? err : -EHOSTUNREACH;
    return rt;
  };
  // fib_lookup's error: no route, a rule's action, or the matched route type's (fib_trie.c:1570).
  if (look.err) return unreachable(look.err);
  if (!res) return unreachable(-ENETUNREACH);
  if (res.type === RTN_LOCAL || res.type === RTN_BROADCAST) {
    return via(
      mkRt(
        net,
        res.type,
        RTCF_LOCAL | (res.type === RTN_BROADCAST ? RTCF_BROADCAST : 0),
        net.loopbackDev,
        dev,
        0,
        daddr,
        saddr,
        res,
      ),
    );
  }
  const rt = via(mkRt(net, RTN_UNICAST, 0, res.dev!, dev, res.gw, daddr, saddr, res));
  rt.pmtu = res.mtu;
  if (net.sysctl.ipForward) rt.input = 'ip_forward';
  else {
    rt.input = 'ip_error';
    rt.error = -EHOSTUNREACH;
  }
  return rt;
}

function mkRt(
  net: Net,
  type: number,
  flags: number,
  dev: NetDevice,
  origDev: NetDevice | null,
  gw: number,
  dst: number,
  src: number,
  fib: FibEntry | null,
): Rtable {
  return {
    type,
    flags,
    dev,
    origDev,
    gw,
    dst,
    src,
    fib,
    input: type === RTN_UNICAST ? 'ip_forward' : 'ip_local_deliver',
    pmtu: 0,
    error: 0,
    genid: net.rtGenid,
  };
}

/** dst_mtu: the learned path MTU if any, else the device's. */
/** IP_MAX_MTU: the largest datagram IPv4's 16-bit total length can describe. */
const IP_MAX_MTU = 0xffff;

/** dst_metric_locked(dst, RTAX_MTU) (ip_mtu_locked): the route locks its MTU (`mtu lock N`). */
export function ip_mtu_locked(rt: Rtable | null): boolean {
  return !!rt?.fib && (rt.fib.locks & (1 << RTAX_MTU)) !== 0;
}

/** dst_metric_advmss: the route's advmss metric, else ipv4_default_advmss (MTU - 40, at least 256). */
export function dst_metric_advmss(rt: Rtable): number {
  if (rt.fib?.advmss) return rt.fib.advmss;
  return Math.max(Math.min(dstMtu(rt) - 40, 65535 - 40), 256);
}

/** dst_metric(dst, RTAX_INITCWND): the route's initcwnd, 0 when unset. */
export function dst_metric_initcwnd(rt: Rtable | null): number {
  return rt?.fib?.initcwnd ?? 0;
}

export function dstMtu(rt: Rtable): number {
  const mtu = rt.pmtu && rt.pmtu < rt.dev.mtu ? rt.pmtu : rt.dev.mtu;
  // ipv4_mtu: min_t(unsigned int, mtu, IP_MAX_MTU): lo's 65536 is 65535 for IP.
  return Math.min(mtu, IP_MAX_MTU);
}
