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

/** /proc/net/netstat's TcpExt line: snmp4_net_list (net/ipv4/proc.c), the LINUX_MIB_* counters, in 6.12's order. */
export const LINUX_MIB_NAMES = [
  'SyncookiesSent',
  'SyncookiesRecv',
  'SyncookiesFailed',
  'EmbryonicRsts',
  'PruneCalled',
  'RcvPruned',
  'OfoPruned',
  'OutOfWindowIcmps',
  'LockDroppedIcmps',
  'ArpFilter',
  'TW',
  'TWRecycled',
  'TWKilled',
  'PAWSActive',
  'PAWSEstab',
  'DelayedACKs',
  'DelayedACKLocked',
  'DelayedACKLost',
  'ListenOverflows',
  'ListenDrops',
  'TCPHPHits',
  'TCPPureAcks',
  'TCPHPAcks',
  'TCPRenoRecovery',
  'TCPSackRecovery',
  'TCPSACKReneging',
  'TCPSACKReorder',
  'TCPRenoReorder',
  'TCPTSReorder',
  'TCPFullUndo',
  'TCPPartialUndo',
  'TCPDSACKUndo',
  'TCPLossUndo',
  'TCPLostRetransmit',
  'TCPRenoFailures',
  'TCPSackFailures',
  'TCPLossFailures',
  'TCPFastRetrans',
  'TCPSlowStartRetrans',
  'TCPTimeouts',
  'TCPLossProbes',
  'TCPLossProbeRecovery',
  'TCPRenoRecoveryFail',
  'TCPSackRecoveryFail',
  'TCPRcvCollapsed',
  'TCPBacklogCoalesce',
  'TCPDSACKOldSent',
  'TCPDSACKOfoSent',
  'TCPDSACKRecv',
  'TCPDSACKOfoRecv',
  'TCPAbortOnData',
  'TCPAbortOnClose',
  'TCPAbortOnMemory',
  'TCPAbortOnTimeout',
  'TCPAbortOnLinger',
  'TCPAbortFailed',
  'TCPMemoryPressures',
  'TCPMemoryPressuresChrono',
  'TCPSACKDiscard',
  'TCPDSACKIgnoredOld',
  'TCPDSACKIgnoredNoUndo',
  'TCPSpuriousRTOs',
  'TCPMD5NotFound',
  'TCPMD5Unexpected',
  'TCPMD5Failure',
  'TCPSackShifted',
  'TCPSackMerged',
  'TCPSackShiftFallback',
  'TCPBacklogDrop',
  'PFMemallocDrop',
  'TCPMinTTLDrop',
  'TCPDeferAcceptDrop',
  'IPReversePathFilter',
  'TCPTimeWaitOverflow',
  'TCPReqQFullDoCookies',
  'TCPReqQFullDrop',
  'TCPRetransFail',
  'TCPRcvCoalesce',
  'TCPOFOQueue',
  'TCPOFODrop',
  'TCPOFOMerge',
  'TCPChallengeACK',
  'TCPSYNChallenge',
  'TCPFastOpenActive',
  'TCPFastOpenActiveFail',
  'TCPFastOpenPassive',
  'TCPFastOpenPassiveFail',
  'TCPFastOpenListenOverflow',
  'TCPFastOpenCookieReqd',
  'TCPFastOpenBlackhole',
  'TCPSpuriousRtxHostQueues',
  'BusyPollRxPackets',
  'TCPAutoCorking',
  'TCPFromZeroWindowAdv',
  'TCPToZeroWindowAdv',
  'TCPWantZeroWindowAdv',
  'TCPSynRetrans',
  'TCPOrigDataSent',
  'TCPHystartTrainDetect',
  'TCPHystartTrainCwnd',
  'TCPHystartDelayDetect',
  'TCPHystartDelayCwnd',
  'TCPACKSkippedSynRecv',
  'TCPACKSkippedPAWS',
  'TCPACKSkippedSeq',
  'TCPACKSkippedFinWait2',
  'TCPACKSkippedTimeWait',
  'TCPACKSkippedChallenge',
  'TCPWinProbe',
  'TCPKeepAlive',
  'TCPMTUPFail',
  'TCPMTUPSuccess',
  'TCPDelivered',
  'TCPDeliveredCE',
  'TCPAckCompressed',
  'TCPZeroWindowDrop',
  'TCPRcvQDrop',
  'TCPWqueueTooBig',
  'TCPFastOpenPassiveAltKey',
  'TcpTimeoutRehash',
  'TcpDuplicateDataRehash',
  'TCPDSACKRecvSegs',
  'TCPDSACKIgnoredDubious',
  'TCPMigrateReqSuccess',
  'TCPMigrateReqFailure',
  'TCPPLBRehash',
  'TCPAORequired',
  'TCPAOBad',
  'TCPAOKeyNotFound',
  'TCPAOGood',
  'TCPAODroppedIcmps',
] as const;
export type LinuxMib = (typeof LINUX_MIB_NAMES)[number];

/** /proc/net/netstat's IpExt line (snmp4_ipextstats_list). */
export const IPEXT_MIB_NAMES = [
  'InNoRoutes',
  'InTruncatedPkts',
  'InMcastPkts',
  'OutMcastPkts',
  'InBcastPkts',
  'OutBcastPkts',
  'InOctets',
  'OutOctets',
  'InMcastOctets',
  'OutMcastOctets',
  'InBcastOctets',
  'OutBcastOctets',
  'InCsumErrors',
  'InNoECTPkts',
  'InECT1Pkts',
  'InECT0Pkts',
  'InCEPkts',
  'ReasmOverlaps',
] as const;

function indexOf<T extends string>(names: readonly T[]): Record<T, number> {
  const o = {} as Record<T, number>;
  names.forEach((n, i) => (o[n] = i));
  return o;
}
export const IPSTATS = indexOf(IP_MIB_NAMES);
export const ICMP_MIB = indexOf(ICMP_MIB_NAMES);
export const TCP_MIB = indexOf(TCP_MIB_NAMES);
export const UDP_MIB = indexOf(UDP_MIB_NAMES);
/** LINUX_MIB.TCPTimeouts etc.: indexes into Net.linuxMib */
export const LINUX_MIB = indexOf(LINUX_MIB_NAMES);
export const IPEXT_MIB = indexOf(IPEXT_MIB_NAMES);

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
