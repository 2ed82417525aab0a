/**
 * Policy routing in the kernel model: the default rules, RTM_NEWRULE/RTM_DELRULE's checks, and lookups
 * through the rules (net/core/fib_rules.c, net/ipv4/fib_rules.c of Linux 6.12).
 */
import { parseIpv4 } from '@skblab/wire/address';
import { new_host } from '../core/net_namespace';
import { inet_rtm_newroute, type RouteSpec } from '../core/rtnetlink';
import { config_op_check } from '../core/config_op';
import { fib_nl_delrule, fib_nl_fill_rule_flags, fib_nl_newrule } from '../core/fib_rules';
import { inetInsertIfa } from './devinet';
import { FIB4_RULES_OPS } from './fib_rules';
import { fib_lookup, ipRouteInputNoref, ipRouteOutputKey, isRouteError } from './route';
import {
  FIB_RULE_UNRESOLVED,
  FR_ACT_BLACKHOLE,
  FR_ACT_GOTO,
  FR_ACT_PROHIBIT,
  FR_ACT_TO_TBL,
  FR_ACT_UNREACHABLE,
  emptyRuleMsg,
  type RuleMsg,
} from '../../include/net/fib_rules';
import { IFF_UP } from '../../include/linux/netdevice';
import { RTN_UNICAST, RT_SCOPE_HOST, RT_TABLE_MAIN } from '../../include/net/route';
import { EACCES, EEXIST, EINVAL, ENETUNREACH, ENOENT } from '../../include/linux/errno';
import type { Net } from '../../include/net/net_namespace';

const ip4 = (s: string) => parseIpv4(s)!;

/** A namespace with lo up, 10.0.0.1 on it, and 10.9.0.0/16 and a default route only in table 100. */
function lab(): Net {
  const net = new_host('h', 1).initNet;
  const lo = net.loopbackDev;
  lo.flags |= IFF_UP;
  inetInsertIfa(net, lo, ip4('127.0.0.1'), 8, null, RT_SCOPE_HOST);
  inetInsertIfa(net, lo, ip4('10.0.0.1'), 32, null, RT_SCOPE_HOST);
  const route = (dst: string, plen: number, table: number): RouteSpec => ({
    dst: ip4(dst),
    plen,
    gw: 0,
    dev: lo,
    metric: 0,
    type: RTN_UNICAST,
    protocol: 0,
    scope: null,
    table,
    prefsrc: 0,
    mtu: 0,
    advmss: 0,
    initcwnd: 0,
    locks: 0,
  });
  expect(inet_rtm_newroute(net, route('10.9.0.0', 16, 100)).err).toBe(0);
  expect(inet_rtm_newroute(net, route('0.0.0.0', 0, 200)).err).toBe(0);
  return net;
}

const rule = (o: Partial<RuleMsg>): RuleMsg => ({ ...emptyRuleMsg(), action: FR_ACT_TO_TBL, ...o });
const add = (net: Net, o: Partial<RuleMsg>, excl = true) =>
  fib_nl_newrule(net, FIB4_RULES_OPS, rule(o), excl);
const out = (net: Net, daddr: string, more: { saddr?: number; mark?: number; tos?: number } = {}) =>
  ipRouteOutputKey(net, { daddr: ip4(daddr), saddr: 0, oif: 0, tos: 0, proto: 0, ...more });

describe('fib rules', () => {
  it('starts with 0 local, 32766 main, 32767 default, and looks main up without them', () => {
    const net = lab();
    expect(net.rules.map((r) => [r.pref, r.table, r.proto])).toEqual([
      [0, 255, 2],
      [32766, 254, 2],
      [32767, 253, 2],
    ]);
    expect(net.fibHasCustomRules).toBe(false);
    const r = fib_lookup(net, { daddr: ip4('10.0.0.1'), saddr: 0, oif: 0, tos: 0, proto: 0 });
    // The local table is merged into main's trie: its answer names main.
    expect([r.err, r.table, r.rule]).toEqual([0, RT_TABLE_MAIN, null]);
    expect(isRouteError(out(lab(), '10.9.1.1'))).toBe(true);
  });

  it('selects table 100 for a source prefix, through fib_rules_lookup', () => {
    const net = lab();
    expect(add(net, { srcLen: 32, src: ip4('10.0.0.1'), table: 100, priority: 1000 }).err).toBe(0);
    expect(net.fibHasCustomRules).toBe(true);
    const rt = out(net, '10.9.1.1', { saddr: ip4('10.0.0.1') });
    expect(isRouteError(rt) ? rt.error : [rt.table, rt.rule?.pref, rt.dev.name]).toEqual([100, 1000, 'lo']);
    const other = out(net, '10.9.1.1', { saddr: ip4('10.0.0.2') });
    expect(isRouteError(other) && other.error).toBe(-ENETUNREACH);
    // Unmerged now: a local address answers from the local table, by rule 0.
    const local = out(net, '10.0.0.1');
    expect(!isRouteError(local) && [local.table, local.rule?.pref]).toEqual([255, 0]);
  });

  it('answers unreachable -ENETUNREACH, prohibit -EACCES, blackhole -EINVAL', () => {
    const net = lab();
    add(net, { action: FR_ACT_UNREACHABLE, table: 0, dstLen: 24, dst: ip4('198.51.100.0'), priority: 100 });
    add(net, { action: FR_ACT_PROHIBIT, table: 0, dstLen: 24, dst: ip4('192.0.2.0'), priority: 101 });
    add(net, { action: FR_ACT_BLACKHOLE, table: 0, dstLen: 24, dst: ip4('203.0.113.0'), priority: 102 });
    const err = (d: string) => {
      const r = out(net, d);
      return isRouteError(r) ? [r.error, r.rule?.pref] : null;
    };
    expect([err('198.51.100.1'), err('192.0.2.1'), err('203.0.113.1')]).toEqual([
      [-ENETUNREACH, 100],
      [-EACCES, 101],
      [-EINVAL, 102],
    ]);
    // An input lookup through the prohibit rule becomes ip_error (with forwarding off: -EHOSTUNREACH).
    net.sysctl.ipForward = 1;
    const rin = ipRouteInputNoref(net, ip4('192.0.2.1'), ip4('10.5.0.1'), net.loopbackDev);
    expect(!isRouteError(rin) && [rin.input, rin.error]).toEqual(['ip_error', -EACCES]);
  });

  it('refuses a duplicate with NLM_F_EXCL only, and picks a preference before the second rule', () => {
    const net = lab();
    expect(add(net, { table: 100 }).err).toBe(0);
    expect(net.rules[1].pref).toBe(32765);
    expect(add(net, { table: 100, priority: 32765 }).err).toBe(-EEXIST);
    expect(add(net, { table: 100, priority: 32765 }, false).err).toBe(0);
    expect(net.rules.filter((r) => r.pref === 32765)).toHaveLength(2);
  });

  it('checks goto, TOS and the table as fib_nl2rule and fib4_rule_configure do', () => {
    const net = lab();
    expect(add(net, { action: FR_ACT_GOTO, goto: 5, priority: 10 })).toEqual({
      err: -EINVAL,
      extack: 'Backward goto not supported',
    });
    expect(add(net, { action: FR_ACT_GOTO, priority: 10 }).extack).toBe(
      'Missing goto target for action goto',
    );
    expect(add(net, { goto: 20, priority: 10 }).extack).toBe('Unexpected goto');
    expect(add(net, { tos: 0x03, table: 5 }).extack).toBe('Invalid dsfield (tos): ECN bits must be 0');
    expect(add(net, { tos: 0x20, table: 5 }).extack).toBe('Invalid tos');
    // No table: fib_empty_table makes the first free one.
    expect(add(net, { table: 0, priority: 7 }).err).toBe(0);
    expect(net.rules.find((r) => r.pref === 7)?.table).toBe(1);
  });

  it('jumps over rules with goto, and an unresolved goto is skipped', () => {
    const net = lab();
    add(net, { action: FR_ACT_PROHIBIT, table: 0, priority: 100 });
    add(net, { table: 100, priority: 200 });
    add(net, { action: FR_ACT_GOTO, table: 0, goto: 200, priority: 10 });
    const r = out(net, '10.9.1.1');
    expect(!isRouteError(r) && r.table).toBe(100);
    expect(fib_nl_delrule(net, FIB4_RULES_OPS, { ...emptyRuleMsg(), priority: 200 }).err).toBe(0);
    const g = net.rules.find((x) => x.pref === 10)!;
    expect(fib_nl_fill_rule_flags(net, g) & FIB_RULE_UNRESOLVED).toBe(FIB_RULE_UNRESOLVED);
    const p = out(net, '10.9.1.1');
    expect(isRouteError(p) && p.error).toBe(-EACCES);
  });

  it('suppresses a default route with suppress_prefixlength 0, and matches fwmark under its mask', () => {
    const net = lab();
    add(net, { table: 200, suppressPrefixlen: 0, priority: 10 });
    add(net, { table: 100, fwmark: 0x10, fwmask: 0xf0, priority: 20 });
    add(net, { action: FR_ACT_UNREACHABLE, table: 0, priority: 30 });
    const e = (r: ReturnType<typeof out>) => (isRouteError(r) ? r.error : r.table);
    // Table 200 only has a /0: suppressed, so rule 30 answers.
    expect(e(out(net, '192.0.2.1'))).toBe(-ENETUNREACH);
    expect(e(out(net, '10.9.1.1', { mark: 0x1f }))).toBe(100);
    expect(e(out(net, '10.9.1.1', { mark: 0x2f }))).toBe(-ENETUNREACH);
  });

  it('matches iif lo for the host own output, and a missing iif device never matches', () => {
    const net = lab();
    add(net, { table: 100, iifname: 'lo', priority: 10 });
    add(net, { table: 200, iifname: 'eth9', priority: 5 });
    expect(fib_nl_fill_rule_flags(net, net.rules[1])).toBe(0x8);
    const r = out(net, '10.9.1.1');
    expect(!isRouteError(r) && [r.table, r.rule?.pref]).toEqual([100, 10]);
  });

  it('deletes the first matching rule, -ENOENT when none matches, and even a default one', () => {
    const net = lab();
    expect(fib_nl_delrule(net, FIB4_RULES_OPS, { ...emptyRuleMsg(), table: 100 }).err).toBe(-ENOENT);
    expect(fib_nl_delrule(net, FIB4_RULES_OPS, { ...emptyRuleMsg(), priority: 32766 }).err).toBe(0);
    expect(net.rules.map((r) => r.pref)).toEqual([0, 32767]);
    // Without the main rule nothing finds 10.0.0.0/8 routes of main; local still answers.
    const r = out(net, '10.0.0.1');
    expect(!isRouteError(r) && r.table).toBe(255);
  });

  it('takes rule.add and rule.del as configuration operations, with their policy', () => {
    const m = rule({ table: 100 });
    expect(config_op_check({ op: 'rule.add', netns: '', excl: true, rule: m }).op).toBe('rule.add');
    expect(() => config_op_check({ op: 'rule.del', netns: '', rule: { ...m, priority: -1 } })).toThrow(
      "rule.del: bad value for 'rule'",
    );
    expect(() => config_op_check({ op: 'rule.add', netns: '', rule: m })).toThrow("missing field 'excl'");
  });
});
