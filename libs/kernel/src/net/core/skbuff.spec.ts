/**
 * MSG_ZEROCOPY's notification ranges (net/core/skbuff.c) and recvmsg(MSG_ERRQUEUE) (ip_sockglue.c's
 * ip_recv_error): ids from sk_zckey, ranges extended by msg_zerocopy_realloc, completions merged on the
 * error queue, COPIED when an skb copied the pages, aborted calls giving their id back, EAGAIN on an empty
 * queue, and the frag limit of skb_zerocopy_iter_stream.
 */
import { new_host } from './net_namespace';
import { newTcpSock } from '../ipv4/tcp';
import { allocSkb, MAX_SKB_FRAGS } from '../../include/linux/skbuff';
import type { TcpSock } from '../../include/linux/tcp';
import { SOCK_DEAD } from '../../include/net/tcp';
import { EAGAIN, EEXIST, EMSGSIZE } from '../../include/linux/errno';
import { SO_EE_CODE_ZEROCOPY_COPIED, SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ZEROCOPY } from '../../include/net/sock';
import {
  msg_zerocopy_alloc,
  msg_zerocopy_complete,
  msg_zerocopy_realloc,
  net_zcopy_put,
  net_zcopy_put_abort,
  skb_orphan_frags_rx,
  skb_zcopy_clear,
  skb_zcopy_set,
  skb_zerocopy_iter_stream,
  sock_dequeue_err_skb,
  sock_queue_err_skb,
  sock_tx_timestamp,
} from './skbuff';
import { ENOMEM, ENOMSG } from '../../include/linux/errno';
import { SKBTX_SCHED_TSTAMP, SKBTX_SW_TSTAMP } from '../../include/linux/skbuff';
import {
  SOF_TIMESTAMPING_SOFTWARE,
  SOF_TIMESTAMPING_TX_ACK,
  SOF_TIMESTAMPING_TX_SCHED,
  SOF_TIMESTAMPING_TX_SOFTWARE,
} from '../../include/linux/net_tstamp';
import { ip_icmp_error, ip_recv_error } from '../ipv4/ip_sockglue';

function sock(): TcpSock {
  const host = new_host('h', 1);
  return newTcpSock(host.initNet, 'test');
}

/** One sendmsg's range as tcp_sendmsg_locked leaves it: an skb holds it, the call's reference is put. */
function sendOne(sk: TcpSock, size: number) {
  const uarg = msg_zerocopy_alloc(sk, size)!;
  const skb = allocSkb(0, sk.net, 0);
  skb_zcopy_set(skb, uarg);
  net_zcopy_put(uarg);
  return { uarg, skb };
}

describe('MSG_ZEROCOPY notifications (skbuff.c)', () => {
  it('gives each sendmsg the next id of sk_zckey, and notifies only when the last skb lets go', () => {
    const sk = sock();
    const a = sendOne(sk, 4000);
    const b = sendOne(sk, 4000);
    expect([a.uarg.id, b.uarg.id, sk.zckey]).toEqual([0, 1, 2]);
    expect(sk.errorQueue).toHaveLength(0);
    skb_zcopy_clear(a.skb, true);
    expect(sk.errorQueue).toHaveLength(1);
    expect(sk.errorQueue[0]).toMatchObject({ origin: 'zerocopy', errno: 0, code: 0, info: 0, data: 0 });
  });

  it('merges consecutive completions into one [ee_info, ee_data] range, but not a gap', () => {
    const sk = sock();
    const r = [sendOne(sk, 1), sendOne(sk, 1), sendOne(sk, 1), sendOne(sk, 1)];
    skb_zcopy_clear(r[0].skb, true);
    skb_zcopy_clear(r[1].skb, true);
    skb_zcopy_clear(r[3].skb, true); // id 3 does not follow 1
    expect(sk.errorQueue.map((e) => [e.info, e.data])).toEqual([
      [0, 1],
      [3, 3],
    ]);
    skb_zcopy_clear(r[2].skb, true); // 2 does not follow 3 (the tail) either
    expect(sk.errorQueue.map((e) => [e.info, e.data])).toEqual([
      [0, 1],
      [3, 3],
      [2, 2],
    ]);
  });

  it('does not merge into an error of another origin', () => {
    const sk = sock();
    sk.recverr = true;
    const a = sendOne(sk, 1);
    const b = sendOne(sk, 1);
    skb_zcopy_clear(a.skb, true);
    ip_icmp_error(sk, 113, 3, 1, 0, 0x0a000001, 0, 0, 0);
    skb_zcopy_clear(b.skb, true);
    expect(sk.errorQueue.map((e) => e.origin)).toEqual(['zerocopy', 'icmp', 'zerocopy']);
  });

  it('reports SO_EE_CODE_ZEROCOPY_COPIED once an skb of the range copied the pages (skb_orphan_frags_rx)', () => {
    const sk = sock();
    const { uarg, skb } = sendOne(sk, 100);
    // The transmitted clone shares the range without a reference of its own.
    const clone = allocSkb(1, sk.net, 0);
    clone.zcopy = uarg;
    skb_orphan_frags_rx(clone);
    expect(clone.zcopy).toBeNull();
    expect(uarg.refcnt).toBe(1);
    skb_zcopy_clear(skb, true);
    expect(sk.errorQueue[0].code).toBe(SO_EE_CODE_ZEROCOPY_COPIED);
  });

  it('extends the range an skb points at while its ids are the latest (msg_zerocopy_realloc)', () => {
    const sk = sock();
    const { uarg, skb } = sendOne(sk, 10);
    const again = msg_zerocopy_realloc(sk, 10, uarg)!;
    expect(again).toBe(uarg);
    expect([uarg.len, uarg.bytelen, uarg.refcnt, sk.zckey]).toEqual([2, 20, 2, 2]);
    net_zcopy_put(again);
    skb_zcopy_clear(skb, true);
    expect(sk.errorQueue.map((e) => [e.info, e.data])).toEqual([[0, 1]]);
  });

  it('starts a new range when another came since, or past 512 KB', () => {
    const sk = sock();
    const a = sendOne(sk, 10);
    sendOne(sk, 10);
    expect(msg_zerocopy_realloc(sk, 10, a.uarg)!.id).toBe(2);
    const big = sendOne(sk, 1 << 19);
    expect(msg_zerocopy_realloc(sk, 1, big.uarg)).not.toBe(big.uarg);
  });

  it('an aborted call gives its id back and queues nothing (msg_zerocopy_put_abort)', () => {
    const sk = sock();
    const uarg = msg_zerocopy_alloc(sk, 500)!;
    net_zcopy_put_abort(uarg, true);
    expect(sk.zckey).toBe(0);
    expect(sk.errorQueue).toHaveLength(0);
    expect(sendOne(sk, 1).uarg.id).toBe(0);
  });

  it('a dead socket gets no notification', () => {
    const sk = sock();
    const { skb } = sendOne(sk, 1);
    sk.flags |= SOCK_DEAD;
    skb_zcopy_clear(skb, true);
    expect(sk.errorQueue).toHaveLength(0);
  });

  it('msg_zerocopy_complete(false) from any reference marks the whole range copied', () => {
    const sk = sock();
    const { uarg, skb } = sendOne(sk, 1);
    const second = allocSkb(1, sk.net, 0);
    skb_zcopy_set(second, uarg);
    msg_zerocopy_complete(uarg, false);
    second.zcopy = null;
    skb_zcopy_clear(skb, true);
    expect(sk.errorQueue[0].code).toBe(SO_EE_CODE_ZEROCOPY_COPIED);
  });
});

describe('skb_zerocopy_iter_stream', () => {
  it('makes a frag of each iovec element, up to MAX_SKB_FRAGS, then -EMSGSIZE', () => {
    const sk = sock();
    const uarg = msg_zerocopy_alloc(sk, 18)!;
    const skb = allocSkb(0, sk.net, 0);
    const data = new Uint8Array(18).map((_, i) => i + 1);
    const iov = new Array<number>(18).fill(1);
    const r = skb_zerocopy_iter_stream(sk, skb, data, iov, 0, 18, uarg);
    expect(r).toEqual({ copied: MAX_SKB_FRAGS, truesize: MAX_SKB_FRAGS * 4096 });
    expect(skb.frags).toHaveLength(MAX_SKB_FRAGS);
    expect(skb.len).toBe(17);
    expect(skb.zcopy).toBe(uarg);
    expect(skb_zerocopy_iter_stream(sk, skb, data, iov, 17, 1, uarg)).toBe(-EMSGSIZE);
    // The next skb takes the rest, bytes in order.
    const next = allocSkb(1, sk.net, 0);
    expect(skb_zerocopy_iter_stream(sk, next, data, iov, 17, 1, uarg)).toEqual({ copied: 1, truesize: 4096 });
    expect(next.buf[next.data]).toBe(18);
    expect(uarg.refcnt).toBe(3);
  });

  it('one element spanning pages takes a frag per page, and skips empty elements', () => {
    const sk = sock();
    const uarg = msg_zerocopy_alloc(sk, 9000)!;
    const skb = allocSkb(0, sk.net, 0);
    const r = skb_zerocopy_iter_stream(sk, skb, new Uint8Array(9000), [0, 9000, 0], 0, 9000, uarg);
    expect(r).toEqual({ copied: 9000, truesize: 3 * 4096 });
    expect(skb.frags.map((f) => f.size)).toEqual([4096, 4096, 808]);
  });

  it('refuses an skb pointing at another range (-EEXIST)', () => {
    const sk = sock();
    const a = msg_zerocopy_alloc(sk, 1)!;
    const b = msg_zerocopy_alloc(sk, 1)!;
    const skb = allocSkb(0, sk.net, 0);
    skb_zcopy_set(skb, a);
    expect(skb_zerocopy_iter_stream(sk, skb, new Uint8Array(1), [1], 0, 1, b)).toBe(-EEXIST);
  });
});

describe('recvmsg(MSG_ERRQUEUE): ip_recv_error', () => {
  it('is -EAGAIN on an empty error queue', () => {
    expect(ip_recv_error(sock(), 0)).toBe(-EAGAIN);
  });

  it('takes the head: IP_RECVERR with SO_EE_ORIGIN_ZEROCOPY, MSG_ERRQUEUE, no bytes, sk_err untouched', () => {
    const sk = sock();
    const a = sendOne(sk, 1);
    const b = sendOne(sk, 1);
    skb_zcopy_clear(a.skb, true);
    skb_zcopy_clear(b.skb, true);
    const woke: number[] = [];
    sk.wq.push(() => woke.push(1));
    const r = ip_recv_error(sk, 0);
    if (typeof r === 'number') throw new Error(`ip_recv_error ${r}`);
    expect(r.copied).toBe(0);
    expect(r.msgFlags).toBe(0x2000);
    expect(r.ee).toEqual({
      ee_errno: 0,
      ee_origin: SO_EE_ORIGIN_ZEROCOPY,
      ee_type: 0,
      ee_code: 0,
      ee_pad: 0,
      ee_info: 0,
      ee_data: 1,
    });
    expect(r.offender).toBe(0);
    expect(sk.skErr).toBe(0);
    // Nothing left: no second report.
    expect(woke).toEqual([]);
    expect(ip_recv_error(sk, 0)).toBe(-EAGAIN);
  });

  it('an ICMP error behind the one taken becomes sk_err (sock_dequeue_err_skb), and the reader is woken again', () => {
    const sk = sock();
    sk.recverr = true;
    skb_zcopy_clear(sendOne(sk, 1).skb, true);
    ip_icmp_error(sk, 113, 3, 1, 0, 0x0a000001, 0, 0, 0);
    const woke: number[] = [];
    sk.wq.push(() => woke.push(1));
    const first = sock_dequeue_err_skb(sk)!;
    expect(first.origin).toBe('zerocopy');
    expect(sk.skErr).toBe(113);
    expect(woke).toEqual([1]);
    const r = ip_recv_error(sk, 0);
    if (typeof r === 'number') throw new Error(`ip_recv_error ${r}`);
    expect(r.ee.ee_origin).toBe(SO_EE_ORIGIN_ICMP);
    expect(r.offender).toBe(0x0a000001);
    expect(sk.skErr).toBe(0);
  });
});

describe('transmit timestamps on the error queue', () => {
  const stamp = (payload: Uint8Array) => ({
    errno: ENOMSG,
    origin: 'timestamping' as const,
    type: 0,
    code: 0,
    offender: 0,
    info: 0,
    data: 0,
    seq: 0,
    id: 0,
    tstamp: 1e6,
    payload,
  });

  it('sock_queue_err_skb charges sk_rmem_alloc and refuses past sk_rcvbuf; reading frees the charge', () => {
    const sk = sock();
    sk.rcvbuf = 3000;
    expect(sock_queue_err_skb(sk, stamp(new Uint8Array(100)), 2000)).toBe(0);
    expect(sk.rmemAlloc).toBe(2000);
    expect(sock_queue_err_skb(sk, stamp(new Uint8Array(100)), 1000)).toBe(-ENOMEM);
    expect(sk.errorQueue).toHaveLength(1);
    sk.tsflags = SOF_TIMESTAMPING_SOFTWARE;
    const r = ip_recv_error(sk, 40);
    if (typeof r === 'number') throw new Error(`ip_recv_error ${r}`);
    expect([r.copied, r.msgFlags]).toEqual([40, 0x2000 | 0x20]);
    expect(r.timestamping).toEqual([1e6, 0, 0]);
    expect(sk.rmemAlloc).toBe(0);
  });

  it('sock_tx_timestamp: TX_SOFTWARE and TX_SCHED ask for SKBTX flags, TX_ACK does not', () => {
    expect(sock_tx_timestamp(SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_TX_SCHED, 0)).toBe(
      SKBTX_SW_TSTAMP | SKBTX_SCHED_TSTAMP,
    );
    expect(sock_tx_timestamp(SOF_TIMESTAMPING_TX_ACK, 0)).toBe(0);
  });
});
