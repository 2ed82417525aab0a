/**
 * @skblab/kernel: the pure model of the Linux 6.12 IPv4 stack, laid out like the kernel tree. Nothing here
 * reads a clock, draws a random number, or does I/O: the runtime hands every step a KernelCtx.
 */
export * from './include/linux/skbuff';
export * from './include/linux/netdevice';
export * from './include/linux/errno';
export * from './include/net/dropreason-core';
export * from './include/net/kctx';
export * from './include/net/net_namespace';
export * from './include/net/neighbour';
export * from './include/net/route';
export * from './include/net/snmp';
export * from './include/net/sock';
export * from './include/net/trace';
export * from './include/net/verdict';
export { HOPS, type HopName } from './steps';
export {
  net_rx_action,
  dev_get_stats,
  noqueue_xmit_refused,
  enqueue_to_backlog as enqueue_to_backlog_for_test,
} from './net/core/dev';
export * from './net/core/rtnetlink';
export * from './net/core/config_op';
export * from './include/net/sch_generic';
export {
  net_tx_action,
  qdisc_run,
  QDISC_OPS,
  qdisc_totals,
  qdisc_reset,
  handleText,
} from './net/sched/sch_generic';
export {
  tc_modify_qdisc,
  tc_del_qdisc,
  tc_dump_qdiscs,
  qdisc_refcnt,
  type QdiscRequest,
  type TcResult,
} from './net/sched/sch_api';
export type { IgbAdapter, IgbQVector, IgbRing } from './drivers/net/ethernet/intel/igb/igb';
export {
  igb_probe,
  igb_down,
  igb_get_ethtool_stats,
  igb_set_ringparam,
  igb_update_carrier,
  igb_rename_irqs,
} from './drivers/net/ethernet/intel/igb/igb_main';
export { newWire, type Wire } from './hw/wire';
export { setup_net, new_host } from './net/core/net_namespace';
export { dev_seq_show, softnet_seq_show } from './net/core/net-procfs';
export { snmp_seq_show } from './net/ipv4/proc';
export { inetInsertIfa, inetDelIfa, inetSelectAddr } from './net/ipv4/devinet';
export {
  ipRouteOutputKey,
  ipRouteInputNoref,
  isRouteError,
  fibLookup,
  describeFib,
  dstMtu,
} from './net/ipv4/route';
export { __ip_sock_set_tos } from './net/ipv4/ip_sockglue';
export { ping_v4_sendmsg, ping_recvmsg, ping_get_port } from './net/ipv4/ping';
export { udp_sendmsg, udp_recvmsg, udp_lib_get_port, udp_lib_unhash } from './net/ipv4/udp';
export { neigh_lookup, neighDescribe } from './net/core/neighbour';
export { sysctl_read, sysctl_write, sysctl_names } from './kernel/sysctl';
export { ip4_datagram_connect } from './net/ipv4/datagram';
export { raw_sendmsg, raw_recvmsg } from './net/ipv4/raw';
export { KERNEL_FNS } from './include/net/trace';
