/**
 * What every modelled kernel step returns. A step never moves an skb itself: it says where the skb goes
 * next (`next`, naming the kernel function that receives it), that it was freed with a drop reason
 * (`drop`), that it has been consumed, or that it now waits in a queue (`queued`: backlog, ARP queue,
 * reassembly queue, socket queue). The runtime moves it; a call the runtime carries out asynchronously
 * answers `pending` until it returns.
 */
import type { SkBuff } from '../linux/skbuff';
import type { SkbDropReason } from './dropreason-core';
import type { HopName } from './hops';

export type Verdict =
  | { kind: 'next'; hop: HopName; skb: SkBuff }
  /** `xmit`: the driver returned NET_XMIT_DROP, which ip_send_skb turns into -ENOBUFS for the sender. */
  | { kind: 'drop'; reason: SkbDropReason; skb: SkBuff; xmit?: boolean }
  | { kind: 'consumed'; skb: SkBuff }
  | { kind: 'queued'; skb: SkBuff; where: string }
  /** NETDEV_TX_BUSY: the driver could not take it; the qdisc keeps it (dev_requeue_skb). */
  | { kind: 'busy'; skb: SkBuff }
  /**
   * The callee has the skb and has not returned yet: the runtime carries this call out asynchronously and
   * returns from it later (for a driver's ndo_start_xmit: sch_direct_xmit_return).
   */
  | { kind: 'pending'; skb: SkBuff };

export function next(hop: HopName, skb: SkBuff): Verdict {
  return { kind: 'next', hop, skb };
}
export function drop(skb: SkBuff, reason: SkbDropReason): Verdict {
  return { kind: 'drop', reason, skb };
}
export function xmitDrop(skb: SkBuff, reason: SkbDropReason): Verdict {
  return { kind: 'drop', reason, skb, xmit: true };
}
export function consumed(skb: SkBuff): Verdict {
  return { kind: 'consumed', skb };
}
export function queued(skb: SkBuff, where: string): Verdict {
  return { kind: 'queued', skb, where };
}
export function txBusy(skb: SkBuff): Verdict {
  return { kind: 'busy', skb };
}
export function pending(skb: SkBuff): Verdict {
  return { kind: 'pending', skb };
}
