/**
 * The kernel inside a layer service: a DistributedNode (libs/distributed) that builds this process's view
 * of the lab from the topology in Redis and takes the layer's hops from their Kafka topics. The app's hop
 * handlers hand each message to it (receive); its HopServer starts it (start) and it stops with the app.
 * GET /state shows what this layer holds; /metrics counts its messages.
 */
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { Gauge } from 'prom-client';
import { hopsOf, hopTopics } from '@skblab/contracts';
import { ClassLabs, DistributedNode, type HopMessage } from '@skblab/distributed';
import { dev_get_stats, inputQueueLen, neighDescribe, type Host, type Verdict } from '@skblab/kernel';
import { nodeOptions, type ServiceConfig } from './config';
import { awaitAtMost } from './util';
import { MetricsService } from './metrics';
import type { LayerStateProvider, StateQuery } from './state';
import { KAFKA, REDIS, SERVICE_CONFIG } from './tokens';

@Injectable()
export class HopWorker implements BeforeApplicationShutdown, OnApplicationShutdown, LayerStateProvider {
  private readonly logger = new Logger('HopWorker');
  /** The lab this service serves (SKBLAB_LAB_ID), or null when it serves a class's labs. */
  readonly node: DistributedNode | null = null;
  /** The labs of the class this service serves (SKBLAB_CLASS: class-labs.ts). */
  readonly classLabs: ClassLabs | null = null;
  private started = false;
  /** The start under way (awaited at shutdown, so that nothing runs after the app has closed). */
  private starting: Promise<void> = Promise.resolve();
  private readonly startedAt = new Date().toISOString();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(MetricsService) metrics: MetricsService,
    @Inject(KAFKA) kafka: Kafka,
    @Inject(REDIS) redis: Redis,
  ) {
    const onMessage = (
      topic: string,
      result: 'ok' | 'drop' | 'dead-letter',
      step?: { hop: string; seconds: number },
    ) => {
      metrics.countMessage(topic, result);
      if (step) metrics.observeStep(step.hop, step.seconds);
    };
    if (config.classId) {
      this.classLabs = new ClassLabs({
        classId: config.classId,
        node: {
          ...nodeOptions(config, (l) => this.logger.warn(l)),
          onMessage,
          resume: true,
          applyConfig: true,
        },
        kafka,
        // The class's set of labs lives outside every lab's prefix.
        redis: redis.duplicate({ keyPrefix: '' }),
        log: (l) => this.logger.warn(l),
      });
    } else
      this.node = new DistributedNode({
        ...nodeOptions(config, (l) => this.logger.warn(l)),
        // The app's own connections (LayerModule's KAFKA and REDIS), which /healthz checks.
        clients: { kafka, redis },
        onMessage,
        resume: true,
        // The kernel operations of the user's `ip`, `sysctl`, `tc` and `ethtool`, applied to this view as
        // data (checked first: a bad entry is refused and counted, never run).
        applyConfig: true,
      });
    // Summed over the labs this process serves (one, or a class's).
    const nodes = () => (this.classLabs ? [...this.classLabs.nodes.values()] : [this.node!]);
    const sum = (f: (s: DistributedNode['stats']) => number) => nodes().reduce((n, x) => n + f(x.stats), 0);
    new Gauge({
      name: 'skblab_dead_letters',
      help: 'Messages this service sent to the dead-letter topic (malformed or unresolvable).',
      registers: [metrics.registry],
      collect() {
        this.set(sum((s) => s.deadLetters));
      },
    });
    new Gauge({
      name: 'skblab_config_entries',
      help:
        'Configuration log entries this service went through: applied, rejected (malformed or not a ' +
        'kernel configuration operation) or failed (refused by this view of the kernel).',
      labelNames: ['result'],
      registers: [metrics.registry],
      collect() {
        this.set(
          { result: 'applied' },
          sum((s) => s.configApplied),
        );
        this.set(
          { result: 'rejected' },
          sum((s) => s.configRejected),
        );
        this.set(
          { result: 'failed' },
          sum((s) => s.configFailed),
        );
      },
    });
  }

  get hops(): string[] {
    return hopsOf(this.config.layer);
  }

  /**
   * Start taking the hops, each message handed to `dispatch` (the app's handler for its hop). Not awaited:
   * the service answers /healthz while it waits for the lab's topology.
   */
  start(dispatch: (m: HopMessage) => Verdict | Promise<Verdict>): void {
    if (this.classLabs) {
      const labs = this.classLabs;
      labs.dispatch = dispatch;
      this.starting = labs.start().then(
        () => {
          this.started = true;
          this.logger.log(`serving class ${this.config.classId}: ${labs.nodes.size} labs`);
        },
        (e: unknown) => {
          if (!this.stopping) this.logger.error(`cannot serve class ${this.config.classId}: ${String(e)}`);
        },
      );
      return;
    }
    const node = this.node!;
    node.dispatch = dispatch;
    this.starting = (async () => {
      await node.loadTopology(24 * 3600_000);
      await node.start();
      this.started = true;
      this.logger.log(`consuming ${hopTopics(this.config.labId, this.hops).join(', ')}`);
    })().catch((e: unknown) => {
      // Stopped while it waited (for the topology, or the brokers): that is no failure to report.
      if (!this.stopping) this.logger.error(`cannot start the ${this.config.layer} hops: ${String(e)}`);
    });
  }

  /** A hop's message, from the app's handler for it: into the kernel, through the door. */
  receive(m: HopMessage): Verdict {
    if (this.classLabs) return this.classLabs.receive(m);
    return this.node!.door.receive(m.hop, m.skb, m.clock, m.comm, m.cpu);
  }

  private stopping: Promise<void> | null = null;
  /** Stop taking hops (the HopServer's close, then the app's shutdown: once). */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      await (this.classLabs ?? this.node!).stop(); // also ends a wait for the topology
      await awaitAtMost(3_000, this.starting);
    })());
  }

  /** Before the app's clients close (onApplicationShutdown): the node's last flush still needs them. */
  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  getState() {
    const own = {
      layer: this.config.layer,
      instance: this.config.instance,
      startedAt: this.startedAt,
      consuming: this.started,
      hops: this.hops,
    };
    if (this.classLabs)
      return {
        ...own,
        classId: this.config.classId,
        // Idle labs whose partitions this process does not fetch until they are busy again.
        paused: this.classLabs.pausedLabs(),
        labs: Object.fromEntries([...this.classLabs.nodes].map(([id, node]) => [id, this.viewOf(node)])),
      };
    return { ...own, labId: this.config.labId, ...this.viewOf(this.node!) };
  }

  /** What this process holds of one lab. */
  private viewOf(node: DistributedNode) {
    const lab = node.lab;
    return {
      messages: node.stats,
      clockNs: lab.now(),
      hosts: [...lab.hosts.values()].map((h) => ({ name: h.name, ...this.layerState(h) })),
    };
  }

  query(q: StateQuery) {
    const nodes = this.classLabs ? [...this.classLabs.nodes] : [[this.config.labId, this.node!] as const];
    const entries = nodes.flatMap(([id, node]) =>
      [...node.lab.hosts.values()].flatMap((h) => {
        const net = q.netns ? h.namedNets.get(q.netns) : h.initNet;
        return net
          ? net.devices.map((d) => ({
              ...(this.classLabs ? { lab: id } : {}),
              host: h.name,
              dev: d.name,
              stats: dev_get_stats(d),
            }))
          : [];
      }),
    );
    return {
      layer: this.config.layer,
      ...(this.classLabs ? { classId: this.config.classId } : { labId: this.config.labId }),
      netns: q.netns,
      limit: q.limit,
      entries: entries.slice(0, q.limit),
    };
  }

  /** What this layer keeps, per host. */
  private layerState(h: Host): Record<string, unknown> {
    const nets = [h.initNet, ...h.namedNets.values()];
    switch (this.config.layer) {
      case 'softirq':
        return {
          softnet: h.softnet.map((sd) => ({
            cpu: sd.cpu,
            processed: sd.processed,
            dropped: sd.dropped,
            timeSqueeze: sd.timeSqueeze,
            inputPktQueue: inputQueueLen(sd),
            processQueue: sd.processQueue.length,
          })),
        };
      case 'neigh':
        return {
          neighbours: nets.map((n) => ({
            netns: n.name,
            entries: [...n.arpTbl.values()].map((e) => ({ dev: e.dev.name, entry: neighDescribe(e) })),
          })),
        };
      case 'ip':
      case 'rx':
        return { mib: nets.map((n) => ({ netns: n.name, ip: [...n.mib.ip] })) };
      default:
        return {
          devices: nets.flatMap((n) =>
            n.devices.map((d) => ({ netns: n.name, dev: d.name, stats: d.stats })),
          ),
        };
    }
  }
}
