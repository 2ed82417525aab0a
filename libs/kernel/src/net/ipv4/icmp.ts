/**
 * net/ipv4/icmp.c: ICMP receive (icmp_rcv dispatching on type), the echo reply built in softirq context
 * by the per-namespace kernel ICMP socket (icmp_echo → icmp_reply → icmp_push_reply), ICMP errors
 * (icmp_send) and their delivery to the socket that caused them (icmp_unreach → err_handler).
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { PACKET_HOST } from '../../include/linux/skbuff';
import { IFF_LOOPBACK, type NetDevice } from '../../include/linux/netdevice';
import type { Net } from '../../include/net/net_namespace';
import { ICMP_MIB } from '../../include/net/snmp';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import {
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IP_PMTUDISC_DONT,
  newSock,
  SOCK_RAW,
  type Sock,
} from '../../include/net/sock';
import { RTCF_BROADCAST, RTCF_LOCAL } from '../../include/net/route';
import { kfn } from '../../include/net/trace';
import { consumed, drop, type Verdict } from '../../include/net/verdict';
import * as icmp from '@skblab/wire/icmp';
import * as ip from '@skblab/wire/ipv4';
import { ipv4ToString } from '@skblab/wire/address';
import { ip_make_skb, ip_send_skb_result } from './ip_output';
import { ipRouteOutputKey, isRouteError } from './route';
import { inetIfaByAddr } from './devinet';
import { ping_err, ping_rcv } from './ping';
import {
  ECONNREFUSED,
  EHOSTDOWN,
  EHOSTUNREACH,
  EMSGSIZE,
  ENETUNREACH,
  ENONET,
  ENOPROTOOPT,
  EOPNOTSUPP,
} from '../../include/linux/errno';
import { udp_err } from './udp';
import { tcp_v4_err } from './tcp_ipv4';
import { raw_icmp_error } from './raw';

const F = {
  icmpRcv: kfn('icmp_rcv', 'net/ipv4/icmp.c', 'icmp'),
  icmpEcho: kfn('icmp_echo', 'net/ipv4/icmp.c', 'icmp'),
  icmpReply: kfn('icmp_reply', 'net/ipv4/icmp.c', 'icmp'),
  icmpPushReply: kfn('icmp_push_reply', 'net/ipv4/icmp.c', 'icmp'),
  icmpSend: kfn('__icmp_send', 'net/ipv4/icmp.c', 'icmp'),
  icmpUnreach: kfn('icmp_unreach', 'net/ipv4/icmp.c', 'icmp'),
  icmpDiscard: kfn('icmp_discard', 'net/ipv4/icmp.c', 'icmp'),
};

/** NR_ICMP_UNREACH: the last code of a destination-unreachable (ICMP_PREC_CUTOFF). */
const NR_ICMP_UNREACH = 15;

const ICMP_NAMES: Record<number, string> = {
  0: 'echo reply',
  3: 'destination unreachable',
  8: 'echo request',
  11: 'time exceeded',
};

/** icmp_err_convert (icmp.c:121): errno and whether the error is fatal, by destination-unreachable code. */
export const ICMP_ERR_CONVERT: ReadonlyArray<{ errno: number; fatal: boolean }> = [
  { errno: ENETUNREACH, fatal: false }, // NET_UNREACH
  { errno: EHOSTUNREACH, fatal: false }, // HOST_UNREACH
  { errno: ENOPROTOOPT, fatal: true }, // PROT_UNREACH
  { errno: ECONNREFUSED, fatal: true }, // PORT_UNREACH
  { errno: EMSGSIZE, fatal: false }, // FRAG_NEEDED
  { errno: EOPNOTSUPP, fatal: false }, // SR_FAILED
  { errno: ENETUNREACH, fatal: true }, // NET_UNKNOWN
  { errno: EHOSTDOWN, fatal: true }, // HOST_UNKNOWN
  { errno: ENONET, fatal: true }, // HOST_ISOLATED
  { errno: ENETUNREACH, fatal: true }, // NET_ANO
  { errno: EHOSTUNREACH, fatal: true }, // HOST_ANO
  { errno: ENETUNREACH, fatal: false }, // NET_UNR_TOS
  { errno: EHOSTUNREACH, fatal: false }, // HOST_UNR_TOS
  { errno: EHOSTUNREACH, fatal: true }, // PKT_FILTERED
  { errno: EHOSTUNREACH, fatal: true }, // PREC_VIOLATION
  { errno: EHOSTUNREACH, fatal: true }, // PREC_CUTOFF
];

/** icmp_out_count: IcmpMsg OutTypeN and Icmp OutMsgs, counted in __ip_make_skb. */
export function icmp_out_count(net: Net, type: number): void {
  net.mib.icmpMsgOut[type]++;
  net.mib.icmp[ICMP_MIB.OutMsgs]++;
}

/** icmp_xmit_lock: the namespace's kernel ICMP socket (per-CPU in Linux), which never sets DF. */
function icmpSk(net: Net): Sock {
  if (!net.icmpSk) {
    net.icmpSk = newSock(net, SOCK_RAW, IPPROTO_ICMP, 'kernel');
    net.icmpSk.pmtudisc = IP_PMTUDISC_DONT;
  }
  return net.icmpSk;
}

/** icmp_rcv (icmp.c:1254): InMsgs, IcmpMsg InTypeN, then the type's handler. */
export function icmp_rcv(ctx: KernelCtx, skb: SkBuff): Verdict {
  const net = skb.net;
  const off = skb.transportHeader;
  const len = skb.len - (off - skb.data);
  net.mib.icmp[ICMP_MIB.InMsgs]++;
  if (len < icmp.ICMP_HLEN) {
    net.mib.icmp[ICMP_MIB.InErrors]++;
    ctx.step(skb, F.icmpRcv, 'truncated');
    return drop(skb, SKB_DROP_REASON.PKT_TOO_SMALL);
  }
  // skb_checksum_simple_validate: ICMP checksums are computed in software and always checked.
  if (!icmp.checksumValid(skb.buf, off, len)) {
    net.mib.icmp[ICMP_MIB.InCsumErrors]++;
    net.mib.icmp[ICMP_MIB.InErrors]++;
    ctx.step(skb, F.icmpRcv, 'bad checksum');
    return drop(skb, SKB_DROP_REASON.ICMP_CSUM);
  }
  const type = icmp.type(skb.buf, off);
  net.mib.icmpMsgIn[type]++;
  ctx.step(skb, F.icmpRcv, `type ${type} (${ICMP_NAMES[type] ?? 'other'}), InMsgs++`);
  // RFC 1122 3.2.2.6: an echo to a broadcast address is ignored while icmp_echo_ignore_broadcasts is set.
  if (skb.dst && skb.dst.flags & RTCF_BROADCAST) {
    const ignored =
      (type === icmp.ICMP_ECHO || type === icmp.ICMP_TIMESTAMP) && net.sysctl.icmpEchoIgnoreBroadcasts;
    if (ignored || (type !== icmp.ICMP_ECHO && type !== icmp.ICMP_TIMESTAMP && type !== 17 && type !== 18)) {
      net.mib.icmp[ICMP_MIB.InErrors]++;
      return drop(skb, SKB_DROP_REASON.INVALID_PROTO);
    }
  }
  switch (type) {
    case icmp.ICMP_ECHO:
      return icmp_echo(ctx, skb);
    case icmp.ICMP_ECHOREPLY:
      return ping_rcv(ctx, skb);
    // icmp_pointers: the errors about something we sent (a redirect's icmp_redirect is not modelled).
    case icmp.ICMP_DEST_UNREACH:
    case icmp.ICMP_SOURCE_QUENCH:
    case icmp.ICMP_TIME_EXCEEDED:
    case icmp.ICMP_PARAMETERPROB:
      return icmp_unreach(ctx, skb);
    default:
      ctx.step(skb, F.icmpDiscard);
      return consumed(skb);
  }
}

/** icmp_echo (icmp.c:1059): answer unless net.ipv4.icmp_echo_ignore_all. */
export function icmp_echo(ctx: KernelCtx, skb: SkBuff): Verdict {
  const net = skb.net;
  if (net.sysctl.icmpEchoIgnoreAll) {
    ctx.step(skb, F.icmpEcho, 'icmp_echo_ignore_all=1: no reply');
    return consumed(skb);
  }
  ctx.step(skb, F.icmpEcho, 'reply with ICMP_ECHOREPLY');
  const off = skb.transportHeader;
  const len = skb.len - (off - skb.data);
  const msg = skb.buf.slice(off, off + len);
  msg[0] = icmp.ICMP_ECHOREPLY;
  icmp_reply(ctx, skb, msg);
  return consumed(skb);
}

/**
 * icmp_reply (icmp.c:406): source from fib_compute_spec_dst (the address the request was sent to), a
 * fresh output route back to the sender, then icmp_push_reply. Runs in softirq on the receiving CPU.
 */
function icmp_reply(ctx: KernelCtx, inSkb: SkBuff, msg: Uint8Array): void {
  const net = inSkb.net;
  const nh = inSkb.networkHeader;
  const daddr = ip.src(inSkb.buf, nh);
  const reqDst = ip.dst(inSkb.buf, nh);
  const saddr = inetIfaByAddr(net, reqDst) || reqDst >>> 24 === 127 ? reqDst : 0;
  const rt = ipRouteOutputKey(net, {
    daddr,
    saddr,
    oif: 0,
    tos: ip.tos(inSkb.buf, nh),
    proto: IPPROTO_ICMP,
    now: ctx.now(),
  });
  ctx.step(
    inSkb,
    F.icmpReply,
    isRouteError(rt)
      ? `no route back to ${ipv4ToString(daddr)}`
      : `${ipv4ToString(rt.src)} > ${ipv4ToString(daddr)} via ${rt.dev.name}`,
  );
  if (isRouteError(rt)) return;
  icmp_push_reply(ctx, net, rt.src, daddr, rt, msg, ip.tos(inSkb.buf, nh), inSkb.cpu);
}

/** icmp_push_reply (icmp.c:372): ip_append_data + ip_push_pending_frames on the kernel ICMP socket. */
function icmp_push_reply(
  ctx: KernelCtx,
  net: Net,
  saddr: number,
  daddr: number,
  rt: import('../../include/net/route').Rtable,
  msg: Uint8Array,
  tos: number,
  cpu: number,
): void {
  const sk = icmpSk(net);
  icmp.fillChecksum(msg, 0, msg.length);
  const skb = ip_make_skb(
    ctx,
    {
      sk,
      rt,
      saddr,
      daddr,
      protocol: IPPROTO_ICMP,
      tos,
      ttl: net.sysctl.ipDefaultTtl,
      pmtudisc: IP_PMTUDISC_DONT,
    },
    0,
    msg,
    (s) => {
      s.cpu = cpu;
      s.comm = ctx.comm();
      ctx.step(s, F.icmpPushReply, `type ${msg[0]} code ${msg[1]} from the kernel ICMP socket`);
    },
  );
  if (typeof skb === 'number') return;
  ip_send_skb_result(ctx, skb);
}

/** Debian's kernels tick at 250 Hz (CONFIG_HZ=250): the rate limits count in jiffies. */
const HZ = 250;
const NR_ICMP_TYPES = 18;
/** inetpeer.c: a destination may use up to 6 times icmp_ratelimit at once. */
const XRLIM_BURST_FACTOR = 6;

function jiffies(ctx: KernelCtx): number {
  return Math.floor(ctx.now() / (1e9 / HZ));
}

/** icmp_global_allow (icmp.c:233): ~icmp_msgs_per_sec, in bursts of at most icmp_msgs_burst. */
export function icmp_global_allow(ctx: KernelCtx, net: Net): boolean {
  const g = net.icmpGlobal;
  if (g.credit > 0) return true;
  const now = jiffies(ctx);
  const delta = Math.min(now - g.stamp, HZ);
  if (delta < HZ / 50) return false;
  const incr = Math.floor((net.sysctl.icmpMsgsPerSec * delta) / HZ);
  if (!incr) return false;
  g.stamp = now;
  g.credit = Math.min(g.credit + incr, net.sysctl.icmpMsgsBurst);
  return true;
}

/** icmp_global_consume (icmp.c:266): a random 0-2 credits per message sent. */
function icmp_global_consume(ctx: KernelCtx, net: Net): void {
  const credits = ctx.random32() % 3;
  if (credits) net.icmpGlobal.credit -= credits;
}

/** icmpv4_mask_allow (icmp.c:276): only the types in icmp_ratemask are limited, never frag-needed. */
function icmpv4_mask_allow(net: Net, type: number, code: number): boolean {
  if (type > NR_ICMP_TYPES) return true;
  if (type === icmp.ICMP_DEST_UNREACH && code === icmp.ICMP_FRAG_NEEDED) return true;
  return ((1 << type) & net.sysctl.icmpRatemask) === 0;
}

/**
 * icmpv4_xrlim_allow (icmp.c:310) → inet_peer_xrlim_allow (inetpeer.c:284): per destination, one message
 * per icmp_ratelimit with a burst of 6 (a new peer starts as if idle for 60 s). Never on lo.
 */
function icmpv4_xrlim_allow(
  ctx: KernelCtx,
  net: Net,
  dev: NetDevice,
  daddr: number,
  apply: boolean,
): boolean {
  if (!apply) return true;
  let rc = true;
  if (!(dev.flags & IFF_LOOPBACK)) {
    const now = jiffies(ctx);
    let peer = net.peers.get(daddr);
    if (!peer) net.peers.set(daddr, (peer = { rateTokens: 0, rateLast: now - 60 * HZ }));
    const timeout = Math.ceil((net.sysctl.icmpRatelimit * HZ) / 1000);
    let token = peer.rateTokens + (now - peer.rateLast);
    peer.rateLast = now;
    if (token > XRLIM_BURST_FACTOR * timeout) token = XRLIM_BURST_FACTOR * timeout;
    rc = token >= timeout;
    if (rc) token -= timeout;
    peer.rateTokens = token;
  }
  if (!rc) net.mib.icmp[ICMP_MIB.OutRateLimitHost]++;
  else icmp_global_consume(ctx, net);
  return rc;
}

/**
 * __icmp_send: an ICMP error about `skbIn` back to its source, quoting as much of it as fits in 576
 * bytes. Never about an ICMP error, a non-first fragment, or a broadcast.
 */
export function icmp_send(ctx: KernelCtx, skbIn: SkBuff, type: number, code: number, info: number): void {
  const net = skbIn.net;
  const nh = skbIn.networkHeader;
  const b = skbIn.buf;
  const rtIn = skbIn.dst;
  if (!rtIn || rtIn.flags & RTCF_BROADCAST || skbIn.pktType !== PACKET_HOST) return;
  if (ip.fragOffset(b, nh) !== 0) return;
  const hlen = ip.headerLength(b, nh);
  if (ip.protocol(b, nh) === IPPROTO_ICMP) {
    const it = b[nh + hlen];
    if (icmp.isErrorType(it)) return;
  }
  const saddrIn = ip.src(b, nh);
  const daddrIn = ip.dst(b, nh);
  // The global token bucket, unless the packet came in on lo (icmp.c:729); it decides whether the
  // per-destination limit applies too.
  const viaLo = !!skbIn.dev && (skbIn.dev.flags & IFF_LOOPBACK) !== 0;
  let applyRatelimit = false;
  if (!viaLo && !icmpv4_mask_allow(net, type, code)) {
    if (!icmp_global_allow(ctx, net)) {
      net.mib.icmp[ICMP_MIB.OutRateLimitGlobal]++;
      ctx.step(
        skbIn,
        F.icmpSend,
        `type ${type} code ${code} to ${ipv4ToString(saddrIn)}: icmp_global_allow says no`,
      );
      return;
    }
    applyRatelimit = true;
  }
  // icmp_send: reply from the address the packet was sent to when it was for us, else let routing choose.
  const saddr = rtIn.flags & RTCF_LOCAL ? daddrIn : 0;
  const tos = (ip.tos(b, nh) & 0x1e) | ip.IPTOS_PREC_INTERNETCONTROL;
  const rt = ipRouteOutputKey(net, {
    daddr: saddrIn,
    saddr,
    oif: 0,
    tos,
    proto: IPPROTO_ICMP,
    now: ctx.now(),
  });
  const limited = !isRouteError(rt) && !icmpv4_xrlim_allow(ctx, net, rt.dev, saddrIn, applyRatelimit);
  ctx.step(
    skbIn,
    F.icmpSend,
    `type ${type} code ${code}${info ? ' info ' + info : ''} to ${ipv4ToString(saddrIn)}` +
      (limited ? `: rate limited (icmp_ratelimit ${net.sysctl.icmpRatelimit} ms)` : ''),
  );
  if (isRouteError(rt) || limited) return;
  const totalIn = Math.min(ip.totalLength(b, nh), skbIn.len - (nh - skbIn.data));
  const room = Math.min(icmp.ICMP_ERROR_MAX_DATAGRAM - ip.IPV4_HLEN - icmp.ICMP_HLEN, totalIn);
  const msg = new Uint8Array(icmp.ICMP_HLEN + room);
  msg.set(b.subarray(nh, nh + room), icmp.ICMP_HLEN);
  msg[0] = type;
  msg[1] = code;
  if (type === icmp.ICMP_DEST_UNREACH && code === icmp.ICMP_FRAG_NEEDED) {
    msg[6] = (info >> 8) & 0xff;
    msg[7] = info & 0xff;
  }
  icmp_push_reply(ctx, net, rt.src, saddrIn, rt, msg, tos, skbIn.cpu);
}

/**
 * icmp_unreach (icmp.c:935): a destination-unreachable, source-quench, time-exceeded or parameter-problem
 * about something we sent. A frag-needed's next-hop MTU is passed on as `info` as net.ipv4.ip_no_pmtu_disc
 * allows; then icmp_socket_deliver hands the message to the raw sockets of the quoted protocol and to the
 * protocol's err_handler, which learn the path MTU (ipv4_sk_update_pmtu, or TCP's tcp_v4_mtu_reduced) only
 * for a socket of theirs that the message is about.
 */
export function icmp_unreach(ctx: KernelCtx, skb: SkBuff): Verdict {
  const net = skb.net;
  const off = skb.transportHeader;
  const len = skb.len - (off - skb.data);
  const type = icmp.type(skb.buf, off);
  const code = icmp.code(skb.buf, off);
  const q = icmp.parseIcmpQuote(skb.buf, off + icmp.ICMP_HLEN, len - icmp.ICMP_HLEN);
  if (!q.ok) {
    net.mib.icmp[ICMP_MIB.InErrors]++;
    ctx.step(skb, F.icmpUnreach, 'quoted header truncated');
    return drop(skb, SKB_DROP_REASON.PKT_TOO_SMALL);
  }
  const quoted = q.value.ip;
  let info = 0;
  if (type === icmp.ICMP_DEST_UNREACH) {
    if ((code & 15) === icmp.ICMP_FRAG_NEEDED) {
      switch (net.sysctl.ipNoPmtuDisc) {
        case 2:
          ctx.step(skb, F.icmpUnreach, 'frag needed ignored (ip_no_pmtu_disc 2)');
          return consumed(skb);
        case 3:
          // icmp_tag_validation: only a protocol with icmp_strict_tag_validation (TCP) is believed.
          if (quoted.protocol !== IPPROTO_TCP) {
            ctx.step(skb, F.icmpUnreach, 'frag needed ignored (ip_no_pmtu_disc 3)');
            return consumed(skb);
          }
          info = icmp.nextHopMtu(skb.buf, off);
          break;
        case 0:
          info = icmp.nextHopMtu(skb.buf, off);
          break;
        default:
          // 1: "fragmentation needed and DF set" is only logged; the sockets learn no MTU (info 0).
          break;
      }
    }
    if (code > NR_ICMP_UNREACH) {
      ctx.step(skb, F.icmpUnreach, `code ${code} ignored`);
      return consumed(skb);
    }
  } else if (type === icmp.ICMP_PARAMETERPROB) {
    info = skb.buf[off + 4];
  } else if (type === icmp.ICMP_TIME_EXCEEDED && code === icmp.ICMP_EXC_FRAGTIME) {
    ctx.step(skb, F.icmpUnreach, 'fragment reassembly time exceeded, ignored');
    return consumed(skb);
  }
  ctx.step(
    skb,
    F.icmpUnreach,
    `about ${ipv4ToString(quoted.src)} > ${ipv4ToString(quoted.dst)} proto ${quoted.protocol}`,
  );
  const from = ip.src(skb.buf, skb.networkHeader);
  const qoff = off + icmp.ICMP_HLEN;
  const qhl = quoted.headerLength;
  // icmp_socket_deliver: raw_icmp_error, then ipprot->err_handler.
  raw_icmp_error(ctx, skb, quoted.protocol, quoted.src, quoted.dst, type, code, info);
  if (quoted.protocol === IPPROTO_ICMP) ping_err(ctx, skb, type, code, info, from, skb.buf, qoff, qoff + qhl);
  else if (quoted.protocol === IPPROTO_UDP)
    udp_err(ctx, skb, type, code, info, from, quoted, q.value.srcPort, q.value.dstPort);
  else if (quoted.protocol === IPPROTO_TCP) tcp_v4_err(ctx, skb, info);
  return consumed(skb);
}
