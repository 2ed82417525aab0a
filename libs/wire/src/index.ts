/**
 * @skblab/wire: packet header codecs for the simulated Linux IPv4 stack, in the style of smoltcp's wire
 * module, over plain Uint8Arrays.
 *
 * Each layer has three parts:
 * - a byte view: functions reading and writing fields in place, `ipv4.totalLength(buf, off)`,
 *   `tcp.setSeqNumber(buf, off, v)` … (namespaces `ethernet`, `arp`, `ipv4`, `icmp`, `udp`, `tcp`), which
 *   neither allocate nor bounds-check: validate first with `checkXxx`;
 * - a repr: a plain object (`Ipv4Repr` …) with `parseXxx(buf, off, len, …)` returning a `WireResult`
 *   (never throwing on bad packets) and `emitXxx(repr, buf, off, …)` returning the bytes written;
 * - constants named as in the Linux headers (ETH_P_IP, IPPROTO_UDP, ICMP_FRAG_NEEDED, IP_DF …).
 *
 * Plus checksums, IPv4/MAC address helpers and a tcpdump-style printer.
 */

export * as ethernet from './ethernet';
export * as arp from './arp';
export * as ipv4 from './ipv4';
export * as icmp from './icmp';
export * as udp from './udp';
export * as tcp from './tcp';

export * from './bytes';
export { WireError, type WireResult } from './result';
export * from './checksum';
export * from './address';
export * from './mac';
export * from './print';

export {
  ETH_HLEN,
  ETH_ZLEN,
  ETH_DATA_LEN,
  ETH_FRAME_LEN,
  ETH_P_IP,
  ETH_P_ARP,
  ETH_P_8021Q,
  ETH_P_IPV6,
  ETH_DST_OFFSET,
  ETH_SRC_OFFSET,
  ETH_TYPE_OFFSET,
  type EthernetRepr,
  checkEthernetHeader,
  parseEthernetHeader,
  emitEthernetHeader,
  ethernetHeaderLength,
} from './ethernet';

export {
  ARP_HLEN,
  ARP_FIXED_HLEN,
  ARPHRD_ETHER,
  ARPOP_REQUEST,
  ARPOP_REPLY,
  ARPOP_RREQUEST,
  ARPOP_RREPLY,
  ARPOP_INREQUEST,
  ARPOP_INREPLY,
  ARPOP_NAK,
  ARP_SHA_OFFSET,
  ARP_SPA_OFFSET,
  ARP_THA_OFFSET,
  ARP_TPA_OFFSET,
  type ArpRepr,
  checkArpPacket,
  parseArpPacket,
  emitArpPacket,
  arpPacketLength,
} from './arp';

export {
  IPV4_HLEN,
  IPV4_HLEN_MAX,
  IPV4_VERSION,
  IPDEFTTL,
  IP_MAXPACKET,
  IP_RF,
  IP_DF,
  IP_MF,
  IP_OFFMASK,
  IPPROTO_IP,
  IPPROTO_ICMP,
  IPPROTO_IGMP,
  IPPROTO_IPIP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_GRE,
  IPPROTO_RAW,
  IPTOS_PREC_INTERNETCONTROL,
  IPV4_CHECKSUM_OFFSET,
  type Ipv4Repr,
  checkIpv4Header,
  parseIpv4Header,
  parseQuotedIpv4Header,
  emitIpv4Header,
  ipv4HeaderLength,
  computeHeaderChecksum as computeIpv4HeaderChecksum,
  fillHeaderChecksum as fillIpv4HeaderChecksum,
  headerChecksumValid as ipv4HeaderChecksumValid,
  decrementTtl as ipv4DecrementTtl,
} from './ipv4';

export {
  ICMP_HLEN,
  ICMP_ECHOREPLY,
  ICMP_DEST_UNREACH,
  ICMP_SOURCE_QUENCH,
  ICMP_REDIRECT,
  ICMP_ECHO,
  ICMP_ROUTERADVERT,
  ICMP_ROUTERSOLICIT,
  ICMP_TIME_EXCEEDED,
  ICMP_PARAMETERPROB,
  ICMP_TIMESTAMP,
  ICMP_TIMESTAMPREPLY,
  ICMP_INFO_REQUEST,
  ICMP_INFO_REPLY,
  ICMP_ADDRESS,
  ICMP_ADDRESSREPLY,
  ICMP_NET_UNREACH,
  ICMP_HOST_UNREACH,
  ICMP_PROT_UNREACH,
  ICMP_PORT_UNREACH,
  ICMP_FRAG_NEEDED,
  ICMP_SR_FAILED,
  ICMP_NET_UNKNOWN,
  ICMP_HOST_UNKNOWN,
  ICMP_HOST_ISOLATED,
  ICMP_NET_ANO,
  ICMP_HOST_ANO,
  ICMP_NET_UNR_TOS,
  ICMP_HOST_UNR_TOS,
  ICMP_PKT_FILTERED,
  ICMP_PREC_VIOLATION,
  ICMP_PREC_CUTOFF,
  ICMP_REDIR_NET,
  ICMP_REDIR_HOST,
  ICMP_REDIR_NETTOS,
  ICMP_REDIR_HOSTTOS,
  ICMP_EXC_TTL,
  ICMP_EXC_FRAGTIME,
  ICMP_ERROR_MAX_DATAGRAM,
  type IcmpRepr,
  type IcmpEchoRepr,
  type IcmpDestUnreachableRepr,
  type IcmpTimeExceededRepr,
  type IcmpOtherRepr,
  type IcmpQuote,
  icmpReprType,
  checkIcmpMessage,
  parseIcmpMessage,
  emitIcmpMessage,
  icmpMessageLength,
  parseIcmpQuote,
  isErrorType as isIcmpErrorType,
  computeChecksum as computeIcmpChecksum,
  fillChecksum as fillIcmpChecksum,
  checksumValid as icmpChecksumValid,
} from './icmp';

export {
  UDP_HLEN,
  type ChecksumMode,
  type UdpRepr,
  checkUdpHeader,
  parseUdpHeader,
  emitUdpHeader,
  udpHeaderLength,
  computeChecksum as computeUdpChecksum,
  fillChecksum as fillUdpChecksum,
  checksumValid as udpChecksumValid,
} from './udp';

export {
  TCP_HLEN,
  TCP_HLEN_MAX,
  TCP_CHECKSUM_OFFSET,
  TCP_FIN,
  TCP_SYN,
  TCP_RST,
  TCP_PSH,
  TCP_ACK,
  TCP_URG,
  TCP_ECE,
  TCP_CWR,
  TCPOPT_EOL,
  TCPOPT_NOP,
  TCPOPT_MSS,
  TCPOPT_WINDOW,
  TCPOPT_SACK_PERM,
  TCPOPT_SACK,
  TCPOPT_TIMESTAMP,
  TCPOPT_MD5SIG,
  TCPOPT_AO,
  TCPOPT_MPTCP,
  TCPOPT_FASTOPEN,
  TCPOPT_EXP,
  TCPOLEN_MSS,
  TCPOLEN_WINDOW,
  TCPOLEN_SACK_PERM,
  TCPOLEN_TIMESTAMP,
  TCPOLEN_SACK_BASE,
  TCPOLEN_SACK_PERBLOCK,
  type TcpRepr,
  type TcpOptions,
  checkTcpHeader,
  parseTcpHeader,
  emitTcpHeader,
  tcpHeaderLength,
  parseTcpOptions,
  emitTcpOptions,
  tcpOptionsLength,
  computeChecksum as computeTcpChecksum,
  fillChecksum as fillTcpChecksum,
  checksumValid as tcpChecksumValid,
} from './tcp';
