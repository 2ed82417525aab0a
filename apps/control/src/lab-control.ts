/**
 * The control service's job in a lab that outlives any shell (docker compose, Kubernetes): make the lab
 * exist. At start it creates the lab's topics and, if no topology is published yet, publishes one (the
 * default: host1 and host2 on a wire) with its hosts' boot configuration (the kernel operations it made)
 * in the config log, so that the
 * layer services build their views and a shell can join with `skblab shell --mode distributed --lab ID`.
 * (`skblab up` does the same for services it starts itself.)
 *
 * It lives in the control app, not in libs/service, because booting a topology runs its boot lines through
 * a shell and the tools: the layer services' shared code stays free of both.
 */
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { DistributedNode } from '@skblab/distributed';
import {
  KAFKA,
  REDIS,
  SERVICE_CONFIG,
  awaitAtMost,
  nodeOptions,
  type LayerStateProvider,
  type ServiceConfig,
} from '@skblab/service';
import { newLab } from './new-lab';

@Injectable()
export class LabControl implements OnApplicationBootstrap, BeforeApplicationShutdown, LayerStateProvider {
  private readonly logger = new Logger('LabControl');
  private readonly node: DistributedNode;
  private readonly startedAt = new Date().toISOString();
  private topology: unknown = null;
  /** The set-up under way (awaited at shutdown, so that nothing runs after the app has closed). */
  private setup: Promise<void> = Promise.resolve();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(KAFKA) kafka: Kafka,
    @Inject(REDIS) redis: Redis,
  ) {
    // The app's own connections (LayerModule's KAFKA and REDIS), which /healthz checks.
    this.node = new DistributedNode({
      ...nodeOptions(config, (l) => this.logger.warn(l)),
      clients: { kafka, redis },
    });
  }

  onApplicationBootstrap(): void {
    // A class's control service makes labs when asked (class-control.ts), not one at start.
    if (this.config.classId) return;
    this.setup = (async () => {
      this.topology = await newLab(this.node);
      this.logger.log(`lab ${this.config.labId} ready`);
    })().catch((e: unknown) => this.logger.error(`cannot set up lab ${this.config.labId}: ${String(e)}`));
  }

  /** Before the app's clients close (onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await awaitAtMost(3_000, this.setup);
    await this.node.stop();
  }

  getState() {
    if (this.config.classId)
      return { layer: 'control', classId: this.config.classId, startedAt: this.startedAt };
    return { layer: 'control', labId: this.config.labId, startedAt: this.startedAt, topology: this.topology };
  }
}
