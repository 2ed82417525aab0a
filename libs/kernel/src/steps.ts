/**
 * The hop table: every kernel function an skb can be handed to, by its kernel name. A step returns
 * `next(hop, skb)` and the runtime looks the hop up here (embedded mode) or publishes it to the topic of
 * the same name (distributed mode).
 */
import type { StepFn } from './include/linux/netdevice';
import type { HopName } from './include/net/hops';
import { __dev_queue_xmit, __netif_receive_skb, __netif_rx, dev_hard_start_xmit } from './net/core/dev';
import { loopback_xmit } from './drivers/net/loopback';
import { veth_xmit } from './drivers/net/veth';
import { tun_net_xmit } from './drivers/net/tun';
import { hw_rx_dma, igb_xmit_frame } from './drivers/net/ethernet/intel/igb/igb_main';
import './net/sched/sch_api';
import {
  ip_finish_output,
  ip_finish_output2,
  ip_fragment,
  ip_local_out,
  ip_output,
  ip_send_skb,
} from './net/ipv4/ip_output';
import {
  ip_error,
  ip_list_rcv,
  ip_list_rcv_finish,
  ip_local_deliver,
  ip_local_deliver_finish,
  ip_rcv,
  ip_rcv_finish,
} from './net/ipv4/ip_input';
import { ip_forward } from './net/ipv4/ip_forward';
import { icmp_rcv } from './net/ipv4/icmp';
import { udp_rcv } from './net/ipv4/udp';
import { tcp_v4_rcv } from './net/ipv4/tcp_ipv4';
import { arp_rcv, arp_xmit } from './net/ipv4/arp';
import { neigh_output, neigh_resolve_output_queued } from './net/core/neighbour';

export const HOPS = {
  ip_send_skb,
  ip_local_out,
  ip_output,
  ip_finish_output,
  ip_fragment: (ctx, skb) => ip_fragment(ctx, skb),
  ip_finish_output2,
  neigh_output,
  neigh_resolve_output_queued,
  arp_xmit,
  __dev_queue_xmit,
  dev_hard_start_xmit,
  loopback_xmit,
  veth_xmit,
  tun_net_xmit,
  igb_xmit_frame,
  hw_rx_dma,
  __netif_rx,
  __netif_receive_skb,
  ip_rcv,
  ip_list_rcv,
  ip_list_rcv_finish,
  arp_rcv,
  ip_rcv_finish,
  ip_local_deliver,
  ip_local_deliver_finish,
  ip_forward,
  ip_error,
  icmp_rcv,
  udp_rcv,
  tcp_v4_rcv,
} satisfies Record<HopName, StepFn>;

export type { HopName };
