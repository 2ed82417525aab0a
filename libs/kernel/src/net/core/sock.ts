/**
 * net/core/sock.c: queueing a datagram on a socket for its reader (ping and raw sockets; UDP has its own
 * __udp_enqueue_schedule_skb).
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import { skbTruesize } from '../../include/linux/skbuff';
import type { Sock } from '../../include/net/sock';
import { sockDefReadable } from '../../include/net/sock';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import type { KernelFn } from '../../include/net/trace';
import { drop, queued, type Verdict } from '../../include/net/verdict';

/**
 * sock_queue_rcv_skb_reason: past sk_rcvbuf the skb is dropped (sk_drops); otherwise it joins the receive
 * queue and sock_def_readable wakes the reader. `fn` is the caller's step (__ping_queue_rcv_skb, raw_rcv_skb).
 */
export function sock_queue_rcv_skb(ctx: KernelCtx, sk: Sock, skb: SkBuff, fn: KernelFn): Verdict {
  if (sk.rmemAlloc >= sk.rcvbuf) {
    sk.drops++;
    ctx.step(skb, fn, `sk_rmem_alloc ${sk.rmemAlloc} >= sk_rcvbuf ${sk.rcvbuf}`);
    return drop(skb, SKB_DROP_REASON.SOCKET_RCVBUFF);
  }
  sk.rmemAlloc += skbTruesize(skb);
  sk.receiveQueue.push(skb);
  ctx.step(skb, fn, `sk_receive_queue ${sk.receiveQueue.length}, sock_def_readable`);
  sockDefReadable(sk);
  return queued(skb, 'sk_receive_queue');
}
