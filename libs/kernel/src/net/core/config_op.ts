/**
 * Configuration requests as data: what `ip`, `sysctl`, `tc` and `ethtool` ask the kernel to do (the
 * RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWRULE, RTM_NEWNEIGH, RTM_NEWQDISC, ETHTOOL_MSG_RINGS_SET messages and
 * sysctl writes), each one a plain JSON object naming its namespace and device by name.
 *
 * The tools build one and hand it to config_op_apply, which resolves the names and calls the rtnetlink
 * function the message reaches in Linux. Because a request is data, it can be logged and applied again to
 * another copy of the same kernel with nothing parsed as a command line. config_op_check is the policy (nla_policy's part): a request from outside is taken only
 * if it is exactly one of the shapes below, with every field of the right type and range.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { Host, Net } from '../../include/net/net_namespace';
import type { NetDevice } from '../../include/linux/netdevice';
import { EINVAL, ENODEV, EOPNOTSUPP } from '../../include/linux/errno';
import type { QdiscOpts } from '../../include/net/sch_generic';
import { inetDelIfa, inetInsertIfa } from '../ipv4/devinet';
import { sysctl_write } from '../../kernel/sysctl';
import type { RuleMsg } from '../../include/net/fib_rules';
import { fib_nl_delrule, fib_nl_newrule } from './fib_rules';
import { FIB4_RULES_OPS } from '../ipv4/fib_rules';
import { tc_del_qdisc, tc_modify_qdisc } from '../sched/sch_api';
import {
  dev_change_name,
  dev_change_net_namespace,
  dev_close,
  dev_get_by_name,
  dev_open,
  dev_set_mac_address,
  dev_set_mtu,
  inet_rtm_delroute,
  inet_rtm_newroute,
  neigh_add,
  neigh_delete,
  netns_add,
  netns_del,
  rtnl_newlink_veth,
  unregister_netdevice,
  type NewRouteMode,
  type RtnlResult,
  type RouteSpec,
} from './rtnetlink';

/** A device in a namespace ('' is the host's initial one). */
interface DevRef {
  netns: string;
  dev: string;
}

/** A route as RTM_NEWROUTE / RTM_DELROUTE carry it: rtnetlink's RouteSpec with the device by name. */
export type RouteMsg = Omit<RouteSpec, 'dev'> & { dev: string | null };

export type ConfigOp =
  | { op: 'netns.add'; name: string }
  | { op: 'netns.del'; name: string }
  | { op: 'link.add.veth'; netns: string; name: string; peerNetns: string; peerName: string }
  | ({ op: 'link.del' } & DevRef)
  | ({ op: 'link.setns'; target: string } & DevRef)
  | ({ op: 'link.address'; address: number[] } & DevRef)
  | ({ op: 'link.mtu'; mtu: number } & DevRef)
  | ({ op: 'link.name'; name: string } & DevRef)
  | ({ op: 'link.flags'; set: number; clear: number } & DevRef)
  | ({ op: 'link.up'; up: boolean } & DevRef)
  | ({ op: 'link.txqlen'; txqlen: number } & DevRef)
  | ({
      op: 'addr.add';
      local: number;
      plen: number;
      broadcast: number | null;
      scope: number;
      label: string | null;
    } & DevRef)
  | ({ op: 'addr.del'; local: number; plen: number | null } & DevRef)
  | { op: 'route.add'; netns: string; mode: NewRouteMode; route: RouteMsg }
  | { op: 'route.del'; netns: string; route: RouteMsg }
  | { op: 'rule.add'; netns: string; excl: boolean; rule: RuleMsg }
  | { op: 'rule.del'; netns: string; rule: RuleMsg }
  | ({
      op: 'neigh.add';
      key: number;
      lladdr: number[] | null;
      state: number;
      create: boolean;
      excl: boolean;
      replace: boolean;
    } & DevRef)
  | ({ op: 'neigh.del'; key: number } & DevRef)
  | { op: 'sysctl.write'; netns: string; name: string; value: string }
  | ({
      op: 'qdisc.modify';
      cmd: 'add' | 'replace' | 'change';
      parent: number;
      handle: number;
      kind: string;
      opts: QdiscOpts;
    } & DevRef)
  | ({ op: 'qdisc.del'; parent: number; handle: number; kind: string | null } & DevRef)
  | ({ op: 'ring.set'; rx: number | null; tx: number | null } & DevRef)
  | ({ op: 'features.set'; wanted: number; mask: number } & DevRef);

export type ConfigOpName = ConfigOp['op'];

// ---- the policy ------------------------------------------------------------------------------------------

export class ConfigOpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigOpError';
  }
}

type Check = (v: unknown) => boolean;

const int =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const u8 = int(0, 0xff);
const u32 = int(0, 0xffffffff);
const bool: Check = (v) => typeof v === 'boolean';
const nullable =
  (c: Check): Check =>
  (v) =>
    v === null || c(v);
const oneOf =
  (...xs: string[]): Check =>
  (v) =>
    typeof v === 'string' && xs.includes(v);
/** dev_valid_name: 1-15 bytes, not . or .., no '/', ':' or white space. */
const ifname: Check = (v) => typeof v === 'string' && /^[^/:\s]{1,15}$/.test(v) && v !== '.' && v !== '..';
/** A namespace's name (a file under /run/netns; '' the initial namespace). */
const netnsName: Check = (v) =>
  typeof v === 'string' && /^[A-Za-z0-9_.@+-]{0,64}$/.test(v) && v !== '.' && v !== '..';
const nonEmptyNetns: Check = (v) => netnsName(v) && v !== '';
/** A link-layer address: 1-32 bytes. */
const lladdr: Check = (v) => Array.isArray(v) && v.length >= 1 && v.length <= 32 && v.every(u8);
const sysctlName: Check = (v) =>
  typeof v === 'string' && /^[a-z0-9_]+(\.[A-Za-z0-9_@+-]+)+$/.test(v) && v.length <= 128;
const sysctlValue: Check = (v) => typeof v === 'string' && v.length <= 256 && !/[\0\n]/.test(v);
const qdiscKind: Check = (v) => typeof v === 'string' && /^[a-z_]{1,16}$/.test(v);
/** TCA_OPTIONS: at most 32 named numbers, flags or short words. */
const qdiscOpts: Check = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const e = Object.entries(v as object);
  return (
    e.length <= 32 &&
    e.every(
      ([k, x]) =>
        /^[a-z_][a-z0-9_]{0,31}$/i.test(k) &&
        ((typeof x === 'number' && Number.isFinite(x)) ||
          typeof x === 'boolean' ||
          (typeof x === 'string' && x.length <= 64)),
    )
  );
};
const record =
  (fields: Record<string, Check>): Check =>
  (v) =>
    strictCheck(v, fields) === null;

const ROUTE: Record<string, Check> = {
  dst: u32,
  plen: int(0, 32),
  gw: u32,
  dev: nullable(ifname),
  metric: u32,
  type: u8,
  protocol: u8,
  scope: nullable(u8),
  table: u32,
  prefsrc: u32,
  mtu: u32,
  advmss: u32,
  initcwnd: u32,
  locks: u32,
};

/** struct fib_rule_port_range / fib_rule_uid_range: the bounds' types; their sense is fib_nl2rule's check. */
const range = (max: number): Check => record({ start: int(0, max), end: int(0, max) });

/** RTM_NEWRULE / RTM_DELRULE: fib_rule_hdr and the attributes iproute2 sends (null: absent). */
const RULE: Record<string, Check> = {
  flags: u32,
  action: u8,
  tos: u8,
  srcLen: u8,
  src: nullable(u32),
  dstLen: u8,
  dst: nullable(u32),
  table: u32,
  priority: nullable(u32),
  iifname: nullable(ifname),
  oifname: nullable(ifname),
  fwmark: nullable(u32),
  fwmask: nullable(u32),
  goto: nullable(u32),
  suppressPrefixlen: nullable(u32),
  suppressIfgroup: nullable(u32),
  protocol: nullable(u8),
  l3mdev: nullable(u8),
  ipProto: nullable(u8),
  sport: nullable(range(0xffff)),
  dport: nullable(range(0xffff)),
  uidRange: nullable(range(0xffffffff)),
};

const DEV = { netns: netnsName, dev: ifname };

/** Each operation's fields (besides `op`) and what each must hold. */
const POLICY: Record<ConfigOpName, Record<string, Check>> = {
  'netns.add': { name: nonEmptyNetns },
  'netns.del': { name: nonEmptyNetns },
  'link.add.veth': { netns: netnsName, name: ifname, peerNetns: netnsName, peerName: ifname },
  'link.del': DEV,
  'link.setns': { ...DEV, target: netnsName },
  'link.address': { ...DEV, address: lladdr },
  'link.mtu': { ...DEV, mtu: int(0, 0x7fffffff) },
  'link.name': { ...DEV, name: ifname },
  'link.flags': { ...DEV, set: u32, clear: u32 },
  'link.up': { ...DEV, up: bool },
  'link.txqlen': { ...DEV, txqlen: int(0, 0x7fffffff) },
  'addr.add': {
    ...DEV,
    local: u32,
    plen: int(0, 32),
    broadcast: nullable(u32),
    scope: u8,
    label: nullable((v) => typeof v === 'string' && v.length >= 1 && v.length <= 64),
  },
  'addr.del': { ...DEV, local: u32, plen: nullable(int(0, 32)) },
  'route.add': {
    netns: netnsName,
    mode: oneOf('add', 'replace', 'append', 'prepend', 'change'),
    route: record(ROUTE),
  },
  'route.del': { netns: netnsName, route: record(ROUTE) },
  'rule.add': { netns: netnsName, excl: bool, rule: record(RULE) },
  'rule.del': { netns: netnsName, rule: record(RULE) },
  'neigh.add': {
    ...DEV,
    key: u32,
    lladdr: nullable(lladdr),
    state: u8,
    create: bool,
    excl: bool,
    replace: bool,
  },
  'neigh.del': { ...DEV, key: u32 },
  'sysctl.write': { netns: netnsName, name: sysctlName, value: sysctlValue },
  'qdisc.modify': {
    ...DEV,
    cmd: oneOf('add', 'replace', 'change'),
    parent: u32,
    handle: u32,
    kind: qdiscKind,
    opts: qdiscOpts,
  },
  'qdisc.del': { ...DEV, parent: u32, handle: u32, kind: nullable(qdiscKind) },
  'ring.set': { ...DEV, rx: nullable(int(0, 1 << 20)), tx: nullable(int(0, 1 << 20)) },
  'features.set': { ...DEV, wanted: int(0, 2 ** 31 - 1), mask: int(0, 2 ** 31 - 1) },
};

export const CONFIG_OPS = Object.keys(POLICY) as ConfigOpName[];

/** null if `v` is an object with exactly `fields`, each passing its check; else what is wrong. */
function strictCheck(v: unknown, fields: Record<string, Check>, skip: string[] = []): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object';
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!skip.includes(k) && !Object.prototype.hasOwnProperty.call(fields, k)) return `unknown field '${k}'`;
  for (const [k, check] of Object.entries(fields)) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) return `missing field '${k}'`;
    if (!check(o[k])) return `bad value for '${k}'`;
  }
  return null;
}

/** The request `v` if it is one of the configuration operations, exactly; else throws ConfigOpError. */
export function config_op_check(v: unknown): ConfigOp {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ConfigOpError('a configuration operation must be an object');
  const name = (v as { op?: unknown }).op;
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(POLICY, name))
    throw new ConfigOpError(
      `unknown configuration operation ${JSON.stringify(name)?.slice(0, 40) ?? 'undefined'}`,
    );
  const why = strictCheck(v, POLICY[name as ConfigOpName], ['op']);
  if (why) throw new ConfigOpError(`${name}: ${why}`);
  return v as ConfigOp;
}

// ---- applying one ----------------------------------------------------------------------------------------

const NO_NETNS: RtnlResult = { err: -ENODEV, extack: 'no such network namespace' };
const NO_DEV: RtnlResult = { err: -ENODEV };

function netOf(host: Host, name: string): Net | undefined {
  return name === '' ? host.initNet : host.namedNets.get(name);
}

const rc = (err: number): RtnlResult => ({ err: Math.min(0, err) });

/**
 * Carry out one request on `host`, as its rtnetlink handler (or sysctl's proc_handler, or ethtool's
 * ring setter) would: 0 or -errno with the extack message.
 */
export function config_op_apply(ctx: KernelCtx, host: Host, m: ConfigOp): RtnlResult {
  switch (m.op) {
    case 'netns.add':
      return netns_add(host, m.name);
    case 'netns.del':
      return netns_del(ctx, host, m.name);
    case 'link.add.veth': {
      const net = netOf(host, m.netns);
      const peerNet = netOf(host, m.peerNetns);
      if (!net || !peerNet) return NO_NETNS;
      return rtnl_newlink_veth(ctx, net, m.name, peerNet, m.peerName);
    }
    case 'route.add':
    case 'route.del': {
      const net = netOf(host, m.netns);
      if (!net) return NO_NETNS;
      let dev: NetDevice | null = null;
      if (m.route.dev !== null) {
        dev = dev_get_by_name(net, m.route.dev) ?? null;
        if (!dev) return NO_DEV;
      }
      const spec = { ...m.route, dev };
      return m.op === 'route.add' ? inet_rtm_newroute(net, spec, m.mode) : inet_rtm_delroute(net, spec);
    }
    case 'rule.add':
    case 'rule.del': {
      // lookup_rules_ops(net, AF_INET): iproute2 sends family inet unless told -6.
      const net = netOf(host, m.netns);
      if (!net) return NO_NETNS;
      return m.op === 'rule.add'
        ? fib_nl_newrule(net, FIB4_RULES_OPS, m.rule, m.excl)
        : fib_nl_delrule(net, FIB4_RULES_OPS, m.rule);
    }
    case 'sysctl.write': {
      const net = netOf(host, m.netns);
      if (!net) return NO_NETNS;
      return rc(sysctl_write(host, net, m.name, m.value));
    }
  }
  const net = netOf(host, m.netns);
  if (!net) return NO_NETNS;
  const dev = dev_get_by_name(net, m.dev);
  if (!dev) return NO_DEV;
  switch (m.op) {
    case 'link.del':
      return unregister_netdevice(ctx, dev);
    case 'link.setns': {
      const target = netOf(host, m.target);
      return target ? dev_change_net_namespace(ctx, dev, target) : NO_NETNS;
    }
    case 'link.address':
      return dev_set_mac_address(dev, new Uint8Array(m.address));
    case 'link.mtu':
      return dev_set_mtu(dev, m.mtu);
    case 'link.name':
      return dev_change_name(dev, m.name);
    case 'link.flags':
      // dev_change_flags for the flags without side effects in the model (arp, promisc, multicast...).
      dev.flags = (dev.flags | m.set) & ~m.clear;
      return { err: 0 };
    case 'link.up':
      if (m.up) dev_open(ctx, dev);
      else dev_close(ctx, dev);
      return { err: 0 };
    case 'link.txqlen':
      dev.txQueueLen = m.txqlen;
      return { err: 0 };
    case 'addr.add': {
      const err = inetInsertIfa(net, dev, m.local, m.plen, m.broadcast, m.scope);
      if (err < 0) return { err };
      if (m.label !== null) {
        const ifa = net.ifaddrs.find((i) => i.dev === dev && i.local === m.local && i.plen === m.plen);
        if (ifa) ifa.label = m.label;
      }
      return { err: 0 };
    }
    case 'addr.del':
      return rc(inetDelIfa(net, dev, m.local, m.plen));
    case 'neigh.add':
      return neigh_add(ctx, dev, m.key, m.lladdr ? new Uint8Array(m.lladdr) : null, m.state, {
        create: m.create,
        excl: m.excl,
        replace: m.replace,
      });
    case 'neigh.del':
      return neigh_delete(ctx, dev, m.key);
    case 'qdisc.modify':
      return tc_modify_qdisc(ctx, dev, {
        cmd: m.cmd,
        parent: m.parent,
        handle: m.handle,
        kind: m.kind,
        opts: m.opts,
      });
    case 'qdisc.del':
      return tc_del_qdisc(ctx, dev, m.parent, m.handle, m.kind);
    case 'ring.set':
      if (!dev.ops.setRingparam) return { err: -EOPNOTSUPP };
      dev.ops.setRingparam(dev, m.rx, m.tx);
      return { err: 0 };
    case 'features.set':
      if (!dev.ops.ndoSetFeatures) return { err: -EOPNOTSUPP };
      dev.ops.ndoSetFeatures(dev, m.wanted, m.mask);
      return { err: 0 };
  }
  return { err: -EINVAL };
}
