/**
 * include/net/fib_rules.h and include/uapi/linux/fib_rules.h: a policy routing rule. The model keeps the
 * IPv4 part (struct fib4_rule) in the same object, as the kernel allocates ops->rule_size for it.
 */

export const FIB_RULE_PERMANENT = 0x1;
export const FIB_RULE_INVERT = 0x2;
export const FIB_RULE_UNRESOLVED = 0x4;
export const FIB_RULE_IIF_DETACHED = 0x8;
export const FIB_RULE_OIF_DETACHED = 0x10;

export const FR_ACT_UNSPEC = 0;
export const FR_ACT_TO_TBL = 1;
export const FR_ACT_GOTO = 2;
export const FR_ACT_NOP = 3;
export const FR_ACT_BLACKHOLE = 6;
export const FR_ACT_UNREACHABLE = 7;
export const FR_ACT_PROHIBIT = 8;

export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_DEFAULT = 253;

export interface FibRulePortRange {
  start: number;
  end: number;
}

/** struct fib_rule + struct fib4_rule. */
export interface FibRule {
  pref: number;
  action: number;
  table: number;
  flags: number;
  /** FRA_IIFNAME / FRA_OIFNAME ('' when not given); the ifindex is resolved by name (attach_rules). */
  iifname: string;
  oifname: string;
  mark: number;
  markMask: number;
  /** FRA_GOTO's preference (0: none) and the rule it resolved to (ctarget). */
  target: number;
  ctarget: FibRule | null;
  suppressPrefixlen: number;
  suppressIfgroup: number;
  proto: number;
  l3mdev: number;
  ipProto: number;
  sportRange: FibRulePortRange;
  dportRange: FibRulePortRange;
  uidRange: FibRulePortRange;
  src: number;
  srcLen: number;
  dst: number;
  dstLen: number;
  /** rule4->dscp as the TOS byte (the TOS selector: iproute2 6.1 has no dscp keyword). */
  tos: number;
}

/**
 * RTM_NEWRULE / RTM_DELRULE as iproute2 sends them: the fib_rule_hdr's fields and the attributes given
 * (null: the attribute is absent).
 */
export interface RuleMsg {
  /** frh->flags (FIB_RULE_INVERT), frh->action, frh->tos, frh->src_len/dst_len, FRA_SRC/FRA_DST. */
  flags: number;
  action: number;
  tos: number;
  srcLen: number;
  src: number | null;
  dstLen: number;
  dst: number | null;
  /** FRA_TABLE (or frh->table): 0 when none. */
  table: number;
  priority: number | null;
  iifname: string | null;
  oifname: string | null;
  fwmark: number | null;
  fwmask: number | null;
  goto: number | null;
  suppressPrefixlen: number | null;
  suppressIfgroup: number | null;
  protocol: number | null;
  l3mdev: number | null;
  ipProto: number | null;
  sport: FibRulePortRange | null;
  dport: FibRulePortRange | null;
  uidRange: FibRulePortRange | null;
}

/** A RuleMsg with nothing set, for the caller to fill. */
export function emptyRuleMsg(): RuleMsg {
  return {
    flags: 0,
    action: FR_ACT_UNSPEC,
    tos: 0,
    srcLen: 0,
    src: null,
    dstLen: 0,
    dst: null,
    table: 0,
    priority: null,
    iifname: null,
    oifname: null,
    fwmark: null,
    fwmask: null,
    goto: null,
    suppressPrefixlen: null,
    suppressIfgroup: null,
    protocol: null,
    l3mdev: null,
    ipProto: null,
    sport: null,
    dport: null,
    uidRange: null,
  };
}
