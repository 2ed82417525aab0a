/**
 * The sysctls the model honours, as /proc/sys shows them. net.core.* tunables of the receive path are
 * global and exist only in the initial namespace (net_core_table), as on Linux; net.ipv4.* are per
 * namespace. IPv6 is not modelled: its disable_ipv6 switches are accepted and IPv6 stays off.
 */
import type { Host, Net } from '../include/net/net_namespace';
import { EINVAL, ENOENT } from '../include/linux/errno';
import { SEC } from '../include/net/neighbour';
import { QDISC_OPS } from '../net/sched/sch_generic';

interface SysctlEntry {
  get(host: Host, net: Net): string;
  set(host: Host, net: Net, v: string): number;
  initOnly?: boolean;
}

function int(v: string): number | null {
  const t = v.trim();
  if (!/^-?\d+$/.test(t)) return null;
  return Number(t);
}

function intEntry(
  get: (h: Host, n: Net) => number,
  put: (h: Host, n: Net, v: number) => void,
  min = -2147483648,
  max = 2147483647,
  initOnly = false,
): SysctlEntry {
  return {
    initOnly,
    get: (h, n) => String(get(h, n)),
    set: (h, n, v) => {
      const x = int(v);
      if (x === null || x < min || x > max) return -EINVAL;
      put(h, n, x);
      return 0;
    },
  };
}

function pairEntry(
  get: (n: Net) => [number, number],
  put: (n: Net, v: [number, number]) => void,
): SysctlEntry {
  return {
    get: (_h, n) => get(n).join('\t'),
    set: (_h, n, v) => {
      const p = v.trim().split(/\s+/).map(int);
      if (p.length !== 2 || p[0] === null || p[1] === null) return -EINVAL;
      put(n, [p[0], p[1]]);
      return 0;
    },
  };
}

const TABLE: Record<string, SysctlEntry> = {
  'net.core.netdev_max_backlog': intEntry(
    (h) => h.core.netdevMaxBacklog,
    (h, _n, v) => (h.core.netdevMaxBacklog = v),
    0,
    2147483647,
    true,
  ),
  'net.core.netdev_budget': intEntry(
    (h) => h.core.netdevBudget,
    (h, _n, v) => (h.core.netdevBudget = v),
    0,
    2147483647,
    true,
  ),
  'net.core.netdev_budget_usecs': intEntry(
    (h) => h.core.netdevBudgetUsecs,
    (h, _n, v) => (h.core.netdevBudgetUsecs = v),
    0,
    2147483647,
    true,
  ),
  'net.core.dev_weight': intEntry(
    (h) => h.core.devWeight,
    (h, _n, v) => (h.core.devWeight = v),
    1,
    2147483647,
    true,
  ),
  // qdisc_set_default (sch_api.c): a registered discipline's id, else -ENOENT (noop is not registered).
  'net.core.default_qdisc': {
    initOnly: true,
    get: (h) => h.core.defaultQdisc,
    set: (h, _n, v) => {
      const id = v.trim();
      if (!QDISC_OPS[id] || id === 'noop') return -ENOENT;
      h.core.defaultQdisc = id;
      return 0;
    },
  },
  'net.ipv4.ip_forward': intEntry(
    (_h, n) => n.sysctl.ipForward,
    (_h, n, v) => (n.sysctl.ipForward = v),
  ),
  'net.ipv4.conf.all.forwarding': intEntry(
    (_h, n) => n.sysctl.ipForward,
    (_h, n, v) => (n.sysctl.ipForward = v),
  ),
  'net.ipv4.ip_forward_update_priority': intEntry(
    (_h, n) => n.sysctl.ipForwardUpdatePriority,
    (_h, n, v) => (n.sysctl.ipForwardUpdatePriority = v),
    0,
    1,
  ),
  'net.ipv4.ip_default_ttl': intEntry(
    (_h, n) => n.sysctl.ipDefaultTtl,
    (_h, n, v) => (n.sysctl.ipDefaultTtl = v),
    1,
    255,
  ),
  'net.ipv4.icmp_echo_ignore_all': intEntry(
    (_h, n) => n.sysctl.icmpEchoIgnoreAll,
    (_h, n, v) => (n.sysctl.icmpEchoIgnoreAll = v),
    0,
    1,
  ),
  'net.ipv4.icmp_echo_ignore_broadcasts': intEntry(
    (_h, n) => n.sysctl.icmpEchoIgnoreBroadcasts,
    (_h, n, v) => (n.sysctl.icmpEchoIgnoreBroadcasts = v),
    0,
    1,
  ),
  'net.ipv4.icmp_ratelimit': intEntry(
    (_h, n) => n.sysctl.icmpRatelimit,
    (_h, n, v) => (n.sysctl.icmpRatelimit = v),
    0,
  ),
  'net.ipv4.icmp_ratemask': intEntry(
    (_h, n) => n.sysctl.icmpRatemask,
    (_h, n, v) => (n.sysctl.icmpRatemask = v),
    0,
  ),
  'net.ipv4.icmp_msgs_per_sec': intEntry(
    (_h, n) => n.sysctl.icmpMsgsPerSec,
    (_h, n, v) => (n.sysctl.icmpMsgsPerSec = v),
    0,
  ),
  'net.ipv4.icmp_msgs_burst': intEntry(
    (_h, n) => n.sysctl.icmpMsgsBurst,
    (_h, n, v) => (n.sysctl.icmpMsgsBurst = v),
    0,
  ),
  'net.ipv4.ipfrag_time': intEntry(
    (_h, n) => n.sysctl.ipfragTime,
    (_h, n, v) => (n.sysctl.ipfragTime = v),
    0,
  ),
  'net.ipv4.ip_no_pmtu_disc': intEntry(
    (_h, n) => n.sysctl.ipNoPmtuDisc,
    (_h, n, v) => (n.sysctl.ipNoPmtuDisc = v),
    0,
    3,
  ),
  'net.ipv4.ping_group_range': pairEntry(
    (n) => n.sysctl.pingGroupRange,
    (n, v) => (n.sysctl.pingGroupRange = v),
  ),
  'net.ipv4.ip_local_port_range': pairEntry(
    (n) => n.sysctl.ipLocalPortRange,
    (n, v) => (n.sysctl.ipLocalPortRange = v),
  ),
  'net.ipv4.neigh.default.base_reachable_time_ms': intEntry(
    (_h, n) => n.arpParms.baseReachableTime / 1e6,
    (_h, n, v) => (n.arpParms.baseReachableTime = v * 1e6),
    0,
  ),
  'net.ipv4.neigh.default.retrans_time_ms': intEntry(
    (_h, n) => n.arpParms.retransTime / 1e6,
    (_h, n, v) => (n.arpParms.retransTime = v * 1e6),
    0,
  ),
  'net.ipv4.neigh.default.delay_first_probe_time': intEntry(
    (_h, n) => n.arpParms.delayProbeTime / SEC,
    (_h, n, v) => (n.arpParms.delayProbeTime = v * SEC),
    0,
  ),
  'net.ipv4.neigh.default.ucast_solicit': intEntry(
    (_h, n) => n.arpParms.ucastProbes,
    (_h, n, v) => (n.arpParms.ucastProbes = v),
    0,
  ),
  'net.ipv4.neigh.default.mcast_solicit': intEntry(
    (_h, n) => n.arpParms.mcastProbes,
    (_h, n, v) => (n.arpParms.mcastProbes = v),
    0,
  ),
};

const IPV6_DISABLE = /^net\.ipv6\.conf\.([A-Za-z0-9_.-]+)\.disable_ipv6$/;

function ipv6Entry(key: string): SysctlEntry {
  return {
    get: (_h, n) => String(n.ipv6Disabled.get(key) ?? 0),
    set: (_h, n, v) => {
      const x = int(v);
      if (x === null) return -EINVAL;
      n.ipv6Disabled.set(key, x);
      return 0;
    },
  };
}

function lookup(host: Host, net: Net, name: string): SysctlEntry | null {
  const e = TABLE[name];
  if (e) return e.initOnly && net !== host.initNet ? null : e;
  const m = IPV6_DISABLE.exec(name);
  if (m && (m[1] === 'all' || m[1] === 'default' || net.devices.some((d) => d.name === m[1])))
    return ipv6Entry(m[1]);
  return null;
}

/** Read a sysctl: its value as /proc/sys prints it, or -ENOENT. */
export function sysctl_read(host: Host, net: Net, name: string): string | number {
  const e = lookup(host, net, name);
  return e ? e.get(host, net) : -ENOENT;
}

/** Write a sysctl: 0, -ENOENT, or -EINVAL for a value out of range. */
export function sysctl_write(host: Host, net: Net, name: string, value: string): number {
  const e = lookup(host, net, name);
  return e ? e.set(host, net, value) : -ENOENT;
}

/** Every sysctl visible in `net` (for `sysctl -a`). */
export function sysctl_names(host: Host, net: Net): string[] {
  const names = Object.keys(TABLE).filter((n) => lookup(host, net, n));
  for (const k of ['all', 'default', ...net.devices.map((d) => d.name)])
    names.push(`net.ipv6.conf.${k}.disable_ipv6`);
  return names.sort();
}
