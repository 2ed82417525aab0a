/**
 * net/ipv4/fib_rules.c: IPv4 policy routing. The default rules (0 local, 32766 main, 32767 default), the
 * IPv4 half of a rule (source and destination prefixes, TOS), its actions (look a table up, or fail with
 * unreachable's -ENETUNREACH, prohibit's -EACCES, blackhole's -EINVAL), suppressors, and __fib_lookup,
 * which fib_lookup calls once a namespace's rules were ever changed.
 */
import type { Net } from '../../include/net/net_namespace';
import type { FibEntry } from '../../include/net/route';
import { RT_TABLE_LOCAL, RT_TABLE_MAIN } from '../../include/net/route';
import {
  FR_ACT_BLACKHOLE,
  FR_ACT_PROHIBIT,
  FR_ACT_TO_TBL,
  FR_ACT_UNREACHABLE,
  RT_TABLE_DEFAULT,
  RT_TABLE_UNSPEC,
  type FibRule,
  type RuleMsg,
} from '../../include/net/fib_rules';
import { EACCES, EAGAIN, EINVAL, ENETUNREACH, ENOBUFS, ESRCH } from '../../include/linux/errno';
import type { RtnlResult } from '../core/rtnetlink';
import {
  fib_default_rule_add,
  fib_rules_lookup,
  type FibLookupArg,
  type FibRulesOps,
} from '../core/fib_rules';
import { fib_table_lookup, inetMakeMask } from './fib_trie';
import { fib_get_table, fib_new_table } from './fib_frontend';

/** The part of struct flowi4 a rule can select on. */
export interface Fib4RuleFlow {
  daddr: number;
  saddr: number;
  iif: number;
  oif: number;
  mark: number;
  uid: number;
  tos: number;
  proto: number;
  sport: number;
  dport: number;
}

/** struct fib_result, reduced: the route and the table it came from. */
export interface Fib4Result {
  res: FibEntry | null;
  table: number;
}

const IPTOS_TOS_MASK = 0x1e;
const INET_DSCP_MASK = 0xfc;

/** fib4_rule_match (fib_rules.c:166): prefixes, TOS (RT_TOS of the flow), protocol and ports. */
export function fib4_rule_match(rule: FibRule, fl4: Fib4RuleFlow): boolean {
  if (((fl4.saddr ^ rule.src) & inetMakeMask(rule.srcLen)) >>> 0) return false;
  if (((fl4.daddr ^ rule.dst) & inetMakeMask(rule.dstLen)) >>> 0) return false;
  // fib_dscp_masked_match: the legacy TOS selector sees only the flow's RT_TOS bits.
  if (rule.tos && rule.tos !== (fl4.tos & IPTOS_TOS_MASK & INET_DSCP_MASK)) return false;
  if (rule.ipProto && rule.ipProto !== fl4.proto) return false;
  const r = rule.sportRange;
  if (r.start && r.end && (fl4.sport < r.start || fl4.sport > r.end)) return false;
  const d = rule.dportRange;
  if (d.start && d.end && (fl4.dport < d.start || fl4.dport > d.end)) return false;
  return true;
}

/**
 * fib4_rule_action (fib_rules.c:108): the rule's table looked up (-EAGAIN if it does not exist or has no
 * match, so the next rule is tried), or the error of an unreachable, prohibit or blackhole rule.
 */
export function fib4_rule_action(
  net: Net,
  rule: FibRule,
  fl4: Fib4RuleFlow,
  _flags: number,
  arg: FibLookupArg<Fib4Result>,
): number {
  switch (rule.action) {
    case FR_ACT_TO_TBL:
      break;
    case FR_ACT_UNREACHABLE:
      return -ENETUNREACH;
    case FR_ACT_PROHIBIT:
      return -EACCES;
    case FR_ACT_BLACKHOLE:
    default:
      return -EINVAL;
  }
  if (!fib_get_table(net, rule.table)) return -EAGAIN;
  const r = fib_table_lookup(net, rule.table, fl4.daddr, fl4.oif);
  arg.result = { res: r.res, table: rule.table };
  return r.err;
}

/**
 * fib4_rule_suppress (fib_rules.c:143): refuse the table's answer if its prefix is no longer than
 * suppress_prefixlength, or its device is in suppress_ifgroup (every device of the lab is in group 0,
 * the default group).
 */
export function fib4_rule_suppress(rule: FibRule, _flags: number, arg: FibLookupArg<Fib4Result>): boolean {
  const res = arg.result?.res;
  if (!res) return false;
  if (res.plen <= rule.suppressPrefixlen) return true;
  return rule.suppressIfgroup !== -1 && res.dev !== null && rule.suppressIfgroup === INIT_NETDEV_GROUP;
}

/** dev->group of every device: the lab has no `ip link set group`. */
const INIT_NETDEV_GROUP = 0;

const FIB_MAX_AUTO_TABLE_ID = 4096;

/** fib_empty_table (fib_rules.c:217): the first table id from 1 that does not exist yet, made. */
function fib_empty_table(net: Net): number | null {
  for (let id = 1; id <= FIB_MAX_AUTO_TABLE_ID; id++)
    if (!fib_get_table(net, id)) return fib_new_table(net, id);
  return null;
}

/**
 * fib4_rule_configure (fib_rules.c:244): the TOS must be a TOS (no ECN bits, nothing above 0x1e); a
 * table rule without a table gets a new empty one; from now on lookups go through the rules, with the
 * local table split from main (fib_unmerge: the model keeps each route's table, so only the flag moves).
 */
export function fib4_rule_configure(net: Net, rule: FibRule, m: RuleMsg): RtnlResult {
  if (m.tos & ~INET_DSCP_MASK) return { err: -EINVAL, extack: 'Invalid dsfield (tos): ECN bits must be 0' };
  if (m.tos & ~IPTOS_TOS_MASK) return { err: -EINVAL, extack: 'Invalid tos' };
  rule.tos = m.tos;
  if (rule.table === RT_TABLE_UNSPEC && !rule.l3mdev && rule.action === FR_ACT_TO_TBL) {
    const id = fib_empty_table(net);
    if (id === null) return { err: -ENOBUFS };
    rule.table = id;
  }
  if (m.srcLen) rule.src = m.src ?? 0;
  if (m.dstLen) rule.dst = m.dst ?? 0;
  rule.srcLen = m.srcLen;
  rule.dstLen = m.dstLen;
  net.fibHasCustomRules = true;
  return { err: 0 };
}

/** fib4_rule_delete (fib_rules.c:325): deleting a rule, even a default one, also unmerges the tables. */
export function fib4_rule_delete(net: Net, _rule: FibRule): number {
  net.fibHasCustomRules = true;
  return 0;
}

/** fib4_rule_compare (fib_rules.c:349): only what the request gives is compared. */
export function fib4_rule_compare(rule: FibRule, m: RuleMsg): boolean {
  if (m.srcLen && rule.srcLen !== m.srcLen) return false;
  if (m.dstLen && rule.dstLen !== m.dstLen) return false;
  if (m.tos && rule.tos !== m.tos) return false;
  if (m.srcLen && rule.src !== m.src) return false;
  if (m.dstLen && rule.dst !== m.dst) return false;
  return true;
}

/** fib4_rules_ops_template */
export const FIB4_RULES_OPS: FibRulesOps<Fib4RuleFlow, Fib4Result> = {
  action: fib4_rule_action,
  suppress: fib4_rule_suppress,
  match: fib4_rule_match,
  configure: fib4_rule_configure,
  delete: fib4_rule_delete,
  compare: fib4_rule_compare,
  addrBits: 32,
};

/** fib4_rules_init → fib_default_rules_init: the three default rules of every namespace. */
export function fib4_rules_init(net: Net): void {
  net.rules = [];
  fib_default_rule_add(net, 0, RT_TABLE_LOCAL);
  fib_default_rule_add(net, 0x7ffe, RT_TABLE_MAIN);
  fib_default_rule_add(net, 0x7fff, RT_TABLE_DEFAULT);
  net.fibHasCustomRules = false;
}

/** What a lookup through the rules answers: 0 or -errno, the route and its table, the rule that answered. */
export interface FibLookupResult {
  err: number;
  res: FibEntry | null;
  table: number;
  rule: FibRule | null;
}

/** __fib_lookup (fib_rules.c:84): fib_rules_lookup; no rule answering is -ENETUNREACH. */
export function __fib_lookup(net: Net, fl4: Fib4RuleFlow): FibLookupResult {
  const arg: FibLookupArg<Fib4Result> = { result: null, rule: null, flags: 0 };
  let err = fib_rules_lookup(net, FIB4_RULES_OPS, fl4, 0, arg);
  if (err === -ESRCH) err = -ENETUNREACH;
  // Only a table rule's answer (a route, or its type's error) leaves a result; arg.result may hold an
  // earlier rule's refused or suppressed one.
  const fromTable = arg.rule?.action === FR_ACT_TO_TBL && arg.result !== null;
  return {
    err,
    res: fromTable ? arg.result!.res : null,
    table: fromTable ? arg.result!.table : 0,
    rule: arg.rule,
  };
}
