/**
 * Jest globalTeardown: sweeps what the run left under its lab id on shared brokers, then stops only what
 * global-setup.ts started (its own Kafka broker, redis-server or containers). Env-provided and the shared
 * 127.0.0.1:6379 Redis are never stopped or flushed.
 */
import { takeState, type InfraState } from './global-setup';

const log = (msg: string) => process.stderr.write(`[test-infra] ${msg}\n`);
const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Deletes Redis keys `<labId>:*` (SCAN, never KEYS/FLUSH). Resolves how many were left over. */
export async function sweepRedis(url: string, labId: string): Promise<number> {
  const { default: Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    let swept = 0;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${labId}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) swept += await client.unlink(...keys);
    } while (cursor !== '0');
    // Distributed labs a test made with ids starting with the run's lab id (skblab:<lab>:...).
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `skblab:${labId}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) swept += await client.unlink(...keys);
    } while (cursor !== '0');
    return swept;
  } finally {
    client.disconnect();
  }
}

/** Deletes topics and consumer groups whose name starts with `<labId>.` or `<labId>-`. */
export async function sweepKafka(brokers: string, labId: string): Promise<number> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({
    clientId: `${labId}-teardown`,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  }).admin();
  const ours = (name: string) =>
    name.startsWith(`${labId}.`) || name.startsWith(`${labId}-`) || name.startsWith(`skblab.${labId}`);
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter(ours);
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter(ours);
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
    return topics.length + groups.length;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Sweeps (shared brokers only) and stops what was started. Never throws before trying everything. */
export async function release(state: InfraState | undefined): Promise<void> {
  if (!state) return;
  const problems: string[] = [];
  if (!state.redis.stop) {
    await sweepRedis(state.redis.url, state.labId).then(
      (n) => n && log(`swept ${n} leftover Redis key(s) ${state.labId}:*`),
      (e) => problems.push(`Redis sweep: ${errMsg(e)}`),
    );
  }
  if (!state.kafka.stop) {
    await sweepKafka(state.kafka.brokers, state.labId).then(
      (n) => n && log(`swept ${n} leftover Kafka topic(s)/group(s) ${state.labId}.*`),
      (e) => problems.push(`Kafka sweep: ${errMsg(e)}`),
    );
  }
  for (const [what, s] of [
    ['Kafka', state.kafka],
    ['Redis', state.redis],
  ] as const) {
    if (!s.stop) continue;
    await s.stop().then(
      () => log(`stopped ${what}: ${s.how}`),
      (e) => problems.push(`stopping ${what} (${s.how}): ${errMsg(e)}`),
    );
  }
  if (problems.length) throw new Error(`test infrastructure teardown: ${problems.join('; ')}`);
}

export default async function globalTeardown(): Promise<void> {
  await release(takeState());
}
