/**
 * One process of a distributed lab: a Lab (the same kernel code as the embedded lab) that runs only its
 * service's hops, the door its hops leave and enter by, and the Kafka transport that carries them:
 *
 * - a hop another service runs is produced to `skblab.<lab>.<hop>`, on the host's partition (hostPartition:
 *   a host's packets stay in order); this service's hops are consumed by the consumer group
 *   `<lab>.<service>`. Replicas share the partitions, each owning the same partitions of every topic
 *   (hostAffineAssigner) and so whole hosts: work for a host another replica owns is handed to it. kafkajs
 *   is used directly, not through Nest's Kafka transport, which decodes every message as JSON: a layer app
 *   gets each batch's binary envelopes through its own transport strategy (libs/service's HopServer).
 * - A batch is: handle each message (decode, resolve, run the hop), then flush: produce what it sent, and
 *   put in one Redis MULTI everything else it did to shared state, so `inflight` reaches 0 only when every
 *   skb's journey is over and its steps are in the stream.
 *
 * The rest is in parts of its own: what was handled and the journal (handled.ts: exactly once), simulated
 * time (simulated-time.ts), the trace and counter streams (streams.ts), the configuration log
 * (config-log.ts), and what the shell says when the lab does not settle (stall.ts).
 */
import type { TopologySpec } from '@skblab/topology';
import {
  Kafka,
  logLevel,
  type Consumer,
  type IHeaders,
  type KafkaMessage,
  type Producer,
  type Message,
} from 'kafkajs';
import Redis from 'ioredis';
import { performance } from 'node:perf_hooks';
import type { SkBuff, Verdict } from '@skblab/kernel';
import { Lab, buildHardware } from '@skblab/runtime';
import {
  DRIVER_CALLS,
  HOP_LAYER,
  SkbCodecError,
  deadLetterTopic,
  decodeEnvelope,
  encodeEnvelope,
  envelopeOf,
  hopKey,
  hopTopic,
  hopTopics,
  topicHops,
  hostPartition,
  hopsOf,
  type LayerName,
  type SkbEnvelope,
} from '@skblab/contracts';
import { hopConsumerConfig } from './assigner';
import { Door, type DoorHop } from './door';
import { createTopicsAndWait } from './topics';
import { Stalls, type StallFacts } from './stall';
import { Handled, type Outgoing } from './handled';
import { SimulatedTime } from './simulated-time';
import { CounterStream, TraceStream } from './streams';
import { skbFromEnvelope, UnresolvedEnvelope } from './envelope';
import { ConfigLog } from './config-log';
import {
  KEYS,
  SKB_ID_RANGE,
  advanceChannel,
  busyChannel,
  configChannel,
  idleChannel,
  keyPrefix,
} from './keys';
import type { KafkaSasl } from './kafka-sasl';
import { contextOfHeaders, journeyTracer, traceHeaders, tracerOf } from './otlp';

/** A host with no NICs (what older labs published); a full topology carries NICs and wires too. */
export interface HostSpec {
  name: string;
  cpus: number;
}

/** What the topology key holds: a topology (hosts, NICs, wires) or, as before, a list of bare hosts. */
export type PublishedTopology = TopologySpec | HostSpec[];

export interface NodeOptions {
  labId: string;
  /** The service this process is: it runs that layer's hops. */
  service: LayerName;
  /**
   * This process's name among the service's replicas (default: the service's name). It keys what is the
   * process's own in Redis: its readiness, timers, configuration progress and journal.
   */
  instance?: string;
  kafkaBrokers: string[];
  /**
   * Clients the process already has (a layer app's injected KAFKA and REDIS): used instead of making its
   * own, and left open at stop for their owner to close. The Redis client must carry the lab's key prefix
   * and let commands wait through a reconnection (maxRetriesPerRequest null), as a batch's MULTI must.
   */
  clients?: { kafka: Kafka; redis: Redis };
  /** The Kafka user this process logs in as (a SASL broker; kafka-sasl.ts), or none. */
  kafkaSasl?: KafkaSasl;
  redisUrl: string;
  /** Where a dead letter's log line goes (default stderr). */
  log?: (line: string) => void;
  /**
   * Told of every message handled: its topic, what became of it, and for an skb the kernel ran, which hop
   * it entered and how long (wall-clock seconds) the kernel's work on it took here.
   */
  onMessage?: (
    topic: string,
    result: 'ok' | 'drop' | 'dead-letter',
    step?: { hop: DoorHop; seconds: number },
  ) => void;
  /**
   * Apply the configuration log (the kernel operations a shell's `ip`, `sysctl`, `tc`, `ethtool` and a
   * lab's boot made) to this process's view as it grows. Services do; the shell made them itself.
   */
  applyConfig?: boolean;
  /**
   * Take over from a predecessor that may have died (a service restarted): produce again what its last
   * batch may not have produced. The services do; a new shell starts afresh.
   */
  resume?: boolean;
  /** Ship this process's steps to the trace stream (the services do; the shell reads them). */
  shipTraces?: boolean;
  /**
   * The shell's side: told, in words, when the lab has not settled for `stallNoticeMs` (default 5 s) and
   * every 10 s after: which service it waits on, for how long, and what to do (see stall.ts).
   */
  onStall?: (report: string) => void;
  stallNoticeMs?: number;
  /**
   * One of a class's labs, served by a service that serves them all (class-labs.ts): the class's one
   * consumer feeds this node its batches (takeBatch) and tells it its partitions (assign), and its one
   * producer (connected and disconnected by the class) carries what the node sends. The node has neither
   * of its own.
   */
  classShared?: { producer: Producer; onBusy: () => void };
  /**
   * An OTLP/HTTP collector to export this process's steps to (otlp.ts), as spans of the trace whose
   * context (W3C traceparent) came with the message being handled; every skb sent meanwhile carries it on.
   */
  otlpEndpoint?: string;
}

/**
 * inflight += delta; this instance's held batch (if any) let go; clock = max(clock, t); publish on the idle
 * channel when nothing is left in flight or held, and on the busy channel when the count rises from 0 or
 * below (a batch that does so is journaled: this MULTI runs before its produce, so the news comes first).
 */
const DONE_LUA = `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[1]) > 0 and n - tonumber(ARGV[1]) <= 0 then redis.call('PUBLISH', ARGV[6], n) end
if tonumber(ARGV[5]) > 0 then redis.call('HINCRBY', KEYS[3], ARGV[4], -tonumber(ARGV[5])) end
local c = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[2]) > c then redis.call('SET', KEYS[2], ARGV[2]) end
if n <= 0 then
  -- Only then are the holds read: while skbs are in flight no batch can make the lab idle.
  local h = 0
  for _, v in ipairs(redis.call('HVALS', KEYS[3])) do h = h + tonumber(v) end
  if h <= 0 then redis.call('PUBLISH', ARGV[3], n) end
end
return n`;

/** What the lab has in flight: the skbs, and the batches held until their MULTI (in-flight-held). */
const IN_FLIGHT_LUA = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do n = n + tonumber(v) end
return n`;

/** Where the simulated time sits in an envelope (libs/contracts/src/skb-codec.ts). */
const ENVELOPE_CLOCK_OFFSET = 16;

export interface NodeStats {
  received: number;
  sent: number;
  deadLetters: number;
  /** Messages skipped because their skb had been handled here already. */
  duplicates: number;
  /** Messages produced again at start from the journal. */
  replayed: number;
  /** Configuration log entries applied to this view. */
  configApplied: number;
  /** Entries refused: not JSON, not an entry, or not one of the kernel's configuration operations. */
  configRejected: number;
  /** Entries that were well-formed but that this view's kernel refused (or that threw). */
  configFailed: number;
  /**
   * Where the time of the messages went, in ms since start (bench:distributed divides by `received`):
   * from its producer's timestamp to its handling here (`delivery`: Kafka's and the consumer's part, and
   * the wait behind earlier messages of its batch; the clocks of one machine), decoding envelopes and
   * rebuilding skbs, the kernel's work (the hop's handler and the door), producing the batches' output to
   * Kafka, and the batches' MULTI to Redis (after the produce, in a batch that does not fan out).
   */
  timeMs: { delivery: number; decode: number; kernel: number; produce: number; redis: number };
}

/**
 * One message taken from a hop topic: the skb rebuilt from its envelope, and the moment, task and CPU it
 * carries on at. What a layer app's hop handler (@EventPattern) receives.
 */
export interface HopMessage {
  /** The lab it belongs to (a service may serve a class's many labs). */
  lab: string;
  hop: DoorHop;
  skb: SkBuff;
  clock: number;
  comm: string;
  cpu: number;
}

export class DistributedNode {
  readonly lab: Lab;
  /**
   * Who runs a message's hop: by default straight into the door; a layer service routes it through its
   * app's handler for that hop (libs/service's HopServer), which hands it to the door in turn.
   */
  dispatch: ((m: HopMessage) => Verdict | Promise<Verdict>) | null = null;
  /** Where the kernel's hops leave this process and other services' come in. */
  readonly door: Door;
  readonly redis: Redis;
  /** The lab's configuration log, as this view applies it (a service) or writes it (a shell). */
  readonly config: ConfigLog;
  readonly stats: NodeStats = {
    received: 0,
    sent: 0,
    deadLetters: 0,
    duplicates: 0,
    replayed: 0,
    configApplied: 0,
    configRejected: 0,
    configFailed: 0,
    timeMs: { delivery: 0, decode: 0, kernel: 0, produce: 0, redis: 0 },
  };
  /** The messages handled here and by the service's other replicas: what a replay must skip. */
  private readonly handled: Handled;
  /** This process's side of simulated time. */
  private readonly time: SimulatedTime;
  private readonly traces: TraceStream;
  private readonly counters: CounterStream;
  private readonly stalls: Stalls;
  private readonly kafka: Kafka;
  private producer: Producer | null = null;
  private consumer: Consumer | null = null;
  private subscriber: Redis | null = null;
  private outbox: Outgoing[] = [];
  /** Envelopes whose departure time is not settled yet (see stamp). */
  private unstamped: Buffer[] = [];
  /** Messages produced minus messages handled, not yet told to Redis. */
  private delta = 0;
  private flushing: Promise<void> | null = null;
  private flushScheduled = false;
  private idsAtLastFlush = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  private readonly log: (line: string) => void;
  /** The service, or the replica of it, this process is. */
  readonly instance: string;
  /** How many partitions each hop topic has (read at start). */
  private partitions = 2;
  /** The partitions this process's consumer was given (null: every one, until it has joined). */
  private owned: Set<number> | null = null;
  private readonly partitionOfHost = new Map<string, number>();
  private joins = 0;

  constructor(
    readonly opts: NodeOptions,
    lab?: Lab,
  ) {
    this.lab = lab ?? new Lab();
    this.door = new Door(
      this.lab,
      { send: (hop, skb, at) => this.send(hop, skb, at), owns: (host) => this.owns(host) },
      new Set(this.hops),
    );
    // A layer service handles events one by one, each at its own moment: a timer fires at its expiry.
    if (opts.service !== 'socket') this.lab.eventTime = true;
    this.log = opts.log ?? ((l) => void process.stderr.write(l + '\n'));
    this.instance = opts.instance ?? opts.service;
    if (opts.clients) {
      const { keyPrefix: prefix, maxRetriesPerRequest } = opts.clients.redis.options;
      if (prefix !== keyPrefix(opts.labId) || maxRetriesPerRequest !== null)
        throw new Error(
          `the Redis client given to lab '${opts.labId}' must have the key prefix ${keyPrefix(opts.labId)} and maxRetriesPerRequest null`,
        );
      this.redis = opts.clients.redis;
      this.kafka = opts.clients.kafka;
    } else {
      this.redis = new Redis(opts.redisUrl, {
        keyPrefix: keyPrefix(opts.labId),
        connectionName: `skblab-${opts.labId}-${this.instance}`,
        maxRetriesPerRequest: null,
        retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
      });
      // ioredis reconnects by itself and its commands wait (maxRetriesPerRequest null); each one that fails
      // fails where it is awaited. An 'error' event without a listener would end the process.
      this.redis.on('error', () => undefined);
      this.kafka = new Kafka({
        clientId: `skblab-${opts.labId}-${this.instance}`,
        brokers: opts.kafkaBrokers,
        sasl: opts.kafkaSasl,
        logLevel: logLevel.NOTHING, // failures surface as errors where they matter; retries are not news
      });
    }
    this.handled = new Handled(
      this.redis,
      opts.service,
      this.instance,
      () => this.stopped,
      (what) => this.reported(what),
    );
    this.stalls = new Stalls(this.kafka, opts.labId, opts.onStall, opts.stallNoticeMs);
    this.time = new SimulatedTime(this.redis, this.lab, opts.labId, this.instance, this.stalls);
    this.traces = new TraceStream(this.redis, this.lab, this.instance);
    // The neigh service runs neigh_output and arp_rcv: the neighbour tables are its own.
    this.counters = new CounterStream(this.redis, this.lab, this.hops.includes('neigh_output'), (h) =>
      this.owns(h),
    );
    this.config = new ConfigLog(this.redis, this.lab, opts.labId, this.instance, this.stats, this.log, (h) =>
      this.configChanged(h),
    );
    if (opts.otlpEndpoint)
      journeyTracer(this.lab, {
        endpoint: opts.otlpEndpoint,
        service: opts.service,
        instance: this.instance,
        labId: opts.labId,
        log: this.log,
      });
  }

  get hops(): DoorHop[] {
    return hopsOf(this.opts.service) as DoorHop[];
  }

  /** Publish the lab's hosts (the shell does this before the services start). */
  async publishTopology(topology: PublishedTopology): Promise<void> {
    await this.redis.set(KEYS.topology, JSON.stringify(topology));
  }

  /** Build this process's view of the lab from the published topology (waits for it). */
  async loadTopology(timeoutMs = 30_000): Promise<PublishedTopology> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const raw = await this.redis.get(KEYS.topology);
      if (raw) {
        const t = JSON.parse(raw) as PublishedTopology;
        if (Array.isArray(t)) {
          for (const h of t) if (!this.lab.hosts.has(h.name)) this.lab.addHost(h.name, h.cpus);
        } else buildHardware(this.lab, t);
        return t;
      }
      if (Date.now() > until || this.stopped)
        throw new Error(`no topology for lab '${this.opts.labId}' in Redis`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Create the lab's topics (one per hop, and the dead-letter topic), if they do not exist yet, and say in
   * Redis how many partitions they have (a lab id reused keeps its topics as they were).
   */
  async createTopics(partitions = 2): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = hopTopics(this.opts.labId, Object.keys(HOP_LAYER));
      await createTopicsAndWait(
        admin,
        [...topics, deadLetterTopic(this.opts.labId)].map((topic) => ({
          topic,
          numPartitions: partitions,
          replicationFactor: 1,
        })),
      );
      const meta = await admin.fetchTopicMetadata({ topics });
      const counts = new Set(meta.topics.map((t) => t.partitions.length));
      if (counts.size !== 1)
        throw new Error(
          `the topics of lab '${this.opts.labId}' differ in partitions: ${[...counts].join(', ')}`,
        );
      await this.redis.set(KEYS.partitions, String([...counts][0]));
    } finally {
      await admin.disconnect();
    }
  }

  /** Whether this process runs the hops of `host` (its partition is one this replica consumes). */
  owns(host: { name: string }): boolean {
    return this.owned === null || this.owned.has(this.partitionOf(host.name));
  }

  private partitionOf(host: string): number {
    let p = this.partitionOfHost.get(host);
    if (p === undefined) this.partitionOfHost.set(host, (p = hostPartition(host, this.partitions)));
    return p;
  }

  /** Connect, take this process's range of skb ids, and (if the service runs hops) join its group. */
  async start(): Promise<void> {
    const range = await this.redis.incr(KEYS.skbIds);
    this.partitions = Number((await this.redis.get(KEYS.partitions)) ?? 2);
    this.lab.distribute(this.hops, this.door, this.instance, range * SKB_ID_RANGE);
    if (this.opts.classShared) this.producer = this.opts.classShared.producer;
    else {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    this.subscriber = new Redis(this.opts.redisUrl, { maxRetriesPerRequest: null });
    this.subscriber.on('error', () => undefined); // as this.redis's: it resubscribes when it reconnects
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === advanceChannel(this.opts.labId)) {
        const flush = (force?: boolean) => this.flush(force);
        void this.time
          .advance(Number(message), flush, () => this.stamp())
          .catch((e) => this.log(`skblab ${this.instance}: timers: ${String(e)}`));
        return;
      }
      if (channel === busyChannel(this.opts.labId)) return this.opts.classShared?.onBusy();
      if (channel === configChannel(this.opts.labId)) {
        if (this.opts.applyConfig)
          void this.config.catchUp().catch((e) => this.log(`skblab ${this.instance}: config: ${String(e)}`));
        return;
      }
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    });
    await this.subscriber.subscribe(
      idleChannel(this.opts.labId),
      configChannel(this.opts.labId),
      advanceChannel(this.opts.labId),
      // A class's service pauses an idle lab's partitions, and takes them up again at this news.
      ...(this.opts.classShared ? [busyChannel(this.opts.labId)] : []),
    );
    if (this.opts.applyConfig) await this.config.catchUp();
    if (!this.hops.length) return;
    await this.handled.load();
    await this.time.forgetPredecessor();
    // A predecessor killed between a batch's produce and its MULTI left that batch held; the batch comes
    // again (its offsets were not committed), so the hold goes.
    await this.redis.hdel(KEYS.held, this.instance);
    if (this.opts.resume) await this.replayJournal();
    else await this.handled.forgetJournal();
    // A class's lab: the class's consumer feeds it (class-labs.ts).
    if (this.opts.classShared)
      return void (await this.redis.hset(KEYS.ready, this.instance, String(process.pid)));
    // A broker that has just created the topics may not serve their metadata yet: try again for a while.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startConsumer();
        break;
      } catch (e) {
        await this.consumer?.disconnect().catch(this.reported('disconnecting a consumer that did not start'));
        if (this.stopped || attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    await this.redis.hset(KEYS.ready, this.instance, String(process.pid));
  }

  /**
   * Partitions another replica now owns: let their hosts go (Door.release), so that nothing this process
   * held for them waits forever, and a partition that comes back starts clean.
   */
  private releasePartitions(lost: number[]): void {
    const gone = new Set(lost);
    let dropped = 0;
    for (const host of this.lab.hosts.values())
      if (gone.has(this.partitionOf(host.name))) dropped += this.door.release(host);
    this.log(
      `skblab ${this.instance}: partitions ${lost.join(', ')} went to another replica` +
        (dropped ? `: ${dropped} skbs held for their hosts dropped` : ''),
    );
  }

  /** Join the service's consumer group and run its hops; resolves once the group has been joined. */
  private async startConsumer(): Promise<void> {
    const consumerGroup = `${this.opts.labId}.${this.opts.service}`;
    const consumer = this.kafka.consumer(hopConsumerConfig(consumerGroup, () => this.owned ?? []));
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        this.assign(new Set(Object.values(payload.memberAssignment).flat()));
        resolve();
      }),
    );
    // kafkajs restarts a consumer that crashed on a retriable error; after any other (seen once across a
    // broker restart) it stays down, and this layer's skbs would wait forever: start a new one.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopped) return;
      this.log(`skblab ${this.instance}: consumer crashed (${String(payload.error)}); starting a new one`);
      setTimeout(() => {
        void consumer
          .disconnect()
          .catch(this.reported('disconnecting the crashed consumer'))
          .then(() => (this.stopped ? undefined : this.startConsumer()))
          .catch((e: unknown) => this.log(`skblab ${this.instance}: consumer restart failed: ${String(e)}`));
      }, 1_000);
    });
    await consumer.connect();
    if (this.stopped) return void (await consumer.disconnect());
    await consumer.subscribe({
      topics: hopTopics(this.opts.labId, this.hops),
      fromBeginning: true,
    });
    await consumer.run({
      // Offsets are resolved (and so committed) only once the batch's output is in Kafka and its effects in
      // Redis: kafkajs commits what was resolved even when eachBatch throws.
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        await this.takeBatch(batch.topic, batch.partition, batch.messages);
        if (batch.messages.length) resolveOffset(batch.messages[batch.messages.length - 1].offset);
      },
    });
    await Promise.race([
      joined,
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`consumer group ${consumerGroup} not joined in 60 s`)),
          60_000,
        ).unref(),
      ),
    ]);
  }

  /**
   * The partitions of this service's hop topics this process now consumes (the same of every topic:
   * hostAffineAssigner), and so the hosts it owns. Another replica's hosts it took over come without their
   * state (rings, queues, timers), as after a restart; their replays are skipped by the shared seen set.
   */
  assign(owned: Set<number>): void {
    const lost = this.owned ? [...this.owned].filter((p) => !owned.has(p)) : [];
    this.owned = owned;
    if (lost.length) this.releasePartitions(lost);
    // The batches of partitions taken over start with what their last owner handled but had not
    // committed: they wait for the shared set that skips them.
    if (this.joins++) this.handled.reload();
  }

  /**
   * A batch of one hop topic's partition: each message handled, then the flush (its output in Kafka, its
   * effects in Redis). Its offsets may be committed once this resolves, and only then.
   */
  async takeBatch(topic: string, partition: number, messages: KafkaMessage[]): Promise<void> {
    await this.handled.loaded;
    for (const m of messages) await this.handle(topic, partition, m);
    await this.flush();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // What is not flushed now is replayed by whoever takes these partitions (offsets not committed).
    await this.flush().catch(this.reported('last flush at stop (its batch will be replayed)'));
    await this.consumer?.disconnect().catch(this.reported('consumer disconnect at stop'));
    if (!this.opts.classShared)
      await this.producer?.disconnect().catch(this.reported('producer disconnect at stop'));
    this.subscriber?.disconnect();
    if (!this.opts.clients) this.redis.disconnect();
    await this.stalls.disconnect().catch(this.reported('admin disconnect at stop'));
    if (this.opts.otlpEndpoint) await tracerOf(this.lab)?.stop();
  }

  /** A failure this process lives with, said in its log rather than swallowed. */
  private reported(what: string): (e: unknown) => void {
    return (e) => this.log(`skblab ${this.instance}: ${what}: ${e instanceof Error ? e.message : String(e)}`);
  }

  /** The stall in words: asks Kafka (for at most 5 s) which hop topics hold messages nobody takes. */
  describeStall(waitedMs: number, waitingFor: StallFacts['waitingFor']): Promise<string> {
    return this.stalls.describe(waitedMs, waitingFor);
  }

  /**
   * The shell's side: every process with a timer due by `t` fires it; resolves when they have (and what
   * they sent has been handled everywhere).
   */
  fireRemoteTimers(t: number, timeoutMs = 30_000): Promise<void> {
    return this.time.fireRemote(t, timeoutMs, (ms) => this.idle(ms));
  }

  /** Make this process the one that moves simulated time (the shell's): see SimulatedTime.drive. */
  driveTime(): void {
    this.time.drive((ms) => this.idle(ms));
  }

  // ---- configuration: the kernel operations of the shell's tools, applied in every service's view -------

  /**
   * A configuration operation ran on `host` in this view: devices, namespaces or qdiscs may have come or
   * gone, and the host's counters may have moved (an ifdown frees what a ring held).
   */
  configChanged(host: string): void {
    this.counters.invalidate();
    this.lab.touched.add(host);
  }

  // ---- the transport ----------------------------------------------------------------------------------

  /** An skb to the service that runs `hop` (the door's way out). */
  private send(hop: DoorHop, skb: SkBuff, at?: number): void {
    const e = envelopeOf(hop, skb, {
      clock: at ?? this.lab.now(),
      task: this.lab.comm(),
      execCpu: this.lab.cpu(),
    });
    this.post(e, at === undefined);
  }

  /**
   * An envelope onto its hop's topic, in the partition of its host. `stamp`: it leaves when the work that
   * sent it is over (stamp()); otherwise it keeps the moment it carries.
   */
  private post(e: SkbEnvelope, stamp: boolean): void {
    const value = Buffer.from(encodeEnvelope(e));
    // The trace of the command line or message whose work sent it (otlp.ts), if one is being exported.
    const trace = tracerOf(this.lab)?.current;
    this.outbox.push({
      topic: hopTopic(this.opts.labId, e.hop),
      message: {
        key: hopKey(e.host, e.cpu),
        value,
        partition: this.partitionOf(e.host),
        ...(trace ? { headers: traceHeaders(trace) } : {}),
      },
    });
    if (stamp) {
      this.unstamped.push(value);
      if (this.unstamped.length === 1) queueMicrotask(() => this.stamp());
    }
    this.delta++;
    this.stats.sent++;
    // Work started outside a batch (a system call, a timer) goes out as soon as the current turn ends.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        void this.flush().catch((e) => this.log(`skblab ${this.instance}: flush failed: ${String(e)}`));
      });
    }
  }

  /**
   * In Linux the hand-off is a function call: the caller finishes what it was doing (consume_skb of a
   * request after queueing its reply, say) on the same CPU before the callee's work goes on. So an skb
   * leaves at the moment the work that sent it is over, not the moment of the call.
   */
  private stamp(): void {
    const t = this.lab.now();
    for (const v of this.unstamped) v.writeDoubleBE(t, ENVELOPE_CLOCK_OFFSET);
    this.unstamped = [];
  }

  /** The last fault said (a batch retried for the same one says it once). */
  private lastFault = '';

  private async handle(
    topic: string,
    partition: number,
    m: { value: Buffer | null; offset: string; timestamp?: string; headers?: IHeaders },
  ) {
    // The topic's hop (the answers' shared topic: the envelope says which answer).
    const onTopic = topic.slice(hopTopic(this.opts.labId, '').length);
    let hop = onTopic as DoorHop;
    let counted = false;
    /** Counted as received and handed to the kernel. */
    let taken = false;
    let e: SkbEnvelope | null = null;
    const time = this.stats.timeMs;
    const t0 = performance.now();
    try {
      const value = m.value ?? Buffer.alloc(0);
      e = decodeEnvelope(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      counted = true; // a well-formed envelope was counted in flight by whoever produced it
      if (!topicHops(onTopic).includes(e.hop))
        throw new UnresolvedEnvelope(`envelope for ${e.hop} on the topic of ${onTopic}`);
      hop = e.hop as DoorHop;
      // Delivery is idempotent: an skb handled here before (a replay after a crash upstream) is skipped.
      // The moment tells apart the same skb passing the same hop again (a routing loop through veths).
      const id = `${hop}|${e.id}|${e.host}|${e.netns}|${e.ifindex}|${e.clock}`;
      if (this.handled.has(id)) {
        this.stats.duplicates++;
        return;
      }
      const skb = skbFromEnvelope(this.lab, e);
      if (m.timestamp) time.delivery += Date.now() - Number(m.timestamp);
      this.stats.received++;
      this.delta--;
      taken = true;
      const t1 = performance.now();
      time.decode += t1 - t0;
      // The kernel works in the message's trace: its steps are that trace's, and so is what it sends. A
      // service stays in it afterwards, so the work of the timers this work armed (a NIC's wire, DMA and
      // interrupt) is that trace's too; the shell goes back to its command line's.
      const tracer = tracerOf(this.lab);
      const outer = tracer?.enter(contextOfHeaders(m.headers));
      let v: Verdict;
      try {
        v = this.dispatch
          ? await this.dispatch({
              lab: this.opts.labId,
              hop,
              skb,
              clock: e.clock,
              comm: e.task,
              cpu: e.execCpu,
            })
          : this.door.receive(hop, skb, e.clock, e.task, e.execCpu);
      } finally {
        if (this.opts.service === 'socket') tracer?.enter(outer ?? null);
      }
      const ms = performance.now() - t1;
      time.kernel += ms;
      const seconds = ms / 1000;
      this.stamp();
      this.handled.add(id);
      this.opts.onMessage?.(topic, v.kind === 'drop' ? 'drop' : 'ok', { hop, seconds });
    } catch (err) {
      if (taken || !(err instanceof SkbCodecError || err instanceof UnresolvedEnvelope)) {
        // A fault, not a malformed message: the batch is not committed and comes again, so the message is
        // given back (counted in flight, not received), and said once.
        if (taken) {
          this.stats.received--;
          this.delta++;
        }
        const what = `skblab ${this.instance}: ${hop} failed on ${topic}[${partition}]@${m.offset} (the batch will be retried): ${err instanceof Error ? err.message : String(err)}`;
        if (what !== this.lastFault) this.log((this.lastFault = what));
        throw err;
      }
      // Idempotent too: the same message redelivered (a rebalance before its offset was committed) was
      // dead-lettered already, and its in-flight count taken back.
      const dl = `dead-letter|${topic}|${partition}|${m.offset}`;
      if (this.handled.has(dl)) {
        this.stats.duplicates++;
        return;
      }
      this.handled.add(dl);
      if (counted) this.delta--;
      await this.deadLetter(topic, partition, m, err.message);
      if (e && DRIVER_CALLS.includes(hop)) this.answerLostCall(e);
    }
  }

  /**
   * A qdisc's call into a NIC's driver that this process cannot carry out (it names a device or namespace
   * it lacks) still gets its answer, or the qdisc's process would wait for its return for ever: the
   * queue runs on, and the skb is the dead letter's.
   */
  private answerLostCall(e: SkbEnvelope): void {
    this.post(
      {
        ...e,
        hop: '__netif_schedule',
        id: this.lab.newSkbId(),
        dst: null,
        sk: null,
        txAccount: null,
        dropReason: '',
        data: new Uint8Array(0),
      },
      true,
    );
  }

  /** A message no service can handle: to the dead-letter topic with the reason, counted and logged. */
  private async deadLetter(
    topic: string,
    partition: number,
    m: { value: Buffer | null; offset: string },
    reason: string,
  ): Promise<void> {
    this.stats.deadLetters++;
    this.opts.onMessage?.(topic, 'dead-letter');
    this.log(`skblab ${this.instance}: dead letter from ${topic}[${partition}]@${m.offset}: ${reason}`);
    await this.producer!.send({
      topic: deadLetterTopic(this.opts.labId),
      messages: [
        {
          value: m.value,
          headers: {
            reason,
            topic,
            partition: String(partition),
            offset: m.offset,
            service: this.opts.service,
          },
        },
      ],
    });
    await this.redis.incr(KEYS.deadLetters);
  }

  /** Send what is waiting and tell Redis what is done. Flushes run one at a time, in order. */
  /** `force`: even if nothing was sent or traced (a timer changed a neighbour's state, or the next timer). */
  async flush(force = false): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!force && !this.outbox.length && this.delta === 0 && !this.traces.behind) return;
    this.flushing = this.doFlush();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  private async doFlush(): Promise<void> {
    const out = this.outbox;
    this.outbox = [];
    const delta = this.delta;
    this.delta = 0;
    // A batch that made new skbs (an ARP reply, an ICMP error, fragments) would give them new ids if it
    // were replayed, which downstream could not recognise: it goes the journaled way, like a fan-out.
    const journaled = delta > 0 || this.lab.skbIds !== this.idsAtLastFlush;
    this.idsAtLastFlush = this.lab.skbIds;
    // Otherwise the next hop can start as soon as Kafka has the skbs: produce first, and build the rest
    // meanwhile. The batch is held first (not waited for: it is ahead of the produce on this connection),
    // and let go by the MULTI, so the lab cannot look idle before this batch's trace, counters and timers
    // are in Redis. The hold is this instance's own: one left by a process killed before its MULTI is
    // dropped by its successor, which handles the batch again.
    let held = 0;
    if (!journaled && out.length) {
      held = 1;
      void this.redis
        .hincrby(KEYS.held, this.instance, 1)
        .catch(this.reported('in-flight hold (the MULTI after it fails too)'));
    }
    const produced = !journaled && out.length ? this.produce(out) : null;
    // One MULTI holds everything this batch did to shared state: the skbs in flight (+ produced − handled),
    // the counters, the trace, the neighbour tables, the next timer, and the ids now handled (so that a
    // replay skips them).
    //
    // Its order against the produce is what makes a crash harmless. Usually (produced ≤ handled) the
    // produce goes first: the produced skbs inherit the in-flight count of the handled ones, which stays
    // up until the MULTI; a crash before the MULTI replays the batch (its ids were not recorded), and the
    // copies it produces again are skipped downstream by id. When the batch fans out (produced > handled),
    // the count must be up before anything can be consumed, so the MULTI goes first, with a journal of the
    // batch's output that a restart produces again (the ids are recorded: the replay would skip the batch).
    const p = this.redis.multi();
    // A service counts only for the hosts it worked for (messages, timers, configuration); the shell runs
    // system calls anywhere and looks at every host.
    const touched = this.opts.service === 'socket' ? undefined : [...this.lab.touched];
    this.lab.touched.clear();
    this.counters.ship(p, touched);
    this.traces.ship(p, this.opts.shipTraces !== false);
    this.time.publish(p);
    this.handled.record(p, journaled ? out : null);
    p.eval(
      DONE_LUA,
      3,
      KEYS.inflight,
      KEYS.clock,
      KEYS.held,
      delta,
      this.lab.now(),
      idleChannel(this.opts.labId),
      this.instance,
      held,
      busyChannel(this.opts.labId),
    );
    const apply = async () => {
      const t0 = performance.now();
      const res = await p.exec();
      this.stats.timeMs.redis += performance.now() - t0;
      const failed = res?.find(([e]) => e);
      if (failed) throw failed[0];
    };
    if (journaled) {
      await apply();
      if (out.length) await this.produce(out);
    } else {
      await produced;
      await apply();
    }
  }

  /** A crash may have come between a batch's MULTI and its produce: produce its journal again. */
  private async replayJournal(): Promise<void> {
    const out = await this.handled.journal();
    if (!out.length) return;
    this.stats.replayed += out.length;
    await this.produce(out);
  }

  /** Produce, and keep trying while Kafka is away (a broker restart): these skbs are counted in flight. */
  private async produce(out: Outgoing[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const o of out) {
      let l = byTopic.get(o.topic);
      if (!l) byTopic.set(o.topic, (l = []));
      l.push(o.message);
    }
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    const t0 = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await this.producer!.sendBatch({ acks: -1, topicMessages });
        this.stats.timeMs.produce += performance.now() - t0;
        return;
      } catch (e) {
        if (this.stopped) throw e;
        if (attempt === 0) this.log(`skblab ${this.instance}: produce failed, retrying: ${String(e)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  // ---- the shell's side: when is the lab idle, and what happened ----------------------------------------

  /** The lab's skbs in flight and batches held (0: the lab is idle). */
  async inFlight(): Promise<number> {
    return Number(await this.redis.eval(IN_FLIGHT_LUA, 2, KEYS.inflight, KEYS.held));
  }

  /**
   * Wait until no skb is in flight anywhere in the lab, then take the latest simulated time and the steps
   * the services recorded. Simulated time must not move on (a timer fire) while an skb is in flight.
   */
  async idle(timeoutMs = 30_000): Promise<void> {
    await this.flush();
    const waited = this.stalls.watch(timeoutMs);
    for (;;) {
      const wake = new Promise<void>((r) => {
        const done = () => {
          this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
          r();
        };
        this.idleWaiters.push(done);
        setTimeout(done, 20).unref();
      });
      const n = await this.inFlight();
      if (n <= 0 && !this.outbox.length && this.delta === 0) break;
      // The count moving is headway (a burst being worked through); one that stays is a stall.
      await waited(n, () => ({ skbs: n }));
      await wake;
      await this.flush();
    }
    await this.time.readRemote();
    await this.importTraces();
    await this.loadCounters();
  }

  /**
   * The lab's counters (every service's counting) into this view, so /proc and `ip -s` show them: the
   * hashes changed since the last load (all of them the first time).
   */
  async loadCounters(): Promise<void> {
    await this.flush();
    await this.counters.load();
  }

  /** Steps from the trace stream that other processes recorded, into this lab's trace. */
  importTraces(): Promise<void> {
    return this.traces.import();
  }
}
