/**
 * net/ipv4/inet_timewait_sock.c: the TIME_WAIT bucket that replaces a closed socket in the established hash
 * and keeps its port for 60 s, answering what still arrives for the old connection.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { TcpSock, TimewaitSock } from '../../include/linux/tcp';
import { HZ } from '../../include/net/tcp';
import { LINUX_MIB } from '../../include/net/snmp';
import { jiffies, mod_timer, mod_timer_pending, del_timer, timer_setup } from '../../kernel/time/timer';
import { inet_bind_hash, inet_put_port } from './inet_hashtables';

/** inet_twsk_alloc: null when net.ipv4.tcp_max_tw_buckets are all in use. */
export function inet_twsk_alloc(sk: TcpSock, state: number): TimewaitSock | null {
  const net = sk.net;
  if (net.tcpTwCount >= net.sysctl.tcp.maxTwBuckets) return null;
  const tw: TimewaitSock = {
    kind: 'timewait',
    net,
    substate: state,
    rcvSaddr: sk.rcvSaddr,
    daddr: sk.daddr,
    num: sk.num,
    sport: sk.sport,
    dport: sk.dport,
    rcvNxt: 0,
    sndNxt: 0,
    rcvWnd: 0,
    rcvWscale: 0,
    tsRecent: 0,
    tsRecentStamp: 0,
    tsOffset: 0,
    usecTs: false,
    lastOowAckTime: 0,
    tos: sk.tos,
    ttl: sk.ttl,
    priority: sk.priority,
    reuse: sk.reuse,
    timer: null!,
    expires: 0,
    comm: sk.comm,
    dead: false,
  };
  tw.timer = timer_setup(net.host, tw_timer_handler, tw);
  return tw;
}

/** tw_timer_handler: the bucket's time is up. */
function tw_timer_handler(_ctx: KernelCtx, tw: TimewaitSock): void {
  inet_twsk_kill(tw);
}

/** inet_twsk_kill: out of the established hash and the bind bucket. */
export function inet_twsk_kill(tw: TimewaitSock): void {
  if (tw.dead) return;
  tw.dead = true;
  const net = tw.net;
  net.tcpEhash.deleteIf(tw.rcvSaddr, tw.num, tw.daddr, tw.dport, tw);
  inet_put_port(tw);
  net.tcpTwCount--;
}

/**
 * inet_twsk_hashdance_schedule: the bucket takes the socket's place in the established hash and a share of
 * its port, and its timer starts (TW, or TWKilled for a short one: __inet_twsk_schedule).
 */
export function inet_twsk_hashdance_schedule(
  ctx: KernelCtx,
  tw: TimewaitSock,
  sk: TcpSock,
  timeo: number,
): void {
  const net = sk.net;
  inet_bind_hash(tw, sk.num);
  net.tcpEhash.set(sk.rcvSaddr, sk.num, sk.daddr, sk.dport, tw);
  net.tcpTwCount++;
  net.linuxMib[timeo <= 4 * HZ ? LINUX_MIB.TWKilled : LINUX_MIB.TW]++;
  tw.expires = jiffies(ctx) + timeo;
  mod_timer(ctx, tw.timer, tw.expires);
}

/** inet_twsk_reschedule: the TIME_WAIT restarts (a retransmitted FIN, an ACK). */
export function inet_twsk_reschedule(ctx: KernelCtx, tw: TimewaitSock, timeo: number): void {
  tw.expires = jiffies(ctx) + timeo;
  mod_timer_pending(ctx, tw.timer, tw.expires);
}

/** inet_twsk_deschedule_put: the bucket goes now (an RST, a reused 4-tuple). */
export function inet_twsk_deschedule_put(ctx: KernelCtx, tw: TimewaitSock): void {
  if (tw.timer.pending) {
    del_timer(ctx, tw.timer);
    inet_twsk_kill(tw);
  }
}
