/**
 * The sysctls the model honours, as /proc/sys shows them. net.core.* tunables of the receive path are
 * global and exist only in the initial namespace (net_core_table), as on Linux; net.ipv4.* are per
 * namespace. IPv6 is not modelled: its disable_ipv6 switches are accepted and IPv6 stays off.
 */
import type { Host, Net, TcpSysctl } from '../include/net/net_namespace';
import { HZ } from '../include/net/tcp';
import { EINVAL, ENOENT } from '../include/linux/errno';
import { SEC } from '../include/net/neighbour';
import { QDISC_OPS } from '../net/sched/sch_generic';
import { proc_tcp_fastopen_key_read, proc_tcp_fastopen_key_write } from '../net/ipv4/tcp_fastopen';

interface SysctlEntry {
  get(host: Host, net: Net): string;
  set(host: Host, net: Net, v: string): number;
  initOnly?: boolean;
}

/** proc_get_long: an optional minus, then simple_strtoul(base 0): 0x… is hex, a leading 0 octal. */
function int(v: string): number | null {
  const t = v.trim();
  const m = /^(-?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(t);
  if (!m) return null;
  const d = m[2];
  const x = /^0[xX]/.test(d)
    ? parseInt(d.slice(2), 16)
    : d.length > 1 && d[0] === '0'
      ? parseInt(d, 8)
      : Number(d);
  return m[1] ? -x : x;
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

/** A net.ipv4.tcp_* integer of TcpSysctl (proc_dointvec / proc_dou8vec_minmax), per namespace. */
function tcpInt(key: keyof TcpSysctl, min = -2147483648, max = 2147483647): SysctlEntry {
  return intEntry(
    (_h, n) => n.sysctl.tcp[key] as number,
    (_h, n, v) => ((n.sysctl.tcp[key] as number) = v),
    min,
    max,
  );
}

/** proc_dointvec_jiffies: kept in jiffies, shown in seconds. */
function tcpJiffiesSec(key: keyof TcpSysctl, min = 0): SysctlEntry {
  return intEntry(
    (_h, n) => Math.floor((n.sysctl.tcp[key] as number) / HZ),
    (_h, n, v) => ((n.sysctl.tcp[key] as number) = v * HZ),
    min,
    Math.floor(2147483647 / HZ),
  );
}

/** proc_dointvec_ms_jiffies: kept in jiffies, shown in milliseconds. */
function tcpJiffiesMs(key: keyof TcpSysctl): SysctlEntry {
  return intEntry(
    (_h, n) => Math.floor(((n.sysctl.tcp[key] as number) * 1000) / HZ),
    (_h, n, v) => ((n.sysctl.tcp[key] as number) = Math.floor((v * HZ + 999) / 1000)),
    0,
  );
}

/** tcp_rmem / tcp_wmem: three integers, tab-separated. */
function tcpTriple(key: 'rmem' | 'wmem'): SysctlEntry {
  return {
    get: (_h, n) => n.sysctl.tcp[key].join('\t'),
    set: (_h, n, v) => {
      const p = v.trim().split(/\s+/).map(int);
      if (p.length !== 3 || p.some((x) => x === null || x < 1)) return -EINVAL;
      n.sysctl.tcp[key] = [p[0]!, p[1]!, p[2]!];
      return 0;
    },
  };
}

/** The congestion controls 6.12 has built in here (tcp_cong.c's list: cubic is the default, reno always). */
const TCP_CONG_AVAILABLE = ['reno', 'cubic'];

const TCP_TABLE: Record<string, SysctlEntry> = {
  'net.ipv4.tcp_timestamps': tcpInt('timestamps', 0, 2),
  'net.ipv4.tcp_window_scaling': tcpInt('windowScaling', 0, 1),
  'net.ipv4.tcp_sack': tcpInt('sack', 0, 1),
  'net.ipv4.tcp_dsack': tcpInt('dsack', 0, 1),
  'net.ipv4.tcp_fack': {
    // Obsolete since 4.15, still listed.
    get: () => '0',
    set: (_h, _n, v) => (int(v) === null ? -EINVAL : 0),
  },
  'net.ipv4.tcp_reordering': tcpInt('reordering'),
  'net.ipv4.tcp_max_reordering': tcpInt('maxReordering'),
  'net.ipv4.tcp_retries1': tcpInt('retries1', 0, 255),
  'net.ipv4.tcp_retries2': tcpInt('retries2', 0, 255),
  'net.ipv4.tcp_syn_retries': tcpInt('synRetries', 1, 127),
  'net.ipv4.tcp_synack_retries': tcpInt('synackRetries', 0, 255),
  'net.ipv4.tcp_syn_linear_timeouts': tcpInt('synLinearTimeouts', 0, 255),
  'net.ipv4.tcp_syncookies': tcpInt('syncookies', 0, 2),
  'net.ipv4.tcp_fin_timeout': tcpJiffiesSec('finTimeout'),
  'net.ipv4.tcp_keepalive_time': tcpJiffiesSec('keepaliveTime'),
  'net.ipv4.tcp_keepalive_intvl': tcpJiffiesSec('keepaliveIntvl'),
  'net.ipv4.tcp_keepalive_probes': tcpInt('keepaliveProbes', 0, 255),
  'net.ipv4.tcp_orphan_retries': tcpInt('orphanRetries', 0, 255),
  'net.ipv4.tcp_rmem': tcpTriple('rmem'),
  'net.ipv4.tcp_wmem': tcpTriple('wmem'),
  'net.ipv4.tcp_ecn': tcpInt('ecn', 0, 2),
  'net.ipv4.tcp_ecn_fallback': tcpInt('ecnFallback', 0, 1),
  'net.ipv4.tcp_frto': tcpInt('frto'),
  'net.ipv4.tcp_recovery': tcpInt('recovery'),
  'net.ipv4.tcp_early_retrans': tcpInt('earlyRetrans', 0, 4),
  'net.ipv4.tcp_tso_win_divisor': tcpInt('tsoWinDivisor', 0, 255),
  'net.ipv4.tcp_min_tso_segs': tcpInt('minTsoSegs', 1, 255),
  'net.ipv4.tcp_tso_rtt_log': tcpInt('tsoRttLog', 0, 255),
  'net.ipv4.tcp_limit_output_bytes': tcpInt('limitOutputBytes'),
  'net.ipv4.tcp_autocorking': tcpInt('autocorking', 0, 1),
  'net.ipv4.tcp_slow_start_after_idle': tcpInt('slowStartAfterIdle', 0, 1),
  'net.ipv4.tcp_notsent_lowat': intEntry(
    (_h, n) => n.sysctl.tcp.notsentLowat,
    (_h, n, v) => (n.sysctl.tcp.notsentLowat = v),
    0,
    4294967295,
  ),
  'net.ipv4.tcp_app_win': tcpInt('appWin', 0, 31),
  'net.ipv4.tcp_adv_win_scale': tcpInt('advWinScale', -31, 31),
  'net.ipv4.tcp_moderate_rcvbuf': tcpInt('moderateRcvbuf', 0, 1),
  'net.ipv4.tcp_workaround_signed_windows': tcpInt('workaroundSignedWindows', 0, 1),
  'net.ipv4.tcp_shrink_window': tcpInt('shrinkWindow', 0, 1),
  'net.ipv4.tcp_base_mss': tcpInt('baseMss'),
  'net.ipv4.tcp_min_snd_mss': tcpInt('minSndMss', 48, 65535),
  'net.ipv4.tcp_mtu_probing': tcpInt('mtuProbing', 0, 2),
  'net.ipv4.tcp_probe_threshold': tcpInt('probeThreshold'),
  'net.ipv4.tcp_probe_interval': tcpInt('probeInterval', 0, 4294967295),
  'net.ipv4.tcp_mtu_probe_floor': tcpInt('mtuProbeFloor', 48, 65535),
  'net.ipv4.tcp_max_syn_backlog': tcpInt('maxSynBacklog'),
  'net.ipv4.tcp_tw_reuse': tcpInt('twReuse', 0, 2),
  'net.ipv4.tcp_max_tw_buckets': tcpInt('maxTwBuckets'),
  'net.ipv4.tcp_fastopen': tcpInt('fastopen'),
  'net.ipv4.tcp_fastopen_blackhole_timeout_sec': tcpInt('fastopenBlackholeTimeoutSec', 0),
  'net.ipv4.tcp_fastopen_key': {
    get: (_h, n) => proc_tcp_fastopen_key_read(n),
    set: (_h, n, v) => proc_tcp_fastopen_key_write(n, v),
  },
  'net.ipv4.tcp_challenge_ack_limit': tcpInt('challengeAckLimit'),
  'net.ipv4.tcp_invalid_ratelimit': tcpJiffiesMs('invalidRatelimit'),
  'net.ipv4.tcp_rfc1337': tcpInt('rfc1337', 0, 1),
  'net.ipv4.tcp_stdurg': tcpInt('stdurg', 0, 1),
  'net.ipv4.tcp_abort_on_overflow': tcpInt('abortOnOverflow', 0, 1),
  'net.ipv4.tcp_thin_linear_timeouts': tcpInt('thinLinearTimeouts', 0, 1),
  'net.ipv4.tcp_comp_sack_delay_ns': tcpInt('compSackDelayNs', 0, Number.MAX_SAFE_INTEGER),
  'net.ipv4.tcp_comp_sack_slack_ns': tcpInt('compSackSlackNs', 0, Number.MAX_SAFE_INTEGER),
  'net.ipv4.tcp_comp_sack_nr': tcpInt('compSackNr', 0, 255),
  'net.ipv4.tcp_backlog_ack_defer': tcpInt('backlogAckDefer', 0, 1),
  'net.ipv4.tcp_pacing_ss_ratio': tcpInt('pacingSsRatio', 0, 1000),
  'net.ipv4.tcp_pacing_ca_ratio': tcpInt('pacingCaRatio', 0, 1000),
  'net.ipv4.tcp_min_rtt_wlen': tcpInt('minRttWlen', 0, 86400),
  'net.ipv4.tcp_rto_min_us': tcpInt('rtoMinUs', 1),
  'net.ipv4.tcp_retrans_collapse': tcpInt('retransCollapse', 0, 1),
  'net.ipv4.tcp_reflect_tos': tcpInt('reflectTos', 0, 1),
  'net.ipv4.tcp_pingpong_thresh': tcpInt('pingpongThresh', 1, 255),
  'net.ipv4.tcp_no_metrics_save': tcpInt('noMetricsSave', 0, 1),
  // tcp_set_default_congestion_control: a known name, else ENOENT.
  'net.ipv4.tcp_congestion_control': {
    get: (_h, n) => n.sysctl.tcp.congestionControl,
    set: (_h, n, v) => {
      const name = v.trim();
      if (!TCP_CONG_AVAILABLE.includes(name)) return -ENOENT;
      n.sysctl.tcp.congestionControl = name;
      return 0;
    },
  },
  'net.ipv4.tcp_available_congestion_control': {
    get: () => TCP_CONG_AVAILABLE.join(' '),
    set: () => -EINVAL,
  },
  'net.ipv4.tcp_allowed_congestion_control': {
    get: () => TCP_CONG_AVAILABLE.join(' '),
    set: (_h, _n, v) =>
      v
        .trim()
        .split(/\s+/)
        .every((c) => TCP_CONG_AVAILABLE.includes(c))
        ? 0
        : -ENOENT,
  },
};
Object.assign(TABLE, TCP_TABLE);

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
