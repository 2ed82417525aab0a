/**
 * `npm run bench:kafka-tx`: what a batch's commit costs a layer service the way skblab does it against the
 * way Kafka's transactions (consume-transform-produce, offsets in the transaction) would, on the same
 * broker, Redis and process. Prints JSON; nothing is asserted (a benchmark, not a test).
 *
 * - ownExactlyOnce: what a service's flush does now: produce the batch's output (acks -1), then one Redis
 *   MULTI with the batch's handled ids (SADD, EXPIRE) and its in-flight count (INCRBY).
 * - kafkaTransaction: begin, send, sendOffsets, commit; then the Redis MULTI that the batch's effects on
 *   shared state still need (the in-flight count, and in a lab its counters, trace and timers), without
 *   the handled ids: Kafka's transaction covers Kafka, not Redis.
 *
 * Sequential batches of BATCH messages of 64 bytes, BATCHES per run, medians over RUNS runs of each run's
 * median and p99 per batch. Brokers: KAFKA_BROKERS and REDIS_URL, else a Kafka 4.1.1 broker from
 * tools/kafka-broker and the local Redis.
 */
import Redis from 'ioredis';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createTopicsAndWait } from '@skblab/distributed';
import { brokers } from './brokers';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 300);
const BATCH = Number(process.env.BENCH_BATCH ?? 1);
const LAB = `${process.env.BENCH_LAB_PREFIX ?? 'bench'}-ktx-${process.pid}`;

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const p99 = (xs: number[]) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))];
const now = () => Number(process.hrtime.bigint()) / 1e6;

type Commit = (batch: number) => Promise<void>;

async function timed(commit: Commit): Promise<{ p50: number; p99: number }> {
  const ms: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const t0 = now();
    await commit(b);
    ms.push(now() - t0);
  }
  return { p50: median(ms), p99: p99(ms) };
}

async function main(): Promise<void> {
  const b = await brokers();
  const kafka = new Kafka({ clientId: LAB, brokers: b.kafka, logLevel: logLevel.NOTHING });
  const redis = new Redis(b.redis, { keyPrefix: `skblab:${LAB}:` });
  const topic = `skblab.${LAB}.bench`;
  const admin = kafka.admin();
  let plain: Producer | null = null;
  let tx: Producer | null = null;
  try {
    await admin.connect();
    await createTopicsAndWait(admin, [{ topic, numPartitions: 2, replicationFactor: 1 }]);
    plain = kafka.producer({ allowAutoTopicCreation: false });
    tx = kafka.producer({
      allowAutoTopicCreation: false,
      transactionalId: `${LAB}.tx`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await plain.connect();
    await tx.connect();
    const value = Buffer.alloc(64);
    const messages = () =>
      Array.from({ length: BATCH }, (_, i) => ({ key: `host1:${i}`, value, partition: 0 }));
    const own: Commit = async (n) => {
      await plain!.sendBatch({ acks: -1, topicMessages: [{ topic, messages: messages() }] });
      const p = redis.multi();
      p.sadd('seen:bench', ...Array.from({ length: BATCH }, (_, i) => `hop|${n}|${i}`));
      p.expire('seen:bench', 3600);
      p.incrby('inflight', 0);
      await p.exec();
    };
    const transaction: Commit = async (n) => {
      const t = await tx!.transaction();
      await t.send({ topic, messages: messages() });
      await t.sendOffsets({
        consumerGroupId: `${LAB}.group`,
        topics: [{ topic, partitions: [{ partition: 1, offset: String(n + 1) }] }],
      });
      await t.commit();
      const p = redis.multi();
      p.incrby('inflight', 0);
      await p.exec();
    };
    const runs: Array<{ own: { p50: number; p99: number }; tx: { p50: number; p99: number } }> = [];
    // A first batch of each warms connections and the transaction coordinator.
    await own(-1);
    await transaction(-1);
    for (let r = 0; r < RUNS; r++) runs.push({ own: await timed(own), tx: await timed(transaction) });
    const m = (f: (x: (typeof runs)[number]) => number) => +median(runs.map(f)).toFixed(3);
    const out = {
      batches: BATCHES,
      messagesPerBatch: BATCH,
      runs: RUNS,
      ownExactlyOnce: { p50Ms: m((x) => x.own.p50), p99Ms: m((x) => x.own.p99) },
      kafkaTransaction: { p50Ms: m((x) => x.tx.p50), p99Ms: m((x) => x.tx.p99) },
      ratioP50: +(m((x) => x.tx.p50) / m((x) => x.own.p50)).toFixed(2),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } finally {
    await Promise.allSettled([plain?.disconnect(), tx?.disconnect()]);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await redis.del('seen:bench', 'inflight');
    redis.disconnect();
    await b.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:kafka-tx: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
