/**
 * include/linux/tcp.h, include/net/inet_connection_sock.h, include/net/request_sock.h and
 * include/net/inet_timewait_sock.h, as plain data: struct tcp_sock (with its inet_connection_sock and the
 * struct sock fields TCP uses), the request sock a listener keeps per SYN, and the TIME_WAIT bucket. Field
 * names follow the kernel's, camel-cased; times are jiffies (HZ 250) unless the name says us or ns.
 */
import type { SkBuff, UbufInfoMsgzc } from './skbuff';
import type { KernelCtx, KTimer } from '../net/kctx';
import type { Net } from '../net/net_namespace';
import type { Rtable } from '../net/route';
import type { Sock } from '../net/sock';
import type { SkProt, SkPsock } from './skmsg';

export interface TcpSackBlock {
  startSeq: number;
  endSeq: number;
}

/** struct tcp_options_received */
export interface TcpOptionsReceived {
  tsRecentStamp: number;
  tsRecent: number;
  rcvTsval: number;
  rcvTsecr: number;
  sawTstamp: number;
  tstampOk: number;
  dsack: number;
  wscaleOk: number;
  /** TCP_SACK_SEEN | TCP_DSACK_SEEN */
  sackOk: number;
  sawUnknown: number;
  sndWscale: number;
  rcvWscale: number;
  numSacks: number;
  userMss: number;
  mssClamp: number;
}

export function newOptionsReceived(): TcpOptionsReceived {
  return {
    tsRecentStamp: 0,
    tsRecent: 0,
    rcvTsval: 0,
    rcvTsecr: 0,
    sawTstamp: 0,
    tstampOk: 0,
    dsack: 0,
    wscaleOk: 0,
    sackOk: 0,
    sawUnknown: 0,
    sndWscale: 0,
    rcvWscale: 0,
    numSacks: 0,
    userMss: 0,
    mssClamp: 0,
  };
}

/** struct tcp_fastopen_cookie */
export interface TcpFastopenCookie {
  val: Uint8Array;
  /** -1: no cookie option; 0: a request (empty cookie); else the cookie's length. */
  len: number;
  exp: boolean;
}

/** struct tcp_fastopen_request: a sendto(MSG_FASTOPEN) waiting to ride the SYN. */
export interface TcpFastopenRequest {
  cookie: TcpFastopenCookie;
  data: Uint8Array | null;
  size: number;
  copied: number;
  /** The MSG_ZEROCOPY range of the sendto (tcp_send_syn_data attaches the SYN's data to it). */
  uarg: UbufInfoMsgzc | null;
}

/** inet_connection_sock's icsk_ack */
export interface IcskAck {
  pending: number;
  quick: number;
  pingpong: number;
  retry: number;
  ato: number;
  lrcvtime: number;
  timeout: number;
  lastSegSize: number;
  rcvMss: number;
  dstQuickAck: number;
}

/** struct ack_sample: what tcp_clean_rtx_queue tells the congestion control. */
export interface AckSample {
  pktsAcked: number;
  rttUs: number;
  inFlight: number;
}

/** The congestion control a socket runs (struct tcp_congestion_ops): the hooks TCP calls. */
export interface TcpCongestionOps {
  name: string;
  key: number;
  flags: number;
  init?(ctx: KernelCtx, sk: TcpSock): void;
  release?(sk: TcpSock): void;
  ssthresh(sk: TcpSock): number;
  congAvoid(ctx: KernelCtx, sk: TcpSock, ack: number, acked: number): void;
  setState?(ctx: KernelCtx, sk: TcpSock, state: number): void;
  cwndEvent?(ctx: KernelCtx, sk: TcpSock, ev: number): void;
  inAckEvent?(sk: TcpSock, flags: number): void;
  pktsAcked?(ctx: KernelCtx, sk: TcpSock, sample: AckSample): void;
  undoCwnd(sk: TcpSock): number;
}

/** A socket's place in the connection hash tables (tcp_hashinfo): which table holds it. */
export type TcpHashed = 'none' | 'listen' | 'established';

export interface TcpSock extends Sock {
  /** Full sockets carry no kind; request and TIME_WAIT socks say what they are (the ehash holds all three). */
  kind?: undefined;
  // ---- struct sock ----
  state: number;
  /** sk_shutdown: RCV_SHUTDOWN | SEND_SHUTDOWN */
  shutdown: number;
  sndbuf: number;
  wmemQueued: number;
  /** sk_userlocks: SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK | SOCK_BINDADDR_LOCK | SOCK_BINDPORT_LOCK */
  userlocks: number;
  /** sock_owned_by_user: a process holds lock_sock() */
  owned: boolean;
  /** sk_backlog: what arrived while the process held the socket */
  backlog: SkBuff[];
  backlogLen: number;
  /** SOCK_DEAD, SOCK_DONE, SOCK_KEEPOPEN, SOCK_LINGER, SOCK_URGINLINE, SOCK_ZEROCOPY (sock_flag) */
  flags: number;
  /** sk_psock(sk) (sk_user_data): set while the socket is in a sockmap or sockhash (net/core/skmsg.c). */
  psock: SkPsock | null;
  /** sk->sk_prot when it is not tcp_prot: tcp_bpf_prots' ops while in a sockmap (net/ipv4/tcp_bpf.c). */
  skProt: SkProt | null;
  /** sk_zckey: the id the next MSG_ZEROCOPY sendmsg gets (msg_zerocopy_alloc). */
  zckey: number;
  lingertime: number;
  rcvlowat: number;
  errSoft: number;
  ackBacklog: number;
  maxAckBacklog: number;
  reuse: number;
  reuseport: boolean;
  boundDevIf: number;
  /** The owning process's file is gone (tcp_close / sock_orphan): an orphan. */
  orphan: boolean;
  /** sk_pacing_rate (bytes/s), sk_max_pacing_rate */
  pacingRate: number;
  maxPacingRate: number;
  pacingStatus: number;
  pacingShift: number;
  gsoMaxSize: number;
  gsoMaxSegs: number;
  /** NETIF_F_GSO in sk_route_caps */
  gsoOk: boolean;
  /** inet->inet_sport (host order) */
  sport: number;
  /** inet->inet_id */
  inetId: number;
  /** inet->mc_ttl etc. are not modelled; the received TOS of the SYN (rcv_tos) */
  rcvTos: number;
  /** sk_rx_dst */
  rxDst: Rtable | null;
  /** SOCK_NOSPACE on sk_socket */
  nospace: boolean;
  /** sk_write_pending */
  writePending: number;
  /** TCP_DEFER_ACCEPT, in retransmits */
  deferAccept: number;
  /** The hash table that holds the socket. */
  hashed: TcpHashed;
  /** Whether it owns a bind bucket (inet_csk(sk)->icsk_bind_hash). */
  bound: boolean;
  /** sk_socket: the file descriptor's socket; null once orphaned or for a child not yet accepted. */
  hasSocket: boolean;

  // ---- inet_connection_sock ----
  icskRto: number;
  icskRtoMin: number;
  icskDelackMax: number;
  icskPmtuCookie: number;
  icskCaOps: TcpCongestionOps;
  icskCaState: number;
  icskCaInitialized: boolean;
  icskCaSetsockopt: boolean;
  /** icsk_ca_priv: the congestion control's own state (struct bictcp for cubic) */
  icskCaPriv: object | null;
  icskRetransmits: number;
  icskPending: number;
  icskBackoff: number;
  icskSynRetries: number;
  icskProbesOut: number;
  icskProbesTstamp: number;
  icskExtHdrLen: number;
  icskAck: IcskAck;
  icskMtup: {
    enabled: boolean;
    searchHigh: number;
    searchLow: number;
    probeSize: number;
    probeTimestamp: number;
  };
  icskUserTimeout: number;
  /** icsk_timeout: when the retransmit timer (icsk_pending's event) is due, in jiffies */
  icskTimeout: number;
  icskRetransmitTimer: KTimer<TcpSock>;
  icskDelackTimer: KTimer<TcpSock>;
  /** sk_timer: keepalive, and the FIN_WAIT2 timer of an orphan */
  keepaliveTimer: KTimer<TcpSock>;
  /** icsk_accept_queue */
  acceptQueue: RequestSock[];
  /** The listener's SYN queue: request socks waiting for the ACK (reqsk_queue_len). */
  synQueueLen: number;
  /** icsk_accept_queue.synflood_warned: the SYN-flood message was given once already. */
  synfloodWarned: boolean;
  synQueueYoung: number;
  /** The listener that made this child, until accept() takes it. */
  parent: TcpSock | null;

  // ---- tcp_sock ----
  tcpHeaderLen: number;
  gsoSegs: number;
  predFlags: number;
  bytesReceived: number;
  segsIn: number;
  dataSegsIn: number;
  rcvNxt: number;
  copiedSeq: number;
  rcvWup: number;
  sndNxt: number;
  segsOut: number;
  dataSegsOut: number;
  bytesSent: number;
  bytesAcked: number;
  dsackDups: number;
  sndUna: number;
  sndSml: number;
  rcvTstamp: number;
  lsndtime: number;
  lastOowAckTime: number;
  compressedAckRcvNxt: number;
  tsoffset: number;
  sndWl1: number;
  sndWnd: number;
  maxWindow: number;
  mssCache: number;
  windowClamp: number;
  rcvSsthresh: number;
  rackMstamp: number;
  rackRttUs: number;
  rackEndSeq: number;
  rackLastDelivered: number;
  rackReoWndSteps: number;
  rackReoWndPersist: number;
  rackDsackSeen: number;
  rackAdvanced: number;
  advmss: number;
  compressedAck: number;
  dupAckCounter: number;
  tlpRetrans: number;
  tcpUsecTs: boolean;
  isSackReneg: number;
  isCwndLimited: number;
  thinLto: number;
  fastopenConnect: number;
  /** inet->defer_connect (DEFER_CONNECT bit): TCP_FASTOPEN_CONNECT holds the SYN until the first write. */
  deferConnect: boolean;
  fastopenNoCookie: number;
  fastopenClientFail: number;
  frto: number;
  repair: number;
  synData: number;
  synFastopen: number;
  synFastopenExp: number;
  synFastopenCh: number;
  synDataAcked: number;
  saveSyn: number;
  nonagle: number;
  rateAppLimited: number;
  chronoStart: number;
  chronoStat: [number, number, number];
  chronoType: number;
  keepaliveProbes: number;
  tcpTxDelay: number;
  /** tcp_mstamp, usec; tcp_clock_cache, ns */
  tcpMstamp: number;
  tcpClockCache: number;
  /** tcp_wstamp_ns: departure time of the next data packet */
  tcpWstampNs: number;
  srttUs: number;
  mdevUs: number;
  mdevMaxUs: number;
  rttvarUs: number;
  rttSeq: number;
  /** minmax rtt_min: the windowed minimum (samples [{t, v}, ...]) */
  rttMin: Array<{ t: number; v: number }>;
  packetsOut: number;
  retransOut: number;
  maxPacketsOut: number;
  cwndUsageSeq: number;
  urgData: number;
  ecnFlags: number;
  keepaliveTime: number;
  keepaliveIntvl: number;
  linger2: number;
  reordering: number;
  reordSeen: number;
  sndUp: number;
  rxOpt: TcpOptionsReceived;
  sndSsthresh: number;
  sndCwnd: number;
  sndCwndCnt: number;
  sndCwndClamp: number;
  sndCwndUsed: number;
  sndCwndStamp: number;
  priorCwnd: number;
  prrDelivered: number;
  prrOut: number;
  delivered: number;
  deliveredCe: number;
  lost: number;
  appLimited: number;
  firstTxMstamp: number;
  deliveredMstamp: number;
  rateDelivered: number;
  rateIntervalUs: number;
  rcvWnd: number;
  writeSeq: number;
  notsentLowat: number;
  /** TCP_INQ: recvmsg reports the bytes left to read (a TCP_CM_INQ cmsg). */
  recvmsgInq: number;
  pushedSeq: number;
  lostOut: number;
  sackedOut: number;
  duplicateSack: [TcpSackBlock];
  selectiveAcks: TcpSackBlock[];
  recvSackCache: TcpSackBlock[];
  lostSkbHint: SkBuff | null;
  retransmitSkbHint: SkBuff | null;
  highestSack: SkBuff | null;
  lostCntHint: number;
  priorSsthresh: number;
  highSeq: number;
  retransStamp: number;
  undoMarker: number;
  undoRetrans: number;
  bytesRetrans: number;
  totalRetrans: number;
  rtoStamp: number;
  totalRto: number;
  totalRtoRecoveries: number;
  totalRtoTime: number;
  urgSeq: number;
  tlpHighSeq: number;
  rcvRttLastTsecr: number;
  rcvRttEst: { rttUs: number; seq: number; time: number };
  rcvqSpace: { space: number; seq: number; time: number };
  mtuProbe: { probeSeqStart: number; probeSeqEnd: number };
  mtuInfo: number;
  rcvOoopack: number;
  scalingRatio: number;
  fastopenReq: TcpFastopenRequest | null;
  /** fastopen_rsk: a passive Fast Open child's request, until the handshake's ACK */
  fastopenRsk: RequestSock | null;
  /** icsk_accept_queue.fastopenq.max_qlen: a listener's TCP_FASTOPEN backlog (0: no server Fast Open). */
  fastopenMaxQlen: number;
  /** icsk_accept_queue.fastopenq.qlen: Fast Open children not yet past SYN_RECV. */
  fastopenQlen: number;
  timeoutRehash: number;
  plbRehash: number;
  /** tsq flags: TSQ_THROTTLED, TSQ_QUEUED and the deferred work of tcp_release_cb */
  tsqFlags: number;
  /** The MD5 keys set with TCP_MD5SIG: by peer address. */
  md5Keys: Array<{ addr: number; prefixlen: number; key: Uint8Array }>;

  // ---- queues ----
  /** sk_write_queue: not yet sent (tcp_send_head is its first). */
  writeQueue: SkBuff[];
  /** tcp_rtx_queue: sent and not acknowledged, in sequence order. */
  rtxQueue: SkBuff[];
  /** tsorted_sent_queue: the rtx queue's skbs in the order they were (re)sent, for RACK. */
  tsortedSentQueue: SkBuff[];
  /** out_of_order_queue, in sequence order. */
  outOfOrderQueue: SkBuff[];
  ooLastSkb: SkBuff | null;
  /** The TCP_SKB_CB state of received skbs lives on them; this is the receive queue's byte count. */
  pacingTimer: KTimer<TcpSock>;
  compressedAckTimer: KTimer<TcpSock>;
  /** struct socket's state (socket->state, SS_*), kept on the sock. */
  sockState: number;
}

/** struct request_sock + inet_request_sock + tcp_request_sock: one SYN a listener answered. */
export interface RequestSock {
  kind: 'request';
  listener: TcpSock;
  net: Net;
  /** ir_loc_addr, ir_rmt_addr, ir_num (local port), ir_rmt_port */
  locAddr: number;
  rmtAddr: number;
  num: number;
  rmtPort: number;
  rcvIsn: number;
  sntIsn: number;
  rcvNxt: number;
  sntSynack: number;
  lastOowAckTime: number;
  mss: number;
  tsRecent: number;
  tsOff: number;
  reqUsecTs: boolean;
  tstampOk: number;
  sackOk: number;
  wscaleOk: number;
  ecnOk: number;
  acked: number;
  sndWscale: number;
  rcvWscale: number;
  rcvWnd: number;
  windowClamp: number;
  numRetrans: number;
  numTimeout: number;
  /** req->timeout: the initial SYN-ACK timeout, jiffies */
  timeout: number;
  synTos: number;
  synTtl: number;
  tfoListener: boolean;
  syncookie: boolean;
  timer: KTimer<RequestSock>;
  /** The child socket once made (accept queue entries, Fast Open). */
  sk: TcpSock | null;
  /** Whether it is in the established hash (as a TCP_NEW_SYN_RECV mini socket). */
  hashed: boolean;
  dst: Rtable | null;
}

/** struct inet_timewait_sock + tcp_timewait_sock */
export interface TimewaitSock {
  kind: 'timewait';
  net: Net;
  /** tw_substate: TCP_TIME_WAIT, or TCP_FIN_WAIT2 for an orphan waiting for the peer's FIN */
  substate: number;
  rcvSaddr: number;
  daddr: number;
  num: number;
  sport: number;
  dport: number;
  rcvNxt: number;
  sndNxt: number;
  rcvWnd: number;
  rcvWscale: number;
  tsRecent: number;
  tsRecentStamp: number;
  tsOffset: number;
  usecTs: boolean;
  lastOowAckTime: number;
  tos: number;
  ttl: number;
  priority: number;
  /** tw_reuse: the socket's SO_REUSEADDR, for bind conflicts */
  reuse: number;
  timer: KTimer<TimewaitSock>;
  /** When the timer is due (jiffies), for ss -o "timer:(timewait,...)". */
  expires: number;
  comm: string;
  dead: boolean;
}
