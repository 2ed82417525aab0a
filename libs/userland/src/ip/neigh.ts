/**
 * `ip neigh`: show/flush (ip/ipneigh.c do_show_or_flush, print_neigh) and add/change/replace/del.
 */
import {
  NUD_DELAY,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_NOARP,
  NUD_NONE,
  NUD_PERMANENT,
  NUD_PROBE,
  NUD_REACHABLE,
  NUD_STALE,
  NUD_VALID,
  dev_get_by_name,
  neigh_lookup,
  type Neighbour,
  type NetDevice,
} from '@skblab/kernel';
import { ipv4ToString, prefixMask } from '@skblab/wire/address';
import { formatMac } from '@skblab/wire/mac';
import {
  duparg,
  duparg2,
  fail,
  invarg,
  matches,
  nextArg,
  nodev,
  printJson,
  rtnlCheck,
  type Ip,
} from './common';
import { getAddr, getPrefix, getUnsigned, llAddrA2n, type Prefix } from './parse';
import { NEIGH_USAGE } from './usage';

function usage(ip: Ip): never {
  fail(ip, NEIGH_USAGE, 255);
}

const STATE_ORDER: Array<[number, string]> = [
  [NUD_INCOMPLETE, 'INCOMPLETE'],
  [NUD_REACHABLE, 'REACHABLE'],
  [NUD_STALE, 'STALE'],
  [NUD_DELAY, 'DELAY'],
  [NUD_PROBE, 'PROBE'],
  [NUD_FAILED, 'FAILED'],
  [NUD_NOARP, 'NOARP'],
  [NUD_PERMANENT, 'PERMANENT'],
];

/** nud_state_a2n */
function nudState(s: string): number | null {
  if (matches(s, 'permanent')) return NUD_PERMANENT;
  if (matches(s, 'reachable')) return NUD_REACHABLE;
  if (s === 'noarp') return NUD_NOARP;
  if (s === 'none') return NUD_NONE;
  if (s === 'stale') return NUD_STALE;
  if (s === 'incomplete') return NUD_INCOMPLETE;
  if (s === 'delay') return NUD_DELAY;
  if (s === 'probe') return NUD_PROBE;
  if (matches(s, 'failed')) return NUD_FAILED;
  const v = getUnsigned(s);
  if (v === null || v >= 0x100 || (v & (v - 1)) !== 0) return null;
  return v;
}

interface NeighFilter {
  dev?: NetDevice;
  state: number;
  pfx?: Prefix;
}

/** neigh_fill_info + print_neigh: "10.0.0.2 dev veth0 lladdr 02:... REACHABLE ". */
function printNeigh(ip: Ip, f: NeighFilter, n: Neighbour): { text: string; json: Record<string, unknown> } {
  const j: Record<string, unknown> = { dst: ipv4ToString(n.key) };
  let t = `${j.dst} `;
  if (!f.dev) {
    j.dev = n.dev.name;
    t += `dev ${n.dev.name} `;
  }
  if (n.nudState & NUD_VALID) {
    j.lladdr = formatMac(n.ha);
    t += `lladdr ${j.lladdr} `;
  }
  if (ip.opts.stats) {
    // nda_cacheinfo in USER_HZ, printed in seconds; the model keeps no reference count.
    const now = ip.lab.now();
    const sec = (t0: number) => Math.max(0, Math.floor((now - t0) / 1_000_000_000));
    j.used = sec(n.used);
    j.confirmed = sec(n.confirmed);
    j.updated = sec(n.updated);
    t += ` used ${j.used}/${j.confirmed}/${j.updated}`;
    j.probes = n.probes;
    t += `probes ${n.probes} `;
  }
  const states: string[] = [];
  for (const [bit, name] of STATE_ORDER) if (n.nudState & bit) states.push(name);
  j.state = states;
  for (const s of states) t += `${s} `;
  return { text: t + '\n', json: j };
}

function parseShowArgs(ip: Ip, args: string[], flush: boolean): NeighFilter {
  const f: NeighFilter = { state: flush ? ~(NUD_PERMANENT | NUD_NOARP) : 0xff & ~NUD_NOARP };
  let devName: string | undefined;
  let stateGiven = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === 'dev') {
      const v = nextArg(ip, args, i++);
      if (devName !== undefined) duparg(ip, 'dev', v);
      devName = v;
    } else if (a === 'unused') {
      // every entry is unused: the model keeps no reference count
    } else if (a === 'nud') {
      const v = nextArg(ip, args, i++);
      if (!stateGiven) {
        stateGiven = true;
        f.state = 0;
      }
      let st = nudState(v);
      if (st === null) {
        if (v !== 'all') invarg(ip, 'nud state is bad', v);
        st = ~0;
        if (flush) st &= ~NUD_NOARP;
      }
      if (st === 0) st = 0x100;
      f.state |= st;
    } else if (a === 'proxy') {
      // no proxy entries in the model
    } else {
      let v = a;
      if (v === 'to') v = nextArg(ip, args, i++);
      if (matches(v, 'help')) usage(ip);
      f.pfx = getPrefix(ip, v);
    }
  }
  if (devName !== undefined) {
    const dev = dev_get_by_name(ip.net, devName);
    if (!dev) nodev(ip, devName);
    f.dev = dev;
  }
  return f;
}

function selected(f: NeighFilter, n: Neighbour): boolean {
  if (f.dev && n.dev !== f.dev) return false;
  if (!(f.state & n.nudState) && (n.nudState || !(f.state & 0x100))) return false;
  if (f.pfx && f.pfx.addr !== null && ((n.key ^ f.pfx.addr) & prefixMask(f.pfx.plen)) >>> 0 !== 0)
    return false;
  return true;
}

function neighShow(ip: Ip, args: string[]): number {
  const f = parseShowArgs(ip, args, false);
  const arp = ip.opts.family === 'inet6' ? [] : [...ip.net.arpTbl.values()];
  const rows = arp.filter((n) => selected(f, n)).map((n) => printNeigh(ip, f, n));
  if (ip.opts.json)
    printJson(
      ip,
      rows.map((r) => r.json),
    );
  else ip.out(rows.map((r) => r.text).join(''));
  return 0;
}

function neighFlush(ip: Ip, args: string[]): number {
  if (!args.length) fail(ip, 'Flush requires arguments.\n', 1);
  const f = parseShowArgs(ip, args, true);
  const victims = [...ip.net.arpTbl.values()].filter((n) => selected(f, n));
  for (const n of victims)
    ip.lab.configure(ip.host, { op: 'neigh.del', netns: n.dev.net.name, dev: n.dev.name, key: n.key });
  if (ip.opts.stats)
    ip.out(
      victims.length
        ? `\n*** Round 1, deleting ${victims.length} entries ***\n*** Flush is complete after 1 round ***\n`
        : 'Nothing to flush.\n',
    );
  return 0;
}

/** ipneigh_modify */
function neighModify(ip: Ip, cmd: 'add' | 'change' | 'replace' | 'del', args: string[]): number {
  let lla: string | undefined;
  let state = NUD_PERMANENT;
  let dst: number | undefined;
  let devName: string | undefined;
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    if (matches(a, 'lladdr')) {
      const v = nextArg(ip, args, i++);
      if (lla !== undefined) duparg(ip, 'lladdr', v);
      lla = v;
    } else if (a === 'nud') {
      const v = nextArg(ip, args, i++);
      const st = nudState(v);
      if (st === null) invarg(ip, 'nud state is bad', v);
      state = st;
    } else if (matches(a, 'proxy')) {
      nextArg(ip, args, i++);
      fail(ip, 'skblab: proxy ARP entries are not modelled\n', 1);
    } else if (a === 'router' || matches(a, 'extern_learn') || a === 'use' || a === 'managed') {
      // flags the model has no use for
    } else if (a === 'dev') devName = nextArg(ip, args, i++);
    else {
      if (a === 'to') a = nextArg(ip, args, i++);
      if (matches(a, 'help')) a = nextArg(ip, args, i++);
      if (dst !== undefined) duparg2(ip, 'to', a);
      dst = getAddr(ip, a, null);
    }
  }
  if (devName === undefined || dst === undefined)
    fail(ip, 'Device and destination are required arguments.\n', 255);
  let lladdr: Uint8Array | null = null;
  if (lla !== undefined && lla !== 'null') {
    const p = llAddrA2n(lla);
    if ('bad' in p) fail(ip, `"${p.bad}" is invalid lladdr.\n`, 255);
    lladdr = new Uint8Array(p.bytes);
  }
  const dev = dev_get_by_name(ip.net, devName);
  if (!dev) nodev(ip, devName);
  const at = { netns: dev.net.name, dev: dev.name };
  if (cmd === 'del') rtnlCheck(ip, ip.lab.configure(ip.host, { op: 'neigh.del', ...at, key: dst }));
  else
    rtnlCheck(
      ip,
      ip.lab.configure(ip.host, {
        op: 'neigh.add',
        ...at,
        key: dst,
        lladdr: lladdr ? [...lladdr] : null,
        state,
        create: cmd !== 'change',
        excl: cmd === 'add',
        replace: cmd !== 'add',
      }),
    );
  return 0;
}

/** ipneigh_get: one entry, printed as text even with -j (iproute2 6.1 opens no JSON context here). */
function neighGet(ip: Ip, args: string[]): number {
  let devName: string | undefined;
  let dst: number | undefined;
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    if (a === 'dev') devName = nextArg(ip, args, i++);
    else if (matches(a, 'proxy')) {
      nextArg(ip, args, i++);
      fail(ip, 'skblab: proxy ARP entries are not modelled\n', 1);
    } else {
      if (a === 'to') a = nextArg(ip, args, i++);
      if (matches(a, 'help')) usage(ip);
      if (dst !== undefined) duparg2(ip, 'to', a);
      dst = getAddr(ip, a, null);
    }
  }
  if (devName === undefined || dst === undefined) fail(ip, 'Device and address are required arguments.\n', 1);
  const dev = dev_get_by_name(ip.net, devName);
  if (!dev) nodev(ip, devName);
  const n = neigh_lookup(ip.net, dev, dst);
  if (!n) fail(ip, 'Error: Neighbour entry not found.\n', 2);
  ip.out(printNeigh({ ...ip, opts: { ...ip.opts, json: false } }, { state: ~0 }, n).text);
  return 0;
}

export async function doIpNeigh(ip: Ip, args: string[]): Promise<number> {
  if (!args.length) return neighShow(ip, []);
  const [c, ...rest] = args;
  if (matches(c, 'add')) return neighModify(ip, 'add', rest);
  if (matches(c, 'change') || c === 'chg') return neighModify(ip, 'change', rest);
  if (matches(c, 'replace')) return neighModify(ip, 'replace', rest);
  if (matches(c, 'delete')) return neighModify(ip, 'del', rest);
  if (matches(c, 'get')) return neighGet(ip, rest);
  if (matches(c, 'show') || matches(c, 'lst') || matches(c, 'list')) return neighShow(ip, rest);
  if (matches(c, 'flush')) return neighFlush(ip, rest);
  if (matches(c, 'help')) usage(ip);
  fail(ip, `Command "${c}" is unknown, try "ip neigh help".\n`, 255);
}
