/**
 * Proof that the tests get REAL brokers: one Kafka round trip (kafkajs) on a lab-scoped topic and one Redis
 * SET/GET (ioredis) under the lab-id prefix, then everything created is deleted again.
 *
 * Normally run with test/infra/jest.infra.config.js (globalSetup/globalTeardown provide the brokers). Run by a
 * jest project without that globalSetup, it provisions the brokers itself (same code) and releases them after.
 */
import { performance } from 'node:perf_hooks';
import * as fs from 'node:fs';
import Redis from 'ioredis';
import { Kafka, logLevel, Partitioners, type KafkaMessage } from 'kafkajs';
import { createTopicsAndWait } from '@skblab/distributed';
import { provision, type InfraState } from './global-setup';
import { release } from './global-teardown';

const WARM_MESSAGES = 20;
const started = performance.now();
const metrics: Record<string, number | string> = {};
let selfProvisioned: InfraState | undefined;

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: the test infrastructure did not run`);
  return v;
}

beforeAll(async () => {
  if (!process.env.KAFKA_BROKERS || !process.env.REDIS_URL || !process.env.SKBLAB_TEST_LAB_ID) {
    selfProvisioned = await provision(); // no globalSetup in this jest project
  }
}, 15 * 60_000);

afterAll(async () => {
  await release(selfProvisioned);
  metrics.totalMs = Math.round(performance.now() - started);
  process.stderr.write(`[infra-proof] ${JSON.stringify(metrics)}\n`);
  if (process.env.SKBLAB_INFRA_METRICS_FILE) {
    fs.writeFileSync(process.env.SKBLAB_INFRA_METRICS_FILE, JSON.stringify(metrics, null, 2) + '\n');
  }
}, 60_000);

describe('real brokers', () => {
  it('produces and consumes a message on a topic named with the lab id, then deletes it', async () => {
    const labId = env('SKBLAB_TEST_LAB_ID');
    const topic = `${labId}.infra-proof`;
    const groupId = `${labId}.infra-proof`;
    const kafka = new Kafka({
      clientId: `${labId}-infra-proof`,
      brokers: env('KAFKA_BROKERS').split(','),
      logLevel: logLevel.NOTHING, // kafkajs logs retriable start-up errors (coordinator not available) as ERROR
    });
    const admin = kafka.admin();
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const waiting = new Map<string, (m: KafkaMessage) => void>();
    const receive = (key: string) => new Promise<KafkaMessage>((resolve) => waiting.set(key, resolve));

    try {
      const t0 = performance.now();
      await admin.connect();
      await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      // consumer.run() resolves BEFORE the group is joined, and after the join the consumer still resolves its
      // offsets (OffsetFetch, ListOffsets) before its first Fetch. Wait for that first Fetch so that the latency
      // below is produce -> consume only (sending earlier works too, fromBeginning, but then includes all that).
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      const fetching = new Promise<void>((resolve) => consumer.on(consumer.events.FETCH, () => resolve()));
      await consumer.run({
        eachMessage: async ({ message }) => waiting.get(message.key?.toString() ?? '')?.(message),
      });
      await joined;
      metrics.kafkaJoinMs = Math.round(performance.now() - t0);
      await fetching;
      metrics.kafkaSetupMs = Math.round(performance.now() - t0);

      // One message: send -> eachMessage.
      const first = receive('first');
      const s0 = performance.now();
      await producer.send({ topic, messages: [{ key: 'first', value: `hello from ${labId}` }] });
      const got = await first;
      metrics.firstMessageMs = +(performance.now() - s0).toFixed(2);
      expect(got.value?.toString()).toBe(`hello from ${labId}`);

      // Warm latency, one message in flight at a time.
      const lat: number[] = [];
      for (let i = 0; i < WARM_MESSAGES; i++) {
        const p = receive(`m${i}`);
        const s = performance.now();
        await producer.send({ topic, messages: [{ key: `m${i}`, value: String(i) }] });
        expect((await p).value?.toString()).toBe(String(i));
        lat.push(performance.now() - s);
      }
      lat.sort((a, b) => a - b);
      metrics.warmP50Ms = +lat[Math.floor(lat.length / 2)].toFixed(2);
      metrics.warmMaxMs = +lat[lat.length - 1].toFixed(2);
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
    }

    // Clean up: the consumer group and the topic.
    await admin.deleteGroups([groupId]);
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
    const deadline = Date.now() + 10_000;
    while ((await admin.listTopics()).includes(topic) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.disconnect();
  });

  it('sets and gets a Redis key under the lab-id prefix, then deletes it', async () => {
    const labId = env('SKBLAB_TEST_LAB_ID');
    const redis = new Redis(env('REDIS_URL'), { lazyConnect: true, maxRetriesPerRequest: 2 });
    try {
      await redis.connect();
      const key = `${labId}:infra-proof:greeting`;
      const s0 = performance.now();
      expect(await redis.set(key, `hello from ${labId}`, 'EX', 300)).toBe('OK'); // TTL as a safety net
      expect(await redis.get(key)).toBe(`hello from ${labId}`);
      metrics.redisSetGetMs = +(performance.now() - s0).toFixed(2);

      expect(await redis.del(key)).toBe(1);
      const left: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${labId}:*`, 'COUNT', 1000);
        cursor = next;
        left.push(...keys);
      } while (cursor !== '0');
      expect(left).toEqual([]);
    } finally {
      await redis.quit().catch(() => redis.disconnect());
    }
  });
});
