/**
 * `ip link`: show, add (veth), set, delete, as iproute2's ip/iplink.c parses them and rtnetlink answers.
 */
import {
  EINVAL,
  ESRCH,
  IFF_MULTICAST,
  IFF_NOARP,
  dev_get_by_name,
  type Net,
  type NetDevice,
  type RtnlResult,
} from '@skblab/kernel';
import {
  EOPNOTSUPP,
  IpExit,
  duparg,
  duparg2,
  fail,
  invarg,
  matches,
  nextArg,
  nodev,
  rtnlCheck,
  type Ip,
} from './common';
import { IFF_ALLMULTI, IFF_PROMISC } from './format';
import { getInteger, llAddrA2n } from './parse';
import { peernet2idAlloc } from './state';
import { showAddrOrLinks } from './addr';
import { LINK_USAGE } from './usage';

function usage(ip: Ip): never {
  fail(ip, LINK_USAGE, 255);
}

/** check_ifname: 1-15 bytes, no '/' or blank. */
function validIfname(s: string): boolean {
  return s.length > 0 && s.length < 16 && !/[/\s]/.test(s);
}

/** check_altifname: up to 127 bytes, no '/' or blank. */
function validAltIfname(s: string): boolean {
  return s.length > 0 && s.length < 128 && !/[/\s]/.test(s);
}

/** What iplink_parse collected: the request for one device (or, after `peer`, for the veth peer). */
interface LinkReq {
  dev?: string;
  name?: string;
  up?: boolean;
  mtu?: number;
  netns?: Net | 'pid';
  address?: Uint8Array;
  txqlen?: number;
  setFlags: number;
  clearFlags: number;
  type?: string;
  typeArgs: string[];
}

function onOff(ip: Ip, key: string, v: string): never {
  fail(ip, `Error: argument of "${key}" must be "on" or "off", not "${v}"\n`, 1);
}

/** iplink_parse: the arguments up to `type`; what follows `type TYPE` is the type's. */
function iplinkParse(ip: Ip, args: string[], create: boolean): LinkReq {
  const r: LinkReq = { setFlags: 0, clearFlags: 0, typeArgs: [] };
  let mtuSeen = false;
  let qlenSeen = false;
  let netnsSeen = false;
  /** `on` sets `bit` when the flag means "on" (multicast, promisc), clears it when inverted (arp/NOARP). */
  const flag = (key: string, v: string, bit: number, onSets: boolean) => {
    if (v !== 'on' && v !== 'off') onOff(ip, key, v);
    if ((v === 'on') === onSets) r.setFlags |= bit;
    else r.clearFlags |= bit;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === 'up') r.up = true;
    else if (a === 'down') r.up = false;
    else if (a === 'name') {
      const v = nextArg(ip, args, i++);
      if (r.name !== undefined) duparg(ip, 'name', v);
      if (!validIfname(v)) invarg(ip, '"name" not a valid ifname', v);
      r.name = v;
      if (r.dev === undefined) r.dev = v;
    } else if (matches(a, 'address')) {
      const v = nextArg(ip, args, i++);
      const p = llAddrA2n(v);
      if ('bad' in p) fail(ip, `"${p.bad}" is invalid lladdr.\n`, 1);
      if (!create && p.bytes.length !== 6)
        fail(ip, `Invalid address length ${p.bytes.length} - must be 6 bytes\n`, 1);
      r.address = new Uint8Array(p.bytes);
    } else if (matches(a, 'txqueuelen') || a === 'qlen' || matches(a, 'txqlen')) {
      const v = nextArg(ip, args, i++);
      if (qlenSeen) duparg(ip, 'txqueuelen', v);
      const n = getInteger(v);
      if (n === null) invarg(ip, 'Invalid "txqueuelen" value\n', v);
      r.txqlen = n;
      qlenSeen = true;
    } else if (a === 'mtu') {
      const v = nextArg(ip, args, i++);
      if (mtuSeen) duparg(ip, 'mtu', v);
      const n = getInteger(v);
      if (n === null) invarg(ip, 'Invalid "mtu" value\n', v);
      r.mtu = n;
      mtuSeen = true;
    } else if (a === 'netns') {
      const v = nextArg(ip, args, i++);
      if (netnsSeen) duparg(ip, 'netns', v);
      const net = ip.host.namedNets.get(v);
      const pid = getInteger(v);
      if (net) r.netns = net;
      else if (pid === 1)
        r.netns = ip.host.initNet; // init's namespace: the host's own
      else if (pid !== null) r.netns = 'pid';
      else invarg(ip, 'Invalid "netns" value\n', v);
      netnsSeen = true;
    } else if (a === 'multicast') flag(a, nextArg(ip, args, i++), IFF_MULTICAST, true);
    else if (a === 'allmulticast') flag(a, nextArg(ip, args, i++), IFF_ALLMULTI, true);
    else if (a === 'promisc') flag(a, nextArg(ip, args, i++), IFF_PROMISC, true);
    else if (a === 'arp') flag(a, nextArg(ip, args, i++), IFF_NOARP, false);
    else if (matches(a, 'type')) {
      r.type = nextArg(ip, args, i++);
      r.typeArgs = args.slice(i + 1);
      break;
    } else if (a === 'dev') {
      const v = nextArg(ip, args, i++);
      if (r.dev !== r.name) duparg2(ip, 'dev', v);
      if (!validAltIfname(v)) invarg(ip, '"dev" not a valid ifname', v);
      r.dev = v;
    } else {
      if (matches(a, 'help')) usage(ip);
      if (r.dev !== r.name) duparg2(ip, 'dev', a);
      if (!validAltIfname(a)) invarg(ip, '"dev" not a valid ifname', a);
      r.dev = a;
    }
  }
  if (r.name === undefined) r.name = r.dev;
  return r;
}

function findDev(net: Net, name: string): NetDevice | undefined {
  return dev_get_by_name(net, name);
}

/** veth's kernel-chosen name, dev_alloc_name("veth%d"): the lowest free number in the namespace. */
function allocName(net: Net, taken: string[] = []): string {
  for (let n = 0; ; n++) {
    const name = `veth${n}`;
    if (!findDev(net, name) && !taken.includes(name)) return name;
  }
}

/** do_setlink's order: namespace, address, mtu, name, flags (up/down last), txqueuelen. */
function setlink(ip: Ip, dev: NetDevice, r: LinkReq, rename: boolean): void {
  // The device as a request names it (after a move or a rename, by its new name).
  const at = () => ({ netns: dev.net.name, dev: dev.name });
  if (r.netns !== undefined) {
    if (r.netns === 'pid') rtnlCheck(ip, { err: -ESRCH });
    else {
      const from = dev.net;
      const target = r.netns;
      rtnlCheck(ip, ip.lab.configure(ip.host, { op: 'link.setns', ...at(), target: target.name }));
      if (from !== target) {
        // IFLA_NEW_NETNSID in the RTM_DELLINK sent to the old namespace; the device's own link-netnsid.
        peernet2idAlloc(from, target);
        if (dev.peer && dev.peer.net !== target) {
          peernet2idAlloc(target, dev.peer.net);
          peernet2idAlloc(dev.peer.net, target);
        }
      }
    }
  }
  if (r.address)
    rtnlCheck(ip, ip.lab.configure(ip.host, { op: 'link.address', ...at(), address: [...r.address] }));
  if (r.mtu !== undefined) rtnlCheck(ip, ip.lab.configure(ip.host, { op: 'link.mtu', ...at(), mtu: r.mtu }));
  if (rename && r.name !== undefined && r.name !== dev.name) {
    const res: RtnlResult =
      r.name.length >= 16
        ? { err: -EINVAL, extack: 'Attribute failed policy validation' }
        : ip.lab.configure(ip.host, { op: 'link.name', ...at(), name: r.name });
    rtnlCheck(ip, res);
  }
  // dev_change_flags for the flags without side effects in the model (arp, promisc, multicast...).
  if (r.setFlags || r.clearFlags)
    ip.lab.configure(ip.host, { op: 'link.flags', ...at(), set: r.setFlags, clear: r.clearFlags });
  if (r.up !== undefined) ip.lab.configure(ip.host, { op: 'link.up', ...at(), up: r.up });
  if (r.txqlen !== undefined) {
    if (r.txqlen < 0) rtnlCheck(ip, { err: -EINVAL });
    ip.lab.configure(ip.host, { op: 'link.txqlen', ...at(), txqlen: r.txqlen });
  }
}

/** `ip link add NAME type veth [peer [name] PEER [netns NS] ...]` (RTM_NEWLINK with NLM_F_CREATE). */
function linkAdd(ip: Ip, r: LinkReq): number {
  if (r.type === undefined) fail(ip, 'Not enough information: "type" argument is required\n', 1);
  if (r.type !== 'veth') {
    // link_vrf.c parses `table TABLE` and refuses anything else; dummy's options are not looked at. The
    // kernel here has neither driver, and says what one without them says (checked on this machine).
    if (r.type === 'vrf')
      for (let k = 0; k < r.typeArgs.length; k += 2)
        if (!matches(r.typeArgs[k], 'table') || r.typeArgs[k + 1] === undefined)
          fail(ip, `vrf: unknown option "${r.typeArgs[k]}"?\nUsage: ... vrf table TABLEID\n`, 1);
    if (r.type === 'vrf' || r.type === 'dummy') fail(ip, 'Error: Unknown device type.\n', 2);
    if (r.typeArgs.length) {
      if (matches(r.typeArgs[0], 'help')) usage(ip);
      fail(ip, `Garbage instead of arguments "${r.typeArgs[0]} ...". Try "ip link help".\n`, 1);
    }
    fail(ip, 'Error: Unknown device type.\n', 2);
  }
  let peer: LinkReq = { setFlags: 0, clearFlags: 0, typeArgs: [] };
  if (r.typeArgs.length) {
    if (r.typeArgs[0] !== 'peer') {
      // link_veth.c's usage goes to stdout.
      ip.out(
        "Usage: ip link <options> type veth [peer <options>]\nTo get <options> type 'ip link add help'\n",
      );
      throw new IpExit(1);
    }
    peer = iplinkParse(ip, r.typeArgs.slice(1), true);
    if (peer.type !== undefined) duparg(ip, 'type', peer.type);
  }
  if (r.netns === 'pid' || peer.netns === 'pid') rtnlCheck(ip, { err: -ESRCH });
  const net = (r.netns as Net | undefined) ?? ip.net;
  const peerNet = (peer.netns as Net | undefined) ?? ip.net;
  for (const n of [r.name, peer.name])
    if (n !== undefined && n.length >= 16)
      rtnlCheck(ip, { err: -EINVAL, extack: 'Attribute failed policy validation' });
  // The peer registers first, so it also gets its kernel-chosen name first.
  const peerName = peer.name ?? allocName(peerNet);
  const name = r.name ?? allocName(net, net === peerNet ? [peerName] : []);
  rtnlCheck(
    ip,
    ip.lab.configure(ip.host, {
      op: 'link.add.veth',
      netns: net.name,
      name,
      peerNetns: peerNet.name,
      peerName,
    }),
  );
  const dev = findDev(net, name)!;
  const pdev = findDev(peerNet, peerName)!;
  if (net !== peerNet) {
    peernet2idAlloc(net, peerNet);
    peernet2idAlloc(peerNet, net);
  }
  setlink(ip, pdev, { ...peer, netns: undefined, name: undefined }, false);
  setlink(ip, dev, { ...r, netns: undefined, name: undefined }, false);
  return 0;
}

/** iplink_modify for set/change/delete: resolve the device, then RTM_SETLINK or RTM_DELLINK. */
function linkModify(ip: Ip, cmd: 'add' | 'set' | 'del', args: string[]): number {
  const r = iplinkParse(ip, args, cmd === 'add');
  if (cmd === 'add') return linkAdd(ip, r);
  if (cmd === 'set' && r.type !== undefined && r.type !== 'veth' && r.typeArgs.length) {
    fail(ip, `Garbage instead of arguments "${r.typeArgs[0]} ...". Try "ip link help".\n`, 1);
  }
  if (r.dev === undefined) fail(ip, 'Not enough information: "dev" argument is required.\n', 255);
  const dev = findDev(ip.net, r.dev);
  if (!dev) nodev(ip, r.dev);
  if (cmd === 'del') {
    if (dev.ops.kind === 'loopback') rtnlCheck(ip, { err: -EOPNOTSUPP });
    rtnlCheck(ip, ip.lab.configure(ip.host, { op: 'link.del', netns: dev.net.name, dev: dev.name }));
    return 0;
  }
  setlink(ip, dev, r, r.name !== r.dev);
  return 0;
}

export async function doIpLink(ip: Ip, args: string[]): Promise<number> {
  if (!args.length) return showAddrOrLinks(ip, [], true);
  const [c, ...rest] = args;
  if (matches(c, 'add')) return linkModify(ip, 'add', rest);
  if (matches(c, 'set') || matches(c, 'change')) return linkModify(ip, 'set', rest);
  if (matches(c, 'replace')) return linkModify(ip, 'set', rest);
  if (matches(c, 'delete')) return linkModify(ip, 'del', rest);
  if (matches(c, 'show') || matches(c, 'lst') || matches(c, 'list')) return showAddrOrLinks(ip, rest, true);
  if (matches(c, 'help')) usage(ip);
  fail(ip, `Command "${c}" is unknown, try "ip link help".\n`, 255);
}
