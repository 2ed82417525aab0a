/**
 * net/ipv4/proc.c: /proc/net/snmp, byte for byte as Linux 6.12 prints it. The Icmp In/Out per-type
 * columns are read from the IcmpMsg counters, as icmp_put does.
 */
import type { Net } from '../../include/net/net_namespace';
import { ICMP_MIB, IP_MIB_NAMES, TCP_MIB_NAMES, UDP_MIB_NAMES } from '../../include/net/snmp';

const ICMPMIBMAP: Array<[string, number]> = [
  ['DestUnreachs', 3],
  ['TimeExcds', 11],
  ['ParmProbs', 12],
  ['SrcQuenchs', 4],
  ['Redirects', 5],
  ['Echos', 8],
  ['EchoReps', 0],
  ['Timestamps', 13],
  ['TimestampReps', 14],
  ['AddrMasks', 17],
  ['AddrMaskReps', 18],
];

/** snmp_seq_show */
export function snmp_seq_show(net: Net): string {
  const m = net.mib;
  let s = 'Ip: Forwarding DefaultTTL ' + IP_MIB_NAMES.join(' ') + '\n';
  s += `Ip: ${net.sysctl.ipForward ? 1 : 2} ${net.sysctl.ipDefaultTtl} ` + Array.from(m.ip).join(' ') + '\n';
  // icmp_put
  const inNames = ICMPMIBMAP.map(([n]) => 'In' + n);
  const outNames = ICMPMIBMAP.map(([n]) => 'Out' + n);
  s +=
    'Icmp: InMsgs InErrors InCsumErrors ' +
    inNames.join(' ') +
    ' OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost ' +
    outNames.join(' ') +
    '\n';
  s +=
    `Icmp: ${m.icmp[ICMP_MIB.InMsgs]} ${m.icmp[ICMP_MIB.InErrors]} ${m.icmp[ICMP_MIB.InCsumErrors]}` +
    ICMPMIBMAP.map(([, t]) => ' ' + m.icmpMsgIn[t]).join('') +
    ` ${m.icmp[ICMP_MIB.OutMsgs]} ${m.icmp[ICMP_MIB.OutErrors]} ${m.icmp[ICMP_MIB.OutRateLimitGlobal]} ${m.icmp[ICMP_MIB.OutRateLimitHost]}` +
    ICMPMIBMAP.map(([, t]) => ' ' + m.icmpMsgOut[t]).join('') +
    '\n';
  // icmpmsg_put: nonzero types, In before Out, 16 per line pair.
  const entries: Array<[string, number]> = [];
  for (let t = 0; t < 256; t++) if (m.icmpMsgIn[t]) entries.push([`InType${t}`, m.icmpMsgIn[t]]);
  for (let t = 0; t < 256; t++) if (m.icmpMsgOut[t]) entries.push([`OutType${t}`, m.icmpMsgOut[t]]);
  for (let i = 0; i < entries.length; i += 16) {
    const chunk = entries.slice(i, i + 16);
    s += 'IcmpMsg: ' + chunk.map(([n]) => n).join(' ') + '\n';
    s += 'IcmpMsg: ' + chunk.map(([, v]) => v).join(' ') + '\n';
  }
  s += 'Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ' + TCP_MIB_NAMES.join(' ') + '\n';
  s += 'Tcp: 1 200 120000 -1 ' + Array.from(m.tcp).join(' ') + '\n';
  s += 'Udp: ' + UDP_MIB_NAMES.join(' ') + '\n';
  s += 'Udp: ' + Array.from(m.udp).join(' ') + '\n';
  s += 'UdpLite: ' + UDP_MIB_NAMES.join(' ') + '\n';
  s += 'UdpLite: ' + Array.from(m.udplite).join(' ') + '\n';
  return s;
}
