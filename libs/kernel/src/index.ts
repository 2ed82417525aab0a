/**
 * @skblab/kernel: the pure model of the Linux 6.12 IPv4 stack, laid out like the kernel tree. Nothing here
 * reads a clock, draws a random number, or does I/O: the runtime hands every step a KernelCtx.
 */
export * from './include/linux/skbuff';
export * from './include/linux/netdevice';
export * from './include/linux/errno';
export * from './include/linux/fs';
export {
  path_openat,
  do_unlinkat,
  lookup_inode,
  kern_path,
  vfs_mknod,
  do_mkdirat,
  do_rmdir,
} from './fs/namei';
export { vfs_read, vfs_write, do_sendfile } from './fs/read_write';
export { splice_direct_to_actor, SPLICE_F_MORE } from './fs/splice';
export * from './include/net/dropreason-core';
export * from './include/net/kctx';
export * from './include/net/net_namespace';
export * from './include/net/neighbour';
export * from './include/net/route';
export * from './include/net/snmp';
export * from './include/net/sock';
export * from './include/linux/net_tstamp';
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
  netif_schedule_queue,
  netif_tx_locked,
  sch_direct_xmit_return,
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
export {
  igb_adapter,
  type IgbAdapter,
  type IgbQVector,
  type IgbRing,
} from './drivers/net/ethernet/intel/igb/igb';
export {
  igb_probe,
  igb_down,
  igb_get_ethtool_stats,
  igb_set_ringparam,
  igb_update_carrier,
  wire_connect,
  wire_set_up,
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
  fib_lookup,
  describeFib,
  dstMtu,
} from './net/ipv4/route';
export * from './include/net/fib_rules';
export { fib_nl_fill_rule_flags } from './net/core/fib_rules';
export { fib_get_table } from './net/ipv4/fib_frontend';
export {
  __ip_sock_set_tos,
  ip_sock_set_mtu_discover,
  sk_dst_reset,
  ip_recv_error,
  IP_RECVERR,
  type IpRecvErr,
  type SockExtendedErrUapi,
} from './net/ipv4/ip_sockglue';
export { ping_v4_sendmsg, ping_recvmsg, ping_get_port } from './net/ipv4/ping';
export { udp_sendmsg, udp_recvmsg, udp_lib_get_port, udp_lib_unhash } from './net/ipv4/udp';
export { neigh_lookup, neighDescribe } from './net/core/neighbour';
export { sysctl_read, sysctl_write, sysctl_names } from './kernel/sysctl';
export { ip4_datagram_connect } from './net/ipv4/datagram';
export { raw_sendmsg, raw_recvmsg } from './net/ipv4/raw';
export { KERNEL_FNS } from './include/net/trace';
// TCP sockets (net/ipv4/tcp.c, af_inet.c's inet_stream_ops, net/core/stream.c): what the runtime's socket calls use.
export type { TcpSock } from './include/linux/tcp';
export * from './include/net/tcp_states';
export {
  MSG_DONTWAIT,
  MSG_EOR,
  MSG_FASTOPEN,
  MSG_MORE,
  MSG_NOSIGNAL,
  MSG_OOB,
  MSG_PEEK,
  MSG_TRUNC,
  MSG_WAITALL,
  RCV_SHUTDOWN,
  SEND_SHUTDOWN,
  SHUTDOWN_MASK,
} from './include/net/tcp';
export {
  newTcpSock,
  tcp_sendmsg,
  tcp_recvmsg,
  tcp_poll,
  tcp_ioctl,
  tcp_setsockopt,
  tcp_getsockopt,
  do_tcp_setsockopt,
  do_tcp_getsockopt,
  sk_setsockopt,
  sk_getsockopt,
  tcp_get_info,
  tcp_close,
  tcp_close_start,
  tcp_close_orphan,
  SOL_IP,
  SOL_SOCKET,
  SOL_TCP,
  SO_DEBUG,
  SO_REUSEADDR,
  SO_TYPE,
  SO_ERROR,
  SO_DONTROUTE,
  SO_BROADCAST,
  SO_SNDBUF,
  SO_RCVBUF,
  SO_KEEPALIVE,
  SO_OOBINLINE,
  SO_PRIORITY,
  SO_LINGER,
  SO_REUSEPORT,
  SO_RCVLOWAT,
  SO_ACCEPTCONN,
  SO_SNDBUFFORCE,
  SO_RCVBUFFORCE,
  SO_PROTOCOL,
  SO_DOMAIN,
  SO_MARK,
  SO_ZEROCOPY,
  SO_TIMESTAMPING,
  SO_TIMESTAMPING_OLD,
  SO_TIMESTAMPING_NEW,
  TCP_NODELAY,
  TCP_MAXSEG,
  TCP_CORK,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  TCP_KEEPCNT,
  TCP_SYNCNT,
  TCP_LINGER2,
  TCP_DEFER_ACCEPT,
  TCP_WINDOW_CLAMP,
  TCP_INFO,
  TCP_QUICKACK,
  TCP_CONGESTION,
  TCP_THIN_LINEAR_TIMEOUTS,
  TCP_THIN_DUPACK,
  TCP_USER_TIMEOUT,
  TCP_NOTSENT_LOWAT,
  TCP_SAVE_SYN,
  TCP_FASTOPEN_CONNECT,
  TCP_FASTOPEN_NO_COOKIE,
  TCP_TX_DELAY,
  SIOCINQ,
  SIOCOUTQ,
  SIOCATMARK,
  SIOCOUTQNSD,
  EPOLLIN,
  EPOLLPRI,
  EPOLLOUT,
  EPOLLERR,
  EPOLLHUP,
  EPOLLRDNORM,
  EPOLLWRNORM,
  EPOLLRDHUP,
  TCPI_OPT_TIMESTAMPS,
  TCPI_OPT_SACK,
  TCPI_OPT_WSCALE,
  TCPI_OPT_ECN,
  TCPI_OPT_ECN_SEEN,
  TCPI_OPT_SYN_DATA,
  TCPI_OPT_USEC_TS,
  O_NONBLOCK,
  type TcpInfo,
  type TcpRecvResult,
  type Linger,
  type SockoptVal,
} from './net/ipv4/tcp';
export {
  inet_stream_connect,
  inet_accept,
  inet_listen,
  inet_bind,
  inet_shutdown,
  inet_release,
  inet_getname,
  inet_sock_state,
  SS_FREE,
  SS_UNCONNECTED,
  SS_CONNECTING,
  SS_CONNECTED,
  SS_DISCONNECTING,
  SOMAXCONN,
} from './net/ipv4/af_inet';
export { sk_stream_closing, sk_stream_wait_close, sock_error } from './net/core/stream';
export { jiffies, jiffies_at, timer_expires_jiffies } from './kernel/time/timer';
export {
  tun_get_user,
  tun_gso_segment,
  tun_set_offload,
  tun_set_features,
  tun_features,
  tun_file,
  NETIF_F_GSO,
  NETIF_F_GRO,
  NETIF_F_TSO,
  TUN_F_CSUM,
  TUN_F_TSO4,
  TUN_F_TSO6,
  TUN_F_TSO_ECN,
  ARPHRD_NONE,
  type TunFile,
  type TunFrame,
} from './drivers/net/tun';
export { iov_iter_advance } from './lib/iov_iter';
export * from './include/net/af_unix';
export { unix_seq_show } from './net/unix/af_unix';
export { unix_diag_dump, type UnixDiagMsg } from './net/unix/diag';
// The side-car bypass: BPF maps and programs (kernel/bpf), sockmap and sk_msg (net/core), tcp_bpf.
export * from './include/linux/bpf';
export type { SkMsg, SkPsock } from './include/linux/skmsg';
export {
  bpf_state,
  map_create,
  bpf_prog_load,
  bpf_obj_pin,
  bpf_obj_get,
  bpf_obj_unpin,
  bpf_prog_put,
  bpf_map_put,
  map_get_next_key,
  map_lookup_elem,
  bpf_prog_attach,
  bpf_prog_detach,
  BPFFS,
  type BpfState,
  type MapCreateAttr,
} from './kernel/bpf/syscall';
export { cgroup_bpf_prog_query, cgroup_get_from_path, CGROUP_ROOT } from './kernel/bpf/cgroup';
export { bpf_sock_hash_update, bpf_msg_redirect_hash, sock_map_mem_usage } from './net/core/sock_map';
