/**
 * uapi/linux/net_tstamp.h and errqueue.h: SO_TIMESTAMPING's flags and the tstype of a transmit
 * timestamp (sock_extended_err's ee_info for SO_EE_ORIGIN_TIMESTAMPING).
 */
export const SOF_TIMESTAMPING_TX_HARDWARE = 1 << 0;
export const SOF_TIMESTAMPING_TX_SOFTWARE = 1 << 1;
export const SOF_TIMESTAMPING_RX_HARDWARE = 1 << 2;
export const SOF_TIMESTAMPING_RX_SOFTWARE = 1 << 3;
export const SOF_TIMESTAMPING_SOFTWARE = 1 << 4;
export const SOF_TIMESTAMPING_SYS_HARDWARE = 1 << 5;
export const SOF_TIMESTAMPING_RAW_HARDWARE = 1 << 6;
export const SOF_TIMESTAMPING_OPT_ID = 1 << 7;
export const SOF_TIMESTAMPING_TX_SCHED = 1 << 8;
export const SOF_TIMESTAMPING_TX_ACK = 1 << 9;
export const SOF_TIMESTAMPING_OPT_CMSG = 1 << 10;
export const SOF_TIMESTAMPING_OPT_TSONLY = 1 << 11;
export const SOF_TIMESTAMPING_OPT_STATS = 1 << 12;
export const SOF_TIMESTAMPING_OPT_PKTINFO = 1 << 13;
export const SOF_TIMESTAMPING_OPT_TX_SWHW = 1 << 14;
export const SOF_TIMESTAMPING_BIND_PHC = 1 << 15;
export const SOF_TIMESTAMPING_OPT_ID_TCP = 1 << 16;
export const SOF_TIMESTAMPING_OPT_RX_FILTER = 1 << 17;
export const SOF_TIMESTAMPING_LAST = SOF_TIMESTAMPING_OPT_RX_FILTER;
export const SOF_TIMESTAMPING_MASK = (SOF_TIMESTAMPING_LAST - 1) | SOF_TIMESTAMPING_LAST;
export const SOF_TIMESTAMPING_TX_RECORD_MASK =
  SOF_TIMESTAMPING_TX_HARDWARE |
  SOF_TIMESTAMPING_TX_SOFTWARE |
  SOF_TIMESTAMPING_TX_SCHED |
  SOF_TIMESTAMPING_TX_ACK;

/** enum scm_tstamp types (errqueue.h): driver passed skb to NIC, entered the scheduler, acknowledged. */
export const SCM_TSTAMP_SND = 0;
export const SCM_TSTAMP_SCHED = 1;
export const SCM_TSTAMP_ACK = 2;
