/**
 * The service's connections: a kafkajs client (clientId `skblab-<lab>-<layer>`) and an ioredis client (keys
 * prefixed `skblab:<lab>:`). Layers inject them as KAFKA / REDIS. Neither makes start-up fail: Redis connects
 * in the background (start-up waits at most the connect timeout for the first outcome) and reconnects on its
 * own; Kafka connects when something uses it. /healthz says whether each one answers.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { Kafka, logLevel, type Admin, type logCreator } from 'kafkajs';
import type { ServiceConfig } from './config';
import { SERVICE_CONFIG } from './tokens';
import { within } from './util';

/** kafkajs logs (warnings and errors only) through Nest's logger. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      delete (extra as Record<string, unknown>).timestamp;
      delete (extra as Record<string, unknown>).logger;
      const text = `${namespace}: ${message}${Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : ''}`;
      if (level <= logLevel.ERROR) logger.error(text);
      else if (level === logLevel.WARN) logger.warn(text);
      else logger.debug?.(text);
    };
}

export interface ClusterInfo {
  brokers: number;
  controller: number | null;
  clusterId: string;
}

@Injectable()
export class KafkaClient implements OnApplicationShutdown {
  private readonly logger = new Logger('Kafka');
  /** For the layer's producers and consumers (kafkajs' default retries). */
  readonly kafka: Kafka;
  /** For /healthz only: one quick retry and no logs of its own (the health result says what failed). */
  private readonly probe: Kafka;
  private admin?: { admin: Admin; connected: Promise<void> };

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {
    const base = { clientId: config.kafkaClientId, brokers: config.kafkaBrokers, sasl: config.kafkaSasl };
    this.kafka = new Kafka({
      ...base,
      connectionTimeout: config.connectTimeoutMs,
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(this.logger),
    });
    this.probe = new Kafka({
      ...base,
      connectionTimeout: Math.min(config.connectTimeoutMs, config.healthTimeoutMs),
      requestTimeout: config.healthTimeoutMs,
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
      logLevel: logLevel.NOTHING,
    });
  }

  /**
   * Metadata from the cluster through an admin client (kept connected between calls, rebuilt after a
   * failure). This joins no consumer group and creates nothing, unlike a Nest ClientKafka ping.
   */
  async describeCluster(timeoutMs: number): Promise<ClusterInfo> {
    if (!this.admin) {
      const admin = this.probe.admin({ retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 } });
      this.admin = { admin, connected: admin.connect() };
    }
    const current = this.admin;
    try {
      const c = await within(
        timeoutMs,
        'Kafka describeCluster',
        current.connected.then(() => current.admin.describeCluster()),
      );
      return { brokers: c.brokers.length, controller: c.controller, clusterId: c.clusterId };
    } catch (e) {
      if (this.admin === current) this.admin = undefined;
      void current.admin.disconnect().catch(() => undefined);
      throw e;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const current = this.admin;
    this.admin = undefined;
    if (current) {
      await within(this.config.connectTimeoutMs, 'Kafka admin disconnect', current.admin.disconnect()).catch(
        () => undefined,
      );
    }
  }
}

@Injectable()
export class RedisClient implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  readonly redis: Redis;
  /** The latest connection error, cleared when the connection is ready again. */
  lastError?: Error;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {
    this.redis = new Redis(config.redisUrl, {
      keyPrefix: config.redisKeyPrefix,
      connectionName: config.kafkaClientId,
      lazyConnect: true,
      connectTimeout: config.connectTimeoutMs,
      // The app's DistributedNode uses this client: a batch's commands wait through a reconnection rather
      // than fail. /healthz does not wait: it answers from the connection's status, and bounds its PING.
      maxRetriesPerRequest: null,
      // disconnect() keeps the process alive this long when the socket had already failed (no 'close' comes)
      disconnectTimeout: 500,
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    });
    this.redis.on('error', (e: Error) => {
      if (this.lastError?.message !== e.message) this.logger.warn(`${this.where()}: ${e.message}`);
      this.lastError = e;
    });
    this.redis.on('ready', () => {
      if (this.lastError) this.logger.log(`${this.where()}: connected again`);
      this.lastError = undefined;
    });
  }

  private where(): string {
    const u = new URL(this.config.redisUrl);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  }

  /** Starts connecting, and waits (at most the connect timeout) for the first outcome, good or bad. */
  async onModuleInit(): Promise<void> {
    const settled = new Promise<void>((resolve) => {
      this.redis.once('ready', resolve);
      this.redis.once('error', () => resolve());
    });
    this.redis.connect().catch(() => undefined); // reported through 'error'; ioredis goes on retrying
    await within(this.config.connectTimeoutMs, 'Redis connect', settled).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'ready') {
      await within(this.config.connectTimeoutMs, 'Redis QUIT', this.redis.quit()).catch(() => undefined);
    }
    this.redis.disconnect();
  }
}
