/**
 * The brokers a distributed benchmark runs on: KAFKA_BROKERS and REDIS_URL, else a Kafka 4.1.1 broker from
 * tools/kafka-broker (stopped by `stop`) and the local Redis.
 */
import * as path from 'node:path';
import { repoRoot } from '../../apps/cli/src/distributed';

export async function brokers(): Promise<{ kafka: string[]; redis: string; stop: () => void }> {
  const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (process.env.KAFKA_BROKERS)
    return { kafka: process.env.KAFKA_BROKERS.split(','), redis, stop: () => undefined };
  // Resolved at run time (not bundled): broker.js finds its pom.xml next to itself.
  const broker = require(path.join(repoRoot(), 'tools', 'kafka-broker', 'broker.js')) as {
    start(o: object): Promise<{ bootstrap: string }>;
    stop(o: object): Promise<void>;
  };
  const dir = `/tmp/skblab-bench-kafka-${process.pid}`;
  const b = await broker.start({ port: 0, dir, fresh: true, log: () => undefined });
  return { kafka: [b.bootstrap], redis, stop: () => void broker.stop({ dir }) };
}
