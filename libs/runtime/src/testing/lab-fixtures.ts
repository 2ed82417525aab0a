/**
 * Test fixtures: labs built through the same rtnetlink calls `ip` makes, and counter snapshots.
 */
import {
  IPSTATS,
  ICMP_MIB,
  UDP_MIB,
  dev_get_stats,
  dev_open,
  inetInsertIfa,
  netns_add,
  rtnl_newlink_veth,
  dev_change_net_namespace,
  dev_get_by_name,
  type Host,
  type Net,
  type NetDevice,
  AF_INET,
  SOCK_STREAM,
} from '@skblab/kernel';
import { parseIpv4 } from '@skblab/wire/address';
import { Lab } from '../lab';
import { Task } from '../task';

export function ip4(s: string): number {
  const a = parseIpv4(s);
  if (a === null) throw new Error(`bad address ${s}`);
  return a;
}

/** host1 with veth0 10.0.0.1/24 <-> ns1 veth1 10.0.0.2/24, both up (IPv6 off: not modelled). */
export function vethLab(): { lab: Lab; host: Host; ns1: Net; veth0: NetDevice; veth1: NetDevice } {
  const lab = new Lab();
  const host = lab.addHost('host1');
  const net = host.initNet;
  netns_add(host, 'ns1');
  const ns1 = host.namedNets.get('ns1')!;
  rtnl_newlink_veth(lab, net, 'veth0', net, 'veth1');
  const veth1 = dev_get_by_name(net, 'veth1')!;
  dev_change_net_namespace(lab, veth1, ns1);
  const veth0 = dev_get_by_name(net, 'veth0')!;
  inetInsertIfa(net, veth0, ip4('10.0.0.1'), 24, null, null);
  inetInsertIfa(ns1, veth1, ip4('10.0.0.2'), 24, null, null);
  dev_open(lab, veth0);
  dev_open(lab, ns1.loopbackDev);
  dev_open(lab, veth1);
  return { lab, host, ns1, veth0, veth1 };
}

/** A flat "Ip.InReceives" → value map of a namespace's MIBs, like /proc/net/snmp. */
export function snmp(net: Net): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, i] of Object.entries(IPSTATS)) out[`Ip.${k}`] = net.mib.ip[i];
  for (const [k, i] of Object.entries(ICMP_MIB)) out[`Icmp.${k}`] = net.mib.icmp[i];
  for (const [k, i] of Object.entries(UDP_MIB)) out[`Udp.${k}`] = net.mib.udp[i];
  for (let t = 0; t < 256; t++) {
    if (net.mib.icmpMsgIn[t]) out[`IcmpMsg.InType${t}`] = net.mib.icmpMsgIn[t];
    if (net.mib.icmpMsgOut[t]) out[`IcmpMsg.OutType${t}`] = net.mib.icmpMsgOut[t];
  }
  return out;
}

/** The nonzero differences between two snapshots. */
export function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[k] ?? 0) - (before[k] ?? 0);
    if (d) out[k] = d;
  }
  return out;
}

export function linkStats(dev: NetDevice) {
  const s = dev_get_stats(dev);
  return {
    rxPackets: s.rxPackets,
    rxBytes: s.rxBytes,
    txPackets: s.txPackets,
    txBytes: s.txBytes,
    rxDropped: s.rxDropped,
    txDropped: s.txDropped,
  };
}

/**
 * A TCP connection over 127.0.0.1 on a new host1 of `lab`: a server task (CPU 0) listening on :8080 and a
 * client task (CPU 1) connected to it; `afd` is the accepted socket.
 */
export async function tcpPair(lab: Lab) {
  const host = lab.addHost('host1');
  const net = host.initNet;
  const server = new Task(lab, host, net, 'server', 0);
  const client = new Task(lab, host, net, 'client', 1);
  const lfd = server.socket(AF_INET, SOCK_STREAM, 0);
  if (server.bind(lfd, 0, 8080) || server.listen(lfd, 128)) throw new Error('listen on :8080 failed');
  const cfd = client.socket(AF_INET, SOCK_STREAM, 0);
  const rc = await lab.drive(client.connectWait(cfd, ip4('127.0.0.1'), 8080));
  if (rc) throw new Error(`connect: ${rc}`);
  const accepted = await lab.drive(server.accept(lfd));
  if (typeof accepted === 'number') throw new Error(`accept: ${accepted}`);
  return { host, net, server, client, lfd, cfd, afd: accepted.fd };
}
