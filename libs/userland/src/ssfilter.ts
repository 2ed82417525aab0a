/**
 * ss's filters (iproute2 6.1: misc/ss.c's state/exclude loop and parse_state, misc/ssfilter.y's expression):
 * `state established`, `exclude listening`, then conditions on the addresses and ports joined by and, or, not
 * and parentheses: `dport = :80`, `sport gt :1024`, `dst 10.0.0.1:8080`, `src 127.0.0.0/8`.
 */
import { parseIpv4 } from '@skblab/wire/address';

const SS_MAX = 12;
export const SS_ALL = (1 << SS_MAX) - 1;
// The TCP states' numbers (SS_ESTABLISHED ... SS_CLOSING are the kernel's).
const SS_SYN_SENT = 2;
const SS_SYN_RECV = 3;
const SS_TIME_WAIT = 6;
const SS_CLOSE = 7;
const SS_LISTEN = 10;

/** sstate_namel: the names `state` and `exclude` take. */
const SSTATE_NAMEL = [
  'UNKNOWN',
  'established',
  'syn-sent',
  'syn-recv',
  'fin-wait-1',
  'fin-wait-2',
  'time-wait',
  'unconnected',
  'close-wait',
  'last-ack',
  'listening',
  'closing',
];

export class SsFilterError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** ss follows the message with its usage text (usage()). */
    readonly usage = false,
  ) {
    super(message);
  }
}

/** parse_state: a state name's bit set, or one of the groups (all, connected, synchronized, bucket, big). */
function parse_state(s: string): number {
  const l = s.toLowerCase();
  const i = SSTATE_NAMEL.indexOf(l);
  if (i > 0) return 1 << i;
  if (l === 'all') return SS_ALL;
  if (l === 'connected') return SS_ALL & ~((1 << SS_CLOSE) | (1 << SS_LISTEN));
  if (l === 'synchronized') return SS_ALL & ~((1 << SS_CLOSE) | (1 << SS_LISTEN) | (1 << SS_SYN_SENT));
  if (l === 'bucket') return (1 << SS_SYN_RECV) | (1 << SS_TIME_WAIT);
  if (l === 'big') return SS_ALL & ~((1 << SS_SYN_RECV) | (1 << SS_TIME_WAIT));
  throw new SsFilterError(`ss: wrong state name: ${s}\n`, 255);
}

/** What a condition sees of a socket. */
export interface SsTuple {
  saddr: number;
  sport: number;
  daddr: number;
  dport: number;
}

export type SsPredicate = (t: SsTuple) => boolean;

export interface SsFilter {
  /** The states `state`/`exclude` chose, or null to keep ss's default. */
  states: number | null;
  /** The expression, or null when none was given. */
  match: SsPredicate | null;
}

type Op = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le';

const OPS: Record<string, Op> = {
  eq: 'eq',
  '=': 'eq',
  '==': 'eq',
  neq: 'ne',
  ne: 'ne',
  '!=': 'ne',
  gt: 'gt',
  '>': 'gt',
  lt: 'lt',
  '<': 'lt',
  ge: 'ge',
  geq: 'ge',
  '>=': 'ge',
  le: 'le',
  leq: 'le',
  '<=': 'le',
};

/** A host condition's address part (an optional /prefix) and port, as parse_hostcond reads `ADDR[/LEN][:PORT]`. */
interface HostCond {
  addr: number | null;
  plen: number;
  port: number | null;
}

function parse_hostcond(
  s: string,
  portOnly: boolean,
  serviceToPort: (name: string) => number | null,
): HostCond {
  const bad = (): never => {
    throw new SsFilterError(`Error: "${s}" does not look like a port.\nCannot parse dst/src address.\n`, 1);
  };
  let addrPart = s;
  let portPart: string | null = null;
  const colon = s.lastIndexOf(':');
  if (colon >= 0) {
    addrPart = s.slice(0, colon);
    portPart = s.slice(colon + 1);
  } else if (portOnly) {
    addrPart = '';
    portPart = s;
  }
  let port: number | null = null;
  if (portPart !== null && portPart !== '*' && portPart !== '') {
    if (/^\d+$/.test(portPart)) port = Number(portPart);
    else port = serviceToPort(portPart) ?? bad();
    if (port! > 65535) bad();
  }
  if (portOnly && addrPart) bad();
  let addr: number | null = null;
  let plen = 32;
  if (addrPart && addrPart !== '*') {
    const [a, l] = addrPart.split('/');
    addr = parseIpv4(a);
    if (addr === null)
      throw new SsFilterError(
        `Error: an inet prefix is expected rather than "${addrPart}".\nCannot parse dst/src address.\n`,
        1,
      );
    if (l !== undefined) {
      if (!/^\d+$/.test(l) || Number(l) > 32)
        throw new SsFilterError(`Error: invalid prefix "${addrPart}".\n`, 1);
      plen = Number(l);
    }
  }
  return { addr, plen, port };
}

function addrMatches(a: number, c: HostCond): boolean {
  if (c.addr === null) return true;
  const mask = c.plen === 0 ? 0 : (0xffffffff << (32 - c.plen)) >>> 0;
  return (a & mask) >>> 0 === (c.addr & mask) >>> 0;
}

function compare(op: Op, a: number, b: number): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'lt':
      return a < b;
    case 'ge':
      return a >= b;
    case 'le':
      return a <= b;
  }
}

/**
 * ss's filter arguments: `state`/`exclude` pairs first, then the expression (ssfilter_parse). Errors are
 * ss's messages with its exit status.
 */
export function parseSsFilter(args: string[], serviceToPort: (name: string) => number | null): SsFilter {
  let i = 0;
  let states: number | null = null;
  while (i < args.length) {
    if (args[i] === 'state' || args[i] === 'exclude' || args[i] === 'excl') {
      const name = args[i + 1];
      if (name === undefined)
        throw new SsFilterError('Command line is not complete. Try option "help"\n', 255);
      if (args[i] === 'state') states = (states ?? 0) | parse_state(name);
      else states = (states ?? SS_ALL) & ~parse_state(name);
      i += 2;
    } else break;
  }
  // The expression: words, with parentheses, '!' and '&'/'|' also glued to their neighbours.
  const toks = args
    .slice(i)
    .flatMap((a) => a.split(/([()])|\s+/))
    .filter((t): t is string => t !== undefined && t !== '');
  let p = 0;
  // yyerror, then ss's usage().
  const syntax = (): never => {
    throw new SsFilterError('ss: bison bellows (while parsing filter): "syntax error!" Sorry.\n', 255, true);
  };
  const orExpr = (): SsPredicate => {
    let left = andExpr();
    while (p < toks.length && ['or', '|', '||'].includes(toks[p])) {
      p++;
      const l = left;
      const r = andExpr();
      left = (t) => l(t) || r(t);
    }
    return left;
  };
  const andExpr = (): SsPredicate => {
    let left = unary();
    while (p < toks.length && toks[p] !== ')' && !['or', '|', '||'].includes(toks[p])) {
      if (['and', '&', '&&'].includes(toks[p])) p++;
      const l = left;
      const r = unary();
      left = (t) => l(t) && r(t);
    }
    return left;
  };
  const unary = (): SsPredicate => {
    const t = toks[p];
    if (t === undefined) return syntax();
    if (t === 'not' || t === '!') {
      p++;
      const e = unary();
      return (x) => !e(x);
    }
    if (t === '(') {
      p++;
      const e = orExpr();
      if (toks[p] !== ')') syntax();
      p++;
      return e;
    }
    return cond();
  };
  const cond = (): SsPredicate => {
    const what = toks[p++];
    const isPort = what === 'dport' || what === 'sport';
    const isHost = what === 'dst' || what === 'src';
    // The lexer reads any other word as a host condition (failing loudly if it is not one), which no
    // rule of the grammar takes alone.
    if (!isPort && !isHost) {
      parse_hostcond(what, false, serviceToPort);
      return syntax();
    }
    let op: Op = 'eq';
    if (toks[p] !== undefined && OPS[toks[p]]) op = OPS[toks[p++]];
    const arg = toks[p++];
    if (arg === undefined) return syntax();
    const c = parse_hostcond(arg, isPort, serviceToPort);
    if (isPort) {
      if (c.port === null) return syntax();
      const port = c.port;
      return (t) => compare(op, what === 'dport' ? t.dport : t.sport, port);
    }
    // dst/src: equality (or its negation) of the address prefix and, if given, the port.
    const eq = (t: SsTuple): boolean => {
      const [a, pt] = what === 'dst' ? [t.daddr, t.dport] : [t.saddr, t.sport];
      return addrMatches(a, c) && (c.port === null || pt === c.port);
    };
    // ssfilter.y: dst and src take only `=` (or nothing).
    if (op !== 'eq') return syntax();
    return eq;
  };
  let match: SsPredicate | null = null;
  if (toks.length) {
    match = orExpr();
    if (p < toks.length) syntax();
  }
  return { states, match };
}
