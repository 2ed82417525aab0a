/**
 * net/core/fib_rules.c: generic policy routing rules. A namespace's rules list is kept in preference order;
 * fib_rules_lookup walks it and hands each matching rule's action to the family (net/ipv4/fib_rules.c,
 * through `ops` as struct fib_rules_ops does). RTM_NEWRULE and RTM_DELRULE are fib_nl_newrule and
 * fib_nl_delrule, with the kernel's checks, errors and extack messages.
 */
import type { Net } from '../../include/net/net_namespace';
import type { RtnlResult } from './rtnetlink';
import {
  FIB_RULE_IIF_DETACHED,
  FIB_RULE_INVERT,
  FIB_RULE_OIF_DETACHED,
  FIB_RULE_PERMANENT,
  FIB_RULE_UNRESOLVED,
  FR_ACT_GOTO,
  FR_ACT_NOP,
  FR_ACT_TO_TBL,
  type FibRule,
  type FibRulePortRange,
  type RuleMsg,
} from '../../include/net/fib_rules';
import { EAGAIN, EEXIST, EINVAL, ENOENT, EPERM, ESRCH } from '../../include/linux/errno';
import { RTPROT_KERNEL } from '../../include/net/route';

/** struct flowi's common part that the generic matcher reads. */
export interface FibRuleFlow {
  iif: number;
  oif: number;
  mark: number;
  uid: number;
}

/** struct fib_lookup_arg: the rule that answered, and what the family's action stored. */
export interface FibLookupArg<R> {
  result: R | null;
  rule: FibRule | null;
  flags: number;
}

/** struct fib_rules_ops: the family's half. */
export interface FibRulesOps<F extends FibRuleFlow, R> {
  action(net: Net, rule: FibRule, fl: F, flags: number, arg: FibLookupArg<R>): number;
  suppress(rule: FibRule, flags: number, arg: FibLookupArg<R>): boolean;
  match(rule: FibRule, fl: F, flags: number): boolean;
  configure(net: Net, rule: FibRule, msg: RuleMsg): RtnlResult;
  delete(net: Net, rule: FibRule): number;
  compare(rule: FibRule, msg: RuleMsg): boolean;
  /** ops->addr_size * 8 */
  addrBits: number;
}

const UID_UNSET: FibRulePortRange = { start: 0, end: 0xffffffff };

const portRangeSet = (r: FibRulePortRange) => r.start !== 0 && r.end !== 0;
const portRangeEq = (a: FibRulePortRange, b: FibRulePortRange) => a.start === b.start && a.end === b.end;
const uidRangeSet = (r: FibRulePortRange) => r.start !== UID_UNSET.start || r.end !== UID_UNSET.end;

/** A zeroed rule (kzalloc) with the fields the kernel sets for every rule. */
function newRule(): FibRule {
  return {
    pref: 0,
    action: 0,
    table: 0,
    flags: 0,
    iifname: '',
    oifname: '',
    mark: 0,
    markMask: 0,
    target: 0,
    ctarget: null,
    suppressPrefixlen: -1,
    suppressIfgroup: -1,
    proto: 0,
    l3mdev: 0,
    ipProto: 0,
    sportRange: { start: 0, end: 0 },
    dportRange: { start: 0, end: 0 },
    uidRange: { ...UID_UNSET },
    src: 0,
    srcLen: 0,
    dst: 0,
    dstLen: 0,
    tos: 0,
  };
}

/** fib_rule_matchall: the rule selects every flow (no device, mark, suppressor, uid or port selector). */
export function fib_rule_matchall(rule: FibRule): boolean {
  if (rule.iifname || rule.oifname || rule.mark || rule.flags) return false;
  if (rule.suppressIfgroup !== -1 || rule.suppressPrefixlen !== -1) return false;
  if (uidRangeSet(rule.uidRange)) return false;
  return !portRangeSet(rule.sportRange) && !portRangeSet(rule.dportRange);
}

/** fib_default_rule_add: one of the family's default rules, appended (proto kernel). */
export function fib_default_rule_add(net: Net, pref: number, table: number): void {
  const r = newRule();
  r.action = FR_ACT_TO_TBL;
  r.pref = pref;
  r.table = table;
  r.proto = RTPROT_KERNEL;
  net.rules.push(r);
}

/** fib_default_rule_pref: a rule without a preference goes just before the second rule of the list. */
function fib_default_rule_pref(net: Net): number {
  const second = net.rules[1];
  return second && second.pref ? second.pref - 1 : 0;
}

/**
 * The rule's device index as attach_rules/detach_rules keep it: 0 for none, the device's ifindex while a
 * device of that name is in the namespace, -1 (detached) otherwise.
 */
function ruleIfindex(net: Net, name: string): number {
  if (!name) return 0;
  return net.devices.find((d) => d.name === name)?.ifindex ?? -1;
}

/** fib_rule_match (fib_rules.c:259): the generic selectors, then the family's; `not` inverts it all. */
function fib_rule_match<F extends FibRuleFlow, R>(
  net: Net,
  rule: FibRule,
  ops: FibRulesOps<F, R>,
  fl: F,
  flags: number,
): boolean {
  const ret = (() => {
    const iif = ruleIfindex(net, rule.iifname);
    if (iif && iif !== fl.iif) return false;
    const oif = ruleIfindex(net, rule.oifname);
    if (oif && oif !== fl.oif) return false;
    if (((rule.mark ^ fl.mark) & rule.markMask) >>> 0) return false;
    // l3mdev_fib_rule_match: the lab has no VRF device for a flow's device to be enslaved to.
    if (rule.l3mdev) return false;
    if (fl.uid < rule.uidRange.start || fl.uid > rule.uidRange.end) return false;
    return ops.match(rule, fl, flags);
  })();
  return rule.flags & FIB_RULE_INVERT ? !ret : ret;
}

/**
 * fib_rules_lookup (fib_rules.c:294): the first matching rule whose action answers; a goto continues
 * at its target, nop and an unresolved goto go on, -EAGAIN (nothing in the table) and a suppressed
 * result go on to the next rule. -ESRCH when no rule answered.
 */
export function fib_rules_lookup<F extends FibRuleFlow, R>(
  net: Net,
  ops: FibRulesOps<F, R>,
  fl: F,
  flags: number,
  arg: FibLookupArg<R>,
): number {
  const rules = net.rules;
  let i = 0;
  while (i < rules.length) {
    const rule = rules[i];
    if (!fib_rule_match(net, rule, ops, fl, flags)) {
      i++;
      continue;
    }
    if (rule.action === FR_ACT_GOTO) {
      // Targets have a higher preference, so the jump only goes forward in the list.
      i = rule.ctarget ? rules.indexOf(rule.ctarget) : i + 1;
      continue;
    }
    if (rule.action === FR_ACT_NOP) {
      i++;
      continue;
    }
    const err = ops.action(net, rule, fl, flags, arg);
    if (!err && ops.suppress(rule, flags, arg)) {
      i++;
      continue;
    }
    if (err !== -EAGAIN) {
      arg.rule = rule;
      return err;
    }
    i++;
  }
  return -ESRCH;
}

type Nl2Rule = { rule: FibRule; userPriority: boolean } | RtnlResult;

/** fib_nl2rule (fib_rules.c:522): the request as a rule, or what is wrong with it. */
function fib_nl2rule<F extends FibRuleFlow, R>(net: Net, ops: FibRulesOps<F, R>, m: RuleMsg): Nl2Rule {
  if (m.srcLen && (m.src === null || m.srcLen > ops.addrBits))
    return { err: -EINVAL, extack: 'Invalid source address' };
  if (m.dstLen && (m.dst === null || m.dstLen > ops.addrBits))
    return { err: -EINVAL, extack: 'Invalid dst address' };
  const r = newRule();
  let userPriority = false;
  if (m.priority !== null) {
    r.pref = m.priority;
    userPriority = true;
  } else r.pref = fib_default_rule_pref(net);
  r.proto = m.protocol ?? 0;
  if (m.iifname !== null) r.iifname = m.iifname;
  if (m.oifname !== null) r.oifname = m.oifname;
  if (m.fwmark !== null) {
    r.mark = m.fwmark;
    // Compatibility: a non-zero mark compares every bit unless a mask is given.
    if (r.mark) r.markMask = 0xffffffff;
  }
  if (m.fwmask !== null) r.markMask = m.fwmask;
  if (m.l3mdev !== null) {
    r.l3mdev = m.l3mdev;
    if (r.l3mdev !== 1) return { err: -EINVAL, extack: 'Invalid l3mdev attribute' };
  }
  r.action = m.action;
  r.flags = m.flags;
  r.table = m.table;
  r.suppressPrefixlen = m.suppressPrefixlen === null ? -1 : m.suppressPrefixlen | 0;
  r.suppressIfgroup = m.suppressIfgroup === null ? -1 : m.suppressIfgroup | 0;
  if (m.goto !== null) {
    if (r.action !== FR_ACT_GOTO) return { err: -EINVAL, extack: 'Unexpected goto' };
    r.target = m.goto;
    // Backward jumps are refused, so a lookup can never loop.
    if (r.target <= r.pref) return { err: -EINVAL, extack: 'Backward goto not supported' };
  } else if (r.action === FR_ACT_GOTO) return { err: -EINVAL, extack: 'Missing goto target for action goto' };
  if (r.l3mdev && r.table) return { err: -EINVAL, extack: 'l3mdev and table are mutually exclusive' };
  if (m.uidRange !== null) {
    r.uidRange = { ...m.uidRange };
    if (!uidRangeSet(r.uidRange) || r.uidRange.start > r.uidRange.end)
      return { err: -EINVAL, extack: 'Invalid uid range' };
  }
  if (m.ipProto !== null) r.ipProto = m.ipProto;
  // fib_rule_port_range_valid: 1-65534, not reversed.
  const badRange = (p: FibRulePortRange) => !p.start || !p.end || p.end >= 0xffff || p.start > p.end;
  if (m.sport !== null) {
    if (badRange(m.sport)) return { err: -EINVAL, extack: 'Invalid sport range' };
    r.sportRange = { ...m.sport };
  }
  if (m.dport !== null) {
    if (badRange(m.dport)) return { err: -EINVAL, extack: 'Invalid dport range' };
    r.dportRange = { ...m.dport };
  }
  return { rule: r, userPriority };
}

/** rule_exists (fib_rules.c:691): NLM_F_EXCL's check, every selector and the action compared exactly. */
function rule_exists<F extends FibRuleFlow, R>(
  net: Net,
  ops: FibRulesOps<F, R>,
  m: RuleMsg,
  rule: FibRule,
): boolean {
  return net.rules.some(
    (r) =>
      r.action === rule.action &&
      r.table === rule.table &&
      r.pref === rule.pref &&
      r.iifname === rule.iifname &&
      r.oifname === rule.oifname &&
      r.mark === rule.mark &&
      r.suppressIfgroup === rule.suppressIfgroup &&
      r.suppressPrefixlen === rule.suppressPrefixlen &&
      r.markMask === rule.markMask &&
      r.l3mdev === rule.l3mdev &&
      portRangeEq(r.uidRange, rule.uidRange) &&
      r.ipProto === rule.ipProto &&
      r.proto === rule.proto &&
      portRangeEq(r.sportRange, rule.sportRange) &&
      portRangeEq(r.dportRange, rule.dportRange) &&
      ops.compare(r, m),
  );
}

/** rule_find (fib_rules.c:423): the first rule matching what the delete request gave. */
function rule_find<F extends FibRuleFlow, R>(
  net: Net,
  ops: FibRulesOps<F, R>,
  m: RuleMsg,
  rule: FibRule,
  userPriority: boolean,
): FibRule | undefined {
  return net.rules.find(
    (r) =>
      !(rule.action && r.action !== rule.action) &&
      !(rule.table && r.table !== rule.table) &&
      !(userPriority && r.pref !== rule.pref) &&
      !(rule.iifname && r.iifname !== rule.iifname) &&
      !(rule.oifname && r.oifname !== rule.oifname) &&
      !(rule.mark && r.mark !== rule.mark) &&
      !(rule.suppressIfgroup !== -1 && r.suppressIfgroup !== rule.suppressIfgroup) &&
      !(rule.suppressPrefixlen !== -1 && r.suppressPrefixlen !== rule.suppressPrefixlen) &&
      !(rule.markMask && r.markMask !== rule.markMask) &&
      !(rule.l3mdev && r.l3mdev !== rule.l3mdev) &&
      !(uidRangeSet(rule.uidRange) && !portRangeEq(r.uidRange, rule.uidRange)) &&
      !(rule.ipProto && r.ipProto !== rule.ipProto) &&
      !(rule.proto && r.proto !== rule.proto) &&
      !(portRangeSet(rule.sportRange) && !portRangeEq(r.sportRange, rule.sportRange)) &&
      !(portRangeSet(rule.dportRange) && !portRangeEq(r.dportRange, rule.dportRange)) &&
      ops.compare(r, m),
  );
}

/**
 * fib_nl_newrule (fib_rules.c:780): RTM_NEWRULE. `excl` is NLM_F_EXCL (ip rule add sends it): an identical
 * rule is -EEXIST. The rule goes after every rule of lower or equal preference; goto rules waiting for
 * this preference resolve to it.
 */
export function fib_nl_newrule<F extends FibRuleFlow, R>(
  net: Net,
  ops: FibRulesOps<F, R>,
  m: RuleMsg,
  excl: boolean,
): RtnlResult {
  const p = fib_nl2rule(net, ops, m);
  if ('err' in p) return p;
  const rule = p.rule;
  if (excl && rule_exists(net, ops, m, rule)) return { err: -EEXIST };
  const c = ops.configure(net, rule, m);
  if (c.err < 0) return c;
  if (rule.action === FR_ACT_GOTO) rule.ctarget = net.rules.find((r) => r.pref === rule.target) ?? null;
  let at = 0;
  while (at < net.rules.length && net.rules[at].pref <= rule.pref) at++;
  net.rules.splice(at, 0, rule);
  for (const r of net.rules)
    if (r.action === FR_ACT_GOTO && r.target === rule.pref && r.ctarget === null) r.ctarget = rule;
  // flush_route_cache → rt_cache_flush: cached routes are looked up again.
  net.rtGenid++;
  return { err: 0 };
}

/**
 * fib_nl_delrule (fib_rules.c:888): RTM_DELRULE. The first rule matching the request goes (-ENOENT if
 * none); goto rules that pointed at it move to the next rule of the same preference, or become unresolved.
 */
export function fib_nl_delrule<F extends FibRuleFlow, R>(
  net: Net,
  ops: FibRulesOps<F, R>,
  m: RuleMsg,
): RtnlResult {
  const p = fib_nl2rule(net, ops, m);
  if ('err' in p) return p;
  const rule = rule_find(net, ops, m, p.rule, p.userPriority);
  if (!rule) return { err: -ENOENT };
  if (rule.flags & FIB_RULE_PERMANENT) return { err: -EPERM };
  const err = ops.delete(net, rule);
  if (err) return { err };
  const at = net.rules.indexOf(rule);
  net.rules.splice(at, 1);
  const next = net.rules[at];
  const n = next && next.pref === rule.pref ? next : null;
  for (const r of net.rules) if (r.ctarget === rule) r.ctarget = n;
  net.rtGenid++;
  return { err: 0 };
}

/** What fib_nl_fill_rule reports of a rule: its flags with the kernel's state bits added. */
export function fib_nl_fill_rule_flags(net: Net, rule: FibRule): number {
  let flags = rule.flags;
  if (rule.action === FR_ACT_GOTO && !rule.ctarget) flags |= FIB_RULE_UNRESOLVED;
  if (rule.iifname && ruleIfindex(net, rule.iifname) === -1) flags |= FIB_RULE_IIF_DETACHED;
  if (rule.oifname && ruleIfindex(net, rule.oifname) === -1) flags |= FIB_RULE_OIF_DETACHED;
  return flags;
}
