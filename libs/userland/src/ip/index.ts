/**
 * ip(8) from iproute2 6.x: the global options, the object table (matched by prefix, so `ip a`, `ip r`,
 * `ip n` work), and the objects the lab models: link, address, route, rule, neigh, netns. Output, messages and
 * exit statuses are iproute2's, byte for byte.
 */
import type { Command } from '../command';
import { doIpAddr } from './addr';
import { IpExit, fail, matches, type Ip, type IpOptions } from './common';
import { doIpLink } from './link';
import { doIpNeigh } from './neigh';
import { doIpNetns } from './netns';
import { doIpRoute } from './route';
import { doIpRule } from './rule';
import { observe } from './state';
import { doTcpMetrics } from './tcpmetrics';
import { IP_USAGE } from './usage';

type Handler = (ip: Ip, args: string[]) => Promise<number>;

/** ip.c's cmds[], in its order: the first whose name the argument prefixes wins. */
const OBJECTS: Array<[string, Handler | null]> = [
  ['address', doIpAddr],
  ['addrlabel', null],
  ['maddress', null],
  ['route', doIpRoute],
  ['rule', doIpRule],
  ['neighbor', doIpNeigh],
  ['neighbour', doIpNeigh],
  ['ntable', null],
  ['ntbl', null],
  ['link', doIpLink],
  ['l2tp', null],
  ['fou', null],
  ['ila', null],
  ['macsec', null],
  ['tunnel', null],
  ['tunl', null],
  ['tuntap', null],
  ['tap', null],
  ['token', null],
  ['tcpmetrics', doTcpMetrics],
  ['tcp_metrics', doTcpMetrics],
  ['monitor', null],
  ['xfrm', null],
  ['mroute', null],
  ['mrule', null],
  ['netns', doIpNetns],
  ['netconf', null],
  ['vrf', null],
  ['sr', null],
  ['nexthop', null],
  ['mptcp', null],
  ['ioam', null],
  ['stats', null],
  ['help', null],
];

function usage(ip: Ip): never {
  fail(ip, IP_USAGE, 255);
}

/** main(): the options loop of ip.c. Returns the index of the object argument. */
function parseOptions(ip: Ip, argv: string[]): number {
  const o = ip.opts;
  let i = 0;
  const next = () => {
    if (i + 1 >= argv.length) usage(ip);
    return argv[++i];
  };
  for (; i < argv.length; i++) {
    let opt = argv[i];
    if (opt === '--') return i + 1;
    if (opt[0] !== '-') break;
    if (opt[1] === '-') opt = opt.slice(1);
    if (matches(opt, '-loops')) next();
    else if (matches(opt, '-family')) {
      const f = next();
      if (f === 'help') usage(ip);
      if (f === 'inet' || f === 'inet6' || f === 'link') o.family = f;
      else if (!['mpls', 'bridge', 'dnet', 'ipx'].includes(f))
        fail(ip, `Error: argument "${f}" is wrong: invalid protocol family\n`, 255);
    } else if (opt === '-4') o.family = 'inet';
    else if (opt === '-6') o.family = 'inet6';
    else if (opt === '-0') o.family = 'link';
    else if (opt === '-D' || opt === '-M' || opt === '-B') {
      // DECnet, MPLS, bridge: nothing of them is modelled
    } else if (matches(opt, '-human') || matches(opt, '-human-readable') || matches(opt, '-iec')) {
      // human-readable numbers: not supported, plain numbers printed
    } else if (matches(opt, '-stats') || matches(opt, '-statistics')) o.stats++;
    else if (matches(opt, '-details')) o.details++;
    else if (matches(opt, '-resolve')) {
      // no name resolution in the lab
    } else if (matches(opt, '-oneline')) o.oneline = true;
    else if (matches(opt, '-timestamp') || matches(opt, '-tshort')) {
      // only for ip monitor
    } else if (matches(opt, '-Version')) {
      ip.out('ip utility, iproute2-6.1.0, libbpf 1.1.2\n');
      throw new IpExit(0);
    } else if (matches(opt, '-force')) {
      // batch mode only
    } else if (matches(opt, '-batch')) {
      next();
      fail(ip, 'skblab: ip -batch is not supported\n', 1);
    } else if (matches(opt, '-brief')) o.brief = true;
    else if (matches(opt, '-json')) o.json = true;
    else if (matches(opt, '-pretty')) {
      // pretty JSON is not reproduced: compact JSON is printed
    } else if (matches(opt, '-rcvbuf')) next();
    else if (matches(opt.split('=')[0], '-color')) {
      // no colours on the lab's terminal
    } else if (matches(opt, '-help')) usage(ip);
    else if (matches(opt, '-netns')) {
      const name = argv[i + 1];
      i++;
      const net = name === undefined ? undefined : ip.host.namedNets.get(name);
      if (!net)
        fail(ip, `Cannot open network namespace "${name ?? '(null)'}": No such file or directory\n`, 255);
      ip.net = net;
    } else if (matches(opt, '-Numeric') || matches(opt, '-all')) {
      // numeric output is the only output; -all is for netns exec/delete
    } else fail(ip, `Option "${opt}" is unknown, try "ip -help".\n`, 255);
  }
  return i;
}

export const ip: Command = async (ctx) => {
  const opts: IpOptions = { json: false, stats: 0, details: 0, brief: false, oneline: false, family: null };
  const inv: Ip = {
    ctx,
    lab: ctx.lab,
    host: ctx.host,
    net: ctx.net,
    opts,
    out: (s) => ctx.out(s),
    err: (s) => ctx.err(s),
  };
  const argv = ctx.argv.slice(1);
  observe(ctx.host);
  try {
    const at = parseOptions(inv, argv);
    if (at >= argv.length) usage(inv);
    const obj = argv[at];
    const hit = OBJECTS.find(([name]) => matches(obj, name));
    if (!hit) {
      inv.err(`Object "${obj}" is unknown, try "ip help".\n`);
      return 1;
    }
    const [name, handler] = hit;
    if (name === 'help') usage(inv);
    if (!handler) {
      inv.err(
        `skblab: "ip ${name}" is not modelled; the lab has link, address, route, rule, neigh and netns\n`,
      );
      return 1;
    }
    return await handler(inv, argv.slice(at + 1));
  } catch (e) {
    if (e instanceof IpExit) return e.status;
    throw e;
  } finally {
    observe(ctx.host);
  }
};
