/**
 * net/ipv4/fib_trie.c: the FIB. Linux keeps a LC-trie; the model keeps the entries sorted by prefix length
 * (longest first), which gives the same longest-prefix-match answers. Local and main share one table in
 * 6.12 (no custom rules), so one lookup covers both, as fib_lookup does.
 */
import type { Net } from '../../include/net/net_namespace';
import type { FibEntry } from '../../include/net/route';
import {
  RTN_BROADCAST,
  RTN_LOCAL,
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

/**
 * fib_table_lookup: the longest matching prefix whose nexthop device is usable. Among equal prefixes the
 * local table's entry (type local/broadcast) wins over main's, then the lowest metric.
 */
export function fibTableLookup(net: Net, daddr: number, oif: number = 0): FibEntry | null {
  let best: FibEntry | null = null;
  for (const e of net.fib) {
    if (!prefixMatches(e, daddr)) continue;
    // Without `ip rule`s only local and main are consulted; host-scope nexthops survive their device going down.
    if (e.table !== RT_TABLE_LOCAL && e.table !== RT_TABLE_MAIN) continue;
    if (e.dev && (e.dev.flags & IFF_UP) === 0 && e.scope !== RT_SCOPE_HOST) continue;
    if (oif && e.dev && e.dev.ifindex !== oif && e.type !== RTN_LOCAL && e.type !== RTN_BROADCAST) continue;
    if (
      !best ||
      e.plen > best.plen ||
      (e.plen === best.plen && e.table === RT_TABLE_LOCAL && best.table !== RT_TABLE_LOCAL) ||
      (e.plen === best.plen && e.table === best.table && e.priority < best.priority)
    )
      best = e;
  }
  return best;
}

/** fib_table_insert: -EEXIST semantics are the caller's (rtm_newroute) concern. */
export function fibTableInsert(net: Net, e: FibEntry): void {
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
