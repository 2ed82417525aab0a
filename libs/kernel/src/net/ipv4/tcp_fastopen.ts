/**
 * net/ipv4/tcp_fastopen.c (and the Fast Open cache of tcp_metrics.c): TCP Fast Open, client side. A client
 * that has a cookie for the destination sends data in its SYN; the SYN-ACK's cookie is cached per
 * destination. The server side stays off: net.ipv4.tcp_fastopen defaults to 1 (TFO_CLIENT_ENABLE), and a
 * listener accepts SYN data only after setsockopt(TCP_FASTOPEN), which the model does not offer.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { skbCopy, skbPull, skbTruesize } from '../../include/linux/skbuff';
import type { Net } from '../../include/net/net_namespace';
import type { Rtable } from '../../include/net/route';
import type { RequestSock, TcpFastopenCookie, TcpSock } from '../../include/linux/tcp';
import {
  HZ,
  ICSK_TIME_RETRANS,
  TCP_RTO_MAX,
  TCPHDR_FIN,
  TCPHDR_SYN,
  TCP_FASTOPEN_COOKIE_MAX,
  TCP_SKB_CB,
  USEC_PER_SEC,
} from '../../include/net/tcp';
import { IFF_LOOPBACK } from '../../include/linux/netdevice';
import { LINUX_MIB } from '../../include/net/snmp';
import { kfn } from '../../include/net/trace';
import * as tcpw from '@skblab/wire/tcp';
import { jiffies } from '../../kernel/time/timer';
import { siphash, type SiphashKey } from '../../lib/siphash';
import { BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, tcp_fin, tcp_init_transfer } from './tcp_input';
import { tcp_segs_in } from './tcp_minisocks';
import { sk_forced_mem_schedule, sk_mem_charge } from '../../include/net/sock';
import { tcp_v4_syn_recv_sock } from './tcp_ipv4';
import { tcp_timeout_init } from './tcp_output';
import { inet_csk_reset_xmit_timer } from './inet_connection_sock';

const F = {
  addSkb: kfn('tcp_fastopen_add_skb', 'net/ipv4/tcp_fastopen.c', 'tcp', (o: string) => o),
  tryFastopen: kfn('tcp_try_fastopen', 'net/ipv4/tcp_fastopen.c', 'tcp', (o: string) => o),
};

// TODO(contract): move the TFO_* constants to include/net/tcp.ts
/** net.ipv4.tcp_fastopen bits (include/net/tcp.h) */
export const TFO_CLIENT_ENABLE = 1;
export const TFO_SERVER_ENABLE = 2;
/** Data in SYN w/o cookie option */
export const TFO_CLIENT_NO_COOKIE = 4;
export const TFO_SERVER_COOKIE_NOT_REQD = 0x200;
export const TFO_SERVER_WO_SOCKOPT1 = 0x400;

/** enum tfo_status (tcpi_fastopen_client_fail, include/uapi/linux/tcp.h) */
export const TFO_STATUS_UNSPEC = 0;
export const TFO_COOKIE_UNAVAILABLE = 1;
export const TFO_DATA_NOT_ACKED = 2;
export const TFO_SYN_RETRANSMITTED = 3;

/** One destination's struct tcp_fastopen_metrics. */
type FastopenMetrics = Net['tcpFastopenCache'] extends Map<number, infer V> ? V : never;
/** tfom->try_exp: 1 = try the experimental option next, 2 = both options tried and failed. */
type FastopenMetricsExp = FastopenMetrics & { tryExp?: number };

/**
 * net->ipv4.tfo_active_disable_times / tfo_active_disable_stamp: the active-TFO blackhole backoff per
 * namespace.
 */
// TODO(contract): add tfoActiveDisableTimes / tfoActiveDisableStamp to Net (include/net/net_namespace.ts),
// and tryExp to Net.tcpFastopenCache's entries; until then they live here.
const tfoActiveDisable = new WeakMap<Net, { times: number; stamp: number }>();

function tfoDisableState(net: Net): { times: number; stamp: number } {
  let s = tfoActiveDisable.get(net);
  if (!s) {
    s = { times: 0, stamp: 0 };
    tfoActiveDisable.set(net, s);
  }
  return s;
}

/** tcp_get_metrics (tcp_metrics.c), Fast Open part: the destination's entry, made on demand. */
function tcp_get_metrics(sk: TcpSock, create: boolean): FastopenMetricsExp | null {
  const cache = sk.net.tcpFastopenCache;
  let tm: FastopenMetricsExp | undefined = cache.get(sk.daddr >>> 0);
  if (!tm && create) {
    // tcpm_suck_dst: a new entry has no MSS, no cookie, no SYN losses.
    tm = { mss: 0, cookie: null, exp: false, synLoss: 0, lastSynLoss: 0, tryExp: 0 };
    cache.set(sk.daddr >>> 0, tm);
  }
  return tm ?? null;
}

/** tcp_metrics_flush_all (tcp_metrics.c): `ip tcp_metrics flush all` forgets every destination. */
export function tcp_metrics_flush_all(net: Net): void {
  net.tcpFastopenCache.clear();
}

/**
 * tcp_fastopen_cache_get (tcp_metrics.c): the cached MSS (into mss.v, if any) and cookie for the
 * destination (len 0: none).
 */
export function tcp_fastopen_cache_get(sk: TcpSock, mss: { v: number }, cookie: TcpFastopenCookie): void {
  const tm = tcp_get_metrics(sk, false);
  if (!tm) return;
  if (tm.mss) mss.v = tm.mss;
  // *cookie = tfom->cookie
  cookie.len = tm.cookie ? tm.cookie.length : 0;
  cookie.val = tm.cookie ? tm.cookie.slice() : new Uint8Array(0);
  cookie.exp = tm.cookie ? tm.exp : false;
  if (cookie.len <= 0 && tm.tryExp === 1) cookie.exp = true;
}

/**
 * tcp_fastopen_cache_set (tcp_metrics.c): remember what a SYN-ACK taught about the destination: its MSS,
 * its cookie (or whether to try the experimental option), whether the SYN was lost.
 */
export function tcp_fastopen_cache_set(
  sk: TcpSock,
  mss: number,
  cookie: TcpFastopenCookie | null,
  synLost: boolean,
  tryExp: number,
): void {
  if (!sk.dstCache) return; // __sk_dst_get(sk)
  const tm = tcp_get_metrics(sk, true)!;
  if (mss) tm.mss = mss;
  if (cookie && cookie.len > 0) {
    tm.cookie = cookie.val.slice(0, cookie.len);
    tm.exp = cookie.exp;
  } else if (tryExp > (tm.tryExp ?? 0) && !tm.cookie && !tm.exp) {
    tm.tryExp = tryExp;
  }
  if (synLost) {
    ++tm.synLoss;
    // jiffies, from the clock the SYN-ACK's processing refreshed (tcp_mstamp)
    tm.lastSynLoss = Math.floor(sk.tcpMstamp / (USEC_PER_SEC / HZ));
  } else {
    tm.synLoss = 0;
  }
}

/** tcp_hdrlen */
function tcp_hdrlen(skb: SkBuff): number {
  return tcpw.headerLength(skb.buf, skb.transportHeader);
}

/**
 * tcp_fastopen_add_skb: data (and a FIN) that rode on a SYN or SYN-ACK goes to the receive queue: a copy
 * of the segment, past its header and the SYN's sequence number.
 */
export function tcp_fastopen_add_skb(ctx: KernelCtx, sk: TcpSock, skb: SkBuff): void {
  if (TCP_SKB_CB(skb).endSeq === sk.rcvNxt) return;
  const c = skbCopy(ctx.newSkbId(), skb); // skb_clone
  c.dst = null; // tcp_cleanup_skb
  // segs_in has been initialized to 1 in tcp_create_openreq_child(). Hence, reset segs_in to 0 before
  // calling tcp_segs_in() to avoid double counting. Also, tcp_segs_in() expects skb->len to include the
  // tcp_hdrlen. Hence, it should be called before __skb_pull().
  sk.segsIn = 0;
  tcp_segs_in(sk, c);
  skbPull(c, tcp_hdrlen(c));
  // sk_forced_mem_schedule + skb_set_owner_r
  c.sk = sk;
  sk_forced_mem_schedule(sk, skbTruesize(c));
  sk.rmemAlloc += skbTruesize(c);
  sk_mem_charge(sk, skbTruesize(c));
  const tcb = TCP_SKB_CB(c);
  tcb.seq = (tcb.seq + 1) >>> 0;
  tcb.tcpFlags &= ~TCPHDR_SYN;
  sk.rcvNxt = tcb.endSeq;
  sk.receiveQueue.push(c); // tcp_add_receive_queue
  sk.synDataAcked = 1;
  // u64_stats_update_begin(&tp->syncp) not needed here, as we certainly are not changing upper 32bit value
  sk.bytesReceived = c.len;
  ctx.step(skb, F.addSkb, `${c.len} bytes of SYN data to the receive queue`);
  if (tcb.tcpFlags & TCPHDR_FIN) tcp_fin(ctx, sk, skb);
}

/** struct tcp_fastopen_context: the server's cookie keys (primary, then an optional backup), per netns. */
const tfoContext = new WeakMap<Net, SiphashKey[]>();

/** TCP_FASTOPEN_COOKIE_SIZE: a server cookie is one SipHash value. */
const TCP_FASTOPEN_COOKIE_SIZE = 8;

/** A 16-byte key given as four 32-bit words (little-endian in memory, as proc_tcp_fastopen_key stores them). */
function keyFromWords(w: number[]): SiphashKey {
  const u = (x: number) => BigInt(x >>> 0);
  return { key: [u(w[0]) | (u(w[1]) << 32n), u(w[2]) | (u(w[3]) << 32n)] };
}

function keyToWords(k: SiphashKey): number[] {
  const m = 0xffffffffn;
  return [k.key[0] & m, k.key[0] >> 32n, k.key[1] & m, k.key[1] >> 32n].map(Number);
}

/** tcp_fastopen_reset_cipher: install the primary key (and a backup one) of the namespace. */
export function tcp_fastopen_reset_cipher(net: Net, primary: number[], backup: number[] | null): void {
  const keys = [keyFromWords(primary)];
  if (backup) keys.push(keyFromWords(backup));
  tfoContext.set(net, keys);
}

/** A listener's own keys (TCP_FASTOPEN_KEY: icsk_accept_queue.fastopenq.ctx), over the namespace's. */
const tfoSockContext = new WeakMap<TcpSock, SiphashKey[]>();

function le64(b: Uint8Array, off: number): bigint {
  let m = 0n;
  for (let i = 7; i >= 0; i--) m = (m << 8n) | BigInt(b[off + i]);
  return m;
}

/**
 * tcp_fastopen_reset_cipher with a socket: TCP_FASTOPEN_KEY's 16 bytes (or 32: a backup key follows), read
 * as the two little-endian 64-bit halves of the SipHash key.
 */
export function tcp_fastopen_reset_sock_cipher(sk: TcpSock, key: Uint8Array): void {
  const keys: SiphashKey[] = [{ key: [le64(key, 0), le64(key, 8)] }];
  if (key.length >= 32) keys.push({ key: [le64(key, 16), le64(key, 24)] });
  tfoSockContext.set(sk, keys);
}

/** tcp_fastopen_get_ctx: the listener's keys if it set its own, else the namespace's. */
function tcp_fastopen_get_ctx(sk: TcpSock): SiphashKey[] | undefined {
  return tfoSockContext.get(sk) ?? tfoContext.get(sk.net);
}

/** tcp_fastopen_init_key_once: a random key the first time a listener enables Fast Open. */
export function tcp_fastopen_init_key_once(ctx: KernelCtx, net: Net): void {
  if (tfoContext.has(net)) return;
  tcp_fastopen_reset_cipher(net, [ctx.random32(), ctx.random32(), ctx.random32(), ctx.random32()], null);
}

/**
 * proc_tcp_fastopen_key (sysctl_net_ipv4.c), read: the keys as %08x-%08x-%08x-%08x, the backup after a
 * comma; zeros when there is none yet.
 */
export function proc_tcp_fastopen_key_read(net: Net): string {
  const keys = tfoContext.get(net) ?? [{ key: [0n, 0n] as [bigint, bigint] }];
  return keys
    .map((k) =>
      keyToWords(k)
        .map((w) => w.toString(16).padStart(8, '0'))
        .join('-'),
    )
    .join(',');
}

/** proc_tcp_fastopen_key, write: "%x-%x-%x-%x[,%x-%x-%x-%x]"; anything else is -EINVAL (-22). */
export function proc_tcp_fastopen_key_write(net: Net, v: string): number {
  const m =
    /^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+)-([0-9a-fA-F]+)-([0-9a-fA-F]+)(?:,([0-9a-fA-F]+)-([0-9a-fA-F]+)-([0-9a-fA-F]+)-([0-9a-fA-F]+))?/.exec(
      v,
    );
  if (!m) return -22;
  const w = m
    .slice(1)
    .filter((x) => x !== undefined)
    .map((x) => parseInt(x.slice(-8), 16));
  tcp_fastopen_reset_cipher(net, w.slice(0, 4), w.length === 8 ? w.slice(4) : null);
  return 0;
}

/** __tcp_fastopen_cookie_gen_cipher: SipHash of the SYN's source and destination addresses. */
function __tcp_fastopen_cookie_gen_cipher(syn: SkBuff, key: SiphashKey, foc: TcpFastopenCookie): void {
  const nh = syn.networkHeader;
  const h = siphash(syn.buf.subarray(nh + 12, nh + 20), key); // &iph->saddr, saddr + daddr
  const val = new Uint8Array(TCP_FASTOPEN_COOKIE_MAX);
  for (let i = 0; i < 8; i++) val[i] = Number((h >> BigInt(8 * i)) & 0xffn); // cpu_to_le64
  foc.val = val;
  foc.len = TCP_FASTOPEN_COOKIE_SIZE;
}

/** tcp_fastopen_cookie_gen: the cookie a cookie request gets, under the primary key. */
function tcp_fastopen_cookie_gen(sk: TcpSock, syn: SkBuff, foc: TcpFastopenCookie): void {
  const keys = tcp_fastopen_get_ctx(sk);
  if (keys) __tcp_fastopen_cookie_gen_cipher(syn, keys[0], foc);
}

function tcp_fastopen_cookie_match(foc: TcpFastopenCookie, orig: TcpFastopenCookie): boolean {
  if (foc.len !== TCP_FASTOPEN_COOKIE_SIZE || orig.len !== foc.len) return false;
  for (let i = 0; i < foc.len; i++) if (foc.val[i] !== orig.val[i]) return false;
  return true;
}

/** tcp_fastopen_cookie_gen_check: 1 if the cookie is the primary key's, 2 if the backup's, else 0. */
function tcp_fastopen_cookie_gen_check(
  sk: TcpSock,
  syn: SkBuff,
  orig: TcpFastopenCookie,
  validFoc: TcpFastopenCookie,
): number {
  const keys = tcp_fastopen_get_ctx(sk);
  if (!keys) return 0;
  let foc = validFoc;
  for (let i = 0; i < keys.length; i++) {
    __tcp_fastopen_cookie_gen_cipher(syn, keys[i], foc);
    if (tcp_fastopen_cookie_match(foc, orig)) return i + 1;
    foc = { val: new Uint8Array(0), len: -1, exp: false };
  }
  return 0;
}

/** fastopen_queue_tune (include/net/inet_connection_sock.h): TCP_FASTOPEN's backlog, capped at somaxconn. */
export function fastopen_queue_tune(sk: TcpSock, backlog: number): void {
  sk.fastopenMaxQlen = Math.min(backlog >>> 0, 4096); // net.core.somaxconn
}

/**
 * tcp_fastopen_queue_check: the listener enabled Fast Open and its fastopenq has room. (A full queue would
 * first drop a reset request older than 60 s from rskq_rst_head; that queue is not modelled.)
 */
function tcp_fastopen_queue_check(sk: TcpSock): boolean {
  const maxQlen = sk.fastopenMaxQlen;
  if (maxQlen === 0) return false;
  if (sk.fastopenQlen >= maxQlen) {
    sk.net.linuxMib[LINUX_MIB.TCPFastOpenListenOverflow]++;
    return false;
  }
  return true;
}

/**
 * tcp_fastopen_create_child: the full child socket, in SYN_RECV, made from the SYN alone: its data goes to
 * the receive queue and the SYN-ACK retransmission timer runs on the child (the request never enters the
 * established hash; tcp_conn_request queues the child for accept at once).
 */
function tcp_fastopen_create_child(
  ctx: KernelCtx,
  sk: TcpSock,
  skb: SkBuff,
  req: RequestSock,
): TcpSock | null {
  const ownReq = { v: false };
  const child = tcp_v4_syn_recv_sock(ctx, sk, skb, req, null, ownReq, null);
  if (!child) return null;
  sk.fastopenQlen++;
  // Initialize the child socket. Have to fix some values to take into account the child is a Fast Open
  // socket and is created only out of the bits carried in the SYN packet.
  const tp = child;
  tp.fastopenRsk = req;
  req.tfoListener = true;
  // RFC1323: The window in SYN & SYN/ACK segments is never scaled. So correct it appropriately.
  tp.sndWnd = tcpw.window(skb.buf, skb.transportHeader);
  tp.maxWindow = tp.sndWnd;
  // Activate the retrans timer so that SYNACK can be retransmitted. The request socket is not added to the
  // ehash because it's been added to the accept queue directly.
  req.timeout = tcp_timeout_init(child);
  inet_csk_reset_xmit_timer(ctx, child, ICSK_TIME_RETRANS, req.timeout, TCP_RTO_MAX);
  // Now finish processing the fastopen child socket.
  tcp_init_transfer(ctx, child, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, skb);
  tp.rcvNxt = (TCP_SKB_CB(skb).seq + 1) >>> 0;
  tcp_fastopen_add_skb(ctx, child, skb);
  req.rcvNxt = tp.rcvNxt;
  tp.rcvWup = tp.rcvNxt;
  // tcp_conn_request() is sending the SYNACK, and queues the child into listener accept queue.
  return child;
}

/** tcp_fastopen_no_cookie: Fast Open without a cookie (sysctl bit or TCP_FASTOPEN_NO_COOKIE; no route metric). */
function tcp_fastopen_no_cookie(sk: TcpSock, _dst: Rtable | null, flag: number): boolean {
  return (sk.net.sysctl.tcp.fastopen & flag) !== 0 || !!sk.fastopenNoCookie;
}

/**
 * tcp_try_fastopen: should the listener accept the SYN's data now, making the child before the handshake
 * ends? Server Fast Open is off (TFO_SERVER_ENABLE unset, no fastopenq): always null, with foc->len = -1 so
 * the SYN-ACK carries no cookie. TCPFastOpenCookieReqd still counts cookie requests.
 */
export function tcp_try_fastopen(
  ctx: KernelCtx,
  sk: TcpSock,
  skb: SkBuff,
  req: RequestSock,
  foc: TcpFastopenCookie,
  dst: Rtable | null,
): TcpSock | null {
  const tcb = TCP_SKB_CB(skb);
  const synData = tcb.endSeq !== (tcb.seq + 1) >>> 0;
  const tcpFastopen = sk.net.sysctl.tcp.fastopen;
  // Client requests a cookie
  if (foc.len === 0) sk.net.linuxMib[LINUX_MIB.TCPFastOpenCookieReqd]++;
  if (!(tcpFastopen & TFO_SERVER_ENABLE && (synData || foc.len >= 0) && tcp_fastopen_queue_check(sk))) {
    if (synData || foc.len >= 0) ctx.step(skb, F.tryFastopen, 'server Fast Open off: SYN data not accepted');
    foc.len = -1;
    return null;
  }
  const validFoc: TcpFastopenCookie = { val: new Uint8Array(0), len: -1, exp: false };
  let ret = 0;
  const fastopen = (): TcpSock | null => {
    const child = tcp_fastopen_create_child(ctx, sk, skb, req);
    if (child) {
      if (ret === 2) {
        validFoc.exp = foc.exp;
        Object.assign(foc, validFoc);
        sk.net.linuxMib[LINUX_MIB.TCPFastOpenPassiveAltKey]++;
      } else {
        foc.len = -1;
      }
      sk.net.linuxMib[LINUX_MIB.TCPFastOpenPassive]++;
      ctx.step(skb, F.tryFastopen, `child made from the SYN (${tcb.endSeq - tcb.seq - 1} bytes of data)`);
      return child;
    }
    sk.net.linuxMib[LINUX_MIB.TCPFastOpenPassiveFail]++;
    return null;
  };
  if (tcp_fastopen_no_cookie(sk, dst, TFO_SERVER_COOKIE_NOT_REQD)) {
    const child = fastopen();
    if (child) return child;
  } else if (foc.len === 0) {
    // Client requests a cookie.
    tcp_fastopen_cookie_gen(sk, skb, validFoc);
  } else if (foc.len > 0) {
    ret = tcp_fastopen_cookie_gen_check(sk, skb, foc, validFoc);
    if (!ret) {
      sk.net.linuxMib[LINUX_MIB.TCPFastOpenPassiveFail]++;
    } else {
      // Cookie is valid. Create a (full) child socket to accept the data in SYN before returning a SYN-ACK
      // to ack the data. If we fail to create the socket, fall back and ack the ISN only but includes the
      // same cookie. Note: Data-less SYN with valid cookie is allowed to send data in SYN_RECV state.
      const child = fastopen();
      if (child) return child;
    }
  }
  validFoc.exp = foc.exp;
  Object.assign(foc, validFoc);
  return null;
}

/**
 * tcp_fastopen_cookie_check: may a Fast Open SYN carry data? Returns null (the kernel's false) when there
 * is no usable cookie, else the cached MSS (0 if none): the caller sets mss_clamp from it.
 */
// TODO(contract): the contract lists (ctx, sk, mss, cookie): boolean; tcp_output.ts's tcp_send_syn_data calls
// (ctx, sk, cookie) and reads the MSS from the return value, so this follows the caller.
export function tcp_fastopen_cookie_check(
  ctx: KernelCtx,
  sk: TcpSock,
  cookie: TcpFastopenCookie,
): number | null {
  const mss = { v: 0 };
  tcp_fastopen_cache_get(sk, mss, cookie);
  // Firewall blackhole issue check
  if (tcp_fastopen_active_should_disable(ctx, sk)) {
    cookie.len = -1;
    return null;
  }
  const dst = sk.dstCache; // __sk_dst_get
  if (tcp_fastopen_no_cookie(sk, dst, TFO_CLIENT_NO_COOKIE)) {
    cookie.len = -1;
    return mss.v;
  }
  if (cookie.len > 0) return mss.v;
  sk.fastopenClientFail = TFO_COOKIE_UNAVAILABLE;
  return null;
}

/**
 * tcp_fastopen_defer_connect: with TCP_FASTOPEN_CONNECT, connect() waits for the first write when a cookie
 * is cached (true); else the SYN goes now, asking for a cookie.
 */
export function tcp_fastopen_defer_connect(ctx: KernelCtx, sk: TcpSock, _err: { v: number }): boolean {
  if (sk.fastopenConnect && !sk.fastopenReq) {
    const cookie: TcpFastopenCookie = { val: new Uint8Array(TCP_FASTOPEN_COOKIE_MAX), len: 0, exp: false };
    if (tcp_fastopen_cookie_check(ctx, sk, cookie) !== null) {
      sk.deferConnect = true; // inet_set_bit(DEFER_CONNECT, sk)
      return true;
    }
    // Alloc fastopen_req in order for FO option to be included in SYN
    sk.fastopenReq = { cookie, data: null, size: 0, copied: 0, uarg: null };
  }
  return false;
}

/*
 * Middlebox firewall issues can potentially cause server's data being blackholed after a successful 3WHS
 * using TFO. Active TFO is then disabled globally (per netns) for tcp_fastopen_blackhole_timeout_sec, doubling
 * each time up to 64 times, when a client TFO socket receives an out-of-order FIN or RST, or times out three
 * times in a row during or after the handshake.
 */

/** tcp_fastopen_active_disable: disable active TFO and record the time. */
export function tcp_fastopen_active_disable(ctx: KernelCtx, sk: TcpSock): void {
  const net = sk.net;
  if (!net.sysctl.tcp.fastopenBlackholeTimeoutSec) return;
  const s = tfoDisableState(net);
  s.stamp = jiffies(ctx);
  s.times++;
  net.linuxMib[LINUX_MIB.TCPFastOpenBlackhole]++;
}

/** tcp_fastopen_active_should_disable: are we still in the active TFO disable period? */
export function tcp_fastopen_active_should_disable(ctx: KernelCtx, sk: TcpSock): boolean {
  const tfoBhTimeout = sk.net.sysctl.tcp.fastopenBlackholeTimeoutSec;
  if (!tfoBhTimeout) return false;
  const s = tfoDisableState(sk.net);
  const tfoDaTimes = s.times;
  if (!tfoDaTimes) return false;
  // Limit timeout to max: 2^6 * initial timeout
  const multiplier = 1 << Math.min(tfoDaTimes - 1, 6);
  const timeout = s.stamp + multiplier * tfoBhTimeout * HZ;
  if (jiffies(ctx) - timeout < 0) return true; // time_before(jiffies, timeout)
  // Mark check bit so we can check for successful active TFO condition and reset tfo_active_disable_times
  sk.synFastopenCh = 1;
  return false;
}

/**
 * tcp_fastopen_active_disable_ofo_check: a FIN alone in the out-of-order queue with no data received
 * disables active TFO; data received on a marked socket (not over loopback) ends the backoff.
 */
export function tcp_fastopen_active_disable_ofo_check(ctx: KernelCtx, sk: TcpSock): void {
  if (!sk.synFastopen) return;
  if (!sk.dataSegsIn) {
    const q = sk.outOfOrderQueue;
    if (q.length === 1 && TCP_SKB_CB(q[0]).tcpFlags & TCPHDR_FIN) tcp_fastopen_active_disable(ctx, sk);
  } else if (sk.synFastopenCh && tfoDisableState(sk.net).times) {
    const dev = sk.dstCache ? sk.dstCache.dev : null;
    if (!(dev && dev.flags & IFF_LOOPBACK)) tfoDisableState(sk.net).times = 0;
  }
}

/**
 * tcp_fastopen_active_detect_blackhole: broken middle-boxes may black-hole Fast Open connection during or
 * even after the handshake. Be extremely conservative and pause Fast Open globally after hitting the third
 * consecutive timeout or exceeding the configured timeout limit.
 */
export function tcp_fastopen_active_detect_blackhole(ctx: KernelCtx, sk: TcpSock, expired: boolean): void {
  const timeouts = sk.icskRetransmits;
  if ((sk.synFastopen || sk.synData || sk.synDataAcked) && (timeouts === 2 || (timeouts < 2 && expired))) {
    tcp_fastopen_active_disable(ctx, sk);
    sk.net.linuxMib[LINUX_MIB.TCPFastOpenActiveFail]++;
  }
}

/** tcp_md5_hash_skb (tcp_ipv4.c): MD5 signatures are not modelled; nothing calls this without a key. */
export function tcp_md5_hash_skb(..._args: unknown[]): never {
  throw new Error('tcp_md5_hash_skb: TCP MD5 signatures are not modelled');
}
