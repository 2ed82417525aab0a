/**
 * net/ipv4/syncookies.c: SYN cookies. When a listener's SYN queue is full (or net.ipv4.tcp_syncookies is 2),
 * tcp_conn_request answers a SYN without keeping a request sock: the SYN-ACK's sequence number is a keyed
 * hash of the 4-tuple, the peer's ISN, a 60 s counter and the MSS class, and the SYN's window scale, SACK
 * and ECN ride in the low bits of its timestamp. The handshake's ACK brings both back (ack_seq - 1, TS ecr),
 * and cookie_v4_check rebuilds the request from them and makes the child.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import type { Net } from '../../include/net/net_namespace';
import type { RequestSock, TcpOptionsReceived, TcpSock } from '../../include/linux/tcp';
import { newOptionsReceived } from '../../include/linux/tcp';
import * as T from '../../include/net/tcp';
import { LINUX_MIB } from '../../include/net/snmp';
import { SKB_DROP_REASON, type SkbDropReason } from '../../include/net/dropreason-core';
import { kfn } from '../../include/net/trace';
import * as tcpw from '@skblab/wire/tcp';
import { keyedHash, secure_tcp_seq_and_ts_off } from '../core/secure_seq';
import { jiffies } from '../../kernel/time/timer';
import { inet_reqsk_alloc, tcp_parse_options } from './tcp_input';
import { inet_csk_route_req, tcp_v4_syn_recv_sock } from './tcp_ipv4';
import { inet_csk_reqsk_queue_add } from './inet_connection_sock';
import { tcp_select_initial_window } from './tcp_output';

const FILE = 'net/ipv4/syncookies.c';
const F = {
  initSequence: kfn('cookie_v4_init_sequence', FILE, 'tcp', (isn: number, mss: number) => {
    return `SYN cookie isn ${isn} (MSS class ${mss}): no request sock kept`;
  }),
  check: kfn('cookie_v4_check', FILE, 'tcp', (o: string) => o),
};

/** The MSS values a cookie can say (3 bits would allow 8; Linux uses these 4). */
const msstab = [536, 1300, 1440, 1460];

const COOKIEBITS = 24; // Upper bits store count
const COOKIEMASK = (1 << COOKIEBITS) - 1;
/** TCP_SYNCOOKIE_PERIOD (s) and MAX_SYNCOOKIE_AGE: a cookie is good for two minutes at most. */
const TCP_SYNCOOKIE_PERIOD = 60;
const MAX_SYNCOOKIE_AGE = 2;
const TCP_SYNCOOKIE_VALID = MAX_SYNCOOKIE_AGE * TCP_SYNCOOKIE_PERIOD * T.HZ;

/** The timestamp's low bits: the SYN's options (syncookies.c:36). */
const TS_OPT_WSCALE_MASK = 0xf;
const TS_OPT_SACK = 1 << 4;
const TS_OPT_ECN = 1 << 5;
const TSBITS = 6;

/** syncookie_secret[2]: per kernel, random from first use (net_get_random_once). */
const secrets = new WeakMap<object, number[][]>();

function syncookie_secret(ctx: KernelCtx, net: Net): number[][] {
  let s = secrets.get(net.host);
  if (!s) {
    s = [0, 1].map(() => [0, 1, 2, 3].map(() => ctx.random32() >>> 0));
    secrets.set(net.host, s);
  }
  return s;
}

/** cookie_hash: siphash_4u32 of the 4-tuple and a count under one of the two secrets. */
function cookie_hash(
  ctx: KernelCtx,
  net: Net,
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
  count: number,
  c: number,
): number {
  const ports = ((sport << 16) | dport) >>> 0;
  return keyedHash(syncookie_secret(ctx, net)[c], [saddr, daddr, ports, count >>> 0], 0);
}

/** tcp_cookie_time: the 60 s counter the cookie carries in its top 8 bits. */
function tcp_cookie_time(ctx: KernelCtx): number {
  return Math.floor(T.ktime_get_seconds(ctx) / TCP_SYNCOOKIE_PERIOD) >>> 0;
}

/** secure_tcp_syn_cookie: hash + the peer's ISN + (count << 24) + ((hash2 + data) & 2^24-1). */
function secure_tcp_syn_cookie(
  ctx: KernelCtx,
  net: Net,
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
  sseq: number,
  data: number,
): number {
  const count = tcp_cookie_time(ctx);
  return (
    (cookie_hash(ctx, net, saddr, daddr, sport, dport, 0, 0) +
      sseq +
      ((count << COOKIEBITS) >>> 0) +
      ((cookie_hash(ctx, net, saddr, daddr, sport, dport, count, 1) + data) & COOKIEMASK)) >>>
    0
  );
}

/** check_tcp_syn_cookie: the data (MSS class) back, or 0xffffffff if the cookie is too old. */
function check_tcp_syn_cookie(
  ctx: KernelCtx,
  net: Net,
  cookie: number,
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
  sseq: number,
): number {
  const count = tcp_cookie_time(ctx);
  // Strip away the layers from the cookie
  cookie = (cookie - cookie_hash(ctx, net, saddr, daddr, sport, dport, 0, 0) - sseq) >>> 0;
  // Cookie is now reduced to (count * 2^24) ^ (hash % 2^24)
  const diff = (count - (cookie >>> COOKIEBITS)) & (0xffffffff >>> COOKIEBITS);
  if (diff >= MAX_SYNCOOKIE_AGE) return 0xffffffff;
  return (cookie - cookie_hash(ctx, net, saddr, daddr, sport, dport, count - diff, 1)) & COOKIEMASK;
}

function ipAddrs(skb: SkBuff): { saddr: number; daddr: number } {
  const b = skb.buf;
  const n = skb.networkHeader;
  const word = (o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  return { saddr: word(n + 12), daddr: word(n + 16) };
}

/** time_between32 (include/linux/time.h): t in [l, h], on 32-bit wrapping clocks. */
function time_between32(t: number, l: number, h: number): boolean {
  return (h - l) >>> 0 >= (t - l) >>> 0;
}

/** tcp_synq_overflow: remember (in the listener's ts_recent_stamp) when cookies were last sent. */
function tcp_synq_overflow(ctx: KernelCtx, sk: TcpSock): void {
  const lastOverflow = sk.rxOpt.tsRecentStamp;
  const now = jiffies(ctx) >>> 0;
  if (!time_between32(now, lastOverflow, (lastOverflow + T.HZ) >>> 0)) sk.rxOpt.tsRecentStamp = now;
}

/** tcp_synq_no_recent_overflow: no cookie sent in the last two minutes: an ACK cannot be a cookie's. */
function tcp_synq_no_recent_overflow(ctx: KernelCtx, sk: TcpSock): boolean {
  const lastOverflow = sk.rxOpt.tsRecentStamp;
  const now = jiffies(ctx) >>> 0;
  return !time_between32(now, (lastOverflow - T.HZ) >>> 0, (lastOverflow + TCP_SYNCOOKIE_VALID) >>> 0);
}

/**
 * cookie_init_sequence (include/net/tcp.h) with cookie_v4_init_sequence: SyncookiesSent, the overflow
 * time, and the ISN; the request's MSS becomes the table's value at or below the SYN's.
 */
export function cookie_v4_init_sequence(ctx: KernelCtx, sk: TcpSock, skb: SkBuff, req: RequestSock): number {
  tcp_synq_overflow(ctx, sk);
  sk.net.linuxMib[LINUX_MIB.SyncookiesSent]++;
  let mssind = msstab.length - 1;
  for (; mssind; mssind--) if (req.mss >= msstab[mssind]) break;
  req.mss = msstab[mssind];
  const { saddr, daddr } = ipAddrs(skb);
  const th = skb.transportHeader;
  const isn = secure_tcp_syn_cookie(
    ctx,
    sk.net,
    saddr,
    daddr,
    tcpw.srcPort(skb.buf, th),
    tcpw.dstPort(skb.buf, th),
    tcpw.seqNumber(skb.buf, th),
    mssind,
  );
  ctx.step(skb, F.initSequence, isn, req.mss);
  return isn;
}

/**
 * cookie_init_timestamp: the SYN-ACK's TS val (in ns of tcp_clock) with the SYN's options in its low 6
 * bits, never later than now.
 */
export function cookie_init_timestamp(req: RequestSock, nowNs: number): number {
  const tsNow = Math.floor(nowNs / T.NSEC_PER_MSEC);
  let options = req.wscaleOk ? req.sndWscale : TS_OPT_WSCALE_MASK;
  if (req.sackOk) options |= TS_OPT_SACK;
  if (req.ecnOk) options |= TS_OPT_ECN;
  let ts = Math.floor(tsNow / 2 ** TSBITS) * 2 ** TSBITS + options;
  if (ts > tsNow) ts -= 2 ** TSBITS;
  return ts * T.NSEC_PER_MSEC;
}

/** __cookie_v4_check: the MSS the ACK's cookie says, or 0 for a bad or stale one. */
function __cookie_v4_check(ctx: KernelCtx, net: Net, skb: SkBuff): number {
  const th = skb.transportHeader;
  const cookie = (tcpw.ackNumber(skb.buf, th) - 1) >>> 0;
  const seq = (tcpw.seqNumber(skb.buf, th) - 1) >>> 0;
  const { saddr, daddr } = ipAddrs(skb);
  const mssind = check_tcp_syn_cookie(
    ctx,
    net,
    cookie,
    saddr,
    daddr,
    tcpw.srcPort(skb.buf, th),
    tcpw.dstPort(skb.buf, th),
    seq,
  );
  return mssind < msstab.length ? msstab[mssind] : 0;
}

/** cookie_timestamp_decode: the SYN's options from the echoed timestamp; false if they cannot be used. */
function cookie_timestamp_decode(net: Net, o: TcpOptionsReceived): boolean {
  // echoed timestamp, lowest bits contain options
  const options = o.rcvTsecr;
  if (!o.sawTstamp) {
    T.tcp_clear_options(o);
    return true;
  }
  if (!net.sysctl.tcp.timestamps) return false;
  o.sackOk = options & TS_OPT_SACK ? T.TCP_SACK_SEEN : 0;
  if (o.sackOk && !net.sysctl.tcp.sack) return false;
  if ((options & TS_OPT_WSCALE_MASK) === TS_OPT_WSCALE_MASK) return true; // no window scaling
  o.wscaleOk = 1;
  o.sndWscale = options & TS_OPT_WSCALE_MASK;
  return net.sysctl.tcp.windowScaling !== 0;
}

/**
 * cookie_tcp_reqsk_alloc with cookie_tcp_reqsk_init: the request the SYN would have made, from the ACK
 * (its ISNs are one below the ACK's sequence and acknowledgment numbers) and the decoded options.
 */
function cookie_tcp_reqsk_alloc(sk: TcpSock, skb: SkBuff, o: TcpOptionsReceived, mss: number, tsoff: number) {
  const req = inet_reqsk_alloc(sk, skb);
  const b = skb.buf;
  const th = skb.transportHeader;
  req.numRetrans = 0;
  req.num = tcpw.dstPort(b, th);
  req.rmtPort = tcpw.srcPort(b, th);
  req.sntSynack = 0;
  req.tfoListener = false;
  req.rcvIsn = (tcpw.seqNumber(b, th) - 1) >>> 0;
  req.rcvNxt = tcpw.seqNumber(b, th);
  req.sntIsn = (tcpw.ackNumber(b, th) - 1) >>> 0;
  req.synTos = T.TCP_SKB_CB(skb).ipDsfield;
  req.mss = mss;
  req.tsRecent = o.sawTstamp ? o.rcvTsval : 0;
  req.sndWscale = o.sndWscale;
  req.tstampOk = o.sawTstamp;
  req.sackOk = o.sackOk;
  req.wscaleOk = o.wscaleOk;
  req.ecnOk = o.rcvTsecr & TS_OPT_ECN ? 1 : 0;
  req.reqUsecTs = false;
  req.tsOff = tsoff;
  return req;
}

/** cookie_tcp_check: a valid cookie's request, or null (SyncookiesFailed for a bad one). */
function cookie_tcp_check(ctx: KernelCtx, net: Net, sk: TcpSock, skb: SkBuff): RequestSock | null {
  if (tcp_synq_no_recent_overflow(ctx, sk)) return null;
  const mss = __cookie_v4_check(ctx, net, skb);
  if (!mss) {
    net.linuxMib[LINUX_MIB.SyncookiesFailed]++;
    ctx.step(skb, F.check, 'not a valid cookie: SyncookiesFailed');
    return null;
  }
  net.linuxMib[LINUX_MIB.SyncookiesRecv]++;
  // check for timestamp cookie support
  const o = newOptionsReceived();
  tcp_parse_options(net, skb, o, false, null);
  let tsoff = 0;
  if (o.sawTstamp && o.rcvTsecr) {
    const { saddr, daddr } = ipAddrs(skb);
    const th = skb.transportHeader;
    const st = secure_tcp_seq_and_ts_off(
      ctx,
      net,
      daddr,
      saddr,
      tcpw.dstPort(skb.buf, th),
      tcpw.srcPort(skb.buf, th),
    );
    tsoff = st.tsOff;
    o.rcvTsecr = (o.rcvTsecr - tsoff) >>> 0;
  }
  if (!cookie_timestamp_decode(net, o)) return null;
  return cookie_tcp_reqsk_alloc(sk, skb, o, mss, tsoff);
}

/**
 * tcp_get_cookie_sock: the child, made as tcp_check_req would (syn_recv_sock, no request in the hash to
 * replace), joins the accept queue.
 */
function tcp_get_cookie_sock(ctx: KernelCtx, sk: TcpSock, skb: SkBuff, req: RequestSock): TcpSock | null {
  const ownReq = { v: false };
  const child = tcp_v4_syn_recv_sock(ctx, sk, skb, req, req.dst, ownReq, null);
  if (!child) return null;
  return inet_csk_reqsk_queue_add(ctx, sk, req, child);
}

/**
 * cookie_v4_check (syncookies.c:350), through tcp_v4_cookie_check: an ACK (not a SYN, not an RST) for a
 * listener that recently sent cookies may be the end of a cookie handshake. Returns the listener (not a
 * cookie: it handles the segment), the new child, or null with the drop's reason.
 */
export function cookie_v4_check(
  ctx: KernelCtx,
  sk: TcpSock,
  skb: SkBuff,
): { sk: TcpSock | null; reason: SkbDropReason | null } {
  const net = sk.net;
  const f = tcpw.flags(skb.buf, skb.transportHeader);
  if (!net.sysctl.tcp.syncookies || !(f & tcpw.TCP_ACK) || f & tcpw.TCP_RST || f & tcpw.TCP_SYN)
    return { sk, reason: null };
  const req = cookie_tcp_check(ctx, net, sk, skb);
  if (!req) {
    // A bad cookie (or options it cannot carry): the listener handles the ACK (an RST for it).
    return { sk, reason: null };
  }
  // We need to lookup the route here to get at the correct window size.
  const rt = inet_csk_route_req(ctx, sk, req);
  if (!rt) return { sk: null, reason: SKB_DROP_REASON.IP_OUTNOROUTES };
  req.dst = rt;
  // Try to redo what tcp_v4_send_synack did.
  req.windowClamp = sk.windowClamp || 0;
  const fullSpace = T.tcp_full_space(sk);
  if (sk.userlocks & T.SOCK_RCVBUF_LOCK && (req.windowClamp > fullSpace || req.windowClamp === 0))
    req.windowClamp = fullSpace;
  const w = tcp_select_initial_window(sk, fullSpace, req.mss, req.windowClamp, !!req.wscaleOk, 0);
  req.rcvWnd = w.rcvWnd;
  req.windowClamp = w.windowClamp;
  req.rcvWscale = w.rcvWscale;
  // cookie_ecn_ok: the ECN bit of the timestamp, if net.ipv4.tcp_ecn allows it (no route ECN feature here).
  if (!net.sysctl.tcp.ecn) req.ecnOk = 0;
  const child = tcp_get_cookie_sock(ctx, sk, skb, req);
  ctx.step(skb, F.check, child ? 'cookie good: child socket from the ACK' : 'cookie good, no child');
  if (!child) return { sk: null, reason: SKB_DROP_REASON.NO_SOCKET };
  return { sk: child, reason: null };
}
