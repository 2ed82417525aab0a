/**
 * The names of the hops: the kernel functions an skb can be handed to between steps (steps.ts maps each to
 * its function). A name here, not the table, so that the skb's verdict and the kernel context can speak of
 * hops without importing every step.
 */
export type HopName =
  | 'ip_send_skb'
  | 'ip_local_out'
  | 'ip_output'
  | 'ip_finish_output'
  | 'ip_fragment'
  | 'ip_finish_output2'
  | 'neigh_output'
  | 'neigh_resolve_output_queued'
  | 'arp_xmit'
  | '__dev_queue_xmit'
  | 'dev_hard_start_xmit'
  | 'loopback_xmit'
  | 'veth_xmit'
  | 'tun_net_xmit'
  | 'igb_xmit_frame'
  | 'hw_rx_dma'
  | '__netif_rx'
  | '__netif_receive_skb'
  | 'ip_rcv'
  | 'ip_list_rcv'
  | 'ip_list_rcv_finish'
  | 'arp_rcv'
  | 'ip_rcv_finish'
  | 'ip_local_deliver'
  | 'ip_local_deliver_finish'
  | 'ip_forward'
  | 'ip_error'
  | 'icmp_rcv'
  | 'udp_rcv'
  | 'tcp_v4_rcv';
