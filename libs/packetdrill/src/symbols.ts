/** Symbols packetdrill's scripts and python blocks name (symbols_linux.c, tcp.h): TCP states and tcpi_options bits. */
import {
  TCPI_OPT_TIMESTAMPS,
  TCPI_OPT_SACK,
  TCPI_OPT_WSCALE,
  TCPI_OPT_ECN,
  TCPI_OPT_ECN_SEEN,
  TCPI_OPT_SYN_DATA,
  TCPI_OPT_USEC_TS,
} from '@skblab/kernel/net/ipv4/tcp';

export const TCP_STATES_FOR_PACKETDRILL: Record<string, number> = {
  TCP_ESTABLISHED: 1,
  TCP_SYN_SENT: 2,
  TCP_SYN_RECV: 3,
  TCP_FIN_WAIT1: 4,
  TCP_FIN_WAIT2: 5,
  TCP_TIME_WAIT: 6,
  TCP_CLOSE: 7,
  TCP_CLOSE_WAIT: 8,
  TCP_LAST_ACK: 9,
  TCP_LISTEN: 10,
  TCP_CLOSING: 11,
};

export const TCPI_OPT_NAMES: Record<string, number> = {
  TCPI_OPT_TIMESTAMPS,
  TCPI_OPT_SACK,
  TCPI_OPT_WSCALE,
  TCPI_OPT_ECN,
  TCPI_OPT_ECN_SEEN,
  TCPI_OPT_SYN_DATA,
  TCPI_OPT_USEC_TS,
};
