/**
 * A distributed lab with every service in this process: one DistributedNode (its own Lab, its own Kafka
 * consumer group, its own Redis connections) per layer, on the real brokers of the test run. The same code
 * as the services; only the process boundary is missing, which the CLI tests cover.
 */
import { LAYERS, hopsOf, type LayerName } from '@skblab/contracts';
import { DistributedNode } from '@skblab/distributed';
import { defaultCommands } from '@skblab/userland';
import { newShell, runScript } from '@skblab/shell';

export function brokers() {
  const kafka = process.env.KAFKA_BROKERS;
  const redis = process.env.REDIS_URL;
  const lab = process.env.SKBLAB_TEST_LAB_ID;
  if (!kafka || !redis || !lab) throw new Error('the e2e global setup did not provide Kafka and Redis');
  return { kafkaBrokers: kafka.split(','), redisUrl: redis, testLab: lab };
}

export const SERVICES = LAYERS.filter((l) => l !== 'socket' && l !== 'control' && hopsOf(l).length > 0);

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
  override: { kafkaBrokers?: string[]; redisUrl?: string } = {},
): Promise<InProcessLab> {
  const b = brokers();
  const { testLab } = b;
  const kafkaBrokers = override.kafkaBrokers ?? b.kafkaBrokers;
  const redisUrl = override.redisUrl ?? b.redisUrl;
  const labId = `${testLab}-${suffix}`;
  const common = { labId, kafkaBrokers, redisUrl, log };
  const shellNode = new DistributedNode({ ...common, service: 'socket', shipTraces: false });
  await shellNode.createTopics();
  await shellNode.publishTopology([{ name: 'host1', cpus: 2 }]);
  await shellNode.loadTopology();
  const services = new Map<LayerName, DistributedNode>();
  for (const s of SERVICES) services.set(s, new DistributedNode({ ...common, service: s, resume: true }));
  await Promise.all(
    [...services.values()].map(async (n) => {
      await n.loadTopology();
      await n.start();
    }),
  );
  await shellNode.start();
  const lab = shellNode.lab;
  lab.settle = () => shellNode.idle();
  lab.remoteTimers = { next: () => shellNode.nextRemoteTimer(), fire: (t) => shellNode.fireRemoteTimers(t) };
  const host = lab.hosts.get('host1')!;
  let out = '';
  const shell = newShell(lab, host, defaultCommands(), {
    out: (s) => void (out += s),
    err: (s) => void (out += s),
  });
  return {
    labId,
    shellNode,
    services,
    async run(script: string) {
      out = '';
      const status = await runScript(shell, script);
      return { out, status };
    },
    async stop() {
      await Promise.all([shellNode, ...services.values()].map((n) => n.stop()));
    },
  };
}
