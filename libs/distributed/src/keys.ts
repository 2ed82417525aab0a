/**
 * The Redis key schema of distributed mode. Every key lives under `skblab:<lab>:` (the connection's key
 * prefix), so labs sharing one Redis never see each other; `sweepLab` deletes a lab's keys.
 *
 *   skblab:<lab>:topology        string  JSON [{name, cpus}]: the hosts every service builds its view from
 *   skblab:<lab>:ready           hash    instance (a service, or a replica of one) -> pid, once it consumes
 *   skblab:<lab>:partitions      string  how many partitions each hop topic has
 *   skblab:<lab>:inflight        string  skbs handed to a hop and not yet done with (0: the lab is idle)
 *   skblab:<lab>:inflight-held   hash    instance -> its batches produced but not yet in Redis (their MULTI)
 *   skblab:<lab>:clock           string  the latest simulated time (ns) any service reached
 *   skblab:<lab>:idle            channel published when inflight drops to 0
 *   skblab:<lab>:busy            channel published when inflight rises from 0 (before the skbs are in Kafka)
 *   skblab:<lab>:config          list    the kernel configuration operations the shell's tools made, in
 *                                        order, as data ({host, rng, comm, cpu, op}: config-log.ts)
 *   skblab:<lab>:config-applied  hash    instance -> how many of them it has been through
 *   skblab:<lab>:config          channel published when entries are added
 *   skblab:<lab>:timers          zset    process -> its earliest pending timer (simulated ns)
 *   skblab:<lab>:inflight-timers zset    process -> its latest timer holding a packet in flight (a frame on a wire)
 *   skblab:<lab>:advanced        hash    process -> the time up to which it has fired its timers
 *   skblab:<lab>:advance         channel the shell asks every process to fire its timers due by T
 *   skblab:<lab>:seen:<service>  set     hop|skb id|host|netns|ifindex of every skb the service handled
 *   skblab:<lab>:journal:<instance> string what its last batch produced (produced again after a crash)
 *   skblab:<lab>:trace           stream  each service's kernel steps (capped), for skbtrace
 *   skblab:<lab>:dead-letters    string  messages sent to the dead-letter topic
 *   skblab:<lab>:counters:<host>[:<netns>]  hashes  MIBs, device stats, softnet_stat (counters.ts)
 *   skblab:<lab>:counters-changed zset    counters hash -> the sequence number of its latest change
 *   skblab:<lab>:counters-seq    string  that sequence
 *   skblab:<lab>:neigh:<host>:<netns>       string  the neigh service's table (neighbours.ts)
 *   skblab:<lab>:skb-ids         string  hands each process its own range of skb ids
 */
import { isLabId, LAB_ID_RULE } from '@skblab/contracts';

export const KEYS = {
  topology: 'topology',
  ready: 'ready',
  partitions: 'partitions',
  inflight: 'inflight',
  held: 'inflight-held',
  clock: 'clock',
  trace: 'trace',
  deadLetters: 'dead-letters',
  skbIds: 'skb-ids',
  config: 'config',
  timers: 'timers',
  inflightTimers: 'inflight-timers',
  seen: 'seen',
  journal: 'journal',
  advanced: 'advanced',
  configApplied: 'config-applied',
  countersChanged: 'counters-changed',
  countersSeq: 'counters-seq',
} as const;

/**
 * The prefix of a lab's keys and channels. It is what confines a lab's clients (redis-acls.ts), so an id
 * outside the rule (a `*`, a `:`) is refused here, where every key of a lab is made.
 */
export function keyPrefix(lab: string): string {
  if (!isLabId(lab)) throw new RangeError(`invalid lab id '${String(lab).slice(0, 80)}' (${LAB_ID_RULE})`);
  return `skblab:${lab}:`;
}

export function idleChannel(lab: string): string {
  return `${keyPrefix(lab)}idle`;
}

export function busyChannel(lab: string): string {
  return `${keyPrefix(lab)}busy`;
}

export function advanceChannel(lab: string): string {
  return `${keyPrefix(lab)}advance`;
}

export function configChannel(lab: string): string {
  return `${keyPrefix(lab)}config`;
}

/** How many steps the trace stream keeps (approximately: MAXLEN ~ lets Redis trim whole nodes). */
export const TRACE_STREAM_MAXLEN = 100_000;

/** Each process draws its skb ids from its own range of this size. */
export const SKB_ID_RANGE = 2 ** 32;
