/**
 * `ip address` (show, add, del, flush) and the link/address listing that `ip link show` shares with it
 * (ip/ipaddress.c ipaddr_list_flush_or_save, print_addrinfo, ipaddr_modify).
 */
import {
  EEXIST,
  IFF_UP,
  RT_SCOPE_HOST,
  dev_get_by_name,
  type InIfaddr,
  type NetDevice,
} from '@skblab/kernel';
import { ipv4ToString, prefixMask } from '@skblab/wire/address';
import {
  EOPNOTSUPP,
  duparg,
  duparg2,
  fail,
  invarg,
  matches,
  nextArg,
  nodev,
  printJson,
  rtnlMessage,
  type Ip,
} from './common';
import { printLinkBrief, printLinkinfo, printStats } from './format';
import { getAddr, getPrefix, scopeId, scopeName, type Prefix } from './parse';
import { ADDR_USAGE } from './usage';

function usage(ip: Ip): never {
  fail(ip, ADDR_USAGE, 255);
}

/** A shell glob (fnmatch) as a RegExp: `*`, `?` and `[...]`. */
function globRe(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += '[' + glob.slice(i + 1, end).replace(/^!/, '^') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

interface ListFilter {
  dev?: NetDevice;
  up: boolean;
  kind?: string;
  label?: RegExp;
  pfx?: Prefix;
  scope?: number;
  /** IFA_F_SECONDARY must be (true) or must not be (false) set. */
  secondary?: boolean;
  addrCriteria: boolean;
}

/** The addresses of one device in the kernel's list order: primaries (host scope first), then secondaries. */
export function devAddrs(dev: NetDevice): InIfaddr[] {
  const mine = dev.net.ifaddrs.filter((i) => i.dev === dev);
  const prim = mine.filter((i) => !i.secondary);
  const sec = mine.filter((i) => i.secondary);
  const ordered: InIfaddr[] = [];
  for (const p of prim) {
    // __inet_insert_ifa puts a primary after the last primary whose scope is at least its own.
    let at = 0;
    for (let k = 0; k < ordered.length; k++) if (p.scope <= ordered[k].scope) at = k + 1;
    ordered.splice(at, 0, p);
  }
  return [...ordered, ...sec];
}

function addrMatches(f: ListFilter, a: InIfaddr): boolean {
  if (f.scope !== undefined && a.scope !== f.scope) return false;
  if (f.secondary !== undefined && a.secondary !== f.secondary) return false;
  if (f.label && !f.label.test(a.label)) return false;
  if (f.pfx && f.pfx.addr !== null) {
    const m = prefixMask(f.pfx.plen);
    if (((a.local ^ f.pfx.addr) & m) >>> 0 !== 0) return false;
  }
  return true;
}

function parseListArgs(ip: Ip, args: string[]): ListFilter {
  const f: ListFilter = { up: false, addrCriteria: false };
  let devName: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === 'to') {
      const v = nextArg(ip, args, i++);
      f.pfx = getPrefix(ip, v);
      f.addrCriteria = true;
    } else if (a === 'scope') {
      const v = nextArg(ip, args, i++);
      const s = scopeId(v);
      if (s === null) {
        if (v !== 'all') invarg(ip, 'invalid "scope"\n', v);
        f.scope = undefined;
      } else f.scope = s;
      f.addrCriteria = true;
    } else if (a === 'up') f.up = true;
    else if (a === 'primary' || a === '-secondary') {
      f.secondary = false;
      f.addrCriteria = true;
    } else if (a === 'secondary' || a === '-primary') {
      f.secondary = true;
      f.addrCriteria = true;
    } else if (a === 'permanent' || a === '-dynamic') {
      // every address of the model is permanent
    } else if (a === 'label') {
      f.label = globRe(nextArg(ip, args, i++));
    } else if (a === 'type') {
      f.kind = nextArg(ip, args, i++);
    } else {
      let v = a;
      if (a === 'dev') v = nextArg(ip, args, i++);
      else if (matches(a, 'help')) usage(ip);
      if (devName !== undefined) duparg2(ip, 'dev', v);
      devName = v;
    }
  }
  if (devName !== undefined) {
    const dev = dev_get_by_name(ip.net, devName);
    if (!dev) fail(ip, `Device "${devName}" does not exist.\n`, 1);
    f.dev = dev;
  }
  return f;
}

/** print_addrinfo for one IPv4 address: the text lines and the JSON addr_info entry. */
function printAddrinfo(ip: Ip, a: InIfaddr): { text: string; json: Record<string, unknown> } {
  const j: Record<string, unknown> = { family: 'inet', local: ipv4ToString(a.local), prefixlen: a.plen };
  let t = ip.opts.oneline ? `${a.dev.ifindex}: ${a.dev.name}` : '';
  t += `    inet ${ipv4ToString(a.local)}/${a.plen} `;
  if (a.broadcast) {
    j.broadcast = ipv4ToString(a.broadcast);
    t += `brd ${j.broadcast} `;
  }
  j.scope = scopeName(a.scope);
  t += `scope ${j.scope} `;
  if (a.secondary) {
    j.secondary = true;
    t += 'secondary ';
  }
  j.label = a.label;
  t += a.label;
  j.valid_life_time = 4294967295;
  j.preferred_life_time = 4294967295;
  t += `${ip.opts.oneline ? '\\' : '\n'}       valid_lft forever preferred_lft forever\n`;
  return { text: t, json: j };
}

/** ipaddr_list_flush_or_save(IPADD_LIST): `ip link show` (doLink) and `ip address show`. */
export function showAddrOrLinks(ip: Ip, args: string[], doLink: boolean): number {
  const f = parseListArgs(ip, args);
  // `ip link` lists links whatever -4/-6 say; `to PREFIX` makes `ip addr` an IPv4-only listing.
  const family = doLink ? 'link' : (ip.opts.family ?? (f.pfx ? 'inet' : null));
  const withAddrs = family !== 'link';
  // Only addresses are printed for a label filter, and for -o (one line per address).
  const noLink = !doLink && !ip.opts.brief && (!!f.label || ip.opts.oneline);
  const out: Array<Record<string, unknown>> = [];
  let text = '';
  const devs = [...ip.net.devices].sort((x, y) => x.ifindex - y.ifindex);
  for (const dev of devs) {
    if (f.dev && dev !== f.dev) continue;
    if (f.up && !(dev.flags & IFF_UP)) continue;
    if (f.kind && dev.ops.kind !== f.kind) continue;
    if (f.label && doLink && !f.label.test(dev.name)) continue;
    // IPv6 is not modelled: `ip -6 addr` finds no address.
    const all = withAddrs && family !== 'inet6' ? devAddrs(dev) : [];
    const addrs = all.filter((a) => addrMatches(f, a));
    if (withAddrs && (f.addrCriteria || f.label) && all.length && !addrs.length) continue;
    if (withAddrs && (family === 'inet' || family === 'inet6') && !addrs.length) continue;
    if (ip.opts.brief) {
      const b = printLinkBrief(dev, !withAddrs);
      text += b.text;
      if (withAddrs) {
        for (const a of addrs) text += `${ipv4ToString(a.local)}/${a.plen} `;
        b.json.addr_info = addrs.map((a) => ({ local: ipv4ToString(a.local), prefixlen: a.plen }));
        text += '\n';
      }
      out.push(b.json);
      continue;
    }
    const l = noLink
      ? { text: '', json: {} as Record<string, unknown> }
      : printLinkinfo(ip, dev, doLink, family);
    text += l.text;
    if (withAddrs) {
      const infos = addrs.map((a) => printAddrinfo(ip, a));
      for (const x of infos) text += x.text;
      l.json.addr_info = infos.map((x) => x.json);
      if (ip.opts.stats && !noLink) {
        const s = printStats(dev, ip.opts.stats);
        l.json.stats64 = s.json;
        text += s.text + '\n';
      }
    }
    out.push(l.json);
  }
  if (ip.opts.json) printJson(ip, out);
  else ip.out(text);
  return 0;
}

/** ipaddr_modify: `ip address add|del PREFIX [brd +|-|ADDR] [scope S] [label L] dev DEV`. */
function addrModify(ip: Ip, cmd: 'add' | 'replace' | 'del', args: string[]): number {
  let devName: string | undefined;
  let label: string | undefined;
  let lcl: Prefix | undefined;
  let lclArg = '';
  let brd: number | '+' | '-' | undefined;
  let scope: number | undefined;
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    if (matches(a, 'broadcast') || a === 'brd') {
      const v = nextArg(ip, args, i++);
      if (brd !== undefined) duparg(ip, 'broadcast', v);
      brd = v === '+' || v === '-' ? v : getAddr(ip, v);
    } else if (a === 'scope') {
      const v = nextArg(ip, args, i++);
      const s = scopeId(v);
      if (s === null) invarg(ip, 'invalid scope value.', v);
      scope = s;
    } else if (a === 'dev') devName = nextArg(ip, args, i++);
    else if (a === 'label') label = nextArg(ip, args, i++);
    else if (
      a === 'noprefixroute' ||
      a === 'nodad' ||
      a === 'home' ||
      a === 'autojoin' ||
      a === 'mngtmpaddr'
    ) {
      // accepted, not modelled
    } else if (matches(a, 'valid_lft') || matches(a, 'preferred_lft')) {
      i++;
    } else {
      if (a === 'local') a = nextArg(ip, args, i++);
      if (matches(a, 'help')) usage(ip);
      if (lcl) duparg2(ip, 'local', a);
      lclArg = a;
      lcl = getPrefix(ip, a);
    }
  }
  if (devName === undefined) fail(ip, 'Not enough information: "dev" argument is required.\n', 1);
  let plen = lcl?.plen ?? 0;
  let wildcard = false;
  if (lcl && lcl.addr !== null && cmd === 'del' && !lcl.lenGiven) {
    ip.err(
      'Warning: Executing wildcard deletion to stay compatible with old scripts.\n' +
        `         Explicitly specify the prefix length (${lclArg}/32) to avoid this warning.\n` +
        '         This special behaviour is likely to disappear in further releases,\n' +
        '         fix your scripts!\n',
    );
    wildcard = true;
  }
  let broadcast: number | null = null;
  if (typeof brd === 'number') broadcast = brd;
  else if (brd !== undefined && cmd !== 'del' && lcl && lcl.addr !== null && plen <= 30) {
    const host = ~prefixMask(plen) >>> 0;
    broadcast = brd === '+' ? (lcl.addr | host) >>> 0 : (lcl.addr & ~host) >>> 0;
  }
  const dev = dev_get_by_name(ip.net, devName);
  if (!dev) nodev(ip, devName);
  if (!lcl || lcl.addr === null) fail(ip, rtnlMessage(-EOPNOTSUPP), 2);
  if (cmd !== 'del') {
    const sc = scope ?? (lcl.addr >>> 24 === 127 ? RT_SCOPE_HOST : 0);
    if (
      cmd === 'replace' &&
      ip.net.ifaddrs.some((i) => i.dev === dev && i.local === lcl.addr && i.plen === plen)
    )
      return 0;
    const { err } = ip.lab.configure(ip.host, {
      op: 'addr.add',
      netns: ip.net.name,
      dev: dev.name,
      local: lcl.addr,
      plen,
      broadcast,
      scope: sc,
      label: label ?? null,
    });
    if (err === -EEXIST) fail(ip, 'Error: ipv4: Address already assigned.\n', 2);
    if (err < 0) fail(ip, rtnlMessage(err), 2);
    return 0;
  }
  if (wildcard) plen = 0;
  const { err } = ip.lab.configure(ip.host, {
    op: 'addr.del',
    netns: ip.net.name,
    dev: dev.name,
    local: lcl.addr,
    plen: wildcard ? null : plen,
  });
  if (err < 0) fail(ip, 'Error: ipv4: Address not found.\n', 2);
  return 0;
}

/** `ip address flush dev DEV ...`: delete every address the filter selects. */
function addrFlush(ip: Ip, args: string[]): number {
  if (!args.length) fail(ip, 'Flush requires arguments.\n', 1);
  const f = parseListArgs(ip, args);
  let n = 0;
  for (const dev of [...ip.net.devices].sort((x, y) => x.ifindex - y.ifindex)) {
    if (f.dev && dev !== f.dev) continue;
    if (f.up && !(dev.flags & IFF_UP)) continue;
    for (const a of devAddrs(dev).filter((x) => addrMatches(f, x))) {
      if (!ip.net.ifaddrs.includes(a)) continue;
      ip.lab.configure(ip.host, {
        op: 'addr.del',
        netns: ip.net.name,
        dev: dev.name,
        local: a.local,
        plen: a.plen,
      });
      n++;
    }
  }
  if (ip.opts.stats && !n) ip.out('Nothing to flush.\n');
  return 0;
}

export async function doIpAddr(ip: Ip, args: string[]): Promise<number> {
  if (!args.length) return showAddrOrLinks(ip, [], false);
  const [c, ...rest] = args;
  if (matches(c, 'add')) return addrModify(ip, 'add', rest);
  if (matches(c, 'change') || c === 'chg' || matches(c, 'replace')) return addrModify(ip, 'replace', rest);
  if (matches(c, 'delete')) return addrModify(ip, 'del', rest);
  if (matches(c, 'list') || matches(c, 'show') || matches(c, 'lst')) return showAddrOrLinks(ip, rest, false);
  if (matches(c, 'flush')) return addrFlush(ip, rest);
  if (matches(c, 'help')) usage(ip);
  fail(ip, `Command "${c}" is unknown, try "ip address help".\n`, 255);
}
