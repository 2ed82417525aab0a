/**
 * A distributed lab with every service in this process: one DistributedNode (its own Lab, its own Kafka
 * consumer group, its own Redis connections) per layer, on the real brokers of the test run. The same code
 * as the services; only the process boundary is missing, which the CLI tests cover.
 */
import type { LayerName } from '@skblab/contracts';
import { startInProcessLab, tracerOf, type DistributedNode, type KafkaSasl } from '@skblab/distributed';
import { defaultCommands } from '@skblab/userland';
import { newShell, runScript } from '@skblab/shell';

export function brokers() {
  const kafka = process.env.KAFKA_BROKERS;
  const redis = process.env.REDIS_URL;
  const lab = process.env.SKBLAB_TEST_LAB_ID;
  if (!kafka || !redis || !lab) throw new Error('the e2e global setup did not provide Kafka and Redis');
  return { kafkaBrokers: kafka.split(','), redisUrl: redis, testLab: lab };
}

export { HOP_SERVICES as SERVICES } from '@skblab/contracts';

export interface InProcessLab {
  labId: string;
  shellNode: DistributedNode;
  services: Map<LayerName, DistributedNode>;
  run(script: string): Promise<{ out: string; status: number }>;
  stop(): Promise<void>;
}

export async function inProcessLab(
  suffix: string,
  log: (l: string) => void = () => undefined,
  override: { kafkaBrokers?: string[]; kafkaSasl?: KafkaSasl; redisUrl?: string; otlpEndpoint?: string } = {},
): Promise<InProcessLab> {
  const b = brokers();
  const lab = await startInProcessLab({
    labId: `${b.testLab}-${suffix}`,
    kafkaBrokers: override.kafkaBrokers ?? b.kafkaBrokers,
    kafkaSasl: override.kafkaSasl,
    redisUrl: override.redisUrl ?? b.redisUrl,
    log,
    otlpEndpoint: override.otlpEndpoint,
  });
  const host = lab.shell.lab.hosts.get('host1')!;
  let out = '';
  const shell = newShell(lab.shell.lab, host, defaultCommands(), {
    out: (s) => void (out += s),
    err: (s) => void (out += s),
    // With a collector, each line is a trace (what the CLI's shell does: apps/cli/src/main.ts).
    aroundLine: tracerOf(lab.shell.lab)?.aroundLine(host.name),
  });
  return {
    labId: lab.labId,
    shellNode: lab.shell,
    services: lab.services,
    async run(script: string) {
      out = '';
      const status = await runScript(shell, script);
      return { out, status };
    },
    stop: () => lab.stop(),
  };
}
