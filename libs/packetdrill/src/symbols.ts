/**
 * Symbols packetdrill's scripts and python blocks name (symbols_linux.c, code.c's write_symbols): TCP states,
 * congestion-avoidance states and tcpi_options bits.
 */
import {
  TCP_CA_Open,
  TCP_CA_Disorder,
  TCP_CA_CWR,
  TCP_CA_Recovery,
  TCP_CA_Loss,
} from '@skblab/kernel/include/net/tcp';
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

/** tcpi_ca_state's values, named as code.c names them for python (TCP_CA_Open ...). */
export const TCP_CA_STATES: Record<string, number> = {
  TCP_CA_Open,
  TCP_CA_Disorder,
  TCP_CA_CWR,
  TCP_CA_Recovery,
  TCP_CA_Loss,
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
