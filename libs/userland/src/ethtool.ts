/**
 * ethtool(8) 6.1 for the lab's devices (igb NICs, veth, lo): `ethtool DEV` (link settings), `-i` (driver
 * information), `-S` (the driver's statistics), `-g` / `-G` (ring sizes), with ethtool's output, messages
 * and exit statuses. -i and -S go through the ioctl interface ("Cannot get ...: No such device"), the rest
 * through ethtool netlink ("netlink error: ..."), as ethtool 6.1 picks them; the checks of the kernel's
 * ethtool core (net/ethtool/rings.c) that sit between ethtool and the driver are made here.
 */
import {
  IFF_UP,
  NETIF_F_GRO,
  NETIF_F_GSO,
  NETIF_F_TSO,
  igb_get_ethtool_stats,
  type ConfigOp,
  type Net,
  type NetDevice,
  igb_adapter,
} from '@skblab/kernel';
import { IGB_MAX_RXD, IGB_MAX_TXD } from '@skblab/kernel/drivers/net/ethernet/intel/igb/igb';
import type { Command, CommandContext } from './command';

class EthtoolExit {
  constructor(readonly status: number) {}
}

/** The kernel release an in-tree driver reports as its version (UTS_RELEASE). */
export const UTS_RELEASE = '6.12.0';

/** The firmware an i350 port reports (NVM version, eTrack id). */
const IGB_FIRMWARE = '1.63, 0x800009fa';

/** Every option ethtool 6.1 knows (args[] in ethtool.c), so that an unknown one is a bad argument. */
// prettier-ignore
const OPTIONS = [
  '-s|--change', '-a|--show-pause', '-A|--pause', '-c|--show-coalesce', '-C|--coalesce', '-g|--show-ring',
  '-G|--set-ring', '-k|--show-features|--show-offload', '-K|--features|--offload', '-i|--driver',
  '-d|--register-dump', '-e|--eeprom-dump', '-E|--change-eeprom', '-r|--negotiate', '-p|--identify',
  '-t|--test', '-S|--statistics', '--phy-statistics', '-n|-u|--show-nfc|--show-ntuple',
  '-N|-U|--config-nfc|--config-ntuple', '-T|--show-time-stamping', '-x|--show-rxfh-indir|--show-rxfh',
  '-X|--set-rxfh-indir|--rxfh', '-f|--flash', '-P|--show-permaddr', '-w|--get-dump', '-W|--set-dump',
  '-l|--show-channels', '-L|--set-channels', '--show-priv-flags', '--set-priv-flags',
  '-m|--dump-module-eeprom|--module-info', '--show-eee', '--set-eee', '--set-phy-tunable',
  '--get-phy-tunable', '--get-tunable', '--set-tunable', '--reset', '--show-fec', '--set-fec',
  '-Q|--per-queue', '--cable-test', '--cable-test-tdr', '--show-tunnels', '--show-module', '--set-module',
  '-h|--help', '--version',
];

function findOption(arg: string): string | null {
  for (const o of OPTIONS) if (o.split('|').includes(arg)) return o.split('|')[0];
  return null;
}

interface Ctx {
  ctx: CommandContext;
  net: Net;
  out(s: string): void;
  err(s: string): void;
}

function fail(e: Ctx, msg: string, status: number): never {
  e.err(msg);
  throw new EthtoolExit(status);
}

function badArgs(e: Ctx): never {
  fail(e, 'ethtool: bad command line argument(s)\nFor more information run ethtool -h\n', 1);
}

function lookup(e: Ctx, name: string): NetDevice | undefined {
  return e.net.devices.find((d) => d.name === name);
}

/** What ethtool netlink prints when the device name matches nothing (the name attribute sits at offset 24). */
const NL_NODEV = 'netlink error: no device matches name (offset 24)\nnetlink error: No such device\n';

/** The change goes to the kernel as a configuration request, made by ethtool's process on its CPU. */
function configure(e: Ctx, op: ConfigOp): void {
  e.ctx.lab.inProcess('ethtool', () => e.ctx.lab.configure(e.ctx.host, op), e.ctx.cpu);
}

/** __ethtool_get_link: a device that is not running has no link, whatever its carrier. */
function linkUp(dev: NetDevice): boolean {
  return (dev.flags & IFF_UP) !== 0 && dev.carrier;
}

// ---- ethtool DEV ------------------------------------------------------------------------------------------

const IGB_MODES =
  '10baseT/Half 10baseT/Full\n' +
  '\t                        100baseT/Half 100baseT/Full\n' +
  '\t                        1000baseT/Full';

function settings(e: Ctx, name: string): number {
  const dev = lookup(e, name);
  if (!dev) {
    // LINKMODES, LINKINFO, WOL, DEBUG and LINKSTATE each fail; no banner was printed.
    e.err(NL_NODEV.repeat(5));
    e.out('No data available\n');
    return 75;
  }
  let s = `Settings for ${dev.name}:\n`;
  if (dev.ops.kind === 'igb') {
    const up = linkUp(dev);
    s +=
      '\tSupported ports: [ TP ]\n' +
      `\tSupported link modes:   ${IGB_MODES}\n` +
      '\tSupported pause frame use: Symmetric\n' +
      '\tSupports auto-negotiation: Yes\n' +
      '\tSupported FEC modes: Not reported\n' +
      `\tAdvertised link modes:  ${IGB_MODES}\n` +
      '\tAdvertised pause frame use: Symmetric\n' +
      '\tAdvertised auto-negotiation: Yes\n' +
      '\tAdvertised FEC modes: Not reported\n' +
      (up ? '\tSpeed: 1000Mb/s\n\tDuplex: Full\n' : '\tSpeed: Unknown!\n\tDuplex: Unknown! (255)\n') +
      '\tAuto-negotiation: on\n' +
      '\tPort: Twisted Pair\n' +
      '\tPHYAD: 1\n' +
      '\tTransceiver: internal\n' +
      '\tMDI-X: off (auto)\n' +
      '\tSupports Wake-on: pumbg\n' +
      '\tWake-on: g\n' +
      '        Current message level: 0x00000007 (7)\n' +
      '                               drv probe link\n' +
      `\tLink detected: ${up ? 'yes' : 'no'}\n`;
  } else if (dev.ops.kind === 'veth') {
    s +=
      '\tSupported ports: [  ]\n' +
      '\tSupported link modes:   Not reported\n' +
      '\tSupported pause frame use: No\n' +
      '\tSupports auto-negotiation: No\n' +
      '\tSupported FEC modes: Not reported\n' +
      '\tAdvertised link modes:  Not reported\n' +
      '\tAdvertised pause frame use: No\n' +
      '\tAdvertised auto-negotiation: No\n' +
      '\tAdvertised FEC modes: Not reported\n' +
      '\tSpeed: 10000Mb/s\n' +
      '\tDuplex: Full\n' +
      '\tAuto-negotiation: off\n' +
      '\tPort: Twisted Pair\n' +
      '\tPHYAD: 0\n' +
      '\tTransceiver: internal\n' +
      '\tMDI-X: Unknown\n' +
      `\tLink detected: ${linkUp(dev) ? 'yes' : 'no'}\n`;
  } else {
    // loopback_ethtool_ops: get_link only.
    s += `\tLink detected: ${linkUp(dev) ? 'yes' : 'no'}\n`;
  }
  e.out(s);
  return 0;
}

// ---- -i, -S ------------------------------------------------------------------------------------------------

function drvinfo(e: Ctx, name: string, extra: string[]): number {
  if (extra.length) badArgs(e);
  const dev = lookup(e, name);
  if (!dev) fail(e, 'Cannot get driver information: No such device\n', 71);
  let info: [string, string, string, string, boolean, boolean, boolean, boolean, boolean];
  if (dev.ops.kind === 'igb')
    info = ['igb', UTS_RELEASE, IGB_FIRMWARE, igb_adapter(dev)!.busInfo, true, true, true, true, true];
  else if (dev.ops.kind === 'veth') info = ['veth', '1.0', '', '', true, false, false, false, false];
  else fail(e, 'Cannot get driver information: Operation not supported\n', 71);
  const yn = (b: boolean): string => (b ? 'yes' : 'no');
  e.out(
    `driver: ${info[0]}\nversion: ${info[1]}\nfirmware-version: ${info[2]}\nexpansion-rom-version: \n` +
      `bus-info: ${info[3]}\nsupports-statistics: ${yn(info[4])}\nsupports-test: ${yn(info[5])}\n` +
      `supports-eeprom-access: ${yn(info[6])}\nsupports-register-dump: ${yn(info[7])}\n` +
      `supports-priv-flags: ${yn(info[8])}\n`,
  );
  return 0;
}

/** veth_get_ethtool_stats: the peer's ifindex, then each RX queue's XDP counters and each TX queue's. */
function vethStats(dev: NetDevice): Array<[string, number]> {
  const out: Array<[string, number]> = [['peer_ifindex', dev.peer ? dev.peer.ifindex : 0]];
  const queues = Math.max(1, dev.txqs.length);
  for (let i = 0; i < queues; i++)
    for (const k of [
      'xdp_packets',
      'xdp_bytes',
      'drops',
      'xdp_redirect',
      'xdp_drops',
      'xdp_tx',
      'xdp_tx_errors',
    ])
      out.push([`rx_queue_${i}_${k}`, 0]);
  for (let i = 0; i < queues; i++)
    for (const k of ['xdp_xmit', 'xdp_xmit_errors']) out.push([`tx_queue_${i}_${k}`, 0]);
  return out;
}

function stats(e: Ctx, name: string, extra: string[]): number {
  if (extra.length) {
    // With arguments ethtool -S goes through netlink (standard statistics groups).
    if (extra[0] === '--all-groups' || extra[0] === '--groups')
      fail(e, 'skblab: ethtool -S --all-groups/--groups is not modelled\n', 1);
    fail(e, `ethtool (-S): unknown parameter '${extra[0]}'\n`, 1);
  }
  const dev = lookup(e, name);
  if (!dev) fail(e, 'Cannot get stats strings information: No such device\n', 96);
  const list =
    dev.ops.kind === 'igb' ? igb_get_ethtool_stats(dev) : dev.ops.kind === 'veth' ? vethStats(dev) : [];
  if (!list.length) fail(e, 'no stats available\n', 94);
  e.out('NIC statistics:\n' + list.map(([k, v]) => `     ${k}: ${v}\n`).join(''));
  return 0;
}

// ---- -g, -G ------------------------------------------------------------------------------------------------

function ringShow(e: Ctx, name: string, extra: string[]): number {
  if (extra.length) fail(e, `ethtool: unexpected parameter '${extra[0]}'\n`, 1);
  const dev = lookup(e, name);
  if (!dev) fail(e, NL_NODEV, 1);
  if (dev.ops.kind !== 'igb') fail(e, 'netlink error: Operation not supported\n', 1);
  const a = igb_adapter(dev)!;
  e.out(
    `Ring parameters for ${dev.name}:\n` +
      'Pre-set maximums:\n' +
      `RX:\t\t${IGB_MAX_RXD}\n` +
      'RX Mini:\tn/a\n' +
      'RX Jumbo:\tn/a\n' +
      `TX:\t\t${IGB_MAX_TXD}\n` +
      'Current hardware settings:\n' +
      `RX:\t\t${a.rxRingCount}\n` +
      'RX Mini:\tn/a\n' +
      'RX Jumbo:\tn/a\n' +
      `TX:\t\t${a.txRingCount}\n` +
      'RX Buf Len:\t\tn/a\n' +
      'CQE Size:\t\tn/a\n' +
      'TX Push:\toff\n' +
      'TCP data split:\tn/a\n',
  );
  return 0;
}

const RING_PARAMS = ['rx', 'rx-mini', 'rx-jumbo', 'tx', 'rx-buf-len', 'cqe-size', 'tx-push'] as const;
type RingParam = (typeof RING_PARAMS)[number];

/** parse_u32 (netlink/parser.c): decimal, or hex after 0x; the whole word, up to 2^32-1. */
function parseU32(s: string): number | null {
  const m = /^0[xX]/.test(s) ? /^0[xX]\s*\+?([0-9a-fA-F]+)$/.exec(s) : /^\s*\+?(\d+)$/.exec(s);
  if (!m) return null;
  const v = parseInt(m[1], /^0[xX]/.test(s) ? 16 : 10);
  return v > 0xffffffff ? null : v;
}

function ringSet(e: Ctx, name: string, args: string[]): number {
  // nl_parser: each parameter once, each with its value; attributes follow the header in that order.
  const given: Array<{ p: RingParam; v: number }> = [];
  for (let i = 0; i < args.length; i++) {
    const p = RING_PARAMS.find((x) => x === args[i]);
    if (!p) fail(e, `ethtool (-G): unknown parameter '${args[i]}'\n`, 1);
    if (given.some((g) => g.p === p)) fail(e, `ethtool (-G): duplicate parameter '${p}'\n`, 1);
    if (i + 1 >= args.length) fail(e, `ethtool (-G): no value for parameter '${p}'\n`, 1);
    const raw = args[++i];
    let v: number | null;
    if (p === 'tx-push') v = raw === 'on' ? 1 : raw === 'off' ? 0 : null;
    else v = parseU32(raw);
    if (v === null) fail(e, `ethtool (-G): invalid value '${raw}' for parameter '${p}'\n`, 1);
    given.push({ p, v });
  }
  const dev = lookup(e, name);
  if (!dev) fail(e, NL_NODEV, 81);
  // The request: nlmsghdr (16), genlmsghdr (4), the header nest (4) with the name (4 + name + NUL, padded).
  const first = 24 + ((4 + dev.name.length + 1 + 3) & ~3);
  const offset = (p: RingParam): number => first + 8 * given.findIndex((g) => g.p === p);
  const nlerr = (msg: string, p: RingParam, errno: string): never =>
    fail(e, `netlink error: ${msg} (offset ${offset(p)})\nnetlink error: ${errno}\n`, 81);
  // ethnl_set_rings_validate
  const has = (p: RingParam): boolean => given.some((g) => g.p === p);
  if (has('rx-buf-len')) nlerr('setting rx buf len not supported', 'rx-buf-len', 'Operation not supported');
  if (has('cqe-size')) nlerr('setting cqe size not supported', 'cqe-size', 'Operation not supported');
  if (has('tx-push')) nlerr('setting tx push not supported', 'tx-push', 'Operation not supported');
  if (dev.ops.kind !== 'igb') fail(e, 'netlink error: Operation not supported\n', 81);
  const a = igb_adapter(dev)!;
  const val = (p: RingParam, cur: number): number => given.find((g) => g.p === p)?.v ?? cur;
  const rx = val('rx', a.rxRingCount);
  const mini = val('rx-mini', 0);
  const jumbo = val('rx-jumbo', 0);
  const tx = val('tx', a.txRingCount);
  if (rx === a.rxRingCount && tx === a.txRingCount && mini === 0 && jumbo === 0) return 0;
  // ensure new ring parameters are within limits
  const over: RingParam | null =
    rx > IGB_MAX_RXD ? 'rx' : mini > 0 ? 'rx-mini' : jumbo > 0 ? 'rx-jumbo' : tx > IGB_MAX_TXD ? 'tx' : null;
  if (over) nlerr('requested ring size exceeds maximum', over, 'Invalid argument');
  configure(e, {
    op: 'ring.set',
    netns: dev.net.name,
    dev: dev.name,
    rx: has('rx') ? rx : null,
    tx: has('tx') ? tx : null,
  });
  return 0;
}

// ---- ethtool -K DEV FEATURE on|off ------------------------------------------------------------------------

/** The features -K names that skblab models (ethtool's short names and the kernel's feature names). */
const FEATURES: Record<string, number> = {
  tso: NETIF_F_TSO,
  'tcp-segmentation-offload': NETIF_F_TSO,
  'tx-tcp-segmentation': NETIF_F_TSO,
  gso: NETIF_F_GSO,
  'generic-segmentation-offload': NETIF_F_GSO,
  'tx-generic-segmentation': NETIF_F_GSO,
  gro: NETIF_F_GRO,
  'generic-receive-offload': NETIF_F_GRO,
  'rx-gro': NETIF_F_GRO,
};

/**
 * nl_sfeatures: FEATURE on|off pairs. What the change does is modelled for tun devices (TSO decides whether
 * the reader sees GSO packets whole), so other devices are refused rather than pretend.
 */
function featuresSet(e: Ctx, name: string, rest: string[]): number {
  if (!rest.length || rest.length % 2) badArgs(e);
  let wanted = 0;
  let mask = 0;
  for (let i = 0; i < rest.length; i += 2) {
    const bit = FEATURES[rest[i]];
    if (rest[i + 1] !== 'on' && rest[i + 1] !== 'off') badArgs(e);
    if (bit === undefined) fail(e, `skblab: ethtool -K ${rest[i]} is not modelled\n`, 1);
    mask |= bit;
    if (rest[i + 1] === 'on') wanted |= bit;
    else wanted &= ~bit;
  }
  const dev = lookup(e, name);
  if (!dev) fail(e, NL_NODEV, 92);
  if (dev.ops.kind !== 'tun') fail(e, `skblab: ethtool -K is modelled for tun devices only\n`, 1);
  configure(e, {
    op: 'features.set',
    netns: dev.net.name,
    dev: dev.name,
    wanted,
    mask,
  });
  return 0;
}

// ---- the front end ---------------------------------------------------------------------------------------

const HELP =
  'ethtool version 6.1\n' +
  'Usage:\n' +
  '        ethtool [ FLAGS ]  DEVNAME\tDisplay standard information about device\n' +
  '        ethtool [ FLAGS ] -g|--show-ring DEVNAME\tQuery RX/TX ring parameters\n' +
  '        ethtool [ FLAGS ] -G|--set-ring DEVNAME\tSet RX/TX ring parameters\n' +
  '\t\t[ rx N ]\n' +
  '\t\t[ rx-mini N ]\n' +
  '\t\t[ rx-jumbo N ]\n' +
  '\t\t[ tx N ]\n' +
  '        ethtool [ FLAGS ] -K|--features|--offload DEVNAME\tSet protocol offload and other features\n' +
  '\t\tFEATURE on|off ...\n' +
  '        ethtool [ FLAGS ] -i|--driver DEVNAME\tShow driver information\n' +
  '        ethtool [ FLAGS ] -S|--statistics DEVNAME\tShow adapter statistics\n' +
  '        ethtool -h|--help \t\tShow this help\n' +
  '        ethtool --version \t\tShow version number\n';

export const ethtool: Command = async (ctx) => {
  const e: Ctx = { ctx, net: ctx.net, out: (s) => ctx.out(s), err: (s) => ctx.err(s) };
  let args = ctx.argv.slice(1);
  try {
    for (;;) {
      if (args[0] === '--debug') {
        if (args.length < 2 || !/^(0[xX][0-9a-fA-F]+|\d+)$/.test(args[1])) badArgs(e);
        args = args.slice(2);
      } else if (args[0] === '--json') {
        fail(e, 'skblab: ethtool --json is not supported\n', 1);
      } else if (args[0] === '--include-statistics' || args[0] === '-I') args = args.slice(1);
      else break;
    }
    if (args[0] === '--monitor') fail(e, 'skblab: ethtool --monitor is not supported\n', 1);
    if (!args.length) badArgs(e);
    let opt = findOption(args[0]);
    if (opt) args = args.slice(1);
    else if (args[0].startsWith('-')) badArgs(e);
    if (opt === '-h') {
      e.out(HELP);
      return 0;
    }
    if (opt === '--version') {
      e.out('ethtool version 6.1\n');
      return 0;
    }
    const name = args[0];
    if (name === undefined) badArgs(e);
    const rest = args.slice(1);
    opt ??= '';
    // ioctl-only requests cannot name a device longer than IFNAMSIZ - 1.
    if (opt === '-i' && name.length >= 16)
      fail(
        e,
        'ethtool netlink support for subcommand missing, device name longer than 15 not supported\n',
        1,
      );
    if (opt === '-S' && !rest.length && name.length >= 16)
      fail(e, 'ioctl-only request, device name longer than 15 not supported\n', 1);
    switch (opt) {
      case '':
        // nl_gset ignores anything after the device name.
        return settings(e, name);
      case '-i':
        return drvinfo(e, name, rest);
      case '-S':
        return stats(e, name, rest);
      case '-g':
        return ringShow(e, name, rest);
      case '-G':
        return ringSet(e, name, rest);
      case '-K':
        return featuresSet(e, name, rest);
      default:
        fail(e, `skblab: ethtool ${opt} is not modelled\n`, 1);
    }
  } catch (x) {
    if (x instanceof EthtoolExit) return x.status;
    throw x;
  }
};
