/**
 * A distributed lab with every service in this process: one DistributedNode per layer service (each with
 * its own Lab, Kafka consumer group and Redis connections, as the service processes have) and the shell's
 * node, which runs the socket layer and moves time. The same code as the services without the process
 * boundary: for the tests and the benchmark.
 */
import { HOP_SERVICES, type LayerName } from '@skblab/contracts';
import { DistributedNode, type HostSpec } from './node';
import type { KafkaSasl } from './kafka-sasl';

export interface InProcessLab {
  labId: string;
  /** The shell's node (socket layer); its lab is the one to run processes in. */
  shell: DistributedNode;
  services: Map<LayerName, DistributedNode>;
  stop(): Promise<void>;
}

export async function startInProcessLab(opts: {
  labId: string;
  kafkaBrokers: string[];
  /** The Kafka user every node logs in as (a SASL broker), or none. */
  kafkaSasl?: KafkaSasl;
  redisUrl: string;
  hosts?: HostSpec[];
  log?: (line: string) => void;
  /** Whether the services ship their steps to the trace stream (default true). */
  shipTraces?: boolean;
  /** Every node exports its steps to this OTLP/HTTP collector (otlp.ts). */
  otlpEndpoint?: string;
}): Promise<InProcessLab> {
  const common = {
    labId: opts.labId,
    kafkaBrokers: opts.kafkaBrokers,
    kafkaSasl: opts.kafkaSasl,
    redisUrl: opts.redisUrl,
    log: opts.log,
    otlpEndpoint: opts.otlpEndpoint,
  };
  const shell = new DistributedNode({ ...common, service: 'socket', shipTraces: false });
  await shell.createTopics();
  await shell.publishTopology(opts.hosts ?? [{ name: 'host1', cpus: 2 }]);
  await shell.loadTopology();
  const services = new Map<LayerName, DistributedNode>();
  for (const s of HOP_SERVICES)
    services.set(
      s,
      new DistributedNode({ ...common, service: s, resume: true, shipTraces: opts.shipTraces }),
    );
  await Promise.all(
    [...services.values()].map(async (n) => {
      await n.loadTopology();
      await n.start();
    }),
  );
  await shell.start();
  shell.driveTime();
  return {
    labId: opts.labId,
    shell,
    services,
    async stop() {
      await Promise.all([shell, ...services.values()].map((n) => n.stop()));
    },
  };
}
