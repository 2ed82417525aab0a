/**
 * A class: many labs served by one set of layer services. Each service process keeps a DistributedNode
 * per lab (its view of that lab's hosts, its exactly-once bookkeeping under the lab's own Redis prefix),
 * and all of them share the process's one Kafka consumer and one producer: a lab nobody uses costs its
 * state and its node's two Redis connections (commands under the lab's prefix, and its channels), not a
 * consumer's fetch loop and heartbeats.
 *
 *   skblab-class:<class>:labs   set      the class's lab ids (the control service adds and removes them)
 *   skblab-class:<class>:labs   channel  published when the set changes
 *
 * The consumer group is `<class>.class.<service>` (no lab's group, `<lab>.<service>`, can be named so: a
 * service's name has no dot); it subscribes to the hop topics of every lab in the set (the
 * topics stay per lab, `skblab.<lab>.<hop>`, so a student's credentials reach only their own lab's:
 * lab-acls.ts). kafkajs resolves a subscription when the consumer runs, so a change of the set stops the
 * consumer, subscribes again and runs it again: a rebalance per change (changes that come while one is
 * being followed are followed together). A batch goes to the node of the lab its topic names; its offsets
 * are committed once that node has flushed it. A lab taken out of the class waits for its batch under way,
 * then its node stops and says so (its `ready` entry goes), which the control service waits for before it
 * deletes the lab's keys.
 *
 * An idle lab's partitions are paused. kafkajs has no incremental fetch sessions: every fetch names every
 * partition it is not paused on, and decodes an answer for each, so a hundred labs' topics in every fetch
 * would cost each hop of every lab. A lab whose count in flight has stayed at 0 for IDLE_PAUSE_MS is paused;
 * the batch that makes its count rise from 0 publishes on the lab's busy channel in its MULTI, before its
 * produce (node.ts), and the lab's partitions are taken up again at that news. Pub/sub may lose a message
 * (a subscriber reconnecting), so each sweep also takes up a paused lab that has anything in flight.
 *
 * Budgets, per lab: only the trace ring a node keeps, which is small (its steps go to the lab's trace
 * stream anyway). A flooding lab's batches are not yet kept from running ahead of the other labs'.
 */
import type Redis from 'ioredis';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { Lab } from '@skblab/runtime';
import { hopTopics, hopsOf, isLabId, LAB_ID_RULE } from '@skblab/contracts';
import { hopConsumerConfig } from './assigner';
import { KEYS, keyPrefix } from './keys';
import { DistributedNode, type HopMessage, type NodeOptions } from './node';
import type { Verdict } from '@skblab/kernel';

/** The Redis key (a set) and channel of a class's labs; outside every lab's prefix. */
export function classLabsKey(classId: string): string {
  if (!isLabId(classId))
    throw new RangeError(`invalid class id '${String(classId).slice(0, 80)}' (${LAB_ID_RULE})`);
  return `skblab-class:${classId}:labs`;
}

/** The lab ids of a class. `redis` is a client without a key prefix. */
export async function classLabs(redis: Redis, classId: string): Promise<string[]> {
  return (await redis.smembers(classLabsKey(classId))).filter(isLabId).sort();
}

/** Add a lab to a class (its topics and topology must exist first: createClassLab does both). */
export async function addClassLab(redis: Redis, classId: string, lab: string): Promise<boolean> {
  if (!isLabId(lab)) throw new RangeError(`invalid lab id '${String(lab).slice(0, 80)}' (${LAB_ID_RULE})`);
  const key = classLabsKey(classId);
  const added = (await redis.sadd(key, lab)) === 1;
  if (added) await redis.publish(key, `+${lab}`);
  return added;
}

export async function removeClassLab(redis: Redis, classId: string, lab: string): Promise<boolean> {
  const key = classLabsKey(classId);
  const removed = (await redis.srem(key, lab)) === 1;
  if (removed) await redis.publish(key, `-${lab}`);
  return removed;
}

/** The lab a hop topic belongs to (`skblab.<lab>.<hop>`), or null. */
export function labOfTopic(topic: string): string | null {
  const parts = topic.split('.');
  return parts.length === 3 && parts[0] === 'skblab' && isLabId(parts[1]) ? parts[1] : null;
}

/** How long a lab stays idle (nothing in flight) before its partitions are paused. */
export const IDLE_PAUSE_MS = 10_000;

export interface ClassLabsOptions {
  classId: string;
  /** What every lab's node is made with; its labId is each lab's. */
  node: Omit<NodeOptions, 'labId' | 'clients' | 'classShared'>;
  /** The process's Kafka client (default: one of its own). */
  kafka?: Kafka;
  /** A client without a key prefix: the class's set, its channel. */
  redis: Redis;
  /** Steps each lab's node keeps in its own trace ring (the trace stream has them all). */
  traceBudget?: number;
  /** Told of every message a lab's node handled through its hop handler (the app's dispatch). */
  dispatch?: (m: HopMessage) => Verdict | Promise<Verdict>;
  log: (line: string) => void;
}

export class ClassLabs {
  readonly nodes = new Map<string, DistributedNode>();
  private readonly kafka: Kafka;
  private producer: Producer | null = null;
  private consumer: Consumer | null = null;
  private subscriber: Redis | null = null;
  private stopped = false;
  /** Changes of the set are applied one after another. */
  private changing: Promise<void> = Promise.resolve();
  /** A change of the set came while one was being followed: follow again once, for all of them. */
  private changed = false;
  private following = false;
  /** Each lab's batch under way (a lab taken out waits for it before its node stops). */
  private readonly running = new Map<string, Promise<void>>();
  /** The labs the current consumer subscribed to, and whether it has joined its group since. */
  private subscribedLabs = new Set<string>();
  private joined = false;
  private subscribed = '';
  /** The partitions this process was given, per topic (from the latest group join). */
  private assignment: Record<string, number[]> = {};
  /** When each lab was last busy (or subscribed to), and the labs whose partitions are paused. */
  private readonly lastBusy = new Map<string, number>();
  readonly paused = new Set<string>();
  private sweeper: NodeJS.Timeout | null = null;
  dispatch: ((m: HopMessage) => Verdict | Promise<Verdict>) | null;

  constructor(private readonly opts: ClassLabsOptions) {
    classLabsKey(opts.classId); // refuses a bad class id here
    this.dispatch = opts.dispatch ?? null;
    this.kafka =
      opts.kafka ??
      new Kafka({
        clientId: `skblab-class-${opts.classId}-${opts.node.instance ?? opts.node.service}`,
        brokers: opts.node.kafkaBrokers,
        sasl: opts.node.kafkaSasl,
        logLevel: logLevel.NOTHING,
      });
  }

  get hops(): string[] {
    return hopsOf(this.opts.node.service);
  }

  /** Serve the class's labs as they come and go. */
  async start(): Promise<void> {
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    this.subscriber = this.opts.redis.duplicate();
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', () => this.refresh());
    await this.subscriber.subscribe(classLabsKey(this.opts.classId));
    this.refresh();
    await this.changing;
    this.sweeper = setInterval(() => void this.pauseIdle(), IDLE_PAUSE_MS / 4);
    this.sweeper.unref();
  }

  /**
   * A lab's count in flight rose from 0: its partitions are fetched again. Called from a Redis message
   * handler: it must not throw (kafkajs refuses a resume while its group is being rebuilt, and then the
   * new group fetches every partition anyway).
   */
  private busy(lab: string): void {
    this.lastBusy.set(lab, Date.now());
    if (!this.paused.delete(lab) || !this.consumer) return;
    try {
      this.consumer.resume(hopTopics(lab, this.hops).map((topic) => ({ topic })));
    } catch (e) {
      this.opts.log(`skblab class ${this.opts.classId}: resuming lab ${lab}: ${String(e)}`);
    }
  }

  /** Pause the partitions of the labs that have had nothing in flight for IDLE_PAUSE_MS. */
  private async pauseIdle(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || this.stopped) return;
    const before = Date.now() - IDLE_PAUSE_MS;
    for (const [lab, node] of this.nodes) {
      if (this.paused.has(lab)) {
        // Its busy news may have been lost (pub/sub delivers at most once): look at the count itself.
        if ((await node.inFlight().catch(() => 0)) > 0) this.busy(lab);
        continue;
      }
      if ((this.lastBusy.get(lab) ?? 0) > before) continue;
      try {
        if ((await node.inFlight()) > 0 || this.consumer !== consumer) continue;
        const topics = hopTopics(lab, this.hops).map((topic) => ({ topic }));
        consumer.pause(topics);
        this.paused.add(lab);
        // The busy news of a batch whose MULTI came between the read above and the pause may have been
        // taken before the pause: read again, and take the lab up if anything is in flight now.
        if ((await node.inFlight()) > 0) this.busy(lab);
      } catch (e) {
        this.opts.log(`skblab class ${this.opts.classId}: pausing lab ${lab}: ${String(e)}`);
      }
    }
  }

  /** Read the set again and make the nodes and the subscription follow it (once for a burst of changes). */
  refresh(): void {
    this.changed = true;
    if (this.following) return;
    this.following = true;
    this.changing = (async () => {
      while (this.changed && !this.stopped) {
        this.changed = false;
        await this.follow().catch((e: unknown) =>
          this.opts.log(`skblab class ${this.opts.classId}: ${String(e)}`),
        );
      }
      this.following = false;
    })();
  }

  private async follow(): Promise<void> {
    if (this.stopped) return;
    const want = new Set(await classLabs(this.opts.redis, this.opts.classId));
    for (const [lab, node] of this.nodes)
      if (!want.has(lab)) {
        // No batch of it is taken from now on; the one under way ends first.
        this.nodes.delete(lab);
        this.paused.delete(lab);
        await this.running.get(lab)?.catch(() => undefined);
        await node.stop();
        // Its state no longer changes here: the control service may delete the lab's keys.
        await this.opts.redis.hdel(`${keyPrefix(lab)}${KEYS.ready}`, node.instance);
        this.opts.log(`skblab class ${this.opts.classId}: lab ${lab} removed`);
      }
    for (const lab of want)
      if (!this.nodes.has(lab)) {
        const node = await this.open(lab).catch((e: unknown) => {
          this.opts.log(`skblab class ${this.opts.classId}: cannot serve lab ${lab}: ${String(e)}`);
          return null;
        });
        if (node) this.nodes.set(lab, node);
      }
    await this.subscribe();
  }

  /** A lab's node: its view built from the lab's topology, started without a consumer of its own. */
  private async open(lab: string): Promise<DistributedNode> {
    const node = new DistributedNode(
      {
        ...this.opts.node,
        labId: lab,
        classShared: { producer: this.producer!, onBusy: () => this.busy(lab) },
      },
      new Lab({ traceCapacity: this.opts.traceBudget ?? 1 << 10 }),
    );
    node.dispatch = (m) =>
      this.dispatch ? this.dispatch(m) : node.door.receive(m.hop, m.skb, m.clock, m.comm, m.cpu);
    try {
      await node.loadTopology(10_000);
      await node.start();
    } catch (e) {
      await node.stop();
      throw e;
    }
    this.assignTo(lab, node);
    return node;
  }

  /** The consumer, subscribed to every served lab's hop topics (run again when they change). */
  private async subscribe(): Promise<void> {
    const topics = [...this.nodes.keys()].sort().flatMap((lab) => hopTopics(lab, this.hops));
    const key = topics.join(',');
    if (key === this.subscribed || this.stopped) return;
    if (this.consumer) {
      // No resume or pause reaches a consumer being taken down.
      const old = this.consumer;
      this.consumer = null;
      await old.disconnect();
    }
    // A new consumer fetches every partition: the labs are paused again once idle for a while.
    this.paused.clear();
    for (const lab of this.nodes.keys()) this.lastBusy.set(lab, Date.now());
    this.subscribed = key;
    if (!topics.length) return;
    const consumer = this.kafka.consumer(
      hopConsumerConfig(`${this.opts.classId}.class.${this.opts.node.service}`, () => []),
    );
    this.consumer = consumer;
    this.subscribedLabs = new Set(this.nodes.keys());
    this.joined = false;
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        this.assignment = payload.memberAssignment;
        this.joined = true;
        for (const [lab, node] of this.nodes) this.assignTo(lab, node);
        resolve();
      }),
    );
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.stopped || this.consumer !== consumer) return;
      // kafkajs's restart (or ours) builds a new group, which fetches every partition: nothing is paused.
      this.paused.clear();
      for (const lab of this.nodes.keys()) this.lastBusy.set(lab, Date.now());
      if (payload.restart) return;
      this.opts.log(`skblab class ${this.opts.classId}: consumer crashed (${String(payload.error)}); again`);
      this.subscribed = '';
      setTimeout(() => this.refresh(), 1_000);
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        const lab = labOfTopic(batch.topic);
        const node = lab ? this.nodes.get(lab) : undefined;
        // A lab removed while its batch was on the way: nothing serves it any more.
        if (!node) return;
        const run = node.takeBatch(batch.topic, batch.partition, batch.messages);
        this.running.set(lab!, run);
        try {
          await run;
        } finally {
          if (this.running.get(lab!) === run) this.running.delete(lab!);
        }
        if (batch.messages.length) resolveOffset(batch.messages[batch.messages.length - 1].offset);
      },
    });
    await Promise.race([
      joined,
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`class ${this.opts.classId}: group not joined in 60 s`)),
          60_000,
        ).unref(),
      ),
    ]);
  }

  /**
   * A node's partitions: those of its lab's topics in this process's assignment (none, when another
   * replica has them all). Until its lab has been in a join, the node owns every host (as a lone node
   * does until it has joined).
   */
  private assignTo(lab: string, node: DistributedNode): void {
    if (!this.subscribedLabs.has(lab) || !this.joined) return;
    node.assign(new Set(hopTopics(lab, this.hops).flatMap((t) => this.assignment[t] ?? [])));
  }

  /** The labs whose partitions the consumer itself says are paused (what /state shows). */
  pausedLabs(): string[] {
    const labs = new Set((this.consumer?.paused() ?? []).map((t) => labOfTopic(t.topic)));
    return [...labs].filter((l): l is string => l !== null).sort();
  }

  /** A hop's message into its lab's kernel. */
  receive(m: HopMessage): Verdict {
    const node = this.nodes.get(m.lab);
    if (!node) throw new Error(`lab ${m.lab} is not served here`);
    return node.door.receive(m.hop, m.skb, m.clock, m.comm, m.cpu);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await this.changing;
    await this.consumer?.disconnect().catch(() => undefined);
    for (const node of this.nodes.values()) await node.stop();
    this.nodes.clear();
    await this.producer?.disconnect().catch(() => undefined);
    this.subscriber?.disconnect();
  }
}

/**
 * Delete what a lab left: its Redis keys (`skblab:<lab>:*`, scanned, never another lab's) and its topics.
 * `redis` is a client without a key prefix. The class's consumer groups are the class's, not the lab's.
 */
export async function dropLab(
  redis: Redis,
  kafka: Kafka,
  lab: string,
): Promise<{ keys: number; topics: number }> {
  const prefix = keyPrefix(lab);
  let keys = 0;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (found.length) keys += await redis.del(...found);
    cursor = next;
  } while (cursor !== '0');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`skblab.${lab}.`));
    if (topics.length) await admin.deleteTopics({ topics });
    return { keys, topics: topics.length };
  } finally {
    await admin.disconnect();
  }
}
