/**
 * The brokers a distributed benchmark runs on: KAFKA_BROKERS and REDIS_URL, else a fresh Kafka 4.1.1 broker
 * from tools/kafka-broker in a folder of its own under the temporary folder (stopped, and the folder
 * removed, by `stop`; a watchdog does both if the benchmark dies first) and the local Redis.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../apps/cli/src/distributed';

export async function brokers(): Promise<{ kafka: string[]; redis: string; stop: () => Promise<void> }> {
  const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (process.env.KAFKA_BROKERS)
    return { kafka: process.env.KAFKA_BROKERS.split(','), redis, stop: async () => undefined };
  // Resolved at run time (not bundled): broker.js finds its pom.xml next to itself.
  const broker = require(path.join(repoRoot(), 'tools', 'kafka-broker', 'broker.js')) as {
    start(o: object): Promise<{ bootstrap: string }>;
    stop(o: object): Promise<void>;
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-bench-kafka-'));
  const stop = () => broker.stop({ dir, removeDir: true, log: () => undefined });
  try {
    const b = await broker.start({
      port: 0,
      dir,
      fresh: true,
      ownerPid: process.pid,
      removeDirWithOwner: true,
      log: () => undefined,
    });
    return { kafka: [b.bootstrap], redis, stop };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}
