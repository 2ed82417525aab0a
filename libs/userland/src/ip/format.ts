/**
 * Printing links as iproute2 6.x prints them (ip/ipaddress.c print_linkinfo, print_link_flags,
 * print_link_stats64): the text, with its trailing spaces, and the JSON objects with iproute2's keys in
 * iproute2's order.
 */
import {
  ARPHRD_ETHER,
  ARPHRD_LOOPBACK,
  IFF_BROADCAST,
  IFF_LOOPBACK,
  IFF_MULTICAST,
  IFF_NOARP,
  IFF_POINTOPOINT,
  IFF_UP,
  dev_get_stats,
  type LinkStats,
  type NetDevice,
} from '@skblab/kernel';
import { formatMac } from '@skblab/wire/mac';
import type { Ip } from './common';
import { carrierChanges, netnsNameOf, operstate, peernet2idAlloc, qdisc } from './state';

export const IFF_RUNNING = 0x40;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_LOWER_UP = 0x10000;
export const IFF_DORMANT = 0x20000;

/** dev_get_flags: the admin flags plus RUNNING and LOWER_UP for a running device. */
export function linkFlags(dev: NetDevice): number {
  let flags = dev.flags & ~(IFF_RUNNING | IFF_LOWER_UP | IFF_DORMANT);
  if (dev.flags & IFF_UP) {
    const oper = operstate(dev);
    if (oper === 'UP' || oper === 'UNKNOWN') flags |= IFF_RUNNING;
    if (dev.carrier) flags |= IFF_LOWER_UP;
  }
  return flags;
}

const FLAG_ORDER: Array<[number, string]> = [
  [IFF_LOOPBACK, 'LOOPBACK'],
  [IFF_BROADCAST, 'BROADCAST'],
  [IFF_POINTOPOINT, 'POINTOPOINT'],
  [IFF_MULTICAST, 'MULTICAST'],
  [IFF_NOARP, 'NOARP'],
  [IFF_ALLMULTI, 'ALLMULTI'],
  [IFF_PROMISC, 'PROMISC'],
  [0x400, 'MASTER'],
  [0x800, 'SLAVE'],
  [0x4, 'DEBUG'],
  [0x8000, 'DYNAMIC'],
  [0x4000, 'AUTOMEDIA'],
  [0x2000, 'PORTSEL'],
  [0x20, 'NOTRAILERS'],
  [IFF_UP, 'UP'],
  [IFF_LOWER_UP, 'LOWER_UP'],
  [IFF_DORMANT, 'DORMANT'],
  [0x40000, 'ECHO'],
];

/** print_link_flags: "<NO-CARRIER,BROADCAST,...,M-DOWN> " as text, or the JSON "flags" array. */
export function linkFlagsOut(flags: number, mDown: boolean): { text: string; json: string[] } {
  const json: string[] = [];
  let text = '<';
  if (flags & IFF_UP && !(flags & IFF_RUNNING)) {
    json.push('NO-CARRIER');
    text += flags ? 'NO-CARRIER,' : 'NO-CARRIER';
  }
  flags &= ~IFF_RUNNING;
  for (const [bit, name] of FLAG_ORDER) {
    if (!(flags & bit)) continue;
    flags &= ~bit;
    json.push(name);
    text += flags ? name + ',' : name;
  }
  if (flags) {
    json.push(flags.toString(16));
    text += flags.toString(16);
  }
  if (mDown) {
    json.push('M-DOWN');
    text += ',M-DOWN';
  }
  return { text: text + '> ', json };
}

export function linkType(dev: NetDevice): string {
  if (dev.type === ARPHRD_ETHER) return 'ether';
  if (dev.type === ARPHRD_LOOPBACK) return 'loopback';
  return `[${dev.type}]`;
}

/** The peer a device names in IFLA_LINK, and whether it lives in another namespace (IFLA_LINK_NETNSID). */
function iflink(dev: NetDevice): { peer: NetDevice; cross: boolean } | null {
  if (!dev.peer) return null;
  return { peer: dev.peer, cross: dev.peer.net !== dev.net };
}

/** print_name_and_link: "veth0@veth1", "veth0@if5"; the JSON "link"/"link_index" and "ifname". */
function nameAndLink(dev: NetDevice, o: Record<string, unknown>): { name: string; mDown: boolean } {
  const l = iflink(dev);
  if (!l) {
    o.ifname = dev.name;
    return { name: dev.name, mDown: false };
  }
  if (l.cross) {
    o.link_index = l.peer.ifindex;
    o.ifname = dev.name;
    return { name: `${dev.name}@if${l.peer.ifindex}`, mDown: false };
  }
  o.link = l.peer.name;
  o.ifname = dev.name;
  return { name: `${dev.name}@${l.peer.name}`, mDown: (l.peer.flags & IFF_UP) === 0 };
}

export interface LinkOut {
  text: string;
  json: Record<string, unknown>;
}

/**
 * print_linkinfo: the first line and, unless only IPv4 is asked for (`ip -4 addr`, `ip addr show to ...`),
 * the link/ether line; for `ip link -s` the RX/TX blocks. The text ends with its newline (or, with -o,
 * its lines are joined by a backslash).
 */
export function printLinkinfo(ip: Ip, dev: NetDevice, doLink: boolean, family = ip.opts.family): LinkOut {
  const o: Record<string, unknown> = { ifindex: dev.ifindex };
  const { name, mDown } = nameAndLink(dev, o);
  const flags = linkFlagsOut(linkFlags(dev), mDown);
  const oper = operstate(dev);
  const qd = qdisc(dev);
  const sl = ip.opts.oneline ? '\\' : '\n';
  o.flags = flags.json;
  o.mtu = dev.mtu;
  o.qdisc = qd;
  o.operstate = oper;
  if (doLink) o.linkmode = 'DEFAULT';
  o.group = 'default';
  o.txqlen = dev.txQueueLen;
  let text =
    `${dev.ifindex}: ${name}: ${flags.text}mtu ${dev.mtu} qdisc ${qd} state ${oper} ` +
    `${doLink ? 'mode DEFAULT ' : ''}group default qlen ${dev.txQueueLen}`;
  if (doLink || !family || family === 'link' || ip.opts.details) {
    o.link_type = linkType(dev);
    o.address = formatMac(dev.addr);
    o.broadcast = formatMac(dev.broadcast);
    text += `${sl}    link/${o.link_type} ${o.address}${dev.flags & IFF_POINTOPOINT ? ' peer ' : ' brd '}${o.broadcast}`;
  }
  const l = iflink(dev);
  if (l?.cross) {
    const id = peernet2idAlloc(dev.net, l.peer.net);
    o.link_netnsid = id;
    const nsName = netnsNameOf(ip.host, dev.net, id);
    text += nsName !== null ? ` link-netns ${nsName}` : ` link-netnsid ${id}`;
  }
  if (doLink && ip.opts.stats) {
    const s = printStats(dev, ip.opts.stats);
    o.stats64 = s.json;
    text += sl + s.text.split('\n').join(sl);
  }
  return { text: text + '\n', json: o };
}

/** print_linkinfo_brief: "NAME@LINK        STATE          ", then (for links) the address and flags. */
export function printLinkBrief(dev: NetDevice, withLink: boolean): LinkOut {
  const o: Record<string, unknown> = {};
  const { name, mDown } = nameAndLink(dev, o);
  const oper = operstate(dev);
  o.operstate = oper;
  let text = `${name.padEnd(16)} ${oper.padEnd(14)} `;
  if (withLink) {
    o.address = formatMac(dev.addr);
    const flags = linkFlagsOut(linkFlags(dev), mDown);
    o.flags = flags.json;
    text += `${o.address} ${flags.text}\n`;
  }
  return { text, json: o };
}

/** size_columns: a value's width, as iproute2 counts it (powers of ten count one digit short). */
function sizeColumns(cols: number[], vals: number[]): void {
  vals.forEach((v, i) => {
    let len = 1;
    for (let p = 10; p < v; p *= 10) len++;
    if (len > cols[i]) cols[i] = len;
  });
}

const num = (w: number, v: number) => String(v).padStart(w) + ' ';
const hdr = (w: number, s: string) => s.padStart(w);

/** print_link_stats64: the RX/TX blocks of `ip -s link` (and -s -s), and their JSON "stats64". */
export function printStats(dev: NetDevice, level: number): { text: string; json: Record<string, unknown> } {
  const s: LinkStats = dev_get_stats(dev);
  const z = 0;
  const transns = carrierChanges(dev);
  const rx = {
    bytes: s.rxBytes,
    packets: s.rxPackets,
    errors: s.rxErrors,
    dropped: s.rxDropped,
    missed: s.rxMissed,
    mcast: s.multicast,
    over: z,
    nohandler: s.rxNohandler,
  };
  const tx = {
    bytes: s.txBytes,
    packets: s.txPackets,
    errors: s.txErrors,
    dropped: s.txDropped,
    carrier: s.txCarrier,
    collisions: s.collisions,
  };
  const rxJson: Record<string, number> = {
    bytes: rx.bytes,
    packets: rx.packets,
    errors: rx.errors,
    dropped: rx.dropped,
    over_errors: rx.over,
    multicast: rx.mcast,
  };
  const txJson: Record<string, number> = {
    bytes: tx.bytes,
    packets: tx.packets,
    errors: tx.errors,
    dropped: tx.dropped,
    carrier_errors: tx.carrier,
    collisions: tx.collisions,
  };
  if (level > 1) {
    Object.assign(rxJson, {
      length_errors: z,
      crc_errors: z,
      frame_errors: z,
      fifo_errors: z,
      missed_errors: rx.missed,
    });
    if (rx.nohandler) rxJson.nohandler = rx.nohandler;
    Object.assign(txJson, {
      aborted_errors: z,
      fifo_errors: z,
      window_errors: z,
      heartbeat_errors: z,
      carrier_changes: transns,
    });
  }
  const cols = [10, 7, 6, 7, 7, 7, 10];
  sizeColumns(cols, [rx.bytes, rx.packets, rx.errors, rx.dropped, rx.missed, rx.mcast, 0]);
  if (level > 1) sizeColumns(cols, [0, z, z, z, z, rx.over, rx.nohandler]);
  sizeColumns(cols, [tx.bytes, tx.packets, tx.errors, tx.dropped, tx.carrier, tx.collisions, 0]);
  if (level > 1) sizeColumns(cols, [0, z, z, z, z, transns]);
  let t =
    `    RX: ${hdr(cols[0] - 4, 'bytes')} ${hdr(cols[1], 'packets')} ${hdr(cols[2], 'errors')} ` +
    `${hdr(cols[3], 'dropped')} ${hdr(cols[4], 'missed')} ${hdr(cols[5], 'mcast')} ${hdr(cols[6], '')}\n`;
  t +=
    '    ' +
    num(cols[0], rx.bytes) +
    num(cols[1], rx.packets) +
    num(cols[2], rx.errors) +
    num(cols[3], rx.dropped) +
    num(cols[4], rx.missed) +
    num(cols[5], rx.mcast);
  if (level > 1) {
    t +=
      `\n    RX errors:${hdr(cols[0] - 10, '')} ${hdr(cols[1], 'length')} ${hdr(cols[2], 'crc')} ` +
      `${hdr(cols[3], 'frame')} ${hdr(cols[4], 'fifo')} ${hdr(cols[5], 'overrun')}` +
      (rx.nohandler ? ` ${hdr(cols[6], 'nohandler')}` : '') +
      '\n';
    t +=
      ' '.repeat(cols[0] + 5) +
      num(cols[1], z) +
      num(cols[2], z) +
      num(cols[3], z) +
      num(cols[4], z) +
      num(cols[5], rx.over) +
      (rx.nohandler ? num(cols[6], rx.nohandler) : '');
  }
  t +=
    `\n    TX: ${hdr(cols[0] - 4, 'bytes')} ${hdr(cols[1], 'packets')} ${hdr(cols[2], 'errors')} ` +
    `${hdr(cols[3], 'dropped')} ${hdr(cols[4], 'carrier')} ${hdr(cols[5], 'collsns')} ${hdr(cols[6], '')}\n`;
  t +=
    '    ' +
    num(cols[0], tx.bytes) +
    num(cols[1], tx.packets) +
    num(cols[2], tx.errors) +
    num(cols[3], tx.dropped) +
    num(cols[4], tx.carrier) +
    num(cols[5], tx.collisions);
  if (level > 1) {
    t +=
      `\n    TX errors:${hdr(cols[0] - 10, '')} ${hdr(cols[1], 'aborted')} ${hdr(cols[2], 'fifo')} ` +
      `${hdr(cols[3], 'window')} ${hdr(cols[4], 'heartbt')} ${hdr(cols[5], 'transns')}\n`;
    t +=
      ' '.repeat(cols[0] + 5) +
      num(cols[1], z) +
      num(cols[2], z) +
      num(cols[3], z) +
      num(cols[4], z) +
      num(cols[5], transns);
  }
  return { text: t, json: { rx: rxJson, tx: txJson } };
}
