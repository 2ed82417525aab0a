/**
 * The per-namespace MIBs that /proc/net/snmp prints (include/uapi/linux/snmp.h, net/ipv4/proc.c), in the
 * order Linux 6.12 prints them. Each MIB is a Float64Array indexed by the constants below.
 */
export const IP_MIB_NAMES = [
  'InReceives',
  'InHdrErrors',
  'InAddrErrors',
  'ForwDatagrams',
  'InUnknownProtos',
  'InDiscards',
  'InDelivers',
  'OutRequests',
  'OutDiscards',
  'OutNoRoutes',
  'ReasmTimeout',
  'ReasmReqds',
  'ReasmOKs',
  'ReasmFails',
  'FragOKs',
  'FragFails',
  'FragCreates',
  'OutTransmits',
] as const;
export type IpMib = (typeof IP_MIB_NAMES)[number];

export const ICMP_MIB_NAMES = [
  'InMsgs',
  'InErrors',
  'InCsumErrors',
  'InDestUnreachs',
  'InTimeExcds',
  'InParmProbs',
  'InSrcQuenchs',
  'InRedirects',
  'InEchos',
  'InEchoReps',
  'InTimestamps',
  'InTimestampReps',
  'InAddrMasks',
  'InAddrMaskReps',
  'OutMsgs',
  'OutErrors',
  'OutRateLimitGlobal',
  'OutRateLimitHost',
  'OutDestUnreachs',
  'OutTimeExcds',
  'OutParmProbs',
  'OutSrcQuenchs',
  'OutRedirects',
  'OutEchos',
  'OutEchoReps',
  'OutTimestamps',
  'OutTimestampReps',
  'OutAddrMasks',
  'OutAddrMaskReps',
] as const;
export type IcmpMib = (typeof ICMP_MIB_NAMES)[number];

export const TCP_MIB_NAMES = [
  'ActiveOpens',
  'PassiveOpens',
  'AttemptFails',
  'EstabResets',
  'CurrEstab',
  'InSegs',
  'OutSegs',
  'RetransSegs',
  'InErrs',
  'OutRsts',
  'InCsumErrors',
] as const;
export type TcpMib = (typeof TCP_MIB_NAMES)[number];

export const UDP_MIB_NAMES = [
  'InDatagrams',
  'NoPorts',
  'InErrors',
  'OutDatagrams',
  'RcvbufErrors',
  'SndbufErrors',
  'InCsumErrors',
  'IgnoredMulti',
  'MemErrors',
] as const;
export type UdpMib = (typeof UDP_MIB_NAMES)[number];

function indexOf<T extends string>(names: readonly T[]): Record<T, number> {
  const o = {} as Record<T, number>;
  names.forEach((n, i) => (o[n] = i));
  return o;
}
export const IPSTATS = indexOf(IP_MIB_NAMES);
export const ICMP_MIB = indexOf(ICMP_MIB_NAMES);
export const TCP_MIB = indexOf(TCP_MIB_NAMES);
export const UDP_MIB = indexOf(UDP_MIB_NAMES);

export interface NetMib {
  ip: Float64Array;
  icmp: Float64Array;
  /** IcmpMsg InTypeN / OutTypeN, 256 each. */
  icmpMsgIn: Float64Array;
  icmpMsgOut: Float64Array;
  tcp: Float64Array;
  udp: Float64Array;
  udplite: Float64Array;
}

export function newNetMib(): NetMib {
  return {
    ip: new Float64Array(IP_MIB_NAMES.length),
    icmp: new Float64Array(ICMP_MIB_NAMES.length),
    icmpMsgIn: new Float64Array(256),
    icmpMsgOut: new Float64Array(256),
    tcp: new Float64Array(TCP_MIB_NAMES.length),
    udp: new Float64Array(UDP_MIB_NAMES.length),
    udplite: new Float64Array(UDP_MIB_NAMES.length),
  };
}
