/**
 * net/ipv4/fib_trie.c: the FIB. Linux keeps a LC-trie; the model keeps the entries sorted by prefix length
 * (longest first), which gives the same longest-prefix-match answers. Each entry names its table; while
 * no rule was ever changed, local and main share one trie (fib_table_lookup of main sees both).
 */
import type { Net } from '../../include/net/net_namespace';
import type { FibEntry } from '../../include/net/route';
import { EACCES, EAGAIN, EHOSTUNREACH, EINVAL } from '../../include/linux/errno';
import {
  RTN_BLACKHOLE,
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_PROHIBIT,
  RTN_UNREACHABLE,
  RT_SCOPE_HOST,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
} from '../../include/net/route';
import { IFF_UP } from '../../include/linux/netdevice';

function mask(plen: number): number {
  return plen === 0 ? 0 : (0xffffffff << (32 - plen)) >>> 0;
}

export function prefixMatches(e: FibEntry, addr: number): boolean {
  return (addr & mask(e.plen)) >>> 0 === e.dst;
}

/** fib_props[type].error (fib_semantics.c) for the types whose match is an error. */
const FIB_PROPS_ERROR: Record<number, number> = {
  [RTN_BLACKHOLE]: -EINVAL,
  [RTN_UNREACHABLE]: -EHOSTUNREACH,
  [RTN_PROHIBIT]: -EACCES,
};

/** What fib_table_lookup answers: 0 and the route, a route type's error, or -EAGAIN (no match). */
export interface FibTableResult {
  err: number;
  res: FibEntry | null;
}

/** A route the lookup may take: its device up (a host-scope nexthop survives it down), on `oif` if given. */
function usable(e: FibEntry, oif: number): boolean {
  if (e.dev && (e.dev.flags & IFF_UP) === 0 && e.scope !== RT_SCOPE_HOST) return false;
  return !oif || !e.dev || e.dev.ifindex === oif || e.type === RTN_LOCAL || e.type === RTN_BROADCAST;
}

/** The longer prefix wins; at equal length local before main, then the lower metric in one table. */
function better(e: FibEntry, best: FibEntry | null): boolean {
  return (
    !best ||
    e.plen > best.plen ||
    (e.plen === best.plen && e.table === RT_TABLE_LOCAL && best.table !== RT_TABLE_LOCAL) ||
    (e.plen === best.plen && e.table === best.table && e.priority < best.priority)
  );
}

/**
 * fib_table_lookup (fib_trie.c:1435) of `daddr` in table `tb`: the longest matching prefix whose nexthop
 * device is usable. While there are no custom rules the local table is merged into main's trie
 * (fib_unmerge splits them at the first rule change), so main's lookup sees both; among equal prefixes
 * the local table's entry wins, then the lowest metric. A blackhole, unreachable or prohibit route
 * answers its type's error.
 */
export function fib_table_lookup(net: Net, tb: number, daddr: number, oif: number = 0): FibTableResult {
  const merged = tb === RT_TABLE_MAIN && !net.fibHasCustomRules;
  let best: FibEntry | null = null;
  for (const e of net.fib) {
    if (e.table !== tb && !(merged && e.table === RT_TABLE_LOCAL)) continue;
    if (!prefixMatches(e, daddr)) continue;
    if (usable(e, oif) && better(e, best)) best = e;
  }
  if (!best) return { err: -EAGAIN, res: null };
  return { err: FIB_PROPS_ERROR[best.type] ?? 0, res: best };
}

/** The local and main tables looked up as one (inet_addr_type and ARP's checks of an address's type). */
export function fibTableLookup(net: Net, daddr: number, oif: number = 0): FibEntry | null {
  let best: FibEntry | null = null;
  for (const e of net.fib) {
    if (!prefixMatches(e, daddr)) continue;
    if (e.table !== RT_TABLE_LOCAL && e.table !== RT_TABLE_MAIN) continue;
    if (usable(e, oif) && better(e, best)) best = e;
  }
  return best;
}

/** fib_table_insert: -EEXIST semantics are the caller's (rtm_newroute) concern. */
export function fibTableInsert(net: Net, e: FibEntry): void {
  // The kernel inserts into a struct fib_table, so the table exists by then.
  net.fibTables.add(e.table);
  net.fib.push(e);
  net.rtGenid++;
}

/** fib_table_delete: removes the entries matching `pred`; returns how many were removed. */
export function fibTableDelete(net: Net, pred: (e: FibEntry) => boolean): number {
  const before = net.fib.length;
  net.fib = net.fib.filter((e) => !pred(e));
  const n = before - net.fib.length;
  if (n) net.rtGenid++;
  return n;
}

export { mask as inetMakeMask };
