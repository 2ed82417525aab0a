/**
 * tc(8) from iproute2 6.1, its qdisc object: `tc [-s] qdisc [show] [dev DEV] [root|parent ID|handle ID]`
 * and `tc qdisc add|replace|change|del dev DEV (root | parent ID) [handle ID] [KIND [OPTIONS]]`, with
 * tc's own parsers for netem, fq_codel and fq (times, rates, sizes, percentages exactly as tc reads them and
 * sends them to the kernel), its usage texts, messages and exit statuses (255 for a bad command line, 1
 * for a qdisc's option parser or an unknown device, 2 for a kernel error: "Error: <extack>." or
 * "RTNETLINK answers: <strerror>"). Shows print as tc's print_qdisc does, from the kernel's dump.
 */
import {
  ENODEV,
  EEXIST,
  EINVAL,
  ENOENT,
  TC_H_ROOT,
  qdisc_refcnt,
  qdisc_totals,
  tc_dump_qdiscs,
  type Net,
  type NetDevice,
  type Qdisc,
  type QdiscOpts,
  type TcResult,
} from '@skblab/kernel';
import { UPTIME_AT_START_NS } from '@skblab/kernel/include/net/tcp';
import type { Command, CommandContext } from './command';
import { matches, rtnlMessage } from './ip/common';
import { strtod, strtoul } from './libc';
import { observe, qdisc as linkQdisc } from './ip/state';

/** exit(status) from anywhere in a handler. */
class TcExit {
  constructor(readonly status: number) {}
}

interface Tc {
  ctx: CommandContext;
  net: Net;
  stats: number;
  raw: boolean;
  out(s: string): void;
  err(s: string): void;
}

function fail(tc: Tc, msg: string, status: number): never {
  tc.err(msg);
  throw new TcExit(status);
}

/** incomplete_command (utils.c): NEXT_ARG found no argument. */
function incomplete_command(tc: Tc): never {
  fail(tc, 'Command line is not complete. Try option "help"\n', 255);
}

/** A qdisc option's value tc cannot read. */
function illegal_value(tc: Tc, what: string): never {
  tc.err(`Illegal "${what}"\n`);
  throw new ParseFail();
}

const TC_USAGE =
  'Usage:\ttc [ OPTIONS ] OBJECT { COMMAND | help }\n' +
  '\ttc [-force] -batch filename\n' +
  'where  OBJECT := { qdisc | class | filter | chain |\n' +
  '\t\t    action | monitor | exec }\n' +
  '       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[aw] |\n' +
  '\t\t    -o[neline] | -j[son] | -p[retty] | -c[olor]\n' +
  '\t\t    -b[atch] [filename] | -n[etns] name | -N[umeric] |\n' +
  '\t\t     -nm | -nam[es] | { -cf | -conf } path\n' +
  '\t\t     -br[ief] }\n';

const QDISC_USAGE =
  'Usage: tc qdisc [ add | del | replace | change | show ] dev STRING\n' +
  '       [ handle QHANDLE ] [ root | ingress | clsact | parent CLASSID ]\n' +
  '       [ estimator INTERVAL TIME_CONSTANT ]\n' +
  '       [ stab [ help | STAB_OPTIONS] ]\n' +
  '       [ ingress_block BLOCK_INDEX ] [ egress_block BLOCK_INDEX ]\n' +
  '       [ [ QDISC_KIND ] [ help | OPTIONS ] ]\n' +
  '\n' +
  '       tc qdisc { show | list } [ dev STRING ] [ QDISC_ID ] [ invisible ]\n' +
  'Where:\n' +
  'QDISC_KIND := { [p|b]fifo | tbf | prio | cbq | red | etc. }\n' +
  'OPTIONS := ... try tc qdisc add <desired QDISC_KIND> help\n' +
  'STAB_OPTIONS := ... try tc qdisc add stab help\n' +
  'QDISC_ID := { root | ingress | handle QHANDLE | parent CLASSID }\n';

export const NETEM_USAGE =
  'Usage: ... netem [ limit PACKETS ]\n' +
  '                 [ delay TIME [ JITTER [CORRELATION]]]\n' +
  '                 [ distribution {uniform|normal|pareto|paretonormal} ]\n' +
  '                 [ corrupt PERCENT [CORRELATION]]\n' +
  '                 [ duplicate PERCENT [CORRELATION]]\n' +
  '                 [ loss random PERCENT [CORRELATION]]\n' +
  '                 [ loss state P13 [P31 [P32 [P23 P14]]]\n' +
  '                 [ loss gemodel PERCENT [R [1-H [1-K]]]\n' +
  '                 [ ecn ]\n' +
  '                 [ reorder PERCENT [CORRELATION] [ gap DISTANCE ]]\n' +
  '                 [ rate RATE [PACKETOVERHEAD] [CELLSIZE] [CELLOVERHEAD]]\n' +
  '                 [ slot MIN_DELAY [MAX_DELAY] [packets MAX_PACKETS] [bytes MAX_BYTES]]\n' +
  '                 [ slot distribution {uniform|normal|pareto|paretonormal|custom}\n' +
  '                   DELAY JITTER [packets MAX_PACKETS] [bytes MAX_BYTES]]\n';

export const FQ_CODEL_USAGE =
  'Usage: ... fq_codel\t[ limit PACKETS ] [ flows NUMBER ]\n' +
  '[ memory_limit BYTES ]\n' +
  '[ target TIME ] [ interval TIME ]\n' +
  '[ quantum BYTES ] [ [no]ecn ]\n' +
  '[ ce_threshold TIME ]\n' +
  '[ ce_threshold_selector VALUE/MASK ]\n' +
  '[ drop_batch SIZE ]\n';

export const FQ_USAGE =
  'Usage: ... fq\t[ limit PACKETS ] [ flow_limit PACKETS ]\n' +
  '\t\t[ quantum BYTES ] [ initial_quantum BYTES ]\n' +
  '\t\t[ maxrate RATE  ] [ buckets NUMBER ]\n' +
  '\t\t[ [no]pacing ] [ refill_delay TIME ]\n' +
  '\t\t[ low_rate_threshold RATE ]\n' +
  '\t\t[ orphan_mask MASK]\n' +
  '\t\t[ timer_slack TIME]\n' +
  '\t\t[ ce_threshold TIME ]\n' +
  '\t\t[ horizon TIME ]\n' +
  '\t\t[ horizon_{cap|drop} ]\n';

/** The qdisc kinds iproute2 6.1 has a parser for (tc/q_*.c): their options go to the kernel as they are. */
// prettier-ignore
const IPROUTE2_KINDS = new Set([
  'atm', 'cake', 'cbq', 'cbs', 'choke', 'clsact', 'codel', 'drr', 'dsmark', 'etf', 'ets', 'bfifo', 'pfifo',
  'pfifo_head_drop', 'fq', 'fq_pie', 'gred', 'hfsc', 'hhf', 'htb', 'ingress', 'mqprio', 'multiq', 'pie',
  'plug', 'prio', 'qfq', 'red', 'rr', 'sfb', 'sfq', 'skbprio', 'taprio', 'tbf',
]);

const UINT32_MAX = 0xffffffff;

// ---- tc's number parsers (lib/utils.c, lib/utils_math.c, tc/tc_util.c) -------------------------------

/** get_u32 / get_unsigned: the whole argument, up to UINT_MAX. */
function getU32(s: string, base = 0): number | null {
  if (!s) return null;
  const r = strtoul(s, base);
  if (!r || r.rest !== '' || r.v > BigInt(UINT32_MAX)) return null;
  return Number(r.v);
}

/** (unsigned int) of a double, as x86-64 converts it. */
function toUnsigned(v: number): number {
  if (!Number.isFinite(v)) return 0;
  const t = Math.trunc(v);
  return ((t % 0x100000000) + 0x100000000) % 0x100000000;
}

/** get_time: microseconds (TIME_UNITS_PER_SEC); a bare number is in microseconds. */
export function getTime(s: string): number | null {
  const r = strtod(s);
  if (!r) return null;
  let t = r.v;
  const p = r.rest.toLowerCase();
  if (p) {
    if (p === 's' || p === 'sec' || p === 'secs') t *= 1e6;
    else if (p === 'ms' || p === 'msec' || p === 'msecs') t *= 1e3;
    else if (p === 'us' || p === 'usec' || p === 'usecs') t *= 1;
    else return null;
  }
  return toUnsigned(t);
}

/**
 * tc_core_init from /proc/net/psched (1000 64 1000000 ...): a psched tick is 64 ns, so a microsecond is
 * 15.625 ticks; netem's times travel in whole ticks (tc_core_time2tick), the kernel reads ticks << 6.
 */
const TICK_IN_USEC = 1000 / 64;

/** get_ticks (q_netem.c): a time as the kernel receives it, in ns; "Illegal N time (too large)". */
function getTicks(tc: Tc, s: string): number | null {
  const t = getTime(s);
  if (t === null) return null;
  if (Math.floor(t * TICK_IN_USEC) >= 0x100000000) {
    tc.err(`Illegal ${t} time (too large)\n`);
    return null;
  }
  return Math.floor(t * TICK_IN_USEC) * 64;
}

/** get_size: bytes, with kb/k, mb/m, gb/g, kbit, mbit, gbit or b suffixes; whole numbers only. */
export function getSize(s: string): number | null {
  const r = strtod(s);
  if (!r) return null;
  let sz = r.v;
  const p = r.rest.toLowerCase();
  if (p) {
    if (p === 'kb' || p === 'k') sz *= 1024;
    else if (p === 'gb' || p === 'g') sz *= 1024 * 1024 * 1024;
    else if (p === 'gbit') sz *= (1024 * 1024 * 1024) / 8;
    else if (p === 'mb' || p === 'm') sz *= 1024 * 1024;
    else if (p === 'mbit') sz *= (1024 * 1024) / 8;
    else if (p === 'kbit') sz *= 1024 / 8;
    else if (p !== 'b') return null;
  }
  const u = toUnsigned(sz);
  return u === Math.floor(sz) ? u : null;
}

const RATE_SUFFIXES: Array<[string, number]> = [
  ['bit', 1],
  ['kibit', 1024],
  ['kbit', 1000],
  ['mibit', 1024 * 1024],
  ['mbit', 1e6],
  ['gibit', 1024 * 1024 * 1024],
  ['gbit', 1e9],
  ['tibit', 1024 ** 4],
  ['tbit', 1e12],
  ['bps', 8],
  ['kibps', 8 * 1024],
  ['kbps', 8000],
  ['mibps', 8 * 1024 * 1024],
  ['mbps', 8e6],
  ['gibps', 8 * 1024 ** 3],
  ['gbps', 8e9],
  ['tibps', 8 * 1024 ** 4],
  ['tbps', 8e12],
];

/** get_rate64: bytes per second (a bare number is bits per second). */
export function getRate64(s: string): number | null {
  const r = strtod(s);
  if (!r) return null;
  let bps = r.v;
  const p = r.rest.toLowerCase();
  if (p) {
    const suf = RATE_SUFFIXES.find(([n]) => n === p);
    if (!suf) return null;
    bps *= suf[1];
  }
  if (!(bps >= 0) || !Number.isFinite(bps)) return null;
  return Math.floor(bps / 8);
}

/** parse_percent (tc_util.c): "1%", "0.5", "100%"; > 100% or < 0 is out of range. */
function parsePercent(s: string): number | null {
  const r = strtod(s);
  const val = (r ? r.v : 0) / 100;
  if (val > 1 || val < 0) return null;
  const p = r ? r.rest : s;
  if (p && p !== '%') return null;
  return val;
}

/** get_percent (q_netem.c): scaled to 2^32-1 like the kernel keeps it; the model takes percent points. */
function getPercent(s: string): number | null {
  const v = parsePercent(s);
  if (v === null || Number.isNaN(v)) return null;
  return (Math.round(v * UINT32_MAX) / UINT32_MAX) * 100;
}

/** get_qdisc_handle: "1:", "8001", "none". */
function getQdiscHandle(s: string): number | null {
  if (s === 'none') return 0;
  const r = strtoul(s, 16);
  if (!r || r.v >= 0x10000n) return null;
  if (r.rest !== '' && !r.rest.startsWith(':')) return null;
  return Number(r.v) * 0x10000;
}

/** get_tc_classid: "root", "none", "1:2", ":1", "1:", or a bare hex number. */
function getTcClassid(s: string): number | null {
  if (s === 'root') return TC_H_ROOT;
  if (s === 'none') return 0;
  let r = strtoul(s, 16);
  let maj = 0;
  let rest: string;
  if (!r) {
    if (!s.startsWith(':')) return null;
    rest = s;
  } else {
    maj = Number(r.v);
    rest = r.rest;
  }
  if (rest.startsWith(':')) {
    if (maj >= 0x10000) return null;
    const str = rest.slice(1);
    r = strtoul(str, 16);
    const min = r ? Number(r.v) : 0;
    if ((r ? r.rest : str) !== '' || min >= 0x10000) return null;
    return (maj * 0x10000 + min) >>> 0;
  }
  if (rest !== '') return null;
  return maj > UINT32_MAX ? null : maj;
}

/** print_tc_classid */
export function classidText(h: number): string {
  if (h === TC_H_ROOT) return 'root';
  if (h === 0) return 'none';
  const maj = h >>> 16;
  const min = h & 0xffff;
  if (maj === 0) return `:${min.toString(16)}`;
  if (min === 0) return `${maj.toString(16)}:`;
  return `${maj.toString(16)}:${min.toString(16)}`;
}

/** A handle or class id as the u32 it is (the model keeps `major << 16`, negative from 8000: on). */
const u32 = (h: number): number => h >>> 0;

/** A handle as the kernel model writes its own (`major << 16`), so that the two compare equal. */
const kernelHandle = (h: number): number => h | 0;

// ---- the printing side: formats tc applies to what the kernel dumps -------------------------------------

/** sprint_size (lib/json_print_math.c): 0b, 1500b, 2Kb, 32Mb. */
export function sprintSize(sz: number): string {
  const kilo = 1024;
  const mega = kilo * kilo;
  if (sz >= mega && Math.abs(mega * Math.round(sz / mega) - sz) < 1024) return `${Math.round(sz / mega)}Mb`;
  if (sz >= kilo && Math.abs(kilo * Math.round(sz / kilo) - sz) < 16) return `${Math.round(sz / kilo)}Kb`;
  return `${sz}b`;
}

/** print_rate (lib/json_print.c) for bits per second: 100Mbit, 1500Kbit, 64Kbit, 999bit. */
export function sprintRate(bits: number): string {
  const units = ['', 'K', 'M', 'G', 'T'];
  let rate = Math.floor(bits);
  let i = 0;
  for (; i < units.length - 1; i++) {
    if (rate < 1000) break;
    if (rate % 1000 !== 0 && rate < 1000 * 1000) break;
    rate = Math.floor(rate / 1000);
  }
  return `${rate}${units[i]}bit`;
}

/** print_time64 (lib/utils.c, as iproute2 6.1 prints netem's and fq_codel's times): 10ms, 1.5ms, 99us, 2s. */
export function sprintTime64(ns: number): string {
  const trim = (v: number): string => Number(v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)).toString();
  const us = ns / 1000;
  if (us >= 1e6) return `${trim(us / 1e6)}s`;
  if (us >= 1000) return `${trim(us / 1000)}ms`;
  return `${trim(us)}us`;
}

/** print_time (lib/utils.c): a time in microseconds as "%.3gs", "%.3gms" or "%uus". */
export function sprintTime(us: number): string {
  const g = (v: number): string => String(Number(v.toPrecision(3)));
  if (us >= 1e6) return `${g(us / 1e6)}s`;
  if (us >= 1000) return `${g(us / 1000)}ms`;
  return `${us}us`;
}

/** A percentage as netem_print_opt prints one: 1%, 0.5%. */
function sprintPercent(p: number): string {
  return `${Number(p.toFixed(4))}%`;
}

/** print_qopt of each discipline: the options the kernel dumped (TCA_OPTIONS), as tc prints them. */
export function qdiscOptions(q: Qdisc): string {
  const o = q.ops.dump(q);
  const n = (k: string): number => Number(o[k] ?? 0);
  switch (q.ops.id) {
    case 'pfifo_fast':
      return `bands ${n('bands')} priomap ${String(o.priomap)}`;
    case 'pfifo':
      return `limit ${n('limit')}p`;
    case 'netem': {
      let s = `limit ${n('limit')}`;
      if (n('delay') || n('jitter'))
        s += ` delay ${sprintTime64(n('delay'))}${n('jitter') ? `  ${sprintTime64(n('jitter'))}` : ''}`;
      for (const k of ['loss', 'duplicate', 'reorder', 'corrupt'])
        if (n(k)) s += ` ${k} ${sprintPercent(n(k))}`;
      if (n('rate')) s += ` rate ${sprintRate(n('rate'))}`;
      if (n('gap')) s += ` gap ${n('gap')}`;
      return s;
    }
    case 'fq_codel':
      return (
        `limit ${n('limit')}p flows ${n('flows')} quantum ${n('quantum')} target ${sprintTime64(n('target'))} ` +
        `interval ${sprintTime64(n('interval'))} memory_limit ${sprintSize(n('memory_limit'))} ` +
        `${o.ecn ? 'ecn ' : ''}drop_batch ${n('drop_batch')} `
      );
    case 'fq': {
      // fq_print_opt (tc/q_fq.c of iproute2 6.1): rates are bytes per second, printed in bits.
      let s = `limit ${n('limit')}p flow_limit ${n('flow_limit')}p buckets ${2 ** n('buckets_log')} `;
      s += `orphan_mask ${n('orphan_mask')} `;
      if (o.pacing === false) s += 'nopacing ';
      s += `quantum ${sprintSize(n('quantum'))} initial_quantum ${sprintSize(n('initial_quantum'))} `;
      if (n('maxrate') !== UINT32_MAX) s += `maxrate ${sprintRate(n('maxrate') * 8)} `;
      if (n('low_rate_threshold')) s += `low_rate_threshold ${sprintRate(n('low_rate_threshold') * 8)} `;
      s += `refill_delay ${sprintTime(n('refill_delay'))} `;
      if (n('ce_threshold') !== UINT32_MAX) s += `ce_threshold ${sprintTime(n('ce_threshold'))} `;
      s += `timer_slack ${sprintTime64(n('timer_slack'))} horizon ${sprintTime(n('horizon'))} `;
      s += o.horizon_drop ? 'horizon_drop ' : 'horizon_cap ';
      return s;
    }
    default:
      return '';
  }
}

/** print_xstats: fq_codel's own lines under `tc -s` (memory_used and drop_overmemory only when nonzero). */
function qdiscXstats(q: Qdisc, now: number): string[] {
  const x = q.ops.dumpStats?.(q);
  if (!x) return [];
  if (q.ops.id === 'fq') return fqXstats(x, now);
  // fq_codel_print_xstats: memory_used and drop_overmemory follow ecn_mark when they are not zero.
  let l1 = `maxpacket ${x.maxpacket} drop_overlimit ${x.drop_overlimit} new_flow_count ${x.new_flow_count} ecn_mark ${x.ecn_mark}`;
  if (x.memory_used) l1 += ` memory_used ${x.memory_used}`;
  if (x.drop_overmemory) l1 += ` drop_overmemory ${x.drop_overmemory}`;
  return [l1, `new_flows_len ${x.new_flows_len} old_flows_len ${x.old_flows_len}`];
}

/**
 * fq_print_xstats (iproute2 6.1): flows, inactive and throttled; the next throttled flow's delay (the
 * kernel sends time_next_delayed_flow + timer_slack - now, printed when positive); gc, highprio, retrans
 * (when nonzero), throttled, the unthrottle latency, ce_mark and flows_plimit when nonzero, and the error
 * counters' line when one of them is.
 */
function fqXstats(x: Record<string, number>, now: number): string[] {
  let l1 = `flows ${x.flows} (inactive ${x.inactive_flows} throttled ${x.throttled_flows})`;
  const next = x.time_next_delayed_flow + x.timer_slack - now;
  if (Number.isFinite(next) && next > 0) l1 += ` next_packet_delay ${sprintTime64(next)}`;
  let l2 = `gc ${x.gc_flows} highprio ${x.highprio_packets}`;
  if (x.tcp_retrans) l2 += ` retrans ${x.tcp_retrans}`;
  l2 += ` throttled ${x.throttled}`;
  if (x.unthrottle_latency_ns) l2 += ` latency ${sprintTime64(x.unthrottle_latency_ns)}`;
  if (x.ce_mark) l2 += ` ce_mark ${x.ce_mark}`;
  if (x.flows_plimit) l2 += ` flows_plimit ${x.flows_plimit}`;
  const lines = [l1, l2];
  if (x.pkts_too_long || x.allocation_errors)
    lines.push(`pkts_too_long ${x.pkts_too_long} alloc_errors ${x.allocation_errors}`);
  return lines;
}

// ---- the order tc_dump_qdisc walks a device's qdiscs in --------------------------------------------------

/** When tc first saw each qdisc: qdisc_hash_add puts the newest at the head of its bucket. */
const seen = new WeakMap<Qdisc, number>();
let seenCounter = 0;

function stamp(dev: NetDevice): void {
  for (const q of tc_dump_qdiscs(dev)) if (!seen.has(q)) seen.set(q, ++seenCounter);
}

/** hash_32(handle, 4): the bucket of dev->qdisc_hash a qdisc hangs in. */
function hashBucket(handle: number): number {
  return Math.imul(handle >>> 0, 0x61c88647) >>> 28;
}

/**
 * tc_dump_qdisc_root: the root, then dev->qdisc_hash bucket by bucket, newest first in a bucket (mq's
 * default children, all handle 0, come out as :N ... :1). The noop qdisc (TCQ_F_BUILTIN) is never shown.
 */
function dumpOrder(dev: NetDevice): Qdisc[] {
  const [root, ...children] = tc_dump_qdiscs(dev);
  if (root.ops.id === 'noop') return [];
  // Before its first up a device has the builtin noop (veth and lo included), whatever the model keeps.
  if (root.isDefault && linkQdisc(dev) === 'noop') return [];
  const kids = children
    .map((q, i) => ({ q, i }))
    .sort(
      (a, b) =>
        hashBucket(a.q.handle) - hashBucket(b.q.handle) ||
        (seen.get(b.q) ?? 0) - (seen.get(a.q) ?? 0) ||
        b.i - a.i,
    )
    .map((e) => e.q);
  return [root, ...kids];
}

/** print_qdisc */
function printQdisc(tc: Tc, dev: NetDevice, q: Qdisc, withDev: boolean): void {
  let s = `qdisc ${q.ops.id} ${(q.handle >>> 16).toString(16)}:`;
  if (tc.raw) s += `[${(q.handle >>> 0).toString(16).padStart(8, '0')}]`;
  s += ' ';
  if (withDev) s += `dev ${dev.name} `;
  if (u32(q.parent) === TC_H_ROOT) s += 'root ';
  else if (q.parent) s += `parent ${classidText(q.parent)} `;
  const refcnt = qdisc_refcnt(dev, q);
  if (refcnt !== 1) s += `refcnt ${refcnt} `;
  s += qdiscOptions(q) + '\n';
  if (tc.stats) {
    const t = qdisc_totals(q);
    s +=
      ` Sent ${t.stats.bytes} bytes ${t.stats.packets} pkt (dropped ${t.stats.drops}, overlimits ${t.stats.overlimits} requeues ${t.stats.requeues}) \n` +
      ` backlog ${sprintSize(t.backlog)} ${t.qlen}p requeues ${t.stats.requeues}\n`;
    const xs = qdiscXstats(q, tc.ctx.lab.now() + UPTIME_AT_START_NS);
    if (xs.length) s += xs.map((l) => `  ${l}`).join('\n') + '\n';
  }
  tc.out(s);
}

function devicesOf(net: Net): NetDevice[] {
  return [...net.devices].sort((a, b) => a.ifindex - b.ifindex);
}

/** tc_qdisc_list */
function qdiscList(tc: Tc, args: string[]): number {
  let devName = '';
  let filterParent = 0;
  let filterHandle = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = (): string => args[++i] ?? incomplete_command(tc);
    const exclusive = (): void => {
      if (filterParent) fail(tc, `Error: argument "${a}" is wrong: parent is already specified\n`, 255);
      if (filterHandle) fail(tc, `Error: argument "${a}" is wrong: handle is already specified\n`, 255);
    };
    if (a === 'dev') devName = next().slice(0, 15);
    else if (a === 'root') {
      exclusive();
      filterParent = TC_H_ROOT;
    } else if (a === 'ingress' || a === 'clsact') {
      exclusive();
      // TC_H_INGRESS: the model has no ingress qdisc, so nothing matches.
      filterParent = 0xfffffff1;
    } else if (matches(a, 'parent')) {
      exclusive();
      const v = next();
      const h = getTcClassid(v);
      if (h === null) fail(tc, `Error: argument "${v}" is wrong: invalid parent ID\n`, 255);
      filterParent = h;
    } else if (matches(a, 'handle')) {
      exclusive();
      const v = next();
      const h = getQdiscHandle(v);
      if (h === null) fail(tc, `Error: argument "${v}" is wrong: invalid handle ID\n`, 255);
      filterHandle = h;
    } else if (matches(a, 'help')) tc.err(QDISC_USAGE);
    else if (a === 'invisible') {
      // TCA_DUMP_INVISIBLE: the model has no invisible qdiscs.
    } else fail(tc, `What is "${a}"? Try "tc qdisc help".\n`, 255);
  }
  let devs = devicesOf(tc.net);
  if (devName) {
    const dev = devs.find((d) => d.name === devName);
    if (!dev) fail(tc, `Cannot find device "${devName}"\n`, 1);
    devs = [dev];
  }
  for (const dev of devs) {
    stamp(dev);
    for (const q of dumpOrder(dev)) {
      if (filterHandle && u32(q.handle) !== filterHandle) continue;
      if (filterParent && u32(q.parent) !== filterParent) continue;
      printQdisc(tc, dev, q, !devName);
    }
  }
  return 0;
}

// ---- qdisc option parsers (tc/q_netem.c, tc/q_fq_codel.c) ---------------------------------------------

const isDigit = (s: string | undefined): boolean => s !== undefined && /^[0-9]/.test(s);

/** What a parser prints before returning -1 (tc_qdisc_modify then exits 1). */
class ParseFail {}

function netemParse(tc: Tc, args: string[]): QdiscOpts {
  const o: QdiscOpts = { limit: 1000 };
  let latency = 0;
  let lossSet = false;
  let reorder = -1;
  let gap = 0;
  const bad = (what: string): never => illegal_value(tc, what);
  const unsupported = (what: string): never => fail(tc, `skblab: netem ${what} is not modelled\n`, 1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = (): string => args[++i] ?? incomplete_command(tc);
    const nextIsNumber = (): boolean => isDigit(args[i + 1]);
    const nextIsSigned = (): boolean => isDigit(args[i + 1]) || (args[i + 1] ?? '').startsWith('-');
    const pct = (s: string, what: string): number => getPercent(s) ?? bad(what);
    if (matches(a, 'limit')) {
      o.limit = getSize(next()) ?? bad('limit');
    } else if (matches(a, 'latency') || matches(a, 'delay')) {
      latency = getTicks(tc, next()) ?? bad('latency');
      o.delay = latency;
      if (nextIsNumber()) {
        o.jitter = getTicks(tc, next()) ?? bad('latency');
        if (nextIsNumber()) o.delay_corr = pct(next(), 'latency');
      }
    } else if (matches(a, 'loss') || matches(a, 'drop')) {
      if (lossSet) bad('duplicate loss argument\n');
      let v = next();
      if (!isDigit(v)) {
        if (v === 'state' || v === 'gemodel') unsupported(`loss ${v}`);
        if (v !== 'random') {
          tc.err(`Unknown loss parameter: ${v}\n`);
          throw new ParseFail();
        }
        v = next();
      }
      o.loss = pct(v, 'loss percent');
      lossSet = (o.loss as number) > 0;
      if (nextIsNumber()) o.loss_corr = pct(next(), 'loss correlation');
    } else if (matches(a, 'ecn')) {
      unsupported('ecn');
    } else if (matches(a, 'reorder')) {
      reorder = pct(next(), 'reorder');
      if (nextIsNumber()) o.reorder_corr = pct(next(), 'reorder');
    } else if (matches(a, 'corrupt')) {
      o.corrupt = pct(next(), 'corrupt');
      if (nextIsNumber()) o.corrupt_corr = pct(next(), 'corrupt');
    } else if (matches(a, 'gap')) {
      gap = getU32(next()) ?? bad('gap');
    } else if (matches(a, 'duplicate')) {
      o.duplicate = pct(next(), 'duplicate');
      if (nextIsNumber()) o.dup_corr = pct(next(), 'duplicate');
    } else if (matches(a, 'distribution')) {
      unsupported('distribution');
    } else if (matches(a, 'rate')) {
      const v = next();
      if (v.includes('%')) unsupported('rate as a percentage of the link speed');
      const bytes = getRate64(v) ?? bad('rate');
      o.rate = bytes * 8;
      if (nextIsSigned()) {
        const n = Number(next());
        if (!Number.isInteger(n)) bad('rate');
        o.packet_overhead = n;
      }
      if (nextIsNumber()) o.cell_size = getU32(next()) ?? bad('rate');
      if (nextIsSigned()) {
        const n = Number(next());
        if (!Number.isInteger(n)) bad('rate');
        o.cell_overhead = n;
      }
    } else if (matches(a, 'slot')) {
      unsupported('slot');
    } else {
      if (a !== 'help') tc.err(`What is "${a}"?\n`);
      tc.err(NETEM_USAGE);
      throw new ParseFail();
    }
  }
  if (reorder > 0) {
    if (latency === 0) {
      tc.err('reordering not possible without specifying some delay\n' + NETEM_USAGE);
      throw new ParseFail();
    }
    o.reorder = reorder;
    if (gap === 0) gap = 1;
  } else if (gap > 0) {
    tc.err('gap specified without reorder probability\n' + NETEM_USAGE);
    throw new ParseFail();
  }
  if (gap) o.gap = gap;
  if (!o.rate) delete o.rate;
  return o;
}

/** q_fifo.c's fifo_parse_opt: `limit NUMBER`. */
function fifoParse(tc: Tc, args: string[]): QdiscOpts {
  const o: QdiscOpts = {};
  const explain = 'Usage: ... <[p|b]fifo | pfifo_head_drop> [ limit NUMBER ]\n';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === 'limit') {
      const v = args[++i] ?? incomplete_command(tc);
      const n = getSize(v);
      if (n === null) fail(tc, `pfifo: Illegal value for "limit": "${v}"\n`, 1);
      o.limit = n;
    } else if (args[i] === 'help') fail(tc, explain, 1);
    else fail(tc, `pfifo: unknown parameter "${args[i]}"\n${explain}`, 1);
  }
  return o;
}

function fqCodelParse(tc: Tc, args: string[]): QdiscOpts {
  const o: QdiscOpts = {};
  const illegal = (what: string): never => illegal_value(tc, what);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = (): string => args[++i] ?? incomplete_command(tc);
    if (a === 'limit' || a === 'flows' || a === 'quantum' || a === 'drop_batch') {
      const v = getU32(next()) ?? illegal(a);
      // tc sends only the non-zero ones.
      if (v) o[a] = v;
    } else if (a === 'target' || a === 'interval') {
      const us = getTime(next()) ?? illegal(a);
      if (us) o[a] = us * 1000;
    } else if (a === 'memory_limit') {
      o.memory_limit = getSize(next()) ?? illegal('memory_limit');
    } else if (a === 'ecn') o.ecn = true;
    else if (a === 'noecn') o.ecn = false;
    else if (a === 'ce_threshold' || a === 'ce_threshold_selector') {
      fail(tc, `skblab: fq_codel ${a} is not modelled\n`, 1);
    } else if (a === 'help') {
      tc.err(FQ_CODEL_USAGE);
      throw new ParseFail();
    } else {
      tc.err(`What is "${a}"?\n${FQ_CODEL_USAGE}`);
      throw new ParseFail();
    }
  }
  return o;
}

/** fq_parse_opt (tc/q_fq.c): only the options given go to the kernel (rates in bytes/s, times in us). */
function fqParse(tc: Tc, args: string[]): QdiscOpts {
  const o: QdiscOpts = {};
  const illegal = (what: string): never => illegal_value(tc, what);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = (): string => args[++i] ?? incomplete_command(tc);
    if (a === 'limit' || a === 'flow_limit' || a === 'quantum' || a === 'initial_quantum') {
      o[a] = getU32(next()) ?? illegal(a);
    } else if (a === 'orphan_mask') {
      // tc's message names initial_quantum here.
      o.orphan_mask = getU32(next()) ?? illegal('initial_quantum');
    } else if (a === 'buckets') {
      const v = getU32(next()) ?? illegal('buckets');
      // ilog2 of tc/q_fq.c rounds up; 0 sends nothing.
      if (v) o.buckets_log = v <= 1 ? 0 : Math.ceil(Math.log2(v));
    } else if (a === 'maxrate' || a === 'low_rate_threshold') {
      const v = next();
      if (v.includes('%')) fail(tc, `skblab: fq ${a} as a percentage of the link speed is not modelled\n`, 1);
      o[a] = Math.min(getRate64(v) ?? illegal(a), UINT32_MAX);
    } else if (a === 'ce_threshold' || a === 'horizon' || a === 'refill_delay') {
      o[a] = getTime(next()) ?? illegal(a);
    } else if (a === 'timer_slack') {
      const us = getTime(next()) ?? illegal('timer_slack');
      o.timer_slack = Math.round(us * 1000);
    } else if (a === 'horizon_drop') o.horizon_drop = true;
    else if (a === 'horizon_cap') o.horizon_drop = false;
    else if (a === 'pacing') o.pacing = true;
    else if (a === 'nopacing') o.pacing = false;
    else if (a === 'defrate') fail(tc, 'skblab: fq defrate is not modelled (Linux 6.12 ignores it)\n', 1);
    else if (a === 'help') {
      tc.err(FQ_USAGE);
      throw new ParseFail();
    } else {
      tc.err(`What is "${a}"?\n${FQ_USAGE}`);
      throw new ParseFail();
    }
  }
  return o;
}

// ---- add, replace, change, del ---------------------------------------------------------------------------

type ModifyCmd = 'add' | 'replace' | 'change' | 'del';

/** The kernel's answer for a request without root or parent (tcm_parent 0): the qdisc named by handle. */
function byHandle(dev: NetDevice, cmd: ModifyCmd, handle: number, kind: string): TcResult | Qdisc {
  const q = handle ? tc_dump_qdiscs(dev).find((x) => u32(x.handle) === u32(handle)) : undefined;
  if (cmd === 'del') {
    if (!q) return { err: -ENOENT, extack: 'Failed to find qdisc with specified handle' };
    if (kind && kind !== q.ops.id) return { err: -EINVAL, extack: 'Invalid qdisc name' };
    return { err: -EINVAL, extack: 'Classid cannot be zero' };
  }
  if (!handle) return { err: -EINVAL, extack: 'Handle cannot be zero' };
  if (!q) return { err: -ENOENT, extack: 'Specified qdisc not found' };
  if (cmd === 'add') return { err: -EEXIST, extack: 'Exclusivity flag on, cannot modify' };
  if (kind && kind !== q.ops.id) return { err: -EINVAL, extack: 'Invalid qdisc name' };
  return q;
}

function qdiscModify(tc: Tc, cmd: ModifyCmd, args: string[]): number {
  let devName = '';
  let handle = 0;
  let parent = 0;
  let kind = '';
  let i = 0;
  const next = (): string => args[++i] ?? incomplete_command(tc);
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === 'dev') {
      const v = next();
      if (devName) fail(tc, `Error: duplicate "dev": "${v}" is the second value.\n`, 255);
      devName = v.slice(0, 15);
    } else if (a === 'handle') {
      if (handle) fail(tc, `Error: duplicate "handle": "${a}" is the second value.\n`, 255);
      const v = next();
      const h = getQdiscHandle(v);
      if (h === null) fail(tc, `Error: argument "${v}" is wrong: invalid qdisc ID\n`, 255);
      handle = h;
    } else if (a === 'root') {
      if (parent) fail(tc, 'Error: "root" is duplicate parent ID\n', 255);
      parent = TC_H_ROOT;
    } else if (a === 'clsact' || a === 'ingress') {
      if (parent) fail(tc, `Error: "${a}" is a duplicate parent ID\n`, 255);
      fail(tc, `skblab: the ${a} qdisc is not modelled\n`, 1);
    } else if (a === 'parent') {
      const v = next();
      if (parent) fail(tc, `Error: duplicate "parent": "${v}" is the second value.\n`, 255);
      const h = getTcClassid(v);
      if (h === null) fail(tc, `Error: argument "${v}" is wrong: invalid parent ID\n`, 255);
      parent = h;
    } else if (matches(a, 'estimator') || matches(a, 'stab')) {
      fail(tc, `skblab: tc qdisc ${a} is not modelled\n`, 1);
    } else if (matches(a, 'ingress_block') || matches(a, 'egress_block')) {
      fail(tc, `skblab: tc qdisc ${a} is not modelled\n`, 1);
    } else if (matches(a, 'help')) {
      // tc prints its usage and carries on with the rest of the line.
      tc.err(QDISC_USAGE);
    } else {
      kind = a.slice(0, 15);
      i++;
      break;
    }
  }
  const rest = args.slice(i);
  let opts: QdiscOpts = {};
  try {
    if (kind === 'netem') opts = netemParse(tc, rest);
    else if (kind === 'fq_codel') opts = fqCodelParse(tc, rest);
    else if (kind === 'fq') opts = fqParse(tc, rest);
    else if (kind === 'pfifo') opts = fifoParse(tc, rest);
    else if (kind === 'pfifo_fast') {
      if (rest.length) fail(tc, "qdisc 'pfifo_fast' does not support option parsing\n", 255);
    } else if (kind && !IPROUTE2_KINDS.has(kind) && rest.length) {
      // get_qdisc_kind's stand-in for a kind tc has no parser for (mq, noqueue, ...).
      fail(tc, `Unknown qdisc "${kind}", hence option "${rest[0]}" is unparsable\n`, 1);
    }
  } catch (e) {
    if (e instanceof ParseFail) return 1;
    throw e;
  }
  let dev: NetDevice | undefined;
  if (devName) {
    dev = tc.net.devices.find((d) => d.name === devName);
    if (!dev) fail(tc, `Cannot find device "${devName}"\n`, 1);
  }
  // tcm_ifindex 0: the kernel's __dev_get_by_index finds nothing.
  if (!dev) fail(tc, rtnlMessage(-ENODEV), 2);
  const d = dev;
  stamp(d);
  const lab = tc.ctx.lab;
  const at = { netns: d.net.name, dev: d.name };
  const res = lab.inProcess(
    'tc',
    (): TcResult => {
      if (!parent) {
        const q = byHandle(d, cmd, handle, kind);
        if ('err' in q) return q;
        return lab.configure(tc.ctx.host, {
          op: 'qdisc.modify',
          ...at,
          cmd: 'change',
          parent: q.parent,
          handle: q.handle,
          kind: q.ops.id,
          opts,
        });
      }
      if (cmd === 'del')
        return lab.configure(tc.ctx.host, {
          op: 'qdisc.del',
          ...at,
          parent,
          handle: kernelHandle(handle),
          kind: kind || null,
        });
      if (!kind && cmd === 'change') {
        // Neither TCA_KIND nor TCA_OPTIONS: qdisc_change finds the qdisc and has nothing to change.
        const cur = tc_dump_qdiscs(d).find((q) => u32(q.parent) === parent && q.handle !== 0);
        if (cur && (!handle || u32(cur.handle) === handle)) return { err: 0 };
      }
      return lab.configure(tc.ctx.host, {
        op: 'qdisc.modify',
        ...at,
        cmd,
        parent,
        handle: kernelHandle(handle),
        kind,
        opts,
      });
    },
    tc.ctx.cpu,
  );
  stamp(d);
  if (res.err < 0) fail(tc, rtnlMessage(res.err, res.extack), 2);
  return 0;
}

function doQdisc(tc: Tc, args: string[]): number {
  if (!args.length) return qdiscList(tc, []);
  const [c, ...rest] = args;
  if (matches(c, 'add')) return qdiscModify(tc, 'add', rest);
  if (matches(c, 'change')) return qdiscModify(tc, 'change', rest);
  if (matches(c, 'replace')) return qdiscModify(tc, 'replace', rest);
  if (matches(c, 'link')) fail(tc, 'skblab: tc qdisc link is not modelled\n', 1);
  if (matches(c, 'delete')) return qdiscModify(tc, 'del', rest);
  if (matches(c, 'list') || matches(c, 'show') || matches(c, 'lst')) return qdiscList(tc, rest);
  if (matches(c, 'help')) {
    tc.err(QDISC_USAGE);
    return 0;
  }
  fail(tc, `Command "${c}" is unknown, try "tc qdisc help".\n`, 255);
}

export const tc: Command = async (ctx) => {
  const t: Tc = {
    ctx,
    net: ctx.net,
    stats: 0,
    raw: false,
    out: (s) => ctx.out(s),
    err: (s) => ctx.err(s),
  };
  const argv = ctx.argv.slice(1);
  observe(ctx.host);
  try {
    let i = 0;
    for (; i < argv.length && argv[i].startsWith('-'); i++) {
      const a = argv[i];
      if (matches(a, '-stats') || matches(a, '-statistics')) t.stats++;
      else if (matches(a, '-details')) {
        // no size tables in the model: -d prints the same
      } else if (matches(a, '-raw')) t.raw = true;
      else if (matches(a, '-pretty') || matches(a, '-graph') || matches(a, '-iec') || matches(a, '-force')) {
        // pretty is for JSON, graph for classes; no rates in the dumps
      } else if (matches(a, '-Version')) {
        t.out('tc utility, iproute2-6.1.0, libbpf 1.1.2\n');
        return 0;
      } else if (matches(a, '-help')) {
        t.err(TC_USAGE);
        return 0;
      } else if (matches(a, '-batch')) fail(t, 'skblab: tc -batch is not supported\n', 1);
      else if (matches(a, '-netns')) {
        const name = argv[++i] ?? incomplete_command(t);
        const net = ctx.host.namedNets.get(name);
        if (!net) fail(t, `Cannot open network namespace "${name}": No such file or directory\n`, 255);
        t.net = net;
      } else if (matches(a, '-Numeric') || matches(a, '-names') || matches(a, '-nm')) {
        // class names are not kept
      } else if (matches(a, '-cf') || matches(a, '-conf')) {
        if (argv[++i] === undefined) incomplete_command(t);
      } else if (matches(a.split('=')[0], '-color')) {
        // no colours on the lab's terminal
      } else if (
        matches(a, '-timestamp') ||
        matches(a, '-tshort') ||
        matches(a, '-oneline') ||
        matches(a, '-brief')
      ) {
        // only for monitor and filters
      } else if (matches(a, '-json')) fail(t, 'skblab: tc -json is not supported\n', 1);
      else fail(t, `Option "${a}" is unknown, try "tc -help".\n`, 255);
    }
    if (i >= argv.length) {
      t.err(TC_USAGE);
      return 0;
    }
    const obj = argv[i];
    const rest = argv.slice(i + 1);
    if (matches(obj, 'qdisc')) return doQdisc(t, rest);
    for (const o of ['class', 'filter', 'chain', 'actions', 'monitor', 'exec'])
      if (matches(obj, o)) fail(t, `skblab: tc ${o} is not supported\n`, 1);
    if (matches(obj, 'help')) {
      t.err(TC_USAGE);
      return 0;
    }
    fail(t, `Object "${obj}" is unknown, try "tc help".\n`, 255);
  } catch (e) {
    if (e instanceof TcExit) return e.status;
    throw e;
  } finally {
    observe(ctx.host);
  }
};
