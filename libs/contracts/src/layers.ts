/**
 * Distributed mode's deployment map: the services (one per kernel layer, and control) and which service runs
 * each kernel entry point (each hop of libs/kernel's hop table). A hop's skbs travel on the Kafka topic
 * `skblab.<lab>.<hop>`, consumed by the service that owns the hop (docs/distributed.md has the table).
 */
export const LAYERS = [
  'socket',
  'ip',
  'neigh',
  'dev',
  'loopback',
  'nic',
  'softirq',
  'rx',
  'control',
] as const;

export type LayerName = (typeof LAYERS)[number];

export function isLayerName(s: string): s is LayerName {
  return (LAYERS as readonly string[]).includes(s);
}

/**
 * The service that runs each hop. The socket layer runs in the process that runs the user's processes (the
 * shell), because sendmsg and recvmsg are calls from a process into its own kernel: the receive side ends
 * there too, in the protocol handlers that queue to a socket (udp_rcv, icmp_rcv, tcp_v4_rcv).
 */
export const HOP_LAYER = {
  ip_send_skb: 'ip',
  ip_local_out: 'ip',
  ip_output: 'ip',
  ip_finish_output: 'ip',
  ip_fragment: 'ip',
  ip_finish_output2: 'ip',
  neigh_output: 'neigh',
  neigh_resolve_output_queued: 'neigh',
  arp_xmit: 'neigh',
  __dev_queue_xmit: 'dev',
  dev_hard_start_xmit: 'dev',
  // The answers of a NIC driver's process to a qdisc's call into it (DRIVER_ANSWERS).
  dev_requeue_skb: 'dev',
  __netif_schedule: 'dev',
  netif_tx_stop_queue: 'dev',
  loopback_xmit: 'loopback',
  veth_xmit: 'nic',
  tun_net_xmit: 'nic',
  igb_xmit_frame: 'nic',
  hw_rx_dma: 'nic',
  __netif_rx: 'softirq',
  __netif_receive_skb: 'rx',
  ip_rcv: 'rx',
  ip_list_rcv: 'rx',
  ip_list_rcv_finish: 'rx',
  arp_rcv: 'neigh',
  ip_rcv_finish: 'rx',
  ip_local_deliver: 'rx',
  ip_local_deliver_finish: 'rx',
  ip_forward: 'ip',
  ip_error: 'ip',
  icmp_rcv: 'socket',
  udp_rcv: 'socket',
  tcp_v4_rcv: 'socket',
} as const satisfies Record<string, LayerName>;

export type DistributedHop = keyof typeof HOP_LAYER;

/**
 * Not kernel hops: the messages with which the nic service answers the dev service's call into a NIC
 * driver (sch_direct_xmit's ndo_start_xmit), named after what they do in the qdisc's process: the queue
 * runs (`__netif_schedule`), it stopped (`netif_tx_stop_queue`), or the skb was turned back
 * (`dev_requeue_skb`). libs/distributed's door sends and applies them.
 */
export const DRIVER_ANSWERS = ['__netif_schedule', 'netif_tx_stop_queue', 'dev_requeue_skb'] as const;
export type DriverAnswer = (typeof DRIVER_ANSWERS)[number];

/**
 * The hops that are such a call (a NIC driver's ndo_start_xmit under the qdisc's TX lock): the caller waits
 * for one of DRIVER_ANSWERS, so even a call its callee cannot carry out is answered.
 */
export const DRIVER_CALLS: readonly string[] = ['igb_xmit_frame'];

/**
 * The services that run kernel hops on their own (what `--spawn` and `up` start): every layer but socket,
 * whose hops run in the shell, and control, which runs none.
 */
export const HOP_SERVICES: readonly LayerName[] = LAYERS.filter(
  (l) => l !== 'socket' && Object.values(HOP_LAYER).includes(l as never),
);

/** The hops a service consumes. */
export function hopsOf(layer: LayerName): DistributedHop[] {
  return (Object.keys(HOP_LAYER) as DistributedHop[]).filter((h) => HOP_LAYER[h] === layer);
}

const ANSWER_SET: ReadonlySet<string> = new Set(DRIVER_ANSWERS);

/**
 * The driver's answers share one topic (the return of ndo_start_xmit): the qdisc's process must take them
 * in the order the driver gave them (a stop, then the wake that follows it), and Kafka keeps the order of
 * a partition, not across topics.
 */
export const DRIVER_ANSWER_TOPIC = 'ndo_start_xmit_return';

/**
 * The topic a hop's skbs travel on: `skblab.<lab>.<hop>`, or the answers' shared one. Kafka topic names
 * allow [a-zA-Z0-9._-]; lab ids are lower-case letters, digits and '-'.
 */
export function hopTopic(lab: string, hop: string): string {
  return `skblab.${lab}.${ANSWER_SET.has(hop) ? DRIVER_ANSWER_TOPIC : hop}`;
}

/** The distinct topics of these hops (the answers' shared one once). */
export function hopTopics(lab: string, hops: readonly string[]): string[] {
  return [...new Set(hops.map((h) => hopTopic(lab, h)))];
}

/** The hops whose messages a topic carries, from the topic's name within its lab. */
export function topicHops(name: string): readonly string[] {
  return name === DRIVER_ANSWER_TOPIC ? DRIVER_ANSWERS : [name];
}

export function deadLetterTopic(lab: string): string {
  return `skblab.${lab}.dead-letter`;
}

/** Messages are keyed by host and CPU (what the partition is chosen from is the host: hostPartition). */
export function hopKey(host: string, cpu: number): string {
  return `${host}:${cpu}`;
}

/**
 * The partition of every hop topic that carries `host`'s skbs (FNV-1a of its name): one host's packets stay
 * in order, and the replica of a service that owns the partition holds the host's state.
 */
export function hostPartition(host: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < host.length; i++) h = Math.imul(h ^ host.charCodeAt(i), 0x01000193) >>> 0;
  return h % partitions;
}
