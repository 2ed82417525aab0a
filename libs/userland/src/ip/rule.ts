/**
 * `ip rule` (ip/iprule.c of iproute2 6.1): list/show with its selectors, add, del, flush. add and del
 * send RTM_NEWRULE (NLM_F_CREATE|NLM_F_EXCL) and RTM_DELRULE as configuration operations; the listing
 * is print_rule over the kernel's dump (fib_nl_fill_rule).
 */
import {
  FIB_RULE_IIF_DETACHED,
  FIB_RULE_INVERT,
  FIB_RULE_OIF_DETACHED,
  FIB_RULE_UNRESOLVED,
  FR_ACT_GOTO,
  FR_ACT_NOP,
  FR_ACT_TO_TBL,
  RTPROT_KERNEL,
  emptyRuleMsg,
  fib_nl_fill_rule_flags,
  type FibRule,
  type FibRulePortRange,
  type RuleMsg,
} from '@skblab/kernel';
import { ipv4ToString } from '@skblab/wire/address';
import { fail, invarg, matches, nextArg, printJson, rtnlCheck, type Ip } from './common';
import {
  getPrefix,
  getUnsigned,
  protoId,
  protoName,
  rtnTypeId,
  rtnTypeName,
  tableId,
  tableName,
} from './parse';
import { RULE_USAGE } from './usage';

function usage(ip: Ip): never {
  fail(ip, RULE_USAGE, 255);
}

/** /etc/iproute2/rt_dsfield as Debian ships it: what rtnl_dsfield_a2n takes besides a hex number. */
const RT_DSFIELD: Record<string, number> = {
  default: 0x0,
  AF11: 0x28,
  AF12: 0x30,
  AF13: 0x38,
  AF21: 0x48,
  AF22: 0x50,
  AF23: 0x58,
  AF31: 0x68,
  AF32: 0x70,
  AF33: 0x78,
  AF41: 0x88,
  AF42: 0x90,
  AF43: 0x98,
  CS1: 0x20,
  CS2: 0x40,
  CS3: 0x60,
  CS4: 0x80,
  CS5: 0xa0,
  CS6: 0xc0,
  CS7: 0xe0,
  EF: 0xb8,
};

/** rtnl_dsfield_a2n: a name, else a hex number up to 255. */
function dsfieldA2n(s: string): number | null {
  if (Object.prototype.hasOwnProperty.call(RT_DSFIELD, s)) return RT_DSFIELD[s];
  const v = /^(0[xX])?[0-9a-fA-F]+$/.test(s) ? parseInt(s.replace(/^0[xX]/, ''), 16) : NaN;
  return Number.isNaN(v) || v > 255 ? null : v;
}

/** rtnl_dsfield_n2a for what a rule can hold (0x04-0x1c): no name in rt_dsfield, so "0x%02x". */
function dsfieldN2a(v: number): string {
  return `0x${v.toString(16).padStart(2, '0')}`;
}

/** /etc/iproute2/group: rtnl_group_a2n / rtnl_group_n2a. */
function groupA2n(s: string): number | null {
  if (s === 'default') return 0;
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return null;
  const v = Number(s.startsWith('0') && !/^0[xX]/.test(s) && s.length > 1 ? parseInt(s, 8) : s);
  return v > 0x7fffffff ? null : v;
}

function groupN2a(g: number): string {
  return g === 0 ? 'default' : String(g);
}

/** inet_proto_a2n / inet_proto_n2a (lib/utils.c). */
const IP_PROTOS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, dccp: 33, icmp: 1, 'ipv6-icmp': 58 };

function protoA2n(s: string): number | null {
  if (Object.prototype.hasOwnProperty.call(IP_PROTOS, s)) return IP_PROTOS[s];
  const v = getUnsigned(s);
  return v !== null && v <= 255 ? v : null;
}

function protoN2a(p: number): string {
  return Object.entries(IP_PROTOS).find(([, v]) => v === p)?.[0] ?? `ipproto-${p}`;
}

/** check_ifname: what a device name may be. */
function validIfname(s: string): boolean {
  return s.length > 0 && s.length < 16 && !/[/:\s]/.test(s);
}

/** sscanf("%hu-%hu"): one number is a range of one. */
function portRange(s: string): FibRulePortRange | null {
  const m = /^\s*\+?(\d+)(?:-\s*\+?(\d+))?/.exec(s);
  if (!m) return null;
  const start = Number(m[1]) & 0xffff;
  return { start, end: m[2] === undefined ? start : Number(m[2]) & 0xffff };
}

/** The dump of one rule as fib_nl_fill_rule sends it, printed by print_rule. */
function printRule(ip: Ip, r: FibRule): { text: string; json: Record<string, unknown> } {
  const flags = fib_nl_fill_rule_flags(ip.net, r);
  const j: Record<string, unknown> = {};
  j.priority = r.pref;
  let t = `${r.pref}:\t`;
  if (flags & FIB_RULE_INVERT) {
    j.not = null;
    t += 'not ';
  }
  if (r.srcLen) {
    j.src = ipv4ToString(r.src);
    t += `from ${j.src}`;
    if (r.srcLen !== 32) {
      j.srclen = r.srcLen;
      t += `/${r.srcLen}`;
    }
  } else {
    j.src = 'all';
    t += 'from all';
  }
  if (r.dstLen) {
    j.dst = ipv4ToString(r.dst);
    t += ` to ${j.dst}`;
    if (r.dstLen !== 32) {
      j.dstlen = r.dstLen;
      t += `/${r.dstLen}`;
    }
  }
  if (r.tos) {
    j.tos = dsfieldN2a(r.tos);
    t += ` tos ${j.tos}`;
  }
  if (r.mark || r.markMask) {
    // %#llx: 0 prints as "0", anything else with 0x.
    const hex = (v: number) => (v ? `0x${v.toString(16)}` : '0');
    j.fwmark = hex(r.mark);
    t += ` fwmark ${j.fwmark}`;
    if (r.markMask !== 0xffffffff) {
      j.fwmask = hex(r.markMask);
      t += `/${j.fwmask}`;
    }
  }
  if (r.iifname) {
    j.iif = r.iifname;
    t += ` iif ${r.iifname}`;
    if (flags & FIB_RULE_IIF_DETACHED) {
      j.iif_detached = null;
      t += ' [detached]';
    }
  }
  if (r.oifname) {
    j.oif = r.oifname;
    t += ` oif ${r.oifname}`;
    if (flags & FIB_RULE_OIF_DETACHED) {
      j.oif_detached = null;
      t += ' [detached]';
    }
  }
  if (r.l3mdev) {
    j.l3mdev = null;
    t += ' lookup [l3mdev-table]';
  }
  if (r.uidRange.start !== 0 || r.uidRange.end !== 0xffffffff) {
    j.uid_start = r.uidRange.start;
    j.uid_end = r.uidRange.end;
    t += ` uidrange ${r.uidRange.start}-${r.uidRange.end}`;
  }
  if (r.ipProto) {
    j.ipproto = protoN2a(r.ipProto);
    t += ` ipproto ${j.ipproto}`;
  }
  for (const [name, p] of [
    ['sport', r.sportRange],
    ['dport', r.dportRange],
  ] as const) {
    if (!p.start || !p.end) continue;
    if (p.start === p.end) j[name] = p.start;
    else {
      j[`${name}_start`] = p.start;
      j[`${name}_end`] = p.end;
    }
    t += p.start === p.end ? ` ${name} ${p.start}` : ` ${name} ${p.start}-${p.end}`;
  }
  if (r.table) {
    j.table = tableName(r.table);
    t += ` lookup ${j.table}`;
    if (r.suppressPrefixlen !== -1) {
      j.suppress_prefixlen = r.suppressPrefixlen;
      t += ` suppress_prefixlength ${r.suppressPrefixlen}`;
    }
    if (r.suppressIfgroup !== -1) {
      j.suppress_ifgroup = groupN2a(r.suppressIfgroup);
      t += ` suppress_ifgroup ${j.suppress_ifgroup}`;
    }
  }
  if (r.action === FR_ACT_GOTO) {
    j.goto = r.target;
    t += ` goto ${r.target}`;
    if (flags & FIB_RULE_UNRESOLVED) {
      j.unresolved = null;
      t += ' [unresolved]';
    }
  } else if (r.action === FR_ACT_NOP) {
    j.nop = null;
    t += ' nop';
  } else if (r.action !== FR_ACT_TO_TBL) {
    j.action = rtnTypeName(r.action);
    t += ` ${j.action}`;
  }
  if ((r.proto && r.proto !== RTPROT_KERNEL) || ip.opts.details > 0) {
    j.protocol = protoName(r.proto);
    t += ` proto ${j.protocol}`;
  }
  return { text: t + '\n', json: j };
}

/** iprule_list_flush_or_save's filter. */
interface RuleFilter {
  pref: number | null;
  not: boolean;
  tos: number | null;
  fwmark: number;
  fwmask: number;
  iif: string | null;
  oif: string | null;
  l3mdev: boolean;
  uidrange: FibRulePortRange | null;
  tb: number;
  src: { addr: number; plen: number } | null;
  dst: { addr: number; plen: number } | null;
  protocol: number | null;
  ipproto: number;
  sport: FibRulePortRange | null;
  dport: FibRulePortRange | null;
}

const mask = (plen: number) => (plen === 0 ? 0 : (0xffffffff << (32 - plen)) >>> 0);

/** filter_nlmsg: a prefix filter takes rules whose prefix is at least as long and inside it. */
function filterRule(ip: Ip, f: RuleFilter, r: FibRule): boolean {
  if (f.pref !== null && f.pref !== r.pref) return false;
  if (f.not && !(r.flags & FIB_RULE_INVERT)) return false;
  for (const [p, addr, len] of [
    [f.src, r.src, r.srcLen],
    [f.dst, r.dst, r.dstLen],
  ] as const) {
    if (!p) continue;
    if (p.plen > len) return false;
    if (((p.addr ^ addr) & mask(p.plen)) >>> 0) return false;
  }
  if (f.tos !== null && f.tos !== r.tos) return false;
  if (f.fwmark && f.fwmark !== r.mark) return false;
  if (f.fwmask && f.fwmask !== (r.mark || r.markMask ? r.markMask : 0)) return false;
  if (f.iif !== null && f.iif !== r.iifname) return false;
  if (f.oif !== null && f.oif !== r.oifname) return false;
  if (f.l3mdev && !r.l3mdev) return false;
  if (f.uidrange && (f.uidrange.start !== r.uidRange.start || f.uidrange.end !== r.uidRange.end))
    return false;
  if (f.ipproto && f.ipproto !== r.ipProto) return false;
  for (const [p, q] of [
    [f.sport, r.sportRange],
    [f.dport, r.dportRange],
  ] as const)
    if (p && p.start && (p.start !== q.start || p.end !== q.end)) return false;
  if (f.tb > 0 && f.tb !== r.table) return false;
  void ip;
  return true;
}

function parseFilter(ip: Ip, args: string[]): RuleFilter {
  const f: RuleFilter = {
    pref: null,
    not: false,
    tos: null,
    fwmark: 0,
    fwmask: 0,
    iif: null,
    oif: null,
    l3mdev: false,
    uidrange: null,
    tb: 0,
    src: null,
    dst: null,
    protocol: null,
    ipproto: 0,
    sport: null,
    dport: null,
  };
  const prefix = (v: string) => {
    const p = getPrefix(ip, v);
    return { addr: p.addr ?? 0, plen: p.plen };
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (matches(a, 'preference') || matches(a, 'order') || matches(a, 'priority')) {
      const v = nextArg(ip, args, i++);
      const n = getUnsigned(v);
      if (n === null) invarg(ip, 'preference value is invalid\n', v);
      f.pref = n;
    } else if (a === 'not') f.not = true;
    else if (a === 'tos' || a === 'dsfield') {
      const v = nextArg(ip, args, i++);
      const n = dsfieldA2n(v);
      if (n === null) invarg(ip, 'TOS value is invalid\n', v);
      f.tos = n;
    } else if (a === 'fwmark') {
      const v = nextArg(ip, args, i++);
      const [m, k] = v.split('/', 2);
      const mark = getUnsigned(m);
      if (mark === null) invarg(ip, 'fwmark value is invalid\n', m);
      f.fwmark = mark;
      if (k !== undefined) {
        const mk = getUnsigned(k);
        if (mk === null) invarg(ip, 'fwmask value is invalid\n', k);
        f.fwmask = mk;
      }
    } else if (a === 'dev' || a === 'iif') {
      const v = nextArg(ip, args, i++);
      if (!validIfname(v)) invarg(ip, '"iif"/"dev" not a valid ifname', v);
      f.iif = v;
    } else if (a === 'oif') {
      const v = nextArg(ip, args, i++);
      if (!validIfname(v)) invarg(ip, '"oif" not a valid ifname', v);
      f.oif = v;
    } else if (a === 'l3mdev') f.l3mdev = true;
    else if (a === 'uidrange') {
      const v = nextArg(ip, args, i++);
      const m = /^\s*(\d+)-\s*(\d+)/.exec(v);
      if (!m) invarg(ip, 'invalid UID range\n', v);
      f.uidrange = { start: Number(m[1]) >>> 0, end: Number(m[2]) >>> 0 };
    } else if (matches(a, 'lookup') || matches(a, 'table')) {
      const v = nextArg(ip, args, i++);
      const t = tableId(v);
      if (t === null) invarg(ip, 'table id value is invalid\n', v);
      f.tb = t;
    } else if (matches(a, 'from') || matches(a, 'src')) f.src = prefix(nextArg(ip, args, i++));
    else if (matches(a, 'protocol')) {
      const v = nextArg(ip, args, i++);
      const p = protoId(v);
      if (p === null && v !== 'all') invarg(ip, 'invalid "protocol"\n', v);
      f.protocol = p;
    } else if (a === 'ipproto') {
      const v = nextArg(ip, args, i++);
      const p = protoA2n(v);
      if (p === null) invarg(ip, 'Invalid "ipproto" value\n', v);
      f.ipproto = p;
    } else if (a === 'sport' || a === 'dport') {
      const v = nextArg(ip, args, i++);
      const r = portRange(v);
      if (!r) invarg(ip, a === 'sport' ? 'invalid port range\n' : 'invalid dport range\n', v);
      f[a] = r;
    } else {
      let v = a;
      if (matches(v, 'dst') || matches(v, 'to')) v = nextArg(ip, args, i++);
      f.dst = prefix(v);
    }
  }
  return f;
}

/** The rules of the namespace, or nothing for a family the lab has no rules for (IPv6). */
function dumpRules(ip: Ip): FibRule[] {
  if (ip.opts.family === 'inet6' || ip.opts.family === 'link')
    fail(ip, 'RTNETLINK answers: Address family not supported by protocol\nDump terminated\n', 1);
  return [...ip.net.rules];
}

function ruleList(ip: Ip, args: string[]): number {
  const f = parseFilter(ip, args);
  const out = dumpRules(ip)
    .filter((r) => filterRule(ip, f, r))
    .map((r) => printRule(ip, r));
  if (ip.opts.json)
    printJson(
      ip,
      out.map((o) => o.json),
    );
  else for (const o of out) ip.out(o.text);
  return 0;
}

/** The dumped rule sent back as RTM_DELRULE, as flush_rule does. */
function ruleAsMsg(ip: Ip, r: FibRule): RuleMsg {
  const m = emptyRuleMsg();
  m.flags = fib_nl_fill_rule_flags(ip.net, r);
  m.action = r.action;
  m.tos = r.tos;
  m.srcLen = r.srcLen;
  m.src = r.srcLen ? r.src : null;
  m.dstLen = r.dstLen;
  m.dst = r.dstLen ? r.dst : null;
  m.table = r.table;
  m.priority = r.pref || null;
  m.iifname = r.iifname || null;
  m.oifname = r.oifname || null;
  m.fwmark = r.mark || null;
  m.fwmask = r.mark || r.markMask ? r.markMask : null;
  m.goto = r.target || null;
  m.suppressPrefixlen = r.suppressPrefixlen >>> 0;
  m.suppressIfgroup = r.suppressIfgroup === -1 ? null : r.suppressIfgroup >>> 0;
  m.protocol = r.proto;
  m.l3mdev = r.l3mdev || null;
  m.ipProto = r.ipProto || null;
  m.sport = r.sportRange.start && r.sportRange.end ? { ...r.sportRange } : null;
  m.dport = r.dportRange.start && r.dportRange.end ? { ...r.dportRange } : null;
  m.uidRange = r.uidRange.start !== 0 || r.uidRange.end !== 0xffffffff ? { ...r.uidRange } : null;
  return m;
}

/** flush_rule: every listed rule with a preference (the kernel omits FRA_PRIORITY for 0) is deleted. */
function ruleFlush(ip: Ip, args: string[]): number {
  const f = parseFilter(ip, args);
  for (const r of dumpRules(ip)) {
    if (!filterRule(ip, f, r)) continue;
    if (f.protocol !== null && f.protocol !== r.proto) continue;
    if (!r.pref) continue;
    rtnlCheck(ip, ip.lab.configure(ip.host, { op: 'rule.del', netns: ip.net.name, rule: ruleAsMsg(ip, r) }));
  }
  return 0;
}

const FR_ACT_UNSPEC = 0;
const RT_TABLE_MAIN = 254;

/** iprule_modify: RTM_NEWRULE or RTM_DELRULE from the command line. */
function ruleModify(ip: Ip, cmd: 'add' | 'del', args: string[]): number {
  const m = emptyRuleMsg();
  if (cmd === 'add') {
    if (!args.length) fail(ip, '"ip rule add" requires arguments.\n', 1);
    m.action = FR_ACT_TO_TBL;
  } else {
    if (!args.length) fail(ip, '"ip rule del" requires arguments.\n', 1);
    m.action = FR_ACT_UNSPEC;
  }
  if (ip.opts.family === 'inet6' || ip.opts.family === 'link')
    fail(ip, 'Error: Rule family not supported.\n', 2);
  let tableOk = false;
  let l3mdevRule = false;
  let tid = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === 'not') m.flags |= FIB_RULE_INVERT;
    else if (a === 'from' || a === 'to') {
      const p = getPrefix(ip, nextArg(ip, args, i++));
      if (a === 'from') {
        m.srcLen = p.plen;
        m.src = p.addr;
      } else {
        m.dstLen = p.plen;
        m.dst = p.addr;
      }
    } else if (matches(a, 'preference') || matches(a, 'order') || matches(a, 'priority')) {
      const v = nextArg(ip, args, i++);
      const n = getUnsigned(v);
      if (n === null) invarg(ip, 'preference value is invalid\n', v);
      m.priority = n;
    } else if (a === 'tos' || matches(a, 'dsfield')) {
      const v = nextArg(ip, args, i++);
      const n = dsfieldA2n(v);
      if (n === null) invarg(ip, 'TOS value is invalid\n', v);
      m.tos = n;
    } else if (a === 'fwmark') {
      const v = nextArg(ip, args, i++);
      const slash = v.indexOf('/');
      const ms = slash < 0 ? v : v.slice(0, slash);
      const mark = getUnsigned(ms);
      if (mark === null) invarg(ip, 'fwmark value is invalid\n', ms);
      m.fwmark = mark;
      if (slash >= 0) {
        const mk = getUnsigned(v.slice(slash + 1));
        if (mk === null) invarg(ip, 'fwmask value is invalid\n', v.slice(slash + 1));
        m.fwmask = mk;
      }
    } else if (matches(a, 'realms') || matches(a, 'tun_id') || a === 'nat' || matches(a, 'map-to')) {
      nextArg(ip, args, i++);
      fail(ip, `skblab: ip rule ${a} is not modelled\n`, 1);
    } else if (matches(a, 'protocol')) {
      const v = nextArg(ip, args, i++);
      const p = protoId(v);
      if (p === null) invarg(ip, '"protocol" value is invalid\n', v);
      m.protocol = p;
    } else if (matches(a, 'table') || a === 'lookup') {
      const v = nextArg(ip, args, i++);
      const t = tableId(v);
      if (t === null) invarg(ip, 'invalid table ID\n', v);
      tid = t;
      m.table = t;
      tableOk = true;
    } else if (matches(a, 'suppress_prefixlength') || a === 'sup_pl') {
      const v = nextArg(ip, args, i++);
      const n = getUnsigned(v);
      if (n === null || n > 0x7fffffff) invarg(ip, 'suppress_prefixlength value is invalid\n', v);
      m.suppressPrefixlen = n;
    } else if (matches(a, 'suppress_ifgroup') || a === 'sup_group') {
      const v = nextArg(ip, args, i++);
      const g = groupA2n(v);
      if (g === null) invarg(ip, 'Invalid "suppress_ifgroup" value\n', v);
      m.suppressIfgroup = g;
    } else if (a === 'dev' || a === 'iif') {
      const v = nextArg(ip, args, i++);
      if (!validIfname(v)) invarg(ip, '"iif"/"dev" not a valid ifname', v);
      m.iifname = v;
    } else if (a === 'oif') {
      const v = nextArg(ip, args, i++);
      if (!validIfname(v)) invarg(ip, '"oif" not a valid ifname', v);
      m.oifname = v;
    } else if (a === 'l3mdev') {
      m.l3mdev = 1;
      tableOk = true;
      l3mdevRule = true;
    } else if (a === 'uidrange') {
      const v = nextArg(ip, args, i++);
      const r = /^\s*(\d+)-\s*(\d+)/.exec(v);
      if (!r) invarg(ip, 'invalid UID range\n', v);
      m.uidRange = { start: Number(r[1]) >>> 0, end: Number(r[2]) >>> 0 };
    } else if (a === 'ipproto') {
      const v = nextArg(ip, args, i++);
      const p = protoA2n(v);
      if (p === null) invarg(ip, 'Invalid "ipproto" value\n', v);
      m.ipProto = p;
    } else if (a === 'sport' || a === 'dport') {
      const v = nextArg(ip, args, i++);
      const r = portRange(v);
      if (!r) invarg(ip, a === 'sport' ? 'invalid port range\n' : 'invalid dport range\n', v);
      m[a] = r;
    } else {
      let v = a;
      if (v === 'type') v = nextArg(ip, args, i++);
      if (matches(v, 'help')) usage(ip);
      let type: number;
      if (matches(v, 'goto')) {
        type = FR_ACT_GOTO;
        const tv = nextArg(ip, args, i++);
        const target = getUnsigned(tv);
        if (target === null) invarg(ip, 'invalid target\n', tv);
        m.goto = target;
      } else if (matches(v, 'nop')) type = FR_ACT_NOP;
      else {
        const t = rtnTypeId(v);
        if (t === null) invarg(ip, 'Failed to parse rule type', v);
        type = t;
      }
      m.action = type;
      tableOk = true;
    }
  }
  // iprule_modify returns -EINVAL, which ip's main makes its exit status.
  if (l3mdevRule && tid !== 0) fail(ip, 'table can not be specified for l3mdev rules\n', 22);
  if (!tableOk && cmd === 'add') m.table = RT_TABLE_MAIN;
  const op =
    cmd === 'add'
      ? ({ op: 'rule.add', netns: ip.net.name, excl: true, rule: m } as const)
      : ({ op: 'rule.del', netns: ip.net.name, rule: m } as const);
  rtnlCheck(ip, ip.lab.configure(ip.host, op));
  return 0;
}

export async function doIpRule(ip: Ip, args: string[]): Promise<number> {
  if (!args.length) return ruleList(ip, []);
  const [c, ...rest] = args;
  if (matches(c, 'list') || matches(c, 'lst') || matches(c, 'show')) return ruleList(ip, rest);
  if (matches(c, 'save') || matches(c, 'restore'))
    fail(ip, `skblab: ip rule ${c} (a binary dump) is not modelled\n`, 1);
  if (matches(c, 'add')) return ruleModify(ip, 'add', rest);
  if (matches(c, 'delete')) return ruleModify(ip, 'del', rest);
  if (matches(c, 'flush')) return ruleFlush(ip, rest);
  if (matches(c, 'help')) usage(ip);
  fail(ip, `Command "${c}" is unknown, try "ip rule help".\n`, 255);
}
