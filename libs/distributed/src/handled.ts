/**
 * Exactly-once handling, this side of it. Kafka gives at-least-once: a batch whose offsets were not
 * committed (a crash, a rebalance) comes again. What makes it once:
 *
 * - the handled set: the ids of the messages a service's replicas handled (an skb at a hop at a moment, or
 *   a dead letter's offset), recorded in the same MULTI as the batch's effects, loaded at start and after a
 *   rebalance (another replica's replays), so that a message handled before is skipped;
 * - the journal: a batch that fans out (more skbs produced than handled, or new skb ids) records its ids
 *   before it produces, so its output is written to Redis with them and produced again by a successor if
 *   the process dies between the two.
 *
 * Kafka's transactions (offsets in the producer's transaction) would cover the Kafka half only: the
 * batch's Redis effects (counters, trace, the in-flight count) would still need this, so it stays.
 */
import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import type { Message } from 'kafkajs';
import { KEYS } from './keys';

/** A message for Kafka: its topic and the message (key, partition, value). */
export interface Outgoing {
  topic: string;
  message: Message;
}

/** How long the handled ids and the journal are kept (a replay comes within seconds of a crash). */
const SEEN_TTL_S = 3600;

type Journaled = { topic: string; key: string; partition?: number; value: string };

export class Handled {
  private readonly seen = new Set<string>();
  /** Handled since the last record(). */
  private fresh: string[] = [];
  /** The shared set being loaded after a rebalance: batches wait for it. */
  loaded: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly service: string,
    private readonly instance: string,
    private readonly stopped: () => boolean,
    private readonly reported: (what: string) => (e: unknown) => void,
  ) {}

  private get key(): string {
    return `${KEYS.seen}:${this.service}`;
  }

  private get journalKey(): string {
    return `${KEYS.journal}:${this.instance}`;
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  add(id: string): void {
    this.seen.add(id);
    this.fresh.push(id);
  }

  /** The ids the service's replicas handled (shared: after a rebalance, another replica's replays). */
  async load(): Promise<void> {
    for (const id of await this.redis.smembers(this.key)) this.seen.add(id);
  }

  /**
   * After a rebalance, the shared set however long Redis takes: without it a replay of another replica's
   * batch would be handled twice.
   */
  reload(): void {
    this.loaded = (async () => {
      for (let attempt = 0; !this.stopped(); attempt++) {
        try {
          return await this.load();
        } catch (e) {
          if (attempt === 0) this.reported('loading the handled set after a rebalance (retrying)')(e);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
  }

  /** Into a batch's MULTI: what it handled, and the journal of its output when it fans out. */
  record(p: ChainableCommander, journal: Outgoing[] | null): void {
    if (this.fresh.length) {
      p.sadd(this.key, ...this.fresh);
      p.expire(this.key, SEEN_TTL_S);
      this.fresh = [];
    }
    if (journal) p.set(this.journalKey, journalOf(journal), 'EX', SEEN_TTL_S);
  }

  /** The last journaled batch's output (a predecessor may have died before producing it). */
  async journal(): Promise<Outgoing[]> {
    const raw = await this.redis.get(this.journalKey);
    if (!raw) return [];
    return (JSON.parse(raw) as Journaled[]).map((o) => ({
      topic: o.topic,
      message: { key: o.key, partition: o.partition, value: Buffer.from(o.value, 'base64') },
    }));
  }

  /** A fresh start (not a successor): a journal left under this name is not this process's to replay. */
  async forgetJournal(): Promise<void> {
    await this.redis.del(this.journalKey);
  }
}

function journalOf(out: Outgoing[]): string {
  return JSON.stringify(
    out.map(
      (o): Journaled => ({
        topic: o.topic,
        key: String(o.message.key),
        // The host's partition, which the key's murmur2 hash would not pick: a replay goes to the owner.
        partition: o.message.partition ?? undefined,
        value: (o.message.value as Buffer).toString('base64'),
      }),
    ),
  );
}
