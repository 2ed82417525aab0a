/**
 * net/ipv4/tcp.c: the TCP socket as the process sees it. Creating one (tcp_init_sock), state changes
 * (tcp_set_state, tcp_done), sendmsg (copying into skbs on the write queue, Nagle/cork pushes), recvmsg
 * (copied_seq, the window-update ACK of tcp_cleanup_rbuf), close/shutdown/disconnect, poll, ioctl,
 * socket options and TCP_INFO.
 *
 * The model never sleeps: where the kernel would wait (connect in progress, no send space, no data), the
 * call returns what it has (or -EAGAIN) and the runtime waits on sk.wq and calls again.
 */
import { iov_iter_advance } from '../../lib/iov_iter';
import type { KernelCtx, KTimer } from '../../include/net/kctx';
import type { Net } from '../../include/net/net_namespace';
import type { SkBuff, UbufInfoMsgzc } from '../../include/linux/skbuff';
import { MAX_SKB_FRAGS } from '../../include/linux/skbuff';
import {
  msg_zerocopy_realloc,
  net_zcopy_put,
  net_zcopy_put_abort,
  skb_zcopy,
  skb_zcopy_clear,
  skb_zcopy_pure,
  skb_zerocopy_iter_stream,
  sock_tx_timestamp,
} from '../core/skbuff';
import { sock_set_timestamping } from '../core/sock';
import { SOF_TIMESTAMPING_TX_ACK, SOF_TIMESTAMPING_TX_RECORD_MASK } from '../../include/linux/net_tstamp';
import {
  allocSkb,
  copyOf,
  queueDelAt,
  skbDataAlloc,
  skbTruesize,
  CHECKSUM_PARTIAL,
} from '../../include/linux/skbuff';
import type { TcpSock, TcpSackBlock } from '../../include/linux/tcp';
import { newOptionsReceived } from '../../include/linux/tcp';
import * as T from '../../include/net/tcp';
import {
  TCP_SKB_CB,
  after,
  before,
  newTcpSkbCb,
  sock_flag,
  sock_reset_flag,
  sock_set_flag,
  tcp_jiffies32,
  tcp_rtx_and_write_queues_empty,
  tcp_rtx_queue_empty,
  tcp_send_head,
  tcp_write_queue_empty,
  tcp_write_queue_tail,
  tcp_skb_can_collapse_to,
  tcp_skb_pcount_set,
  tcp_snd_cwnd,
  tcp_snd_cwnd_set,
  tcp_receive_window,
  tcp_bound_to_half_wnd,
  tcp_is_sack,
  tcp_min_rtt,
  tcp_inq,
  tcp_epollin_ready,
  tcp_fin_time,
  __sk_stream_is_writeable,
  sk_stream_memory_free,
  inet_csk_ack_scheduled,
  inet_csk_delack_init,
  inet_csk_enter_pingpong_mode,
  inet_csk_exit_pingpong_mode,
  inet_csk_in_pingpong_mode,
  keepalive_intvl_when,
  keepalive_probes,
  keepalive_time_when,
  jiffies_to_msecs,
  jiffies_to_usecs,
  usecs_to_jiffies,
  tcp_space_from_win,
} from '../../include/net/tcp';
import {
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_CLOSING,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_LAST_ACK,
  TCP_LISTEN,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
  TCPF_CLOSE,
  TCPF_CLOSE_WAIT,
  TCPF_CLOSING,
  TCPF_ESTABLISHED,
  TCPF_FIN_WAIT1,
  TCPF_FIN_WAIT2,
  TCPF_LAST_ACK,
  TCPF_LISTEN,
  TCPF_SYN_RECV,
  TCPF_SYN_SENT,
} from '../../include/net/tcp_states';
import {
  IPPROTO_TCP,
  IP_PMTUDISC_DONT,
  IP_PMTUDISC_WANT,
  SOCK_STREAM,
  sk_forced_mem_schedule,
  sk_mem_charge,
  sk_mem_uncharge,
  sk_wmem_schedule,
  sockDefReadable,
} from '../../include/net/sock';
import { LINUX_MIB, TCP_MIB } from '../../include/net/snmp';
import { kfn } from '../../include/net/trace';
import type { Verdict } from '../../include/net/verdict';
import {
  EAGAIN,
  EALREADY,
  ECONNABORTED,
  EEXIST,
  EMSGSIZE,
  ENOBUFS,
  ENOMEM,
  ECONNRESET,
  EINPROGRESS,
  EINVAL,
  ENOIOCTLCMD,
  ENOPROTOOPT,
  ENOTCONN,
  EOPNOTSUPP,
  EPERM,
  EPIPE,
} from '../../include/linux/errno';
import { timer_setup } from '../../kernel/time/timer';
import {
  inet_csk_clear_xmit_timers,
  inet_csk_destroy_sock,
  inet_csk_init_xmit_timers,
  inet_csk_listen_stop,
  inet_csk_reset_keepalive_timer,
  sock_orphan,
} from './inet_connection_sock';
import { inet_put_port, inet_unhash } from './inet_hashtables';
import {
  __tcp_push_pending_frames,
  __tcp_select_window,
  tcp_current_mss,
  tcp_cwnd_restart,
  tcp_delack_max,
  tcp_pace_kick,
  tcp_push_one,
  tcp_push_pending_frames,
  tcp_release_cb,
  tcp_send_ack,
  tcp_send_active_reset,
  tcp_send_fin,
  tcp_write_queue_purge,
  tcp_connect,
} from './tcp_output';
import {
  tcp_assign_congestion_control,
  tcp_reno,
  tcp_set_ca_state,
  tcp_set_congestion_control,
} from './tcp_cong';
import { tcp_rate_check_app_limited } from './tcp_rate';
import { tcp_clear_retrans, tcp_fast_path_on, tcp_rcv_space_adjust } from './tcp_input';
import { tcp_compressed_ack_kick, tcp_set_keepalive } from './tcp_timer';
import { reqsk_fastopen_remove, tcp_time_wait } from './tcp_minisocks';
import {
  fastopen_queue_tune,
  tcp_fastopen_init_key_once,
  tcp_fastopen_reset_sock_cipher,
} from './tcp_fastopen';
import { tcp_v4_do_rcv } from './tcp_ipv4';
import { __inet_stream_connect, trace_sendmsg } from './af_inet';
import {
  sk_stream_error,
  sk_stream_wait_connect,
  sk_stream_wait_memory,
  sk_stream_write_space,
  sock_error,
  sock_rcvlowat,
} from '../core/stream';

const F = {
  sendmsg: kfn(
    'tcp_sendmsg_locked',
    'net/ipv4/tcp.c',
    'tcp',
    (_o, seq, goal, mss) => `tcp_skb_entail seq ${seq >>> 0}, size_goal ${goal} mss ${mss}`,
  ),
  recvmsg: kfn(
    'tcp_recvmsg_locked',
    'net/ipv4/tcp.c',
    'socket',
    (comm, seq) => `read by ${comm as string}, copied_seq ${seq >>> 0}`,
  ),
  close: kfn('__tcp_close', 'net/ipv4/tcp.c', 'tcp', (o: string) => o),
  disconnect: kfn('tcp_disconnect', 'net/ipv4/tcp.c', 'tcp', (o: string) => o),
};

// ---- uapi constants the socket calls use -------------------------------------------------------------

/** Socket option levels */
export const SOL_IP = 0;
export const SOL_SOCKET = 1;
export const SOL_TCP = 6;

/** SOL_SOCKET options (asm-generic/socket.h) */
export const SO_DEBUG = 1;
export const SO_REUSEADDR = 2;
export const SO_TYPE = 3;
export const SO_ERROR = 4;
export const SO_DONTROUTE = 5;
export const SO_BROADCAST = 6;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_KEEPALIVE = 9;
export const SO_OOBINLINE = 10;
export const SO_PRIORITY = 12;
export const SO_LINGER = 13;
export const SO_REUSEPORT = 15;
export const SO_RCVLOWAT = 18;
export const SO_ACCEPTCONN = 30;
export const SO_SNDBUFFORCE = 32;
export const SO_RCVBUFFORCE = 33;
export const SO_MARK = 36;
export const SO_PROTOCOL = 38;
export const SO_DOMAIN = 39;
export const SO_ZEROCOPY = 60;
export const SO_TIMESTAMPING_OLD = 37;
export const SO_TIMESTAMPING_NEW = 65;
export const SO_TIMESTAMPING = SO_TIMESTAMPING_OLD;

/** SOL_TCP options (uapi/linux/tcp.h) */
export const TCP_NODELAY = 1;
export const TCP_MAXSEG = 2;
export const TCP_CORK = 3;
export const TCP_KEEPIDLE = 4;
export const TCP_KEEPINTVL = 5;
export const TCP_KEEPCNT = 6;
export const TCP_SYNCNT = 7;
export const TCP_LINGER2 = 8;
export const TCP_DEFER_ACCEPT = 9;
export const TCP_WINDOW_CLAMP = 10;
export const TCP_INFO = 11;
export const TCP_QUICKACK = 12;
export const TCP_CONGESTION = 13;
export const TCP_THIN_LINEAR_TIMEOUTS = 16;
export const TCP_THIN_DUPACK = 17;
export const TCP_USER_TIMEOUT = 18;
export const TCP_FASTOPEN = 23;
export const TCP_NOTSENT_LOWAT = 25;
export const TCP_SAVE_SYN = 27;
export const TCP_FASTOPEN_CONNECT = 30;
export const TCP_FASTOPEN_KEY = 33;
export const TCP_FASTOPEN_NO_COOKIE = 34;
export const TCP_INQ = 36;
export const TCP_CM_INQ = TCP_INQ;
export const TCP_TX_DELAY = 37;

/** ioctls (asm-generic/ioctls.h, uapi/linux/sockios.h) */
export const SIOCINQ = 0x541b;
export const SIOCOUTQ = 0x5411;
export const SIOCATMARK = 0x8905;
export const SIOCOUTQNSD = 0x894b;

/** poll bits (uapi/linux/eventpoll.h) */
export const EPOLLIN = 0x1;
export const EPOLLPRI = 0x2;
export const EPOLLOUT = 0x4;
export const EPOLLERR = 0x8;
export const EPOLLHUP = 0x10;
export const EPOLLRDNORM = 0x40;
export const EPOLLWRNORM = 0x100;
export const EPOLLRDHUP = 0x2000;

/** tcpi_options */
export const TCPI_OPT_TIMESTAMPS = 1;
export const TCPI_OPT_SACK = 2;
export const TCPI_OPT_WSCALE = 4;
export const TCPI_OPT_ECN = 8;
export const TCPI_OPT_ECN_SEEN = 16;
export const TCPI_OPT_SYN_DATA = 32;
export const TCPI_OPT_USEC_TS = 64;

/** O_NONBLOCK, as connect/accept flags */
export const O_NONBLOCK = 0o4000;

/** TCP_SKB_MIN_TRUESIZE, SOCK_MIN_SNDBUF, SOCK_MIN_RCVBUF (include/net/sock.h) */
export const TCP_SKB_MIN_TRUESIZE = 2048 + 256;
export const SOCK_MIN_SNDBUF = TCP_SKB_MIN_TRUESIZE * 2;
export const SOCK_MIN_RCVBUF = TCP_SKB_MIN_TRUESIZE;
/** net.core.wmem_max / rmem_max / wmem_default / rmem_default */
export const SYSCTL_WMEM_MAX = 212992;
export const SYSCTL_RMEM_MAX = 212992;
export const SYSCTL_WMEM_DEFAULT = 212992;
export const SYSCTL_RMEM_DEFAULT = 212992;
/** tcp_max_orphans on a 24 GiB machine (tcp_init: half the established hash). */
export const TCP_MAX_ORPHANS = 131072;
/** net.ipv4.tcp_fastopen bits */
export const TFO_CLIENT_ENABLE = 1;

const TCP_CA_NAME_MAX = 16;
const INT_MAX = 0x7fffffff;
const MAX_SCHEDULE_TIMEOUT = INT_MAX;

/** struct tcp_info (uapi/linux/tcp.h), as tcp_get_info fills it. u64 rates: Infinity is ~0ULL (unlimited). */
export interface TcpInfo {
  tcpi_state: number;
  tcpi_ca_state: number;
  tcpi_retransmits: number;
  tcpi_probes: number;
  tcpi_backoff: number;
  tcpi_options: number;
  tcpi_snd_wscale: number;
  tcpi_rcv_wscale: number;
  tcpi_delivery_rate_app_limited: number;
  tcpi_fastopen_client_fail: number;
  tcpi_rto: number;
  tcpi_ato: number;
  tcpi_snd_mss: number;
  tcpi_rcv_mss: number;
  tcpi_unacked: number;
  tcpi_sacked: number;
  tcpi_lost: number;
  tcpi_retrans: number;
  tcpi_fackets: number;
  tcpi_last_data_sent: number;
  tcpi_last_ack_sent: number;
  tcpi_last_data_recv: number;
  tcpi_last_ack_recv: number;
  tcpi_pmtu: number;
  tcpi_rcv_ssthresh: number;
  tcpi_rtt: number;
  tcpi_rttvar: number;
  tcpi_snd_ssthresh: number;
  tcpi_snd_cwnd: number;
  tcpi_advmss: number;
  tcpi_reordering: number;
  tcpi_rcv_rtt: number;
  tcpi_rcv_space: number;
  tcpi_total_retrans: number;
  tcpi_pacing_rate: number;
  tcpi_max_pacing_rate: number;
  tcpi_bytes_acked: number;
  tcpi_bytes_received: number;
  tcpi_segs_out: number;
  tcpi_segs_in: number;
  tcpi_notsent_bytes: number;
  tcpi_min_rtt: number;
  tcpi_data_segs_in: number;
  tcpi_data_segs_out: number;
  tcpi_delivery_rate: number;
  tcpi_busy_time: number;
  tcpi_rwnd_limited: number;
  tcpi_sndbuf_limited: number;
  tcpi_delivered: number;
  tcpi_delivered_ce: number;
  tcpi_bytes_sent: number;
  tcpi_bytes_retrans: number;
  tcpi_dsack_dups: number;
  tcpi_reord_seen: number;
  tcpi_rcv_ooopack: number;
  tcpi_snd_wnd: number;
  tcpi_rcv_wnd: number;
  tcpi_rehash: number;
  tcpi_total_rto: number;
  tcpi_total_rto_recoveries: number;
  tcpi_total_rto_time: number;
}

/** struct linger (SO_LINGER) */
export interface Linger {
  onoff: number;
  linger: number;
}

/** An option's value: an int, a string (TCP_CONGESTION), struct linger (SO_LINGER). */
export type SockoptVal = number | string | Linger;

// ---- creating a socket -------------------------------------------------------------------------------

/** A placeholder for a timer tcp_init_sock sets up. */
const NO_TIMER = null as unknown as KTimer<TcpSock>;

function sackBlocks(n: number): TcpSackBlock[] {
  const blocks: TcpSackBlock[] = [];
  for (let i = 0; i < n; i++) blocks.push({ startSeq: 0, endSeq: 0 });
  return blocks;
}

/**
 * socket(AF_INET, SOCK_STREAM, 0): inet_create's sk_alloc + sock_init_data + inet_sock setup, then
 * tcp_v4_init_sock → tcp_init_sock. The socket is in TCP_CLOSE, unbound and unhashed.
 */
export function newTcpSock(net: Net, comm: string): TcpSock {
  // newSock's fields written out, not spread: V8 builds `{ ...base, <200 more> }` one property at a time
  // into a dictionary (milliseconds per socket); one literal is a single allocation.
  const partial: TcpSock = {
    type: SOCK_STREAM,
    protocol: IPPROTO_TCP,
    net,
    num: 0,
    rcvSaddr: 0,
    saddr: 0,
    daddr: 0,
    dport: 0,
    connected: false,
    ttl: -1,
    tos: 0,
    priority: 0,
    // inet_create: IP_PMTUDISC_DONT if net.ipv4.ip_no_pmtu_disc.
    pmtudisc: net.sysctl.ipNoPmtuDisc ? IP_PMTUDISC_DONT : IP_PMTUDISC_WANT,
    recverr: false,
    rmemAlloc: 0,
    forwardAlloc: 0,
    drops: 0,
    receiveQueue: [],
    errorQueue: [],
    dstCache: null,
    wq: [],
    comm,
    closed: false,
    skErr: 0,
    broadcast: false,
    icmpFilter: 0,
    wmemAlloc: 0,
    // sock_init_data
    rcvbuf: SYSCTL_RMEM_DEFAULT,
    state: TCP_CLOSE,
    shutdown: 0,
    sndbuf: SYSCTL_WMEM_DEFAULT,
    wmemQueued: 0,
    userlocks: 0,
    owned: false,
    backlog: [],
    backlogLen: 0,
    flags: 0,
    psock: null,
    skProt: null,
    zckey: 0,
    mark: 0,
    tsflags: 0,
    tskey: 0,
    lingertime: 0,
    rcvlowat: 1,
    errSoft: 0,
    ackBacklog: 0,
    maxAckBacklog: 0,
    reuse: 0,
    reuseport: false,
    boundDevIf: 0,
    orphan: false,
    pacingRate: Infinity,
    maxPacingRate: Infinity,
    pacingStatus: T.SK_PACING_NONE,
    pacingShift: 10,
    // sk_setup_caps of a GSO-capable route (connect/accept set these again from the device).
    gsoMaxSize: 65536,
    gsoMaxSegs: 65535,
    gsoOk: true,
    sport: 0,
    inetId: 0,
    rcvTos: 0,
    rxDst: null,
    nospace: false,
    writePending: 0,
    deferAccept: 0,
    hashed: 'none',
    bound: false,
    hasSocket: true,
    // inet_connection_sock
    icskRto: T.TCP_TIMEOUT_INIT,
    icskRtoMin: T.TCP_RTO_MIN,
    icskDelackMax: T.TCP_DELACK_MAX,
    icskPmtuCookie: 0,
    icskCaOps: tcp_reno,
    icskCaState: T.TCP_CA_Open,
    icskCaInitialized: false,
    icskCaSetsockopt: false,
    icskCaPriv: null,
    icskRetransmits: 0,
    icskPending: 0,
    icskBackoff: 0,
    icskSynRetries: 0,
    icskProbesOut: 0,
    icskProbesTstamp: 0,
    icskExtHdrLen: 0,
    icskAck: T.newIcskAck(),
    icskMtup: { enabled: false, searchHigh: 0, searchLow: 0, probeSize: 0, probeTimestamp: 0 },
    icskUserTimeout: 0,
    icskTimeout: 0,
    acceptQueue: [],
    synQueueLen: 0,
    synfloodWarned: false,
    synQueueYoung: 0,
    parent: null,
    // tcp_sock (zeroed by sk_alloc; tcp_init_sock sets the rest)
    tcpHeaderLen: 0,
    gsoSegs: 0,
    predFlags: 0,
    bytesReceived: 0,
    segsIn: 0,
    dataSegsIn: 0,
    rcvNxt: 0,
    copiedSeq: 0,
    rcvWup: 0,
    sndNxt: 0,
    segsOut: 0,
    dataSegsOut: 0,
    bytesSent: 0,
    bytesAcked: 0,
    dsackDups: 0,
    sndUna: 0,
    sndSml: 0,
    rcvTstamp: 0,
    lsndtime: 0,
    lastOowAckTime: 0,
    compressedAckRcvNxt: 0,
    tsoffset: 0,
    sndWl1: 0,
    sndWnd: 0,
    maxWindow: 0,
    mssCache: 0,
    windowClamp: 0,
    rcvSsthresh: 0,
    rackMstamp: 0,
    rackRttUs: 0,
    rackEndSeq: 0,
    rackLastDelivered: 0,
    rackReoWndSteps: 0,
    rackReoWndPersist: 0,
    rackDsackSeen: 0,
    rackAdvanced: 0,
    advmss: 0,
    compressedAck: 0,
    dupAckCounter: 0,
    tlpRetrans: 0,
    tcpUsecTs: false,
    isSackReneg: 0,
    isCwndLimited: 0,
    thinLto: 0,
    fastopenConnect: 0,
    deferConnect: false,
    fastopenNoCookie: 0,
    fastopenClientFail: 0,
    frto: 0,
    repair: 0,
    synData: 0,
    synFastopen: 0,
    synFastopenExp: 0,
    synFastopenCh: 0,
    synDataAcked: 0,
    saveSyn: 0,
    nonagle: 0,
    rateAppLimited: 0,
    chronoStart: 0,
    chronoStat: [0, 0, 0],
    chronoType: T.TCP_CHRONO_UNSPEC,
    keepaliveProbes: 0,
    tcpTxDelay: 0,
    tcpMstamp: 0,
    tcpClockCache: 0,
    tcpWstampNs: 0,
    srttUs: 0,
    mdevUs: 0,
    mdevMaxUs: 0,
    rttvarUs: 0,
    rttSeq: 0,
    rttMin: [],
    packetsOut: 0,
    retransOut: 0,
    maxPacketsOut: 0,
    cwndUsageSeq: 0,
    urgData: 0,
    ecnFlags: 0,
    keepaliveTime: 0,
    keepaliveIntvl: 0,
    linger2: 0,
    reordering: 0,
    reordSeen: 0,
    sndUp: 0,
    rxOpt: newOptionsReceived(),
    sndSsthresh: 0,
    sndCwnd: 0,
    sndCwndCnt: 0,
    sndCwndClamp: 0,
    sndCwndUsed: 0,
    sndCwndStamp: 0,
    priorCwnd: 0,
    prrDelivered: 0,
    prrOut: 0,
    delivered: 0,
    deliveredCe: 0,
    lost: 0,
    appLimited: 0,
    firstTxMstamp: 0,
    deliveredMstamp: 0,
    rateDelivered: 0,
    rateIntervalUs: 0,
    rcvWnd: 0,
    writeSeq: 0,
    notsentLowat: 0,
    recvmsgInq: 0,
    pushedSeq: 0,
    lostOut: 0,
    sackedOut: 0,
    duplicateSack: [{ startSeq: 0, endSeq: 0 }],
    selectiveAcks: sackBlocks(T.TCP_NUM_SACKS),
    recvSackCache: sackBlocks(T.TCP_NUM_SACKS),
    lostSkbHint: null,
    retransmitSkbHint: null,
    highestSack: null,
    lostCntHint: 0,
    priorSsthresh: 0,
    highSeq: 0,
    retransStamp: 0,
    undoMarker: 0,
    undoRetrans: 0,
    bytesRetrans: 0,
    totalRetrans: 0,
    rtoStamp: 0,
    totalRto: 0,
    totalRtoRecoveries: 0,
    totalRtoTime: 0,
    urgSeq: 0,
    tlpHighSeq: 0,
    rcvRttLastTsecr: 0,
    rcvRttEst: { rttUs: 0, seq: 0, time: 0 },
    rcvqSpace: { space: 0, seq: 0, time: 0 },
    mtuProbe: { probeSeqStart: 0, probeSeqEnd: 0 },
    mtuInfo: 0,
    rcvOoopack: 0,
    scalingRatio: 0,
    fastopenReq: null,
    fastopenRsk: null,
    fastopenMaxQlen: 0,
    fastopenQlen: 0,
    timeoutRehash: 0,
    plbRehash: 0,
    tsqFlags: 0,
    md5Keys: [],
    writeQueue: [],
    rtxQueue: [],
    tsortedSentQueue: [],
    outOfOrderQueue: [],
    ooLastSkb: null,
    // Filled in by tcp_init_sock's init_xmit_timers; present from the start so that the object keeps one
    // shape (properties added later would turn it into a dictionary).
    icskRetransmitTimer: NO_TIMER,
    icskDelackTimer: NO_TIMER,
    keepaliveTimer: NO_TIMER,
    pacingTimer: NO_TIMER,
    compressedAckTimer: NO_TIMER,
    // sock_alloc: SS_UNCONNECTED (af_inet.ts's SS_* values)
    sockState: 1,
  };
  const sk = partial;
  tcp_init_sock(null, sk);
  net.tcpSockets.add(sk);
  return sk;
}

/** tcp_init_xmit_timers (tcp_timer.c): the icsk timers, the pacing hrtimer, the compressed-ACK hrtimer. */
function init_xmit_timers(sk: TcpSock): void {
  inet_csk_init_xmit_timers(sk);
  sk.pacingTimer = timer_setup(sk.net.host, tcp_pace_kick, sk);
  sk.compressedAckTimer = timer_setup(sk.net.host, tcp_compressed_ack_kick, sk);
}

/**
 * tcp_init_sock: address-family independent initialisation. `ctx` is null at socket(2) time (no clock is
 * needed: rtt_min starts at ~0 whatever the stamp).
 */
export function tcp_init_sock(ctx: KernelCtx | null, sk: TcpSock): void {
  const net = sk.net;
  sk.outOfOrderQueue = [];
  sk.rtxQueue = [];
  init_xmit_timers(sk);
  sk.tsortedSentQueue = [];
  sk.icskRto = T.TCP_TIMEOUT_INIT;
  sk.icskRtoMin = usecs_to_jiffies(net.sysctl.tcp.rtoMinUs);
  sk.icskDelackMax = T.TCP_DELACK_MAX;
  sk.mdevUs = jiffies_to_usecs(T.TCP_TIMEOUT_INIT);
  // minmax_reset(&tp->rtt_min, tcp_jiffies32, ~0U)
  const t = ctx ? tcp_jiffies32(ctx) : 0;
  sk.rttMin = [
    { t, v: 0xffffffff },
    { t, v: 0xffffffff },
    { t, v: 0xffffffff },
  ];
  // So many TCP implementations out there (incorrectly) count the initial SYN frame in their delayed-ACK
  // and congestion control algorithms that we must have the following bandaid to talk efficiently to them.
  tcp_snd_cwnd_set(sk, T.TCP_INIT_CWND);
  // There's a bubble in the pipe until at least the first ACK.
  sk.appLimited = 0xffffffff;
  sk.rateAppLimited = 1;
  sk.sndSsthresh = T.TCP_INFINITE_SSTHRESH;
  sk.sndCwndClamp = 0xffffffff;
  sk.mssCache = T.TCP_MSS_DEFAULT;
  sk.reordering = net.sysctl.tcp.reordering;
  tcp_assign_congestion_control(sk);
  sk.tsoffset = 0;
  sk.rackReoWndSteps = 1;
  sk.sndbuf = net.sysctl.tcp.wmem[1];
  sk.rcvbuf = net.sysctl.tcp.rmem[1];
  // tcp_scaling_ratio_init
  sk.scalingRatio = T.TCP_DEFAULT_SCALING_RATIO;
}

// ---- the socket lock ------------------------------------------------------------------------------------

// TODO(contract): lock_sock/release_sock and sk_setsockopt/sk_getsockopt are net/core/sock.c's; they live here
// because net/core/sock.ts is not T2's. Move them there if its owner wants them.

/** lock_sock (net/core/sock.c): the process owns the socket; softirq queues to the backlog meanwhile. */
export function lock_sock(sk: TcpSock): void {
  sk.owned = true;
}

/** What to do with an skb a receive function handed back outside a hop. */
function finish_verdict(ctx: KernelCtx, v: Verdict): void {
  if (v.kind === 'next') ctx.run(v.hop, v.skb);
  else if (v.kind === 'drop') {
    v.skb.dropReason = v.reason;
    ctx.free(v.skb);
  } else if (v.kind === 'consumed') ctx.free(v.skb);
}

/** __release_sock: process what arrived while the socket was owned (sk_backlog_rcv → tcp_v4_do_rcv). */
function __release_sock(ctx: KernelCtx, sk: TcpSock): void {
  while (sk.backlog.length) {
    const skbs = sk.backlog;
    sk.backlog = [];
    for (const skb of skbs) finish_verdict(ctx, tcp_v4_do_rcv(ctx, sk, skb));
  }
  // Doing the zeroing here guarantee we can not loop forever while a wild producer attempts to flood us.
  sk.backlogLen = 0;
}

/** release_sock (net/core/sock.c): the backlog, then tcp_release_cb's deferred work. */
export function release_sock(ctx: KernelCtx, sk: TcpSock): void {
  if (sk.backlog.length) __release_sock(ctx, sk);
  tcp_release_cb(ctx, sk);
  sk.owned = false;
}

// ---- state ----------------------------------------------------------------------------------------------

/** tcp_set_state: CurrEstab and EstabResets move; a closing socket leaves the hashes and its port. */
export function tcp_set_state(_ctx: KernelCtx, sk: TcpSock, state: number): void {
  const oldstate = sk.state;
  const mib = sk.net.mib.tcp;
  switch (state) {
    case TCP_ESTABLISHED:
      if (oldstate !== TCP_ESTABLISHED) mib[TCP_MIB.CurrEstab]++;
      break;
    case TCP_CLOSE_WAIT:
      if (oldstate === TCP_SYN_RECV) mib[TCP_MIB.CurrEstab]++;
      break;
    default:
      if (state === TCP_CLOSE) {
        if (oldstate === TCP_CLOSE_WAIT || oldstate === TCP_ESTABLISHED) mib[TCP_MIB.EstabResets]++;
        inet_unhash(sk);
        if (sk.bound && !(sk.userlocks & T.SOCK_BINDPORT_LOCK)) inet_put_port(sk);
      }
      if (oldstate === TCP_ESTABLISHED || oldstate === TCP_CLOSE_WAIT) mib[TCP_MIB.CurrEstab]--;
  }
  // Change state AFTER socket is unhashed to avoid closed socket sitting in hash tables.
  sk.state = state;
}

/** The FIN a close sends in each state: new_state[] of tcp.c. */
const TCP_ACTION_FIN = 1 << TCP_CLOSE;
const TCP_STATE_MASK = 0xf;
const NEW_STATE: number[] = [
  TCP_CLOSE,
  TCP_FIN_WAIT1 | TCP_ACTION_FIN, // TCP_ESTABLISHED
  TCP_CLOSE, // TCP_SYN_SENT
  TCP_FIN_WAIT1 | TCP_ACTION_FIN, // TCP_SYN_RECV
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_CLOSE, // TCP_TIME_WAIT
  TCP_CLOSE,
  TCP_LAST_ACK | TCP_ACTION_FIN, // TCP_CLOSE_WAIT
  TCP_LAST_ACK,
  TCP_CLOSE, // TCP_LISTEN
  TCP_CLOSING,
  TCP_CLOSE, // TCP_NEW_SYN_RECV: should not happen
];

/** tcp_close_state: move to the closing state; true if a FIN must be sent. */
export function tcp_close_state(ctx: KernelCtx, sk: TcpSock): boolean {
  const next = NEW_STATE[sk.state];
  tcp_set_state(ctx, sk, next & TCP_STATE_MASK);
  return (next & TCP_ACTION_FIN) !== 0;
}

/** tcp_clear_xmit_timers (include/net/tcp.h) */
export function tcp_clear_xmit_timers(ctx: KernelCtx, sk: TcpSock): void {
  if (sk.pacingTimer.pending) ctx.delTimer(sk.pacingTimer);
  if (sk.compressedAckTimer.pending) ctx.delTimer(sk.compressedAckTimer);
  inet_csk_clear_xmit_timers(ctx, sk);
}

/** tcp_done: the connection is over (reset, timeout, last ACK): CLOSE, timers off, wake or destroy. */
export function tcp_done(ctx: KernelCtx, sk: TcpSock): void {
  const req = sk.fastopenRsk;
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) sk.net.mib.tcp[TCP_MIB.AttemptFails]++;
  tcp_set_state(ctx, sk, TCP_CLOSE);
  tcp_clear_xmit_timers(ctx, sk);
  if (req) reqsk_fastopen_remove(sk, req, false);
  sk.shutdown = T.SHUTDOWN_MASK;
  if (!sock_flag(sk, T.SOCK_DEAD)) sockDefReadable(sk);
  else inet_csk_destroy_sock(ctx, sk);
}

/** tcp_done_with_error lives in tcp_input.c (the lead's tcp_input.ts); re-exported for the callers of tcp.h. */
export { tcp_done_with_error } from './tcp_input';

// ---- write-queue skbs -------------------------------------------------------------------------------------

/**
 * tcp_stream_alloc_skb: a headerless skb for the write queue (alloc_skb_fclone(MAX_TCP_HEADER), all of it
 * headroom). truesize is SKB_TRUESIZE of the head (1280); payload added later grows it. Its memory is
 * reserved in sk_forward_alloc (sk_wmem_schedule, or sk_forced_mem_schedule); memory pressure is not
 * modelled, so it never fails.
 */
export function tcp_stream_alloc_skb(ctx: KernelCtx, sk: TcpSock, forceSchedule = false): SkBuff {
  const skb = allocSkb(ctx.newSkbId(), sk.net, 0, T.MAX_TCP_HEADER);
  skb.ipSummed = CHECKSUM_PARTIAL;
  skb.comm = ctx.comm();
  skb.tcb = newTcpSkbCb();
  skb.tcb.truesize = skbTruesize(skb);
  if (forceSchedule) sk_forced_mem_schedule(sk, skb.tcb.truesize);
  else sk_wmem_schedule(sk, skb.tcb.truesize);
  return skb;
}

/**
 * tcp_wmem_free_skb (include/net/tcp.h): uncharge sk_wmem_queued and the socket's memory (of a pure
 * zerocopy skb only its head was charged), then __kfree_skb: skb_release_data lets go of its zerocopy
 * range (skb_zcopy_clear), which may queue the completion.
 */
export function tcp_wmem_free_skb(sk: TcpSock, skb: SkBuff): void {
  sk.wmemQueued -= TCP_SKB_CB(skb).truesize;
  if (!skb_zcopy_pure(skb)) sk_mem_uncharge(sk, TCP_SKB_CB(skb).truesize);
  else sk_mem_uncharge(sk, TCP_SKB_CB(skb).truesize - skb.zcTruesize);
  skb_zcopy_clear(skb, true);
}

/**
 * tcp_downgrade_zcopy_pure: copied bytes join a pure zerocopy skb, so the pinned pages' truesize is now
 * charged to the socket too.
 */
function tcp_downgrade_zcopy_pure(sk: TcpSock, skb: SkBuff): number {
  if (skb_zcopy_pure(skb)) {
    const extra = skb.zcTruesize;
    if (!sk_wmem_schedule(sk, extra)) return -ENOMEM;
    sk_mem_charge(sk, extra);
    skb.zcopyPure = false;
  }
  return 0;
}

/**
 * sk_route_caps & NETIF_F_SG: sk_setup_caps gives a GSO-capable route scatter-gather (every lab device
 * has NETIF_F_SG, as lo, veth and tun do).
 */
function sk_route_caps_sg(sk: TcpSock): boolean {
  return sk.gsoOk;
}

/** tcp_chrono_set (tcp_output.c) */
function tcp_chrono_set(ctx: KernelCtx, tp: TcpSock, nw: number): void {
  const now = tcp_jiffies32(ctx);
  const old = tp.chronoType;
  if (old > T.TCP_CHRONO_UNSPEC) tp.chronoStat[old - 1] += (now - tp.chronoStart) >>> 0;
  tp.chronoStart = now;
  tp.chronoType = nw;
}

/**
 * tcp_chrono_start (tcp_output.c): the highest priority condition being timed wins: something "more
 * interesting" stops the previous chrono and starts a new one.
 */
export function tcp_chrono_start(ctx: KernelCtx, sk: TcpSock, type: number): void {
  if (type > sk.chronoType) tcp_chrono_set(ctx, sk, type);
}

/** tcp_chrono_stop (tcp_output.c): back to BUSY while data is pending, else nothing is timed. */
export function tcp_chrono_stop(ctx: KernelCtx, sk: TcpSock, type: number): void {
  if (tcp_rtx_and_write_queues_empty(sk)) tcp_chrono_set(ctx, sk, T.TCP_CHRONO_UNSPEC);
  else if (type === sk.chronoType) tcp_chrono_set(ctx, sk, T.TCP_CHRONO_BUSY);
}

/** tcp_add_write_queue_tail (include/net/tcp.h): queue it; the first skb of an empty queue starts the busy clock. */
export function tcp_add_write_queue_tail(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): void {
  sk.writeQueue.push(skb);
  if (sk.writeQueue.length === 1) tcp_chrono_start(ctx, sk, T.TCP_CHRONO_BUSY);
}

/** tcp_mark_push */
export function tcp_mark_push(tp: TcpSock, skb: SkBuff): void {
  TCP_SKB_CB(skb).tcpFlags |= T.TCPHDR_PSH;
  tp.pushedSeq = tp.writeSeq;
}

/** forced_push: more than half the peer's largest window written since the last PSH. */
function forced_push(tp: TcpSock): boolean {
  return after(tp.writeSeq, (tp.pushedSeq + (tp.maxWindow >>> 1)) >>> 0);
}

/** tcp_slow_start_after_idle_check (include/net/tcp.h) */
function tcp_slow_start_after_idle_check(ctx: KernelCtx, sk: TcpSock): void {
  if (!sk.net.sysctl.tcp.slowStartAfterIdle || sk.packetsOut) return;
  const delta = (tcp_jiffies32(ctx) - sk.lsndtime) | 0;
  if (delta > sk.icskRto) tcp_cwnd_restart(ctx, sk, delta);
}

/** tcp_skb_entail: an empty skb joins the write queue's tail at write_seq. */
export function skb_entail(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): void {
  const tcb = TCP_SKB_CB(skb);
  tcb.seq = tcb.endSeq = sk.writeSeq;
  tcb.tcpFlags = T.TCPHDR_ACK;
  tcp_add_write_queue_tail(ctx, sk, skb);
  sk.wmemQueued += tcb.truesize;
  sk_mem_charge(sk, tcb.truesize);
  if (sk.nonagle & T.TCP_NAGLE_PUSH) sk.nonagle &= ~T.TCP_NAGLE_PUSH;
  tcp_slow_start_after_idle_check(ctx, sk);
}
export { skb_entail as tcp_skb_entail };

/** tcp_mark_urg */
function tcp_mark_urg(tp: TcpSock, flags: number): void {
  if (flags & T.MSG_OOB) tp.sndUp = tp.writeSeq;
}

/**
 * tcp_should_autocork: hold a not yet full skb while earlier data still sits in a qdisc or NIC queue
 * (sk_wmem_alloc), so later writes fill it.
 */
function tcp_should_autocork(sk: TcpSock, skb: SkBuff, sizeGoal: number): boolean {
  return (
    skb.len < sizeGoal &&
    sk.net.sysctl.tcp.autocorking !== 0 &&
    !tcp_rtx_queue_empty(sk) &&
    sk.wmemAlloc > TCP_SKB_CB(skb).truesize &&
    tcp_skb_can_collapse_to(skb)
  );
}

/** tcp_push: PSH the tail unless MSG_MORE, then send what Nagle and the cork allow. */
export function tcp_push(
  ctx: KernelCtx,
  sk: TcpSock,
  flags: number,
  mssNow: number,
  nonagle: number,
  sizeGoal: number,
): void {
  const skb = tcp_write_queue_tail(sk);
  if (!skb) return;
  if (!(flags & T.MSG_MORE) || forced_push(sk)) tcp_mark_push(sk, skb);
  tcp_mark_urg(sk, flags);
  if (tcp_should_autocork(sk, skb, sizeGoal)) {
    // avoid atomic op if TSQ_THROTTLED bit is already set
    if (!(sk.tsqFlags & T.TSQF_THROTTLED)) {
      sk.net.linuxMib[LINUX_MIB.TCPAutoCorking]++;
      sk.tsqFlags |= T.TSQF_THROTTLED;
    }
    // It is possible TX completion already happened before we set TSQ_THROTTLED.
    if (sk.wmemAlloc > TCP_SKB_CB(skb).truesize) return;
  }
  if (flags & T.MSG_MORE) nonagle = T.TCP_NAGLE_CORK;
  __tcp_push_pending_frames(ctx, sk, mssNow, nonagle);
}

/** tcp_xmit_size_goal: how much one skb should carry (a TSO burst of whole segments). */
function tcp_xmit_size_goal(sk: TcpSock, mssNow: number, largeAllowed: boolean): number {
  if (!largeAllowed) return mssNow;
  // Note : tcp_tso_autosize() will eventually split this later
  const newSizeGoal = tcp_bound_to_half_wnd(sk, sk.gsoMaxSize);
  // We try hard to avoid divides here
  let sizeGoal = sk.gsoSegs * mssNow;
  if (newSizeGoal < sizeGoal || newSizeGoal >= sizeGoal + mssNow) {
    sk.gsoSegs = Math.min(Math.floor(newSizeGoal / mssNow), sk.gsoMaxSegs, 0xffff);
    sizeGoal = sk.gsoSegs * mssNow;
  }
  return Math.max(sizeGoal, mssNow);
}

/** tcp_send_mss: the current MSS and the size goal for new skbs. */
export function tcp_send_mss(sk: TcpSock, flags: number): { mssNow: number; sizeGoal: number } {
  const mssNow = tcp_current_mss(sk);
  return { mssNow, sizeGoal: tcp_xmit_size_goal(sk, mssNow, !(flags & T.MSG_OOB)) };
}

/** tcp_remove_empty_skb: sendmsg entailed an skb but put nothing in it. */
export function tcp_remove_empty_skb(ctx: KernelCtx, sk: TcpSock): void {
  const skb = tcp_write_queue_tail(sk);
  if (skb && TCP_SKB_CB(skb).seq === TCP_SKB_CB(skb).endSeq) {
    sk.writeQueue.pop();
    if (tcp_write_queue_empty(sk)) tcp_chrono_stop(ctx, sk, T.TCP_CHRONO_BUSY);
    tcp_wmem_free_skb(sk, skb);
  }
}

/** tcp_free_fastopen_req */
export function tcp_free_fastopen_req(tp: TcpSock): void {
  tp.fastopenReq = null;
}

/**
 * tcp_sendmsg_fastopen: sendto(MSG_FASTOPEN): the data rides on the SYN that __inet_stream_connect sends
 * (tcp_send_syn_data). Returns the error and the bytes the SYN carried.
 */
function tcp_sendmsg_fastopen(
  ctx: KernelCtx,
  sk: TcpSock,
  data: Uint8Array,
  flags: number,
  daddr: number | null,
  dport: number,
  uarg: UbufInfoMsgzc | null,
): { err: number; copied: number } {
  if (!(sk.net.sysctl.tcp.fastopen & TFO_CLIENT_ENABLE)) return { err: -EOPNOTSUPP, copied: 0 };
  // Another Fast Open is in progress
  if (sk.fastopenReq) return { err: -EALREADY, copied: 0 };
  // kzalloc: the cookie starts empty (len 0), so a SYN without a cached cookie asks for one (an empty FO).
  sk.fastopenReq = {
    cookie: { val: new Uint8Array(T.TCP_FASTOPEN_COOKIE_MAX), len: 0, exp: false },
    data,
    size: data.length,
    copied: 0,
    uarg,
  };
  if (sk.deferConnect) {
    const cerr = tcp_connect(ctx, sk);
    // Same failure procedure as in tcp_v4/6_connect
    if (cerr) {
      tcp_set_state(ctx, sk, TCP_CLOSE);
      sk.dport = 0;
      sk.gsoOk = false;
    }
  }
  const err = __inet_stream_connect(ctx, sk, daddr, dport, flags & T.MSG_DONTWAIT ? O_NONBLOCK : 0, true);
  let copied = 0;
  // fastopen_req could already be freed in __inet_stream_connect if the connection times out or gets rst
  if (sk.fastopenReq) {
    copied = sk.fastopenReq.copied;
    tcp_free_fastopen_req(sk);
    sk.deferConnect = false;
  }
  return { err, copied };
}

/** tcp_passive_fastopen: a Fast Open child may send before the handshake's ACK. */
function tcp_passive_fastopen(sk: TcpSock): boolean {
  return sk.state === TCP_SYN_RECV && sk.fastopenRsk !== null;
}

/**
 * tcp_sendmsg_locked: copy `data` into skbs on the write queue (each up to size_goal), pushing as it
 * goes. Returns the bytes taken (possibly fewer than given: the kernel would sleep for send space there;
 * a blocking caller waits on sk.wq and sends the rest) or a negative errno: -EAGAIN (would block: still
 * connecting, or no send space and nothing copied), -EPIPE (shut down or closed: the caller raises SIGPIPE
 * unless MSG_NOSIGNAL), a pending socket error. `daddr`/`dport` are sendto's address, for MSG_FASTOPEN.
 * `iov` gives the lengths of the iovec elements `data` was gathered from (one element if null): with
 * MSG_ZEROCOPY on an SO_ZEROCOPY socket each element's pages become frags of the skb (at most
 * MAX_SKB_FRAGS per skb), and the call gets a notification id (msg_zerocopy_realloc).
 */
export function tcp_sendmsg_locked(
  ctx: KernelCtx,
  sk: TcpSock,
  data: Uint8Array,
  flags: number,
  daddr: number | null = null,
  dport = 0,
  iov: readonly number[] | null = null,
  call: TcpSendmsgCall | null = null,
): number {
  // A resumed call's bytes so far count as copied (PSH, pushes, the exits), but are not returned again.
  const base = call?.sleeping ? call.copied : 0;
  const ret = tcp_sendmsg_locked_call(ctx, sk, data, flags, daddr, dport, iov, call);
  return ret > 0 ? ret - base : ret;
}

/**
 * One sendmsg(2) that may sleep for send space: where Linux sleeps in sk_stream_wait_memory the model
 * returns (the bytes taken so far) with the call `sleeping`; the blocking caller waits on sk.wq, then
 * either resumes it (tcp_sendmsg with the same call and the rest of the data) or ends it
 * (tcp_sendmsg_end: its timeout or signal). The call keeps its zerocopy range and reference, and the
 * timestamp request and final push wait for its end, as in one kernel call.
 */
export interface TcpSendmsgCall {
  sleeping: boolean;
  uarg: UbufInfoMsgzc | null;
  zc: number;
  /** Bytes copied so far (tcp_sendmsg_locked's copied). */
  copied: number;
}

export function newTcpSendmsgCall(): TcpSendmsgCall {
  return { sleeping: false, uarg: null, zc: 0, copied: 0 };
}

/** tcp_sendmsg_locked's body: the bytes copied in all of the call (resumptions included). */
function tcp_sendmsg_locked_call(
  ctx: KernelCtx,
  sk: TcpSock,
  data: Uint8Array,
  flags: number,
  daddr: number | null,
  dport: number,
  iov: readonly number[] | null,
  call: TcpSendmsgCall | null,
): number {
  let copied = 0;
  let copiedSyn = 0;
  let err = 0;
  let mssNow = 0;
  let sizeGoal = 0;
  let off = 0;
  let uarg: UbufInfoMsgzc | null = null;
  let zc = 0;
  const size = data.length;

  if (call?.sleeping) {
    // Woken in sk_stream_wait_memory: it checks again, then the copy loop goes on.
    call.sleeping = false;
    ({ uarg, zc, copied } = call);
    ({ mssNow, sizeGoal } = tcp_send_mss(sk, flags));
    err = sk_stream_wait_memory(sk);
    if (err === -EAGAIN) return sendmsg_sleep(call, uarg, zc, copied);
    if (err) return sendmsg_do_error(ctx, sk, flags, err, copied, copiedSyn, mssNow, sizeGoal, uarg);
    return sendmsg_copy(ctx, sk, data, flags, iov, call, uarg, zc, copied, mssNow, sizeGoal);
  }

  if (flags & T.MSG_ZEROCOPY && size) {
    if (sock_flag(sk, T.SOCK_ZEROCOPY)) {
      uarg = msg_zerocopy_realloc(sk, size, skb_zcopy(tcp_write_queue_tail(sk)));
      if (!uarg) return sendmsg_out_err(ctx, sk, flags, -ENOBUFS, null);
      if (sk_route_caps_sg(sk)) zc = T.MSG_ZEROCOPY;
      else uarg.zerocopy = false;
    }
  }

  if ((flags & T.MSG_FASTOPEN || sk.deferConnect) && !sk.repair) {
    const fo = tcp_sendmsg_fastopen(ctx, sk, data, flags, daddr, dport, uarg);
    copiedSyn = fo.copied;
    if (fo.err === -EINPROGRESS && copiedSyn > 0)
      return sendmsg_out(ctx, sk, flags, 0, copiedSyn, 0, 0, uarg);
    else if (fo.err) return sendmsg_out_err(ctx, sk, flags, fo.err, uarg);
    off = copiedSyn;
  }

  // is sending application-limited?
  tcp_rate_check_app_limited(sk);

  // Wait for a connection to finish. One exception is TCP Fast Open (passive side) where data is allowed
  // to be sent before a connection is fully established.
  if ((1 << sk.state) & ~(TCPF_ESTABLISHED | TCPF_CLOSE_WAIT) && !tcp_passive_fastopen(sk)) {
    err = sk_stream_wait_connect(sk);
    if (err !== 0) return sendmsg_do_error(ctx, sk, flags, err, copied, copiedSyn, mssNow, sizeGoal, uarg);
  }

  // This should be in poll
  ({ mssNow, sizeGoal } = tcp_send_mss(sk, flags));
  if (sk.skErr || sk.shutdown & T.SEND_SHUTDOWN)
    return sendmsg_do_error(ctx, sk, flags, -EPIPE, copied, copiedSyn, mssNow, sizeGoal, uarg);
  if (off) {
    // The SYN took the first bytes: the loop copies the rest.
    data = data.subarray(off);
    iov = iov_iter_advance(iov ?? [size], off);
  }
  return sendmsg_copy(ctx, sk, data, flags, iov, call, uarg, zc, copied, mssNow, sizeGoal, copiedSyn);
}

/** sleep in sk_stream_wait_memory: the call keeps its state for the caller's resumption. */
function sendmsg_sleep(call: TcpSendmsgCall, uarg: UbufInfoMsgzc | null, zc: number, copied: number): number {
  call.sleeping = true;
  call.uarg = uarg;
  call.zc = zc;
  call.copied = copied;
  return copied;
}

/** tcp_sendmsg_locked's copy loop (`while (msg_data_left(msg))`) and its exits. */
function sendmsg_copy(
  ctx: KernelCtx,
  sk: TcpSock,
  data: Uint8Array,
  flags: number,
  iov: readonly number[] | null,
  call: TcpSendmsgCall | null,
  uarg: UbufInfoMsgzc | null,
  zc: number,
  copied: number,
  mssNow: number,
  sizeGoal: number,
  copiedSyn = 0,
): number {
  let err = 0;
  let off = 0;
  const size = data.length;
  const iovLens = iov ?? [size];
  let first = true;
  // goto new_segment: the tail skb is full of frags (or points at another zerocopy range).
  let newSegment = false;
  while (off < data.length) {
    let copy = 0;
    const tail = tcp_write_queue_tail(sk);
    if (tail) copy = sizeGoal - tail.len;
    let skb: SkBuff;
    if (tail && copy > 0 && tcp_skb_can_collapse_to(tail) && !newSegment) {
      skb = tail;
    } else {
      // new_segment:
      newSegment = false;
      if (!sk_stream_memory_free(sk, 0)) {
        // wait_for_space: push what we have; sk_stream_wait_memory says whether there is room now.
        sk.nospace = true;
        tcp_remove_empty_skb(ctx, sk);
        if (copied) tcp_push(ctx, sk, flags & ~T.MSG_MORE, mssNow, T.TCP_NAGLE_PUSH, sizeGoal);
        err = sk_stream_wait_memory(sk);
        // A blocking caller sleeps here (and resumes the call); a non-blocking one gets what was copied.
        if (err === -EAGAIN && call) return sendmsg_sleep(call, uarg, zc, copied) + copiedSyn;
        if (err) return sendmsg_do_error(ctx, sk, flags, err, copied, copiedSyn, mssNow, sizeGoal, uarg);
        ({ mssNow, sizeGoal } = tcp_send_mss(sk, flags));
        continue;
      }
      const firstSkb = tcp_rtx_and_write_queues_empty(sk);
      skb = tcp_stream_alloc_skb(ctx, sk, firstSkb);
      skb_entail(ctx, sk, skb);
      copy = sizeGoal;
      // All packets are restored as if they have already been sent.
      if (sk.repair) TCP_SKB_CB(skb).sacked |= T.TCPCB_REPAIRED;
      if (first) {
        trace_sendmsg(ctx, skb, sk, data.length, sk.daddr, sk.dport);
        first = false;
      }
      ctx.step(skb, F.sendmsg, null, TCP_SKB_CB(skb).seq, sizeGoal, mssNow);
    }
    // Try to append data to the end of skb.
    copy = Math.min(copy, data.length - off);
    if (zc === 0) {
      // The copy goes to the socket's page frag: a new frag unless it continues the last one, which an skb
      // holding zerocopy frags needs (the model only counts frags there).
      const frags = skb.frags;
      if (frags.length && frags[frags.length - 1].user && frags.length >= MAX_SKB_FRAGS) {
        tcp_mark_push(sk, skb);
        newSegment = true;
        continue;
      }
      if (skb_zcopy_pure(skb) && tcp_downgrade_zcopy_pure(sk, skb))
        return sendmsg_do_error(ctx, sk, flags, -EAGAIN, copied, copiedSyn, mssNow, sizeGoal, uarg);
      const at = skb.data + skb.len;
      skb.len += copy;
      if (at + copy > skb.buf.length) {
        const nb = skbDataAlloc(Math.max(at + copy, skb.buf.length * 2));
        nb.set(skb.buf);
        skb.buf = nb;
      }
      skb.buf.set(data.subarray(off, off + copy), at);
      if (frags.length) {
        const last = frags[frags.length - 1];
        skb.frags = last.user
          ? [...frags, { size: copy, user: false }]
          : [...frags.slice(0, -1), { size: last.size + copy, user: false }];
      }
      sk_wmem_schedule(sk, copy);
      TCP_SKB_CB(skb).truesize += copy;
      sk.wmemQueued += copy;
      sk_mem_charge(sk, copy);
    } else {
      // First append to a fragless skb builds initial pure zerocopy skb
      if (!skb.len) skb.zcopyPure = true;
      if (!skb_zcopy_pure(skb)) sk_wmem_schedule(sk, copy);
      const r = skb_zerocopy_iter_stream(sk, skb, data, iovLens, off, copy, uarg!);
      if (r === -EMSGSIZE || r === -EEXIST) {
        tcp_mark_push(sk, skb);
        newSegment = true;
        continue;
      }
      if (typeof r === 'number')
        return sendmsg_do_error(ctx, sk, flags, r, copied, copiedSyn, mssNow, sizeGoal, uarg);
      copy = r.copied;
      // __zerocopy_sg_from_iter: the pinned pages count in sk_wmem_queued, and are charged unless pure.
      TCP_SKB_CB(skb).truesize += r.truesize;
      sk.wmemQueued += r.truesize;
      if (!skb_zcopy_pure(skb)) sk_mem_charge(sk, r.truesize);
    }
    if (!copied) TCP_SKB_CB(skb).tcpFlags &= ~T.TCPHDR_PSH;
    sk.writeSeq = (sk.writeSeq + copy) >>> 0;
    TCP_SKB_CB(skb).endSeq = (TCP_SKB_CB(skb).endSeq + copy) >>> 0;
    tcp_skb_pcount_set(skb, 0);
    copied += copy;
    off += copy;
    if (off >= data.length) {
      if (flags & T.MSG_EOR) TCP_SKB_CB(skb).eor = 1;
      return sendmsg_out(ctx, sk, flags, copied, copiedSyn, mssNow, sizeGoal, uarg);
    }
    if (skb.len < sizeGoal || flags & T.MSG_OOB || sk.repair) continue;
    if (forced_push(sk)) {
      tcp_mark_push(sk, skb);
      __tcp_push_pending_frames(ctx, sk, mssNow, T.TCP_NAGLE_PUSH);
    } else if (skb === tcp_send_head(sk)) {
      tcp_push_one(ctx, sk, mssNow);
    }
  }
  return sendmsg_out(ctx, sk, flags, copied, copiedSyn, mssNow, sizeGoal, uarg);
}

// tcp_sendmsg_locked's exits (its out, out_err and do_error labels), as functions of its state rather than
// closures made on every call.

/**
 * tcp_tx_timestamp: SO_TIMESTAMPING asks for the last byte written: the tail skb (the last sent one if
 * all went already) takes the SKBTX flags, txstamp_ack for SOF_TIMESTAMPING_TX_ACK, and the key of its
 * last byte.
 */
function tcp_tx_timestamp(sk: TcpSock, tsflags: number): void {
  const skb = tcp_write_queue_tail(sk) ?? sk.rtxQueue[sk.rtxQueue.length - 1] ?? null;
  if (tsflags && skb) {
    const tcb = TCP_SKB_CB(skb);
    skb.txFlags = sock_tx_timestamp(tsflags, skb.txFlags);
    if (tsflags & SOF_TIMESTAMPING_TX_ACK) tcb.txstampAck = 1;
    if (tsflags & SOF_TIMESTAMPING_TX_RECORD_MASK) skb.tskey = (tcb.seq + skb.len - 1) >>> 0;
  }
}

/** out: push what was copied; the call's zerocopy reference goes (net_zcopy_put); the bytes taken. */
function sendmsg_out(
  ctx: KernelCtx,
  sk: TcpSock,
  flags: number,
  copied: number,
  copiedSyn: number,
  mssNow: number,
  sizeGoal: number,
  uarg: UbufInfoMsgzc | null,
): number {
  if (copied) {
    tcp_tx_timestamp(sk, sk.tsflags);
    tcp_push(ctx, sk, flags, mssNow, sk.nonagle, sizeGoal);
  }
  net_zcopy_put(uarg);
  return copied + copiedSyn;
}

/** out_err: a call that sent nothing gives its zerocopy id back (net_zcopy_put_abort). */
function sendmsg_out_err(
  ctx: KernelCtx,
  sk: TcpSock,
  flags: number,
  e: number,
  uarg: UbufInfoMsgzc | null,
): number {
  net_zcopy_put_abort(uarg, true);
  e = sk_stream_error(sk, flags, e);
  // make sure we wake any epoll edge trigger waiter
  if (tcp_rtx_and_write_queues_empty(sk) && e === -EAGAIN) {
    sk_stream_write_space(sk);
    tcp_chrono_stop(ctx, sk, T.TCP_CHRONO_SNDBUF_LIMITED);
  }
  return e;
}

/** do_error */
function sendmsg_do_error(
  ctx: KernelCtx,
  sk: TcpSock,
  flags: number,
  e: number,
  copied: number,
  copiedSyn: number,
  mssNow: number,
  sizeGoal: number,
  uarg: UbufInfoMsgzc | null,
): number {
  tcp_remove_empty_skb(ctx, sk);
  if (copied + copiedSyn) return sendmsg_out(ctx, sk, flags, copied, copiedSyn, mssNow, sizeGoal, uarg);
  return sendmsg_out_err(ctx, sk, flags, e, uarg);
}

/** tcp_sendmsg: lock_sock, tcp_sendmsg_locked, release_sock. See tcp_sendmsg_locked for the result. */
export function tcp_sendmsg(
  ctx: KernelCtx,
  sk: TcpSock,
  data: Uint8Array,
  flags: number,
  daddr: number | null = null,
  dport = 0,
  iov: readonly number[] | null = null,
  call: TcpSendmsgCall | null = null,
): number {
  // inet_sendmsg's sk->sk_prot->sendmsg: tcp_bpf_sendmsg for a socket in a sockmap with an sk_msg program.
  if (sk.skProt?.sendmsg) return sk.skProt.sendmsg(ctx, sk, data, flags);
  lock_sock(sk);
  const ret = tcp_sendmsg_locked(ctx, sk, data, flags, daddr, dport, iov, call);
  release_sock(ctx, sk);
  return ret;
}

/**
 * tcp_splice_eof: splice_direct_to_actor found the file's end before the count it was asked for, after
 * sending with MSG_MORE: push what is queued, as the last sendmsg would have.
 */
export function tcp_splice_eof(ctx: KernelCtx, sk: TcpSock): void {
  if (!tcp_write_queue_tail(sk)) return;
  lock_sock(sk);
  const { mssNow, sizeGoal } = tcp_send_mss(sk, 0);
  tcp_push(ctx, sk, 0, mssNow, sk.nonagle, sizeGoal);
  release_sock(ctx, sk);
}

/**
 * tcp_sendmsg_end: the caller stopped waiting for send space (sk_stream_wait_memory's -EAGAIN at the
 * timeout, -EINTR for a signal): do_error, so a call that copied something ends as `out` does (timestamp
 * request, push, its zerocopy reference put), and one that did not gives its zerocopy id back. Returns the
 * call's error if it copied nothing, else 0.
 */
export function tcp_sendmsg_end(
  ctx: KernelCtx,
  sk: TcpSock,
  call: TcpSendmsgCall,
  flags: number,
  err: number,
): number {
  if (!call.sleeping) return 0;
  call.sleeping = false;
  lock_sock(sk);
  const { mssNow, sizeGoal } = tcp_send_mss(sk, flags);
  const ret = sendmsg_do_error(ctx, sk, flags, err, call.copied, 0, mssNow, sizeGoal, call.uarg);
  release_sock(ctx, sk);
  return ret < 0 ? ret : 0;
}

// ---- receiving ------------------------------------------------------------------------------------------

/** Set while tcp_bpf_recvmsg runs: its calls of tcp_recvmsg are tcp_prot's, not a second dispatch. */
let tcpRecvmsgFallback = false;

/** What tcp_recvmsg read. */
export interface TcpRecvResult {
  /** The bytes (empty with MSG_TRUNC, which discards them). */
  data: Uint8Array;
  /** The return value: bytes read (0 at end of stream). */
  copied: number;
  /** msg_flags: MSG_OOB for urgent data, MSG_TRUNC. */
  msgFlags: number;
  /**
   * The kernel would have slept for more (fewer than the target bytes, MSG_WAITALL or SO_RCVLOWAT, and no
   * end of stream or error): a blocking caller waits on sk.wq and reads the rest with another call.
   */
  wouldBlock: boolean;
  /** TCP_INQ's TCP_CM_INQ cmsg (tcp_inq_hint), when the socket asked for it. */
  inq?: number;
}

/** tcp_inq_hint: bytes left to read; after a FIN, a non-zero value tells the reader to go on (to see EOF). */
function tcp_inq_hint(sk: TcpSock): number {
  let inq = (sk.rcvNxt - sk.copiedSeq) | 0;
  if (inq === 0 && sock_flag(sk, T.SOCK_DONE)) inq = 1;
  return inq;
}

/**
 * __tcp_cleanup_rbuf: after the reader took `copied` bytes: ACK now if one was held back (two segments'
 * worth unacknowledged, or a pushed segment and the queue drained), or if the window can open a lot.
 */
export function __tcp_cleanup_rbuf(ctx: KernelCtx, sk: TcpSock, copied: number): void {
  let timeToAck = false;
  if (inet_csk_ack_scheduled(sk)) {
    const pending = sk.icskAck.pending;
    if (
      // Once-per-two-segments ACK was not sent by tcp_input.c
      (sk.rcvNxt - sk.rcvWup) >>> 0 > sk.icskAck.rcvMss ||
      // If this read emptied read buffer, we send ACK, if connection is not bidirectional, user drained
      // receive buffer and there was a small segment in queue.
      (copied > 0 &&
        (pending & T.ICSK_ACK_PUSHED2 || (pending & T.ICSK_ACK_PUSHED && !inet_csk_in_pingpong_mode(sk))) &&
        !sk.rmemAlloc)
    )
      timeToAck = true;
  }
  // We send an ACK if we can now advertise a non-zero window which has been raised "significantly".
  // Even if window raised up to infinity, do not send window open ACK in states, where we will not
  // receive more. It is useless.
  if (copied > 0 && !timeToAck && !(sk.shutdown & T.RCV_SHUTDOWN)) {
    const rcvWindowNow = tcp_receive_window(sk);
    // Optimize, __tcp_select_window() is not cheap.
    if (2 * rcvWindowNow <= sk.windowClamp) {
      const newWindow = __tcp_select_window(sk);
      // Send ACK now, if this read freed lots of space in our buffer. "Lots" means "at least twice" here.
      if (newWindow && newWindow >= 2 * rcvWindowNow) timeToAck = true;
    }
  }
  if (timeToAck) tcp_send_ack(ctx, sk);
}

/** tcp_cleanup_rbuf */
export function tcp_cleanup_rbuf(ctx: KernelCtx, sk: TcpSock, copied: number): void {
  __tcp_cleanup_rbuf(ctx, sk, copied);
}

/** tcp_eat_recv_skb: the reader is done with it: sock_rfree, and the skb's journey ends. */
function tcp_eat_recv_skb(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): void {
  queueDelAt(sk.receiveQueue, sk.receiveQueue.indexOf(skb));
  // sock_rfree: give back what skb_set_owner_r charged.
  sk.rmemAlloc -= skbTruesize(skb);
  sk_mem_uncharge(sk, skbTruesize(skb));
  ctx.step(skb, F.recvmsg, sk.comm, sk.copiedSeq);
  ctx.free(skb);
}

/** tcp_fast_path_check (include/net/tcp.h): header prediction back on once nothing unusual is pending. */
function tcp_fast_path_check(sk: TcpSock): void {
  if (!sk.outOfOrderQueue.length && sk.rcvWnd && sk.rmemAlloc < sk.rcvbuf && !sk.urgData)
    tcp_fast_path_on(sk);
}

/** tcp_recv_urg: recv(MSG_OOB): the urgent byte, never blocking. */
function tcp_recv_urg(sk: TcpSock, len: number, flags: number): TcpRecvResult | number {
  // No URG data to read.
  if (sock_flag(sk, T.SOCK_URGINLINE) || !sk.urgData || sk.urgData === T.TCP_URG_READ) return -EINVAL;
  if (sk.state === TCP_CLOSE && !sock_flag(sk, T.SOCK_DONE)) return -ENOTCONN;
  if (sk.urgData & T.TCP_URG_VALID) {
    const c = sk.urgData & 0xff;
    if (!(flags & T.MSG_PEEK)) sk.urgData = T.TCP_URG_READ;
    if (len > 0) {
      const data = flags & T.MSG_TRUNC ? new Uint8Array(0) : Uint8Array.of(c);
      return { data, copied: 1, msgFlags: T.MSG_OOB, wouldBlock: false };
    }
    return { data: new Uint8Array(0), copied: 0, msgFlags: T.MSG_OOB | T.MSG_TRUNC, wouldBlock: false };
  }
  if (sk.state === TCP_CLOSE || sk.shutdown & T.RCV_SHUTDOWN)
    return { data: new Uint8Array(0), copied: 0, msgFlags: 0, wouldBlock: false };
  // Fixed the recv(..., MSG_OOB) behaviour: this call should never block.
  return -EAGAIN;
}

/**
 * tcp_recvmsg_locked with a zero timeout. The receive queue holds in-order skbs whose data starts at
 * their payload; copied_seq (or a private peek sequence with MSG_PEEK) walks them.
 */
function tcp_recvmsg_locked(ctx: KernelCtx, sk: TcpSock, len: number, flags: number): TcpRecvResult | number {
  if (sk.state === TCP_LISTEN) return -ENOTCONN;
  // Urgent data needs to be handled specially.
  if (flags & T.MSG_OOB) return tcp_recv_urg(sk, len, flags);
  if (sk.repair) return -EPERM;

  const peek = (flags & T.MSG_PEEK) !== 0;
  let peekSeq = sk.copiedSeq;
  // *seq: the copied_seq of the socket, or a private one for MSG_PEEK (the reads below advance it).
  const target = sock_rcvlowat(sk, (flags & T.MSG_WAITALL) !== 0, len);
  const chunks: Uint8Array[] = [];
  let copied = 0;
  let wouldBlock = false;

  do {
    // Are we at urgent data? Stop if we have read anything.
    if (sk.urgData && sk.urgSeq === (peek ? peekSeq : sk.copiedSeq) && copied) break;

    // Next get a buffer.
    let found: SkBuff | null = null;
    let offset = 0;
    let fin = false;
    for (const skb of sk.receiveQueue) {
      // Now that we have two receive queues this shouldn't happen.
      if (before(peek ? peekSeq : sk.copiedSeq, TCP_SKB_CB(skb).seq)) break;
      offset = ((peek ? peekSeq : sk.copiedSeq) - TCP_SKB_CB(skb).seq) >>> 0;
      if (TCP_SKB_CB(skb).tcpFlags & T.TCPHDR_SYN) offset--;
      if (offset < skb.len) {
        found = skb;
        break;
      }
      if (TCP_SKB_CB(skb).tcpFlags & T.TCPHDR_FIN) {
        found = skb;
        fin = true;
        break;
      }
    }

    if (!found) {
      if (copied >= target && !sk.backlog.length) break;
      if (copied) {
        // timeo is zero: the kernel breaks here unless it would sleep for more.
        if (!(sk.skErr || sk.state === TCP_CLOSE || sk.shutdown & T.RCV_SHUTDOWN))
          wouldBlock = copied < target;
        break;
      }
      if (sock_flag(sk, T.SOCK_DONE)) break;
      if (sk.skErr) {
        copied = sock_error(sk);
        break;
      }
      if (sk.shutdown & T.RCV_SHUTDOWN) break;
      // This occurs when user tries to read from never connected socket.
      if (sk.state === TCP_CLOSE) {
        copied = -ENOTCONN;
        break;
      }
      copied = -EAGAIN;
      break;
    }

    const skb = found;
    if (!fin) {
      // found_ok_skb: Ok so how much can we use?
      let used = Math.min(skb.len - offset, len);
      let skip = false;
      // Do we have urgent data here?
      if (sk.urgData) {
        const urgOffset = (sk.urgSeq - (peek ? peekSeq : sk.copiedSeq)) >>> 0;
        if (urgOffset < used) {
          if (!urgOffset) {
            if (!sock_flag(sk, T.SOCK_URGINLINE)) {
              if (peek) peekSeq = (peekSeq + 1) >>> 0;
              else sk.copiedSeq = (sk.copiedSeq + 1) >>> 0;
              offset++;
              used--;
              if (!used) skip = true;
            }
          } else used = urgOffset;
        }
      }
      if (!skip) {
        if (!(flags & T.MSG_TRUNC))
          chunks.push(skb.buf.subarray(skb.data + offset, skb.data + offset + used));
        if (peek) peekSeq = (peekSeq + used) >>> 0;
        else sk.copiedSeq = (sk.copiedSeq + used) >>> 0;
        copied += used;
        len -= used;
        tcp_rcv_space_adjust(ctx, sk);
      }
      // skip_copy:
      if (sk.urgData && after(sk.copiedSeq, sk.urgSeq)) {
        sk.urgData = 0;
        tcp_fast_path_check(sk);
      }
      if (used + offset < skb.len) continue;
      if (!(TCP_SKB_CB(skb).tcpFlags & T.TCPHDR_FIN)) {
        if (!peek) tcp_eat_recv_skb(ctx, sk, skb);
        continue;
      }
    }
    // found_fin_ok: Process the FIN.
    if (peek) peekSeq = (peekSeq + 1) >>> 0;
    else sk.copiedSeq = (sk.copiedSeq + 1) >>> 0;
    if (!peek) tcp_eat_recv_skb(ctx, sk, skb);
    break;
  } while (len > 0);

  // Clean up data we have read: This will do ACK frames.
  tcp_cleanup_rbuf(ctx, sk, copied);
  if (copied < 0) return copied;
  // skb_copy_datagram_msg: the bytes are copied once, into the reader's buffer (the chunks are views of the
  // skbs' data, which nothing writes once queued).
  let data: Uint8Array;
  if (chunks.length === 1) data = copyOf(chunks[0]);
  else {
    data = skbDataAlloc(chunks.reduce((n, c) => n + c.length, 0));
    let p = 0;
    for (const c of chunks) {
      data.set(c, p);
      p += c.length;
    }
  }
  return { data, copied, msgFlags: 0, wouldBlock };
}

/**
 * tcp_recvmsg: read up to `len` bytes. A result, or a negative errno: -EAGAIN when nothing is there yet
 * (a blocking caller waits on sk.wq and calls again), -ENOTCONN, a pending socket error. End of stream is
 * a result with copied 0.
 */
export function tcp_recvmsg(ctx: KernelCtx, sk: TcpSock, len: number, flags: number): TcpRecvResult | number {
  // inet_recvmsg's sk->sk_prot->recvmsg: tcp_bpf_recvmsg while the socket is in a sockmap (it calls back
  // here, with the proto it had, when the psock has nothing).
  if (sk.skProt && !tcpRecvmsgFallback) {
    tcpRecvmsgFallback = true;
    try {
      return sk.skProt.recvmsg(ctx, sk, len, flags);
    } finally {
      tcpRecvmsgFallback = false;
    }
  }
  lock_sock(sk);
  const ret = tcp_recvmsg_locked(ctx, sk, len, flags);
  release_sock(ctx, sk);
  // cmsg_flags & TCP_CMSG_INQ
  if (typeof ret !== 'number' && sk.recvmsgInq) ret.inq = tcp_inq_hint(sk);
  return ret;
}

// ---- shutdown, close, disconnect -----------------------------------------------------------------------

/** tcp_shutdown: shutdown(SHUT_WR): FIN once, from the states that have not sent one. */
export function tcp_shutdown(ctx: KernelCtx, sk: TcpSock, how: number): void {
  if (!(how & T.SEND_SHUTDOWN)) return;
  // If we've already sent a FIN, or it's a closed state, skip this.
  if ((1 << sk.state) & (TCPF_ESTABLISHED | TCPF_SYN_SENT | TCPF_CLOSE_WAIT)) {
    // Clear out any half completed packets. FIN if needed.
    if (tcp_close_state(ctx, sk)) tcp_send_fin(ctx, sk);
  }
}

/** tcp_orphan_count_sum: orphans of the host (sockets closed by their process, not yet dead). */
function tcp_orphan_count_sum(sk: TcpSock): number {
  let n = 0;
  const host = sk.net.host;
  for (const net of [host.initNet, ...host.namedNets.values()])
    for (const s of net.tcpSockets) if (s.orphan && !s.closed) n++;
  return n;
}

/** tcp_check_oom: too many orphans (tcp_max_orphans); socket memory (tcp_mem) is not modelled. */
export function tcp_check_oom(sk: TcpSock, shift: number): boolean {
  return tcp_orphan_count_sum(sk) << shift > TCP_MAX_ORPHANS;
}

/**
 * The first half of __tcp_close: toss unread data (RST, TCPAbortOnClose), or abort on zero linger, or
 * send the FIN. The kernel then waits in sk_stream_wait_close for a lingering close; the runtime does
 * that between this and tcp_close_orphan (both are what tcp_close does with timeout 0).
 */
export function tcp_close_start(ctx: KernelCtx, sk: TcpSock): void {
  let dataWasUnread = false;
  sk.shutdown = T.SHUTDOWN_MASK;
  if (sk.state === TCP_LISTEN) {
    tcp_set_state(ctx, sk, TCP_CLOSE);
    // Special case.
    inet_csk_listen_stop(ctx, sk);
    return;
  }
  // We need to flush the recv. buffs. We do this only on the descriptor close, not protocol-sourced
  // closes, because the reader process may not have drained the data yet!
  for (const skb of sk.receiveQueue) {
    let endSeq = TCP_SKB_CB(skb).endSeq;
    if (TCP_SKB_CB(skb).tcpFlags & T.TCPHDR_FIN) endSeq = (endSeq - 1) >>> 0;
    if (after(endSeq, sk.copiedSeq)) dataWasUnread = true;
    ctx.step(skb, F.close, 'unread at close, __kfree_skb');
    ctx.free(skb);
  }
  sk.receiveQueue = [];
  // Each __kfree_skb's sock_rfree gives back what the skb was charged.
  sk_mem_uncharge(sk, sk.rmemAlloc);
  sk.rmemAlloc = 0;
  // If socket has been already reset (e.g. in tcp_reset()) - kill it.
  if (sk.state === TCP_CLOSE) return;
  // As outlined in RFC 2525, section 2.17, we send a RST here because data was lost.
  if (sk.repair) {
    tcp_disconnect(ctx, sk, 0);
  } else if (dataWasUnread) {
    // Unread data was tossed, zap the connection.
    sk.net.linuxMib[LINUX_MIB.TCPAbortOnClose]++;
    tcp_set_state(ctx, sk, TCP_CLOSE);
    tcp_send_active_reset(ctx, sk, 'close with unread data (TCPAbortOnClose)');
  } else if (sock_flag(sk, T.SOCK_LINGER) && !sk.lingertime) {
    // Check zero linger _after_ checking for unread data. (6.12 counts this as TCPAbortOnData.)
    tcp_disconnect(ctx, sk, 0);
    sk.net.linuxMib[LINUX_MIB.TCPAbortOnData]++;
  } else if (tcp_close_state(ctx, sk)) {
    // We FIN if the application ate all the data before zapping the connection.
    tcp_send_fin(ctx, sk);
  }
}

/**
 * adjudge_to_death: the socket is orphaned. A FIN_WAIT2 orphan waits tcp_fin_time (as a TIME_WAIT mini
 * socket when that is short, else on the keepalive timer); too many orphans abort it; a closed one is
 * destroyed.
 */
export function tcp_close_orphan(ctx: KernelCtx, sk: TcpSock): void {
  const state = sk.state;
  sock_orphan(sk);
  // remove backlog if any, without releasing ownership.
  if (sk.backlog.length) __release_sock(ctx, sk);
  // Have we already been destroyed by a softirq or backlog?
  if (state !== TCP_CLOSE && sk.state === TCP_CLOSE) return;
  // This is a (useful) BSD violating of the RFC: an orphan in FIN_WAIT2 does not live forever.
  if (sk.state === TCP_FIN_WAIT2) {
    if (sk.linger2 < 0) {
      tcp_set_state(ctx, sk, TCP_CLOSE);
      tcp_send_active_reset(ctx, sk, 'orphan in FIN_WAIT2 with TCP_LINGER2 < 0 (TCPAbortOnLinger)');
      sk.net.linuxMib[LINUX_MIB.TCPAbortOnLinger]++;
    } else {
      const tmo = tcp_fin_time(sk);
      if (tmo > T.TCP_TIMEWAIT_LEN) {
        inet_csk_reset_keepalive_timer(ctx, sk, tmo - T.TCP_TIMEWAIT_LEN);
      } else {
        tcp_time_wait(ctx, sk, TCP_FIN_WAIT2, tmo);
        return;
      }
    }
  }
  if (sk.state !== TCP_CLOSE) {
    if (tcp_check_oom(sk, 0)) {
      tcp_set_state(ctx, sk, TCP_CLOSE);
      tcp_send_active_reset(ctx, sk, 'too many orphans (TCPAbortOnMemory)');
      sk.net.linuxMib[LINUX_MIB.TCPAbortOnMemory]++;
    } else if (!sk.net.alive) {
      // Not possible to send reset; just close
      tcp_set_state(ctx, sk, TCP_CLOSE);
    }
  }
  if (sk.state === TCP_CLOSE) {
    // We could get here with a non-NULL req if the socket is aborted before 3WHS finishes.
    if (sk.fastopenRsk) reqsk_fastopen_remove(sk, sk.fastopenRsk, false);
    inet_csk_destroy_sock(ctx, sk);
  }
  // Otherwise, socket is reprieved until protocol close.
}

/** __tcp_close with the linger wait left to the caller (see tcp_close_start). */
export function __tcp_close(ctx: KernelCtx, sk: TcpSock, _timeout: number): void {
  tcp_close_start(ctx, sk);
  tcp_close_orphan(ctx, sk);
}

/** tcp_close: the last close(2) of the socket. `timeout` is the SO_LINGER time (jiffies) or 0. */
export function tcp_close(ctx: KernelCtx, sk: TcpSock, timeout: number): void {
  // inet_release's sk->sk_prot->close: sock_map_close first for a socket in a sockmap (it restores
  // tcp_prot, then calls back here).
  if (sk.skProt) return sk.skProt.close(ctx, sk, timeout);
  lock_sock(sk);
  __tcp_close(ctx, sk, timeout);
  release_sock(ctx, sk);
}

/** tcp_need_reset: these states need RST on ABORT according to RFC793 */
function tcp_need_reset(state: number): boolean {
  return (
    ((1 << state) &
      (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT | TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2 | TCPF_SYN_RECV)) !==
    0
  );
}

/**
 * tcp_disconnect: back to a fresh CLOSE socket (connect(AF_UNSPEC), zero linger, a child nobody accepts):
 * RST if the peer thinks we are connected, queues purged, counters and congestion state reset.
 */
export function tcp_disconnect(ctx: KernelCtx, sk: TcpSock, _flags: number): number {
  const oldState = sk.state;
  if (oldState !== TCP_CLOSE) tcp_set_state(ctx, sk, TCP_CLOSE);
  // ABORT function of RFC793
  if (oldState === TCP_LISTEN) {
    inet_csk_listen_stop(ctx, sk);
  } else if (sk.repair) {
    sk.skErr = ECONNABORTED;
  } else if (tcp_need_reset(oldState)) {
    tcp_send_active_reset(ctx, sk, 'tcp_disconnect');
    sk.skErr = ECONNRESET;
  } else if (sk.sndNxt !== sk.writeSeq && (1 << oldState) & (TCPF_CLOSING | TCPF_LAST_ACK)) {
    // The last check adjusts for discrepancy of Linux wrt. RFC states
    tcp_send_active_reset(ctx, sk, 'tcp_disconnect with unsent data');
    sk.skErr = ECONNRESET;
  } else if (oldState === TCP_SYN_SENT) {
    sk.skErr = ECONNRESET;
  }

  tcp_clear_xmit_timers(ctx, sk);
  for (const skb of sk.receiveQueue) {
    ctx.step(skb, F.disconnect, '__skb_queue_purge(sk_receive_queue)');
    ctx.free(skb);
  }
  sk.receiveQueue = [];
  sk_mem_uncharge(sk, sk.rmemAlloc);
  sk.rmemAlloc = 0;
  sk.copiedSeq = sk.rcvNxt;
  sk.urgData = 0;
  tcp_write_queue_purge(ctx, sk);
  // TODO(contract): tcp_fastopen_active_disable_ofo_check (TFO blackhole detection) is not modelled.
  for (const skb of sk.outOfOrderQueue) {
    ctx.step(skb, F.disconnect, 'skb_rbtree_purge(out_of_order_queue)');
    ctx.free(skb);
  }
  sk.outOfOrderQueue = [];
  sk.ooLastSkb = null;

  sk.dport = 0;
  sk.daddr = 0;
  sk.connected = false;
  // inet_bhash2_reset_saddr: an address not bound by the user is forgotten.
  if (!(sk.userlocks & T.SOCK_BINDADDR_LOCK)) sk.saddr = sk.rcvSaddr = 0;

  sk.shutdown = 0;
  sock_reset_flag(sk, T.SOCK_DONE);
  sk.deferConnect = false; // inet_clear_bit(DEFER_CONNECT, sk)
  sk.srttUs = 0;
  sk.mdevUs = jiffies_to_usecs(T.TCP_TIMEOUT_INIT);
  sk.rcvRttLastTsecr = 0;

  let seq = (sk.writeSeq + sk.maxWindow + 2) >>> 0;
  if (!seq) seq = 1;
  sk.writeSeq = seq;

  sk.icskBackoff = 0;
  sk.icskProbesOut = 0;
  sk.icskProbesTstamp = 0;
  sk.icskRto = T.TCP_TIMEOUT_INIT;
  sk.icskRtoMin = T.TCP_RTO_MIN;
  sk.icskDelackMax = T.TCP_DELACK_MAX;
  sk.sndSsthresh = T.TCP_INFINITE_SSTHRESH;
  tcp_snd_cwnd_set(sk, T.TCP_INIT_CWND);
  sk.sndCwndCnt = 0;
  sk.isCwndLimited = 0;
  sk.maxPacketsOut = 0;
  sk.windowClamp = 0;
  sk.delivered = 0;
  sk.deliveredCe = 0;
  sk.icskCaOps.release?.(sk);
  sk.icskCaPriv = null;
  sk.icskCaInitialized = false;
  tcp_set_ca_state(ctx, sk, T.TCP_CA_Open);
  sk.isSackReneg = 0;
  tcp_clear_retrans(sk);
  sk.totalRetrans = 0;
  inet_csk_delack_init(sk);
  // Initialize rcv_mss to TCP_MIN_MSS to avoid division by 0 issue in __tcp_select_window()
  sk.icskAck.rcvMss = T.TCP_MIN_MSS;
  sk.rxOpt = newOptionsReceived();
  sk.dstCache = null;
  sk.rxDst = null;
  sk.compressedAck = 0;
  sk.segsIn = 0;
  sk.segsOut = 0;
  sk.bytesSent = 0;
  sk.bytesAcked = 0;
  sk.bytesReceived = 0;
  sk.bytesRetrans = 0;
  sk.dataSegsIn = 0;
  sk.dataSegsOut = 0;
  sk.duplicateSack[0].startSeq = 0;
  sk.duplicateSack[0].endSeq = 0;
  sk.dsackDups = 0;
  sk.reordSeen = 0;
  sk.retransOut = 0;
  sk.sackedOut = 0;
  sk.tlpHighSeq = 0;
  sk.lastOowAckTime = 0;
  sk.plbRehash = 0;
  // There's a bubble in the pipe until at least the first ACK.
  sk.appLimited = 0xffffffff;
  sk.rateAppLimited = 1;
  sk.rackMstamp = 0;
  sk.rackAdvanced = 0;
  sk.rackReoWndSteps = 1;
  sk.rackLastDelivered = 0;
  sk.rackReoWndPersist = 0;
  sk.rackDsackSeen = 0;
  sk.synDataAcked = 0;
  sk.rcvOoopack = 0;

  // Clean up fastopen related fields
  if (sk.fastopenRsk) reqsk_fastopen_remove(sk, sk.fastopenRsk, false);
  tcp_free_fastopen_req(sk);
  sk.fastopenClientFail = 0;

  // sk_error_report
  sockDefReadable(sk);
  return 0;
}

// ---- poll and ioctl --------------------------------------------------------------------------------------

/** tcp_poll: the poll/epoll mask, computed as the kernel does (EPOLLOUT sets SOCK_NOSPACE when full). */
export function tcp_poll(sk: TcpSock): number {
  const state = sk.state;
  // inet_csk_listen_poll
  if (state === TCP_LISTEN) return sk.acceptQueue.length ? EPOLLIN | EPOLLRDNORM : 0;
  let mask = 0;
  const shutdown = sk.shutdown;
  // EPOLLHUP only when shut down both ways (or closed): it is unmaskable and would make poll() on write()
  // in CLOSE_WAIT return at once.
  if (shutdown === T.SHUTDOWN_MASK || state === TCP_CLOSE) mask |= EPOLLHUP;
  if (shutdown & T.RCV_SHUTDOWN) mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;

  // Connected or passive Fast Open socket?
  if (state !== TCP_SYN_SENT && (state !== TCP_SYN_RECV || sk.fastopenRsk)) {
    let target = sock_rcvlowat(sk, false, INT_MAX);
    const urgData = sk.urgData;
    if (urgData && sk.urgSeq === sk.copiedSeq && !sock_flag(sk, T.SOCK_URGINLINE)) target++;
    // tcp_stream_is_readable: enough in the receive queue, or sk_is_readable (a psock's ingress_msg).
    if (tcp_epollin_ready(sk, target) || (sk.skProt?.sockIsReadable(sk) ?? false))
      mask |= EPOLLIN | EPOLLRDNORM;
    if (!(shutdown & T.SEND_SHUTDOWN)) {
      if (__sk_stream_is_writeable(sk, 1)) {
        mask |= EPOLLOUT | EPOLLWRNORM;
      } else {
        // send SIGIO later
        sk.nospace = true;
        if (__sk_stream_is_writeable(sk, 1)) mask |= EPOLLOUT | EPOLLWRNORM;
      }
    } else {
      mask |= EPOLLOUT | EPOLLWRNORM;
    }
    if (urgData & T.TCP_URG_VALID) mask |= EPOLLPRI;
  } else if (state === TCP_SYN_SENT && sk.deferConnect) {
    // Active TCP fastopen socket with defer_connect: return EPOLLOUT so application can call write() in
    // order for kernel to generate SYN+data
    mask |= EPOLLOUT | EPOLLWRNORM;
  }
  if (sk.skErr || sk.errorQueue.length) mask |= EPOLLERR;
  return mask;
}

/** tcp_ioctl: SIOCINQ, SIOCATMARK, SIOCOUTQ, SIOCOUTQNSD: the answer (>= 0) or a negative errno. */
export function tcp_ioctl(sk: TcpSock, cmd: number): number {
  switch (cmd) {
    case SIOCINQ:
      if (sk.state === TCP_LISTEN) return -EINVAL;
      return tcp_inq(sk);
    case SIOCATMARK:
      return sk.urgData && sk.urgSeq === sk.copiedSeq ? 1 : 0;
    case SIOCOUTQ:
      if (sk.state === TCP_LISTEN) return -EINVAL;
      if ((1 << sk.state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) return 0;
      return (sk.writeSeq - sk.sndUna) | 0;
    case SIOCOUTQNSD:
      if (sk.state === TCP_LISTEN) return -EINVAL;
      if ((1 << sk.state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) return 0;
      return (sk.writeSeq - sk.sndNxt) | 0;
    default:
      return -ENOIOCTLCMD;
  }
}

// ---- socket options --------------------------------------------------------------------------------------

/** secs_to_retrans: TCP_DEFER_ACCEPT seconds as SYN-ACK retransmits (initial timeout doubling to max). */
function secs_to_retrans(seconds: number, timeout: number, rtoMax: number): number {
  let res = 0;
  if (seconds > 0) {
    let period = timeout;
    res = 1;
    while (seconds > period && res < 255) {
      res++;
      timeout <<= 1;
      if (timeout > rtoMax) timeout = rtoMax;
      period += timeout;
    }
  }
  return res;
}

/** retrans_to_secs */
function retrans_to_secs(retrans: number, timeout: number, rtoMax: number): number {
  let period = 0;
  if (retrans > 0) {
    period = timeout;
    while (--retrans) {
      timeout <<= 1;
      if (timeout > rtoMax) timeout = rtoMax;
      period += timeout;
    }
  }
  return period;
}

/** __tcp_sock_set_cork: TCP_CORK off pushes what the cork held. */
export function __tcp_sock_set_cork(ctx: KernelCtx, sk: TcpSock, on: boolean): void {
  if (on) {
    sk.nonagle |= T.TCP_NAGLE_CORK;
  } else {
    sk.nonagle &= ~T.TCP_NAGLE_CORK;
    if (sk.nonagle & T.TCP_NAGLE_OFF) sk.nonagle |= T.TCP_NAGLE_PUSH;
    tcp_push_pending_frames(ctx, sk);
  }
}

/** __tcp_sock_set_nodelay: TCP_NODELAY on pushes at once, even a corked queue's segments. */
export function __tcp_sock_set_nodelay(ctx: KernelCtx, sk: TcpSock, on: boolean): void {
  if (on) {
    sk.nonagle |= T.TCP_NAGLE_OFF | T.TCP_NAGLE_PUSH;
    tcp_push_pending_frames(ctx, sk);
  } else {
    sk.nonagle &= ~T.TCP_NAGLE_OFF;
  }
}

/** __tcp_sock_set_quickack */
function __tcp_sock_set_quickack(ctx: KernelCtx, sk: TcpSock, val: number): void {
  if (!val) {
    inet_csk_enter_pingpong_mode(sk);
    return;
  }
  inet_csk_exit_pingpong_mode(sk);
  if ((1 << sk.state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT) && inet_csk_ack_scheduled(sk)) {
    sk.icskAck.pending |= T.ICSK_ACK_PUSHED;
    tcp_cleanup_rbuf(ctx, sk, 1);
    if (!(val & 1)) inet_csk_enter_pingpong_mode(sk);
  }
}

/** keepalive_time_elapsed (include/net/tcp.h) */
function keepalive_time_elapsed(ctx: KernelCtx, sk: TcpSock): number {
  const now = tcp_jiffies32(ctx);
  return Math.min((now - sk.icskAck.lrcvtime) >>> 0, (now - sk.rcvTstamp) >>> 0);
}

/** tcp_sock_set_keepidle_locked: TCP_KEEPIDLE re-arms a running keepalive timer. */
function tcp_sock_set_keepidle_locked(ctx: KernelCtx, sk: TcpSock, val: number): number {
  if (val < 1 || val > T.MAX_TCP_KEEPIDLE) return -EINVAL;
  sk.keepaliveTime = val * T.HZ;
  if (sock_flag(sk, T.SOCK_KEEPOPEN) && !((1 << sk.state) & (TCPF_CLOSE | TCPF_LISTEN))) {
    let elapsed = keepalive_time_elapsed(ctx, sk);
    if (sk.keepaliveTime > elapsed) elapsed = sk.keepaliveTime - elapsed;
    else elapsed = 0;
    inet_csk_reset_keepalive_timer(ctx, sk, elapsed);
  }
  return 0;
}

/** tcp_set_window_clamp */
function tcp_set_window_clamp(sk: TcpSock, val: number): number {
  if (!val) {
    if (sk.state !== TCP_CLOSE) return -EINVAL;
    sk.windowClamp = 0;
    return 0;
  }
  const oldWindowClamp = sk.windowClamp;
  const newWindowClamp = val < SOCK_MIN_RCVBUF / 2 ? SOCK_MIN_RCVBUF / 2 : val;
  if (newWindowClamp === oldWindowClamp) return 0;
  sk.windowClamp = newWindowClamp;
  if (newWindowClamp < oldWindowClamp) {
    // __tcp_adjust_rcv_ssthresh; no SO_RESERVE_MEM, so no reserved memory to keep.
    sk.rcvSsthresh = Math.min(sk.rcvSsthresh, sk.windowClamp);
  } else {
    const newRcvSsthresh = Math.min(sk.rcvWnd, sk.windowClamp);
    sk.rcvSsthresh = Math.max(newRcvSsthresh, sk.rcvSsthresh);
  }
  return 0;
}

/** tcp_set_rcvlowat: SO_RCVLOWAT on a TCP socket (may grow rcvbuf to fit it). */
function tcp_set_rcvlowat(sk: TcpSock, val: number): number {
  const cap = sk.userlocks & T.SOCK_RCVBUF_LOCK ? sk.rcvbuf >> 1 : sk.net.sysctl.tcp.rmem[2] >> 1;
  val = Math.min(val, cap);
  sk.rcvlowat = val || 1;
  // Check if we need to signal EPOLLIN right now (tcp_data_ready).
  sockDefReadable(sk);
  if (sk.userlocks & T.SOCK_RCVBUF_LOCK) return 0;
  const space = tcp_space_from_win(sk, val);
  if (space > sk.rcvbuf) {
    sk.rcvbuf = space;
    sk.windowClamp = val;
  }
  return 0;
}

/**
 * do_tcp_setsockopt (SOL_TCP): 0 or a negative errno. `val` is an int, or the name for TCP_CONGESTION.
 */
export function do_tcp_setsockopt(ctx: KernelCtx, sk: TcpSock, optname: number, val: SockoptVal): number {
  const net = sk.net;
  // These are data/string values, all the others are ints
  if (optname === TCP_CONGESTION) {
    if (typeof val !== 'string' || val.length < 1) return -EINVAL;
    lock_sock(sk);
    const err = tcp_set_congestion_control(ctx, sk, val.slice(0, TCP_CA_NAME_MAX - 1));
    release_sock(ctx, sk);
    return err;
  }
  if (optname === TCP_FASTOPEN_KEY) {
    // Allow a backup key as well to facilitate key rotation. First key is the active one.
    if (typeof val !== 'string' || (val.length !== 16 && val.length !== 32)) return -EINVAL;
    tcp_fastopen_reset_sock_cipher(
      sk,
      Uint8Array.from(val, (c) => c.charCodeAt(0) & 0xff),
    );
    return 0;
  }
  if (typeof val !== 'number') return -EINVAL;
  val |= 0;

  // Handle options that can be set without locking the socket.
  switch (optname) {
    case TCP_SYNCNT:
      if (val < 1 || val > T.MAX_TCP_SYNCNT) return -EINVAL;
      sk.icskSynRetries = val;
      return 0;
    case TCP_USER_TIMEOUT:
      // Cap the max time in ms TCP will retry or probe the window before giving up and aborting.
      if (val < 0) return -EINVAL;
      sk.icskUserTimeout = val;
      return 0;
    case TCP_KEEPINTVL:
      if (val < 1 || val > T.MAX_TCP_KEEPINTVL) return -EINVAL;
      sk.keepaliveIntvl = val * T.HZ;
      return 0;
    case TCP_KEEPCNT:
      if (val < 1 || val > T.MAX_TCP_KEEPCNT) return -EINVAL;
      sk.keepaliveProbes = val;
      return 0;
    case TCP_LINGER2:
      if (val < 0) sk.linger2 = -1;
      else if (val > T.TCP_FIN_TIMEOUT_MAX / T.HZ) sk.linger2 = T.TCP_FIN_TIMEOUT_MAX;
      else sk.linger2 = val * T.HZ;
      return 0;
    case TCP_DEFER_ACCEPT:
      // Translate value in seconds to number of retransmits
      sk.deferAccept = secs_to_retrans(val, T.TCP_TIMEOUT_INIT / T.HZ, T.TCP_RTO_MAX / T.HZ);
      return 0;
  }

  lock_sock(sk);
  let err = 0;
  switch (optname) {
    case TCP_MAXSEG:
      // Values greater than interface MTU won't take effect.
      if (val && (val < T.TCP_MIN_MSS || val > T.MAX_TCP_WINDOW)) {
        err = -EINVAL;
        break;
      }
      sk.rxOpt.userMss = val;
      break;
    case TCP_NODELAY:
      __tcp_sock_set_nodelay(ctx, sk, val !== 0);
      break;
    case TCP_THIN_LINEAR_TIMEOUTS:
      if (val < 0 || val > 1) err = -EINVAL;
      else sk.thinLto = val;
      break;
    case TCP_THIN_DUPACK:
      if (val < 0 || val > 1) err = -EINVAL;
      break;
    case TCP_CORK:
      __tcp_sock_set_cork(ctx, sk, val !== 0);
      break;
    case TCP_KEEPIDLE:
      err = tcp_sock_set_keepidle_locked(ctx, sk, val);
      break;
    case TCP_SAVE_SYN:
      // 0: disable, 1: enable, 2: start from ether_header
      if (val < 0 || val > 2) err = -EINVAL;
      else sk.saveSyn = val;
      break;
    case TCP_WINDOW_CLAMP:
      err = tcp_set_window_clamp(sk, val);
      break;
    case TCP_QUICKACK:
      __tcp_sock_set_quickack(ctx, sk, val);
      break;
    case TCP_FASTOPEN_CONNECT:
      if (val > 1 || val < 0) err = -EINVAL;
      else if (net.sysctl.tcp.fastopen & TFO_CLIENT_ENABLE) {
        if (sk.state === TCP_CLOSE) sk.fastopenConnect = val;
        else err = -EINVAL;
      } else err = -EOPNOTSUPP;
      break;
    case TCP_FASTOPEN_NO_COOKIE:
      if (val > 1 || val < 0) err = -EINVAL;
      else if (!((1 << sk.state) & (TCPF_CLOSE | TCPF_LISTEN))) err = -EINVAL;
      else sk.fastopenNoCookie = val;
      break;
    case TCP_FASTOPEN:
      if (val >= 0 && (1 << sk.state) & (TCPF_CLOSE | TCPF_LISTEN)) {
        tcp_fastopen_init_key_once(ctx, sk.net);
        fastopen_queue_tune(sk, val);
      } else err = -EINVAL;
      break;
    case TCP_INQ:
      if (val > 1 || val < 0) err = -EINVAL;
      else sk.recvmsgInq = val;
      break;
    case TCP_NOTSENT_LOWAT:
      sk.notsentLowat = val >>> 0;
      sk_stream_write_space(sk);
      break;
    case TCP_TX_DELAY:
      sk.tcpTxDelay = val;
      break;
    default:
      err = -ENOPROTOOPT;
  }
  release_sock(ctx, sk);
  return err;
}

/** do_tcp_getsockopt (SOL_TCP): the value (an int, the algorithm's name, struct tcp_info) or -errno. */
export function do_tcp_getsockopt(ctx: KernelCtx, sk: TcpSock, optname: number): number | string | TcpInfo {
  const net = sk.net;
  switch (optname) {
    case TCP_MAXSEG: {
      let val = sk.mssCache;
      if (sk.rxOpt.userMss && (1 << sk.state) & (TCPF_CLOSE | TCPF_LISTEN)) val = sk.rxOpt.userMss;
      if (sk.repair) val = sk.rxOpt.mssClamp;
      return val;
    }
    case TCP_NODELAY:
      return sk.nonagle & T.TCP_NAGLE_OFF ? 1 : 0;
    case TCP_CORK:
      return sk.nonagle & T.TCP_NAGLE_CORK ? 1 : 0;
    case TCP_KEEPIDLE:
      return Math.floor(keepalive_time_when(sk) / T.HZ);
    case TCP_KEEPINTVL:
      return Math.floor(keepalive_intvl_when(sk) / T.HZ);
    case TCP_KEEPCNT:
      return keepalive_probes(sk);
    case TCP_SYNCNT:
      return sk.icskSynRetries || net.sysctl.tcp.synRetries;
    case TCP_LINGER2: {
      const val = sk.linger2;
      return val >= 0 ? Math.floor((val || net.sysctl.tcp.finTimeout) / T.HZ) : val;
    }
    case TCP_DEFER_ACCEPT:
      return retrans_to_secs(sk.deferAccept, T.TCP_TIMEOUT_INIT / T.HZ, T.TCP_RTO_MAX / T.HZ);
    case TCP_WINDOW_CLAMP:
      return sk.windowClamp;
    case TCP_INFO:
      return tcp_get_info(ctx, sk);
    case TCP_QUICKACK:
      return inet_csk_in_pingpong_mode(sk) ? 0 : 1;
    case TCP_CONGESTION:
      return sk.icskCaOps.name;
    case TCP_THIN_LINEAR_TIMEOUTS:
      return sk.thinLto;
    case TCP_THIN_DUPACK:
      return 0;
    case TCP_USER_TIMEOUT:
      return sk.icskUserTimeout;
    case TCP_FASTOPEN_CONNECT:
      return sk.fastopenConnect;
    case TCP_FASTOPEN_NO_COOKIE:
      return sk.fastopenNoCookie;
    case TCP_TX_DELAY:
      return sk.tcpTxDelay;
    case TCP_FASTOPEN:
      return sk.fastopenMaxQlen;
    case TCP_INQ:
      return sk.recvmsgInq;
    case TCP_NOTSENT_LOWAT:
      return sk.notsentLowat;
    case TCP_SAVE_SYN:
      return sk.saveSyn;
    default:
      return -ENOPROTOOPT;
  }
}

/**
 * sk_setsockopt (net/core/sock.c), the SOL_SOCKET options a TCP socket reacts to: 0 or -errno.
 * SO_LINGER takes {onoff, linger}.
 */
export function sk_setsockopt(ctx: KernelCtx, sk: TcpSock, optname: number, val: SockoptVal): number {
  if (optname === SO_LINGER) {
    if (typeof val !== 'object') return -EINVAL; // 1003.1g
    lock_sock(sk);
    if (!val.onoff) {
      sock_reset_flag(sk, T.SOCK_LINGER);
    } else {
      const tSec = val.linger >>> 0;
      sk.lingertime = tSec >= MAX_SCHEDULE_TIMEOUT / T.HZ ? MAX_SCHEDULE_TIMEOUT : tSec * T.HZ;
      sock_set_flag(sk, T.SOCK_LINGER);
    }
    release_sock(ctx, sk);
    return 0;
  }
  if (typeof val !== 'number') return -EINVAL;
  val |= 0;
  const valbool = val ? 1 : 0;
  switch (optname) {
    case SO_PRIORITY:
      // Values above 6 need CAP_NET_ADMIN or CAP_NET_RAW, which root has.
      sk.priority = val;
      return 0;
    case SO_TYPE:
    case SO_PROTOCOL:
    case SO_DOMAIN:
    case SO_ERROR:
      return -ENOPROTOOPT;
  }
  lock_sock(sk);
  let ret = 0;
  switch (optname) {
    case SO_REUSEADDR:
      sk.reuse = valbool; // SK_CAN_REUSE : SK_NO_REUSE
      break;
    case SO_REUSEPORT:
      sk.reuseport = valbool !== 0;
      break;
    case SO_BROADCAST:
      sk.broadcast = valbool !== 0;
      break;
    case SO_SNDBUF:
    case SO_SNDBUFFORCE: {
      // BSD treats SO_SNDBUF as a hint: no error, capped at wmem_max (the FORCE variant is root's).
      if (optname === SO_SNDBUF) val = Math.min(val >>> 0, SYSCTL_WMEM_MAX);
      else if (val < 0) val = 0;
      val = Math.min(val, Math.floor(INT_MAX / 2));
      sk.userlocks |= T.SOCK_SNDBUF_LOCK;
      sk.sndbuf = Math.max(val * 2, SOCK_MIN_SNDBUF);
      // Wake up sending tasks if we upped the value.
      sk_stream_write_space(sk);
      break;
    }
    case SO_RCVBUF:
    case SO_RCVBUFFORCE: {
      val = optname === SO_RCVBUF ? Math.min(val >>> 0, SYSCTL_RMEM_MAX) : Math.max(val, 0);
      // __sock_set_rcvbuf: doubled for the sk_buff overhead; what getsockopt returns.
      val = Math.min(val, Math.floor(INT_MAX / 2));
      sk.userlocks |= T.SOCK_RCVBUF_LOCK;
      sk.rcvbuf = Math.max(val * 2, SOCK_MIN_RCVBUF);
      break;
    }
    case SO_KEEPALIVE:
      tcp_set_keepalive(ctx, sk, valbool);
      if (valbool) sock_set_flag(sk, T.SOCK_KEEPOPEN);
      else sock_reset_flag(sk, T.SOCK_KEEPOPEN);
      break;
    case SO_OOBINLINE:
      if (valbool) sock_set_flag(sk, T.SOCK_URGINLINE);
      else sock_reset_flag(sk, T.SOCK_URGINLINE);
      break;
    case SO_RCVLOWAT:
      if (val < 0) val = INT_MAX;
      ret = tcp_set_rcvlowat(sk, val);
      break;
    case SO_MARK:
      // sk_set_mark (root has CAP_NET_ADMIN): what the socket's skbs carry (ip_queue_xmit, tcp_v4_send_ack).
      sk.mark = val >>> 0;
      break;
    case SO_TIMESTAMPING_OLD:
    case SO_TIMESTAMPING_NEW:
      ret = sock_set_timestamping(sk, val);
      break;
    case SO_ZEROCOPY:
      // Only TCP and UDP sockets of PF_INET take it (and RDS ones).
      if (val < 0 || val > 1) ret = -EINVAL;
      else if (valbool) sock_set_flag(sk, T.SOCK_ZEROCOPY);
      else sock_reset_flag(sk, T.SOCK_ZEROCOPY);
      break;
    case SO_DEBUG:
    case SO_DONTROUTE:
      break;
    default:
      ret = -ENOPROTOOPT;
  }
  release_sock(ctx, sk);
  return ret;
}

/** sk_getsockopt (net/core/sock.c), for the options sk_setsockopt handles. */
export function sk_getsockopt(sk: TcpSock, optname: number): number | Linger {
  switch (optname) {
    case SO_REUSEADDR:
      return sk.reuse;
    case SO_REUSEPORT:
      return sk.reuseport ? 1 : 0;
    case SO_KEEPALIVE:
      return sock_flag(sk, T.SOCK_KEEPOPEN) ? 1 : 0;
    case SO_BROADCAST:
      return sk.broadcast ? 1 : 0;
    case SO_SNDBUF:
      return sk.sndbuf;
    case SO_RCVBUF:
      return sk.rcvbuf;
    case SO_TYPE:
      return sk.type;
    case SO_PROTOCOL:
      return sk.protocol;
    case SO_DOMAIN:
      return 2;
    case SO_ERROR:
      return -sock_error(sk);
    case SO_OOBINLINE:
      return sock_flag(sk, T.SOCK_URGINLINE) ? 1 : 0;
    case SO_LINGER:
      return { onoff: sock_flag(sk, T.SOCK_LINGER) ? 1 : 0, linger: Math.floor(sk.lingertime / T.HZ) };
    case SO_PRIORITY:
      return sk.priority;
    case SO_RCVLOWAT:
      return sk.rcvlowat;
    case SO_ACCEPTCONN:
      return sk.state === TCP_LISTEN ? 1 : 0;
    case SO_MARK:
      return sk.mark | 0;
    case SO_ZEROCOPY:
      return sock_flag(sk, T.SOCK_ZEROCOPY) ? 1 : 0;
    case SO_TIMESTAMPING_OLD:
    case SO_TIMESTAMPING_NEW:
      return sk.tsflags;
    default:
      return -ENOPROTOOPT;
  }
}

/**
 * tcp_setsockopt / sock_setsockopt: SOL_SOCKET to sk_setsockopt, SOL_TCP to do_tcp_setsockopt. (SOL_IP
 * goes to ip_setsockopt, which is the runtime's as for UDP sockets.)
 */
export function tcp_setsockopt(
  ctx: KernelCtx,
  sk: TcpSock,
  level: number,
  optname: number,
  val: SockoptVal,
): number {
  if (level === SOL_SOCKET) return sk_setsockopt(ctx, sk, optname, val);
  if (level === SOL_TCP) return do_tcp_setsockopt(ctx, sk, optname, val);
  return -ENOPROTOOPT;
}

/** tcp_getsockopt / sock_getsockopt */
export function tcp_getsockopt(
  ctx: KernelCtx,
  sk: TcpSock,
  level: number,
  optname: number,
): number | string | TcpInfo | Linger {
  if (level === SOL_SOCKET) return sk_getsockopt(sk, optname);
  if (level === SOL_TCP) return do_tcp_getsockopt(ctx, sk, optname);
  return -ENOPROTOOPT;
}

// ---- TCP_INFO -------------------------------------------------------------------------------------------

/** tcp_compute_delivery_rate: bytes/s of the last rate sample. */
function tcp_compute_delivery_rate(tp: TcpSock): number {
  const rate = tp.rateDelivered;
  const intv = tp.rateIntervalUs;
  if (rate && intv) return Math.floor((rate * tp.mssCache * T.USEC_PER_SEC) / intv);
  return 0;
}

function emptyTcpInfo(): TcpInfo {
  return {
    tcpi_state: 0,
    tcpi_ca_state: 0,
    tcpi_retransmits: 0,
    tcpi_probes: 0,
    tcpi_backoff: 0,
    tcpi_options: 0,
    tcpi_snd_wscale: 0,
    tcpi_rcv_wscale: 0,
    tcpi_delivery_rate_app_limited: 0,
    tcpi_fastopen_client_fail: 0,
    tcpi_rto: 0,
    tcpi_ato: 0,
    tcpi_snd_mss: 0,
    tcpi_rcv_mss: 0,
    tcpi_unacked: 0,
    tcpi_sacked: 0,
    tcpi_lost: 0,
    tcpi_retrans: 0,
    tcpi_fackets: 0,
    tcpi_last_data_sent: 0,
    tcpi_last_ack_sent: 0,
    tcpi_last_data_recv: 0,
    tcpi_last_ack_recv: 0,
    tcpi_pmtu: 0,
    tcpi_rcv_ssthresh: 0,
    tcpi_rtt: 0,
    tcpi_rttvar: 0,
    tcpi_snd_ssthresh: 0,
    tcpi_snd_cwnd: 0,
    tcpi_advmss: 0,
    tcpi_reordering: 0,
    tcpi_rcv_rtt: 0,
    tcpi_rcv_space: 0,
    tcpi_total_retrans: 0,
    tcpi_pacing_rate: 0,
    tcpi_max_pacing_rate: 0,
    tcpi_bytes_acked: 0,
    tcpi_bytes_received: 0,
    tcpi_segs_out: 0,
    tcpi_segs_in: 0,
    tcpi_notsent_bytes: 0,
    tcpi_min_rtt: 0,
    tcpi_data_segs_in: 0,
    tcpi_data_segs_out: 0,
    tcpi_delivery_rate: 0,
    tcpi_busy_time: 0,
    tcpi_rwnd_limited: 0,
    tcpi_sndbuf_limited: 0,
    tcpi_delivered: 0,
    tcpi_delivered_ce: 0,
    tcpi_bytes_sent: 0,
    tcpi_bytes_retrans: 0,
    tcpi_dsack_dups: 0,
    tcpi_reord_seen: 0,
    tcpi_rcv_ooopack: 0,
    tcpi_snd_wnd: 0,
    tcpi_rcv_wnd: 0,
    tcpi_rehash: 0,
    tcpi_total_rto: 0,
    tcpi_total_rto_recoveries: 0,
    tcpi_total_rto_time: 0,
  };
}

/** tcp_get_info_chrono_stats: busy / rwnd-limited / sndbuf-limited time in usec. */
function tcp_get_info_chrono_stats(ctx: KernelCtx, tp: TcpSock, info: TcpInfo): void {
  const stats = [0, 0, 0, 0];
  let total = 0;
  for (let i = T.TCP_CHRONO_BUSY; i <= T.TCP_CHRONO_SNDBUF_LIMITED; ++i) {
    stats[i] = tp.chronoStat[i - 1];
    if (i === tp.chronoType) stats[i] += (tcp_jiffies32(ctx) - tp.chronoStart) >>> 0;
    stats[i] *= T.USEC_PER_SEC / T.HZ;
    total += stats[i];
  }
  info.tcpi_busy_time = total;
  info.tcpi_rwnd_limited = stats[T.TCP_CHRONO_RWND_LIMITED];
  info.tcpi_sndbuf_limited = stats[T.TCP_CHRONO_SNDBUF_LIMITED];
}

/** tcp_get_info: struct tcp_info as getsockopt(TCP_INFO) and ss's INET_DIAG_INFO report it. */
export function tcp_get_info(ctx: KernelCtx, sk: TcpSock): TcpInfo {
  const info = emptyTcpInfo();
  if (sk.type !== SOCK_STREAM) return info;
  info.tcpi_state = sk.state;
  // Report meaningful fields for all TCP states, including listeners
  info.tcpi_pacing_rate = sk.pacingRate;
  info.tcpi_max_pacing_rate = sk.maxPacingRate;
  info.tcpi_reordering = sk.reordering;
  info.tcpi_snd_cwnd = tcp_snd_cwnd(sk);
  if (info.tcpi_state === TCP_LISTEN) {
    // listeners aliased fields: tcpi_unacked -> children ready for accept(), tcpi_sacked -> max backlog
    info.tcpi_unacked = sk.ackBacklog;
    info.tcpi_sacked = sk.maxAckBacklog;
    return info;
  }
  info.tcpi_ca_state = sk.icskCaState;
  info.tcpi_retransmits = sk.icskRetransmits;
  info.tcpi_probes = sk.icskProbesOut;
  info.tcpi_backoff = sk.icskBackoff;
  if (sk.rxOpt.tstampOk) info.tcpi_options |= TCPI_OPT_TIMESTAMPS;
  if (tcp_is_sack(sk)) info.tcpi_options |= TCPI_OPT_SACK;
  if (sk.rxOpt.wscaleOk) {
    info.tcpi_options |= TCPI_OPT_WSCALE;
    info.tcpi_snd_wscale = sk.rxOpt.sndWscale;
    info.tcpi_rcv_wscale = sk.rxOpt.rcvWscale;
  }
  if (sk.ecnFlags & T.TCP_ECN_OK) info.tcpi_options |= TCPI_OPT_ECN;
  if (sk.ecnFlags & T.TCP_ECN_SEEN) info.tcpi_options |= TCPI_OPT_ECN_SEEN;
  if (sk.synDataAcked) info.tcpi_options |= TCPI_OPT_SYN_DATA;
  if (sk.tcpUsecTs) info.tcpi_options |= TCPI_OPT_USEC_TS;

  info.tcpi_rto = jiffies_to_usecs(sk.icskRto);
  info.tcpi_ato = jiffies_to_usecs(Math.min(sk.icskAck.ato, tcp_delack_max(sk)));
  info.tcpi_snd_mss = sk.mssCache;
  info.tcpi_rcv_mss = sk.icskAck.rcvMss;
  info.tcpi_unacked = sk.packetsOut;
  info.tcpi_sacked = sk.sackedOut;
  info.tcpi_lost = sk.lostOut;
  info.tcpi_retrans = sk.retransOut;

  const now = tcp_jiffies32(ctx);
  info.tcpi_last_data_sent = jiffies_to_msecs((now - sk.lsndtime) >>> 0);
  info.tcpi_last_data_recv = jiffies_to_msecs((now - sk.icskAck.lrcvtime) >>> 0);
  info.tcpi_last_ack_recv = jiffies_to_msecs((now - sk.rcvTstamp) >>> 0);

  info.tcpi_pmtu = sk.icskPmtuCookie;
  info.tcpi_rcv_ssthresh = sk.rcvSsthresh;
  info.tcpi_rtt = sk.srttUs >>> 3;
  info.tcpi_rttvar = sk.mdevUs >>> 2;
  info.tcpi_snd_ssthresh = sk.sndSsthresh;
  info.tcpi_advmss = sk.advmss;
  info.tcpi_rcv_rtt = sk.rcvRttEst.rttUs >>> 3;
  info.tcpi_rcv_space = sk.rcvqSpace.space;
  info.tcpi_total_retrans = sk.totalRetrans;
  info.tcpi_bytes_acked = sk.bytesAcked;
  info.tcpi_bytes_received = sk.bytesReceived;
  info.tcpi_notsent_bytes = Math.max(0, (sk.writeSeq - sk.sndNxt) | 0);
  tcp_get_info_chrono_stats(ctx, sk, info);
  info.tcpi_segs_out = sk.segsOut;
  info.tcpi_segs_in = sk.segsIn;
  info.tcpi_data_segs_in = sk.dataSegsIn;
  info.tcpi_min_rtt = tcp_min_rtt(sk);
  info.tcpi_data_segs_out = sk.dataSegsOut;
  info.tcpi_delivery_rate_app_limited = sk.rateAppLimited ? 1 : 0;
  const rate64 = tcp_compute_delivery_rate(sk);
  if (rate64) info.tcpi_delivery_rate = rate64;
  info.tcpi_delivered = sk.delivered;
  info.tcpi_delivered_ce = sk.deliveredCe;
  info.tcpi_bytes_sent = sk.bytesSent;
  info.tcpi_bytes_retrans = sk.bytesRetrans;
  info.tcpi_dsack_dups = sk.dsackDups;
  info.tcpi_reord_seen = sk.reordSeen;
  info.tcpi_rcv_ooopack = sk.rcvOoopack;
  info.tcpi_snd_wnd = sk.sndWnd;
  info.tcpi_rcv_wnd = sk.rcvWnd;
  info.tcpi_rehash = sk.plbRehash + sk.timeoutRehash;
  info.tcpi_fastopen_client_fail = sk.fastopenClientFail;
  info.tcpi_total_rto = sk.totalRto;
  info.tcpi_total_rto_recoveries = sk.totalRtoRecoveries;
  info.tcpi_total_rto_time = sk.totalRtoTime;
  if (sk.rtoStamp) info.tcpi_total_rto_time += T.tcp_clock_ms(ctx) - sk.rtoStamp;
  return info;
}
